import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { startEmulator } from '../../support/emulator.js';
import { MAX_TOKENS_PER_OWNER, TokenStore } from '../../../src/emulator/http/tokens.js';
import { UserStore } from '../../../src/emulator/http/users.js';

describe('TokenStore stays bounded (Twitch: 50 live tokens per client id, and per client id + user)', () => {
  it('keeps at most 50 app tokens per client id after 30,000 mints; the oldest go first', () => {
    const store = new TokenStore({ users: new UserStore() });
    const a = store.registerClient().clientId;
    const b = store.registerClient().clientId;
    const first = store.mintApp(a).accessToken;
    let last = first;
    for (let i = 0; i < 30_000; i++) last = store.mintApp(a).accessToken;
    const ofB = store.mintApp(b).accessToken;
    expect(store.sizes()).toMatchObject({ accessTokens: MAX_TOKENS_PER_OWNER + 1, owners: 2 });
    expect(MAX_TOKENS_PER_OWNER).toBe(50);
    expect(store.lookup(first)).toBeUndefined();
    expect(store.lookup(last)?.auth.clientId).toBe(a);
    // Another client's tokens do not count against this one.
    expect(store.lookup(ofB)?.auth.clientId).toBe(b);
  });

  it('keeps at most 50 user access tokens and 50 grants per client id + user', () => {
    const store = new TokenStore({ users: new UserStore() });
    const { clientId } = store.registerClient();
    const grant = store.mintUser({ clientId, userId: '1337', scopes: ['chat:read'] });
    let refresh = grant.refreshToken;
    for (let i = 0; i < 5_000; i++) {
      const next = store.refresh(refresh, clientId);
      if (next === undefined) throw new Error('refresh failed');
      refresh = next.refreshToken;
    }
    expect(store.sizes()).toMatchObject({ accessTokens: 50, grants: 1 });
    expect(store.lookup(grant.accessToken)).toBeUndefined();
    // The grant itself lives on: its current refresh token still works.
    expect(store.refresh(refresh, clientId)).toBeDefined();

    const firstGrant = store.mintUser({ clientId, userId: '42', scopes: [] });
    for (let i = 0; i < 5_000; i++) store.mintUser({ clientId, userId: '42', scopes: [] });
    // 50 tokens of user 1337, 50 of user 42 (one per grant, 50 grants).
    expect(store.sizes()).toMatchObject({ accessTokens: 100, grants: 51, owners: 2 });
    expect(store.refresh(firstGrant.refreshToken, clientId)).toBeUndefined();
    expect(store.grantedScopes(clientId, '1337')).toEqual(new Set(['chat:read']));
  });
});

describe('/oauth2/token against the emulator', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('the 51st client-credentials token of a client id invalidates the first, as on Twitch', async () => {
    emu = await startEmulator();
    const { oauthUrl, clientId, clientSecret } = emu.clientOptions();
    const tokens: string[] = [];
    for (let i = 0; i < 51; i++) {
      const res = await fetch(`${oauthUrl}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: clientId,
          client_secret: clientSecret,
          grant_type: 'client_credentials',
        }),
      });
      expect(res.status).toBe(200);
      tokens.push(((await res.json()) as { access_token: string }).access_token);
    }
    const validate = async (token: string | undefined): Promise<number> =>
      (await fetch(`${oauthUrl}/validate`, { headers: { Authorization: `OAuth ${token ?? ''}` } })).status;
    expect(await validate(tokens[0])).toBe(401);
    expect(await validate(tokens[1])).toBe(200);
    expect(await validate(tokens[50])).toBe(200);
  });
});
