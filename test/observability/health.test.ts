/**
 * `health()` with Kubernetes semantics, over the real emulator: the AutoClient on a `TestClock` (its retries, health
 * check and stuck detection; the sessions keep real time so that keepalives flow), shards made to fail by scripted
 * Helix faults (Update Conduit Shards answering 503), time moved only by the test. The HelixClient's refused
 * credentials. The rules themselves (held, contested, unusable, a late health check) on `ConduitHealth` directly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { AutoClient } from '../../src/eventsub/conduit/auto-client.js';
import {
  ConduitHealth,
  shardRetryBudget,
  type ConduitHealthHost,
} from '../../src/eventsub/conduit/health.js';
import type { Shard } from '../../src/eventsub/conduit/shard.js';
import type { ClientState } from '../../src/eventsub/client.js';
import { HelixClient } from '../../src/helix/client.js';
import { dropShard, startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

let twitch: TestTwitch | undefined;
afterEach(async () => {
  await twitch?.close();
  twitch = undefined;
});

const SHARD_PATH = '/eventsub/conduits/shards';

async function startClient(
  clock: FakeClock,
  options: { stuckAfterMs?: number } = {},
): Promise<{ t: TestTwitch; client: AutoClient }> {
  const t = await startTestTwitch();
  twitch = t;
  const { broadcaster, moderator } = t.users;
  const client = t.autoClient({
    subscriptions: [
      {
        type: 'channel.follow',
        version: '2',
        condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
      },
    ],
    // One Helix attempt per assignment: each scripted 503 is one shard failure.
    helix: t.helixClient({ maxRetries: 0 }),
    clock,
    session: { clock: systemClock },
    assignChunkSize: 1,
    shardRetry: { initialMs: 1000, maxMs: 8000 },
    ...options,
  });
  client.on('error', () => undefined);
  await client.start();
  return { t, client };
}

/** Moves the client's clock a second at a time until `check` holds (bounded by `until`). */
function tickUntil(clock: FakeClock, check: () => boolean, what: string, timeoutMs = 4000): Promise<unknown> {
  return until(
    async () => {
      if (check()) return true;
      await clock.tickAsync(1000);
      return check();
    },
    { what, timeoutMs },
  );
}

describe('AutoClient health()', () => {
  it('is live but not ready before start, ready after, and neither after close', async () => {
    const clock = new FakeClock(Date.now());
    const t = await startTestTwitch();
    twitch = t;
    const client = t.autoClient({ clock, session: { clock: systemClock }, assignChunkSize: 1 });
    expect(client.health()).toEqual({ live: true, ready: false, reasons: ['not started'] });
    await client.start();
    expect(client.health()).toEqual({ live: true, ready: true, reasons: [] });
    await client.close();
    expect(client.health()).toEqual({ live: false, ready: false, reasons: ['client closed'] });
  });

  it('stays ready while a dropped shard is retried, not ready past its retry budget, ready again once bound', async () => {
    const clock = new FakeClock(Date.now());
    const { t, client } = await startClient(clock);
    const budget = shardRetryBudget({ initialMs: 1000, maxMs: 8000 });
    expect(budget).toBe(4);
    // Exactly the budget of failures, then Twitch accepts the binding again.
    const faults = t.emulator.script.failHelix({
      count: budget,
      status: 503,
      method: 'PATCH',
      path: SHARD_PATH,
    });
    const conduitId = (await client.helix.eventSub.getConduits())[0]?.id;
    if (conduitId === undefined) throw new Error('no conduit');
    const failures: number[] = [];
    client.on('error', (error) => {
      const count = (error as { attempt?: unknown }).attempt;
      if (typeof count === 'number') failures.push(count);
    });
    await dropShard(t, { conduitId, shardId: '0', code: 'tcp' });
    // The first failure: waiting to retry, within its budget.
    await until(() => failures.length === 1, { what: 'first assignment failure' });
    expect(client.health()).toEqual({ live: true, ready: true, reasons: [] });
    await tickUntil(clock, () => !client.health().ready, 'not ready past the retry budget');
    expect(failures.at(-1)).toBe(budget);
    expect(client.health()).toEqual({
      live: true,
      ready: false,
      reasons: [`shards past their retry budget (${budget} failures in a row): 0`],
    });
    await faults;
    await tickUntil(clock, () => client.health().ready, 'ready again');
    expect(client.health()).toEqual({ live: true, ready: true, reasons: [] });
  });

  it('stays live while a shard keeps retrying past stuckAfterMs (an outage: not ready, not stuck)', async () => {
    const clock = new FakeClock(Date.now());
    const { t, client } = await startClient(clock, { stuckAfterMs: 120_000 });
    void t.emulator.script.failHelix({ count: 10_000, status: 503, method: 'PATCH', path: SHARD_PATH });
    const conduitId = (await client.helix.eventSub.getConduits())[0]?.id;
    if (conduitId === undefined) throw new Error('no conduit');
    const failures: number[] = [];
    client.on('error', (error) => {
      const count = (error as { attempt?: unknown }).attempt;
      if (typeof count === 'number') failures.push(count);
    });
    await dropShard(t, { conduitId, shardId: '0', code: 'tcp' });
    const droppedAt = clock.now();
    await tickUntil(clock, () => !client.health().ready, 'not ready');
    // Well past stuckAfterMs, still failing every retry: Twitch's problem, which a restart would not fix.
    await tickUntil(clock, () => clock.now() - droppedAt >= 150_000, 'past stuckAfterMs', 60_000);
    const retries = failures.length;
    await tickUntil(clock, () => failures.length > retries, 'another retry');
    expect(client.health()).toEqual({
      live: true,
      ready: false,
      reasons: [`shards past their retry budget (4 failures in a row): 0`],
    });
  }, 90_000);
  it('stays live while a shard waits for a retry longer than stuckAfterMs (its backoff is above it)', async () => {
    const clock = new FakeClock(Date.now());
    // Retries up to 8 s apart, stuck after 2 s: the wait for a due retry is a step planned, not idleness.
    const { t, client } = await startClient(clock, { stuckAfterMs: 2000 });
    void t.emulator.script.failHelix({ count: 10_000, status: 503, method: 'PATCH', path: SHARD_PATH });
    const conduitId = (await client.helix.eventSub.getConduits())[0]?.id;
    if (conduitId === undefined) throw new Error('no conduit');
    const failures: number[] = [];
    client.on('error', (error) => {
      const count = (error as { attempt?: unknown }).attempt;
      if (typeof count === 'number') failures.push(count);
    });
    await dropShard(t, { conduitId, shardId: '0', code: 'tcp' });
    // The session reconnects on real time (the client's clock stands still meanwhile); its assignment fails.
    await until(() => failures.length === 1, { what: 'first assignment failure' });
    const notLive: (readonly string[])[] = [];
    await tickUntil(
      clock,
      () => {
        const report = client.health();
        if (!report.live) notLive.push(report.reasons);
        return failures.length >= 6;
      },
      'six failed retries',
      30_000,
    );
    expect(notLive).toEqual([]);
  }, 60_000);
});

describe('AutoClient health() with an ownership strategy', () => {
  it('counts a held shard as ready and never stuck, and times a shard from when it leaves held', async () => {
    const clock = new FakeClock(Date.now());
    const t = await startTestTwitch();
    twitch = t;
    let mayBind = false;
    const client = t.autoClient({
      helix: t.helixClient({ maxRetries: 0 }),
      clock,
      session: { clock: systemClock },
      assignChunkSize: 1,
      stuckAfterMs: 60_000,
      ownership: {
        start: (context) => context.grant(['0']),
        mayBind: () => mayBind,
      },
    });
    const states: string[] = [];
    client.on('error', () => undefined);
    await client.start();
    expect(client.health()).toEqual({ live: true, ready: true, reasons: [] });
    // Held (refused by the strategy) for longer than stuckAfterMs, asked again at each health check: still fine.
    await clock.tickAsync(61_000);
    const shards = client.metrics().find((m) => m.name === 'twitch_realtime_shards');
    expect(shards?.samples.find((s) => s.labels.state === 'held')?.value).toBe(1);
    expect(client.health()).toEqual({ live: true, ready: true, reasons: [] });
    // Released, then failing to bind: a fresh not-ready time, not the time since the shard was created.
    void t.emulator.script.failHelix({ count: 10_000, status: 503, method: 'PATCH', path: SHARD_PATH });
    mayBind = true;
    client.on('error', (error) => states.push((error as { code?: string }).code ?? ''));
    await client.reconcile();
    await until(() => states.includes('SHARD_ASSIGN_FAILED'), { what: 'the released shard failing to bind' });
    expect(client.health()).toEqual({ live: true, ready: true, reasons: [] });
  });
});

describe('HelixClient health()', () => {
  it('is not ready once Twitch refuses the app credentials, live until closed', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { helixUrl, oauthUrl, clientId } = t.clientOptions();
    const helix = new HelixClient({ clientId, clientSecret: 'not-the-secret', helixUrl, oauthUrl });
    expect(helix.health()).toEqual({ live: true, ready: true, reasons: [] });
    await expect(helix.users.getUsers({ ids: ['1001'] })).rejects.toMatchObject({ code: 'APP_TOKEN_FAILED' });
    const report = helix.health();
    expect(report.live).toBe(true);
    expect(report.ready).toBe(false);
    expect(report.reasons).toHaveLength(1);
    expect(report.reasons[0]).toMatch(/^app token refused \(/);
    expect(report.reasons[0]).not.toContain('not-the-secret');
    helix.close();
    expect(helix.health()).toEqual({ live: false, ready: false, reasons: ['client closed'] });
  });

  it('stays ready after a request that failed with a 5xx', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const helix = t.helixClient({ maxRetries: 0 });
    void t.emulator.script.failHelix({ count: 1, status: 503, path: '/users' });
    await expect(helix.users.getUsers({ ids: ['1001'] })).rejects.toMatchObject({ status: 503 });
    expect(helix.health()).toEqual({ live: true, ready: true, reasons: [] });
  });
});

/** A shard as `ConduitHealth` reads it. */
function shard(
  state: string,
  failures = 0,
  notReadySince: number | null = null,
  contested = false,
  changedAt = notReadySince ?? 0,
): Shard {
  return { state, failures, notReadySince, contested, changedAt } as unknown as Shard;
}

function health(
  shards: Record<string, Shard | undefined>,
  options: {
    state?: ClientState;
    now?: number;
    activity?: { activeAt: number | null; runningSince: number | null };
    helix?: { live: boolean; ready: boolean; reasons: string[] };
  } = {},
): ConduitHealth {
  const now = options.now ?? 1_000_000;
  const host: ConduitHealthHost = {
    clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined },
    stuckAfterMs: 300_000,
    retryBudget: 7,
    reconcileIntervalMs: 60_000,
    state: () => options.state ?? 'running',
    granted: () => Object.keys(shards),
    shard: (id) => shards[id],
    reconcilerActivity: () => options.activity ?? { activeAt: now, runningSince: null },
    helix: () => options.helix ?? { live: true, ready: true, reasons: [] },
  };
  return new ConduitHealth(host);
}

describe('ConduitHealth rules', () => {
  it('derives the retry budget from the backoff: steps to its ceiling plus one, at least 3', () => {
    expect(shardRetryBudget({ initialMs: 1000, maxMs: 60_000 })).toBe(7);
    expect(shardRetryBudget({ initialMs: 1000, maxMs: 1000 })).toBe(3);
  });

  it('counts held and retrying shards as ready; contested, unusable and closed ones not', () => {
    expect(
      health({ 0: shard('ready'), 1: shard('held', 0, 0), 2: shard('waiting', 6, 999_000) }).report(),
    ).toEqual({ live: true, ready: true, reasons: [] });
    expect(
      health({
        0: shard('ready', 0, null, true),
        1: undefined,
        2: shard('closed'),
        3: shard('waiting', 7),
      }).report(),
    ).toEqual({
      live: true,
      ready: false,
      reasons: [
        'shards past their retry budget (7 failures in a row): 3',
        'shards contested (no longer taken back from another transport): 0',
        'shards without a usable transport: 1',
        'shards closed: 2',
      ],
    });
  });

  it('quotes at most 10 shard ids per line', () => {
    const many: Record<string, Shard> = {};
    for (let i = 0; i < 25; i++) many[String(i)] = shard('connecting', 9);
    expect(health(many).report().reasons).toEqual([
      'shards past their retry budget (7 failures in a row): 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 (+15 more)',
    ]);
  });

  it('is not live when the health check is late or hangs, nor when Helix refuses the credentials', () => {
    const now = 10_000_000;
    expect(health({}, { now, activity: { activeAt: now - 360_000, runningSince: null } }).report()).toEqual({
      live: false,
      ready: false,
      reasons: ['stuck: the health check has not run for over 360000 ms'],
    });
    expect(health({}, { now, activity: { activeAt: now - 359_999, runningSince: null } }).report().live).toBe(
      true,
    );
    expect(
      health({}, { now, activity: { activeAt: now, runningSince: now - 300_000 } }).report().reasons,
    ).toEqual(['stuck: the health check has been running for over 300000 ms']);
    const refused = { live: true, ready: false, reasons: ['app token refused (APP_TOKEN_FAILED): x'] };
    expect(health({}, { helix: refused }).report()).toEqual({
      live: false,
      ready: false,
      reasons: ['helix: app token refused (APP_TOKEN_FAILED): x'],
    });
  });

  it('is not live when a shard is not ready and has taken no step for stuckAfterMs; retrying is not stuck', () => {
    const now = 1_000_000;
    // Not ready for 400 s, last step 300 s ago: stuck. Not ready as long, last step 10 s ago: retrying.
    expect(
      health({ 0: shard('connecting', 2, now - 400_000, false, now - 300_000) }, { now }).report(),
    ).toEqual({
      live: false,
      ready: false,
      reasons: ['stuck: shards not ready and idle for over 300000 ms: 0'],
    });
    expect(
      health({ 0: shard('connecting', 2, now - 400_000, false, now - 10_000) }, { now }).report(),
    ).toEqual({ live: true, ready: true, reasons: [] });
    // One millisecond short of stuckAfterMs idle: not yet.
    expect(
      health({ 0: shard('connecting', 2, now - 400_000, false, now - 299_999) }, { now }).report().live,
    ).toBe(true);
    // Waiting 400 s for a retry due in 10 s (a backoff above stuckAfterMs): not stuck. Due 300 s ago and not run: stuck.
    const waiting = (dueAt: number): Shard =>
      Object.assign(shard('waiting', 2, now - 400_000, false, now - 400_000), { retryDueAt: dueAt });
    expect(health({ 0: waiting(now + 10_000) }, { now }).report().live).toBe(true);
    expect(health({ 0: waiting(now - 299_999) }, { now }).report().live).toBe(true);
    expect(health({ 0: waiting(now - 300_000) }, { now }).report().reasons).toEqual([
      'stuck: shards not ready and idle for over 300000 ms: 0',
    ]);
  });

  it('is not live when start-up lasts stuckAfterMs', () => {
    let now = 0;
    const host = {
      clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined },
      stuckAfterMs: 1000,
      retryBudget: 3,
      reconcileIntervalMs: 0,
      state: (): ClientState => 'starting',
      granted: () => [],
      shard: () => undefined,
      reconcilerActivity: () => ({ activeAt: null, runningSince: null }),
      helix: () => ({ live: true, ready: true, reasons: [] }),
    } satisfies ConduitHealthHost;
    const h = new ConduitHealth(host);
    h.starting();
    now = 999;
    expect(h.report()).toEqual({ live: true, ready: false, reasons: ['starting'] });
    now = 1000;
    expect(h.report()).toEqual({
      live: false,
      ready: false,
      reasons: ['stuck: starting for over 1000 ms', 'starting'],
    });
  });
});
