/**
 * The one polling wait of the test suite, for conditions that only real sockets, child processes or the event loop
 * make true (a frame crossed a socket, a counter reached N). Bounded: it fails on its own, before the test's
 * timeout, saying what it waited for. It never proves that something did NOT happen: for that, drive a
 * {@link FakeClock} and check its pending timers, or drain (send a marker and see it arrive first).
 */

/** Options of {@link until}. */
export interface UntilOptions {
  /** What is awaited, for the failure message. @defaultValue the source of `check` */
  readonly what?: string;
  /** Deadline, in real milliseconds: a bound on a wait, never an assertion on a duration. @defaultValue 3000 */
  readonly timeoutMs?: number;
}

/**
 * Next poll: at the next turns of the event loop first (a local socket round trip usually completes within a few),
 * then after 1, 2, 4 and at most 5 ms (no busy loop while a slower machine catches up).
 */
function pause(attempt: number): Promise<void> {
  if (attempt < 3) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, Math.min(5, 2 ** (attempt - 3))));
}

/** Default deadline: under the 5 s test timeout (vitest.config.ts), so the wait fails with its own message first. */
export const UNTIL_TIMEOUT_MS = 3000;

/**
 * Waits until `check` returns something other than `false`, `undefined` or `null`, and resolves with it.
 *
 * @param options - what is awaited (a string is the `what`), and the deadline.
 * @throws Error `timed out after N ms waiting for <what>` at the deadline.
 *
 * @example
 * ```ts
 * await until(() => received.length === 3, 'three notifications');
 * const sub = await until(() => emu.state().subscriptions[0], { what: 'a subscription', timeoutMs: 5000 });
 * ```
 */
export async function until<T>(
  check: () => T | Promise<T>,
  options: string | UntilOptions = {},
): Promise<Exclude<T, false | undefined | null>> {
  const { what, timeoutMs = UNTIL_TIMEOUT_MS } = typeof options === 'string' ? { what: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const value = await check();
    if (value !== false && value !== undefined && value !== null)
      return value as Exclude<T, false | undefined | null>;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what ?? String(check)}`);
    }
    await pause(attempt);
  }
}
