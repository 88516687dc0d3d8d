import { TwitchError, type TwitchErrorOptions } from '../../core/errors.js';
import type { CloseAction } from '../../protocol/eventsub.js';

/** Stable codes of {@link EventSubSessionError}. */
export type EventSubSessionErrorCode =
  /**
   * The socket could not be opened (bad URL, refused, TLS) or closed before its `session_welcome`.
   * `closeCode`/`action` are set when a close frame came; `cause` has the socket error. Rejects `connect()`; a failed
   * reconnect attempt of a connected session is emitted (no caller waits on it) and retried with backoff.
   *
   * What to do: **Retry** `connect()` (it is a single attempt; `AutoClient` retries in the background with backoff).
   */
  | 'CONNECT_FAILED'
  /**
   * The socket opened but no `session_welcome` arrived within `welcomeTimeoutMs`. Rejects `connect()`; during
   * reconnects it is emitted and the next attempt waits for the backoff.
   *
   * What to do: **Retry.**
   */
  | 'WELCOME_TIMEOUT'
  /**
   * `connect()` on a session after `close()`.
   *
   * What to do: Create a new session. (`close()` during a pending `connect()` rejects it with `ABORTED`.)
   */
  | 'SESSION_CLOSED'
  /**
   * The socket opened at a `session_reconnect` URL failed (`cause` is its `CONNECT_FAILED`/`WELCOME_TIMEOUT`), or the
   * `reconnect_url` was refused before any socket was opened: another scheme than the base URL's, credentials in it,
   * or a host that is neither the base URL's nor in `allowedReconnectHosts` (the message says which; it never quotes
   * the URL). The session retries a failed handover while the old socket lives; after `4007` (invalid reconnect), a
   * refused URL, or once the old socket is gone, it starts a new session at the base URL. Emitted only.
   *
   * What to do: **Ignore** unless frequent: the session recovers by itself. A new session has a new id, which
   * `AutoClient` re-binds to its shard. A refused URL that you trust: add its host to `allowedReconnectHosts`.
   */
  | 'HANDOVER_FAILED'
  /**
   * The server asked for a `session_reconnect` handover again on the socket it had just sent the session to (before
   * that socket lived a keepalive period): from the second such handover in a row, each waits for the reconnect
   * backoff and is reported. Or it repeated `session_reconnect` while a handover was in flight: one handover at a
   * time, the repeats are ignored (reported once per handover). `stats.throttledHandovers` counts both. Emitted only.
   *
   * What to do: **Ignore** if rare; frequent ones mean a misbehaving server or proxy.
   */
  | 'RECONNECT_STORM'
  /**
   * A notification was timestamped more than `maxFutureSkewMs` (default 60 s) ahead of the local clock: the local
   * clock is behind Twitch's. Such notifications are dropped and counted in `stats.skewed` (accepted, they could come
   * back as redeliveries after the dedupe window); reported once per episode. Emitted only.
   *
   * What to do: **Fix setup**: synchronise the clock (NTP). Raise `maxFutureSkewMs` only if the clock cannot be fixed
   * (the dedupe window grows with it).
   */
  | 'CLOCK_SKEW'
  /**
   * A frame exceeded `wsOptions.maxPayload` (4 MiB by default): `ws` closed the socket with `1009` (`closeCode`), the
   * `disconnected` event says `1009 frame too large`, and the session reconnects (a new session). Counted in
   * `stats.malformed`. Emitted only.
   *
   * What to do: **Report a bug** if the server is Twitch; raise `maxPayload` only for a server you trust.
   */
  | 'FRAME_TOO_LARGE'
  /**
   * Twitch closed the socket with `4001` (the client sent something other than a pong) or `4003` (no subscription or
   * shard was bound in time). `closeCode` tells which. Logged as an error even when emitted. Emitted only; the
   * session reconnects.
   *
   * What to do: **Report a bug** for `4001`. For `4003`, bind the session (subscribe or assign the shard) within
   * Twitch's grace period after the welcome.
   */
  | 'CLIENT_BUG_CLOSE';

/**
 * Every code of one EventSub WebSocket session: its {@link EventSubSessionError}s and the frames it cannot read
 * (`ProtocolError`).
 */
export type SessionErrorCode =
  | EventSubSessionErrorCode
  /**
   * A frame was binary, not JSON, lacked a field its `message_type` requires, had a `metadata.message_id` longer than
   * 256 characters or a notification `metadata.message_timestamp` that is not a time (`MAX_MESSAGE_ID_LENGTH`, the
   * webhook path's bound too), or announced in `metadata` a subscription type or version that differs from
   * `payload.subscription`'s (a listener would get the model of another type). The frame is dropped (`raw` has it)
   * and counted in `stats.malformed`. `Client` applies the same type/version check to every notification it
   * dispatches, whatever the transport (context `notification`).
   *
   * What to do: **Report a bug** with `raw`.
   */
  | 'PROTOCOL_MALFORMED_FRAME'
  /**
   * A well-formed frame had a `metadata.message_type` this library does not know. Dropped, counted in
   * `stats.unknownTypes`.
   *
   * What to do: **Ignore**, or upgrade: Twitch added a message type.
   */
  | 'UNKNOWN_MESSAGE_TYPE';

/** Options of {@link EventSubSessionError}. */
export interface EventSubSessionErrorOptions extends TwitchErrorOptions {
  /** WebSocket close code, when the error comes from a close frame. */
  readonly closeCode?: number;
  /** What the close-code table says to do about it. */
  readonly action?: CloseAction;
}

/**
 * An error of one EventSub WebSocket session; `code` is one of {@link EventSubSessionErrorCode}.
 *
 * @example
 * ```ts
 * session.on('error', (error) => {
 *   if (error instanceof EventSubSessionError && error.code === 'CLIENT_BUG_CLOSE') alert(error.closeCode);
 * });
 * ```
 */
export class EventSubSessionError extends TwitchError {
  declare readonly code: EventSubSessionErrorCode;
  /** WebSocket close code involved, if any. */
  readonly closeCode: number | undefined;
  /** Action from the close-code table, if a close code is involved. */
  readonly action: CloseAction | undefined;

  constructor(code: EventSubSessionErrorCode, message: string, options: EventSubSessionErrorOptions = {}) {
    super(code, message, options);
    this.closeCode = options.closeCode;
    this.action = options.action;
  }
}

/** Why Twitch closed with a `client-bug` code (4001: data sent; 4003: not bound in time), for `CLIENT_BUG_CLOSE`. */
export function clientBugMessage(code: number, reason: string): string {
  return code === 4001
    ? 'Twitch closed the socket with 4001: the client sent data (only pongs are allowed)'
    : `Twitch closed the socket with ${code} (${reason}): the session was not bound in time`;
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../../core/errors.js' {
  interface TwitchErrorCodes {
    session: SessionErrorCode;
  }
}
