/** Wire events about the channel itself: update, follow, ad break, raid, shoutouts, VIPs and moderators. */
import type { WireBroadcaster, WireModerator, WireUser } from './common.js';

/** `channel.update` v2. */
export interface WireChannelUpdateEvent extends WireBroadcaster {
  title: string;
  language: string;
  category_id: string;
  category_name: string;
  content_classification_labels: string[];
}

/** `channel.follow` v2. */
export interface WireChannelFollowEvent extends WireBroadcaster, WireUser {
  followed_at: string;
}

/** `channel.ad_break.begin` v1. The reference example sends `duration_seconds` and `is_automatic` as strings. */
export interface WireChannelAdBreakBeginEvent extends WireBroadcaster {
  duration_seconds: number | string;
  started_at: string;
  is_automatic: boolean | string;
  requester_user_id: string;
  requester_user_login: string;
  requester_user_name: string;
}

/** `channel.raid` v1. */
export interface WireChannelRaidEvent {
  from_broadcaster_user_id: string;
  from_broadcaster_user_login: string;
  from_broadcaster_user_name: string;
  to_broadcaster_user_id: string;
  to_broadcaster_user_login: string;
  to_broadcaster_user_name: string;
  viewers: number;
}

/** `channel.shoutout.create` v1. */
export interface WireChannelShoutoutCreateEvent extends WireBroadcaster, WireModerator {
  to_broadcaster_user_id: string;
  to_broadcaster_user_login: string;
  to_broadcaster_user_name: string;
  started_at: string;
  viewer_count: number;
  cooldown_ends_at: string;
  target_cooldown_ends_at: string;
}

/** `channel.shoutout.receive` v1. */
export interface WireChannelShoutoutReceiveEvent extends WireBroadcaster {
  from_broadcaster_user_id: string;
  from_broadcaster_user_login: string;
  from_broadcaster_user_name: string;
  viewer_count: number;
  started_at: string;
}

/** `channel.vip.add` v1. */
export interface WireChannelVipAddEvent extends WireBroadcaster, WireUser {}
/** `channel.vip.remove` v1. */
export type WireChannelVipRemoveEvent = WireChannelVipAddEvent;
/** `channel.moderator.add` v1. */
export type WireChannelModeratorAddEvent = WireChannelVipAddEvent;
/** `channel.moderator.remove` v1. */
export type WireChannelModeratorRemoveEvent = WireChannelVipAddEvent;
