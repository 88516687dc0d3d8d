/**
 * The dispatch from wire events to models, over the registry derived from the event definitions
 * (`definitions.ts`).
 *
 * - `EventSubEventMap` (derived in `definitions.ts`): subscription type (the event name) → model type. Types with
 *   several versions of different shapes map to a union discriminated by `version`.
 * - {@link toEventModel}: `(type, version, wireEvent)` → model, through the registry (type → version → converter). Unknown type/version → `undefined` (never throws); malformed wire event → `ProtocolError`
 *   with code `MALFORMED_EVENT`.
 * - {@link toNotification}: a whole notification payload → {@link Notification} envelope (for the generic
 *   `notification` event, which also receives types this library does not model).
 */
import { ProtocolError, TwitchError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import type { WireSubscription, WireTransport } from '../protocol/eventsub.js';
import { parseRfc3339 } from './models/common.js';
import { CATALOGUE } from './table.js';
import { EVENT_DEFINITIONS } from './definitions.js';
import type { EventSubEventMap } from './definitions.js';

export type { EventSubEventMap, EventSubModelKey } from './definitions.js';

/** A subscription type that has a model (a key of {@link EventSubEventMap}). */
export type EventSubEventName = keyof EventSubEventMap;

/** Any event model. */
export type EventSubEvent = EventSubEventMap[EventSubEventName];

/**
 * The model of one type and version, e.g. `EventSubEventOf<'channel.moderate', '2'>`.
 *
 * @example
 * ```ts
 * function onWarn(e: EventSubEventOf<'channel.moderate', '2'>): void {}
 * ```
 */
export type EventSubEventOf<K extends EventSubEventName, V extends EventSubEventMap[K]['version']> = Extract<
  EventSubEventMap[K],
  { readonly version: V }
>;

/**
 * The wire (snake_case) event of one type and version, as Twitch sends it: the `raw` of its model. For the batched
 * `drop.entitlement.grant` it is the `events` array (each `{ id, data }`).
 *
 * @example
 * ```ts
 * const wire: WireEventOf<'channel.follow', '2'> = payload.event as WireEventOf<'channel.follow', '2'>;
 * wire.user_name;
 * ```
 */
export type WireEventOf<
  K extends EventSubEventName,
  V extends EventSubEventMap[K]['version'],
> = EventSubEventOf<K, V>['raw'];

/** A converter from a wire event (already JSON-parsed) to its model. */
export type EventConverter = (wireEvent: unknown) => EventSubEvent;

/** A registry entry: the converter of one type and version, and whether its notifications are batched. */
interface Converter {
  readonly convert: EventConverter;
  readonly batched: boolean;
}

/** Types whose notification carries `events[]` instead of `event` (from the table). */
const BATCHED: ReadonlySet<string> = new Set(CATALOGUE.filter((e) => e.batched).map((e) => e.type));

/** type → version → converter: a lookup per message builds no `${type}@${version}` string. */
const REGISTRY = new Map<string, Map<string, Converter>>();
for (const definition of EVENT_DEFINITIONS) {
  let versions = REGISTRY.get(definition.type);
  if (versions === undefined) REGISTRY.set(definition.type, (versions = new Map<string, Converter>()));
  versions.set(definition.version, {
    convert: definition.convert,
    batched: BATCHED.has(definition.type),
  });
}

/**
 * The registry as a map: `${type}@${version}` → converter, one entry per event definition (every catalogue type and
 * version that has a model).
 *
 * @example
 * ```ts
 * EVENT_CONVERTERS.get('channel.follow@2')?.(wireEvent);
 * ```
 */
export const EVENT_CONVERTERS: ReadonlyMap<string, EventConverter> = new Map(
  EVENT_DEFINITIONS.map((d): [string, EventConverter] => [d.key, d.convert]),
);

/**
 * `true` when `${type}@${version}` has a model, i.e. when {@link toEventModel} converts its events (otherwise they
 * reach you unconverted, as the generic `notification` event).
 *
 * @example
 * ```ts
 * hasEventModel('channel.follow', '2'); // true
 * hasEventModel('channel.follow', '1'); // false: removed by Twitch
 * ```
 */
export function hasEventModel(type: string, version: string): boolean {
  return typeof type === 'string' && typeof version === 'string' && REGISTRY.get(type)?.has(version) === true;
}

/**
 * Converts one wire event into its camelCase model.
 *
 * - Unknown type or version: returns `undefined` (never throws), so new Twitch types still flow to the generic
 *   `notification` event.
 * - Malformed event (not an object, a field of the wrong type, a missing nested object): throws a
 *   {@link ProtocolError} with code `MALFORMED_EVENT`, the type and version in the message and the wire event in
 *   `raw`. Never a `TypeError`.
 *
 * For `drop.entitlement.grant`, pass the notification's `events` array.
 *
 * @example
 * ```ts
 * const follow = toEventModel('channel.follow', '2', payload.event);
 * if (follow) console.log(follow.followedAt.getTime());
 * ```
 */
export function toEventModel<K extends EventSubEventName, V extends EventSubEventMap[K]['version']>(
  type: K,
  version: V,
  wireEvent: unknown,
): EventSubEventOf<K, V> | undefined;
export function toEventModel<K extends EventSubEventName>(
  type: K,
  version: string,
  wireEvent: unknown,
): EventSubEventMap[K] | undefined;
export function toEventModel(type: string, version: string, wireEvent: unknown): EventSubEvent | undefined;
export function toEventModel(type: string, version: string, wireEvent: unknown): EventSubEvent | undefined {
  // Anything but a pair of strings names no model (the notification path below skips this check: its type and
  // version come from a subscription already converted).
  if (typeof type !== 'string' || typeof version !== 'string') return undefined;
  return convertEvent(type, version, wireEvent);
}

/** {@link toEventModel} for a type and version known to be strings (the per-message path). */
function convertEvent(type: string, version: string, wireEvent: unknown): EventSubEvent | undefined {
  const converter = REGISTRY.get(type)?.get(version);
  if (converter === undefined) return undefined;
  const batched = converter.batched;
  if (typeof wireEvent !== 'object' || wireEvent === null || Array.isArray(wireEvent) !== batched) {
    throw new ProtocolError(
      'MALFORMED_EVENT',
      `${type}@${version}: expected ${batched ? 'an events array' : 'an event object'}`,
      wireEvent,
    );
  }
  try {
    return converter.convert(wireEvent);
  } catch (err) {
    const detail = err instanceof TwitchError || err instanceof TypeError ? err.message : String(err);
    throw new ProtocolError('MALFORMED_EVENT', `${type}@${version}: ${detail}`, wireEvent, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Notification envelope
// ---------------------------------------------------------------------------------------------------------------

/** Transport of a subscription, camelCase. */
export type SubscriptionTransport =
  | { readonly method: 'webhook'; readonly callback: string }
  | {
      readonly method: 'websocket';
      readonly sessionId: string;
      readonly connectedAt: Date | null;
      readonly disconnectedAt: Date | null;
    }
  | { readonly method: 'conduit'; readonly conduitId: string };

/** A subscription object, camelCase. Condition keys are camelCased too (`broadcaster_user_id` → `broadcasterUserId`). */
export interface SubscriptionModel {
  readonly id: string;
  readonly type: string;
  readonly version: string;
  readonly status: string;
  readonly cost: number;
  readonly condition: Readonly<Record<string, string>>;
  readonly transport: SubscriptionTransport;
  readonly createdAt: Date;
}

/** The `payload` of a notification, as on the wire (WebSocket `payload`, or the webhook body). */
export interface WireNotificationPayload {
  subscription: WireSubscription;
  event?: unknown;
  events?: unknown[];
}

/**
 * The envelope given to the generic `notification` event: every notification, modelled or not.
 * `raw` (not an own property, like on models) is the wire payload.
 */
export interface Notification<E extends EventSubEvent = EventSubEvent> {
  /** Subscription type. */
  readonly type: string;
  /** Subscription version. */
  readonly version: string;
  readonly subscription: SubscriptionModel;
  /** `metadata.message_id` (WebSocket) or `Twitch-Eventsub-Message-Id` (webhook): the de-duplication key. */
  readonly messageId: string;
  /** `metadata.message_timestamp` or `Twitch-Eventsub-Message-Timestamp`. */
  readonly timestamp: Date;
  /** The model, or `undefined` for types/versions this library does not model. */
  readonly event: E | undefined;
  /** The wire payload (a prototype getter: not in `JSON.stringify`, `Object.keys` or `util.inspect`). */
  readonly raw: WireNotificationPayload;
}

const conditionKeyCache = new Map<string, string>();

function camelKey(key: string): string {
  let out = conditionKeyCache.get(key);
  if (out === undefined) {
    out = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    if (conditionKeyCache.size < 256) conditionKeyCache.set(key, out);
  }
  return out;
}

function malformed(message: string, raw: unknown): never {
  throw new ProtocolError('MALFORMED_EVENT', message, raw);
}

function parseDate(value: unknown, field: string, raw: unknown): Date {
  const ms = typeof value === 'string' ? parseRfc3339(value) : Number.NaN;
  return Number.isNaN(ms) ? malformed(`${field}: expected an RFC 3339 timestamp`, raw) : new Date(ms);
}

function strField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function toTransport(t: WireTransport, raw: unknown): SubscriptionTransport {
  const v = t as Partial<Record<string, unknown>>;
  switch (t.method) {
    case 'webhook':
      return { method: 'webhook', callback: strField(v.callback) };
    case 'conduit':
      return { method: 'conduit', conduitId: strField(v.conduit_id) };
    case 'websocket':
      return {
        method: 'websocket',
        sessionId: strField(v.session_id),
        connectedAt:
          typeof v.connected_at === 'string'
            ? parseDate(v.connected_at, 'transport.connected_at', raw)
            : null,
        disconnectedAt:
          typeof v.disconnected_at === 'string'
            ? parseDate(v.disconnected_at, 'transport.disconnected_at', raw)
            : null,
      };
    default:
      return malformed(`subscription.transport.method: unknown method`, raw);
  }
}

/**
 * Converts a wire subscription object (Helix responses, notifications, revocations) to its camelCase model.
 * Throws `ProtocolError` (`MALFORMED_EVENT`) when a required field is missing or of the wrong type.
 *
 * @example
 * ```ts
 * const sub = toSubscriptionModel(payload.subscription);
 * sub.condition.broadcasterUserId;
 * ```
 */
export function toSubscriptionModel(w: WireSubscription): SubscriptionModel {
  const v = w as unknown as Partial<Record<string, unknown>> | null;
  if (typeof v !== 'object' || v === null) return malformed('subscription: expected an object', w);
  if (typeof v.id !== 'string' || typeof v.type !== 'string' || typeof v.version !== 'string') {
    return malformed('subscription: id, type and version must be strings', w);
  }
  const condition: Record<string, string> = {};
  const wc = v.condition;
  if (typeof wc === 'object' && wc !== null) {
    for (const key of Object.keys(wc)) {
      const value = (wc as Record<string, unknown>)[key];
      if (typeof value === 'string') condition[camelKey(key)] = value;
    }
  }
  const transport = v.transport;
  if (typeof transport !== 'object' || transport === null)
    return malformed('subscription.transport: expected an object', w);
  return {
    id: v.id,
    type: v.type,
    version: v.version,
    status: typeof v.status === 'string' ? v.status : '',
    cost: typeof v.cost === 'number' ? v.cost : 0,
    condition,
    transport: toTransport(transport as WireTransport, w),
    createdAt: parseDate(v.created_at, 'subscription.created_at', w),
  };
}

/** A cached subscription model and the wire fields it was built from. */
interface CachedSubscription {
  readonly status: unknown;
  readonly type: unknown;
  readonly version: unknown;
  readonly cost: unknown;
  readonly createdAt: unknown;
  readonly transportMethod: unknown;
  readonly transportTarget: unknown;
  readonly model: SubscriptionModel;
}

/** The wire transport's `method` (compared per message, no string built). */
function transportMethod(t: unknown): unknown {
  return typeof t === 'object' && t !== null ? (t as Partial<Record<string, unknown>>).method : undefined;
}

/** The wire transport's conduit id, session id or callback (compared per message, no string built). */
function transportTarget(t: unknown): unknown {
  if (typeof t !== 'object' || t === null) return undefined;
  const v = t as Partial<Record<string, unknown>>;
  return v.conduit_id ?? v.session_id ?? v.callback;
}

/**
 * Converts notifications like {@link toNotification}, reusing the subscription model of earlier notifications of the
 * same subscription (same id, status, type, version, cost, creation time and transport): a connection carries few
 * subscriptions, each many times, so this saves a model and a date parse per message. The shared models are frozen.
 * The cache is bounded (`maxSubscriptions`, then it starts over).
 *
 * @example
 * ```ts
 * const convert = new NotificationConverter();
 * const n = convert.toNotification(msg.metadata.message_id, msg.metadata.message_timestamp, msg.payload);
 * ```
 */
export class NotificationConverter {
  readonly #subscriptions = new Map<string, CachedSubscription>();
  /** Bound once: no closure per message. */
  readonly #subscriptionOf = (w: WireSubscription): SubscriptionModel => this.#subscription(w);
  readonly #max: number;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `maxSubscriptions`) unless `maxSubscriptions` is a
   *   positive integer.
   */
  constructor(maxSubscriptions = 4096) {
    positiveInteger(maxSubscriptions, 'maxSubscriptions');
    this.#max = maxSubscriptions;
  }

  /** Same result as {@link toNotification}; throws `ProtocolError` (`MALFORMED_EVENT`) on a malformed payload. */
  toNotification(messageId: string, timestamp: string, payload: WireNotificationPayload): Notification {
    return buildNotification(messageId, timestamp, payload, this.#subscriptionOf);
  }

  #subscription(w: WireSubscription): SubscriptionModel {
    const v = w as unknown as Partial<Record<string, unknown>> | null;
    if (typeof v !== 'object' || v === null || typeof v.id !== 'string') return toSubscriptionModel(w);
    const cached = this.#subscriptions.get(v.id);
    if (
      cached !== undefined &&
      cached.status === v.status &&
      cached.type === v.type &&
      cached.version === v.version &&
      cached.cost === v.cost &&
      cached.createdAt === v.created_at &&
      cached.transportMethod === transportMethod(v.transport) &&
      cached.transportTarget === transportTarget(v.transport)
    ) {
      return cached.model;
    }
    const model = toSubscriptionModel(w);
    Object.freeze(model.condition);
    Object.freeze(model.transport);
    Object.freeze(model);
    if (this.#subscriptions.size >= this.#max) this.#subscriptions.clear();
    this.#subscriptions.set(v.id, {
      status: v.status,
      type: v.type,
      version: v.version,
      cost: v.cost,
      createdAt: v.created_at,
      transportMethod: transportMethod(v.transport),
      transportTarget: transportTarget(v.transport),
      model,
    });
    return model;
  }
}

/**
 * Builds the {@link Notification} envelope of one notification. The model is built with {@link toEventModel}:
 * `event` is `undefined` for unknown types/versions; a malformed event of a known type throws `ProtocolError`
 * (`MALFORMED_EVENT`).
 *
 * @param messageId - `metadata.message_id` or the `Twitch-Eventsub-Message-Id` header.
 * @param timestamp - `metadata.message_timestamp` or the `Twitch-Eventsub-Message-Timestamp` header.
 * @param payload - the notification payload (`{ subscription, event }` or `{ subscription, events }`).
 *
 * @example
 * ```ts
 * const n = toNotification(msg.metadata.message_id, msg.metadata.message_timestamp, msg.payload);
 * emitter.emit('notification', n);
 * if (n.event) emitter.emit(n.type, n.event);
 * ```
 */
export function toNotification(
  messageId: string,
  timestamp: string,
  payload: WireNotificationPayload,
): Notification {
  return buildNotification(messageId, timestamp, payload, toSubscriptionModel);
}

/** The envelope shared by {@link toNotification} and {@link NotificationConverter}. */
function buildNotification(
  messageId: string,
  timestamp: string,
  payload: WireNotificationPayload,
  subscriptionOf: (wire: WireSubscription) => SubscriptionModel,
): Notification {
  if (typeof payload !== 'object' || (payload as unknown) === null) {
    return malformed('notification payload: expected an object', payload);
  }
  const subscription = subscriptionOf(payload.subscription);
  const wireEvent = BATCHED.has(subscription.type) ? payload.events : payload.event;
  return new NotificationEnvelope(
    subscription,
    messageId,
    parseDate(timestamp, 'message timestamp', payload),
    convertEvent(subscription.type, subscription.version, wireEvent),
    payload,
  );
}

/**
 * The runtime form of a {@link Notification}: built in one allocation (fields assigned in the constructor, in a
 * fixed order), with `raw` behind a prototype getter like on models, so it stays out of `JSON.stringify`,
 * `Object.keys` and `util.inspect`.
 */
class NotificationEnvelope implements Notification {
  readonly type: string;
  readonly version: string;
  readonly subscription: SubscriptionModel;
  readonly messageId: string;
  readonly timestamp: Date;
  readonly event: EventSubEvent | undefined;
  readonly #raw: WireNotificationPayload;

  constructor(
    subscription: SubscriptionModel,
    messageId: string,
    timestamp: Date,
    event: EventSubEvent | undefined,
    raw: WireNotificationPayload,
  ) {
    // In the order of the Notification interface (the order of JSON.stringify and Object.keys).
    this.type = subscription.type;
    this.version = subscription.version;
    this.subscription = subscription;
    this.messageId = messageId;
    this.timestamp = timestamp;
    this.event = event;
    this.#raw = raw;
  }

  /** The wire payload. */
  get raw(): WireNotificationPayload {
    return this.#raw;
  }
}
