import { InvalidArgumentError } from '../../core/errors.js';
import { arrayOf, fail, nonEmptyString, type OptionChecks } from '../../core/options.js';
import { callEndpoint, callOptions, ENDPOINTS, type CallOptions } from '../endpoint.js';
import { HelixHttp } from '../http.js';
import { toUser, type HelixUser } from '../models.js';

/** Most ids + logins of one Get Users request. */
export const USERS_PER_REQUEST = 100;

/** Input of {@link UsersApi.getUsers}. */
export interface GetUsersInput {
  readonly ids?: readonly string[];
  readonly logins?: readonly string[];
}

const GET_USERS_CHECKS: OptionChecks<GetUsersInput> = {
  ids: arrayOf(nonEmptyString, 'an array of user ids'),
  logins: arrayOf(nonEmptyString, 'an array of logins'),
};

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

  /** @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `http`) when `http` is not a `HelixHttp`. */
  constructor(http: HelixHttp) {
    if (!((http as unknown) instanceof HelixHttp)) fail('http', 'a HelixHttp (helix.http)', http);
    this.#http = http;
  }

  /**
   * Get Users by ids and/or logins, any number: they are batched 100 per request, ids and logins together (sent
   * concurrently, within the rate limit). With neither, returns the user of the token (`auth: { userId }`).
   * Unknown ids/logins are omitted; the order of the result is not guaranteed.
   */
  async getUsers(input: GetUsersInput = {}, options?: CallOptions): Promise<HelixUser[]> {
    callOptions(input, GET_USERS_CHECKS, 'input');
    options = callOptions(options);
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
  async getUserById(id: string, options?: CallOptions): Promise<HelixUser | null> {
    nonEmptyString(id, 'id');
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
