/** Errors of the authentication layer. They never contain a token or a secret. */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';
import { HTTPError } from '../core/http-errors.js';

/**
 * A token could not be obtained or used. Codes:
 * - `NO_APP_CREDENTIALS`: an app token is needed but no client secret (or app token) was configured;
 * - `UNKNOWN_USER`: no token was added for the user;
 * - `TOKEN_INVALID`: Twitch rejected the token (validate → 401) and it could not be refreshed;
 * - `TOKEN_REFRESH_FAILED`: a refresh failed for a transient reason (network, 5xx): the token is kept;
 * - `TOKEN_REVOKED`: the refresh token was rejected: the user must authorize again;
 * - `CLIENT_MISMATCH`: the token belongs to another client id.
 *
 * An error that wraps a failed OAuth call (`APP_TOKEN_FAILED`, `TOKEN_REFRESH_FAILED`, `TOKEN_REVOKED`) says why in
 * its message (see `failureReason`) and keeps the failure as `cause`.
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

/**
 * One line saying why an OAuth call failed, for the message of the {@link AuthError} that wraps it: for an
 * `HTTPError`, its code, status and Twitch's message with the request (`FORBIDDEN (403): invalid client secret
 * (POST https://id.twitch.tv/oauth2/token)`); for anything else, its message (a `NetworkError` names the URL and the
 * system code: `POST http://127.0.0.1:1234/oauth2/token failed: connect ECONNREFUSED 127.0.0.1:1234`). Never holds a
 * secret: the errors it reads are redacted when built.
 *
 * @example
 * ```ts
 * new AuthError('APP_TOKEN_FAILED', `could not get an app access token: ${failureReason(error)}`, null, { cause: error });
 * ```
 */
export function failureReason(error: unknown): string {
  if (error instanceof HTTPError) {
    const detail = error.twitchMessage === '' ? error.error : error.twitchMessage;
    return `${error.code} (${error.status}): ${detail} (${error.request.method} ${error.request.url})`;
  }
  return error instanceof Error ? error.message : String(error);
}
