/**
 * RedisDedupeStore in the consumers, over real sockets: the emulator's signed webhook deliveries (with its retries)
 * reach webhook receivers of two "processes" (separate receivers, stores and Redis connections behind one front, as
 * behind a load balancer), and an AutoClient on the emulator's conduit gets every notification twice. One real
 * redis-server of the test's own.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { HelixClient } from '../../src/helix/client.js';
import { WebhookReceiver, type WebhookResponse } from '../../src/eventsub/webhook/index.js';
import { RedisDedupeStore } from '../../src/fleet/index.js';
import { callRedis } from '../../src/fleet/redis.js';
import { SECRET } from '../eventsub/webhook/helpers.js';
import { Harness, streamOnline } from '../eventsub/conduit/helpers.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let redis: TestRedis;
const h = new Harness();
const open: { close(): unknown }[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
  await h.close();
  const admin = await redis.connect();
  await callRedis(admin, ['FLUSHALL'], { timeoutMs: 5000 });
  await admin.close();
});

/** One process's receiver: its own store on its own connection. */
async function processReceiver(name: string) {
  const store = new RedisDedupeStore({ redis: await redis.connect(), fleet: 'e2e' });
  const receiver = new WebhookReceiver({ secret: SECRET, dedupe: store });
  open.push(receiver);
  const handled: string[] = [];
  let duplicates = 0;
  receiver.on('message', (m) => handled.push(`${name}:${m.messageId}`));
  receiver.on('duplicate', () => duplicates++);
  return { name, store, receiver, handled, duplicates: () => duplicates };
}

type Process = Awaited<ReturnType<typeof processReceiver>>;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/**
 * A load balancer: each request goes to `route(attempt)`'s receiver. `loseAnswerOfFirst`: the first notification's
 * 2XX is lost on the way back (the front answers 500 after the receiver dispatched it), so Twitch retries it.
 */
async function front(route: (retry: number) => Process, loseAnswerOfFirst: boolean) {
  let lost = !loseAnswerOfFirst;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const rawBody = await body(req);
      const retry = Number(req.headers['twitch-eventsub-message-retry'] ?? 0);
      const target = route(retry);
      const out: WebhookResponse = await target.receiver.processAsync({
        headers: req.headers,
        rawBody,
        path: req.url ?? '/',
      });
      if (!lost && req.headers['twitch-eventsub-message-type'] === 'notification' && out.status < 300) {
        lost = true;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(out.status, out.headers).end(out.body);
    })();
  });
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

async function webhookEmulator(): Promise<{ emu: Emulator; helix: HelixClient }> {
  const emu = await h.start({
    allowInsecureWebhooks: true,
    webhook: { retryDelaysMs: [5, 10], failureThreshold: 3, timeoutMs: 2000 },
  });
  const o = emu.clientOptions();
  const helix = new HelixClient({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    helixUrl: o.helixUrl,
    oauthUrl: o.oauthUrl,
  });
  open.push(helix);
  emu.mintUserToken({ userId: '100', scopes: [] });
  return { emu, helix };
}

async function subscribe(emu: Emulator, helix: HelixClient, url: string): Promise<void> {
  const created = await helix.eventSub.createSubscription({
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: '100' },
    transport: { method: 'webhook', callback: `${url}/hook`, secret: SECRET },
  });
  const id = created.subscription.id;
  await until(() => emu.state().subscriptions.find((s) => s.id === id)?.status === 'enabled', 'enabled');
}

const online = { type: 'stream.online', version: '1', condition: { broadcaster_user_id: '100' } } as const;

describe('RedisDedupeStore behind webhook receivers of two processes', () => {
  it('a retry that reaches the other process is a duplicate there: handled once fleet-wide', async () => {
    const { emu, helix } = await webhookEmulator();
    const a = await processReceiver('a');
    const b = await processReceiver('b');
    const url = await front((retry) => (retry === 0 ? a : b), true);
    await subscribe(emu, helix, url);
    expect(emu.trigger(online).delivered).toBe(1);
    await until(() => b.duplicates() === 1, 'the retry judged on b');
    expect(a.handled).toHaveLength(1);
    expect(b.handled).toEqual([]);
    expect(b.store.stats).toMatchObject({ redisDuplicates: 1, localDuplicates: 0 });
  });

  it('a retry that reaches a restarted process (an empty local cache) is still a duplicate: Redis remembers', async () => {
    const { emu, helix } = await webhookEmulator();
    const a = await processReceiver('a');
    // The same process after a restart: same fleet, a new store with an empty local cache.
    const restarted = await processReceiver('a-restarted');
    const url = await front((retry) => (retry === 0 ? a : restarted), true);
    await subscribe(emu, helix, url);
    expect(emu.trigger(online).delivered).toBe(1);
    await until(() => restarted.duplicates() === 1, 'the retry judged on the restarted process');
    expect(a.handled).toHaveLength(1);
    expect(restarted.handled).toEqual([]);
  });
});

describe('RedisDedupeStore as the AutoClient dedupe option', () => {
  it('every notification delivered twice on the conduit is handled once, in batches', async () => {
    const emu = await h.start();
    const subs = streamOnline(emu, 20);
    const store = new RedisDedupeStore({ redis: await redis.connect(), fleet: 'e2e' });
    const client = h.client({ conduitId: 'create', shardIds: [0, 1], subscriptions: subs, dedupe: store });
    const seen = new Map<string, number>();
    client.on('stream.online', (_event, n) => {
      seen.set(n.messageId, (seen.get(n.messageId) ?? 0) + 1);
    });
    await client.start();
    emu.setFaults({ duplicateRate: 1 });
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 20; i++) {
        sent += emu.trigger({ ...online, condition: { broadcaster_user_id: String(1000 + i) } }).delivered;
      }
    }
    expect(sent).toBe(100);
    await until(() => emu.state().counters.duplicates_sent === 100 && seen.size === 100, 'all delivered');
    await until(() => store.stats.localDuplicates + store.stats.redisDuplicates === 100, 'copies judged');
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(store.stats.checked - store.stats.redisDuplicates).toBe(100);
    // Triggered in one turn: far fewer round trips than ids.
    expect(store.stats.roundTrips).toBeLessThan(store.stats.checked / 4);
  });
});
