/**
 * Which shards of a conduit this process serves, and when: the ownership seam. A strategy is started once the
 * conduit is chosen and grants (or revokes) shards through its {@link OwnershipContext} at any time; the client
 * tells it when a shard is bound or lost. The static `shardIds` are its simplest form ({@link staticOwnership}); a
 * lease store shared by several processes plugs in here without touching the client.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { fail, integerIn, type Check } from '../../core/options.js';
import { isRecord } from '../../core/guards.js';
import { MAX_SHARD_COUNT } from '../../protocol/eventsub.js';

/**
 * What a strategy can do with the client, given to {@link OwnershipStrategy.start}. Keep it: `grant` and `revoke`
 * may be called at any time until the client closes (then they do nothing).
 */
export interface OwnershipContext {
  /** The conduit served. */
  readonly conduitId: string;
  /** The conduit's shard count as this client last knew it. */
  readonly shardCount: number;
  /** Aborted when the client closes. */
  readonly signal: AbortSignal;
  /**
   * Serve these shards (decimal ids below `shardCount`): open each transport and bind it to the conduit. Resolves
   * when each is bound or reported (a shard that fails is retried in the background). Shards already served are left
   * as they are. Make-before-break: a shard bound elsewhere is taken over by this binding.
   *
   * `options.token`: the lease's fencing token (an epoch): kept per shard (a grant of a shard already served
   * updates it) and echoed in {@link ShardBinding.token}, so a lease store can tell which lease a binding was
   * made under.
   *
   * @throws {@link InvalidArgumentError} (rejects) for an id that is not a shard of the conduit; nothing is granted.
   */
  grant(shardIds: Iterable<string>, options?: GrantOptions): Promise<void>;
  /**
   * Stop serving these shards: close each transport **without** disabling or rebinding the shard on Twitch (another
   * process takes it) and stop checking it. Resolves once closed. Shards not served are ignored.
   */
  revoke(shardIds: Iterable<string>): Promise<void>;
  /** The shards served now, sorted by number. */
  owned(): readonly string[];
}

/** Options of {@link OwnershipContext.grant}. */
export interface GrantOptions {
  /** A fencing token (lease epoch) echoed in {@link ShardBinding.token}. */
  readonly token?: string;
}

/** Conduit-wide work gated by {@link OwnershipStrategy.leader}. */
export type ConduitWork = 'create' | 'scale' | 'subscribe' | 'watchDisabled';

/** How a served shard was bound, for {@link OwnershipStrategy.shardBound}. */
export interface ShardBinding {
  readonly method: 'websocket' | 'webhook';
  /** The bound WebSocket session; `null` for a webhook shard. */
  readonly sessionId: string | null;
  /** The token of the latest grant of the shard (`null`: granted without one). */
  readonly token: string | null;
}

/** Why a served shard was lost, for {@link OwnershipStrategy.shardLost}. */
export type ShardLossReason =
  /** Another session or transport holds the shard on Twitch (seen by the health check). */
  | 'foreign'
  /** Twitch reports the shard not enabled (seen by the health check or `conduit.shard.disabled`). */
  | 'disabled'
  /** The shard's transport closed (it reconnects by itself). */
  | 'disconnected'
  /**
   * {@link OwnershipStrategy.mayBind} refused to bind it: the transport stays open, unbound, and nothing binds it
   * until `mayBind` allows it (asked again at each health check). Told once per refusal, not at every check.
   */
  | 'refused';

/**
 * Decides which shards this process serves. The client connects and binds exactly the shards granted, checks only
 * those, and never touches the others (so processes with disjoint sets share a conduit without stealing shards).
 *
 * @example
 * ```ts
 * // Even shards here, odd shards in the other process, granted as the conduit grows:
 * const even: OwnershipStrategy = {
 *   start: (context) => context.grant(evenBelow(context.shardCount)),
 *   shardCountChanged: (count, context) => context.grant(evenBelow(count)),
 * };
 * function evenBelow(count: number): string[] {
 *   return Array.from({ length: count }, (_, i) => String(i)).filter((id) => Number(id) % 2 === 0);
 * }
 * ```
 */
export interface OwnershipStrategy {
  /**
   * Called once, when the conduit is chosen (and grown to {@link requiredShardCount}). Grant the first shards here:
   * `start()` of the client waits for the promise returned, so its `ready` lists them. Later grants and revokes go
   * through the same context.
   */
  start(context: OwnershipContext): void | Promise<void>;
  /**
   * The shard count changed: through `conduitInfo.updateShardCount(n)` (with or without `assignTransports`), or
   * by another process (seen by the health check). Grant the new shards this process should serve; shards at or
   * above `shardCount` are revoked by the client itself first, and `context.shardCount` is already the new count.
   */
  shardCountChanged?(shardCount: number, context: OwnershipContext): void | Promise<void>;
  /** A served shard was bound to this process's transport (first time or again). Must not throw. */
  shardBound?(shardId: string, binding: ShardBinding): void;
  /** A served shard is no longer bound to this process on Twitch. Must not throw. */
  shardLost?(shardId: string, reason: ShardLossReason): void;
  /**
   * Whether the health check may take back a served shard that another session or transport holds (a fight, ended
   * after `maxReclaims` with `SHARD_CONTESTED`). Return `false` when that means the shard moved (a lease lost, a
   * make-before-break move): the client then leaves it alone and reports it with `shardLost('foreign')`.
   * Omitted: always.
   */
  mayReclaim?(shardId: string): boolean;
  /**
   * Whether this process may bind the shard now: asked before **every** Update Conduit Shards of a served shard
   * (first bind, after a lost session, retry, a shard shown disabled, a take-back). Return `false` while this
   * process is fenced (its lease lost or unknown): the shard is then held unbound, reported with
   * `shardLost('refused')`, and asked about again at each health check. Shards already bound keep delivering, so
   * answering `false` for every shard is "fail static": keep what is held, bind nothing. An exception counts as
   * `false` (and is reported). Omitted: always.
   */
  mayBind?(shardId: string): boolean;
  /**
   * Whether this process leads the conduit-wide work named (one leader among the processes sharing a conduit):
   * `'create'` a conduit when none is adopted (asked before {@link start}; a follower then fails with
   * `CONDUIT_NOT_FOUND` instead of creating a second one), `'scale'` the conduit at start-up to
   * {@link requiredShardCount} (`forceScale`), `'subscribe'` the `subscriptions` option (new conduit or
   * `forceSubscribe`), `'watchDisabled'` (the `conduit.shard.disabled` subscription). A follower skips that work.
   * An exception counts as `false` (and is reported). Omitted (as in {@link staticOwnership}): always the leader.
   */
  leader?(work: ConduitWork): boolean | Promise<boolean>;
  /**
   * The client is closing (before its transports close). Called once the strategy was started or asked
   * {@link leader} (also when the client's start failed after that), so that it can leave what it joined.
   */
  stop?(): void | Promise<void>;
  /**
   * The owner (a process id, e.g. a fleet node id) of each shard this strategy knows of, for the dashboard
   * (`AutoClient.view()`): cheap and synchronous (what the strategy already holds, no round trip), called once per
   * dashboard tick. Omitted: owners unknown (a single process).
   */
  owners?(): ReadonlyMap<string, string>;
  /** The highest shard id + 1 this strategy needs (for `forceScale` and conduit creation), if fixed. */
  readonly requiredShardCount?: number;
}

/** The check of the `ownership` option. */
export const OWNERSHIP_CHECK: Check = (value, field) => {
  if (!isRecord(value) || typeof value.start !== 'function') {
    fail(field, 'an OwnershipStrategy (an object with a start(context) method)', value);
  }
  for (const hook of [
    'shardCountChanged',
    'shardBound',
    'shardLost',
    'mayReclaim',
    'mayBind',
    'stop',
    'owners',
  ] as const) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') {
      fail(`${field}.${hook}`, 'a function', value[hook]);
    }
  }
  if (value.requiredShardCount !== undefined) {
    integerIn(1, MAX_SHARD_COUNT)(value.requiredShardCount, `${field}.requiredShardCount`);
  }
};

/**
 * The default strategy: the given `shardIds` (the part of those below the shard count), or every shard when
 * `shardIds` is omitted; shards added by scaling are granted when they are among them.
 *
 * @example
 * ```ts
 * const client = new AutoClient({ clientId, clientSecret, ownership: staticOwnership([0, 1]) }); // as shardIds: [0, 1]
 * ```
 */
export function staticOwnership(shardIds?: readonly number[]): OwnershipStrategy {
  let ownedBelow: (count: number) => string[];
  let required: number | undefined;
  if (shardIds === undefined) {
    ownedBelow = (count) => Array.from({ length: count }, (_, i) => String(i));
  } else {
    const list: unknown = shardIds;
    if (!Array.isArray(list) || list.length === 0) {
      throw new InvalidArgumentError('shardIds must be a non-empty array of shard numbers', 'shardIds');
    }
    const ids = [...new Set(shardIds)].sort((a, b) => a - b);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= MAX_SHARD_COUNT) {
        throw new InvalidArgumentError(
          `shardIds: ${String(id)} is not a shard number in 0..19999`,
          'shardIds',
        );
      }
    }
    required = (ids[ids.length - 1] ?? 0) + 1;
    ownedBelow = (count) => ids.filter((id) => id < count).map(String);
  }
  const strategy: OwnershipStrategy = {
    ...(required === undefined ? {} : { requiredShardCount: required }),
    start: (context) => context.grant(ownedBelow(context.shardCount)),
    shardCountChanged: (count, context) => context.grant(ownedBelow(count)),
  };
  STATIC.add(strategy);
  return strategy;
}

const STATIC = new WeakSet<OwnershipStrategy>();

/** Whether the strategy is one {@link staticOwnership} made (internal). */
export function isStaticOwnership(strategy: OwnershipStrategy): boolean {
  return STATIC.has(strategy);
}
