/** Models of `channel.chat.notification`: the notice union (subs, resubs, gifts, raids, announcements, ...). */
import type {
  WireChannelChatNotificationEvent,
  WireChatNoticeCommunitySubGift,
  WireChatNoticeRaid,
  WireChatNoticeResub,
  WireChatNoticeSub,
  WireChatNoticeSubGift,
  WireGifter,
} from '../wire/channel-chat.js';
import { defineEvent } from '../define.js';
import type { Amount, Badge, EventModel, StructuredMessage, UserRef } from './common.js';
import {
  bool,
  boolN,
  num,
  numN,
  obj,
  str,
  text,
  toAmount,
  toBadgesN,
  toMessage,
  user,
  userN,
  withRaw,
} from './common.js';
import type { SharedChatSource } from './channel-chat.js';

/** A new or renewed subscription notice. */
export interface ChatNoticeSub {
  readonly kind: 'sub' | 'shared_chat_sub';
  /** `1000`, `2000` or `3000`. */
  readonly tier: string;
  readonly isPrime: boolean;
  readonly durationMonths: number;
}
/** A resubscription notice. */
export interface ChatNoticeResub {
  readonly kind: 'resub' | 'shared_chat_resub';
  readonly tier: string;
  readonly isPrime: boolean;
  readonly isGift: boolean;
  readonly cumulativeMonths: number;
  readonly durationMonths: number;
  /** `null` when the user does not share their streak. */
  readonly streakMonths: number | null;
  readonly gifterIsAnonymous: boolean | null;
  /** `null` when not a gift or the gifter is anonymous. */
  readonly gifter: UserRef | null;
}
/** A gifted subscription notice. */
export interface ChatNoticeSubGift {
  readonly kind: 'sub_gift' | 'shared_chat_sub_gift';
  readonly tier: string;
  readonly durationMonths: number;
  /** `null` when the gifter is anonymous or does not share it. */
  readonly cumulativeTotal: number | null;
  readonly recipient: UserRef;
  readonly communityGiftId: string | null;
}
/** A community (mass) gift notice. */
export interface ChatNoticeCommunitySubGift {
  readonly kind: 'community_sub_gift' | 'shared_chat_community_sub_gift';
  readonly id: string;
  readonly total: number;
  readonly tier: string;
  readonly cumulativeTotal: number | null;
}
/** A gift-to-paid upgrade or pay-it-forward notice. */
export interface ChatNoticeGifter {
  readonly kind:
    'gift_paid_upgrade' | 'shared_chat_gift_paid_upgrade' | 'pay_it_forward' | 'shared_chat_pay_it_forward';
  readonly gifterIsAnonymous: boolean | null;
  readonly gifter: UserRef | null;
}
/** A Prime-to-paid upgrade notice. */
export interface ChatNoticePrimePaidUpgrade {
  readonly kind: 'prime_paid_upgrade' | 'shared_chat_prime_paid_upgrade';
  readonly tier: string;
}
/** An incoming raid notice. */
export interface ChatNoticeRaid {
  readonly kind: 'raid' | 'shared_chat_raid';
  readonly raider: UserRef;
  readonly viewerCount: number;
  readonly profileImageUrl: string;
}
/** A cancelled raid notice. */
export interface ChatNoticeUnraid {
  readonly kind: 'unraid';
}
/** An announcement notice. */
export interface ChatNoticeAnnouncement {
  readonly kind: 'announcement' | 'shared_chat_announcement';
  /** `PRIMARY`, `BLUE`, `GREEN`, `ORANGE` or `PURPLE`. */
  readonly color: string;
}
/** A bits badge tier notice. */
export interface ChatNoticeBitsBadgeTier {
  readonly kind: 'bits_badge_tier';
  readonly tier: number;
}
/** A charity donation notice. */
export interface ChatNoticeCharityDonation {
  readonly kind: 'charity_donation';
  readonly charityName: string;
  readonly amount: Amount;
}
/** A watch streak notice: the viewer watched this many consecutive streams. */
export interface ChatNoticeWatchStreak {
  readonly kind: 'watch_streak';
  readonly streakCount: number;
  readonly channelPointsAwarded: number;
}
/** A moderator anniversary notice. */
export interface ChatNoticeModiversary {
  readonly kind: 'modiversary' | 'shared_chat_modiversary';
  /** Months the user has been a moderator in the channel. */
  readonly months: number;
}
/** Twitch's own `unknown` notice type: a notice it does not describe (see `systemMessage`). */
export interface ChatNoticeUnknown {
  readonly kind: 'unknown';
}
/** The notice payload of `channel.chat.notification`, discriminated by `kind` (the wire `notice_type`). */
export type ChatNotice =
  | ChatNoticeSub
  | ChatNoticeResub
  | ChatNoticeSubGift
  | ChatNoticeCommunitySubGift
  | ChatNoticeGifter
  | ChatNoticePrimePaidUpgrade
  | ChatNoticeRaid
  | ChatNoticeUnraid
  | ChatNoticeAnnouncement
  | ChatNoticeBitsBadgeTier
  | ChatNoticeCharityDonation
  | ChatNoticeWatchStreak
  | ChatNoticeModiversary
  | ChatNoticeUnknown;

/** Model of `channel.chat.notification` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatNotificationEvent
  extends EventModel<'channel.chat.notification', '1', WireChannelChatNotificationEvent>, SharedChatSource {
  readonly broadcaster: UserRef;
  /** The user the notice is about; `null` when anonymous. */
  readonly chatter: UserRef | null;
  readonly chatterIsAnonymous: boolean;
  readonly color: string | null;
  readonly badges: readonly Badge[];
  readonly systemMessage: string;
  readonly messageId: string;
  /** The user's own message (often empty). */
  readonly message: StructuredMessage;
  /** The wire `notice_type`, also for types this library does not model yet. */
  readonly noticeType: string;
  /** The modelled notice payload; `null` for notice types unknown to this version of the library. */
  readonly notice: ChatNotice | null;
  /** `true` when a shared chat notice was only sent to the source channel; `null` outside shared chat. */
  readonly isSourceOnly: boolean | null;
}
export const channelChatNotificationEventDefinition = defineEvent(
  'channel.chat.notification',
  '1',
  toChannelChatNotificationEvent,
);

function gifterOf(g: WireGifter): { gifterIsAnonymous: boolean | null; gifter: UserRef | null } {
  return {
    gifterIsAnonymous: boolN(g.gifter_is_anonymous, 'gifter_is_anonymous'),
    gifter: userN(g.gifter_user_id, g.gifter_user_login, g.gifter_user_name, 'gifter_user'),
  };
}

function sub(kind: ChatNoticeSub['kind'], s: WireChatNoticeSub): ChatNoticeSub {
  return {
    kind,
    tier: str(s.sub_tier, 'sub.sub_tier'),
    isPrime: bool(s.is_prime, 'sub.is_prime'),
    durationMonths: num(s.duration_months, 'sub.duration_months'),
  };
}

function resub(kind: ChatNoticeResub['kind'], s: WireChatNoticeResub): ChatNoticeResub {
  const g = gifterOf(s);
  return {
    kind,
    tier: str(s.sub_tier ?? s.sub_plan, 'resub.sub_tier'),
    isPrime: boolN(s.is_prime, 'resub.is_prime') ?? false,
    isGift: bool(s.is_gift, 'resub.is_gift'),
    cumulativeMonths: num(s.cumulative_months, 'resub.cumulative_months'),
    durationMonths: num(s.duration_months, 'resub.duration_months'),
    streakMonths: numN(s.streak_months, 'resub.streak_months'),
    gifterIsAnonymous: g.gifterIsAnonymous,
    gifter: g.gifter,
  };
}

function subGift(kind: ChatNoticeSubGift['kind'], s: WireChatNoticeSubGift): ChatNoticeSubGift {
  return {
    kind,
    tier: str(s.sub_tier, 'sub_gift.sub_tier'),
    durationMonths: num(s.duration_months, 'sub_gift.duration_months'),
    cumulativeTotal: numN(s.cumulative_total, 'sub_gift.cumulative_total'),
    recipient: user(
      s.recipient_user_id,
      s.recipient_user_login,
      s.recipient_user_name,
      'sub_gift.recipient_user',
    ),
    communityGiftId: text(s.community_gift_id, 'sub_gift.community_gift_id'),
  };
}

function communitySubGift(
  kind: ChatNoticeCommunitySubGift['kind'],
  s: WireChatNoticeCommunitySubGift,
): ChatNoticeCommunitySubGift {
  return {
    kind,
    id: str(s.id, 'community_sub_gift.id'),
    total: num(s.total, 'community_sub_gift.total'),
    tier: str(s.sub_tier, 'community_sub_gift.sub_tier'),
    cumulativeTotal: numN(s.cumulative_total, 'community_sub_gift.cumulative_total'),
  };
}

function raid(kind: ChatNoticeRaid['kind'], r: WireChatNoticeRaid): ChatNoticeRaid {
  return {
    kind,
    raider: user(r.user_id, r.user_login, r.user_name, 'raid.user'),
    viewerCount: num(r.viewer_count, 'raid.viewer_count'),
    profileImageUrl: str(r.profile_image_url, 'raid.profile_image_url'),
  };
}

function toChatNotice(w: WireChannelChatNotificationEvent): ChatNotice | null {
  const k = w.notice_type;
  switch (k) {
    case 'sub':
      return sub(k, obj(w.sub, k));
    case 'shared_chat_sub':
      return sub(k, obj(w.shared_chat_sub, k));
    case 'resub':
      return resub(k, obj(w.resub, k));
    case 'shared_chat_resub':
      return resub(k, obj(w.shared_chat_resub, k));
    case 'sub_gift':
      return subGift(k, obj(w.sub_gift, k));
    case 'shared_chat_sub_gift':
      return subGift(k, obj(w.shared_chat_sub_gift, k));
    case 'community_sub_gift':
      return communitySubGift(k, obj(w.community_sub_gift, k));
    case 'shared_chat_community_sub_gift':
      return communitySubGift(k, obj(w.shared_chat_community_sub_gift, k));
    case 'gift_paid_upgrade':
      return { kind: k, ...gifterOf(obj(w.gift_paid_upgrade, k)) };
    case 'shared_chat_gift_paid_upgrade':
      return { kind: k, ...gifterOf(obj(w.shared_chat_gift_paid_upgrade, k)) };
    case 'pay_it_forward':
      return { kind: k, ...gifterOf(obj(w.pay_it_forward, k)) };
    case 'shared_chat_pay_it_forward':
      return { kind: k, ...gifterOf(obj(w.shared_chat_pay_it_forward, k)) };
    case 'prime_paid_upgrade':
      return { kind: k, tier: str(obj(w.prime_paid_upgrade, k).sub_tier, `${k}.sub_tier`) };
    case 'shared_chat_prime_paid_upgrade':
      return { kind: k, tier: str(obj(w.shared_chat_prime_paid_upgrade, k).sub_tier, `${k}.sub_tier`) };
    case 'raid':
      return raid(k, obj(w.raid, k));
    case 'shared_chat_raid':
      return raid(k, obj(w.shared_chat_raid, k));
    case 'unraid':
      return { kind: k };
    case 'announcement':
      return { kind: k, color: str(obj(w.announcement, k).color, `${k}.color`) };
    case 'shared_chat_announcement':
      return { kind: k, color: str(obj(w.shared_chat_announcement, k).color, `${k}.color`) };
    case 'bits_badge_tier':
      return { kind: k, tier: num(obj(w.bits_badge_tier, k).tier, `${k}.tier`) };
    case 'charity_donation': {
      const c = obj(w.charity_donation, k);
      return {
        kind: k,
        charityName: str(c.charity_name, `${k}.charity_name`),
        amount: toAmount(c.amount, `${k}.amount`),
      };
    }
    case 'watch_streak': {
      const ws = obj(w.watch_streak, k);
      return {
        kind: k,
        streakCount: num(ws.streak_count, `${k}.streak_count`),
        channelPointsAwarded: num(ws.channel_points_awarded, `${k}.channel_points_awarded`),
      };
    }
    case 'modiversary':
      return { kind: k, months: num(obj(w.modiversary, k).months, `${k}.months`) };
    case 'shared_chat_modiversary':
      return { kind: k, months: num(obj(w.shared_chat_modiversary, k).months, `${k}.months`) };
    case 'unknown':
      return { kind: k };
    default:
      str(k, 'notice_type');
      return null;
  }
}

/** Converts `channel.chat.notification` v1. */
function toChannelChatNotificationEvent(w: WireChannelChatNotificationEvent): ChannelChatNotificationEvent {
  const anonymous = bool(w.chatter_is_anonymous, 'chatter_is_anonymous');
  return withRaw(
    {
      type: 'channel.chat.notification',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      chatter: anonymous
        ? null
        : userN(w.chatter_user_id, w.chatter_user_login, w.chatter_user_name, 'chatter_user'),
      chatterIsAnonymous: anonymous,
      color: text(w.color, 'color'),
      badges: toBadgesN(w.badges, 'badges') ?? [],
      systemMessage: str(w.system_message, 'system_message'),
      messageId: str(w.message_id, 'message_id'),
      message: toMessage(w.message, 'message'),
      noticeType: str(w.notice_type, 'notice_type'),
      notice: toChatNotice(w),
      sourceBroadcaster: userN(
        w.source_broadcaster_user_id,
        w.source_broadcaster_user_login,
        w.source_broadcaster_user_name,
        'source_broadcaster_user',
      ),
      sourceMessageId: text(w.source_message_id, 'source_message_id'),
      sourceBadges: toBadgesN(w.source_badges, 'source_badges'),
      isSourceOnly: boolN(w.is_source_only, 'is_source_only'),
    },
    w,
  );
}
