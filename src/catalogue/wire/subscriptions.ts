/** Wire events about money: subscriptions, cheers, Bits usage and extension Bits transactions. */
import type { WireBroadcaster, WireStructuredMessage, WireTextWithEmotes, WireUser } from './common.js';

/** `channel.subscribe` v1. */
export interface WireChannelSubscribeEvent extends WireBroadcaster, WireUser {
  /** `1000`, `2000` or `3000`. */
  tier: string;
  is_gift: boolean;
}

/** `channel.subscription.end` v1. */
export type WireChannelSubscriptionEndEvent = WireChannelSubscribeEvent;

/** `channel.subscription.gift` v1. The user fields are `null` for anonymous gifts. */
export interface WireChannelSubscriptionGiftEvent extends WireBroadcaster {
  user_id: string | null;
  user_login: string | null;
  user_name: string | null;
  total: number;
  tier: string;
  /** `null` when anonymous or not shared. */
  cumulative_total: number | null;
  is_anonymous: boolean;
}

/** `channel.subscription.message` v1. */
export interface WireChannelSubscriptionMessageEvent extends WireBroadcaster, WireUser {
  tier: string;
  message: WireTextWithEmotes;
  cumulative_months: number;
  /** `null` when not shared. */
  streak_months: number | null;
  duration_months: number;
}

/** `channel.cheer` v1. The user fields are `null` for anonymous cheers. */
export interface WireChannelCheerEvent extends WireBroadcaster {
  is_anonymous: boolean;
  user_id: string | null;
  user_login: string | null;
  user_name: string | null;
  message: string;
  bits: number;
}

/** Power-up details of `channel.bits.use`. */
export interface WireBitsPowerUp {
  /** `message_effect`, `celebration` or `gigantify_an_emote`. */
  type: string;
  emote: { id: string; name: string } | null;
  message_effect_id: string | null;
}

/** Custom Power-up details of `channel.bits.use` (`type` `custom_power_up`). */
export interface WireBitsCustomPowerUp {
  title: string;
  /** The custom Power-up's id (the `reward_id` of `channel.custom_power_up_redemption.add`). */
  reward_id: string;
}

/** `channel.bits.use` v1. */
export interface WireChannelBitsUseEvent extends WireBroadcaster, WireUser {
  bits: number;
  /** `cheer`, `power_up`, `custom_power_up` or `combo`. */
  type: string;
  power_up: WireBitsPowerUp | null;
  /** Set when `type` is `custom_power_up`; absent in payloads from before custom Power-ups (2026). */
  custom_power_up?: WireBitsCustomPowerUp | null;
  message: WireStructuredMessage | null;
}

/** The redeemed custom Power-up of `channel.custom_power_up_redemption.add`. */
export interface WireCustomPowerUp {
  id: string;
  title: string;
  /** Price in Bits. */
  bits: number;
  prompt: string;
}

/** `channel.custom_power_up_redemption.add` v1. */
export interface WireChannelCustomPowerUpRedemptionAddEvent extends WireBroadcaster, WireUser {
  id: string;
  /** `""` when the Power-up asks for no input. */
  user_input: string;
  /** `unfulfilled`, `fulfilled` or `canceled`. */
  status: string;
  custom_power_up: WireCustomPowerUp;
  redeemed_at: string;
}

/** `extension.bits_transaction.create` v1. */
export interface WireExtensionBitsTransactionCreateEvent extends WireBroadcaster, WireUser {
  id: string;
  extension_client_id: string;
  product: { name: string; sku: string; bits: number; in_development: boolean };
}
