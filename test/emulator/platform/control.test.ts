import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform } from '../../../src/emulator/http/server.js';
import { checkFaults } from '../../../src/emulator/eventsub/control.js';
import type { Platform } from '../../../src/emulator/http/types.js';

const json = (res: Response): Promise<any> => res.json() as Promise<any>;

let p: Platform;

beforeEach(async () => {
  p = await createPlatform({ rateLimitPerMinute: 3 });
});
afterEach(async () => {
  await p.close();
});

function control(path: string, body: unknown): Promise<Response> {
  return fetch(`${p.baseUrl}/_emulator${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /_emulator/tokens', () => {
  it('mints a user token that works on Helix and creates the user on demand', async () => {
    const res = await control('/tokens', { user_id: '31337', scopes: ['user:read:email'], login: 'Leet' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      user_id: '31337',
      login: 'leet',
      scopes: ['user:read:email'],
      client_id: p.clientId,
      expires_in: 14_400,
    });
    expect(body.access_token).toMatch(/^[a-z0-9]{30}$/);
    const users = await fetch(`${p.baseUrl}/helix/users`, {
      headers: { Authorization: `Bearer ${body.access_token}`, 'Client-Id': p.clientId },
    });
    expect((await json(users)).data[0]).toMatchObject({ id: '31337', login: 'leet', display_name: 'Leet' });
    expect(p.auth.userExists('31337')).toBe(true);
    expect(p.auth.grantedScopes(p.clientId, '31337')).toEqual(new Set(['user:read:email']));
  });

  it('mints for another registered client', async () => {
    const client = await json(await control('/clients', {}));
    expect(client.client_id).toMatch(/^[a-z0-9]{30}$/);
    const body = await json(
      await control('/tokens', { user_id: '5', scopes: [], client_id: client.client_id }),
    );
    expect(body.client_id).toBe(client.client_id);
    expect(body.login).toBe('user5');
  });

  it('answers 400 to bad bodies', async () => {
    const bad: unknown[] = [
      '{oops',
      [],
      { scopes: [] },
      { user_id: 'abc', scopes: [] },
      { user_id: '1', scopes: 'chat:read' },
      { user_id: '1', scopes: [1] },
      { user_id: '1', scopes: ['has space'] },
      { user_id: '1', scopes: [], client_id: 'unknown' },
      { user_id: '1', scopes: [], login: 'not a login!' },
    ];
    for (const body of bad) {
      const res = await control('/tokens', body);
      expect(res.status).toBe(400);
      const payload = await json(res);
      expect(payload).toMatchObject({ error: 'Bad Request', status: 400, message: expect.any(String) });
    }
  });
});

describe('POST /_emulator/clients and /ratelimit', () => {
  it('registers a client with a chosen id and rejects duplicates', async () => {
    const res = await control('/clients', { client_id: 'my-app', client_secret: 's3cret' });
    expect(await json(res)).toEqual({ client_id: 'my-app', client_secret: 's3cret' });
    expect((await control('/clients', { client_id: 'my-app' })).status).toBe(400);
    expect((await control('/clients', { client_id: 5 })).status).toBe(400);
    const token = await fetch(`${p.baseUrl}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'my-app',
        client_secret: 's3cret',
        grant_type: 'client_credentials',
      }),
    });
    expect(token.status).toBe(200);
    expect(p.describe().clients.map((c) => c.clientId)).toContain('my-app');
  });

  it('changes the rate limit', async () => {
    const res = await control('/ratelimit', { points_per_minute: 1 });
    expect(await json(res)).toEqual({ points_per_minute: 1 });
    const { accessToken } = p.mintAppToken();
    const call = (): Promise<Response> =>
      fetch(`${p.baseUrl}/helix/users?id=1`, {
        headers: { Authorization: `Bearer ${accessToken}`, 'Client-Id': p.clientId },
      });
    expect((await call()).headers.get('ratelimit-limit')).toBe('1');
    expect((await call()).status).toBe(429);
    expect(await json(await control('/ratelimit', { points_per_minute: null }))).toEqual({
      points_per_minute: null,
    });
    expect((await call()).status).toBe(200);
    for (const body of [
      {},
      { points_per_minute: 0 },
      { points_per_minute: 1.5 },
      { points_per_minute: '5' },
    ]) {
      expect((await control('/ratelimit', body)).status).toBe(400);
    }
  });
});

describe('checkFaults (the one rule of emu.setFaults and POST /_emulator/faults)', () => {
  it('reads the fields by wire or option name, ignoring others, and rejects bad values', () => {
    expect(checkFaults({ helix_error_rate: 0.5, helix_latency_ms: 10, other: true }, 'wire')).toEqual({
      helixErrorRate: 0.5,
      helixLatencyMs: 10,
    });
    expect(checkFaults({ dropSessionEveryMs: 0, duplicateRate: 1 }, 'option')).toEqual({
      dropSessionEveryMs: 0,
      duplicateRate: 1,
    });
    expect(checkFaults({}, 'wire')).toEqual({});
    expect(() => checkFaults({ helix_error_rate: 1.5 }, 'wire')).toThrow('helix_error_rate');
    expect(() => checkFaults({ helix_latency_ms: -1 }, 'wire')).toThrow('helix_latency_ms');
  });

  it.each([
    ['a fraction of a millisecond', 0.001],
    ['a fraction above 1 ms', 1.5],
    ['a negative duration', -1],
    ['past its range', 86_400_001],
    ['past the timer range', 2 ** 31],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['a string', '5'],
  ])('refuses a fault duration that is %s', (_name, value) => {
    for (const [names, field] of [
      ['wire', 'drop_session_every_ms'],
      ['wire', 'helix_latency_ms'],
      ['option', 'dropSessionEveryMs'],
      ['option', 'helixLatencyMs'],
    ] as const) {
      expect(() => checkFaults({ [field]: value }, names)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field }),
      );
    }
  });
});

describe('platform lifecycle', () => {
  it('routes WebSocket upgrades by exact path and refuses others', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const seen: string[] = [];
    p.upgrade('/ws', (req, socket, head) => {
      seen.push(req.url ?? '');
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send('hello');
      });
    });
    const wsUrl = p.baseUrl.replace('http', 'ws');
    const message = await new Promise<string>((resolve, reject) => {
      const client = new WebSocket(`${wsUrl}/ws?keepalive_timeout_seconds=10`);
      client.once('message', (data: Buffer) => {
        resolve(data.toString());
        client.close();
      });
      client.once('error', reject);
    });
    expect(message).toBe('hello');
    expect(seen).toEqual(['/ws?keepalive_timeout_seconds=10']);
    const status = await new Promise<number>((resolve) => {
      const client = new WebSocket(`${wsUrl}/elsewhere`);
      client.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        client.terminate();
      });
      client.once('error', () => {
        resolve(-1);
      });
    });
    expect(status).toBe(404);
    expect(() => {
      p.upgrade('/ws', () => undefined);
    }).toThrow();
    // An upgraded socket still open at close() is destroyed by it.
    const open = new WebSocket(`${wsUrl}/ws`);
    await new Promise((resolve) => open.once('message', resolve));
    const closed = new Promise((resolve) => open.once('close', resolve));
    await p.close();
    await closed;
    wss.close();
  });

  it('hides the client secret from inspect and JSON', () => {
    expect(inspect(p)).not.toContain(p.clientSecret);
    expect(inspect(p, { showHidden: true })).not.toContain(p.clientSecret);
  });

  it('close() releases the port and is idempotent', async () => {
    const port = Number(new URL(p.baseUrl).port);
    // Keep a connection alive so close() has to close it.
    await fetch(`${p.baseUrl}/helix/users`);
    await Promise.all([p.close(), p.close()]);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it('uses the configured client id and secret', async () => {
    const q = await createPlatform({ clientId: 'fixedid', clientSecret: 'fixedsecret' });
    try {
      expect(q.clientId).toBe('fixedid');
      expect(q.clientSecret).toBe('fixedsecret');
      expect(q.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await q.close();
    }
  });
});
