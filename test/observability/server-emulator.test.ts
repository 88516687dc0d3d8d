/**
 * The observability server with real AutoClients against the emulator, over real sockets: `/metrics` of two
 * AutoClients (and their Helix clients) parsed strictly, a shard dropped in the emulator seen in the next tick, the
 * dashboard's controls carried out by the emulator, and the AutoClient's `observability` option (started by
 * `start()`, closed by `close()`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AutoClient } from '../../src/eventsub/conduit/auto-client.js';
import type { DashboardSnapshot, DashboardTick } from '../../src/observability/dashboard-protocol.js';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/server.js';
import { TestClock } from '../../src/testing/clock.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { until } from '../support/until.js';
import { parsePrometheus } from './prometheus-parser.js';
import { http, SseReader } from './server-support.js';

let twitch: TestTwitch | undefined;
let server: ObservabilityServer | undefined;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await server?.close();
  server = undefined;
  await twitch?.close();
  twitch = undefined;
});

async function followClient(
  t: TestTwitch,
  extra: Parameters<TestTwitch['autoClient']>[0] = {},
): Promise<AutoClient> {
  const { broadcaster, moderator } = t.users;
  const condition = { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id };
  const client = t.autoClient({
    conduitId: 'create',
    subscriptions: [{ type: 'channel.follow', version: '2', condition }],
    ...extra,
  });
  client.on('error', () => undefined);
  await client.start();
  return client;
}

function sessionOf(client: AutoClient, shardId = '0'): string | null {
  return client.view().conduit?.shards.find((s) => s.id === shardId)?.sessionId ?? null;
}

function post(url: string, body: unknown): ReturnType<typeof http> {
  return http(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('with AutoClients', () => {
  it('merges two AutoClients and their Helix clients into one valid exposition', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const a = await followClient(t);
    const b = await followClient(t);
    let follows = 0;
    a.on('channel.follow', () => follows++);
    b.on('channel.follow', () => follows++);
    t.emulator.trigger('channel.follow', '2', { event: { userName: 'x' } });
    await until(() => follows === 2, 'both clients got the follow');
    server = await startObservabilityServer({ sources: [a, a.helix, b, b.helix], port: 0 });
    const families = parsePrometheus((await http(server.metricsUrl)).body);
    const events = families.get('twitch_realtime_eventsub_notifications_total');
    expect(events?.samples.map((s) => [s.labels.source, s.labels.type, s.value])).toEqual([
      ['0', 'channel.follow', 1],
      ['2', 'channel.follow', 1],
    ]);
    const requests = families.get('twitch_realtime_helix_requests_total');
    expect(new Set(requests?.samples.map((s) => s.labels.source))).toEqual(new Set(['1', '3']));
    const shards = families.get('twitch_realtime_shards');
    expect(
      shards?.samples.filter((s) => s.labels.state === 'ready').map((s) => [s.labels.source, s.value]),
    ).toEqual([
      ['0', a.view().conduit?.shardCount],
      ['2', b.view().conduit?.shardCount],
    ]);
  });

  it('shows a shard dropped in the emulator in the next tick, with its new session', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const client = await followClient(t);
    const clock = new TestClock();
    server = await startObservabilityServer({ sources: [client, client.helix], port: 0, clock });
    const reader = new SseReader(`http://127.0.0.1:${server.port}/api/stream`);
    readers.push(reader);
    const snapshot = await reader.nth<DashboardSnapshot>('snapshot', 1);
    const before = snapshot.conduit?.shards[0];
    expect(before).toMatchObject({ id: '0', state: 'ready', owned: true, transport: 'websocket' });
    expect(before?.sessionId).toBe(sessionOf(client));
    expect(snapshot.sources.map((s) => s.kind)).toEqual(['AutoClient', 'HelixClient']);

    clock.advance(1000);
    expect((await reader.nth<DashboardTick>('tick', 1)).shards).toEqual([]);

    t.emulator.script.dropConnection(before?.sessionId ?? '');
    await until(() => {
      const s = client.view().conduit?.shards[0];
      return s?.state === 'ready' && s.sessionId !== before?.sessionId;
    }, 'the shard bound again with a new session');
    clock.advance(1000);
    const tick = await reader.nth<DashboardTick>('tick', 2);
    expect(tick.shards).toHaveLength(1);
    expect(tick.shards[0]).toMatchObject({ id: '0', state: 'ready', sessionId: sessionOf(client) });
    expect(tick.shards[0]?.disconnectedAt).not.toBeNull();
    expect(tick.rates.reconnects).toBe(1);
  });
});

describe('emulator controls', () => {
  it('forwards drop, stall and trigger to the emulator', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const client = await followClient(t);
    server = await startObservabilityServer({ sources: [client], port: 0, emulator: t.emulator.baseUrl });
    const api = `http://127.0.0.1:${server.port}/api`;
    const snapshot = JSON.parse((await http(`${api}/snapshot`)).body) as DashboardSnapshot;
    expect(snapshot.emulator).toBe(true);
    expect(snapshot.triggerTypes).toContainEqual({ type: 'channel.follow', version: '2' });

    const first = sessionOf(client);
    expect(await post(`${api}/emulator/shards/0/drop`, {})).toMatchObject({
      status: 200,
      body: '{"ok":true}',
    });
    const dropped = t.emulator.state().sessions.find((s) => s.id === first);
    expect(dropped?.status).not.toBe('connected');
    await until(() => sessionOf(client) !== first && client.view().conduit?.shards[0]?.state === 'ready');

    const second = sessionOf(client);
    expect((await post(`${api}/emulator/shards/0/stall`, {})).status).toBe(200);
    expect(t.emulator.state().sessions.find((s) => s.id === second)?.keepalive_enabled).toBe(false);

    let follows = 0;
    client.on('channel.follow', () => follows++);
    expect(
      (await post(`${api}/emulator/trigger`, { type: 'channel.follow', version: '2', count: 2 })).status,
    ).toBe(200);
    await until(() => follows === 2, 'two follows');
  });

  it('refuses bad controls with a typed code, and has none without an emulator', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const client = await followClient(t);
    server = await startObservabilityServer({ sources: [client], port: 0, emulator: t.emulator.baseUrl });
    const api = `http://127.0.0.1:${server.port}/api/emulator`;
    const unknown = await post(`${api}/shards/7/drop`, {});
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({
      ok: false,
      error: { code: 'OBSERVABILITY_BAD_CONTROL' },
    });
    expect((await post(`${api}/trigger`, { type: 5 })).status).toBe(400);
    expect((await post(`${api}/trigger`, { type: 'no.such.type' })).status).toBe(502);
    expect((await post(`${api}/trigger`, 'x'.repeat(20_000))).status).toBe(413);
    const text = await http(`${api}/trigger`, { method: 'POST', body: '{"type":"channel.follow"}' });
    expect(text.status).toBe(415);
    expect((await http(`${api}/trigger`)).status).toBe(405);
    await server.close();

    server = await startObservabilityServer({ sources: [client], port: 0 });
    const off = await post(`http://127.0.0.1:${server.port}/api/emulator/trigger`, {
      type: 'channel.follow',
    });
    expect(off.status).toBe(404);
    await expect(
      startObservabilityServer({ sources: [], port: 0, emulator: 'file:///etc/passwd' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'emulator' });
  });
});

describe('the observability option', () => {
  it('is started by start() with the client and its Helix client, and closed by close()', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const client = await followClient(t, { observability: { port: 0 } });
    const s = client.observability;
    expect(s).not.toBeNull();
    const snapshot = JSON.parse((await http(`${s?.url ?? ''}api/snapshot`)).body) as DashboardSnapshot;
    expect(snapshot.sources.map((x) => x.kind)).toEqual(['AutoClient', 'HelixClient']);
    expect(snapshot.conduit?.shards[0]?.state).toBe('ready');
    const metrics = parsePrometheus((await http(s?.metricsUrl ?? '')).body);
    expect(metrics.has('twitch_realtime_helix_requests_total')).toBe(true);
    await client.close();
    await expect(http(s?.metricsUrl ?? '')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a non-loopback bind without a token at start()', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const client = t.autoClient({ observability: { host: '0.0.0.0', port: 0 } });
    await expect(client.start()).rejects.toMatchObject({ code: 'OBSERVABILITY_TOKEN_REQUIRED' });
    expect(() => t.autoClient({ observability: { tickMs: 5 } })).toThrow(/observability\.tickMs/);
  });
});
