/**
 * The rate-limit headers of a Helix response (`Ratelimit-Limit`, `Ratelimit-Remaining`, `Ratelimit-Reset`), parsed
 * into numbers the limiter can trust: bad values become `null`, and no reset can put a timer out of range.
 */
import { MAX_TIMER_MS } from '../core/duration.js';
import { finiteNumber, withMethods } from '../core/options.js';
import type { HeaderReader } from '../core/http-transport.js';

/** Rate-limit headers of one response, parsed. */
export interface RateLimitHeaders {
  readonly limit: number | null;
  readonly remaining: number | null;
  /** Epoch milliseconds. */
  readonly resetAt: number | null;
}

/**
 * Parses `Ratelimit-Limit`, `Ratelimit-Remaining` (non-negative integers) and `Ratelimit-Reset` (epoch seconds);
 * bad values → `null`. The reset is clamped by `clampResetAt` against `now` (epoch ms, default `Date.now()`),
 * so no server value can put a timer out of range.
 *
 * @example
 * ```ts
 * const headers = new Headers({ 'Ratelimit-Limit': '800', 'Ratelimit-Remaining': '799', 'Ratelimit-Reset': '1700000000' });
 * parseRateLimitHeaders(headers); // { limit: 800, remaining: 799, resetAt: 1700000000000 }
 * ```
 */
export function parseRateLimitHeaders(headers: HeaderReader, now: number = Date.now()): RateLimitHeaders {
  withMethods(['get'], 'headers with a get(name) method (a Fetch Headers, or HeaderReader)')(
    headers,
    'headers',
  );
  finiteNumber(now, 'now');
  return {
    limit: count(headers.get('ratelimit-limit')),
    remaining: count(headers.get('ratelimit-remaining')),
    resetAt: clampResetAt(headers.get('ratelimit-reset'), now),
  };
}

/**
 * The one place a server-supplied bucket reset becomes a time the limiter may wait for: `Ratelimit-Reset` (epoch
 * seconds) as epoch milliseconds, `null` when absent or not a finite non-negative number, and never more than
 * {@link MAX_TIMER_MS} after `now` (a reset 10^9 s ahead would otherwise reach a timer that Node fires after 1 ms,
 * again and again). How long the limiter actually waits is bounded further by `maxWaitMs`.
 *
 * @example
 * ```ts
 * clampResetAt('1700000030', 1_700_000_000_000); // 1_700_000_030_000
 * clampResetAt(String(1e12), 1_700_000_000_000); // 1_700_000_000_000 + MAX_TIMER_MS
 * clampResetAt('soon', 1_700_000_000_000);       // null
 * ```
 */
export function clampResetAt(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(seconds * 1000, now + MAX_TIMER_MS);
}

function count(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
