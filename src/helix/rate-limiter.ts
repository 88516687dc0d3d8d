/**
 * Client-side model of Twitch's Helix token buckets, so requests queue instead of overrunning a bucket.
 *
 * Twitch keeps one bucket for app-token requests and one per user for user-token requests. Each response carries
 * `Ratelimit-Limit` (points per minute, also the bucket size), `Ratelimit-Remaining` and `Ratelimit-Reset`. The
 * limiter keeps, per bucket, an estimate of the points available now: it subtracts a point for every request it
 * lets through, refills at `limit / 60 s`, and re-synchronises from the headers of each response (minus the
 * requests dispatched after that one and still in flight, which the server may not have counted yet).
 *
 * Until the first response of a bucket is seen, one request is sent at a time (a probe); when responses carry no
 * rate-limit headers at all, only the concurrency bound applies (it never waits for headers that do not come).
 *
 * No wait is unbounded: a bucket whose next opening is more than `maxWaitMs` away (a reset announced an hour
 * ahead, a `Ratelimit-Limit: 0`) refuses its queued requests with a {@link RateLimitWaitError} and forgets its state,
 * so the next request probes the server again instead of trusting the claim; and a request that has waited
 * `maxWaitMs` in the queue for any reason (the depth of the queue behind a small bucket, the concurrency bound, a
 * slow probe) is refused then. One timer, armed for the earliest deadline of all queued requests, enforces that.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { MAX_TIMER_MS } from '../core/duration.js';
import { isRecord, toError } from '../core/guards.js';
import {
  boolean,
  checkOptions,
  clock,
  duration,
  fail,
  finiteNumber,
  nonNegativeInteger,
  numberIn,
  positiveInteger,
  required,
  signal,
  string,
  type OptionChecks,
} from '../core/options.js';
import type { RateLimitHeaders } from './rate-limit-headers.js';
import { abortReason } from '../core/sleep.js';
import { RateLimitWaitError } from './errors.js';
import { newWaiter, settle, unqueueOnAbort, type Waiter as BaseWaiter } from './waiter.js';
import { type RateLimitState } from '../core/http-errors.js';

/** Default longest wait for a bucket to open (two refill windows of Twitch's one-minute bucket). */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 120_000;

export { clampResetAt, parseRateLimitHeaders } from './rate-limit-headers.js';
export type { RateLimitHeaders } from './rate-limit-headers.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  readonly clock: Clock;
  /** Maximum requests in flight over all buckets. */
  readonly concurrency: number;
  /** Points kept in reserve in each bucket to absorb reordering between connections. @defaultValue 1 */
  readonly reserve?: number;
  /**
   * Bucket count above which creating a bucket first drops the idle ones (nothing queued or in flight, refilled
   * to full), so one bucket per user id does not grow forever. @defaultValue 1000
   */
  readonly pruneAbove?: number;
  /**
   * Longest time a request waits in the limiter, milliseconds (1..2^31-1). A bucket that would stay closed longer
   * (a reset far ahead, a limit of 0) rejects its queued requests with a {@link RateLimitWaitError} at once and
   * forgets its state; a request still queued after this long, whatever held it, is rejected then.
   * @defaultValue 120000
   */
  readonly maxWaitMs?: number;
}

/** Options of one {@link RateLimiter.acquire}. */
export interface AcquireOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * Time the request already spent waiting in this limiter (earlier attempts, e.g. before a 429), milliseconds:
   * it counts against `maxWaitMs`, so the bound holds for the request as a whole. @defaultValue 0
   */
  readonly waitedMs?: number;
  /**
   * Whether this request is paced by the limiter's own estimate of the bucket. `false` when a shared budget already
   * gave it a point (a `HelixBudget`): it then waits only for the concurrency bound, a 429's block and
   * `maxWaitMs`, while the headers of its response still keep the estimate current. @defaultValue true
   */
  readonly paced?: boolean;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const LIMITER_CHECKS: OptionChecks<RateLimiterOptions> = {
  clock: required(clock),
  concurrency: required(positiveInteger),
  reserve: nonNegativeInteger,
  pruneAbove: positiveInteger,
  maxWaitMs: duration(),
};

const ACQUIRE_CHECKS: OptionChecks<AcquireOptions> = {
  signal,
  waitedMs: numberIn(0, MAX_TIMER_MS, 'a number of milliseconds >= 0'),
  paced: boolean,
};

/** `null`, or rate-limit headers as {@link parseRateLimitHeaders} gives them. */
function checkHeaders(headers: unknown): asserts headers is RateLimitHeaders | null {
  if (headers === null) return;
  if (!isRecord(headers)) fail('headers', 'null or { limit, remaining, resetAt }', headers);
  for (const key of ['limit', 'remaining'] as const) {
    const value = headers[key];
    if (value !== null) nonNegativeInteger(value, `headers.${key}`);
  }
  if (headers.resetAt !== null) finiteNumber(headers.resetAt, 'headers.resetAt');
}

interface Waiter extends BaseWaiter<number> {
  /** Paced by the bucket's estimate (false: a shared budget gave it its point). */
  paced: boolean;
}

const MINUTE_MS = 60_000;

/** One bucket (app, or one user). */
class Bucket {
  /** `probe`: no response yet; `known`: headers seen; `headerless`: responses carry no headers. */
  mode: 'probe' | 'known' | 'headerless' = 'probe';
  limit: number | null = null;
  remaining: number | null = null;
  resetAt: number | null = null;
  /** Estimated points available at time `at`. */
  tokens = 0;
  at = 0;
  blockedUntil = 0;
  readonly queue: Waiter[] = [];
  head = 0;
  readonly inFlight: number[] = [];
  nextTicket = 1;
  lastSyncedTicket = 0;
  timer: TimerHandle | undefined = undefined;
  timerAt = 0;

  constructor(readonly key: string) {}

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Nothing waits on it and it holds no more information than a new bucket would: it can be dropped. */
  idle(now: number): boolean {
    return (
      this.queued === 0 &&
      this.inFlight.length === 0 &&
      this.timer === undefined &&
      now >= this.blockedUntil &&
      (this.limit === null || this.available(now) >= this.limit)
    );
  }

  available(now: number): number {
    if (this.limit === null) return Infinity;
    return Math.min(this.limit, this.tokens + ((now - this.at) * this.limit) / MINUTE_MS);
  }

  state(): RateLimitState {
    return { bucket: this.key, limit: this.limit, remaining: this.remaining, resetAt: this.resetAt };
  }

  /** Drops what the server said: the next request goes out alone (a probe) and its answer tells the state again. */
  forget(): void {
    this.mode = 'probe';
    this.limit = null;
    this.remaining = null;
    this.resetAt = null;
    this.tokens = 0;
    this.blockedUntil = 0;
    this.lastSyncedTicket = this.nextTicket;
  }
}

/**
 * The per-client limiter: buckets keyed by auth context (`app`, `user:<id>`) plus a global concurrency bound.
 * Call {@link RateLimiter.acquire} before sending and exactly one of {@link RateLimiter.release} (with the
 * response's headers, or `null` when no response came) afterwards. {@link HelixClient} runs one for you; use it
 * directly only to pace your own calls to Twitch.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ clock: systemClock, concurrency: 8 });
 * const ticket = await limiter.acquire('app', signal);
 * let headers: RateLimitHeaders | null = null;
 * try {
 *   const response = await fetch('https://api.twitch.tv/helix/users?login=twitchdev', { headers: auth, signal });
 *   headers = parseRateLimitHeaders(response.headers);
 * } finally {
 *   limiter.release('app', ticket, headers);
 * }
 * ```
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #concurrency: number;
  readonly #reserve: number;
  readonly #pruneAbove: number;
  readonly #maxWaitMs: number;
  /** Bucket count that triggers the next prune (doubles with the live count, so pruning stays amortised O(1)). */
  #pruneAt: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #waiting = new Set<Bucket>();
  #inFlight = 0;
  #closed = false;
  /** The one timer of every queued request's deadline: armed for the earliest (see `#expire`). */
  #expiry: TimerHandle | undefined = undefined;
  #expiryAt = Infinity;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) for a missing `clock` or
   *   `concurrency`, a `concurrency` or `pruneAbove` that is not a positive integer, a negative or fractional
   *   `reserve`, or a `maxWaitMs` outside 1..2^31-1.
   */
  constructor(options: RateLimiterOptions) {
    checkOptions(options, LIMITER_CHECKS);
    this.#clock = options.clock;
    this.#concurrency = options.concurrency;
    this.#reserve = options.reserve ?? 1;
    this.#pruneAbove = options.pruneAbove ?? 1000;
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
    this.#pruneAt = this.#pruneAbove;
  }

  /** Number of buckets held (observability, tests). */
  get bucketCount(): number {
    return this.#buckets.size;
  }

  /** Requests currently in flight (all buckets). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Last known state of a bucket, or `null` when it was never used (or was dropped while idle and full). */
  state(bucket: string): RateLimitState | null {
    return this.#buckets.get(bucket)?.state() ?? null;
  }

  /**
   * Waits until a request may be sent in `bucket`; resolves with a ticket to pass to {@link RateLimiter.release}.
   * Rejects when `signal` aborts while queued, and with a {@link RateLimitWaitError} once the request has waited
   * `maxWaitMs` (counting `waitedMs`). The second argument may be the signal alone.
   */
  acquire(bucketKey: string, options?: AbortSignal | AcquireOptions): Promise<number> {
    try {
      string(bucketKey, 'bucketKey');
      if (options !== undefined && !(options instanceof AbortSignal)) checkOptions(options, ACQUIRE_CHECKS);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    const {
      signal,
      waitedMs = 0,
      paced = true,
    } = options instanceof AbortSignal ? { signal: options } : (options ?? {});
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    const bucket = this.#bucket(bucketKey);
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        ...newWaiter(resolve, reject, this.#clock.now(), this.#maxWaitMs, waitedMs),
        paced,
      };
      unqueueOnAbort(waiter, signal, () => {
        const index = bucket.queue.indexOf(waiter, bucket.head);
        if (index !== -1) bucket.queue.splice(index, 1);
        if (bucket.queued === 0) this.#waiting.delete(bucket);
        this.#disarmIfIdle();
      });
      bucket.queue.push(waiter);
      this.#waiting.add(bucket);
      this.#pumpAll();
      if (!waiter.settled) this.#armExpiry(waiter.deadline);
    });
  }

  /**
   * Reports the end of a request. `headers` are the response's rate-limit headers, or `null` when no response
   * arrived (network error, timeout).
   */
  release(bucketKey: string, ticket: number, headers: RateLimitHeaders | null): void {
    checkHeaders(headers);
    const bucket = this.#buckets.get(bucketKey);
    if (bucket === undefined) return;
    const index = bucket.inFlight.indexOf(ticket);
    if (index === -1) return;
    bucket.inFlight.splice(index, 1);
    this.#inFlight--;
    if (headers !== null) this.#sync(bucket, ticket, headers);
    this.#pumpAll();
  }

  /** Longest wait for a bucket to open, milliseconds (see {@link RateLimiterOptions.maxWaitMs}). */
  get maxWaitMs(): number {
    return this.#maxWaitMs;
  }

  /**
   * The bucket is empty (a 429 with `Ratelimit-Remaining: 0`): nothing is sent in it before `until` (epoch ms),
   * after which it is assumed full. An `until` past `maxWaitMs` refuses the requests queued in the bucket.
   */
  block(bucketKey: string, until: number): void {
    string(bucketKey, 'bucketKey');
    finiteNumber(until, 'until');
    const bucket = this.#bucket(bucketKey);
    const now = this.#clock.now();
    if (until - now > this.#maxWaitMs) {
      this.#refuse(bucket, until - now);
      return;
    }
    bucket.blockedUntil = Math.max(bucket.blockedUntil, until);
    if (bucket.limit !== null) {
      // Full at `until`: tokens(now) chosen so that the refill reaches the limit exactly then.
      bucket.tokens = bucket.limit - ((bucket.blockedUntil - now) * bucket.limit) / MINUTE_MS;
      bucket.at = now;
    }
    this.#pumpAll();
  }

  /** Rejects every queued request and clears timers. */
  close(error: Error): void {
    if (!((error as unknown) instanceof Error)) fail('error', 'an Error', error);
    this.#closed = true;
    if (this.#expiry !== undefined) this.#clock.clearTimeout(this.#expiry);
    this.#expiry = undefined;
    for (const bucket of this.#buckets.values()) {
      if (bucket.timer !== undefined) this.#clock.clearTimeout(bucket.timer);
      bucket.timer = undefined;
      const waiters = bucket.queue.splice(bucket.head);
      bucket.queue.length = 0;
      bucket.head = 0;
      for (const waiter of waiters) settle(waiter).reject(error);
    }
    this.#waiting.clear();
  }

  #bucket(key: string): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#pruneAt) this.#prune();
      bucket = new Bucket(key);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Drops idle, full buckets; a dropped key starts again as a new bucket (one probe request). */
  #prune(): void {
    const now = this.#clock.now();
    for (const [key, bucket] of this.#buckets) if (bucket.idle(now)) this.#buckets.delete(key);
    this.#pruneAt = Math.max(this.#pruneAbove, 2 * this.#buckets.size);
  }

  #sync(bucket: Bucket, ticket: number, headers: RateLimitHeaders): void {
    if (headers.limit === null || headers.remaining === null) {
      if (bucket.mode === 'probe') bucket.mode = 'headerless';
      return;
    }
    // Older information than what we already applied (responses reordered): ignore.
    if (ticket < bucket.lastSyncedTicket) return;
    bucket.lastSyncedTicket = ticket;
    bucket.mode = 'known';
    bucket.limit = headers.limit;
    bucket.remaining = headers.remaining;
    bucket.resetAt = headers.resetAt;
    let later = 0;
    for (const t of bucket.inFlight) if (t > ticket) later++;
    bucket.tokens = headers.remaining - later;
    bucket.at = this.#clock.now();
  }

  #pumpAll(): void {
    if (this.#closed) return;
    for (const bucket of this.#waiting) {
      if (this.#inFlight >= this.#concurrency) return;
      this.#pump(bucket);
      if (bucket.queued === 0) this.#waiting.delete(bucket);
    }
    this.#disarmIfIdle();
  }

  /** Arms the deadline timer for `at` unless it is already armed for earlier. */
  #armExpiry(at: number): void {
    if (this.#expiry !== undefined) {
      if (this.#expiryAt <= at) return;
      this.#clock.clearTimeout(this.#expiry);
    }
    this.#expiryAt = at;
    this.#expiry = this.#clock.setTimeout(
      () => {
        this.#expiry = undefined;
        this.#expiryAt = Infinity;
        this.#expire();
      },
      Math.max(0, at - this.#clock.now()),
      // Ref'd like the bucket timers: callers await it. Cleared as soon as nothing is queued.
      { ref: true },
    );
  }

  #disarmIfIdle(): void {
    if (this.#waiting.size > 0 || this.#expiry === undefined) return;
    this.#clock.clearTimeout(this.#expiry);
    this.#expiry = undefined;
    this.#expiryAt = Infinity;
  }

  /**
   * Refuses every queued request whose deadline has passed, whatever held it (the depth of the queue behind a small
   * bucket, the concurrency bound, a slow probe), and arms the timer for the next deadline. One pass over the
   * queues per expiry: deadlines are in queue order unless a retried request came back with less time left.
   */
  #expire(): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    let next = Infinity;
    for (const bucket of this.#waiting) {
      const queue = bucket.queue;
      let kept = 0;
      const expired: Waiter[] = [];
      for (let i = bucket.head; i < queue.length; i++) {
        const waiter = queue[i];
        if (waiter === undefined) continue;
        if (waiter.deadline <= now) {
          expired.push(waiter);
        } else {
          queue[kept++] = waiter;
          if (waiter.deadline < next) next = waiter.deadline;
        }
      }
      if (expired.length === 0) continue;
      queue.length = kept;
      bucket.head = 0;
      if (kept === 0) this.#waiting.delete(bucket);
      const state = bucket.state();
      for (const waiter of expired) {
        settle(waiter).reject(
          new RateLimitWaitError({
            bucket: bucket.key,
            waitMs: waiter.waitedMs + (now - waiter.queuedAt),
            maxWaitMs: this.#maxWaitMs,
            state,
            queued: true,
          }),
        );
      }
    }
    if (next !== Infinity) this.#armExpiry(next);
  }

  #pump(bucket: Bucket): void {
    const now = this.#clock.now();
    while (bucket.queued > 0 && this.#inFlight < this.#concurrency) {
      if (now < bucket.blockedUntil) {
        this.#waitUntil(bucket, bucket.blockedUntil, now);
        return;
      }
      // A request a shared budget already gave a point to is not held by this process's estimate.
      const paced = bucket.queue[bucket.head]?.paced !== false;
      if (paced && bucket.mode === 'probe' && bucket.inFlight.length > 0) return;
      if (paced && bucket.mode === 'known' && bucket.limit === 0) {
        // A bucket of size 0 never refills: wait for its announced reset, then ask the server again (a probe).
        if (bucket.resetAt !== null && bucket.resetAt > now) {
          this.#waitUntil(bucket, bucket.resetAt, now);
          return;
        }
        bucket.forget();
        continue;
      }
      if (paced && bucket.mode === 'known' && bucket.limit !== null) {
        const available = bucket.available(now);
        const needed = 1 + Math.min(this.#reserve, Math.max(0, bucket.limit - 1));
        if (available < needed) {
          this.#waitUntil(bucket, now + Math.ceil(((needed - available) * MINUTE_MS) / bucket.limit), now);
          return;
        }
        bucket.tokens = available - 1;
        bucket.at = now;
      }
      const waiter = bucket.queue[bucket.head];
      bucket.queue[bucket.head] = undefined as unknown as Waiter;
      bucket.head++;
      if (bucket.head > 1024 && bucket.head * 2 > bucket.queue.length) {
        bucket.queue.splice(0, bucket.head);
        bucket.head = 0;
      }
      if (waiter === undefined) continue;
      const ticket = bucket.nextTicket++;
      bucket.inFlight.push(ticket);
      this.#inFlight++;
      settle(waiter).resolve(ticket);
    }
  }

  /**
   * The bucket opens at `at`: a timer wakes its queue then, unless that is more than `maxWaitMs` away. Then the
   * queued requests are refused with a {@link RateLimitWaitError} and the bucket forgets what it was told, so the
   * next request asks the server again (one probe) rather than trusting a claim that would hold it that long.
   */
  #waitUntil(bucket: Bucket, at: number, now: number): void {
    if (at - now <= this.#maxWaitMs) this.#wakeAt(bucket, at);
    else this.#refuse(bucket, at - now);
  }

  /** Rejects the queue of `bucket` (it would wait `waitMs`, past the bound) and forgets the bucket's state. */
  #refuse(bucket: Bucket, waitMs: number): void {
    const waiters = bucket.queue.splice(bucket.head);
    bucket.queue.length = 0;
    bucket.head = 0;
    this.#waiting.delete(bucket);
    if (bucket.timer !== undefined) this.#clock.clearTimeout(bucket.timer);
    bucket.timer = undefined;
    const state = bucket.state();
    bucket.forget();
    for (const waiter of waiters) {
      settle(waiter).reject(
        new RateLimitWaitError({ bucket: bucket.key, waitMs, maxWaitMs: this.#maxWaitMs, state }),
      );
    }
    this.#disarmIfIdle();
  }

  #wakeAt(bucket: Bucket, at: number): void {
    if (bucket.timer !== undefined) {
      if (bucket.timerAt <= at) return;
      this.#clock.clearTimeout(bucket.timer);
    }
    bucket.timerAt = at;
    bucket.timer = this.#clock.setTimeout(
      () => {
        bucket.timer = undefined;
        this.#pumpAll();
      },
      Math.max(0, at - this.#clock.now()),
      // Ref'd: callers await this wake-up and nothing else may hold the event loop open meanwhile.
      { ref: true },
    );
  }
}
