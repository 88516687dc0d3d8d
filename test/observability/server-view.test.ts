/**
 * The AutoClient's `view()` that the observability server diffs: shards it does not own from the health check's
 * listing, owners from the ownership strategy's `owners()`, reported errors redacted in a bounded ring, and the
 * view of an unchanged shard reused (what makes the server's diff cheap).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TwitchError } from '../../src/core/errors.js';
import { staticOwnership, type OwnershipStrategy } from '../../src/eventsub/conduit/ownership.js';
import { RECENT_ERRORS_LIMIT } from '../../src/observability/source.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { until } from '../support/until.js';

let twitch: TestTwitch | undefined;
afterEach(async () => {
  await twitch?.close();
  twitch = undefined;
});

/** Static shards, with owners named as a fleet would. */
function named(shardIds: number[], node: string): OwnershipStrategy {
  const inner = staticOwnership(shardIds);
  return {
    ...inner,
    start: (context) => inner.start(context),
    owners: () => new Map(shardIds.map((id) => [String(id), node])),
  };
}

describe('AutoClient.view()', () => {
  it('shows the shards of another process from the listing, and owners from the strategy', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const a = t.autoClient({ conduitId: 'create', ownership: named([0], 'node-a'), forceScale: true });
    a.on('error', () => undefined);
    await a.start();
    const conduitId = a.view().conduit?.id ?? '';
    await a.conduitInfo.updateShardCount(2);
    const b = t.autoClient({ conduitId, ownership: named([1], 'node-b') });
    b.on('error', () => undefined);
    await b.start();

    const before = a.view().conduit?.shards[1];
    expect(before).toMatchObject({ id: '1', owned: false, state: 'unknown', owner: null });
    await a.reconcile();
    const view = a.view();
    expect(view.kind).toBe('AutoClient');
    expect(view.conduit?.shardCount).toBe(2);
    expect(view.conduit?.shards[0]).toMatchObject({ id: '0', owned: true, state: 'ready', owner: 'node-a' });
    const theirs = view.conduit?.shards[1];
    expect(theirs).toMatchObject({ id: '1', owned: false, state: 'enabled', transport: 'websocket' });
    expect(theirs?.sessionId).toBe(b.view().conduit?.shards[1]?.sessionId);
    expect(theirs?.connectedAt).toEqual(expect.any(Number));

    // Unchanged: the same objects (the server's diff compares identity first).
    const again = a.view().conduit?.shards;
    expect(again?.[0]).toBe(view.conduit?.shards[0]);
    expect(again?.[1]).toBe(theirs);
  });

  it('shows the subscriptions by type, version and status with their cost, from the census', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { broadcaster, moderator } = t.users;
    const client = t.autoClient({
      conduitId: 'create',
      subscriptions: [
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
        },
        { type: 'stream.online', version: '1', condition: { broadcasterUserId: broadcaster.id } },
      ],
    });
    client.on('error', () => undefined);
    await client.start();
    // The first view starts the listing; the next ones show it.
    client.view();
    const subscriptions = await until(() => {
      const s = client.view().subscriptions;
      return s?.listedAt === null ? undefined : s;
    });
    // Ours, and the client's own watch on disabled shards.
    expect(subscriptions.total).toBe(3);
    expect(subscriptions.counts.map((c) => [c.type, c.version, c.status, c.count])).toEqual([
      ['channel.follow', '2', 'enabled', 1],
      ['conduit.shard.disabled', '1', 'enabled', 1],
      ['stream.online', '1', 'enabled', 1],
    ]);
    expect(subscriptions.totalCost).toBe(subscriptions.counts.reduce((sum, c) => sum + c.cost, 0));
    expect(subscriptions.maxTotalCost).toEqual(expect.any(Number));
  });

  it("lists a listener's failure, naming the event, whether or not an error listener routes it", async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { broadcaster, moderator } = t.users;
    const condition = { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id };
    const client = t.autoClient({
      conduitId: 'create',
      subscriptions: [{ type: 'channel.follow', version: '2', condition }],
    });
    client.on('error', () => undefined);
    client.on('channel.follow', () => {
      throw new TwitchError('TIMEOUT', 'the handler gave up, token=abcd1234');
    });
    await client.start();
    await t.emulator.triggerAsync('channel.follow', '2', { condition });
    const errors = await until(() => {
      const list = client.view().errors.filter((e) => e.message.startsWith('listener of'));
      return list.length > 0 ? list : undefined;
    });
    expect(errors[0]).toMatchObject({
      code: 'TIMEOUT',
      message: "listener of 'channel.follow': the handler gave up, token=[redacted]",
    });
  });

  it('keeps the reported errors redacted, newest last, at most RECENT_ERRORS_LIMIT', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const client = t.autoClient({ conduitId: 'create' });
    const seen: Error[] = [];
    client.on('error', (e) => seen.push(e));
    // `report` is protected: reached as the client's parts reach it.
    const report = (client as unknown as { report(e: Error): void }).report.bind(client);
    for (let i = 0; i < RECENT_ERRORS_LIMIT + 5; i++) {
      report(
        new TwitchError('TIMEOUT', `failure ${i}: GET /x?access_token=abcd1234&a=1 with Bearer sekret.token`),
      );
    }
    const errors = client.view().errors;
    expect(seen).toHaveLength(RECENT_ERRORS_LIMIT + 5);
    expect(errors).toHaveLength(RECENT_ERRORS_LIMIT);
    expect(errors[0]?.message).toMatch(/^failure 5:/);
    expect(errors.at(-1)).toMatchObject({ code: 'TIMEOUT' });
    expect(errors.at(-1)?.message).toBe(
      `failure ${RECENT_ERRORS_LIMIT + 4}: GET /x?access_token=[redacted]&a=1 with Bearer [redacted]`,
    );
  });
});

describe('HelixClient.view()', () => {
  it('names its kind and lists the errors its requests failed with, redacted, not the aborts', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const helix = t.helixClient({ maxRetries: 0 });
    expect(helix.view()).toEqual({ kind: 'HelixClient', errors: [] });
    void t.emulator.script.failHelix({ count: 1, status: 500, path: '/users' });
    await expect(helix.http.request({ method: 'GET', path: '/users', query: { id: '1' } })).rejects.toThrow();
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      helix.http.request({ method: 'GET', path: '/users', signal: aborted.signal }),
    ).rejects.toThrow();
    const { errors } = helix.view();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'SERVER_ERROR', at: expect.any(Number) as number });
    expect(errors[0]?.message).toMatch(/500/);
  });
});
