/**
 * OpenTelemetry export: the sources' metrics as observable instruments of an OpenTelemetry `Meter`, read from their
 * snapshots when the SDK collects (one snapshot per source per collection, in one batch callback), never on the hot
 * path. `@opentelemetry/api` is an optional peer dependency, loaded here only, by `import()`, and only when no meter
 * or meter provider is given; without it the export is a no-op (`enabled: false`).
 *
 * The few OpenTelemetry shapes used are mirrored structurally below, so that this package's types never require
 * `@opentelemetry/api`'s: a real `Meter` or `MeterProvider` fits them.
 */
import type { MetricSnapshot } from '../core/metrics.js';
import { checkOptions, fail, type Check, type OptionChecks } from '../core/options.js';
import { readMetrics } from './merge.js';
import type { ObservedSource } from './source.js';

/** A source skipped for one collection is not reported: the export has no logger, and the next collection retries. */
const skip = (): void => undefined;

/** Attributes of one observation (our labels). */
export type OtelAttributes = Readonly<Record<string, string>>;

/** An asynchronous instrument, as created by an {@link OtelMeter} (opaque here). */
export type OtelObservable = object;

/** What a batch callback observes through (OpenTelemetry's `BatchObservableResult`). */
export interface OtelBatchObservableResult {
  observe(observable: OtelObservable, value: number, attributes?: OtelAttributes): void;
}

/** Options of an instrument (OpenTelemetry's `MetricOptions`, the fields used). */
export interface OtelInstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
}

/** The part of OpenTelemetry's `Meter` this export uses: a `Meter` from `@opentelemetry/api` fits it. */
export interface OtelMeter {
  createObservableCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
  createObservableUpDownCounter(name: string, options?: OtelInstrumentOptions): OtelObservable;
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservable;
  addBatchObservableCallback(
    callback: (result: OtelBatchObservableResult) => void,
    observables: OtelObservable[],
  ): void;
  removeBatchObservableCallback(
    callback: (result: OtelBatchObservableResult) => void,
    observables: OtelObservable[],
  ): void;
}

/** The part of OpenTelemetry's `MeterProvider` this export uses. */
export interface OtelMeterProvider {
  getMeter(name: string, version?: string): OtelMeter;
}

/** Options of {@link exportToOpenTelemetry}. */
export interface OpenTelemetryExportOptions {
  /** The meter to create the instruments on. @defaultValue `meterProvider.getMeter('twitch-realtime')` */
  readonly meter?: OtelMeter;
  /**
   * The provider to take the meter from, when `meter` is not given. @defaultValue the global provider of
   * `@opentelemetry/api` (`metrics.getMeterProvider()`), loaded by `import()`
   */
  readonly meterProvider?: OtelMeterProvider;
  /**
   * Prepended to every instrument name (the names already start with `twitch_realtime_`): at most 64 characters
   * of letters, digits and `_ . - /`, starting with a letter (OpenTelemetry's instrument name rule). @defaultValue ''
   */
  readonly prefix?: string;
}

/** The export's handle: `enabled` tells whether instruments were registered. */
export type OpenTelemetryExport =
  | {
      readonly enabled: true;
      /** Removes the batch callback: the instruments report nothing more. Idempotent. */
      close(): void;
    }
  | {
      readonly enabled: false;
      /** Why nothing is exported (`@opentelemetry/api` could not be loaded). */
      readonly reason: string;
      /** Does nothing. */
      close(): void;
    };

/** The meter name used with a provider. */
export const OTEL_METER_NAME = 'twitch-realtime';

const PREFIX_PATTERN = /^(?:[A-Za-z][\w.\-/]{0,63})?$/;

/** The part of `@opentelemetry/api` loaded at run time. */
interface OtelApi {
  readonly metrics: { getMeterProvider(): OtelMeterProvider };
}

/** Loads `@opentelemetry/api`, or says why it cannot (not installed, or not the expected module). */
async function loadApi(): Promise<OtelApi | string> {
  try {
    const api = (await import('@opentelemetry/api')) as unknown as Partial<OtelApi>;
    if (typeof api.metrics?.getMeterProvider !== 'function') {
      return '@opentelemetry/api has no metrics.getMeterProvider()';
    }
    return api as OtelApi;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return `@opentelemetry/api could not be loaded${typeof code === 'string' ? ` (${code})` : ''}`;
  }
}

/** The unit OpenTelemetry expects, from our name's suffix. */
function unitOf(name: string): string | undefined {
  return name.endsWith('_seconds') ? 's' : undefined;
}

/**
 * Exports the metrics of `sources` (an `AutoClient`, its `helix`, a `PubSubPool`...) through OpenTelemetry, as
 * asynchronous instruments read when the SDK collects:
 * - counters: `ObservableCounter`; gauges: `ObservableGauge`; our labels as attributes;
 * - histograms: the API has no asynchronous histogram, so each is exported as its cumulative Prometheus series,
 *   `<name>_bucket` (`ObservableCounter`, attribute `le`: each upper bound and `+Inf`), `<name>_count`
 *   (`ObservableCounter`) and `<name>_sum` (`ObservableUpDownCounter`: a lag can be negative): nothing is added to
 *   the hot path, and quantiles are computed by the backend as from a Prometheus scrape.
 *
 * Each collection takes one snapshot per source, in one batch callback. The instruments are created from the
 * snapshots taken now; a metric that first appears later gets its instrument at the collection that sees it and is
 * observed from the next one. Give sources whose metrics do not overlap (two clients with the same metric names and
 * labels would observe the same series twice: export them through two meters).
 *
 * Without `meter` and `meterProvider`, the global provider of `@opentelemetry/api` is used; when that package is not
 * installed, the handle is `{ enabled: false, reason }` and nothing happens (never an exception).
 *
 * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming it) when `sources` is not an array of
 *   objects with a `metrics()` method, or an option has the wrong shape (`meter`, `meterProvider`, `prefix`).
 * @example
 * ```ts
 * import { exportToOpenTelemetry } from 'twitch-realtime/observability';
 *
 * const otel = await exportToOpenTelemetry([client, client.helix]);
 * if (!otel.enabled) console.warn(otel.reason);
 * // at shutdown
 * otel.close();
 * ```
 */
export async function exportToOpenTelemetry(
  sources: readonly ObservedSource[],
  options: OpenTelemetryExportOptions = {},
): Promise<OpenTelemetryExport> {
  checkArguments(sources, options);
  const list = [...sources];
  let meter = options.meter;
  if (meter === undefined) {
    let provider = options.meterProvider;
    if (provider === undefined) {
      const api = await loadApi();
      if (typeof api === 'string') return { enabled: false, reason: api, close: () => undefined };
      provider = api.metrics.getMeterProvider();
    }
    meter = provider.getMeter(OTEL_METER_NAME);
  }
  return new Exporter(meter, list, options.prefix ?? '').handle();
}

class Exporter {
  readonly #meter: OtelMeter;
  readonly #sources: readonly ObservedSource[];
  readonly #prefix: string;
  /** Metric names with instruments. */
  readonly #defined = new Set<string>();
  /** Instruments by series name (a histogram has three: `_bucket`, `_count`, `_sum`). */
  readonly #instruments = new Map<string, OtelObservable>();
  #observables: OtelObservable[];
  #closed = false;

  constructor(meter: OtelMeter, sources: readonly ObservedSource[], prefix: string) {
    this.#meter = meter;
    this.#sources = sources;
    this.#prefix = prefix;
    for (const source of sources) for (const metric of source.metrics()) this.#define(metric);
    this.#observables = [...this.#instruments.values()];
    meter.addBatchObservableCallback(this.#collect, this.#observables);
  }

  handle(): OpenTelemetryExport {
    return {
      enabled: true,
      close: () => {
        if (this.#closed) return;
        this.#closed = true;
        this.#meter.removeBatchObservableCallback(this.#collect, this.#observables);
      },
    };
  }

  /** One collection: one snapshot per source, every series observed. */
  readonly #collect = (result: OtelBatchObservableResult): void => {
    let grew = false;
    for (const source of this.#sources) {
      // A source that cannot answer now (it throws, or its snapshot is malformed) is skipped for this collection;
      // the others are still observed.
      const snapshot = readMetrics(source, skip) ?? [];
      for (const metric of snapshot) {
        if (this.#defined.has(metric.name)) {
          this.#observe(result, metric);
        } else {
          this.#define(metric);
          grew = true;
        }
      }
    }
    if (grew) {
      // Registered again with the new instruments once this collection is over: observed from the next one.
      const previous = this.#observables;
      this.#observables = [...this.#instruments.values()];
      queueMicrotask(() => {
        if (this.#closed) return;
        this.#meter.removeBatchObservableCallback(this.#collect, previous);
        this.#meter.addBatchObservableCallback(this.#collect, this.#observables);
      });
    }
  };

  #observe(result: OtelBatchObservableResult, metric: MetricSnapshot): void {
    const name = this.#prefix + metric.name;
    if (metric.type !== 'histogram') {
      const instrument = this.#instruments.get(name);
      if (instrument === undefined) return;
      for (const sample of metric.samples) result.observe(instrument, sample.value, sample.labels);
      return;
    }
    const bucket = this.#instruments.get(`${name}_bucket`);
    const count = this.#instruments.get(`${name}_count`);
    const sum = this.#instruments.get(`${name}_sum`);
    if (bucket === undefined || count === undefined || sum === undefined) return;
    const bounds = metric.bounds ?? [];
    for (const sample of metric.samples) {
      const total = sample.count ?? 0;
      result.observe(count, total, sample.labels);
      result.observe(sum, sample.value, sample.labels);
      const buckets = sample.buckets ?? [];
      for (let i = 0; i < bounds.length; i++) {
        result.observe(bucket, buckets[i] ?? 0, { ...sample.labels, le: String(bounds[i]) });
      }
      result.observe(bucket, total, { ...sample.labels, le: '+Inf' });
    }
  }

  /** Creates the instrument(s) of a metric (once per name). */
  #define(metric: MetricSnapshot): void {
    if (this.#defined.has(metric.name)) return;
    this.#defined.add(metric.name);
    const name = this.#prefix + metric.name;
    const meter = this.#meter;
    const unit = unitOf(metric.name);
    const options = (description: string, withUnit: boolean): OtelInstrumentOptions =>
      withUnit && unit !== undefined ? { description, unit } : { description };
    if (metric.type === 'counter') {
      this.#instruments.set(name, meter.createObservableCounter(name, options(metric.help, true)));
    } else if (metric.type === 'gauge') {
      this.#instruments.set(name, meter.createObservableGauge(name, options(metric.help, true)));
    } else {
      const help = metric.help;
      this.#instruments.set(
        `${name}_bucket`,
        meter.createObservableCounter(
          `${name}_bucket`,
          options(`${help} (cumulative count per bucket)`, false),
        ),
      );
      this.#instruments.set(
        `${name}_count`,
        meter.createObservableCounter(`${name}_count`, options(`${help} (observations)`, false)),
      );
      this.#instruments.set(
        `${name}_sum`,
        meter.createObservableUpDownCounter(`${name}_sum`, options(`${help} (sum)`, true)),
      );
    }
  }
}

/** The arguments' shapes (nothing is created before they are checked). */
function checkArguments(sources: unknown, options: unknown): void {
  if (!Array.isArray(sources)) fail('sources', 'an array of sources (objects with metrics())', sources);
  sources.forEach((source: unknown, i) => {
    if (typeof (source as { metrics?: unknown } | null)?.metrics !== 'function') {
      fail(`sources[${i}]`, 'a source (an object with metrics())', source);
    }
  });
  checkOptions(options, OPTION_CHECKS);
}

const OPTION_CHECKS: OptionChecks<OpenTelemetryExportOptions> = {
  meter: withMethods(
    'createObservableCounter',
    'createObservableUpDownCounter',
    'createObservableGauge',
    'addBatchObservableCallback',
    'removeBatchObservableCallback',
  ),
  meterProvider: withMethods('getMeter'),
  prefix: (value, field) => {
    if (typeof value !== 'string' || !PREFIX_PATTERN.test(value)) {
      fail(field, 'at most 64 letters, digits, _ . - / starting with a letter', value);
    }
  },
};

function withMethods(...names: string[]): Check {
  return (value, field) => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
      fail(field, `an object with ${names.join(', ')}`, value);
    }
    for (const name of names) {
      if (typeof (value as Record<string, unknown>)[name] !== 'function') {
        fail(field, `an object with ${names.join(', ')}`, value);
      }
    }
  };
}
