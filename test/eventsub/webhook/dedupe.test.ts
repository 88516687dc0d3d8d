/**
 * The receiver's dedupe over its whole replay window, on an injected clock, over real sockets where a request
 * matters (the bulk of other ids goes through `process()`, the same path after the socket): a redelivery is never
 * dispatched twice however many other ids came in between, a full store refuses with a 503 (Twitch delivers
 * again) and reports it once, and a store that answers with a promise is waited for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import {
  MemoryDedupeStore,
  WebhookReceiver,
  type DedupeStore,
  type DedupeVerdict,
  type WebhookReceiverOptions,
  type WebhookRejection,
} from '../../../src/eventsub/webhook/index.js';
import { SECRET, onlineBody, post, signedHeaders } from './helpers.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';

const MINUTE = 60_000;
const receivers: WebhookReceiver[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function start(options: Partial<WebhookReceiverOptions> = {}) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const receiver = new WebhookReceiver({ secret: SECRET, clock, ...options });
  receivers.push(receiver);
  const dispatched: string[] = [];
  const rejected: WebhookRejection[] = [];
  /** Codes of the errors emitted. */
  const errors: unknown[] = [];
  let duplicates = 0;
  receiver.on('message', (m) => dispatched.push(m.messageId));
  receiver.on('rejected', (r) => rejected.push(r));
  receiver.on('duplicate', () => duplicates++);
  receiver.on('error', (e) => errors.push((e as { code?: unknown }).code));
  const listener = await receiver.listen();
  return {
    clock,
    receiver,
    dispatched,
    rejected,
    errors,
    duplicates: () => duplicates,
    url: `${listener.url}/eventsub`,
    /** Signed headers of message `id`, stamped now (or at `timestamp`). */
    signed: (id: string, body: string, timestamp = clock.now()) =>
      signedHeaders(body, { id, timestamp: new Date(timestamp).toISOString() }),
  };
}

describe('WebhookReceiver dedupe window', () => {
  // 15 s: 10,001 signed messages through the receiver, by design (a bound of 10,000 must be passed).
  it('does not dispatch a signed redelivery 10 minutes later, after 10,001 other ids (204, duplicate)', async () => {
    const r = await start();
    const body = onlineBody();
    const sentAt = r.clock.now();
    const first = r.signed('the-message', body, sentAt);
    expect((await post(r.url, first, body)).status).toBe(204);
    // 10,001 other notifications over the next ten minutes (about 17 a second: the old 10,000-id cache overflowed).
    const others = 10_001;
    for (let i = 0; i < others; i++) {
      if (i % 1000 === 999) r.clock.advance(MINUTE - 1000);
      const out = r.receiver.process({ headers: r.signed(`other-${i}`, body), rawBody: body });
      expect(out.status).toBe(204);
    }
    r.clock.advance(10 * MINUTE - (r.clock.now() - sentAt) - 1); // 10 minutes after it was sent, less 1 ms
    const again = await post(r.url, { ...first, 'Twitch-Eventsub-Message-Retry': '1' }, body);
    expect(again.status).toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.dispatched.filter((id) => id === 'the-message')).toHaveLength(1);
    expect(r.dispatched).toHaveLength(1 + others);
    expect(r.duplicates()).toBe(1);
  }, 15_000);

  it('at the memory bound answers 503 (dedupe_refused) to a new id, reports it once, forgets no held id', async () => {
    const r = await start({ dedupe: { maxEntries: 2 } });
    const body = onlineBody();
    for (const id of ['a', 'b']) expect((await post(r.url, r.signed(id, body), body)).status).toBe(204);
    const refused = await post(r.url, r.signed('c', body), body);
    expect(refused.status).toBe(503);
    expect(refused.body).toBe('dedupe_refused');
    expect((await post(r.url, r.signed('d', body), body)).status).toBe(503);
    // Held ids are still duplicates (never forgotten to make room).
    expect((await post(r.url, r.signed('a', body), body)).status).toBe(204);
    expect(r.duplicates()).toBe(1);
    expect(r.dispatched).toEqual(['a', 'b']);
    expect(r.rejected.map((x) => [x.reason, x.status])).toEqual([
      ['dedupe_refused', 503],
      ['dedupe_refused', 503],
    ]);
    expect(r.errors).toEqual(['DEDUPE_FULL']);

    // Once the window (10 min + 1 min skew) has passed, the old ids leave (on the next call) and 'c' goes in.
    r.clock.advance(14 * MINUTE);
    expect((await post(r.url, r.signed('c', body), body)).status).toBe(204);
    expect(r.dispatched).toEqual(['a', 'b', 'c']);
    expect((JSON.parse(JSON.stringify(r.receiver)) as { dedupeSize: number }).dedupeSize).toBe(1);
  });

  it('waits for a store that answers with a promise: handle(), processAsync(); process() answers 503 once', async () => {
    const held = new Set<string>();
    const store: DedupeStore = {
      windowMs: 11 * MINUTE,
      add: async (id): Promise<DedupeVerdict> => {
        await new Promise((resolve) => setImmediate(resolve));
        if (held.has(id)) return 'duplicate';
        held.add(id);
        return 'new';
      },
      has: (id) => Promise.resolve(held.has(id)),
    };
    const r = await start({ dedupe: store });
    const body = onlineBody();
    expect((await post(r.url, r.signed('x', body), body)).status).toBe(204);
    expect((await post(r.url, r.signed('x', body), body)).status).toBe(204);
    expect((await r.receiver.processAsync({ headers: r.signed('y', body), rawBody: body })).status).toBe(204);
    expect((await r.receiver.processAsync({ headers: r.signed('y', body), rawBody: body })).status).toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.dispatched).toEqual(['x', 'y']);
    expect(r.duplicates()).toBe(2);

    // process() cannot wait: 503 (Twitch retries), the message is dispatched once its verdict comes.
    expect(r.receiver.process({ headers: r.signed('z', body), rawBody: body }).status).toBe(503);
    expect(r.receiver.process({ headers: r.signed('w', body), rawBody: body }).status).toBe(503);
    await until(() => r.dispatched.length === 4, 'z and w dispatched once their verdicts came');
    expect(r.dispatched).toEqual(['x', 'y', 'z', 'w']);
    expect(r.errors).toEqual(['DEDUPE_STORE_ASYNC']);
    // Twitch's retry finds a duplicate: 204, nothing dispatched twice.
    expect((await post(r.url, r.signed('z', body), body)).status).toBe(204);
    expect(r.dispatched).toEqual(['x', 'y', 'z', 'w']);
  });

  it('refuses a store whose window is shorter than the replay window (maxAgeMs + maxFutureSkewMs)', () => {
    const short = new MemoryDedupeStore({ windowMs: 10 * MINUTE });
    expect(() => new WebhookReceiver({ secret: SECRET, dedupe: short })).toThrow(InvalidArgumentError);
    expect(() => new WebhookReceiver({ secret: SECRET, dedupe: { windowMs: 10 * MINUTE } })).toThrow(
      /dedupe.windowMs must be at least 660000/,
    );
    const fits = new WebhookReceiver({ secret: SECRET, dedupe: short, maxAgeMs: 9 * MINUTE });
    expect(fits.dedupe).toBe(short);
  });
});
