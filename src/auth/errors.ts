/** Errors of the authentication layer. They never contain a token or a secret. */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';
import { HTTPError } from '../core/http-errors.js';

/**
 * Codes of the authentication layer: those of {@link AuthError} (a token could not be obtained or used), and the
 * argument, scope and token-file checks of the providers, the OAuth client and the token stores.
 */
export type AuthErrorCode =
  /**
   * A request needs the app token but none can be had: `StaticAuthProvider` without `appToken`,
   * `RefreshingAuthProvider` without `clientSecret`.
   *
   * What to do: **Fix setup:** pass `clientSecret` (or an app token).
   */
  | 'NO_APP_CREDENTIALS'
  /**
   * A request names a user (`auth: { userId }`) whose token was never added, or a user token is asked of
   * `AppTokenProvider`.
   *
   * What to do: **Fix setup:** `auth.addUser(...)` first, or use the app token.
   */
  | 'UNKNOWN_USER'
  /**
   * Twitch rejects the token (validate answers 401) and there is no refresh token; or `addUser` got an app token (it
   * carries no user).
   *
   * What to do: **Fix setup:** the user must authorize again (or give a refresh token).
   */
  | 'TOKEN_INVALID'
  /**
   * A refresh failed for a transient reason (network, timeout, 5xx, 429: anything but a 400/401). The token is kept
   * and the refresh is tried again on the next request. `cause` has the failure.
   *
   * What to do: **Retry.**
   */
  | 'TOKEN_REFRESH_FAILED'
  /**
   * The refresh token was rejected (`/oauth2/token` answered 400 or 401): the user disconnected the app or changed
   * their password.
   *
   * What to do: **Fix setup:** the user must authorize again, then `addUser`.
   */
  | 'TOKEN_REVOKED'
  /**
   * `addUser` got a token issued to another client id.
   *
   * What to do: **Fix input:** use a token of this application.
   */
  | 'CLIENT_MISMATCH'
  /**
   * The client-credentials grant failed. The message names the reason (`FORBIDDEN (403): invalid client secret (POST
   * <url>)`, `POST <url> failed: connect ECONNREFUSED ...`); `cause` is the `HTTPError` (`BAD_REQUEST`/`FORBIDDEN`
   * for a wrong secret), `NetworkError` or `TimeoutError`.
   *
   * What to do: Look at `cause`: **fix setup** for a 4xx, **retry** otherwise.
   */
  | 'APP_TOKEN_FAILED'
  /**
   * `OAuthClient.clientCredentials`, `exchangeCode` or `refresh` without a client secret. `field` is `clientSecret`.
   *
   * What to do: **Fix setup:** configure the secret.
   */
  | 'NO_CLIENT_SECRET'
  /**
   * Before sending, a subscription's required scopes are missing from a token whose scopes are known. `missing` lists
   * the unsatisfied groups (any scope of a group would do).
   *
   * What to do: **Fix setup:** have the user authorize the scopes. Nothing was sent.
   */
  | 'MISSING_SCOPES'
  /**
   * `FileTokenStore` read a file that is not JSON or has no `tokens` array (a missing file is fine: it starts empty).
   * `cause` has the JSON error.
   *
   * What to do: **Fix setup:** repair or delete the file.
   */
  | 'BAD_TOKEN_FILE';

/** Codes of {@link AuthError}: those of {@link AuthErrorCode} that another class does not carry. */
export type AuthTokenErrorCode = Exclude<
  AuthErrorCode,
  'NO_CLIENT_SECRET' | 'MISSING_SCOPES' | 'BAD_TOKEN_FILE'
>;

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
  declare readonly code: AuthTokenErrorCode;
  /** User concerned, `null` for the app token. */
  readonly userId: string | null;

  constructor(
    code: AuthTokenErrorCode,
    message: string,
    userId: string | null,
    options?: TwitchErrorOptions,
  ) {
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
  declare readonly code: 'MISSING_SCOPES';
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

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    auth: AuthErrorCode;
  }
}
