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
  declare readonly code: 'PUBSUB_POOL_FULL';

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
  declare readonly code: 'PUBSUB_GROUP_TOO_LARGE';

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
  declare readonly code: 'PUBSUB_RESPONSE_ERROR';

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
  /**
   * A new connection could not be opened (`cause` has the socket error): rejects `subscribeTopics`. A reconnect
   * attempt of an existing connection failed, or its socket closed before every LISTEN was answered: emitted (no
   * caller waits on it), and retried with backoff (which starts over only after a socket that stayed up 30 s).
   *
   * What to do: **Retry**; check `url`.
   */
  | 'PUBSUB_CONNECT_FAILED'
  /**
   * No PONG came in time after a PING. Emitted; the connection reconnects and re-LISTENs its topics.
   *
   * What to do: **Ignore** unless frequent.
   */
  | 'PUBSUB_PONG_TIMEOUT'
  /**
   * No RESPONSE to a LISTEN/UNLISTEN within `responseTimeoutMs`. Emitted; the connection reconnects and retries.
   *
   * What to do: **Ignore** unless frequent.
   */
  | 'PUBSUB_RESPONSE_TIMEOUT'
  /**
   * `subscribeTopics` did not get every LISTEN acknowledged within `subscribeTimeoutMs` (default 30 s, connection and
   * reconnects included): a server that never answers, or keeps failing. Rejects the call and is emitted; `topics`
   * lists exactly the topics not acknowledged, which were unsubscribed (those of the same call that were acknowledged
   * stay).
   *
   * What to do: **Retry** later; check the server.
   */
  | 'PUBSUB_SUBSCRIBE_TIMEOUT'
  /**
   * The server sent `RECONNECT` on a socket younger than 30 s, or on one from which a handover already failed, for
   * the second time in a row or more: each such handover waits for the reconnect backoff (growing, at most 15 s)
   * instead of starting at once. One handover at a time: `RECONNECT`s during one are not acted on twice. Emitted; the
   * current socket delivers meanwhile.
   *
   * What to do: **Ignore** if rare; frequent ones mean a misbehaving server or proxy.
   */
  | 'PUBSUB_RECONNECT_STORM'
  /**
   * The new socket of a `RECONNECT` handover failed: refused, closed, or no RESPONSE to its LISTENs (`cause` has the
   * socket error when there is one). The old socket is kept while the server lets it live (its close then starts a
   * backoff reconnect), and the next handover from it waits for the backoff. Emitted only.
   *
   * What to do: **Ignore** if rare; frequent ones mean a misbehaving server or proxy.
   */
  | 'PUBSUB_HANDOVER_FAILED'
  /**
   * A frame exceeded the pool's `maxPayload` (4 MiB by default, like the EventSub session's; `ws`'s own default is
   * 100 MiB): `ws` closed the socket with `1009`. Emitted; the connection reconnects and re-LISTENs its topics.
   * `cause` has `ws`'s error.
   *
   * What to do: **Report a bug** if the server is Twitch-compatible; raise `maxPayload` only for a server you trust.
   */
  | 'PUBSUB_FRAME_TOO_LARGE'
  /**
   * `subscribeTopics` on a closed pool, or the pool or connection closed while the call ran.
   *
   * What to do: **Ignore** during shutdown.
   */
  | 'PUBSUB_CLOSED';

/**
 * Every code of the PubSub pool: its connections' ({@link PubSubConnectionErrorCode}), the pool's limits and
 * hooks, and what it cannot read. Twitch's own error strings (`ERR_BADAUTH`...) are not codes: they arrive in
 * {@link PubSubResponseError.error} under `PUBSUB_RESPONSE_ERROR`.
 */
export type PubSubErrorCode =
  /**
   * `subscribeTopics` got a topic built without all its ids (a topic template). `field` is `topics[i]`.
   *
   * What to do: **Fix input:** fill in the ids.
   */
  | 'PUBSUB_TOPIC_INCOMPLETE'
  /**
   * One `subscribeTopics` call holds more new topics than `maxConnectionTopics` (a group stays on one connection).
   *
   * What to do: **Fix input:** split the call.
   */
  | 'PUBSUB_GROUP_TOO_LARGE'
  /**
   * No connection has room for the group and the pool already has `maxPoolSize` connections.
   *
   * What to do: Unsubscribe unused topics, or raise `maxPoolSize`.
   */
  | 'PUBSUB_POOL_FULL'
  /**
   * The server answered a LISTEN (or UNLISTEN) with an error; `error` holds Twitch's string (see below), `topics` the
   * topics concerned. A failed LISTEN leaves none of its topics registered. Rejects `subscribeTopics` and is emitted.
   *
   * What to do: Bad auth: refresh the token (the pool calls `authFailHook` for you). Bad topic: **fix input**. Server
   * error: **retry**.
   */
  | 'PUBSUB_RESPONSE_ERROR'
  | PubSubConnectionErrorCode
  /**
   * `authFailHook` or `reconnectHook` threw or rejected, or `reconnectHook` returned something other than an array of
   * complete topics. `hook` names it; `cause` has the failure. The connection goes on with its current topics.
   *
   * What to do: Fix the hook.
   */
  | 'PUBSUB_HOOK_FAILED'
  /**
   * `reconnectHook` returned more topics than a connection holds; the excess (`dropped`) was not re-LISTENed.
   *
   * What to do: Fix the hook; subscribe the dropped topics through `subscribeTopics`.
   */
  | 'PUBSUB_HOOK_OVER_LIMIT'
  /**
   * A frame that is not JSON, of an unknown type, or a RESPONSE without nonce. Emitted with `raw`; the connection
   * carries on.
   *
   * What to do: **Report a bug** if the server is Twitch-compatible.
   */
  | 'PUBSUB_UNEXPECTED_FRAME'
  /**
   * A MESSAGE whose payload is not JSON or does not fit the topic's model. `pubsub_message` still gets the raw
   * message; the modelled event is skipped.
   *
   * What to do: **Report a bug** with `raw`.
   */
  | 'PUBSUB_UNEXPECTED_PAYLOAD'
  /**
   * A pool was pointed at Twitch's own PubSub endpoint, which Twitch shut down on 2025-04-14. Emitted once per
   * process through `process.emitWarning`.
   *
   * What to do: Migrate to EventSub (see [PubSub](../../docs/pubsub.md#migrating-to-eventsub)), or point `url` at a
   * PubSub-compatible server.
   */
  | 'TWITCH_REALTIME_PUBSUB_SHUTDOWN';

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
  declare readonly code: 'PUBSUB_SUBSCRIBE_TIMEOUT';

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
  declare readonly code: 'PUBSUB_HOOK_OVER_LIMIT';

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
  declare readonly code: 'PUBSUB_HOOK_FAILED';

  constructor(
    readonly hook: 'authFailHook' | 'reconnectHook',
    cause: unknown,
  ) {
    super('PUBSUB_HOOK_FAILED', `${hook} failed`, { cause });
  }
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    pubsub: PubSubErrorCode;
  }
}
