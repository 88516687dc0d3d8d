/** Models of `channel.moderate` v1 and v2: the moderator action, discriminated by `kind`. */
import type {
  WireChannelModerateV1Event,
  WireChannelModerateV2Event,
  WireModerateBan,
  WireModerateDelete,
  WireModerateTimeout,
  WireModerateUser,
} from '../wire/moderation.js';
import { defineEvent } from '../define.js';
import type { EventModel, UserRef } from './common.js';
import {
  bool,
  broadcaster,
  date,
  moderator,
  num,
  obj,
  str,
  strs,
  text,
  userN,
  userOf,
  withRaw,
} from './common.js';

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

/** Model of `channel.moderate` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelModerateV1Event
  extends EventModel<'channel.moderate', '1', WireChannelModerateV1Event>, ModerateBase {
  /** `null` for actions without details (`clear`, `emoteonly`, `slowoff`, ...) and unknown actions. */
  readonly details: ModerateDetailsV1 | null;
}
export const channelModerateV1EventDefinition = defineEvent(
  'channel.moderate',
  '1',
  toChannelModerateV1Event,
);

/** Model of `channel.moderate` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelModerateV2Event
  extends EventModel<'channel.moderate', '2', WireChannelModerateV2Event>, ModerateBase {
  /** `null` for actions without details (`clear`, `emoteonly`, `slowoff`, ...) and unknown actions. */
  readonly details: ModerateDetailsV2 | null;
}
export const channelModerateV2EventDefinition = defineEvent(
  'channel.moderate',
  '2',
  toChannelModerateV2Event,
);

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
