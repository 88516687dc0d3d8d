/**
 * Helix rate limiting: a token bucket per caller (per client for app tokens, per client+user for user tokens),
 * refilled continuously at `limit / 60` points per second, as Twitch documents (reference §5.2). The window (60 s)
 * is configurable so that tests can watch a bucket refill in milliseconds.
 */
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { requirePositiveInteger } from '../../core/guards.js';

/** Outcome of one {@link RateLimiter.take}; also the values of the `Ratelimit-*` headers. */
export interface RateLimitResult {
  readonly allowed: boolean;
  /** `Ratelimit-Limit`. */
  readonly limit: number;
  /** `Ratelimit-Remaining` (whole points left after this request). */
  readonly remaining: number;
  /** `Ratelimit-Reset`: Unix time (seconds) at which the bucket is full again. */
  readonly reset: number;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Points per window (= bucket capacity). `Infinity` disables limiting. Default 800. */
  readonly pointsPerMinute?: number;
  /**
   * Time an empty bucket takes to refill completely, ms (Twitch: one minute). Default 60,000.
   *
   * @throws InvalidArgumentError (from the constructor) unless a positive integer.
   */
  readonly windowMs?: number;
  /** Clock, ms since epoch. Default: the system clock (the platform passes the emulator's). */
  readonly now?: () => number;
  /** Most buckets held (default 10,000). Full buckets are pruned first, then the least recently used. */
  readonly maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** What the headers say when limiting is disabled (`Infinity`): a bucket that never drains. */
const UNLIMITED = 2_147_483_647;

/**
 * Token buckets keyed by caller. `take` is O(1); memory is bounded by `maxBuckets`.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ pointsPerMinute: 800 });
 * const r = limiter.take(RateLimiter.appKey('my-client'));
 * if (!r.allowed) // answer 429
 * ```
 */
export class RateLimiter {
  readonly #now: () => number;
  readonly #maxBuckets: number;
  readonly #windowMs: number;
  readonly #buckets = new Map<string, Bucket>();
  #limit = 800;
  /** Points per millisecond. */
  #rate = 800 / 60_000;

  constructor(options: RateLimiterOptions = {}) {
    this.#now = options.now ?? ((): number => systemClock.now());
    this.#maxBuckets = options.maxBuckets ?? 10_000;
    this.#windowMs = requirePositiveInteger(options.windowMs ?? 60_000, 'windowMs');
    this.setLimit(options.pointsPerMinute ?? 800);
  }

  /** Bucket key of app-token requests of a client. */
  static appKey(clientId: string): string {
    return `a\0${clientId}`;
  }

  /** Bucket key of user-token requests of a client for a user. */
  static userKey(clientId: string, userId: string): string {
    return `u\0${clientId}\0${userId}`;
  }

  /** Refill window, ms (60,000 unless configured). */
  get windowMs(): number {
    return this.#windowMs;
  }

  /** Current points per window (`Infinity` when disabled). */
  get limit(): number {
    return this.#limit;
  }

  /** Number of buckets held. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Changes the limit of every bucket. Buckets keep their level, capped at the new capacity.
   *
   * @throws InvalidArgumentError unless `pointsPerMinute` is a positive number (or `Infinity`).
   */
  setLimit(pointsPerMinute: number): void {
    if (Number.isNaN(pointsPerMinute) || pointsPerMinute <= 0) {
      throw new InvalidArgumentError('points per minute must be a positive number', 'points_per_minute');
    }
    this.#limit = pointsPerMinute;
    this.#rate = pointsPerMinute / this.#windowMs;
    if (Number.isFinite(pointsPerMinute)) {
      for (const b of this.#buckets.values()) if (b.tokens > pointsPerMinute) b.tokens = pointsPerMinute;
    } else {
      this.#buckets.clear();
    }
  }

  /** Takes `cost` points (default 1) from the bucket of `key`. */
  take(key: string, cost = 1): RateLimitResult {
    const now = this.#now();
    const limit = this.#limit;
    if (!Number.isFinite(limit)) {
      return { allowed: true, limit: UNLIMITED, remaining: UNLIMITED, reset: Math.ceil(now / 1000) };
    }
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxBuckets) this.#prune(now);
      bucket = { tokens: limit, updatedAt: now };
    } else {
      // Re-insert so that Map order is least-recently-used first.
      this.#buckets.delete(key);
      const elapsed = now - bucket.updatedAt;
      if (elapsed > 0) bucket.tokens = Math.min(limit, bucket.tokens + elapsed * this.#rate);
      bucket.updatedAt = now;
    }
    this.#buckets.set(key, bucket);
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    const reset = Math.ceil((now + (limit - bucket.tokens) / this.#rate) / 1000);
    return { allowed, limit, remaining: allowed ? Math.floor(bucket.tokens) : 0, reset };
  }

  /** Drops every bucket that has refilled (equivalent to having none), then the least recently used tenth. */
  #prune(now: number): void {
    const limit = this.#limit;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.updatedAt) * this.#rate >= limit) this.#buckets.delete(key);
    }
    if (this.#buckets.size >= this.#maxBuckets) {
      let drop = Math.max(1, Math.floor(this.#maxBuckets / 10));
      for (const key of this.#buckets.keys()) {
        this.#buckets.delete(key);
        if (--drop === 0) break;
      }
    }
  }
}
