/**
 * Reconnect timing of the PubSub connections: the backoff delay, and how long a socket must stay up for a RECONNECT
 * on it not to count as "quick".
 */

/**
 * Delay before reconnect attempt `attempt` (0-based): `initialMs · 2^attempt` capped at `maxMs`, plus a uniform
 * jitter in `[0, jitterMs)`, the total capped at `maxMs`. With the defaults: ~1–2 s, ~2–3 s, … up to 2 min.
 *
 * @example
 * ```ts
 * pubsubBackoffDelay(0, { initialMs: 1000, maxMs: 120_000, jitterMs: 1000 }, Math.random); // 1000..2000
 * ```
 */
export function pubsubBackoffDelay(
  attempt: number,
  options: { readonly initialMs: number; readonly maxMs: number; readonly jitterMs: number },
  random: () => number,
): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(options.maxMs, base + random() * options.jitterMs));
}

/**
 * A RECONNECT on a socket younger than this (the server's usual grace period) is "quick". From the second quick one
 * in a row, each handover waits for the backoff (at most half the grace): a server asking on every socket gets a
 * bounded number of them.
 */
export const PUBSUB_STABLE_SOCKET_MS = 30_000;
