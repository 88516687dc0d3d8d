/**
 * The seam of a Helix rate-limit budget shared by several processes ({@link HelixBudget}), and the gate that puts
 * it in front of the local {@link RateLimiter}.
 *
 * Without a budget (the default) nothing here runs: one process paces itself from Twitch's headers, as before. With
 * one, every request first takes a point of its bucket from the budget (a Redis bucket in `twitch-realtime/fleet`),
 * then goes through the local limiter, which still bounds concurrency, queues, enforces `maxRateLimitWaitMs` and
 * honours a 429's reset, but no longer paces by its own estimate of the bucket: the budget sees the whole fleet's
 * spending, the local estimate only this process's. When the budget cannot answer (Redis down), the request is
 * paced by the local limiter instead (its estimate is kept warm from every response's headers meanwhile), so Helix
 * traffic never stops for want of Redis.
 *
 * Per bucket, one request at a time asks the budget (for up to 16 points at once, one per queued request); the
 * others queue behind it with no timer of their own. A bucket told to wait arms one timer.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { isRecord, toError } from '../core/guards.js';
import type { Logger } from '../core/logger.js';
import { withMethods, type Check } from '../core/options.js';
import { abortReason } from '../core/sleep.js';
import { RateLimitWaitError } from './errors.js';
import { newWaiter, settle, unqueueOnAbort, type Waiter as BaseWaiter } from './waiter.js';
import type { RateLimitHeaders } from './rate-limit-headers.js';

/** What a {@link HelixBudget} answers to {@link HelixBudget.take}. */
export interface HelixBudgetGrant {
  /** Points taken, `0..count`. */
  readonly granted: number;
  /**
   * Ticket of the first point taken (the others follow: `ticket + 1`, ...); handed back to
   * {@link HelixBudget.observe} with the response of the request that spent it. Any number when nothing was granted.
   */
  readonly ticket: number;
  /** When `granted < count`: milliseconds until the next point is expected (at least 1). */
  readonly retryAfterMs: number;
}

/**
 * A rate-limit budget shared by several processes (the fleet's `RedisHelixBudget`), consulted by the Helix client
 * before each request and told what Twitch answered. Buckets are keyed as the client keys them: `app`, or
 * `user:<id>`.
 *
 * A budget never stops Helix traffic: when it cannot answer (its store is unreachable), {@link HelixBudget.take}
 * resolves `null` and the request is paced by the client's local limiter instead; the budget reports its own
 * failure (an `onError` of its own).
 *
 * @example
 * ```ts
 * import { RedisHelixBudget, connectRedis } from 'twitch-realtime/fleet';
 * const redis = await connectRedis(process.env.REDIS_URL!);
 * const budget = new RedisHelixBudget({ redis, clientId });
 * const helix = new HelixClient({ clientId, clientSecret, budget });
 * ```
 */
export interface HelixBudget {
  /**
   * Takes up to `count` points of `bucket` (at least 1 when any is available), or says how long to wait for the next
   * one; `null` when the budget cannot answer now (the request is then paced locally). `signal` aborts when the
   * client closes.
   */
  take(bucket: string, count: number, signal: AbortSignal): Promise<HelixBudgetGrant | null>;
  /**
   * The rate-limit headers of the response to the request that spent point `ticket` (any status, 429 included),
   * called only for responses that carry `Ratelimit-Limit` and `Ratelimit-Remaining`. Must not throw; whatever it
   * does with them happens in the background.
   */
  observe(bucket: string, ticket: number, headers: RateLimitHeaders, status: number): void;
}

/** The check of a `budget` option (core/options.ts): an object with `take` and `observe` methods. */
export const helixBudget: Check = withMethods(
  ['take', 'observe'],
  'a HelixBudget (take and observe methods)',
);

/** Whether a budget's answer is a {@link HelixBudgetGrant}: finite numbers, none negative but the ticket. */
function isGrant(value: unknown): value is HelixBudgetGrant {
  if (!isRecord(value)) return false;
  const { granted, ticket, retryAfterMs } = value;
  return (
    typeof granted === 'number' &&
    Number.isFinite(granted) &&
    granted >= 0 &&
    typeof ticket === 'number' &&
    Number.isFinite(ticket) &&
    typeof retryAfterMs === 'number' &&
    Number.isFinite(retryAfterMs) &&
    retryAfterMs >= 0
  );
}

/** Most points asked for in one {@link HelixBudget.take}. */
const BATCH = 16;

type Waiter = BaseWaiter<number | null>;

class GateBucket {
  readonly queue: Waiter[] = [];
  asking = false;
  timer: TimerHandle | undefined = undefined;
  constructor(readonly key: string) {}
}

/** Options of a {@link BudgetGate} (internal). */
export interface BudgetGateOptions {
  readonly budget: HelixBudget;
  readonly clock: Clock;
  readonly maxWaitMs: number;
  readonly logger: Logger;
}

/**
 * Queues requests in front of a {@link HelixBudget} (internal to {@link HelixHttp}): per bucket one question at a
 * time, one timer while the bucket is empty, waiters refused with a {@link RateLimitWaitError} when the wait the
 * budget announces would take them past `maxWaitMs`.
 */
export class BudgetGate {
  readonly #budget: HelixBudget;
  readonly #clock: Clock;
  readonly #maxWaitMs: number;
  readonly #logger: Logger;
  readonly #buckets = new Map<string, GateBucket>();
  readonly #closer = new AbortController();

  constructor(options: BudgetGateOptions) {
    this.#budget = options.budget;
    this.#clock = options.clock;
    this.#maxWaitMs = options.maxWaitMs;
    this.#logger = options.logger;
  }

  /** Waiters queued over all buckets (tests). */
  get queued(): number {
    let n = 0;
    for (const bucket of this.#buckets.values()) n += bucket.queue.length;
    return n;
  }

  /**
   * Resolves with the budget's ticket of the point taken, or `null` when the budget could not answer (pace locally).
   * Rejects with the abort reason, or a {@link RateLimitWaitError} when the budget's wait exceeds what is left of
   * `maxWaitMs` (`waitedMs` already spent).
   */
  take(key: string, signal: AbortSignal | undefined, waitedMs: number): Promise<number | null> {
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    if (this.#closer.signal.aborted) return Promise.reject(abortReason(this.#closer.signal));
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = new GateBucket(key);
      this.#buckets.set(key, bucket);
    }
    const b = bucket;
    return new Promise<number | null>((resolve, reject) => {
      const waiter = newWaiter(resolve, reject, this.#clock.now(), this.#maxWaitMs, waitedMs);
      unqueueOnAbort(waiter, signal, () => {
        const index = b.queue.indexOf(waiter);
        if (index !== -1) b.queue.splice(index, 1);
        this.#dropIfIdle(b);
      });
      b.queue.push(waiter);
      this.#pump(b);
    });
  }

  /** Rejects every queued request with `error`, clears the timers and aborts the questions in flight. */
  close(error: Error): void {
    this.#closer.abort(error);
    for (const bucket of this.#buckets.values()) {
      if (bucket.timer !== undefined) this.#clock.clearTimeout(bucket.timer);
      bucket.timer = undefined;
      for (const waiter of bucket.queue.splice(0)) settle(waiter).reject(error);
    }
    this.#buckets.clear();
  }

  #pump(bucket: GateBucket): void {
    if (bucket.asking || bucket.timer !== undefined || bucket.queue.length === 0) return;
    if (this.#closer.signal.aborted) return;
    bucket.asking = true;
    const count = Math.min(bucket.queue.length, BATCH);
    let asked: Promise<HelixBudgetGrant | null>;
    try {
      asked = this.#budget.take(bucket.key, count, this.#closer.signal);
    } catch (error) {
      asked = Promise.reject(toError(error));
    }
    asked.then(
      (grant) => {
        // The one place a budget's answer enters: a grant of another shape (NaN, a negative wait, no ticket) would
        // arm a timer of NaN ms or hand observe() a ticket it refuses; it is paced locally instead, and said so.
        if (grant !== null && !isGrant(grant)) {
          this.#logger.warn('helix budget answered a grant of the wrong shape; pacing locally', {
            bucket: bucket.key,
          });
          this.#answer(bucket, null);
          return;
        }
        this.#answer(bucket, grant);
      },
      (error: unknown) => {
        // A budget must answer null rather than fail; one that throws is paced locally too, and said so.
        this.#logger.warn('helix budget failed; pacing locally', {
          bucket: bucket.key,
          error: toError(error),
        });
        this.#answer(bucket, null);
      },
    );
  }

  #answer(bucket: GateBucket, grant: HelixBudgetGrant | null): void {
    bucket.asking = false;
    if (this.#closer.signal.aborted) return;
    if (grant === null) {
      // No answer: every request queued here is paced by the local limiter (it does not wait for Redis).
      for (const waiter of bucket.queue.splice(0)) settle(waiter).resolve(null);
      this.#dropIfIdle(bucket);
      return;
    }
    const granted = Math.max(0, Math.min(Math.floor(grant.granted), bucket.queue.length));
    for (let i = 0; i < granted; i++) {
      const waiter = bucket.queue.shift();
      if (waiter !== undefined) settle(waiter).resolve(grant.ticket + i);
    }
    if (bucket.queue.length === 0) {
      this.#dropIfIdle(bucket);
      return;
    }
    if (grant.granted >= 1) {
      this.#pump(bucket);
      return;
    }
    const now = this.#clock.now();
    const waitMs = Math.max(1, Math.ceil(grant.retryAfterMs));
    const at = now + waitMs;
    // Whoever cannot get a point before its deadline is refused now, not when the deadline strikes.
    const kept: Waiter[] = [];
    for (const waiter of bucket.queue) {
      if (waiter.deadline < at) {
        settle(waiter).reject(
          new RateLimitWaitError({
            bucket: bucket.key,
            waitMs: waiter.waitedMs + (now - waiter.queuedAt) + waitMs,
            maxWaitMs: this.#maxWaitMs,
            state: { bucket: bucket.key, limit: null, remaining: 0, resetAt: null },
          }),
        );
      } else {
        kept.push(waiter);
      }
    }
    bucket.queue.length = 0;
    bucket.queue.push(...kept);
    if (kept.length === 0) {
      this.#dropIfIdle(bucket);
      return;
    }
    bucket.timer = this.#clock.setTimeout(
      () => {
        bucket.timer = undefined;
        this.#pump(bucket);
      },
      waitMs,
      // Ref'd like the limiter's timers: callers await it.
      { ref: true },
    );
  }

  #dropIfIdle(bucket: GateBucket): void {
    if (bucket.queue.length > 0 || bucket.asking) return;
    if (bucket.timer !== undefined) {
      this.#clock.clearTimeout(bucket.timer);
      bucket.timer = undefined;
    }
    this.#buckets.delete(bucket.key);
  }
}
