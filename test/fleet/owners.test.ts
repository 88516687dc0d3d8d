/**
 * Every shard's owner for the dashboard (`FleetOwnership.owners()`), with a real redis-server: a node shows the other
 * nodes' shards with their node ids once it has read the fleet's owners hash; it reads that hash only while someone
 * calls `owners()` (checked with Redis's own command counts, and on a fake clock by draining); never two reads at
 * once; a failed read is an `error` event and the last known owners stay.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisError } from '../../src/fleet/errors.js';
import { redisOwnership, type FleetOwnership } from '../../src/fleet/index.js';
import { callRedis, type RedisConnection } from '../../src/fleet/redis.js';
import type { AutoClient } from '../../src/index.js';
import { Harness } from '../eventsub/conduit/helpers.js';
import { FakeClock } from '../support/clock.js';
import { createConduit } from '../support/emulator.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let server: TestRedis;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedis();
  redis = await server.connect();
});
afterAll(async () => {
  await server.stop();
});

const h = new Harness();
afterEach(() => h.close());

/** How many times Redis ran `command` (INFO commandstats; commands run inside scripts count too). */
async function calls(command: string): Promise<number> {
  const info = await callRedis(redis, ['INFO', 'commandstats'], { timeoutMs: 5_000 });
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(String(info));
  return match === null ? 0 : Number(match[1]);
}

interface Node {
  nodeId: string;
  fleet: FleetOwnership;
  client: AutoClient;
  errors: Error[];
}

/** 3 AutoClients on one conduit of 6 shards, each with its lease; resolves once each holds 2. */
async function startFleet(
  name: string,
  connect: (nodeId: string) => Promise<RedisConnection>,
): Promise<Node[]> {
  const emu = await h.start();
  const conduitId = await createConduit(emu, 6);
  const nodes = await Promise.all(
    ['a', 'b', 'c'].map(async (nodeId) => {
      const fleet = redisOwnership({
        redis: await connect(nodeId),
        fleet: name,
        nodeId,
        leaseTtlMs: 1_200,
        renewEveryMs: 200,
        redisTimeoutMs: 300,
        ownersRefreshMs: 100,
      });
      const errors: Error[] = [];
      fleet.on('error', (error) => errors.push(error));
      const client = h.client({ conduitId, ownership: fleet, reconcileIntervalMs: 50 });
      client.on('error', () => undefined);
      await client.start();
      return { nodeId, fleet, client, errors };
    }),
  );
  await until(
    () => nodes.every((n) => n.fleet.snapshot().owned.length === 2),
    'two shards leased by each node',
  );
  return nodes;
}

/** Shard id -> owner node, from the nodes' own snapshots. */
function truth(nodes: readonly Node[]): Map<string, string> {
  return new Map(nodes.flatMap((n) => n.fleet.snapshot().owned.map((id) => [id, n.nodeId] as const)));
}

/** The owners `client.view()` shows, shard id -> owner. */
function shown(client: AutoClient): Map<string, string | null> {
  return new Map((client.view().conduit?.shards ?? []).map((s) => [s.id, s.owner]));
}

describe("every shard's owner on the dashboard", () => {
  it("reads nothing while nobody asks; then node A's view shows B's and C's shards with their owners", async () => {
    const nodes = await startFleet('owners-all', () => server.connect());
    const [a] = nodes;
    // Renewals go on (each node renews 3 more times), and nobody called owners(): no scan of the owners hash.
    const renewed = nodes.map((n) => n.fleet.counters.renewals);
    await until(
      () => nodes.every((n, i) => n.fleet.counters.renewals >= (renewed[i] ?? 0) + 3),
      'three more renewals per node',
    );
    expect(await calls('hscan')).toBe(0);
    // The dashboard asks (view() calls owners()): the first answer knows only A's own shards, a later one all.
    const first = shown(a!.client);
    expect([...first.values()].filter((o) => o !== null && o !== 'a')).toEqual([]);
    await until(() => {
      const owners = shown(a!.client);
      return [...truth(nodes)].every(([id, node]) => owners.get(id) === node);
    }, "every shard shown with its owner on A's view");
    const owners = shown(a!.client);
    expect(new Set(owners.values())).toEqual(new Set(['a', 'b', 'c']));
    for (const [id, node] of truth(nodes)) expect(owners.get(id)).toBe(node);
    expect(await calls('hscan')).toBeGreaterThan(0);
    expect(a!.errors).toEqual([]);
  });

  it('a failed read (Redis stopped) is an error event, and the last known owners stay', async () => {
    const nodes = await startFleet('owners-down', () => server.connect());
    const [a] = nodes;
    const expected = truth(nodes);
    await until(() => {
      const owners = shown(a!.client);
      return [...expected].every(([id, node]) => owners.get(id) === node);
    }, "every shard shown with its owner on A's view");
    server.freeze();
    try {
      await until(() => {
        a!.fleet.owners(); // someone keeps asking
        return a!.errors.some((e) => e instanceof RedisError && e.command === 'HSCAN');
      }, 'a failed read of the owners hash reported');
      const error = a!.errors.find((e) => e instanceof RedisError && e.command === 'HSCAN') as RedisError;
      expect(error.code).toBe('REDIS_TIMEOUT');
      const owners = shown(a!.client);
      for (const [id, node] of expected) expect(owners.get(id)).toBe(node);
    } finally {
      server.thaw();
    }
  });
});

describe('the read of the owners hash on a fake clock', () => {
  it('runs every ownersRefreshMs while asked, never two at once, stops when nobody asks and on stop()', async () => {
    const clock = new FakeClock();
    // The owners hash, answered here at once (or held until released: a slow read); nothing else is sent.
    const released: (() => void)[] = [];
    let hold = false;
    const conn: RedisConnection = {
      sendCommand: (args) => {
        if (args[0] !== 'HSCAN') return Promise.reject(new Error(`unexpected ${String(args[0])}`));
        const reply = ['0', ['0', 'other|1']];
        if (!hold) {
          released.push(() => undefined);
          return Promise.resolve(reply);
        }
        return new Promise((resolve) =>
          released.push(() => {
            resolve(reply);
          }),
        );
      },
    };
    const fleet = redisOwnership({
      redis: conn,
      fleet: 'owners-clock',
      nodeId: 'solo',
      redisTimeoutMs: 5_000,
      ownersRefreshMs: 300,
      clock,
    });
    const errors: Error[] = [];
    fleet.on('error', (error) => errors.push(error));
    const reads = (): number => released.length;
    // Nobody asked: nothing scheduled, nothing read.
    await clock.tickAsync(5_000);
    expect(reads()).toBe(0);
    expect(clock.pending).toBe(0);
    // Asked: read at once (never inside owners() itself), then every 300 ms while asked.
    fleet.owners();
    expect(reads()).toBe(0);
    await clock.tickAsync(0);
    expect(reads()).toBe(1);
    for (let i = 0; i < 3; i++) {
      fleet.owners();
      await clock.tickAsync(300);
    }
    expect(reads()).toBe(4);
    // A slow read: asked again and again, periods pass, still one read in flight.
    hold = true;
    fleet.owners();
    await clock.tickAsync(300);
    expect(reads()).toBe(5);
    for (let i = 0; i < 4; i++) {
      fleet.owners();
      await clock.tickAsync(300);
    }
    expect(reads()).toBe(5);
    hold = false;
    released[4]?.();
    // Nobody asks any more: within two periods the reads stop (drained: far later, nothing more is read).
    await clock.tickAsync(1_000);
    const settled = reads();
    expect(clock.pending).toBe(0);
    await clock.tickAsync(10_000);
    expect(reads()).toBe(settled);
    // Asked again, then stopped: nothing left scheduled, and asking after stop() schedules nothing.
    fleet.owners();
    expect(clock.pending).toBe(1);
    await fleet.stop();
    expect(clock.pending).toBe(0);
    fleet.owners();
    expect(clock.pending).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('a hostile answer to the read', () => {
  it.each([
    ['not an array', () => 'nope'],
    ['an odd field list', () => ['0', ['1']]],
    ['a cursor that is no number', () => ['x', []]],
    ['a scan that never ends', () => ['7', ['0', 'other|1']]],
    ['a value that is no node|incarnation', () => ['0', ['1', 'nodeA']]],
    ['a value with no node', () => ['0', ['1', '|3']]],
  ])('%s: a REDIS_BAD_REPLY error event, nothing thrown, nothing looping', async (_, reply) => {
    const clock = new FakeClock();
    let reads = 0;
    const conn: RedisConnection = {
      sendCommand: () => {
        reads++;
        return Promise.resolve(reply());
      },
    };
    const fleet = redisOwnership({ redis: conn, fleet: 'owners-hostile', nodeId: 'solo', clock });
    const errors: Error[] = [];
    fleet.on('error', (error) => errors.push(error));
    fleet.owners();
    await clock.tickAsync(0);
    await until(() => errors.length > 0, 'the bad reply reported');
    expect(errors[0]).toBeInstanceOf(RedisError);
    expect((errors[0] as RedisError).code).toBe('REDIS_BAD_REPLY');
    expect((errors[0] as RedisError).command).toBe('HSCAN');
    expect(reads).toBeLessThanOrEqual(1_000);
    expect(fleet.owners().size).toBe(0);
    await fleet.stop();
    expect(clock.pending).toBe(0);
  });
});

describe("this node's own leases in owners()", () => {
  it('follow its claims and a shrinking conduit at once (no read needed)', async () => {
    const clock = new FakeClock();
    // The owners hash is never answered here: what owners() shows comes from this node's own leases.
    const conn: RedisConnection = {
      sendCommand: (args) => (args[0] === 'HSCAN' ? new Promise(() => undefined) : redis.sendCommand(args)),
    };
    const fleet = redisOwnership({
      redis: conn,
      fleet: 'owners-own',
      nodeId: 'solo',
      leaseTtlMs: 10_000,
      renewEveryMs: 100,
      redisTimeoutMs: 5_000,
      clock,
    });
    fleet.on('error', () => undefined);
    expect(fleet.owners().size).toBe(0);
    const owned = new Set<string>();
    const context = {
      conduitId: 'c',
      shardCount: 3,
      signal: new AbortController().signal,
      grant: (ids: Iterable<string>) => {
        for (const id of ids) owned.add(id);
        return Promise.resolve();
      },
      revoke: (ids: Iterable<string>) => {
        for (const id of ids) owned.delete(id);
        return Promise.resolve();
      },
      owned: () => [...owned],
    };
    const starting = fleet.start(context);
    await until(() => clock.delays().includes(100), 'the warm-up');
    clock.advance(100);
    await starting;
    expect([...fleet.owners()].sort()).toEqual([
      ['0', 'solo'],
      ['1', 'solo'],
      ['2', 'solo'],
    ]);
    context.shardCount = 1;
    await fleet.shardCountChanged(1);
    expect([...fleet.owners()]).toEqual([['0', 'solo']]);
    await fleet.stop();
    expect(fleet.owners().size).toBe(0);
  });
});
