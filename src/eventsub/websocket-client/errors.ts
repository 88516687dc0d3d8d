/**
 * Errors of the {@link WebSocketClient}. Each has a stable `code`; none ever carries a token.
 */
import { TwitchError, type TwitchErrorOptions } from '../../core/errors.js';

/**
 * Codes of {@link WebSocketClientError}:
 * - `WEBSOCKET_LIMIT_REACHED`: the user's sockets are all full (3 sockets × 300 enabled subscriptions), or Twitch
 *   refused another socket for the user (`number of websocket transports limit exceeded`: another program holds the
 *   user's connections). Nothing was created.
 * - `WEBSOCKET_COST_EXCEEDED`: Twitch refused the subscription because the user's WebSocket subscriptions would cost
 *   more than `max_total_cost` (10 per client id and user, all sockets together: another socket does not help).
 * - `RESUBSCRIBE_FAILED`: a subscription lost with its session could not be created again on the new one; it is
 *   dropped (its handle's `status` is `'failed'`), `cause` says why.
 */
export type WebSocketClientErrorCode =
  'WEBSOCKET_LIMIT_REACHED' | 'WEBSOCKET_COST_EXCEEDED' | 'RESUBSCRIBE_FAILED';

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
