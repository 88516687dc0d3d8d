import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  allowedConditionKeys,
  exampleNotification,
  exampleSubscribeRequest,
  generateEvent,
  getCatalogueEntry,
  listExamples,
} from '../../src/catalogue/index.js';
import type { CatalogueEntry } from '../../src/catalogue/index.js';

const NOW = Date.parse('2030-01-02T03:04:05.678Z');
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;

const active = CATALOGUE.filter((e) => e.removed !== true);

/** Distinct ids for every condition key the fixture uses. */
function freshCondition(e: CatalogueEntry): Record<string, string> {
  const fixture = (exampleSubscribeRequest(e.type, e.version) as { condition: Record<string, string> })
    .condition;
  const out: Record<string, string> = {};
  Object.keys(fixture).forEach((key, i) => {
    out[key] = String(700_001 + i);
  });
  return out;
}

/** [path, value] of every string leaf. */
function leaves(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}.${k}`));
  }
  return [];
}

/** The objects that carry condition ids in a generated payload. */
function roots(e: CatalogueEntry, generated: ReturnType<typeof generateEvent>): Record<string, unknown>[] {
  if (e.batched) return (generated.events ?? []).map((item) => item.data as Record<string, unknown>);
  const event = generated.event!;
  const data = event.data;
  return Array.isArray(data) && Object.keys(event).length === 1
    ? (data as Record<string, unknown>[])
    : [event];
}

describe('examples', () => {
  it('lists the documented pairs: one per subscribable type/version of the table', () => {
    expect(listExamples()).toHaveLength(active.length);
  });

  it('returns deep copies of the documented notification and subscribe request', () => {
    const a = exampleNotification('channel.follow', '2')!;
    expect(a.subscription.type).toBe('channel.follow');
    (a.event as Record<string, unknown>).user_id = 'mutated';
    expect((exampleNotification('channel.follow', '2')!.event as Record<string, unknown>).user_id).not.toBe(
      'mutated',
    );
    const req = exampleSubscribeRequest('drop.entitlement.grant', '1') as Record<string, unknown>;
    expect(req.is_batching_enabled).toBe(true);
    expect(exampleNotification('drop.entitlement.grant', '1')!.events).toHaveLength(2);
    expect(exampleNotification('automod.message.update', '2')).toBeUndefined();
    expect(exampleNotification('nope', '1')).toBeUndefined();
    expect(exampleSubscribeRequest('nope', '1')).toBeUndefined();
  });
});

describe('generateEvent, per catalogue entry', () => {
  it.each(active.map((e) => [`${e.type} v${e.version}`, e] as const))(
    '%s: condition ids, fresh ids and timestamps, overrides',
    (_, e) => {
      const condition = freshCondition(e);
      const first = generateEvent(e, condition, undefined, { now: NOW });
      const second = generateEvent(e, condition, undefined, { now: NOW });
      expect(e.batched ? first.events : first.event).toBeDefined();
      expect(e.batched ? first.event : first.events).toBeUndefined();

      const example = exampleNotification(e.type, e.version);
      const examplePayload = example === undefined ? undefined : e.batched ? example.events : example.event;
      if (examplePayload !== undefined && !Array.isArray(examplePayload)) {
        // Twitch's example's keys at the top, but for the corrections of template-fixes.ts (checked field by field
        // in payload-fields.test.ts): the wrapped and the string-message shapes the reference contradicts.
        const payload = first.event!;
        const dropped = new Set(['data', 'fragments']);
        for (const key of Object.keys(examplePayload as object)) {
          if (!dropped.has(key)) expect(Object.keys(payload), key).toContain(key);
        }
      }

      // Condition ids land in the same-named fields, with logins/names derived from them.
      for (const root of roots(e, first)) {
        for (const [key, value] of Object.entries(condition)) {
          if (key in root) expect(root[key], key).toBe(value);
          const base = key.replace(/_id$/, '');
          if (key.endsWith('user_id') && `${base}_login` in root) {
            expect(root[`${base}_login`]).toBe(`user${value}`);
            expect(root[`${base}_name`]).toBe(`User${value}`);
          }
        }
      }

      // Timestamps are fresh (near NOW), uuid-ish ids are fresh per call.
      const exampleLeaves = new Map(leaves(examplePayload));
      const secondLeaves = new Map(leaves(e.batched ? second.events : second.event));
      const conditionValues = new Set(Object.values(condition));
      for (const [path, value] of leaves(e.batched ? first.events : first.event)) {
        if (TIMESTAMP_RE.test(value)) {
          expect(Math.abs(Date.parse(value) - NOW), path).toBeLessThanOrEqual(2 * 86_400_000);
          expect(secondLeaves.get(path)).toBe(value);
        }
        const original = exampleLeaves.get(path);
        if (original !== undefined && UUID_RE.test(original) && !conditionValues.has(value)) {
          expect(value, path).not.toBe(original);
          expect(secondLeaves.get(path), path).not.toBe(value);
        }
      }

      // Overrides are shallow-merged over the event (over each events[i].data when batched).
      const overridden = generateEvent(e, condition, { injected: 'yes', broadcaster_user_id: 'override' });
      if (e.batched) {
        for (const item of overridden.events!)
          expect((item.data as Record<string, unknown>).injected).toBe('yes');
      } else {
        expect(overridden.event!.injected).toBe('yes');
        expect(overridden.event!.broadcaster_user_id).toBe('override');
      }
    },
  );
});

describe('generateEvent specifics', () => {
  it('binds the reward id of the condition', () => {
    const redemption = getCatalogueEntry('channel.channel_points_custom_reward_redemption.add', '1')!;
    const { event } = generateEvent(redemption, { broadcaster_user_id: '1', reward_id: 'r-1' });
    expect((event!.reward as Record<string, unknown>).id).toBe('r-1');
    const unbound = generateEvent(redemption, { broadcaster_user_id: '1' }).event!;
    expect((unbound.reward as Record<string, unknown>).id).toMatch(UUID_RE);
    const update = getCatalogueEntry('channel.channel_points_custom_reward.update', '1')!;
    expect(generateEvent(update, { broadcaster_user_id: '1', reward_id: 'r-2' }).event!.id).toBe('r-2');
  });

  it('binds the raid direction given and the whisper recipient', () => {
    const raid = getCatalogueEntry('channel.raid', '1')!;
    expect(generateEvent(raid, { from_broadcaster_user_id: '5' }).event).toMatchObject({
      from_broadcaster_user_id: '5',
      from_broadcaster_user_login: 'user5',
    });
    expect(generateEvent(raid, { to_broadcaster_user_id: '6' }).event).toMatchObject({
      to_broadcaster_user_id: '6',
      to_broadcaster_user_name: 'User6',
    });
    const whisper = getCatalogueEntry('user.whisper.message', '1')!;
    expect(generateEvent(whisper, { user_id: '7' }).event).toMatchObject({
      to_user_id: '7',
      to_user_login: 'user7',
    });
  });

  it('binds charity events whose fields omit "_user_"', () => {
    const start = getCatalogueEntry('channel.charity_campaign.start', '1')!;
    expect(generateEvent(start, { broadcaster_user_id: '8' }).event).toMatchObject({
      broadcaster_id: '8',
      broadcaster_login: 'user8',
      broadcaster_name: 'User8',
    });
  });

  it('uses the user directory given in options', () => {
    const follow = getCatalogueEntry('channel.follow', '2')!;
    const { event } = generateEvent(follow, { broadcaster_user_id: '1', moderator_user_id: '1' }, undefined, {
      user: (id) => (id === '1' ? { login: 'streamer', name: 'Streamer' } : undefined),
    });
    expect(event).toMatchObject({ broadcaster_user_login: 'streamer', broadcaster_user_name: 'Streamer' });
  });

  it('keeps related ids consistent and timestamps relative', () => {
    const poll = getCatalogueEntry('channel.poll.begin', '1')!;
    const { event } = generateEvent(poll, { broadcaster_user_id: '1' }, undefined, { now: NOW });
    expect(event!.started_at).toBe(new Date(NOW).toISOString());
    expect(Date.parse(event!.ends_at as string)).toBeGreaterThan(NOW);
    const end = getCatalogueEntry('channel.hype_train.end', '2')!;
    const train = generateEvent(end, { broadcaster_user_id: '1' }, undefined, { now: NOW }).event!;
    expect(train.ended_at).toBe(new Date(NOW).toISOString());
    expect(Date.parse(train.started_at as string)).toBeLessThan(NOW);
    expect(Date.parse(train.cooldown_ends_at as string)).toBeGreaterThan(NOW);
  });

  it('gives each batched event its own ids and binds drop conditions', () => {
    const drop = getCatalogueEntry('drop.entitlement.grant', '1')!;
    const { events } = generateEvent(drop, { organization_id: 'org', campaign_id: 'camp' });
    expect(events).toHaveLength(2);
    const [a, b] = events! as { id: string; data: Record<string, unknown> }[];
    expect(a!.id).not.toBe(b!.id);
    expect(a!.data.entitlement_id).not.toBe(b!.data.entitlement_id);
    expect(a!.data).toMatchObject({ organization_id: 'org', campaign_id: 'camp', category_id: '9002' });
  });

  it('has a template for automod.message.update v2 (no documented example)', () => {
    const entry = getCatalogueEntry('automod.message.update', '2')!;
    const { event } = generateEvent(entry, { broadcaster_user_id: '1', moderator_user_id: '2' });
    expect(event).toMatchObject({
      broadcaster_user_id: '1',
      moderator_user_id: '2',
      moderator_user_login: 'user2',
    });
    expect(['approved', 'denied', 'expired']).toContain(event!.status);
    expect(event!.message).toHaveProperty('fragments');
  });

  it('returns independent copies (mutating one does not leak into the next)', () => {
    const chat = getCatalogueEntry('channel.chat.message', '1')!;
    const cond = { broadcaster_user_id: '1', user_id: '2' };
    const first = generateEvent(chat, cond).event!;
    (first.message as { text: string }).text = 'mutated';
    (first.badges as unknown[]).length = 0;
    const second = generateEvent(chat, cond).event!;
    expect((second.message as { text: string }).text).not.toBe('mutated');
    expect((second.badges as unknown[]).length).toBeGreaterThan(0);
  });

  it('covers the removed channel.follow v1 with a minimal event', () => {
    const v1 = getCatalogueEntry('channel.follow', '1')!;
    expect(generateEvent(v1, { broadcaster_user_id: '3' }).event).toMatchObject({ broadcaster_user_id: '3' });
    for (const key of allowedConditionKeys(v1.condition)) expect(key).toBe('broadcaster_user_id');
  });
});
