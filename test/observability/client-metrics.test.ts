/**
 * AutoClient and HelixClient metrics against the emulator, over real sockets: counts after triggered events,
 * duplicates, a dropped shard (a transition and a reconnect), handler errors, the lag histogram, a Helix 429, the
 * Prometheus text parsed back, `metrics: false`, and the diagnostics channels (published to a subscriber, nothing
 * built when nobody subscribes).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DIAGNOSTICS_CHANNELS,
  helixRequestChannel,
  notificationChannel,
  shardStateChannel,
  type HelixRequestMessage,
  type NotificationMessage,
  type ShardStateMessage,
  type TokenRefreshedMessage,
} from '../../src/core/diagnostics.js';
import { toPrometheusText } from '../../src/core/metrics.js';
import type { AutoClient } from '../../src/eventsub/conduit/auto-client.js';
import { HelixClient } from '../../src/helix/client.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { until } from '../support/until.js';
import { parsePrometheus } from './prometheus-parser.js';
import { value } from './metric-value.js';

let twitch: TestTwitch | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await twitch?.close();
  twitch = undefined;
});

async function followClient(
  options: { metrics?: boolean } = {},
): Promise<{ t: TestTwitch; client: AutoClient }> {
  const t = await startTestTwitch();
  twitch = t;
  const { broadcaster, moderator } = t.users;
  const condition = { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id };
  const client = t.autoClient({
    subscriptions: [{ type: 'channel.follow', version: '2', condition }],
    ...options,
  });
  client.on('error', () => undefined);
  await client.start();
  return { t, client };
}

describe('AutoClient metrics', () => {
  it('counts events per type, fills the lag histogram, counts duplicates and handler errors', async () => {
    const { t, client } = await followClient();
    let calls = 0;
    client.on('channel.follow', () => {
      calls++;
      if (calls === 2) throw new Error('handler bug');
    });
    for (let i = 0; i < 3; i++) t.emulator.trigger('channel.follow', '2', { event: { userName: `u${i}` } });
    const duplicated = t.emulator.script.duplicate({ count: 1 });
    t.emulator.trigger('channel.follow', '2', { event: { userName: 'again' } });
    await duplicated;
    await t.drain();
    await until(() => calls === 4, 'four follows handled');
    const m = client.metrics();
    expect(value(m, 'twitch_realtime_eventsub_notifications_total', { type: 'channel.follow' })).toBe(4);
    expect(value(m, 'twitch_realtime_eventsub_duplicates_total')).toBe(1);
    expect(value(m, 'twitch_realtime_eventsub_delivery_lag_seconds', {}, true)).toBe(4);
    expect(value(m, 'twitch_realtime_eventsub_handler_errors_total', { event: 'channel.follow' })).toBe(1);
    const shards = client.conduitInfo.websockets.size;
    expect(shards).toBeGreaterThanOrEqual(1);
    expect(value(m, 'twitch_realtime_shards', { state: 'ready' })).toBe(shards);
    expect(value(m, 'twitch_realtime_shard_connects_total')).toBe(shards);
    // The whole snapshot, with the Helix client's, reads back as strict Prometheus text.
    const families = parsePrometheus(toPrometheusText([...m, ...client.helix.metrics()]));
    expect(families.get('twitch_realtime_eventsub_notifications_total')?.samples).toEqual([
      { name: 'twitch_realtime_eventsub_notifications_total', labels: { type: 'channel.follow' }, value: 4 },
    ]);
    expect(families.get('twitch_realtime_helix_requests_total')?.type).toBe('counter');
    // The subscriptions start-up created (its follow, and conduit.shard.disabled): totals from Twitch's answers.
    const h = client.helix.metrics();
    const listed = await client.helix.eventSub.getSubscriptionTotals();
    expect(listed.total).toBeGreaterThanOrEqual(1);
    const after = client.helix.metrics();
    expect(value(h, 'twitch_realtime_eventsub_subscriptions')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'twitch_realtime_eventsub_subscriptions')).toBe(listed.total);
    expect(value(after, 'twitch_realtime_eventsub_subscription_cost')).toBe(listed.totalCost);
    expect(value(after, 'twitch_realtime_eventsub_subscription_max_cost')).toBe(listed.maxTotalCost);
    expect(listed.maxTotalCost).toBeGreaterThan(0);
  });

  it('shows a dropped shard as transitions and a reconnect', async () => {
    const { t, client } = await followClient();
    const sessionId = [...client.conduitInfo.websockets.values()][0]?.sessionId;
    if (typeof sessionId !== 'string') throw new Error('no session');
    const rebound = new Promise<void>((resolve) => {
      client.on('shardReady', (info) => {
        if (info.rebind) resolve();
      });
    });
    t.emulator.script.dropConnection(sessionId);
    await rebound;
    const m = client.metrics();
    expect(value(m, 'twitch_realtime_shard_transitions_total', { from: 'ready', to: 'connecting' })).toBe(1);
    expect(value(m, 'twitch_realtime_shard_reconnects_total')).toBe(1);
    expect(value(m, 'twitch_realtime_shards', { state: 'ready' })).toBe(client.conduitInfo.websockets.size);
  });

  it('records nothing with metrics: false', async () => {
    const { t, client } = await followClient({ metrics: false });
    t.emulator.trigger('channel.follow', '2', {});
    await t.drain();
    expect(client.metrics()).toEqual([]);
  });
});

describe('HelixClient metrics', () => {
  it('counts a 429 and its retry, latency and the remaining points', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const helix = t.helixClient();
    const fault = t.emulator.script.failHelix({ count: 1, status: 429, path: '/users', resetAfterMs: 20 });
    await helix.users.getUsers({ ids: [t.users.broadcaster.id] });
    await fault;
    const m = helix.metrics();
    expect(value(m, 'twitch_realtime_helix_rate_limited_total', { endpoint: 'GET /users' })).toBe(1);
    expect(
      value(m, 'twitch_realtime_helix_requests_total', { endpoint: 'GET /users', status_class: '4xx' }),
    ).toBe(1);
    expect(
      value(m, 'twitch_realtime_helix_requests_total', { endpoint: 'GET /users', status_class: '2xx' }),
    ).toBe(1);
    expect(value(m, 'twitch_realtime_helix_request_duration_seconds', {}, true)).toBe(2);
    expect(value(m, 'twitch_realtime_helix_ratelimit_waits_total')).toBe(1);
    const remaining = m.find((x) => x.name === 'twitch_realtime_helix_ratelimit_remaining_points')?.samples;
    expect(remaining?.length).toBe(1);
  });
});

describe('diagnostics channels', () => {
  it('publishes shard states, notifications and Helix requests to subscribers', async () => {
    const states: ShardStateMessage[] = [];
    const notifications: NotificationMessage[] = [];
    const requests: HelixRequestMessage[] = [];
    const onState = (m: unknown): void => void states.push(m as ShardStateMessage);
    const onNotification = (m: unknown): void => void notifications.push(m as NotificationMessage);
    const onRequest = (m: unknown): void => void requests.push(m as HelixRequestMessage);
    subscribe(DIAGNOSTICS_CHANNELS.shardState, onState);
    subscribe(DIAGNOSTICS_CHANNELS.notification, onNotification);
    subscribe(DIAGNOSTICS_CHANNELS.helixRequest, onRequest);
    try {
      const { t } = await followClient({ metrics: false });
      t.emulator.trigger('channel.follow', '2', {});
      await t.drain();
      await until(() => notifications.length === 1, 'one notification published');
      expect(notifications[0]).toMatchObject({ type: 'channel.follow', origin: expect.any(String) });
      expect(notifications[0]?.lagSeconds).toBeGreaterThanOrEqual(0);
      expect(states.map((s) => s.to)).toContain('ready');
      expect(requests.some((r) => r.path === '/eventsub/conduits' && r.status === 200)).toBe(true);
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.shardState, onState);
      unsubscribe(DIAGNOSTICS_CHANNELS.notification, onNotification);
      unsubscribe(DIAGNOSTICS_CHANNELS.helixRequest, onRequest);
    }
  });

  it('publishes an app token obtained, without the token', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const refreshed: TokenRefreshedMessage[] = [];
    const onToken = (m: unknown): void => void refreshed.push(m as TokenRefreshedMessage);
    subscribe(DIAGNOSTICS_CHANNELS.tokenRefreshed, onToken);
    try {
      const { clientId, clientSecret } = t.emulator.registerClient();
      const { helixUrl, oauthUrl } = t.clientOptions();
      const helix = t.track(new HelixClient({ clientId, clientSecret, helixUrl, oauthUrl }));
      await helix.eventSub.getSubscriptionTotals();
      expect(refreshed).toEqual([{ kind: 'app' }]);
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.tokenRefreshed, onToken);
    }
  });

  it('builds no message when nobody subscribes', async () => {
    const published = [
      vi.spyOn(shardStateChannel, 'publish'),
      vi.spyOn(notificationChannel, 'publish'),
      vi.spyOn(helixRequestChannel, 'publish'),
    ];
    const { t, client } = await followClient({ metrics: false });
    let follows = 0;
    client.on('channel.follow', () => {
      follows++;
    });
    t.emulator.trigger('channel.follow', '2', {});
    await t.drain();
    await until(() => follows === 1, 'the follow handled');
    for (const spy of published) expect(spy).not.toHaveBeenCalled();
  });
});
