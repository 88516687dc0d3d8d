/**
 * EventSub over plain WebSocket transports with user tokens: the {@link WebSocketClient}.
 *
 * @packageDocumentation
 */
export { WebSocketClient } from './websocket-client.js';
export type {
  SocketDisconnectedInfo,
  SocketInfo,
  SocketReadyInfo,
  SocketReconnectedInfo,
  SocketState,
  WebSocketClientEventMap,
  WebSocketClientLifecycleEvents,
  WebSocketMultiSubscribeOptions,
  WebSocketMultiSubscribeResult,
  WebSocketSubscribeOptions,
} from './websocket-client.js';
export { WEBSOCKET_CLIENT_DEFAULTS } from './options.js';
export type { EventSubWebSocketClientOptions, WebSocketClientSessionOptions } from './options.js';
export { WebSocketSubscription } from './subscription.js';
export type { WebSocketSubscriptionStatus } from './subscription.js';
export type { ResubscribeFailure, ResubscribeResult } from './pool.js';
export { WebSocketClientError } from './errors.js';
export type { WebSocketClientErrorCode } from './errors.js';
