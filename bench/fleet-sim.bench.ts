/**
 * Fleet simulation (issue 16): in-process FleetOwnership coordinators with fake OwnershipContexts (no AutoClient, no
 * sockets: a grant "binds" at once) against one real redis-server. 20,000 shards over 50 nodes, default lease
 * timings (TTL 6 s, renewal every 2 s, `maxMovesPerRound` by default: a joiner steals its whole deficit in a round). Measured: time to converge from a cold start, after 10
 * nodes join, after 10 nodes die (their Redis connection cut: no leave, the TTL must pass); Redis commands per second
 * and Redis CPU at steady state (INFO commandstats / INFO cpu over 10 s).
 *
 * Converged: every shard held by exactly one live node's lease, marked bound, served by that node only, and every
 * load within [floor, ceil] of the fair share.
 */
import { callRedis, type RedisConnection } from '../src/fleet/redis.js';
import { redisOwnership, type FleetOwnership } from '../src/fleet/index.js';
import type { OwnershipContext } from '../src/eventsub/conduit/ownership.js';
import { startRedis, type TestRedis } from '../test/support/redis.js';
import { boundFigure, type BenchFigure } from './harness.js';

const SHARDS = 20_000;
const NODES = 50;
const CHURN = 10;

interface SimNode {
  readonly fleet: FleetOwnership;
  readonly served: Set<string>;
  readonly conn: RedisConnection & { dead: boolean };
  readonly abort: AbortController;
}

async function node(server: TestRedis, name: string): Promise<SimNode> {
  const inner = await server.connect();
  const conn = {
    dead: false,
    sendCommand: (args: string[]): Promise<unknown> =>
      conn.dead ? Promise.reject(new Error('connection lost')) : inner.sendCommand(args),
  };
  const fleet = redisOwnership({ redis: conn, fleet: 'sim', nodeId: name });
  fleet.on('error', () => undefined);
  const served = new Set<string>();
  const abort = new AbortController();
  const context: OwnershipContext = {
    conduitId: 'sim',
    shardCount: SHARDS,
    signal: abort.signal,
    grant: (ids, options) => {
      for (const id of ids) {
        served.add(id);
        fleet.shardBound(id, {
          method: 'websocket',
          sessionId: `${name}:${id}`,
          token: options?.token ?? null,
        });
      }
      return Promise.resolve();
    },
    revoke: (ids) => {
      for (const id of ids) served.delete(id);
      return Promise.resolve();
    },
    owned: () => [...served],
  };
  await fleet.leader();
  await fleet.start(context);
  return { fleet, served, conn, abort };
}

async function converged(live: readonly SimNode[], probe: RedisConnection): Promise<boolean> {
  const floor = Math.floor(SHARDS / live.length);
  const ceil = Math.ceil(SHARDS / live.length);
  const seen = new Set<string>();
  for (const n of live) {
    const owned = n.fleet.snapshot().owned;
    if (owned.length < floor || owned.length > ceil || owned.length !== n.served.size) return false;
    for (const id of owned) {
      if (seen.has(id) || !n.served.has(id)) return false;
      seen.add(id);
    }
  }
  if (seen.size !== SHARDS) return false;
  const values = (await callRedis(probe, ['HVALS', 'tr:{sim}:leases'], { timeoutMs: 5_000 })) as string[];
  return values.length === SHARDS && values.every((v) => v.endsWith('|bound'));
}

async function timeToConverge(
  live: readonly SimNode[],
  probe: RedisConnection,
  since: number,
): Promise<number> {
  for (;;) {
    if (await converged(live, probe)) return performance.now() - since;
    if (performance.now() - since > 120_000) throw new Error('did not converge within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stats(probe: RedisConnection): Promise<{ calls: number; evals: number; cpu: number }> {
  const text = (await callRedis(probe, ['INFO', 'commandstats'], { timeoutMs: 5_000 })) as string;
  let calls = 0;
  let evals = 0;
  for (const match of text.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    const [, name = '', count = '0'] = match;
    if (name === 'info') continue;
    calls += Number(count);
    if (name === 'evalsha' || name === 'eval') evals += Number(count);
  }
  const cpuText = (await callRedis(probe, ['INFO', 'cpu'], { timeoutMs: 5_000 })) as string;
  const user = Number(/used_cpu_user:([\d.]+)/.exec(cpuText)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(cpuText)?.[1] ?? 0);
  return { calls, evals, cpu: user + sys };
}

export async function run(): Promise<BenchFigure[]> {
  const server = await startRedis();
  const probe = await server.connect();
  const nodes: SimNode[] = [];
  try {
    let since = performance.now();
    nodes.push(
      ...(await Promise.all(Array.from({ length: NODES }, (_, i) => node(server, `n${String(i)}`)))),
    );
    const cold = await timeToConverge(nodes, probe, since);

    const moves = (list: readonly SimNode[]): number =>
      list.reduce((sum, n) => sum + n.fleet.counters.steals + n.fleet.counters.claims, 0);
    const movedBefore = moves(nodes);
    since = performance.now();
    nodes.push(
      ...(await Promise.all(Array.from({ length: CHURN }, (_, i) => node(server, `j${String(i)}`)))),
    );
    const join = await timeToConverge(nodes, probe, since);
    // The minimum: each joiner's share (⌊S / N⌋ or ⌈S / N⌉), all taken from the others.
    const joinMoves = moves(nodes) - movedBefore;
    const joinMinimum = nodes
      .slice(NODES)
      .reduce(
        (sum, n) => sum + Math.floor(SHARDS / nodes.length) + (n.served.size > SHARDS / nodes.length ? 1 : 0),
        0,
      );

    since = performance.now();
    const dead = nodes.splice(0, CHURN);
    for (const n of dead) {
      n.conn.dead = true;
      n.abort.abort();
      void n.fleet.stop();
    }
    const movedBeforeDie = moves(nodes);
    // A survivor starved of CPU or of Redis time past its TTL loses its lease and registers again: its shards move
    // twice. Counted, so that a slow "die" tells whether that happened.
    const troubles = (list: readonly SimNode[]): { failures: number; registrations: number } => ({
      failures: list.reduce((sum, n) => sum + n.fleet.counters.renewalFailures, 0),
      registrations: list.reduce((sum, n) => sum + n.fleet.counters.registrations, 0),
    });
    const troublesBefore = troubles(nodes);
    const die = await timeToConverge(nodes, probe, since);
    const deadShards = dead.reduce((sum, n) => sum + n.served.size, 0);
    const dieMoves = moves(nodes) - movedBeforeDie;
    const troublesAfter = troubles(nodes);

    const before = await stats(probe);
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const after = await stats(probe);
    const seconds = (performance.now() - t0) / 1000;
    const perSecond = (after.calls - before.calls) / seconds;
    const scriptsPerSecond = (after.evals - before.evals) / seconds;
    const cpu = (after.cpu - before.cpu) / seconds;
    return [
      boundFigure('fleet sim: converge from cold start (20k shards, 50 nodes)', cold, 'ms', { max: 10_000 }),
      boundFigure('fleet sim: converge after 10 nodes join', join, 'ms', { max: 10_000 }),
      boundFigure(`fleet sim: moves on 10 joins (minimum ${String(joinMinimum)})`, joinMoves, 'shards', {
        max: joinMinimum + CHURN,
      }),
      boundFigure('fleet sim: converge after 10 nodes die (TTL 6 s + a round)', die, 'ms', { max: 10_000 }),
      boundFigure(`fleet sim: moves on 10 deaths (minimum ${String(deadShards)})`, dieMoves, 'shards', {
        max: deadShards + CHURN,
      }),
      boundFigure(
        'fleet sim: survivors’ failed renewals while 10 die',
        troublesAfter.failures - troublesBefore.failures,
        'renewals',
        { max: 0 },
      ),
      boundFigure(
        'fleet sim: survivors’ re-registrations while 10 die (a lease lost)',
        troublesAfter.registrations - troublesBefore.registrations,
        'registrations',
        { max: 0 },
      ),
      // Round trips: one renewal script per node per period (50 / 2 s = 25/s).
      boundFigure('fleet sim: Redis script calls/s at steady state (50 nodes)', scriptsPerSecond, 'calls/s', {
        max: 50,
      }),
      // Commands Redis runs, those inside the scripts included (INFO commandstats counts them).
      boundFigure('fleet sim: Redis commands/s at steady state, inside scripts too', perSecond, 'cmd/s', {
        max: 5_000,
      }),
      boundFigure('fleet sim: Redis CPU at steady state', cpu * 100, '% of a core', { max: 50 }),
    ];
  } finally {
    await Promise.all(nodes.map((n) => n.fleet.stop()));
    await server.stop();
  }
}
