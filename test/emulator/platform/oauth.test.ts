import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform } from '../../../src/emulator/http/server.js';
import type { Platform } from '../../../src/emulator/http/types.js';

const json = (res: Response): Promise<any> => res.json() as Promise<any>;

let clock = 1_700_000_000_000;
let p: Platform;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  p = await createPlatform({ now: () => clock, userTokenTtlSeconds: 100, appTokenTtlSeconds: 1000 });
});
afterEach(async () => {
  await p.close();
});

function form(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${p.baseUrl}/oauth2/${path}`, { method: 'POST', body: new URLSearchParams(fields) });
}

function validate(token: string, scheme = 'OAuth'): Promise<Response> {
  return fetch(`${p.baseUrl}/oauth2/validate`, { headers: { Authorization: `${scheme} ${token}` } });
}

async function authorizeCode(query: Record<string, string>): Promise<URL> {
  const res = await fetch(`${p.baseUrl}/oauth2/authorize?${new URLSearchParams(query).toString()}`, {
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('client_credentials', () => {
  it('issues an app token (form body) that validate describes', async () => {
    const res = await form('token', {
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'client_credentials',
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[a-z0-9]{30}$/),
      expires_in: 1000,
      token_type: 'bearer',
    });
    const v = await validate(body.access_token);
    expect(v.status).toBe(200);
    expect(await json(v)).toEqual({ client_id: p.clientId, scopes: [], expires_in: 1000 });
  });

  it('accepts query-string and JSON parameters too', async () => {
    const q = new URLSearchParams({
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'client_credentials',
    });
    const viaQuery = await fetch(`${p.baseUrl}/oauth2/token?${q.toString()}`, { method: 'POST' });
    expect(viaQuery.status).toBe(200);
    const viaJson = await fetch(`${p.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_id: p.clientId,
        client_secret: p.clientSecret,
        grant_type: 'client_credentials',
      }),
    });
    expect(viaJson.status).toBe(200);
  });

  it('answers Twitch errors for bad clients, secrets and grant types', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ client_id: 'nope', client_secret: 'x', grant_type: 'client_credentials' }, 400, 'invalid client'],
      [
        { client_id: p.clientId, client_secret: 'wrong', grant_type: 'client_credentials' },
        403,
        'invalid client secret',
      ],
      [{ client_id: p.clientId, client_secret: p.clientSecret }, 400, 'missing grant_type'],
      [
        { client_id: p.clientId, client_secret: p.clientSecret, grant_type: 'password' },
        400,
        'unsupported grant type',
      ],
      [{ client_secret: p.clientSecret, grant_type: 'client_credentials' }, 400, 'missing client id'],
    ];
    for (const [fields, status, message] of cases) {
      const res = await form('token', fields);
      expect(res.status).toBe(status);
      expect(await json(res)).toEqual({ status, message });
    }
  });
});

describe('authorization_code', () => {
  it('redirects with code and state, then exchanges the code once', async () => {
    const location = await authorizeCode({
      response_type: 'code',
      client_id: p.clientId,
      redirect_uri: 'http://localhost:3000/cb',
      scope: 'user:read:email chat:read',
      state: 'xyz',
      user_id: '777',
    });
    expect(location.origin + location.pathname).toBe('http://localhost:3000/cb');
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[a-z0-9]{30}$/);

    const exchange = (): Promise<Response> =>
      form('token', {
        client_id: p.clientId,
        client_secret: p.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:3000/cb',
      });
    const res = await exchange();
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      expires_in: 100,
      scope: ['user:read:email', 'chat:read'],
      token_type: 'bearer',
    });
    expect(body.refresh_token).toMatch(/^[a-z0-9]{50}$/);
    const v = await json(await validate(body.access_token, 'Bearer'));
    expect(v).toEqual({
      client_id: p.clientId,
      login: 'user777',
      user_id: '777',
      scopes: ['user:read:email', 'chat:read'],
      expires_in: 100,
    });
    expect(p.auth.userExists('777')).toBe(true);

    const again = await exchange();
    expect(again.status).toBe(400);
    expect(await json(again)).toEqual({ status: 400, message: 'Invalid authorization code' });
  });

  it('uses the first seeded user by default and rejects a different redirect_uri', async () => {
    const location = await authorizeCode({
      response_type: 'code',
      client_id: p.clientId,
      redirect_uri: 'http://localhost/cb',
    });
    const res = await form('token', {
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      redirect_uri: 'http://localhost/other',
    });
    expect(res.status).toBe(400);
    const seeded = p.describe().users[0]!;
    const second = await authorizeCode({
      response_type: 'code',
      client_id: p.clientId,
      redirect_uri: 'http://localhost/cb',
    });
    const ok = await form('token', {
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'authorization_code',
      code: second.searchParams.get('code')!,
      redirect_uri: 'http://localhost/cb',
    });
    const v = await json(await validate((await json(ok)).access_token));
    expect(v.user_id).toBe(seeded.id);
  });

  it('expires codes after 10 minutes', async () => {
    const location = await authorizeCode({
      response_type: 'code',
      client_id: p.clientId,
      redirect_uri: 'http://localhost/cb',
    });
    clock += 600_001;
    const res = await form('token', {
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      redirect_uri: 'http://localhost/cb',
    });
    expect(res.status).toBe(400);
  });

  it('supports the implicit flow (token in the fragment)', async () => {
    const location = await authorizeCode({
      response_type: 'token',
      client_id: p.clientId,
      redirect_uri: 'https://app.example/cb',
      scope: 'chat:read',
      state: 's1',
    });
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('state')).toBe('s1');
    expect(fragment.get('token_type')).toBe('bearer');
    expect((await validate(fragment.get('access_token')!)).status).toBe(200);
  });

  it('rejects unknown clients, bad redirect URIs and response types', async () => {
    const bad = [
      { response_type: 'code', client_id: 'unknown', redirect_uri: 'http://localhost/cb' },
      { response_type: 'code', client_id: p.clientId, redirect_uri: 'javascript:alert(1)' },
      { response_type: 'code', client_id: p.clientId },
      { response_type: 'nope', client_id: p.clientId, redirect_uri: 'http://localhost/cb' },
      { response_type: 'code', client_id: p.clientId, redirect_uri: 'http://localhost/cb', user_id: 'abc' },
    ];
    for (const query of bad) {
      const res = await fetch(`${p.baseUrl}/oauth2/authorize?${new URLSearchParams(query).toString()}`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(400);
      expect((await json(res)).status).toBe(400);
    }
  });
});

describe('refresh_token', () => {
  it('rotates the refresh token and invalidates the old one', async () => {
    const minted = p.mintUserToken({ userId: '42', scopes: ['chat:read'] });
    const refresh = (token: string): Promise<Response> =>
      form('token', {
        client_id: p.clientId,
        client_secret: p.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: token,
      });
    const res = await refresh(minted.refreshToken);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ scope: ['chat:read'], token_type: 'bearer', expires_in: 100 });
    expect(body.refresh_token).not.toBe(minted.refreshToken);
    expect(body.access_token).not.toBe(minted.accessToken);
    expect((await validate(body.access_token)).status).toBe(200);

    const old = await refresh(minted.refreshToken);
    expect(old.status).toBe(400);
    expect(await json(old)).toEqual({ error: 'Bad Request', status: 400, message: 'Invalid refresh token' });
    expect((await refresh(body.refresh_token)).status).toBe(200);
  });

  it("rejects another client's refresh token", async () => {
    const other = p.registerClient();
    const minted = p.mintUserToken({ userId: '42', scopes: [], clientId: other.clientId });
    const res = await form('token', {
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: minted.refreshToken,
    });
    expect(res.status).toBe(400);
  });
});

describe('validate', () => {
  it('answers 401 for missing, unknown and expired tokens, with expires_in counting down', async () => {
    const missing = await fetch(`${p.baseUrl}/oauth2/validate`);
    expect(missing.status).toBe(401);
    const unknown = await validate('abcdefghijabcdefghijabcdefghij');
    expect(unknown.status).toBe(401);
    expect(await json(unknown)).toEqual({ status: 401, message: 'invalid access token' });

    const { accessToken } = p.mintUserToken({ userId: '5', scopes: [] });
    clock += 40_500;
    expect((await json(await validate(accessToken))).expires_in).toBe(59);
    clock += 60_000;
    expect((await validate(accessToken)).status).toBe(401);
  });

  it('only answers GET', async () => {
    const res = await fetch(`${p.baseUrl}/oauth2/validate`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('revoke', () => {
  it('revokes a user token and its grant, then answers 400 for it', async () => {
    const minted = p.mintUserToken({ userId: '9', scopes: ['a:b'] });
    expect(p.auth.grantedScopes(p.clientId, '9')).toEqual(new Set(['a:b']));
    const res = await form('revoke', { client_id: p.clientId, token: minted.accessToken });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await validate(minted.accessToken)).status).toBe(401);
    expect(p.auth.grantedScopes(p.clientId, '9')).toBeUndefined();
    const refresh = await form('token', {
      client_id: p.clientId,
      client_secret: p.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: minted.refreshToken,
    });
    expect(refresh.status).toBe(400);
    const again = await form('revoke', { client_id: p.clientId, token: minted.accessToken });
    expect(again.status).toBe(400);
    expect(await json(again)).toEqual({ status: 400, message: 'Invalid token' });
  });

  it('answers 404 for an unknown client and 400 for a token of another client', async () => {
    const app = p.mintAppToken();
    const unknown = await form('revoke', { client_id: 'ghost', token: app.accessToken });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ status: 404, message: 'client does not exist' });
    const other = p.registerClient();
    const wrong = await form('revoke', { client_id: other.clientId, token: app.accessToken });
    expect(wrong.status).toBe(400);
    expect((await validate(app.accessToken)).status).toBe(200);
    expect((await form('revoke', { client_id: p.clientId, token: app.accessToken })).status).toBe(200);
    expect((await validate(app.accessToken)).status).toBe(401);
  });
});

describe('grantedScopes', () => {
  it('is the union over live grants of the pair, per client', async () => {
    expect(p.auth.grantedScopes(p.clientId, '1')).toBeUndefined();
    const a = p.mintUserToken({ userId: '1', scopes: ['x'] });
    p.mintUserToken({ userId: '1', scopes: ['y', 'x'] });
    expect(p.auth.grantedScopes(p.clientId, '1')).toEqual(new Set(['x', 'y']));
    const other = p.registerClient();
    expect(p.auth.grantedScopes(other.clientId, '1')).toBeUndefined();
    expect(p.auth.clientExists(other.clientId)).toBe(true);
    await form('revoke', { client_id: p.clientId, token: a.accessToken });
    expect(p.auth.grantedScopes(p.clientId, '1')).toEqual(new Set(['y', 'x']));
  });
});

describe('resolveToken', () => {
  it('resolves live tokens to their caller and nothing else', () => {
    const minted = p.mintUserToken({ userId: '77', scopes: ['chat:read'] });
    expect(p.auth.resolveToken(minted.accessToken)).toMatchObject({
      kind: 'user',
      userId: '77',
      login: 'user77',
    });
    expect(p.auth.resolveToken(p.mintAppToken().accessToken)).toMatchObject({
      kind: 'app',
      clientId: p.clientId,
    });
    expect(p.auth.resolveToken(minted.refreshToken)).toBeUndefined();
    clock += 100_000;
    expect(p.auth.resolveToken(minted.accessToken)).toBeUndefined();
  });
});
