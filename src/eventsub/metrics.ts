/**
 * The metrics every EventSub receiver records (events per type, delivery lag, handler errors), and the recorder the
 * one dispatcher (dispatch.ts) calls per notification. Receivers add their own (the AutoClient's shards:
 * conduit/metrics.ts) to the same registry.
 */
import type { Clock } from '../core/clock.js';
import {
  LAG_BUCKETS,
  MetricsRegistry,
  type Counter,
  type HistogramChild,
  type ValueChild,
} from '../core/metrics.js';

/** What the dispatcher records per first-seen notification (before it looks for listeners). */
export interface DispatchRecorder {
  /** Milliseconds since the epoch, for the delivery lag. */
  now(): number;
  /** Counts one notification of `type` and observes its lag (seconds). */
  dispatched(type: string, lagSeconds: number): void;
}

/** What a client records into (`Client.recordMetrics`, for subclasses): dispatch, and failed listeners. */
export interface MetricsRecorder extends DispatchRecorder {
  /** A listener of `event` threw or rejected. */
  listenerFailed(event: string): void;
}

/** A receiver's EventSub metrics (internal: receivers expose `metrics()` snapshots). */
export class EventSubMetrics implements MetricsRecorder {
  readonly registry = new MetricsRegistry();
  readonly events: Counter;
  readonly handlerErrors: Counter;
  readonly #lag: HistogramChild;
  readonly #clock: Clock;
  /** The last type's child: a burst of one type skips even the map lookup. */
  #lastType = '';
  #lastChild: ValueChild | null = null;

  constructor(clock: Clock) {
    this.#clock = clock;
    const r = this.registry;
    this.events = r.counter({
      name: 'twitch_realtime_eventsub_notifications_total',
      help: 'First-seen notifications dispatched, by subscription type.',
      labelNames: ['type'],
    });
    this.#lag = r
      .histogram({
        name: 'twitch_realtime_eventsub_delivery_lag_seconds',
        help: "Seconds from Twitch's message_timestamp to the notification's dispatch to the handlers.",
        buckets: LAG_BUCKETS,
      })
      .labels();
    this.handlerErrors = r.counter({
      name: 'twitch_realtime_eventsub_handler_errors_total',
      help: 'Listeners that threw or rejected, by event name.',
      labelNames: ['event'],
    });
  }

  now(): number {
    return this.#clock.now();
  }

  listenerFailed(event: string): void {
    this.handlerErrors.labels(event).inc();
  }

  dispatched(type: string, lagSeconds: number): void {
    let child = this.#lastChild;
    if (child === null || type !== this.#lastType) {
      child = this.events.labels(type);
      this.#lastChild = child;
      this.#lastType = type;
    }
    child.inc();
    // A timestamp that does not parse (NaN) is counted, not observed.
    if (lagSeconds === lagSeconds) this.#lag.observe(lagSeconds < 0 ? 0 : lagSeconds);
  }
}

/** The counters of a session that metrics sum (`EventSubSession.stats`). */
export interface SessionCounters {
  readonly connectAttempts: number;
  readonly reconnects: number;
  readonly handovers: number;
  readonly duplicates: number;
}

/** What {@link SessionTotals} reads of a session: its `stats` getter (a copy per read, at snapshot time only). */
export interface CountedSession {
  readonly stats: SessionCounters;
}

const COUNTER_KEYS: readonly (keyof SessionCounters)[] = [
  'connectAttempts',
  'reconnects',
  'handovers',
  'duplicates',
];

/**
 * Sums the counters of a receiver's sessions at snapshot time (nothing per message: the sessions count anyway),
 * keeping the counts of sessions gone since (retired at close, or no longer listed) so that a counter never goes
 * down. Shared by the AutoClient's shards and the WebSocketClient's sockets.
 */
export class SessionTotals {
  /** Totals of sessions no longer served. */
  readonly #retired: Record<keyof SessionCounters, number> = {
    connectAttempts: 0,
    reconnects: 0,
    handovers: 0,
    duplicates: 0,
  };
  /** The last read of each session served at the previous sum. */
  #seen = new Map<CountedSession, SessionCounters>();
  readonly #gone = new WeakSet<CountedSession>();

  /** `session` is closed for good: its counters are kept now (a socket may open and close between scrapes). */
  retire(session: CountedSession): void {
    if (this.#gone.has(session)) return;
    this.#gone.add(session);
    this.#seen.delete(session);
    const stats = session.stats;
    for (const key of COUNTER_KEYS) this.#retired[key] += stats[key];
  }

  /** The totals now: the sessions served, plus every session served before. */
  sum(sessions: Iterable<CountedSession>): Record<keyof SessionCounters, number> {
    const sum = { ...this.#retired };
    const seen = new Map<CountedSession, SessionCounters>();
    for (const session of sessions) {
      if (this.#gone.has(session)) continue;
      const stats = session.stats;
      seen.set(session, stats);
      for (const key of COUNTER_KEYS) sum[key] += stats[key];
    }
    for (const [session, stats] of this.#seen) {
      if (seen.has(session)) continue;
      for (const key of COUNTER_KEYS) {
        this.#retired[key] += stats[key];
        sum[key] += stats[key];
      }
    }
    this.#seen = seen;
    return sum;
  }
}
