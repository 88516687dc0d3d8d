/**
 * `GET /helix/users`: users by repeatable `id` and `login` parameters (at most 100 combined), or the token's own
 * user when there are none. `email` is only returned for the token's own user with `user:read:email`.
 */
import { EmuHttpError } from './types.js';
import type { EmuRouter } from './types.js';
import type { EmuUser, UserStore } from './users.js';

/** Most `id` + `login` values of one request (Twitch documents 100). */
export const MAX_USERS_PER_REQUEST = 100;

/** Registers `GET /helix/users`. */
export function registerUserRoutes(router: EmuRouter, users: UserStore): void {
  router.helix('GET', '/users', { auth: 'any' }, (req) => {
    const auth = req.auth;
    const ids = req.query.getAll('id');
    const logins = req.query.getAll('login');
    if (ids.length + logins.length > MAX_USERS_PER_REQUEST) {
      throw new EmuHttpError(
        400,
        `The combined number of id and login parameters must not exceed ${MAX_USERS_PER_REQUEST}`,
      );
    }
    const found: EmuUser[] = [];
    if (ids.length === 0 && logins.length === 0) {
      if (auth?.kind !== 'user' || auth.userId === undefined) {
        throw new EmuHttpError(400, 'Must provide an ID, Login or OAuth Token');
      }
      const self = users.byId(auth.userId);
      if (self !== undefined) found.push(self);
    } else {
      const seen = new Set<string>();
      const add = (u: EmuUser | undefined): void => {
        if (u !== undefined && !seen.has(u.id)) {
          seen.add(u.id);
          found.push(u);
        }
      };
      for (const id of ids) add(users.byId(id));
      for (const login of logins) add(users.byLogin(login));
    }
    const withEmail = auth?.kind === 'user' && auth.scopes.has('user:read:email') ? auth.userId : undefined;
    const data = found.map(({ email, ...rest }) => (rest.id === withEmail ? { ...rest, email } : rest));
    return { status: 200, body: { data } };
  });
}
