/**
 * The dashboard's per-tick rates, from the sources' metrics: counter deltas between two ticks (a counter that went
 * down, a client replaced, counts from zero again), lag quantiles from the histogram's bucket deltas (linear
 * interpolation within a bucket, as Prometheus's `histogram_quantile`), and a bounded history ring.
 */
import type { MetricSnapshot, MetricsSnapshot } from '../core/metrics.js';
import type { DashboardRates } from './dashboard-protocol.js';

const NOTIFICATIONS = 'twitch_realtime_eventsub_notifications_total';
const LAG = 'twitch_realtime_eventsub_delivery_lag_seconds';
const HELIX_REMAINING = 'twitch_realtime_helix_ratelimit_remaining_points';
/** Counters summed over every sample and source, by the rate field they feed. */
const COUNTERS = {
  duplicates: 'twitch_realtime_eventsub_duplicates_total',
  reconnects: 'twitch_realtime_shard_reconnects_total',
  handlerErrors: 'twitch_realtime_eventsub_handler_errors_total',
  helixRequests: 'twitch_realtime_helix_requests_total',
  helixRateLimited: 'twitch_realtime_helix_rate_limited_total',
  helixServerErrors: 'twitch_realtime_helix_server_errors_total',
} as const;
type CounterField = keyof typeof COUNTERS;
const COUNTER_FIELDS = Object.keys(COUNTERS) as CounterField[];
const FIELD_OF = new Map<string, CounterField>(COUNTER_FIELDS.map((f) => [COUNTERS[f], f]));

/** The history ring's default length (5 minutes at one tick per second). */
export const HISTORY_LIMIT = 300;

function labelKey(labels: Readonly<Record<string, string>>): string {
  let key = '';
  for (const name in labels) key += `${name}=${labels[name] ?? ''},`;
  return key;
}

/** The `q` quantile of bucket deltas (`deltas[i]`: observations in `(bounds[i-1], bounds[i]]`, last: above). */
export function quantile(q: number, bounds: readonly number[], deltas: readonly number[]): number | null {
  let total = 0;
  for (const d of deltas) total += d;
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i] ?? 0;
    if (d > 0 && seen + d >= rank) {
      const upper = bounds[i];
      // Above the last bound: the last bound is all that is known (as histogram_quantile).
      if (upper === undefined) return bounds[bounds.length - 1] ?? null;
      const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      return lower + (upper - lower) * ((rank - seen) / d);
    }
    seen += d;
  }
  return bounds[bounds.length - 1] ?? null;
}

/** Rates between ticks over every source, and the last `limit` of them. */
export class RateTracker {
  readonly #limit: number;
  readonly #history: DashboardRates[] = [];
  /** The previous tick's value of each series (`source|name|labels`; histogram buckets as arrays). */
  #previous = new Map<string, number | readonly number[]>();
  #previousAt: number | null = null;
  /** The sources read at least once: a source's first snapshot is only the base of its deltas. */
  readonly #seen = new Set<number>();

  constructor(limit = HISTORY_LIMIT) {
    this.#limit = limit;
  }

  /** The ring, oldest first. */
  history(): readonly DashboardRates[] {
    return this.#history;
  }

  /**
   * The rates since the previous call (the first call only sets the base: its counts are 0), kept in the ring.
   * `null` for a source that could not be read now: its previous values stay the base of its next deltas (its
   * counters, read again, are not counted again from zero), and a source's first snapshot only sets its base.
   */
  tick(at: number, snapshots: readonly (MetricsSnapshot | null)[]): DashboardRates {
    const intervalMs = this.#previousAt === null ? 0 : Math.max(0, at - this.#previousAt);
    const first = this.#previousAt === null;
    const next = new Map<string, number | readonly number[]>();
    const counts: Record<CounterField, number> = {
      duplicates: 0,
      reconnects: 0,
      handlerErrors: 0,
      helixRequests: 0,
      helixRateLimited: 0,
      helixServerErrors: 0,
    };
    const perType = new Map<string, number>();
    let lagBounds: readonly number[] | null = null;
    let lagDeltas: number[] | null = null;
    let remaining: number | null = null;
    let app: number | null = null;

    let base = first;
    const delta = (key: string, value: number): number => {
      next.set(key, value);
      const before = this.#previous.get(key);
      if (base) return 0;
      if (typeof before !== 'number' || value < before) return value;
      return value - before;
    };

    let unread: Set<number> | null = null;
    for (let index = 0; index < snapshots.length; index++) {
      const snapshot = snapshots[index];
      if (snapshot === null || snapshot === undefined) {
        (unread ??= new Set()).add(index);
        continue;
      }
      base = first || !this.#seen.has(index);
      this.#seen.add(index);
      for (const metric of snapshot) {
        const field = FIELD_OF.get(metric.name);
        if (field !== undefined) {
          for (const s of metric.samples)
            counts[field] += delta(`${index}|${metric.name}|${labelKey(s.labels)}`, s.value);
        } else if (metric.name === NOTIFICATIONS) {
          for (const s of metric.samples) {
            const d = delta(`${index}|${metric.name}|${labelKey(s.labels)}`, s.value);
            const type = s.labels.type ?? '';
            if (d > 0) perType.set(type, (perType.get(type) ?? 0) + d);
          }
        } else if (metric.name === LAG) {
          const d = this.#histogramDeltas(index, metric, next, base);
          if (d === null) continue;
          if (lagDeltas === null) {
            lagBounds = metric.bounds ?? [];
            lagDeltas = d;
          } else if (d.length === lagDeltas.length) {
            for (let i = 0; i < d.length; i++) lagDeltas[i] = (lagDeltas[i] ?? 0) + (d[i] ?? 0);
          }
        } else if (metric.name === HELIX_REMAINING) {
          for (const s of metric.samples) {
            if (s.labels.bucket === 'app') app = app === null ? s.value : Math.min(app, s.value);
            remaining = remaining === null ? s.value : Math.min(remaining, s.value);
          }
        }
      }
    }
    if (unread !== null) {
      for (const [key, value] of this.#previous) {
        if (unread.has(Number(key.slice(0, key.indexOf('|'))))) next.set(key, value);
      }
    }
    this.#previous = next;
    this.#previousAt = at;

    const seconds = intervalMs / 1000;
    const eventsPerSecond: Record<string, number> = {};
    if (seconds > 0) for (const [type, n] of perType) eventsPerSecond[type] = n / seconds;
    const bounds: readonly number[] = lagBounds ?? [];
    const deltas: readonly number[] = lagDeltas ?? [];
    const rates: DashboardRates = {
      at,
      intervalMs,
      eventsPerSecond,
      lagP50: quantile(0.5, bounds, deltas),
      lagP99: quantile(0.99, bounds, deltas),
      ...counts,
      helixRemaining: app ?? remaining,
    };
    this.#history.push(rates);
    if (this.#history.length > this.#limit) this.#history.shift();
    return rates;
  }

  /** Per-bucket (non-cumulative) deltas of one source's histogram since the previous tick, `+Inf` last. */
  #histogramDeltas(
    index: number,
    metric: MetricSnapshot,
    next: Map<string, number | readonly number[]>,
    first: boolean,
  ): number[] | null {
    let out: number[] | null = null;
    for (const s of metric.samples) {
      // Cumulative → per bucket, then +Inf (count minus the last cumulative bucket).
      const cumulative = s.buckets ?? [];
      const per: number[] = [];
      let prev = 0;
      for (const c of cumulative) {
        per.push(c - prev);
        prev = c;
      }
      per.push((s.count ?? 0) - prev);
      const key = `${index}|${metric.name}|${labelKey(s.labels)}`;
      const before = this.#previous.get(key);
      next.set(key, per);
      if (first) continue;
      const reset =
        !Array.isArray(before) || before.length !== per.length || per.some((v, i) => v < (before[i] ?? 0));
      const d = reset ? per : per.map((v, i) => v - ((before as readonly number[])[i] ?? 0));
      if (out === null) out = d;
      else for (let i = 0; i < d.length; i++) out[i] = (out[i] ?? 0) + (d[i] ?? 0);
    }
    return out;
  }
}
