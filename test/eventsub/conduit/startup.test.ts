/**
 * AutoClient start-up against the emulator: conduit adopt / create / errors, Twitch's order (conduit, transports,
 * subscriptions), chunked assignment with injected per-shard failures, shards that cannot connect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import {
  AutoClient,
  ConduitSelectionError,
  ShardError,
  type AutoClientOptions,
  type SubscriptionInput,
} from '../../../src/eventsub/conduit/index.js';
import type { ReadyInfo, ShardReadyInfo } from '../../../src/eventsub/client.js';
import { BROADCASTER, Harness, streamOnline } from './helpers.js';
import { createConduit } from '../../support/emulator.js';
import { until } from '../../support/until.js';

const h = new Harness();
afterEach(() => h.close());

/** A `fetch` that records `METHOD path` of every Helix call and lets a test rewrite requests. */
function recordingFetch(log: string[], rewrite?: (method: string, path: string, body: string) => string) {
  return async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const method = init.method ?? 'GET';
    log.push(`${method} ${url.pathname.replace(/^\/helix/, '')}`);
    const next: RequestInit = { ...init };
    if (rewrite !== undefined && typeof init.body === 'string')
      next.body = rewrite(method, url.pathname, init.body);
    return fetch(input, next);
  };
}

function collect(client: AutoClient) {
  const errors: Error[] = [];
  const ready: ShardReadyInfo[] = [];
  let info: ReadyInfo | undefined;
  client.on('error', (error) => {
    errors.push(error);
  });
  client.on('shardReady', (r) => {
    ready.push(r);
  });
  client.on('ready', (i) => {
    info = i;
  });
  return { errors, ready, info: () => info };
}

describe('conduit selection', () => {
  it('adopts the only existing conduit and serves all its shards, without subscribing', async () => {
    const emu = await h.start();
    const id = await createConduit(emu, 3);
    const client = h.client({ subscriptions: streamOnline(emu, 2) });
    const log = collect(client);
    await client.start();
    expect(client.conduitInfo.id).toBe(id);
    expect(client.conduitInfo.shardCount).toBe(3);
    expect([...client.conduitInfo.websockets.keys()]).toEqual(['0', '1', '2']);
    expect(log.info()).toMatchObject({
      createdConduit: false,
      readyShards: ['0', '1', '2'],
      subscriptions: null,
    });
    const conduit = emu.state().conduits.find((c) => c.id === id);
    expect(conduit?.enabled_shards).toBe(3);
    // Adopted conduits keep their subscriptions: only conduit.shard.disabled was created.
    expect(emu.state().subscriptions.map((s) => s.type)).toEqual(['conduit.shard.disabled']);
  });

  it('subscribes on an adopted conduit with forceSubscribe (409s are not failures)', async () => {
    const emu = await h.start();
    await createConduit(emu, 1);
    const subs = streamOnline(emu, 2);
    const first = h.client({ subscriptions: subs, forceSubscribe: true });
    await first.start();
    await first.close();
    const second = h.client({ subscriptions: subs, forceSubscribe: true });
    const log = collect(second);
    await second.start();
    const payload = log.info()?.subscriptions;
    expect(payload?.success).toHaveLength(0);
    expect(payload?.existing).toHaveLength(2);
    expect(payload?.errors).toHaveLength(0);
    expect(log.errors).toEqual([]);
  });

  it("creates a conduit when there is none, and always with 'create'", async () => {
    const emu = await h.start();
    const a = h.client({ subscriptions: streamOnline(emu, 25), maxPerShard: 10, watchShardDisabled: false });
    const log = collect(a);
    await a.start();
    expect(log.info()?.createdConduit).toBe(true);
    expect(a.conduitInfo.shardCount).toBe(3); // max(2, ceil(25 / 10))
    expect(log.info()?.subscriptions?.success).toHaveLength(25);
    const b = h.client({ conduitId: 'create', shardIds: [0] });
    await b.start();
    expect(b.conduitInfo.id).not.toBe(a.conduitInfo.id);
    expect(b.conduitInfo.shardCount).toBe(1);
    expect(emu.state().conduits).toHaveLength(2);
  });

  it('adopts a conduit by id and fails clearly on an unknown id or several conduits', async () => {
    const emu = await h.start();
    const one = await createConduit(emu, 1);
    const two = await createConduit(emu, 1);
    const byId = h.client({ conduitId: two });
    await byId.start();
    expect(byId.conduitInfo.id).toBe(two);

    const ambiguous = h.client();
    const error = await ambiguous.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConduitSelectionError);
    expect(error).toMatchObject({ code: 'CONDUIT_AMBIGUOUS' });
    expect((error as ConduitSelectionError).conduitIds).toEqual(expect.arrayContaining([one, two]));
    expect(ambiguous.state).toBe('closed');

    const unknown = h.client({ conduitId: 'nope' });
    await expect(unknown.start()).rejects.toMatchObject({ code: 'CONDUIT_NOT_FOUND' });
  });

  it('refuses shardIds beyond the conduit unless forceScale, which grows it', async () => {
    const emu = await h.start();
    const id = await createConduit(emu, 2);
    await expect(h.client({ shardIds: [3] }).start()).rejects.toBeInstanceOf(InvalidArgumentError);
    const client = h.client({ shardIds: [2, 3], forceScale: true });
    await client.start();
    expect(client.conduitInfo.shardCount).toBe(4);
    expect(emu.state().conduits.find((c) => c.id === id)?.shard_count).toBe(4);
    expect([...client.conduitInfo.websockets.keys()]).toEqual(['2', '3']);
  });

  it('rejects bad options at construction', async () => {
    const emu = await h.start();
    const base = emu.clientOptions() as AutoClientOptions;
    expect(() => new AutoClient({ ...base, conduitId: '' })).toThrow(InvalidArgumentError);
    expect(() => new AutoClient({ ...base, shardIds: [] })).toThrow(InvalidArgumentError);
    expect(() => new AutoClient({ ...base, shardIds: [-1] })).toThrow(InvalidArgumentError);
    expect(() => new AutoClient({ ...base, keepaliveTimeoutSeconds: 5 })).toThrow(InvalidArgumentError);
    expect(() => new AutoClient({ ...base, eventSubWsUrl: 'http://x' })).toThrow(InvalidArgumentError);
    expect(() => new AutoClient({ ...base, assignChunkSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => new AutoClient({ clientId: base.clientId })).toThrow(InvalidArgumentError);
    const bad = [
      { type: 'stream.online', version: '1', condition: { nope: '1' } },
    ] as unknown as readonly SubscriptionInput[];
    expect(() => new AutoClient({ ...base, subscriptions: bad })).toThrow(
      expect.objectContaining({ field: 'subscriptions[0].condition.nope' }) as Error,
    );
  });

  it('never puts the client secret in inspect output or errors', async () => {
    const emu = await h.start();
    const client = h.client({ conduitId: 'missing' });
    const error = await client.start().catch((e: unknown) => e);
    const { inspect } = await import('node:util');
    expect(inspect(client, { depth: 5 })).not.toContain(emu.clientSecret);
    expect(inspect(error, { depth: 5 })).not.toContain(emu.clientSecret);
  });
});

describe('start-up order and assignment', () => {
  it('creates the conduit, then binds connected transports, then subscribes', async () => {
    const emu = await h.start();
    const calls: string[] = [];
    let openAtPatch = -1;
    const client = h.client({
      subscriptions: streamOnline(emu, 2),
      fetch: recordingFetch(calls, (method, _path, body) => {
        if (method === 'PATCH')
          openAtPatch = emu.state().sessions.filter((s) => s.status === 'connected').length;
        return body;
      }),
    });
    await client.start();
    const helix = calls.filter((c) => !c.includes('/oauth2/'));
    expect(helix).toEqual([
      'GET /eventsub/conduits',
      'POST /eventsub/conduits',
      'PATCH /eventsub/conduits/shards',
      'POST /eventsub/subscriptions',
      'POST /eventsub/subscriptions',
      'POST /eventsub/subscriptions', // conduit.shard.disabled
    ]);
    expect(openAtPatch).toBe(2); // both shard sockets were welcomed before they were assigned
  });

  it('assigns in chunks and retries the shards Twitch refused (errors[]) until all are enabled', async () => {
    const emu = await h.start();
    await createConduit(emu, 6);
    const calls: string[] = [];
    const patched: number[] = [];
    let sabotaged = 0;
    const client = h.client({
      assignChunkSize: 2,
      connectConcurrency: 6,
      fetch: recordingFetch(calls, (method, path, body) => {
        if (method !== 'PATCH' || !path.endsWith('/shards')) return body;
        const parsed = JSON.parse(body) as { shards: { id: string; transport: { session_id: string } }[] };
        patched.push(parsed.shards.length);
        // Shards 1 and 4 get an unknown session id on their first two attempts: Twitch puts them in errors[].
        for (const shard of parsed.shards) {
          if ((shard.id === '1' || shard.id === '4') && sabotaged < 4) {
            sabotaged++;
            shard.transport.session_id = 'not-a-session';
          }
        }
        return JSON.stringify(parsed);
      }),
    });
    const log = collect(client);
    await client.start();
    expect(Math.max(...patched)).toBeLessThanOrEqual(2);
    await until(() => new Set(log.ready.map((r) => r.shardId)).size === 6, {
      what: 'all shards ready',
      timeoutMs: 5000,
    });
    const failures = log.errors.filter((e): e is ShardError => e instanceof ShardError);
    expect(failures.length).toBe(4);
    expect(new Set(failures.map((e) => e.shardId))).toEqual(new Set(['1', '4']));
    expect(failures.every((e) => e.code === 'SHARD_ASSIGN_FAILED')).toBe(true);
    expect(emu.state().conduits[0]?.enabled_shards).toBe(6);
    const state = emu.state();
    const sessions = new Set([...client.conduitInfo.websockets.values()].map((s) => s.sessionId));
    expect(
      state.conduits[0]?.shards.every(
        (s) => s.transport.method === 'websocket' && sessions.has(s.transport.session_id),
      ),
    ).toBe(true);
  });

  it('assigns welcomed shards within assignFlushMs on a slow bring-up, before the bind deadline (no 4003)', async () => {
    // One shard connecting at a time and a chunk larger than the shard count: without the flush timer nothing is
    // bound until every shard is welcomed. With it, the first shards are bound while the last ones still connect.
    const emu = await h.start({ unusedTimeoutMs: 2000 });
    const ids = Array.from({ length: 60 }, (_, i) => i);
    const client = h.client({ conduitId: 'create', shardIds: ids, connectConcurrency: 1, assignFlushMs: 1 });
    const codes: number[] = [];
    client.on('shardDisconnected', (info) => {
      codes.push(info.code);
    });
    let lastWelcomedAtFirstReady: boolean | undefined;
    client.once('shardReady', () => {
      lastWelcomedAtFirstReady = client.conduitInfo.websockets.get('59')?.sessionId != null;
    });
    const log = collect(client);
    await client.start();
    await until(() => new Set(log.ready.map((r) => r.shardId)).size === ids.length, {
      what: 'all shards ready',
      timeoutMs: 5000,
    });
    expect(lastWelcomedAtFirstReady).toBe(false);
    expect(codes).toEqual([]);
    expect(emu.state().conduits[0]?.enabled_shards).toBe(ids.length);
  });

  it('does not hang when shards cannot connect: it reports them and retries in the background', async () => {
    const emu = await h.start();
    await createConduit(emu, 2);
    // A port where nothing listens.
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    const client = h.client({
      eventSubWsUrl: `ws://127.0.0.1:${port}/ws`,
      shardRetry: { initialMs: 20, maxMs: 40 },
    });
    const log = collect(client);
    await client.start();
    expect(log.info()?.readyShards).toEqual([]);
    expect(log.info()?.failedShards).toEqual(['0', '1']);
    await until(() => log.errors.filter((e) => e instanceof ShardError).length >= 4, {
      what: 'retries',
      timeoutMs: 5000,
    });
    expect(log.errors.every((e) => e instanceof ShardError && e.code === 'SHARD_CONNECT_FAILED')).toBe(true);
  });

  it('close() ends everything, is idempotent, and later calls fail cleanly', async () => {
    const emu = await h.start();
    const client = h.client({ subscriptions: streamOnline(emu, 1) });
    await client.start();
    await Promise.all([client.close(), client.close()]);
    expect(client.state).toBe('closed');
    await until(() => emu.state().sessions.every((s) => s.status === 'closed'), {
      what: 'sessions closed',
      timeoutMs: 5000,
    });
    await expect(client.start()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });

  it('start() rejects with CLIENT_CLOSED when close() comes during start-up, and no ready is emitted', async () => {
    const emu = await h.start();
    const client = h.client({ conduitId: 'create', shardIds: [0, 1] });
    const log = collect(client);
    // Closed from inside start-up (its first shard just became ready, `ready` not emitted yet), whatever the speed
    // of the machine: polling for a start-up stage from outside could arrive after the end of start-up.
    let closing: Promise<void> | undefined;
    client.once('shardReady', () => {
      closing = client.close();
    });
    const starting = client.start().then(
      () => 'resolved',
      (e: unknown) => (e as { code?: string }).code,
    );
    expect(await starting).toBe('CLIENT_CLOSED');
    await closing;
    expect(emu.state().conduits).toHaveLength(1);
    expect(log.info()).toBeUndefined();
    expect(client.state).toBe('closed');
  });

  it('closes when its AbortSignal aborts', async () => {
    const emu = await h.start();
    const controller = new AbortController();
    const client = h.client({ signal: controller.signal, subscriptions: streamOnline(emu, 1) });
    await client.start();
    controller.abort();
    await until(() => client.state === 'closed', { what: 'closed', timeoutMs: 5000 });
    expect(emu.state().counters.sessions_opened).toBe(2);
  });

  it('delivers typed events and the generic notification after start', async () => {
    const emu = await h.start();
    emu.mintUserToken({ userId: BROADCASTER, scopes: [] });
    const client = h.client({
      subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: BROADCASTER } }],
    });
    const typed: string[] = [];
    const generic: string[] = [];
    client.on('stream.online', (event, notification) => {
      typed.push(`${event.broadcaster.id}:${notification.messageId}`);
    });
    client.on('notification', (n, shardId) => {
      generic.push(`${n.type}@${shardId}`);
    });
    await client.start();
    expect(
      emu.trigger({ type: 'stream.online', condition: { broadcaster_user_id: BROADCASTER } }).delivered,
    ).toBe(1);
    await until(() => typed.length === 1 && generic.length === 1);
    expect(typed[0]).toMatch(new RegExp(`^${BROADCASTER}:`));
    expect(generic[0]).toMatch(/^stream\.online@[01]$/);
  });
});
