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
  declare readonly code: 'CONDUIT_MISSING';

  constructor(
    message = 'no conduit is assigned to the client yet (call start() first)',
    options?: TwitchErrorOptions,
  ) {
    super('CONDUIT_MISSING', message, options);
  }
}

/** Why the conduit to use could not be chosen: see {@link ConduitSelectionError}. */
export type ConduitSelectionCode =
  /**
   * `start()`: the `conduitId` given does not exist for this client id. `conduitIds` lists the ones that do.
   *
   * What to do: **Fix input:** pass an existing id, or `'create'`.
   */
  | 'CONDUIT_NOT_FOUND'
  /**
   * `start()` without `conduitId` while the client id owns several conduits. `conduitIds` lists them.
   *
   * What to do: **Fix input:** pass the `conduitId` to use (or `'create'`), or delete the stale conduits.
   */
  | 'CONDUIT_AMBIGUOUS'
  /**
   * An answer named another conduit than the configured `conduitId` (or the one served): not adopted, nothing is
   * updated or subscribed on it. Helix's check of Update Conduits (`BAD_RESPONSE`) normally fires first.
   *
   * What to do: **Report a bug**, or check that `helixUrl` points at Twitch or the emulator.
   */
  | 'CONDUIT_MISMATCH';

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
  declare readonly code: ConduitSelectionCode;
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
  /**
   * A shard's socket could not connect (`cause` is the session's `CONNECT_FAILED`/`WELCOME_TIMEOUT`). `shardId` names
   * it, `attempt` counts failures in a row. Emitted only.
   *
   * What to do: **Ignore** a few: it is retried with backoff. Many in a row mean the EventSub URL is unreachable.
   */
  | 'SHARD_CONNECT_FAILED'
  /**
   * Update Conduit Shards refused the binding of a shard to its session (the `errors[]` entry's message and code are
   * in the message), or the request failed. Emitted only; retried.
   *
   * What to do: **Retry** (automatic). Persistent failures: check that the shard id exists on the conduit
   * (`shardCount`).
   */
  | 'SHARD_ASSIGN_FAILED'
  /**
   * The health check found another session holding one of our shards more than `maxReclaims` times in a row: another
   * process owns it too. This process stops taking it back. Never reported for a shard the ownership strategy's
   * `mayReclaim` says moved: that shard is left alone at once.
   *
   * What to do: **Fix setup:** give each process its own shards (`shardIds`/`ownership`).
   */
  | 'SHARD_CONTESTED'
  /**
   * A webhook shard was not verified: Twitch's challenge did not reach the client's receiver within
   * `webhook.verificationTimeoutMs`, and the shard list shows it not enabled (the status, e.g.
   * `webhook_callback_verification_failed`, is in the message). Emitted only; the shard is assigned again with
   * backoff (a new challenge).
   *
   * What to do: **Fix setup** if it persists: the callback URL must reach `client.webhookReceiver` (HTTPS on 443 at
   * Twitch) with the raw body unparsed.
   */
  | 'SHARD_VERIFICATION_FAILED';

/**
 * Every code of the conduit client (`AutoClient`, its base `Client`, `ConduitInfo`, `Conduit` and
 * `multiSubscribe`) beyond the Helix and catalogue codes it passes on.
 */
export type ConduitErrorCode =
  /**
   * An operation needs the conduit and the client has none: `multiSubscribe`, `updateShardCount` or `conduitInfo`
   * calls before `start()` resolved, or after the conduit was deleted.
   *
   * What to do: Call (and await) `start()` first.
   */
  | 'CONDUIT_MISSING'
  | ConduitSelectionCode
  /**
   * A shard count outside `1..20000` or not an integer (`updateShardCount`, `Conduit.update`). An
   * `InvalidArgumentError` (so a `TwitchError`) with this code; `field` is `shardCount`.
   *
   * What to do: **Fix input.** (The Helix conduit endpoints check the same range and throw `INVALID_ARGUMENT`.)
   */
  | 'INVALID_SHARD_COUNT'
  | ShardErrorCode
  /**
   * `multiSubscribe(..., { stopOnError: true })` met a failure. `payload` has what was created before it stopped;
   * `cause` is the failure (usually an `HTTPError`).
   *
   * What to do: Look at `cause`. Without `stopOnError`, failures are collected in `payload.errors` instead (and
   * reported on `error`, context `subscribe`, when `start()` creates the subscriptions).
   */
  | 'MULTI_SUBSCRIBE_STOPPED'
  /**
   * `start()` on a client that was closed, or `close()` (or the `signal` option) ended a `start()` before the client
   * was ready (`cause` has what start-up was doing, if it failed). `close()` also aborts in-flight work (Helix calls,
   * connects) with it: they reject with `ABORTED` whose `cause` is this error.
   *
   * What to do: **Ignore** during shutdown; create a new client to start again.
   */
  | 'CLIENT_CLOSED';

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
  declare readonly code: ShardErrorCode;
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

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../../core/errors.js' {
  interface TwitchErrorCodes {
    conduit: ConduitErrorCode;
  }
}
