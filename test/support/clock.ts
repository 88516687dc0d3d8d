/**
 * Clocks for tests (the library takes any {@link Clock}; see src/core/clock.ts).
 *
 * - {@link FakeClock}: time moves only when the test says so. Drive it chronologically with `advance(ms)` (every
 *   timer that falls due fires, in order), or pick one timer with `fire(delay)`; `pending`/`delays()` show what is
 *   scheduled, which is how a test proves that nothing else is waiting (instead of sleeping).
 * - {@link realClock}: real time, shifted (a host whose clock is ahead) or sped up (hours of keepalives in seconds).
 */
import type { Clock, TimerHandle } from '../../src/core/clock.js';

interface Timer {
  /** When it falls due, in the clock's time. */
  readonly at: number;
  /** The delay it was scheduled with. */
  readonly ms: number;
  readonly fn: () => void;
}

/**
 * A manual clock: `now()` and timers move only with {@link FakeClock.advance}, {@link FakeClock.fire} or
 * {@link FakeClock.skip}.
 *
 * @example
 * ```ts
 * const clock = new FakeClock();
 * const session = new EventSubSession({ url, clock });
 * clock.advance(12_000); // the keepalive window passes: the watchdog fires now, not in 12 s
 * expect(clock.pending).toBe(0); // and nothing is left scheduled
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, Timer>();

  /** @param start - what `now()` says first (ms since the epoch); pass `Date.now()` when frames carry real dates. */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    const delay = Math.max(0, ms);
    this.#timers.set(id, { at: this.#now + delay, ms: delay, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.size;
  }

  /** The delays pending timers were scheduled with, ascending (what is waiting, whatever time says now). */
  delays(): number[] {
    return [...this.#timers.values()].map((t) => t.ms).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due order (ties in scheduling order). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let dueId: number | undefined;
      let dueAt = Infinity;
      for (const [id, t] of this.#timers) {
        if (t.at <= end && t.at < dueAt) {
          dueAt = t.at;
          dueId = id;
        }
      }
      if (dueId === undefined) break;
      const timer = this.#timers.get(dueId)!;
      this.#timers.delete(dueId);
      this.#now = Math.max(this.#now, timer.at);
      timer.fn();
    }
    this.#now = end;
  }

  /**
   * Fires the first pending timer scheduled with a delay of exactly `ms`, without moving time (for tests that
   * check one timer at a time; throws when there is none, listing what is pending).
   */
  fire(ms: number): void {
    const entry = [...this.#timers].find(([, t]) => t.ms === ms);
    if (entry === undefined) {
      throw new Error(
        `no pending timer of ${String(ms)} ms (pending: ${this.delays().join(', ') || 'none'})`,
      );
    }
    this.#timers.delete(entry[0]);
    entry[1].fn();
  }

  /** Moves `now()` forward by `ms` without firing anything (a process that was suspended, a clock that jumped). */
  skip(ms: number): void {
    this.#now += ms;
  }
}

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
