/**
 * The PubSub events and the sink the pool emits them through (any typed emitter whose map includes
 * {@link PubSubEvents}, e.g. `TypedEmitter<PubSubEvents>` or the library's `Client`).
 */
import type { TwitchError } from '../core/errors.js';
import type {
  PubSubBitsBadgeMessage,
  PubSubBitsMessage,
  PubSubChannelPointsMessage,
  PubSubChannelSubscribe,
  PubSubMessage,
  PubSubModerationEvent,
  PubSubWhisper,
} from './models.js';

/** A connection of the pool, as seen by events and hooks. */
export interface PubSubConnectionInfo {
  /** Stable id within the pool, e.g. `pubsub-3`. */
  readonly id: string;
  readonly url: string;
  readonly state: 'connecting' | 'open' | 'reconnecting' | 'closed';
  /** Number of topics held. */
  readonly size: number;
}

/** A `RESPONSE` frame, as carried by `pubsub_nonce`. */
export interface PubSubNonceEvent {
  readonly nonce: string;
  /** `''` on success, else a `PubSubResponseErrorCode`. */
  readonly error: string;
  readonly connection: PubSubConnectionInfo;
}

/**
 * Every event of the PubSub pool, as a labelled-tuple map. Merge it into your own event map to receive PubSub
 * events through a wider emitter.
 *
 * @example
 * ```ts
 * const events = new TypedEmitter<PubSubEvents>();
 * const pool = new PubSubPool(events);
 * events.on('pubsub_bits', (event) => console.log(event.user?.login, event.bitsUsed));
 * ```
 */
export interface PubSubEvents {
  /** Every MESSAGE, modelled or not (emitted before the specific event). */
  pubsub_message: [message: PubSubMessage];
  pubsub_bits: [event: PubSubBitsMessage];
  pubsub_bits_badge: [event: PubSubBitsBadgeMessage];
  pubsub_channel_points: [event: PubSubChannelPointsMessage];
  pubsub_subscription: [event: PubSubChannelSubscribe];
  pubsub_moderation: [event: PubSubModerationEvent];
  pubsub_whisper: [event: PubSubWhisper];
  /**
   * Every RESPONSE error (`PubSubResponseError`), message or frame that could not be modelled (`ProtocolError`
   * with code `PUBSUB_UNEXPECTED_PAYLOAD` / `PUBSUB_UNEXPECTED_FRAME`), PONG/RESPONSE/subscribe timeout, failed
   * reconnect attempt or RECONNECT handover, RECONNECT storm, and hook failure. `raw` is
   * the data received (a frame object or text), or `null`.
   */
  pubsub_error: [error: TwitchError, raw: unknown];
  /** Every RESPONSE frame (successful or not). */
  pubsub_nonce: [response: PubSubNonceEvent];
  /** Every PONG. */
  pubsub_pong: [connection: PubSubConnectionInfo];
}

/**
 * Where the pool emits its events: anything with a compatible `emit` (a `TypedEmitter<PubSubEvents>`, a `Client`,
 * a `node:events` emitter). `hasListeners`, when present, lets the pool skip decoding nobody listens to.
 */
export interface PubSubEventSink {
  emit<K extends keyof PubSubEvents>(event: K, ...args: PubSubEvents[K]): unknown;
  hasListeners?(event: keyof PubSubEvents): boolean;
}
