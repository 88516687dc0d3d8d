/**
 * Errors of the fleet (processes sharing one conduit through Redis). Each has a stable `code`; none ever carries a
 * token, a secret or a Redis password.
 */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';

/** Why a call to Redis failed: see {@link RedisError}. */
export type RedisErrorCode =
  /**
   * Redis did not answer within the call's timeout (a server frozen, a network partition, a client still
   * reconnecting). Leases are treated as lost until a renewal succeeds (self-fencing).
   *
   * What to do: **Check the service:** Redis's health and the network between this process and Redis; nothing to do
   * in code, the fleet converges again once Redis answers.
   */
  | 'REDIS_TIMEOUT'
  /**
   * The Redis client rejected the command (connection refused or closed, an error reply such as `OOM` or
   * `READONLY`). `cause` holds the client's error.
   *
   * What to do: **Check the service:** Redis's health and configuration; the fleet retries on its own.
   */
  | 'REDIS_COMMAND_FAILED'
  /**
   * A reply of an unexpected shape (a script of another version answering, a proxy in between).
   *
   * What to do: **Report a bug**, or check that every process of the fleet runs the same version of the library.
   */
  | 'REDIS_BAD_REPLY'
  /**
   * `connectRedis()` found no Redis client: the optional peer dependency `redis` is not installed.
   *
   * What to do: **Fix input:** `npm install redis`, or pass a client of your own (anything with `sendCommand`).
   */
  | 'REDIS_CLIENT_MISSING';

/**
 * A call to Redis failed. `command` is the command's name (never its arguments, which may hold a token).
 *
 * @example
 * ```ts
 * fleet.on('error', (err) => {
 *   if (err instanceof RedisError && err.code === 'REDIS_TIMEOUT') metrics.increment('redis.timeout');
 * });
 * ```
 */
export class RedisError extends TwitchError {
  declare readonly code: RedisErrorCode;
  /** The command's name (`EVALSHA`, `SET`, ...), or `null` when no command was sent. */
  readonly command: string | null;

  constructor(code: RedisErrorCode, message: string, command: string | null, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.command = command;
  }
}

/** Why the fleet's coordination refused this process: see {@link FleetError}. */
export type FleetErrorCode =
  /**
   * Another process registered in the fleet under this process's `nodeId` (the newest registration of a node id
   * wins): this process is fenced for good, binds nothing more, and does not register again (two processes taking
   * one id from each other at every renewal would churn every shard).
   *
   * What to do: **Fix input:** give every process its own `nodeId` (or leave the default, which holds the pid and a
   * random part), then restart this process. A process that was frozen past its lease and replaced sees this too:
   * stop it.
   */
  'FLEET_NODE_ID_IN_USE';

/**
 * The fleet refused this process (an `error` event of {@link FleetOwnership}); `nodeId` names it.
 *
 * @example
 * ```ts
 * ownership.on('error', (err) => {
 *   if (err instanceof FleetError && err.code === 'FLEET_NODE_ID_IN_USE') process.exitCode = 1;
 * });
 * ```
 */
export class FleetError extends TwitchError {
  declare readonly code: FleetErrorCode;
  /** The node id concerned. */
  readonly nodeId: string;

  constructor(code: FleetErrorCode, message: string, nodeId: string, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.nodeId = nodeId;
  }
}

declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    redis: RedisErrorCode;
    fleet: FleetErrorCode;
  }
}
