/**
 * `WebSocketClient`: EventSub over plain WebSocket transports with user tokens (what Twurple's `EventSubWsListener`
 * and TwitchIO's websocket client do): typed events, subscribe/unsubscribe, up to 3 sockets per user with at most
 * 300 subscriptions each, resubscription after a lost session, lossless `session_reconnect` handover.
 */
import { Backoff } from '../../core/backoff.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { RecentErrors } from '../../core/recent-errors.js';
import type { MetricsSnapshot } from '../../core/metrics.js';
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { toError } from '../../core/guards.js';
import { raceAbort } from '../../core/sleep.js';
import {
  checkOptions,
  fail,
  nonEmptyString,
  positiveInteger,
  signal,
  type OptionChecks,
} from '../../core/options.js';
import { HelixClient } from '../../helix/client.js';
import { websocketUser } from '../../helix/endpoints/eventsub.js';
import { getCatalogueEntry } from '../../catalogue/table.js';
import { toSubscriptionModel, type SubscriptionModel } from '../../catalogue/events.js';
import type { WireRevocationMessage } from '../../protocol/eventsub.js';
import { Client, type ClientEventMap } from '../client.js';
import { toWireRequests, type SubscriptionInput } from '../conduit/multi-subscribe.js';
import { DEFAULT_DEDUPE_WINDOW_MS, resolveDedupeStore, type DedupeStore } from '../websocket/dedupe.js';
import {
  EventSubSession,
  KEEPALIVE_REASON,
  type DisconnectInfo,
  type EventSubSessionOptions,
} from '../websocket/session.js';
import { RECENT_ERRORS_LIMIT, type ObservedSource } from '../../observability/source.js';
import {
  checkWebSocketClientOptions,
  WEBSOCKET_CLIENT_DEFAULTS,
  type EventSubWebSocketClientOptions,
} from './options.js';
import { WebSocketClientMetrics, type MeteredSocket } from './metrics.js';
import { UserPool, type PoolHost, type ResubscribeResult, type UserSocket } from './pool.js';
import { TrackedSubscription, WebSocketSubscription } from './subscription.js';
import { CLOSED_HEALTH, healthReport, idsReason } from '../../observability/health.js';
import type { HealthReport, SourceView } from '../../observability/source.js';
import {
  startObservabilityServer,
  type ClientObservabilityOptions,
  type ObservabilityServer,
} from '../../observability/server.js';

/** A socket of the client: `socketId` is `<userId>#<n>` (n in 0..2). */
export interface SocketInfo {
  readonly socketId: string;
  readonly userId: string;
}

/** One socket as `sockets` lists it. */
export interface SocketState extends SocketInfo {
  /** The current session (`null` until the first welcome). */
  readonly sessionId: string | null;
  /** Subscriptions placed on it (enabled, and pending ones). */
  readonly subscriptions: number;
}

/** Payload of `socketReady`: a socket's first session was welcomed. */
export interface SocketReadyInfo extends SocketInfo {
  readonly sessionId: string;
}

/** Payload of `socketDisconnected`: a socket's session closed; it reconnects by itself. */
export interface SocketDisconnectedInfo extends SocketInfo, DisconnectInfo {}

/** Payload of `socketReconnected`. */
export interface SocketReconnectedInfo extends SocketInfo {
  readonly sessionId: string;
  readonly previousSessionId: string;
  /**
   * `'handover'`: Twitch's `session_reconnect`, the subscriptions carried over; `'reconnect'`: the session was lost,
   * its subscriptions are being created again (`resubscribed` follows).
   */
  readonly cause: 'handover' | 'reconnect';
}

/** Lifecycle events of the {@link WebSocketClient} (besides the typed events, `notification` and `error`). */
export interface WebSocketClientLifecycleEvents {
  /** A socket connected (opened when a subscription needed room). */
  socketReady: [info: SocketReadyInfo];
  /** A socket's session closed or was given up; it reconnects by itself. */
  socketDisconnected: [info: SocketDisconnectedInfo];
  /** A socket is connected again, after a handover or a loss. */
  socketReconnected: [info: SocketReconnectedInfo];
  /** After a loss: which subscriptions were created again on the new session, and which could not be. */
  resubscribed: [result: ResubscribeResult];
  /** A socket was closed: it carried no subscription any more (or `close()`). */
  socketClosed: [info: SocketInfo];
}

/**
 * Every event of the {@link WebSocketClient}: the typed EventSub events (`channel.follow`...), `notification` (its
 * second argument is the socket id), `subscriptionRevoked`, `error`, and {@link WebSocketClientLifecycleEvents}.
 * The conduit events of {@link ClientEventMap} (`ready`, `shard*`, `conduit*`) are never emitted.
 */
export type WebSocketClientEventMap = ClientEventMap & WebSocketClientLifecycleEvents;

/** Options of `subscribe()` and `multiSubscribe()`. */
export interface WebSocketSubscribeOptions {
  /** The user whose token and sockets to use (default: the client's `userId`, else the condition's user). */
  readonly userId?: string;
  /** Stops waiting (a subscription already created stays). */
  readonly signal?: AbortSignal;
}

/** Options of `multiSubscribe()`. */
export interface WebSocketMultiSubscribeOptions extends WebSocketSubscribeOptions {
  /** Requests in flight at once. @defaultValue the client's `concurrency` (16) */
  readonly concurrency?: number;
}

const SUBSCRIBE_CHECKS: OptionChecks<WebSocketMultiSubscribeOptions> = {
  userId: nonEmptyString,
  signal,
  concurrency: positiveInteger,
};

/** Result of `multiSubscribe()`. */
export interface WebSocketMultiSubscribeResult {
  readonly success: WebSocketSubscription[];
  readonly errors: { readonly subscription: SubscriptionInput; readonly error: Error }[];
}

/**
 * EventSub over WebSocket transports, with user tokens: subscriptions are placed on up to 3 sockets per user
 * (300 subscriptions each; the next socket opens when one is full), created again after a session is lost, and
 * carried over a `session_reconnect` handover without loss or duplicates. Events are typed and dispatched like the
 * {@link AutoClient}'s. For more than one user's worth of events, or an app token, use a conduit.
 *
 * @example
 * ```ts
 * const auth = new RefreshingAuthProvider({ clientId, clientSecret });
 * await auth.addUser({ accessToken, refreshToken });
 * await using client = new WebSocketClient({ clientId, auth });
 * client.on('channel.follow', (event) => console.log(`${event.user.displayName} followed`));
 * await client.start();
 * await client.subscribe({
 *   type: 'channel.follow',
 *   version: '2',
 *   condition: { broadcasterUserId: '1337', moderatorUserId: '1337' },
 * });
 * ```
 */
export class WebSocketClient extends Client<WebSocketClientEventMap> implements ObservedSource {
  readonly #helix: HelixClient;
  /** `null` with `metrics: false`. */
  readonly #metrics: WebSocketClientMetrics | null;
  readonly #ownsHelix: boolean;
  readonly #userId: string | undefined;
  readonly #initial: readonly SubscriptionInput[];
  readonly #sessionOptions: EventSubSessionOptions;
  readonly #backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly #dedupe: DedupeStore;
  readonly #pools = new Map<string, UserPool>();
  readonly #tracked = new Map<WebSocketSubscription, TrackedSubscription>();
  readonly #closer = new AbortController();
  readonly #host: PoolHost;
  readonly #clock: Clock;
  /** What `report` reported, for `view()`. */
  readonly #errors: RecentErrors;
  readonly #observabilityOptions: false | ClientObservabilityOptions | undefined;
  #observability: ObservabilityServer | null = null;
  /** The observability server's start while in flight (`close()` waits for it, then closes what it started). */
  #observing: Promise<unknown> | null = null;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) before anything is created:
   *   options that are not an object, neither `helix` nor `clientId` + `auth`, or any option of the wrong type or
   *   range; a subscription of `subscriptions` that the catalogue refuses.
   */
  constructor(options: EventSubWebSocketClientOptions) {
    checkWebSocketClientOptions(options);
    super(options);
    const defaults = WEBSOCKET_CLIENT_DEFAULTS;
    const initial = options.subscriptions ?? [];
    toWireRequests(initial);
    this.#initial = initial;
    this.#userId = options.userId;
    this.#backoff = { ...defaults.reconnectBackoff, ...options.reconnectBackoff };
    this.#dedupe = resolveDedupeStore(
      options.dedupe,
      DEFAULT_DEDUPE_WINDOW_MS,
      DEFAULT_DEDUPE_WINDOW_MS,
      'dedupe',
    );
    this.#sessionOptions = {
      ...options.session,
      url: options.eventSubWsUrl ?? defaults.eventSubWsUrl,
      ...(options.keepaliveTimeoutSeconds === undefined
        ? {}
        : { keepaliveTimeoutSeconds: options.keepaliveTimeoutSeconds }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      dedupe: this.#dedupe,
      logger: this.logger,
    };
    this.#clock = options.clock ?? systemClock;
    this.#errors = new RecentErrors(this.#clock, RECENT_ERRORS_LIMIT);
    this.#observabilityOptions = options.observability;
    this.#ownsHelix = options.helix === undefined;
    this.#helix =
      options.helix ??
      new HelixClient({
        clientId: options.clientId ?? '',
        ...(options.auth === undefined ? {} : { auth: options.auth }),
        helixUrl: options.helixUrl ?? defaults.helixUrl,
        oauthUrl: options.oauthUrl ?? defaults.oauthUrl,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        logger: this.logger,
      });
    this.#metrics =
      (options.metrics ?? defaults.metrics)
        ? new WebSocketClientMetrics(this.#clock, {
            sessions: () => this.#openSessions(),
            subscriptions: () => this.#tracked.size,
          })
        : null;
    if (this.#metrics !== null) this.recordMetrics(this.#metrics);
    this.#host = this.#makeHost(
      options.maxSocketsPerUser ?? defaults.maxSocketsPerUser,
      options.maxSubscriptionsPerSocket ?? defaults.maxSubscriptionsPerSocket,
      options.concurrency ?? defaults.concurrency,
    );
  }

  /** The Helix client the subscriptions are created with. */
  get helix(): HelixClient {
    return this.#helix;
  }

  /** Every live subscription (pending or enabled), in no particular order. */
  get subscriptions(): readonly WebSocketSubscription[] {
    return [...this.#tracked.keys()];
  }

  /** The open sockets: their session (`null` until the first welcome) and how many subscriptions each carries. */
  get sockets(): readonly SocketState[] {
    const out: SocketState[] = [];
    for (const pool of this.#pools.values()) {
      for (const socket of pool.sockets) {
        if (socket !== undefined && !socket.closed) {
          out.push({
            socketId: socket.id,
            userId: pool.userId,
            sessionId: socket.session.sessionId,
            subscriptions: socket.subscriptions.size,
          });
        }
      }
    }
    return out;
  }

  /**
   * The client's metrics now, as plain data (cheap: socket states counted, session counters summed): sockets by
   * state, connects, reconnects, handovers, notifications per type, delivery lag, duplicates, keepalive timeouts,
   * revocations and handler errors; see docs/observability.md. Empty with `metrics: false`. The Helix client's are
   * in `client.helix.metrics()`.
   *
   * @example
   * ```ts
   * const text = toPrometheusText([...client.metrics(), ...client.helix.metrics()]);
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.#metrics?.registry.snapshot() ?? [];
  }

  /**
   * Liveness and readiness for `/healthz` and `/readyz` (docs/observability.md, Health): live until closed; ready
   * once `start()` resolved while every open socket's session is connected or reconnecting by itself (a session that
   * gave up makes it not ready).
   *
   * @example
   * ```ts
   * const { ready, reasons } = client.health();
   * ```
   */
  health(): HealthReport {
    const state = this.state;
    if (state === 'closing' || state === 'closed') return CLOSED_HEALTH;
    const down: string[] = [];
    for (const pool of this.#pools.values()) {
      for (const socket of pool.sockets) {
        if (socket !== undefined && !socket.closed && socket.session.state === 'closed') down.push(socket.id);
      }
    }
    return healthReport(
      [],
      [
        state === 'idle' ? 'not started' : state === 'starting' ? 'starting' : null,
        idsReason('sockets whose session closed for good', down),
      ],
    );
  }

  /**
   * What the dashboard shows of this client (the `ObservedSource` contract): its kind and the errors it reported
   * (`error`, whether or not anyone listens), newest last, redacted, at most 50.
   *
   * @example
   * ```ts
   * for (const { code, message } of client.view().errors) console.warn(code, message);
   * ```
   */
  view(): SourceView {
    return { kind: 'WebSocketClient', errors: this.#errors.list() };
  }

  /** The observability server started by the `observability` option (its `url`), once started; else `null`. */
  get observability(): ObservabilityServer | null {
    return this.#observability;
  }

  protected override report(error: Error, context?: string): void {
    this.#errors.push(error);
    super.report(error, context);
  }

  protected override listenerFailed(event: string, error: unknown): void {
    this.#errors.push(error, `listener of '${event}'`);
    super.listenerFailed(event, error);
  }

  /**
   * Creates one subscription on a socket of its user with room, opening the user's next socket when all are full.
   * Resolves with its handle once Twitch created it. Works before `start()` too.
   *
   * @throws {@link InvalidArgumentError} for a subscription the catalogue refuses (before anything is sent);
   *   {@link WebSocketClientError} `WEBSOCKET_LIMIT_REACHED` (3 × 300 in use) or `WEBSOCKET_COST_EXCEEDED`; an
   *   `HTTPError` for Twitch's other refusals; `CLIENT_CLOSED` after `close()`.
   *
   * @example
   * ```ts
   * const sub = await client.subscribe({ type: 'stream.online', version: '1', condition: { broadcasterUserId } });
   * ```
   */
  async subscribe(
    subscription: SubscriptionInput,
    options: WebSocketSubscribeOptions = {},
  ): Promise<WebSocketSubscription> {
    checkOptions(options, SUBSCRIBE_CHECKS);
    let tracked: TrackedSubscription | undefined;
    try {
      [tracked] = this.#track([subscription], options.userId);
    } catch (error) {
      // Named as this method's argument, `subscription`, not as an item of a list.
      if (!(error instanceof InvalidArgumentError)) throw error;
      const field = (error.field ?? '').replace(/^subscriptions\[0\]\.?/, '');
      const message = error.message.replace(/^subscriptions\[0\]: /, '');
      throw new InvalidArgumentError(
        message,
        field === '' || field === 'subscription' ? 'subscription' : `subscription.${field}`,
        {
          code: error.code,
          cause: error,
        },
      );
    }
    if (tracked === undefined) throw new InvalidArgumentError('subscription is required', 'subscription');
    return this.#place(tracked, options.signal);
  }

  /**
   * Creates many subscriptions, `concurrency` at a time; never rejects for a refused subscription (see `errors`).
   *
   * @throws {@link InvalidArgumentError} before anything is sent when one input is refused by the catalogue.
   *
   * @example
   * ```ts
   * const { success, errors } = await client.multiSubscribe(subs);
   * ```
   */
  async multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options: WebSocketMultiSubscribeOptions = {},
  ): Promise<WebSocketMultiSubscribeResult> {
    checkOptions(options, SUBSCRIBE_CHECKS);
    const tracked = this.#track(subscriptions, options.userId);
    const result: WebSocketMultiSubscribeResult = { success: [], errors: [] };
    const queue = tracked.values();
    const worker = async (): Promise<void> => {
      for (let item = queue.next(); item.done !== true; item = queue.next()) {
        try {
          result.success.push(await this.#place(item.value, options.signal));
        } catch (error) {
          result.errors.push({ subscription: item.value.input, error: toError(error) });
        }
      }
    };
    const concurrency = options.concurrency ?? this.#host.concurrency;
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, tracked.length)) }, worker));
    return result;
  }

  /**
   * Deletes a subscription on Twitch and forgets it; its socket closes when it carried nothing else. Idempotent.
   *
   * @example
   * ```ts
   * await client.unsubscribe(sub);
   * ```
   */
  async unsubscribe(subscription: WebSocketSubscription): Promise<void> {
    if (!(subscription instanceof WebSocketSubscription)) {
      fail('subscription', 'a WebSocketSubscription (from subscribe())', subscription);
    }
    const tracked = this.#tracked.get(subscription);
    if (tracked === undefined) return;
    this.#tracked.delete(subscription);
    await this.#pools.get(tracked.userId)?.remove(tracked);
  }

  protected async onStart(): Promise<void> {
    const observability = this.#observabilityOptions;
    if (observability !== undefined && observability !== false) {
      const starting = startObservabilityServer({
        clock: this.#clock,
        logger: this.logger,
        ...observability,
        sources: [this, this.#helix],
      });
      this.#observing = starting;
      const server = await starting;
      this.#observing = null;
      this.#observability = server;
      // close() while it started: onClose waited for this start and closes the server; start() rejects.
      if (this.isClosing()) return;
    }
    if (this.#initial.length === 0) return;
    const { errors } = await this.multiSubscribe(this.#initial);
    for (const { error } of errors) this.report(error, 'subscribe');
  }

  protected async onClose(): Promise<void> {
    this.#closer.abort(new TwitchError('CLIENT_CLOSED', 'the client was closed'));
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    for (const tracked of this.#tracked.values()) tracked.status = 'removed';
    this.#tracked.clear();
    try {
      // A server still starting is awaited (a refused start has nothing to close), so that close() resolves with
      // every socket closed.
      await this.#observing?.catch(() => undefined);
      await Promise.all([...pools.map((pool) => pool.close()), this.#observability?.close()]);
    } finally {
      if (this.#ownsHelix) this.#helix.close();
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Validates every input (nothing is sent if one is refused) and tracks them, each with its user. */
  #track(inputs: readonly SubscriptionInput[], userId: string | undefined): TrackedSubscription[] {
    const requests = toWireRequests(inputs);
    return inputs.map((input, i) => {
      const request = requests[i];
      if (request === undefined) throw new InvalidArgumentError('subscription is required', 'subscription');
      const user =
        userId ??
        this.#userId ??
        websocketUser(getCatalogueEntry(request.type, request.version), request.condition);
      if (user === undefined) {
        throw new InvalidArgumentError(
          `subscriptions[${i}]: no user for the token: pass userId`,
          `subscriptions[${i}].userId`,
        );
      }
      return new TrackedSubscription(input, request.type, request.version, request.condition, user);
    });
  }

  async #place(
    tracked: TrackedSubscription,
    signal: AbortSignal | undefined,
  ): Promise<WebSocketSubscription> {
    if (this.isClosing()) throw new TwitchError('CLIENT_CLOSED', 'the client is closed');
    let pool = this.#pools.get(tracked.userId);
    if (pool === undefined) {
      pool = new UserPool(this.#host, tracked.userId);
      this.#pools.set(tracked.userId, pool);
    }
    this.#tracked.set(tracked.handle, tracked);
    const placing = pool.place(tracked);
    try {
      await raceAbort(placing, signal);
    } catch (error) {
      this.#tracked.delete(tracked.handle);
      if (signal?.aborted === true) {
        // Given up by the caller: what the request still creates is deleted (a subscription nobody holds).
        await pool.remove(tracked).catch((removeError: unknown) => {
          this.report(toError(removeError), 'unsubscribe');
        });
      }
      if (this.isClosing()) throw new TwitchError('CLIENT_CLOSED', 'the client was closed', { cause: error });
      throw error;
    }
    return tracked.handle;
  }

  #makeHost(maxSockets: number, maxPerSocket: number, concurrency: number): PoolHost {
    // Arrow functions bound once, per client (never per message).
    return {
      helix: this.#helix,
      maxSockets,
      maxPerSocket,
      concurrency,
      signal: this.#closer.signal,
      newSession: () => new EventSubSession({ ...this.#sessionOptions, backoff: new Backoff(this.#backoff) }),
      notification: (message, socketId) => {
        this.dispatchNotification(message, socketId);
      },
      revocation: (message, socket) => {
        this.#onRevocation(message, socket);
      },
      socketReady: (socket, sessionId) => {
        this.emit('socketReady', { ...socketInfo(socket), sessionId });
      },
      socketDisconnected: (socket, info) => {
        if (info.code === 1006 && info.reason === KEEPALIVE_REASON) this.#metrics?.keepaliveTimedOut();
        this.emit('socketDisconnected', { ...socketInfo(socket), ...info });
      },
      socketReconnected: (socket, info) => {
        this.emit('socketReconnected', {
          ...socketInfo(socket),
          sessionId: info.sessionId,
          previousSessionId: info.previousSessionId,
          cause: info.cause,
        });
      },
      resubscribed: (result) => {
        this.emit('resubscribed', result);
      },
      socketClosed: (socket) => {
        this.#metrics?.retire(socket.session);
        this.emit('socketClosed', socketInfo(socket));
      },
      forget: (tracked) => {
        this.#tracked.delete(tracked.handle);
      },
      report: (error, context) => {
        this.report(error, context);
      },
    };
  }

  /** The sessions of the open sockets (metrics, at snapshot time). */
  *#openSessions(): Iterable<MeteredSocket> {
    for (const pool of this.#pools.values()) {
      for (const socket of pool.sockets) if (socket !== undefined && !socket.closed) yield socket.session;
    }
  }

  #onRevocation(message: WireRevocationMessage, socket: UserSocket): void {
    let subscription: SubscriptionModel;
    try {
      subscription = toSubscriptionModel(message.payload.subscription);
    } catch (error) {
      this.report(toError(error), 'revocation');
      return;
    }
    this.#metrics?.revoked(subscription.status);
    socket.pool.revoked(socket, subscription.id);
    this.events.emit('subscriptionRevoked', {
      shardId: socket.id,
      subscription,
      messageId: message.metadata.message_id,
    });
  }
}

function socketInfo(socket: UserSocket): SocketInfo {
  return { socketId: socket.id, userId: socket.pool.userId };
}
