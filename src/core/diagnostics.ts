/**
 * `node:diagnostics_channel` publication. Channels are named `twitch-realtime:<subsystem>:<event>`; a publisher
 * checks `hasSubscribers` before building its message, so nobody subscribing costs one property read. The message
 * shapes are documented in docs/observability.md and typed below.
 */
import * as diagnostics from 'node:diagnostics_channel';

/** `twitch-realtime:shard:state`: a conduit shard changed state. */
export interface ShardStateMessage {
  readonly shardId: string;
  readonly from: string;
  readonly to: string;
}

/** `twitch-realtime:eventsub:notification`: a first-seen notification was dispatched. */
export interface NotificationMessage {
  readonly type: string;
  readonly messageId: string;
  /** Seconds from Twitch's `message_timestamp` to dispatch (NaN when the timestamp does not parse). */
  readonly lagSeconds: number;
  /** The shard id (AutoClient), or what the receiver passes with each notification. */
  readonly origin: unknown;
}

/** `twitch-realtime:helix:request`: a Helix request got an answer (each attempt, retries included). */
export interface HelixRequestMessage {
  readonly method: string;
  /** The request's path, without query (`/eventsub/subscriptions`). */
  readonly path: string;
  readonly status: number;
  readonly latencySeconds: number;
  /** `Ratelimit-Remaining` of the answer (`null`: absent). */
  readonly pointsRemaining: number | null;
}

/** `twitch-realtime:auth:token-refreshed`: a token was obtained or refreshed (never the token itself). */
export interface TokenRefreshedMessage {
  /** `app` (client credentials) or `user` (refresh). */
  readonly kind: 'app' | 'user';
}

/** `twitch-realtime:webhook:delivery`: a webhook request was answered (every outcome, rejections included). */
export interface WebhookDeliveryMessage {
  /** `notification`, `revocation`, `verification`, `duplicate`, or the rejection reason (`invalid_signature`...). */
  readonly outcome: string;
  /** The HTTP status answered. */
  readonly status: number;
  /** The verified message id; `null` for a rejection (an id not vouched for by a signature is not passed on). */
  readonly messageId: string | null;
}

/** `twitch-realtime:pubsub:reconnect`: a PubSub connection started a backoff reconnect. */
export interface PubSubReconnectMessage {
  /** The pool's connection id (`pubsub-1`). */
  readonly connectionId: string;
  /** `connection_lost`, `pong_timeout`, `response_timeout` or `handover_failed`. */
  readonly reason: string;
}

/** `twitch-realtime:bot:command`: the AutoBot dispatched a command (not published for a message that is none). */
export interface BotCommandMessage {
  /** The command's qualified name (`mod ban`); `null` when no command has the name typed. */
  readonly command: string | null;
  /** `ran`, `failed`, or the rejection reason: `cooldown`, `permission`, `parse`, `not_found`. */
  readonly outcome: string;
}

/** The channels, by name (`diagnostics_channel.subscribe(name, fn)` works too). */
export const DIAGNOSTICS_CHANNELS = {
  shardState: 'twitch-realtime:shard:state',
  notification: 'twitch-realtime:eventsub:notification',
  helixRequest: 'twitch-realtime:helix:request',
  tokenRefreshed: 'twitch-realtime:auth:token-refreshed',
  webhookDelivery: 'twitch-realtime:webhook:delivery',
  pubsubReconnect: 'twitch-realtime:pubsub:reconnect',
  botCommand: 'twitch-realtime:bot:command',
} as const;

export const shardStateChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.shardState);
export const notificationChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.notification);
export const helixRequestChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.helixRequest);
export const tokenRefreshedChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.tokenRefreshed);
export const webhookDeliveryChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.webhookDelivery);
export const pubsubReconnectChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.pubsubReconnect);
export const botCommandChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.botCommand);
