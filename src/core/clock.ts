/**
 * The source of time for the whole library. Everything that waits, times out or schedules goes through a
 * {@link Clock}, so tests inject a fake one instead of patching globals.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = NodeJS.Timeout | number;

/**
 * A clock: the current time and one-shot timers.
 *
 * @example
 * ```ts
 * const handle = clock.setTimeout(() => flush(), 1000);
 * clock.clearTimeout(handle);
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Schedules `fn` once after `ms` milliseconds. The timer must not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and Node timers that are `unref()`'d, so a pending timer never keeps the process
 * alive on its own.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle);
  },
};
