/**
 * Shard leases in Redis over the real emulator and a real redis-server: several AutoClients with redisOwnership on
 * one conduit. Every shard ends bound exactly once; a crashed node's shards go to the survivors after the TTL; a
 * joiner gets its fair share with the fewest moves; a graceful stop hands over make-before-break; the leader lease
 * moves; Redis frozen past the TTL fences everyone (fail static) and Redis restarted re-registers them, with
 * fencing tokens that never go back. Durations are short (a 600 ms lease); nothing asserts a wall-clock time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import type { AutoClient } from '../../src/eventsub/conduit/index.js';
import { callRedis, type RedisConnection } from '../../src/fleet/redis.js';
import { redisOwnership, type FleetOwnership, type RedisOwnershipOptions } from '../../src/fleet/index.js';
import { Harness } from '../eventsub/conduit/helpers.js';
import { createConduit } from '../support/emulator.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let server: TestRedis;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

const h = new Harness();
afterEach(() => h.close());

let fleets = 0;

/** A connection of its own that the test can cut (every command then hangs, as in a partition). */
async function cuttable(): Promise<RedisConnection & { cut: boolean }> {
  const inner = await server.connect();
  const conn = {
    cut: false,
    sendCommand: (args: string[]): Promise<unknown> =>
      conn.cut ? new Promise<unknown>(() => undefined) : inner.sendCommand(args),
  };
  return conn;
}

interface Node {
  readonly name: string;
  readonly client: AutoClient;
  readonly fleet: FleetOwnership;
  readonly redis: RedisConnection & { cut: boolean };
  readonly errors: string[];
}

class Fleet {
  readonly nodes: Node[] = [];
  readonly name = `f${String(++fleets)}`;
  constructor(
    readonly emu: Emulator,
    readonly conduitId: string | undefined,
  ) {}

  async add(name: string, options: Partial<RedisOwnershipOptions> = {}): Promise<Node> {
    const redis = await cuttable();
    const fleet = redisOwnership({
      redis,
      fleet: this.name,
      nodeId: name,
      leaseTtlMs: 600,
      renewEveryMs: 100,
      handoverMs: 3_000,
      ...options,
    });
    const errors: string[] = [];
    fleet.on('error', () => undefined);
    const client = h.client({
      ...(this.conduitId === undefined ? {} : { conduitId: this.conduitId }),
      ownership: fleet,
      reconcileIntervalMs: 50,
    });
    client.on('error', (error) => {
      errors.push((error as { code?: string }).code ?? error.message);
    });
    const node = { name, client, fleet, redis, errors };
    this.nodes.push(node);
    await client.start();
    return node;
  }

  live(): Node[] {
    return this.nodes.filter((n) => n.client.state === 'running' || n.client.state === 'starting');
  }

  /** Shard → the live node whose session Twitch delivers it to (undefined: none of them). */
  boundTo(): Map<string, string | undefined> {
    const conduit = this.emu.state().conduits.find((c) => c.id === this.conduitId);
    const result = new Map<string, string | undefined>();
    for (const shard of conduit?.shards ?? []) {
      const session = (shard.transport as { session_id?: unknown }).session_id;
      const node = this.live().find((n) =>
        [...n.client.conduitInfo.websockets.values()].some(
          (s) => s.sessionId === session && shard.status === 'enabled',
        ),
      );
      result.set(shard.id, node?.name);
    }
    return result;
  }

  /**
   * Every shard enabled and bound to exactly the live node whose lease holds it; leases disjoint; each node serves
   * only its leases.
   */
  settled(shardCount: number): boolean {
    const leases = new Map<string, string>();
    for (const node of this.live()) {
      // Each node serves exactly what its lease holds (a moved shard's old owner has let it go).
      const served = [...node.client.conduitInfo.websockets.keys()].sort((a, b) => Number(a) - Number(b));
      if (served.join() !== node.fleet.snapshot().owned.join()) return false;
      for (const id of node.fleet.snapshot().owned) {
        if (leases.has(id)) return false;
        leases.set(id, node.name);
      }
    }
    const bound = this.boundTo();
    if (bound.size !== shardCount || leases.size !== shardCount) return false;
    for (const [id, node] of bound) if (node === undefined || leases.get(id) !== node) return false;
    return true;
  }

  loads(): number[] {
    return this.live()
      .map((n) => n.fleet.snapshot().owned.length)
      .sort((a, b) => a - b);
  }
}

async function fleetOf(shardCount: number): Promise<Fleet> {
  const emu = await h.start();
  return new Fleet(emu, await createConduit(emu, shardCount));
}

describe('redisOwnership', () => {
  it('binds every shard exactly once across three clients, at fair shares', async () => {
    const f = await fleetOf(6);
    await f.add('a');
    await f.add('b');
    await f.add('c');
    await until(() => f.settled(6) && f.loads().join() === '2,2,2', 'three nodes at 2 shards each');
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('shares the shards out directly when the processes start together (no steals)', async () => {
    const f = await fleetOf(6);
    // b and c start while a, registered first, waits its warm-up period.
    const slow = { leaseTtlMs: 1_000, renewEveryMs: 300 }; // a wide warm-up window on a busy machine
    const a = f.add('a', slow);
    await until(() => f.nodes[0]?.fleet.snapshot().incarnation, 'a registered');
    await Promise.all([a, f.add('b', slow), f.add('c', slow)]);
    await until(() => f.settled(6) && f.loads().join() === '2,2,2', 'three nodes at 2 shards each');
    expect(f.nodes.map((n) => n.fleet.counters.steals)).toEqual([0, 0, 0]);
    expect(f.nodes.filter((n) => n.fleet.isLeader)).toHaveLength(1);
  });

  it('decides the conduit creation once fleet-wide: a follower creates none, the leader does', async () => {
    const emu = await h.start();
    const f = new Fleet(emu, undefined);
    // b's strategy is asked first (as a client's is, before it starts): it registers and holds the leader lease.
    const b = redisOwnership({
      redis: await cuttable(),
      fleet: f.name,
      nodeId: 'b',
      leaseTtlMs: 5_000,
      renewEveryMs: 100,
    });
    expect(await b.leader()).toBe(true);
    await expect(f.add('a')).rejects.toMatchObject({ code: 'CONDUIT_NOT_FOUND' });
    expect(emu.state().conduits).toEqual([]);
    expect(await b.conduitId()).toBeNull();
    const leader = h.client({ ownership: b });
    await leader.start();
    expect(emu.state().conduits).toHaveLength(1);
    expect(b.snapshot().owned.length).toBeGreaterThan(0);
    // The follower can learn the leader's conduit through the fleet.
    expect(await f.nodes[0]?.fleet.conduitId()).toBe(leader.conduitInfo.id);
  });

  it('a client whose start failed after asking the fleet leaves it when closed (no registration left for a TTL)', async () => {
    const emu = await h.start();
    const f = new Fleet(emu, undefined);
    const b = redisOwnership({ redis: await cuttable(), fleet: f.name, nodeId: 'b', leaseTtlMs: 5_000 });
    expect(await b.leader()).toBe(true);
    // a registers to ask whether it leads the creation, is told no, and fails.
    await expect(f.add('a', { leaseTtlMs: 5_000 })).rejects.toMatchObject({ code: 'CONDUIT_NOT_FOUND' });
    await f.nodes[0]?.client.close();
    const probe = await server.connect();
    const members = await callRedis(probe, ['SMEMBERS', `tr:{${f.name}}:nodes`], { timeoutMs: 1000 });
    expect(members).toEqual(['b']);
    await b.stop();
  });

  it('gives a crashed node’s shards to the survivors after the lease TTL, and the leadership too', async () => {
    const f = await fleetOf(6);
    const a = await f.add('a');
    await f.add('b');
    await f.add('c');
    await until(() => f.settled(6) && f.loads().join() === '2,2,2', 'settled');
    expect(a.fleet.isLeader).toBe(true);
    // a crashes: no word to Redis any more, transports gone.
    a.redis.cut = true;
    await a.client.close();
    await until(() => f.settled(6) && f.loads().join() === '3,3', {
      what: 'survivors hold all',
      timeoutMs: 4000,
    });
    await until(() => f.nodes.slice(1).some((n) => n.fleet.isLeader), 'a new leader');
    expect(f.nodes.slice(1).map((n) => n.fleet.snapshot().leader)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^[bc]$/)]),
    );
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('gives a joiner its fair share with the fewest moves, make-before-break', async () => {
    const f = await fleetOf(6);
    const a = await f.add('a');
    const b = await f.add('b');
    await until(() => f.settled(6) && f.loads().join() === '3,3', 'two nodes at 3');
    const stealsBefore = a.fleet.counters.steals + b.fleet.counters.steals;
    const c = await f.add('c');
    await until(() => f.settled(6) && f.loads().join() === '2,2,2', 'three nodes at 2');
    // The minimum is 2 moves (one from each): no more.
    expect(c.fleet.counters.steals + a.fleet.counters.steals + b.fleet.counters.steals - stealsBefore).toBe(
      2,
    );
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('gives a joiner its whole fair share within two rounds by default, with the minimum moves', async () => {
    const f = await fleetOf(12);
    const a = await f.add('a');
    const b = await f.add('b');
    await until(() => f.settled(12) && f.loads().join() === '6,6', 'two nodes at 6');
    const stealsBefore = a.fleet.counters.steals + b.fleet.counters.steals;
    const c = await f.add('c');
    const rounds = await until(
      () => (c.fleet.snapshot().owned.length === 4 ? c.fleet.counters.renewals : undefined),
      'c holds its share',
    );
    expect(rounds).toBeLessThanOrEqual(2);
    await until(() => f.settled(12) && f.loads().join() === '4,4,4', 'three nodes at 4');
    expect(c.fleet.counters.steals + a.fleet.counters.steals + b.fleet.counters.steals - stealsBefore).toBe(
      4,
    );
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('an owner that has not yet seen a move does not fight for the shard, then lets it go', async () => {
    const f = await fleetOf(2);
    const a = await f.add('a', { leaseTtlMs: 20_000 });
    const probe = await server.connect();
    await until(async () => {
      const entries = (await callRedis(probe, ['HVALS', `tr:{${f.name}}:leases`], {
        timeoutMs: 1000,
      })) as string[];
      return f.settled(2) && entries.length === 2 && entries.every((e) => e.endsWith('|bound'));
    }, 'a holds both, bound');
    // a hears nothing more from Redis, far from fenced: it cannot learn that b takes a shard.
    a.redis.cut = true;
    const b = await f.add('b', { leaseTtlMs: 20_000 });
    const moved = await until(() => {
      const [id] = b.fleet.snapshot().owned;
      return id !== undefined && f.boundTo().get(id) === 'b' ? id : undefined;
    }, 'b bound a shard it stole');
    expect(a.fleet.fenced).toBe(false);
    // a's health check sees the shard held by another session: no take-back on its stale knowledge.
    await a.client.reconcile();
    await a.client.reconcile();
    expect(f.boundTo().get(moved)).toBe('b');
    // a hears from Redis again: it learns of the move and closes its transport of that shard.
    a.redis.cut = false;
    await until(() => !a.client.conduitInfo.websockets.has(moved), 'a let the shard go');
    expect(f.settled(2)).toBe(true);
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('follows the shard count: new shards shared out, removed ones dropped from the leases', async () => {
    const f = await fleetOf(4);
    const a = await f.add('a');
    await f.add('b');
    await until(() => f.settled(4) && f.loads().join() === '2,2', 'settled on 4');
    await a.client.conduitInfo.updateShardCount(6);
    await until(() => f.settled(6) && f.loads().join() === '3,3', 'settled on 6');
    await a.client.conduitInfo.updateShardCount(3);
    await until(() => f.settled(3) && f.loads().join() === '1,2', 'settled on 3');
    const probe = await server.connect();
    const shards = (await callRedis(probe, ['HKEYS', `tr:{${f.name}}:owners`], {
      timeoutMs: 1000,
    })) as string[];
    expect(shards.sort()).toEqual(['0', '1', '2']);
    const leases = (await callRedis(probe, ['HKEYS', `tr:{${f.name}}:leases`], {
      timeoutMs: 1000,
    })) as string[];
    expect(leases.sort()).toEqual(['0', '1', '2']);
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('hands a stopping node’s shards over before its transports close, every node in turn (rolling restart)', async () => {
    const f = await fleetOf(6);
    await f.add('a');
    await f.add('b');
    await f.add('c');
    await until(() => f.settled(6) && f.loads().join() === '2,2,2', 'settled');
    for (const name of ['a', 'b', 'c']) {
      const node = f.live().find((n) => n.name === name);
      if (node === undefined) throw new Error(`no node ${name}`);
      const released = node.fleet.counters.releases;
      await node.client.close();
      // Make-before-break: when close() resolves, every shard is already bound to a survivor.
      expect([...f.boundTo().values()].every((n) => n !== undefined && n !== name)).toBe(true);
      expect(node.fleet.counters.releases - released).toBe(2);
      // ...and its replacement takes its share back.
      await f.add(`${name}2`);
      await until(() => f.settled(6) && f.loads().join() === '2,2,2', `settled after ${name} restarted`);
    }
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });
});

describe('fencing', () => {
  it('Redis frozen past the TTL: everyone fenced keeps serving (fail static), binds nothing; thawed: converges', async () => {
    const f = await fleetOf(6);
    await f.add('a');
    await f.add('b');
    await until(() => f.settled(6) && f.loads().join() === '3,3', 'settled');
    const before = f.boundTo();
    server.freeze();
    try {
      await until(() => f.nodes.every((n) => n.fleet.fenced), 'both fenced');
      for (const n of f.nodes)
        for (const id of ['0', '1', '2', '3', '4', '5']) expect(n.fleet.mayBind(id)).toBe(false);
      await Promise.all(f.nodes.map((n) => n.client.reconcile()));
      expect(f.boundTo()).toEqual(before);
    } finally {
      server.thaw();
    }
    await until(() => f.nodes.every((n) => !n.fleet.fenced) && f.settled(6) && f.loads().join() === '3,3', {
      what: 'converged after the thaw',
      timeoutMs: 4000,
    });
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  });

  it('Redis restarted empty while a node is cut off: the others claim none of its shards while it is unfenced', async () => {
    // A long TTL (3 s, renewal every 100 ms): the cut-off node stays unfenced for 2.7 s after its last renewal.
    const f = await fleetOf(4);
    const a = await f.add('a', { leaseTtlMs: 3000 });
    const b = await f.add('b', { leaseTtlMs: 3000 });
    await until(() => f.settled(4) && f.loads().join() === '2,2', 'settled');
    const claimedWhileUnfenced: string[] = [];
    a.fleet.on('claimed', (ids) => {
      const held = new Set(b.fleet.snapshot().owned);
      if (!b.fleet.fenced) claimedWhileUnfenced.push(...ids.filter((id) => held.has(id)));
    });
    const renewals = b.fleet.counters.renewals;
    await until(() => b.fleet.counters.renewals > renewals, "b's next renewal");
    // b's lease was confirmed by the Redis that is now lost: b is slow to learn it (its connection hangs).
    b.redis.cut = true;
    await server.restart();
    await until(() => a.fleet.snapshot().owned.length === 4, {
      what: "a holds b's shards once b is fenced",
      timeoutMs: 8000,
    });
    expect(claimedWhileUnfenced).toEqual([]);
    expect(b.fleet.fenced).toBe(true);
  }, 15_000);

  it('Redis restarted: re-registers, converges, and fencing tokens never go back', async () => {
    const f = await fleetOf(4);
    await f.add('a');
    await f.add('b');
    await until(() => f.settled(4) && f.loads().join() === '2,2', 'settled');
    const probe = await server.connect();
    const last = Number(await callRedis(probe, ['GET', `tr:{${f.name}}:token`], { timeoutMs: 1000 }));
    await server.restart();
    await until(
      async () => {
        const entries = (await callRedis(probe, ['HVALS', `tr:{${f.name}}:leases`], {
          timeoutMs: 1000,
        }).catch(() => [])) as string[];
        return entries.length === 4 && f.settled(4) ? entries : null;
      },
      { what: 're-registered after the restart', timeoutMs: 4500 },
    );
    const entries = (await callRedis(probe, ['HVALS', `tr:{${f.name}}:leases`], {
      timeoutMs: 1000,
    })) as string[];
    expect(entries).toHaveLength(4);
    for (const entry of entries) expect(Number(entry.split('|')[0])).toBeGreaterThan(last);
    for (const node of f.nodes) expect(node.errors).not.toContain('SHARD_CONTESTED');
  }, 10_000);
});
