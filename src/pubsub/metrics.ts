/**
 * The PubSubPool's metrics: connections by state and topics held (counted at each snapshot), connects, reconnects
 * by reason, handovers, PONG timeouts and LISTEN errors (counted by the connection once per event), and messages
 * per topic type (counted by the pool's dispatch: one increment per message, the child found by the full topic
 * string in a bounded cache, so no string is built per message).
 */
import type { Counter, ValueChild } from '../core/metrics.js';
import { MetricsRegistry } from '../core/metrics.js';

/** Why a PubSub connection reconnects. */
export type PubSubReconnectReason =
  /** The socket closed or dropped. */
  | 'connection_lost'
  /** No PONG within `pongTimeoutMs` after a PING. */
  | 'pong_timeout'
  /** No RESPONSE to a LISTEN or UNLISTEN within `responseTimeoutMs`. */
  | 'response_timeout'
  /** A RECONNECT handover failed and the old socket was gone too. */
  | 'handover_failed';

const REASONS: readonly PubSubReconnectReason[] = [
  'connection_lost',
  'pong_timeout',
  'response_timeout',
  'handover_failed',
];
const STATES = ['connecting', 'open', 'reconnecting', 'closed'] as const;

/** Most LISTEN error strings kept apart (Twitch sends a handful; a hostile server cannot grow memory). */
const MAX_LISTEN_ERRORS = 20;
/** Most topic types kept apart. */
const MAX_TOPIC_TYPES = 100;
/** Most topic strings whose child is cached (the pool holds at most maxPoolSize × maxConnectionTopics). */
const MAX_CACHED_TOPICS = 10_000;

/** What the metrics read at snapshot time (internal). */
export interface PubSubMetricsSource {
  connections(): Iterable<{ readonly state: (typeof STATES)[number] }>;
  /** Topics held (LISTENed or being LISTENed). */
  topics(): number;
}

/** A pool's metrics (internal: `PubSubPool.metrics()` snapshots them). */
export class PubSubMetrics {
  readonly registry = new MetricsRegistry();
  readonly #connects: ValueChild;
  readonly #handovers: ValueChild;
  readonly #pongTimeouts: ValueChild;
  readonly #reconnects: Readonly<Record<PubSubReconnectReason, ValueChild>>;
  readonly #listenErrors: Counter;
  readonly #messages: Counter;
  /** Topic string → its type's child: a message finds its child without slicing the topic. */
  readonly #byTopic = new Map<string, ValueChild>();

  constructor(source: PubSubMetricsSource) {
    const r = this.registry;
    const states = r.gauge({
      name: 'twitch_realtime_pubsub_connections',
      help: 'Connections of the pool, by state.',
      labelNames: ['state'],
    });
    const stateChildren = STATES.map((state) => [state, states.labels(state)] as const);
    const topics = r.gauge({ name: 'twitch_realtime_pubsub_topics', help: 'Topics the pool holds.' });
    this.#connects = r
      .counter({
        name: 'twitch_realtime_pubsub_connects_total',
        help: 'Sockets that became a connection’s current one by a connect or a reconnect (not by a handover).',
      })
      .labels();
    const reconnects = r.counter({
      name: 'twitch_realtime_pubsub_reconnects_total',
      help: 'Backoff reconnects started, by reason: connection_lost, pong_timeout, response_timeout, handover_failed.',
      labelNames: ['reason'],
    });
    const byReason = {} as Record<PubSubReconnectReason, ValueChild>;
    for (const reason of REASONS) byReason[reason] = reconnects.labels(reason);
    this.#reconnects = byReason;
    this.#handovers = r
      .counter({
        name: 'twitch_realtime_pubsub_handovers_total',
        help: 'RECONNECT handovers completed (a second socket took over without a gap).',
      })
      .labels();
    this.#pongTimeouts = r
      .counter({
        name: 'twitch_realtime_pubsub_pong_timeouts_total',
        help: 'PINGs without a PONG in time (the connection reconnects).',
      })
      .labels();
    this.#listenErrors = r.counter({
      name: 'twitch_realtime_pubsub_listen_errors_total',
      help: 'LISTENs refused by the server, by its error string (ERR_BADAUTH, ERR_BADTOPIC, ...).',
      labelNames: ['error'],
      maxChildren: MAX_LISTEN_ERRORS,
    });
    this.#messages = r.counter({
      name: 'twitch_realtime_pubsub_messages_total',
      help: 'MESSAGE frames received, by topic type (the topic before its first dot).',
      labelNames: ['topic_type'],
      maxChildren: MAX_TOPIC_TYPES,
    });
    r.collect(() => {
      for (const [, child] of stateChildren) child.set(0);
      for (const connection of source.connections()) {
        for (const [state, child] of stateChildren) if (state === connection.state) child.inc();
      }
      topics.set(source.topics());
    });
  }

  /** A socket became a connection's current one (connect or reconnect). */
  connected(): void {
    this.#connects.inc();
  }

  /** A backoff reconnect started. */
  reconnecting(reason: PubSubReconnectReason): void {
    this.#reconnects[reason].inc();
  }

  /** A RECONNECT handover's new socket took over. */
  handedOver(): void {
    this.#handovers.inc();
  }

  /** A PONG did not come in time. */
  pongTimedOut(): void {
    this.#pongTimeouts.inc();
  }

  /** The server refused a LISTEN with `error`. */
  listenFailed(error: string): void {
    this.#listenErrors.labels(error).inc();
  }

  /** One MESSAGE frame on `topic` (hot path: a map lookup and an increment). */
  message(topic: string): void {
    let child = this.#byTopic.get(topic);
    if (child === undefined) {
      const dot = topic.indexOf('.');
      child = this.#messages.labels(dot === -1 ? topic : topic.slice(0, dot));
      if (this.#byTopic.size < MAX_CACHED_TOPICS) this.#byTopic.set(topic, child);
    }
    child.inc();
  }
}
