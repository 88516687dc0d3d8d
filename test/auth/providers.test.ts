import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { HelixClient } from '../../src/helix/client.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { AppTokenProvider } from '../../src/auth/app-token-provider.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { AuthError } from '../../src/auth/errors.js';
import { MemoryTokenStore, type StoredToken } from '../../src/auth/token-store.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

function setup(clock?: FakeClock, store = new MemoryTokenStore()) {
  const o = emu.clientOptions();
  const auth = new RefreshingAuthProvider({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    oauthUrl: o.oauthUrl,
    store,
    validateIntervalMs: 1000,
    ...(clock === undefined ? {} : { clock }),
  });
  const helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
  const close = (): void => {
    helix.close();
    auth.close();
  };
  return { auth, helix, store, close };
}

function stale(userId: string, refreshToken: string): StoredToken {
  return {
    userId,
    login: null,
    accessToken: `stale-access-token-${userId}`,
    refreshToken,
    scopes: [],
    expiresAt: null,
    obtainedAt: 0,
  };
}

describe('RefreshingAuthProvider', () => {
  it('validates a user token on add and reports what Twitch says about it', async () => {
    const { auth, close } = setup();
    const minted = emu.mintUserToken({ userId: '777', scopes: ['user:read:chat'] });
    const info = await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    expect(info).toMatchObject({
      userId: '777',
      login: minted.login,
      scopes: ['user:read:chat'],
      refreshable: true,
    });
    expect(info.expiresAt).toBeGreaterThan(Date.now());
    await expect(auth.addUser({ accessToken: 'garbage-token-value' })).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    const app = emu.mintAppToken();
    await expect(auth.addUser({ accessToken: app.accessToken })).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    close();
  });

  it('refreshes on 401 once for 50 concurrent requests, then retries them', async () => {
    const clock = new FakeClock(Date.now()); // frozen: no proactive refresh, no validation sweep
    const store = new MemoryTokenStore();
    const minted = emu.mintUserToken({ userId: '888', scopes: [] });
    await store.save(stale('888', minted.refreshToken));
    const { auth, helix, close } = setup(clock, store);
    await auth.loadFromStore();
    const refreshed: string[] = [];
    auth.on('tokenRefreshed', (userId) => refreshed.push(userId));
    const before = emu.state().helix;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => helix.users.getUsers({}, { auth: { userId: '888' } })),
    );
    expect(results.every((r) => r[0]?.id === '888')).toBe(true);
    expect(refreshed).toEqual(['888']);
    expect(emu.state().helix.requests - before.requests).toBeLessThanOrEqual(100);
    expect(helix.http.stats.renewals).toBeGreaterThanOrEqual(1);
    const saved = (await store.load())[0]!;
    expect(saved.accessToken).not.toBe('stale-access-token-888');
    expect(saved.refreshToken).not.toBe(minted.refreshToken); // rotated and persisted
    close();
  });

  it('reports a failed refresh with events and a typed error, and never drops the token silently', async () => {
    const clock = new FakeClock(Date.now());
    const store = new MemoryTokenStore();
    await store.save(stale('999', 'refresh-token-that-twitch-rejects'));
    const { auth, helix, close } = setup(clock, store);
    await auth.loadFromStore();
    const failed: AuthError[] = [];
    const revoked: AuthError[] = [];
    auth.on('tokenRefreshFailed', (_id, e) => failed.push(e));
    auth.on('tokenRevoked', (_id, e) => revoked.push(e));
    const err = await helix.users.getUsers({}, { auth: { userId: '999' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('TOKEN_REVOKED');
    expect((err as AuthError).userId).toBe('999');
    expect(failed.map((e) => e.code)).toEqual(['TOKEN_REVOKED']);
    expect(revoked).toHaveLength(1);
    expect(auth.getUser('999')).toMatchObject({ revoked: true });
    // Later requests fail fast with the same typed error, without a network call.
    const before = emu.state().helix.requests;
    await expect(helix.users.getUsers({}, { auth: { userId: '999' } })).rejects.toMatchObject({
      code: 'TOKEN_REVOKED',
    });
    expect(emu.state().helix.requests).toBe(before);
    expect(auth.userIds()).toContain('999');
    close();
  });

  it('validates every token periodically and reports a revoked grant', async () => {
    const clock = new FakeClock(Date.now());
    const { auth, helix, close } = setup(clock);
    const minted = emu.mintUserToken({ userId: '1234', scopes: [] });
    await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    await helix.oauth.revoke(minted.refreshToken); // revokes the whole grant
    const revoked = new Promise<AuthError>((resolve) =>
      auth.once('tokenRevoked', (_id, e) => {
        resolve(e);
      }),
    );
    clock.advance(1000);
    const error = await revoked;
    expect(error.code).toBe('TOKEN_REVOKED');
    expect(auth.getUser('1234')?.revoked).toBe(true);
    close();
    expect(clock.pending).toBe(0);
  });

  it('validates each token one interval after its last validation, whenever it was added', async () => {
    const clock = new FakeClock(Date.now());
    const o = emu.clientOptions();
    const validated: { token: string; at: number }[] = [];
    let answered = 0;
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      validateIntervalMs: 1000,
      clock,
      fetch: async (url, init) => {
        if (!url.endsWith('/validate')) return fetch(url, init);
        validated.push({ token: init.headers.Authorization ?? '', at: clock.now() });
        const response = await fetch(url, init);
        answered++;
        return response;
      },
    });
    const a = emu.mintUserToken({ userId: '501', scopes: [] });
    const b = emu.mintUserToken({ userId: '502', scopes: [] });
    const t0 = clock.now();
    await auth.addUser({ accessToken: a.accessToken, refreshToken: a.refreshToken });
    clock.advance(400);
    await auth.addUser({ accessToken: b.accessToken, refreshToken: b.refreshToken }); // after the timer started
    const checksOf = (token: string): number[] =>
      validated.filter((v) => v.token === `OAuth ${token}`).map((v) => v.at - t0);
    // After each step: every validation started has answered and the next check is armed (no time budget).
    const settle = async (): Promise<void> => {
      await until(
        () => answered === validated.length && clock.pending === 1,
        'every validation answered, the next check armed',
      );
    };
    for (let step = 0; step < 4; step++) {
      clock.advance(600);
      await settle();
    }
    // A at 0 (add), 1000, 2000; B at 400 (add), 1400, 2400: never two intervals apart.
    expect(checksOf(a.accessToken)).toEqual([0, 1000, 2000]);
    expect(checksOf(b.accessToken)).toEqual([400, 1400, 2400]);
    // Only the next check's timer is left; close() clears it.
    auth.close();
    expect(clock.pending).toBe(0);
  });

  it('refuses a validation interval that is not a positive integer (it would validate in a loop)', () => {
    const o = emu.clientOptions();
    for (const validateIntervalMs of [0, -1, Number.NaN, 0.5]) {
      expect(
        () =>
          new RefreshingAuthProvider({
            clientId: o.clientId,
            clientSecret: o.clientSecret,
            validateIntervalMs,
          }),
      ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'validateIntervalMs' }));
    }
  });

  it('refreshes a token shortly before it expires', async () => {
    const clock = new FakeClock(Date.now());
    const { auth, helix, close } = setup(clock);
    const minted = emu.mintUserToken({ userId: '4321', scopes: [] });
    const info = await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    let refreshes = 0;
    auth.on('tokenRefreshed', () => refreshes++);
    clock.advance(info.expiresAt! - clock.now() - 30_000); // inside the 60 s margin
    clock.advance(0);
    await helix.users.getUsers({}, { auth: { userId: '4321' } });
    expect(refreshes).toBe(1);
    close();
  });

  it('keeps tokens out of inspect and JSON output', async () => {
    const { auth, helix, close } = setup();
    const minted = emu.mintUserToken({ userId: '31337', scopes: [] });
    await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    const text = [
      inspect(auth, { depth: 10, showHidden: true }),
      JSON.stringify(auth),
      inspect(helix),
      JSON.stringify(auth.getUser('31337')),
    ].join('\n');
    expect(text).not.toContain(minted.accessToken);
    expect(text).not.toContain(minted.refreshToken);
    expect(text).not.toContain(emu.clientSecret);
    close();
  });
});

describe('RefreshingAuthProvider transient failures and shared refreshes', () => {
  /** A `fetch` to the emulator whose refresh-token grants can be held or answered with a status. */
  function scriptedRefresh(script: { status?: number | undefined; gate?: Promise<void> }) {
    let refreshes = 0;
    const fetchLike = async (input: string, init: RequestInit): Promise<Response> => {
      const isRefresh =
        input.endsWith('/token') &&
        typeof init.body === 'string' &&
        init.body.includes('grant_type=refresh_token');
      if (isRefresh) {
        refreshes++;
        if (script.status !== undefined) {
          const status = script.status;
          script.status = undefined;
          return new Response(JSON.stringify({ status, message: 'scripted' }), { status });
        }
        if (script.gate !== undefined) await script.gate;
        return fetch(input, init);
      }
      return fetch(input, init);
    };
    return { fetchLike, refreshes: () => refreshes };
  }

  async function provider(
    userId: string,
    fetchLike: (input: string, init: RequestInit) => Promise<Response>,
  ) {
    const o = emu.clientOptions();
    const store = new MemoryTokenStore();
    const minted = emu.mintUserToken({ userId, scopes: [] });
    await store.save(stale(userId, minted.refreshToken));
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      store,
      fetch: fetchLike,
      clock: new FakeClock(Date.now()),
    });
    await auth.loadFromStore();
    return auth;
  }

  it.each([429, 408])(
    'does not revoke a user on a %i from the token endpoint, and retries later',
    async (status) => {
      const script = scriptedRefresh({ status });
      const userId = `7${status}`;
      const auth = await provider(userId, script.fetchLike);
      const failed: string[] = [];
      auth.on('tokenRefreshFailed', (_id, e) => failed.push(e.code));
      auth.on('error', () => undefined);
      const rejected = `stale-access-token-${userId}`;
      const first = await auth
        .renewAfterUnauthorized({ kind: 'user', userId }, rejected)
        .catch((e: unknown) => e);
      expect(first).toBeInstanceOf(AuthError);
      expect((first as AuthError).code).toBe('TOKEN_REFRESH_FAILED');
      expect(failed).toEqual(['TOKEN_REFRESH_FAILED']);
      expect(auth.getUser(userId)).toMatchObject({ revoked: false });
      const fresh = await auth.renewAfterUnauthorized({ kind: 'user', userId }, rejected);
      expect(fresh).not.toBe(rejected);
      expect(script.refreshes()).toBeGreaterThanOrEqual(2);
      auth.close();
    },
  );

  it('a user removed while its refresh is in flight stays removed (memory and store)', async () => {
    let open!: () => void;
    const script = scriptedRefresh({ gate: new Promise<void>((resolve) => (open = resolve)) });
    const o = emu.clientOptions();
    const store = new MemoryTokenStore();
    const minted = emu.mintUserToken({ userId: '7503', scopes: [] });
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      store,
      fetch: script.fetchLike,
      clock: new FakeClock(Date.now()),
    });
    await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    const refreshed: string[] = [];
    auth.on('tokenRefreshed', (id) => refreshed.push(id));
    const renewing = auth.renewAfterUnauthorized({ kind: 'user', userId: '7503' }, minted.accessToken);
    await until(() => script.refreshes() > 0, 'the refresh at the token endpoint');
    await auth.removeUser('7503');
    open();
    await renewing; // the caller that was waiting still gets its token
    expect(auth.userIds()).toEqual([]);
    expect(await store.load()).toEqual([]);
    expect(refreshed).toEqual([]);
    auth.close();
  });

  it('a user removed while its refresh is in flight is not reported when that refresh fails', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const o = emu.clientOptions();
    const minted = emu.mintUserToken({ userId: '7504', scopes: [] });
    let refreshing = 0;
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      clock: new FakeClock(Date.now()),
      fetch: async (input, init) => {
        if (input.endsWith('/token') && init.body?.includes('grant_type=refresh_token') === true) {
          refreshing++;
          await gate;
          return new Response(JSON.stringify({ status: 400, message: 'Invalid refresh token' }), {
            status: 400,
          });
        }
        return fetch(input, init);
      },
    });
    await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    const reported: string[] = [];
    auth.on('tokenRefreshFailed', (id) => reported.push(`failed ${id}`));
    auth.on('tokenRevoked', (id) => reported.push(`revoked ${id}`));
    const renewing = auth
      .renewAfterUnauthorized({ kind: 'user', userId: '7504' }, minted.accessToken)
      .catch((e: unknown) => e);
    await until(() => refreshing > 0, 'the refresh under way');
    await auth.removeUser('7504');
    open();
    expect(await renewing).toMatchObject({ code: 'TOKEN_REVOKED' }); // the waiting caller still learns why
    expect(reported).toEqual([]);
    auth.close();
  });

  it('one caller aborting does not fail the other callers of a shared refresh', async () => {
    let open!: () => void;
    const script = scriptedRefresh({ gate: new Promise<void>((resolve) => (open = resolve)) });
    const userId = '7001';
    const auth = await provider(userId, script.fetchLike);
    const failed: string[] = [];
    auth.on('tokenRefreshFailed', (_id, e) => failed.push(e.code));
    const rejected = `stale-access-token-${userId}`;
    const quitter = new AbortController();
    const a = auth.renewAfterUnauthorized({ kind: 'user', userId }, rejected, quitter.signal);
    const b = auth.renewAfterUnauthorized({ kind: 'user', userId }, rejected);
    const aOutcome = a.then(
      () => 'resolved',
      (e: unknown) => (e as { code?: string }).code,
    );
    quitter.abort();
    expect(await aOutcome).toBe('ABORTED');
    open();
    const token = await b;
    expect(token).not.toBe(rejected);
    expect(failed).toEqual([]);
    expect(script.refreshes()).toBe(1);
    auth.close();
  });
});

describe('AppTokenProvider shared acquisition', () => {
  it('one caller aborting does not fail the other callers', async () => {
    const o = emu.clientOptions();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const auth = new AppTokenProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      fetch: async (input, init) => {
        await gate;
        return fetch(input, init);
      },
    });
    const quitter = new AbortController();
    const a = auth.getAccessToken({ kind: 'app' }, quitter.signal).then(
      () => 'resolved',
      (e: unknown) => (e as { code?: string }).code,
    );
    const b = auth.getAccessToken({ kind: 'app' });
    quitter.abort();
    expect(await a).toBe('ABORTED');
    open();
    expect(typeof (await b)).toBe('string');
    expect(auth.acquisitions).toBe(1);
  });
});

describe('AppTokenProvider', () => {
  it('acquires once for concurrent callers and re-acquires after a 401', async () => {
    const o = emu.clientOptions();
    const auth = new AppTokenProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
    });
    const helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
    await Promise.all(Array.from({ length: 20 }, () => helix.eventSub.getConduits()));
    expect(auth.acquisitions).toBe(1);
    await helix.oauth.revoke(await auth.getAccessToken({ kind: 'app' }));
    await Promise.all(Array.from({ length: 20 }, () => helix.eventSub.getConduits()));
    expect(auth.acquisitions).toBe(2);
    expect(inspect(auth)).not.toContain(await auth.getAccessToken({ kind: 'app' }));
    helix.close();
  });

  it('re-acquires before expiry and fails with a typed error on bad credentials', async () => {
    const o = emu.clientOptions();
    const clock = new FakeClock(Date.now());
    const auth = new AppTokenProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      clock,
    });
    const first = await auth.getAccessToken({ kind: 'app' });
    expect(await auth.getAccessToken({ kind: 'app' })).toBe(first);
    clock.advance(5_000_000 * 1000);
    expect(await auth.getAccessToken({ kind: 'app' })).not.toBe(first);
    expect(auth.acquisitions).toBe(2);

    const bad = new AppTokenProvider({
      clientId: o.clientId,
      clientSecret: 'wrong-secret-value',
      oauthUrl: o.oauthUrl,
    });
    const err = await bad.getAccessToken({ kind: 'app' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'APP_TOKEN_FAILED' });
    expect((err as AuthError).cause).toBeInstanceOf(HTTPError);
    expect(inspect(err, { depth: 10 })).not.toContain('wrong-secret-value');
  });
});
