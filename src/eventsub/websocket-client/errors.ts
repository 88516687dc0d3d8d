/**
 * Errors of the {@link WebSocketClient}. Each has a stable `code`; none ever carries a token.
 */
import { TwitchError, type TwitchErrorOptions } from '../../core/errors.js';

/** Codes of {@link WebSocketClientError}. */
export type WebSocketClientErrorCode =
  /**
   * `subscribe()`: the user's sockets are all full (`maxSocketsPerUser` sockets, 3 at most, of
   * `maxSubscriptionsPerSocket` subscriptions, 300 at most), so nothing was sent; or Twitch refused another socket for
   * the user (`number of websocket transports limit exceeded`: another program holds the user's connections; `cause`
   * is the `HTTPError`). `userId` names the user.
   *
   * What to do: **Fix setup:** unsubscribe something, or use a conduit (`AutoClient`) for more.
   */
  | 'WEBSOCKET_LIMIT_REACHED'
  /**
   * `subscribe()`: Twitch refused the subscription because the user's WebSocket subscriptions would cost more than
   * `max_total_cost` (10 per client id and user, every socket together: another socket does not help; a
   * subscription costs 0 when a user of its condition authorized the app). `cause` is the `HTTPError`.
   *
   * What to do: **Fix setup:** have the channel authorize the app (cost 0), or use a conduit.
   */
  | 'WEBSOCKET_COST_EXCEEDED'
  /**
   * A socket's session was lost (a close without a handover, 4007, a dropped socket, a keepalive timeout): Twitch
   * dropped its subscriptions, and one could not be created again on the new session. Emitted only; the
   * subscription is dropped (its handle's `status` is `failed`) and listed in `resubscribed.failed`. `cause` is what
   * Twitch or the network answered.
   *
   * What to do: **Retry:** `subscribe()` it again (fix the token or scopes first if `cause` is a 401 or 403).
   */
  | 'RESUBSCRIBE_FAILED';

/**
 * A subscription the {@link WebSocketClient} could not place or keep. `userId` is the user whose token and sockets
 * were concerned; `subscriptionType` the `type@version` asked for.
 *
 * @example
 * ```ts
 * try {
 *   await client.subscribe({ type: 'stream.online', version: '1', condition: { broadcasterUserId } });
 * } catch (err) {
 *   if (err instanceof WebSocketClientError && err.code === 'WEBSOCKET_LIMIT_REACHED') useAConduitInstead();
 *   else throw err;
 * }
 * ```
 */
export class WebSocketClientError extends TwitchError {
  declare readonly code: WebSocketClientErrorCode;
  readonly userId: string;
  readonly subscriptionType: string;

  constructor(
    code: WebSocketClientErrorCode,
    message: string,
    userId: string,
    subscriptionType: string,
    options?: TwitchErrorOptions,
  ) {
    super(code, message, options);
    this.userId = userId;
    this.subscriptionType = subscriptionType;
  }
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../../core/errors.js' {
  interface TwitchErrorCodes {
    websocketClient: WebSocketClientErrorCode;
  }
}
