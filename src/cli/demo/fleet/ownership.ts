/**
 * The ownership strategy of a fleet worker: `redisOwnership` of `twitch-realtime/fleet` (shard leases in the run's
 * Redis), with the worker's name as its node id and the lease timings of the run.
 */
import { redisOwnership, type FleetOwnership } from '../../../fleet/lease-ownership.js';
import type { RedisConnection } from '../../../fleet/redis.js';
import type { WorkerConfig } from './protocol.js';

/** The strategy of a worker, sharing `redis` with the rest of the fleet. */
export function fleetOwnership(config: WorkerConfig, redis: RedisConnection): FleetOwnership {
  return redisOwnership({
    redis,
    fleet: config.fleet,
    nodeId: config.name,
    ...(config.leaseTtlMs === undefined ? {} : { leaseTtlMs: config.leaseTtlMs }),
    ...(config.renewEveryMs === undefined ? {} : { renewEveryMs: config.renewEveryMs }),
  });
}
