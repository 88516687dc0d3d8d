import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { RawClient, bindShards } from './helpers.js';
import { appToken, createConduit, helix, startEmulator } from '../../support/emulator.js';
import { until } from '../../support/until.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('Helix conduits', () => {
  it('creates, lists, resizes and deletes conduits', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    const created = await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: 3 });
    expect(created.status).toBe(200);
    const conduit = created.body.data[0];
    expect(conduit).toEqual({ id: expect.any(String), shard_count: 3 });

    const list = await helix(emu, 'GET', '/eventsub/conduits', token);
    expect(list.body.data).toEqual([conduit]);

    const grown = await helix(emu, 'PATCH', '/eventsub/conduits', token, { id: conduit.id, shard_count: 5 });
    expect(grown.status).toBe(200);
    expect(grown.body.data[0].shard_count).toBe(5);
    const shrunk = await helix(emu, 'PATCH', '/eventsub/conduits', token, { id: conduit.id, shard_count: 2 });
    expect(shrunk.body.data[0].shard_count).toBe(2);
    const shards = await helix(emu, 'GET', `/eventsub/conduits/shards?conduit_id=${conduit.id}`, token);
    expect(shards.body.data.map((s: { id: string }) => s.id)).toEqual(['0', '1']);

    expect((await helix(emu, 'DELETE', `/eventsub/conduits?id=${conduit.id}`, token)).status).toBe(204);
    expect((await helix(emu, 'GET', '/eventsub/conduits', token)).body.data).toEqual([]);
    expect((await helix(emu, 'DELETE', `/eventsub/conduits?id=${conduit.id}`, token)).status).toBe(404);
  });

  it('validates shard_count (1..20000) and id', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    for (const bad of [0, 20_001, 1.5, '3', null]) {
      const res = await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: bad });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'Bad Request', status: 400, message: expect.any(String) });
    }
    expect((await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: 20_000 })).status).toBe(200);
    expect((await helix(emu, 'PATCH', '/eventsub/conduits', token, { shard_count: 2 })).status).toBe(400);
    expect((await helix(emu, 'DELETE', '/eventsub/conduits', token)).status).toBe(400);
    expect(
      (await helix(emu, 'PATCH', '/eventsub/conduits', token, { id: 'missing', shard_count: 2 })).status,
    ).toBe(404);
    expect((await helix(emu, 'POST', '/eventsub/conduits', token, '{not json')).status).toBe(400);
  });

  it('allows 5 conduits per client (429 after) and isolates clients (404 for another owner)', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createConduit(emu, 1, token));
    const sixth = await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: 1 });
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toBe('Too Many Requests');

    const other = emu.registerClient();
    const otherToken = emu.mintAppToken(other.clientId).accessToken;
    expect(
      (await helix(emu, 'GET', '/eventsub/conduits', otherToken, undefined, other.clientId)).body.data,
    ).toEqual([]);
    const foreign = await helix(
      emu,
      'PATCH',
      '/eventsub/conduits',
      otherToken,
      { id: ids[0], shard_count: 2 },
      other.clientId,
    );
    expect(foreign.status).toBe(404);
    const foreignShards = await helix(
      emu,
      'GET',
      `/eventsub/conduits/shards?conduit_id=${ids[0]}`,
      otherToken,
      undefined,
      other.clientId,
    );
    expect(foreignShards.status).toBe(404);
    expect(
      (await helix(emu, 'POST', '/eventsub/conduits', otherToken, { shard_count: 1 }, other.clientId)).status,
    ).toBe(200);
  });

  it('requires an app token on every conduit route', async () => {
    emu = await startEmulator();
    const user = emu.mintUserToken({ userId: '1', scopes: [] }).accessToken;
    for (const [method, path] of [
      ['GET', '/eventsub/conduits'],
      ['POST', '/eventsub/conduits'],
      ['PATCH', '/eventsub/conduits'],
      ['DELETE', '/eventsub/conduits?id=x'],
      ['GET', '/eventsub/conduits/shards?conduit_id=x'],
      ['PATCH', '/eventsub/conduits/shards'],
    ] as const) {
      const res = await helix(
        emu,
        method,
        path,
        user,
        method === 'GET' || method === 'DELETE' ? undefined : {},
      );
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });
});

describe('Helix conduit shards', () => {
  it('PATCH answers 202 with data and per-shard errors (partial success)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const token = appToken(emu);
    const url = emu.clientOptions().eventSubWsUrl;
    const a = await RawClient.connect(url);
    const closed = await RawClient.connect(url);
    closed.client.close();
    await closed.client.closed;
    const conduit = await createConduit(emu, 2, token);
    const res = await helix(emu, 'PATCH', '/eventsub/conduits/shards', token, {
      conduit_id: conduit,
      shards: [
        { id: '0', transport: { method: 'websocket', session_id: a.sessionId } },
        { id: '1', transport: { method: 'websocket', session_id: closed.sessionId } },
        { id: '7', transport: { method: 'websocket', session_id: a.sessionId } },
        { id: '1', transport: { method: 'websocket' } },
        { id: '1', transport: { method: 'carrier-pigeon' } },
        {
          id: '1',
          transport: { method: 'webhook', callback: 'http://example.com/cb', secret: 'abcdefghijk' },
        },
        { id: '1', transport: { method: 'webhook', callback: 'https://example.com/cb', secret: 'short' } },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual([
      {
        id: '0',
        status: 'enabled',
        transport: { method: 'websocket', session_id: a.sessionId, connected_at: expect.any(String) },
      },
    ]);
    expect(res.body.errors.map((e: { id: string; code: string }) => [e.id, e.code])).toEqual([
      ['1', 'invalid_parameter'],
      ['7', 'invalid_parameter'],
      ['1', 'invalid_parameter'],
      ['1', 'invalid_parameter'],
      ['1', 'invalid_parameter'],
      ['1', 'invalid_parameter'],
    ]);
    expect(res.body.errors[0].message).toBe('The websocket session is not connected');
    expect(res.body.errors[1].message).toBe("The shard id is outside of the conduit's range");
    a.client.close();
  });

  it('accepts conduit_id in the query string; webhook shards stay pending without a webhook transport', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    const conduit = await createConduit(emu, 1, token);
    const res = await helix(emu, 'PATCH', `/eventsub/conduits/shards?conduit_id=${conduit}`, token, {
      shards: [
        {
          id: '0',
          transport: { method: 'webhook', callback: 'https://example.com/cb', secret: 's3cr3t-s3cr3t' },
        },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.data[0]).toEqual({
      id: '0',
      status: 'webhook_callback_verification_pending',
      transport: { method: 'webhook', callback: 'https://example.com/cb' },
    });
    expect(JSON.stringify(emu.state())).not.toContain('s3cr3t-s3cr3t');
    expect((await helix(emu, 'PATCH', '/eventsub/conduits/shards', token, { shards: [] })).status).toBe(400);
    expect(
      (await helix(emu, 'PATCH', '/eventsub/conduits/shards', token, { conduit_id: conduit, shards: 'x' }))
        .status,
    ).toBe(400);
  });

  it('GET filters by status and paginates with a cursor', async () => {
    emu = await startEmulator({ shardPageSize: 2, unusedTimeoutMs: 10_000 });
    const token = appToken(emu);
    const conduit = await createConduit(emu, 5, token);
    const url = emu.clientOptions().eventSubWsUrl;
    const s0 = await RawClient.connect(url);
    const s3 = await RawClient.connect(url);
    await helix(emu, 'PATCH', '/eventsub/conduits/shards', token, {
      conduit_id: conduit,
      shards: [
        { id: '0', transport: { method: 'websocket', session_id: s0.sessionId } },
        { id: '3', transport: { method: 'websocket', session_id: s3.sessionId } },
      ],
    });
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await helix(
        emu,
        'GET',
        `/eventsub/conduits/shards?conduit_id=${conduit}${cursor === undefined ? '' : `&after=${cursor}`}`,
        token,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      ids.push(...res.body.data.map((s: { id: string }) => s.id));
      cursor = res.body.pagination.cursor;
      pages++;
    } while (cursor !== undefined);
    expect(ids).toEqual(['0', '1', '2', '3', '4']);
    expect(pages).toBe(3);

    const enabled = await helix(
      emu,
      'GET',
      `/eventsub/conduits/shards?conduit_id=${conduit}&status=enabled`,
      token,
    );
    expect(enabled.body.data.map((s: { id: string }) => s.id)).toEqual(['0', '3']);
    expect(enabled.body.pagination).toEqual({});
    expect(
      (await helix(emu, 'GET', `/eventsub/conduits/shards?conduit_id=${conduit}&status=bogus`, token)).status,
    ).toBe(400);
    expect(
      (await helix(emu, 'GET', `/eventsub/conduits/shards?conduit_id=${conduit}&after=zzz`, token)).status,
    ).toBe(400);
    expect((await helix(emu, 'GET', '/eventsub/conduits/shards', token)).status).toBe(400);
    s0.client.close();
    s3.client.close();
  });

  it('a session already bound to a shard cannot be bound to another one', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const token = appToken(emu);
    const conduit = await createConduit(emu, 2, token);
    const a = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    expect((await bindShards(emu, token, conduit, [a.sessionId])).body.errors).toEqual([]);
    const res = await helix(emu, 'PATCH', '/eventsub/conduits/shards', token, {
      conduit_id: conduit,
      shards: [{ id: '1', transport: { method: 'websocket', session_id: a.sessionId } }],
    });
    expect(res.body.errors).toHaveLength(1);
    a.client.close();
  });
});

describe('deleting a conduit (conduit_deleted, April 2025)', () => {
  it('turns its subscriptions to conduit_deleted: listed, not active, not counted, pruned later', async () => {
    emu = await startEmulator({ webhookSubscriptionRetentionMs: 200, sweepIntervalMs: 20 });
    const token = appToken(emu);
    // A user who has not authorized this client: the subscription costs 1.
    emu.mintUserToken({ userId: '1337', scopes: [], clientId: emu.registerClient().clientId });
    const doomed = await createConduit(emu, 1, token);
    const other = await createConduit(emu, 1, token);
    const body = (conduitId: string): unknown => ({
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '1337' },
      transport: { method: 'conduit', conduit_id: conduitId },
    });
    const created = await helix(emu, 'POST', '/eventsub/subscriptions', token, body(doomed));
    expect(created.status).toBe(202);
    expect(created.body.total_cost).toBe(1);

    expect((await helix(emu, 'DELETE', `/eventsub/conduits?id=${doomed}`, token)).status).toBe(204);
    const listed = await helix(emu, 'GET', '/eventsub/subscriptions?status=conduit_deleted', token);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: created.body.data[0].id,
        status: 'conduit_deleted',
        transport: { method: 'conduit', conduit_id: doomed },
      }),
    ]);
    expect(listed.body.total_cost).toBe(0);
    // Not active: the same subscription on another conduit is no conflict.
    expect((await helix(emu, 'POST', '/eventsub/subscriptions', token, body(other))).status).toBe(202);

    // Pruned with the other disabled webhook/conduit subscriptions.
    await until(() => emu!.state().subscriptions.every((s) => s.status !== 'conduit_deleted'));
    expect((await helix(emu, 'GET', '/eventsub/subscriptions', token)).body.data).toHaveLength(1);
  });
});
