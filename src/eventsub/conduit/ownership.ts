/**
 * Which shards of a conduit this process serves.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { MAX_SHARD_COUNT } from '../../protocol/eventsub.js';

/**
 * Decides which shards this process owns. The client connects and binds exactly these, reconciles only these, and
 * never touches the others (so processes with disjoint sets share a conduit without stealing shards).
 *
 * @example
 * ```ts
 * // Even shards here, odd shards in the other process:
 * const even: OwnershipStrategy = {
 *   ownedShards: (count) => Array.from({ length: count }, (_, i) => String(i)).filter((id) => Number(id) % 2 === 0),
 *   explicit: true,
 * };
 * ```
 */
export interface OwnershipStrategy {
  /** Owned shard ids (decimal strings) for a conduit of `shardCount` shards. */
  ownedShards(shardCount: number): readonly string[];
  /**
   * `true` when the set is a fixed part of the conduit (other processes own the rest): scaling up then leaves new
   * shards to others. `false` when this process owns every shard.
   */
  readonly explicit: boolean;
  /** The highest shard id + 1 this strategy needs (for `forceScale` and conduit creation), if fixed. */
  readonly requiredShardCount?: number;
}

/**
 * The default strategy: the given `shardIds` (the part of those below the shard count), or every shard when
 * `shardIds` is omitted.
 *
 * @example
 * ```ts
 * staticOwnership([0, 1]).ownedShards(4); // ['0', '1']
 * staticOwnership().ownedShards(3);       // ['0', '1', '2']
 * ```
 */
export function staticOwnership(shardIds?: readonly number[]): OwnershipStrategy {
  if (shardIds === undefined) {
    return {
      explicit: false,
      ownedShards: (count) => Array.from({ length: count }, (_, i) => String(i)),
    };
  }
  const list: unknown = shardIds;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidArgumentError('shardIds must be a non-empty array of shard numbers', 'shardIds');
  }
  const ids = [...new Set(shardIds)].sort((a, b) => a - b);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= MAX_SHARD_COUNT) {
      throw new InvalidArgumentError(`shardIds: ${String(id)} is not a shard number in 0..19999`, 'shardIds');
    }
  }
  const max = ids[ids.length - 1] ?? 0;
  return {
    explicit: true,
    requiredShardCount: max + 1,
    ownedShards: (count) => ids.filter((id) => id < count).map(String),
  };
}
