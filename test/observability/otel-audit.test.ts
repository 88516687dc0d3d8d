/**
 * The OpenTelemetry export with a source whose snapshot turns malformed after the export started: the collection
 * still observes the other sources (the SDK would otherwise record the callback's error and drop the whole batch).
 */
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/core/metrics.js';
import { exportToOpenTelemetry, type OtelMeter } from '../../src/observability/otel.js';
import type { ObservedSource } from '../../src/observability/source.js';

class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let provider: MeterProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
});

describe('exportToOpenTelemetry with a source that turns malformed', () => {
  it('observes the other sources, with no collection error', async () => {
    const reader = new PullReader({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    });
    provider = new MeterProvider({ readers: [reader] });
    const good: ObservedSource = {
      metrics: () => [{ name: 'a_total', help: 'A', type: 'counter', samples: [{ labels: {}, value: 2 }] }],
    };
    let malformed = false;
    const bad: ObservedSource = {
      metrics: () =>
        (malformed
          ? [{ name: 'b_total', help: 'B', type: 'counter', samples: null }]
          : [{ name: 'b_total', help: 'B', type: 'counter', samples: [] }]) as unknown as MetricsSnapshot,
    };
    const meter: OtelMeter = provider.getMeter('test');
    const otel = await exportToOpenTelemetry([bad, good], { meter });
    malformed = true;
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const metrics = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics) metrics.set(m.descriptor.name, m);
    expect(metrics.get('a_total')?.dataPoints.map((p) => p.value)).toEqual([2]);
    otel.close();
  });
});
