/**
 * The shapes of an EventSub WebSocket session: the socket it drives (`WebSocketLike`), its options with their checks
 * (core/options.ts), its events, states and counters.
 */
import WebSocket from 'ws';
import { Backoff } from '../../core/backoff.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { MAX_TIMER_MS, requireDuration } from '../../core/duration.js';
import { isRecord, optionalUrl } from '../../core/guards.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import {
  arrayOf,
  checkOptions,
  clock,
  duration,
  fail,
  func,
  integerIn,
  logger,
  nonNegativeInteger,
  numberIn,
  url,
  withMethods,
  type Check,
  type OptionChecks,
} from '../../core/options.js';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  EVENTSUB_WS_URL,
  KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
  KEEPALIVE_TIMEOUT_MAX_SECONDS,
  KEEPALIVE_TIMEOUT_MIN_SECONDS,
  MAX_MESSAGE_AGE_MS,
  type CloseAction,
  type WireNotificationMessage,
  type WireRevocationMessage,
} from '../../protocol/eventsub.js';
import { MemoryDedupeStore, requireDedupeStore, type DedupeStore } from './dedupe.js';
import { DEFAULT_WS_OPTIONS } from './link.js';
import { SessionEndpoints } from './reconnect-url.js';

/**
 * What the session uses of a client socket: the part of `ws`'s `WebSocket` it calls, so that the public types need
 * no `@types/ws`. A `ws` socket (or a subclass of it) fits as it is.
 */
export interface WebSocketLike {
  /** `0` while connecting (`WebSocket.CONNECTING`), then open, closing, closed. */
  readonly readyState: number;
  /** A frame arrived: a `Buffer` for a text frame (`isBinary` false), with `ws`'s default `binaryType`. */
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  /** The socket closed, with the close code and reason. */
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  /** The socket failed (a `close` follows). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  /** Starts the closing handshake. */
  close(code?: number): void;
  /** Destroys the connection at once. */
  terminate(): void;
}

/**
 * Options given to every socket's constructor: the `ws` client options the session sets by default, and any other
 * option of the socket class (`headers`, `agent`, `handshakeTimeout`, ... for `ws`), passed through as given.
 */
export interface WebSocketClientOptions {
  /** Per-message deflate (`false`, `true` or `ws`'s `PerMessageDeflateOptions`). */
  readonly perMessageDeflate?: boolean | object | undefined;
  /** Largest accepted message, bytes. */
  readonly maxPayload?: number | undefined;
  /**
   * Any other option of the socket class. `any`, not `unknown`: only an `any` index signature accepts a value typed
   * as an interface, such as `ws`'s `ClientOptions`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [option: string]: any;
}

/**
 * Constructor of a `ws`-compatible client socket (inject one to pass a wrapper or a subclass). `WebSocket` from `ws`
 * is one.
 */
export type WebSocketConstructor = new (url: string, options?: WebSocketClientOptions) => WebSocketLike;

/** Options of {@link EventSubSession}. */
export interface EventSubSessionOptions {
  /**
   * Base URL of the EventSub WebSocket (`ws:` or `wss:`). Omit the key for Twitch's; an explicit `undefined` is
   * refused (`INVALID_ARGUMENT`), so a misspelt variable never silently means production. @defaultValue EVENTSUB_WS_URL
   */
  readonly url?: string;
  /**
   * `keepalive_timeout_seconds` asked of Twitch (10..600), appended to the base URL. Omitted: Twitch's default (10).
   * Never appended to a `reconnect_url`, which is used exactly as given.
   */
  readonly keepaliveTimeoutSeconds?: number;
  /** How long to wait for `session_welcome` after opening a socket, milliseconds (1..2^31-1). @defaultValue 10000 */
  readonly welcomeTimeoutMs?: number;
  /**
   * Leeway of the keepalive watchdog: the socket is declared dead after `keepalive_timeout_seconds × (1 + ratio)`
   * without any message. A number in 0..10. @defaultValue 0.2
   */
  readonly keepaliveMarginRatio?: number;
  /**
   * Notifications and revocations older than this are dropped and counted as stale, milliseconds (1..2^31-1).
   * @defaultValue 600000
   */
  readonly maxMessageAgeMs?: number;
  /**
   * Tolerated clock skew, milliseconds (0..2^31-1 minus `maxMessageAgeMs`): a notification timestamped further than
   * this ahead of the local clock is not emitted, counted in `stats.skewed` and reported (`CLOCK_SKEW`, once per
   * episode): the local clock is behind Twitch's. This bounds the time in which a redelivery can be accepted to
   * `maxMessageAgeMs + maxFutureSkewMs` after its first sighting, which the dedupe store covers. Same rule and
   * default as the webhook receiver's. @defaultValue 60000
   */
  readonly maxFutureSkewMs?: number;
  /**
   * Hosts a `session_reconnect` may send the session to, besides the base URL's host (always allowed): `host`,
   * `host:port`, or `*.domain` for any subdomain (on the scheme's default port). A `reconnect_url` must also use
   * the base URL's scheme and carry no credentials; any other is refused with `HANDOVER_FAILED` and the session
   * starts over at the base URL. @defaultValue TWITCH_EVENTSUB_WS_HOSTS (`['eventsub.wss.twitch.tv']`)
   */
  readonly allowedReconnectHosts?: readonly string[];
  /** Source of time and timers. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Reconnect delays. @defaultValue new Backoff({ initialMs: 250, maxMs: 30000 }) */
  readonly backoff?: Backoff;
  /**
   * Where message ids are remembered; share one store between sessions to deduplicate across them. Its `windowMs`
   * must be at least `maxMessageAgeMs + maxFutureSkewMs` (11 minutes by default), the time after its first sighting
   * in which a redelivery can be accepted. An id the store refuses (at its memory bound) is not emitted: it is
   * counted in `stats.refused` and reported (`DEDUPE_FULL`, once per episode).
   * @defaultValue a private MemoryDedupeStore of `maxMessageAgeMs + maxFutureSkewMs`
   */
  readonly dedupe?: DedupeStore;
  /** Socket constructor. @defaultValue `WebSocket` from `ws` */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Options for every socket. Defaults: `perMessageDeflate: false` (Twitch frames are small; saves ~40 KB and CPU
   * per socket), `maxPayload: 4 MiB`.
   */
  readonly wsOptions?: WebSocketClientOptions;
  /** Lifecycle logging (never per message). @defaultValue silentLogger */
  readonly logger?: Logger;
}

/** Longest `keepaliveMarginRatio`: the watchdog (at most 600 s × 11) stays a valid timer delay. */
export const MAX_MARGIN_RATIO = 10;

/** A `host`, `host:port` or `*.domain` of `allowedReconnectHosts` (no scheme, path or credentials). */
const reconnectHost: Check = (value, field) => {
  if (typeof value !== 'string' || !/^(\*\.)?[A-Za-z0-9.\-[\]:]+$/.test(value) || value.startsWith('*.[')) {
    fail(field, 'a host, host:port or *.domain (no scheme, path or credentials)', value);
  }
};

/** `wsOptions`: an object, passed to the socket class as given; the two options the session sets are checked. */
const wsOptions: Check = (value, field) => {
  if (!isRecord(value)) fail(field, 'an object of socket options', value);
  const deflate = value.perMessageDeflate;
  if (deflate !== undefined && typeof deflate !== 'boolean' && !isRecord(deflate)) {
    fail(`${field}.perMessageDeflate`, 'a boolean or deflate options', deflate);
  }
  if (value.maxPayload !== undefined) nonNegativeInteger(value.maxPayload, `${field}.maxPayload`);
};

/**
 * Checks of every option of {@link EventSubSession} (core/options.ts): a new option without a check does not
 * compile. The URL's syntax and the dedupe store's window are checked by the constructor right after.
 */
export const SESSION_CHECKS: OptionChecks<EventSubSessionOptions> = {
  url,
  keepaliveTimeoutSeconds: integerIn(KEEPALIVE_TIMEOUT_MIN_SECONDS, KEEPALIVE_TIMEOUT_MAX_SECONDS),
  welcomeTimeoutMs: duration(),
  keepaliveMarginRatio: numberIn(0, MAX_MARGIN_RATIO),
  maxMessageAgeMs: duration(),
  // Its upper bound depends on maxMessageAgeMs: checked by the constructor.
  maxFutureSkewMs: duration({ min: 0 }),
  allowedReconnectHosts: arrayOf(reconnectHost, 'an array of hosts'),
  clock,
  backoff: (value, field) => {
    if (!(value instanceof Backoff)) fail(field, 'a Backoff', value);
  },
  dedupe: withMethods(['add', 'has'], 'a DedupeStore (add, has, windowMs)'),
  WebSocket: func,
  wsOptions,
  logger,
};

/** `options`, checked against {@link SESSION_CHECKS} (before `super()`, which reads the logger). */
export function checkedSessionOptions(options: EventSubSessionOptions): EventSubSessionOptions {
  checkOptions(options, SESSION_CHECKS);
  return options;
}

/** What a session runs with: its options checked, with their defaults. */
export interface ResolvedSessionOptions {
  readonly logger: Logger;
  /** The base URL and the reconnect_url policy (reconnect-url.ts). */
  readonly endpoints: SessionEndpoints;
  readonly welcomeTimeoutMs: number;
  readonly maxAgeMs: number;
  readonly maxSkewMs: number;
  /** A store whose window covers `maxAgeMs + maxSkewMs` (checked). */
  readonly dedupe: DedupeStore;
  readonly clock: Clock;
  readonly backoff: Backoff;
  readonly WebSocket: WebSocketConstructor;
  readonly wsOptions: WebSocketClientOptions;
  readonly keepaliveMarginRatio: number;
  readonly keepaliveTimeoutSeconds: number;
}

/**
 * `options` checked against {@link SESSION_CHECKS}, with their defaults (before `super()`, which reads the logger).
 * The acceptance window of a message (`maxMessageAgeMs + maxFutureSkewMs`) must fit the longest window a timer can
 * keep, and the dedupe store must remember ids at least that long.
 */
export function resolveSessionOptions(options: EventSubSessionOptions): ResolvedSessionOptions {
  const logger = checkedSessionOptions(options).logger ?? silentLogger;
  // In the order the session always checked them: the first bad one is the one reported.
  const endpoints = new SessionEndpoints(
    optionalUrl(options, 'url', EVENTSUB_WS_URL),
    options.keepaliveTimeoutSeconds,
    options.allowedReconnectHosts,
  );
  const welcomeTimeoutMs = requireDuration(options.welcomeTimeoutMs ?? 10_000, 'welcomeTimeoutMs');
  const maxAgeMs = requireDuration(options.maxMessageAgeMs ?? MAX_MESSAGE_AGE_MS, 'maxMessageAgeMs');
  const maxSkewMs = requireDuration(
    options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
    'maxFutureSkewMs',
    {
      min: 0,
      max: MAX_TIMER_MS - maxAgeMs,
    },
  );
  const acceptedForMs = maxAgeMs + maxSkewMs;
  return {
    logger,
    endpoints,
    welcomeTimeoutMs,
    maxAgeMs,
    maxSkewMs,
    dedupe: requireDedupeStore(
      options.dedupe ?? new MemoryDedupeStore({ windowMs: acceptedForMs }),
      acceptedForMs,
      'dedupe',
    ),
    clock: options.clock ?? systemClock,
    backoff: options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 }),
    WebSocket: options.WebSocket ?? WebSocket,
    wsOptions: { ...DEFAULT_WS_OPTIONS, ...options.wsOptions },
    keepaliveMarginRatio: options.keepaliveMarginRatio ?? 0.2,
    keepaliveTimeoutSeconds: options.keepaliveTimeoutSeconds ?? KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
  };
}

/** Where the session is in its lifecycle. */
export type EventSubSessionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Why the session is reconnecting. */
export type ReconnectReason =
  /** Twitch sent `session_reconnect`: a handover to `reconnect_url`, the session id stays. */
  | 'session_reconnect'
  /** The socket closed (see the `disconnected` event for the code). */
  | 'connection_lost'
  /** Nothing arrived for longer than the keepalive timeout plus margin. */
  | 'keepalive_timeout'
  /** A handover failed and the session falls back to the base URL. */
  | 'handover_failed';

/** Payload of the `reconnecting` event. */
export interface ReconnectingInfo {
  readonly reason: ReconnectReason;
  /** Connection attempt number since the last stable connection (1 for the first). */
  readonly attempt: number;
  /** Delay before this attempt, milliseconds (0 for a handover). */
  readonly delayMs: number;
}

/** Payload of the `reconnected` event. */
export interface ReconnectedInfo {
  /** The session id now in use. */
  readonly sessionId: string;
  /** The session id before. */
  readonly previousSessionId: string;
  /** `'handover'` after `session_reconnect`, `'reconnect'` after a loss (new session). */
  readonly cause: 'handover' | 'reconnect';
  /**
   * Whether the owner must bind the session again (assign it to its conduit shard, or re-create its websocket
   * subscriptions). `true` after a loss; `false` after a handover, where subscriptions follow the session.
   */
  readonly rebindRequired: boolean;
}

/** Payload of the `disconnected` event. */
export interface DisconnectInfo {
  /** WebSocket close code (1006 when the connection dropped or the watchdog gave up). */
  readonly code: number;
  /** Close reason as sent, or a description. */
  readonly reason: string;
  /** What the close-code table says; the session acts on it by itself. */
  readonly action: CloseAction;
}

/** Counters of a session, since construction. */
export interface EventSubSessionStats {
  /** Text and binary frames received, every socket. */
  readonly messages: number;
  /** Notifications emitted. */
  readonly notifications: number;
  /** Revocations emitted. */
  readonly revocations: number;
  readonly keepalives: number;
  /** Notifications and revocations dropped because their `message_id` was already seen. */
  readonly duplicates: number;
  /** Notifications and revocations not emitted because the dedupe store refused their id (full or failing). */
  readonly refused: number;
  /** Notifications and revocations dropped because they were older than `maxMessageAgeMs`. */
  readonly stale: number;
  /** Notifications and revocations dropped: timestamped over `maxFutureSkewMs` ahead (see `CLOCK_SKEW`). */
  readonly skewed: number;
  /** Frames that were not valid JSON or not shaped like their `message_type`. */
  readonly malformed: number;
  /** Frames with a `message_type` this version does not know. */
  readonly unknownTypes: number;
  /** Completed `session_reconnect` handovers. */
  readonly handovers: number;
  /**
   * `session_reconnect` requests throttled (see `RECONNECT_STORM`): handovers delayed because the server asked again
   * before the socket was stable, and requests ignored because a handover was already in flight.
   */
  readonly throttledHandovers: number;
  /** Completed reconnects to the base URL after a loss (each one a new session id). */
  readonly reconnects: number;
  /** Sockets opened. */
  readonly connectAttempts: number;
}

/** Events of {@link EventSubSession}, as labelled tuples. */
export interface EventSubSessionEvents {
  /** A `session_welcome` was accepted. `isReconnect` is false only for the first one. */
  welcome: [sessionId: string, isReconnect: boolean];
  /** A notification, deduplicated and fresh, exactly as on the wire. */
  notification: [message: WireNotificationMessage];
  /** A revocation, deduplicated, exactly as on the wire. */
  revocation: [message: WireRevocationMessage];
  /** The session started to reconnect (or to hand over). */
  reconnecting: [info: ReconnectingInfo];
  /** The session is connected again; check `rebindRequired`. */
  reconnected: [info: ReconnectedInfo];
  /** The active socket closed or was given up. */
  disconnected: [info: DisconnectInfo];
  /** A notification older than `maxMessageAgeMs` was dropped. */
  stale: [message: WireNotificationMessage | WireRevocationMessage, ageMs: number];
  /** A notification or revocation was dropped as a duplicate. */
  duplicate: [message: WireNotificationMessage | WireRevocationMessage];
  /**
   * Typed errors ({@link ProtocolError} `PROTOCOL_MALFORMED_FRAME` / `UNKNOWN_MESSAGE_TYPE`,
   * {@link EventSubSessionError} `HANDOVER_FAILED`, `RECONNECT_STORM`, `FRAME_TOO_LARGE`, `CLIENT_BUG_CLOSE`), and
   * errors thrown by listeners (with the event name). Without an `error` listener they go to the logger. None of
   * them stops the session.
   */
  error: [error: Error, event?: string];
}

/**
 * Checks session options as the constructor does (the table, the base URL's syntax and scheme, the reconnect
 * hosts), without creating a session: for owners that validate the options of sessions they create later.
 *
 * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option).
 */
export function checkSessionOptions(options: EventSubSessionOptions): void {
  checkOptions(options, SESSION_CHECKS);
  new SessionEndpoints(
    optionalUrl(options, 'url', EVENTSUB_WS_URL),
    options.keepaliveTimeoutSeconds,
    options.allowedReconnectHosts,
  );
}
