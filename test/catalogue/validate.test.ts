import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  CATALOGUE,
  allowedConditionKeys,
  checkCondition,
  exampleSubscribeRequest,
  fromWireCondition,
  getCatalogueEntry,
  resolveEntry,
  subscription,
  toSubscriptionRequest,
  toWireCondition,
} from '../../src/catalogue/index.js';
import { snakeToCamel } from '../../src/catalogue/builders.js';
import type { CatalogueEntry } from '../../src/catalogue/index.js';

const active = CATALOGUE.filter((e) => e.removed !== true);
const cases = active.map((e) => [`${e.type} v${e.version}`, e] as const);

function fixtureCondition(entry: CatalogueEntry): Record<string, string> {
  const request = exampleSubscribeRequest(entry.type, entry.version) as { condition: Record<string, string> };
  return request.condition;
}

function expectField(entry: CatalogueEntry, condition: unknown, field: string): void {
  const result = checkCondition(entry, condition);
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.field).toBe(field);
    expect(result.message.length).toBeGreaterThan(0);
  }
}

function thrown(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error('expected a throw');
}

function expectBuilderError(entry: CatalogueEntry, condition: unknown, field: string, code: string): void {
  let error: unknown;
  try {
    toSubscriptionRequest({ type: entry.type, version: entry.version, condition } as never);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).field).toBe(field);
  expect((error as InvalidArgumentError).code).toBe(code);
}

describe('checkCondition (wire form), per catalogue entry', () => {
  it.each(cases)('%s: the fixture condition validates; mutilations name the field', (_, entry) => {
    const good = fixtureCondition(entry);
    expect(checkCondition(entry, good)).toEqual({ ok: true });

    // Unknown key.
    expectField(entry, { ...good, bogus_user_id: '1' }, 'condition.bogus_user_id');
    // Each required key missing.
    for (const key of entry.condition.required) {
      const { [key]: _dropped, ...rest } = good;
      expectField(entry, rest, `condition.${key}`);
    }
    // Each present key with a number, an empty string, null, an object.
    for (const key of Object.keys(good)) {
      for (const bad of [1337, '', null, { id: '1' }, ['1'], true]) {
        expectField(entry, { ...good, [key]: bad }, `condition.${key}`);
      }
    }
    // Each optional key accepted when present (with a string value), rejected when not a string.
    for (const key of entry.condition.optional) {
      const inGroup = (entry.condition.exactlyOneOf ?? []).some((g) => g.includes(key));
      if (inGroup) continue;
      expect(checkCondition(entry, { ...good, [key]: '42' })).toEqual({ ok: true });
      expectField(entry, { ...good, [key]: 42 }, `condition.${key}`);
    }
    // Not an object.
    for (const bad of [null, undefined, 'x', 1, [good]]) expectField(entry, bad, 'condition');
  });

  it('channel.raid requires exactly one of from/to', () => {
    const raid = getCatalogueEntry('channel.raid', '1')!;
    expect(checkCondition(raid, { from_broadcaster_user_id: '1' })).toEqual({ ok: true });
    expect(checkCondition(raid, { to_broadcaster_user_id: '1' })).toEqual({ ok: true });
    expectField(raid, {}, 'condition');
    expectField(
      raid,
      { from_broadcaster_user_id: '1', to_broadcaster_user_id: '2' },
      'condition.to_broadcaster_user_id',
    );
    expectField(raid, { broadcaster_user_id: '1' }, 'condition.broadcaster_user_id');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CATALOGUE), fc.anything(), (entry, condition) => {
        const result = checkCondition(entry, condition);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.field.startsWith('condition')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts any non-empty string values for the right keys', () => {
    const follow = getCatalogueEntry('channel.follow', '2')!;
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (b, m) => {
        expect(checkCondition(follow, { broadcaster_user_id: b, moderator_user_id: m }).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('builders (camelCase), per catalogue entry', () => {
  it.each(cases)(
    '%s: the camelCase fixture converts to the wire condition; mutilations throw',
    (_, entry) => {
      const wire = fixtureCondition(entry);
      const camel = fromWireCondition(wire);
      const request = toSubscriptionRequest({
        type: entry.type,
        version: entry.version,
        condition: camel,
      } as never);
      expect(request).toEqual({ type: entry.type, version: entry.version, condition: wire });

      expectBuilderError(entry, { ...camel, bogusUserId: '1' }, 'condition.bogusUserId', 'INVALID_CONDITION');
      for (const key of entry.condition.required) {
        const camelKey = snakeToCamel(key);
        const { [camelKey]: _dropped, ...rest } = camel;
        expectBuilderError(entry, rest, `condition.${camelKey}`, 'INVALID_CONDITION');
      }
      for (const key of Object.keys(camel)) {
        expectBuilderError(entry, { ...camel, [key]: 1337 }, `condition.${key}`, 'INVALID_CONDITION');
        expectBuilderError(entry, { ...camel, [key]: '' }, `condition.${key}`, 'INVALID_CONDITION');
      }
      // The wire (snake_case) spelling is not the builder's: rejected with a hint.
      const [firstWireKey] = Object.keys(wire);
      if (firstWireKey?.includes('_') === true) {
        expect(() =>
          toSubscriptionRequest({ type: entry.type, version: entry.version, condition: wire } as never),
        ).toThrow(/did you mean/);
      }
    },
  );

  it('subscription() builds the wire request', () => {
    expect(
      subscription('channel.follow', '2', { broadcasterUserId: '1337', moderatorUserId: '9001' }),
    ).toEqual({
      type: 'channel.follow',
      version: '2',
      condition: { broadcaster_user_id: '1337', moderator_user_id: '9001' },
    });
    expect(subscription('channel.raid', '1', { toBroadcasterUserId: '1' }).condition).toEqual({
      to_broadcaster_user_id: '1',
    });
    // Optional keys given as undefined are dropped.
    expect(
      subscription('channel.channel_points_custom_reward_redemption.add', '1', {
        broadcasterUserId: '1',
        rewardId: undefined as unknown as string,
      }).condition,
    ).toEqual({ broadcaster_user_id: '1' });
  });

  it('rejects unknown types, unknown and removed versions with typed errors', () => {
    const attempt = (type: unknown, version: unknown) => thrown(() => resolveEntry(type, version));
    expect(attempt('channel.folow', '2')).toMatchObject({ code: 'UNKNOWN_SUBSCRIPTION_TYPE', field: 'type' });
    expect(attempt('channel.follow', '3')).toMatchObject({
      code: 'UNKNOWN_SUBSCRIPTION_TYPE',
      field: 'version',
    });
    expect(attempt('channel.follow', '3').message).toContain('known: 2');
    expect(attempt('channel.follow', 2)).toMatchObject({
      code: 'UNKNOWN_SUBSCRIPTION_TYPE',
      field: 'version',
    });
    expect(attempt(undefined, '1')).toMatchObject({ code: 'UNKNOWN_SUBSCRIPTION_TYPE', field: 'type' });
    expect(attempt('channel.follow', '1')).toMatchObject({
      code: 'SUBSCRIPTION_VERSION_REMOVED',
      field: 'version',
    });
    expect(attempt('channel.follow', '1').message).toMatch(/410 Gone.*use version 2$/);
    // Withdrawn versions are refused before sending, saying what Twitch would answer and what to use instead.
    const hype = attempt('channel.hype_train.begin', '1');
    expect(hype).toMatchObject({ code: 'SUBSCRIPTION_VERSION_REMOVED', field: 'version' });
    expect(hype.message).toBe(
      'channel.hype_train.begin version 1 was withdrawn by Twitch on 2026-01-15 (Twitch answers 400 ' +
        '"cannot use deprecated subscription type and version"); use version 2',
    );
    expect(attempt('channel.update', '1').message).toMatch(/withdrawn by Twitch \(.*; use version 2$/);
    expect(() => toSubscriptionRequest(null as never)).toThrow(InvalidArgumentError);
  });

  it('raid errors name the camelCase field', () => {
    const raid = resolveEntry('channel.raid', '1');
    expect(() => toWireCondition(raid, {})).toThrow(
      /exactly one of fromBroadcasterUserId, toBroadcasterUserId/,
    );
    expect(
      thrown(() => toWireCondition(raid, { fromBroadcasterUserId: '1', toBroadcasterUserId: '2' })),
    ).toMatchObject({
      code: 'INVALID_CONDITION',
      field: 'condition.toBroadcasterUserId',
    });
    expect(() => toWireCondition(raid, 'nope')).toThrow(InvalidArgumentError);
  });

  it('camelCase keys cover every wire key of the catalogue', () => {
    for (const entry of CATALOGUE) {
      for (const key of allowedConditionKeys(entry.condition)) {
        expect(snakeToCamel(key)).not.toContain('_');
      }
    }
  });
});
