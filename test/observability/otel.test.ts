/**
 * The OpenTelemetry export against the real SDK (`@opentelemetry/sdk-metrics`: a `MeterProvider` with a pull
 * `MetricReader`), after real traffic from the emulator: the AutoClient's and the HelixClient's counters, gauges and
 * histograms as observable instruments, read once per collection; `close()`; bad arguments. The absent case for real:
 * a child process running the module from a copy of src/ outside any node_modules (through tsx), where
 * `@opentelemetry/api` cannot be resolved.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { metrics as otelMetrics, type Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/core/metrics.js';
import { exportToOpenTelemetry, type OtelMeter } from '../../src/observability/otel.js';
import type { ObservedSource } from '../../src/observability/source.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { until } from '../support/until.js';

class PullReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

let twitch: TestTwitch | undefined;
let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  otelMetrics.disable();
  await twitch?.close();
  twitch = undefined;
});

function newProvider(): { provider: MeterProvider; reader: PullReader } {
  const reader = new PullReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  provider = new MeterProvider({ readers: [reader] });
  return { provider, reader };
}

async function collect(reader: PullReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) out.set(m.descriptor.name, m);
  return out;
}

/** The value of the point of `metric` whose attributes are exactly `attributes`. */
function point(metric: MetricData | undefined, attributes: Record<string, string> = {}): number | undefined {
  const key = JSON.stringify(Object.entries(attributes).sort());
  const found = metric?.dataPoints.find((p) => JSON.stringify(Object.entries(p.attributes).sort()) === key);
  return found?.value as number | undefined;
}

describe('exportToOpenTelemetry', () => {
  it("exports the AutoClient's and HelixClient's metrics after real traffic, one snapshot per collection", async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { broadcaster, moderator } = t.users;
    const client = t.autoClient({
      subscriptions: [
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
        },
      ],
    });
    let follows = 0;
    client.on('channel.follow', () => follows++);
    await client.start();
    for (let i = 0; i < 3; i++) t.emulator.trigger('channel.follow', '2', { event: { userName: `u${i}` } });
    await t.drain();
    await until(() => follows === 3, { what: 'three follows' });

    const { reader } = newProvider();
    // Snapshots taken, counted per source: one per collection.
    let snapshots = 0;
    const counted = (source: ObservedSource): ObservedSource => ({
      metrics: (): MetricsSnapshot => {
        snapshots++;
        return source.metrics();
      },
    });
    const sources = [counted(client), counted(client.helix)];
    const meter: Meter = provider!.getMeter('test');
    const otel = await exportToOpenTelemetry(sources, { meter });
    expect(otel.enabled).toBe(true);
    snapshots = 0;
    const got = await collect(reader);
    expect(snapshots).toBe(2);

    const notifications = got.get('twitch_realtime_eventsub_notifications_total');
    expect(notifications?.dataPointType).toBe(DataPointType.SUM);
    expect(notifications).toMatchObject({ isMonotonic: true });
    expect(point(notifications, { type: 'channel.follow' })).toBe(3);
    const shards = got.get('twitch_realtime_shards');
    expect(shards?.dataPointType).toBe(DataPointType.GAUGE);
    expect(point(shards, { state: 'ready' })).toBe(client.conduitInfo.websockets.size);
    // The lag histogram as its cumulative Prometheus series.
    const lagCount = got.get('twitch_realtime_eventsub_delivery_lag_seconds_count');
    expect(point(lagCount)).toBe(3);
    const buckets = got.get('twitch_realtime_eventsub_delivery_lag_seconds_bucket');
    expect(point(buckets, { le: '+Inf' })).toBe(3);
    const sum = got.get('twitch_realtime_eventsub_delivery_lag_seconds_sum');
    expect(sum).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: false });
    expect(sum?.descriptor.unit).toBe('s');
    // The Helix client's, from the same collection.
    const requests = got.get('twitch_realtime_helix_requests_total');
    expect(requests?.dataPoints.reduce((n, p) => n + (p.value as number), 0)).toBeGreaterThan(0);

    // More traffic shows at the next collection, read then (not at export time).
    t.emulator.trigger('channel.follow', '2', { event: { userName: 'u3' } });
    await t.drain();
    await until(() => follows === 4, { what: 'a fourth follow' });
    const again = await collect(reader);
    expect(point(again.get('twitch_realtime_eventsub_notifications_total'), { type: 'channel.follow' })).toBe(
      4,
    );

    // Closed: no snapshot is taken any more.
    otel.close();
    otel.close();
    snapshots = 0;
    await collect(reader);
    expect(snapshots).toBe(0);
  });

  it('takes the meter from a provider, or from the global one of @opentelemetry/api; prefixes names', async () => {
    const source: ObservedSource = {
      metrics: () => [{ name: 'x_total', help: 'X', type: 'counter', samples: [{ labels: {}, value: 5 }] }],
    };
    const { provider: own, reader } = newProvider();
    const byProvider = await exportToOpenTelemetry([source], { meterProvider: own, prefix: 'app.' });
    expect(point((await collect(reader)).get('app.x_total'))).toBe(5);
    byProvider.close();

    otelMetrics.setGlobalMeterProvider(own);
    const byGlobal = await exportToOpenTelemetry([source]);
    expect(byGlobal.enabled).toBe(true);
    expect(point((await collect(reader)).get('x_total'))).toBe(5);
    byGlobal.close();
  });

  it('defines a metric that first appears later, and skips a source that throws', async () => {
    let late = false;
    const source: ObservedSource = {
      metrics: () => [
        { name: 'a_total', help: 'A', type: 'counter', samples: [{ labels: {}, value: 1 }] },
        ...(late
          ? [{ name: 'b', help: 'B', type: 'gauge' as const, samples: [{ labels: { k: 'v' }, value: 7 }] }]
          : []),
      ],
    };
    const broken: ObservedSource = {
      metrics: () => {
        throw new Error('broken');
      },
    };
    const { reader } = newProvider();
    const meter: OtelMeter = provider!.getMeter('test');
    const otel = await exportToOpenTelemetry([source], { meter });
    late = true;
    await collect(reader); // sees b, defines it
    const got = await collect(reader);
    expect(point(got.get('b'), { k: 'v' })).toBe(7);
    expect(point(got.get('a_total'))).toBe(1);
    otel.close();
    await expect(exportToOpenTelemetry([broken], { meter })).rejects.toThrow('broken');
  });

  it('refuses bad arguments with INVALID_ARGUMENT naming the field', async () => {
    await expect(exportToOpenTelemetry('x' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'sources',
    });
    await expect(exportToOpenTelemetry([{}] as never)).rejects.toMatchObject({ field: 'sources[0]' });
    await expect(exportToOpenTelemetry([], { meter: {} as never })).rejects.toMatchObject({ field: 'meter' });
    await expect(exportToOpenTelemetry([], { prefix: '9bad' })).rejects.toMatchObject({ field: 'prefix' });
  });

  it('is a no-op (enabled: false) where @opentelemetry/api cannot be resolved: a child process, for real', async () => {
    // The sources, copied outside the repository (no node_modules above them), run through tsx: the package cannot
    // be resolved there, whatever dist/ holds.
    const dir = await mkdtemp(join(tmpdir(), 'otel-absent-'));
    try {
      await cp(resolve('src'), join(dir, 'src'), { recursive: true });
      await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      const tsx = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
      const otelModule = pathToFileURL(join(dir, 'src', 'observability', 'otel.ts')).href;
      const script = `
        const { exportToOpenTelemetry } = await import(${JSON.stringify(otelModule)});
        const otel = await exportToOpenTelemetry([{ metrics: () => [] }]);
        otel.close();
        process.stdout.write(JSON.stringify(otel));
      `;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', tsx, '--input-type=module', '-e', script],
        { cwd: dir, env: { PATH: process.env.PATH ?? '' } },
      );
      expect(JSON.parse(stdout)).toEqual({
        enabled: false,
        reason: '@opentelemetry/api could not be loaded (ERR_MODULE_NOT_FOUND)',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
