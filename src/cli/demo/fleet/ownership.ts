/**
 * The ownership strategy of a fleet worker. STAND-IN until the lease strategy of `twitch-realtime/fleet` lands: a
 * lease per shard (`SET NX PX`, renewed by compare-and-extend), node keys with a TTL, a fair share of
 * `ceil(shards / nodes)`, one shard released per round when over it. No fencing token, no make-before-break.
 */
import type { OwnershipContext, OwnershipStrategy } from '../../../eventsub/conduit/ownership.js';
import { RedisScript, callRedis, type RedisConnection } from '../../../fleet/redis.js';
import type { WorkerConfig } from './protocol.js';

const EXTEND = new RedisScript(
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
);
const RELEASE = new RedisScript(
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
);
const CALL = { timeoutMs: 1000 };

/** The strategy of a worker, sharing `redis` with the rest of the fleet. */
export function fleetOwnership(config: WorkerConfig, redis: RedisConnection): OwnershipStrategy {
  const ttl = config.leaseTtlMs ?? 10_000;
  const every = config.renewEveryMs ?? Math.floor(ttl / 3);
  const prefix = `demo:${config.fleet}:${config.conduitId}`;
  const me = config.name;
  const held = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const round = async (context: OwnershipContext): Promise<void> => {
    if (running || context.signal.aborted) return;
    running = true;
    try {
      await callRedis(redis, ['SET', `${prefix}:node:${me}`, '1', 'PX', String(ttl)], CALL);
      const nodes = (await callRedis(redis, ['KEYS', `${prefix}:node:*`], CALL)) as string[];
      const target = Math.ceil(context.shardCount / Math.max(1, nodes.length));
      const lost: string[] = [];
      for (const id of held) {
        const ok = await EXTEND.run(redis, [`${prefix}:lease:${id}`], [me, String(ttl)], CALL);
        if (ok !== 1) lost.push(id);
      }
      for (const id of lost) held.delete(id);
      if (lost.length > 0) await context.revoke(lost);
      if (held.size > target) {
        const id = [...held].sort((a, b) => Number(b) - Number(a))[0] ?? '';
        held.delete(id);
        await context.revoke([id]);
        await RELEASE.run(redis, [`${prefix}:lease:${id}`], [me], CALL);
      }
      const taken: string[] = [];
      for (let i = 0; i < context.shardCount && held.size < target; i++) {
        const id = String(i);
        if (held.has(id)) continue;
        const ok = await callRedis(
          redis,
          ['SET', `${prefix}:lease:${id}`, me, 'NX', 'PX', String(ttl)],
          CALL,
        );
        if (ok === 'OK') {
          held.add(id);
          taken.push(id);
        }
      }
      if (taken.length > 0) await context.grant(taken);
    } catch {
      // Redis unreachable: keep what is held (fail static), try again next round.
    } finally {
      running = false;
    }
  };
  return {
    async start(context) {
      await round(context);
      timer = setInterval(() => void round(context), every);
    },
    mayReclaim: (id) => held.has(id),
    mayBind: (id) => held.has(id),
    async stop() {
      clearInterval(timer);
      const ids = [...held];
      held.clear();
      await Promise.all([
        ...ids.map((id) => RELEASE.run(redis, [`${prefix}:lease:${id}`], [me], CALL)),
        callRedis(redis, ['DEL', `${prefix}:node:${me}`], CALL),
      ]).catch(() => undefined);
    },
  };
}
