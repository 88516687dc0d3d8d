/**
 * The receiver's time-dependent rules with an injected clock: replay window, future skew, and the dedupe window
 * covering the whole replay window (a redelivery can never slip through after its id is forgotten).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { WebhookReceiver, type WebhookReceiverOptions } from '../../../src/eventsub/webhook/index.js';
import { SECRET, onlineBody, signedHeaders } from './helpers.js';
import { FakeClock } from '../../support/clock.js';

describe('WebhookReceiver with an injected clock', () => {
  it('accepts inside the replay window, rejects outside, and dedupes for as long as a replay is accepted', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const receiver = new WebhookReceiver({ secret: SECRET, clock });
    const ids: string[] = [];
    receiver.on('message', (m) => ids.push(m.messageId));
    const body = onlineBody();
    const at = (ms: number): string => new Date(ms).toISOString();
    const t0 = clock.now();
    const first = signedHeaders(body, { id: 'a', timestamp: at(t0) });
    expect(receiver.process({ headers: first, rawBody: body }).status).toBe(204);

    // 9 minutes later the same message is still inside the window: answered 2XX, not dispatched.
    clock.advance(9 * 60_000);
    expect(receiver.process({ headers: first, rawBody: body }).status).toBe(204);
    // 10 minutes and 1 ms after its timestamp it is a replay: refused, whatever the cache holds.
    clock.advance(60_001);
    expect(receiver.process({ headers: first, rawBody: body }).status).toBe(403);

    // A timestamp 59 s ahead is tolerated skew; 61 s ahead is refused.
    const now = clock.now();
    expect(
      receiver.process({
        headers: signedHeaders(body, { id: 'b', timestamp: at(now + 59_000) }),
        rawBody: body,
      }).status,
    ).toBe(204);
    expect(
      receiver.process({
        headers: signedHeaders(body, { id: 'c', timestamp: at(now + 61_000) }),
        rawBody: body,
      }).status,
    ).toBe(403);
    // The skewed message 'b' is still remembered when its own window ends (10 min after its future timestamp).
    clock.advance(59_000 + 10 * 60_000);
    expect(
      receiver.process({
        headers: signedHeaders(body, { id: 'b', timestamp: at(now + 59_000) }),
        rawBody: body,
      }).status,
    ).toBe(204);
    await Promise.resolve();
    expect(ids).toEqual(['a', 'b']);
    await receiver.close();
  });

  it('refuses invalid options with typed errors', () => {
    expect(() => new WebhookReceiver({ secret: SECRET, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => new WebhookReceiver({})).toThrow(/secret/);
    expect(() => new WebhookReceiver({ secret: 'short' })).toThrow(/secret/);
  });

  it.each([
    ['maxBodyBytes', 0.5],
    ['maxBodyBytes', 1024.5],
    ['bodyTimeoutMs', 0.5],
    ['maxAgeMs', 0.5],
    ['maxFutureSkewMs', 0.5],
    ['maxFutureSkewMs', Number.POSITIVE_INFINITY],
    ['maxAgeMs', Number.NaN],
    ['bodyTimeoutMs', -1],
  ] as const)(
    'refuses %s = %d (never rounds it) with an InvalidArgumentError naming the field',
    (field, value) => {
      const options: WebhookReceiverOptions = { secret: SECRET, [field]: value };
      let thrown: unknown;
      try {
        new WebhookReceiver(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidArgumentError);
      expect((thrown as InvalidArgumentError).field).toBe(field);
      expect((thrown as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
      // A positive integer, whatever the wording: `<field> must be a positive integer` or `a whole number of ms`.
      expect((thrown as Error).message).toMatch(
        new RegExp(`^${field} must be a (positive integer|whole number)`),
      );
    },
  );
});
