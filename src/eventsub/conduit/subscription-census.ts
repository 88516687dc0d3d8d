/**
 * The app's EventSub subscriptions counted by type, version and status, with Twitch's cost figures: what the
 * AutoClient (and the AutoBot) show as gauges and on the dashboard (`view()`).
 *
 * Source of truth: a full listing (Get EventSub Subscriptions, paginated; every page carries `total`, `total_cost` and
 * `max_total_cost`), run once the client is ready and someone looks (the first metrics snapshot or `view()`: a client
 * nobody observes sends no request for it), then every `intervalMs` on the client's clock, at most
 * `maxPages` pages (100 subscriptions each) per listing, one listing at a time: bounded in requests whatever the
 * number of subscriptions. Between listings, the client's own changes update the counts at once: a subscription it
 * created (`created`), one Twitch revoked (`revoked`: from `enabled` to the status Twitch gave). The next listing
 * replaces the counts wholesale, so a change seen twice or missed (made while a listing ran, or by another process)
 * lasts until then only.
 *
 * Nothing here runs per message.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { AbortError } from '../../core/errors.js';
import { toError } from '../../core/guards.js';
import type { MetricsRegistry } from '../../core/metrics.js';
import type { EventSubSubscription, SubscriptionTotals } from '../../helix/models.js';
import type { HttpAsyncIterator } from '../../helix/pagination.js';
import type { SubscriptionCountView, SubscriptionsView } from '../../observability/source.js';
import type { MultiSubscribePayload } from './multi-subscribe.js';

/** One subscription as the census counts it. */
export interface CensusSubscription {
  readonly type: string;
  readonly version: string;
  readonly status: string;
  readonly cost: number;
}

/** What the census needs from its client (internal). */
export interface CensusHost {
  readonly clock: Clock;
  /** Aborted when the client closes: ends a listing in flight. */
  readonly signal: AbortSignal;
  /** Get EventSub Subscriptions (the client's Helix client: `helix.eventSub.getSubscriptions`). */
  list(signal: AbortSignal): HttpAsyncIterator<EventSubSubscription, SubscriptionTotals>;
  /** Where a failed listing goes (context `subscription-census`); must not throw. */
  report(error: Error, context: string): void;
}

/** Options of the census (the AutoClient's `subscriptionListing`). */
export interface CensusOptions {
  /** Milliseconds between full listings; 0: list once at start-up only. */
  readonly intervalMs: number;
  /** Most pages per listing (100 subscriptions a page). */
  readonly maxPages: number;
}

interface Row {
  readonly type: string;
  readonly version: string;
  readonly status: string;
  count: number;
  cost: number;
}

/** Most type/version/status series kept apart in the gauges (Twitch has about 100 types × a few statuses). */
const MAX_SERIES = 2_000;

/**
 * Subscriptions by type, version and status, refreshed by a bounded periodic listing and the client's own changes.
 *
 * @example
 * ```ts
 * const census = new SubscriptionCensus(host, registry, { intervalMs: 600_000, maxPages: 100 });
 * census.start();
 * census.created({ type: 'channel.follow', version: '2', status: 'enabled', cost: 0 });
 * const view = census.view();
 * ```
 */
export class SubscriptionCensus {
  readonly #host: CensusHost;
  readonly #options: CensusOptions;
  #rows = new Map<string, Row>();
  #total = 0;
  #totalCost = 0;
  #maxTotalCost: number | null = null;
  #listedAt: number | null = null;
  /** Whether the last listing read every page (false: it stopped at `maxPages`). */
  #complete = true;
  #timer: TimerHandle | undefined;
  #listing: Promise<void> | null = null;
  #closed = false;
  /** `start()` was called: the client is ready. */
  #armed = false;
  /** Someone read the counts (a snapshot, `view()`): listing is worth its requests. */
  #wanted = false;
  readonly #listings = { ok: 0, failed: 0 };

  /**
   * @param registry - where its gauges go (the client's metrics); `null` with `metrics: false` (the view still
   *   works: the dashboard does not depend on metrics).
   */
  constructor(host: CensusHost, registry: MetricsRegistry | null, options: CensusOptions) {
    this.#host = host;
    this.#options = options;
    if (registry !== null) this.#register(registry);
  }

  /**
   * The client is ready: lists now if someone already looked, else at the first look; then every `intervalMs`.
   * Idempotent.
   */
  start(): void {
    this.#armed = true;
    this.#kick();
  }

  /**
   * A full listing now (joining the one in flight). Never rejects: a failure is reported and the counts stay as
   * they were.
   */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#listing ??= this.#list().finally(() => {
      this.#listing = null;
      this.#schedule();
    });
    return this.#listing;
  }

  /** Stops the periodic listing (a listing in flight ends with the client's signal). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The client created `subscription` (or found it existing): counted until the next listing. */
  created(subscription: CensusSubscription): void {
    this.#add(subscription.type, subscription.version, subscription.status, 1, subscription.cost);
    this.#total++;
    this.#totalCost += subscription.cost;
  }

  /** Counts what a `multiSubscribe` created once it settles (409s were counted by a listing; failures are not). */
  track(result: Promise<MultiSubscribePayload>): void {
    result.then(
      (payload) => {
        for (const { response } of payload.success) this.created(response.subscription);
      },
      () => undefined,
    );
  }

  /** Twitch revoked `subscription` (its `status` says why): it moves from `enabled` to that status. */
  revoked(subscription: CensusSubscription): void {
    const { type, version, status, cost } = subscription;
    const enabled = this.#rows.get(keyOf(type, version, 'enabled'));
    if (enabled !== undefined && enabled.count > 0) {
      enabled.count--;
      enabled.cost = Math.max(0, enabled.cost - cost);
    }
    this.#add(type, version, status, 1, 0);
    // A revoked subscription no longer counts against max_total_cost.
    this.#totalCost = Math.max(0, this.#totalCost - cost);
  }

  /**
   * The counts for the dashboard (`SubscriptionsView`, src/observability/source.ts). The first call starts the
   * listing (once the client is ready); it returns what is known now.
   */
  view(): SubscriptionsView {
    this.#looked();
    const counts: SubscriptionCountView[] = [];
    for (const row of this.#rows.values()) {
      if (row.count > 0) counts.push({ ...row });
    }
    counts.sort(byTypeVersionStatus);
    return {
      counts,
      total: this.#total,
      totalCost: this.#totalCost,
      maxTotalCost: this.#maxTotalCost,
      listedAt: this.#listedAt,
    };
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Someone reads the counts. */
  #looked(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#kick();
  }

  /** The first listing, once the client is ready and someone looks. */
  #kick(): void {
    if (!this.#armed || !this.#wanted || this.#closed) return;
    if (this.#listing !== null || this.#timer !== undefined || this.#listedAt !== null) return;
    void this.refresh();
  }

  async #list(): Promise<void> {
    const host = this.#host;
    const rows = new Map<string, Row>();
    let totals: SubscriptionTotals | null = null;
    let pages = 0;
    let complete = true;
    try {
      for await (const page of host.list(host.signal).pages()) {
        totals = page.meta;
        for (const s of page.data) addTo(rows, s.type, s.version, s.status, 1, s.cost);
        if (++pages >= this.#options.maxPages) {
          complete = page.cursor === null;
          break;
        }
      }
    } catch (error) {
      if (this.#closed || error instanceof AbortError) return;
      this.#listings.failed++;
      host.report(toError(error), 'subscription-census');
      return;
    }
    this.#listings.ok++;
    this.#rows = rows;
    this.#complete = complete;
    this.#listedAt = host.clock.now();
    if (totals !== null) {
      this.#total = totals.total;
      this.#totalCost = totals.totalCost;
      this.#maxTotalCost = totals.maxTotalCost;
    } else {
      this.#total = 0;
      this.#totalCost = 0;
    }
  }

  #schedule(): void {
    if (this.#closed || this.#options.intervalMs === 0 || this.#timer !== undefined) return;
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.refresh();
    }, this.#options.intervalMs);
  }

  #add(type: string, version: string, status: string, count: number, cost: number): void {
    addTo(this.#rows, type, version, status, count, cost);
  }

  #register(r: MetricsRegistry): void {
    const counts = r.gauge({
      name: 'twitch_realtime_subscriptions',
      help: "The app's EventSub subscriptions, by type, version and status (the last listing, updated by the client's own subscribe and revocations).",
      labelNames: ['type', 'version', 'status'],
      maxChildren: MAX_SERIES,
    });
    const costs = r.gauge({
      name: 'twitch_realtime_subscriptions_cost',
      help: 'Summed cost of those subscriptions, by type, version and status.',
      labelNames: ['type', 'version', 'status'],
      maxChildren: MAX_SERIES,
    });
    const all = r.gauge({
      name: 'twitch_realtime_subscriptions_all',
      help: "Twitch's total of the app's subscriptions (the listing's `total`).",
    });
    const totalCost = r.gauge({
      name: 'twitch_realtime_subscriptions_total_cost',
      help: "Cost of the app's subscriptions against max_total_cost (the listing's `total_cost`).",
    });
    const maxCost = r.gauge({
      name: 'twitch_realtime_subscriptions_max_total_cost',
      help: "Most cost the app's subscriptions may reach (`max_total_cost`; NaN before the first listing).",
    });
    const complete = r.gauge({
      name: 'twitch_realtime_subscriptions_listing_complete',
      help: 'Whether the last listing read every page (0: it stopped at subscriptionListing.maxPages, counts are partial).',
    });
    const listings = r.counter({
      name: 'twitch_realtime_subscription_listings_total',
      help: 'Full listings of the subscriptions (Get EventSub Subscriptions, every page), by result.',
      labelNames: ['result'],
    });
    const listed = { ok: listings.labels('ok'), failed: listings.labels('failed') };
    r.collect(() => {
      this.#looked();
      counts.reset();
      costs.reset();
      // inc, not set: label sets past the bound share one overflow series, which must hold their sum.
      for (const row of this.#rows.values()) {
        counts.labels(row.type, row.version, row.status).inc(row.count);
        costs.labels(row.type, row.version, row.status).inc(row.cost);
      }
      all.set(this.#total);
      totalCost.set(this.#totalCost);
      maxCost.set(this.#maxTotalCost ?? NaN);
      complete.set(this.#complete ? 1 : 0);
      listed.ok.set(this.#listings.ok);
      listed.failed.set(this.#listings.failed);
    });
  }
}

function keyOf(type: string, version: string, status: string): string {
  return `${type}\u0000${version}\u0000${status}`;
}

function addTo(
  rows: Map<string, Row>,
  type: string,
  version: string,
  status: string,
  count: number,
  cost: number,
): void {
  const key = keyOf(type, version, status);
  const row = rows.get(key);
  if (row === undefined) rows.set(key, { type, version, status, count, cost });
  else {
    row.count += count;
    row.cost += cost;
  }
}

function byTypeVersionStatus(a: SubscriptionCountView, b: SubscriptionCountView): number {
  return a.type < b.type
    ? -1
    : a.type > b.type
      ? 1
      : a.version < b.version
        ? -1
        : a.version > b.version
          ? 1
          : a.status < b.status
            ? -1
            : a.status > b.status
              ? 1
              : 0;
}
