/**
 * WebSocketClient metrics against the emulator, over real sockets: notifications per type, lag, a duplicate, a
 * handler error, a session_reconnect handover, a keepalive timeout (watchdog on an injected clock) and its
 * reconnect, a revocation, sockets by state, counters kept once a socket closed, the Prometheus text parsed back,
 * and `metrics: false`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toPrometheusText } from '../../src/core/metrics.js';
import type { WebSocketClient } from '../../src/eventsub/websocket-client/index.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';
import { Harness, streamOnline } from '../eventsub/websocket-client/helpers.js';
import { value } from './metric-value.js';
import { parsePrometheus } from './prometheus-parser.js';

const h = new Harness();
afterEach(async () => {
  await h.close();
});

function online(id: string): number {
  return h.emulator.trigger({ type: 'stream.online', condition: { broadcaster_user_id: id } }).delivered;
}

async function started(client: WebSocketClient): Promise<{ got: string[] }> {
  const got: string[] = [];
  client.on('stream.online', (event) => {
    got.push(event.broadcaster.id);
    if (got.length === 2) throw new Error('handler bug');
  });
  client.on('error', () => undefined);
  await client.start();
  const { errors } = await client.multiSubscribe(streamOnline(h, 2));
  expect(errors).toEqual([]);
  return { got };
}

describe('WebSocketClient metrics', () => {
  it('counts notifications, lag, a duplicate, a handler error, a handover and a revocation', async () => {
    await h.start();
    const client = h.client();
    const { got } = await started(client);
    const duplicated = h.emulator.script.duplicate({ count: 1 });
    expect(online('1000') + online('1001') + online('1000')).toBe(3);
    await duplicated;
    await h.emulator.drain();
    await until(() => got.length === 3, 'three events');
    let m = client.metrics();
    expect(value(m, 'twitch_realtime_eventsub_notifications_total', { type: 'stream.online' })).toBe(3);
    expect(value(m, 'twitch_realtime_eventsub_delivery_lag_seconds', {}, true)).toBe(3);
    expect(value(m, 'twitch_realtime_eventsub_duplicates_total')).toBe(1);
    expect(value(m, 'twitch_realtime_eventsub_handler_errors_total', { event: 'stream.online' })).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_sockets', { state: 'connected' })).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_subscriptions')).toBe(2);
    expect(value(m, 'twitch_realtime_websocket_connects_total')).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_handovers_total')).toBe(0);

    // A session_reconnect: the session carries on through a second socket.
    const [session] = h.connectedSessions();
    const handedOver = new Promise<void>((resolve) => {
      client.on('socketReconnected', (info) => {
        if (info.cause === 'handover') resolve();
      });
    });
    h.emulator.reconnectSession(session!.id);
    await handedOver;
    // Revoked by Twitch: counted by status, and the subscription leaves the client.
    const sub = client.subscriptions.find((s) => s.condition.broadcaster_user_id === '1001');
    const revoked = new Promise<void>((resolve) =>
      client.once('subscriptionRevoked', () => {
        resolve();
      }),
    );
    expect(h.emulator.revokeSubscription(sub!.id, 'authorization_revoked')).toBe(true);
    await revoked;
    m = client.metrics();
    expect(value(m, 'twitch_realtime_websocket_handovers_total')).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_connects_total')).toBe(2);
    expect(value(m, 'twitch_realtime_websocket_revocations_total', { status: 'authorization_revoked' })).toBe(
      1,
    );
    expect(value(m, 'twitch_realtime_websocket_subscriptions')).toBe(1);

    // The last subscription leaves: the socket closes, its counters stay.
    await client.unsubscribe(client.subscriptions[0]!);
    await until(() => client.sockets.length === 0, 'socket closed');
    m = client.metrics();
    expect(value(m, 'twitch_realtime_websocket_sockets', { state: 'connected' })).toBe(0);
    expect(value(m, 'twitch_realtime_websocket_connects_total')).toBe(2);
    expect(value(m, 'twitch_realtime_eventsub_duplicates_total')).toBe(1);
    const families = parsePrometheus(toPrometheusText([...m, ...client.helix.metrics()]));
    expect(families.get('twitch_realtime_websocket_handovers_total')?.samples[0]?.value).toBe(1);
  });

  it('counts a keepalive timeout and the reconnect after it (watchdog on an injected clock)', async () => {
    await h.start({ keepaliveSecondMs: 1000 });
    const clock = new FakeClock(Date.now()); // message timestamps are judged against it
    const client = h.client({ clock });
    await started(client);
    const resubscribed = new Promise<void>((resolve) =>
      client.once('resubscribed', () => {
        resolve();
      }),
    );
    const [session] = h.connectedSessions();
    h.emulator.setKeepalive(session!.id, false);
    clock.advance(12_001); // 10 s keepalive × 1.2 without a message
    expect(value(client.metrics(), 'twitch_realtime_websocket_keepalive_timeouts_total')).toBe(1);
    expect(value(client.metrics(), 'twitch_realtime_websocket_sockets', { state: 'reconnecting' })).toBe(1);
    clock.advance(100); // the first reconnect delay
    await resubscribed;
    const m = client.metrics();
    expect(value(m, 'twitch_realtime_websocket_reconnects_total')).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_keepalive_timeouts_total')).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_sockets', { state: 'connected' })).toBe(1);
  });

  it('keeps the counters of a socket that opened and closed between two snapshots', async () => {
    await h.start();
    const client = h.client();
    await client.start();
    const sub = await client.subscribe(streamOnline(h, 1)[0]!);
    await client.unsubscribe(sub);
    await until(() => client.sockets.length === 0, 'socket closed');
    const m = client.metrics();
    expect(value(m, 'twitch_realtime_websocket_connects_total')).toBe(1);
    expect(value(m, 'twitch_realtime_websocket_sockets', { state: 'connected' })).toBe(0);
  });

  it('records nothing with metrics: false', async () => {
    await h.start();
    const client = h.client({ metrics: false });
    const { got } = await started(client);
    online('1000');
    await until(() => got.length === 1, 'one event');
    expect(client.metrics()).toEqual([]);
  });
});
