/**
 * OAuthClient's own retry rules and close(), against a scripted HTTP server (sequences the emulator cannot produce
 * on demand: dropped connections, then answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient } from '../../src/auth/oauth.js';
import { AbortError } from '../../src/core/errors.js';
import { NetworkError } from '../../src/core/http-errors.js';
import { ScriptedServer } from '../helix/scripted-server.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

let scripted: ScriptedServer;
beforeAll(async () => {
  scripted = await ScriptedServer.start();
});
afterAll(async () => {
  await scripted.close();
});

const GRANT = { access_token: 'app-token-0123456789', expires_in: 3600, token_type: 'bearer' };

function oauth(clock?: FakeClock): OAuthClient {
  return new OAuthClient({
    clientId: 'cid',
    clientSecret: 'secret-0123456789',
    oauthUrl: scripted.url,
    maxRetries: 3,
    ...(clock === undefined ? {} : { clock }),
  });
}

describe('OAuthClient', () => {
  it('retries a client-credentials grant after a dropped connection', async () => {
    const client = oauth();
    scripted.script('destroy', { status: 200, body: GRANT });
    const grant = await client.clientCredentials();
    expect(grant.accessToken).toBe(GRANT.access_token);
    expect(scripted.requests).toHaveLength(2);
    client.close();
  });

  it('never sends a code exchange twice (an authorization code works once)', async () => {
    const client = oauth();
    scripted.script('destroy', { status: 200, body: { ...GRANT, refresh_token: 'r' } });
    const err = await client.exchangeCode('one-time-code', 'http://localhost/cb').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(scripted.requests).toHaveLength(1);

    scripted.script({ status: 500, body: { status: 500, message: 'boom' } }, { status: 200, body: GRANT });
    await expect(client.exchangeCode('another-code', 'http://localhost/cb')).rejects.toMatchObject({
      status: 500,
    });
    expect(scripted.requests).toHaveLength(1);
    client.close();
  });

  it('close() ends a call waiting between two attempts, and refuses later calls', async () => {
    const clock = new FakeClock(); // the backoff never ends by itself: only close() can end the call
    const client = oauth(clock);
    scripted.script('destroy');
    const pending = client.clientCredentials();
    await until(
      () => scripted.requests.length > 0 && clock.pending === 1,
      'the request sent, its retry backoff armed',
    );
    client.close();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
    expect(scripted.requests).toHaveLength(1);
    await expect(client.validate('token-0123456789')).rejects.toBeInstanceOf(AbortError);
  });
});
