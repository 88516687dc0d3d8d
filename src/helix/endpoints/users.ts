import { InvalidArgumentError } from '../../core/errors.js';
import { callEndpoint, ENDPOINTS, type CallOptions } from '../endpoint.js';
import type { HelixHttp } from '../http.js';
import { toUser, type HelixUser } from '../models.js';

/** Most ids + logins of one Get Users request. */
export const USERS_PER_REQUEST = 100;

/**
 * User endpoints.
 *
 * @example
 * ```ts
 * const users = await helix.users.getUsers({ logins: ['twitchdev'], ids: ['141981764'] });
 * ```
 */
export class UsersApi {
  readonly #http: HelixHttp;

  constructor(http: HelixHttp) {
    this.#http = http;
  }

  /**
   * Get Users by ids and/or logins, any number: they are batched 100 per request, ids and logins together (sent
   * concurrently, within the rate limit). With neither, returns the user of the token (`auth: { userId }`).
   * Unknown ids/logins are omitted; the order of the result is not guaranteed.
   */
  async getUsers(
    input: { ids?: readonly string[]; logins?: readonly string[] } = {},
    options: CallOptions = {},
  ): Promise<HelixUser[]> {
    const ids = [...new Set(input.ids ?? [])];
    const logins = [...new Set((input.logins ?? []).map((l) => l.toLowerCase()))];
    if (ids.length === 0 && logins.length === 0) {
      if (options.auth?.userId === undefined) {
        throw new InvalidArgumentError('pass ids or logins, or a user token (auth: { userId })', 'ids');
      }
      return this.#batch([], [], options);
    }
    // Twitch takes up to 100 ids and logins combined per request: ids fill the batches first, logins the rest.
    const batches: Promise<HelixUser[]>[] = [];
    const total = ids.length + logins.length;
    for (let start = 0; start < total; start += USERS_PER_REQUEST) {
      const end = Math.min(start + USERS_PER_REQUEST, total);
      batches.push(
        this.#batch(
          ids.slice(Math.min(start, ids.length), Math.min(end, ids.length)),
          logins.slice(Math.max(0, start - ids.length), Math.max(0, end - ids.length)),
          options,
        ),
      );
    }
    const seen = new Set<string>();
    const users: HelixUser[] = [];
    for (const batch of await Promise.all(batches)) {
      for (const user of batch) {
        if (!seen.has(user.id)) {
          seen.add(user.id);
          users.push(user);
        }
      }
    }
    return users;
  }

  /** Get Users for one user id; `null` when it does not exist. */
  async getUserById(id: string, options: CallOptions = {}): Promise<HelixUser | null> {
    const [user] = await this.getUsers({ ids: [id] }, options);
    return user ?? null;
  }

  async #batch(ids: string[], logins: string[], options: CallOptions): Promise<HelixUser[]> {
    const { body } = await callEndpoint(this.#http, ENDPOINTS.getUsers, {
      ...options,
      query: { id: ids, login: logins },
    });
    return body.map(toUser);
  }
}
