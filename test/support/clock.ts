/**
 * Clocks for tests (the library takes any {@link Clock}; see src/core/clock.ts).
 *
 * - {@link FakeClock}: time moves only when the test says so. Drive it chronologically with `advance(ms)` (every
 *   timer that falls due fires, in order), or pick one timer with `fire(delay)`; `pending`/`delays()` show what is
 *   scheduled, which is how a test proves that nothing else is waiting (instead of sleeping).
 * - {@link realClock}: real time, shifted (a host whose clock is ahead) or sped up (hours of keepalives in seconds).
 */
import type { Clock } from '../../src/core/clock.js';

/** The kit's manual clock, under the name the tests have always used. */
export { TestClock as FakeClock } from '../../src/testing/clock.js';

/**
 * Real time as another host sees it: `offsetMs` ahead (negative: behind), running `speed` times faster (timers
 * shortened to match). Timers are `unref()`'d like the system clock's.
 *
 * @example
 * ```ts
 * const ahead = realClock({ offsetMs: 20 * 60_000 }); // a client whose clock is 20 minutes fast
 * const fast = realClock({ speed: 50 }); // keepalive windows of 10 s pass in 200 ms
 * ```
 */
export function realClock(options: { readonly offsetMs?: number; readonly speed?: number } = {}): Clock {
  const offset = options.offsetMs ?? 0;
  const speed = options.speed ?? 1;
  const base = Date.now();
  return {
    now: () => base + offset + (Date.now() - base) * speed,
    setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms) / speed).unref(),
    clearTimeout: (handle) => {
      clearTimeout(handle);
    },
  };
}
