/**
 * The dashboard's wire contract between the observability server (Node) and the page (the browser): JSON over
 * `GET /api/snapshot` and Server-Sent Events over `GET /api/stream`. The page is served by the same server; both sides
 * are versioned together (`DASHBOARD_PROTOCOL_VERSION`).
 *
 * Sizes: a snapshot carries every shard once (20,000 shards are about 2 MB of JSON); a tick carries only the shards
 * that changed since the previous tick, and per-second aggregates, never one message per event, so the page's work is
 * bounded by the tick rate (1 per second by default), not by the event rate.
 *
 * Routes (all `GET` but the controls; every route requires the token when the server has one, as
 * `Authorization: Bearer <token>` or `?token=<token>`):
 * - `/` : the page (HTML, self-contained: no external script, style or font).
 * - `/api/snapshot` : `DashboardSnapshot`.
 * - `/api/stream` : SSE. First `event: snapshot` (`DashboardSnapshot`), then `event: tick` (`DashboardTick`) every
 *   tick (the tick is at most 15 s, so ticks themselves keep proxies from closing the stream; `retry: 2000`). A
 *   reconnecting `EventSource` gets a new snapshot. A page that stops reading is dropped (the server keeps at most
 *   8 MB unsent per stream); at most 32 streams at once (503 beyond).
 * - `POST /api/emulator/trigger` `{ type, version?, count? }`, `POST /api/emulator/shards/{id}/drop`,
 *   `POST /api/emulator/shards/{id}/reconnect`, `POST /api/emulator/shards/{id}/stall` (stop keepalives):
 *   only when the server was given the emulator's URL (`DashboardSnapshot.emulator`); 404 otherwise. Answer
 *   `{ ok: true }` or `{ ok: false, error: { code, message } }` with a 4xx/5xx status (`code`:
 *   `OBSERVABILITY_BAD_CONTROL` for a bad body, an unknown shard or one without a session;
 *   `OBSERVABILITY_EMULATOR_FAILED` when the emulator did not carry it out). Send them as `application/json`
 *   (anything else is refused with 415).
 */
import type { ErrorView, HealthReport, ShardView, SubscriptionsView } from './source.js';

/** Bumped when the snapshot or tick shape changes incompatibly. */
export const DASHBOARD_PROTOCOL_VERSION = 1;

/** One observed client, as listed on the page. */
export interface DashboardSourceInfo {
  /** Index in `DashboardSnapshot.sources`; ticks refer to sources by it. */
  readonly index: number;
  /** `AutoClient`, `HelixClient`, ... (`SourceView.kind`, or `Source` when it has no view). */
  readonly kind: string;
  /** `null` when the source has no `health()`. */
  readonly health: HealthReport | null;
}

/** One point of the per-tick series (also what a tick carries for the current instant). */
export interface DashboardRates {
  /** Epoch milliseconds at the end of the interval. */
  readonly at: number;
  /** Length of the interval in milliseconds (rates are per second: count / (intervalMs / 1000)). */
  readonly intervalMs: number;
  /** Notifications per second by subscription type, over the interval (types with 0 are omitted). */
  readonly eventsPerSecond: Readonly<Record<string, number>>;
  /** Delivery lag quantiles over the interval in seconds, from the histogram's bucket deltas; `null` without events. */
  readonly lagP50: number | null;
  readonly lagP99: number | null;
  /** Counts over the interval. */
  readonly duplicates: number;
  readonly reconnects: number;
  readonly handlerErrors: number;
  readonly helixRequests: number;
  readonly helixRateLimited: number;
  readonly helixServerErrors: number;
  /** The Helix bucket's remaining points at the end of the interval; `null` when unknown. */
  readonly helixRemaining: number | null;
}

/** Everything the page needs to draw from nothing. */
export interface DashboardSnapshot {
  readonly version: typeof DASHBOARD_PROTOCOL_VERSION;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly tickMs: number;
  readonly sources: readonly DashboardSourceInfo[];
  /** The conduit of the first source that has one; `null` when no source owns a conduit. */
  readonly conduit: {
    readonly source: number;
    readonly id: string | null;
    readonly shardCount: number;
    readonly shards: readonly ShardView[];
  } | null;
  /** Summed over the sources that list subscriptions; `null` when none does. */
  readonly subscriptions: SubscriptionsView | null;
  /** Recent errors of every source, newest last (bounded). */
  readonly errors: readonly (ErrorView & { readonly source: number })[];
  /** The last ticks' rates, oldest first (bounded: the page's charts start filled). */
  readonly history: readonly DashboardRates[];
  /** Whether the emulator controls are available. */
  readonly emulator: boolean;
  /** Subscription types the emulator can trigger (for the trigger control); empty without the emulator. */
  readonly triggerTypes: readonly { readonly type: string; readonly version: string }[];
}

/** What changed since the previous tick. */
export interface DashboardTick {
  readonly rates: DashboardRates;
  /** Health of every source, by index (small: sent every tick). */
  readonly health: readonly (HealthReport | null)[];
  /** Shards whose view changed (any field), and the conduit's new id/shard count when they changed. */
  readonly shards: readonly ShardView[];
  readonly conduit: { readonly id: string | null; readonly shardCount: number } | null;
  /** Present when the subscription counts changed. */
  readonly subscriptions?: SubscriptionsView;
  /** Errors recorded since the previous tick, newest last. */
  readonly errors: readonly (ErrorView & { readonly source: number })[];
}
