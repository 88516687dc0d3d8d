/**
 * `twitch-realtime/eventsub`: EventSub over conduits (the {@link AutoClient}) or plain WebSockets (the
 * {@link WebSocketClient}), the WebSocket session under them, the
 * webhook verifier and receiver, and the subscription catalogue with its event models.
 *
 * @packageDocumentation
 */
export * from './conduit/index.js';
export * from './websocket/index.js';
export * from '../catalogue/index.js';
export * from './webhook/index.js';
export * from './websocket-client/index.js';
export { Client } from './client.js';
export type { NotificationTap } from './dispatch.js';
export type {
  ClientEventMap,
  ClientLifecycleEvents,
  ClientOptions,
  ClientState,
  ConduitScaledInfo,
  EventSubEvents,
  ReadyInfo,
  Revocation,
  ShardDisconnectedInfo,
  ShardReadyInfo,
  ShardReassignedInfo,
} from './client.js';
export type { DispatchRecorder, MetricsRecorder } from './metrics.js';
