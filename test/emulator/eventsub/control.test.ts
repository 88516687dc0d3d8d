import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../../src/emulator/index.js';
import { RawClient, bindShards } from './helpers.js';
import { appToken, control, createConduit, helix, startEmulator } from '../../support/emulator.js';
import { until } from '../../support/until.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('Emulator object', () => {
  it('starts on a free port and returns URLs and default credentials', async () => {
    emu = await Emulator.start({
      port: 0,
      clientId: 'my-client-id-0123456789abcdef',
      clientSecret: 'my-secret-0123456789',
    });
    const opts = emu.clientOptions();
    const port = new URL(emu.baseUrl).port;
    expect(opts).toEqual({
      clientId: 'my-client-id-0123456789abcdef',
      clientSecret: 'my-secret-0123456789',
      helixUrl: `http://127.0.0.1:${port}/helix`,
      oauthUrl: `http://127.0.0.1:${port}/oauth2`,
      eventSubWsUrl: `ws://127.0.0.1:${port}/ws`,
      pubSubUrl: `ws://127.0.0.1:${port}/pubsub`,
    });
    // The OAuth server of the platform issues app tokens usable on the EventSub routes.
    const token = await fetch(`${opts.oauthUrl}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        grant_type: 'client_credentials',
      }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    expect((await helix(emu, 'GET', '/eventsub/conduits', access_token)).status).toBe(200);
  });

  it('serves PubSub at pubSubUrl', async () => {
    emu = await startEmulator();
    const ws = new RawClient(emu.clientOptions().pubSubUrl);
    await ws.opened;
    const pong = new Promise<string>((resolve) => {
      ws.ws.once('message', (data: Buffer) => {
        resolve(data.toString());
      });
    });
    ws.ws.send(JSON.stringify({ type: 'PING' }));
    expect(JSON.parse(await pong)).toEqual({ type: 'PONG' });
    ws.close();
  });

  it('close() ends sockets and is idempotent; await using disposes', async () => {
    let url: string;
    let client: RawClient;
    {
      await using e = await startEmulator({ unusedTimeoutMs: 10_000 });
      url = e.clientOptions().eventSubWsUrl;
      client = (await RawClient.connect(url)).client;
    }
    await client.closed;
    const again = new RawClient(url);
    await expect(again.opened).rejects.toThrow();
    const e2 = await startEmulator();
    await Promise.all([e2.close(), e2.close()]);
  });

  it('rejects invalid options with a typed error', async () => {
    await expect(Emulator.start({ port: 0, pingIntervalMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'pingIntervalMs',
    });
  });
});

describe('control API', () => {
  it('POST /trigger returns {delivered, dropped}; validates input', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    await helix(emu, 'POST', '/eventsub/subscriptions', token, {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '100' },
      transport: { method: 'websocket', session_id: sessionId },
    });
    const res = await control(emu, 'POST', '/trigger', {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '100' },
      event: { type: 'live' },
      count: 3,
    });
    expect(res).toMatchObject({ status: 200, body: { delivered: 3, dropped: 0 } });
    await until(() => client.ofType('notification').length === 3);
    expect(
      (
        await control(emu, 'POST', '/trigger', {
          type: 'stream.online',
          condition: { broadcaster_user_id: '999' },
        })
      ).body,
    ).toEqual({
      delivered: 0,
      dropped: 0,
    });
    for (const bad of [
      { type: 'no.such.type' },
      { type: 'stream.online', version: '7' },
      { type: 'channel.follow', version: '1' },
      { type: 'stream.online', count: -1 },
      { type: 'stream.online', count: 'x' },
      { type: 'stream.online', condition: { a: 1 } },
      {},
      [1],
    ]) {
      const r = await control(emu, 'POST', '/trigger', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body).toMatchObject({ status: 400, error: 'Bad Request' });
    }
    expect((await control(emu, 'POST', '/trigger', { subscription_id: 'nope' })).status).toBe(400);
    client.close();
  });

  it('POST /sessions/{id}/reconnect, /keepalive and /close drive a session', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000, keepaliveSecondMs: 5, reconnectGraceMs: 5_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const app = appToken(emu);
    const conduit = await createConduit(emu, 1, app);
    await bindShards(emu, app, conduit, [sessionId]);

    expect((await control(emu, 'POST', `/sessions/${sessionId}/keepalive`, { enabled: 'no' })).status).toBe(
      400,
    );
    expect((await control(emu, 'POST', `/sessions/${sessionId}/keepalive`, { enabled: false })).status).toBe(
      200,
    );
    expect(emu.state().sessions[0]!.keepalive_enabled).toBe(false);

    const rec = await control(emu, 'POST', `/sessions/${sessionId}/reconnect`);
    expect(rec.status).toBe(200);
    const msg = await client.next('session_reconnect');
    expect(msg.payload.session.reconnect_url).toBe(rec.body.reconnect_url);
    expect((await control(emu, 'POST', `/sessions/${sessionId}/reconnect`)).status).toBe(409);
    const fresh = await RawClient.connect(rec.body.reconnect_url);
    client.close();

    expect((await control(emu, 'POST', `/sessions/${sessionId}/close`, { code: 4006 })).status).toBe(200);
    expect((await fresh.client.closed).code).toBe(4006);
    expect((await control(emu, 'POST', `/sessions/${sessionId}/close`, { code: 4006 })).status).toBe(409);
    expect((await control(emu, 'POST', '/sessions/unknown/close', { code: 4000 })).status).toBe(404);
    expect((await control(emu, 'POST', `/sessions/${sessionId}/explode`, {})).status).toBe(404);
    expect((await control(emu, 'POST', `/sessions/${sessionId}/close`, { code: 12 })).status).toBe(400);
  });

  it('GET /state reports clients, sessions, conduits, shards, subscriptions and counters', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const app = appToken(emu);
    const conduit = await createConduit(emu, 2, app);
    await bindShards(emu, app, conduit, [sessionId]);
    const res = await control(emu, 'GET', '/state');
    expect(res.status).toBe(200);
    expect(res.body.clients).toContainEqual({ client_id: emu.clientId });
    expect(res.body.sessions).toEqual([
      expect.objectContaining({
        id: sessionId,
        status: 'connected',
        shard: { conduit_id: conduit, shard_id: '0' },
      }),
    ]);
    expect(res.body.conduits).toEqual([
      expect.objectContaining({ id: conduit, client_id: emu.clientId, shard_count: 2, enabled_shards: 1 }),
    ]);
    expect(res.body.conduits[0].shards).toHaveLength(2);
    expect(Object.keys(res.body.counters).sort()).toEqual(
      [
        'conduits_expired',
        'delivered',
        'dropped',
        'duplicates_sent',
        'keepalives_sent',
        'notifications_sent',
        'retried',
        'revocations_sent',
        'sessions_closed',
        'sessions_opened',
      ].sort(),
    );
    expect(res.body.counters.sessions_opened).toBe(1);
    client.close();
  });

  it('POST /faults forwards helix_* to the platform', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    expect((await control(emu, 'POST', '/faults', { helix_error_rate: 1 })).status).toBe(200);
    const res = await helix(emu, 'GET', '/eventsub/conduits', app);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect((await control(emu, 'POST', '/faults', { helix_error_rate: 0 })).status).toBe(200);
    expect((await helix(emu, 'GET', '/eventsub/conduits', app)).status).toBe(200);
    expect((await control(emu, 'POST', '/faults', { drop_session_every_ms: -5 })).status).toBe(400);
  });

  it('POST /faults and emu.setFaults take fault durations in whole milliseconds only (0.001 was a 1 ms drop timer)', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    for (const body of [
      { drop_session_every_ms: 0.001, helix_error_rate: 1 },
      { drop_session_every_ms: 2.5, helix_error_rate: 1 },
      { helix_latency_ms: 0.5, helix_error_rate: 1 },
      { drop_session_every_ms: 2 ** 31, helix_error_rate: 1 },
    ]) {
      const res = await control(emu, 'POST', '/faults', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(Object.keys(body)[0]);
      expect(res.body.message).toContain('whole number of milliseconds');
    }
    // Refused as a whole: the error rate sent along was not applied either.
    expect((await helix(emu, 'GET', '/eventsub/conduits', app)).status).toBe(200);
    for (const faults of [{ dropSessionEveryMs: 0.001 }, { helixLatencyMs: 0.5 }]) {
      expect(() => {
        emu!.setFaults(faults);
      }).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: Object.keys(faults)[0] }));
    }
    expect(
      (await control(emu, 'POST', '/faults', { drop_session_every_ms: 1, helix_latency_ms: 0 })).body,
    ).toEqual({
      applied: ['helixLatencyMs', 'dropSessionEveryMs'],
    });
    emu.setFaults({ dropSessionEveryMs: 0 });
  });

  it('streams deliver at a rate until count, and can be stopped over HTTP', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    await helix(emu, 'POST', '/eventsub/subscriptions', token, {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '100' },
      transport: { method: 'websocket', session_id: sessionId },
    });
    const stream = emu.stream({ type: 'stream.online', ratePerSecond: 2000, count: 40 });
    expect(await stream.done).toEqual({ delivered: 40, dropped: 0 });
    await until(() => client.ofType('notification').length === 40);

    const started = await control(emu, 'POST', '/streams', { type: 'stream.online', rate_per_second: 100 });
    expect(started.status).toBe(200);
    expect((await control(emu, 'DELETE', `/streams?id=${started.body.id}`)).status).toBe(204);
    expect((await control(emu, 'DELETE', `/streams?id=${started.body.id}`)).status).toBe(404);
    expect((await control(emu, 'POST', '/streams', { type: 'stream.online' })).status).toBe(400);
    expect(
      (await control(emu, 'POST', '/streams', { type: 'stream.online', rate_per_second: 0 })).status,
    ).toBe(400);
    client.close();
  });
});

describe('robustness', () => {
  it('arbitrary JSON bodies on every EventSub route answer a Twitch-shaped 4xx, never a crash', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const e = emu;
    const app = appToken(e);
    const user = e.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    const conduit = await createConduit(e, 2, app);
    const { client, sessionId } = await RawClient.connect(e.clientOptions().eventSubWsUrl);
    const value = fc.oneof(
      fc.jsonValue(),
      fc.record({
        type: fc.constantFrom('stream.online', 'channel.follow', 'x'),
        version: fc.constantFrom('1', '2', 1),
        condition: fc.oneof(
          fc.dictionary(
            fc.constantFrom('broadcaster_user_id', 'moderator_user_id', 'client_id'),
            fc.string(),
          ),
          fc.jsonValue(),
        ),
        transport: fc.oneof(
          fc.record({
            method: fc.constantFrom('websocket', 'conduit', 'webhook'),
            session_id: fc.constantFrom(sessionId, 'x'),
            conduit_id: fc.constantFrom(conduit, 'y'),
          }),
          fc.jsonValue(),
        ),
        conduit_id: fc.constantFrom(conduit, 3),
        shards: fc.oneof(
          fc.array(fc.record({ id: fc.oneof(fc.string(), fc.integer()), transport: fc.jsonValue() })),
          fc.jsonValue(),
        ),
        shard_count: fc.oneof(fc.integer(), fc.jsonValue()),
        id: fc.oneof(fc.string(), fc.constant(conduit)),
      }),
    );
    const routes: [string, string, string][] = [
      ['POST', '/eventsub/subscriptions', app],
      ['POST', '/eventsub/subscriptions', user],
      ['POST', '/eventsub/conduits', app],
      ['PATCH', '/eventsub/conduits', app],
      ['PATCH', '/eventsub/conduits/shards', app],
    ];
    await fc.assert(
      fc.asyncProperty(value, fc.constantFrom(...routes), async (body, [method, path, token]) => {
        const res = await helix(e, method, path, token, body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400)
          expect(res.body).toMatchObject({ status: res.status, message: expect.any(String) });
      }),
      { numRuns: 100 },
    );
    const state = await control(e, 'GET', '/state');
    expect(state.status).toBe(200);
    client.close();
  });
});
