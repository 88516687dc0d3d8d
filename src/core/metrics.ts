/**
 * The metrics core: counters, gauges and histograms with labels resolved once to a child handle, a registry that
 * snapshots everything as plain data, and `toPrometheusText` (text exposition format 0.0.4). No dependency.
 *
 * The hot path is a child's `inc()` / `observe()`: a number added, no allocation, no string built. Resolving the
 * child (`counter.labels('channel.follow')`) is a `Map` lookup, cached in a bounded map: past `maxChildren` label
 * sets, new ones share one overflow child labelled `__overflow__` (an attacker-chosen label cannot grow memory).
 */
import { InvalidArgumentError } from './errors.js';

/** The type of a metric, as Prometheus names it. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One labelled series of a snapshot. `buckets` (cumulative counts per upper bound) only for histograms. */
export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  /** Counter or gauge value; a histogram's sum. */
  readonly value: number;
  /** Histogram only: observations. */
  readonly count?: number;
  /** Histogram only: cumulative counts, one per bound of `MetricSnapshot.bounds` (`+Inf` is `count`). */
  readonly buckets?: readonly number[];
}

/** One metric of a snapshot, as plain data. */
export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Histogram only: the upper bounds, ascending (without `+Inf`). */
  readonly bounds?: readonly number[];
  readonly samples: readonly MetricSample[];
}

/** Every metric of a registry at one moment. */
export type MetricsSnapshot = readonly MetricSnapshot[];

/** Options of one metric. */
export interface MetricOptions {
  /** Prometheus name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, unit in the name (`_seconds`, `_total`). */
  readonly name: string;
  readonly help: string;
  /** Label names, in order (the values given to `labels()` follow this order). */
  readonly labelNames?: readonly string[];
  /** Most label sets kept apart (default 1,000); further ones share the `__overflow__` child. */
  readonly maxChildren?: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** The label value every label set past `maxChildren` is counted under. */
export const OVERFLOW_LABEL = '__overflow__';

/** A counter's or gauge's series: one number. */
export class ValueChild {
  value = 0;
  /** Adds `n` (default 1). */
  inc(n = 1): void {
    this.value += n;
  }
  /** Subtracts `n` (default 1); gauges only by convention. */
  dec(n = 1): void {
    this.value -= n;
  }
  /** Sets the value (gauges). */
  set(n: number): void {
    this.value = n;
  }
}

/** A histogram's series: counts per bucket (not cumulative until snapshot), sum and count. */
export class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];
  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }
  /** Records one observation (no allocation: a linear walk of the few bounds). */
  observe(v: number): void {
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (v <= (bounds[i] ?? Infinity)) {
        this.counts[i] = (this.counts[i] ?? 0) + 1;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

abstract class Metric<C> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly #children = new Map<string, { readonly values: readonly string[]; readonly child: C }>();
  readonly #max: number;

  constructor(options: MetricOptions) {
    if (!NAME.test(options.name))
      throw new RangeError(`metric name ${options.name} is not a Prometheus name`);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL.test(label) || label.startsWith('__') || label === 'le') {
        throw new RangeError(`label name ${label} of ${options.name} is not allowed`);
      }
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
    this.#max = options.maxChildren ?? 1_000;
  }

  protected abstract create(): C;

  /**
   * The child of these label values (created once, then cached): keep it and call it on the hot path. One value
   * per label name, in order.
   */
  labels(...values: string[]): C {
    const key = values.length === 1 ? (values[0] ?? '') : values.join('\u0000');
    const found = this.#children.get(key);
    if (found !== undefined) return found.child;
    if (values.length !== this.labelNames.length) {
      throw new RangeError(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    }
    if (this.#children.size >= this.#max) return this.#overflow();
    const child = this.create();
    this.#children.set(key, { values: [...values], child });
    return child;
  }

  /** The child every label set past the bound shares (kept in the map past the bound: one more entry). */
  #overflow(): C {
    const values = this.labelNames.map(() => OVERFLOW_LABEL);
    const key = values.join('\u0000');
    const found = this.#children.get(key);
    if (found !== undefined) return found.child;
    const child = this.create();
    this.#children.set(key, { values, child });
    return child;
  }

  /** Every series as `[label values, child]`. */
  protected entries(): IterableIterator<{ readonly values: readonly string[]; readonly child: C }> {
    return this.#children.values();
  }

  protected labelRecord(values: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (out[name] = values[i] ?? ''));
    return out;
  }

  abstract snapshot(): MetricSnapshot;
}

abstract class ValueMetric extends Metric<ValueChild> {
  protected create(): ValueChild {
    return new ValueChild();
  }
  /** Adds `n` to the unlabelled series. */
  inc(n = 1): void {
    this.labels().inc(n);
  }
  snapshot(): MetricSnapshot {
    const samples: MetricSample[] = [];
    for (const { values, child } of this.entries()) {
      samples.push({ labels: this.labelRecord(values), value: child.value });
    }
    return { name: this.name, help: this.help, type: this.type, samples };
  }
}

/** A value that only goes up (`_total`). `inc()` on the unlabelled metric itself, or on a `labels()` child. */
export class Counter extends ValueMetric {
  readonly type = 'counter';
}

/** A value that goes up and down. */
export class Gauge extends ValueMetric {
  readonly type = 'gauge';
  /** Sets the unlabelled series. */
  set(n: number): void {
    this.labels().set(n);
  }
  /** Sets every series to 0 (a collector does this before setting the current ones). */
  reset(): void {
    for (const { child } of this.entries()) child.value = 0;
  }
}

/** Observations counted in fixed buckets, with their sum. */
export class Histogram extends Metric<HistogramChild> {
  readonly type = 'histogram';
  readonly bounds: readonly number[];
  constructor(options: MetricOptions & { readonly buckets: readonly number[] }) {
    super(options);
    const sorted = [...options.buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => !Number.isFinite(b) || (i > 0 && b === sorted[i - 1]))) {
      throw new RangeError(`${options.name}: buckets must be distinct finite numbers`);
    }
    this.bounds = sorted;
  }
  protected create(): HistogramChild {
    return new HistogramChild(this.bounds);
  }
  /** Records one observation on the unlabelled series. */
  observe(v: number): void {
    this.labels().observe(v);
  }
  snapshot(): MetricSnapshot {
    const samples: MetricSample[] = [];
    for (const { values, child } of this.entries()) {
      let running = 0;
      const buckets = Array.from(child.counts, (n) => (running += n));
      samples.push({ labels: this.labelRecord(values), value: child.sum, count: child.count, buckets });
    }
    return { name: this.name, help: this.help, type: this.type, bounds: this.bounds, samples };
  }
}

/**
 * The metrics of one client. `collect` callbacks run at each snapshot (gauges computed from state, e.g. shards by
 * state), so nothing is kept up to date on the hot path for them.
 *
 * @example
 * ```ts
 * const registry = new MetricsRegistry();
 * const events = registry.counter({ name: 'app_events_total', help: 'Events', labelNames: ['type'] });
 * const follows = events.labels('channel.follow'); // once
 * follows.inc(); // per event
 * const text = toPrometheusText(registry.snapshot());
 * ```
 */
export class MetricsRegistry {
  readonly #metrics: Metric<unknown>[] = [];
  readonly #collectors: (() => void)[] = [];

  counter(options: MetricOptions): Counter {
    return this.#add(new Counter(options));
  }
  gauge(options: MetricOptions): Gauge {
    return this.#add(new Gauge(options));
  }
  histogram(options: MetricOptions & { readonly buckets: readonly number[] }): Histogram {
    return this.#add(new Histogram(options));
  }
  /** Runs `collect` before each snapshot. */
  collect(collect: () => void): void {
    this.#collectors.push(collect);
  }
  /** Every metric now, as plain data (collectors run first). */
  snapshot(): MetricsSnapshot {
    for (const collect of this.#collectors) collect();
    return this.#metrics.map((m) => m.snapshot());
  }

  #add<T extends Metric<unknown>>(metric: T): T {
    if (this.#metrics.some((m) => m.name === metric.name)) {
      throw new RangeError(`metric ${metric.name} is registered twice`);
    }
    this.#metrics.push(metric);
    return metric;
  }
}

/** Delivery lag and similar, seconds: 5 ms to 1 min. */
export const LAG_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** HTTP latency, seconds: 10 ms to 30 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The content type of {@link toPrometheusText}'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A snapshot in the Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` per metric, label values escaped
 * (`\\`, `"`, newline), histograms as `_bucket{le="…"}` (cumulative, ending with `+Inf`), `_sum` and `_count`. Serve
 * it with {@link PROMETHEUS_CONTENT_TYPE}.
 *
 * @example
 * ```ts
 * res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }).end(toPrometheusText(client.metrics()));
 * ```
 */
export function toPrometheusText(snapshot: MetricsSnapshot): string {
  checkSnapshot(snapshot);
  let out = '';
  for (const metric of snapshot) {
    out += `# HELP ${metric.name} ${escapeHelp(metric.help)}\n# TYPE ${metric.name} ${metric.type}\n`;
    for (const sample of metric.samples) {
      if (metric.type !== 'histogram') {
        out += `${metric.name}${labelText(sample.labels)} ${formatValue(sample.value)}\n`;
        continue;
      }
      const bounds = metric.bounds ?? [];
      const count = sample.count ?? 0;
      bounds.forEach((bound, i) => {
        const le = labelText(sample.labels, formatValue(bound));
        out += `${metric.name}_bucket${le} ${formatValue(sample.buckets?.[i] ?? 0)}\n`;
      });
      out += `${metric.name}_bucket${labelText(sample.labels, '+Inf')} ${formatValue(count)}\n`;
      out += `${metric.name}_sum${labelText(sample.labels)} ${formatValue(sample.value)}\n`;
      out += `${metric.name}_count${labelText(sample.labels)} ${formatValue(count)}\n`;
    }
  }
  return out;
}

function labelText(labels: Readonly<Record<string, string>>, le?: string): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

const TYPES: readonly unknown[] = ['counter', 'gauge', 'histogram'];

/**
 * A snapshot as `MetricsRegistry.snapshot` makes it, or `INVALID_ARGUMENT` naming the first wrong field. Internal
 * (not in the barrels): the observability server checks each source's snapshot with it before merging.
 */
export function checkSnapshot(snapshot: unknown): asserts snapshot is MetricsSnapshot {
  const bad = (field: string, expected: string): never => {
    throw new InvalidArgumentError(`${field} must be ${expected}`, field);
  };
  if (!Array.isArray(snapshot)) bad('snapshot', 'an array of metric snapshots (`metrics()`)');
  (snapshot as unknown[]).forEach((metric, i) => {
    const at = `snapshot[${i}]`;
    if (typeof metric !== 'object' || metric === null) bad(at, 'a metric snapshot');
    const m = metric as Record<string, unknown>;
    if (typeof m.name !== 'string' || !NAME.test(m.name)) bad(`${at}.name`, 'a Prometheus metric name');
    if (typeof m.help !== 'string') bad(`${at}.help`, 'a string');
    if (!TYPES.includes(m.type)) bad(`${at}.type`, "'counter', 'gauge' or 'histogram'");
    const histogram = m.type === 'histogram';
    if (histogram && (!Array.isArray(m.bounds) || !m.bounds.every((b) => typeof b === 'number'))) {
      bad(`${at}.bounds`, 'an array of numbers');
    }
    if (!Array.isArray(m.samples)) bad(`${at}.samples`, 'an array');
    (m.samples as unknown[]).forEach((sample, j) => {
      const sat = `${at}.samples[${j}]`;
      if (typeof sample !== 'object' || sample === null) bad(sat, 'a sample');
      const x = sample as Record<string, unknown>;
      if (typeof x.value !== 'number') bad(`${sat}.value`, 'a number');
      const labels = x.labels;
      if (typeof labels !== 'object' || labels === null || Array.isArray(labels))
        bad(`${sat}.labels`, 'an object');
      for (const [k, v] of Object.entries(labels as object)) {
        if (!LABEL.test(k) || typeof v !== 'string') bad(`${sat}.labels`, 'label names mapped to strings');
      }
      if (!histogram) return;
      if (typeof x.count !== 'number') bad(`${sat}.count`, 'a number');
      const buckets = x.buckets;
      if (!Array.isArray(buckets) || !buckets.every((b) => typeof b === 'number')) {
        bad(`${sat}.buckets`, 'an array of numbers');
      }
    });
  });
}
