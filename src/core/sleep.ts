import { AbortError } from './errors.js';
import { systemClock, type Clock } from './clock.js';

/**
 * Waits `ms` milliseconds on `clock` (a ref'd timer: the process stays alive while it waits). Rejects with {@link AbortError} as soon as `signal` aborts (or at once when it
 * already is); the timer is cleared either way.
 *
 * @example
 * ```ts
 * await sleep(250, { clock, signal: controller.signal });
 * ```
 */
export function sleep(
  ms: number,
  options: { clock?: Clock; signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    let stop: (() => void) | undefined;
    // Someone awaits this timer, so it keeps the process alive (like `timers/promises`); aborting clears it.
    const handle = clock.setTimeout(
      () => {
        stop?.();
        resolve();
      },
      ms,
      { ref: true },
    );
    if (signal !== undefined) {
      stop = onAbort(signal, () => {
        clock.clearTimeout(handle);
        reject(abortReason(signal));
      });
    }
  });
}

/** The callbacks of one signal behind its single `abort` listener. */
interface AbortFanOut {
  readonly callbacks: Set<{ readonly run: () => void }>;
  readonly listener: () => void;
}

const fanOuts = new WeakMap<AbortSignal, AbortFanOut>();

/**
 * Runs `callback` once when `signal` aborts; returns a function that removes it (call it when the wait is over).
 * However many callbacks a signal has, it carries a single `abort` listener, added with the first callback and
 * removed with the last: any number of concurrent waits on one signal (requests queued by the rate limiter, callers
 * of a shared token refresh) never set off Node's `MaxListenersExceededWarning`, and nothing stays attached to the
 * signal once they are settled. Callbacks run in the order they were added; when one throws, the others still run
 * and the first error is rethrown (as an `abort` listener's would be). A signal that already aborted never calls
 * back: check `signal.aborted` first.
 *
 * @example
 * ```ts
 * const stop = onAbort(signal, () => reject(abortReason(signal)));
 * try {
 *   await work();
 * } finally {
 *   stop();
 * }
 * ```
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) return noop;
  let fanOut = fanOuts.get(signal);
  if (fanOut === undefined) {
    const callbacks = new Set<{ readonly run: () => void }>();
    const listener = (): void => {
      fanOuts.delete(signal);
      let failure: { error: unknown } | undefined;
      for (const entry of callbacks) {
        try {
          entry.run();
        } catch (error) {
          failure ??= { error };
        }
      }
      callbacks.clear();
      if (failure !== undefined) throw failure.error;
    };
    fanOut = { callbacks, listener };
    fanOuts.set(signal, fanOut);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = fanOut;
  const entry = { run: callback };
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    if (fanOuts.get(signal)?.callbacks === callbacks) fanOuts.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/** The error to reject with when `signal` aborted: its reason when that is an Error, else an {@link AbortError}. */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError(undefined, reason === undefined ? undefined : { cause: reason });
}

/**
 * Follows `promise` for one waiter, but rejects with the abort reason as soon as `signal` aborts. The work behind
 * `promise` is not cancelled: it goes on for its other waiters (a shared token refresh, for instance).
 *
 * @example
 * ```ts
 * const token = await raceAbort(sharedRefresh, callerSignal);
 * ```
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(noop);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => {
      reject(abortReason(signal));
    });
    promise.finally(stop).then(resolve, reject);
  });
}

function noop(): void {
  // A rejection nobody waits for any more.
}
