/**
 * Errors of the conduit client. Each has a stable `code`; none ever carries a token or a secret.
 */
import { InvalidArgumentError, TwitchError, type TwitchErrorOptions } from '../../core/errors.js';
import { describeValue } from '../../core/options.js';
import { MAX_SHARD_COUNT, MIN_SHARD_COUNT } from '../../protocol/eventsub.js';

/**
 * The operation needs a conduit and the client has none yet (before `start()` resolved, or after the conduit was
 * deleted). Code `CONDUIT_MISSING`.
 *
 * @example
 * ```ts
 * try { await client.conduitInfo.updateShardCount(4); }
 * catch (err) { if (err instanceof MissingConduitError) await client.start(); }
 * ```
 */
export class MissingConduitError extends TwitchError {
  constructor(
    message = 'no conduit is assigned to the client yet (call start() first)',
    options?: TwitchErrorOptions,
  ) {
    super('CONDUIT_MISSING', message, options);
  }
}

/** Why the conduit to use could not be chosen: see {@link ConduitSelectionError}. */
export type ConduitSelectionCode = 'CONDUIT_NOT_FOUND' | 'CONDUIT_AMBIGUOUS' | 'CONDUIT_MISMATCH';

/**
 * Start-up could not choose a conduit: `CONDUIT_NOT_FOUND` (the `conduitId` given does not exist for this client id)
 * or `CONDUIT_AMBIGUOUS` (no `conduitId` was given and the client id owns several conduits: pass one, or `'create'`),
 * or `CONDUIT_MISMATCH` (an answer named another conduit than the one configured or served: it is not adopted).
 * `conduitIds` lists the conduits Twitch returned.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof ConduitSelectionError) console.error(err.code, err.conduitIds); }
 * ```
 */
export class ConduitSelectionError extends TwitchError {
  readonly conduitIds: readonly string[];

  constructor(code: ConduitSelectionCode, message: string, conduitIds: readonly string[]) {
    super(code, message);
    this.conduitIds = conduitIds;
  }
}

/**
 * A shard count outside `1..20000` (or not an integer): an {@link InvalidArgumentError} with its own stable code
 * `INVALID_SHARD_COUNT` and `field` `shardCount`, so that it is caught with every other refused argument
 * (`instanceof InvalidArgumentError`, `instanceof TwitchError`). Before 0.2 it was a `RangeError` outside the
 * hierarchy; the code, the field and the class name are unchanged.
 *
 * @example
 * ```ts
 * try { await info.updateShardCount(0); }
 * catch (err) { if (err instanceof InvalidArgumentError) console.log(err.code, err.field); } // INVALID_SHARD_COUNT shardCount
 * ```
 */
export class ShardCountRangeError extends InvalidArgumentError {
  declare readonly field: 'shardCount';

  constructor(value: unknown) {
    super(
      `shardCount must be an integer in ${MIN_SHARD_COUNT}..${MAX_SHARD_COUNT}, got ${describeValue(value)}`,
      'shardCount',
      { code: 'INVALID_SHARD_COUNT' },
    );
  }
}

/** Throws {@link ShardCountRangeError} unless `n` is an integer in 1..20000. */
export function checkShardCount(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_SHARD_COUNT || n > MAX_SHARD_COUNT) {
    throw new ShardCountRangeError(n);
  }
}

/** Codes of {@link ShardError}. */
export type ShardErrorCode =
  /** The shard's socket could not connect (welcome timeout, refused...); it is retried in the background. */
  | 'SHARD_CONNECT_FAILED'
  /** Twitch refused to bind the shard to our session (`errors[]` of Update Conduit Shards), or the call failed. */
  | 'SHARD_ASSIGN_FAILED'
  /** Another session keeps taking the shard; this process stopped fighting for it. */
  | 'SHARD_CONTESTED'
  /**
   * A webhook shard was not verified: Twitch's challenge did not reach this client's receiver in time, or Twitch
   * reports `webhook_callback_verification_failed`. It is assigned again (a new challenge) in the background.
   */
  | 'SHARD_VERIFICATION_FAILED';

/**
 * A problem with one shard, emitted on the client's `error` event (never thrown out of `start()`: a shard that
 * cannot connect or be assigned is reported and retried in the background). `shardId` names it; `attempt` counts
 * the failures in a row.
 *
 * @example
 * ```ts
 * client.on('error', (err) => { if (err instanceof ShardError) console.warn(err.shardId, err.code, err.message); });
 * ```
 */
export class ShardError extends TwitchError {
  readonly shardId: string;
  readonly attempt: number;

  constructor(
    code: ShardErrorCode,
    shardId: string,
    message: string,
    attempt: number,
    options?: TwitchErrorOptions,
  ) {
    super(code, `shard ${shardId}: ${message}`, options);
    this.shardId = shardId;
    this.attempt = attempt;
  }
}
