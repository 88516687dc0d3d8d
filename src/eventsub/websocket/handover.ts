/**
 * How a session paces `session_reconnect` handovers. Twitch asks for one now and then (maintenance), once per
 * socket. A server that asks again on the socket it just sent us to, before that one was stable, is storming: from
 * the second such handover in a row, each waits for the backoff like any reconnect (and is reported). Only a socket
 * that stayed up for a keepalive window resets the count (a failed handover never does: its retries back off).
 * A request repeated while a handover is in flight is ignored (one handover at a time), reported once per handover.
 */
import type { Backoff } from '../../core/backoff.js';
import type { TwitchError } from '../../core/errors.js';
import { RECONNECT_GRACE_SECONDS } from '../../protocol/eventsub.js';
import { EventSubSessionError } from './errors.js';
import type { MutableStats } from './link.js';

/** Longest wait of a throttled handover: half of the grace Twitch gives the old socket after `session_reconnect`. */
export const HANDOVER_MAX_DELAY_MS = (RECONNECT_GRACE_SECONDS * 1000) / 2;

/** The pacing of one session's handovers (`RECONNECT_STORM`). */
export class HandoverThrottle {
  readonly #backoff: Backoff;
  readonly #stats: MutableStats;
  readonly #report: (error: TwitchError) => void;
  /** `session_reconnect`s in a row, each on a socket not yet stable. */
  #quick = 0;
  /** A request repeated during the current handover was reported. */
  #repeatReported = false;

  constructor(backoff: Backoff, stats: MutableStats, report: (error: TwitchError) => void) {
    this.#backoff = backoff;
    this.#stats = stats;
    this.#report = report;
  }

  /** A request came while a handover is in flight: ignored, counted, reported once per handover. */
  repeated(): void {
    this.#stats.throttledHandovers++;
    if (this.#repeatReported) return;
    this.#repeatReported = true;
    this.#report(
      new EventSubSessionError(
        'RECONNECT_STORM',
        'session_reconnect repeated while a handover is in flight: ignored (one handover at a time)',
      ),
    );
  }

  /**
   * A handover starts, asked on a socket up for `upForMs`; a socket is stable after `stableAfterMs`. Returns `null`
   * to hand over now, or the delay to wait first (a storm: counted and reported), never past half of Twitch's grace,
   * so the old socket is still there when the handover starts.
   */
  start(upForMs: number, stableAfterMs: number): number | null {
    this.#repeatReported = false;
    if (upForMs >= stableAfterMs) {
      this.#quick = 0;
      this.#backoff.reset();
    }
    if (++this.#quick === 1) return null;
    const delayMs = Math.min(this.#backoff.next(), HANDOVER_MAX_DELAY_MS);
    this.#stats.throttledHandovers++;
    this.#report(
      new EventSubSessionError(
        'RECONNECT_STORM',
        `the server asked for ${this.#quick} handovers in a row, each before its socket was stable: ` +
          `this one waits ${delayMs} ms`,
      ),
    );
    return delayMs;
  }
}
