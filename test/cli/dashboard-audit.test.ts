/**
 * `twitch-realtime dashboard` stopped by SIGINT (its abort signal) while the first listing of the conduit hangs on a
 * Helix that never answers: it stops then, with exit code 0, instead of after the listing (a 20,000-shard conduit
 * under 429s takes minutes), which left only a second Ctrl+C (a kill) to stop it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { until } from '../support/until.js';

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

describe('dashboard stopped during its first listing', () => {
  it('stops at once with exit code 0', async () => {
    let shardsAsked = false;
    const server = createServer((req, res) => {
      req.resume();
      const url = req.url ?? '';
      if (url.startsWith('/oauth2/token')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ access_token: 'app-token-0123456789', expires_in: 3600, token_type: 'bearer' }),
        );
      } else if (url.startsWith('/helix/eventsub/conduits/shards')) {
        shardsAsked = true; // never answered
      } else if (url.startsWith('/helix/eventsub/conduits')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: [{ id: 'conduit-1', shard_count: 2 }] }));
      } else {
        res.writeHead(404).end();
      }
    });
    fake = server;
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const controller = new AbortController();
    let out = '';
    let err = '';
    const running = main(
      ['dashboard', '--port', '0', '--helix-url', `${base}/helix`, '--oauth-url', `${base}/oauth2`],
      {
        env: { TWITCH_CLIENT_ID: 'client-id', TWITCH_CLIENT_SECRET: 'client-secret-value' },
        stdout: { write: (c: string) => (out += c) },
        stderr: { write: (c: string) => (err += c) },
        signal: controller.signal,
      },
    );
    await until(() => shardsAsked, 'the first listing asked for the shards');
    controller.abort();
    expect(await running).toBe(0);
    expect(out).not.toContain('Dashboard  http');
    expect(err).toBe('');
  });
});
