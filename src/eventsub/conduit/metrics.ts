/**
 * The AutoClient's metrics: the EventSub ones (events per type, delivery lag, handler errors) plus its shards:
 * states (computed at each snapshot), transitions (counted by the shard's state setter, shard.ts), and the
 * connects, reconnects, handovers and duplicates its sessions count anyway (`EventSubSession.stats`), summed at
 * each snapshot: nothing more is done per message.
 */
import type { Clock } from '../../core/clock.js';
import type { Counter } from '../../core/metrics.js';
import { EventSubMetrics } from '../metrics.js';
import type { EventSubSession } from '../websocket/session.js';
import type { EventSubSessionStats } from '../websocket/session-options.js';
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

type SessionTotals = Pick<
  EventSubSessionStats,
  'connectAttempts' | 'reconnects' | 'handovers' | 'duplicates'
>;
const TOTALS: readonly (keyof SessionTotals)[] = ['connectAttempts', 'reconnects', 'handovers', 'duplicates'];

/** What the metrics read at snapshot time (internal). */
export interface ConduitMetricsSource {
  values(): Iterable<Shard>;
  readonly sockets: ReadonlyMap<string, EventSubSession>;
}

export class ConduitMetrics extends EventSubMetrics {
  readonly #transitions: Counter;
  /** Totals of sessions no longer served (a revoked or removed shard), so counters never go down. */
  readonly #retired: Record<keyof SessionTotals, number> = {
    connectAttempts: 0,
    reconnects: 0,
    handovers: 0,
    duplicates: 0,
  };
  /** The last stats read of each session served at the previous snapshot. */
  #seen = new Map<EventSubSession, SessionTotals>();

  constructor(clock: Clock, source: ConduitMetricsSource) {
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
        help: 'Notifications and revocations dropped because their message_id was already seen.',
      }),
    };
    r.collect(() => {
      states.reset();
      for (const shard of source.values()) stateChildren[STATES.indexOf(shard.state)]?.inc();
      const sum = { ...this.#retired };
      const seen = new Map<EventSubSession, SessionTotals>();
      for (const session of source.sockets.values()) {
        const stats = session.stats;
        seen.set(session, stats);
        for (const key of TOTALS) sum[key] += stats[key];
      }
      for (const [session, stats] of this.#seen) {
        if (seen.has(session)) continue;
        for (const key of TOTALS) {
          this.#retired[key] += stats[key];
          sum[key] += stats[key];
        }
      }
      this.#seen = seen;
      for (const key of TOTALS) totals[key].labels().set(sum[key]);
    });
  }

  /** Counts one shard transition (called by the shard's state setter through the host). */
  transition(from: ShardState, to: ShardState): void {
    this.#transitions.labels(from, to).inc();
  }
}
