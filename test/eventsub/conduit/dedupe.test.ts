/**
 * The store every shard of an AutoClient shares (WebSocket and webhook shards alike): it keeps ids for the whole
 * window, not for a count, and refuses (503, `DEDUPE_FULL` on `error`) rather than forgets. Driven through the
 * client's own webhook receiver on an injected clock: the first delivery and the redelivery over real sockets, the
 * bulk of other ids through `process()` (the same path after the socket).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AutoClient, type AutoClientOptions } from '../../../src/eventsub/conduit/index.js';
import { MemoryDedupeStore } from '../../../src/eventsub/websocket/dedupe.js';
import { onlineBody, post, signedHeaders } from '../webhook/helpers.js';
import { FakeClock } from '../../support/clock.js';

const SECRET = 'conduit-dedupe-secret-1';
const MINUTE = 60_000;
const clients: AutoClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function webhookClient(options: Partial<AutoClientOptions> = {}) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const client = new AutoClient({
    clientId: 'dedupe-test-client',
    clientSecret: 'dedupe-test-secret',
    helixUrl: 'http://127.0.0.1:9/helix', // never called: the client is not started
    // Sessions and the receiver read message time from this clock.
    session: { clock },
    webhook: { callback: 'https://example.com/eventsub', secret: SECRET },
    ...options,
  });
  clients.push(client);
  const receiver = client.webhookReceiver;
  if (receiver === null) throw new Error('no receiver');
  const listener = await receiver.listen();
  const seen = new Map<string, number>();
  /** Codes of the errors emitted. */
  const errors: unknown[] = [];
  client.on('notification', (n) => seen.set(n.messageId, (seen.get(n.messageId) ?? 0) + 1));
  client.on('error', (e) => errors.push((e as { code?: unknown }).code));
  const signed = (id: string, body: string, timestamp = clock.now()) =>
    signedHeaders(body, { id, timestamp: new Date(timestamp).toISOString(), secret: SECRET });
  return { client, receiver, clock, seen, errors, signed, url: `${listener.url}/eventsub/0` };
}

describe('AutoClient shared dedupe store', () => {
  // 30 s: 100,001 signed webhook deliveries through the receiver, by design (a bound of 100,000 must be passed).
  it('does not dispatch a redelivery 10 minutes later, after 100,001 other ids (the old cache held 100,000)', async () => {
    const c = await webhookClient();
    const body = onlineBody();
    const sentAt = c.clock.now();
    const first = c.signed('the-message', body, sentAt);
    expect((await post(c.url, first, body)).status).toBe(204);
    const others = 100_001; // about 170 a second over ten minutes
    let accepted = 0;
    for (let i = 0; i < others; i++) {
      if (i % 10_000 === 9999) c.clock.advance(MINUTE - 1000);
      if (c.receiver.process({ headers: c.signed(`other-${i}`, body), rawBody: body }).status === 204)
        accepted++;
    }
    expect(accepted).toBe(others);
    c.clock.advance(10 * MINUTE - (c.clock.now() - sentAt) - 1);
    const again = await post(c.url, { ...first, 'Twitch-Eventsub-Message-Retry': '1' }, body);
    expect(again.status).toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.seen.get('the-message')).toBe(1);
    expect(c.seen.size).toBe(1 + others);
    expect(c.errors).toEqual([]);
  }, 30_000);

  it('at the memory bound refuses a new id with a 503 and reports DEDUPE_FULL once on the client', async () => {
    const c = await webhookClient({ dedupe: { maxEntries: 1 } });
    const body = onlineBody();
    expect((await post(c.url, c.signed('a', body), body)).status).toBe(204);
    expect((await post(c.url, c.signed('b', body), body)).status).toBe(503);
    expect((await post(c.url, c.signed('c', body), body)).status).toBe(503);
    expect((await post(c.url, c.signed('a', body), body)).status).toBe(204);
    expect([...c.seen.keys()]).toEqual(['a']);
    expect(c.errors).toEqual(['DEDUPE_FULL']);
  });

  it('shares one store between its receiver and its sessions; a given store is used as is', () => {
    const store = new MemoryDedupeStore();
    const client = new AutoClient({
      clientId: 'x',
      clientSecret: 'y',
      dedupe: store,
      webhook: { callback: 'https://example.com/eventsub', secret: SECRET },
    });
    clients.push(client);
    expect(client.webhookReceiver?.dedupe).toBe(store);
    // A longer session.maxMessageAgeMs lengthens the default window to cover it (plus 1 minute of skew).
    const long = new AutoClient({
      clientId: 'x',
      clientSecret: 'y',
      session: { maxMessageAgeMs: 20 * MINUTE },
      webhook: { callback: 'https://example.com/eventsub', secret: SECRET },
    });
    clients.push(long);
    expect(long.webhookReceiver?.dedupe.windowMs).toBe(21 * MINUTE);
    // Bad values are refused before anything is sent, naming the field.
    for (const [dedupe, field] of [
      [null, 'dedupe'],
      [{ maxEntries: -1 }, 'dedupe.maxEntries'],
      [new MemoryDedupeStore({ windowMs: 10 * MINUTE }), 'dedupe'],
    ] as const) {
      expect(() => new AutoClient({ clientId: 'x', clientSecret: 'y', dedupe: dedupe as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field }) as Error,
      );
    }
  });
});
