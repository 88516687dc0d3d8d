/**
 * One EventSub WebSocket session: the connection state machine under the conduit client.
 *
 * Lifecycle: `connect()` opens a socket and waits for `session_welcome`; a keepalive watchdog declares the socket
 * dead after `keepalive_timeout_seconds` (plus a margin) of silence; a `session_reconnect` is handed over without
 * loss (the new socket is opened at `reconnect_url`, the old one is read until the new one is welcomed, deliveries
 * from both are deduplicated by `message_id`); any other loss reconnects to the base URL with backoff, which gives a
 * NEW session id that the owner must bind again. The session never sends a data frame (pings are answered by `ws`).
 *
 * This file is the state machine (sockets, welcome, handover, loss, reconnect); its parts: session-options.ts
 * (options resolved with their defaults and the acceptance window, events, stats), link.ts (one socket, its welcome
 * timer and how it is retired), intake.ts (the hot path: frame checks, time window, dedupe, emit),
 * watchdog.ts (keepalive), handover.ts (pacing of handovers), reconnect-url.ts (which URLs may be followed).
 */
import { AbortError, type TwitchError } from '../../core/errors.js';
import type { Backoff } from '../../core/backoff.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { TypedEmitter } from '../../core/emitter.js';
import { toError } from '../../core/guards.js';
import type { Logger } from '../../core/logger.js';
import { optionalSignal } from '../../core/options.js';
import { abortReason } from '../../core/sleep.js';
import {
  closeCodeInfo,
  type WireReconnectMessage,
  type WireWelcomeMessage,
} from '../../protocol/eventsub.js';
import { EventSubSessionError, clientBugMessage } from './errors.js';
import { HandoverThrottle } from './handover.js';
import { FrameIntake, type IntakeHost } from './intake.js';
import { KeepaliveWatchdog } from './watchdog.js';
import {
  Link,
  newDeferred,
  newStats,
  waitClosed,
  type Deferred,
  type LinkEvents,
  type LinkKind,
  type MutableStats,
} from './link.js';
import type { SessionEndpoints } from './reconnect-url.js';
import {
  resolveSessionOptions,
  type EventSubSessionEvents,
  type EventSubSessionOptions,
  type EventSubSessionState,
  type EventSubSessionStats,
  type ReconnectReason,
  type WebSocketClientOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from './session-options.js';

// Importable from here with the session (its full set of types is in session-options.ts).
export { SESSION_CHECKS, checkSessionOptions } from './session-options.js';
export type {
  DisconnectInfo,
  EventSubSessionOptions,
  ReconnectedInfo,
  ReconnectingInfo,
} from './session-options.js';

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
  /** The base URL and the reconnect_url policy (reconnect-url.ts). */
  readonly #endpoints: SessionEndpoints;
  readonly #welcomeTimeoutMs: number;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  /** The hot path: frames checked, judged, deduplicated and emitted (intake.ts). */
  readonly #intake: FrameIntake;
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
  /** The keepalive watchdog of the active socket (watchdog.ts). */
  readonly #watchdog: KeepaliveWatchdog;
  #reconnectReason: ReconnectReason = 'connection_lost';
  /** The pacing of `session_reconnect` handovers (handover.ts). */
  readonly #throttle: HandoverThrottle;
  #connecting: Deferred | null = null;
  #closing: Promise<void> | null = null;
  readonly #stats: MutableStats = newStats();

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) before any socket exists:
   *   options that are not an object, a `url` that is not `ws:`/`wss:` (or passed as `undefined`), a
   *   `keepaliveTimeoutSeconds` outside 10..600, a duration outside 1..2^31-1 ms, a `keepaliveMarginRatio` outside
   *   0..10, a malformed host in `allowedReconnectHosts`, a dedupe store whose window is too short, or a `clock`,
   *   `backoff`, `WebSocket`, `wsOptions` or `logger` of the wrong shape.
   */
  constructor(options: EventSubSessionOptions = {}) {
    // Checks and defaults, and the acceptance window with its dedupe store: session-options.ts.
    const resolved = resolveSessionOptions(options);
    const logger = resolved.logger;
    super({ logger });
    this.#logger = logger;
    this.#endpoints = resolved.endpoints;
    this.#welcomeTimeoutMs = resolved.welcomeTimeoutMs;
    this.#clock = resolved.clock;
    this.#backoff = resolved.backoff;
    this.#throttle = new HandoverThrottle(this.#backoff, this.#stats, (error) => {
      this.#report(error);
    });
    const host: IntakeHost = {
      events: this,
      stats: this.#stats,
      report: (error) => {
        this.#report(error);
      },
      heard: (link, now) => {
        if (link === this.#primary) this.#watchdog.lastMessageAt = now;
      },
      welcome: (link, message) => {
        this.#onWelcome(link, message);
      },
      reconnect: (link, message) => {
        this.#onReconnect(link, message);
      },
    };
    this.#intake = new FrameIntake(host, this.#clock, resolved.dedupe, resolved.maxAgeMs, resolved.maxSkewMs);
    this.#WebSocket = resolved.WebSocket;
    this.#wsOptions = resolved.wsOptions;
    this.#watchdog = new KeepaliveWatchdog(
      this.#clock,
      resolved.keepaliveMarginRatio,
      resolved.keepaliveTimeoutSeconds,
      logger,
      {
        active: () => this.#primary !== null && this.#state !== 'closed',
        silent: (silentFor) => {
          if (this.#primary === null) return;
          this.#logger.warn('eventsub keepalive timeout: no message in time, reconnecting', { silentFor });
          this.#primaryLost(this.#primary, 1006, KEEPALIVE_REASON);
        },
      },
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
    const deferred = newDeferred(signal, (reason) => {
      this.#failConnect(reason);
    });
    this.#connecting = deferred;
    this.#state = 'connecting';
    this.#open(this.#endpoints.baseUrl, 'base');
    return deferred.promise;
  }

  /**
   * Closes every socket (code 1000) and clears every timer; pending `connect()` calls reject with
   * {@link AbortError}. Resolves once the sockets are closed (sockets that do not finish the closing handshake
   * within a second are destroyed). Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#state = 'closed';
    this.#clearRetry();
    this.#watchdog.stop();
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
    link.listen(this.#socketEvents);
    link.welcomeTimer = this.#clock.setTimeout(() => {
      this.#onWelcomeTimeout(link);
    }, this.#welcomeTimeoutMs);
    this.#logger.debug('eventsub socket opening', { kind });
  }

  /** What every socket's events call (link.ts adds one set of listeners per socket, never per message). */
  readonly #socketEvents: LinkEvents = {
    message: (link, data, isBinary) => {
      this.#intake.onMessage(link, data, isBinary);
    },
    close: (link, code, reason) => {
      this.#onClose(link, code, reason);
    },
    error: (link, error) => {
      this.#onSocketError(link, error);
    },
  };

  #retire(link: Link): void {
    link.retire(this.#clock, this.#retiring);
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
    link.stopWelcomeTimer(this.#clock);
    link.welcomedAt = now;
    const previousId = this.#sessionId;
    const old = this.#primary;
    this.#primary = link;
    this.#next = null;
    this.#handoverUrl = null;
    this.#clearRetry();
    this.#sessionId = session.id;
    this.#state = 'connected';
    // A reconnect welcome carries `keepalive_timeout_seconds: null`-free values; keep the old one otherwise.
    const keepalive = session.keepalive_timeout_seconds;
    if (typeof keepalive === 'number') this.#watchdog.setKeepalive(keepalive);
    this.#watchdog.start(now);
    // The old socket is closed only now that the new one is welcomed: nothing is lost in between.
    if (old !== null) this.#retire(old);
    this.#logger.debug('eventsub session welcomed', { kind: link.kind });
    this.#settleConnect(null);
    this.emit('welcome', session.id, previousId !== null);
    if (previousId === null) return;
    // After a handover the subscriptions follow the session; after a loss it is a new session to bind again.
    const handover = link.kind === 'handover';
    if (handover) this.#stats.handovers++;
    else this.#stats.reconnects++;
    const cause = handover ? 'handover' : 'reconnect';
    this.emit('reconnected', {
      sessionId: session.id,
      previousSessionId: previousId,
      cause,
      rebindRequired: !handover,
    });
  }

  #onReconnect(link: Link, message: WireReconnectMessage): void {
    if (link !== this.#primary) {
      this.#logger.warn('eventsub: session_reconnect on a socket that is not active, ignored', {});
      return;
    }
    if (this.#handoverUrl !== null) {
      // One handover at a time: a request repeated while one is in flight (its socket opening, or a retry waiting)
      // is ignored, so no number of them opens more than one socket.
      this.#throttle.repeated();
      return;
    }
    const url = message.payload.session.reconnect_url ?? '';
    if (this.#next !== null) this.#retire(this.#next);
    this.#next = null;
    this.#clearRetry();
    const refused = this.#endpoints.refusal(url);
    if (refused !== null) {
      // Never followed: a new session at the base URL instead (the reason names no credentials).
      this.#report(new EventSubSessionError('HANDOVER_FAILED', `reconnect_url refused: ${refused}`));
      this.#abandonHandover();
      return;
    }
    this.#handoverUrl = url;
    this.#state = 'reconnecting';
    // Paced by handover.ts: a storm of handovers on sockets not yet stable waits for the backoff.
    const delayMs = this.#throttle.start(this.#clock.now() - link.welcomedAt, this.#watchdog.timeoutMs);
    if (delayMs === null) {
      this.emit('reconnecting', { reason: 'session_reconnect', attempt: 1, delayMs: 0 });
      this.#open(url, 'handover');
      return;
    }
    this.emit('reconnecting', { reason: 'session_reconnect', attempt: this.#backoff.attempt, delayMs });
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state === 'closed' || this.#primary === null || this.#next !== null) return;
      this.#open(url, 'handover');
    }, delayMs);
  }

  /** A handover that cannot go on: drop the old socket and start a new session at the base URL. */
  #abandonHandover(): void {
    this.#handoverUrl = null;
    if (this.#primary !== null) {
      const old = this.#primary;
      this.#primary = null;
      this.#watchdog.stop();
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
    link.stopWelcomeTimer(this.#clock);
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
    this.#watchdog.stop();
    if (!link.closed) {
      // Only the watchdog gets here with an open socket: it is dead, do not wait for a closing handshake.
      this.#retire(link);
      link.ws.terminate();
    }
    const info = closeCodeInfo(code);
    this.#logger.info('eventsub socket lost', { code, reason, action: info.action });
    this.emit('disconnected', { code, reason, action: info.action });
    if (info.action === 'client-bug') {
      const message = clientBugMessage(code, reason);
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
    if (link.welcomedAt > 0 && this.#clock.now() - link.welcomedAt >= this.#watchdog.timeoutMs)
      this.#backoff.reset();
    if (this.#next !== null && this.#next.kind === 'handover') {
      // A handover is in flight: it carries the session; its failure falls back to the base URL.
      return;
    }
    // A handover retry may be pending: without the old socket it is pointless, start a new session instead.
    this.#clearRetry();
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
        this.#open(this.#endpoints.baseUrl, 'base');
        // Ref'd: with every socket down, this timer is all that keeps a running client's process alive.
      },
      delayMs,
      { ref: true },
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Helpers
  // -------------------------------------------------------------------------------------------------------------

  #clearRetry(): void {
    if (this.#retryTimer !== undefined) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
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

/** The `reason` of the `disconnected` event (code 1006) when the keepalive watchdog gave up on the socket. */
export const KEEPALIVE_REASON = 'keepalive timeout';
