/**
 * PubSubPool metrics against the emulator's PubSub server, over real sockets: connections and topics, messages per
 * topic type, a refused LISTEN (ERR_BADAUTH), a RECONNECT handover, a dropped connection and a PONG timeout (each a
 * reconnect by its reason, the timers on an injected clock), and `metrics: false`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_CHANNELS, type PubSubReconnectMessage } from '../../src/core/diagnostics.js';
import { toPrometheusText } from '../../src/core/metrics.js';
import { PubSubPool, bits, whispers, type PubSubPoolOptions } from '../../src/pubsub/index.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';
import { newEvents, startEmulator, userToken, type Env } from '../pubsub/helpers.js';
import { value } from './metric-value.js';
import { parsePrometheus } from './prometheus-parser.js';

let env: Env;
let pool: PubSubPool | undefined;
beforeEach(async () => {
  env = await startEmulator();
});
afterEach(async () => {
  await pool?.close();
  pool = undefined;
  await env.close();
});

function start(options: PubSubPoolOptions = {}): PubSubPool {
  pool = new PubSubPool(newEvents(), {
    url: env.server.url,
    backoff: { initialMs: 5, maxMs: 5, jitterMs: 0 },
    random: () => 0,
    ...options,
  });
  return pool;
}

describe('PubSubPool metrics', () => {
  it('counts connections, topics, messages per type, a refused LISTEN and a handover', async () => {
    const token = userToken(env.platform, '42');
    const p = start();
    await p.subscribeTopics([whispers(token).with(42), bits(token).with(42)]);
    expect(env.server.publish('whispers.42')).toBe(1);
    expect(env.server.publish('whispers.42')).toBe(1);
    expect(env.server.publish('channel-bits-events-v2.42')).toBe(1);
    const refused = await p.subscribeTopics([bits('invalid-token').with(43)]).catch((e: unknown) => e);
    expect(refused).toMatchObject({ error: 'ERR_BADAUTH' });
    await until(
      () => value(p.metrics(), 'twitch_realtime_pubsub_messages_total', { topic_type: 'whispers' }) === 2,
      'two whispers counted',
    );
    let m = p.metrics();
    expect(value(m, 'twitch_realtime_pubsub_messages_total', { topic_type: 'channel-bits-events-v2' })).toBe(
      1,
    );
    expect(value(m, 'twitch_realtime_pubsub_listen_errors_total', { error: 'ERR_BADAUTH' })).toBe(1);
    expect(value(m, 'twitch_realtime_pubsub_connections', { state: 'open' })).toBe(1);
    expect(value(m, 'twitch_realtime_pubsub_topics')).toBe(2);
    expect(value(m, 'twitch_realtime_pubsub_connects_total')).toBe(1);

    expect(env.server.reconnect()).toBe(1);
    await until(() => value(p.metrics(), 'twitch_realtime_pubsub_handovers_total') === 1, 'handover');
    m = p.metrics();
    expect(value(m, 'twitch_realtime_pubsub_connects_total')).toBe(1);
    expect(value(m, 'twitch_realtime_pubsub_topics')).toBe(2);
    const families = parsePrometheus(toPrometheusText(m));
    expect(families.get('twitch_realtime_pubsub_messages_total')?.samples).toHaveLength(2);
  });

  it('counts reconnects by reason: a dropped connection, then a PONG timeout (injected clock)', async () => {
    const token = userToken(env.platform, '42');
    const clock = new FakeClock(Date.now());
    const p = start({
      clock,
      pingIntervalMs: 5_000,
      pingJitterMs: 0,
      pongTimeoutMs: 1_000,
      responseTimeoutMs: 100_000,
    });
    await p.subscribeTopics([whispers(token).with(42)]);
    const published: PubSubReconnectMessage[] = [];
    const listener = (message: unknown): void => {
      published.push(message as PubSubReconnectMessage);
    };
    subscribe(DIAGNOSTICS_CHANNELS.pubsubReconnect, listener);
    const first = env.server.connections()[0]!.id;
    expect(env.server.drop(first)).toBe(true);
    await until(() => p.connections[0]?.state === 'reconnecting', 'reconnecting');
    clock.advance(5); // the backoff
    await until(() => p.connections[0]?.state === 'open', 'open again');
    let m = p.metrics();
    expect(value(m, 'twitch_realtime_pubsub_reconnects_total', { reason: 'connection_lost' })).toBe(1);
    expect(value(m, 'twitch_realtime_pubsub_connects_total')).toBe(2);
    await until(() => env.server.connections().length === 1, 'one server connection');

    env.server.setPongs(false);
    clock.advance(5_000); // PING
    clock.advance(1_000); // no PONG
    m = p.metrics();
    expect(value(m, 'twitch_realtime_pubsub_pong_timeouts_total')).toBe(1);
    expect(value(m, 'twitch_realtime_pubsub_reconnects_total', { reason: 'pong_timeout' })).toBe(1);
    expect(value(m, 'twitch_realtime_pubsub_connections', { state: 'reconnecting' })).toBe(1);
    unsubscribe(DIAGNOSTICS_CHANNELS.pubsubReconnect, listener);
    const id = p.connections[0]?.id;
    expect(published).toEqual([
      { connectionId: id, reason: 'connection_lost' },
      { connectionId: id, reason: 'pong_timeout' },
    ]);
  });

  it('records nothing with metrics: false', async () => {
    const token = userToken(env.platform, '42');
    const p = start({ metrics: false });
    await p.subscribeTopics([whispers(token).with(42)]);
    env.server.publish('whispers.42');
    expect(p.metrics()).toEqual([]);
  });
});
