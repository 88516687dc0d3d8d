import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { RawClient } from './helpers.js';
import { appToken, createConduit, helix, startEmulator } from '../../support/emulator.js';
import { until } from '../../support/until.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const SUBS = '/eventsub/subscriptions';

function follow(broadcaster: string, moderator: string, transport: unknown): unknown {
  return {
    type: 'channel.follow',
    version: '2',
    condition: { broadcaster_user_id: broadcaster, moderator_user_id: moderator },
    transport,
  };
}

function online(broadcaster: string, transport: unknown): unknown {
  return { type: 'stream.online', version: '1', condition: { broadcaster_user_id: broadcaster }, transport };
}

/** Creates a user that exists but has not authorized the default client. */
function strangerUser(e: Emulator, userId: string): void {
  const other = e.registerClient();
  e.mintUserToken({ userId, scopes: [], clientId: other.clientId });
}

describe('Create EventSub Subscription: websocket', () => {
  it('creates with a user token: 202, enabled, session echo, totals with max_total_cost 10', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: ['moderator:read:followers'] }).accessToken;
    emu.mintUserToken({ userId: '200', scopes: [] });
    const res = await helix(
      emu,
      'POST',
      SUBS,
      token,
      follow('200', '100', { method: 'websocket', session_id: sessionId }),
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      data: [
        {
          id: expect.any(String),
          status: 'enabled',
          type: 'channel.follow',
          version: '2',
          condition: { broadcaster_user_id: '200', moderator_user_id: '100' },
          transport: { method: 'websocket', session_id: sessionId, connected_at: expect.any(String) },
          created_at: expect.stringMatching(/\.\d{9}Z$/),
          cost: 0,
        },
      ],
      total: 1,
      total_cost: 0,
      max_total_cost: 10,
    });
    client.close();
  });

  it('rejects bad bodies, unknown and removed types, and wrong transports in the documented order', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const user = emu.mintUserToken({ userId: '100', scopes: ['moderator:read:followers'] }).accessToken;
    const app = appToken(emu);
    const ws = { method: 'websocket', session_id: sessionId };
    const cases: [string, unknown, string, number, RegExp?][] = [
      ['not an object', [1, 2], user, 400],
      ['missing type', { version: '1', condition: {}, transport: ws }, user, 400, /type/],
      ['missing condition', { type: 'stream.online', version: '1', transport: ws }, user, 400, /condition/],
      ['unknown type', { ...(online('100', ws) as object), type: 'nope.nope' }, user, 400],
      ['unknown version', { ...(online('100', ws) as object), version: '9' }, user, 400],
      [
        'removed version',
        { ...(follow('200', '100', ws) as object), version: '1' },
        user,
        410,
        /not available/,
      ],
      [
        'withdrawn version (channel.update v1)',
        { ...(online('100', ws) as object), type: 'channel.update' },
        user,
        400,
        /^cannot use deprecated subscription type and version$/,
      ],
      [
        'withdrawn version (channel.hype_train.begin v1, since 2026-01-15)',
        { ...(online('100', ws) as object), type: 'channel.hype_train.begin' },
        user,
        400,
        /^cannot use deprecated subscription type and version$/,
      ],
      ['bad method', online('100', { method: 'pigeon' }), user, 400],
      [
        'websocket-less type',
        {
          type: 'user.authorization.grant',
          version: '1',
          condition: { client_id: emu.clientId },
          transport: ws,
        },
        user,
        400,
      ],
      ['app token on websocket', online('100', ws), app, 401],
      ['user token on conduit', online('100', { method: 'conduit', conduit_id: 'x' }), user, 401],
      [
        'missing condition key',
        { type: 'channel.follow', version: '2', condition: { broadcaster_user_id: '200' }, transport: ws },
        user,
        400,
        /moderator_user_id/,
      ],
      ['unknown user', online('987654', ws), user, 400, /broadcaster_user_id/],
      ['missing session', online('100', { method: 'websocket' }), user, 400, /session_id/],
      [
        'dead session',
        online('100', { method: 'websocket', session_id: 'nope' }),
        user,
        400,
        /does not exist or has already disconnected/,
      ],
    ];
    for (const [name, body, token, status, message] of cases) {
      const res = await helix(emu, 'POST', SUBS, token, body);
      expect(res.status, name).toBe(status);
      expect(res.body.status, name).toBe(status);
      expect(typeof res.body.error, name).toBe('string');
      if (message !== undefined) expect(res.body.message, name).toMatch(message);
    }
    const invalidJson = await helix(emu, 'POST', SUBS, user, '{"type":');
    expect(invalidJson.status).toBe(400);
    client.close();
  });

  it('needs the scopes in the user token, and the token user in the condition (403)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const ws = { method: 'websocket', session_id: sessionId };
    emu.mintUserToken({ userId: '200', scopes: [] });
    const noScope = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    expect((await helix(emu, 'POST', SUBS, noScope, follow('200', '100', ws))).status).toBe(403);
    const scoped = emu.mintUserToken({ userId: '101', scopes: ['moderator:read:followers'] }).accessToken;
    expect((await helix(emu, 'POST', SUBS, scoped, follow('200', '100', ws))).status).toBe(403);
    expect((await helix(emu, 'POST', SUBS, scoped, follow('200', '101', ws))).status).toBe(202);
    client.close();
  });

  it('rejects a Client-Id that does not match the token (401)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    const other = emu.registerClient();
    const res = await helix(
      emu,
      'POST',
      SUBS,
      token,
      online('100', { method: 'websocket', session_id: sessionId }),
      other.clientId,
    );
    expect(res.status).toBe(401);
    client.close();
  });

  it('limits a user token to 3 connections with enabled subscriptions', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    const clients: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const { client, sessionId } = await RawClient.connect(url);
      clients.push(client);
      emu.mintUserToken({ userId: String(200 + i), scopes: [] });
      const res = await helix(
        emu,
        'POST',
        SUBS,
        token,
        online(String(200 + i), { method: 'websocket', session_id: sessionId }),
      );
      if (i < 3) expect(res.status).toBe(202);
      else {
        expect(res.status).toBe(429);
        expect(res.body).toEqual({
          error: 'Too Many Requests',
          status: 429,
          message: 'number of websocket transports limit exceeded',
        });
      }
    }
    // Another user is not affected.
    const other = emu.mintUserToken({ userId: '101', scopes: [] }).accessToken;
    const { client, sessionId } = await RawClient.connect(url);
    clients.push(client);
    expect(
      (await helix(emu, 'POST', SUBS, other, online('101', { method: 'websocket', session_id: sessionId })))
        .status,
    ).toBe(202);
    // Closing one connection frees a slot.
    clients[0]!.close();
    await clients[0]!.closed;
    await until(() => emu!.state().sessions.filter((s) => s.status === 'closed').length === 1);
    const { client: again, sessionId: againId } = await RawClient.connect(url);
    clients.push(again);
    expect(
      (await helix(emu, 'POST', SUBS, token, online('203', { method: 'websocket', session_id: againId })))
        .status,
    ).toBe(202);
    for (const c of clients) c.close();
  });

  it('limits websocket total cost to 10', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    for (let i = 0; i < 11; i++) {
      strangerUser(emu, String(500 + i));
      const res = await helix(
        emu,
        'POST',
        SUBS,
        token,
        online(String(500 + i), { method: 'websocket', session_id: sessionId }),
      );
      if (i < 10) {
        expect(res.status).toBe(202);
        expect(res.body.data[0].cost).toBe(1);
        expect(res.body.total_cost).toBe(i + 1);
      } else {
        expect(res.status).toBe(429);
        expect(res.body.message).toMatch(/cost/);
      }
    }
    client.close();
  });

  it('limits a connection to 300 enabled subscriptions', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    const ws = { method: 'websocket', session_id: sessionId };
    for (let i = 0; i < 301; i++) emu.mintUserToken({ userId: String(1000 + i), scopes: [] }); // authorized: cost 0
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => helix(emu!, 'POST', SUBS, token, online(String(1000 + i), ws))),
    );
    expect(results.every((r) => r.status === 202)).toBe(true);
    const extra = await helix(emu, 'POST', SUBS, token, online('1300', ws));
    expect(extra.status).toBe(429);
    expect(extra.body.message).not.toBe('number of websocket transports limit exceeded');
    client.close();
  });
});

describe('Create EventSub Subscription: conduit and webhook (app token)', () => {
  it('requires the condition users to have authorized the client with the needed scopes', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    const conduit = await createConduit(emu, 1, app);
    const transport = { method: 'conduit', conduit_id: conduit };
    strangerUser(emu, '200');
    strangerUser(emu, '100');
    expect((await helix(emu, 'POST', SUBS, app, follow('200', '100', transport))).status).toBe(403);
    emu.mintUserToken({ userId: '100', scopes: ['user:read:email'] });
    expect((await helix(emu, 'POST', SUBS, app, follow('200', '100', transport))).status).toBe(403);
    emu.mintUserToken({ userId: '100', scopes: ['moderator:read:followers'] });
    const ok = await helix(emu, 'POST', SUBS, app, follow('200', '100', transport));
    expect(ok.status).toBe(202);
    expect(ok.body.data[0].transport).toEqual({ method: 'conduit', conduit_id: conduit });
    expect(ok.body.max_total_cost).toBe(10_000);
    // Unauthorized broadcaster on a no-scope type: cost 1.
    const cost1 = await helix(emu, 'POST', SUBS, app, online('200', transport));
    expect(cost1.body.data[0].cost).toBe(1);
    expect(cost1.body.total).toBe(2);
    expect(cost1.body.total_cost).toBe(1);
  });

  it('409 for an identical enabled subscription, 429 past 3 with the same type+condition', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    emu.mintUserToken({ userId: '100', scopes: [] });
    const conduits: string[] = [];
    for (let i = 0; i < 4; i++) conduits.push(await createConduit(emu, 1, app));
    const first = await helix(
      emu,
      'POST',
      SUBS,
      app,
      online('100', { method: 'conduit', conduit_id: conduits[0] }),
    );
    expect(first.status).toBe(202);
    const dup = await helix(
      emu,
      'POST',
      SUBS,
      app,
      online('100', { method: 'conduit', conduit_id: conduits[0] }),
    );
    expect(dup.status).toBe(409);
    // The 409 names the subscription that exists (as Twitch does since 2026; TwitchIO reads the id after `id=`).
    expect(dup.body).toEqual({
      error: 'Conflict',
      status: 409,
      message: `subscription already exists, id=${first.body.data[0].id as string}`,
    });
    expect(
      (await helix(emu, 'POST', SUBS, app, online('100', { method: 'conduit', conduit_id: conduits[1] })))
        .status,
    ).toBe(202);
    expect(
      (await helix(emu, 'POST', SUBS, app, online('100', { method: 'conduit', conduit_id: conduits[2] })))
        .status,
    ).toBe(202);
    const fourth = await helix(
      emu,
      'POST',
      SUBS,
      app,
      online('100', { method: 'conduit', conduit_id: conduits[3] }),
    );
    expect(fourth.status).toBe(429);
    // A different condition is not affected; deleting one frees a slot.
    emu.mintUserToken({ userId: '101', scopes: [] });
    expect(
      (await helix(emu, 'POST', SUBS, app, online('101', { method: 'conduit', conduit_id: conduits[3] })))
        .status,
    ).toBe(202);
    expect((await helix(emu, 'DELETE', `${SUBS}?id=${first.body.data[0].id}`, app)).status).toBe(204);
    expect(
      (await helix(emu, 'POST', SUBS, app, online('100', { method: 'conduit', conduit_id: conduits[3] })))
        .status,
    ).toBe(202);
  });

  it('conduit must exist and be owned; client_id conditions must match the token', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    emu.mintUserToken({ userId: '100', scopes: [] });
    expect((await helix(emu, 'POST', SUBS, app, online('100', { method: 'conduit' }))).status).toBe(400);
    expect(
      (await helix(emu, 'POST', SUBS, app, online('100', { method: 'conduit', conduit_id: 'nope' }))).status,
    ).toBe(404);
    const other = emu.registerClient();
    const otherApp = emu.mintAppToken(other.clientId).accessToken;
    const foreign = await helix(
      emu,
      'POST',
      '/eventsub/conduits',
      otherApp,
      { shard_count: 1 },
      other.clientId,
    );
    const foreignId = foreign.body.data[0].id;
    expect(
      (await helix(emu, 'POST', SUBS, app, online('100', { method: 'conduit', conduit_id: foreignId })))
        .status,
    ).toBe(404);
    const mine = await createConduit(emu, 1, app);
    const shardSub = (clientId: string): unknown => ({
      type: 'conduit.shard.disabled',
      version: '1',
      condition: { client_id: clientId },
      transport: { method: 'conduit', conduit_id: mine },
    });
    expect((await helix(emu, 'POST', SUBS, app, shardSub(other.clientId))).status).toBe(403);
    expect((await helix(emu, 'POST', SUBS, app, shardSub(emu.clientId))).status).toBe(202);
  });

  it('webhook: pending status, secret and callback validation, secret never echoed', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    emu.mintUserToken({ userId: '100', scopes: [] });
    const hook = (callback: string, secret: string): unknown =>
      online('100', { method: 'webhook', callback, secret });
    expect((await helix(emu, 'POST', SUBS, app, hook('https://example.com/cb', 'short'))).status).toBe(400);
    expect(
      (await helix(emu, 'POST', SUBS, app, hook('https://example.com/cb', 'x'.repeat(101)))).status,
    ).toBe(400);
    expect(
      (await helix(emu, 'POST', SUBS, app, hook('http://example.com/cb', 'long-enough-secret'))).status,
    ).toBe(400);
    expect(
      (await helix(emu, 'POST', SUBS, app, hook('https://example.com:8443/cb', 'long-enough-secret'))).status,
    ).toBe(400);
    expect(
      (await helix(emu, 'POST', SUBS, app, hook('http://127.0.0.1:9/cb', 'long-enough-secret'))).status,
    ).toBe(400);
    const ok = await helix(emu, 'POST', SUBS, app, hook('https://example.com/cb', 'long-enough-secret'));
    expect(ok.status).toBe(202);
    expect(ok.body.data[0].status).toBe('webhook_callback_verification_pending');
    expect(ok.body.data[0].transport).toEqual({ method: 'webhook', callback: 'https://example.com/cb' });
    expect(JSON.stringify(ok.body)).not.toContain('long-enough-secret');
    expect(JSON.stringify(emu.state())).not.toContain('long-enough-secret');
    const user = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    expect(
      (await helix(emu, 'POST', SUBS, user, hook('https://example.com/cb', 'long-enough-secret'))).status,
    ).toBe(401);
    await emu.close();

    emu = await startEmulator({ allowInsecureWebhooks: true });
    emu.mintUserToken({ userId: '100', scopes: [] });
    const insecure = await helix(
      emu,
      'POST',
      SUBS,
      appToken(emu),
      hook('http://127.0.0.1:9/cb', 'long-enough-secret'),
    );
    expect(insecure.status).toBe(202);
  });

  it('batched types require is_batching_enabled', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    const conduit = await createConduit(emu, 1, app);
    const body = {
      type: 'drop.entitlement.grant',
      version: '1',
      condition: { organization_id: 'org-1' },
      transport: { method: 'conduit', conduit_id: conduit },
    };
    expect((await helix(emu, 'POST', SUBS, app, body)).status).toBe(400);
    expect((await helix(emu, 'POST', SUBS, app, { ...body, is_batching_enabled: true })).status).toBe(202);
  });
});

describe('Get and Delete EventSub Subscriptions', () => {
  async function seed(e: Emulator): Promise<{ app: string; conduit: string; ids: string[] }> {
    const app = appToken(e);
    const conduit = await createConduit(e, 1, app);
    const ids: string[] = [];
    for (const id of ['100', '101', '102']) {
      e.mintUserToken({ userId: id, scopes: ['moderator:read:followers'] });
      const a = await helix(e, 'POST', SUBS, app, online(id, { method: 'conduit', conduit_id: conduit }));
      const b = await helix(e, 'POST', SUBS, app, follow(id, id, { method: 'conduit', conduit_id: conduit }));
      ids.push(a.body.data[0].id, b.body.data[0].id);
    }
    return { app, conduit, ids };
  }

  it('filters are mutually exclusive; each filter works', async () => {
    emu = await startEmulator();
    const { app, conduit, ids } = await seed(emu);
    const get = (q: string) => helix(emu!, 'GET', `${SUBS}${q}`, app);
    expect((await get('?status=enabled&type=stream.online')).status).toBe(400);
    expect((await get('?user_id=100&subscription_id=x')).status).toBe(400);
    expect((await get('?conduit_id=x&status=enabled')).status).toBe(400);
    expect((await get('?status=bogus')).status).toBe(400);
    expect((await get('?type=bogus.type')).status).toBe(400);
    expect((await get('?after=garbage')).status).toBe(400);

    const all = await get('');
    expect(all.status).toBe(200);
    expect(all.body.data.map((s: { id: string }) => s.id)).toEqual(ids);
    expect(all.body).toMatchObject({ total: 6, total_cost: 0, max_total_cost: 10_000, pagination: {} });
    expect((await get('?type=stream.online')).body.data).toHaveLength(3);
    expect((await get('?status=enabled')).body.data).toHaveLength(6);
    expect((await get('?status=authorization_revoked')).body.data).toHaveLength(0);
    expect((await get('?user_id=101')).body.data.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[3]]);
    expect((await get(`?subscription_id=${ids[4]}`)).body.data.map((s: { id: string }) => s.id)).toEqual([
      ids[4],
    ]);
    expect((await get('?subscription_id=unknown')).body.data).toEqual([]);
    expect((await get(`?conduit_id=${conduit}`)).body.data).toHaveLength(6);
    expect((await get('?conduit_id=other')).body.data).toHaveLength(0);
  });

  it('paginates with a cursor, oldest first', async () => {
    emu = await startEmulator({ subscriptionPageSize: 4 });
    const { app, ids } = await seed(emu);
    const page1 = await helix(emu, 'GET', SUBS, app);
    expect(page1.body.data.map((s: { id: string }) => s.id)).toEqual(ids.slice(0, 4));
    const cursor = page1.body.pagination.cursor;
    expect(typeof cursor).toBe('string');
    const page2 = await helix(emu, 'GET', `${SUBS}?after=${cursor}`, app);
    expect(page2.body.data.map((s: { id: string }) => s.id)).toEqual(ids.slice(4));
    expect(page2.body.pagination).toEqual({});
  });

  it('app tokens see webhook/conduit subscriptions, user tokens their own websocket ones', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { app } = await seed(emu);
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const user = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    const created = await helix(
      emu,
      'POST',
      SUBS,
      user,
      online('100', { method: 'websocket', session_id: sessionId }),
    );
    const mine = await helix(emu, 'GET', SUBS, user);
    expect(mine.body.data.map((s: { id: string }) => s.id)).toEqual([created.body.data[0].id]);
    expect(mine.body.max_total_cost).toBe(10);
    const other = emu.mintUserToken({ userId: '101', scopes: [] }).accessToken;
    expect((await helix(emu, 'GET', SUBS, other)).body.data).toEqual([]);
    expect((await helix(emu, 'GET', SUBS, app)).body.data).toHaveLength(6);
    client.close();
  });

  it('DELETE: 204, then 404; 400 without id; token kind must match the transport', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { app, ids } = await seed(emu);
    const user = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    expect((await helix(emu, 'DELETE', SUBS, app)).status).toBe(400);
    expect((await helix(emu, 'DELETE', `${SUBS}?id=${ids[0]}`, user)).status).toBe(401);
    expect((await helix(emu, 'DELETE', `${SUBS}?id=${ids[0]}`, app)).status).toBe(204);
    expect((await helix(emu, 'DELETE', `${SUBS}?id=${ids[0]}`, app)).status).toBe(404);
    const other = emu.registerClient();
    const otherApp = emu.mintAppToken(other.clientId).accessToken;
    expect(
      (await helix(emu, 'DELETE', `${SUBS}?id=${ids[1]}`, otherApp, undefined, other.clientId)).status,
    ).toBe(404);
  });

  it('disabled websocket subscriptions stay listed for the retention window, then are pruned', async () => {
    emu = await startEmulator({
      unusedTimeoutMs: 10_000,
      websocketSubscriptionRetentionMs: 80,
      sessionRetentionMs: 80,
    });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const user = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    await helix(emu, 'POST', SUBS, user, online('100', { method: 'websocket', session_id: sessionId }));
    client.close();
    await client.closed;
    await until(() => emu!.state().subscriptions[0]?.status === 'websocket_disconnected');
    const listed = await helix(emu, 'GET', SUBS, user);
    expect(listed.body.data[0].status).toBe('websocket_disconnected');
    expect(listed.body.data[0].transport.disconnected_at).toEqual(expect.any(String));
    await until(() => emu!.state().subscriptions.length === 0 && emu!.state().sessions.length === 0);
    expect((await helix(emu, 'GET', SUBS, user)).body.data).toEqual([]);
  });
});

describe('emulator-only fix hints in Create EventSub Subscription errors', () => {
  it('says how to make a condition user exist and authorize the client, with the scopes the type needs', async () => {
    emu = await startEmulator();
    const app = appToken(emu);
    const conduit = await createConduit(emu, 1, app);
    const transport = { method: 'conduit', conduit_id: conduit };
    const create = (type: string, version: string, condition: Record<string, string>) =>
      helix(emu!, 'POST', SUBS, app, { type, version, condition, transport });

    const online1 = await create('stream.online', '1', { broadcaster_user_id: '1337' });
    expect(online1.status).toBe(400);
    expect(online1.body.message).toBe(
      "condition.broadcaster_user_id: user 1337 does not exist; mint it with emu.mintUserToken({ userId: '1337', scopes: [] })",
    );
    const cheer = await create('channel.cheer', '1', { broadcaster_user_id: '1338' });
    expect(cheer.body.message).toBe(
      "condition.broadcaster_user_id: user 1338 does not exist; mint it with emu.mintUserToken({ userId: '1338', scopes: ['bits:read'] })",
    );
    // One user in two roles (the README's channel.follow: broadcaster and moderator): the scopes of both roles, so
    // that doing what the hint says is enough.
    const follow1337 = await create('channel.follow', '2', {
      broadcaster_user_id: '1342',
      moderator_user_id: '1342',
    });
    expect(follow1337.body.message).toBe(
      "condition.broadcaster_user_id: user 1342 does not exist; mint it with emu.mintUserToken({ userId: '1342', scopes: ['moderator:read:followers'] })",
    );
    emu.mintUserToken({ userId: '1342', scopes: ['moderator:read:followers'] });
    expect(
      (await create('channel.follow', '2', { broadcaster_user_id: '1342', moderator_user_id: '1342' }))
        .status,
    ).toBe(202);
    // Chat types over an app token also need user:bot from the reading user.
    emu.mintUserToken({ userId: '1340', scopes: [] });
    const chat = await create('channel.chat.message', '1', { broadcaster_user_id: '1340', user_id: '1341' });
    expect(chat.body.message).toBe(
      "condition.user_id: user 1341 does not exist; mint it with emu.mintUserToken({ userId: '1341', scopes: ['user:read:chat', 'user:bot'] })",
    );

    // The user exists but never authorized this client: Twitch's 403 wording, then the same fix.
    strangerUser(emu, '9001');
    emu.mintUserToken({ userId: '1339', scopes: [] });
    const follow = await create('channel.follow', '2', {
      broadcaster_user_id: '1339',
      moderator_user_id: '9001',
    });
    expect(follow.status).toBe(403);
    expect(follow.body.message).toBe(
      'subscription missing proper authorization: condition.moderator_user_id: user 9001 has not authorized the ' +
        "client; authorize it with emu.mintUserToken({ userId: '9001', scopes: ['moderator:read:followers'] })",
    );

    // Doing what the hints say works.
    emu.mintUserToken({ userId: '1337', scopes: [] });
    expect((await create('stream.online', '1', { broadcaster_user_id: '1337' })).status).toBe(202);
    emu.mintUserToken({ userId: '9001', scopes: ['moderator:read:followers'] });
    expect(
      (await create('channel.follow', '2', { broadcaster_user_id: '1339', moderator_user_id: '9001' }))
        .status,
    ).toBe(202);
  });

  it('names the client when it is not the default app, and hints for missing scopes too', async () => {
    emu = await startEmulator();
    const other = emu.registerClient();
    const app = emu.mintAppToken(other.clientId).accessToken;
    const created = await helix(emu, 'POST', '/eventsub/conduits', app, { shard_count: 1 }, other.clientId);
    const conduit = created.body.data[0].id as string;
    emu.mintUserToken({ userId: '77', scopes: ['channel:read:ads'], clientId: other.clientId });
    const res = await helix(
      emu,
      'POST',
      SUBS,
      app,
      {
        type: 'channel.cheer',
        version: '1',
        condition: { broadcaster_user_id: '77' },
        transport: { method: 'conduit', conduit_id: conduit },
      },
      other.clientId,
    );
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'subscription missing proper authorization: condition.broadcaster_user_id: user 77 has not granted ' +
        `bits:read; authorize it with emu.mintUserToken({ userId: '77', scopes: ['bits:read'], clientId: '${other.clientId}' })`,
    );
  });
});
