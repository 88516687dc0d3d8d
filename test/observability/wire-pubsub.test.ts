/**
 * The PubSubPool's `observability` option and `view()`, against the emulator's PubSub server over real sockets: the
 * first `subscribeTopics()` starts the server (`/metrics`, `/readyz`, the dashboard snapshot naming the pool), a
 * refused LISTEN is in `view().errors` and the snapshot, `close()` closes the server; a refused start rejects the
 * `subscribeTopics()` and closes the pool, as a refused `AutoClient.start()` does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/observability/dashboard-protocol.js';
import { PubSubPool, bits, whispers, type PubSubPoolOptions } from '../../src/pubsub/index.js';
import { newEvents, startEmulator, userToken, type Env } from '../pubsub/helpers.js';
import { http } from './server-support.js';
import { connectError } from './wire-support.js';
import { parsePrometheus } from './prometheus-parser.js';

let env: Env;
const pools: PubSubPool[] = [];
beforeEach(async () => {
  env = await startEmulator();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await env.close();
});

function pool(options: PubSubPoolOptions = {}): PubSubPool {
  const p = new PubSubPool(newEvents(), { url: env.server.url, ...options });
  pools.push(p);
  return p;
}

describe('PubSubPool observability', () => {
  it('serves /metrics, /readyz and a snapshot naming the pool with a refused LISTEN', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ observability: { port: 0 } });
    expect(p.observability).toBeNull();
    await p.subscribeTopics([whispers(token).with(42)]);
    const server = p.observability;
    if (server === null) throw new Error('no server');
    // Nobody listens to pubsub_error: the refusal is still recorded.
    await expect(p.subscribeTopics([bits('invalid-token').with(43)])).rejects.toMatchObject({
      error: 'ERR_BADAUTH',
    });
    expect(p.view()).toMatchObject({ kind: 'PubSubPool', errors: [{ code: 'PUBSUB_RESPONSE_ERROR' }] });
    expect(p.view().errors).toHaveLength(1);

    const metrics = parsePrometheus((await http(server.metricsUrl)).body);
    expect(metrics.get('twitch_realtime_pubsub_topics')?.samples[0]?.value).toBe(1);
    expect(metrics.get('twitch_realtime_pubsub_listen_errors_total')?.samples[0]).toMatchObject({
      labels: { error: 'ERR_BADAUTH' },
      value: 1,
    });
    expect((await http(server.readyUrl)).status).toBe(200);
    const snapshot = JSON.parse((await http(`${server.url}api/snapshot`)).body) as DashboardSnapshot;
    expect(snapshot.sources.map((s) => s.kind)).toEqual(['PubSubPool']);
    expect(snapshot.errors.map((e) => e.code)).toEqual(['PUBSUB_RESPONSE_ERROR']);
    // Started once: a second call reuses it.
    await p.subscribeTopics([bits(token).with(42)]);
    expect(p.observability).toBe(server);

    await p.close();
    expect(await connectError(server.port)).toBe('ECONNREFUSED');
  });

  it('refuses a non-loopback bind without a token at the first subscribeTopics() and closes the pool', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ observability: { host: '0.0.0.0', port: 0 } });
    const topics = [whispers(token).with(42)];
    const [first, second] = await Promise.allSettled([p.subscribeTopics(topics), p.subscribeTopics(topics)]);
    expect(first).toMatchObject({ status: 'rejected', reason: { code: 'OBSERVABILITY_TOKEN_REQUIRED' } });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'OBSERVABILITY_TOKEN_REQUIRED' } });
    expect(p.observability).toBeNull();
    expect(p.connections).toHaveLength(0);
    expect(p.health().live).toBe(false);
    await expect(p.subscribeTopics(topics)).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
    expect(() => pool({ observability: { tickMs: 5 } })).toThrow(/observability\.tickMs/);
  });

  it('closed while its server starts: the server is closed too and nothing is subscribed', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ observability: { port: 0 } });
    const subscribing = p.subscribeTopics([whispers(token).with(42)]);
    await p.close();
    await expect(subscribing).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
    const server = p.observability;
    if (server === null) throw new Error('no server');
    expect(await connectError(server.port)).toBe('ECONNREFUSED');
    expect(p.connections).toHaveLength(0);
  });

  it('checks the topics before starting the server', async () => {
    const p = pool({ observability: { port: 0 } });
    await expect(p.subscribeTopics([{} as never])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(p.observability).toBeNull();
  });
});
