/**
 * The OAuth server under `/oauth2`, with id.twitch.tv's bodies and errors (reference §5.4):
 * `token` (client_credentials, authorization_code, refresh_token), `authorize` (code and token flows),
 * `validate` and `revoke`. Parameters are read from the form body, a JSON body or the query string.
 *
 * Undocumented choices (reference §5.4 gives no wording): missing parameters answer 400 `missing <name>`,
 * an unknown grant type 400 `unsupported grant type`, a bad code 400 `Invalid authorization code`.
 */
import { oauthError } from './errors.js';
import type { Router } from './router.js';
import { parseScopeParam } from './tokens.js';
import type { TokenStore, UserTokenResult } from './tokens.js';
import type { EmuRequest, EmuResponse } from './types.js';
import type { UserStore } from './users.js';

/** Dependencies of the OAuth routes. */
export interface OAuthDeps {
  readonly tokens: TokenStore;
  readonly users: UserStore;
}

/** A request parameter: form body first, then a JSON body's string field, then the query string. */
export function param(req: EmuRequest, name: string): string | undefined {
  const fromForm = req.form?.get(name);
  if (fromForm !== null && fromForm !== undefined) return fromForm;
  if (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)) {
    const value = (req.body as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
  }
  return req.query.get(name) ?? undefined;
}

function userTokenBody(r: UserTokenResult): Record<string, unknown> {
  return {
    access_token: r.accessToken,
    expires_in: r.expiresIn,
    refresh_token: r.refreshToken,
    scope: r.scopes,
    token_type: 'bearer',
  };
}

/** Extracts the token of `Authorization: OAuth <t>` or `Authorization: Bearer <t>`. */
function authorizationToken(req: EmuRequest): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^(?:OAuth|Bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Registers `/oauth2/*` routes on `router`. */
export function registerOAuthRoutes(router: Router, deps: OAuthDeps): void {
  const { tokens, users } = deps;

  /** Checks client id + secret; returns an error response or `undefined` when they are good. */
  function checkClient(req: EmuRequest): { clientId: string } | EmuResponse {
    const clientId = param(req, 'client_id');
    if (clientId === undefined || clientId === '') return oauthError(400, 'missing client id');
    const client = tokens.client(clientId);
    if (client === undefined) return oauthError(400, 'invalid client');
    const secret = param(req, 'client_secret');
    if (secret === undefined || secret === '') return oauthError(400, 'missing client secret');
    if (secret !== client.clientSecret) return oauthError(403, 'invalid client secret');
    return { clientId };
  }

  router.oauth('POST', '/token', (req) => {
    const grantType = param(req, 'grant_type');
    if (grantType === undefined || grantType === '') return oauthError(400, 'missing grant_type');
    if (
      grantType !== 'client_credentials' &&
      grantType !== 'authorization_code' &&
      grantType !== 'refresh_token'
    ) {
      return oauthError(400, 'unsupported grant type');
    }
    const checked = checkClient(req);
    if ('status' in checked) return checked;
    const { clientId } = checked;

    if (grantType === 'client_credentials') {
      const app = tokens.mintApp(clientId);
      return {
        status: 200,
        body: { access_token: app.accessToken, expires_in: app.expiresIn, token_type: 'bearer' },
      };
    }
    if (grantType === 'refresh_token') {
      const refreshToken = param(req, 'refresh_token');
      const result = refreshToken === undefined ? undefined : tokens.refresh(refreshToken, clientId);
      if (result === undefined) {
        return { status: 400, body: { error: 'Bad Request', status: 400, message: 'Invalid refresh token' } };
      }
      return { status: 200, body: userTokenBody(result) };
    }
    const code = param(req, 'code');
    if (code === undefined || code === '') return oauthError(400, 'missing code');
    const redirectUri = param(req, 'redirect_uri');
    if (redirectUri === undefined || redirectUri === '') return oauthError(400, 'missing redirect_uri');
    const result = tokens.exchangeCode(code, clientId, redirectUri);
    if (result === 'invalid') return oauthError(400, 'Invalid authorization code');
    if (result === 'redirect_mismatch') {
      return oauthError(400, 'Parameter redirect_uri does not match registered URI');
    }
    return { status: 200, body: userTokenBody(result) };
  });

  // Browser step of the authorization code and implicit flows. There is no login page: the user is the one named by
  // the emulator extension `user_id` (created on demand) or `login` (must exist), else the first seeded user.
  router.oauth('GET', '/authorize', (req) => {
    const clientId = req.query.get('client_id');
    if (clientId === null || clientId === '') return oauthError(400, 'missing client id');
    if (tokens.client(clientId) === undefined) return oauthError(400, 'invalid client');
    const redirectUri = req.query.get('redirect_uri');
    const target = redirectUri === null ? undefined : httpUrl(redirectUri);
    if (redirectUri === null || target === undefined) {
      return oauthError(400, 'Parameter redirect_uri does not match registered URI');
    }
    const responseType = req.query.get('response_type');
    if (responseType !== 'code' && responseType !== 'token') return oauthError(400, 'invalid response type');
    const scopes = parseScopeParam(req.query.get('scope'));
    const userId = req.query.get('user_id');
    const login = req.query.get('login');
    let user = users.defaultUser;
    if (userId !== null) user = users.ensure(userId);
    else if (login !== null) {
      const found = users.byLogin(login);
      if (found === undefined) return oauthError(400, 'unknown login');
      user = found;
    }
    const state = req.query.get('state');
    if (responseType === 'code') {
      const code = tokens.createCode({ clientId, user, scopes, redirectUri });
      target.searchParams.set('code', code);
      target.searchParams.set('scope', scopes.join(' '));
      if (state !== null) target.searchParams.set('state', state);
    } else {
      const minted = tokens.mintUser({ clientId, userId: user.id, scopes });
      const fragment = new URLSearchParams({
        access_token: minted.accessToken,
        scope: scopes.join(' '),
        token_type: 'bearer',
      });
      if (state !== null) fragment.set('state', state);
      target.hash = fragment.toString();
    }
    return { status: 302, headers: { Location: target.href } };
  });

  router.oauth('GET', '/validate', (req) => {
    const token = authorizationToken(req);
    if (token === undefined) return oauthError(401, 'missing authorization token');
    const record = tokens.lookup(token);
    if (record === undefined) return oauthError(401, 'invalid access token');
    const { auth } = record;
    const body: Record<string, unknown> = { client_id: auth.clientId };
    if (auth.kind === 'user') {
      body.login = auth.login;
      body.user_id = auth.userId;
    }
    body.scopes = [...record.scopeList];
    body.expires_in = tokens.expiresIn(record);
    return { status: 200, body };
  });

  router.oauth('POST', '/revoke', (req) => {
    const clientId = param(req, 'client_id');
    if (clientId === undefined || clientId === '') return oauthError(400, 'missing client id');
    if (tokens.client(clientId) === undefined) return oauthError(404, 'client does not exist');
    const token = param(req, 'token');
    if (token === undefined || token === '') return oauthError(400, 'missing token');
    if (!tokens.revoke(clientId, token)) return oauthError(400, 'Invalid token');
    return { status: 200 };
  });
}

/** An absolute http(s) URL, or `undefined`. */
function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
