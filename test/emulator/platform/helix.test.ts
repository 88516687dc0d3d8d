import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../../src/emulator/index.js';
import { createPlatform } from '../../../src/emulator/http/server.js';
import { EmuHttpError } from '../../../src/emulator/http/types.js';
import type { Platform } from '../../../src/emulator/http/types.js';
import { until } from '../../support/until.js';

const json = (res: Response): Promise<any> => res.json() as Promise<any>;

let clock = 1_700_000_000_000;
let p: Platform;
let user: string;
let app: string;
let reported: { error: unknown; method: string; path: string }[];

beforeEach(async () => {
  clock = 1_700_000_000_000;
  reported = [];
  p = await createPlatform({
    now: () => clock,
    rateLimitPerMinute: 6,
    maxBodyBytes: 1024,
    onError: (error, { method, path }) => reported.push({ error, method, path }),
  });
  user = p.mintUserToken({ userId: '1001', scopes: ['user:read:email'] }).accessToken;
  app = p.mintAppToken().accessToken;
  p.router.helix('GET', '/app-only', { auth: 'app' }, () => ({ status: 200, body: { data: [] } }));
  p.router.helix('GET', '/user-only', { auth: 'user' }, (req) => ({
    status: 200,
    body: { data: [req.auth?.userId] },
  }));
  p.router.helix('POST', '/echo', { auth: 'any' }, (req) => ({ status: 200, body: { data: [req.body] } }));
  p.router.helix('GET', '/boom', { auth: 'any' }, () => {
    throw new Error('secret internals');
  });
  p.router.helix('GET', '/teapot', { auth: 'any' }, () => {
    throw new EmuHttpError(418, 'short and stout');
  });
  p.router.helix('GET', '/text', { auth: 'any' }, () => ({
    status: 200,
    body: 'plain',
    headers: { 'X-Extra': '1' },
  }));
  p.router.helix('GET', '/public', { auth: 'none' }, (req) => ({ status: 200, body: { auth: req.auth } }));
  p.router.helix('GET', '/prefix/*', { auth: 'any' }, (req) => ({ status: 200, body: { path: req.path } }));
});
afterEach(async () => {
  await p.close();
});

function helix(
  path: string,
  token: string | undefined,
  init: RequestInit & { clientId?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  if (init.clientId !== null) headers['Client-Id'] = init.clientId ?? p.clientId;
  return fetch(`${p.baseUrl}/helix${path}`, {
    ...init,
    headers: { ...headers, ...(init.headers as object) },
  });
}

async function expectError(res: Response, status: number, message?: string): Promise<void> {
  expect(res.status).toBe(status);
  const body = await json(res);
  expect(body.status).toBe(status);
  expect(typeof body.error).toBe('string');
  if (message !== undefined) expect(body.message).toBe(message);
}

describe('Helix auth', () => {
  it('answers Twitch-shaped 401s', async () => {
    await expectError(await helix('/users', undefined), 401, 'OAuth token is missing');
    await expectError(
      await fetch(`${p.baseUrl}/helix/users`, {
        headers: { Authorization: `OAuth ${user}`, 'Client-Id': p.clientId },
      }),
      401,
      'Invalid OAuth token',
    );
    await expectError(await helix('/users', user, { clientId: null }), 401, 'Client ID is missing');
    await expectError(await helix('/users', 'abcdefghijabcdefghijabcdefghij'), 401, 'Invalid OAuth token');
    const other = p.registerClient();
    await expectError(
      await helix('/users', user, { clientId: other.clientId }),
      401,
      'Client ID and OAuth token do not match',
    );
    const res = await helix('/users', undefined);
    expect(res.headers.get('ratelimit-limit')).toBe('6');
  });

  it('enforces the token kind of a route', async () => {
    await expectError(await helix('/app-only', user), 401, 'Must provide valid app token.');
    await expectError(await helix('/user-only', app), 401, 'Missing User OAUTH Token');
    expect((await helix('/app-only', app)).status).toBe(200);
    expect(await json(await helix('/user-only', user))).toEqual({ data: ['1001'] });
  });

  it('rejects expired tokens', async () => {
    clock += 14_400_000;
    await expectError(await helix('/users', user), 401, 'Invalid OAuth token');
  });
});

describe('routing and bodies', () => {
  it('answers 404 for unknown paths and 405 with Allow for other methods', async () => {
    await expectError(await helix('/nope', app), 404);
    const res = await helix('/app-only', app, { method: 'DELETE' });
    await expectError(res, 405);
    expect(res.headers.get('allow')).toBe('GET');
    await expectError(await fetch(`${p.baseUrl}/elsewhere`), 404, 'Not Found');
    await expectError(await fetch(`${p.baseUrl}/_emulator/nope`, { method: 'POST' }), 404);
  });

  it('serves public routes without a token or a bucket', async () => {
    const res = await fetch(`${p.baseUrl}/helix/public`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ auth: null });
    expect(res.headers.get('ratelimit-remaining')).toBe('6');
  });

  it('answers 400 to malformed HTTP and keeps serving', async () => {
    const { connect } = await import('node:net');
    const { port } = new URL(p.baseUrl);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('THIS IS NOT HTTP\r\n\r\n');
      });
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (data += chunk));
      socket.on('close', () => {
        resolve(data);
      });
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await helix('/users', user)).status).toBe(200);
  });

  it('matches prefix routes and passes the query', async () => {
    expect(await json(await helix('/prefix/a/b?x=1', app))).toEqual({ path: '/prefix/a/b' });
  });

  it('parses JSON, answers 400 to malformed JSON and 413 to big bodies, and keeps serving', async () => {
    const ok = await helix('/echo', app, { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(await json(ok)).toEqual({ data: [{ a: 1 }] });
    await expectError(await helix('/echo', app, { method: 'POST', body: '{"a":' }), 400);
    const big = await helix('/echo', app, { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(5000) }) });
    await expectError(big, 413);
    expect(big.headers.get('ratelimit-remaining')).not.toBeNull();
    p.setRateLimit(1000);
    expect((await helix('/echo', app, { method: 'POST', body: '[1]' })).status).toBe(200);
  });

  it('turns handler exceptions into Twitch-shaped errors without leaking them', async () => {
    const res = await helix('/boom', app);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internals');
    expect(JSON.parse(text)).toEqual({
      error: 'Internal Server Error',
      status: 500,
      message: 'Internal Server Error',
    });
    await expectError(await helix('/teapot', app), 418, 'short and stout');
    // The unexpected exception was reported before the 500; the Twitch-shaped 418 was not.
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ method: 'GET', path: '/helix/boom' });
    expect((reported[0]?.error as Error).message).toBe('secret internals');
  });

  it('still answers 500 when the onError reporter throws, and Emulator passes onError through', async () => {
    const failing = await createPlatform({
      onError: () => {
        throw new Error('reporter down');
      },
    });
    try {
      failing.router.helix('GET', '/boom', { auth: 'any' }, () => {
        throw new Error('bug');
      });
      const res = await fetch(`${failing.baseUrl}/helix/boom`, {
        headers: {
          Authorization: `Bearer ${failing.mintAppToken().accessToken}`,
          'Client-Id': failing.clientId,
        },
      });
      expect(res.status).toBe(500);
    } finally {
      await failing.close();
    }
    const seen: string[] = [];
    const emu = await Emulator.start({ port: 0, onError: (_e, { path }) => seen.push(path) });
    try {
      emu.platform.router.control('GET', '/boom', () => {
        throw new Error('bug');
      });
      const res = await fetch(`${emu.baseUrl}/_emulator/boom`);
      expect(res.status).toBe(500);
      expect(seen).toEqual(['/_emulator/boom']);
    } finally {
      await emu.close();
    }
  });

  it('sends string bodies as text with handler headers', async () => {
    const res = await helix('/text', app);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-extra')).toBe('1');
    expect(await res.text()).toBe('plain');
  });
});

describe('rate limits', () => {
  it('sends the headers on every response and answers 429 when the bucket is empty', async () => {
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await helix(i % 2 === 0 ? '/users' : '/nope', user);
      expect(res.headers.get('ratelimit-limit')).toBe('6');
      remaining.push(res.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
    const limited = await helix('/users', user);
    await expectError(limited, 429);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    // Empty bucket: full again after 60 s.
    expect(Number(limited.headers.get('ratelimit-reset'))).toBe(Math.ceil((clock + 60_000) / 1000));
    // The app bucket and another user's bucket are separate.
    expect((await helix('/app-only', app)).status).toBe(200);
    const other = p.mintUserToken({ userId: '1002', scopes: [] }).accessToken;
    expect((await helix('/users', other)).status).toBe(200);
    // Refill: 6 points per minute = one point per 10 s.
    clock += 10_000;
    const refilled = await helix('/users', user);
    expect(refilled.status).toBe(200);
    expect(refilled.headers.get('ratelimit-remaining')).toBe('0');
    expect(p.describe().helix.rateLimited).toBe(1);
  });

  it('changes the limit at run time, and Infinity disables limiting', async () => {
    p.setRateLimit(2);
    await helix('/users', user);
    await helix('/users', user);
    expect((await helix('/users', user)).status).toBe(429);
    p.setRateLimit(Infinity);
    const res = await helix('/users', user);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-remaining')).toBe('2147483647');
    expect(() => {
      p.setRateLimit(0);
    }).toThrow();
  });
});

describe('faults', () => {
  it('answers 500/503 at the configured rate and counts them', async () => {
    p.setRateLimit(Infinity);
    p.setFaults({ helixErrorRate: 1 });
    for (let i = 0; i < 4; i++) {
      const res = await helix('/users', user);
      expect([500, 503]).toContain(res.status);
      expect((await json(res)).status).toBe(res.status);
    }
    p.setFaults({ helixErrorRate: 0 });
    expect((await helix('/users', user)).status).toBe(200);
    expect(p.describe().helix).toMatchObject({ faulted: 4, requests: 5 });
    expect(() => {
      p.setFaults({ helixErrorRate: 2 });
    }).toThrow();
  });

  it('delays responses and close() cancels pending delays', async () => {
    p.setFaults({ helixLatencyMs: 20 });
    expect((await helix('/users', user)).status).toBe(200);
    p.setFaults({ helixLatencyMs: 60_000 });
    const before = p.describe().helix.requests;
    const pending = helix('/users', user).then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => p.describe().helix.requests > before, 'the request at the platform');
    await p.close();
    expect(await pending).toBe('failed');
  });
});

describe('GET /helix/users', () => {
  it('returns the token user, with email only for user:read:email', async () => {
    const res = await helix('/users', user);
    const { data } = await json(res);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      id: '1001',
      login: 'user1001',
      view_count: 0,
      email: 'user1001@example.com',
    });
    const noEmail = p.mintUserToken({ userId: '1001', scopes: [] }).accessToken;
    expect((await json(await helix('/users', noEmail))).data[0].email).toBeUndefined();
  });

  it('looks users up by repeated id and login, omitting unknown ones and other users emails', async () => {
    const seeded = p.describe().users.slice(0, 3);
    const q = new URLSearchParams();
    q.append('id', seeded[0]!.id);
    q.append('id', '999999999999');
    q.append('login', seeded[1]!.login.toUpperCase());
    q.append('login', seeded[2]!.login);
    q.append('login', seeded[0]!.login);
    const { data } = await json(await helix(`/users?${q.toString()}`, user));
    expect(data.map((u: { id: string }) => u.id)).toEqual(seeded.map((u) => u.id));
    for (const u of data) {
      expect(u.email).toBeUndefined();
      expect(u).toMatchObject({ type: expect.any(String), broadcaster_type: expect.any(String) });
      expect(u.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('answers 400 past 100 values and for an app token without parameters', async () => {
    p.setRateLimit(Infinity);
    const q = new URLSearchParams();
    for (let i = 0; i < 101; i++) q.append(i % 2 === 0 ? 'id' : 'login', String(i));
    await expectError(await helix(`/users?${q.toString()}`, app), 400);
    await expectError(await helix('/users', app), 400, 'Must provide an ID, Login or OAuth Token');
    const seeded = p.describe().users.length;
    expect(seeded).toBeGreaterThanOrEqual(50);
  });
});
