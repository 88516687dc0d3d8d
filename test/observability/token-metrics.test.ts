/**
 * Token refreshes in the HelixClient's metrics, against the emulator's OAuth endpoints: an app token obtained, a
 * user token refreshed after Helix answered 401 (its access token revoked), an app token refused (a wrong client
 * secret), each counted once by the provider's OAuth client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HelixClient } from '../../src/helix/client.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { value } from './metric-value.js';

let twitch: TestTwitch | undefined;
afterEach(async () => {
  await twitch?.close();
  twitch = undefined;
});

const NAME = 'twitch_realtime_token_refreshes_total';

describe('token refresh metrics', () => {
  it('counts app tokens obtained, user tokens refreshed and a refused refresh, through HelixClient.metrics()', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const helix = t.helixClient();
    const before = t.auth.tokenRefreshes;
    const broadcaster = t.users.broadcaster;
    await helix.users.getUsers({ ids: [broadcaster.id] }); // an app token
    // What the Helix client calls after a 401: the provider refreshes the user's token at the OAuth endpoint.
    const renewed = await t.auth.renewAfterUnauthorized(
      { kind: 'user', userId: broadcaster.id },
      broadcaster.accessToken,
    );
    expect(renewed).not.toBe(broadcaster.accessToken);
    let m = helix.metrics();
    expect(value(m, NAME, { kind: 'app', result: 'ok' })).toBe(before.app.ok + 1);
    expect(value(m, NAME, { kind: 'user', result: 'ok' })).toBe(before.user.ok + 1);
    expect(value(m, NAME, { kind: 'user', result: 'failed' })).toBe(0);

    // The user withdraws the authorization: Helix answers 401, and the refresh is refused.
    const { oauthUrl, clientId } = t.emulator.clientOptions();
    const revoked = await fetch(`${oauthUrl}/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, token: renewed ?? '' }),
    });
    expect(revoked.status).toBe(200);
    await expect(helix.users.getUsers({}, { auth: { userId: broadcaster.id } })).rejects.toMatchObject({
      code: 'TOKEN_REVOKED',
    });
    m = helix.metrics();
    expect(value(m, NAME, { kind: 'user', result: 'failed' })).toBe(1);
    expect(value(m, NAME, { kind: 'user', result: 'ok' })).toBe(before.user.ok + 1);
  });

  it('counts an app token refused by Twitch as failed', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { clientId, helixUrl, oauthUrl } = t.emulator.clientOptions();
    const helix = new HelixClient({
      clientId,
      clientSecret: 'not-the-secret',
      helixUrl,
      oauthUrl,
      maxRetries: 0,
    });
    t.track(helix);
    await expect(helix.users.getUsers({ ids: ['1'] })).rejects.toThrow();
    const m = helix.metrics();
    expect(value(m, NAME, { kind: 'app', result: 'failed' })).toBe(1);
    expect(value(m, NAME, { kind: 'app', result: 'ok' })).toBe(0);
  });
});
