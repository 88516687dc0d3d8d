/** Wire events about streams, users and the platform: stream.*, user.*, drop.entitlement.grant, conduit.shard.disabled. */
import type { WireShardStatus, WireTransportView } from './transport.js';
import type { WireBroadcaster } from './common.js';

/** `stream.online` v1. */
export interface WireStreamOnlineEvent extends WireBroadcaster {
  id: string;
  /** `live`, `playlist`, `watch_party`, `premiere` or `rerun`. */
  type: string;
  started_at: string;
}

/** `stream.offline` v1. */
export type WireStreamOfflineEvent = WireBroadcaster;

/** `user.update` v1. `email` is present only with the `user:read:email` scope. */
export interface WireUserUpdateEvent {
  user_id: string;
  user_login: string;
  user_name: string;
  email?: string | null;
  email_verified: boolean;
  description: string;
}

/** `user.whisper.message` v1. */
export interface WireUserWhisperMessageEvent {
  from_user_id: string;
  from_user_login: string;
  from_user_name: string;
  to_user_id: string;
  to_user_login: string;
  to_user_name: string;
  whisper_id: string;
  whisper: { text: string };
}

/** `user.authorization.grant` v1. */
export interface WireUserAuthorizationGrantEvent {
  client_id: string;
  user_id: string;
  user_login: string;
  user_name: string;
}

/** `user.authorization.revoke` v1. Login and name are `null` when the user was deleted. */
export interface WireUserAuthorizationRevokeEvent {
  client_id: string;
  user_id: string;
  user_login: string | null;
  user_name: string | null;
}

/** One entitlement of `drop.entitlement.grant`. */
export interface WireDropEntitlement {
  id: string;
  data: {
    organization_id: string;
    category_id: string;
    category_name: string;
    campaign_id: string;
    user_id: string;
    user_login: string;
    user_name: string;
    entitlement_id: string;
    benefit_id: string;
    created_at: string;
  };
}

/** `drop.entitlement.grant` v1: the notification carries `events` (this array) instead of `event`. */
export type WireDropEntitlementGrantEvent = WireDropEntitlement[];

/** `conduit.shard.disabled` v1. */
export interface WireConduitShardDisabledEvent {
  conduit_id: string;
  shard_id: string;
  status: WireShardStatus;
  transport: WireTransportView;
}
