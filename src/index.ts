/**
 * twitch-realtime: realtime Twitch events at any scale.
 *
 * The root entry re-exports every public subsystem but the wire types (`Wire*`, from `twitch-realtime/catalogue`
 * only), the emulator and the CLI. Subpaths (`twitch-realtime/helix`, `/observability`, `/auth`, `/eventsub`, `/webhook`,
 * `/catalogue`, `/pubsub`, `/bot`, `/fleet`, `/emulator`) give narrower entry points. The list of every exported name is api/.
 *
 * @packageDocumentation
 */
export { TwitchError, InvalidArgumentError, TimeoutError, AbortError, ProtocolError } from './core/errors.js';
export type { CoreErrorCode, TwitchErrorCode, TwitchErrorCodes, TwitchErrorOptions } from './core/errors.js';
export * from './core/clock.js';
export * from './core/backoff.js';
export * from './core/logger.js';
export * from './core/emitter.js';
export { toPrometheusText, PROMETHEUS_CONTENT_TYPE } from './core/metrics.js';
export type { MetricType, MetricSample, MetricSnapshot, MetricsSnapshot } from './core/metrics.js';
export { DIAGNOSTICS_CHANNELS } from './core/diagnostics.js';
export type {
  ShardStateMessage,
  NotificationMessage,
  HelixRequestMessage,
  TokenRefreshedMessage,
  WebhookDeliveryMessage,
  PubSubReconnectMessage,
  BotCommandMessage,
} from './core/diagnostics.js';
// The protocol's constants and enums; its wire shapes (`Wire*`) are exported by `twitch-realtime/catalogue` only.
export {
  CLOSE_CODES,
  EVENTSUB_WS_URL,
  HELIX_URL,
  KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
  KEEPALIVE_TIMEOUT_MAX_SECONDS,
  KEEPALIVE_TIMEOUT_MIN_SECONDS,
  MAX_CONDUITS_PER_CLIENT,
  MAX_MESSAGE_AGE_MS,
  MAX_MESSAGE_ID_LENGTH,
  MAX_SHARD_COUNT,
  MAX_SUBSCRIPTIONS_PER_TYPE_AND_CONDITION,
  MESSAGE_TYPES,
  MIN_SHARD_COUNT,
  OAUTH_URL,
  RECONNECT_GRACE_SECONDS,
  SHARD_STATUSES,
  SUBSCRIPTION_STATUSES,
  TWITCH_EVENTSUB_WS_HOSTS,
  WEBHOOK_MAX_TOTAL_COST,
  WEBHOOK_MESSAGE_TYPES,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
  WEBSOCKET_MAX_CONNECTIONS_PER_USER,
  WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  WEBSOCKET_MAX_TOTAL_COST,
  closeCodeInfo,
} from './protocol/eventsub.js';
export type {
  CloseAction,
  CloseCodeInfo,
  EventSubCloseCode,
  MessageType,
  RevocationStatus,
  ShardStatus,
  SubscriptionStatus,
  WebhookMessageType,
} from './protocol/eventsub.js';
export * from './catalogue/index.js';
export * from './eventsub/websocket/index.js';
export * from './eventsub/webhook/index.js';
export * from './helix/index.js';
export * from './observability/index.js';
export * from './auth/index.js';
export * from './eventsub/conduit/index.js';
export * from './eventsub/websocket-client/index.js';
export { Client } from './eventsub/client.js';
export type { NotificationTap } from './eventsub/dispatch.js';
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
} from './eventsub/client.js';
export type { DispatchRecorder, MetricsRecorder } from './eventsub/metrics.js';
export * from './pubsub/index.js';
export * from './bot/index.js';
export * from './fleet/index.js';
