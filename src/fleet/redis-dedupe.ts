/**
 * Dedupe across processes: a {@link DedupeStore} whose memory is Redis, so that a message Twitch delivers (or
 * retries) on another process's shard or webhook is handled once fleet-wide. See docs/scale-out.md, section
 * "Dedupe across processes".
 *
 * - Keys `tr:{<fleet>}:d:<id>` (one hash tag: a Redis Cluster keeps a fleet's keys on one slot), set with `NX` and a
 *   `PX` of the store's window: an atomic has-and-add, forgotten by Redis itself when the window has passed.
 * - Batched: the ids that arrive in the same turn of the event loop (or within `flushDelayMs`, up to `maxBatch`) go
 *   to Redis in ONE `EVALSHA` of a small Lua script, so a busy process pays one round trip per batch, not per message.
 * - A local {@link MemoryDedupeStore} in front: an id this process already judged is a duplicate without asking
 *   Redis; only ids new to this process are sent.
 * - When Redis fails (timeout, refused, error reply), `failurePolicy` decides: `'local'` (default) judges by the local
 *   cache alone and reports the error (cross-process duplicates become possible during the outage, no message is
 *   lost), `'strict'` refuses the messages (consumers drop them: `DEDUPE_STORE_FAILED`).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { TypedEmitter } from '../core/emitter.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  checkOptions,
  clock as clockCheck,
  integerDuration,
  integerIn,
  logger as loggerCheck,
  oneOf,
  required,
  type OptionChecks,
} from '../core/options.js';
import {
  DEFAULT_DEDUPE_MAX_ENTRIES,
  DEFAULT_DEDUPE_WINDOW_MS,
  MemoryDedupeStore,
  type DedupeStore,
  type DedupeVerdict,
} from '../eventsub/websocket/dedupe.js';
import { RedisError } from './errors.js';
import {
  badReply,
  callRedis,
  FLEET_ID_CHECK,
  REDIS_CONNECTION,
  RedisScript,
  type RedisCallOptions,
  type RedisConnection,
} from './redis.js';

/** What {@link RedisDedupeStore} does with the ids it cannot check in Redis. */
export type RedisDedupeFailurePolicy = 'local' | 'strict';

/** Options of {@link RedisDedupeStore}. */
export interface RedisDedupeStoreOptions {
  /** The connection (a node-redis client as it is, or {@link connectRedis}'s). Not closed by the store. */
  readonly redis: RedisConnection;
  /**
   * The fleet's name: keys are `tr:{<fleet>}:d:<id>`. Every process of one fleet gives the same name; two fleets on
   * one Redis give different ones. 1 to 64 characters among letters, digits, `_`, `-`, `.` and `:`.
   */
  readonly fleet: string;
  /**
   * How long an id is remembered, milliseconds: the keys' `PX` and the local cache's window (1..2^31-1).
   * @defaultValue DEFAULT_DEDUPE_WINDOW_MS (11 minutes: Twitch's 10-minute replay window plus 1 minute of skew)
   */
  readonly windowMs?: number;
  /** Most ids sent in one round trip (1..10,000); a full batch goes at once. @defaultValue 256 */
  readonly maxBatch?: number;
  /**
   * How long the first id of a batch waits for others, milliseconds (0..1,000). 0: the batch goes at the end of
   * the current turn of the event loop (`setImmediate`), which gathers everything the sockets delivered in it.
   * @defaultValue 0
   */
  readonly flushDelayMs?: number;
  /** Longest wait for Redis's answer to a batch, milliseconds; then the batch has failed. @defaultValue 1000 */
  readonly redisTimeoutMs?: number;
  /**
   * After a failed round trip, Redis is not asked again for this long, milliseconds: ids are judged by
   * `failurePolicy` at once instead of each waiting for a timeout. Then one batch asks again (the probe); ids that
   * arrive while it is out are judged by `failurePolicy` at once too. @defaultValue 1000
   */
  readonly retryAfterMs?: number;
  /**
   * What to do with ids Redis could not judge. `'local'`: the local cache judges them (a message new to this
   * process is dispatched; another process may dispatch its copy too until Redis answers again), and they are written
   * to Redis once it answers again. `'strict'`: they are refused (consumers drop the message with
   * `DEDUPE_STORE_FAILED`; a webhook answers 503 so that Twitch retries it, a WebSocket message is lost).
   * @defaultValue 'local'
   */
  readonly failurePolicy?: RedisDedupeFailurePolicy;
  /** Memory bound of the local cache, in ids (1..2^24). @defaultValue DEFAULT_DEDUPE_MAX_ENTRIES (5,000,000) */
  readonly localMaxEntries?: number;
  /** Clock of the timeouts and of `retryAfterMs`. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Where a Redis failure goes when nobody listens to `'error'`. @defaultValue `process.emitWarning` */
  readonly logger?: Logger;
}

/** Events of {@link RedisDedupeStore}. */
export interface RedisDedupeStoreEvents {
  /**
   * Redis failed a round trip (`REDIS_TIMEOUT`, `REDIS_COMMAND_FAILED`, `REDIS_BAD_REPLY`): emitted once per outage
   * (the first failure after a success); `stats.errors` counts every failure.
   */
  error: [error: RedisError];
}

/** Counters of {@link RedisDedupeStore}, since it was made. */
export interface RedisDedupeStats {
  /** Ids answered `'duplicate'` by the local cache, without Redis. */
  localDuplicates: number;
  /** Round trips to Redis (one `EVALSHA` each, whatever the batch size). */
  roundTrips: number;
  /** Ids judged by Redis. */
  checked: number;
  /** Of those, ids another process (or an earlier copy) had recorded. */
  redisDuplicates: number;
  /** Round trips that failed. */
  errors: number;
  /** Ids judged by the local cache alone because Redis failed (`failurePolicy: 'local'`). */
  localVerdicts: number;
  /** Ids refused because Redis failed (`failurePolicy: 'strict'`). */
  refused: number;
  /** Ids judged locally during an outage and written to Redis afterwards. */
  backfilled: number;
  /** Ids that could not be queued for writing (or releasing) after an outage: more than 100,000 were waiting. */
  unsynced: number;
}

/** Ids waiting to be written (or released) after an outage, at most. */
const MAX_BACKLOG = 100_000;

/** Ids kept as they are in keys; any other id (longer, other characters) is keyed by its SHA-256. */
const PLAIN_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const CHECKS: OptionChecks<RedisDedupeStoreOptions> = {
  redis: required(REDIS_CONNECTION),
  fleet: required(FLEET_ID_CHECK),
  windowMs: integerDuration(),
  maxBatch: integerIn(1, 10_000),
  flushDelayMs: integerIn(0, 1_000),
  redisTimeoutMs: integerDuration(),
  retryAfterMs: integerIn(0, 2 ** 31 - 1),
  failurePolicy: oneOf(['local', 'strict']),
  localMaxEntries: integerIn(1, 2 ** 24),
  clock: clockCheck,
  logger: loggerCheck,
};

/**
 * One round trip. KEYS: ids to release (refused after an ambiguous failure: deleted if they still hold what that
 * round trip wrote), ids to record (judged locally during an outage), then the ids to judge. ARGV: PX, the value
 * written (this store's nonce and the round trip's number), the two counts, this store's nonce and `:` ('' for the
 * 'local' policy, whose keys hold '1'), then the value of each id to release.
 * Returns, per id to judge, in order: 1 (new, now recorded), 2 (already there, written by this store: then taken over
 * with this round trip's value, so that releasing the older one leaves it), or 0 (already there).
 */
const JUDGE = new RedisScript(`local px, me = ARGV[1], ARGV[2]
local release, record, mine = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
for i = 1, release do
  if redis.call('GET', KEYS[i]) == ARGV[5 + i] then redis.call('DEL', KEYS[i]) end
end
for i = release + 1, release + record do
  redis.call('SET', KEYS[i], me, 'NX', 'PX', px)
end
local out = {}
for i = release + record + 1, #KEYS do
  if redis.call('SET', KEYS[i], me, 'NX', 'PX', px) then
    out[#out + 1] = 1
  elseif mine ~= '' and string.sub(redis.call('GET', KEYS[i]) or '', 1, #mine) == mine then
    redis.call('SET', KEYS[i], me, 'XX', 'PX', px)
    out[#out + 1] = 2
  else
    out[#out + 1] = 0
  end
end
return out`);

type Resolve = (verdict: DedupeVerdict) => void;
type Reject = (error: unknown) => void;

/** The ids waiting for one round trip, in order of arrival. */
interface Batch {
  readonly keys: string[];
  readonly ids: string[];
  readonly nows: number[];
  readonly resolves: Resolve[];
  readonly rejects: Reject[];
}

function emptyBatch(): Batch {
  return { keys: [], ids: [], nows: [], resolves: [], rejects: [] };
}

/**
 * A {@link DedupeStore} shared by the processes of a fleet through Redis. Give the same store to every consumer of
 * a process (the AutoClient's `dedupe` option, a `WebSocketClient`, a `WebhookReceiver`), and a store with the same
 * `fleet` to every process.
 *
 * An id already judged by this process is a duplicate at once (synchronously); a new one is checked in Redis, in a
 * batch with the others of the same turn of the event loop, and answered with a promise (consumers keep their
 * order of arrival). Use `WebhookReceiver.processAsync()` or `handle()` with it, not `process()`.
 *
 * @example
 * ```ts
 * import { connectRedis, RedisDedupeStore } from 'twitch-realtime/fleet';
 *
 * const redis = await connectRedis('redis://10.0.0.5:6379');
 * const dedupe = new RedisDedupeStore({ redis, fleet: 'my-bot' });
 * dedupe.on('error', (error) => log.warn(`dedupe judged locally: ${error.message}`));
 * const client = new AutoClient({ ...options, dedupe });
 * ```
 */
export class RedisDedupeStore extends TypedEmitter<RedisDedupeStoreEvents> implements DedupeStore {
  readonly windowMs: number;
  /** The fleet's name (the keys' hash tag). */
  readonly fleet: string;
  readonly failurePolicy: RedisDedupeFailurePolicy;
  /** Counters (see {@link RedisDedupeStats}). */
  readonly stats: RedisDedupeStats = {
    localDuplicates: 0,
    roundTrips: 0,
    checked: 0,
    redisDuplicates: 0,
    errors: 0,
    localVerdicts: 0,
    refused: 0,
    backfilled: 0,
    unsynced: 0,
  };
  readonly #redis: RedisConnection;
  readonly #prefix: string;
  readonly #local: MemoryDedupeStore;
  readonly #maxBatch: number;
  readonly #flushDelayMs: number;
  readonly #retryAfterMs: number;
  readonly #call: RedisCallOptions;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #px: string;
  /** With the round trip's number, the value of the keys a 'strict' store writes, so that it can release them. */
  readonly #nonce = randomBytes(12).toString('base64url');
  #round = 0;
  #batch: Batch = emptyBatch();
  #timer: TimerHandle | undefined;
  #scheduled = false;
  /** Keys to write (judged locally during an outage) and to release (refused after an ambiguous failure). */
  #record: string[] = [];
  #release: string[] = [];
  #releaseValues: string[] = [];
  /**
   * 'strict': keys of ids refused after an ambiguous failure. Another copy of such an id, sent before the refusal,
   * finds the key the refused round trip may have written: that copy is new (else the id is refused once and taken
   * for a duplicate once, and nobody handles it).
   */
  readonly #refused = new Set<string>();
  /** Round trips sent and not yet answered. */
  #inFlight = 0;
  /**
   * Ids this process dispatched on the local cache's word alone while round trips were out: a round trip that then
   * answers 1 for one of them (it wrote the key) must not dispatch it again. Cleared when no round trip is out.
   */
  readonly #localNew = new Set<string>();
  /** Until when Redis is not asked (after a failure), by the store's clock; the error that started it. */
  #downUntil = -Infinity;
  /**
   * After an outage, the batch that asks Redis whether it answers again: until it is answered, later ids are judged
   * without Redis (one round trip at a time to a Redis that may still be away, not one per turn of the event loop).
   */
  #probe: Batch | undefined;
  #failure: RedisError | undefined;
  /** A failure was reported and no round trip succeeded since. */
  #reported = false;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, naming the field) for a missing `redis` or `fleet`, or an
   *   option out of its range.
   */
  constructor(options: RedisDedupeStoreOptions) {
    checkOptions(options, CHECKS);
    super(options.logger === undefined ? {} : { logger: options.logger });
    this.#redis = options.redis;
    this.fleet = options.fleet;
    this.windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    this.failurePolicy = options.failurePolicy ?? 'local';
    this.#prefix = `tr:{${options.fleet}}:d:`;
    this.#local = new MemoryDedupeStore({
      windowMs: this.windowMs,
      maxEntries: options.localMaxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES,
    });
    this.#maxBatch = options.maxBatch ?? 256;
    this.#flushDelayMs = options.flushDelayMs ?? 0;
    this.#retryAfterMs = options.retryAfterMs ?? 1_000;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#call = { timeoutMs: options.redisTimeoutMs ?? 1_000, clock: this.#clock };
    this.#px = String(this.windowMs);
  }

  /**
   * The Redis key of `id` (for tools and tests): an id of letters, digits, `-`, `_` and `.` (at most 64) as it is,
   * any other id as its SHA-256, so that a hostile id never becomes an odd key.
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `id`) when `id` is not a string.
   */
  keyOf(id: string): string {
    if (typeof id !== 'string') throw new InvalidArgumentError('a message id must be a string', 'id');
    return this.#key(id);
  }

  #key(id: string): string {
    if (PLAIN_ID.test(id)) return this.#prefix + id;
    return `${this.#prefix}#${createHash('sha256').update(id, 'utf8').digest('base64url')}`;
  }

  add(id: string, now: number): DedupeVerdict | Promise<DedupeVerdict> {
    if (typeof id !== 'string') throw new InvalidArgumentError('a message id must be a string', 'id');
    if (this.#local.has(id, now)) {
      this.stats.localDuplicates++;
      return 'duplicate';
    }
    const batch = this.#batch;
    if (this.#downUntil !== -Infinity) {
      if (this.#probe === undefined) {
        if (this.#clock.now() < this.#downUntil) return this.#withoutRedis(id, now);
        this.#probe = batch; // time to try again: this batch is the probe
      } else if (this.#probe !== batch) {
        return this.#withoutRedis(id, now); // the probe is out: no second round trip until it is answered
      }
    }
    batch.keys.push(this.#key(id));
    batch.ids.push(id);
    batch.nows.push(now);
    const verdict = new Promise<DedupeVerdict>((resolve, reject) => {
      batch.resolves.push(resolve);
      batch.rejects.push(reject);
    });
    if (batch.ids.length >= this.#maxBatch) this.#flush();
    else if (!this.#scheduled) this.#schedule();
    return verdict;
  }

  has(id: string, now: number): boolean | Promise<boolean> {
    if (typeof id !== 'string') throw new InvalidArgumentError('a message id must be a string', 'id');
    if (this.#local.has(id, now)) return true;
    return this.#ask(id);
  }

  /** Sends the ids waiting now instead of at the end of the turn (or of `flushDelayMs`). */
  flush(): void {
    this.#flush();
  }

  /** Not JSON of the connection or the ids: only the figures. */
  toJSON(): { fleet: string; windowMs: number; failurePolicy: string; stats: RedisDedupeStats } {
    return {
      fleet: this.fleet,
      windowMs: this.windowMs,
      failurePolicy: this.failurePolicy,
      stats: this.stats,
    };
  }

  async #ask(id: string): Promise<boolean> {
    const reply = await callRedis(this.#redis, ['EXISTS', this.#key(id)], this.#call);
    if (reply !== 0 && reply !== 1) throw badReply('EXISTS', '0 or 1');
    return reply === 1;
  }

  #schedule(): void {
    this.#scheduled = true;
    if (this.#flushDelayMs === 0) setImmediate(this.#flush);
    else this.#timer = this.#clock.setTimeout(this.#flush, this.#flushDelayMs, { ref: true });
  }

  /** During an outage: the local verdict (`'local'`), or a refusal (`'strict'`, thrown: the consumer refuses). */
  #withoutRedis(id: string, now: number): DedupeVerdict {
    if (this.failurePolicy === 'strict') {
      this.stats.refused++;
      throw this.#failure ?? new RedisError('REDIS_TIMEOUT', 'Redis is unreachable', null);
    }
    this.stats.localVerdicts++;
    const verdict = this.#local.add(id, now);
    if (verdict === 'new') {
      this.#queue(this.#record, this.#key(id));
      this.#dispatchedLocally(id);
    }
    return verdict;
  }

  /** Notes a local-only 'new' verdict that a round trip out now might contradict. */
  #dispatchedLocally(id: string): void {
    if (this.#inFlight > 0 && this.#localNew.size < MAX_BACKLOG) this.#localNew.add(id);
  }

  /** A round trip has been answered (or failed). */
  #landed(): void {
    if (--this.#inFlight === 0 && this.#localNew.size > 0) this.#localNew.clear();
  }

  #queue(list: string[], key: string): void {
    if (list.length < MAX_BACKLOG) list.push(key);
    else this.stats.unsynced++;
  }

  #queueRelease(key: string, value: string): void {
    if (this.#release.length >= MAX_BACKLOG) {
      this.stats.unsynced++;
      return;
    }
    this.#release.push(key);
    this.#releaseValues.push(value);
  }

  readonly #flush = (): void => {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#scheduled = false;
    const batch = this.#batch;
    if (batch.ids.length === 0 && this.#record.length === 0 && this.#release.length === 0) return;
    this.#batch = emptyBatch();
    const release = this.#release.length > 0 ? this.#release.splice(0, this.#maxBatch) : [];
    const releaseValues = release.length > 0 ? this.#releaseValues.splice(0, release.length) : release;
    const record = this.#record.length > 0 ? this.#record.splice(0, this.#maxBatch) : [];
    const keys = release.length + record.length === 0 ? batch.keys : [...release, ...record, ...batch.keys];
    this.stats.roundTrips++;
    // Only 'strict' releases keys, so only it marks them; '1' is a shared object in Redis (no allocation per key).
    const value = this.failurePolicy === 'strict' ? `${this.#nonce}:${String(++this.#round)}` : '1';
    const mine = this.failurePolicy === 'strict' ? `${this.#nonce}:` : '';
    const args = [this.#px, value, String(release.length), String(record.length), mine, ...releaseValues];
    this.#inFlight++;
    JUDGE.run(this.#redis, keys, args, this.#call).then(
      (reply) => {
        if (isVerdicts(reply, batch.ids.length)) this.#answered(batch, reply, record.length, release);
        else
          this.#failed(
            batch,
            value,
            release,
            releaseValues,
            record,
            badReply('EVALSHA', 'one 0, 1 or 2 per id'),
          );
      },
      (error: unknown) => {
        const failure =
          error instanceof RedisError
            ? error
            : new RedisError('REDIS_COMMAND_FAILED', 'Redis failed EVALSHA', 'EVALSHA', { cause: error });
        this.#failed(batch, value, release, releaseValues, record, failure);
      },
    );
  };

  #answered(batch: Batch, reply: readonly unknown[], recorded: number, released: readonly string[]): void {
    this.#reported = false;
    this.#downUntil = -Infinity;
    this.#probe = undefined;
    this.#failure = undefined;
    const stats = this.stats;
    stats.backfilled += recorded;
    const { keys, ids, nows, resolves } = batch;
    const local = this.#local;
    const refused = this.#refused;
    const localNew = this.#localNew;
    if (refused.size > 0) for (const key of released) refused.delete(key);
    stats.checked += ids.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] ?? '';
      // Recorded locally either way. The verdict is Redis's: 1, this round trip wrote the key (2: it held what a
      // round trip of this store whose ids were refused wrote). Not the local cache's: another round trip's answer of
      // 0 for a copy may have come first (a connection pool answers out of order), and this one must still dispatch
      // it. Only a copy dispatched meanwhile on the local cache's word alone (a batch that failed during this one's
      // flight) makes it a duplicate, so one process never dispatches an id twice.
      local.add(id, nows[i] ?? 0);
      const fresh = reply[i] === 1 || (reply[i] === 2 && refused.size > 0 && refused.delete(keys[i] ?? ''));
      const verdict: DedupeVerdict =
        fresh && (localNew.size === 0 || !localNew.has(id)) ? 'new' : 'duplicate';
      if (verdict === 'duplicate') stats.redisDuplicates++;
      resolves[i]?.(verdict);
    }
    this.#landed(); // after the verdicts: they read the ids dispatched locally during this flight
    if ((this.#record.length > 0 || this.#release.length > 0) && !this.#scheduled) this.#schedule();
  }

  #failed(
    batch: Batch,
    value: string,
    release: readonly string[],
    releaseValues: readonly string[],
    record: readonly string[],
    error: RedisError,
  ): void {
    this.#landed();
    const stats = this.stats;
    stats.errors++;
    this.#failure = error;
    this.#downUntil = this.#clock.now() + this.#retryAfterMs;
    if (this.#probe === batch) this.#probe = undefined;
    // Not known to be applied: try again with the next round trip (both are idempotent).
    for (let i = 0; i < release.length; i++) this.#queueRelease(release[i] ?? '', releaseValues[i] ?? '');
    for (const key of record) this.#queue(this.#record, key);
    const { keys, ids, nows, resolves, rejects } = batch;
    if (this.failurePolicy === 'strict') {
      for (let i = 0; i < ids.length; i++) {
        // Redis may have recorded it before the failure: release it, so that a redelivery is not a duplicate.
        this.#queueRelease(keys[i] ?? '', value);
        if (this.#refused.size < MAX_BACKLOG) this.#refused.add(keys[i] ?? '');
        stats.refused++;
        rejects[i]?.(error);
      }
    } else {
      const local = this.#local;
      for (let i = 0; i < ids.length; i++) {
        stats.localVerdicts++;
        const verdict = local.add(ids[i] ?? '', nows[i] ?? 0);
        if (verdict === 'new') {
          this.#queue(this.#record, keys[i] ?? '');
          this.#dispatchedLocally(ids[i] ?? '');
        }
        resolves[i]?.(verdict);
      }
    }
    this.#report(error);
  }

  #report(error: RedisError): void {
    if (this.#reported) return;
    this.#reported = true;
    if (this.hasListeners('error')) {
      this.emit('error', error);
      return;
    }
    const message = `RedisDedupeStore (${this.failurePolicy}): ${error.message}`;
    if (this.#logger !== undefined) this.#logger.warn(message, { code: error.code });
    else process.emitWarning(message, { code: error.code });
  }
}

function isVerdicts(reply: unknown, length: number): reply is readonly unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) return false;
  for (const value of reply as unknown[]) if (value !== 0 && value !== 1 && value !== 2) return false;
  return true;
}
