/**
 * Options of the PubSub pool: their documentation, their checks (one table) and their resolution to defaults.
 */
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { optionalUrl } from '../core/guards.js';
import {
  boolean,
  checkOptions,
  clock,
  duration,
  func,
  integerIn,
  logger,
  nested,
  oneOf,
  positiveInteger,
  url,
  type OptionChecks,
} from '../core/options.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { PubSubConnection, ConnectionTimings } from './connection.js';
import { PUBSUB_LIMITS, TWITCH_PUBSUB_URL } from '../protocol/pubsub.js';
import type { Topic } from './topics.js';
import { OBSERVABILITY_OPTION_CHECK, type ClientObservabilityOptions } from '../observability/server.js';

/**
 * Options of {@link PubSubPool}. Durations in milliseconds, each within `1..2^31-1` (jitters may be 0); anything else
 * is an `INVALID_ARGUMENT` naming the option, thrown by the constructor.
 */
export interface PubSubPoolOptions {
  /** Most connections. @defaultValue 10 */
  readonly maxPoolSize?: number;
  /** Most topics per connection. @defaultValue 50 */
  readonly maxConnectionTopics?: number;
  /** Distribution mode: `'group'` keeps the topics of one `subscribeTopics` call on one connection. */
  readonly mode?: 'group';
  /**
   * Server URL (`ws:` or `wss:`). Omit the key for Twitch's (shut down); an explicit `undefined` (a misspelt
   * variable) is an `INVALID_ARGUMENT`, never a silent fallback to production. Every socket of the pool, RECONNECT
   * handovers included, goes to this URL: the pool follows no URL a server sends.
   * @defaultValue `wss://pubsub-edge.twitch.tv` (shut down; point it at the emulator)
   */
  readonly url?: string;
  /** Called with the topics removed after an `ERR_BADAUTH`, unless a subclass overrides {@link PubSubPool.authFailHook}. */
  readonly authFailHook?: (topics: Topic[]) => unknown;
  /** Called before every reconnect, unless a subclass overrides {@link PubSubPool.reconnectHook}. */
  readonly reconnectHook?: (connection: PubSubConnection, topics: Topic[]) => Topic[] | Promise<Topic[]>;
  /** Longest time between two PINGs. Must be <= 4 min. @defaultValue 240000 */
  readonly pingIntervalMs?: number;
  /** PINGs come up to this much earlier than `pingIntervalMs`, at random. @defaultValue 30000 */
  readonly pingJitterMs?: number;
  /** Reconnect when no PONG comes within this delay. @defaultValue 10000 */
  readonly pongTimeoutMs?: number;
  /** Reconnect when a LISTEN/UNLISTEN gets no RESPONSE within this delay. @defaultValue 10000 */
  readonly responseTimeoutMs?: number;
  /**
   * Longest time a `subscribeTopics` call waits for the server to acknowledge its topics, connection and
   * reconnects included. Past it, the call rejects with {@link PubSubSubscribeTimeoutError}
   * (`PUBSUB_SUBSCRIBE_TIMEOUT`) and the topics still unacknowledged are unsubscribed. @defaultValue 30000
   */
  readonly subscribeTimeoutMs?: number;
  /** WebSocket handshake timeout. @defaultValue 10000 */
  readonly connectTimeoutMs?: number;
  /** Reconnect backoff: `initialMs · 2^n` + jitter, capped. @defaultValue `{ initialMs: 1000, maxMs: 120000, jitterMs: 1000 }` */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number; readonly jitterMs?: number };
  /** Timers (injectable in tests). @defaultValue the system clock (unref'd timers) */
  readonly clock?: Clock;
  /** Randomness in [0, 1) for jitter. @defaultValue Math.random */
  readonly random?: () => number;
  readonly logger?: Logger;
  /**
   * Largest accepted frame, bytes (1..2^31-1; PubSub frames are a few KB). A connection that receives a bigger one
   * reports `PUBSUB_FRAME_TOO_LARGE` on `pubsub_error`, and its socket is closed (1009) and reconnects, like the
   * EventSub session's `maxPayload`. @defaultValue 4194304 (4 MiB)
   */
  readonly maxPayload?: number;
  /**
   * Record metrics (`metrics()`: connections, topics, connects, reconnects by reason, handovers, messages per topic
   * type, LISTEN errors, PONG timeouts). `false` records nothing and `metrics()` returns an empty snapshot.
   * @defaultValue true
   */
  readonly metrics?: boolean;
  /**
   * Serve `/metrics`, `/healthz`, `/readyz` and the live dashboard of this pool: started by the first
   * `subscribeTopics()` (the pool's connect; a refused start rejects it and closes the pool), closed by `close()`,
   * reached through `pool.observability` (its `url`). Bound to 127.0.0.1:9464 unless `host`/`port` say otherwise; a
   * `token` is required on any other address. See docs/observability.md. Omitted or `false`: no server.
   */
  readonly observability?: false | ClientObservabilityOptions;
}

/** Default {@link PubSubPoolOptions.maxPayload}: the EventSub session's bound. */
const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const POOL_CHECKS: OptionChecks<PubSubPoolOptions> = {
  maxPoolSize: positiveInteger,
  maxConnectionTopics: positiveInteger,
  mode: oneOf(['group']),
  url,
  authFailHook: func,
  reconnectHook: func,
  // Durations follow the clock rule (core/duration.ts): a zero deadline or backoff would be a tight loop.
  pingIntervalMs: duration({ max: 240_000 }),
  pingJitterMs: duration({ min: 0 }),
  pongTimeoutMs: duration(),
  responseTimeoutMs: duration(),
  subscribeTimeoutMs: duration(),
  connectTimeoutMs: duration(),
  backoff: nested<NonNullable<PubSubPoolOptions['backoff']>>({
    initialMs: duration(),
    maxMs: duration(),
    jitterMs: duration({ min: 0 }),
  }),
  clock,
  random: func,
  logger,
  maxPayload: integerIn(1, 2 ** 31 - 1, 'a positive integer number of bytes'),
  metrics: boolean,
  observability: OBSERVABILITY_OPTION_CHECK,
};

/** The pool's options with their defaults applied. @internal */
export interface ResolvedPoolOptions {
  readonly maxPoolSize: number;
  readonly maxConnectionTopics: number;
  readonly url: string;
  readonly logger: Logger;
  readonly timings: ConnectionTimings;
  readonly subscribeTimeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly maxPayload: number;
  readonly metrics: boolean;
  readonly observability: ClientObservabilityOptions | null;
}

/**
 * Checks `options` (an `INVALID_ARGUMENT` naming the option) and applies the defaults. An explicit `url: undefined`
 * is refused: it must never mean "Twitch's production host" (guards.ts, optionalUrl).
 */
export function resolvePoolOptions(options: PubSubPoolOptions): ResolvedPoolOptions {
  checkOptions(options, POOL_CHECKS);
  const pingIntervalMs = options.pingIntervalMs ?? 240_000;
  const backoffInitialMs = options.backoff?.initialMs ?? PUBSUB_LIMITS.backoffInitialMs;
  return {
    maxPoolSize: options.maxPoolSize ?? PUBSUB_LIMITS.maxConnections,
    maxConnectionTopics: options.maxConnectionTopics ?? PUBSUB_LIMITS.maxTopicsPerConnection,
    url: optionalUrl(options, 'url', TWITCH_PUBSUB_URL),
    logger: options.logger ?? silentLogger,
    timings: {
      pingIntervalMs,
      pingJitterMs: Math.min(pingIntervalMs, options.pingJitterMs ?? 30_000),
      pongTimeoutMs: options.pongTimeoutMs ?? PUBSUB_LIMITS.pongTimeoutMs,
      responseTimeoutMs: options.responseTimeoutMs ?? 10_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      backoffInitialMs,
      backoffMaxMs: Math.max(backoffInitialMs, options.backoff?.maxMs ?? PUBSUB_LIMITS.backoffMaxMs),
      backoffJitterMs: options.backoff?.jitterMs ?? 1_000,
    },
    subscribeTimeoutMs: options.subscribeTimeoutMs ?? 30_000,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    metrics: options.metrics ?? true,
    observability:
      options.observability === undefined || options.observability === false ? null : options.observability,
  };
}
