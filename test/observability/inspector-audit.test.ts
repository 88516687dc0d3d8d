/**
 * The conduit inspector against a hostile Helix over a real socket: an error body that echoes the app token must not
 * carry it into the inspector's view (which the dashboard serves, without a token on loopback).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HelixClient } from '../../src/helix/client.js';
import { ConduitInspector } from '../../src/observability/inspector.js';
import { TestClock } from '../../src/testing/clock.js';

const APP_TOKEN = 'app-token-that-must-never-show-0123456789';
let fake: Server | undefined;
afterEach(async () => {
  const f = fake;
  fake = undefined;
  if (f === undefined) return;
  f.closeAllConnections();
  await new Promise<void>((resolve) => {
    f.close(() => {
      resolve();
    });
  });
});

describe('a Helix error body that echoes the token', () => {
  it('is redacted before it reaches the inspector view', async () => {
    const server = createServer((req, res) => {
      req.resume();
      if (req.url?.startsWith('/oauth2/token') === true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: APP_TOKEN, expires_in: 3600, token_type: 'bearer' }));
        return;
      }
      // A proxy or a debug build that quotes the request's credentials back.
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'Forbidden',
          status: 403,
          message: `token ${APP_TOKEN} (${req.headers.authorization ?? ''}) may not do this`,
        }),
      );
    });
    fake = server;
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const helix = new HelixClient({
      clientId: 'client-id',
      clientSecret: 'client-secret-value',
      helixUrl: `${base}/helix`,
      oauthUrl: `${base}/oauth2`,
      maxRetries: 0,
    });
    const inspector = new ConduitInspector({ helix, clock: new TestClock() });
    try {
      await inspector.start();
      const errors = inspector.view().errors;
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toContain('may not do this');
      expect(JSON.stringify(inspector.view())).not.toContain(APP_TOKEN);
      expect(JSON.stringify(inspector.health())).not.toContain(APP_TOKEN);
    } finally {
      inspector.close();
      helix.close();
    }
  });
});
