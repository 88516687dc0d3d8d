/** Wire events of the chat family: `channel.chat.*`, `channel.chat_settings.update`, `channel.shared_chat.*`. */
import type {
  WireAmount,
  WireBadge,
  WireBroadcaster,
  WireBroadcasterRef,
  WireStructuredMessage,
  WireSharedChatSource,
  WireUser,
} from './common.js';

/** `channel.chat.clear` v1. */
export type WireChannelChatClearEvent = WireBroadcaster;

/** `channel.chat.clear_user_messages` v1. */
export interface WireChannelChatClearUserMessagesEvent extends WireBroadcaster {
  target_user_id: string;
  target_user_login: string;
  target_user_name: string;
}

/** `reply` of a chat message. */
export interface WireChatReply {
  parent_message_id: string;
  parent_message_body: string;
  parent_user_id: string;
  parent_user_login: string;
  parent_user_name: string;
  thread_message_id: string;
  thread_user_id: string;
  thread_user_login: string;
  thread_user_name: string;
}

/** `channel.chat.message` v1. */
export interface WireChannelChatMessageEvent extends WireBroadcaster, WireSharedChatSource {
  chatter_user_id: string;
  chatter_user_login: string;
  chatter_user_name: string;
  message_id: string;
  message: WireStructuredMessage;
  /** `text`, `channel_points_highlighted`, `channel_points_sub_only`, `user_intro`, `power_ups_*`. */
  message_type: string;
  badges: WireBadge[];
  /** `""` when the chatter never set a color. */
  color: string;
  cheer: { bits: number } | null;
  reply: WireChatReply | null;
  channel_points_custom_reward_id: string | null;
  /** Animation of an "animated message" power-up; absent in older payloads. */
  channel_points_animation_id?: string | null;
  source_message_id?: string | null;
  source_badges?: WireBadge[] | null;
  is_source_only?: boolean | null;
}

/** `channel.chat.message_delete` v1. */
export interface WireChannelChatMessageDeleteEvent extends WireChannelChatClearUserMessagesEvent {
  message_id: string;
}

/** Gifter fields shared by several notice payloads. */
export interface WireGifter {
  gifter_is_anonymous: boolean | null;
  gifter_user_id: string | null;
  gifter_user_login: string | null;
  gifter_user_name: string | null;
}

/**
 * `sub` (and `shared_chat_sub`) of `channel.chat.notification`. Each notice object below is named after its
 * `notice_type`; the `shared_chat_*` variants reuse these shapes.
 */
export interface WireChatNoticeSub {
  sub_tier: string;
  is_prime: boolean;
  duration_months: number;
}
/** `resub`: a resubscription, possibly of a gifted sub. */
export interface WireChatNoticeResub extends WireGifter {
  cumulative_months: number;
  duration_months: number;
  streak_months: number | null;
  sub_tier?: string;
  /** The reference example spells `sub_tier` as `sub_plan`; both are read. */
  sub_plan?: string;
  is_prime?: boolean;
  is_gift: boolean;
}
/** `sub_gift`: one gifted sub. */
export interface WireChatNoticeSubGift {
  duration_months: number;
  cumulative_total: number | null;
  recipient_user_id: string;
  recipient_user_login: string;
  recipient_user_name: string;
  sub_tier: string;
  community_gift_id: string | null;
}
/** `community_sub_gift`: a batch of subs gifted to the community. */
export interface WireChatNoticeCommunitySubGift {
  id: string;
  total: number;
  sub_tier: string;
  cumulative_total: number | null;
}
/** `gift_paid_upgrade`: a gifted sub continued as a paid one. */
export type WireChatNoticeGiftPaidUpgrade = WireGifter;
/** `prime_paid_upgrade`: a Prime sub continued as a paid one. */
export interface WireChatNoticePrimePaidUpgrade {
  sub_tier: string;
}
/** `raid`: the raiding broadcaster and their viewers. */
export interface WireChatNoticeRaid extends WireUser {
  viewer_count: number;
  profile_image_url: string;
}
/**
 * `pay_it_forward`: a gift recipient gifted in turn; the original gifter. Captured payloads also carry the new gift's
 * recipient (`null` when paid forward to the community), which the reference does not list.
 */
export interface WireChatNoticePayItForward extends WireGifter {
  recipient_user_id?: string | null;
  recipient_user_login?: string | null;
  recipient_user_name?: string | null;
}
/** `announcement`: the colour of the announcement. */
export interface WireChatNoticeAnnouncement {
  color: string;
}
/** `bits_badge_tier`: a new Bits badge tier was earned. */
export interface WireChatNoticeBitsBadgeTier {
  tier: number;
}
/** `charity_donation`: a donation to the charity campaign. */
export interface WireChatNoticeCharityDonation {
  charity_name: string;
  amount: WireAmount;
}
/** `watch_streak`: a viewer shared a watch streak (consecutive streams watched). */
export interface WireChatNoticeWatchStreak {
  streak_count: number;
  channel_points_awarded: number;
}
/** `modiversary` (and `shared_chat_modiversary`): a moderator's anniversary in the channel. */
export interface WireChatNoticeModiversary {
  months: number;
}

/**
 * `channel.chat.notification` v1. Exactly the object named by `notice_type` is non-null (none for `unknown`). The
 * objects added by Twitch later (`watch_streak`, `modiversary`, `shared_chat_modiversary`) and `is_source_only` are
 * absent in older payloads.
 */
export interface WireChannelChatNotificationEvent extends WireBroadcaster, WireSharedChatSource {
  chatter_user_id: string;
  chatter_user_login: string;
  chatter_user_name: string;
  chatter_is_anonymous: boolean;
  color: string;
  badges: WireBadge[];
  system_message: string;
  message_id: string;
  message: WireStructuredMessage;
  notice_type: string;
  sub: WireChatNoticeSub | null;
  resub: WireChatNoticeResub | null;
  sub_gift: WireChatNoticeSubGift | null;
  community_sub_gift: WireChatNoticeCommunitySubGift | null;
  gift_paid_upgrade: WireChatNoticeGiftPaidUpgrade | null;
  prime_paid_upgrade: WireChatNoticePrimePaidUpgrade | null;
  pay_it_forward: WireChatNoticePayItForward | null;
  raid: WireChatNoticeRaid | null;
  unraid: Record<string, never> | null;
  announcement: WireChatNoticeAnnouncement | null;
  bits_badge_tier: WireChatNoticeBitsBadgeTier | null;
  charity_donation: WireChatNoticeCharityDonation | null;
  watch_streak?: WireChatNoticeWatchStreak | null;
  modiversary?: WireChatNoticeModiversary | null;
  shared_chat_sub?: WireChatNoticeSub | null;
  shared_chat_resub?: WireChatNoticeResub | null;
  shared_chat_sub_gift?: WireChatNoticeSubGift | null;
  shared_chat_community_sub_gift?: WireChatNoticeCommunitySubGift | null;
  shared_chat_gift_paid_upgrade?: WireChatNoticeGiftPaidUpgrade | null;
  shared_chat_prime_paid_upgrade?: WireChatNoticePrimePaidUpgrade | null;
  shared_chat_pay_it_forward?: WireChatNoticePayItForward | null;
  shared_chat_raid?: WireChatNoticeRaid | null;
  shared_chat_announcement?: WireChatNoticeAnnouncement | null;
  shared_chat_modiversary?: WireChatNoticeModiversary | null;
  source_message_id?: string | null;
  source_badges?: WireBadge[] | null;
  /** Whether a shared chat notice was only sent to the source channel; `null` outside shared chat. */
  is_source_only?: boolean | null;
}

/** `channel.chat.user_message_hold` v1. */
export interface WireChannelChatUserMessageHoldEvent extends WireBroadcaster, WireUser {
  message_id: string;
  message: WireStructuredMessage;
}

/** `channel.chat.user_message_update` v1. */
export interface WireChannelChatUserMessageUpdateEvent extends WireChannelChatUserMessageHoldEvent {
  /** `approved`, `denied` or `invalid`. */
  status: string;
}

/** `channel.chat_settings.update` v1. */
export interface WireChannelChatSettingsUpdateEvent extends WireBroadcaster {
  emote_mode: boolean;
  follower_mode: boolean;
  follower_mode_duration_minutes: number | null;
  slow_mode: boolean;
  slow_mode_wait_time_seconds: number | null;
  subscriber_mode: boolean;
  unique_chat_mode: boolean;
}

/** `channel.shared_chat.end` v1. */
export interface WireChannelSharedChatEndEvent extends WireBroadcaster {
  session_id: string;
  host_broadcaster_user_id: string;
  host_broadcaster_user_login: string;
  host_broadcaster_user_name: string;
}

/** `channel.shared_chat.begin` v1. */
export interface WireChannelSharedChatBeginEvent extends WireChannelSharedChatEndEvent {
  participants: WireBroadcasterRef[];
}

/** `channel.shared_chat.update` v1. */
export type WireChannelSharedChatUpdateEvent = WireChannelSharedChatBeginEvent;
