import { TwitchError, type TwitchErrorOptions } from '../../core/errors.js';
import type { CloseAction } from '../../protocol/eventsub.js';

/**
 * Stable codes of {@link EventSubSessionError}.
 *
 * - `WELCOME_TIMEOUT`: a socket opened but no `session_welcome` arrived in time.
 * - `CONNECT_FAILED`: the socket could not be opened, or closed before its welcome.
 * - `HANDOVER_FAILED`: the socket opened at a `reconnect_url` failed, or the `reconnect_url` was refused (another
 *   scheme, a host not allowed, credentials); the session falls back (see the docs).
 * - `RECONNECT_STORM`: the server asked for handovers again and again, each before the socket it sent us to was
 *   stable; each one now waits for the backoff.
 * - `CLOCK_SKEW`: notifications are timestamped more than `maxFutureSkewMs` ahead of the local clock, which is
 *   behind Twitch's: they are dropped (counted in `stats.skewed`) until it is set right. Reported once per episode.
 * - `FRAME_TOO_LARGE`: a frame exceeded `maxPayload`; the socket is closed (1009) and the session reconnects.
 * - `CLIENT_BUG_CLOSE`: Twitch closed the socket with 4001 (inbound traffic) or 4003 (connection unused): the
 *   owner broke a protocol rule. The session recovers, but this must be fixed.
 * - `SESSION_CLOSED`: `close()` was called while an operation was pending.
 */
export type EventSubSessionErrorCode =
  | 'WELCOME_TIMEOUT'
  | 'CONNECT_FAILED'
  | 'HANDOVER_FAILED'
  | 'RECONNECT_STORM'
  | 'CLOCK_SKEW'
  | 'FRAME_TOO_LARGE'
  | 'CLIENT_BUG_CLOSE'
  | 'SESSION_CLOSED';

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
