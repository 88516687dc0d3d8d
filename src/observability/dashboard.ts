/**
 * The dashboard's data, built from the sources: a full `DashboardSnapshot` on demand, and per tick a `DashboardTick`
 * of what changed: the rates (from one `metrics()` read of each source), the health, the shards whose view changed
 * since the previous tick (a field-by-field compare against the previous tick's shards), the conduit's id and count
 * when they changed, the subscription counts when they changed, and the errors recorded since.
 */
import type {
  ErrorView,
  HealthReport,
  ObservedSource,
  ShardView,
  SourceView,
  SubscriptionsView,
} from './source.js';
import {
  DASHBOARD_PROTOCOL_VERSION,
  type DashboardRates,
  type DashboardSnapshot,
  type DashboardSourceInfo,
  type DashboardTick,
} from './dashboard-protocol.js';
import { readMetrics } from './merge.js';
import { RateTracker } from './rates.js';

type SourcedError = ErrorView & { readonly source: number };

/** One source's `view()`, `undefined` when it has none or it threw (reported through `onError`). */
function viewOf(source: ObservedSource, onError: (error: unknown) => void): SourceView | undefined {
  try {
    return source.view?.();
  } catch (error) {
    onError(error);
    return undefined;
  }
}

/** One source's `health()`: `null` when it has none; a health check that throws is a failed check. */
export function healthOf(source: ObservedSource): HealthReport | null {
  if (source.health === undefined) return null;
  try {
    return source.health();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { live: false, ready: false, reasons: [`health check threw: ${message}`] };
  }
}

/** Whether two shard views differ in any field. */
export function shardChanged(a: ShardView, b: ShardView): boolean {
  return (
    a.id !== b.id ||
    a.state !== b.state ||
    a.owned !== b.owned ||
    a.transport !== b.transport ||
    a.sessionId !== b.sessionId ||
    a.owner !== b.owner ||
    a.connectedAt !== b.connectedAt ||
    a.disconnectedAt !== b.disconnectedAt
  );
}

/** The shards of `next` that differ from `previous` (compared by position: both are in id order). */
export function changedShards(previous: readonly ShardView[], next: readonly ShardView[]): ShardView[] {
  const out: ShardView[] = [];
  for (let i = 0; i < next.length; i++) {
    const shard = next[i];
    if (shard === undefined) continue;
    const before = previous[i];
    // The same object is unchanged (a source may reuse the views of unchanged shards).
    if (before === undefined || (before !== shard && shardChanged(before, shard))) out.push(shard);
  }
  return out;
}

function sumSubscriptions(views: readonly (SourceView | undefined)[]): SubscriptionsView | null {
  let found = false;
  const counts = new Map<
    string,
    { type: string; version: string; status: string; count: number; cost: number }
  >();
  let total = 0;
  let totalCost = 0;
  let maxTotalCost: number | null = null;
  let listedAt: number | null = null;
  for (const view of views) {
    const s = view?.subscriptions;
    if (s === undefined) continue;
    found = true;
    for (const c of s.counts) {
      const key = `${c.type}\u0000${c.version}\u0000${c.status}`;
      const row = counts.get(key) ?? {
        type: c.type,
        version: c.version,
        status: c.status,
        count: 0,
        cost: 0,
      };
      row.count += c.count;
      row.cost += c.cost;
      counts.set(key, row);
    }
    total += s.total;
    totalCost += s.totalCost;
    if (s.maxTotalCost !== null) maxTotalCost = Math.max(maxTotalCost ?? 0, s.maxTotalCost);
    if (s.listedAt !== null) listedAt = Math.max(listedAt ?? 0, s.listedAt);
  }
  if (!found) return null;
  return { counts: [...counts.values()], total, totalCost, maxTotalCost, listedAt };
}

function errorKey(e: ErrorView): string {
  return `${e.at}\u0000${e.code}\u0000${e.message}`;
}

/** Options of {@link DashboardState}. */
export interface DashboardStateOptions {
  readonly sources: readonly ObservedSource[];
  readonly tickMs: number;
  readonly emulator: boolean;
  readonly triggerTypes: readonly { readonly type: string; readonly version: string }[];
  readonly historyLimit?: number;
  /** A source's `view()` or `metrics()` threw (logged by the server; the source is shown without it). */
  readonly onError: (error: unknown) => void;
}

/** Errors kept in a snapshot, newest last. */
const SNAPSHOT_ERRORS = 200;

export class DashboardState {
  readonly #options: DashboardStateOptions;
  readonly #rates: RateTracker;
  /** The shards sent last (the base of the next tick's diff); `null` until a snapshot or tick was built. */
  #shards: readonly ShardView[] | null = null;
  #conduit: { id: string | null; shardCount: number } | null = null;
  #subscriptions = '';
  /** Per source: the key of the newest error already sent. */
  readonly #lastError: (string | null)[];

  constructor(options: DashboardStateOptions) {
    this.#options = options;
    this.#rates = new RateTracker(options.historyLimit);
    this.#lastError = options.sources.map(() => null);
  }

  /** Drops the base of the diff (no page is connected): the next snapshot sets it. */
  forget(): void {
    this.#shards = null;
    this.#conduit = null;
  }

  /** Reads every source's metrics once and records the rates (history only: no view is built). */
  sample(at: number): DashboardRates {
    // A source that cannot be read now is `null`: the rates keep its previous values as the base.
    const snapshots = this.#options.sources.map((source) => readMetrics(source, this.#options.onError));
    return this.#rates.tick(at, snapshots);
  }

  /** Everything the page needs from nothing (also makes it the base of the next tick's diff if there is none). */
  snapshot(at: number): DashboardSnapshot {
    const sources = this.#options.sources;
    const views = sources.map((s) => viewOf(s, this.#options.onError));
    const infos: DashboardSourceInfo[] = sources.map((s, index) => ({
      index,
      kind: views[index]?.kind ?? 'Source',
      health: healthOf(s),
    }));
    const index = views.findIndex((v) => v?.conduit !== undefined);
    const conduit = index === -1 ? undefined : views[index]?.conduit;
    const errors: SourcedError[] = [];
    views.forEach((view, source) => {
      const list = view?.errors ?? [];
      for (const e of list) errors.push({ ...e, source });
      const last = list[list.length - 1];
      if (this.#lastError[source] === null && last !== undefined) this.#lastError[source] = errorKey(last);
    });
    errors.sort((a, b) => a.at - b.at);
    if (this.#shards === null) {
      this.#shards = conduit?.shards ?? [];
      this.#conduit = conduit === undefined ? null : { id: conduit.id, shardCount: conduit.shardCount };
    }
    const subscriptions = sumSubscriptions(views);
    return {
      version: DASHBOARD_PROTOCOL_VERSION,
      at,
      tickMs: this.#options.tickMs,
      sources: infos,
      conduit:
        conduit === undefined
          ? null
          : { source: index, id: conduit.id, shardCount: conduit.shardCount, shards: conduit.shards },
      subscriptions,
      errors: errors.slice(-SNAPSHOT_ERRORS),
      history: [...this.#rates.history()],
      emulator: this.#options.emulator,
      triggerTypes: this.#options.emulator ? this.#options.triggerTypes : [],
    };
  }

  /** What changed since the previous tick: one `metrics()`, `health()` and `view()` per source. */
  tick(at: number): DashboardTick {
    const rates = this.sample(at);
    const sources = this.#options.sources;
    const views = sources.map((s) => viewOf(s, this.#options.onError));
    const conduit = views.find((v) => v?.conduit !== undefined)?.conduit;
    const shards = conduit?.shards ?? [];
    const changed = changedShards(this.#shards ?? [], shards);
    this.#shards = shards;
    let conduitChange: DashboardTick['conduit'] = null;
    const now = conduit === undefined ? null : { id: conduit.id, shardCount: conduit.shardCount };
    if (now !== null && (this.#conduit?.id !== now.id || this.#conduit.shardCount !== now.shardCount)) {
      conduitChange = now;
    }
    this.#conduit = now;
    const errors: SourcedError[] = [];
    views.forEach((view, source) => {
      const list = view?.errors ?? [];
      const lastKey = this.#lastError[source] ?? null;
      let from = 0;
      if (lastKey !== null) {
        for (let i = list.length - 1; i >= 0; i--) {
          const e = list[i];
          if (e !== undefined && errorKey(e) === lastKey) {
            from = i + 1;
            break;
          }
        }
      }
      for (let i = from; i < list.length; i++) {
        const e = list[i];
        if (e !== undefined) errors.push({ ...e, source });
      }
      const last = list[list.length - 1];
      if (last !== undefined) this.#lastError[source] = errorKey(last);
    });
    errors.sort((a, b) => a.at - b.at);
    const subscriptions = sumSubscriptions(views);
    const subscriptionsKey = JSON.stringify(subscriptions);
    const subscriptionsChanged = subscriptionsKey !== this.#subscriptions;
    this.#subscriptions = subscriptionsKey;
    return {
      rates,
      health: sources.map(healthOf),
      shards: changed,
      conduit: conduitChange,
      ...(subscriptionsChanged && subscriptions !== null ? { subscriptions } : {}),
      errors,
    };
  }
}
