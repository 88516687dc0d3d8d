/**
 * Authentication: app and user token providers, token stores, OAuth calls and scope checks.
 *
 * @packageDocumentation
 */
export { APP_CONTEXT } from './types.js';
export type { AuthContext, AuthProvider, RefreshResults, TokenRefreshCounts } from './types.js';
export { AuthError, MissingScopesError } from './errors.js';
export type { AuthErrorCode, AuthTokenErrorCode } from './errors.js';
export { OAuthClient } from './oauth.js';
export type { OAuthClientOptions, TokenGrant, TokenValidation } from './oauth.js';
export { AppTokenProvider, StaticAuthProvider } from './app-token-provider.js';
export type { AppTokenProviderOptions, StaticAuthProviderOptions } from './app-token-provider.js';
export type { AppTokenStore, SharedAppToken } from './app-token-store.js';
export { RefreshingAuthProvider } from './refreshing-provider.js';
export type {
  AddUserInput,
  AuthEvents,
  RefreshingAuthProviderOptions,
  UserTokenInfo,
} from './refreshing-provider.js';
export { MemoryTokenStore, FileTokenStore } from './token-store.js';
export type { StoredToken, TokenStore } from './token-store.js';
export { requiredScopes, scopesMissingFor, assertScopesFor } from './scopes.js';
