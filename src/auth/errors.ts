/** Errors of the authentication layer. They never contain a token or a secret. */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';

/**
 * A token could not be obtained or used. Codes:
 * - `NO_APP_CREDENTIALS`: an app token is needed but no client secret (or app token) was configured;
 * - `UNKNOWN_USER`: no token was added for the user;
 * - `TOKEN_INVALID`: Twitch rejected the token (validate → 401) and it could not be refreshed;
 * - `TOKEN_REFRESH_FAILED`: a refresh failed for a transient reason (network, 5xx): the token is kept;
 * - `TOKEN_REVOKED`: the refresh token was rejected: the user must authorize again;
 * - `CLIENT_MISMATCH`: the token belongs to another client id.
 *
 * @example
 * ```ts
 * auth.on('tokenRevoked', (userId, error) => askToReauthorize(userId, error.message));
 * ```
 */
export class AuthError extends TwitchError {
  /** User concerned, `null` for the app token. */
  readonly userId: string | null;

  constructor(code: string, message: string, userId: string | null, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.userId = userId;
  }
}

/**
 * A token lacks scopes a request needs; raised before the request is sent.
 *
 * @example
 * ```ts
 * if (err instanceof MissingScopesError) console.log(err.missing); // [['moderator:read:followers']]
 * ```
 */
export class MissingScopesError extends TwitchError {
  /** Unsatisfied groups: each inner array lists alternatives, any one of which would do. */
  readonly missing: readonly (readonly string[])[];
  readonly userId: string | null;

  constructor(message: string, missing: readonly (readonly string[])[], userId: string | null) {
    super('MISSING_SCOPES', message);
    this.missing = missing;
    this.userId = userId;
  }
}
