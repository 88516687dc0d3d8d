/**
 * What a client shows to the observability server, the OpenTelemetry bridge and the dashboard: the `ObservedSource`
 * contract. Every client implements it (`AutoClient`, `AutoBot`, `WebSocketClient`, `WebhookReceiver`, `PubSubPool`,
 * `HelixClient`); this floor knows the clients only through it, so that each of them can take the server as an option.
 *
 * Everything here is plain data, cheap to build on demand (a scrape, a health probe, a dashboard tick), and never
 * holds a secret: no token, no client secret, no webhook secret, no callback URL query string.
 */
import type { MetricsSnapshot } from '../core/metrics.js';

/**
 * Liveness and readiness with Kubernetes semantics (docs/observability.md, "Health"):
 * - `live` is false when the source is closed or stuck (a restart would help): `/healthz` answers 503.
 * - `ready` is false while it cannot do its job yet or any more (not started, a shard neither enabled nor within its
 *   retry): `/readyz` answers 503.
 */
export interface HealthReport {
  readonly live: boolean;
  readonly ready: boolean;
  /** One stable line per failed check (`shard 3: failed 6 times in a row`); empty when live and ready. */
  readonly reasons: readonly string[];
}

/** One shard as the dashboard draws it. */
export interface ShardView {
  /** The conduit shard id (`'0'`, `'1'`, ...). */
  readonly id: string;
  /**
   * What this process knows of the shard: its own state for an owned shard (`ready`, `connecting`, ...; the
   * AutoClient's `ShardState`), or, for a shard it does not own, Twitch's status from the last shard listing
   * (`enabled`, `websocket_disconnected`, ...), or `unknown`.
   */
  readonly state: string;
  /** Whether this process owns (serves) the shard. */
  readonly owned: boolean;
  /** `websocket` or `webhook`; `null` when unknown. */
  readonly transport: 'websocket' | 'webhook' | null;
  /** The WebSocket session id bound to the shard, when known. */
  readonly sessionId: string | null;
  /** The owner process (a fleet member id) when a fleet shares the conduit; `null` when unknown or single-process. */
  readonly owner: string | null;
  /** Epoch milliseconds of the last connection (Twitch's `connected_at`, or the welcome), `null` when unknown. */
  readonly connectedAt: number | null;
  /** Epoch milliseconds of the last disconnection, `null` when unknown or never. */
  readonly disconnectedAt: number | null;
}

/** The conduit a source serves. */
export interface ConduitView {
  /** `null` before the conduit is created or adopted. */
  readonly id: string | null;
  readonly shardCount: number;
  /** Every shard of the conduit, by id order (`shardCount` of them once known). */
  readonly shards: readonly ShardView[];
}

/** Subscriptions of one type, version and status. */
export interface SubscriptionCountView {
  readonly type: string;
  readonly version: string;
  readonly status: string;
  readonly count: number;
  /** Their summed cost. */
  readonly cost: number;
}

/** Subscriptions known to the source (the last full listing), with Twitch's cost figures. */
export interface SubscriptionsView {
  readonly counts: readonly SubscriptionCountView[];
  readonly total: number;
  readonly totalCost: number;
  /** Twitch's `max_total_cost`, `null` when unknown. */
  readonly maxTotalCost: number | null;
  /** Epoch milliseconds of the listing, `null` when never listed. */
  readonly listedAt: number | null;
}

/** One recent error (bounded ring per source). The message is already redacted. */
export interface ErrorView {
  /** Epoch milliseconds. */
  readonly at: number;
  /** The `TwitchError` code, or the error's name. */
  readonly code: string;
  readonly message: string;
}

/** Everything a source shows on the dashboard besides its metrics. */
export interface SourceView {
  /** What it is: `AutoClient`, `AutoBot`, `WebSocketClient`, `WebhookReceiver`, `PubSubPool`, `HelixClient`. */
  readonly kind: string;
  /** Present for conduit owners (AutoClient, AutoBot). */
  readonly conduit?: ConduitView;
  readonly subscriptions?: SubscriptionsView;
  /** Newest last, at most `RECENT_ERRORS_LIMIT`. */
  readonly errors: readonly ErrorView[];
}

/** How many recent errors a source keeps for its view. */
export const RECENT_ERRORS_LIMIT = 50;

/**
 * A client as the observability floor sees it. `metrics()` is the same snapshot as the client's own method;
 * `health()` and `view()` are optional for sources that have nothing to say (a bare `HelixClient` has no shards).
 *
 * @example
 * ```ts
 * import { toPrometheusText, type ObservedSource } from 'twitch-realtime';
 *
 * function scrape(sources: readonly ObservedSource[]): string {
 *   return toPrometheusText(sources.flatMap((s) => s.metrics()));
 * }
 * ```
 */
export interface ObservedSource {
  metrics(): MetricsSnapshot;
  health?(): HealthReport;
  view?(): SourceView;
}
