/**
 * One Helix rate-limit budget for a fleet: Twitch's bucket of a client id (app token) or of a user, modelled in one
 * Redis hash per bucket and spent by one Lua script per question, so that N processes together pace themselves as one.
 *
 * The model is a token bucket in Twitch's own terms: `s` estimates the points Twitch has left, refilled at
 * `limit / windowMs` up to `limit`; a point is granted only while `s` stays at or above `reserve` (capacity =
 * limit - reserve: the reserve absorbs the time between a grant and Twitch counting it, which differs from process to
 * process). Time is Redis's `TIME`, so hosts need no clock sync. Every response's headers re-synchronise it: `s` is
 * lowered to `Remaining + 1` when above (the `+ 1` is the fraction Twitch's integer header cannot show; the reserve
 * covers it), never raised: never trust more points than Twitch says remain. Points granted but not yet counted by
 * Twitch are already subtracted from `s` and not from `Remaining`, so the rule only ever bites on spending the fleet
 * did not see. (Subtracting "the points granted since that request" as well, as one process's limiter can, is wrong
 * for a fleet: grants outrun sends, and each process sends its own in its own order, so Twitch counts them in
 * another order than the tickets; a measured run lost 500 points that way.)
 *
 * A bucket nobody has heard from yet (new, or idle for two windows, or after `Ratelimit-Limit: 0`) lets one request
 * out at a time (a probe, leased for `probeMs`) until its answer tells the limit and what remains.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import {
  checkOptions,
  clock,
  duration,
  func,
  integerDuration,
  logger,
  nonEmptyString,
  finiteNumber,
  nonNegativeInteger,
  positiveInteger,
  required,
  fail,
  type Check,
  string,
  type OptionChecks,
} from '../core/options.js';
import type { HelixBudget, HelixBudgetGrant } from '../helix/budget.js';
import type { RateLimitHeaders } from '../helix/rate-limit-headers.js';
import { RedisError } from './errors.js';
import { badReply, REDIS_CONNECTION, RedisScript, type RedisConnection } from './redis.js';

/** Options of {@link RedisHelixBudget}. */
export interface RedisHelixBudgetOptions {
  /** The connection (a node-redis client as it is, or {@link connectRedis}'s). Not closed by the budget. */
  readonly redis: RedisConnection;
  /** The client id whose buckets are shared (part of the key names). */
  readonly clientId: string;
  /**
   * Prefix of every key: a bucket's key is `<keyPrefix>{<clientId>}:helix-budget:<bucket>` (the hash tag keeps a
   * client id's keys on one slot of a Redis Cluster). @defaultValue `'tr:'`
   */
  readonly keyPrefix?: string;
  /**
   * Time an empty bucket takes to refill completely, whole milliseconds: Twitch's is a minute. Change it only for an
   * emulator configured otherwise. @defaultValue 60000
   */
  readonly windowMs?: number;
  /**
   * Points of each bucket never spent (capped at `limit - 1`): they absorb the delay between a grant and Twitch
   * counting the request, different in each process. @defaultValue 10
   */
  readonly reserve?: number;
  /** Lease of a probe (a request out to learn a bucket nobody knows), milliseconds. @defaultValue 2000 */
  readonly probeMs?: number;
  /** Longest wait for one Redis reply, milliseconds; past it, the request is paced locally. @defaultValue 1000 */
  readonly timeoutMs?: number;
  /**
   * After Redis failed, requests are paced locally (without asking Redis) for this long, milliseconds, then Redis is
   * asked again. @defaultValue 1000
   */
  readonly fallbackMs?: number;
  /**
   * Called with every Redis failure (after which requests are paced locally). Without it, the first failure of each
   * outage (until Redis answers again) goes to the logger's `warn`. @defaultValue the logger, else
   * `process.emitWarning`
   */
  readonly onError?: ((error: RedisError) => void) | undefined;
  /** Where failures go without `onError`. @defaultValue `process.emitWarning` */
  readonly logger?: Logger | undefined;
  /** Clock of the timeouts and of the fallback period (not of the bucket: that is Redis's `TIME`). */
  readonly clock?: Clock | undefined;
  /**
   * Tests only: the bucket's time in milliseconds instead of Redis's `TIME` (a fake clock's `now`). Every process of a
   * fleet must use the same time source.
   */
  readonly bucketTime?: (() => number) | undefined;
}

const CHECKS: OptionChecks<RedisHelixBudgetOptions> = {
  redis: required(REDIS_CONNECTION),
  clientId: required(nonEmptyString),
  keyPrefix: string,
  // Whole milliseconds: the scripts' PEXPIRE takes 2 x windowMs, and Redis refuses a fraction on every take.
  windowMs: integerDuration(),
  reserve: nonNegativeInteger,
  probeMs: duration(),
  timeoutMs: duration(),
  fallbackMs: duration({ min: 0 }),
  onError: func,
  logger,
  clock,
  bucketTime: func,
};

/** The headers `observe` reads (as `parseRateLimitHeaders` gives them). */
const HEADER_CHECKS: OptionChecks<RateLimitHeaders> = {
  limit: required(nullOr(nonNegativeInteger)),
  remaining: required(nullOr(nonNegativeInteger)),
  resetAt: required(nullOr(finiteNumber)),
};

function nullOr(check: Check): Check {
  return (value, field) => {
    if (value !== null) check(value, field);
  };
}

/** Redis's time in ms, or ARGV[n] when the caller gives one (tests). */
const NOW = `
local function now_ms(given)
  if given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * Takes up to ARGV[1] points. ARGV: count, windowMs, reserve, probeMs, now ('' = TIME).
 * Returns { granted, first ticket, wait ms }.
 */
const TAKE = new RedisScript(`${NOW}
local want = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = now_ms(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 's', 'at', 'limit', 'seq', 'probe', 'known')
local seq = tonumber(h[4]) or 0
if h[6] ~= '1' then
  local probe = tonumber(h[5]) or 0
  if probe > now then return {0, seq + 1, math.min(probe - now, 50)} end
  seq = seq + 1
  redis.call('HSET', KEYS[1], 'probe', now + tonumber(ARGV[4]), 'seq', seq, 'known', '0')
  redis.call('PEXPIRE', KEYS[1], 2 * window)
  return {1, seq, 0}
end
local limit = tonumber(h[3])
local reserve = math.min(tonumber(ARGV[3]), limit - 1)
local s = tonumber(h[1])
local at = tonumber(h[2])
if now > at then s = math.min(limit, s + (now - at) * limit / window) end
local granted = math.floor(s - reserve)
if granted > want then granted = want end
if granted < 0 then granted = 0 end
s = s - granted
redis.call('HSET', KEYS[1], 's', s, 'at', now, 'seq', seq + granted)
redis.call('PEXPIRE', KEYS[1], 2 * window)
local wait = 0
if granted < want then
  wait = math.ceil((reserve + 1 - s) * window / limit)
  if wait < 1 then wait = 1 end
end
return {granted, seq + 1, wait}
`);

/**
 * Re-synchronises from a response's headers. ARGV: ticket, limit, remaining, windowMs, now ('' = TIME).
 */
const OBSERVE = new RedisScript(`${NOW}
local limit = tonumber(ARGV[2])
local remaining = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local now = now_ms(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 's', 'at', 'limit', 'seq', 'known')
local seq = tonumber(h[4]) or 0
if limit == 0 then
  redis.call('HSET', KEYS[1], 'known', '0', 'probe', now + window, 'seq', seq)
  redis.call('PEXPIRE', KEYS[1], 2 * window)
  return 0
end
local estimate = remaining + 1
local s
if h[5] == '1' then
  s = tonumber(h[1])
  local at = tonumber(h[2])
  local old = tonumber(h[3])
  if now > at then s = math.min(old, s + (now - at) * old / window) end
  if estimate < s then s = estimate end
else
  s = estimate
end
if s > limit then s = limit end
redis.call('HSET', KEYS[1], 's', s, 'at', now, 'limit', limit, 'seq', seq, 'known', '1', 'probe', 0)
redis.call('PEXPIRE', KEYS[1], 2 * window)
return 1
`);

/**
 * The Helix budget of a fleet in Redis (see the module's description and docs/scale-out.md, "One Helix budget"):
 * give the same one (same Redis, same client id) to the Helix client of every process.
 *
 * When Redis fails (a timeout, a refused command, a bad reply), the failure goes to `onError` and, for `fallbackMs`,
 * requests are paced by each process's local limiter, as without a budget: Helix traffic never stops for Redis; the
 * fleet may then spend more than the bucket and see 429s, which the client waits out.
 *
 * @example
 * ```ts
 * import { connectRedis, RedisHelixBudget } from 'twitch-realtime/fleet';
 * const redis = await connectRedis(process.env.REDIS_URL!);
 * const budget = new RedisHelixBudget({ redis, clientId, onError: (err) => log.warn(err.message) });
 * const client = new AutoClient({ clientId, clientSecret, helixBudget: budget });
 * ```
 */
export class RedisHelixBudget implements HelixBudget {
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #windowMs: number;
  readonly #reserve: number;
  readonly #probeMs: number;
  readonly #callOptions: { timeoutMs: number; clock: Clock };
  readonly #fallbackMs: number;
  readonly #onError: (error: RedisError) => void;
  readonly #clock: Clock;
  readonly #bucketTime: (() => number) | undefined;
  readonly #pending = new Set<Promise<void>>();
  #fallbackUntil = -Infinity;
  /** A failure of the current outage was reported (without `onError`). */
  #reported = false;
  /**
   * Redis answered the last question (no failure since). Responses are observed only then: during an outage, and
   * while the take that asks again after `fallbackMs` is out, each would be one more command (and timer) to a Redis
   * that does not answer.
   */
  #answering = true;
  #closed = false;
  /** Counters since creation (observability, tests, benches). */
  readonly stats = { takes: 0, granted: 0, waits: 0, observed: 0, failures: 0, paceLocally: 0 };

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): no `redis` connection, an
   *   empty `clientId`, a duration outside its range, a negative `reserve`, an `onError`, `logger`, `clock` or
   *   `bucketTime` of the wrong shape.
   */
  constructor(options: RedisHelixBudgetOptions) {
    checkOptions(options, CHECKS);
    this.#redis = options.redis;
    this.#prefix = `${options.keyPrefix ?? 'tr:'}{${options.clientId}}:helix-budget:`;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#reserve = options.reserve ?? 10;
    this.#probeMs = options.probeMs ?? 2_000;
    this.#clock = options.clock ?? systemClock;
    this.#callOptions = { timeoutMs: options.timeoutMs ?? 1_000, clock: this.#clock };
    this.#fallbackMs = options.fallbackMs ?? 1_000;
    const log = options.logger;
    this.#onError =
      options.onError ??
      ((error) => {
        // Once per outage: Redis answering again re-arms it.
        if (this.#reported) return;
        this.#reported = true;
        const message = `RedisHelixBudget: Redis failed, Helix requests paced locally: ${error.message}`;
        if (log === undefined) process.emitWarning(message, { code: error.code });
        else log.warn(message, { code: error.code });
      });
    this.#bucketTime = options.bucketTime;
  }

  /**
   * The Redis key of a bucket (`app`, `user:<id>`): `<keyPrefix>{<clientId>}:helix-budget:<bucket>`.
   * @throws {@link InvalidArgumentError} for a `bucket` that is not a non-empty string.
   */
  keyOf(bucket: string): string {
    nonEmptyString(bucket, 'bucket');
    return this.#prefix + bucket;
  }

  /** {@inheritDoc HelixBudget.take} */
  async take(bucket: string, count: number, signal: AbortSignal): Promise<HelixBudgetGrant | null> {
    nonEmptyString(bucket, 'bucket');
    positiveInteger(count, 'count');
    if (!((signal as unknown) instanceof AbortSignal)) fail('signal', 'an AbortSignal', signal);
    if (this.#closed || signal.aborted || this.#clock.now() < this.#fallbackUntil) {
      this.stats.paceLocally++;
      return null;
    }
    this.stats.takes++;
    let reply: unknown;
    try {
      reply = await TAKE.run(
        this.#redis,
        [this.keyOf(bucket)],
        [String(count), String(this.#windowMs), String(this.#reserve), String(this.#probeMs), this.#time()],
        this.#callOptions,
      );
      if (!isIntegers(reply, 3)) throw badReply('EVALSHA', 'three integers (helix budget take)');
    } catch (error) {
      this.#fail(error);
      this.stats.paceLocally++;
      return null;
    }
    this.#reported = false;
    this.#answering = true;
    const [granted, ticket, retryAfterMs] = reply;
    this.stats.granted += granted;
    if (granted < count) this.stats.waits++;
    return { granted, ticket, retryAfterMs };
  }

  /** {@inheritDoc HelixBudget.observe} */
  observe(bucket: string, ticket: number, headers: RateLimitHeaders): void {
    nonEmptyString(bucket, 'bucket');
    finiteNumber(ticket, 'ticket');
    checkOptions(headers, HEADER_CHECKS, 'headers', 'headers.');
    if (this.#closed || headers.limit === null || headers.remaining === null) return;
    if (!this.#answering) return;
    this.stats.observed++;
    const done = OBSERVE.run(
      this.#redis,
      [this.keyOf(bucket)],
      [
        String(ticket),
        String(headers.limit),
        String(headers.remaining),
        String(this.#windowMs),
        this.#time(),
      ],
      this.#callOptions,
    ).then(
      () => undefined,
      (error: unknown) => {
        this.#fail(error);
      },
    );
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
  }

  /** Resolves once every re-synchronisation sent so far has been answered (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * Stops asking Redis (later takes answer `null`: paced locally) and waits for the re-synchronisations in flight.
   * The connection is the caller's: it is not closed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #time(): string {
    return this.#bucketTime === undefined ? '' : String(Math.floor(this.#bucketTime()));
  }

  #fail(error: unknown): void {
    this.stats.failures++;
    this.#answering = false;
    this.#fallbackUntil = this.#clock.now() + this.#fallbackMs;
    const failure =
      error instanceof RedisError
        ? error
        : new RedisError('REDIS_COMMAND_FAILED', 'the helix budget script failed', 'EVALSHA', {
            cause: error,
          });
    try {
      this.#onError(failure);
    } catch {
      // A throwing onError must not stop Helix traffic; there is nowhere further to report it.
    }
  }

  toJSON(): Record<string, unknown> {
    return { keys: `${this.#prefix}*`, windowMs: this.#windowMs, reserve: this.#reserve };
  }
}

function isIntegers(reply: unknown, n: 3): reply is [number, number, number] {
  return (
    Array.isArray(reply) &&
    reply.length === n &&
    reply.every((value) => typeof value === 'number' && Number.isSafeInteger(value))
  );
}
