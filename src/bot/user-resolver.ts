/**
 * The default {@link UserResolver} of a bot: logins resolved through Helix Get Users, remembered in a bounded cache
 * (least recently used evicted first), with concurrent lookups of one login sharing one request.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import {
  clock as clockCheck,
  duration,
  optionsOf,
  positiveInteger,
  type OptionChecks,
} from '../core/options.js';
import { fail } from '../core/options.js';
import type { UserRef } from '../catalogue/models/common.js';
import { HelixClient } from '../helix/client.js';
import type { UserResolver } from './commands/args.js';

/** Options of {@link cachedUserResolver}. */
export interface CachedUserResolverOptions {
  /** Logins remembered at most (found or not). @defaultValue 10_000 */
  readonly maxEntries?: number;
  /** How long a found user is remembered, ms (logins can be renamed). @defaultValue 600_000 */
  readonly ttlMs?: number;
  /** How long "no such login" is remembered, ms. @defaultValue 60_000 */
  readonly missingTtlMs?: number;
  /** @defaultValue systemClock */
  readonly clock?: Clock;
}

const CHECKS: OptionChecks<CachedUserResolverOptions> = {
  maxEntries: positiveInteger,
  ttlMs: duration(),
  missingTtlMs: duration(),
  clock: clockCheck,
};

interface Entry {
  readonly user: UserRef | null;
  readonly until: number;
}

/**
 * A {@link UserResolver} over Helix Get Users with a bounded cache. A failed lookup rejects (nothing is cached), so
 * the chatter gets a bad-argument answer and the next try asks Helix again.
 *
 * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field named) on a `helix` that is not a HelixClient or
 *   an option out of range.
 * @example
 * ```ts
 * const commands = new Commands({ prefix: '!', users: cachedUserResolver(bot.helix) });
 * ```
 */
export function cachedUserResolver(helix: HelixClient, options?: CachedUserResolverOptions): UserResolver {
  if (!((helix as unknown) instanceof HelixClient)) fail('helix', 'a HelixClient', helix);
  const o = optionsOf(options, CHECKS);
  const max = o.maxEntries ?? 10_000;
  const ttl = o.ttlMs ?? 600_000;
  const missingTtl = o.missingTtlMs ?? 60_000;
  const clock = o.clock ?? systemClock;
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  const cache = new Map<string, Entry>();
  const pending = new Map<string, Promise<UserRef | null>>();

  const remember = (login: string, user: UserRef | null): void => {
    cache.delete(login);
    cache.set(login, { user, until: clock.now() + (user === null ? missingTtl : ttl) });
    if (cache.size > max) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
  };

  return {
    resolveLogin(login: string): Promise<UserRef | null> {
      if (typeof login !== 'string' || login === '') {
        return Promise.reject(new InvalidArgumentError('login must be a non-empty string', 'login'));
      }
      const key = login.toLowerCase();
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (hit.until > clock.now()) {
          cache.delete(key);
          cache.set(key, hit);
          return Promise.resolve(hit.user);
        }
        cache.delete(key);
      }
      let lookup = pending.get(key);
      if (lookup === undefined) {
        lookup = helix.users
          .getUsers({ logins: [key] })
          .then((users) => {
            const found = users.find((u) => u.login === key);
            const user: UserRef | null =
              found === undefined
                ? null
                : { id: found.id, login: found.login, displayName: found.displayName };
            remember(key, user);
            return user;
          })
          .finally(() => pending.delete(key));
        pending.set(key, lookup);
      }
      return lookup;
    },
  };
}
