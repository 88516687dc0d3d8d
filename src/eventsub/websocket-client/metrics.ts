/**
 * The WebSocketClient's metrics: the EventSub ones every receiver records through the one dispatcher
 * (eventsub/metrics.ts: notifications per type, delivery lag, handler errors), plus its sockets: states (counted at
 * each snapshot), the connects, reconnects, handovers and duplicates their sessions count anyway (summed at each
 * snapshot, kept when a socket closes), keepalive timeouts and revocations (counted by the client's pool host, once
 * per event, never per message).
 */
import type { Clock } from '../../core/clock.js';
import type { Counter, ValueChild } from '../../core/metrics.js';
import { EventSubMetrics, SessionTotals, type CountedSession } from '../metrics.js';
import type { EventSubSessionState } from '../websocket/session-options.js';

const STATES: readonly EventSubSessionState[] = ['idle', 'connecting', 'connected', 'reconnecting', 'closed'];

/** A socket as the metrics read it (internal). */
export interface MeteredSocket extends CountedSession {
  readonly state: EventSubSessionState;
}

/** What the metrics read at snapshot time (internal): the sessions of the open sockets, the subscriptions. */
export interface WebSocketMetricsSource {
  sessions(): Iterable<MeteredSocket>;
  /** Subscriptions held (pending and enabled). */
  subscriptions(): number;
}

/** Most revocation statuses kept apart (Twitch has a handful; the rest share `__overflow__`). */
const MAX_REVOCATION_STATUSES = 20;

/** A WebSocketClient's metrics (internal: `WebSocketClient.metrics()` snapshots them). */
export class WebSocketClientMetrics extends EventSubMetrics {
  readonly #sessions = new SessionTotals();
  readonly #keepaliveTimeouts: ValueChild;
  readonly #revocations: Counter;

  constructor(clock: Clock, source: WebSocketMetricsSource) {
    super(clock);
    const r = this.registry;
    const states = r.gauge({
      name: 'twitch_realtime_websocket_sockets',
      help: "Open sockets of the WebSocketClient, by their session's state.",
      labelNames: ['state'],
    });
    const stateChildren = STATES.map((state) => states.labels(state));
    const subscriptions = r.gauge({
      name: 'twitch_realtime_websocket_subscriptions',
      help: 'Subscriptions the WebSocketClient holds (pending and enabled).',
    });
    const totals = {
      connectAttempts: r.counter({
        name: 'twitch_realtime_websocket_connects_total',
        help: 'WebSocket connect attempts of the sockets.',
      }),
      reconnects: r.counter({
        name: 'twitch_realtime_websocket_reconnects_total',
        help: 'Sockets welcomed again after a lost session (a new session: its subscriptions are created again).',
      }),
      handovers: r.counter({
        name: 'twitch_realtime_websocket_handovers_total',
        help: 'Completed session_reconnect handovers (the session and its subscriptions carry on).',
      }),
      duplicates: r.counter({
        name: 'twitch_realtime_eventsub_duplicates_total',
        help: 'Notifications and revocations dropped because their message_id was already seen.',
      }),
    };
    this.#keepaliveTimeouts = r
      .counter({
        name: 'twitch_realtime_websocket_keepalive_timeouts_total',
        help: 'Sockets given up because nothing arrived within the keepalive timeout (they reconnect).',
      })
      .labels();
    this.#revocations = r.counter({
      name: 'twitch_realtime_websocket_revocations_total',
      help: "Revocations received, by the subscription's status (authorization_revoked, user_removed, ...).",
      labelNames: ['status'],
      maxChildren: MAX_REVOCATION_STATUSES,
    });
    r.collect(() => {
      states.reset();
      const open = [...source.sessions()];
      for (const session of open) stateChildren[STATES.indexOf(session.state)]?.inc();
      subscriptions.set(source.subscriptions());
      const sum = this.#sessions.sum(open);
      totals.connectAttempts.labels().set(sum.connectAttempts);
      totals.reconnects.labels().set(sum.reconnects);
      totals.handovers.labels().set(sum.handovers);
      totals.duplicates.labels().set(sum.duplicates);
    });
  }

  /** A socket closed for good: its session's counters are kept. */
  retire(session: CountedSession): void {
    this.#sessions.retire(session);
  }

  /** The keepalive watchdog gave up on a socket. */
  keepaliveTimedOut(): void {
    this.#keepaliveTimeouts.inc();
  }

  /** A revocation of a subscription with this status. */
  revoked(status: string): void {
    this.#revocations.labels(status).inc();
  }
}
