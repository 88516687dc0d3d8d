/**
 * The contract between the Helix client and whatever supplies its tokens.
 */
import { isRecord } from '../core/guards.js';
import { fail, nonEmptyString, type Check } from '../core/options.js';

/** Which token a request uses: the app token, or the token of one user. */
export type AuthContext = { readonly kind: 'app' } | { readonly kind: 'user'; readonly userId: string };

/** The app-token context (shared constant). */
export const APP_CONTEXT: AuthContext = Object.freeze({ kind: 'app' });

/**
 * Supplies access tokens to the Helix client. Implemented by {@link AppTokenProvider} (app token only),
 * {@link RefreshingAuthProvider} (app + refreshable user tokens) and {@link StaticAuthProvider} (fixed tokens).
 *
 * @example
 * ```ts
 * const auth = new RefreshingAuthProvider({ clientId, clientSecret });
 * await auth.addUser({ accessToken, refreshToken });
 * const helix = new HelixClient({ clientId, auth });
 * ```
 */
export interface AuthProvider {
  /** The client id every token belongs to. */
  readonly clientId: string;
  /** A valid access token for `context`, acquired or refreshed when needed. */
  getAccessToken(context: AuthContext, signal?: AbortSignal): Promise<string>;
  /**
   * Called after Helix rejected `rejected` with 401. Returns a different, fresh token (concurrent callers share one
   * refresh), or `null` when the token cannot be renewed (the 401 is then surfaced).
   */
  renewAfterUnauthorized(
    context: AuthContext,
    rejected: string,
    signal?: AbortSignal,
  ): Promise<string | null>;
  /** Scopes of the token for `context`, when known (used for pre-flight scope checks). */
  getScopes?(context: AuthContext): readonly string[] | undefined;
  /**
   * Tokens obtained or refreshed so far, by kind and result: the Helix client's metrics read it at each snapshot
   * (`twitch_realtime_token_refreshes_total`). Optional for custom providers.
   */
  readonly tokenRefreshes?: TokenRefreshCounts;
}

/** Token refreshes of one kind (`OAuthClient.tokenRefreshes`). */
export interface RefreshResults {
  /** Tokens obtained. */
  readonly ok: number;
  /** Attempts that failed (after the OAuth client's retries); an abort by `close()` is not counted. */
  readonly failed: number;
}

/**
 * Token refreshes counted by an {@link OAuthClient}, the one place tokens are obtained: `app` (client credentials)
 * and `user` (refresh grant).
 */
export interface TokenRefreshCounts {
  readonly app: RefreshResults;
  readonly user: RefreshResults;
}

/** Bucket/log key of a context: `app` or `user:<id>`. Never contains a token. */
export function contextKey(context: AuthContext): string {
  return context.kind === 'app' ? 'app' : `user:${context.userId}`;
}

/**
 * The check of an `auth` option (core/options.ts): an {@link AuthProvider}, i.e. a `clientId` string and the
 * `getAccessToken` and `renewAfterUnauthorized` methods.
 */
export const authProvider: Check = (value, field) => {
  const candidate = value as Partial<Record<keyof AuthProvider, unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.clientId !== 'string' ||
    typeof candidate.getAccessToken !== 'function' ||
    typeof candidate.renewAfterUnauthorized !== 'function'
  ) {
    fail(field, 'an AuthProvider (clientId, getAccessToken, renewAfterUnauthorized)', value);
  }
};

/**
 * Checks an {@link AuthContext} given to a provider (`{ kind: 'app' }` or `{ kind: 'user', userId }`): anything else
 * is an `INVALID_ARGUMENT` naming `field`. Called once per Helix request, never per message.
 */
export function checkAuthContext(value: unknown, field = 'context'): asserts value is AuthContext {
  if (!isRecord(value) || (value.kind !== 'app' && value.kind !== 'user')) {
    fail(field, "an auth context ({ kind: 'app' } or { kind: 'user', userId })", value);
  }
  if (value.kind === 'user') nonEmptyString(value.userId, `${field}.userId`);
}
