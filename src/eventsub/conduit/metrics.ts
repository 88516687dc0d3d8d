/**
 * The AutoClient's metrics: the EventSub ones (events per type, delivery lag, handler errors) plus its shards:
 * states (computed at each snapshot), transitions (counted by the shard's state setter, shard.ts), and the
 * connects, reconnects, handovers and duplicates its sessions count anyway (`EventSubSession.stats`), summed at
 * each snapshot: nothing more is done per message.
 */
import type { Clock } from '../../core/clock.js';
import type { Counter, MetricsRegistry } from '../../core/metrics.js';
import { EventSubMetrics, SessionTotals } from '../metrics.js';
import type { EventSubSession } from '../websocket/session.js';
import type { Shard, ShardState } from './shard.js';

const STATES: readonly ShardState[] = [
  'connecting',
  'assigning',
  'verifying',
  'ready',
  'waiting',
  'held',
  'closed',
];

/** What the metrics read at snapshot time (internal). */
export interface ConduitMetricsSource {
  values(): Iterable<Shard>;
  readonly sockets: ReadonlyMap<string, EventSubSession>;
}

export class ConduitMetrics extends EventSubMetrics {
  readonly #transitions: Counter;
  readonly #sessions = new SessionTotals();

  /**
   * @param webhookDuplicates - the duplicates the webhook shards' receiver answered so far (its `stats`), counted
   *   with the sessions' in `twitch_realtime_eventsub_duplicates_total`.
   */
  constructor(clock: Clock, source: ConduitMetricsSource, webhookDuplicates: () => number = () => 0) {
    super(clock);
    const r = this.registry;
    const states = r.gauge({
      name: 'twitch_realtime_shards',
      help: 'Shards this process serves, by state.',
      labelNames: ['state'],
    });
    const stateChildren = STATES.map((state) => states.labels(state));
    this.#transitions = r.counter({
      name: 'twitch_realtime_shard_transitions_total',
      help: 'Shard state changes, by previous and new state.',
      labelNames: ['from', 'to'],
    });
    const totals = {
      connectAttempts: r.counter({
        name: 'twitch_realtime_shard_connects_total',
        help: 'WebSocket connect attempts of the shard sessions.',
      }),
      reconnects: r.counter({
        name: 'twitch_realtime_shard_reconnects_total',
        help: 'Shard sessions welcomed again after a lost socket (a new session to bind).',
      }),
      handovers: r.counter({
        name: 'twitch_realtime_shard_handovers_total',
        help: 'Completed session_reconnect handovers (the session carries on).',
      }),
      duplicates: r.counter({
        name: 'twitch_realtime_eventsub_duplicates_total',
        help: 'Notifications and revocations dropped because their message_id was already seen (WebSocket and webhook shards).',
      }),
    };
    r.collect(() => {
      states.reset();
      for (const shard of source.values()) stateChildren[STATES.indexOf(shard.state)]?.inc();
      const sum = this.#sessions.sum(source.sockets.values());
      totals.connectAttempts.labels().set(sum.connectAttempts);
      totals.reconnects.labels().set(sum.reconnects);
      totals.handovers.labels().set(sum.handovers);
      totals.duplicates.labels().set(sum.duplicates + webhookDuplicates());
    });
  }

  /** Counts one shard transition (called by the shard's state setter through the host). */
  transition(from: ShardState, to: ShardState): void {
    this.#transitions.labels(from, to).inc();
  }
}

/** Each client's registry (kept out of the classes' declarations: an internal seam, not public API). */
const REGISTRIES = new WeakMap<object, MetricsRegistry>();

/** The AutoClient records into `registry` (its `metrics()`). */
export function setClientRegistry(client: object, registry: MetricsRegistry): void {
  REGISTRIES.set(client, registry);
}

/**
 * The registry `client.metrics()` snapshots, for a subclass that adds its own metrics (the AutoBot); `null` with
 * `metrics: false`.
 */
export function clientRegistry(client: object): MetricsRegistry | null {
  return REGISTRIES.get(client) ?? null;
}
