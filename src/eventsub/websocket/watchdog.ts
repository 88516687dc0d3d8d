/**
 * The keepalive watchdog of a session: one timer, re-armed from the time of the last message (never per message),
 * declares the active socket dead after `keepalive_timeout_seconds × (1 + margin)` of silence.
 */
import { clampDuration } from '../../core/duration.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
  KEEPALIVE_TIMEOUT_MAX_SECONDS,
  KEEPALIVE_TIMEOUT_MIN_SECONDS,
} from '../../protocol/eventsub.js';

/** What the watchdog asks of its session. */
export interface WatchdogHost {
  /** Whether there is an active socket to watch (the timer is spent otherwise). */
  active(): boolean;
  /** The active socket was silent for `silentForMs`, longer than the timeout: it is dead. */
  silent(silentForMs: number): void;
}

/** One session's keepalive watchdog. */
export class KeepaliveWatchdog {
  readonly #clock: Clock;
  readonly #marginRatio: number;
  readonly #logger: Logger;
  readonly #host: WatchdogHost;
  #timer: TimerHandle | undefined = undefined;
  #timeoutMs: number;
  /** When the active socket last delivered anything (set by the hot path). */
  lastMessageAt = 0;

  constructor(
    clock: Clock,
    marginRatio: number,
    keepaliveSeconds: number,
    logger: Logger,
    host: WatchdogHost,
  ) {
    this.#clock = clock;
    this.#marginRatio = marginRatio;
    this.#logger = logger;
    this.#host = host;
    this.#timeoutMs = this.#toTimeout(keepaliveSeconds);
  }

  /** Silence after which the active socket is declared dead, milliseconds (also how long a socket must stay up to be stable). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /**
   * Takes a welcome's `keepalive_timeout_seconds`: server-supplied, so brought into Twitch's 10..600 s before it
   * reaches a timer (the clock rule), with a warning when it was out of range.
   */
  setKeepalive(keepalive: number): void {
    const seconds = clampDuration(
      keepalive,
      KEEPALIVE_TIMEOUT_MIN_SECONDS,
      KEEPALIVE_TIMEOUT_MAX_SECONDS,
      KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
    );
    if (seconds !== keepalive) {
      this.#logger.warn('eventsub: keepalive_timeout_seconds out of range, clamped', { keepalive, seconds });
    }
    this.#timeoutMs = this.#toTimeout(seconds);
  }

  /** Starts watching a newly welcomed socket, as if it had just delivered. */
  start(now: number): void {
    this.lastMessageAt = now;
    this.#arm(this.#timeoutMs);
  }

  /** Clears the timer. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #toTimeout(seconds: number): number {
    return Math.ceil(seconds * 1000 * (1 + this.#marginRatio));
  }

  #arm(ms: number): void {
    this.stop();
    this.#timer = this.#clock.setTimeout(this.#fire, Math.max(1, ms));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    if (!this.#host.active()) return;
    const silentFor = this.#clock.now() - this.lastMessageAt;
    if (silentFor < this.#timeoutMs) {
      this.#arm(this.#timeoutMs - silentFor);
      return;
    }
    this.#host.silent(silentFor);
  };
}
