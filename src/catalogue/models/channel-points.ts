/** Models of Channel Points events: custom rewards, redemptions and automatic rewards. */
import type {
  WireChannelPointsAutomaticRewardRedemptionAddV1Event,
  WireChannelPointsAutomaticRewardRedemptionAddV2Event,
  WireChannelPointsCustomRewardAddEvent,
  WireChannelPointsCustomRewardRedemptionAddEvent,
  WireChannelPointsCustomRewardRedemptionUpdateEvent,
  WireChannelPointsCustomRewardRemoveEvent,
  WireChannelPointsCustomRewardUpdateEvent,
  WireRewardImage,
} from '../wire/channel-points.js';
import { defineEvent } from '../define.js';
import type { EventModel, StructuredMessage, TextWithEmotes, UserRef } from './common.js';
import {
  bool,
  broadcaster,
  date,
  dateN,
  num,
  numN,
  obj,
  str,
  text,
  toMessageN,
  toTextWithEmotes,
  userOf,
  withRaw,
} from './common.js';

/** Image URLs of a reward. */
export interface RewardImage {
  readonly url1x: string;
  readonly url2x: string;
  readonly url4x: string;
}

/** A limit that can be switched on or off. */
export interface RewardLimit {
  readonly isEnabled: boolean;
  readonly value: number;
}

/** A custom Channel Points reward, as carried by the custom reward events. */
export interface CustomReward {
  readonly broadcaster: UserRef;
  readonly id: string;
  readonly title: string;
  readonly cost: number;
  /** `null` when empty. */
  readonly prompt: string | null;
  readonly isEnabled: boolean;
  readonly isPaused: boolean;
  readonly isInStock: boolean;
  readonly isUserInputRequired: boolean;
  readonly shouldRedemptionsSkipRequestQueue: boolean;
  /** `null` when the reward is not on cooldown. */
  readonly cooldownExpiresAt: Date | null;
  /** `null` when the stream is offline or the limit is off. */
  readonly redemptionsRedeemedCurrentStream: number | null;
  readonly maxPerStream: RewardLimit;
  readonly maxPerUserPerStream: RewardLimit;
  readonly globalCooldown: { readonly isEnabled: boolean; readonly seconds: number };
  readonly backgroundColor: string;
  /** `null` when the broadcaster did not upload an image. */
  readonly image: RewardImage | null;
  readonly defaultImage: RewardImage;
}

/** Model of `channel.channel_points_custom_reward.add` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsCustomRewardAddEvent
  extends
    EventModel<'channel.channel_points_custom_reward.add', '1', WireChannelPointsCustomRewardAddEvent>,
    CustomReward {}
export const channelPointsCustomRewardAddEventDefinition = defineEvent(
  'channel.channel_points_custom_reward.add',
  '1',
  toChannelPointsCustomRewardAddEvent,
);
/** Model of `channel.channel_points_custom_reward.update` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsCustomRewardUpdateEvent
  extends
    EventModel<'channel.channel_points_custom_reward.update', '1', WireChannelPointsCustomRewardUpdateEvent>,
    CustomReward {}
export const channelPointsCustomRewardUpdateEventDefinition = defineEvent(
  'channel.channel_points_custom_reward.update',
  '1',
  toChannelPointsCustomRewardUpdateEvent,
);
/** Model of `channel.channel_points_custom_reward.remove` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsCustomRewardRemoveEvent
  extends
    EventModel<'channel.channel_points_custom_reward.remove', '1', WireChannelPointsCustomRewardRemoveEvent>,
    CustomReward {}
export const channelPointsCustomRewardRemoveEventDefinition = defineEvent(
  'channel.channel_points_custom_reward.remove',
  '1',
  toChannelPointsCustomRewardRemoveEvent,
);

/** A redemption of a custom reward. */
export interface CustomRewardRedemption {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  /** `null` when the reward takes no input (Twitch sends `""`). */
  readonly userInput: string | null;
  /** `unknown`, `unfulfilled`, `fulfilled` or `canceled`. */
  readonly status: string;
  readonly reward: {
    readonly id: string;
    readonly title: string;
    readonly cost: number;
    readonly prompt: string | null;
  };
  readonly redeemedAt: Date;
}

/** Model of `channel.channel_points_custom_reward_redemption.add` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsCustomRewardRedemptionAddEvent
  extends
    EventModel<
      'channel.channel_points_custom_reward_redemption.add',
      '1',
      WireChannelPointsCustomRewardRedemptionAddEvent
    >,
    CustomRewardRedemption {}
export const channelPointsCustomRewardRedemptionAddEventDefinition = defineEvent(
  'channel.channel_points_custom_reward_redemption.add',
  '1',
  toChannelPointsCustomRewardRedemptionAddEvent,
);
/** Model of `channel.channel_points_custom_reward_redemption.update` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsCustomRewardRedemptionUpdateEvent
  extends
    EventModel<
      'channel.channel_points_custom_reward_redemption.update',
      '1',
      WireChannelPointsCustomRewardRedemptionUpdateEvent
    >,
    CustomRewardRedemption {}
export const channelPointsCustomRewardRedemptionUpdateEventDefinition = defineEvent(
  'channel.channel_points_custom_reward_redemption.update',
  '1',
  toChannelPointsCustomRewardRedemptionUpdateEvent,
);

/** Model of `channel.channel_points_automatic_reward_redemption.add` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsAutomaticRewardRedemptionAddV1Event extends EventModel<
  'channel.channel_points_automatic_reward_redemption.add',
  '1',
  WireChannelPointsAutomaticRewardRedemptionAddV1Event
> {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly reward: {
    /** e.g. `send_highlighted_message`, `random_sub_emote_unlock`, `single_message_bypass_sub_mode`. */
    readonly type: string;
    readonly cost: number;
    readonly unlockedEmote: { readonly id: string; readonly name: string } | null;
  };
  readonly message: TextWithEmotes | null;
  readonly userInput: string | null;
  readonly redeemedAt: Date;
}
export const channelPointsAutomaticRewardRedemptionAddV1EventDefinition = defineEvent(
  'channel.channel_points_automatic_reward_redemption.add',
  '1',
  toChannelPointsAutomaticRewardRedemptionAddV1Event,
);

/** Model of `channel.channel_points_automatic_reward_redemption.add` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelPointsAutomaticRewardRedemptionAddV2Event extends EventModel<
  'channel.channel_points_automatic_reward_redemption.add',
  '2',
  WireChannelPointsAutomaticRewardRedemptionAddV2Event
> {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly reward: {
    readonly type: string;
    readonly channelPoints: number;
    readonly emote: { readonly id: string; readonly name: string } | null;
  };
  readonly message: StructuredMessage | null;
  readonly redeemedAt: Date;
}
export const channelPointsAutomaticRewardRedemptionAddV2EventDefinition = defineEvent(
  'channel.channel_points_automatic_reward_redemption.add',
  '2',
  toChannelPointsAutomaticRewardRedemptionAddV2Event,
);

// ---------------------------------------------------------------------------------------------------------------

function image(w: WireRewardImage, field: string): RewardImage {
  const i = obj(w, field);
  return {
    url1x: str(i.url_1x, `${field}.url_1x`),
    url2x: str(i.url_2x, `${field}.url_2x`),
    url4x: str(i.url_4x, `${field}.url_4x`),
  };
}

function customReward(w: WireChannelPointsCustomRewardAddEvent): CustomReward {
  const mps = obj(w.max_per_stream, 'max_per_stream');
  const mpu = obj(w.max_per_user_per_stream, 'max_per_user_per_stream');
  const gc = obj(w.global_cooldown, 'global_cooldown');
  return {
    broadcaster: broadcaster(w),
    id: str(w.id, 'id'),
    title: str(w.title, 'title'),
    cost: num(w.cost, 'cost'),
    prompt: text(w.prompt, 'prompt'),
    isEnabled: bool(w.is_enabled, 'is_enabled'),
    isPaused: bool(w.is_paused, 'is_paused'),
    isInStock: bool(w.is_in_stock, 'is_in_stock'),
    isUserInputRequired: bool(w.is_user_input_required, 'is_user_input_required'),
    shouldRedemptionsSkipRequestQueue: bool(
      w.should_redemptions_skip_request_queue,
      'should_redemptions_skip_request_queue',
    ),
    cooldownExpiresAt: dateN(w.cooldown_expires_at, 'cooldown_expires_at'),
    redemptionsRedeemedCurrentStream: numN(
      w.redemptions_redeemed_current_stream,
      'redemptions_redeemed_current_stream',
    ),
    maxPerStream: {
      isEnabled: bool(mps.is_enabled, 'max_per_stream.is_enabled'),
      value: num(mps.value, 'max_per_stream.value'),
    },
    maxPerUserPerStream: {
      isEnabled: bool(mpu.is_enabled, 'max_per_user_per_stream.is_enabled'),
      value: num(mpu.value, 'max_per_user_per_stream.value'),
    },
    globalCooldown: {
      isEnabled: bool(gc.is_enabled, 'global_cooldown.is_enabled'),
      seconds: num(gc.seconds, 'global_cooldown.seconds'),
    },
    backgroundColor: str(w.background_color, 'background_color'),
    image: w.image ? image(w.image, 'image') : null,
    defaultImage: image(w.default_image, 'default_image'),
  };
}

/** Converts `channel.channel_points_custom_reward.add` v1. */
function toChannelPointsCustomRewardAddEvent(
  w: WireChannelPointsCustomRewardAddEvent,
): ChannelPointsCustomRewardAddEvent {
  const r = customReward(w);
  return withRaw({ type: 'channel.channel_points_custom_reward.add', version: '1', ...r }, w);
}

/** Converts `channel.channel_points_custom_reward.update` v1. */
function toChannelPointsCustomRewardUpdateEvent(
  w: WireChannelPointsCustomRewardUpdateEvent,
): ChannelPointsCustomRewardUpdateEvent {
  const r = customReward(w);
  return withRaw({ type: 'channel.channel_points_custom_reward.update', version: '1', ...r }, w);
}

/** Converts `channel.channel_points_custom_reward.remove` v1. */
function toChannelPointsCustomRewardRemoveEvent(
  w: WireChannelPointsCustomRewardRemoveEvent,
): ChannelPointsCustomRewardRemoveEvent {
  const r = customReward(w);
  return withRaw({ type: 'channel.channel_points_custom_reward.remove', version: '1', ...r }, w);
}

function redemption(w: WireChannelPointsCustomRewardRedemptionAddEvent): CustomRewardRedemption {
  const r = obj(w.reward, 'reward');
  return {
    id: str(w.id, 'id'),
    broadcaster: broadcaster(w),
    user: userOf(w),
    userInput: text(w.user_input, 'user_input'),
    status: str(w.status, 'status'),
    reward: {
      id: str(r.id, 'reward.id'),
      title: str(r.title, 'reward.title'),
      cost: num(r.cost, 'reward.cost'),
      prompt: text(r.prompt, 'reward.prompt'),
    },
    redeemedAt: date(w.redeemed_at, 'redeemed_at'),
  };
}

/** Converts `channel.channel_points_custom_reward_redemption.add` v1. */
function toChannelPointsCustomRewardRedemptionAddEvent(
  w: WireChannelPointsCustomRewardRedemptionAddEvent,
): ChannelPointsCustomRewardRedemptionAddEvent {
  const r = redemption(w);
  return withRaw({ type: 'channel.channel_points_custom_reward_redemption.add', version: '1', ...r }, w);
}

/** Converts `channel.channel_points_custom_reward_redemption.update` v1. */
function toChannelPointsCustomRewardRedemptionUpdateEvent(
  w: WireChannelPointsCustomRewardRedemptionUpdateEvent,
): ChannelPointsCustomRewardRedemptionUpdateEvent {
  const r = redemption(w);
  return withRaw({ type: 'channel.channel_points_custom_reward_redemption.update', version: '1', ...r }, w);
}

function emoteN(
  e: { id: string; name: string } | null | undefined,
  field: string,
): { id: string; name: string } | null {
  return e === null || e === undefined
    ? null
    : { id: str(e.id, `${field}.id`), name: str(e.name, `${field}.name`) };
}

/** Converts `channel.channel_points_automatic_reward_redemption.add` v1. */
function toChannelPointsAutomaticRewardRedemptionAddV1Event(
  w: WireChannelPointsAutomaticRewardRedemptionAddV1Event,
): ChannelPointsAutomaticRewardRedemptionAddV1Event {
  const r = obj(w.reward, 'reward');
  return withRaw(
    {
      type: 'channel.channel_points_automatic_reward_redemption.add',
      version: '1',
      id: str(w.id, 'id'),
      broadcaster: broadcaster(w),
      user: userOf(w),
      reward: {
        type: str(r.type, 'reward.type'),
        cost: num(r.cost, 'reward.cost'),
        unlockedEmote: emoteN(r.unlocked_emote, 'reward.unlocked_emote'),
      },
      message: w.message ? toTextWithEmotes(w.message, 'message') : null,
      userInput: text(w.user_input, 'user_input'),
      redeemedAt: date(w.redeemed_at, 'redeemed_at'),
    },
    w,
  );
}

/** Converts `channel.channel_points_automatic_reward_redemption.add` v2. */
function toChannelPointsAutomaticRewardRedemptionAddV2Event(
  w: WireChannelPointsAutomaticRewardRedemptionAddV2Event,
): ChannelPointsAutomaticRewardRedemptionAddV2Event {
  const r = obj(w.reward, 'reward');
  return withRaw(
    {
      type: 'channel.channel_points_automatic_reward_redemption.add',
      version: '2',
      id: str(w.id, 'id'),
      broadcaster: broadcaster(w),
      user: userOf(w),
      reward: {
        type: str(r.type, 'reward.type'),
        channelPoints: num(r.channel_points, 'reward.channel_points'),
        emote: emoteN(r.emote, 'reward.emote'),
      },
      message: toMessageN(w.message, 'message'),
      redeemedAt: date(w.redeemed_at, 'redeemed_at'),
    },
    w,
  );
}
