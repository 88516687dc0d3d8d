import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE, exampleSubscribeRequest, requiredScopeNames } from '../../../src/catalogue/index.js';
import type {
  Emulator,
  WebhookDelivery,
  WebhookTransport,
  WebhookVerification,
} from '../../../src/emulator/index.js';
import { RawClient, bindShards } from './helpers.js';
import { appToken, control, createConduit, helix, startEmulator } from '../../support/emulator.js';
import { until } from '../../support/until.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const SUBS = '/eventsub/subscriptions';
const BROADCASTERS = Array.from({ length: 12 }, (_, i) => String(3000 + i));

/** A conduit with `n` websocket shards and one stream.online subscription per broadcaster. */
async function conduitSetup(e: Emulator, n: number) {
  const app = appToken(e);
  const conduit = await createConduit(e, n, app);
  const url = e.clientOptions().eventSubWsUrl;
  const shards: { client: RawClient; sessionId: string }[] = [];
  for (let i = 0; i < n; i++) shards.push(await RawClient.connect(url));
  const bound = await bindShards(
    e,
    app,
    conduit,
    shards.map((s) => s.sessionId),
  );
  expect(bound.body.errors).toEqual([]);
  const subs = new Map<string, string>();
  for (const b of BROADCASTERS) {
    e.mintUserToken({ userId: b, scopes: [] });
    const res = await helix(e, 'POST', SUBS, app, {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: b },
      transport: { method: 'conduit', conduit_id: conduit },
    });
    expect(res.status).toBe(202);
    subs.set(b, res.body.data[0].id);
  }
  return { app, conduit, shards, subs };
}

describe('conduit routing', () => {
  it('sends each notification to one shard, chosen stably per condition', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { shards } = await conduitSetup(emu, 3);
    for (let round = 0; round < 3; round++) {
      for (const b of BROADCASTERS) {
        expect(
          emu.trigger({ type: 'stream.online', version: '1', condition: { broadcaster_user_id: b } }),
        ).toEqual({
          delivered: 1,
          dropped: 0,
        });
      }
    }
    await until(() => shards.reduce((n, s) => n + s.client.ofType('notification').length, 0) === 36);
    const owners = new Map<string, Set<number>>();
    shards.forEach((s, i) => {
      for (const m of s.client.ofType('notification')) {
        const b = m.payload.event.broadcaster_user_id;
        if (!owners.has(b)) owners.set(b, new Set());
        owners.get(b)!.add(i);
      }
    });
    expect(owners.size).toBe(BROADCASTERS.length);
    for (const set of owners.values()) expect(set.size).toBe(1);
    // The load is spread: more than one shard receives something.
    expect(shards.filter((s) => s.client.ofType('notification').length > 0).length).toBeGreaterThan(1);
    expect(emu.state().counters).toMatchObject({
      notifications_sent: 36,
      delivered: 36,
      retried: 0,
      dropped: 0,
    });
  });

  it('retries once on another enabled shard when the chosen shard is disabled, else drops (counted)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { shards } = await conduitSetup(emu, 2);
    for (const b of BROADCASTERS)
      emu.trigger({ type: 'stream.online', version: '1', condition: { broadcaster_user_id: b } });
    await until(
      () =>
        shards[0]!.client.ofType('notification').length + shards[1]!.client.ofType('notification').length ===
        12,
    );
    const onShard0 = shards[0]!.client.ofType('notification').length;
    expect(onShard0).toBeGreaterThan(0);

    shards[0]!.client.close();
    await shards[0]!.client.closed;
    await until(() => emu!.state().conduits[0]!.enabled_shards === 1);
    const before = shards[1]!.client.ofType('notification').length;
    for (const b of BROADCASTERS)
      emu.trigger({ type: 'stream.online', version: '1', condition: { broadcaster_user_id: b } });
    await until(() => shards[1]!.client.ofType('notification').length === before + 12);
    expect(emu.state().counters).toMatchObject({ delivered: 24, retried: onShard0, dropped: 0 });

    shards[1]!.client.close();
    await shards[1]!.client.closed;
    await until(() => emu!.state().conduits[0]!.enabled_shards === 0);
    const result = emu.trigger({ type: 'stream.online', version: '1' });
    expect(result).toEqual({ delivered: 0, dropped: 12 });
    expect(emu.state().counters).toMatchObject({ notifications_sent: 36, delivered: 24, dropped: 12 });
  });

  it('retries on another shard when the send fails (socket backlog), then drops', async () => {
    // A 1-byte backlog limit: the first frame of a tick is accepted, any further frame to that socket fails.
    emu = await startEmulator({ unusedTimeoutMs: 10_000, maxBufferedBytes: 1 });
    const { shards } = await conduitSetup(emu, 2);
    const condition = { broadcaster_user_id: BROADCASTERS[0]! };
    expect(emu.trigger({ type: 'stream.online', version: '1', condition, count: 3 })).toEqual({
      delivered: 2,
      dropped: 1,
    });
    expect(emu.state().counters).toMatchObject({ delivered: 2, retried: 2, dropped: 1 });
    await until(() => shards.every((s) => s.client.ofType('notification').length === 1));
  });

  it('emits conduit.shard.disabled when a shard is disabled', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { app, conduit, shards } = await conduitSetup(emu, 2);
    const res = await helix(emu, 'POST', SUBS, app, {
      type: 'conduit.shard.disabled',
      version: '1',
      condition: { client_id: emu.clientId, conduit_id: conduit },
      transport: { method: 'conduit', conduit_id: conduit },
    });
    expect(res.status).toBe(202);
    emu.closeSession(shards[0]!.sessionId, 4005);
    const msg = await shards[1]!.client.next(
      (m) => m.metadata.subscription_type === 'conduit.shard.disabled',
    );
    expect(msg.payload.event).toEqual({
      conduit_id: conduit,
      shard_id: '0',
      status: 'websocket_network_timeout',
      transport: {
        method: 'websocket',
        session_id: shards[0]!.sessionId,
        connected_at: expect.any(String),
        disconnected_at: expect.any(String),
      },
    });
    expect(msg.payload.subscription.transport).toEqual({ method: 'conduit', conduit_id: conduit });
    shards[1]!.client.close();
  });

  it('deletes a conduit whose shards stay disabled for conduitDisabledTtlMs; its subscriptions become conduit_deleted', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000, conduitDisabledTtlMs: 60 });
    const { app, shards } = await conduitSetup(emu, 1);
    const kept = await createConduit(emu, 1, app);
    const keeper = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    await bindShards(emu, app, kept, [keeper.sessionId]);
    shards[0]!.client.close();
    await until(() => emu!.state().counters.conduits_expired === 1, { timeoutMs: 3000 });
    const list = await helix(emu, 'GET', '/eventsub/conduits', app);
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([kept]);
    const after = await helix(emu, 'GET', SUBS, app);
    expect(after.body.data.length).toBeGreaterThan(0);
    expect(new Set(after.body.data.map((s: { status: string }) => s.status))).toEqual(
      new Set(['conduit_deleted']),
    );
    expect(after.body.total_cost).toBe(0);
    keeper.client.close();
  });
});

describe('notifications, duplicates, revocations', () => {
  it('carries metadata, subscription and a generated event with overrides and fresh ids', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { conduit, shards, subs } = await conduitSetup(emu, 1);
    const b = BROADCASTERS[0]!;
    emu.trigger({
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: b },
      event: { type: 'rerun' },
      count: 2,
    });
    const first = await shards[0]!.client.next('notification');
    const second = await shards[0]!.client.next('notification');
    expect(first.metadata).toEqual({
      message_id: expect.any(String),
      message_type: 'notification',
      message_timestamp: expect.stringMatching(/\.\d{9}Z$/),
      subscription_type: 'stream.online',
      subscription_version: '1',
    });
    expect(first.metadata.message_id).not.toBe(second.metadata.message_id);
    expect(first.payload.subscription).toEqual({
      id: subs.get(b),
      status: 'enabled',
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: b },
      transport: { method: 'conduit', conduit_id: conduit },
      created_at: expect.any(String),
      cost: 0,
    });
    expect(first.payload.event.broadcaster_user_id).toBe(b);
    expect(first.payload.event.type).toBe('rerun');
    expect(first.payload.event.id).not.toBe(second.payload.event.id);
  });

  it('encodes frames of every length class (16-bit and 64-bit lengths, multi-byte UTF-8)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { shards } = await conduitSetup(emu, 1);
    const condition = { broadcaster_user_id: BROADCASTERS[0]! };
    const sizes = [10, 200, 70_000, 200_000];
    for (const size of sizes) {
      emu.trigger({ type: 'stream.online', version: '1', condition, event: { big: 'é€'.repeat(size / 2) } });
    }
    for (const size of sizes) {
      const msg = await shards[0]!.client.next('notification');
      expect(msg.payload.event.big).toHaveLength(size);
    }
  });

  it('duplicate_rate resends with the same message id (counted)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { shards } = await conduitSetup(emu, 1);
    const res = await control(emu, 'POST', '/faults', { duplicate_rate: 1 });
    expect(res.status).toBe(200);
    emu.trigger({
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: BROADCASTERS[0]! },
    });
    const a = await shards[0]!.client.next('notification');
    const b = await shards[0]!.client.next('notification');
    expect(b.metadata.message_id).toBe(a.metadata.message_id);
    expect(emu.state().counters).toMatchObject({ delivered: 1, duplicates_sent: 1 });
    expect((await control(emu, 'POST', '/faults', { duplicate_rate: 2 })).status).toBe(400);
  });

  it('revocation: one frame with the new status, then no more notifications', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
    const created = await helix(emu, 'POST', SUBS, token, {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '100' },
      transport: { method: 'websocket', session_id: sessionId },
    });
    const id = created.body.data[0].id;
    const res = await control(emu, 'POST', `/subscriptions/${id}/revoke`, { status: 'user_removed' });
    expect(res).toMatchObject({ status: 200, body: { sent: true } });
    const msg = await client.next('revocation');
    expect(msg.metadata).toMatchObject({
      message_type: 'revocation',
      subscription_type: 'stream.online',
      subscription_version: '1',
    });
    expect(msg.payload.subscription).toMatchObject({ id, status: 'user_removed' });
    expect(msg.payload.event).toBeUndefined();
    expect(emu.trigger({ type: 'stream.online', version: '1' })).toEqual({ delivered: 0, dropped: 0 });
    expect(
      (await control(emu, 'POST', `/subscriptions/${id}/revoke`, { status: 'user_removed' })).body.sent,
    ).toBe(false);
    expect((await control(emu, 'POST', `/subscriptions/${id}/revoke`, { status: 'enabled' })).status).toBe(
      400,
    );
    expect((await control(emu, 'POST', '/subscriptions/nope/revoke', {})).status).toBe(404);
    expect((await helix(emu, 'GET', SUBS, token)).body.data[0].status).toBe('user_removed');
    client.close();
  });

  it('drop_session_every_ms closes sessions with 4000, 4005 or 4006', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    emu.setFaults({ dropSessionEveryMs: 20 });
    const { code } = await client.closed;
    expect([4000, 4005, 4006]).toContain(code);
    emu.setFaults({ dropSessionEveryMs: 0 });
  });

  it('triggers every catalogue type/version with a realistic payload', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const app = appToken(emu);
    const conduit = await createConduit(emu, 1, app);
    const shard = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    await bindShards(emu, app, conduit, [shard.sessionId]);
    const allScopes = [...new Set(CATALOGUE.flatMap((e) => requiredScopeNames(e)))];
    const active = CATALOGUE.filter((e) => e.removed !== true);
    expect(active.length).toBeGreaterThanOrEqual(83);
    let expected = 0;
    for (const entry of active) {
      const example = exampleSubscribeRequest(entry.type, entry.version) as
        { condition?: Record<string, string> } | undefined;
      const condition: Record<string, string> = { ...(example?.condition ?? {}) };
      for (const key of Object.keys(condition)) {
        if (key === 'client_id' || key === 'extension_client_id') condition[key] = emu.clientId;
        else if (key === 'user_id' || key.endsWith('_user_id'))
          emu.mintUserToken({ userId: condition[key]!, scopes: allScopes });
      }
      const res = await helix(emu, 'POST', SUBS, app, {
        type: entry.type,
        version: entry.version,
        condition,
        transport: { method: 'conduit', conduit_id: conduit },
        ...(entry.batched ? { is_batching_enabled: true } : {}),
      });
      expect(res.status, `${entry.type} v${entry.version}: ${JSON.stringify(res.body)}`).toBe(202);
      const result = emu.trigger({
        type: entry.type,
        version: entry.version,
        subscriptionId: res.body.data[0].id,
      });
      expect(result, entry.type).toEqual({ delivered: 1, dropped: 0 });
      expected++;
      const msg = await shard.client.next('notification');
      expect(msg.metadata.subscription_type).toBe(entry.type);
      expect(msg.metadata.subscription_version).toBe(entry.version);
      if (entry.batched) expect(Array.isArray(msg.payload.events)).toBe(true);
      else expect(typeof msg.payload.event).toBe('object');
    }
    expect(expected).toBe(active.length);
    shard.client.close();
  });
});

describe('webhook transport seam', () => {
  it('a WebhookTransport verifies subscriptions and shards and receives signed-delivery inputs', async () => {
    const deliveries: WebhookDelivery[] = [];
    const verifications: WebhookVerification[] = [];
    const transport: WebhookTransport = {
      verify(v) {
        verifications.push(v);
        v.complete(v.callback.endsWith('/ok'));
      },
      deliver(d) {
        deliveries.push(d);
        return true;
      },
    };
    emu = await startEmulator({ webhookTransport: transport });
    const app = appToken(emu);
    emu.mintUserToken({ userId: '100', scopes: [] });
    const create = (callback: string) =>
      helix(emu!, 'POST', SUBS, app, {
        type: 'stream.online',
        version: '1',
        condition: { broadcaster_user_id: '100' },
        transport: { method: 'webhook', callback, secret: 'a-good-secret' },
      });
    const ok = await create('https://example.com/ok');
    const bad = await create('https://example.com/bad');
    expect(verifications.map((v) => v.secret)).toEqual(['a-good-secret', 'a-good-secret']);
    const listed = await helix(emu, 'GET', SUBS, app);
    const status = new Map(listed.body.data.map((s: { id: string; status: string }) => [s.id, s.status]));
    expect(status.get(ok.body.data[0].id)).toBe('enabled');
    expect(status.get(bad.body.data[0].id)).toBe('webhook_callback_verification_failed');

    expect(emu.trigger({ type: 'stream.online', version: '1' })).toEqual({ delivered: 1, dropped: 0 });
    expect(deliveries).toHaveLength(1);
    const d = deliveries[0]!;
    expect(d).toMatchObject({
      callback: 'https://example.com/ok',
      secret: 'a-good-secret',
      messageType: 'notification',
      subscriptionType: 'stream.online',
      subscriptionVersion: '1',
    });
    const body = JSON.parse(d.body);
    expect(body.subscription.id).toBe(ok.body.data[0].id);
    expect(body.event.broadcaster_user_id).toBe('100');

    const conduit = await createConduit(emu, 1, app);
    const shard = await helix(emu, 'PATCH', '/eventsub/conduits/shards', app, {
      conduit_id: conduit,
      shards: [
        {
          id: '0',
          transport: { method: 'webhook', callback: 'https://example.com/ok', secret: 'a-good-secret' },
        },
      ],
    });
    expect(shard.body.data[0].status).toBe('enabled');
    expect(verifications[2]!.subject).toEqual({ conduit_shard: { conduit_id: conduit, shard: '0' } });
  });
});
