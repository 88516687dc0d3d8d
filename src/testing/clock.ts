/**
 * The controllable clock of the testing kit. The library takes any {@link Clock} (src/core/clock.ts); give the same
 * `TestClock` to the emulator and to the clients under test and time moves only when the test says so.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { fail } from '../core/options.js';

interface Timer {
  /** When it falls due, in the clock's time. */
  readonly at: number;
  /** The delay it was scheduled with. */
  readonly ms: number;
  readonly fn: () => void;
}

function nonNegative(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(field, 'a finite number of milliseconds >= 0', value);
  return value;
}

/**
 * A manual clock: `now()` and timers move only with {@link TestClock.advance}, {@link TestClock.fire} or
 * {@link TestClock.skip}. `pending` and `delays()` show what is scheduled, which is how a test proves that nothing
 * else is waiting, instead of sleeping.
 *
 * @example
 * ```ts
 * const clock = new TestClock();
 * const session = new EventSubSession({ url, clock });
 * clock.advance(12_000); // the keepalive window passes: the watchdog fires now, not in 12 s
 * console.log(clock.pending); // what is still scheduled
 * ```
 */
export class TestClock implements Clock {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, Timer>();

  /** @param start - what `now()` says first (ms since the epoch). @defaultValue 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    this.#now = nonNegative(start, 'start');
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (typeof fn !== 'function') fail('fn', 'a function', fn);
    if (typeof ms !== 'number' || Number.isNaN(ms)) fail('ms', 'a number of milliseconds', ms);
    const id = this.#next++;
    const delay = Math.max(0, ms);
    this.#timers.set(id, { at: this.#now + delay, ms: delay, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
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
    const end = this.#now + nonNegative(ms, 'ms');
    for (;;) {
      let dueId: number | undefined;
      let due: Timer | undefined;
      for (const [id, t] of this.#timers) {
        if (t.at <= end && (due === undefined || t.at < due.at)) {
          due = t;
          dueId = id;
        }
      }
      if (due === undefined || dueId === undefined) break;
      this.#timers.delete(dueId);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = end;
  }

  /**
   * Fires the first pending timer scheduled with a delay of exactly `ms`, without moving time (for tests that check
   * one timer at a time). Throws `INVALID_ARGUMENT` when there is none, listing what is pending.
   */
  fire(ms: number): void {
    nonNegative(ms, 'ms');
    const entry = [...this.#timers].find(([, t]) => t.ms === ms);
    if (entry === undefined)
      fail('ms', `the delay of a pending timer (pending: ${this.delays().join(', ') || 'none'})`, ms);
    this.#timers.delete(entry[0]);
    entry[1].fn();
  }

  /** Moves `now()` forward by `ms` without firing anything (a process that was suspended, a clock that jumped). */
  skip(ms: number): void {
    this.#now += nonNegative(ms, 'ms');
  }
}
