/**
 * The `Client`: a typed event emitter for EventSub notifications and lifecycle events, with the dispatch model every
 * transport shares. {@link AutoClient} (conduits) builds on it.
 *
 * ## Dispatch model
 *
 * - Each socket's frames are handled synchronously as they arrive: parse, deduplicate, convert to the model, then
 *   call the listeners **in order of arrival** for that socket (shard). Listeners of one event run in the order
 *   they were added.
 * - A listener may be `async`. Its promise is **not awaited**: the next frame is handled at once, so a slow
 *   handler never stalls a socket's reading, and keepalives keep flowing. If you need one-at-a-time processing or
 *   back-pressure, queue the events yourself (for example, per channel).
 * - A listener that throws, or whose promise rejects, does not stop anything: the error goes to the `error` event
 *   with the event name as context (to the logger when nobody listens to `error`).
 * - Every notification is emitted under its subscription type (`channel.follow`) with its model, then as the
 *   generic `notification` (all types, including those this version does not model, with the raw payload).
 *   Building the model is skipped when nobody listens to either.
 */
import { ProtocolError, TwitchError } from '../core/errors.js';
import { TypedEmitter } from '../core/emitter.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {
  checkOptions,
  logger as loggerCheck,
  signal as signalCheck,
  type OptionChecks,
} from '../core/options.js';
import type { Notification, WireNotificationPayload } from '../catalogue/events.js';
import type { EventSubEventMap, EventSubEventName, SubscriptionModel } from '../catalogue/events.js';
import type { ConduitShardDisabledEvent } from '../catalogue/models/platform.js';
import type { ShardStatus, WireNotificationMessage } from '../protocol/eventsub.js';
import { NotificationDispatcher, type NotificationTap } from './dispatch.js';
import type { MetricsRecorder } from './metrics.js';
import type { DisconnectInfo } from './websocket/session.js';
import type { MultiSubscribePayload } from './conduit/multi-subscribe.js';

/** Payload of `ready`: start-up is done (shards that failed are being retried in the background). */
export interface ReadyInfo {
  readonly conduitId: string;
  readonly shardCount: number;
  /** Shards this process owns. */
  readonly ownedShards: readonly string[];
  /** Owned shards connected and assigned. */
  readonly readyShards: readonly string[];
  /** Owned shards that failed (reported on `error`, retried in the background). */
  readonly failedShards: readonly string[];
  /** Whether start-up created the conduit. */
  readonly createdConduit: boolean;
  /** Result of the initial subscriptions, `null` when none were made. */
  readonly subscriptions: MultiSubscribePayload | null;
}

/** Payload of `shardReady`. */
export interface ShardReadyInfo {
  readonly shardId: string;
  /** The shard's transport. */
  readonly method: 'websocket' | 'webhook';
  /** The bound WebSocket session; `null` for a webhook shard. */
  readonly sessionId: string | null;
  /** `true` when the shard was bound again after its session was replaced (reconnect after a loss). */
  readonly rebind: boolean;
}

/** Payload of `shardDisconnected`: a shard's socket closed (the shard reconnects by itself). */
export interface ShardDisconnectedInfo extends DisconnectInfo {
  readonly shardId: string;
}

/** Payload of `shardReassigned`: the health check found an owned shard wrong on Twitch and bound it again. */
export interface ShardReassignedInfo {
  readonly shardId: string;
  /** `disabled`: Twitch reports the shard not enabled; `foreign_session`: enabled with a session that is not ours. */
  readonly reason: 'disabled' | 'foreign_session';
  /** Status Twitch reported before the fix. */
  readonly status: ShardStatus;
  /** Session Twitch reported before the fix (`null`: none). */
  readonly previousSessionId: string | null;
  /** The shard's transport. */
  readonly method: 'websocket' | 'webhook';
  /** Our session, now bound; `null` for a webhook shard (bound to its callback again). */
  readonly sessionId: string | null;
}

/** Payload of `subscriptionRevoked`. */
export interface Revocation {
  readonly shardId: string;
  /** The subscription; its `status` says why (`authorization_revoked`, `user_removed`, `version_removed`, ...). */
  readonly subscription: SubscriptionModel;
  readonly messageId: string;
}

/** Payload of `conduitScaled`. */
export interface ConduitScaledInfo {
  readonly conduitId: string;
  readonly previousShardCount: number;
  readonly shardCount: number;
  /** Shards this process opened. */
  readonly added: readonly string[];
  /** Shards this process closed (they no longer exist). */
  readonly removed: readonly string[];
  /** Shards of the conduit that this process does not own: other processes must connect them. */
  readonly leftToOthers: readonly string[];
}

/** Lifecycle events of a {@link Client}, as labelled tuples (merge your own map to extend the client). */
export interface ClientLifecycleEvents {
  /** Start-up finished. */
  ready: [info: ReadyInfo];
  /** A shard is bound to the conduit: a WebSocket shard connected and assigned, or a webhook shard verified. */
  shardReady: [info: ShardReadyInfo];
  /** A shard's socket closed; it reconnects by itself (`shardReady` with `rebind: true` follows). */
  shardDisconnected: [info: ShardDisconnectedInfo];
  /** The health check re-bound an owned shard. */
  shardReassigned: [info: ShardReassignedInfo];
  /** Twitch revoked a subscription: no more events for it. */
  subscriptionRevoked: [revocation: Revocation];
  /** Twitch says a shard of our conduit was disabled (`conduit.shard.disabled`). */
  conduitShardDisabled: [event: ConduitShardDisabledEvent];
  /** Shards of the conduit that nobody serves: events routed there are dropped after one retry. */
  unassignedShards: [shardIds: readonly string[]];
  /** `updateShardCount` changed the conduit. */
  conduitScaled: [info: ConduitScaledInfo];
  /** Every notification, modelled or not (`event` is `undefined` for types this version does not model). */
  notification: [notification: Notification, shardId: string];
  /**
   * Everything that went wrong without stopping the client: listener errors (context: the event name), shard
   * errors (`ShardError`), session errors, malformed events (`ProtocolError` `MALFORMED_EVENT`).
   */
  error: [error: Error, context?: string];
}

/** One event per EventSub subscription type: the model, then the envelope. */
export type EventSubEvents = {
  [K in EventSubEventName]: [event: EventSubEventMap[K], notification: Notification<EventSubEventMap[K]>];
};

/**
 * Every event of the client. To add a transport's events (e.g. PubSub), intersect: `ClientEventMap & PubSubEvents`
 * and use `Client<ClientEventMap & PubSubEvents>`.
 */
export type ClientEventMap = ClientLifecycleEvents & EventSubEvents;

/** Options every client takes. */
export interface ClientOptions {
  /** Lifecycle logging (never one line per message, never a secret). @defaultValue silent */
  readonly logger?: Logger;
  /** Aborting it closes the client (like `close()`). */
  readonly signal?: AbortSignal;
}

/** Checks of {@link ClientOptions} (core/options.ts); subclasses check theirs with these. */
export const CLIENT_CHECKS: OptionChecks<ClientOptions> = { logger: loggerCheck, signal: signalCheck };

/** Where a client is in its lifecycle. */
export type ClientState = 'idle' | 'starting' | 'running' | 'closing' | 'closed';

/**
 * Base of the realtime clients: a typed event emitter (see the dispatch model above), `start()`, `close()` and
 * `await using` support. Use {@link AutoClient} for EventSub over conduits.
 *
 * @example
 * ```ts
 * await using client = new AutoClient({ clientId, clientSecret, subscriptions });
 * client.on('channel.follow', (event) => console.log(`${event.user.displayName} followed`));
 * client.on('error', (error, context) => logger.warn({ error, context }));
 * await client.start();
 * ```
 */
export abstract class Client<M extends ClientEventMap & Record<keyof M, unknown[]> = ClientEventMap>
  extends TypedEmitter<M>
  implements AsyncDisposable
{
  protected readonly logger: Logger;
  /** The dispatch every receiver shares (dispatch.ts): listeners looked up, model built once, emitted. */
  readonly #dispatcher: NotificationDispatcher<string>;
  /** The client's metrics (`null`: off). */
  #metrics: MetricsRecorder | null = null;
  #state: ClientState = 'idle';
  #starting: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => {
    void this.close();
  };

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`) when `options` is not an object, `logger` not a
   *   logger or `signal` not an `AbortSignal`.
   */
  constructor(options: ClientOptions = {}) {
    checkOptions(options, CLIENT_CHECKS);
    const logger = options.logger ?? silentLogger;
    super({ logger });
    this.logger = logger;
    this.#dispatcher = new NotificationDispatcher<string>(this, (error, context) => {
      this.report(error, context);
    });
    this.#signal = options.signal;
    if (this.#signal !== undefined) {
      if (this.#signal.aborted) this.#state = 'closed';
      else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** Lifecycle state. */
  get state(): ClientState {
    return this.#state;
  }

  /**
   * Starts the client. Resolves when it is ready (the `ready` event); rejects on a fatal start-up error (no
   * conduit, bad credentials), after which the client is closed, and with `CLIENT_CLOSED` when `close()` (or the
   * signal) ends it before it is ready. Calling it again returns the same promise.
   */
  start(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') {
      return Promise.reject(new TwitchError('CLIENT_CLOSED', 'the client is closed'));
    }
    this.#starting ??= (async () => {
      this.#state = 'starting';
      try {
        await this.onStart();
      } catch (error) {
        const closedMeanwhile = this.isClosing();
        await this.close();
        if (closedMeanwhile && !(error instanceof TwitchError && error.code === 'CLIENT_CLOSED')) {
          throw closedWhileStarting(error);
        }
        throw error;
      }
      // close() during start-up: the client never became ready, so start() must not resolve as a success.
      if (this.isClosing()) throw closedWhileStarting();
      this.#state = 'running';
    })();
    return this.#starting;
  }

  /**
   * Closes every socket and timer; after it the process can exit by itself. Idempotent; also what
   * `await using` and the `signal` option do.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'closing';
      this.#signal?.removeEventListener('abort', this.#onAbort);
      try {
        await this.onClose();
      } finally {
        this.#state = 'closed';
      }
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Whether `close()` was called (or the signal aborted). */
  protected isClosing(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** Start-up of the concrete client. */
  protected abstract onStart(): Promise<void>;

  /** Shut-down of the concrete client: close sockets, clear timers. */
  protected abstract onClose(): Promise<void>;

  /** The emitter typed on the base map (subclasses' maps extend it). */
  protected get events(): TypedEmitter<ClientEventMap> {
    return this;
  }

  /** Emits `error` when someone listens, else logs: never throws. */
  protected report(error: Error, context?: string): void {
    const events = this.events;
    if (events.hasListeners('error')) events.emit('error', error, context);
    else this.logger.warn(error.message, { code: (error as { code?: unknown }).code, context });
  }

  /**
   * Dispatches one WebSocket notification frame, already deduplicated, from shard `shardId` (see the dispatch
   * model). A frame whose `metadata` names another type or version than its `payload.subscription` is reported
   * (`PROTOCOL_MALFORMED_FRAME`), not emitted: a listener would get the model of another type.
   */
  protected dispatchNotification(message: WireNotificationMessage, shardId: string): void {
    const metadata = message.metadata;
    const subscription = message.payload.subscription as { type?: unknown; version?: unknown } | undefined;
    if (
      subscription?.type !== metadata.subscription_type ||
      subscription.version !== metadata.subscription_version
    ) {
      this.report(
        new ProtocolError(
          'PROTOCOL_MALFORMED_FRAME',
          'notification: metadata.subscription_type/version do not match payload.subscription',
          message,
        ),
        'notification',
      );
      return;
    }
    this.#dispatcher.dispatch(metadata.message_id, metadata.message_timestamp, message.payload, shardId);
  }

  /**
   * Dispatches one notification as any transport delivers it, already deduplicated and checked: its message id,
   * timestamp (RFC 3339) and payload, whose `subscription` names the type (a webhook body is signed, so its
   * subscription is what Twitch sent). Nothing is reshaped: webhook and WebSocket shards share this path.
   */
  protected dispatchDelivery(
    messageId: string,
    timestamp: string,
    payload: WireNotificationPayload,
    shardId: string,
  ): void {
    this.#dispatcher.dispatch(messageId, timestamp, payload, shardId);
  }

  /** Records this client's dispatch and listener errors in `metrics` (the AutoClient's: its `metrics()`). */
  protected recordMetrics(metrics: MetricsRecorder): void {
    this.#metrics = metrics;
    this.#dispatcher.record(metrics);
  }

  protected override listenerFailed(event: string, _error: unknown): void {
    this.#metrics?.listenerFailed(event);
  }

  /**
   * Makes `tap` this client's own consumer of notifications of `type`, called after the listeners with the same
   * envelope (`null` when the event was malformed, already reported): a type the client acts on is converted once,
   * whether or not anyone listens to it.
   */
  protected tapNotifications(type: EventSubEventName, tap: NotificationTap<string>): void {
    this.#dispatcher.tap(type, tap);
  }
}

function closedWhileStarting(cause?: unknown): TwitchError {
  return new TwitchError(
    'CLIENT_CLOSED',
    'the client was closed before it was ready',
    cause === undefined ? undefined : { cause },
  );
}
