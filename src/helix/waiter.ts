/**
 * A request queued for a rate-limit point: what the limiter's queues and the shared budget's gate both hold, how one
 * is made, leaves its queue on abort, and is settled.
 */
import { abortReason, onAbort } from '../core/sleep.js';

/** A queued request. */
export interface Waiter<T> {
  resolve: (ticket: T) => void;
  reject: (error: Error) => void;
  /** Removes the waiter's abort callback (one listener per signal however many wait on it: see `onAbort`). */
  stop: (() => void) | undefined;
  /** Epoch ms after which it is refused (`maxWaitMs` after it started waiting, earlier attempts included). */
  deadline: number;
  /** Time waited before this acquire, plus when this one started: for the error's `waitMs`. */
  waitedMs: number;
  queuedAt: number;
  settled: boolean;
}

/** A waiter queued at `now`, having already waited `waitedMs` of `maxWaitMs` in earlier attempts. */
export function newWaiter<T>(
  resolve: (ticket: T) => void,
  reject: (error: Error) => void,
  now: number,
  maxWaitMs: number,
  waitedMs: number,
): Waiter<T> {
  return {
    resolve,
    reject,
    stop: undefined,
    deadline: now + maxWaitMs - waitedMs,
    waitedMs,
    queuedAt: now,
    settled: false,
  };
}

/**
 * When `signal` aborts, `waiter` is settled, `unqueue` takes it out of its queue (and tidies what that leaves idle),
 * and it rejects with the abort reason.
 */
export function unqueueOnAbort(
  waiter: Waiter<never>,
  signal: AbortSignal | undefined,
  unqueue: () => void,
): void {
  if (signal === undefined) return;
  waiter.stop = onAbort(signal, () => {
    waiter.settled = true;
    unqueue();
    waiter.reject(abortReason(signal));
  });
}

/** Marks `waiter` settled and removes its abort callback; returns it, to resolve or reject. */
export function settle<W extends Waiter<never>>(waiter: W): W {
  waiter.settled = true;
  waiter.stop?.();
  return waiter;
}
