/**
 * The controllable clock of the testing kit. The library takes any {@link Clock} (src/core/clock.ts); give the same
 * `TestClock` to the emulator and to the clients under test and time moves only when the test says so.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { timerDelay } from '../core/duration.js';
import { isRecord } from '../core/guards.js';
import { fail } from '../core/options.js';
import { TestingError } from './errors.js';

interface Timer {
  readonly id: number;
  /** When it falls due, in the clock's time. */
  readonly at: number;
  /** The delay it was scheduled with. */
  readonly ms: number;
  readonly fn: () => void;
}

/** Options of {@link TestClock.tickAsync}. */
export interface TickAsyncOptions {
  /**
   * Event-loop turns in a row in which nothing reads or schedules on this clock before the clock moves on (see
   * {@link TestClock.tickAsync}). More turns: slower, but patient with longer chains of socket round trips.
   * @defaultValue 4
   */
  readonly quietTurns?: number;
  /**
   * Most event-loop turns spent settling before one instant (a client that reads the clock on every turn never
   * looks quiet); the clock then moves on anyway. @defaultValue 10_000
   */
  readonly maxTurns?: number;
}

function nonNegative(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(field, 'a finite number of milliseconds >= 0', value);
  return value;
}

function turnCount(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1_000_000)
    fail(field, 'an integer in 1..1000000', value);
  return value;
}

/** `a` falls due before `b`: earlier time, ties in scheduling order. */
function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

/**
 * Most zero-delay timers fired in a row at one instant, time standing still, before `advance`/`tickAsync` gives up
 * with `TESTING_TIMER_LOOP`: a timer that re-arms itself with a delay of 0 would otherwise never let time move.
 */
const SAME_INSTANT_LIMIT = 100_000;

const nextTurn = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/**
 * A manual clock: `now()` and timers move only with {@link TestClock.advance}, {@link TestClock.tickAsync},
 * {@link TestClock.fire} or {@link TestClock.skip}. `pending` and `delays()` show what is scheduled, which is how a
 * test proves that nothing else is waiting, instead of sleeping. Timers sit in a binary heap: scheduling, cancelling
 * and firing cost O(log n), so advancing 72 h over a sweep that re-arms every second stays cheap.
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
  /** Pending timers by id, in scheduling order. */
  readonly #timers = new Map<number, Timer>();
  /** Min-heap on (at, id); may hold cancelled timers, skipped when they reach the top. */
  readonly #heap: Timer[] = [];
  /** Reads and schedules since the last settle check (what `tickAsync` watches for). */
  #touched = 0;
  #ticking: Promise<void> = Promise.resolve();
  /** The instant of the last timer fired, and how many fired at it in a row (the zero-delay loop guard). */
  #lastAt = Number.NaN;
  #sameInstant = 0;

  /** @param start - what `now()` says first (ms since the epoch). @defaultValue 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    this.#now = nonNegative(start, 'start');
  }

  now(): number {
    this.#touched++;
    return this.#now;
  }

  /**
   * Schedules `fn` after `ms`, the delay kept within `[0, 2^31-1]` and `NaN` taken as 0, exactly as the system clock
   * does (`timerDelay`): a bug that computes a bad delay behaves in a test as it would in production.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (typeof fn !== 'function') fail('fn', 'a function', fn);
    if (typeof ms !== 'number') fail('ms', 'a number of milliseconds', ms);
    this.#touched++;
    const delay = timerDelay(ms);
    const timer: Timer = { id: this.#next++, at: this.#now + delay, ms: delay, fn };
    this.#timers.set(timer.id, timer);
    this.#push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle !== 'number' || !this.#timers.delete(handle)) return;
    this.#touched++;
    // Cancelled timers stay in the heap until they surface; rebuild when they outnumber the live ones.
    if (this.#heap.length > 64 && this.#heap.length > 2 * this.#timers.size) this.#rebuild();
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.size;
  }

  /** The delays pending timers were scheduled with, ascending (what is waiting, whatever time says now). */
  delays(): number[] {
    return [...this.#timers.values()].map((t) => t.ms).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due, in due order (ties in scheduling order), all
   * synchronously: socket I/O and promise continuations run only after it returns. Use {@link TestClock.tickAsync}
   * when what a timer starts must reach the other end of a socket before the next timer fires.
   */
  advance(ms: number): void {
    const end = this.#now + nonNegative(ms, 'ms');
    for (let due = this.#due(end); due !== undefined; due = this.#due(end)) this.#fire(due);
    // Never backwards: a timer may have called advance() itself and moved past `end`.
    this.#now = Math.max(this.#now, end);
  }

  /**
   * Moves time forward by `ms` like {@link TestClock.advance}, letting the event loop run in between, so that the
   * emulator and the clients on this clock talk over their real sockets while time moves. Guarantees:
   *
   * - timers fire in due order (ties in scheduling order), each with `now()` equal to its due time; at the end
   *   `now()` is the start plus `ms`. Time never moves while the event loop runs: I/O handled between two timers
   *   sees the time of the earlier one.
   * - before each due instant and once at the end, the clock *settles*: it yields to the event loop (one
   *   `setImmediate` per turn) until `quietTurns` turns in a row pass in which nothing called `now()`,
   *   `setTimeout` or `clearTimeout` on this clock (or `maxTurns` turns passed). Every component of the library
   *   reads its clock when it handles a frame or a response, so a quiet clock means the sockets have gone quiet.
   *   This is a heuristic, not a proof: a reply that takes longer than `quietTurns` silent turns to arrive (a
   *   connection still opening, DNS) may land after the next timer; wait for such an outcome with your own
   *   polling (e.g. until the client emits) without moving the clock.
   * - concurrent calls run one after another (the second starts where the first ended).
   *
   * @example
   * ```ts
   * const clock = new TestClock();
   * const emu = await Emulator.start({ port: 0, clock });
   * // ... a client on the same clock ...
   * emu.setKeepalive(sessionId, false);
   * await clock.tickAsync(15_000); // the client's keepalive watchdog fires; it reconnects over real sockets
   * ```
   */
  tickAsync(ms: number, options: TickAsyncOptions = {}): Promise<void> {
    nonNegative(ms, 'ms');
    if (!isRecord(options)) fail('options', 'an object', options);
    const quiet = turnCount(options.quietTurns, 'options.quietTurns', 4);
    const most = turnCount(options.maxTurns, 'options.maxTurns', 10_000);
    const run = this.#ticking.then(() => this.#tickAsync(ms, quiet, most));
    // A failed run (a timer that threw) rejects its caller, not the runs queued after it.
    this.#ticking = run.catch(() => undefined);
    return run;
  }

  async #tickAsync(ms: number, quiet: number, most: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await this.#settle(quiet, most);
      const due = this.#due(end);
      if (due === undefined) break;
      this.#fire(due);
    }
    // Never backwards: an advance() while this ran may have moved past `end`.
    this.#now = Math.max(this.#now, end);
    await this.#settle(quiet, most);
  }

  async #settle(quiet: number, most: number): Promise<void> {
    let still = 0;
    for (let turn = 0; turn < most && still < quiet; turn++) {
      this.#touched = 0;
      await nextTurn();
      still = this.#touched === 0 ? still + 1 : 0;
    }
  }

  /**
   * Fires the first pending timer scheduled with a delay of exactly `ms`, without moving time (for tests that check
   * one timer at a time). Throws `INVALID_ARGUMENT` when there is none, listing what is pending.
   */
  fire(ms: number): void {
    nonNegative(ms, 'ms');
    let found: Timer | undefined;
    for (const t of this.#timers.values()) {
      if (t.ms === ms) {
        found = t;
        break;
      }
    }
    if (found === undefined)
      fail('ms', `the delay of a pending timer (pending: ${this.delays().join(', ') || 'none'})`, ms);
    this.#timers.delete(found.id);
    found.fn();
  }

  /** Moves `now()` forward by `ms` without firing anything (a process that was suspended, a clock that jumped). */
  skip(ms: number): void {
    this.#now += nonNegative(ms, 'ms');
  }

  /** Removes and returns the next live timer due at or before `end`, if any. */
  #due(end: number): Timer | undefined {
    const heap = this.#heap;
    for (;;) {
      const top = heap[0];
      if (top === undefined || top.at > end) {
        // Cancelled timers above `end` are dropped as they surface; nothing live is due.
        if (top !== undefined && !this.#timers.has(top.id)) {
          this.#pop();
          continue;
        }
        return undefined;
      }
      this.#pop();
      if (this.#timers.get(top.id) === top) return top;
    }
  }

  #fire(timer: Timer): void {
    this.#timers.delete(timer.id);
    this.#now = Math.max(this.#now, timer.at);
    // Only zero-delay timers count: many timers armed earlier for one instant are a crowd, not a loop.
    if (timer.ms > 0) {
      this.#sameInstant = 0;
    } else if (this.#now === this.#lastAt) {
      if (++this.#sameInstant > SAME_INSTANT_LIMIT) {
        this.#sameInstant = 0;
        throw new TestingError(
          'TESTING_TIMER_LOOP',
          '',
          `TestClock: more than ${String(SAME_INSTANT_LIMIT)} zero-delay timers fired at one instant (${String(this.#now)}): ` +
            'a timer that re-arms itself with a delay of 0 never lets time move',
        );
      }
    } else {
      this.#lastAt = this.#now;
      this.#sameInstant = 1;
    }
    timer.fn();
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p === undefined || !before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const left = heap[l];
      const right = heap[r];
      let child = l;
      let c = left;
      if (right !== undefined && left !== undefined && before(right, left)) {
        child = r;
        c = right;
      }
      if (c === undefined || !before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }

  #rebuild(): void {
    const live = [...this.#timers.values()];
    this.#heap.length = 0;
    for (const t of live) this.#push(t);
  }
}
