/**
 * The app token of a fleet, kept in Redis so that one process mints it and the others read it (an
 * {@link AppTokenStore} for `AppTokenProvider`'s `store` option).
 *
 * Two keys per client id: `<keyPrefix>{<clientId>}:app-token` holds the token itself, with Redis's own expiry set to
 * the token's (read back with `PTTL`, so no host's clock matters), and `<keyPrefix>{<clientId>}:app-token-lock` is the
 * minting lock (`SET NX PX`, holding a random id of the holder; released only by its holder). Key names carry the
 * client id, never the token. **Redis then holds a secret**: restrict who may read `<keyPrefix>{<clientId>}:app-token` with
 * Redis's ACL (docs/scale-out.md).
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { systemClock, type Clock } from '../core/clock.js';
import {
  checkOptions,
  clock,
  duration,
  nonEmptyString,
  numberIn,
  required,
  secretString,
  string,
  type OptionChecks,
} from '../core/options.js';
import type { AppTokenStore, SharedAppToken } from '../auth/app-token-store.js';
import { badReply, callRedis, REDIS_CONNECTION, RedisScript, type RedisConnection } from './redis.js';

/** Options of {@link RedisAppTokenStore}. */
export interface RedisAppTokenStoreOptions {
  /** The connection (a node-redis client as it is, or `connectRedis()`'s). Not closed by the store. */
  readonly redis: RedisConnection;
  /** The client id whose app token is shared (part of the key names). */
  readonly clientId: string;
  /**
   * Prefix of both keys, `<keyPrefix>{<clientId>}:app-token` and `...:app-token-lock` (the hash tag keeps them on one
   * slot of a Redis Cluster: the save script touches both). @defaultValue `'tr:'`
   */
  readonly keyPrefix?: string;
  /** Longest wait for one Redis reply, milliseconds (then `REDIS_TIMEOUT`). @defaultValue 2000 */
  readonly timeoutMs?: number;
  /** Clock of the timeouts. */
  readonly clock?: Clock | undefined;
}

const CHECKS: OptionChecks<RedisAppTokenStoreOptions> = {
  redis: required(REDIS_CONNECTION),
  clientId: required(nonEmptyString),
  keyPrefix: string,
  timeoutMs: duration(),
  clock,
};

const TOKEN_CHECKS: OptionChecks<SharedAppToken> = {
  accessToken: required(secretString),
  expiresInMs: required((value, field) => {
    if (value !== null)
      numberIn(0, Number.MAX_SAFE_INTEGER, 'null or a number of milliseconds >= 0')(value, field);
  }),
};

/** The token and its remaining life in ms (-1: no expiry), or nil. */
const LOAD = new RedisScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}
`);

/** Saves ARGV[1] (expiring in ARGV[2] ms, '' = never) and releases the lock held by ARGV[3]. */
const SAVE = new RedisScript(`
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
`);

/** Releases the lock if ARGV[1] holds it. */
const UNLOCK = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * The fleet's app token in Redis. Give one (same Redis, same client id, one instance per process) to the
 * `AppTokenProvider` of every process: the first to need a token mints it under the lock, the others read it; after a
 * 401, the first process to take the lock mints a new one and the others read that.
 *
 * Errors are `RedisError`s naming the command, never its arguments or replies (which hold the token).
 *
 * @example
 * ```ts
 * import { connectRedis, RedisAppTokenStore } from 'twitch-realtime/fleet';
 * const redis = await connectRedis(process.env.REDIS_URL!);
 * const auth = new AppTokenProvider({ clientId, clientSecret, store: new RedisAppTokenStore({ redis, clientId }) });
 * const client = new AutoClient({ clientId, auth });
 * ```
 */
export class RedisAppTokenStore implements AppTokenStore {
  /** Key of the token (for an operator's ACL). */
  readonly tokenKey: string;
  /** Key of the minting lock. */
  readonly lockKey: string;
  readonly #redis: RedisConnection;
  readonly #call: { timeoutMs: number; clock: Clock };
  /** The id this instance holds the lock with (a new one per lock). */
  #owner = '';

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): no `redis` connection, an
   *   empty `clientId`, a `keyPrefix` that is not a string, a `timeoutMs` outside 1..2^31-1, a `clock` of the wrong
   *   shape.
   */
  constructor(options: RedisAppTokenStoreOptions) {
    checkOptions(options, CHECKS);
    const base = `${options.keyPrefix ?? 'tr:'}{${options.clientId}}:`;
    this.tokenKey = `${base}app-token`;
    this.lockKey = `${base}app-token-lock`;
    this.#redis = options.redis;
    this.#call = { timeoutMs: options.timeoutMs ?? 2_000, clock: options.clock ?? systemClock };
  }

  async load(): Promise<SharedAppToken | null> {
    const reply = await LOAD.run(this.#redis, [this.tokenKey], [], this.#call);
    if (reply === null) return null;
    if (
      !Array.isArray(reply) ||
      reply.length !== 2 ||
      typeof reply[0] !== 'string' ||
      reply[0] === '' ||
      typeof reply[1] !== 'number'
    ) {
      throw badReply('EVALSHA', 'a token and its PTTL (app token load)');
    }
    const ttl: number = reply[1];
    // -1: no expiry. (-2, gone in between, cannot happen inside the script.)
    return { accessToken: reply[0], expiresInMs: ttl < 0 ? null : ttl };
  }

  /** {@inheritDoc AppTokenStore.lock} @throws (rejects) {@link InvalidArgumentError} for a `ttlMs` outside 1..2^31-1. */
  async lock(ttlMs: number): Promise<boolean> {
    duration()(ttlMs, 'ttlMs');
    const owner = randomUUID();
    const reply = await callRedis(
      this.#redis,
      ['SET', this.lockKey, owner, 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))],
      this.#call,
    );
    if (reply === 'OK') {
      this.#owner = owner;
      return true;
    }
    if (reply !== null) throw badReply('SET', "'OK' or nil");
    return false;
  }

  /**
   * {@inheritDoc AppTokenStore.save}
   * @throws (rejects) {@link InvalidArgumentError} for a token that is not `{ accessToken, expiresInMs }` (the token
   *   never quoted).
   */
  async save(token: SharedAppToken): Promise<void> {
    checkOptions(token, TOKEN_CHECKS, 'token', 'token.');
    const px = token.expiresInMs === null ? '' : String(Math.max(1, Math.floor(token.expiresInMs)));
    await SAVE.run(
      this.#redis,
      [this.tokenKey, this.lockKey],
      [token.accessToken, px, this.#owner],
      this.#call,
    );
    this.#owner = '';
  }

  async unlock(): Promise<void> {
    if (this.#owner === '') return;
    const owner = this.#owner;
    this.#owner = '';
    await UNLOCK.run(this.#redis, [this.lockKey], [owner], this.#call);
  }

  [inspect.custom](): string {
    return `RedisAppTokenStore { key: '${this.tokenKey}' }`;
  }

  toJSON(): Record<string, unknown> {
    return { tokenKey: this.tokenKey, lockKey: this.lockKey };
  }
}
