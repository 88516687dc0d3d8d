/**
 * The PubSub connection pool (TwitchIO's `PubSubPool`, done right): topics of one call stay together on one
 * connection, connections with room are reused, new ones are opened up to `maxPoolSize`, empty ones close.
 */
import type { Clock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { MetricsSnapshot } from '../core/metrics.js';
import { fail } from '../core/options.js';
import type { Logger } from '../core/logger.js';
import { PubSubConnection } from './connection.js';
import type { ConnectionHost, ConnectionTimings } from './connection.js';
import type { PubSubResponseError } from './errors.js';
import {
  PoolFullError,
  PubSubConnectionError,
  PubSubHookError,
  PubSubSubscribeTimeoutError,
  ReconnectHookLimitError,
  TopicGroupTooLargeError,
} from './errors.js';
import type { PubSubEventSink, PubSubEvents } from './events.js';
import { decodeMessage } from './decode.js';
import { PubSubMetrics } from './metrics.js';
import { RECENT_ERRORS_LIMIT, type ObservedSource, type SourceView } from '../observability/source.js';
import {
  startObservabilityServer,
  type ClientObservabilityOptions,
  type ObservabilityServer,
} from '../observability/server.js';
import { RecentErrors } from '../core/recent-errors.js';
import type { TwitchError } from '../core/errors.js';
import { resolvePoolOptions } from './pool-options.js';
import type { PubSubPoolOptions } from './pool-options.js';
import { Topic, topicKey } from './topics.js';
import { CLOSED_HEALTH, healthReport } from '../observability/health.js';
import type { HealthReport } from '../observability/source.js';

const MODELLED_EVENT: Readonly<Record<string, keyof PubSubEvents>> = {
  'channel-bits-events-v1': 'pubsub_bits',
  'channel-bits-events-v2': 'pubsub_bits',
  'channel-bits-badge-unlocks': 'pubsub_bits_badge',
  'channel-points-channel-v1': 'pubsub_channel_points',
  'channel-subscribe-events-v1': 'pubsub_subscription',
  chat_moderator_actions: 'pubsub_moderation',
  whispers: 'pubsub_whisper',
};

let warnedTwitchEndpoint = false;
const noop = (): void => undefined;

/**
 * A pool of PubSub connections that dispatches messages as typed events through `client`.
 *
 * Hooks: override {@link PubSubPool.authFailHook} and {@link PubSubPool.reconnectHook} in a subclass, or pass them
 * as options.
 *
 * @example
 * ```ts
 * const events = new TypedEmitter<PubSubEvents>();
 * const pool = new PubSubPool(events, { url: emu.clientOptions().pubSubUrl });
 * events.on('pubsub_channel_points', (e) => console.log(e.user.login, e.reward.title));
 * await pool.subscribeTopics([channelPoints(token).with(12345), bits(token).with(12345)]);
 * // …
 * await pool.close();
 * ```
 */
export class PubSubPool implements ObservedSource {
  /** Where events go. */
  readonly client: PubSubEventSink;
  readonly maxPoolSize: number;
  readonly maxConnectionTopics: number;
  readonly mode: 'group';
  readonly url: string;
  readonly #options: PubSubPoolOptions;
  readonly #logger: Logger;
  readonly #host: ConnectionHost;
  readonly #connections: PubSubConnection[] = [];
  /** present → the connection holding it. */
  readonly #registry = new Map<string, PubSubConnection>();
  readonly #subscribeTimeoutMs: number;
  /** `null` with `metrics: false`. */
  readonly #metrics: PubSubMetrics | null;
  /** Every error emitted as `pubsub_error`, for `view()`. */
  readonly #errors: RecentErrors;
  readonly #observabilityOptions: ClientObservabilityOptions | null;
  /** The observability server's start, once asked (the first `subscribeTopics`). */
  #observing: Promise<void> | null = null;
  #observability: ObservabilityServer | null = null;
  #closing: Promise<void> | null = null;
  #nextId = 0;
  #closed = false;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, `field` naming the argument) before anything connects: a
   *   `client` without an `emit` method, options that are not an object, a `url` that is not `ws:`/`wss:` (or is
   *   passed as `undefined`), a duration outside its range (1..2^31-1 ms; `pingIntervalMs` at most 4 min; jitters
   *   may be 0), a size that is not a positive integer, or a hook, `clock`, `random` or `logger` of the wrong shape.
   */
  constructor(client: PubSubEventSink, options: PubSubPoolOptions = {}) {
    if (typeof (client as Partial<PubSubEventSink> | null)?.emit !== 'function') {
      throw new InvalidArgumentError('client must have an emit method', 'client');
    }
    const resolved = resolvePoolOptions(options);
    this.client = client;
    this.#options = options;
    this.maxPoolSize = resolved.maxPoolSize;
    this.maxConnectionTopics = resolved.maxConnectionTopics;
    this.mode = 'group';
    this.url = resolved.url;
    this.#logger = resolved.logger;
    this.#subscribeTimeoutMs = resolved.subscribeTimeoutMs;
    this.#errors = new RecentErrors(resolved.clock, RECENT_ERRORS_LIMIT);
    this.#observabilityOptions = resolved.observability;
    this.#metrics = resolved.metrics
      ? new PubSubMetrics({ connections: () => this.#connections, topics: () => this.#registry.size })
      : null;
    this.#host = this.#makeHost(resolved.clock, resolved.random, resolved.timings, resolved.maxPayload);
    this.#warnIfTwitch();
  }

  /** The open connections. */
  get connections(): readonly PubSubConnection[] {
    return [...this.#connections];
  }

  /**
   * The pool's metrics now, as plain data (cheap: connection states and topics counted): connections by state,
   * topics, connects, reconnects by reason, handovers, messages per topic type, LISTEN errors, PONG timeouts; see
   * docs/observability.md. Empty with `metrics: false`.
   *
   * @example
   * ```ts
   * const text = toPrometheusText(pool.metrics());
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.#metrics?.registry.snapshot() ?? [];
  }

  /**
   * What the dashboard shows of this pool (the `ObservedSource` contract): its kind and the errors it emitted as
   * `pubsub_error` (whether or not anyone listens), newest last, redacted, at most 50.
   *
   * @example
   * ```ts
   * for (const { code, message } of pool.view().errors) console.warn(code, message);
   * ```
   */
  view(): SourceView {
    return { kind: 'PubSubPool', errors: this.#errors.list() };
  }

  /**
   * The observability server started by the `observability` option (its `url`) once the first `subscribeTopics()`
   * started it; else `null`.
   */
  get observability(): ObservabilityServer | null {
    return this.#observability;
  }

  /** Every subscribed topic. */
  get topics(): Topic[] {
    return this.#connections.flatMap((c) => c.topics);
  }

  /**
   * Subscribes to `topics` as one group: they go together onto a connection with room, or a new one. Resolves once
   * the server has acknowledged every LISTEN.
   *
   * Rejects with {@link InvalidArgumentError} (`PUBSUB_TOPIC_INCOMPLETE`) for a topic with missing ids,
   * {@link TopicGroupTooLargeError} for a group larger than `maxConnectionTopics`, {@link PoolFullError} when no
   * connection has room and the pool is at `maxPoolSize`, {@link PubSubConnectionError} when a new connection cannot
   * be opened, and {@link PubSubResponseError} when the server refused a LISTEN (after removing those topics,
   * emitting `pubsub_error` and, for `ERR_BADAUTH`, calling {@link PubSubPool.authFailHook}), and
   * {@link PubSubSubscribeTimeoutError} when the server has not acknowledged every topic within
   * `subscribeTimeoutMs` (the unacknowledged topics, and only they, are then unsubscribed and listed; the
   * acknowledged ones of the same call stay subscribed). It never leaves a rejection unhandled:
   * every failure reaches the returned promise.
   * Topics already subscribed with the same token are skipped; with another token, they are LISTENed again.
   */
  async subscribeTopics(topics: readonly Topic[]): Promise<void> {
    const given: unknown = topics;
    if (!Array.isArray(given)) fail('topics', 'an array of topics', given);
    if (this.#closed) throw new PubSubConnectionError('PUBSUB_CLOSED', 'the pool is closed');
    const unique = new Map<string, Topic>();
    topics.forEach((topic, i) => {
      if (!(topic instanceof Topic)) throw new InvalidArgumentError('not a Topic', `topics[${i}]`);
      const present = topic.present;
      if (present === null) {
        throw new InvalidArgumentError(`topic ${topic.toString()} is missing ids`, `topics[${i}]`, {
          code: 'PUBSUB_TOPIC_INCOMPLETE',
        });
      }
      unique.set(present, topic);
    });
    // The pool's connect starts its observability server (once), after the checks of the arguments.
    if (this.#observabilityOptions !== null) await this.#observed(this.#observabilityOptions);
    const fresh: Topic[] = [];
    const relisten = new Map<PubSubConnection, Topic[]>();
    for (const [present, topic] of unique) {
      const holder = this.#registry.get(present);
      if (holder === undefined) {
        fresh.push(topic);
        continue;
      }
      if (holder.topics.some((t) => t.equals(topic))) continue;
      const list = relisten.get(holder) ?? [];
      list.push(topic);
      relisten.set(holder, list);
    }
    if (fresh.length > this.maxConnectionTopics) {
      throw new TopicGroupTooLargeError(fresh.length, this.maxConnectionTopics);
    }
    const work: Promise<PubSubResponseError[]>[] = [];
    const groups: Topic[][] = [];
    for (const [connection, list] of relisten) {
      connection.reserve(list);
      work.push(this.#listenOn(connection, list));
      groups.push(list);
    }
    if (fresh.length > 0) {
      work.push(this.#place(fresh));
      groups.push(fresh);
    }
    const failures = (await this.#withDeadline(work, groups)).flat();
    if (failures[0] !== undefined) throw failures[0];
  }

  /**
   * Unsubscribes from `topics` (matched by topic string; unknown ones are ignored). A connection left empty closes.
   * Rejects with `INVALID_ARGUMENT` (field `topics`) when `topics` is not an array.
   */
  async unsubscribeTopics(topics: readonly Topic[]): Promise<void> {
    const given: unknown = topics;
    if (!Array.isArray(given)) fail('topics', 'an array of topics', given);
    const byConnection = new Map<PubSubConnection, Topic[]>();
    for (const topic of topics) {
      const present = topic instanceof Topic ? topic.present : null;
      if (present === null) continue;
      const connection = this.#registry.get(present);
      if (connection === undefined) continue;
      this.#registry.delete(present);
      const list = byConnection.get(connection) ?? [];
      list.push(topic);
      byConnection.set(connection, list);
    }
    await Promise.all(
      [...byConnection].map(async ([connection, list]) => {
        const done = connection.unlisten(list);
        if (connection.size === 0) this.#drop(connection);
        await done;
      }),
    );
  }

  /**
   * Liveness and readiness for `/healthz` and `/readyz` (docs/observability.md, Health): live until closed; ready
   * while every wanted topic is on a connection that is open (LISTENed, or its LISTEN in flight) or reconnecting by
   * itself. A topic left on a connection closed for good makes it not ready.
   *
   * @example
   * ```ts
   * const { ready, reasons } = pool.health();
   * ```
   */
  health(): HealthReport {
    if (this.#closed) return CLOSED_HEALTH;
    let lost = 0;
    for (const connection of this.#registry.values()) if (connection.state === 'closed') lost++;
    return healthReport([], [lost === 0 ? null : `topics on a connection closed for good: ${lost}`]);
  }

  /**
   * Closes every connection and the observability server. Pending `subscribeTopics` calls reject with
   * `PUBSUB_CLOSED`. Idempotent.
   */
  close(): Promise<void> {
    this.#closed = true;
    for (const connection of [...this.#connections]) this.#drop(connection);
    this.#registry.clear();
    this.#closing ??= this.#closeObservability();
    return this.#closing;
  }

  /**
   * Called after a LISTEN answered `ERR_BADAUTH`, with the topics it removed. Override it (or pass the option) to
   * refresh tokens and subscribe again; the default calls `options.authFailHook` when given.
   *
   * @example
   * ```ts
   * class MyPool extends PubSubPool {
   *   override async authFailHook(topics: Topic[]) {
   *     const token = await refresh(topics[0]!.token);
   *     await this.subscribeTopics(topics.map((t) => t.withToken(token)));
   *   }
   * }
   * ```
   */
  authFailHook(topics: Topic[]): unknown {
    return this.#options.authFailHook?.(topics);
  }

  /**
   * Called before every reconnect of `connection`, with its topics; returns the topics to re-LISTEN. Additions,
   * token changes and removals are applied; topics beyond `maxConnectionTopics` are dropped (with a
   * `pubsub_error`). The default calls `options.reconnectHook` when given, else returns `topics` unchanged.
   */
  reconnectHook(connection: PubSubConnection, topics: Topic[]): Topic[] | Promise<Topic[]> {
    return this.#options.reconnectHook?.(connection, topics) ?? topics;
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  /**
   * Waits for the observability server of the `observability` option, started once by the first call. A refused
   * start (`OBSERVABILITY_TOKEN_REQUIRED`, `OBSERVABILITY_LISTEN_FAILED`) closes the pool and rejects the
   * `subscribeTopics` calls waiting for it, as a refused `AutoClient.start()` does.
   */
  async #observed(options: ClientObservabilityOptions): Promise<void> {
    this.#observing ??= this.#observe(options);
    await this.#observing;
    // Closed while it started: nothing is subscribed.
    if (this.#closed) throw new PubSubConnectionError('PUBSUB_CLOSED', 'the pool is closed');
  }

  async #observe(options: ClientObservabilityOptions): Promise<void> {
    let server: ObservabilityServer;
    try {
      server = await startObservabilityServer({
        clock: this.#host.clock,
        logger: this.#logger,
        ...options,
        sources: [this],
      });
    } catch (error) {
      void this.close();
      throw error;
    }
    this.#observability = server;
    // close() while it started: #closeObservability waits for this start, then closes it.
  }

  async #closeObservability(): Promise<void> {
    // A start in flight settles first (then its server is closed here); a refused one has nothing to close.
    await this.#observing?.catch(noop);
    await this.#observability?.close();
  }

  /** The one place an error is reported: recorded for `view()`, then emitted as `pubsub_error`. */
  #error(error: TwitchError, raw: unknown): void {
    this.#errors.push(error);
    this.#emit('pubsub_error', error, raw);
  }

  /**
   * Settles with `work` unless `subscribeTimeoutMs` passes first: then the topics of the groups still waiting that
   * the server has not acknowledged are unsubscribed (nothing stays subscribed behind the caller's back; what was
   * acknowledged stays) and it rejects with {@link PubSubSubscribeTimeoutError} listing exactly those.
   * The abandoned work settles later into nothing (it is caught, never an unhandled rejection).
   */
  #withDeadline(
    work: readonly Promise<PubSubResponseError[]>[],
    groups: readonly Topic[][],
  ): Promise<PubSubResponseError[][]> {
    const done = new Set<number>();
    const tracked = work.map((promise, i) =>
      promise.then((result) => {
        done.add(i);
        return result;
      }),
    );
    const all = Promise.all(tracked);
    const { clock } = this.#host;
    return new Promise<PubSubResponseError[][]>((resolve, reject) => {
      const timer = clock.setTimeout(
        () => {
          // Per topic: a topic the server acknowledged stays, whatever happened to the others of its call.
          const pending = groups
            .filter((_, i) => !done.has(i))
            .flat()
            .filter((topic) => this.#unacknowledged(topic));
          // Every topic answered (the call settles in a moment).
          if (pending.length === 0) return;
          all.catch(noop);
          const error = new PubSubSubscribeTimeoutError(pending, this.#subscribeTimeoutMs);
          this.#error(error, null);
          this.unsubscribeTopics(pending).then(
            () => {
              reject(error);
            },
            () => {
              reject(error);
            },
          );
        },
        this.#subscribeTimeoutMs,
        // Someone awaits it: it keeps the process alive like any pending operation.
        { ref: true },
      );
      all.then(
        (result) => {
          clock.clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clock.clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  async #place(group: Topic[]): Promise<PubSubResponseError[]> {
    const reuse = this.#connections.find(
      (c) => c.state !== 'closed' && c.size + group.length <= this.maxConnectionTopics,
    );
    if (reuse !== undefined) {
      this.#register(reuse, group);
      return this.#listenOn(reuse, group);
    }
    if (this.#connections.length >= this.maxPoolSize) {
      throw new PoolFullError(this.maxPoolSize, this.maxConnectionTopics, group.length);
    }
    const connection = new PubSubConnection(`pubsub-${String(++this.#nextId)}`, this.url, this.#host);
    this.#connections.push(connection);
    this.#register(connection, group);
    try {
      await connection.start();
    } catch (error) {
      this.#drop(connection);
      throw error;
    }
    return this.#listenOn(connection, group);
  }

  /** LISTENs reserved topics; a connection left empty by failures closes. */
  async #listenOn(connection: PubSubConnection, topics: readonly Topic[]): Promise<PubSubResponseError[]> {
    const failures = await connection.listen(topics);
    if (connection.size === 0) this.#drop(connection);
    return failures;
  }

  /** Whether `topic` is still subscribed on a connection whose server has not acknowledged it. */
  #unacknowledged(topic: Topic): boolean {
    const key = topicKey(topic);
    const connection = this.#registry.get(key);
    return connection !== undefined && !connection.acknowledged(key);
  }

  #register(connection: PubSubConnection, topics: readonly Topic[]): void {
    connection.reserve(topics);
    for (const topic of topics) this.#registry.set(topicKey(topic), connection);
  }

  #drop(connection: PubSubConnection): void {
    const index = this.#connections.indexOf(connection);
    if (index !== -1) this.#connections.splice(index, 1);
    for (const topic of connection.topics) {
      if (this.#registry.get(topicKey(topic)) === connection) this.#registry.delete(topicKey(topic));
    }
    connection.close();
  }

  #emit<K extends keyof PubSubEvents>(event: K, ...args: PubSubEvents[K]): void {
    try {
      this.client.emit(event, ...args);
    } catch (error) {
      // A sink that throws (a plain EventEmitter with a failing listener) must not break the connection.
      this.#logger.error(`listener of '${event}' failed`, { error });
    }
  }

  #warnIfTwitch(): void {
    let parsed: URL | undefined;
    try {
      parsed = new URL(this.url);
    } catch {
      // reported below
    }
    if (parsed?.protocol !== 'ws:' && parsed?.protocol !== 'wss:') {
      throw new InvalidArgumentError('url must be a ws:// or wss:// URL', 'url');
    }
    const host = parsed.hostname;
    if (host !== 'pubsub-edge.twitch.tv' || warnedTwitchEndpoint) return;
    warnedTwitchEndpoint = true;
    const message =
      "Twitch's PubSub was shut down on 2025-04-14: connections to pubsub-edge.twitch.tv will fail. Use EventSub " +
      '(see docs/pubsub.md, "Migrating to EventSub"), or point `url` at a PubSub-compatible server.';
    this.#logger.warn(message);
    process.emitWarning(message, { code: 'TWITCH_REALTIME_PUBSUB_SHUTDOWN' });
  }

  #makeHost(
    clock: Clock,
    random: () => number,
    timings: ConnectionTimings,
    maxPayload: number,
  ): ConnectionHost {
    return {
      clock,
      maxPayload,
      random,
      timings,
      metrics: this.#metrics,
      beforeReconnect: (connection, topics) => this.#beforeReconnect(connection, topics),
      listenFailed: (connection, error, raw) => {
        for (const topic of error.topics) {
          if (this.#registry.get(topicKey(topic)) === connection) {
            this.#registry.delete(topicKey(topic));
          }
        }
        this.#error(error, raw);
        if (error.error === 'ERR_BADAUTH') this.#runAuthFailHook([...error.topics]);
      },
      message: (topic, message) => {
        this.#dispatch(topic, message);
      },
      error: (error, raw) => {
        this.#error(error, raw);
      },
      nonce: (connection, nonce, error) => {
        this.#emit('pubsub_nonce', { nonce, error, connection });
      },
      pong: (connection) => {
        this.#emit('pubsub_pong', connection);
      },
      emptied: (connection) => {
        this.#drop(connection);
      },
    };
  }

  #dispatch(topic: string, raw: string): void {
    this.#metrics?.message(topic);
    const client = this.client;
    if (client.hasListeners !== undefined) {
      const dot = topic.indexOf('.');
      const specific = MODELLED_EVENT[dot === -1 ? topic : topic.slice(0, dot)];
      if (
        !client.hasListeners('pubsub_message') &&
        !client.hasListeners('pubsub_error') &&
        (specific === undefined || !client.hasListeners(specific))
      ) {
        return;
      }
    }
    const decoded = decodeMessage(topic, raw);
    this.#emit('pubsub_message', decoded.message);
    const modelled = decoded.modelled;
    if (modelled !== null) {
      // The union keeps event and model paired; TypeScript cannot correlate them through a spread.
      (this.#emit as (event: string, model: unknown) => void)(modelled.event, modelled.model);
    } else if (decoded.error !== null) {
      this.#error(decoded.error, raw);
    }
  }

  #runAuthFailHook(topics: Topic[]): void {
    let result: unknown;
    try {
      result = this.authFailHook(topics);
    } catch (error) {
      this.#error(new PubSubHookError('authFailHook', error), null);
      return;
    }
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        this.#error(new PubSubHookError('authFailHook', error), null);
      });
    }
  }

  async #beforeReconnect(connection: PubSubConnection, current: Topic[]): Promise<Topic[]> {
    let result: unknown;
    try {
      result = await this.reconnectHook(connection, [...current]);
    } catch (error) {
      this.#error(new PubSubHookError('reconnectHook', error), null);
      return current;
    }
    if (!Array.isArray(result)) {
      this.#error(
        new PubSubHookError('reconnectHook', new TypeError('reconnectHook must return an array of topics')),
        null,
      );
      return current;
    }
    const next = new Map<string, Topic>();
    const asked = new Set(current.map((t) => topicKey(t)));
    for (const topic of result as unknown[]) {
      if (!(topic instanceof Topic) || topic.present === null) {
        this.#error(
          new PubSubHookError('reconnectHook', new TypeError('reconnectHook returned an incomplete topic')),
          null,
        );
        continue;
      }
      const holder = this.#registry.get(topic.present);
      // A topic held by another connection stays there.
      if (holder !== undefined && holder !== connection) continue;
      // A topic unsubscribed while the hook ran stays unsubscribed.
      if (asked.has(topic.present) && !connection.has(topic.present)) continue;
      next.set(topic.present, topic);
    }
    let kept = [...next.values()];
    if (kept.length > this.maxConnectionTopics) {
      const dropped = kept.slice(this.maxConnectionTopics);
      kept = kept.slice(0, this.maxConnectionTopics);
      this.#error(new ReconnectHookLimitError(dropped, this.maxConnectionTopics), null);
    }
    if (connection.state === 'closed' || this.#closed) return kept;
    const keptSet = new Set(kept.map((t) => topicKey(t)));
    for (const topic of current) {
      const present = topicKey(topic);
      if (!keptSet.has(present) && this.#registry.get(present) === connection) this.#registry.delete(present);
    }
    for (const topic of kept) this.#registry.set(topicKey(topic), connection);
    return kept;
  }
}
