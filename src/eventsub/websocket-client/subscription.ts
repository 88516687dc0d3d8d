/**
 * The handle of one subscription of the {@link WebSocketClient}: stable across resubscriptions (Twitch's id
 * changes when the subscription is created again on a new session, the handle does not).
 */
import { fail } from '../../core/options.js';
import type { WireCondition } from '../../protocol/eventsub.js';
import type { SubscriptionInput } from '../conduit/multi-subscribe.js';

/**
 * Where a subscription is:
 * - `pending`: being created (or created again after its session was lost);
 * - `enabled`: Twitch delivers it on its socket;
 * - `revoked`: Twitch revoked it (`subscriptionRevoked` said why);
 * - `failed`: it could not be created again after its session was lost (`error` said why);
 * - `removed`: `unsubscribe()` deleted it, or the client closed.
 */
export type WebSocketSubscriptionStatus = 'pending' | 'enabled' | 'revoked' | 'failed' | 'removed';

/** The mutable state behind a {@link WebSocketSubscription} (owned by the client). */
export class TrackedSubscription {
  /** Twitch's id on the current session (`''` while pending). */
  id = '';
  status: WebSocketSubscriptionStatus = 'pending';
  cost = 0;
  /** Label of the socket that carries it. */
  socketId = '';
  /** A create request is in flight (a resubscription leaves it to that request). */
  inFlight = false;
  readonly handle: WebSocketSubscription;

  constructor(
    readonly input: SubscriptionInput,
    readonly type: string,
    readonly version: string,
    readonly condition: WireCondition,
    readonly userId: string,
  ) {
    this.handle = new WebSocketSubscription(this);
  }
}

/**
 * One subscription of a {@link WebSocketClient}, as `subscribe()` returns it; pass it to `unsubscribe()`. A
 * read-only view: the client updates it (a new `id` after a resubscription, `status`).
 *
 * @example
 * ```ts
 * const sub = await client.subscribe({ type: 'stream.online', version: '1', condition: { broadcasterUserId } });
 * console.log(sub.id, sub.socketId, sub.status); // Twitch's id, '1337#0', 'enabled'
 * await client.unsubscribe(sub);
 * ```
 */
export class WebSocketSubscription {
  readonly #state: TrackedSubscription;

  /**
   * Built by the client only.
   *
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `state`) for anything but the client's state.
   */
  constructor(state: TrackedSubscription) {
    if (!(state instanceof TrackedSubscription)) fail('state', "the WebSocketClient's own state", state);
    this.#state = state;
  }

  /** The input as given to `subscribe()`. */
  get input(): SubscriptionInput {
    return this.#state.input;
  }

  get type(): string {
    return this.#state.type;
  }

  get version(): string {
    return this.#state.version;
  }

  /** The wire (snake_case) condition sent to Twitch. */
  get condition(): WireCondition {
    return this.#state.condition;
  }

  /** The user whose token created it (and whose sockets carry it). */
  get userId(): string {
    return this.#state.userId;
  }

  /** Twitch's subscription id on the current session; it changes after a resubscription (`''` while pending). */
  get id(): string {
    return this.#state.id;
  }

  get status(): WebSocketSubscriptionStatus {
    return this.#state.status;
  }

  /** What Twitch counts against the user's `max_total_cost` (0 when a user of the condition authorized the app). */
  get cost(): number {
    return this.#state.cost;
  }

  /** The socket carrying it: `<userId>#<n>`, as in the `notification` event's second argument. */
  get socketId(): string {
    return this.#state.socketId;
  }
}
