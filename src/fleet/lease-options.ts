/**
 * The options of {@link redisOwnership}, their checks and their resolved values, and the shapes a
 * {@link FleetOwnership} shows operators (snapshot, counters, events).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import {
  checkOptions,
  clock as clockCheck,
  integerDuration,
  integerIn,
  logger as loggerCheck,
  required,
  type OptionChecks,
} from '../core/options.js';
import { MAX_SHARD_COUNT } from '../protocol/eventsub.js';
import { FLEET_ID_CHECK, REDIS_CONNECTION, type RedisConnection } from './redis.js';

/** Options of {@link redisOwnership}. */
export interface RedisOwnershipOptions {
  /** The connection to Redis (a node-redis client as it is, or {@link connectRedis}'s). Required. */
  readonly redis: RedisConnection;
  /**
   * The fleet's name: every key is `tr:{<fleet>}:...` (one hash tag, so that a Redis Cluster keeps them on one
   * slot). Every process serving the same conduit uses the same name; required, because a shared default would
   * silently mix two applications that share a Redis. Letters, digits, `.`, `_`, `:` and `-`.
   */
  readonly fleet: string;
  /** This process's id in the fleet (1 to 64 letters, digits, `.`, `_`, `:`, `-`). @defaultValue `<hostname>-<pid>-<random>` */
  readonly nodeId?: string;
  /** The lease's time to live in Redis, milliseconds. @defaultValue 6000 */
  readonly leaseTtlMs?: number;
  /** Period of the renewal (and rebalance round), milliseconds; at most half of `leaseTtlMs`. @defaultValue 2000 */
  readonly renewEveryMs?: number;
  /**
   * Most shards this node steals from others per round (0: it only claims free shards). By default, what the
   * allotment says it lacks (at most its fair share, ⌈shards / nodes⌉): a joiner gets its share in one round, and
   * no more than the minimum moves, since every node computes the same allotment. @defaultValue the fair share
   */
  readonly maxMovesPerRound?: number;
  /** Longest wait for one Redis reply, milliseconds. @defaultValue renewEveryMs */
  readonly redisTimeoutMs?: number;
  /**
   * Longest wait of `stop()` for the other nodes to bind this node's shards before its transports close
   * (make-before-break on a graceful leave); 0: leave at once. @defaultValue 2 × renewEveryMs
   */
  readonly handoverMs?: number;
  /**
   * Period of the read of every shard's owner (the fleet's owners hash, for `owners()` and the dashboard),
   * milliseconds, 100 to 600000. The read runs only while someone asks: `owners()` called within the last two
   * periods; a fleet nobody watches reads nothing. @defaultValue 5000
   */
  readonly ownersRefreshMs?: number;
  /** Clock of the timers (and of elapsed time when not the system clock). @defaultValue systemClock */
  readonly clock?: Clock;
  /** Logger (never given a token). @defaultValue silentLogger */
  readonly logger?: Logger;
}

/** A live node, in {@link FleetSnapshot.nodes}. */
export interface FleetNode {
  readonly nodeId: string;
  /** Shards its lease holds. */
  readonly shards: number;
  readonly leader: boolean;
}

/** What this node knows of the fleet, as of its last renewal. */
export interface FleetSnapshot {
  readonly nodeId: string;
  /** This node's current registration (`null`: not registered, or lost). */
  readonly incarnation: string | null;
  /** The leader's node id (`null`: unknown). */
  readonly leader: string | null;
  readonly isLeader: boolean;
  readonly fenced: boolean;
  /** The live nodes, by id. */
  readonly nodes: readonly FleetNode[];
  /** Shards this node's lease holds, sorted by number. */
  readonly owned: readonly string[];
}

/** Counters since creation. */
export interface FleetCounters {
  /** Successful renewals. */
  renewals: number;
  /** Renewals that failed (error or timeout). */
  renewalFailures: number;
  /** Registrations (the first one, and each after a lost lease). */
  registrations: number;
  /** Free shards claimed. */
  claims: number;
  /** Shards stolen from other nodes. */
  steals: number;
  /** Shards released: revoked after another node took them, or handed over at `stop()`. */
  releases: number;
  /** Redis calls that failed (each also an `error` event). */
  redisErrors: number;
}

/** Events of {@link FleetOwnership}. */
export interface FleetEventMap {
  /** A Redis call failed ({@link RedisError}) or a grant or revoke failed; never thrown from a timer. */
  error: [error: Error];
  /** This node can no longer be sure of its lease: it binds and reclaims nothing until renewed (fail static). */
  fenced: [];
  /** A renewal succeeded again after `fenced`. */
  unfenced: [];
  /** Shards this node's lease no longer holds (taken by another node, or lost with the incarnation). */
  leaseLost: [shardIds: readonly string[]];
  /** Shards claimed (free) or stolen, with the fencing token of the claim. */
  claimed: [shardIds: readonly string[], token: string];
  /** The leader changed (`null`: none known). */
  leaderChanged: [leader: string | null, isLeader: boolean];
}

const CHECKS: OptionChecks<RedisOwnershipOptions> = {
  redis: required(REDIS_CONNECTION),
  fleet: required(FLEET_ID_CHECK),
  nodeId: FLEET_ID_CHECK,
  leaseTtlMs: integerDuration({ min: 20 }),
  renewEveryMs: integerDuration({ min: 5 }),
  maxMovesPerRound: integerIn(0, MAX_SHARD_COUNT),
  redisTimeoutMs: integerDuration({ min: 1 }),
  handoverMs: integerDuration({ min: 0 }),
  ownersRefreshMs: integerIn(100, 600_000),
  clock: clockCheck,
  logger: loggerCheck,
};

/** The options of a {@link FleetOwnership} with their defaults applied (internal). */
export interface ResolvedLeaseOptions {
  readonly nodeId: string;
  readonly leaseTtlMs: number;
  readonly renewEveryMs: number;
  /** Elapsed time after the send of the last good renewal at which the node fences itself. */
  readonly fenceAfterMs: number;
  readonly ownersRefreshMs: number;
}

/**
 * Checks `options` and applies the defaults (internal).
 *
 * @throws {@link InvalidArgumentError} naming the field, also for a `renewEveryMs` above half of `leaseTtlMs`.
 */
export function resolveLeaseOptions(options: RedisOwnershipOptions): ResolvedLeaseOptions {
  checkOptions(options, CHECKS);
  const leaseTtlMs = options.leaseTtlMs ?? 6_000;
  const renewEveryMs = options.renewEveryMs ?? 2_000;
  if (renewEveryMs * 2 > leaseTtlMs) {
    throw new InvalidArgumentError(
      `renewEveryMs must be at most half of leaseTtlMs (${String(leaseTtlMs)} ms); got ${String(renewEveryMs)}`,
      'renewEveryMs',
    );
  }
  return {
    nodeId: options.nodeId ?? defaultNodeId(),
    leaseTtlMs,
    renewEveryMs,
    ownersRefreshMs: options.ownersRefreshMs ?? 5_000,
    // Fenced a tenth of the TTL before the lease can have expired, counted from the send time of the last renewal
    // that succeeded (Redis extended it later than that, so it expires later than that + TTL).
    fenceAfterMs: leaseTtlMs - Math.max(1, Math.floor(leaseTtlMs / 10)),
  };
}

function defaultNodeId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'node'; // + pid + random: within the 64 characters of a node id
  return `${host}-${String(process.pid)}-${randomBytes(3).toString('hex')}`;
}
