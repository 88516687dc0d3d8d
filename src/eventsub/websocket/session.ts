/**
 * One EventSub WebSocket session: the connection state machine under the conduit client.
 *
 * Lifecycle: `connect()` opens a socket and waits for `session_welcome`; a keepalive watchdog declares the socket
 * dead after `keepalive_timeout_seconds` (plus a margin) of silence; a `session_reconnect` is handed over without
 * loss (the new socket is opened at `reconnect_url`, the old one is read until the new one is welcomed, deliveries
 * from both are deduplicated by `message_id`); any other loss reconnects to the base URL with backoff, which gives a
 * NEW session id that the owner must bind again. The session never sends a data frame (pings are answered by `ws`).
 */
import WebSocket from 'ws';
import { AbortError, InvalidArgumentError, ProtocolError, type TwitchError } from '../../core/errors.js';
import { Backoff } from '../../core/backoff.js';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { MAX_TIMER_MS, clampDuration, requireDuration } from '../../core/duration.js';
import { TypedEmitter } from '../../core/emitter.js';
import { isRecord, optionalUrl, toError } from '../../core/guards.js';
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
  optionalSignal,
  url,
  withMethods,
  type Check,
  type OptionChecks,
} from '../../core/options.js';
import { abortReason } from '../../core/sleep.js';
import {
  EVENTSUB_WS_URL,
  KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
  KEEPALIVE_TIMEOUT_MAX_SECONDS,
  KEEPALIVE_TIMEOUT_MIN_SECONDS,
  MAX_MESSAGE_AGE_MS,
  RECONNECT_GRACE_SECONDS,
  TWITCH_EVENTSUB_WS_HOSTS,
  closeCodeInfo,
  type CloseAction,
  type WireNotificationMessage,
  type WireReconnectMessage,
  type WireRevocationMessage,
  type WireWelcomeMessage,
} from '../../protocol/eventsub.js';
import {
  DedupeGate,
  MemoryDedupeStore,
  requireDedupeStore,
  type DedupeError,
  type DedupeOutcome,
  type DedupeStore,
} from './dedupe.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../webhook/verify.js';
import { EventSubSessionError } from './errors.js';
import { UNKNOWN_MESSAGE_TYPE, parseFrame } from './parse.js';

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
const MAX_MARGIN_RATIO = 10;

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
function checkedSessionOptions(options: EventSubSessionOptions): EventSubSessionOptions {
  checkOptions(options, SESSION_CHECKS);
  return options;
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

type LinkKind = 'base' | 'handover';

/** One socket and its role. */
class Link {
  welcomeTimer: TimerHandle | undefined = undefined;
  welcomedAt = 0;
  /** Closed by us (superseded or shut down): its close is not a loss. */
  retired = false;
  closed = false;
  /** `ws` refused a frame over `maxPayload` (it closes the socket with 1009). */
  tooLarge = false;

  constructor(
    readonly ws: WebSocketLike,
    readonly kind: LinkKind,
  ) {}
}

type MutableStats = { -readonly [K in keyof EventSubSessionStats]: EventSubSessionStats[K] };

interface Deferred {
  resolve: (sessionId: string) => void;
  reject: (error: Error) => void;
  promise: Promise<string>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const DEFAULT_WS_OPTIONS: WebSocketClientOptions = {
  perMessageDeflate: false,
  maxPayload: 4 * 1024 * 1024,
};
/** Grace given to sockets to finish their closing handshake in `close()` before they are destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * One EventSub WebSocket connection, with welcome timeout, keepalive watchdog, lossless `session_reconnect`
 * handover, close-code handling, reconnect with backoff, message-id deduplication and stale-message filtering.
 *
 * The session never sends data (Twitch closes with 4001 if it did); binding the session (creating websocket
 * subscriptions or assigning it to a conduit shard) is the owner's job, within Twitch's deadline after `welcome`,
 * and again after every `reconnected` event whose `rebindRequired` is true.
 *
 * @example
 * ```ts
 * const session = new EventSubSession({ url: emu.clientOptions().eventSubWsUrl });
 * session.on('notification', (message) => console.log(message.metadata.subscription_type, message.payload.event));
 * session.on('reconnected', ({ sessionId, rebindRequired }) => {
 *   if (rebindRequired) void assignShard(sessionId);
 * });
 * const sessionId = await session.connect();
 * await assignShard(sessionId);
 * // …
 * await session.close();
 * ```
 */
export class EventSubSession extends TypedEmitter<EventSubSessionEvents> {
  readonly #baseUrl: string;
  readonly #baseProtocol: string;
  readonly #baseHost: string;
  /** The hosts a reconnect_url may point at besides the base URL's, normalised like a parsed URL's. */
  readonly #reconnectHosts: readonly AllowedHost[];
  readonly #welcomeTimeoutMs: number;
  readonly #marginRatio: number;
  readonly #maxAgeMs: number;
  readonly #maxSkewMs: number;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #dedupe: DedupeGate<WireNotificationMessage | WireRevocationMessage>;
  readonly #WebSocket: WebSocketConstructor;
  readonly #wsOptions: WebSocketClientOptions;
  readonly #logger: Logger;

  #state: EventSubSessionState = 'idle';
  #sessionId: string | null = null;
  /** The welcomed socket that delivers. */
  #primary: Link | null = null;
  /** A socket waiting for its welcome: a (re)connect to the base URL, or a handover target. */
  #next: Link | null = null;
  /** Sockets we are closing. */
  readonly #retiring = new Set<Link>();
  #handoverUrl: string | null = null;
  #retryTimer: TimerHandle | undefined = undefined;
  #watchdog: TimerHandle | undefined = undefined;
  #watchdogMs = 0;
  #lastMessageAt = 0;
  #reconnectReason: ReconnectReason = 'connection_lost';
  /** `session_reconnect`s in a row, each on a socket not yet stable (see #onReconnect). */
  #quickHandovers = 0;
  /** A request repeated during the current handover was reported (`RECONNECT_STORM`). */
  #repeatReported = false;
  #connecting: Deferred | null = null;
  /** Timestamp cutoffs (see #judgeTime), and when they were computed. */
  #cutoffAt = -Infinity;
  #staleBelow = '';
  #freshAbove = '';
  #aheadFrom = '';
  #aheadAbove = '';
  /** A `CLOCK_SKEW` episode was reported and no notification was in time since. */
  #skewing = false;
  #closing: Promise<void> | null = null;
  readonly #stats: MutableStats = {
    messages: 0,
    notifications: 0,
    revocations: 0,
    keepalives: 0,
    duplicates: 0,
    refused: 0,
    stale: 0,
    skewed: 0,
    malformed: 0,
    unknownTypes: 0,
    handovers: 0,
    throttledHandovers: 0,
    reconnects: 0,
    connectAttempts: 0,
  };

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) before any socket exists:
   *   options that are not an object, a `url` that is not `ws:`/`wss:` (or passed as `undefined`), a
   *   `keepaliveTimeoutSeconds` outside 10..600, a duration outside 1..2^31-1 ms, a `keepaliveMarginRatio` outside
   *   0..10, a malformed host in `allowedReconnectHosts`, a dedupe store whose window is too short, or a `clock`,
   *   `backoff`, `WebSocket`, `wsOptions` or `logger` of the wrong shape.
   */
  constructor(options: EventSubSessionOptions = {}) {
    const logger = checkedSessionOptions(options).logger ?? silentLogger;
    super({ logger });
    this.#logger = logger;
    const base = buildBaseUrl(optionalUrl(options, 'url', EVENTSUB_WS_URL), options.keepaliveTimeoutSeconds);
    this.#baseUrl = base.url;
    this.#baseProtocol = base.parsed.protocol;
    this.#baseHost = base.parsed.host;
    this.#reconnectHosts = reconnectHosts(options.allowedReconnectHosts, this.#baseProtocol);
    this.#welcomeTimeoutMs = requireDuration(options.welcomeTimeoutMs ?? 10_000, 'welcomeTimeoutMs');
    this.#marginRatio = options.keepaliveMarginRatio ?? 0.2;
    this.#maxAgeMs = requireDuration(options.maxMessageAgeMs ?? MAX_MESSAGE_AGE_MS, 'maxMessageAgeMs');
    // The acceptance window (maxAge + skew) must fit the longest window a store can keep.
    this.#maxSkewMs = requireDuration(
      options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
      'maxFutureSkewMs',
      {
        min: 0,
        max: MAX_TIMER_MS - this.#maxAgeMs,
      },
    );
    const acceptedForMs = this.#maxAgeMs + this.#maxSkewMs;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 });
    this.#dedupe = new DedupeGate(
      requireDedupeStore(
        options.dedupe ?? new MemoryDedupeStore({ windowMs: acceptedForMs }),
        acceptedForMs,
        'dedupe',
      ),
      this.#onVerdict,
      { ordered: true },
    );
    this.#WebSocket = options.WebSocket ?? WebSocket;
    this.#wsOptions = { ...DEFAULT_WS_OPTIONS, ...options.wsOptions };
    this.#watchdogMs = this.#keepaliveToWatchdog(
      options.keepaliveTimeoutSeconds ?? KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
    );
  }

  /** Current session id; `null` before the first welcome. Changes after a reconnect to the base URL. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** Lifecycle state. */
  get state(): EventSubSessionState {
    return this.#state;
  }

  /** A snapshot of the counters. */
  get stats(): EventSubSessionStats {
    return { ...this.#stats };
  }

  /**
   * Opens the socket and resolves with the session id once `session_welcome` arrives. One attempt: it rejects with
   * {@link EventSubSessionError} (`WELCOME_TIMEOUT`, `CONNECT_FAILED`), or {@link AbortError} when `signal` aborts
   * or `close()` is called; the session is then `idle` again and `connect()` may be retried. Once connected, the
   * session heals itself until `close()`. Calling it while connecting returns the same promise; while connected,
   * the current id.
   */
  connect(signal?: AbortSignal): Promise<string> {
    try {
      optionalSignal(signal);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    if (this.#state === 'closed') {
      return Promise.reject(new EventSubSessionError('SESSION_CLOSED', 'the session is closed'));
    }
    if (this.#connecting !== null) return this.#connecting.promise;
    if (this.#sessionId !== null && this.#state !== 'idle') return Promise.resolve(this.#sessionId);
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    let resolve!: (sessionId: string) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const deferred: Deferred = { resolve, reject, promise, signal, onAbort: undefined };
    if (signal !== undefined) {
      deferred.onAbort = (): void => {
        this.#failConnect(abortReason(signal));
      };
      signal.addEventListener('abort', deferred.onAbort, { once: true });
    }
    this.#connecting = deferred;
    this.#state = 'connecting';
    this.#open(this.#baseUrl, 'base');
    return promise;
  }

  /**
   * Closes every socket (code 1000) and clears every timer; pending `connect()` calls reject with
   * {@link AbortError}. Resolves once the sockets are closed (sockets that do not finish the closing handshake
   * within a second are destroyed). Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#state = 'closed';
    this.#clearTimer('retry');
    this.#clearTimer('watchdog');
    if (this.#connecting !== null) this.#settleConnect(new AbortError('the session was closed'));
    const links = [this.#primary, this.#next, ...this.#retiring];
    this.#primary = null;
    this.#next = null;
    const waits: Promise<void>[] = [];
    for (const link of links) {
      if (link === null) continue;
      this.#retire(link);
      if (!link.closed) waits.push(waitClosed(link, this.#clock));
    }
    this.#closing = Promise.all(waits).then(() => undefined);
    return this.#closing;
  }

  /** `await using session = new EventSubSession(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Sockets
  // -------------------------------------------------------------------------------------------------------------

  #open(url: string, kind: LinkKind): void {
    this.#stats.connectAttempts++;
    let ws: WebSocketLike;
    try {
      ws = new this.#WebSocket(url, this.#wsOptions);
    } catch (error) {
      // A malformed URL (e.g. a bad reconnect_url) throws synchronously.
      this.#nextFailed(
        kind,
        new EventSubSessionError('CONNECT_FAILED', 'could not open the socket', { cause: error }),
        undefined,
        true,
      );
      return;
    }
    const link = new Link(ws, kind);
    this.#next = link;
    // One set of listeners per socket (never per message).
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      this.#onMessage(link, data, isBinary);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.#onClose(link, code, reason);
    });
    ws.on('error', (error: Error) => {
      this.#onSocketError(link, error);
    });
    link.welcomeTimer = this.#clock.setTimeout(() => {
      this.#onWelcomeTimeout(link);
    }, this.#welcomeTimeoutMs);
    this.#logger.debug('eventsub socket opening', { kind });
  }

  #retire(link: Link): void {
    if (link.welcomeTimer !== undefined) {
      this.#clock.clearTimeout(link.welcomeTimer);
      link.welcomeTimer = undefined;
    }
    if (link.retired) return;
    link.retired = true;
    if (link.closed) return;
    this.#retiring.add(link);
    const ws = link.ws;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Hot path
  // -------------------------------------------------------------------------------------------------------------

  #onMessage(link: Link, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const stats = this.#stats;
    stats.messages++;
    const now = this.#clock.now();
    if (link === this.#primary) this.#lastMessageAt = now;
    if (isBinary) {
      stats.malformed++;
      this.#report(new ProtocolError('PROTOCOL_MALFORMED_FRAME', 'unexpected binary frame'));
      return;
    }
    // With the default binaryType, `data` is one Buffer (fragments are concatenated by ws).
    const message = parseFrame((data as Buffer).toString());
    // A ProtocolError is the only Error parseFrame returns (plain `instanceof Error` skips the branded check).
    if (message instanceof Error) {
      if (message.code === UNKNOWN_MESSAGE_TYPE) stats.unknownTypes++;
      else stats.malformed++;
      this.#report(message);
      return;
    }
    switch (message.metadata.message_type) {
      case 'notification':
        this.#onNotification(message as WireNotificationMessage, now);
        return;
      case 'session_keepalive':
        stats.keepalives++;
        return;
      case 'revocation':
        this.#onRevocation(message as WireRevocationMessage);
        return;
      case 'session_welcome':
        this.#onWelcome(link, message as WireWelcomeMessage);
        return;
      case 'session_reconnect':
        this.#onReconnect(link, message as WireReconnectMessage);
        return;
    }
  }

  #onNotification(message: WireNotificationMessage, now: number): void {
    const time = this.#judgeTime(message.metadata.message_timestamp, now);
    if (time !== IN_WINDOW) {
      this.#outOfWindow(message, time, now);
      return;
    }
    this.#skewing = false;
    // Emitted by #onVerdict, in order of arrival.
    this.#dedupe.admit(message.metadata.message_id, now, message);
  }

  readonly #onVerdict = (
    message: WireNotificationMessage | WireRevocationMessage,
    outcome: DedupeOutcome,
    error: DedupeError | undefined,
  ): void => {
    const stats = this.#stats;
    if (outcome === 'new') {
      if (message.metadata.message_type === 'notification') {
        stats.notifications++;
        this.emit('notification', message as WireNotificationMessage);
      } else {
        stats.revocations++;
        this.emit('revocation', message as WireRevocationMessage);
      }
    } else if (outcome === 'duplicate') {
      stats.duplicates++;
      if (this.hasListeners('duplicate')) this.emit('duplicate', message);
    } else {
      // The store could not vouch that it is new, nor record it: emitted, its redelivery would be emitted again.
      stats.refused++;
      if (error !== undefined) this.#report(error);
    }
  };

  /** A notification or revocation outside the accepted window, or with no time: counted and reported, never emitted. */
  #outOfWindow(
    message: WireNotificationMessage | WireRevocationMessage,
    time: TimeVerdict,
    now: number,
  ): void {
    const stats = this.#stats;
    const timestamp = message.metadata.message_timestamp;
    if (time === STALE) {
      stats.stale++;
      if (this.hasListeners('stale')) this.emit('stale', message, now - Date.parse(timestamp));
    } else if (time === AHEAD) {
      stats.skewed++;
      if (this.#skewing) return;
      this.#skewing = true;
      const aheadMs = Date.parse(timestamp) - now;
      this.#report(
        new EventSubSessionError(
          'CLOCK_SKEW',
          `a ${message.metadata.message_type} is timestamped ${String(aheadMs)} ms ahead of the local clock (more than ` +
            `maxFutureSkewMs, ${String(this.#maxSkewMs)} ms): the local clock is behind; such notifications are ` +
            'dropped (counted in stats.skewed) until it is set right',
        ),
      );
    } else {
      stats.malformed++;
      this.#report(
        new ProtocolError(
          'PROTOCOL_MALFORMED_FRAME',
          `${message.metadata.message_type}: metadata.message_timestamp is not a time`,
          timestamp.slice(0, 64),
        ),
      );
    }
  }

  /**
   * Where a notification sent at `timestamp` stands: within the accepted window (no older than `maxMessageAgeMs`,
   * no further than `maxFutureSkewMs` ahead), stale, ahead, or not a time. Twitch timestamps are UTC RFC 3339
   * (`2023-07-19T14:56:51.634234626Z`), which order like strings: they are compared with cutoff strings refreshed at
   * most every 250 ms, each taken on the safe side of that span, and only a timestamp near a cutoff's second (or of
   * another shape) is parsed. So the window is exact, without a `Date.parse` per message.
   */
  #judgeTime(timestamp: string, now: number): TimeVerdict {
    if (now - this.#cutoffAt >= CUTOFF_REFRESH_MS || now < this.#cutoffAt) this.#refreshCutoffs(now);
    if (
      timestamp.length >= 20 &&
      timestamp.charCodeAt(10) === 84 /* T */ &&
      timestamp.charCodeAt(timestamp.length - 1) === 90 /* Z */
    ) {
      if (timestamp > this.#freshAbove && timestamp < this.#aheadFrom) return IN_WINDOW;
      if (timestamp < this.#staleBelow) return STALE;
      if (timestamp > this.#aheadAbove) return AHEAD;
    }
    const sentAt = Date.parse(timestamp);
    if (Number.isNaN(sentAt)) return NOT_A_TIME;
    if (now - sentAt > this.#maxAgeMs) return STALE;
    if (sentAt - now > this.#maxSkewMs) return AHEAD;
    return IN_WINDOW;
  }

  /**
   * Cutoffs valid from `now` for {@link CUTOFF_REFRESH_MS}, as second prefixes (`2023-07-19T14:56:51`): a timestamp
   * before `#staleBelow` is stale, one after `#freshAbove` and before `#aheadFrom` is in the window, one after
   * `#aheadAbove` is ahead, whatever the time within the span; any other is parsed.
   */
  #refreshCutoffs(now: number): void {
    const second = (at: number): string => new Date(at).toISOString().slice(0, 19);
    this.#cutoffAt = now;
    this.#staleBelow = second(now - this.#maxAgeMs);
    this.#freshAbove = `${second(now + CUTOFF_REFRESH_MS - this.#maxAgeMs)}\uffff`;
    this.#aheadFrom = second(now + this.#maxSkewMs);
    this.#aheadAbove = `${second(now + CUTOFF_REFRESH_MS + this.#maxSkewMs)}\uffff`;
  }

  /** Judged like a notification: a revocation redelivered outside the window would outlive its dedupe entry. */
  #onRevocation(message: WireRevocationMessage): void {
    const now = this.#clock.now();
    const time = this.#judgeTime(message.metadata.message_timestamp, now);
    if (time !== IN_WINDOW) {
      this.#outOfWindow(message, time, now);
      return;
    }
    this.#skewing = false;
    this.#dedupe.admit(message.metadata.message_id, now, message);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------------------------

  #onWelcome(link: Link, message: WireWelcomeMessage): void {
    if (link !== this.#next) {
      this.#logger.warn('eventsub: unexpected session_welcome ignored', { kind: link.kind });
      return;
    }
    const session = message.payload.session;
    const now = this.#clock.now();
    if (link.welcomeTimer !== undefined) {
      this.#clock.clearTimeout(link.welcomeTimer);
      link.welcomeTimer = undefined;
    }
    link.welcomedAt = now;
    const previousId = this.#sessionId;
    const old = this.#primary;
    this.#primary = link;
    this.#next = null;
    this.#handoverUrl = null;
    this.#clearTimer('retry');
    this.#sessionId = session.id;
    this.#state = 'connected';
    // A reconnect welcome carries `keepalive_timeout_seconds: null`-free values; keep the old one otherwise.
    const keepalive = session.keepalive_timeout_seconds;
    if (typeof keepalive === 'number') {
      // Server-supplied: brought into Twitch's 10..600 s before it reaches the watchdog (the clock rule).
      const seconds = clampDuration(
        keepalive,
        KEEPALIVE_TIMEOUT_MIN_SECONDS,
        KEEPALIVE_TIMEOUT_MAX_SECONDS,
        KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
      );
      if (seconds !== keepalive) {
        this.#logger.warn('eventsub: keepalive_timeout_seconds out of range, clamped', {
          keepalive,
          seconds,
        });
      }
      this.#watchdogMs = this.#keepaliveToWatchdog(seconds);
    }
    this.#lastMessageAt = now;
    this.#armWatchdog(this.#watchdogMs);
    // The old socket is closed only now that the new one is welcomed: nothing is lost in between.
    if (old !== null) this.#retire(old);
    this.#logger.debug('eventsub session welcomed', { kind: link.kind });
    this.#settleConnect(null);
    this.emit('welcome', session.id, previousId !== null);
    if (previousId === null) return;
    if (link.kind === 'handover') {
      this.#stats.handovers++;
      this.emit('reconnected', {
        sessionId: session.id,
        previousSessionId: previousId,
        cause: 'handover',
        rebindRequired: false,
      });
    } else {
      this.#stats.reconnects++;
      this.emit('reconnected', {
        sessionId: session.id,
        previousSessionId: previousId,
        cause: 'reconnect',
        rebindRequired: true,
      });
    }
  }

  #onReconnect(link: Link, message: WireReconnectMessage): void {
    if (link !== this.#primary) {
      this.#logger.warn('eventsub: session_reconnect on a socket that is not active, ignored', {});
      return;
    }
    if (this.#handoverUrl !== null) {
      // One handover at a time: a request repeated while one is in flight (its socket opening, or a retry waiting)
      // is ignored, so no number of them opens more than one socket. Reported once per handover.
      this.#stats.throttledHandovers++;
      if (!this.#repeatReported) {
        this.#repeatReported = true;
        this.#report(
          new EventSubSessionError(
            'RECONNECT_STORM',
            'session_reconnect repeated while a handover is in flight: ignored (one handover at a time)',
          ),
        );
      }
      return;
    }
    const url = message.payload.session.reconnect_url ?? '';
    if (this.#next !== null) this.#retire(this.#next);
    this.#next = null;
    this.#clearTimer('retry');
    const refused = this.#checkReconnectUrl(url);
    if (refused !== null) {
      // Never followed: a new session at the base URL instead (the reason names no credentials).
      this.#report(new EventSubSessionError('HANDOVER_FAILED', `reconnect_url refused: ${refused}`));
      this.#abandonHandover();
      return;
    }
    this.#handoverUrl = url;
    this.#repeatReported = false;
    this.#state = 'reconnecting';
    // Twitch asks for a handover now and then (maintenance), once per socket. A server that asks again on the
    // socket it just sent us to, before that one was stable, is storming: from the second such handover in a row,
    // each waits for the backoff like any reconnect (and is reported). Only a socket that stayed up for a
    // keepalive window resets the count (a failed handover never does: its retries back off, see #nextFailed).
    if (this.#clock.now() - link.welcomedAt >= this.#watchdogMs) {
      this.#quickHandovers = 0;
      this.#backoff.reset();
    }
    if (++this.#quickHandovers === 1) {
      this.emit('reconnecting', { reason: 'session_reconnect', attempt: 1, delayMs: 0 });
      this.#open(url, 'handover');
      return;
    }
    // Never past half of Twitch's grace: the old socket must still be there when the handover starts.
    const delayMs = Math.min(this.#backoff.next(), HANDOVER_MAX_DELAY_MS);
    this.#stats.throttledHandovers++;
    this.#report(
      new EventSubSessionError(
        'RECONNECT_STORM',
        `the server asked for ${this.#quickHandovers} handovers in a row, each before its socket was stable: ` +
          `this one waits ${delayMs} ms`,
      ),
    );
    this.emit('reconnecting', { reason: 'session_reconnect', attempt: this.#backoff.attempt, delayMs });
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state === 'closed' || this.#primary === null || this.#next !== null) return;
      this.#open(url, 'handover');
    }, delayMs);
  }

  /**
   * Why `url` may not be followed, or `null` when it may: the base URL's scheme, no credentials, and a host of the
   * base URL or of `allowedReconnectHosts`. The reason never quotes the URL itself (it may carry credentials).
   */
  #checkReconnectUrl(url: string): string | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'not a valid URL';
    }
    if (parsed.protocol !== this.#baseProtocol) {
      return `scheme ${parsed.protocol.slice(0, 16)} differs from the base URL's ${this.#baseProtocol}`;
    }
    if (parsed.username !== '' || parsed.password !== '') return 'it carries credentials';
    // Hosts and ports as the URL parser writes them (lowercase, IP forms, default port dropped), like the entries.
    const { host, hostname, port } = parsed;
    if (parsed.protocol !== 'wss:' && isTwitchHost(hostname))
      return "Twitch's hosts are followed over wss: only";
    if (host === this.#baseHost) return null;
    for (const allowed of this.#reconnectHosts) {
      if (
        allowed.suffix === undefined
          ? host === allowed.host
          : isSubdomain(hostname, allowed.suffix) && port === allowed.port
      ) {
        return null;
      }
    }
    return `host ${host.slice(0, 256)} is not allowed (see allowedReconnectHosts)`;
  }

  /** A handover that cannot go on: drop the old socket and start a new session at the base URL. */
  #abandonHandover(): void {
    this.#handoverUrl = null;
    if (this.#primary !== null) {
      const old = this.#primary;
      this.#primary = null;
      this.#clearTimer('watchdog');
      this.#retire(old);
    }
    this.#scheduleBaseReconnect('handover_failed');
  }

  #onWelcomeTimeout(link: Link): void {
    link.welcomeTimer = undefined;
    if (link !== this.#next) return;
    this.#dropNext(link);
    this.#nextFailed(
      link.kind,
      new EventSubSessionError('WELCOME_TIMEOUT', `no session_welcome within ${this.#welcomeTimeoutMs} ms`),
      undefined,
    );
  }

  #onSocketError(link: Link, error: Error): void {
    // `close` always follows; only failures of a socket waiting for its welcome are reported here, and frames
    // over `maxPayload` (ws closes with 1009): without this they would only show as a disconnect.
    if ((error as { code?: unknown }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' && !link.retired) {
      link.tooLarge = true;
      this.#stats.malformed++;
      this.#report(
        new EventSubSessionError('FRAME_TOO_LARGE', `a frame exceeded maxPayload (${error.message})`, {
          closeCode: 1009,
          cause: error,
        }),
      );
    }
    if (link === this.#next && !link.retired) {
      this.#dropNext(link);
      this.#nextFailed(
        link.kind,
        new EventSubSessionError('CONNECT_FAILED', `socket error: ${error.message}`, { cause: error }),
        undefined,
      );
    } else {
      this.#logger.debug('eventsub socket error', { error: error.message });
    }
  }

  #onClose(link: Link, closeCode: number, reasonBuffer: Buffer): void {
    link.closed = true;
    if (link.welcomeTimer !== undefined) {
      this.#clock.clearTimeout(link.welcomeTimer);
      link.welcomeTimer = undefined;
    }
    this.#retiring.delete(link);
    if (link.retired) return;
    // After a frame over maxPayload, ws closed with 1009 itself; the peer's answer (or 1006) says nothing more.
    const code = link.tooLarge ? 1009 : closeCode;
    const reason = link.tooLarge
      ? 'frame too large'
      : reasonBuffer.length > 0
        ? reasonBuffer.toString()
        : closeCodeInfo(code).reason;
    if (link === this.#next) {
      const info = closeCodeInfo(code);
      this.#dropNext(link);
      this.#nextFailed(
        link.kind,
        new EventSubSessionError('CONNECT_FAILED', `socket closed before its welcome (${code} ${reason})`, {
          closeCode: code,
          action: info.action,
        }),
        code,
      );
      return;
    }
    if (link === this.#primary) this.#primaryLost(link, code, reason);
  }

  /** The active socket is gone (closed by the server, dropped, or given up by the watchdog). */
  #primaryLost(link: Link, code: number, reason: string): void {
    this.#primary = null;
    this.#clearTimer('watchdog');
    if (!link.closed) {
      // Only the watchdog gets here with an open socket: it is dead, do not wait for a closing handshake.
      this.#retire(link);
      link.ws.terminate();
    }
    const info = closeCodeInfo(code);
    this.#logger.info('eventsub socket lost', { code, reason, action: info.action });
    this.emit('disconnected', { code, reason, action: info.action });
    if (info.action === 'client-bug') {
      const message =
        code === 4001
          ? 'Twitch closed the socket with 4001: the client sent data (only pongs are allowed)'
          : `Twitch closed the socket with ${code} (${reason}): the session was not bound in time`;
      // Loud on purpose: logged as an error even when someone listens to `error`.
      this.#logger.error(message, { code });
      if (this.hasListeners('error')) {
        this.emit(
          'error',
          new EventSubSessionError('CLIENT_BUG_CLOSE', message, { closeCode: code, action: info.action }),
        );
      }
    }
    // The backoff starts over only after a connection that stayed up for a while, so a server that welcomes and
    // drops at once never gets hammered with fast retries.
    if (link.welcomedAt > 0 && this.#clock.now() - link.welcomedAt >= this.#watchdogMs) this.#backoff.reset();
    if (this.#next !== null && this.#next.kind === 'handover') {
      // A handover is in flight: it carries the session; its failure falls back to the base URL.
      return;
    }
    // A handover retry may be pending: without the old socket it is pointless, start a new session instead.
    this.#clearTimer('retry');
    this.#handoverUrl = null;
    this.#scheduleBaseReconnect(
      code === 1006 && reason === KEEPALIVE_REASON ? 'keepalive_timeout' : 'connection_lost',
    );
  }

  #dropNext(link: Link): void {
    this.#next = null;
    this.#retire(link);
  }

  /**
   * The socket waiting for its welcome failed (it has been dropped already). `permanent`: retrying the same URL is
   * pointless (4007 invalid reconnect, or a URL that cannot even be opened).
   */
  #nextFailed(
    kind: LinkKind,
    error: EventSubSessionError,
    closeCode: number | undefined,
    permanent = closeCode === 4007,
  ): void {
    if (this.#state === 'closed') return;
    if (this.#connecting !== null && kind === 'base' && this.#primary === null && this.#sessionId === null) {
      // First connect: one attempt, the caller decides.
      this.#state = 'idle';
      this.#settleConnect(error);
      return;
    }
    if (kind === 'handover') {
      this.#report(
        new EventSubSessionError('HANDOVER_FAILED', `handover to reconnect_url failed: ${error.message}`, {
          cause: error,
          ...(closeCode === undefined ? {} : { closeCode, action: closeCodeInfo(closeCode).action }),
        }),
      );
      const handoverUrl = this.#handoverUrl;
      if (this.#primary !== null && handoverUrl !== null && !permanent) {
        // The old socket still delivers: try the same reconnect_url again after a delay.
        const delay = this.#backoff.next();
        this.#retryTimer = this.#clock.setTimeout(() => {
          this.#retryTimer = undefined;
          if (this.#state === 'closed' || this.#primary === null || this.#next !== null) return;
          this.#open(handoverUrl, 'handover');
        }, delay);
        return;
      }
      // Invalid reconnect URL (4007 or unusable) or no old socket left: start a new session at the base URL.
      this.#abandonHandover();
      return;
    }
    // No caller waits on a reconnect: every failed attempt is reported (and the next one waits for the backoff).
    this.#report(error);
    this.#scheduleBaseReconnect(this.#reconnectReason);
  }

  #scheduleBaseReconnect(reason: ReconnectReason): void {
    if (this.#state === 'closed' || this.#retryTimer !== undefined) return;
    this.#state = 'reconnecting';
    this.#reconnectReason = reason;
    const delayMs = this.#backoff.next();
    this.emit('reconnecting', { reason, attempt: this.#backoff.attempt, delayMs });
    this.#retryTimer = this.#clock.setTimeout(
      () => {
        this.#retryTimer = undefined;
        if (this.#state === 'closed' || this.#next !== null) return;
        this.#open(this.#baseUrl, 'base');
        // Ref'd: with every socket down, this timer is all that keeps a running client's process alive.
      },
      delayMs,
      { ref: true },
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Keepalive watchdog: one timer per session, re-armed from the last message time (never per message)
  // -------------------------------------------------------------------------------------------------------------

  #keepaliveToWatchdog(seconds: number): number {
    return Math.ceil(seconds * 1000 * (1 + this.#marginRatio));
  }

  #armWatchdog(ms: number): void {
    this.#clearTimer('watchdog');
    this.#watchdog = this.#clock.setTimeout(this.#onWatchdog, Math.max(1, ms));
  }

  readonly #onWatchdog = (): void => {
    this.#watchdog = undefined;
    const primary = this.#primary;
    if (primary === null || this.#state === 'closed') return;
    const silentFor = this.#clock.now() - this.#lastMessageAt;
    if (silentFor < this.#watchdogMs) {
      this.#armWatchdog(this.#watchdogMs - silentFor);
      return;
    }
    this.#logger.warn('eventsub keepalive timeout: no message in time, reconnecting', { silentFor });
    this.#primaryLost(primary, 1006, KEEPALIVE_REASON);
  };

  // -------------------------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------------------------

  #clearTimer(which: 'retry' | 'watchdog'): void {
    if (which === 'retry') {
      if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    } else {
      if (this.#watchdog !== undefined) this.#clock.clearTimeout(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  /** Settles the pending `connect()`: with the session id when `error` is null. */
  #settleConnect(error: Error | null): void {
    const deferred = this.#connecting;
    if (deferred === null) return;
    this.#connecting = null;
    if (deferred.onAbort !== undefined) deferred.signal?.removeEventListener('abort', deferred.onAbort);
    if (error === null) deferred.resolve(this.#sessionId ?? '');
    else deferred.reject(error);
  }

  #failConnect(error: Error): void {
    if (this.#connecting === null) return;
    const link = this.#next;
    this.#next = null;
    if (link !== null) this.#retire(link);
    if (this.#state === 'connecting') this.#state = 'idle';
    this.#settleConnect(error);
  }

  /** Emits `error` when someone listens; otherwise logs, so bad input never throws out of a socket handler. */
  #report(error: TwitchError): void {
    if (this.hasListeners('error')) this.emit('error', error);
    else this.#logger.warn(error.message, { code: error.code });
  }
}

const KEEPALIVE_REASON = 'keepalive timeout';
/** How long the timestamp cutoffs are used before they are computed again, milliseconds. */
const CUTOFF_REFRESH_MS = 250;
/** Where a notification's timestamp stands (see #judgeTime): small integers, no allocation on the hot path. */
type TimeVerdict = 0 | 1 | 2 | 3;
const IN_WINDOW = 0;
const STALE = 1;
const AHEAD = 2;
const NOT_A_TIME = 3;
/** Longest wait of a throttled handover: half of the grace Twitch gives the old socket after `session_reconnect`. */
const HANDOVER_MAX_DELAY_MS = (RECONNECT_GRACE_SECONDS * 1000) / 2;
/** An entry of `allowedReconnectHosts`: a `host` (with its port, if not the default), or `*.domain` on a `port`. */
interface AllowedHost {
  readonly host: string;
  /** `.domain` of a `*.domain` entry. */
  readonly suffix: string | undefined;
  /** Port of a `*.domain` entry, `''` for the scheme's default. */
  readonly port: string;
}

/**
 * The allowed reconnect hosts, normalised by the URL parser for the base URL's `protocol`, so that an entry matches
 * however it is written (`HOST`, `[0:0::1]`, `host:443` for `wss:`) and a reconnect_url however it is.
 */
function reconnectHosts(hosts: readonly string[] | undefined, protocol: string): readonly AllowedHost[] {
  const field = 'allowedReconnectHosts';
  const list = hosts ?? TWITCH_EVENTSUB_WS_HOSTS;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${field} must be an array of hosts`, field);
  return list.map((entry: unknown, i): AllowedHost => {
    const bad = (): InvalidArgumentError =>
      new InvalidArgumentError(
        `${field}[${i}] must be a host, host:port or *.domain[:port] (no scheme, path or credentials)`,
        `${field}[${i}]`,
      );
    if (typeof entry !== 'string' || !/^(\*\.)?[A-Za-z0-9.\-[\]:]+$/.test(entry) || entry.startsWith('*.[')) {
      throw bad();
    }
    const wildcard = entry.startsWith('*.');
    let parsed: URL;
    try {
      parsed = new URL(`${protocol}//${wildcard ? entry.slice(2) : entry}`);
    } catch {
      throw bad();
    }
    if (!wildcard) return { host: parsed.host, suffix: undefined, port: parsed.port };
    // A wildcard names a domain: `*.0.0.127` would match IP addresses by their digits.
    if (isIpAddress(parsed.hostname)) throw bad();
    return { host: parsed.host, suffix: `.${parsed.hostname}`, port: parsed.port };
  });
}

/** Whether a parsed hostname is an IP address (the URL parser writes IPv4 as a.b.c.d, IPv6 in brackets). */
function isIpAddress(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname);
}

function isSubdomain(hostname: string, suffix: string): boolean {
  return hostname.endsWith(suffix) && hostname.length > suffix.length && !isIpAddress(hostname);
}

/** Twitch's own hosts: followed over `wss:` only, whatever the base URL (no event stream in plaintext to Twitch). */
function isTwitchHost(hostname: string): boolean {
  return (
    hostname === 'twitch.tv' || hostname.endsWith('.twitch.tv') || TWITCH_EVENTSUB_WS_HOSTS.includes(hostname)
  );
}

function buildBaseUrl(
  url: string,
  keepaliveTimeoutSeconds: number | undefined,
): { readonly url: string; readonly parsed: URL } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidArgumentError('url is not a valid URL', 'url', { cause: error });
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new InvalidArgumentError('url must be a ws: or wss: URL', 'url');
  }
  // keepaliveTimeoutSeconds was checked (10..600) with the other options.
  if (keepaliveTimeoutSeconds === undefined) return { url, parsed };
  parsed.searchParams.set('keepalive_timeout_seconds', String(keepaliveTimeoutSeconds));
  return { url: parsed.toString(), parsed };
}

/** Resolves when the link's socket has closed; destroys it if the closing handshake takes too long. */
function waitClosed(link: Link, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => {
      link.ws.terminate();
    }, CLOSE_GRACE_MS);
    link.ws.once('close', () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Checks session options as the constructor does (the table, the base URL's syntax and scheme, the reconnect
 * hosts), without creating a session: for owners that validate the options of sessions they create later.
 *
 * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option).
 */
export function checkSessionOptions(options: EventSubSessionOptions): void {
  checkOptions(options, SESSION_CHECKS);
  const base = buildBaseUrl(optionalUrl(options, 'url', EVENTSUB_WS_URL), options.keepaliveTimeoutSeconds);
  reconnectHosts(options.allowedReconnectHosts, base.parsed.protocol);
}
