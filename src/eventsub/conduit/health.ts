/**
 * The AutoClient's `health()`: liveness and readiness with Kubernetes semantics (docs/observability.md, "Health"),
 * computed on demand from what the client already holds (its state, the served shards, the health-check loop and its
 * Helix client). Nothing here runs on its own: a probe reads it, on the client's clock.
 */
import type { Clock } from '../../core/clock.js';
import { CLOSED_HEALTH, healthReport, idsReason } from '../../observability/health.js';
import type { HealthReport } from '../../observability/source.js';
import type { ClientState } from '../client.js';
import type { Shard } from './shard.js';

/**
 * Failures in a row a shard may have and still count as being retried (ready): the attempts its backoff takes to
 * reach its ceiling (`shardRetry.maxMs`, doubling from `initialMs`) plus one at the ceiling, and at least 3. With
 * the default `{ initialMs: 1000, maxMs: 60000 }`: 7 failures, about two minutes of retrying at most.
 */
export function shardRetryBudget(retry: { readonly initialMs: number; readonly maxMs: number }): number {
  const steps = Math.ceil(Math.log2(retry.maxMs / retry.initialMs));
  return Math.max(3, steps + 1);
}

/** What the health report reads from its client (internal). */
export interface ConduitHealthHost {
  readonly clock: Clock;
  readonly stuckAfterMs: number;
  readonly retryBudget: number;
  /** The health-check period (0: off, then its loop is not watched). */
  readonly reconcileIntervalMs: number;
  state(): ClientState;
  /** The granted shard ids (served or not). */
  granted(): readonly string[];
  shard(id: string): Shard | undefined;
  /** When the health check last ran or was armed, and since when a run is in progress (`null`: none). */
  reconcilerActivity(): { readonly activeAt: number | null; readonly runningSince: number | null };
  /** The Helix client's own report (its token). */
  helix(): HealthReport;
}

export class ConduitHealth {
  readonly #host: ConduitHealthHost;
  /** When `start()` began (`null`: never). */
  #startingSince: number | null = null;

  constructor(host: ConduitHealthHost) {
    this.#host = host;
  }

  /** `start()` began now. */
  starting(): void {
    this.#startingSince = this.#host.clock.now();
  }

  report(): HealthReport {
    const host = this.#host;
    const state = host.state();
    if (state === 'closing' || state === 'closed') {
      return CLOSED_HEALTH;
    }
    const now = host.clock.now();
    const stuckAfter = host.stuckAfterMs;
    const notReady: (string | null)[] = [];
    const notLive: (string | null)[] = [];
    if (state === 'idle') notReady.push('not started');
    if (state === 'starting') {
      notReady.push('starting');
      if (this.#startingSince !== null && now - this.#startingSince >= stuckAfter) {
        notLive.push(`stuck: starting for over ${stuckAfter} ms`);
      }
    }
    const budget = host.retryBudget;
    const pastBudget: string[] = [];
    const contested: string[] = [];
    const unusable: string[] = [];
    const closed: string[] = [];
    const stuck: string[] = [];
    for (const id of host.granted()) {
      const shard = host.shard(id);
      if (shard === undefined) {
        unusable.push(id);
        continue;
      }
      if (shard.contested) contested.push(id);
      const shardState = shard.state;
      // `held`: the ownership strategy refused to bind it (another process serves it): its choice, not a fault.
      if (shardState === 'ready' || shardState === 'held') continue;
      if (shardState === 'closed') closed.push(id);
      else if (shard.failures >= budget) pastBudget.push(id);
      // Stuck: not ready for stuckAfterMs AND no step taken for as long. A shard that keeps retrying (a Twitch
      // outage) is not ready but not stuck: a restart would not help, and restarting every pod makes it worse.
      // A pending retry is a step planned: the idle time starts when it is due (a backoff above stuckAfterMs).
      const since = shard.notReadySince;
      const idleSince = Math.max(shard.changedAt, shard.retryDueAt ?? shard.changedAt);
      if (since !== null && now - since >= stuckAfter && now - idleSince >= stuckAfter) stuck.push(id);
    }
    notLive.push(idsReason(`stuck: shards not ready and idle for over ${stuckAfter} ms`, stuck));
    notReady.push(
      idsReason(`shards past their retry budget (${budget} failures in a row)`, pastBudget),
      idsReason('shards contested (no longer taken back from another transport)', contested),
      idsReason('shards without a usable transport', unusable),
      idsReason('shards closed', closed),
    );
    if (state === 'running' && host.reconcileIntervalMs > 0) {
      const { activeAt, runningSince } = host.reconcilerActivity();
      if (runningSince !== null && now - runningSince >= stuckAfter) {
        notLive.push(`stuck: the health check has been running for over ${stuckAfter} ms`);
      } else if (
        runningSince === null &&
        (activeAt === null || now - activeAt >= host.reconcileIntervalMs + stuckAfter)
      ) {
        notLive.push(
          `stuck: the health check has not run for over ${host.reconcileIntervalMs + stuckAfter} ms`,
        );
      }
    }
    // Its Helix client closed, or its credentials refused for good: a restart (new secrets mounted) is the fix.
    for (const reason of host.helix().reasons) notLive.push(`helix: ${reason}`);
    return healthReport(notLive, notReady);
  }
}
