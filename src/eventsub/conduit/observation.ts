/**
 * What the AutoClient shows of itself, in one place: its metrics (metrics.ts), the subscription census
 * (subscription-census.ts), its health (health.ts), its dashboard view (view.ts), and the observability server its
 * `observability` option starts. The client forwards its events here (state changes, listings, errors) and asks
 * here for `metrics()`, `health()` and `view()`; none of these parts knows the client.
 */
import type { HelixClient } from '../../helix/client.js';
import type { MetricsRegistry, MetricsSnapshot } from '../../core/metrics.js';
import type { ClientState } from '../client.js';
import type { HealthReport, ObservedSource, SourceView } from '../../observability/source.js';
import { startObservabilityServer, type ObservabilityServer } from '../../observability/server.js';
import type { Logger } from '../../core/logger.js';
import { ConduitHealth, shardRetryBudget } from './health.js';
import { ConduitMetrics } from './metrics.js';
import type { Conduit, ConduitShard } from './models.js';
import type { ResolvedOptions } from './options.js';
import type { Shard, ShardState } from './shard.js';
import type { ShardSet } from './shard-set.js';
import { SubscriptionCensus } from './subscription-census.js';
import { ConduitViewer } from './view.js';

/** What the observation reads from its client (internal). */
export interface ObservationHost {
  readonly conduit: Conduit | null;
  readonly signal: AbortSignal;
  readonly helix: HelixClient;
  readonly logger: Logger;
  /** The client's class name (`AutoClient`, `AutoBot`): the dashboard's `kind`. */
  kind(): string;
  state(): ClientState;
  isClosing(): boolean;
  report(error: Error, context?: string): void;
  reconcilerActivity(): { readonly activeAt: number | null; readonly runningSince: number | null };
}

export class ConduitObservation {
  /** `null` with `metrics: false`. */
  readonly metrics: ConduitMetrics | null;
  readonly census: SubscriptionCensus;
  readonly #health: ConduitHealth;
  readonly #viewer: ConduitViewer;
  readonly #host: ObservationHost;
  readonly #options: ResolvedOptions;
  #server: ObservabilityServer | null = null;

  constructor(host: ObservationHost, options: ResolvedOptions, shards: ShardSet) {
    this.#host = host;
    this.#options = options;
    const webhook = options.webhook;
    this.metrics = !options.metrics
      ? null
      : new ConduitMetrics(options.clock, shards, () => webhook?.receiver.stats.duplicates ?? 0);
    this.census = new SubscriptionCensus(
      {
        clock: options.clock,
        signal: host.signal,
        list: (signal) => host.helix.eventSub.getSubscriptions({}, { signal }),
        report: (error, context) => {
          host.report(error, context);
        },
      },
      this.metrics?.registry ?? null,
      options.subscriptionListing,
    );
    this.#health = new ConduitHealth({
      clock: options.clock,
      stuckAfterMs: options.stuckAfterMs,
      retryBudget: shardRetryBudget(options.shardRetry),
      reconcileIntervalMs: options.reconcileIntervalMs,
      state: () => host.state(),
      granted: () => shards.granted(),
      shard: (id) => shards.get(id),
      reconcilerActivity: () => host.reconcilerActivity(),
      helix: () => host.helix.health(),
    });
    this.#viewer = new ConduitViewer(
      {
        get conduit() {
          return host.conduit;
        },
        clock: options.clock,
        shard: (id): Shard | undefined => shards.get(id),
        owners: () => options.ownership.owners?.(),
      },
      () => host.kind(),
    );
  }

  /** The registry the client's parts record into (`null` with `metrics: false`). */
  get registry(): MetricsRegistry | null {
    return this.metrics?.registry ?? null;
  }

  snapshot(): MetricsSnapshot {
    return this.metrics?.registry.snapshot() ?? [];
  }

  health(): HealthReport {
    return this.#health.report();
  }

  view(): SourceView {
    return { ...this.#viewer.view(), subscriptions: this.census.view() };
  }

  get server(): ObservabilityServer | null {
    return this.#server;
  }

  /** `start()` began: the health's start-up clock, and the observability server when the option asks for one. */
  async starting(sources: readonly ObservedSource[]): Promise<void> {
    this.#health.starting();
    const option = this.#options.observability;
    if (option === undefined || option === false) return;
    const server = await startObservabilityServer({
      clock: this.#options.clock,
      logger: this.#host.logger,
      ...option,
      sources,
    });
    this.#server = server;
    // close() while it started: the client's close did not see it.
    if (this.#host.isClosing()) await server.close();
  }

  stateChanged(shardId: string, from: ShardState, to: ShardState): void {
    this.metrics?.transition(from, to);
    this.#viewer.stateChanged(shardId, from, to);
  }

  listed(remote: readonly ConduitShard[]): void {
    this.#viewer.listed(remote);
  }

  error(error: unknown, context?: string): void {
    this.#viewer.error(error, context);
  }

  /** Stops the census and closes the server (resolves when it is closed). */
  close(): Promise<void> {
    this.census.close();
    return this.#server?.close() ?? Promise.resolve();
  }
}
