/** Wire events of moderation: bans, unban requests, channel.moderate v1/v2, warnings, suspicious users, shield mode. */
import type {
  WireBroadcaster,
  WireStructuredMessage,
  WireModerator,
  WireSharedChatSource,
  WireUser,
} from './common.js';

/** `channel.ban` v1. */
export interface WireChannelBanEvent extends WireBroadcaster, WireUser, WireModerator {
  reason: string;
  banned_at: string;
  /** `null` for permanent bans. */
  ends_at: string | null;
  is_permanent: boolean;
}

/** `channel.unban` v1. */
export interface WireChannelUnbanEvent extends WireBroadcaster, WireUser, WireModerator {}

/** `channel.unban_request.create` v1. */
export interface WireChannelUnbanRequestCreateEvent extends WireBroadcaster, WireUser {
  id: string;
  text: string;
  created_at: string;
}

/** `channel.unban_request.resolve` v1. */
export interface WireChannelUnbanRequestResolveEvent extends WireBroadcaster, WireUser {
  id: string;
  moderator_user_id: string | null;
  moderator_user_login: string | null;
  moderator_user_name: string | null;
  resolution_text: string | null;
  /** `approved`, `canceled` or `denied`. */
  status: string;
}

/**
 * The target of the `channel.moderate` actions that carry only a user (`vip`, `unvip`, `mod`, `unmod`, `unban`,
 * `untimeout`, `unraid`). Each object below is the event field of the same name.
 */
export type WireModerateUser = WireUser;
/** `followers`: followers-only mode turned on. */
export interface WireModerateFollowers {
  follow_duration_minutes: number;
}
/** `slow`: slow mode turned on. */
export interface WireModerateSlow {
  wait_time_seconds: number;
}
/** `ban` (and `shared_chat_ban`). */
export interface WireModerateBan extends WireUser {
  reason: string | null;
}
/** `timeout` (and `shared_chat_timeout`); `expires_at` is RFC 3339. */
export interface WireModerateTimeout extends WireUser {
  reason: string | null;
  expires_at: string;
}
/** `raid`: the channel being raided. */
export interface WireModerateRaid extends WireUser {
  viewer_count: number;
}
/** `delete` (and `shared_chat_delete`): a deleted message and its author. */
export interface WireModerateDelete extends WireUser {
  message_id: string;
  message_body: string;
}
/** `automod_terms`: set by the `add_blocked_term`, `add_permitted_term`, `remove_*_term` actions. */
export interface WireModerateAutomodTerms {
  /** `add` or `remove`. */
  action: string;
  /** `blocked` or `permitted`. */
  list: string;
  terms: string[];
  from_automod: boolean;
}
/** `unban_request`: set by the `approve_unban_request` and `deny_unban_request` actions. */
export interface WireModerateUnbanRequest extends WireUser {
  is_approved: boolean;
  moderator_message: string;
}
/** `warn` (v2 only). */
export interface WireModerateWarn extends WireUser {
  reason: string | null;
  chat_rules_cited: string[] | null;
}

/** `channel.moderate` v1. Exactly the object matching `action` is non-null (none for actions without details). */
export interface WireChannelModerateV1Event extends WireBroadcaster, WireModerator, WireSharedChatSource {
  action: string;
  followers: WireModerateFollowers | null;
  slow: WireModerateSlow | null;
  vip: WireModerateUser | null;
  unvip: WireModerateUser | null;
  mod: WireModerateUser | null;
  unmod: WireModerateUser | null;
  ban: WireModerateBan | null;
  unban: WireModerateUser | null;
  timeout: WireModerateTimeout | null;
  untimeout: WireModerateUser | null;
  raid: WireModerateRaid | null;
  unraid: WireModerateUser | null;
  delete: WireModerateDelete | null;
  automod_terms: WireModerateAutomodTerms | null;
  unban_request: WireModerateUnbanRequest | null;
  shared_chat_ban?: WireModerateBan | null;
  shared_chat_unban?: WireModerateUser | null;
  shared_chat_timeout?: WireModerateTimeout | null;
  shared_chat_untimeout?: WireModerateUser | null;
  shared_chat_delete?: WireModerateDelete | null;
}

/** `channel.moderate` v2: v1 plus `warn`. */
export interface WireChannelModerateV2Event extends WireChannelModerateV1Event {
  warn: WireModerateWarn | null;
}

/** `channel.warning.acknowledge` v1. */
export interface WireChannelWarningAcknowledgeEvent extends WireBroadcaster, WireUser {}

/** `channel.warning.send` v1. */
export interface WireChannelWarningSendEvent extends WireBroadcaster, WireModerator, WireUser {
  reason: string | null;
  chat_rules_cited: string[] | null;
}

/** `channel.suspicious_user.message` v1. */
export interface WireChannelSuspiciousUserMessageEvent extends WireBroadcaster, WireUser {
  /** `none`, `active_monitoring` or `restricted`. */
  low_trust_status: string;
  shared_ban_channel_ids: string[] | null;
  /** `manually_added`, `ban_evader`, `banned_in_shared_channel`. */
  types: string[];
  /** `unknown`, `possible` or `likely`. */
  ban_evasion_evaluation: string;
  message: WireStructuredMessage & { message_id: string };
}

/** `channel.suspicious_user.update` v1. */
export interface WireChannelSuspiciousUserUpdateEvent extends WireBroadcaster, WireModerator, WireUser {
  low_trust_status: string;
}

/** `channel.shield_mode.begin` v1. */
export interface WireChannelShieldModeBeginEvent extends WireBroadcaster, WireModerator {
  started_at: string;
}

/** `channel.shield_mode.end` v1. */
export interface WireChannelShieldModeEndEvent extends WireBroadcaster, WireModerator {
  ended_at: string;
}
