/**
 * Conduit webhook shards through the AutoClient, over real HTTP: the emulator's challenge reaches the client's
 * receiver (pending → enabled), events arrive exactly once through retries and duplicates, mixed with WebSocket
 * shards, verification failures are reported and healed, disabled shards are taken back, and scaling adds webhook
 * shards.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShardReadyInfo, ShardReassignedInfo } from '../../../src/eventsub/client.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { ShardError, type AutoClient } from '../../../src/eventsub/conduit/index.js';
import { WebhookReceiver } from '../../../src/eventsub/webhook/index.js';
import { HttpWebhookTransport } from '../../../src/emulator/webhook/http-transport.js';
import { Harness, streamOnline } from './helpers.js';
import { until } from '../../support/until.js';

const SECRET = 'conduit-webhook-secret-1';
const h = new Harness();
const servers: Server[] = [];

afterEach(async () => {
  await h.close();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => {
            resolve();
          });
        }),
    ),
  );
});

function startEmulator() {
  return h.start({
    allowInsecureWebhooks: true,
    webhook: { retryDelaysMs: [2, 4, 8], failureThreshold: 4, timeoutMs: 2000 },
  });
}

/**
 * A front server that hands requests to `handler` (later: the client's receiver) and can fail notifications:
 * `fail.set(path, n)` answers the next n notifications to `path` with 500.
 */
async function front(handler: () => ((req: IncomingMessage, res: ServerResponse) => void) | undefined) {
  const fail = new Map<string, number>();
  const attempts: { path: string; type: string; retry: string }[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const type = String(req.headers['twitch-eventsub-message-type']);
    attempts.push({ path, type, retry: String(req.headers['twitch-eventsub-message-retry']) });
    const left = fail.get(path) ?? 0;
    const target = handler();
    if ((type === 'notification' && left > 0) || target === undefined) {
      if (left > 0) fail.set(path, left - 1);
      req.resume();
      res.writeHead(500).end();
      return;
    }
    target(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fail, attempts };
}

function record(client: AutoClient) {
  const ready: ShardReadyInfo[] = [];
  const reassigned: ShardReassignedInfo[] = [];
  const errors: Error[] = [];
  const byShard = new Map<string, number>();
  const seen = new Map<string, number>();
  client.on('shardReady', (r) => ready.push(r));
  client.on('shardReassigned', (r) => reassigned.push(r));
  client.on('error', (e) => errors.push(e));
  client.on('stream.online', (_event, n) => {
    seen.set(n.messageId, (seen.get(n.messageId) ?? 0) + 1);
  });
  client.on('notification', (n, shardId) => {
    if (n.subscription.type === 'stream.online') byShard.set(shardId, (byShard.get(shardId) ?? 0) + 1);
  });
  return {
    ready,
    reassigned,
    errors,
    byShard,
    seen,
    total: () => [...seen.values()].reduce((a, b) => a + b, 0),
    duplicates: () => [...seen.values()].filter((n) => n > 1).length,
  };
}

describe('AutoClient webhook shards', () => {
  it('challenge round trip into the client: pending → enabled, mixed with WebSocket shards, exactly once', async () => {
    const emu = await startEmulator();
    const subs = streamOnline(emu, 24);
    const client = h.client({
      conduitId: 'create',
      shardIds: [0, 1, 2, 3],
      subscriptions: subs,
      watchShardDisabled: false,
      webhook: {
        shardIds: [2, 3],
        listen: { port: 0 },
        callback: (id) => `${client.webhookListener?.url ?? 'http://unset'}/eventsub/${id}`,
        secret: SECRET,
      },
    });
    const rec = record(client);
    const verified: string[] = [];
    client.webhookReceiver?.on('verification', (v) => {
      if (v.conduitShard !== null) verified.push(v.conduitShard.shardId);
    });
    const readyInfo = new Promise<readonly string[]>((resolve) => {
      client.once('ready', (info) => {
        resolve(info.readyShards);
      });
    });
    await client.start();
    expect(await readyInfo).toEqual(['0', '1', '2', '3']);
    expect(verified.sort()).toEqual(['2', '3']);
    expect(rec.errors).toEqual([]);
    expect(rec.ready.map((r) => [r.shardId, r.method, r.sessionId === null]).sort()).toEqual([
      ['0', 'websocket', false],
      ['1', 'websocket', false],
      ['2', 'webhook', true],
      ['3', 'webhook', true],
    ]);
    await until(() => emu.state().conduits[0]?.shards.every((s) => s.status === 'enabled') === true, {
      what: 'enabled',
      timeoutMs: 5000,
    });
    const shards = emu.state().conduits[0]?.shards ?? [];
    expect(shards.map((s) => [s.id, s.status, s.transport.method])).toEqual([
      ['0', 'enabled', 'websocket'],
      ['1', 'enabled', 'websocket'],
      ['2', 'enabled', 'webhook'],
      ['3', 'enabled', 'webhook'],
    ]);
    expect(inspect(client)).not.toContain(SECRET);

    // Every subscription fires: events come over both transports, each reaches the handlers once.
    for (const sub of subs)
      emu.trigger({ ...sub, condition: { broadcaster_user_id: sub.condition.broadcasterUserId } });
    await until(() => rec.total() >= subs.length, { what: 'all events', timeoutMs: 5000 });
    expect(rec.total()).toBe(subs.length);
    expect(rec.duplicates()).toBe(0);
    expect((rec.byShard.get('2') ?? 0) + (rec.byShard.get('3') ?? 0)).toBeGreaterThan(0);
    expect((rec.byShard.get('0') ?? 0) + (rec.byShard.get('1') ?? 0)).toBeGreaterThan(0);
    expect(rec.byShard.has('webhook')).toBe(false);
  });

  it('failed deliveries are retried by Twitch and duplicates suppressed: delivered exactly once', async () => {
    // The test holds the emulator's webhook transport, to see when every delivery has been answered.
    const transport = h.track(
      new HttpWebhookTransport({ retryDelaysMs: [2, 4, 8], failureThreshold: 4, timeoutMs: 2000 }),
    );
    const emu = await h.start({ allowInsecureWebhooks: true, webhookTransport: transport });
    const edge = await front(() => client.webhookReceiver?.handler);
    const subs = streamOnline(emu, 10);
    const client = h.client({
      conduitId: 'create',
      shardIds: [0, 1],
      subscriptions: subs,
      watchShardDisabled: false,
      webhook: { callback: `${edge.url}/hooks/`, secret: SECRET },
    });
    const rec = record(client);
    await client.start();
    expect(rec.ready.map((r) => r.method)).toEqual(['webhook', 'webhook']);
    expect(
      edge.attempts
        .filter((a) => a.type === 'webhook_callback_verification')
        .map((a) => a.path)
        .sort(),
    ).toEqual(['/hooks/0', '/hooks/1']);
    // Each shard fails its next two deliveries; every message is also sent twice.
    edge.fail.set('/hooks/0', 2);
    edge.fail.set('/hooks/1', 2);
    emu.setFaults({ duplicateRate: 0.5 });
    for (const sub of subs)
      emu.trigger({ ...sub, condition: { broadcaster_user_id: sub.condition.broadcasterUserId } });
    await until(() => rec.total() >= subs.length, { what: 'all events', timeoutMs: 5000 });
    await until(() => edge.attempts.filter((a) => a.type === 'notification').length >= subs.length + 4, {
      what: 'retries',
      timeoutMs: 5000,
    });
    // Drained: every delivery (duplicates and retries included) has been answered, so handled by the receiver.
    await until(() => transport.pending === 0, 'every webhook delivery answered');
    expect(rec.total()).toBe(subs.length);
    expect(rec.duplicates()).toBe(0);
    expect(edge.attempts.some((a) => a.type === 'notification' && a.retry !== '0')).toBe(true);
    expect(rec.errors).toEqual([]);
    expect(emu.state().conduits[0]?.shards.every((s) => s.status === 'enabled')).toBe(true);
  });

  it('a callback that never answers the challenge is reported, then healed once it routes to the receiver', async () => {
    const emu = await startEmulator();
    let routed = false;
    const edge = await front(() => (routed ? client.webhookReceiver?.handler : undefined));
    const client = h.client({
      conduitId: 'create',
      shardIds: [0],
      watchShardDisabled: false,
      shardRetry: { initialMs: 20, maxMs: 40 },
      webhook: { callback: `${edge.url}/h`, secret: SECRET, verificationTimeoutMs: 50 },
    });
    const rec = record(client);
    await client.start();
    await until(() => rec.errors.length > 0, { what: 'a verification error', timeoutMs: 5000 });
    const first = rec.errors[0];
    expect(first).toBeInstanceOf(ShardError);
    expect(first).toMatchObject({ code: 'SHARD_VERIFICATION_FAILED', shardId: '0' });
    expect(first?.message).toContain('webhook_callback_verification_failed');
    expect(rec.ready).toEqual([]);
    routed = true;
    await until(() => rec.ready.length > 0, { what: 'the shard verified', timeoutMs: 5000 });
    expect(rec.ready[0]).toMatchObject({ shardId: '0', method: 'webhook', sessionId: null });
    await until(() => emu.state().conduits[0]?.shards[0]?.status === 'enabled', {
      what: 'enabled',
      timeoutMs: 5000,
    });
  });

  it('the health check takes back a webhook shard Twitch disabled after repeated failures', async () => {
    const emu = await startEmulator();
    const edge = await front(() => client.webhookReceiver?.handler);
    const subs = streamOnline(emu, 1);
    const client = h.client({
      conduitId: 'create',
      shardIds: [0],
      subscriptions: subs,
      watchShardDisabled: false,
      webhook: { callback: `${edge.url}/h`, secret: SECRET },
    });
    const rec = record(client);
    await client.start();
    edge.fail.set('/h/0', Infinity);
    const online = { ...subs[0]!, condition: { broadcaster_user_id: subs[0]!.condition.broadcasterUserId } };
    emu.trigger(online);
    await until(() => emu.state().conduits[0]?.shards[0]?.status === 'notification_failures_exceeded', {
      what: 'the shard disabled',
      timeoutMs: 5000,
    });
    edge.fail.delete('/h/0');
    await client.reconcile();
    expect(rec.reassigned).toEqual([
      expect.objectContaining({
        shardId: '0',
        method: 'webhook',
        reason: 'disabled',
        status: 'notification_failures_exceeded',
        sessionId: null,
      }),
    ]);
    await until(() => rec.ready.some((r) => r.rebind), { what: 'the shard ready again', timeoutMs: 5000 });
    // Ready once the challenge is answered; Twitch enables the shard when it reads that answer.
    await until(() => emu.state().conduits[0]?.shards[0]?.status === 'enabled', {
      what: 'enabled',
      timeoutMs: 5000,
    });
    const before = rec.total();
    emu.trigger(online);
    await until(() => rec.total() > before, { what: 'an event after the repair', timeoutMs: 5000 });
    expect(rec.duplicates()).toBe(0);
  });

  it('scaling up adds webhook shards; scaling down forgets them', async () => {
    const emu = await startEmulator();
    const edge = await front(() => client.webhookReceiver?.handler);
    const client = h.client({
      conduitId: 'create',
      watchShardDisabled: false,
      webhook: { callback: (id) => `${edge.url}/s/${id}`, secret: SECRET },
    });
    const rec = record(client);
    await client.start();
    expect(rec.ready.map((r) => r.shardId).sort()).toEqual(['0', '1']);
    const scaled = new Promise<readonly string[]>((resolve) => {
      client.once('conduitScaled', (info) => {
        resolve(info.added);
      });
    });
    await client.conduitInfo.updateShardCount(4);
    expect(await scaled).toEqual(['2', '3']);
    expect(rec.ready.map((r) => r.shardId).sort()).toEqual(['0', '1', '2', '3']);
    await until(() => emu.state().conduits[0]?.shards.every((s) => s.status === 'enabled') === true, {
      what: 'enabled',
      timeoutMs: 5000,
    });
    expect(emu.state().conduits[0]?.shards.map((s) => [s.status, s.transport.method])).toEqual(
      Array.from({ length: 4 }, () => ['enabled', 'webhook']),
    );
    await client.conduitInfo.updateShardCount(1);
    expect(inspect(client)).toContain('shards: 1');
  });

  it('a shard whose callback cannot be made is reported, and listed as owned and failed in ready', async () => {
    const emu = await startEmulator();
    const client = h.client({
      conduitId: 'create',
      shardIds: [0, 1],
      watchShardDisabled: false,
      webhook: {
        shardIds: [1],
        callback: () => 'not a url',
        secret: SECRET,
      },
    });
    const { errors } = record(client);
    const ready: { owned: readonly string[]; failed: readonly string[] }[] = [];
    client.on('ready', (info) => ready.push({ owned: info.ownedShards, failed: info.failedShards }));
    await client.start();
    expect(ready).toEqual([{ owned: ['0', '1'], failed: ['1'] }]);
    expect(errors).toMatchObject([{ code: 'SHARD_ASSIGN_FAILED', shardId: '1' }]);
    const shards = emu.state().conduits[0]!.shards;
    expect(shards.filter((s) => s.status === 'enabled').map((s) => s.id)).toEqual(['0']);
  });

  it('refuses bad webhook options with typed errors that never show the secret', () => {
    return startEmulator().then(() => {
      const bad = (webhook: unknown, extra: object = {}) => {
        try {
          h.client({ ...extra, webhook: webhook as never });
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as Error).message).not.toContain('short');
          return (error as InvalidArgumentError).field;
        }
        throw new Error('accepted');
      };
      expect(bad({ callback: 'https://x.example/h', secret: 'short' })).toBe('webhook.secret');
      expect(bad({ callback: 'not a url', secret: SECRET })).toBe('webhook.callback');
      expect(bad({ callback: 42, secret: SECRET })).toBe('webhook.callback');
      expect(bad({ callback: 'https://x.example/h', secret: SECRET, shardIds: [-1] })).toBe(
        'webhook.shardIds[0]',
      );
      expect(
        bad({ callback: 'https://x.example/h', secret: SECRET, shardIds: [3] }, { shardIds: [0, 1] }),
      ).toBe('webhook.shardIds');
      expect(bad({ callback: 'https://x.example/h', secret: SECRET, verificationTimeoutMs: 0 })).toBe(
        'webhook.verificationTimeoutMs',
      );
      expect(bad({ callback: 'https://x.example/h', secret: SECRET, receiver: {} })).toBe('webhook.receiver');
      expect(bad({ callback: 'https://x.example/h', secret: SECRET, listen: { port: 70_000 } })).toBe(
        'webhook.listen.port',
      );
      expect(bad({ callback: 'https://x.example/h', secret: SECRET, listen: { host: 42 } })).toBe(
        'webhook.listen.host',
      );
      const ok = h.client({ webhook: { callback: 'https://x.example/h', secret: SECRET } });
      expect(ok.webhookReceiver).toBeInstanceOf(WebhookReceiver);
      expect(inspect(ok.webhookReceiver, { depth: 5 })).not.toContain(SECRET);
      expect(h.client().webhookReceiver).toBeNull();
    });
  });
});
