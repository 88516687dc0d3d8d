/** Models of moderation events: bans, unban requests, channel.moderate v1/v2, warnings, suspicious users, shield mode. */
import type {
  WireChannelBanEvent,
  WireChannelModerateV1Event,
  WireChannelModerateV2Event,
  WireChannelShieldModeBeginEvent,
  WireChannelShieldModeEndEvent,
  WireChannelSuspiciousUserMessageEvent,
  WireChannelSuspiciousUserUpdateEvent,
  WireChannelUnbanEvent,
  WireChannelUnbanRequestCreateEvent,
  WireChannelUnbanRequestResolveEvent,
  WireChannelWarningAcknowledgeEvent,
  WireChannelWarningSendEvent,
  WireModerateBan,
  WireModerateDelete,
  WireModerateTimeout,
  WireModerateUser,
} from '../wire/moderation.js';
import { defineEvent } from '../define.js';
import type { EventModel, StructuredMessage, UserRef } from './common.js';
import {
  bool,
  broadcaster,
  date,
  dateN,
  moderator,
  num,
  obj,
  str,
  strs,
  text,
  toMessage,
  userN,
  userOf,
  withRaw,
} from './common.js';

/** A user was banned or timed out. */
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
export const ChannelBanEvent = defineEvent('channel.ban', '1', toChannelBanEvent);

/** A user was unbanned. */
export interface ChannelUnbanEvent extends EventModel<'channel.unban', '1', WireChannelUnbanEvent> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly moderator: UserRef;
}
export const ChannelUnbanEvent = defineEvent('channel.unban', '1', toChannelUnbanEvent);

/** A user asked to be unbanned. */
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
export const ChannelUnbanRequestCreateEvent = defineEvent(
  'channel.unban_request.create',
  '1',
  toChannelUnbanRequestCreateEvent,
);

/** An unban request was resolved. */
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
export const ChannelUnbanRequestResolveEvent = defineEvent(
  'channel.unban_request.resolve',
  '1',
  toChannelUnbanRequestResolveEvent,
);

/** Details of a moderation action that targets one user. */
export interface ModerateUserAction {
  readonly kind:
    | 'vip'
    | 'unvip'
    | 'mod'
    | 'unmod'
    | 'unban'
    | 'untimeout'
    | 'unraid'
    | 'shared_chat_unban'
    | 'shared_chat_untimeout';
  readonly user: UserRef;
}
/** Ban details. */
export interface ModerateBanAction {
  readonly kind: 'ban' | 'shared_chat_ban';
  readonly user: UserRef;
  readonly reason: string | null;
}
/** Timeout details. */
export interface ModerateTimeoutAction {
  readonly kind: 'timeout' | 'shared_chat_timeout';
  readonly user: UserRef;
  readonly reason: string | null;
  readonly expiresAt: Date;
}
/** Message deletion details. */
export interface ModerateDeleteAction {
  readonly kind: 'delete' | 'shared_chat_delete';
  readonly user: UserRef;
  readonly messageId: string;
  readonly messageBody: string;
}
/** Follower-only mode details. */
export interface ModerateFollowersAction {
  readonly kind: 'followers';
  readonly followDurationMinutes: number;
}
/** Slow mode details. */
export interface ModerateSlowAction {
  readonly kind: 'slow';
  readonly waitTimeSeconds: number;
}
/** Raid details. */
export interface ModerateRaidAction {
  readonly kind: 'raid';
  readonly user: UserRef;
  readonly viewerCount: number;
}
/** Blocked/permitted terms change details. */
export interface ModerateAutomodTermsAction {
  readonly kind: 'automod_terms';
  /** `add` or `remove`. */
  readonly termAction: string;
  /** `blocked` or `permitted`. */
  readonly list: string;
  readonly terms: readonly string[];
  readonly fromAutomod: boolean;
}
/** Unban request resolution details. */
export interface ModerateUnbanRequestAction {
  readonly kind: 'unban_request';
  readonly user: UserRef;
  readonly isApproved: boolean;
  readonly moderatorMessage: string | null;
}
/** Warning details (v2 only). */
export interface ModerateWarnAction {
  readonly kind: 'warn';
  readonly user: UserRef;
  readonly reason: string | null;
  readonly chatRulesCited: readonly string[];
}

/** Per-action details of `channel.moderate` v1, discriminated by `kind` (the wire key holding them). */
export type ModerateDetailsV1 =
  | ModerateUserAction
  | ModerateBanAction
  | ModerateTimeoutAction
  | ModerateDeleteAction
  | ModerateFollowersAction
  | ModerateSlowAction
  | ModerateRaidAction
  | ModerateAutomodTermsAction
  | ModerateUnbanRequestAction;
/** Per-action details of `channel.moderate` v2 (v1 plus warnings). */
export type ModerateDetailsV2 = ModerateDetailsV1 | ModerateWarnAction;

interface ModerateBase {
  readonly broadcaster: UserRef;
  /** Channel where the action happened during shared chat; `null` when it is the broadcaster's channel. */
  readonly sourceBroadcaster: UserRef | null;
  readonly moderator: UserRef;
  /**
   * The wire action: `ban`, `timeout`, `unban`, `untimeout`, `clear`, `emoteonly`, `emoteonlyoff`, `followers`,
   * `followersoff`, `uniquechat`, `uniquechatoff`, `slow`, `slowoff`, `subscribers`, `subscribersoff`, `raid`,
   * `unraid`, `delete`, `vip`, `unvip`, `mod`, `unmod`, `add_blocked_term`, `add_permitted_term`,
   * `remove_blocked_term`, `remove_permitted_term`, `approve_unban_request`, `deny_unban_request`, `warn` (v2),
   * `shared_chat_*`, or a newer one.
   */
  readonly action: string;
}

/** A moderator action (v1). */
export interface ChannelModerateV1Event
  extends EventModel<'channel.moderate', '1', WireChannelModerateV1Event>, ModerateBase {
  /** `null` for actions without details (`clear`, `emoteonly`, `slowoff`, ...) and unknown actions. */
  readonly details: ModerateDetailsV1 | null;
}
export const ChannelModerateV1Event = defineEvent('channel.moderate', '1', toChannelModerateV1Event);

/** A moderator action (v2: adds warnings). */
export interface ChannelModerateV2Event
  extends EventModel<'channel.moderate', '2', WireChannelModerateV2Event>, ModerateBase {
  /** `null` for actions without details (`clear`, `emoteonly`, `slowoff`, ...) and unknown actions. */
  readonly details: ModerateDetailsV2 | null;
}
export const ChannelModerateV2Event = defineEvent('channel.moderate', '2', toChannelModerateV2Event);

/** A user acknowledged a warning. */
export interface ChannelWarningAcknowledgeEvent extends EventModel<
  'channel.warning.acknowledge',
  '1',
  WireChannelWarningAcknowledgeEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
}
export const ChannelWarningAcknowledgeEvent = defineEvent(
  'channel.warning.acknowledge',
  '1',
  toChannelWarningAcknowledgeEvent,
);

/** A user was warned. */
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
export const ChannelWarningSendEvent = defineEvent('channel.warning.send', '1', toChannelWarningSendEvent);

/** A suspicious user sent a message. */
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
export const ChannelSuspiciousUserMessageEvent = defineEvent(
  'channel.suspicious_user.message',
  '1',
  toChannelSuspiciousUserMessageEvent,
);

/** A suspicious user's status was changed. */
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
export const ChannelSuspiciousUserUpdateEvent = defineEvent(
  'channel.suspicious_user.update',
  '1',
  toChannelSuspiciousUserUpdateEvent,
);

/** Shield mode was activated. */
export interface ChannelShieldModeBeginEvent extends EventModel<
  'channel.shield_mode.begin',
  '1',
  WireChannelShieldModeBeginEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly startedAt: Date;
}
export const ChannelShieldModeBeginEvent = defineEvent(
  'channel.shield_mode.begin',
  '1',
  toChannelShieldModeBeginEvent,
);

/** Shield mode was deactivated. */
export interface ChannelShieldModeEndEvent extends EventModel<
  'channel.shield_mode.end',
  '1',
  WireChannelShieldModeEndEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly endedAt: Date;
}
export const ChannelShieldModeEndEvent = defineEvent(
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

function target<K extends ModerateUserAction['kind']>(kind: K, v: WireModerateUser | null | undefined) {
  return { kind, user: userOf(obj(v, kind)) };
}

function ban(kind: ModerateBanAction['kind'], v: WireModerateBan | null | undefined): ModerateBanAction {
  const b = obj(v, kind);
  return { kind, user: userOf(b), reason: text(b.reason, `${kind}.reason`) };
}

function timeout(
  kind: ModerateTimeoutAction['kind'],
  v: WireModerateTimeout | null | undefined,
): ModerateTimeoutAction {
  const t = obj(v, kind);
  return {
    kind,
    user: userOf(t),
    reason: text(t.reason, `${kind}.reason`),
    expiresAt: date(t.expires_at, `${kind}.expires_at`),
  };
}

function del(
  kind: ModerateDeleteAction['kind'],
  v: WireModerateDelete | null | undefined,
): ModerateDeleteAction {
  const d = obj(v, kind);
  return {
    kind,
    user: userOf(d),
    messageId: str(d.message_id, `${kind}.message_id`),
    messageBody: str(d.message_body, `${kind}.message_body`),
  };
}

function moderateDetails(w: WireChannelModerateV1Event): ModerateDetailsV1 | null {
  switch (w.action) {
    case 'ban':
      return ban('ban', w.ban);
    case 'shared_chat_ban':
      return ban('shared_chat_ban', w.shared_chat_ban);
    case 'timeout':
      return timeout('timeout', w.timeout);
    case 'shared_chat_timeout':
      return timeout('shared_chat_timeout', w.shared_chat_timeout);
    case 'delete':
      return del('delete', w.delete);
    case 'shared_chat_delete':
      return del('shared_chat_delete', w.shared_chat_delete);
    case 'unban':
      return target('unban', w.unban);
    case 'untimeout':
      return target('untimeout', w.untimeout);
    case 'shared_chat_unban':
      return target('shared_chat_unban', w.shared_chat_unban);
    case 'shared_chat_untimeout':
      return target('shared_chat_untimeout', w.shared_chat_untimeout);
    case 'vip':
      return target('vip', w.vip);
    case 'unvip':
      return target('unvip', w.unvip);
    case 'mod':
      return target('mod', w.mod);
    case 'unmod':
      return target('unmod', w.unmod);
    case 'unraid':
      return target('unraid', w.unraid);
    case 'raid': {
      const r = obj(w.raid, 'raid');
      return { kind: 'raid', user: userOf(r), viewerCount: num(r.viewer_count, 'raid.viewer_count') };
    }
    case 'followers':
      return {
        kind: 'followers',
        followDurationMinutes: num(
          obj(w.followers, 'followers').follow_duration_minutes,
          'followers.follow_duration_minutes',
        ),
      };
    case 'slow':
      return {
        kind: 'slow',
        waitTimeSeconds: num(obj(w.slow, 'slow').wait_time_seconds, 'slow.wait_time_seconds'),
      };
    case 'add_blocked_term':
    case 'add_permitted_term':
    case 'remove_blocked_term':
    case 'remove_permitted_term': {
      const t = obj(w.automod_terms, 'automod_terms');
      return {
        kind: 'automod_terms',
        termAction: str(t.action, 'automod_terms.action'),
        list: str(t.list, 'automod_terms.list'),
        terms: strs(t.terms, 'automod_terms.terms'),
        fromAutomod: bool(t.from_automod, 'automod_terms.from_automod'),
      };
    }
    case 'approve_unban_request':
    case 'deny_unban_request': {
      const u = obj(w.unban_request, 'unban_request');
      return {
        kind: 'unban_request',
        user: userOf(u),
        isApproved: bool(u.is_approved, 'unban_request.is_approved'),
        moderatorMessage: text(u.moderator_message, 'unban_request.moderator_message'),
      };
    }
    default:
      return null;
  }
}

function moderateBase(w: WireChannelModerateV1Event): ModerateBase {
  return {
    broadcaster: broadcaster(w),
    sourceBroadcaster: userN(
      w.source_broadcaster_user_id,
      w.source_broadcaster_user_login,
      w.source_broadcaster_user_name,
      'source_broadcaster_user',
    ),
    moderator: moderator(w),
    action: str(w.action, 'action'),
  };
}

/** Converts `channel.moderate` v1. */
function toChannelModerateV1Event(w: WireChannelModerateV1Event): ChannelModerateV1Event {
  return withRaw(
    {
      type: 'channel.moderate',
      version: '1',
      ...moderateBase(w),
      details: moderateDetails(w),
    },
    w,
  );
}

/** Converts `channel.moderate` v2. */
function toChannelModerateV2Event(w: WireChannelModerateV2Event): ChannelModerateV2Event {
  let details: ModerateDetailsV2 | null;
  if (w.action === 'warn') {
    const x = obj(w.warn, 'warn');
    details = {
      kind: 'warn',
      user: userOf(x),
      reason: text(x.reason, 'warn.reason'),
      chatRulesCited: strs(x.chat_rules_cited, 'warn.chat_rules_cited'),
    };
  } else {
    details = moderateDetails(w);
  }
  return withRaw({ type: 'channel.moderate', version: '2', ...moderateBase(w), details }, w);
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
