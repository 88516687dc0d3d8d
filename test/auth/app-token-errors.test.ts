/**
 * Issue 13, "errors that say what happened": an app token that cannot be had names the reason (Twitch's status and
 * message, or the system error and the URL) in the message and in `cause`, never the secret. Real emulator, real
 * sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { AutoClient } from '../../src/eventsub/conduit/index.js';
import { AuthError } from '../../src/auth/errors.js';
import { HTTPError, NetworkError } from '../../src/core/http-errors.js';
import { HelixClient } from '../../src/helix/client.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const WRONG = 'wrong-secret-value-0123';

/** A local port nothing listens on (bound, then released). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function expectNoSecret(error: unknown, ...secrets: string[]): void {
  const shown = [
    inspect(error, { depth: 10 }),
    String(error),
    JSON.stringify(error),
    (error as Error).stack ?? '',
  ].join('\n');
  for (const secret of secrets) expect(shown).not.toContain(secret);
}

describe('APP_TOKEN_FAILED says why', () => {
  it('a wrong client secret: the message and cause name the 403 and Twitch\'s "invalid client secret"', async () => {
    const client = new AutoClient({ ...emu.clientOptions(), clientSecret: WRONG, reconcileIntervalMs: 0 });
    try {
      const error = await client.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      const auth = error as AuthError;
      expect(auth.code).toBe('APP_TOKEN_FAILED');
      expect(auth.message).toBe(
        `could not get an app access token: FORBIDDEN (403): invalid client secret (POST ${emu.clientOptions().oauthUrl}/token)`,
      );
      expect(auth.cause).toBeInstanceOf(HTTPError);
      expect(auth.cause).toMatchObject({ status: 403, twitchMessage: 'invalid client secret' });
      expectNoSecret(error, WRONG, emu.clientSecret);
    } finally {
      await client.close();
    }
  });

  it('a refused connection: the message and cause name ECONNREFUSED and the token URL', async () => {
    const oauthUrl = `http://127.0.0.1:${await refusedPort()}/oauth2`;
    const helix = new HelixClient({ ...emu.clientOptions(), oauthUrl });
    try {
      const error = await helix.eventSub.getConduits().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      const auth = error as AuthError;
      expect(auth.code).toBe('APP_TOKEN_FAILED');
      expect(auth.message).toMatch(
        new RegExp(
          `^could not get an app access token: POST ${oauthUrl.replace(/[.]/g, '\\.')}/token failed: .*ECONNREFUSED`,
        ),
      );
      expect(auth.cause).toBeInstanceOf(NetworkError);
      expect(auth.cause).toMatchObject({ url: `${oauthUrl}/token`, path: '/oauth2/token' });
      expect(((auth.cause as NetworkError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      expectNoSecret(error, emu.clientSecret);
    } finally {
      helix.close();
    }
  });

  it('credentials in the OAuth URL stay out of the message', async () => {
    const port = await refusedPort();
    const helix = new HelixClient({
      ...emu.clientOptions(),
      oauthUrl: `http://proxyuser:proxy-password-42@127.0.0.1:${port}/oauth2`,
    });
    try {
      const error = await helix.eventSub.getConduits().catch((e: unknown) => e);
      expect((error as AuthError).message).toContain(`http://127.0.0.1:${port}/oauth2/token`);
      expectNoSecret(error, 'proxy-password-42', emu.clientSecret);
    } finally {
      helix.close();
    }
  });

  it('a refresh that Twitch refuses says why, too (TOKEN_REVOKED)', async () => {
    const o = emu.clientOptions();
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
    });
    try {
      const error = await auth
        .addUser({ accessToken: 'not-a-token-0123456789', refreshToken: 'not-a-refresh-token-0123' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('TOKEN_REVOKED');
      expect((error as AuthError).message).toMatch(
        /refresh failed: [A-Z_]+ \(4\d\d\): .+ \(POST .+\/token\)$/,
      );
      expectNoSecret(error, o.clientSecret, 'not-a-token-0123456789', 'not-a-refresh-token-0123');
    } finally {
      auth.close();
    }
  });
});
