/**
 * EventSub wire protocol: constants, close codes and the snake_case wire types, exactly as Twitch sends them.
 *
 * This module is shared by the client and the emulator (they share protocol constants, wire types and the
 * catalogue of subscription types, nothing else). Public camelCase models live elsewhere.
 */
import { InvalidArgumentError } from '../core/errors.js';

/** Twitch's production EventSub WebSocket URL. */
export const EVENTSUB_WS_URL = 'wss://eventsub.wss.twitch.tv/ws';
/** Twitch's production Helix base URL. */
export const HELIX_URL = 'https://api.twitch.tv/helix';
/** Twitch's production OAuth base URL. */
export const OAUTH_URL = 'https://id.twitch.tv/oauth2';

/** Lowest `keepalive_timeout_seconds` query parameter Twitch accepts (values out of range are clamped). */
export const KEEPALIVE_TIMEOUT_MIN_SECONDS = 10;
/** Highest `keepalive_timeout_seconds` query parameter Twitch accepts (values out of range are clamped). */
export const KEEPALIVE_TIMEOUT_MAX_SECONDS = 600;
/** Keepalive timeout of a session opened without `keepalive_timeout_seconds`. */
export const KEEPALIVE_TIMEOUT_DEFAULT_SECONDS = 10;
/** Seconds between `session_reconnect` and the old socket being closed with 4004. */
export const RECONNECT_GRACE_SECONDS = 30;
/** Notifications older than this are stale (replay protection), in milliseconds. */
export const MAX_MESSAGE_AGE_MS = 10 * 60 * 1000;

/**
 * Default tolerance for message timestamps ahead of our clock (ms), shared by every receiver (WebSocket sessions,
 * webhooks) and the dedupe window, which must cover the replay window plus this skew.
 */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 60_000;
/**
 * Longest `message_id` accepted, on every transport (WebSocket frames and the `Twitch-Eventsub-Message-Id`
 * header). Twitch's ids are UUIDs (36 characters); the bound keeps a peer from filling the dedupe cache with huge ids.
 */
export const MAX_MESSAGE_ID_LENGTH = 256;
/**
 * Hosts of Twitch's EventSub WebSocket that a `reconnect_url` may point at, besides the host of the base URL the
 * session was given (see `allowedReconnectHosts`).
 */
export const TWITCH_EVENTSUB_WS_HOSTS: readonly string[] = Object.freeze(['eventsub.wss.twitch.tv']);

/** Most enabled conduits per client id. */
export const MAX_CONDUITS_PER_CLIENT = 5;
/** Fewest shards a conduit can have. */
export const MIN_SHARD_COUNT = 1;
/** Most shards a conduit can have. */
export const MAX_SHARD_COUNT = 20_000;

/** Most subscriptions with the same type and condition (a fourth is refused with 429). */
export const MAX_SUBSCRIPTIONS_PER_TYPE_AND_CONDITION = 3;
/** Most WebSocket sessions with enabled subscriptions per user token (client id + user id). */
export const WEBSOCKET_MAX_CONNECTIONS_PER_USER = 3;
/** Most enabled subscriptions on one WebSocket session of the WebSocket transport. */
export const WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION = 300;
/** `max_total_cost` of the WebSocket transport, per user token (client id + user id). */
export const WEBSOCKET_MAX_TOTAL_COST = 10;
/** Default `max_total_cost` of webhook and conduit subscriptions, per client id. */
export const WEBHOOK_MAX_TOTAL_COST = 10_000;
/** Shortest webhook secret Twitch accepts (ASCII characters). */
export const WEBHOOK_SECRET_MIN_LENGTH = 10;
/** Longest webhook secret Twitch accepts (ASCII characters). */
export const WEBHOOK_SECRET_MAX_LENGTH = 100;

/** `metadata.message_type` values of the WebSocket transport. */
export const MESSAGE_TYPES = [
  'session_welcome',
  'session_keepalive',
  'notification',
  'session_reconnect',
  'revocation',
] as const;
/** One of {@link MESSAGE_TYPES}. */
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** `Twitch-Eventsub-Message-Type` values of the webhook transport. */
export const WEBHOOK_MESSAGE_TYPES = ['notification', 'webhook_callback_verification', 'revocation'] as const;
/** One of {@link WEBHOOK_MESSAGE_TYPES}. */
export type WebhookMessageType = (typeof WEBHOOK_MESSAGE_TYPES)[number];

/**
 * Every subscription status Twitch documents, plus `conduit_deleted` (since April 2025: the subscriptions of a
 * deleted conduit; twitchdev/issues#1066).
 */
export const SUBSCRIPTION_STATUSES = [
  'enabled',
  'webhook_callback_verification_pending',
  'webhook_callback_verification_failed',
  'notification_failures_exceeded',
  'authorization_revoked',
  'moderator_removed',
  'user_removed',
  'chat_user_banned',
  'version_removed',
  'beta_maintenance',
  'websocket_disconnected',
  'websocket_failed_ping_pong',
  'websocket_received_inbound_traffic',
  'websocket_connection_unused',
  'websocket_internal_error',
  'websocket_network_timeout',
  'websocket_network_error',
  'websocket_failed_to_reconnect',
  'conduit_deleted',
] as const;
/** One of {@link SUBSCRIPTION_STATUSES}. */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** The 11 conduit shard statuses. Only `enabled` shards receive events. */
export const SHARD_STATUSES = [
  'enabled',
  'webhook_callback_verification_pending',
  'webhook_callback_verification_failed',
  'notification_failures_exceeded',
  'websocket_disconnected',
  'websocket_failed_ping_pong',
  'websocket_received_inbound_traffic',
  'websocket_internal_error',
  'websocket_network_timeout',
  'websocket_network_error',
  'websocket_failed_to_reconnect',
] as const;
/** One of {@link SHARD_STATUSES}. */
export type ShardStatus = (typeof SHARD_STATUSES)[number];

/** Statuses a revocation can carry. */
export type RevocationStatus =
  | 'authorization_revoked'
  | 'moderator_removed'
  | 'user_removed'
  | 'chat_user_banned'
  | 'version_removed'
  | 'beta_maintenance'
  | 'notification_failures_exceeded';

/** Every `RevocationStatus` once (a record, so that a status added to the type without a key here fails to compile). */
const REVOCATION_STATUS_KEYS: Readonly<Record<RevocationStatus, true>> = {
  authorization_revoked: true,
  moderator_removed: true,
  user_removed: true,
  chat_user_banned: true,
  version_removed: true,
  beta_maintenance: true,
  notification_failures_exceeded: true,
};

/** The statuses a revocation can carry, as a list (`RevocationStatus`). */
export const REVOCATION_STATUSES: readonly RevocationStatus[] = Object.freeze(
  Object.keys(REVOCATION_STATUS_KEYS) as RevocationStatus[],
);

/** What a client should do after a close code. */
export type CloseAction =
  /** Transient: reconnect to the base URL with backoff and re-create the transport binding. */
  | 'reconnect'
  /** The client broke a rule (a bug): report loudly, then reconnect. */
  | 'client-bug'
  /** Reconnect to the base URL (not to any reconnect URL). */
  | 'reconnect-base';

/** One row of the close code table. */
export interface CloseCodeInfo {
  /** The WebSocket close code. */
  readonly code: number;
  /** Reason text as Twitch sends it. */
  readonly reason: string;
  /** Status given to websocket subscriptions and conduit shards of the closed session, if any. */
  readonly status: (SubscriptionStatus & ShardStatus) | null;
  /** What the client does next. */
  readonly action: CloseAction;
}

/** Close codes of the EventSub WebSocket (Twitch reference §1.6), in one table shared by client and emulator. */
export const CLOSE_CODES = {
  4000: {
    code: 4000,
    reason: 'internal server error',
    status: 'websocket_internal_error',
    action: 'reconnect',
  },
  4001: {
    code: 4001,
    reason: 'sent inbound traffic',
    status: 'websocket_received_inbound_traffic',
    action: 'client-bug',
  },
  4002: { code: 4002, reason: 'failed ping pong', status: 'websocket_failed_ping_pong', action: 'reconnect' },
  4003: { code: 4003, reason: 'connection unused', status: null, action: 'client-bug' },
  4004: {
    code: 4004,
    reason: 'reconnect grace time expired',
    status: 'websocket_failed_to_reconnect',
    action: 'reconnect',
  },
  4005: { code: 4005, reason: 'network timeout', status: 'websocket_network_timeout', action: 'reconnect' },
  4006: { code: 4006, reason: 'network error', status: 'websocket_network_error', action: 'reconnect' },
  4007: { code: 4007, reason: 'invalid reconnect', status: null, action: 'reconnect-base' },
} as const satisfies Record<number, CloseCodeInfo>;
/** A close code Twitch documents: a key of {@link CLOSE_CODES}. */
export type EventSubCloseCode = keyof typeof CLOSE_CODES;

/**
 * Looks up a close code; unknown codes (including 1000/1006) are treated as a plain disconnect. A `code` that is not
 * a number throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `code`).
 *
 * @example
 * ```ts
 * closeCodeInfo(4003); // { code: 4003, reason: 'connection unused', status: null, action: 'client-bug' }
 * closeCodeInfo(1006).action; // 'reconnect' (status 'websocket_disconnected')
 * ```
 */
export function closeCodeInfo(code: number): CloseCodeInfo {
  if (typeof code !== 'number') {
    throw new InvalidArgumentError('code must be a WebSocket close code (a number)', 'code');
  }
  const row = (CLOSE_CODES as Record<number, CloseCodeInfo | undefined>)[code];
  return row ?? { code, reason: 'disconnected', status: 'websocket_disconnected', action: 'reconnect' };
}

// ---------------------------------------------------------------------------------------------------------------
// Wire types (snake_case, as sent by Twitch)
// ---------------------------------------------------------------------------------------------------------------

/** Condition of a subscription: string values keyed by snake_case names. */
export type WireCondition = Readonly<Record<string, string>>;

/** `transport.method` of a subscription. */
export type WireTransportMethod = 'websocket' | 'webhook' | 'conduit';

/** Transport as returned by Helix and carried in notifications (never contains the webhook secret). */
export type WireTransport =
  | { method: 'webhook'; callback: string }
  | { method: 'websocket'; session_id: string; connected_at?: string; disconnected_at?: string }
  | { method: 'conduit'; conduit_id: string };

/** Transport as sent to Create EventSub Subscription. */
export type WireTransportInput =
  | { method: 'webhook'; callback: string; secret: string }
  | { method: 'websocket'; session_id: string }
  | { method: 'conduit'; conduit_id: string };

/** A subscription object (Helix responses, notification and revocation payloads). */
export interface WireSubscription {
  id: string;
  status: SubscriptionStatus;
  type: string;
  version: string;
  cost: number;
  condition: WireCondition;
  transport: WireTransport;
  created_at: string;
}

/** `metadata` of every WebSocket message. */
export interface WireMetadata {
  message_id: string;
  message_type: MessageType;
  message_timestamp: string;
  subscription_type?: string;
  subscription_version?: string;
}

/** `payload.session` of welcome and reconnect messages. */
export interface WireSession {
  id: string;
  status: 'connected' | 'reconnecting';
  connected_at: string;
  keepalive_timeout_seconds: number | null;
  reconnect_url: string | null;
  recovery_url?: string | null;
}

/** `session_welcome`: the first message of a session, with its id. */
export interface WireWelcomeMessage {
  metadata: WireMetadata & { message_type: 'session_welcome' };
  payload: { session: WireSession };
}
/** `session_keepalive`: sent when no other message went out within the keepalive timeout. */
export interface WireKeepaliveMessage {
  metadata: WireMetadata & { message_type: 'session_keepalive' };
  payload: Record<string, never>;
}
/** `session_reconnect`: connect to `payload.session.reconnect_url` before the grace time ends. */
export interface WireReconnectMessage {
  metadata: WireMetadata & { message_type: 'session_reconnect' };
  payload: { session: WireSession };
}
/** `notification`: one event of a subscription; `E` is the wire event type. */
export interface WireNotificationMessage<E = unknown> {
  metadata: WireMetadata & {
    message_type: 'notification';
    subscription_type: string;
    subscription_version: string;
  };
  /** `event` for every type but `drop.entitlement.grant`, which carries `events`. */
  payload: { subscription: WireSubscription; event?: E; events?: E[] };
}
/** `revocation`: Twitch ended a subscription; `payload.subscription.status` says why. */
export interface WireRevocationMessage {
  metadata: WireMetadata & {
    message_type: 'revocation';
    subscription_type: string;
    subscription_version: string;
  };
  payload: { subscription: WireSubscription };
}
/** Any EventSub WebSocket message, discriminated by `metadata.message_type`. */
export type WireMessage =
  | WireWelcomeMessage
  | WireKeepaliveMessage
  | WireReconnectMessage
  | WireNotificationMessage
  | WireRevocationMessage;

/** Conduit as returned by Helix. */
export interface WireConduit {
  id: string;
  shard_count: number;
}

/** Conduit shard as returned by Get Conduit Shards / Update Conduit Shards. */
export interface WireShard {
  id: string;
  status: ShardStatus;
  transport: WireTransport & { method: 'webhook' | 'websocket' };
}

/** Shard update input of Update Conduit Shards. */
export interface WireShardUpdate {
  id: string;
  transport:
    { method: 'webhook'; callback: string; secret: string } | { method: 'websocket'; session_id: string };
}

/** One per-shard failure of Update Conduit Shards. */
export interface WireShardError {
  id: string;
  message: string;
  code: string;
}

/** Twitch-shaped Helix error body. */
export interface WireHelixError {
  error: string;
  status: number;
  message: string;
}
