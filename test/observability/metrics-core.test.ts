/**
 * The metrics core (src/core/metrics.ts): children resolved once and bounded, histograms, and the Prometheus text
 * parsed back by a strict parser (test/observability/prometheus-parser.ts).
 */
import { describe, expect, it } from 'vitest';
import { MetricsRegistry, OVERFLOW_LABEL, toPrometheusText } from '../../src/core/metrics.js';
import { parseTimestampMs } from '../../src/core/timestamp.js';
import { parsePrometheus } from './prometheus-parser.js';

describe('metrics core', () => {
  it('resolves a label set once to the same child, and bounds the label sets', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 't_total', help: 'h', labelNames: ['type'], maxChildren: 2 });
    const a = c.labels('a');
    expect(c.labels('a')).toBe(a);
    a.inc();
    a.inc(2);
    c.labels('b').inc();
    // Past the bound, new label sets share the overflow child.
    c.labels('c').inc();
    c.labels('d').inc();
    const [snapshot] = r.snapshot();
    expect(snapshot?.samples).toEqual([
      { labels: { type: 'a' }, value: 3 },
      { labels: { type: 'b' }, value: 1 },
      { labels: { type: OVERFLOW_LABEL }, value: 2 },
    ]);
  });

  it('refuses names Prometheus would not read, and a metric registered twice', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter({ name: 'bad-name', help: '' })).toThrow(RangeError);
    expect(() => r.counter({ name: 'ok', help: '', labelNames: ['le'] })).toThrow(RangeError);
    r.gauge({ name: 'g', help: '' });
    expect(() => r.counter({ name: 'g', help: '' })).toThrow(RangeError);
    expect(() => r.counter({ name: 'two', help: '', labelNames: ['a', 'b'] }).labels('x')).toThrow(
      RangeError,
    );
  });

  it('writes the text format 0.0.4 that a strict parser reads back: escapes, histogram buckets, +Inf', () => {
    const r = new MetricsRegistry();
    r.counter({ name: 'x_events_total', help: 'Events \\ with\na newline', labelNames: ['type'] })
      .labels('we\\ird "one"\nsplit')
      .inc(5);
    const g = r.gauge({ name: 'x_shards', help: 'Shards', labelNames: ['state'] });
    r.collect(() => {
      g.reset();
      g.labels('ready').set(3);
    });
    const h = r.histogram({ name: 'x_lag_seconds', help: 'Lag', buckets: [0.1, 1, 0.5] });
    for (const v of [0.05, 0.3, 0.7, 2, 0.1]) h.observe(v);
    const text = toPrometheusText(r.snapshot());
    const families = parsePrometheus(text);
    expect(families.get('x_events_total')).toMatchObject({
      type: 'counter',
      help: 'Events \\\\ with\\na newline',
      samples: [{ labels: { type: 'we\\ird "one"\nsplit' }, value: 5 }],
    });
    expect(families.get('x_shards')?.samples).toEqual([
      { name: 'x_shards', labels: { state: 'ready' }, value: 3 },
    ]);
    const lag = families.get('x_lag_seconds');
    expect(lag?.type).toBe('histogram');
    expect(lag?.samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['x_lag_seconds_bucket', '0.1', 2],
      ['x_lag_seconds_bucket', '0.5', 3],
      ['x_lag_seconds_bucket', '1', 4],
      ['x_lag_seconds_bucket', '+Inf', 5],
      ['x_lag_seconds_sum', undefined, 3.15],
      ['x_lag_seconds_count', undefined, 5],
    ]);
    expect(text).toContain('# TYPE x_lag_seconds histogram\n');
    expect(text).toContain('x_events_total{type="we\\\\ird \\"one\\"\\nsplit"} 5\n');
  });
});

describe('parseTimestampMs', () => {
  it('agrees with Date.parse on Twitch timestamps and falls back to it for other forms', () => {
    const cases = [
      '2026-12-05T06:40:51.634234626Z',
      '2024-02-29T23:59:59.999Z',
      '1999-12-31T00:00:00Z',
      '2000-03-01T12:00:00.5Z',
      '2023-07-19T14:56:51.12Z',
      '2024-05-01T12:34:56+02:00',
      '2024-13-01T00:00:00Z',
      '2024-01-01T00:00:00.Z',
      'garbage',
      '',
    ];
    for (const ts of cases) expect([ts, parseTimestampMs(ts)]).toEqual([ts, Date.parse(ts)]);
    // A day change after a cached day.
    expect(parseTimestampMs('2024-01-02T00:00:00Z')).toBe(Date.parse('2024-01-02T00:00:00Z'));
  });
});
