/**
 * Cost per message of dedupe across processes (RedisDedupeStore) against the in-memory store (MemoryDedupeStore),
 * at high traffic: 100,000 new message ids (Twitch's 36-character UUIDs), arriving 100 per turn of the event loop
 * (as the sockets of a busy process deliver them), against a real redis-server started for the run.
 *
 * - CPU per message in this process (`process.cpuUsage()`: the store, its promises and the Redis client's encoding
 *   and parsing), ratio to the in-memory store fed the same ids in the same turns.
 * - CPU per message in redis-server (INFO cpu), ratio to the same in-memory baseline.
 * - Round trips per message, counted by Redis itself (INFO commandstats: EVALSHA calls / ids).
 * - The duplicate path: the same ids again, answered by the local cache without Redis, ratio to the in-memory store's
 *   duplicate path.
 *
 * Each figure is the median of 3 rounds, every round on a flushed Redis and a new store. Measured on the shared 2-core
 * VM (3 runs): 2.2 to 2.9 µs here and 2.4 to 2.5 µs in redis-server per new id, against 0.5 to 1.4 µs for the
 * in-memory store (most of which is the turn itself: setImmediate and the loop), so ratios of 1.7 to 4.6; 0.010 round
 * trips per id (one EVALSHA per turn of 100); a duplicate answered locally 0.25 to 0.33 µs (ratio 1.1 to 1.6). The
 * guards (10, 10, 0.011, 3) sit above the highest run; the ratio moves mostly with the baseline's noise.
 */
import { randomUUID } from 'node:crypto';
import { MemoryDedupeStore, type DedupeVerdict } from '../src/eventsub/websocket/dedupe.js';
import { RedisDedupeStore } from '../src/fleet/redis-dedupe.js';
import { callRedis, type RedisConnection } from '../src/fleet/redis.js';
import { startRedis } from '../test/support/redis.js';
import { boundFigure, costFigure, median, type BenchFigure } from './harness.js';

const N = 100_000;
const PER_TURN = 100;
const T0 = 1_700_000_000_000;

interface Adder {
  add(id: string, now: number): DedupeVerdict | PromiseLike<DedupeVerdict>;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Feeds `ids` PER_TURN per turn; returns this process's CPU microseconds per id (verdicts awaited). */
async function feed(store: Adder, ids: readonly string[]): Promise<number> {
  const pending: PromiseLike<DedupeVerdict>[] = [];
  const start = process.cpuUsage();
  for (let i = 0; i < ids.length; i += PER_TURN) {
    for (let j = i; j < i + PER_TURN && j < ids.length; j++) {
      const verdict = store.add(ids[j] ?? '', T0);
      if (typeof verdict !== 'string') pending.push(verdict);
    }
    await turn();
  }
  await Promise.all(pending);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ids.length;
}

function info(redis: RedisConnection, section: string): Promise<string> {
  return callRedis(redis, ['INFO', section], { timeoutMs: 10_000 }).then(String);
}

async function serverCpuSeconds(redis: RedisConnection): Promise<number> {
  const text = await info(redis, 'cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(text)?.[1] ?? NaN);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(text)?.[1] ?? NaN);
  return user + sys;
}

async function evalshaCalls(redis: RedisConnection): Promise<number> {
  const text = await info(redis, 'commandstats');
  return Number(/cmdstat_evalsha:calls=(\d+)/.exec(text)?.[1] ?? 0);
}

export async function run(): Promise<BenchFigure[]> {
  const server = await startRedis();
  try {
    const admin = await server.connect();
    const redisCpu: number[] = [];
    const memoryCpu: number[] = [];
    const serverCpu: number[] = [];
    const trips: number[] = [];
    const redisDup: number[] = [];
    const memoryDup: number[] = [];
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: N }, () => randomUUID());
      await callRedis(admin, ['FLUSHALL'], { timeoutMs: 10_000 });
      const store = new RedisDedupeStore({ redis: await server.connect(), fleet: 'bench' });
      await store.add('warm-up', T0); // loads the script
      const memory = new MemoryDedupeStore();
      memoryCpu.push(await feed(memory, ids));
      const cpuBefore = await serverCpuSeconds(admin);
      const callsBefore = await evalshaCalls(admin);
      redisCpu.push(await feed(store, ids));
      serverCpu.push((((await serverCpuSeconds(admin)) - cpuBefore) * 1e6) / N);
      trips.push(((await evalshaCalls(admin)) - callsBefore) / N);
      memoryDup.push(await feed(memory, ids));
      redisDup.push(await feed(store, ids));
      if (store.stats.localDuplicates !== N) throw new Error('the duplicates were not answered locally');
    }
    const memory = median(memoryCpu);
    return [
      costFigure(
        `redis dedupe CPU/msg here, ${N / 1000}k new ids, ${PER_TURN}/turn (vs memory store)`,
        median(redisCpu),
        memory,
        'µs',
        10,
      ),
      costFigure(
        'redis dedupe CPU/msg in redis-server (vs memory store here)',
        median(serverCpu),
        memory,
        'µs',
        10,
      ),
      boundFigure(`redis dedupe round trips/msg, ${PER_TURN} ids/turn`, median(trips), '', { max: 0.011 }),
      costFigure(
        'redis dedupe CPU/duplicate, local cache (vs memory store)',
        median(redisDup),
        median(memoryDup),
        'µs',
        3,
      ),
    ];
  } finally {
    await server.stop();
  }
}
