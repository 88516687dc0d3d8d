/**
 * The conduit inspector: a read-only view of a conduit from Helix, for a dashboard on a conduit that this process
 * does not serve (`twitch-realtime dashboard`). Every `intervalMs` it lists the app's conduits, every shard of the
 * conduit (Get Conduit Shards) and the app's subscriptions (Get EventSub Subscriptions), and shows them as an
 * `ObservedSource`. It never changes anything on Twitch: only those three `GET` endpoints are called.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { AbortError, TwitchError } from '../core/errors.js';
import { MetricsRegistry, type Counter, type Gauge, type MetricsSnapshot } from '../core/metrics.js';
import {
  checkOptions,
  clock as clockCheck,
  fail,
  integerDuration,
  integerIn,
  nonEmptyString,
  required,
  type OptionChecks,
} from '../core/options.js';
import { HelixClient } from '../helix/client.js';
import type { HelixConduit, HelixConduitShard } from '../helix/models.js';
import {
  RECENT_ERRORS_LIMIT,
  type ConduitView,
  type ErrorView,
  type HealthReport,
  type ObservedSource,
  type ShardView,
  type SourceView,
  type SubscriptionCountView,
  type SubscriptionsView,
} from './source.js';

/** Options of {@link ConduitInspector}. */
export interface ConduitInspectorOptions {
  /**
   * The Helix client of the app (its app token is used). Not closed by the inspector: close it after the inspector.
   */
  readonly helix: HelixClient;
  /** The conduit to show. @defaultValue the app's only conduit (with several, the inspector is not ready). */
  readonly conduitId?: string;
  /**
   * Milliseconds between the end of a listing and the start of the next (1 s..24 h). One listing costs about
   * `shards / 100 + subscriptions / 100 + 1` Helix requests against the app's budget (800 points per minute), so the
   * wait is never shorter than `MIN_MS_PER_LISTING_REQUEST` per request of the last listing (at most 200 requests a
   * minute on average: a quarter of the budget; a 20,000-shard conduit is listed about once a minute).
   * @defaultValue 15_000
   */
  readonly intervalMs?: number;
  /**
   * Most pages read from each list (shards, subscriptions) in one listing (1..10,000); a longer list is shown as
   * far as read, with an `INSPECTOR_LISTING_TRUNCATED` entry in the recent errors. @defaultValue 1000
   */
  readonly maxPages?: number;
  /** Time source of the listing timer. @defaultValue systemClock */
  readonly clock?: Clock;
}

/** The defaults of {@link ConduitInspectorOptions}. */
export const CONDUIT_INSPECTOR_DEFAULTS = Object.freeze({
  intervalMs: 15_000,
  maxPages: 1000,
});

const CHECKS: OptionChecks<ConduitInspectorOptions> = {
  helix: required((value, field) => {
    if (!(value instanceof HelixClient)) fail(field, 'a HelixClient', value);
  }),
  conduitId: nonEmptyString,
  intervalMs: integerDuration({ min: 1000, max: 86_400_000 }),
  maxPages: integerIn(1, 10_000),
  clock: clockCheck,
};

/** Codes of the errors the conduit inspector records in its view (never thrown). */
export type InspectorErrorCode =
  /**
   * A listing of a `ConduitInspector` read `maxPages` pages of a list (the conduit's shards, or the app's
   * subscriptions) and stopped there: the view shows the list as far as it was read (shards past it are `unknown`,
   * subscription counts partial; `total` is still Twitch's). Recorded in the view's recent errors, never thrown.
   *
   * What to do: **Fix input:** raise `maxPages` when the list is meant to be that long; otherwise look at the app's
   * subscriptions (`twitch-realtime subscriptions list --status ...`: disabled subscriptions left behind lengthen
   * every listing).
   */
  'INSPECTOR_LISTING_TRUNCATED';

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    inspector: InspectorErrorCode;
  }
}

/**
 * The least wait per Helix request of the previous listing before the next one starts: 300 ms, i.e. at most 200
 * requests a minute on average, a quarter of Twitch's 800-point app budget, whatever `intervalMs` says.
 */
export const MIN_MS_PER_LISTING_REQUEST = 300;

/** Most characters of an error message kept in the view. */
const MESSAGE_LIMIT = 500;

/** Failed listings in a row after which the inspector's (older) view no longer counts as ready. */
const STALE_AFTER_FAILURES = 3;

interface Listing {
  readonly conduit: ConduitView;
  readonly subscriptions: SubscriptionsView;
  readonly byStatus: ReadonlyMap<string, number>;
  readonly subscriptionsByStatus: ReadonlyMap<string, number>;
  /** Why the conduit cannot be shown (not found, several to choose from), or `null`. */
  readonly problem: string | null;
}

function shardView(shard: HelixConduitShard): ShardView {
  const t = shard.transport;
  const ws = t.method === 'websocket';
  return {
    id: shard.id,
    state: shard.status,
    owned: false,
    transport: t.method,
    sessionId: ws ? t.sessionId : null,
    owner: null,
    connectedAt: ws ? (t.connectedAt?.getTime() ?? null) : null,
    disconnectedAt: ws ? (t.disconnectedAt?.getTime() ?? null) : null,
  };
}

function unknownShard(id: string): ShardView {
  return {
    id,
    state: 'unknown',
    owned: false,
    transport: null,
    sessionId: null,
    owner: null,
    connectedAt: null,
    disconnectedAt: null,
  };
}

/**
 * A read-only view of a conduit from Helix, as an `ObservedSource`: the conduit's shards with Twitch's status,
 * session id and connection times (`owned: false`), the app's subscriptions by type, version and status with their
 * cost, and gauges of both. It works against Twitch and the emulator alike, with an app token only.
 *
 * - Bounded: one listing at a time (a `refresh()` during a listing joins it), at most `maxPages` pages per list,
 *   one listing every `intervalMs` after the previous one ended.
 * - A failed listing is kept in the view's recent errors (never thrown into a timer); the previous view stays.
 * - `health()`: live until `close()`; ready once a listing succeeded and found the conduit, and until three listings
 *   in a row fail (the view is then stale).
 *
 * @example
 * ```ts
 * import { HelixClient } from 'twitch-realtime';
 * import { ConduitInspector } from 'twitch-realtime/observability';
 *
 * const helix = new HelixClient({ clientId: 'my-client-id', clientSecret: 'my-client-secret' });
 * const inspector = new ConduitInspector({ helix, intervalMs: 30_000 });
 * await inspector.start(); // the first listing
 * console.log(inspector.view().conduit?.shards.filter((s) => s.state === 'enabled').length);
 * inspector.close();
 * helix.close();
 * ```
 */
export class ConduitInspector implements ObservedSource {
  readonly #helix: HelixClient;
  readonly #conduitId: string | undefined;
  readonly #intervalMs: number;
  readonly #maxPages: number;
  readonly #clock: Clock;
  readonly #abort = new AbortController();
  readonly #errors: ErrorView[] = [];

  readonly #registry = new MetricsRegistry();
  readonly #shardGauge: Gauge;
  readonly #subscriptionGauge: Gauge;
  readonly #costGauge: Gauge;
  readonly #maxCostGauge: Gauge;
  readonly #listings: Counter;
  readonly #lastListing: Gauge;

  #listing: Listing | null = null;
  /** Listings that failed since the last successful one. */
  #failedInRow = 0;
  #running: Promise<void> | null = null;
  #timer: TimerHandle | undefined;
  #started: Promise<void> | null = null;
  #closed = false;
  /** Helix requests of the last listing (successful or not): the next one waits accordingly. */
  #requests = 0;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) naming the option: `helix` missing or not a `HelixClient`,
   *   `conduitId` empty, `intervalMs` or `maxPages` out of bounds, `clock` not a clock.
   */
  constructor(options: ConduitInspectorOptions) {
    checkOptions(options, CHECKS);
    this.#helix = options.helix;
    this.#conduitId = options.conduitId;
    this.#intervalMs = options.intervalMs ?? CONDUIT_INSPECTOR_DEFAULTS.intervalMs;
    this.#maxPages = options.maxPages ?? CONDUIT_INSPECTOR_DEFAULTS.maxPages;
    this.#clock = options.clock ?? systemClock;
    const r = this.#registry;
    this.#shardGauge = r.gauge({
      name: 'twitch_realtime_inspector_shards',
      help: "Shards of the inspected conduit by Twitch's status (last listing; 'unknown' for shards not listed).",
      labelNames: ['status'],
    });
    this.#subscriptionGauge = r.gauge({
      name: 'twitch_realtime_inspector_subscriptions',
      help: "The app's EventSub subscriptions by status (last listing).",
      labelNames: ['status'],
    });
    this.#costGauge = r.gauge({
      name: 'twitch_realtime_inspector_subscription_cost',
      help: "Cost of the app's EventSub subscriptions ('total_cost' of the last listing).",
    });
    this.#maxCostGauge = r.gauge({
      name: 'twitch_realtime_inspector_subscription_max_cost',
      help: "Most cost the app's subscriptions may reach ('max_total_cost' of the last listing).",
    });
    this.#listings = r.counter({
      name: 'twitch_realtime_inspector_listings_total',
      help: 'Listings of the conduit, its shards and the subscriptions, by result (ok, failed).',
      labelNames: ['result'],
    });
    this.#lastListing = r.gauge({
      name: 'twitch_realtime_inspector_last_listing_timestamp_seconds',
      help: 'Unix time of the last successful listing (0: none yet).',
    });
  }

  /**
   * Starts the periodic listing and resolves when the first listing has ended (successful or not: see `health()`
   * and the view's errors). Idempotent; never rejects.
   *
   * @example
   * ```ts
   * await inspector.start();
   * ```
   */
  start(): Promise<void> {
    this.#started ??= this.#loop();
    return this.#started;
  }

  /**
   * Lists now. Joins a listing in progress instead of starting a second one; never rejects (a failure is kept in the
   * view's recent errors). Nothing after `close()`.
   *
   * @example
   * ```ts
   * await inspector.refresh();
   * ```
   */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#running ??= this.#list().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stops the listing timer and aborts a listing in progress. Idempotent. The Helix client is left open (it is the
   * caller's).
   *
   * @example
   * ```ts
   * inspector.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort(new AbortError('the conduit inspector was closed'));
  }

  /**
   * The inspector's gauges (`twitch_realtime_inspector_*`): shards by status, subscriptions by status, their cost
   * and `max_total_cost`, listings by result.
   *
   * @example
   * ```ts
   * const text = toPrometheusText(inspector.metrics());
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.#registry.snapshot();
  }

  /**
   * Live until `close()`; ready once a listing succeeded and found the conduit (the given one, or the app's only
   * one), and until `close()`; not ready once three listings in a row failed (its view is then stale).
   *
   * @example
   * ```ts
   * if (!inspector.health().ready) console.log(inspector.health().reasons);
   * ```
   */
  health(): HealthReport {
    if (this.#closed) return { live: false, ready: false, reasons: ['conduit inspector: closed'] };
    const listing = this.#listing;
    if (listing === null) {
      const last = this.#errors.at(-1);
      const why = last === undefined ? 'no listing yet' : `no successful listing yet (${last.code})`;
      return { live: true, ready: false, reasons: [`conduit inspector: ${why}`] };
    }
    if (listing.problem !== null) {
      return { live: true, ready: false, reasons: [`conduit inspector: ${listing.problem}`] };
    }
    // A view that stopped being refreshed is not one to rely on: not ready after STALE_AFTER_FAILURES in a row.
    if (this.#failedInRow >= STALE_AFTER_FAILURES) {
      const code = this.#errors.at(-1)?.code ?? 'unknown';
      return {
        live: true,
        ready: false,
        reasons: [
          `conduit inspector: the last ${this.#failedInRow} listings failed (${code}); the view is stale`,
        ],
      };
    }
    return { live: true, ready: true, reasons: [] };
  }

  /**
   * The conduit (every shard, by id; `owned: false`), the subscriptions of the last successful listing, and the
   * recent errors. Cheap: built once per listing.
   *
   * @example
   * ```ts
   * const { conduit, subscriptions } = inspector.view();
   * ```
   */
  view(): SourceView {
    const listing = this.#listing;
    const errors = this.#errors.slice();
    if (listing === null) {
      return {
        kind: 'ConduitInspector',
        conduit: { id: this.#conduitId ?? null, shardCount: 0, shards: [] },
        errors,
      };
    }
    return {
      kind: 'ConduitInspector',
      conduit: listing.conduit,
      subscriptions: listing.subscriptions,
      errors,
    };
  }

  async #loop(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        void this.refresh().finally(() => {
          this.#schedule();
        });
      },
      Math.max(this.#intervalMs, this.#requests * MIN_MS_PER_LISTING_REQUEST),
    );
  }

  async #list(): Promise<void> {
    const signal = this.#abort.signal;
    this.#requests = 0;
    try {
      const listing = await this.#read(signal);
      if (this.#closed) return;
      this.#listing = listing;
      this.#failedInRow = 0;
      this.#record(listing);
      this.#listings.labels('ok').inc();
      this.#lastListing.set(Math.floor(this.#clock.now() / 1000));
    } catch (error) {
      if (this.#closed) return;
      this.#listings.labels('failed').inc();
      this.#failedInRow++;
      this.#error(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #read(signal: AbortSignal): Promise<Listing> {
    const eventSub = this.#helix.eventSub;
    this.#requests++;
    const conduits = await eventSub.getConduits({ signal });
    const { conduit, problem } = this.#choose(conduits);
    let shards: ShardView[] = [];
    const byStatus = new Map<string, number>();
    if (conduit !== undefined) {
      const listed = new Map<string, ShardView>();
      let pages = 0;
      for await (const page of eventSub.getConduitShards(conduit.id, { signal }).pages()) {
        this.#requests++;
        for (const shard of page.data) listed.set(shard.id, shardView(shard));
        if (++pages >= this.#maxPages && page.cursor !== null && page.cursor !== '') {
          this.#truncated('shards', conduit.shardCount, listed.size);
          break;
        }
      }
      // Every shard of the conduit, by id: Twitch's ids are 0..shardCount-1; one not listed is shown as unknown.
      shards = Array.from(
        { length: conduit.shardCount },
        (_, i) => listed.get(String(i)) ?? unknownShard(String(i)),
      );
      for (const shard of shards) byStatus.set(shard.state, (byStatus.get(shard.state) ?? 0) + 1);
    }

    const counts = new Map<
      string,
      { type: string; version: string; status: string; count: number; cost: number }
    >();
    const subscriptionsByStatus = new Map<string, number>();
    let totals = { total: 0, totalCost: 0, maxTotalCost: null as number | null };
    let pages = 0;
    let read = 0;
    for await (const page of eventSub.getSubscriptions({}, { signal }).pages()) {
      this.#requests++;
      if (pages === 0) totals = { ...page.meta };
      for (const sub of page.data) {
        const key = `${sub.type}\u0000${sub.version}\u0000${sub.status}`;
        const entry = counts.get(key);
        if (entry === undefined) {
          counts.set(key, {
            type: sub.type,
            version: sub.version,
            status: sub.status,
            count: 1,
            cost: sub.cost,
          });
        } else {
          entry.count++;
          entry.cost += sub.cost;
        }
        subscriptionsByStatus.set(sub.status, (subscriptionsByStatus.get(sub.status) ?? 0) + 1);
      }
      read += page.data.length;
      if (++pages >= this.#maxPages && page.cursor !== null && page.cursor !== '') {
        this.#truncated('subscriptions', totals.total, read);
        break;
      }
    }
    const now = this.#clock.now();
    const sorted: SubscriptionCountView[] = [...counts.values()].sort(
      (a, b) =>
        a.type.localeCompare(b.type) ||
        a.version.localeCompare(b.version) ||
        a.status.localeCompare(b.status),
    );
    return {
      conduit: {
        id: conduit?.id ?? this.#conduitId ?? null,
        shardCount: conduit?.shardCount ?? 0,
        shards,
      },
      subscriptions: {
        counts: sorted,
        total: totals.total,
        totalCost: totals.totalCost,
        maxTotalCost: totals.maxTotalCost,
        listedAt: now,
      },
      byStatus,
      subscriptionsByStatus,
      problem,
    };
  }

  #choose(conduits: readonly HelixConduit[]): { conduit: HelixConduit | undefined; problem: string | null } {
    const ids = conduits.map((c) => c.id);
    const list = ids.length === 0 ? 'none' : ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', ...' : '');
    if (this.#conduitId !== undefined) {
      const conduit = conduits.find((c) => c.id === this.#conduitId);
      return conduit === undefined
        ? { conduit, problem: `conduit ${this.#conduitId} not found (the app's conduits: ${list})` }
        : { conduit, problem: null };
    }
    const [only] = conduits;
    if (conduits.length === 1 && only !== undefined) return { conduit: only, problem: null };
    return {
      conduit: undefined,
      problem:
        conduits.length === 0
          ? 'the app has no conduit'
          : `the app has ${String(conduits.length)} conduits (${list}): choose one with conduitId`,
    };
  }

  #truncated(list: string, total: number, read: number): void {
    this.#error(
      new TwitchError(
        'INSPECTOR_LISTING_TRUNCATED',
        `${list}: read ${String(read)} of ${String(total)} in ${String(this.#maxPages)} pages (maxPages); the rest is not shown`,
      ),
    );
  }

  #record(listing: Listing): void {
    this.#shardGauge.reset();
    for (const [status, n] of listing.byStatus) this.#shardGauge.labels(status).set(n);
    this.#subscriptionGauge.reset();
    for (const [status, n] of listing.subscriptionsByStatus) this.#subscriptionGauge.labels(status).set(n);
    this.#costGauge.set(listing.subscriptions.totalCost);
    if (listing.subscriptions.maxTotalCost !== null)
      this.#maxCostGauge.set(listing.subscriptions.maxTotalCost);
  }

  /** Keeps `error` in the view's recent errors: its `TwitchError` code (else its name) and message, bounded. */
  #error(error: Error): void {
    const code = error instanceof TwitchError ? error.code : error.name;
    this.#errors.push({ at: this.#clock.now(), code, message: error.message.slice(0, MESSAGE_LIMIT) });
    if (this.#errors.length > RECENT_ERRORS_LIMIT) this.#errors.shift();
  }
}
