/**
 * The observability server under hostile sources and a hostile emulator, over real sockets: a source whose view is
 * malformed must not kill the ticker (nor the process: its timer would throw), and a session id that is a dot segment
 * must never reach the emulator's URL path.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry, type MetricsSnapshot } from '../../src/core/metrics.js';
import type { DashboardTick } from '../../src/observability/dashboard-protocol.js';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/server.js';
import type { ObservedSource, ShardView, SourceView } from '../../src/observability/source.js';
import { TestClock } from '../../src/testing/clock.js';
import { parsePrometheus } from './prometheus-parser.js';
import { http, SseReader } from './server-support.js';

let server: ObservabilityServer | undefined;
let emulator: Server | undefined;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await server?.close();
  server = undefined;
  const e = emulator;
  emulator = undefined;
  if (e !== undefined) {
    e.closeAllConnections();
    await new Promise<void>((resolve) => {
      e.close(() => {
        resolve();
      });
    });
  }
});

function shard(id: string, sessionId: string | null): ShardView {
  return {
    id,
    state: 'enabled',
    owned: true,
    transport: 'websocket',
    sessionId,
    owner: null,
    connectedAt: 1,
    disconnectedAt: null,
  };
}

/** A source whose view the test sets, and may make malformed. */
class HostileSource implements ObservedSource {
  readonly registry = new MetricsRegistry();
  shards: ShardView[] = [shard('0', 'session-0')];
  malformed = false;
  metrics(): MetricsSnapshot {
    return this.registry.snapshot();
  }
  view(): SourceView {
    // A field JSON cannot write (a bigint): the tick's serialisation throws.
    const shards = this.malformed
      ? [{ ...shard('0', 'session-x'), connectedAt: 1n as unknown as number }]
      : this.shards;
    return { kind: 'HostileSource', conduit: { id: 'c', shardCount: 1, shards }, errors: [] };
  }
}

function quietLogger(errors: string[]) {
  const log = (): void => undefined;
  return { debug: log, info: log, warn: log, error: (m: string) => errors.push(m) };
}

describe('a tick that throws', () => {
  it('is logged and skipped: the ticker goes on, and the next tick reaches the page', async () => {
    const clock = new TestClock();
    const source = new HostileSource();
    const errors: string[] = [];
    server = await startObservabilityServer({
      sources: [source],
      port: 0,
      clock,
      logger: quietLogger(errors),
    });
    const reader = new SseReader(`http://127.0.0.1:${server.port}/api/stream`);
    readers.push(reader);
    await reader.nth('snapshot', 1);
    source.malformed = true;
    // Before the fix the timer's callback threw here (with the system clock: an uncaught exception, the process
    // gone) and the ticker was never scheduled again.
    expect(() => {
      clock.advance(1000);
    }).not.toThrow();
    expect(errors).toContain('dashboard tick failed');
    expect(clock.pending).toBe(1);
    source.malformed = false;
    source.shards = [{ ...shard('0', 'session-1') }];
    clock.advance(1000);
    const tick = await reader.nth<DashboardTick>('tick', 1);
    expect(tick.shards.map((s) => s.sessionId)).toEqual(['session-1']);
  });
});

describe('a control to a shard whose session id is hostile', () => {
  it('never forwards a session id that would change the emulator path (a dot segment)', async () => {
    const paths: string[] = [];
    const fake = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(204).end();
    });
    emulator = fake;
    await new Promise<void>((resolve) => {
      fake.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const base = `http://127.0.0.1:${String((fake.address() as AddressInfo).port)}`;
    const source = new HostileSource();
    server = await startObservabilityServer({ sources: [source], port: 0, emulator: base });
    const control = (id: string): ReturnType<typeof http> =>
      http(`http://127.0.0.1:${String(server?.port)}/api/emulator/shards/${id}/drop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    // A session id as Twitch (or an emulator) handed it: `..` would make `/_emulator/sessions/../drop` = `/_emulator/drop`.
    source.shards = [
      shard('0', '..'),
      shard('1', '.'),
      shard('2', 'AQoQexAWVYKSTIu4ec_2VAxyuhAB'),
      shard('3', 'a/b+c..'),
    ];
    const refused = [await control('0'), await control('1')];
    for (const answer of refused) {
      expect(answer.status).toBe(409);
      expect(JSON.parse(answer.body)).toMatchObject({
        ok: false,
        error: { code: 'OBSERVABILITY_BAD_CONTROL' },
      });
    }
    expect((await control('2')).status).toBe(200);
    expect((await control('3')).status).toBe(200);
    // Each control is answered after its forward ended: the emulator saw the good ones only, each as one segment.
    expect(paths).toEqual([
      '/_emulator/sessions/AQoQexAWVYKSTIu4ec_2VAxyuhAB/drop',
      '/_emulator/sessions/a%2Fb%2Bc../drop',
    ]);
  });
});

describe('/metrics with a bad source', () => {
  it('leaves out a source whose snapshot is malformed and serves the others (was a 500 for all)', async () => {
    const good = new HostileSource();
    good.registry.counter({ name: 'app_good_total', help: 'Good' }).inc(3);
    const bad: ObservedSource = {
      metrics: () =>
        [
          { name: 'app_bad', help: 'Bad', type: 'gauge', samples: [{ labels: { x: 1 }, value: 1 }] },
        ] as unknown as MetricsSnapshot,
    };
    const warnings: string[] = [];
    const log = (): void => undefined;
    server = await startObservabilityServer({
      sources: [good, bad],
      port: 0,
      logger: {
        debug: log,
        info: log,
        error: log,
        warn: (m, c) => warnings.push(`${m} ${JSON.stringify(c)}`),
      },
    });
    const answer = await http(server.metricsUrl);
    expect(answer.status).toBe(200);
    const families = parsePrometheus(answer.body);
    expect(families.get('app_good_total')?.samples).toEqual([
      { name: 'app_good_total', labels: { source: '0' }, value: 3 },
    ]);
    expect(families.has('app_bad')).toBe(false);
    expect(warnings.join('\n')).toContain('labels');
  });

  it("keeps a source's own `source` label as exported_source: no two series with one label set", async () => {
    const a = new HostileSource();
    const own = a.registry.counter({ name: 'app_jobs_total', help: 'Jobs', labelNames: ['source'] });
    own.labels('queue').inc(1);
    own.labels('cron').inc(2);
    server = await startObservabilityServer({ sources: [a], port: 0 });
    const families = parsePrometheus((await http(server.metricsUrl)).body);
    expect(families.get('app_jobs_total')?.samples.map((s) => s.labels)).toEqual([
      { source: '0', exported_source: 'queue' },
      { source: '0', exported_source: 'cron' },
    ]);
  });
});

describe('the dashboard with a source whose metrics are malformed', () => {
  it('still ticks, with the rates of the other sources', async () => {
    const clock = new TestClock();
    const good = new HostileSource();
    const events = good.registry.counter({
      name: 'twitch_realtime_eventsub_notifications_total',
      help: 'Notifications',
      labelNames: ['type'],
    });
    const bad: ObservedSource = {
      metrics: () =>
        [
          { name: 'twitch_realtime_shard_reconnects_total', help: 'x', type: 'counter', samples: null },
        ] as unknown as MetricsSnapshot,
    };
    server = await startObservabilityServer({ sources: [good, bad], port: 0, clock });
    const reader = new SseReader(`http://127.0.0.1:${String(server.port)}/api/stream`);
    readers.push(reader);
    await reader.nth('snapshot', 1);
    events.labels('channel.follow').inc(4);
    clock.advance(1000);
    const tick = await reader.nth<DashboardTick>('tick', 1);
    expect(tick.rates.eventsPerSecond).toEqual({ 'channel.follow': 4 });
  });
});

describe('a request line no URL parser takes', () => {
  it('is answered 400, not 500 with an error logged', async () => {
    const errors: string[] = [];
    server = await startObservabilityServer({
      sources: [new HostileSource()],
      port: 0,
      logger: quietLogger(errors),
    });
    const port = server.port;
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let out = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (out += chunk));
      socket.on('end', () => {
        resolve(out.split('\r\n')[0] ?? '');
      });
      socket.on('error', reject);
      socket.write(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\nConnection: close\r\n\r\n`);
    });
    expect(status).toBe('HTTP/1.1 400 Bad Request');
    expect(errors).toEqual([]);
  });
});

describe('/metrics in every case', () => {
  it('parses strictly: no samples, hostile label values, NaN and infinities, a histogram with its overflow child', async () => {
    const a = new HostileSource();
    const r = a.registry;
    r.counter({ name: 'app_empty_total', help: 'No samples', labelNames: ['x'] });
    const g = r.gauge({ name: 'app_values', help: 'Help with \\ and\nnewline', labelNames: ['v'] });
    g.labels('quote " backslash \\ newline \n end').set(Number.NaN);
    g.labels('inf').set(Infinity);
    g.labels('-inf').set(-Infinity);
    const h = r.histogram({
      name: 'app_lag_seconds',
      help: 'Lag',
      labelNames: ['k'],
      buckets: [0.1, 1],
      maxChildren: 1,
    });
    h.labels('one').observe(0.05);
    h.labels('two').observe(5); // past maxChildren: the overflow child
    const b: ObservedSource = { metrics: () => [] };
    server = await startObservabilityServer({ sources: [a, b], port: 0 });
    const families = parsePrometheus((await http(server.metricsUrl)).body);
    expect(families.get('app_empty_total')?.samples).toEqual([]);
    const values = families.get('app_values')?.samples ?? [];
    expect(values.map((s) => s.labels.v)).toEqual(['quote " backslash \\ newline \n end', 'inf', '-inf']);
    expect(values.map((s) => s.value)).toEqual([Number.NaN, Infinity, -Infinity]);
    const lag = families.get('app_lag_seconds')?.samples ?? [];
    expect(new Set(lag.map((s) => s.labels.k)).size).toBe(2);
  });
});

describe('rates around a source that fails one tick', () => {
  it('shows no spike when it answers again (its counters are not counted again from zero)', async () => {
    const clock = new TestClock();
    const source = new HostileSource();
    const reconnects = source.registry.counter({
      name: 'twitch_realtime_shard_reconnects_total',
      help: 'Reconnects',
      labelNames: ['shard'],
    });
    reconnects.labels('0').inc(100); // since the client started, long before
    let failing = false;
    const flaky: ObservedSource = {
      metrics: () => {
        if (failing) throw new Error('not now');
        return source.metrics();
      },
    };
    server = await startObservabilityServer({ sources: [flaky], port: 0, clock });
    const reader = new SseReader(`http://127.0.0.1:${String(server.port)}/api/stream`);
    readers.push(reader);
    await reader.nth('snapshot', 1);
    failing = true;
    clock.advance(1000);
    await reader.nth('tick', 1);
    failing = false;
    reconnects.labels('0').inc(2);
    clock.advance(1000);
    const tick = await reader.nth<DashboardTick>('tick', 2);
    expect(tick.rates.reconnects).toBe(2);
  });
});
