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
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal));
    };
    // Someone awaits this timer, so it keeps the process alive (like `timers/promises`); aborting clears it.
    const handle = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      ms,
      { ref: true },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
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
    const onAbort = (): void => {
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise
      .finally(() => {
        signal.removeEventListener('abort', onAbort);
      })
      .then(resolve, reject);
  });
}

function noop(): void {
  // A rejection nobody waits for any more.
}
