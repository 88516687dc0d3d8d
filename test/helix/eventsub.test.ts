import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { startEmulator } from '../support/emulator.js';
import { HelixClient } from '../../src/helix/client.js';
import { HttpAsyncIterator } from '../../src/helix/pagination.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { MissingScopesError } from '../../src/auth/errors.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import type { ShardUpdate } from '../../src/helix/models.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { until } from '../support/until.js';

let emu: Emulator;
let helix: HelixClient;
let auth: RefreshingAuthProvider;

beforeAll(async () => {
  emu = await startEmulator({ shardPageSize: 7, subscriptionPageSize: 4 });
  const o = emu.clientOptions();
  auth = new RefreshingAuthProvider({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    oauthUrl: o.oauthUrl,
  });
  helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
});
afterAll(async () => {
  helix.close();
  auth.close();
  await emu.close();
});
afterEach(async () => {
  for (const c of await helix.eventSub.getConduits()) await helix.eventSub.deleteConduit(c.id);
});

describe('conduits', () => {
  it('creates, lists, updates and deletes a conduit', async () => {
    const created = await helix.eventSub.createConduit({ shardCount: 3 });
    expect(created.shardCount).toBe(3);
    expect((await helix.eventSub.getConduits()).map((c) => c.id)).toContain(created.id);
    const updated = await helix.eventSub.updateConduit({ id: created.id, shardCount: 5 });
    expect(updated).toEqual({ id: created.id, shardCount: 5 });
    await helix.eventSub.deleteConduit(created.id);
    expect((await helix.eventSub.getConduits()).map((c) => c.id)).not.toContain(created.id);
  });

  it('validates the shard count before sending', async () => {
    const before = emu.state().helix.requests;
    await expect(helix.eventSub.createConduit({ shardCount: 0 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(helix.eventSub.createConduit({ shardCount: 20_001 })).rejects.toMatchObject({
      field: 'shardCount',
    });
    expect(emu.state().helix.requests).toBe(before);
  });

  it('refuses a user token on app-only endpoints before sending', () => {
    expect(() => helix.eventSub.getConduitShards('x', { auth: { userId: '1' } })).toThrow(
      InvalidArgumentError,
    );
  });

  it('paginates shards lazily over many pages, with status filter and maxResults', async () => {
    const conduit = await helix.eventSub.createConduit({ shardCount: 50 });
    const before = emu.state().helix.requests;
    const all = await helix.eventSub.getConduitShards(conduit.id);
    expect(all.map((s) => s.id)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(emu.state().helix.requests - before).toBe(8); // ceil(50 / 7)

    const mark = emu.state().helix.requests;
    const some = await helix.eventSub.getConduitShards(conduit.id, { maxResults: 10 });
    expect(some).toHaveLength(10);
    expect(emu.state().helix.requests - mark).toBe(2);

    const iterator = helix.eventSub.getConduitShards(conduit.id, { status: 'websocket_disconnected' });
    expect(iterator).toBeInstanceOf(HttpAsyncIterator);
    let seen = 0;
    for await (const shard of iterator) {
      expect(shard.status).toBe('websocket_disconnected');
      if (++seen === 3) break;
    }
    // Each loop starts over.
    let again = 0;
    for await (const _ of iterator) again++;
    expect(again).toBe(50);
    expect(await helix.eventSub.getConduitShards(conduit.id, { status: 'enabled' })).toEqual([]);
  });

  it('chunks shard updates and returns per-shard errors with the successes', async () => {
    const conduit = await helix.eventSub.createConduit({ shardCount: 5 });
    const updates: ShardUpdate[] = [
      ...Array.from({ length: 5 }, (_, i) => ({
        id: String(i),
        transport: { method: 'websocket' as const, sessionId: `missing-session-${i}` },
      })),
      { id: '7', transport: { method: 'websocket', sessionId: 'nope' } },
    ];
    const before = emu.state().helix.requests;
    const result = await helix.eventSub.updateConduitShards(conduit.id, updates, { chunkSize: 2 });
    expect(emu.state().helix.requests - before).toBe(3);
    expect(result.shards.length + result.errors.length).toBe(6);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors.map((e) => e.id)).toContain('7');
    for (const e of result.errors) {
      expect(e.message).not.toBe('');
      expect(e.code).not.toBe('');
    }
  });
});

describe('subscriptions', () => {
  it('creates conduit subscriptions, lists them over pages with totals, and deletes them', async () => {
    const conduit = await helix.eventSub.createConduit({ shardCount: 1 });
    const ids: string[] = [];
    const broadcasters = emu
      .state()
      .users.slice(0, 9)
      .map((u) => u.id);
    for (let i = 0; i < 9; i++) {
      const created = await helix.eventSub.createSubscription({
        type: 'stream.online',
        version: '1',
        condition: { broadcaster_user_id: broadcasters[i]! },
        transport: { method: 'conduit', conduitId: conduit.id },
      });
      expect(created.subscription.transport).toEqual({ method: 'conduit', conduitId: conduit.id });
      expect(created.subscription.createdAt).toBeInstanceOf(Date);
      expect(created.maxTotalCost).toBeGreaterThan(0);
      ids.push(created.subscription.id);
    }
    const listed = await helix.eventSub.getSubscriptions({ type: 'stream.online' });
    expect(listed.map((s) => s.id)).toEqual(expect.arrayContaining(ids));
    const pages = [];
    for await (const page of helix.eventSub.getSubscriptions({}, { maxResults: 6 }).pages()) pages.push(page);
    expect(pages.map((p) => p.data.length)).toEqual([4, 2]);
    expect(pages[0]!.meta.total).toBeGreaterThanOrEqual(9);
    const totals = await helix.eventSub.getSubscriptionTotals();
    // The app's total cost is the sum of its subscriptions' costs.
    const all = await helix.eventSub.getSubscriptions({});
    expect(totals.totalCost).toBe(all.reduce((sum, s) => sum + s.cost, 0));
    expect(totals.total).toBeGreaterThanOrEqual(9);

    const one = await helix.eventSub.getSubscriptions({ subscriptionId: ids[0]! });
    expect(one.map((s) => s.id)).toEqual([ids[0]]);
    for (const id of ids) await helix.eventSub.deleteSubscription(id);
    expect(await helix.eventSub.getSubscriptions({ subscriptionId: ids[0]! })).toEqual([]);
  });

  it('creates a websocket subscription with the user token and filters by status as the session ends', async () => {
    const user = emu.mintUserToken({ userId: '5151', scopes: ['moderator:read:followers'] });
    await auth.addUser({ accessToken: user.accessToken, refreshToken: user.refreshToken });
    const session = new EventSubSession({ url: emu.clientOptions().eventSubWsUrl });
    try {
      const sessionId = await session.connect();
      const created = await helix.eventSub.createSubscription({
        type: 'channel.follow',
        version: '2',
        condition: { broadcaster_user_id: '5151', moderator_user_id: '5151' },
        transport: { method: 'websocket', sessionId },
      });
      expect(created.subscription).toMatchObject({
        status: 'enabled',
        type: 'channel.follow',
        transport: { method: 'websocket', sessionId },
      });
      const asUser = { auth: { userId: '5151' } };
      const enabled = await helix.eventSub.getSubscriptions({ status: 'enabled' }, asUser);
      expect(enabled.map((x) => x.id)).toEqual([created.subscription.id]);
      await session.close();
      const gone = async (): Promise<string[]> =>
        (await helix.eventSub.getSubscriptions({ status: 'websocket_disconnected' }, asUser)).map(
          (x) => x.id,
        );
      const disconnected = await until(async () => {
        const ids = await gone();
        return ids.length > 0 && ids;
      }, 'a websocket_disconnected subscription');
      expect(disconnected).toEqual([created.subscription.id]);
      expect(await helix.eventSub.getSubscriptions({ status: 'enabled' }, asUser)).toEqual([]);
    } finally {
      await session.close();
      await auth.removeUser('5151');
    }
  });

  it('filters subscriptions by user id', async () => {
    const conduit = await helix.eventSub.createConduit({ shardCount: 1 });
    const [a, b] = emu
      .state()
      .users.slice(0, 2)
      .map((u) => u.id);
    const ids: Record<string, string> = {};
    for (const broadcaster of [a!, b!]) {
      const created = await helix.eventSub.createSubscription({
        type: 'channel.update',
        version: '2',
        condition: { broadcaster_user_id: broadcaster },
        transport: { method: 'conduit', conduitId: conduit.id },
      });
      ids[broadcaster] = created.subscription.id;
    }
    const ofA = await helix.eventSub.getSubscriptions({ userId: a! });
    expect(ofA.map((x) => x.id)).toContain(ids[a!]);
    expect(ofA.map((x) => x.id)).not.toContain(ids[b!]);
    for (const id of Object.values(ids)) await helix.eventSub.deleteSubscription(id);
  });

  it('rejects more than one filter and bad conditions before sending', async () => {
    const before = emu.state().helix.requests;
    expect(() => helix.eventSub.getSubscriptions({ type: 'stream.online', userId: '1' })).toThrow(
      InvalidArgumentError,
    );
    await expect(
      helix.eventSub.createSubscription({
        type: 'stream.online',
        version: '1',
        condition: {},
        transport: { method: 'conduit', conduitId: 'c' },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: expect.stringContaining('broadcaster_user_id'),
    });
    expect(emu.state().helix.requests).toBe(before);
  });

  it('fails a websocket subscription whose user token lacks a scope before sending', async () => {
    const user = emu.mintUserToken({ userId: '5150', scopes: ['user:read:email'] });
    await auth.addUser({ accessToken: user.accessToken, refreshToken: user.refreshToken });
    const before = emu.state().helix.requests;
    const err = await helix.eventSub
      .createSubscription({
        type: 'channel.follow',
        version: '2',
        condition: { broadcaster_user_id: '5150', moderator_user_id: '5150' },
        transport: { method: 'websocket', sessionId: 'abc' },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingScopesError);
    expect((err as MissingScopesError).message).toContain('moderator:read:followers');
    expect((err as MissingScopesError).userId).toBe('5150');
    expect(emu.state().helix.requests).toBe(before);
  });
  it('with an app token, leaves user authorization to Twitch (no pre-flight refusal)', async () => {
    const o = emu.clientOptions();
    const app = new HelixClient({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
    });
    try {
      emu.mintUserToken({ userId: '7171', scopes: ['moderator:read:followers'] });
      const conduit = await app.eventSub.createConduit({ shardCount: 1 });
      const created = await app.eventSub.createSubscription({
        type: 'channel.follow',
        version: '2',
        condition: { broadcaster_user_id: '7171', moderator_user_id: '7171' },
        transport: { method: 'conduit', conduitId: conduit.id },
      });
      expect(created.subscription.status).toBe('enabled');
      // A user who never authorized the client id: refused by Twitch (the emulator), not by a guess.
      const stranger = emu.state().users.find((u) => u.id !== '7171')!.id;
      const err = await app.eventSub
        .createSubscription({
          type: 'channel.follow',
          version: '2',
          condition: { broadcaster_user_id: stranger, moderator_user_id: stranger },
          transport: { method: 'conduit', conduitId: conduit.id },
        })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    } finally {
      app.close();
    }
  });
});

describe('users', () => {
  it('batches ids 100 per request and resolves logins', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => String(900_000 + i));
    // The first 150 exist (a token minted for each creates the user), the last 100 do not.
    for (const id of ids.slice(0, 150)) emu.mintUserToken({ userId: id, scopes: [] });
    const before = emu.state().helix.requests;
    const users = await helix.users.getUsers({ ids });
    expect(emu.state().helix.requests - before).toBe(3);
    expect(users.map((u) => u.id).sort()).toEqual(ids.slice(0, 150).sort());
    const first = emu.state().users[0]!;
    const byLogin = await helix.users.getUsers({ logins: [first.login.toUpperCase()] });
    expect(byLogin).toHaveLength(1);
    expect(byLogin[0]!.id).toBe(first.id);
    expect(byLogin[0]!.createdAt).toBeInstanceOf(Date);
    expect(users.every((u) => ids.includes(u.id))).toBe(true);
    expect(await helix.users.getUserById('does-not-exist-0')).toBeNull();

    // Ids and logins share the 100 of a request: 150 ids + 50 logins (60 given, 10 repeated) in 2 requests, not 2 + 1.
    const logins = emu
      .state()
      .users.slice(0, 50)
      .map((u) => u.login);
    const mixedIds = ids.slice(0, 150);
    const sent = emu.state().helix.requests;
    const mixed = await helix.users.getUsers({ ids: mixedIds, logins: [...logins, ...logins.slice(0, 10)] });
    expect(emu.state().helix.requests - sent).toBe(2);
    expect(mixed).toHaveLength(200);
    expect(new Set(mixed.map((u) => u.id))).toEqual(
      new Set([
        ...mixedIds,
        ...emu
          .state()
          .users.filter((u) => logins.includes(u.login))
          .map((u) => u.id),
      ]),
    );
    const one = emu.state().helix.requests;
    const both = await helix.users.getUsers({ ids: ids.slice(0, 50), logins: logins.slice(0, 50) });
    expect(emu.state().helix.requests - one).toBe(1);
    expect(both).toHaveLength(100);
  });

  it('returns the token user when asked with a user token and no ids', async () => {
    const user = emu.mintUserToken({ userId: '6161', scopes: [] });
    await auth.addUser({ accessToken: user.accessToken, refreshToken: user.refreshToken });
    const me = await helix.users.getUsers({}, { auth: { userId: '6161' } });
    expect(me.map((u) => u.id)).toEqual(['6161']);
    await expect(helix.users.getUsers({})).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
