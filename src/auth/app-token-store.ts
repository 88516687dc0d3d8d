/**
 * Where an {@link AppTokenProvider} keeps the app token when several processes share one client id, so that one of
 * them mints it and the others read it (the fleet's `RedisAppTokenStore`). Without one, each provider mints its own.
 */
import { withMethods, type Check } from '../core/options.js';

/** An app token as a store holds it. */
export interface SharedAppToken {
  readonly accessToken: string;
  /** Milliseconds it stays valid from now, or `null` when Twitch gave no expiry. */
  readonly expiresInMs: number | null;
}

/**
 * A shared place for the app token of one client id, with a lock so that one process mints while the others wait
 * and read. Every method may reject (the store unreachable): the provider then mints on its own and says so.
 *
 * The token is a secret: a store must not put it in key names, logs or errors, and whoever can read the store can
 * use it (see docs/scale-out.md for Redis's ACL).
 *
 * @example
 * ```ts
 * import { RedisAppTokenStore, connectRedis } from 'twitch-realtime/fleet';
 * const store = new RedisAppTokenStore({ redis: await connectRedis(url), clientId });
 * const auth = new AppTokenProvider({ clientId, clientSecret, store });
 * ```
 */
export interface AppTokenStore {
  /** The token the fleet shares, or `null` when there is none (or it expired). */
  load(): Promise<SharedAppToken | null>;
  /**
   * Tries to take the right to mint, for at most `ttlMs` (then it lapses, should this process die). Resolves `true`
   * when this store instance holds it.
   */
  lock(ttlMs: number): Promise<boolean>;
  /** Saves a freshly minted token, and releases the lock if this instance still holds it. */
  save(token: SharedAppToken): Promise<void>;
  /** Releases the lock without saving (minting failed), if this instance still holds it. */
  unlock(): Promise<void>;
}

/** The check of a `store` option (core/options.ts). */
export const appTokenStore: Check = withMethods(
  ['load', 'lock', 'save', 'unlock'],
  'an AppTokenStore (load, lock, save and unlock methods)',
);
