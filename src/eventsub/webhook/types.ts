/**
 * The shapes of the webhook receiver: what it emits, the options it takes (with their checks, core/options.ts), and
 * the input and output of `process()`.
 */
import { isRecord } from '../../core/guards.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  boolean,
  checkOptions,
  clock,
  fail,
  integerDuration,
  integerIn,
  logger,
  positiveInteger,
  string,
  type OptionChecks,
} from '../../core/options.js';
import type {
  EventSubEventMap,
  EventSubEventName,
  Notification,
  SubscriptionModel,
  WireNotificationPayload,
} from '../../catalogue/events.js';
import type { WireSubscription } from '../../protocol/eventsub.js';
import type { DedupeStore, MemoryDedupeStoreOptions } from '../websocket/dedupe.js';
import type { VerifiedWebhookMessage, WebhookHeaders, WebhookRejectionReason } from './verify.js';

/** A verified, first-seen `notification`, as received. */
export interface WebhookNotification extends VerifiedWebhookMessage {
  readonly messageType: 'notification';
  /** The parsed body: `{ subscription, event }` (or `events` for batched types). */
  readonly payload: WireNotificationPayload;
  /** Request path (`req.url`, or what was given to `process`), to route several callbacks (e.g. one per shard). */
  readonly path: string | undefined;
}

/** A verified, first-seen `revocation`. */
export interface WebhookRevocation extends VerifiedWebhookMessage {
  readonly messageType: 'revocation';
  /** The revoked subscription; `status` says why (`authorization_revoked`, `notification_failures_exceeded`...). */
  readonly subscription: SubscriptionModel;
  readonly wireSubscription: WireSubscription;
  readonly path: string | undefined;
}

/** A verified `webhook_callback_verification` challenge (already answered when this is emitted). */
export interface WebhookVerificationRequest extends VerifiedWebhookMessage {
  readonly messageType: 'webhook_callback_verification';
  readonly challenge: string;
  /** The subscription being verified (`null` for a conduit shard). */
  readonly subscription: WireSubscription | null;
  /** The conduit shard being verified (`null` for a subscription). */
  readonly conduitShard: { readonly conduitId: string; readonly shardId: string } | null;
  readonly path: string | undefined;
}

/** A refused request. Carries nothing from an unauthenticated request but the reason. */
export interface WebhookRejection {
  readonly reason: WebhookRejectionReason;
  readonly status: number;
  readonly detail: string;
  readonly path: string | undefined;
}

/** Events of the typed EventSub models: `receiver.on('channel.follow', (event, notification) => ...)`. */
export type WebhookTypedEvents = {
  [K in EventSubEventName]: [event: EventSubEventMap[K], notification: Notification<EventSubEventMap[K]>];
};

/** Events of a {@link WebhookReceiver}. */
export interface WebhookReceiverLifecycleEvents {
  /**
   * Every verified, first-seen notification, raw (no model built): the cheapest path, and what a conduit client
   * feeds to its dispatch (its id, timestamp and payload, as received).
   */
  message: [message: WebhookNotification];
  /** Every verified, first-seen notification as the typed envelope (`event` is `undefined` for unmodelled types). */
  notification: [notification: Notification, message: WebhookNotification];
  /** Twitch revoked a subscription. */
  revocation: [revocation: WebhookRevocation];
  /** Twitch verified a callback (the challenge was answered). */
  verification: [verification: WebhookVerificationRequest];
  /** A verified message whose id was seen before: answered 2XX, not dispatched. */
  duplicate: [message: VerifiedWebhookMessage];
  /**
   * A request was refused with a 4XX (bad signature, stale, malformed, too large, too slow...), or a verified one
   * with a 503 because the dedupe store refused its id (`dedupe_refused`: Twitch delivers it again later).
   */
  rejected: [rejection: WebhookRejection];
  /**
   * Listener errors (context: the event name), malformed events of known types (`ProtocolError`), and the dedupe
   * store's refusals (`DedupeError` `DEDUPE_FULL`/`DEDUPE_STORE_FAILED`, context `dedupe`, once per episode).
   */
  error: [error: Error, context?: string];
}

/** Every event of a {@link WebhookReceiver}. */
export type WebhookReceiverEvents = WebhookReceiverLifecycleEvents & WebhookTypedEvents;

/**
 * Options of {@link WebhookReceiver}. Give `secret` or `secrets` (rotation: put the new one first). Size and time
 * limits must be positive integers: anything else (`0`, `0.5`, `NaN`) throws `InvalidArgumentError` naming the option.
 */
export interface WebhookReceiverOptions {
  readonly secret?: string;
  readonly secrets?: readonly string[];
  /** Largest accepted body. @defaultValue 1048576 (1 MiB; Twitch's batched drops are at most 250 KB) */
  readonly maxBodyBytes?: number;
  /** Time allowed to receive the whole body once headers are in (slow-body protection). @defaultValue 10000 */
  readonly bodyTimeoutMs?: number;
  /** Oldest accepted message. @defaultValue MAX_MESSAGE_AGE_MS (10 minutes, Twitch's replay window) */
  readonly maxAgeMs?: number;
  /** Tolerated clock skew for timestamps in the future. @defaultValue 60000 */
  readonly maxFutureSkewMs?: number;
  /**
   * Where message ids are remembered: a {@link DedupeStore} (share one with WebSocket sessions to deduplicate
   * across transports, or one shared by several processes), or options of a new {@link MemoryDedupeStore}. Its
   * `windowMs` must cover `maxAgeMs + maxFutureSkewMs`, the time in which a redelivery is accepted (checked here:
   * `INVALID_ARGUMENT` otherwise). @defaultValue a MemoryDedupeStore with that window
   */
  readonly dedupe?: DedupeStore | MemoryDedupeStoreOptions;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * Record metrics (`metrics()`: deliveries by outcome, notifications per type, delivery lag, revocations, handler
   * errors). `false` records nothing and `metrics()` returns an empty snapshot. @defaultValue true
   */
  readonly metrics?: boolean;
}

/** A response computed by {@link WebhookReceiver.process}, for frameworks that write responses themselves. */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Input of {@link WebhookReceiver.process}. */
export interface WebhookProcessInput {
  readonly headers: WebhookHeaders;
  /** The body exactly as received (e.g. Express `express.raw({ type: 'application/json' })` gives a Buffer). */
  readonly rawBody: Uint8Array | string;
  /** Defaults to `POST`. */
  readonly method?: string;
  readonly path?: string;
}

/** A standalone listener started by {@link WebhookReceiver.listen}. */
export interface WebhookListener {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/** Options of {@link WebhookReceiver.listen}. */
export interface WebhookListenOptions {
  /** @defaultValue 0 (any free port) */
  readonly port?: number;
  /** @defaultValue '127.0.0.1' (put a TLS-terminating proxy in front: Twitch calls HTTPS on port 443 only) */
  readonly host?: string;
}

/**
 * Checks of every option of {@link WebhookReceiver} (core/options.ts): a new option without a check does not
 * compile. Secrets are checked (and never quoted) by `normalizeSecrets`; a dedupe store's window by the constructor.
 */
export const RECEIVER_CHECKS: OptionChecks<WebhookReceiverOptions> = {
  secret: () => undefined,
  secrets: () => undefined,
  maxBodyBytes: positiveInteger,
  // Durations: integers within the clock rule's 2^31-1 ms (core/duration.ts).
  bodyTimeoutMs: integerDuration(),
  maxAgeMs: integerDuration(),
  maxFutureSkewMs: integerDuration(),
  dedupe: (value, field) => {
    if (!isRecord(value)) fail(field, 'a DedupeStore or MemoryDedupeStore options', value);
  },
  clock,
  logger,
  metrics: boolean,
};

/**
 * Checks of {@link WebhookListenOptions}. A port that is not an integer once made Node listen on a UNIX socket
 * named after it (`port: 'abc'` created `./abc`); a host that is not a string bound every interface.
 */
export const LISTEN_CHECKS: OptionChecks<WebhookListenOptions> = {
  port: integerIn(0, 65_535),
  host: (value, field) => {
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,253}$/.test(value)) {
      fail(field, 'a host name or IP address (a non-empty string without spaces)', value);
    }
  },
};

/** Headers of a request: an object of header values, or a Fetch `Headers` (anything with a `get` method). */
function checkHeaders(headers: unknown, field: string): void {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    fail(field, 'an object of headers (or a Fetch Headers)', headers);
  }
}

const PROCESS_INPUT_CHECKS: OptionChecks<WebhookProcessInput> = {
  headers: (value, field) => {
    checkHeaders(value, field);
  },
  // A body that is not bytes or a string is a request fault, answered 400 `malformed_body`.
  rawBody: () => undefined,
  method: string,
  path: string,
};

/** Checks the input of `process()`/`processAsync()`: `INVALID_ARGUMENT` naming the field instead of a TypeError. */
export function checkProcessInput(input: unknown): asserts input is WebhookProcessInput {
  checkOptions(input, PROCESS_INPUT_CHECKS, 'input');
  checkHeaders(input.headers, 'headers');
}

/** `options`, checked against {@link RECEIVER_CHECKS} (before `super()`, which reads the logger). */
export function checkedReceiverOptions(options: WebhookReceiverOptions): WebhookReceiverOptions {
  checkOptions(options, RECEIVER_CHECKS);
  return options;
}
