/**
 * The one notification dispatcher of every EventSub receiver: the conduit client (through `Client`), the webhook
 * receiver and the WebSocket client compose it. Receivers deduplicate first (a `DedupeGate` over the shared
 * `DedupeStore`, websocket/dedupe.ts: the webhook receiver must know the verdict before it answers Twitch), then hand
 * each first-seen notification here as it arrived (its id, timestamp and payload: no reshaping into another
 * transport's frame).
 *
 * Per notification: look up the listeners of its subscription type, of `notification` and the receiver's own taps;
 * when nobody needs it, stop (no model is built); else build the envelope once (the subscription model is shared
 * across the notifications of a subscription, see `NotificationConverter`), emit the typed event, then
 * `notification`, then call the tap. A malformed event is reported once, never thrown.
 */
import { notificationChannel } from '../core/diagnostics.js';
import { toError } from '../core/guards.js';
import { parseTimestampMs } from '../core/timestamp.js';
import {
  NotificationConverter,
  type Notification,
  type WireNotificationPayload,
} from '../catalogue/events.js';
import type { DispatchRecorder } from './metrics.js';

/** What a dispatcher emits on: a receiver's emitter (`TypedEmitter` fits), seen untyped. */
export interface DispatchEmitter {
  hasListeners(event: string): boolean;
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * A receiver's own consumer of one subscription type (the conduit client's `conduit.shard.disabled`): called after
 * the listeners with the envelope the listeners got (`null` when the event was malformed, already reported), so a
 * type the receiver acts on is converted once.
 */
export type NotificationTap<O> = (
  notification: Notification | null,
  payload: WireNotificationPayload,
  origin: O,
) => void;

/**
 * Dispatches notifications to an emitter: `type` with `(event, notification)` when the type is modelled, then
 * `notification` with `(notification, origin)`. `O` is what the receiver passes with every notification (the
 * clients: the shard id; the webhook receiver: the verified message).
 *
 * @example
 * ```ts
 * const dispatcher = new NotificationDispatcher<string>(emitter, (error, context) => log(error, context));
 * dispatcher.dispatch(message.metadata.message_id, message.metadata.message_timestamp, message.payload, shardId);
 * ```
 */
export class NotificationDispatcher<O> {
  readonly #events: DispatchEmitter;
  readonly #report: (error: Error, context: string) => void;
  readonly #converter = new NotificationConverter();
  readonly #taps = new Map<string, NotificationTap<O>>();
  /** Where each first-seen notification is counted (`null`: metrics off). */
  #metrics: DispatchRecorder | null = null;

  /**
   * @param events - where to emit.
   * @param report - where a malformed event goes (context `notification`); must not throw.
   */
  constructor(events: DispatchEmitter, report: (error: Error, context: string) => void) {
    this.#events = events;
    this.#report = report;
  }

  /** Makes `tap` the receiver's own consumer of `type` (one per type; a second call replaces the first). */
  tap(type: string, tap: NotificationTap<O>): void {
    this.#taps.set(type, tap);
  }

  /** Records every notification dispatched from now on (`null`: stop). */
  record(metrics: DispatchRecorder | null): void {
    this.#metrics = metrics;
  }

  /**
   * Dispatches one first-seen notification. `payload.subscription` must be an object with string `type` and
   * `version` (the receivers' frame and body checks guarantee it); the event is named after it.
   */
  dispatch(messageId: string, timestamp: string, payload: WireNotificationPayload, origin: O): void {
    const events = this.#events;
    const type = payload.subscription.type;
    const metrics = this.#metrics;
    // Counted whether or not anyone listens; the diagnostics message is built only for a subscriber.
    if (metrics !== null || notificationChannel.hasSubscribers) {
      const lag = ((metrics === null ? Date.now() : metrics.now()) - parseTimestampMs(timestamp)) / 1000;
      metrics?.dispatched(type, lag);
      if (notificationChannel.hasSubscribers) {
        notificationChannel.publish({ type, messageId, lagSeconds: lag, origin });
      }
    }
    const typed = events.hasListeners(type);
    const generic = events.hasListeners('notification');
    const tap = this.#taps.size === 0 ? undefined : this.#taps.get(type);
    if (!typed && !generic && tap === undefined) return;
    let notification: Notification;
    try {
      notification = this.#converter.toNotification(messageId, timestamp, payload);
    } catch (error) {
      this.#report(toError(error), 'notification');
      tap?.(null, payload, origin);
      return;
    }
    if (typed && notification.event !== undefined) events.emit(type, notification.event, notification);
    if (generic) events.emit('notification', notification, origin);
    tap?.(notification, payload, origin);
  }
}
