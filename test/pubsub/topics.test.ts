import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  PUBSUB_TOPICS,
  automodQueue,
  bits,
  bitsBadge,
  channelPoints,
  channelSubscriptions,
  lowTrustUsers,
  moderationUserAction,
  parseTopicString,
  userModerationNotifications,
  whispers,
} from '../../src/pubsub/index.js';
import { pubsubBackoffDelay } from '../../src/pubsub/connection.js';

const TOKEN = 'abcdefghijklmnopqrstuvwxyz0123';

describe('topic builders', () => {
  it('build the wire strings of every documented topic', () => {
    expect(bits(TOKEN).with(12345).present).toBe('channel-bits-events-v2.12345');
    expect(bitsBadge(TOKEN, '12345').present).toBe('channel-bits-badge-unlocks.12345');
    expect(channelPoints(TOKEN).with(12345n).present).toBe('channel-points-channel-v1.12345');
    expect(channelSubscriptions(TOKEN).with('9').present).toBe('channel-subscribe-events-v1.9');
    expect(whispers(TOKEN).with(77).present).toBe('whispers.77');
    expect(automodQueue(TOKEN).with(1, 2).present).toBe('automod-queue.1.2');
    expect(userModerationNotifications(TOKEN, 3, 4).present).toBe('user-moderation-notifications.3.4');
    expect(lowTrustUsers(TOKEN).with(5).with(6).present).toBe('low-trust-users.5.6');
  });

  it('put the moderator id first and the channel id second, as Twitch does', () => {
    const topic = moderationUserAction(TOKEN).with(67890, 12345);
    expect(topic.params).toEqual(['moderatorId', 'channelId']);
    expect(topic.present).toBe('chat_moderator_actions.67890.12345');
  });

  it('are two-step and immutable: with() returns a new topic', () => {
    const partial = moderationUserAction(TOKEN);
    const half = partial.with(1);
    const full = half.with(2);
    expect(partial.present).toBeNull();
    expect(half.present).toBeNull();
    expect(half.missing).toEqual(['channelId']);
    expect(full.present).toBe('chat_moderator_actions.1.2');
    expect(partial.args).toEqual([]);
    expect(Object.isFrozen(full)).toBe(true);
    expect(() => {
      (full.args as string[]).push('3');
    }).toThrow(TypeError);
  });

  it('reject malformed ids, too many ids and bad tokens with typed errors', () => {
    expect(() => bits(TOKEN).with(-1)).toThrow(InvalidArgumentError);
    expect(() => bits(TOKEN).with(1.5)).toThrow(InvalidArgumentError);
    expect(() => bits(TOKEN).with('12a')).toThrow(/channelId/);
    expect(() => bits(TOKEN).with(1, 2)).toThrow(InvalidArgumentError);
    expect(() => bits('')).toThrow(InvalidArgumentError);
    expect(() => bits('has space')).toThrow(InvalidArgumentError);
    try {
      whispers(TOKEN).with('x');
    } catch (error) {
      expect((error as InvalidArgumentError).field).toBe('userId');
      expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('strip an oauth: prefix and compare tokens in equals()', () => {
    const a = bits(`oauth:${TOKEN}`, 1);
    expect(a.token).toBe(TOKEN);
    expect(a.equals(bits(TOKEN, 1))).toBe(true);
    expect(a.equals(bits('othertoken', 1))).toBe(false);
    expect(a.withToken('othertoken').equals(bits('othertoken', 1))).toBe(true);
  });

  it('never show the token in strings, JSON or inspect output', () => {
    const topic = bits(TOKEN).with(1);
    const partial = moderationUserAction(TOKEN).with(1);
    for (const text of [
      String(topic),
      JSON.stringify(topic),
      inspect(topic, { showHidden: true, depth: 5 }),
      inspect([topic]),
      String(partial),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
    expect(String(partial)).toBe('chat_moderator_actions.1.<channelId>');
  });

  it('round-trip through parseTopicString for any numeric ids', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PUBSUB_TOPICS.values()),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 2, maxLength: 2 }),
        (definition, ids) => {
          const present = [definition.name, ...ids.slice(0, definition.params.length)].join('.');
          const parsed = parseTopicString(present);
          expect(parsed?.definition.name).toBe(definition.name);
          expect(parsed?.ids).toEqual(ids.slice(0, definition.params.length).map(String));
        },
      ),
    );
    expect(parseTopicString('whispers')).toBeUndefined();
    expect(parseTopicString('whispers.1.2')).toBeUndefined();
    expect(parseTopicString('whispers.abc')).toBeUndefined();
    expect(parseTopicString('nope.1')).toBeUndefined();
  });
});

describe('pubsubBackoffDelay', () => {
  const options = { initialMs: 1000, maxMs: 120_000, jitterMs: 1000 };
  it('starts at 1 s plus jitter, doubles, and is capped at 2 minutes', () => {
    expect(pubsubBackoffDelay(0, options, () => 0)).toBe(1000);
    expect(pubsubBackoffDelay(0, options, () => 0.999)).toBe(1999);
    expect(pubsubBackoffDelay(1, options, () => 0)).toBe(2000);
    expect(pubsubBackoffDelay(3, options, () => 0.5)).toBe(8500);
    expect(pubsubBackoffDelay(7, options, () => 0.5)).toBe(120_000);
    expect(pubsubBackoffDelay(1000, options, () => 0.999)).toBe(120_000);
  });
  it('never exceeds the cap nor goes below the envelope', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
        const d = pubsubBackoffDelay(attempt, options, () => r);
        expect(d).toBeLessThanOrEqual(120_000);
        expect(d).toBeGreaterThanOrEqual(Math.min(120_000, 1000 * 2 ** Math.min(attempt, 30)));
      }),
    );
  });
});
