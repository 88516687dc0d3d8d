/**
 * The CLI's waits on its abort signal (SIGINT/SIGTERM, `--duration`): they resolve when the signal aborts instead of
 * rejecting, because for a command an abort is the normal way to stop.
 */

/**
 * Resolves when `signal` aborts (at once if it already has).
 *
 * @example
 * ```ts
 * await whenAborted(signal); // Ctrl+C
 * ```
 */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts (at once if it already has); the timer and the listener are
 * removed either way.
 *
 * @example
 * ```ts
 * await pauseUnlessAborted(500, signal);
 * ```
 */
export function pauseUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
