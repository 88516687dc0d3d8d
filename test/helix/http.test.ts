import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { Emulator } from '../../src/emulator/index.js';
import { HelixClient, type HelixClientOptions } from '../../src/helix/client.js';
import { HTTPError, NetworkError } from '../../src/core/http-errors.js';
import { StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import type { AuthProvider } from '../../src/auth/types.js';
import { AbortError, TimeoutError, TwitchError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { okHeaders, ScriptedServer } from './scripted-server.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

let emu: Emulator;
let scripted: ScriptedServer;
const clients: HelixClient[] = [];

beforeAll(async () => {
  emu = await Emulator.start({ port: 0 });
  scripted = await ScriptedServer.start();
});
afterAll(async () => {
  await emu.close();
  await scripted.close();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  emu.setRateLimit(800);
  emu.setFaults({ helixErrorRate: 0, helixLatencyMs: 0 });
});

function client(extra: Partial<HelixClientOptions> = {}): HelixClient {
  const o = emu.clientOptions();
  const helix = new HelixClient({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    helixUrl: o.helixUrl,
    oauthUrl: o.oauthUrl,
    retryBackoff: { initialMs: 1, maxMs: 5 },
    ...extra,
  });
  clients.push(helix);
  return helix;
}

const APP_TOKEN = 'scripted-app-token-0123456789';
function scriptedClient(extra: Partial<HelixClientOptions> = {}): HelixClient {
  const helix = new HelixClient({
    clientId: 'cid',
    auth: new StaticAuthProvider({ clientId: 'cid', appToken: APP_TOKEN }),
    helixUrl: scripted.url,
    retryBackoff: { initialMs: 1, maxMs: 5 },
    ...extra,
  });
  clients.push(helix);
  return helix;
}

describe('rate limiting (emulator)', () => {
  it('fails a 429 that is a Twitch limit at once (conduit count), without retrying', async () => {
    const helix = client();
    for (const c of await helix.eventSub.getConduits()) await helix.eventSub.deleteConduit(c.id);
    for (let i = 0; i < 5; i++) await helix.eventSub.createConduit({ shardCount: 1 });
    const before = emu.state().helix.requests;
    const err = await helix.eventSub.createConduit({ shardCount: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HTTPError);
    const http = err as HTTPError;
    expect(http.code).toBe('LIMIT_EXCEEDED');
    expect(http.status).toBe(429);
    expect(http.twitchMessage).toBe('conduit limit reached');
    expect(http.rateLimit?.remaining).toBeGreaterThan(0);
    expect(emu.state().helix.requests - before).toBe(1);
    for (const c of await helix.eventSub.getConduits()) await helix.eventSub.deleteConduit(c.id);
  });
});

describe('retries', () => {
  it('retries 5xx from the emulator, then surfaces a SERVER_ERROR', async () => {
    emu.setFaults({ helixErrorRate: 1 });
    const helix = client({ maxRetries: 3 });
    const before = emu.state().helix.faulted;
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HTTPError);
    expect((err as HTTPError).code).toBe('SERVER_ERROR');
    const attempts = emu.state().helix.faulted - before;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(4);
    expect(helix.http.stats.retries).toBe(attempts - 1);
  });

  it('recovers from 500s within the retry budget', async () => {
    const helix = scriptedClient({ maxRetries: 3 });
    scripted.script(
      {
        status: 500,
        headers: okHeaders(),
        body: { error: 'Internal Server Error', status: 500, message: '' },
      },
      { status: 502, headers: okHeaders() },
      { status: 200, headers: okHeaders(), body: { data: [{ id: 'c1', shard_count: 3 }] } },
    );
    const conduits = await helix.eventSub.getConduits();
    expect(conduits).toEqual([{ id: 'c1', shardCount: 3 }]);
    expect(scripted.requests).toHaveLength(3);
  });

  it('bounds the retries of a GET that keeps failing with 500 (maxRetries, then SERVER_ERROR)', async () => {
    const helix = scriptedClient({ maxRetries: 3 });
    scripted.script({ status: 500, body: { error: 'Internal Server Error', status: 500, message: '' } });
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect((err as HTTPError).code).toBe('SERVER_ERROR');
    expect(scripted.requests).toHaveLength(4);
    expect(helix.http.stats.retries).toBe(3);
  });

  it('retries a 503 only once, as Twitch documents', async () => {
    const helix = scriptedClient({ maxRetries: 5 });
    scripted.script({
      status: 503,
      headers: okHeaders(),
      body: { error: 'Service Unavailable', status: 503, message: '' },
    });
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect((err as HTTPError).status).toBe(503);
    expect(scripted.requests).toHaveLength(2);
  });

  it('retries a dropped connection for GET but not for POST', async () => {
    const helix = scriptedClient({ maxRetries: 2 });
    scripted.script('destroy', { status: 200, headers: okHeaders(), body: { data: [] } });
    expect(await helix.eventSub.getConduits()).toEqual([]);
    expect(scripted.requests).toHaveLength(2);

    scripted.script('destroy', {
      status: 200,
      headers: okHeaders(),
      body: { data: [{ id: 'x', shard_count: 1 }] },
    });
    const err = await helix.eventSub.createConduit({ shardCount: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('NETWORK_ERROR');
    expect((err as NetworkError).message).toMatch(/^POST \/eventsub\/conduits failed: .*\(ECONNRESET\)$/);
    expect(scripted.requests).toHaveLength(1);
  });

  it('surfaces an answer it cannot read (unknown Content-Encoding) at once, without retrying', async () => {
    const helix = scriptedClient({ maxRetries: 3 });
    scripted.script({
      status: 200,
      headers: { ...okHeaders(), 'content-encoding': 'zstd' },
      body: { data: [] },
    });
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwitchError);
    expect((err as TwitchError).code).toBe('BAD_RESPONSE');
    expect(scripted.requests).toHaveLength(1);
  });

  it('refuses a token Node will not put in a header (INVALID_ARGUMENT), without sending or retrying', async () => {
    const token = 'first-line-of-token\nsecond-line-0123456789';
    const helix = new HelixClient({
      clientId: 'cid',
      auth: new StaticAuthProvider({ clientId: 'cid', appToken: token }),
      helixUrl: scripted.url,
      retryBackoff: { initialMs: 1, maxMs: 5 },
    });
    clients.push(helix);
    scripted.script({ status: 200, headers: okHeaders(), body: { data: [] } });
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TwitchError);
    expect((err as TwitchError).code).toBe('INVALID_ARGUMENT');
    expect(inspect(err, { depth: 10 })).not.toContain('second-line');
    expect(scripted.requests).toHaveLength(0);
    expect(helix.http.stats.retries).toBe(0);
  });

  it('keeps the results of applied shard chunks when another chunk fails whole', async () => {
    const helix = scriptedClient();
    const shards = ['0', '1', '2', '3'].map((id) => ({
      id,
      transport: { method: 'websocket' as const, sessionId: `s${id}` },
    }));
    scripted.script(
      {
        status: 202,
        headers: okHeaders(),
        body: {
          data: [{ id: '0', status: 'enabled', transport: { method: 'websocket', session_id: 's0' } }],
          errors: [{ id: '1', message: 'session is not connected', code: 'invalid_parameter' }],
        },
      },
      { status: 400, headers: okHeaders(), body: { error: 'Bad Request', status: 400, message: 'nope' } },
    );
    const result = await helix.eventSub.updateConduitShards('c1', shards, { chunkSize: 2, parallel: 1 });
    expect(result.shards.map((x) => x.id)).toEqual(['0']);
    expect(result.errors.map((e) => [e.id, e.code])).toEqual([
      ['1', 'invalid_parameter'],
      ['2', 'BAD_REQUEST'],
      ['3', 'BAD_REQUEST'],
    ]);
    expect(result.errors[1]?.cause).toBeInstanceOf(HTTPError);
    expect(result.errors[0]?.cause).toBeUndefined();

    // Nothing applied: the failure is thrown as it is.
    scripted.script({
      status: 400,
      headers: okHeaders(),
      body: { error: 'Bad Request', status: 400, message: 'x' },
    });
    const err = await helix.eventSub
      .updateConduitShards('c1', shards, { chunkSize: 2, parallel: 2 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HTTPError);
    expect(scripted.requests).toHaveLength(2);
    await expect(
      helix.eventSub.updateConduitShards('c1', shards, { parallel: Number.NaN }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'parallel' });
  });

  it('does not repeat a POST after a 500/502/504 (it may have been applied), but retries its 503 once', async () => {
    const helix = scriptedClient({ maxRetries: 3 });
    for (const status of [500, 502, 504]) {
      scripted.script(
        { status, headers: okHeaders(), body: { error: 'Bad Gateway', status, message: '' } },
        { status: 200, headers: okHeaders(), body: { data: [{ id: 'second', shard_count: 2 }] } },
      );
      const before = scripted.requests.length;
      const err = await helix.eventSub.createConduit({ shardCount: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HTTPError);
      expect((err as HTTPError).status).toBe(status);
      expect(scripted.requests.length - before).toBe(1);
    }
    scripted.script(
      { status: 503, headers: okHeaders(), body: { error: 'Service Unavailable', status: 503, message: '' } },
      { status: 200, headers: okHeaders(), body: { data: [{ id: 'c3', shard_count: 2 }] } },
    );
    const before = scripted.requests.length;
    expect(await helix.eventSub.createConduit({ shardCount: 2 })).toEqual({ id: 'c3', shardCount: 2 });
    expect(scripted.requests.length - before).toBe(2);
  });

  it('retries createSubscription after a 502 (a duplicate answers 409, which callers handle)', async () => {
    const helix = scriptedClient({ maxRetries: 3 });
    const created = {
      id: 'sub-1',
      status: 'enabled',
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '1' },
      transport: { method: 'conduit', conduit_id: 'c1' },
      created_at: '2026-01-01T00:00:00Z',
      cost: 0,
    };
    scripted.script(
      { status: 502, headers: okHeaders(), body: { error: 'Bad Gateway', status: 502, message: '' } },
      {
        status: 202,
        headers: okHeaders(),
        body: { data: [created], total: 1, total_cost: 0, max_total_cost: 10000 },
      },
    );
    const before = scripted.requests.length;
    const result = await helix.eventSub.createSubscription({
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '1' },
      transport: { method: 'conduit', conduitId: 'c1' },
    });
    expect(result.subscription.id).toBe('sub-1');
    expect(scripted.requests.length - before).toBe(2);
  });

  it('waits for Ratelimit-Reset after a 429 with Remaining 0, then retries', async () => {
    const clock = new FakeClock(Date.now());
    const helix = scriptedClient({ clock });
    const resetAt = Math.floor(clock.now() / 1000) + 30;
    scripted.script(
      {
        status: 429,
        headers: { 'ratelimit-limit': '800', 'ratelimit-remaining': '0', 'ratelimit-reset': String(resetAt) },
        body: { error: 'Too Many Requests', status: 429, message: '' },
      },
      { status: 200, headers: okHeaders(), body: { data: [] } },
    );
    let done = false;
    const pending = helix.eventSub.getConduits().finally(() => (done = true));
    await until(() => helix.http.stats.rateLimitWaits > 0, 'the wait for the rate-limit reset');
    const armed = clock.pending;
    clock.advance(resetAt * 1000 - clock.now() - 1); // one millisecond before the reset: still waiting
    // The wait is a timer of the fake clock: none fired, so nothing was sent (no sleep needed to see that).
    expect(clock.pending).toBe(armed);
    expect(done).toBe(false);
    expect(scripted.requests).toHaveLength(1);
    clock.advance(1);
    expect(clock.pending).toBeLessThan(armed);
    expect(await pending).toEqual([]);
    expect(scripted.requests).toHaveLength(2);
    expect(helix.http.stats.rateLimitWaits).toBe(1);
  });

  it('keeps a bucket per token: an empty app bucket does not hold back a user token', async () => {
    const helix = new HelixClient({
      clientId: 'cid',
      auth: new StaticAuthProvider({
        clientId: 'cid',
        appToken: APP_TOKEN,
        userTokens: { '42': 'user-token-42-abcdef' },
      }),
      helixUrl: scripted.url,
      retryBackoff: { initialMs: 1, maxMs: 5 },
    });
    clients.push(helix);
    const resetIn60s = String(Math.floor(Date.now() / 1000) + 60);
    scripted.script(
      {
        status: 200,
        headers: { 'ratelimit-limit': '800', 'ratelimit-remaining': '0', 'ratelimit-reset': resetIn60s },
        body: { data: [] },
      },
      { status: 200, headers: okHeaders(), body: { data: [] } },
    );
    await helix.http.request({ method: 'GET', path: '/users' }); // the app bucket is now empty for 60 s
    expect(helix.http.rateLimitState()?.remaining).toBe(0);
    let appDone = false;
    const controller = new AbortController();
    const app = helix.http
      .request({ method: 'GET', path: '/users', signal: controller.signal })
      .finally(() => (appDone = true));
    await helix.http.request({ method: 'GET', path: '/users', auth: { userId: '42' } });
    expect(scripted.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${APP_TOKEN}`,
      'Bearer user-token-42-abcdef',
    ]);
    expect(helix.http.rateLimitState({ userId: '42' })?.remaining).toBe(799);
    expect(appDone).toBe(false); // still queued behind its own bucket
    controller.abort();
    await expect(app).rejects.toBeInstanceOf(AbortError);
  });

  it('works when responses carry no rate-limit headers (never waits for them)', async () => {
    const helix = scriptedClient({ concurrency: 8 });
    scripted.script({ status: 200, body: { data: [] } });
    const results = await Promise.all(Array.from({ length: 40 }, () => helix.eventSub.getConduits()));
    expect(results).toHaveLength(40);
    expect(helix.http.rateLimitState()?.limit).toBeNull();
  });

  it('treats a 429 without headers as an empty bucket with a bounded number of waits', async () => {
    const helix = scriptedClient({ maxRateLimitWaits: 2 });
    scripted.script({ status: 429, body: { error: 'Too Many Requests', status: 429, message: '' } });
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect((err as HTTPError).code).toBe('RATE_LIMITED');
    expect(scripted.requests).toHaveLength(3);
  });

  it('times out an attempt, retries it, then throws a TimeoutError', async () => {
    const helix = scriptedClient({ timeoutMs: 30, maxRetries: 1 });
    scripted.script('hang');
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(scripted.requests).toHaveLength(2);
  });

  it('aborts through an AbortSignal, queued or in flight', async () => {
    const helix = scriptedClient();
    scripted.script('hang');
    const controller = new AbortController();
    const pending = helix.eventSub.getConduits({ signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 20);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it('close() also ends a request waiting for the app token it is acquiring', async () => {
    let tokenCalls = 0;
    const o = emu.clientOptions();
    const helix = new HelixClient({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      clock: new FakeClock(), // no timeout can end the call either
      // The token endpoint never answers; only an abort ends the call.
      fetch: (url, init) => {
        if (!url.endsWith('/token')) return fetch(url, init);
        tokenCalls++;
        return new Promise((_resolve, reject) => {
          init.signal.addEventListener('abort', () => {
            reject(new Error('aborted by the transport'));
          });
        });
      },
    });
    const pending = helix.eventSub.getConduits();
    await until(() => tokenCalls > 0, 'the token request');
    helix.close();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it('close() ends a request waiting on an auth provider it was given', async () => {
    let asked = 0;
    // A provider whose token never comes (a refresh that hangs); only the signal it is given can end the wait.
    const hanging: AuthProvider = {
      clientId: 'cid',
      getAccessToken: (_context, signal) =>
        new Promise((_resolve, reject) => {
          asked++;
          signal?.addEventListener('abort', () => {
            reject(new Error('provider stopped waiting'));
          });
        }),
      renewAfterUnauthorized: () => Promise.resolve(null),
    };
    const helix = new HelixClient({ clientId: 'cid', auth: hanging, helixUrl: scripted.url });
    scripted.script({ status: 200, headers: okHeaders(), body: { data: [] } });
    const pending = helix.eventSub.getConduits();
    await until(() => asked > 0, 'the provider asked for a token');
    helix.close();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(scripted.requests).toHaveLength(0);
  });

  it('rejects queued and in-flight requests on close()', async () => {
    const helix = scriptedClient({ concurrency: 1 });
    scripted.script('hang');
    const a = helix.eventSub.getConduits();
    const b = helix.eventSub.getConduits();
    await until(() => scripted.requests.length === 1, 'the first request in flight (the second queued)');
    helix.close();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    await expect(b).rejects.toBeInstanceOf(AbortError);
  });
});

describe('401 handling', () => {
  it('renews the token once and retries once; a second 401 is an UNAUTHORIZED error', async () => {
    let renewals = 0;
    const auth: AuthProvider = {
      clientId: 'cid',
      getAccessToken: () => Promise.resolve('first-token-abcdef'),
      renewAfterUnauthorized: () => {
        renewals++;
        return Promise.resolve('second-token-abcdef');
      },
    };
    const helix = scriptedClient({ auth });
    scripted.script({
      status: 401,
      headers: okHeaders(),
      body: { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' },
    });
    const err = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect((err as HTTPError).code).toBe('UNAUTHORIZED');
    expect(renewals).toBe(1);
    expect(scripted.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer first-token-abcdef',
      'Bearer second-token-abcdef',
    ]);
  });
});

describe('errors and redaction', () => {
  it('builds an HTTPError with Twitch fields, rate-limit state and a redacted request', async () => {
    const helix = scriptedClient();
    scripted.script({
      status: 400,
      headers: okHeaders(42),
      body: { error: 'Bad Request', status: 400, message: 'invalid transport' },
    });
    const err = (await helix.eventSub
      .createSubscription({
        type: 'stream.online',
        version: '1',
        condition: { broadcaster_user_id: '1' },
        transport: { method: 'webhook', callback: 'https://x.test/cb', secret: 'webhook-secret-value' },
      })
      .catch((e: unknown) => e)) as HTTPError;
    expect(err).toBeInstanceOf(TwitchError);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.error).toBe('Bad Request');
    expect(err.twitchMessage).toBe('invalid transport');
    expect(err.method).toBe('POST');
    expect(err.path).toBe('/eventsub/subscriptions');
    expect(err.rateLimit).toMatchObject({ bucket: 'app', limit: 800, remaining: 42 });
    expect(err.request.headers.Authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(err.request.body)).toContain('[redacted]');
    expect(scripted.requests[0]!.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(scripted.requests[0]!.headers['client-id']).toBe('cid');
  });

  it('never shows tokens or secrets in error messages, inspect output, JSON or logs', async () => {
    const o = emu.clientOptions();
    const user = emu.mintUserToken({ userId: '4242', scopes: [] });
    const lines: string[] = [];
    const record = (level: string) => (message: string, context?: object) => {
      lines.push(`${level} ${message} ${inspect(context, { depth: 5 })}`);
    };
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const helix = client({ logger });
    emu.setFaults({ helixErrorRate: 1 });
    const errors: unknown[] = [];
    errors.push(await helix.eventSub.getConduits().catch((e: unknown) => e));
    emu.setFaults({ helixErrorRate: 0 });
    errors.push(
      await helix.eventSub
        .createSubscription({
          type: 'stream.online',
          version: '1',
          condition: { broadcaster_user_id: '4242' },
          transport: {
            method: 'webhook',
            callback: 'https://example.test:8443/cb',
            secret: 'super-secret-webhook',
          },
        })
        .catch((e: unknown) => e),
    );
    errors.push(await helix.oauth.validate(user.accessToken + 'x').catch((e: unknown) => e));
    errors.push(await helix.oauth.refresh('not-a-refresh-token-123').catch((e: unknown) => e));
    // The success path logs too, and so does a user-token provider whose refresh is refused.
    await helix.eventSub.getConduits();
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      logger,
    });
    await auth.addUser({ accessToken: user.accessToken, refreshToken: user.refreshToken });
    await helix.oauth.revoke(user.refreshToken);
    errors.push(
      await auth
        .renewAfterUnauthorized({ kind: 'user', userId: '4242' }, user.accessToken)
        .catch((e: unknown) => e),
    );
    auth.close();
    const haystack = [
      ...errors.map((e) => inspect(e, { depth: 10 })),
      ...errors.map((e) => JSON.stringify(e)),
      ...errors.map((e) => (e as Error).message),
      inspect(helix, { depth: 10 }),
      JSON.stringify(helix),
      ...lines,
    ].join('\n');
    expect(errors.map((e) => (e instanceof TwitchError ? e.code : inspect(e)))).toEqual([
      'SERVER_ERROR',
      'BAD_REQUEST',
      'UNAUTHORIZED',
      'BAD_REQUEST',
      'TOKEN_REVOKED',
    ]);
    expect(lines.some((l) => l.startsWith('debug helix GET /eventsub/conduits: ok'))).toBe(true);
    expect(lines.some((l) => l.startsWith('warn token refresh failed'))).toBe(true);
    expect(lines.some((l) => l.startsWith('warn token revoked'))).toBe(true);
    const appToken = await helix.http.auth.getAccessToken({ kind: 'app' });
    for (const secret of [
      appToken,
      user.accessToken,
      user.refreshToken,
      o.clientSecret,
      'super-secret-webhook',
      'not-a-refresh-token-123',
    ]) {
      expect(haystack).not.toContain(secret);
    }
  });
});
