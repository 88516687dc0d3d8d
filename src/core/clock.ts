import { timerDelay } from './duration.js';
import { InvalidArgumentError } from './errors.js';

/**
 * The source of time for the whole library. Everything that waits, times out or schedules goes through a
 * {@link Clock}, so tests inject a fake one instead of patching globals.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = NodeJS.Timeout | number;

/** Options of {@link Clock.setTimeout}. */
export interface TimerOptions {
  /**
   * Keep the process alive while the timer is pending. Set it on timers that in-progress work waits on (a reconnect
   * backoff, a retry sleep, a rate-limit wait), where nothing else holds the event loop open; leave it unset on
   * housekeeping timers (watchdogs, sweeps, pings) so an idle process exits by itself. @defaultValue false
   */
  readonly ref?: boolean;
}

/**
 * A clock: the current time and one-shot timers.
 *
 * @example
 * ```ts
 * const handle = clock.setTimeout(() => flush(), 1000);
 * clock.clearTimeout(handle);
 * // A backoff the caller waits on keeps the process alive:
 * clock.setTimeout(() => reconnect(), 500, { ref: true });
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Schedules `fn` once after `ms` milliseconds. The timer does not keep the process alive unless `options.ref` is
   * true.
   */
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle;
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and Node timers. Timers are `unref()`'d unless asked for with `{ ref: true }`, so a
 * housekeeping timer never keeps the process alive on its own while a pending retry or reconnect does. Delays are
 * kept within `[0, 2^31-1]` ms (`timerDelay`): a longer one waits 24.8 days instead of Node's 1 ms. A `fn` that
 * is not a function or an `ms` that is not a number throws `InvalidArgumentError` (`INVALID_ARGUMENT`).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle {
    if (typeof fn !== 'function') throw new InvalidArgumentError('fn must be a function', 'fn');
    if (typeof ms !== 'number') throw new InvalidArgumentError('ms must be a number of milliseconds', 'ms');
    // Never above 2^31-1 ms: Node would fire such a timer after 1 ms (see duration.ts).
    const timer = setTimeout(fn, timerDelay(ms));
    if (options?.ref !== true) timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle);
  },
};
