/**
 * The Helix client's metrics, recorded by the request engine (http.ts) once per answered attempt: requests by
 * endpoint and status class, 429s, 5xx, latency, and each bucket's remaining points. Also what the engine counts
 * anyway (retries, 401 renewals, rate-limit waits), read at snapshot time.
 */
import type { TokenRefreshCounts } from '../auth/types.js';
import { helixRequestChannel } from '../core/diagnostics.js';
import {
  LATENCY_BUCKETS,
  MetricsRegistry,
  type Counter,
  type Gauge,
  type HistogramChild,
} from '../core/metrics.js';

/** The engine's own counters (`HelixHttp.stats`). */
interface EngineStats {
  readonly retries: number;
  readonly rateLimitWaits: number;
  readonly renewals: number;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** A Helix client's metrics (internal: `HelixClient.metrics()` snapshots them). */
export class HelixMetrics {
  readonly registry = new MetricsRegistry();
  readonly #requests: Counter;
  readonly #rateLimited: Counter;
  readonly #serverErrors: Counter;
  readonly #remaining: Gauge;
  readonly #latency: HistogramChild;
  readonly #subscriptions: Gauge;
  readonly #cost: Gauge;
  readonly #maxCost: Gauge;

  /**
   * @param stats - the engine's own counters.
   * @param tokens - the token refreshes of the engine's auth provider (`AuthProvider.tokenRefreshes`), when it
   *   counts them.
   */
  constructor(stats: EngineStats, tokens: () => TokenRefreshCounts | undefined = () => undefined) {
    const r = this.registry;
    this.#requests = r.counter({
      name: 'twitch_realtime_helix_requests_total',
      help: 'Helix answers (each attempt, retries included), by endpoint ("METHOD /path") and status class; network failures have status class "network".',
      labelNames: ['endpoint', 'status_class'],
    });
    this.#rateLimited = r.counter({
      name: 'twitch_realtime_helix_rate_limited_total',
      help: 'Helix answers with status 429, by endpoint.',
      labelNames: ['endpoint'],
    });
    this.#serverErrors = r.counter({
      name: 'twitch_realtime_helix_server_errors_total',
      help: 'Helix answers with a 5xx status, by endpoint.',
      labelNames: ['endpoint'],
    });
    this.#latency = r
      .histogram({
        name: 'twitch_realtime_helix_request_duration_seconds',
        help: 'Seconds from sending a Helix request to its answer (each attempt; queueing excluded).',
        buckets: LATENCY_BUCKETS,
      })
      .labels();
    this.#remaining = r.gauge({
      name: 'twitch_realtime_helix_ratelimit_remaining_points',
      help: 'Ratelimit-Remaining of the latest answer, by rate-limit bucket ("app" or "user:<id>").',
      labelNames: ['bucket'],
    });
    this.#subscriptions = r.gauge({
      name: 'twitch_realtime_eventsub_subscriptions',
      help: "EventSub subscriptions of the app ('total' of the latest Get or Create EventSub Subscription answer).",
    });
    this.#cost = r.gauge({
      name: 'twitch_realtime_eventsub_subscription_cost',
      help: "Cost of the app's EventSub subscriptions ('total_cost' of the latest answer).",
    });
    this.#maxCost = r.gauge({
      name: 'twitch_realtime_eventsub_subscription_max_cost',
      help: "Most cost the app's EventSub subscriptions may reach ('max_total_cost' of the latest answer).",
    });
    const retries = r.counter({
      name: 'twitch_realtime_helix_retries_total',
      help: 'Helix requests sent again after a network error or a 5xx.',
    });
    const waits = r.counter({
      name: 'twitch_realtime_helix_ratelimit_waits_total',
      help: 'Helix requests that waited for an empty rate-limit bucket to refill after a 429.',
    });
    const renewals = r.counter({
      name: 'twitch_realtime_helix_token_renewals_total',
      help: 'Tokens renewed after Helix answered 401.',
    });
    const refreshes = r.counter({
      name: 'twitch_realtime_token_refreshes_total',
      help: "Tokens obtained (kind app: client credentials) or refreshed (kind user), by result ok or failed, counted by the auth provider's OAuth client.",
      labelNames: ['kind', 'result'],
    });
    const refreshChildren = {
      app: { ok: refreshes.labels('app', 'ok'), failed: refreshes.labels('app', 'failed') },
      user: { ok: refreshes.labels('user', 'ok'), failed: refreshes.labels('user', 'failed') },
    };
    r.collect(() => {
      const counts = tokens();
      if (counts !== undefined) {
        for (const kind of ['app', 'user'] as const) {
          refreshChildren[kind].ok.set(counts[kind].ok);
          refreshChildren[kind].failed.set(counts[kind].failed);
        }
      }
      retries.labels().set(stats.retries);
      waits.labels().set(stats.rateLimitWaits);
      renewals.labels().set(stats.renewals);
    });
  }

  /** Subscription totals from an answer (each only when a finite number). */
  totals(total: unknown, cost: unknown, max: unknown): void {
    if (typeof total === 'number' && Number.isFinite(total)) this.#subscriptions.set(total);
    if (typeof cost === 'number' && Number.isFinite(cost)) this.#cost.set(cost);
    if (typeof max === 'number' && Number.isFinite(max)) this.#maxCost.set(max);
  }

  /**
   * One answered attempt (`status` 0: a network failure). Per Helix request, not per message: the label strings
   * are built here.
   */
  answered(
    method: string,
    path: string,
    status: number,
    seconds: number,
    bucket: string,
    remaining: number | null,
  ): void {
    const endpoint = `${method} ${path}`;
    const statusClass = status === 0 ? 'network' : (STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other');
    this.#requests.labels(endpoint, statusClass).inc();
    if (status === 429) this.#rateLimited.labels(endpoint).inc();
    if (status >= 500) this.#serverErrors.labels(endpoint).inc();
    if (status !== 0) this.#latency.observe(seconds);
    if (remaining !== null) this.#remaining.labels(bucket).set(remaining);
  }
}

/** The totals of an EventSub subscriptions answer (GET or POST `/eventsub/subscriptions`), when it has them. */
export function subscriptionTotals(metrics: HelixMetrics, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const { total, total_cost: cost, max_total_cost: max } = body as Record<string, unknown>;
  metrics.totals(total, cost, max);
}

/** Publishes `twitch-realtime:helix:request` when someone subscribes (the message is built only then). */
export function publishHelixRequest(
  method: string,
  path: string,
  status: number,
  latencySeconds: number,
  pointsRemaining: number | null,
): void {
  if (helixRequestChannel.hasSubscribers) {
    helixRequestChannel.publish({ method, path, status, latencySeconds, pointsRemaining });
  }
}
