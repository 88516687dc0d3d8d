/**
 * The observability server over real sockets with hand-made sources (the ObservedSource contract): health codes and
 * bodies, methods, the token (header, query, refusals, never shown), the non-loopback refusal, the SSE stream
 * (snapshot, then ticks driven by a TestClock, only changed shards), bounded streams, and close().
 */
import { connect } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry, LAG_BUCKETS, type MetricsSnapshot } from '../../src/core/metrics.js';
import type { DashboardSnapshot, DashboardTick } from '../../src/observability/dashboard-protocol.js';
import { ObservabilityError } from '../../src/observability/errors.js';
import {
  MAX_STREAMS,
  startObservabilityServer,
  type ObservabilityServer,
  type ObservabilityServerOptions,
} from '../../src/observability/server.js';
import type { HealthReport, ObservedSource, ShardView, SourceView } from '../../src/observability/source.js';
import { TestClock } from '../../src/testing/clock.js';
import { until } from '../support/until.js';
import { parsePrometheus } from './prometheus-parser.js';
import { http, SseReader } from './server-support.js';

const TOKEN = 'a-long-dashboard-token-1234';

/** A source whose health, shards and counters the test sets. */
class FakeSource implements ObservedSource {
  readonly registry = new MetricsRegistry();
  readonly events = this.registry.counter({
    name: 'twitch_realtime_eventsub_notifications_total',
    help: 'Notifications',
    labelNames: ['type'],
  });
  readonly lag = this.registry.histogram({
    name: 'twitch_realtime_eventsub_delivery_lag_seconds',
    help: 'Lag',
    buckets: LAG_BUCKETS,
  });
  report: HealthReport = { live: true, ready: true, reasons: [] };
  shards: ShardView[];
  views = 0;

  constructor(shardCount = 3) {
    this.shards = Array.from({ length: shardCount }, (_, i) => shard(String(i), 'ready'));
  }
  metrics(): MetricsSnapshot {
    return this.registry.snapshot();
  }
  health(): HealthReport {
    return this.report;
  }
  view(): SourceView {
    this.views++;
    return {
      kind: 'FakeSource',
      conduit: { id: 'conduit-1', shardCount: this.shards.length, shards: this.shards },
      errors: [],
    };
  }
}

function shard(id: string, state: string): ShardView {
  return {
    id,
    state,
    owned: true,
    transport: 'websocket',
    sessionId: `session-${id}`,
    owner: null,
    connectedAt: 1,
    disconnectedAt: null,
  };
}

let server: ObservabilityServer | undefined;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await server?.close();
  server = undefined;
});

async function start(options: Partial<ObservabilityServerOptions> & { sources: ObservedSource[] }) {
  server = await startObservabilityServer({ port: 0, ...options });
  return server;
}

function origin(s: ObservabilityServer): string {
  return `http://127.0.0.1:${s.port}`;
}

describe('health routes', () => {
  it('answers 200 ok, then 503 with the reasons when a source is not ready or not live', async () => {
    const a = new FakeSource();
    const b = new FakeSource();
    const s = await start({ sources: [a, b] });
    expect(await http(s.healthUrl)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await http(s.readyUrl)).toMatchObject({ status: 200, body: 'ok\n' });

    b.report = { live: true, ready: false, reasons: ['shard 3: failed 6 times in a row'] };
    expect((await http(s.healthUrl)).status).toBe(200);
    const ready = await http(s.readyUrl);
    expect(ready.status).toBe(503);
    expect(ready.body).toBe('source 1 (FakeSource): shard 3: failed 6 times in a row\n');

    a.report = { live: false, ready: false, reasons: ['closed'] };
    const live = await http(s.healthUrl);
    expect(live.status).toBe(503);
    expect(live.body).toBe('source 0 (FakeSource): closed\n');

    const verbose = await http(`${s.readyUrl}?verbose`);
    expect(verbose.status).toBe(503);
    expect(verbose.body).toBe(
      '[-] source 0 (FakeSource): not ready\n    closed\n' +
        '[-] source 1 (FakeSource): not ready\n    shard 3: failed 6 times in a row\nreadyz check failed\n',
    );
  });

  it('counts a source without health() as healthy and a throwing health() as failed', async () => {
    const bare: ObservedSource = { metrics: () => [] };
    const broken: ObservedSource = {
      metrics: () => [],
      health: () => {
        throw new Error('boom');
      },
    };
    const s = await start({ sources: [bare] });
    expect((await http(`${s.healthUrl}?verbose`)).body).toBe(
      '[+] source 0 (Source): no health check\nhealthz check passed\n',
    );
    await s.close();
    const t = await start({ sources: [bare, broken] });
    const answer = await http(t.healthUrl);
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('source 1 (Source): health check threw: boom');
  });

  it('answers HEAD without a body and other methods with 405', async () => {
    const s = await start({ sources: [new FakeSource()] });
    const head = await http(s.healthUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const metricsHead = await http(s.metricsUrl, { method: 'HEAD' });
    expect(metricsHead.status).toBe(200);
    expect(metricsHead.body).toBe('');
    const post = await http(s.metricsUrl, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await http(`${origin(s)}/nothing`)).status).toBe(404);
  });
});

describe('token', () => {
  it('refuses requests without the right token (401) and takes it as a bearer header or ?token=', async () => {
    const s = await start({ sources: [new FakeSource()], token: TOKEN });
    expect(s.url).toBe(`${origin(s)}/?token=${TOKEN}`);
    const none = await http(s.metricsUrl);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(
      (await http(s.metricsUrl, { headers: { authorization: 'Bearer wrong-token-of-27-characters' } }))
        .status,
    ).toBe(401);
    expect((await http(`${s.metricsUrl}?token=short`)).status).toBe(401);
    expect((await http(s.metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await http(`${s.metricsUrl}?token=${TOKEN}`)).status).toBe(200);
    expect((await http(s.url)).status).toBe(200);
    // Probes need it too, unless openProbes.
    expect((await http(s.healthUrl)).status).toBe(401);
  });

  it('lets probes through without the token with openProbes, and nothing else', async () => {
    const s = await start({ sources: [new FakeSource()], token: TOKEN, openProbes: true });
    expect((await http(s.healthUrl)).status).toBe(200);
    expect((await http(s.readyUrl)).status).toBe(200);
    expect((await http(s.metricsUrl)).status).toBe(401);
    expect((await http(`${origin(s)}/api/snapshot`)).status).toBe(401);
  });

  it('refuses a non-loopback host without a token, and never shows the token', async () => {
    await expect(startObservabilityServer({ sources: [], host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'OBSERVABILITY_TOKEN_REQUIRED',
    });
    await expect(startObservabilityServer({ sources: [], host: '0.0.0.0', port: 0 })).rejects.toBeInstanceOf(
      ObservabilityError,
    );
    const lines: string[] = [];
    const log = (message: string, context?: object): void => {
      lines.push(message + JSON.stringify(context ?? {}));
    };
    const s = await start({
      sources: [],
      host: '0.0.0.0',
      token: TOKEN,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    expect((await http(`http://127.0.0.1:${s.port}/metrics`)).status).toBe(401);
    expect(inspect(s)).not.toContain(TOKEN);
    expect(JSON.stringify(s)).not.toContain(TOKEN);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(TOKEN);
    const bad = await startObservabilityServer({ sources: [], port: 0, token: 'short' }).catch(
      (e: unknown) => e,
    );
    expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'token' });
    expect((bad as Error).message).not.toContain('short');
  });

  it('rejects with OBSERVABILITY_LISTEN_FAILED when the port is taken', async () => {
    const s = await start({ sources: [] });
    const error = await startObservabilityServer({ sources: [], port: s.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObservabilityError);
    expect(error).toMatchObject({ code: 'OBSERVABILITY_LISTEN_FAILED', cause: { code: 'EADDRINUSE' } });
  });

  it('answers only to loopback host names when bound to loopback (DNS rebinding)', async () => {
    const s = await start({ sources: [] });
    expect((await http(s.metricsUrl, { headers: { host: 'evil.example:80' } })).status).toBe(421);
    expect((await http(s.metricsUrl, { headers: { host: `localhost:${s.port}` } })).status).toBe(200);
  });
});

describe('dashboard stream', () => {
  it('sends a snapshot, then one tick per tickMs with only the changed shards and the rates', async () => {
    const clock = new TestClock();
    const source = new FakeSource(3);
    const s = await start({ sources: [source], clock, tickMs: 1000 });
    const reader = new SseReader(`${origin(s)}/api/stream`);
    readers.push(reader);
    const snapshot = await reader.nth<DashboardSnapshot>('snapshot', 1);
    expect(snapshot.conduit?.shards.map((x) => x.state)).toEqual(['ready', 'ready', 'ready']);
    expect(snapshot.sources).toEqual([{ index: 0, kind: 'FakeSource', health: source.report }]);

    source.shards = [source.shards[0]!, shard('1', 'connecting'), source.shards[2]!];
    const follow = source.events.labels('channel.follow');
    follow.inc(5);
    source.lag.observe(0.02);
    clock.advance(1000);
    const first = await reader.nth<DashboardTick>('tick', 1);
    expect(first.shards).toEqual([shard('1', 'connecting')]);
    expect(first.conduit).toBeNull();
    // One observation in the 10..25 ms bucket: both quantiles interpolate inside it.
    expect(first.rates.lagP50).toBeGreaterThan(0.01);
    expect(first.rates.lagP50).toBeLessThanOrEqual(0.025);
    expect(first.rates.eventsPerSecond).toEqual({ 'channel.follow': 5 });

    follow.inc(10);
    clock.advance(1000);
    const second = await reader.nth<DashboardTick>('tick', 2);
    expect(second.shards).toEqual([]);
    expect(second.rates.intervalMs).toBe(1000);
    expect(second.rates.eventsPerSecond).toEqual({ 'channel.follow': 10 });
    expect(second.rates.lagP50).toBeNull();
    expect(reader.count('tick')).toBe(2);
  });

  it('reads each source once per tick for every page, not once per page', async () => {
    const clock = new TestClock();
    const source = new FakeSource(2);
    const s = await start({ sources: [source], clock });
    const a = new SseReader(`${origin(s)}/api/stream`);
    const b = new SseReader(`${origin(s)}/api/stream`);
    readers.push(a, b);
    await a.nth('snapshot', 1);
    await b.nth('snapshot', 1);
    const before = source.views;
    clock.advance(1000);
    await a.nth('tick', 1);
    await b.nth('tick', 1);
    expect(source.views - before).toBe(1);
  });

  it('refuses streams past the cap with 503', async () => {
    const s = await start({ sources: [new FakeSource(1)], clock: new TestClock() });
    for (let i = 0; i < MAX_STREAMS; i++) readers.push(new SseReader(`${origin(s)}/api/stream`));
    await until(() => readers.every((r) => r.count('snapshot') === 1), 'every stream open');
    const extra = await http(`${origin(s)}/api/stream`);
    expect(extra.status).toBe(503);
  });

  it('drops a page that stops reading once its unsent bytes pass the bound, and keeps serving the others', async () => {
    const clock = new TestClock();
    const source = new FakeSource(20_000);
    const warnings: string[] = [];
    const log = (): void => undefined;
    const s = await start({
      sources: [source],
      clock,
      logger: { debug: log, info: log, error: log, warn: (message) => warnings.push(message) },
    });
    const reader = new SseReader(`${origin(s)}/api/stream`);
    readers.push(reader);
    await reader.nth('snapshot', 1);
    // A page that sends its request and never reads.
    const stalled = connect(s.port, '127.0.0.1');
    stalled.pause();
    stalled.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`);
    stalled.on('error', () => undefined);
    const dropped = (): boolean => warnings.includes('dashboard stream dropped: the page does not keep up');
    await until(() => source.views >= 2, 'the stalled stream got its snapshot');
    for (let tick = 1; tick <= 20 && !dropped(); tick++) {
      // Every shard changes every tick: about 4 MB per tick.
      source.shards = source.shards.map((x) => ({ ...x, sessionId: `${x.id}-${tick}-${'x'.repeat(100)}` }));
      clock.advance(1000);
      await reader.nth('tick', tick);
    }
    // (The stalled socket, paused, would see the close only once it reads: the server's word is what counts.)
    expect(dropped()).toBe(true);
    expect(reader.ended).toBe(false);
    const ticks = reader.count('tick');
    clock.advance(1000);
    await reader.nth('tick', ticks + 1);
    stalled.destroy();
  }, 30_000);

  it('ends every stream and stops ticking at close()', async () => {
    const clock = new TestClock();
    const s = await start({ sources: [new FakeSource(1)], clock });
    const reader = new SseReader(`${origin(s)}/api/stream`);
    readers.push(reader);
    await reader.nth('snapshot', 1);
    expect(clock.pending).toBe(1);
    await s.close();
    await until(() => reader.ended, 'the stream ended');
    expect(clock.pending).toBe(0);
    await s.close(); // idempotent
  });

  it('serves only /metrics and the probes with dashboard: false', async () => {
    const clock = new TestClock();
    const s = await start({ sources: [new FakeSource(1)], dashboard: false, clock });
    expect((await http(`${origin(s)}/`)).status).toBe(404);
    expect((await http(`${origin(s)}/api/stream`)).status).toBe(404);
    expect((await http(s.metricsUrl)).status).toBe(200);
    expect(clock.pending).toBe(0);
  });

  it('serves the page and a snapshot', async () => {
    const s = await start({ sources: [new FakeSource(2)] });
    const page = await http(s.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain('<html');
    const snapshot = JSON.parse((await http(`${origin(s)}/api/snapshot`)).body) as DashboardSnapshot;
    expect(snapshot.conduit?.shardCount).toBe(2);
    expect(snapshot.emulator).toBe(false);
    expect(snapshot.triggerTypes).toEqual([]);
  });
});

describe('/metrics', () => {
  it('writes a family once when two sources disagree on its type, and says so in the log', async () => {
    const a = new FakeSource();
    const other = new MetricsRegistry();
    other.gauge({ name: 'twitch_realtime_eventsub_notifications_total', help: 'wrong type' }).set(7);
    const b: ObservedSource = { metrics: () => other.snapshot() };
    const warnings: string[] = [];
    const log = (): void => undefined;
    a.events.labels('x').inc();
    const s = await start({
      sources: [a, b],
      logger: {
        debug: log,
        info: log,
        error: log,
        warn: (m, c) => warnings.push(`${m} ${JSON.stringify(c)}`),
      },
    });
    const family = parsePrometheus((await http(s.metricsUrl)).body).get(
      'twitch_realtime_eventsub_notifications_total',
    );
    expect(family?.type).toBe('counter');
    expect(family?.samples.map((x) => x.labels.source)).toEqual(['0']);
    expect(warnings.join()).toContain('twitch_realtime_eventsub_notifications_total (source 1)');
  });

  it('writes each family once with a source label per sample', async () => {
    const a = new FakeSource();
    const b = new FakeSource();
    a.events.labels('channel.follow').inc(2);
    b.events.labels('channel.follow').inc(3);
    const s = await start({ sources: [a, b] });
    const families = parsePrometheus((await http(s.metricsUrl)).body);
    const events = families.get('twitch_realtime_eventsub_notifications_total');
    expect(events?.samples).toEqual([
      {
        name: 'twitch_realtime_eventsub_notifications_total',
        labels: { type: 'channel.follow', source: '0' },
        value: 2,
      },
      {
        name: 'twitch_realtime_eventsub_notifications_total',
        labels: { type: 'channel.follow', source: '1' },
        value: 3,
      },
    ]);
  });
});
