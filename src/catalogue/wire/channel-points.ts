/** Wire events of Channel Points: custom rewards, redemptions and automatic rewards. */
import type { WireBroadcaster, WireStructuredMessage, WireTextWithEmotes, WireUser } from './common.js';

/** Image URLs of a custom reward. */
export interface WireRewardImage {
  url_1x: string;
  url_2x: string;
  url_4x: string;
}

/** `channel.channel_points_custom_reward.add` v1 (also `.update` and `.remove`). */
export interface WireChannelPointsCustomRewardAddEvent extends WireBroadcaster {
  id: string;
  is_enabled: boolean;
  is_paused: boolean;
  is_in_stock: boolean;
  title: string;
  cost: number;
  prompt: string;
  is_user_input_required: boolean;
  should_redemptions_skip_request_queue: boolean;
  cooldown_expires_at: string | null;
  redemptions_redeemed_current_stream: number | null;
  max_per_stream: { is_enabled: boolean; value: number };
  max_per_user_per_stream: { is_enabled: boolean; value: number };
  global_cooldown: { is_enabled: boolean; seconds: number };
  background_color: string;
  /** `null` when the broadcaster did not upload an image. */
  image: WireRewardImage | null;
  default_image: WireRewardImage;
}
/** `channel.channel_points_custom_reward.update` v1. */
export type WireChannelPointsCustomRewardUpdateEvent = WireChannelPointsCustomRewardAddEvent;
/** `channel.channel_points_custom_reward.remove` v1. */
export type WireChannelPointsCustomRewardRemoveEvent = WireChannelPointsCustomRewardAddEvent;

/** `channel.channel_points_custom_reward_redemption.add` v1 (also `.update`). */
export interface WireChannelPointsCustomRewardRedemptionAddEvent extends WireBroadcaster, WireUser {
  id: string;
  /** `""` when the reward takes no input. */
  user_input: string;
  /** `unknown`, `unfulfilled`, `fulfilled` or `canceled`. */
  status: string;
  reward: { id: string; title: string; cost: number; prompt: string };
  redeemed_at: string;
}
/** `channel.channel_points_custom_reward_redemption.update` v1. */
export type WireChannelPointsCustomRewardRedemptionUpdateEvent =
  WireChannelPointsCustomRewardRedemptionAddEvent;

/** `channel.channel_points_automatic_reward_redemption.add` v1. */
export interface WireChannelPointsAutomaticRewardRedemptionAddV1Event extends WireBroadcaster, WireUser {
  id: string;
  reward: { type: string; cost: number; unlocked_emote: { id: string; name: string } | null };
  message: WireTextWithEmotes | null;
  user_input: string | null;
  redeemed_at: string;
}

/** `channel.channel_points_automatic_reward_redemption.add` v2. */
export interface WireChannelPointsAutomaticRewardRedemptionAddV2Event extends WireBroadcaster, WireUser {
  id: string;
  reward: { type: string; channel_points: number; emote: { id: string; name: string } | null };
  message: WireStructuredMessage | null;
  redeemed_at: string;
}
