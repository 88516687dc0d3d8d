/** Models of moderation events: bans, unban requests, channel.moderate v1/v2, warnings, suspicious users, shield mode. */
import type {
  WireChannelBanEvent,
  WireChannelShieldModeBeginEvent,
  WireChannelShieldModeEndEvent,
  WireChannelSuspiciousUserMessageEvent,
  WireChannelSuspiciousUserUpdateEvent,
  WireChannelUnbanEvent,
  WireChannelUnbanRequestCreateEvent,
  WireChannelUnbanRequestResolveEvent,
  WireChannelWarningAcknowledgeEvent,
  WireChannelWarningSendEvent,
} from '../wire/moderation.js';
import { defineEvent } from '../define.js';
import type { EventModel, StructuredMessage, UserRef } from './common.js';
import {
  bool,
  broadcaster,
  date,
  dateN,
  moderator,
  obj,
  str,
  strs,
  text,
  toMessage,
  userN,
  userOf,
  withRaw,
} from './common.js';

/** Model of `channel.ban` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelBanEvent extends EventModel<'channel.ban', '1', WireChannelBanEvent> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly moderator: UserRef;
  /** `null` when no reason was given. */
  readonly reason: string | null;
  readonly bannedAt: Date;
  /** `null` for permanent bans. */
  readonly endsAt: Date | null;
  readonly isPermanent: boolean;
}
export const channelBanEventDefinition = defineEvent('channel.ban', '1', toChannelBanEvent);

/** Model of `channel.unban` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelUnbanEvent extends EventModel<'channel.unban', '1', WireChannelUnbanEvent> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly moderator: UserRef;
}
export const channelUnbanEventDefinition = defineEvent('channel.unban', '1', toChannelUnbanEvent);

/** Model of `channel.unban_request.create` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelUnbanRequestCreateEvent extends EventModel<
  'channel.unban_request.create',
  '1',
  WireChannelUnbanRequestCreateEvent
> {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly text: string;
  readonly createdAt: Date;
}
export const channelUnbanRequestCreateEventDefinition = defineEvent(
  'channel.unban_request.create',
  '1',
  toChannelUnbanRequestCreateEvent,
);

/** Model of `channel.unban_request.resolve` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelUnbanRequestResolveEvent extends EventModel<
  'channel.unban_request.resolve',
  '1',
  WireChannelUnbanRequestResolveEvent
> {
  readonly id: string;
  readonly broadcaster: UserRef;
  /** `null` when the request was canceled by the user. */
  readonly moderator: UserRef | null;
  readonly user: UserRef;
  readonly resolutionText: string | null;
  /** `approved`, `canceled` or `denied`. */
  readonly status: string;
}
export const channelUnbanRequestResolveEventDefinition = defineEvent(
  'channel.unban_request.resolve',
  '1',
  toChannelUnbanRequestResolveEvent,
);

/** Model of `channel.warning.acknowledge` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelWarningAcknowledgeEvent extends EventModel<
  'channel.warning.acknowledge',
  '1',
  WireChannelWarningAcknowledgeEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
}
export const channelWarningAcknowledgeEventDefinition = defineEvent(
  'channel.warning.acknowledge',
  '1',
  toChannelWarningAcknowledgeEvent,
);

/** Model of `channel.warning.send` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelWarningSendEvent extends EventModel<
  'channel.warning.send',
  '1',
  WireChannelWarningSendEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly user: UserRef;
  readonly reason: string | null;
  readonly chatRulesCited: readonly string[];
}
export const channelWarningSendEventDefinition = defineEvent(
  'channel.warning.send',
  '1',
  toChannelWarningSendEvent,
);

/** Model of `channel.suspicious_user.message` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSuspiciousUserMessageEvent extends EventModel<
  'channel.suspicious_user.message',
  '1',
  WireChannelSuspiciousUserMessageEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  /** `none`, `active_monitoring` or `restricted`. */
  readonly lowTrustStatus: string;
  readonly sharedBanChannelIds: readonly string[];
  readonly types: readonly string[];
  /** `unknown`, `possible` or `likely`. */
  readonly banEvasionEvaluation: string;
  readonly messageId: string;
  readonly message: StructuredMessage;
}
export const channelSuspiciousUserMessageEventDefinition = defineEvent(
  'channel.suspicious_user.message',
  '1',
  toChannelSuspiciousUserMessageEvent,
);

/** Model of `channel.suspicious_user.update` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSuspiciousUserUpdateEvent extends EventModel<
  'channel.suspicious_user.update',
  '1',
  WireChannelSuspiciousUserUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly user: UserRef;
  readonly lowTrustStatus: string;
}
export const channelSuspiciousUserUpdateEventDefinition = defineEvent(
  'channel.suspicious_user.update',
  '1',
  toChannelSuspiciousUserUpdateEvent,
);

/** Model of `channel.shield_mode.begin` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelShieldModeBeginEvent extends EventModel<
  'channel.shield_mode.begin',
  '1',
  WireChannelShieldModeBeginEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly startedAt: Date;
}
export const channelShieldModeBeginEventDefinition = defineEvent(
  'channel.shield_mode.begin',
  '1',
  toChannelShieldModeBeginEvent,
);

/** Model of `channel.shield_mode.end` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelShieldModeEndEvent extends EventModel<
  'channel.shield_mode.end',
  '1',
  WireChannelShieldModeEndEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly endedAt: Date;
}
export const channelShieldModeEndEventDefinition = defineEvent(
  'channel.shield_mode.end',
  '1',
  toChannelShieldModeEndEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** Converts `channel.ban` v1. */
function toChannelBanEvent(w: WireChannelBanEvent): ChannelBanEvent {
  return withRaw(
    {
      type: 'channel.ban',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      moderator: moderator(w),
      reason: text(w.reason, 'reason'),
      bannedAt: date(w.banned_at, 'banned_at'),
      endsAt: dateN(w.ends_at, 'ends_at'),
      isPermanent: bool(w.is_permanent, 'is_permanent'),
    },
    w,
  );
}

/** Converts `channel.unban` v1. */
function toChannelUnbanEvent(w: WireChannelUnbanEvent): ChannelUnbanEvent {
  return withRaw(
    {
      type: 'channel.unban',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      moderator: moderator(w),
    },
    w,
  );
}

/** Converts `channel.unban_request.create` v1. */
function toChannelUnbanRequestCreateEvent(
  w: WireChannelUnbanRequestCreateEvent,
): ChannelUnbanRequestCreateEvent {
  return withRaw(
    {
      type: 'channel.unban_request.create',
      version: '1',
      id: str(w.id, 'id'),
      broadcaster: broadcaster(w),
      user: userOf(w),
      text: str(w.text, 'text'),
      createdAt: date(w.created_at, 'created_at'),
    },
    w,
  );
}

/** Converts `channel.unban_request.resolve` v1. */
function toChannelUnbanRequestResolveEvent(
  w: WireChannelUnbanRequestResolveEvent,
): ChannelUnbanRequestResolveEvent {
  return withRaw(
    {
      type: 'channel.unban_request.resolve',
      version: '1',
      id: str(w.id, 'id'),
      broadcaster: broadcaster(w),
      moderator: userN(w.moderator_user_id, w.moderator_user_login, w.moderator_user_name, 'moderator_user'),
      user: userOf(w),
      resolutionText: text(w.resolution_text, 'resolution_text'),
      status: str(w.status, 'status'),
    },
    w,
  );
}

/** Converts `channel.warning.acknowledge` v1. */
function toChannelWarningAcknowledgeEvent(
  w: WireChannelWarningAcknowledgeEvent,
): ChannelWarningAcknowledgeEvent {
  return withRaw(
    {
      type: 'channel.warning.acknowledge',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
    },
    w,
  );
}

/** Converts `channel.warning.send` v1. */
function toChannelWarningSendEvent(w: WireChannelWarningSendEvent): ChannelWarningSendEvent {
  return withRaw(
    {
      type: 'channel.warning.send',
      version: '1',
      broadcaster: broadcaster(w),
      moderator: moderator(w),
      user: userOf(w),
      reason: text(w.reason, 'reason'),
      chatRulesCited: strs(w.chat_rules_cited, 'chat_rules_cited'),
    },
    w,
  );
}

/** Converts `channel.suspicious_user.message` v1. */
function toChannelSuspiciousUserMessageEvent(
  w: WireChannelSuspiciousUserMessageEvent,
): ChannelSuspiciousUserMessageEvent {
  const m = obj(w.message, 'message');
  return withRaw(
    {
      type: 'channel.suspicious_user.message',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      lowTrustStatus: str(w.low_trust_status, 'low_trust_status'),
      sharedBanChannelIds: strs(w.shared_ban_channel_ids, 'shared_ban_channel_ids'),
      types: strs(w.types, 'types'),
      banEvasionEvaluation: str(w.ban_evasion_evaluation, 'ban_evasion_evaluation'),
      messageId: str(m.message_id, 'message.message_id'),
      message: toMessage(m, 'message'),
    },
    w,
  );
}

/** Converts `channel.suspicious_user.update` v1. */
function toChannelSuspiciousUserUpdateEvent(
  w: WireChannelSuspiciousUserUpdateEvent,
): ChannelSuspiciousUserUpdateEvent {
  return withRaw(
    {
      type: 'channel.suspicious_user.update',
      version: '1',
      broadcaster: broadcaster(w),
      moderator: moderator(w),
      user: userOf(w),
      lowTrustStatus: str(w.low_trust_status, 'low_trust_status'),
    },
    w,
  );
}

/** Converts `channel.shield_mode.begin` v1. */
function toChannelShieldModeBeginEvent(w: WireChannelShieldModeBeginEvent): ChannelShieldModeBeginEvent {
  return withRaw(
    {
      type: 'channel.shield_mode.begin',
      version: '1',
      broadcaster: broadcaster(w),
      moderator: moderator(w),
      startedAt: date(w.started_at, 'started_at'),
    },
    w,
  );
}

/** Converts `channel.shield_mode.end` v1. */
function toChannelShieldModeEndEvent(w: WireChannelShieldModeEndEvent): ChannelShieldModeEndEvent {
  return withRaw(
    {
      type: 'channel.shield_mode.end',
      version: '1',
      broadcaster: broadcaster(w),
      moderator: moderator(w),
      endedAt: date(w.ended_at, 'ended_at'),
    },
    w,
  );
}
