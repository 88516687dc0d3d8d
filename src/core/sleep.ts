import { AbortError } from './errors.js';
import { systemClock, type Clock } from './clock.js';

/**
 * Waits `ms` milliseconds on `clock`. Rejects with {@link AbortError} as soon as `signal` aborts (or at once when it
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
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error to reject with when `signal` aborted: its reason when that is an Error, else an {@link AbortError}. */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof AbortError) return reason;
  return new AbortError(undefined, reason === undefined ? undefined : { cause: reason });
}
