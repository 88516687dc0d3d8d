/**
 * Errors of the PubSub pool. Each has a stable `code`; messages never contain tokens.
 */
import { TwitchError } from '../core/errors.js';
import type { Topic } from './topics.js';

/**
 * Every connection of the pool is full (`maxPoolSize` connections with no room for the group). Code
 * `PUBSUB_POOL_FULL`.
 *
 * @example
 * ```ts
 * try { await pool.subscribeTopics(topics); }
 * catch (err) { if (err instanceof PoolFullError) console.log(err.maxPoolSize); }
 * ```
 */
export class PoolFullError extends TwitchError {
  constructor(
    readonly maxPoolSize: number,
    readonly maxConnectionTopics: number,
    readonly requested: number,
  ) {
    super(
      'PUBSUB_POOL_FULL',
      `no room for ${requested} topic(s): all ${maxPoolSize} connections are open and none has room`,
    );
  }
}

/**
 * A group of topics (one `subscribeTopics` call) is larger than `maxConnectionTopics`. Code
 * `PUBSUB_GROUP_TOO_LARGE`.
 *
 * @example
 * ```ts
 * await pool.subscribeTopics(topics).catch((err: unknown) => {
 *   if (err instanceof TopicGroupTooLargeError) console.log(`split the ${err.size} topics`, err.maxConnectionTopics);
 * });
 * ```
 */
export class TopicGroupTooLargeError extends TwitchError {
  constructor(
    readonly size: number,
    readonly maxConnectionTopics: number,
  ) {
    super(
      'PUBSUB_GROUP_TOO_LARGE',
      `a group of ${size} topics cannot fit on one connection (maxConnectionTopics is ${maxConnectionTopics})`,
    );
  }
}

/**
 * The server answered a LISTEN or UNLISTEN with an error (`ERR_BADAUTH`, `ERR_BADTOPIC`, `ERR_BADMESSAGE`,
 * `ERR_SERVER`). Code `PUBSUB_RESPONSE_ERROR`; `error` holds Twitch's error string.
 *
 * @example
 * ```ts
 * try {
 *   await pool.subscribeTopics([whispers(token, '141981764')]);
 * } catch (err) {
 *   if (err instanceof PubSubResponseError && err.error === 'ERR_BADAUTH') {
 *     console.log(err.request, err.topics.map(String)); // LISTEN [ 'whispers.141981764' ]
 *   }
 * }
 * ```
 */
export class PubSubResponseError extends TwitchError {
  constructor(
    /** Twitch's error string, normally a `PubSubResponseErrorCode`. */
    readonly error: string,
    readonly nonce: string,
    readonly topics: readonly Topic[],
    readonly request: 'LISTEN' | 'UNLISTEN',
  ) {
    super('PUBSUB_RESPONSE_ERROR', `${request} of ${topics.length} topic(s) failed: ${error}`);
  }
}

/**
 * A connection-level problem: the socket could not be opened (`PUBSUB_CONNECT_FAILED`), no PONG came in time
 * (`PUBSUB_PONG_TIMEOUT`), no RESPONSE came in time (`PUBSUB_RESPONSE_TIMEOUT`), the server sent RECONNECT again
 * and again on young sockets (`PUBSUB_RECONNECT_STORM`: each such handover now waits for the backoff), the new
 * socket of a RECONNECT handover failed (`PUBSUB_HANDOVER_FAILED`: the old socket is kept while it lives), a frame
 * exceeded `maxPayload` (`PUBSUB_FRAME_TOO_LARGE`: the socket is closed with 1009 and the connection reconnects),
 * `subscribeTopics` ran out of time ({@link PubSubSubscribeTimeoutError}), or the pool was closed while the
 * operation ran (`PUBSUB_CLOSED`).
 *
 * @example
 * ```ts
 * events.on('pubsub_error', (err) => {
 *   if (err instanceof PubSubConnectionError && err.code === 'PUBSUB_PONG_TIMEOUT') metrics.increment('pubsub.pong');
 * });
 * ```
 */
export class PubSubConnectionError extends TwitchError {
  declare readonly code: PubSubConnectionErrorCode;
}

/** Codes of {@link PubSubConnectionError}. */
export type PubSubConnectionErrorCode =
  | 'PUBSUB_CONNECT_FAILED'
  | 'PUBSUB_PONG_TIMEOUT'
  | 'PUBSUB_RESPONSE_TIMEOUT'
  | 'PUBSUB_RECONNECT_STORM'
  | 'PUBSUB_HANDOVER_FAILED'
  | 'PUBSUB_FRAME_TOO_LARGE'
  | 'PUBSUB_SUBSCRIBE_TIMEOUT'
  | 'PUBSUB_CLOSED';

/**
 * `subscribeTopics` did not get every LISTEN acknowledged within `subscribeTimeoutMs` (a server that never answers,
 * or keeps failing). Code `PUBSUB_SUBSCRIBE_TIMEOUT`. `topics` are the ones still unacknowledged: they were
 * unsubscribed, so nothing stays subscribed behind the caller's back. Also emitted as `pubsub_error`.
 *
 * @example
 * ```ts
 * await pool.subscribeTopics(topics).catch((err: unknown) => {
 *   if (err instanceof PubSubSubscribeTimeoutError) console.log(`not subscribed: ${err.topics.map(String).join(', ')}`);
 * });
 * ```
 */
export class PubSubSubscribeTimeoutError extends PubSubConnectionError {
  constructor(
    readonly topics: readonly Topic[],
    readonly timeoutMs: number,
  ) {
    super(
      'PUBSUB_SUBSCRIBE_TIMEOUT',
      `${topics.length} topic(s) were not acknowledged within ${timeoutMs} ms; they were unsubscribed`,
    );
  }
}

/**
 * A `reconnectHook` returned more topics than a connection holds; the excess was dropped (and is listed).
 * Emitted as `pubsub_error`. Code `PUBSUB_HOOK_OVER_LIMIT`.
 *
 * @example
 * ```ts
 * events.on('pubsub_error', (err) => {
 *   if (err instanceof ReconnectHookLimitError) void pool.subscribeTopics(err.dropped);
 * });
 * ```
 */
export class ReconnectHookLimitError extends TwitchError {
  constructor(
    readonly dropped: readonly Topic[],
    readonly maxConnectionTopics: number,
  ) {
    super(
      'PUBSUB_HOOK_OVER_LIMIT',
      `reconnectHook returned more than ${maxConnectionTopics} topics; ${dropped.length} were dropped`,
    );
  }
}

/**
 * A hook (`authFailHook` or `reconnectHook`) threw or rejected. Emitted as `pubsub_error`. Code
 * `PUBSUB_HOOK_FAILED`; the cause is attached.
 *
 * @example
 * ```ts
 * events.on('pubsub_error', (err) => {
 *   if (err instanceof PubSubHookError) logger.error(`${err.hook} failed`, { cause: String(err.cause) });
 * });
 * ```
 */
export class PubSubHookError extends TwitchError {
  constructor(
    readonly hook: 'authFailHook' | 'reconnectHook',
    cause: unknown,
  ) {
    super('PUBSUB_HOOK_FAILED', `${hook} failed`, { cause });
  }
}
