/**
 * `twitch-realtime/fleet`: many processes and machines sharing one conduit through Redis. Redis is reached through
 * a {@link RedisConnection} of your own (a node-redis client as it is) or {@link connectRedis}, which loads the
 * optional peer dependency `redis`.
 *
 * @packageDocumentation
 */
export { FleetError, RedisError, type FleetErrorCode, type RedisErrorCode } from './errors.js';
export {
  RedisDedupeStore,
  type RedisDedupeFailurePolicy,
  type RedisDedupeStats,
  type RedisDedupeStoreEvents,
  type RedisDedupeStoreOptions,
} from './redis-dedupe.js';
export {
  callRedis,
  connectRedis,
  RedisScript,
  type ConnectRedisOptions,
  type OwnedRedisConnection,
  type RedisCallOptions,
  type RedisConnection,
} from './redis.js';
export { RedisHelixBudget, type RedisHelixBudgetOptions } from './helix-budget.js';
export { RedisAppTokenStore, type RedisAppTokenStoreOptions } from './app-token-store.js';
export { FleetOwnership, redisOwnership } from './lease-ownership.js';
export type {
  FleetCounters,
  FleetEventMap,
  FleetNode,
  FleetSnapshot,
  RedisOwnershipOptions,
} from './lease-options.js';
