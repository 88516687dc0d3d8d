/**
 * The conduit inspector against the real emulator, over real sockets: a conduit of seven shards (three bound to
 * WebSocket sessions, one of them then disconnected, four never bound), subscriptions of several types and statuses,
 * listed through paginated answers (3 shards and 4 subscriptions per page). The listing timer runs on a `TestClock`.
 */
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toPrometheusText, type MetricsSnapshot } from '../../src/core/metrics.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { HelixClient } from '../../src/helix/client.js';
import { ConduitInspector } from '../../src/observability/inspector.js';
import { TestClock } from '../../src/testing/clock.js';
import { startEmulator } from '../support/emulator.js';
import { until } from '../support/until.js';
import { parsePrometheus } from './prometheus-parser.js';

let emu: Emulator;
let helix: HelixClient;
const sockets: WebSocket[] = [];
const inspectors: ConduitInspector[] = [];

beforeEach(async () => {
  emu = await startEmulator({ shardPageSize: 3, subscriptionPageSize: 4 });
  const { clientId, clientSecret, helixUrl, oauthUrl } = emu.clientOptions();
  helix = new HelixClient({ clientId, clientSecret, helixUrl, oauthUrl, maxRetries: 0 });
});
afterEach(async () => {
  for (const inspector of inspectors.splice(0)) inspector.close();
  for (const socket of sockets.splice(0)) socket.terminate();
  helix.close();
  await emu.close();
});

function inspector(
  options: Partial<ConstructorParameters<typeof ConduitInspector>[0]> = {},
): ConduitInspector {
  const made = new ConduitInspector({ helix, ...options });
  inspectors.push(made);
  return made;
}

/** Opens an EventSub WebSocket session on the emulator; resolves with the socket and its session id. */
async function session(): Promise<{ socket: WebSocket; id: string }> {
  const socket = new WebSocket(emu.clientOptions().eventSubWsUrl);
  sockets.push(socket);
  const id = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { payload: { session: { id: string } } };
      resolve(frame.payload.session.id);
    });
    socket.once('error', reject);
  });
  return { socket, id };
}

/** A conduit of 7 shards: 0 and 2 enabled, 1 disconnected (its socket closed), 3..6 never bound. */
async function conduitWithShards(): Promise<{ conduitId: string; sessions: string[] }> {
  const conduit = await helix.eventSub.createConduit({ shardCount: 7 });
  const opened = [await session(), await session(), await session()];
  const { errors } = await helix.eventSub.updateConduitShards(
    conduit.id,
    opened.map((s, i) => ({ id: String(i), transport: { method: 'websocket', sessionId: s.id } })),
  );
  expect(errors).toEqual([]);
  opened[1]?.socket.close();
  await until(
    () => emu.state().conduits[0]?.shards[1]?.status === 'websocket_disconnected',
    'shard 1 disconnected',
  );
  return { conduitId: conduit.id, sessions: opened.map((s) => s.id) };
}

/** Subscriptions: 5 stream.online and 2 stream.offline on the conduit, then 2 stream.online revoked. */
async function subscriptions(conduitId: string): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    const type = i < 5 ? 'stream.online' : 'stream.offline';
    emu.mintUserToken({ userId: String(1000 + i), scopes: [] });
    const { subscription } = await helix.eventSub.createSubscription({
      type,
      version: '1',
      condition: { broadcaster_user_id: String(1000 + i) },
      transport: { method: 'conduit', conduitId },
    });
    ids.push(subscription.id);
  }
  emu.revokeSubscription(ids[0] ?? '', 'user_removed');
  emu.revokeSubscription(ids[1] ?? '', 'user_removed');
}

function gauge(
  snapshot: MetricsSnapshot,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const metric = snapshot.find((m) => m.name === name);
  const key = JSON.stringify(labels);
  return metric?.samples.find((s) => JSON.stringify(s.labels) === key)?.value;
}

describe('ConduitInspector', () => {
  it('shows every shard with Twitch status, session and times, and the subscriptions by type and status', async () => {
    const { conduitId, sessions } = await conduitWithShards();
    await subscriptions(conduitId);
    const watched = inspector();
    expect(watched.health()).toMatchObject({ live: true, ready: false });
    await watched.start();

    const view = watched.view();
    expect(view.kind).toBe('ConduitInspector');
    expect(view.errors).toEqual([]);
    const conduit = view.conduit!;
    expect(conduit.id).toBe(conduitId);
    expect(conduit.shardCount).toBe(7);
    expect(conduit.shards.map((s) => s.id)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(conduit.shards.map((s) => s.state)).toEqual([
      'enabled',
      'websocket_disconnected',
      'enabled',
      'websocket_disconnected',
      'websocket_disconnected',
      'websocket_disconnected',
      'websocket_disconnected',
    ]);
    for (const shard of conduit.shards) expect(shard.owned).toBe(false);
    const [s0, s1, s2] = conduit.shards;
    expect(s0).toMatchObject({ sessionId: sessions[0], transport: 'websocket', disconnectedAt: null });
    expect(s0?.connectedAt).toEqual(expect.any(Number));
    expect(s2?.sessionId).toBe(sessions[2]);
    expect(s1?.disconnectedAt).toEqual(expect.any(Number));

    const subs = view.subscriptions!;
    expect(subs.counts).toEqual([
      { type: 'stream.offline', version: '1', status: 'enabled', count: 2, cost: 0 },
      { type: 'stream.online', version: '1', status: 'enabled', count: 3, cost: 0 },
      { type: 'stream.online', version: '1', status: 'user_removed', count: 2, cost: 0 },
    ]);
    const state = emu.state();
    expect(subs.total).toBe(7);
    expect(subs.maxTotalCost).toEqual(expect.any(Number));
    expect(subs.totalCost).toBe(
      state.subscriptions.reduce((n, s) => n + (s.status === 'enabled' ? s.cost : 0), 0),
    );
    expect(subs.listedAt).toEqual(expect.any(Number));

    const m = watched.metrics();
    expect(gauge(m, 'twitch_realtime_inspector_shards', { status: 'enabled' })).toBe(2);
    expect(gauge(m, 'twitch_realtime_inspector_shards', { status: 'websocket_disconnected' })).toBe(5);
    expect(gauge(m, 'twitch_realtime_inspector_subscriptions', { status: 'enabled' })).toBe(5);
    expect(gauge(m, 'twitch_realtime_inspector_subscriptions', { status: 'user_removed' })).toBe(2);
    expect(gauge(m, 'twitch_realtime_inspector_subscription_max_cost')).toBe(subs.maxTotalCost);
    expect(gauge(m, 'twitch_realtime_inspector_listings_total', { result: 'ok' })).toBe(1);
    // The text format parses back with the strict parser.
    const family = parsePrometheus(toPrometheusText(m)).get('twitch_realtime_inspector_shards');
    expect(family?.samples.find((s) => s.labels.status === 'enabled')?.value).toBe(2);
    expect(watched.health()).toEqual({ live: true, ready: true, reasons: [] });
  });

  it('lists again every intervalMs on its clock, one listing at a time, and stops at close()', async () => {
    const { conduitId, sessions } = await conduitWithShards();
    const clock = new TestClock();
    const watched = inspector({ conduitId, intervalMs: 5000, clock });
    await watched.start();
    expect(clock.delays()).toEqual([5000]);
    expect(watched.view().conduit?.shards[0]?.state).toBe('enabled');

    // Two refreshes at once are one listing: 1 conduit list, 3 shard pages, 1 subscription page.
    const before = emu.state().helix.requests;
    await Promise.all([watched.refresh(), watched.refresh()]);
    expect(emu.state().helix.requests - before).toBe(5);

    // Shard 0's socket goes: the next timed listing shows it, the gauge follows.
    sockets[0]?.close();
    await until(
      () => emu.state().conduits[0]?.shards[0]?.status === 'websocket_disconnected',
      'shard 0 disconnected',
    );
    expect(watched.view().conduit?.shards[0]?.state).toBe('enabled');
    await clock.tickAsync(5000);
    await until(() => watched.view().conduit?.shards[0]?.state === 'websocket_disconnected', 'relisted');
    expect(watched.view().conduit?.shards[0]?.sessionId).toBe(sessions[0]);
    expect(gauge(watched.metrics(), 'twitch_realtime_inspector_shards', { status: 'enabled' })).toBe(1);
    await until(() => clock.pending === 1, 'the next listing scheduled');

    watched.close();
    expect(clock.pending).toBe(0);
    expect(watched.health()).toMatchObject({ live: false, ready: false });
    const after = emu.state().helix.requests;
    await watched.refresh();
    expect(emu.state().helix.requests).toBe(after);
  });

  it('keeps a failed listing in its recent errors, keeps the last view, and never throws', async () => {
    const { conduitId } = await conduitWithShards();
    const clock = new TestClock();
    const watched = inspector({ clock, intervalMs: 1000 });
    await watched.start();
    expect(watched.view().conduit?.id).toBe(conduitId);

    // The last listing made 5 requests (conduits, 3 shard pages, subscriptions): at 300 ms each, the next one waits
    // 1.5 s rather than intervalMs (a quarter of the Helix budget at most).
    expect(clock.delays()).toEqual([1500]);
    const fault = emu.script.failHelix({ count: 1, status: 503, path: '/eventsub/conduits/shards' });
    await clock.tickAsync(1500);
    await fault;
    await until(() => watched.view().errors.length === 1, 'the failure recorded');
    expect(watched.view().errors[0]).toMatchObject({ code: 'SERVER_ERROR', at: clock.now() });
    expect(watched.view().conduit?.shardCount).toBe(7);
    expect(watched.health().ready).toBe(true);
    expect(gauge(watched.metrics(), 'twitch_realtime_inspector_listings_total', { result: 'failed' })).toBe(
      1,
    );
    await until(() => clock.pending === 1, 'still scheduled after the failure');

    // Two more failures in a row: the view is stale, no longer ready; one success makes it ready again.
    for (let failed = 2; failed <= 3; failed++) {
      const next = emu.script.failHelix({ count: 1, status: 503, path: '/eventsub/conduits/shards' });
      await clock.tickAsync(clock.delays()[0] ?? 0);
      await next;
      await until(() => watched.view().errors.length === failed, `failure ${String(failed)} recorded`);
      await until(() => clock.pending === 1, 'scheduled again');
    }
    expect(watched.health()).toEqual({
      live: true,
      ready: false,
      reasons: ['conduit inspector: the last 3 listings failed (SERVER_ERROR); the view is stale'],
    });
    await clock.tickAsync(clock.delays()[0] ?? 0);
    await until(() => watched.health().ready, 'ready after a successful listing');
  });

  it('is not ready until it finds its conduit: none, several to choose from, or an unknown id', async () => {
    const none = inspector();
    await none.start();
    expect(none.health()).toEqual({
      live: true,
      ready: false,
      reasons: ['conduit inspector: the app has no conduit'],
    });

    const a = await helix.eventSub.createConduit({ shardCount: 1 });
    const b = await helix.eventSub.createConduit({ shardCount: 2 });
    const several = inspector();
    await several.start();
    expect(several.health().ready).toBe(false);
    expect(several.health().reasons[0]).toContain(`the app has 2 conduits (`);
    expect(several.health().reasons[0]).toContain(a.id);
    expect(several.health().reasons[0]).toContain(b.id);
    expect(several.view().conduit).toMatchObject({ id: null, shardCount: 0, shards: [] });

    const chosen = inspector({ conduitId: b.id });
    await chosen.start();
    expect(chosen.health().ready).toBe(true);
    expect(chosen.view().conduit?.shards).toHaveLength(2);

    const missing = inspector({ conduitId: 'no-such-conduit' });
    await missing.start();
    expect(missing.health().reasons).toEqual([expect.stringContaining('conduit no-such-conduit not found')]);
  });

  it('reads at most maxPages pages of each list, shows the rest as unknown and says so', async () => {
    await conduitWithShards();
    const watched = inspector({ maxPages: 2 });
    await watched.start();
    const shards = watched.view().conduit?.shards ?? [];
    expect(shards).toHaveLength(7);
    expect(shards.map((s) => s.state).slice(5)).toEqual(['websocket_disconnected', 'unknown']);
    expect(watched.view().errors).toEqual([
      expect.objectContaining({
        code: 'INSPECTOR_LISTING_TRUNCATED',
        message: expect.stringContaining('read 6 of 7'),
      }),
    ]);
    expect(gauge(watched.metrics(), 'twitch_realtime_inspector_shards', { status: 'unknown' })).toBe(1);
  });

  it('refuses bad options with INVALID_ARGUMENT naming the option', () => {
    for (const [options, field] of [
      [{ helix: {} }, 'helix'],
      [{ helix, intervalMs: 10 }, 'intervalMs'],
      [{ helix, maxPages: 0 }, 'maxPages'],
      [{ helix, conduitId: '' }, 'conduitId'],
    ] as const) {
      expect(() => new ConduitInspector(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field }),
      );
    }
  });
});
