/**
 * Models of events about money: subscriptions, cheers, Bits usage, custom Power-up redemptions and extension Bits
 * transactions.
 */
import type {
  WireChannelBitsUseEvent,
  WireChannelCheerEvent,
  WireChannelCustomPowerUpRedemptionAddEvent,
  WireChannelSubscribeEvent,
  WireChannelSubscriptionEndEvent,
  WireChannelSubscriptionGiftEvent,
  WireChannelSubscriptionMessageEvent,
  WireExtensionBitsTransactionCreateEvent,
} from '../wire/subscriptions.js';
import { defineEvent } from '../define.js';
import type { EventModel, StructuredMessage, TextWithEmotes, UserRef } from './common.js';
import {
  bool,
  broadcaster,
  date,
  num,
  numN,
  obj,
  str,
  text,
  toMessageN,
  toTextWithEmotes,
  userN,
  userOf,
  withRaw,
} from './common.js';

/** Model of `channel.subscribe` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSubscribeEvent extends EventModel<
  'channel.subscribe',
  '1',
  WireChannelSubscribeEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  /** `1000`, `2000` or `3000`. */
  readonly tier: string;
  readonly isGift: boolean;
}
export const channelSubscribeEventDefinition = defineEvent('channel.subscribe', '1', toChannelSubscribeEvent);

/** Model of `channel.subscription.end` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSubscriptionEndEvent extends EventModel<
  'channel.subscription.end',
  '1',
  WireChannelSubscriptionEndEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly tier: string;
  readonly isGift: boolean;
}
export const channelSubscriptionEndEventDefinition = defineEvent(
  'channel.subscription.end',
  '1',
  toChannelSubscriptionEndEvent,
);

/** Model of `channel.subscription.gift` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSubscriptionGiftEvent extends EventModel<
  'channel.subscription.gift',
  '1',
  WireChannelSubscriptionGiftEvent
> {
  readonly broadcaster: UserRef;
  /** The gifter, `null` when anonymous. */
  readonly user: UserRef | null;
  readonly isAnonymous: boolean;
  readonly total: number;
  readonly tier: string;
  /** `null` when anonymous or not shared. */
  readonly cumulativeTotal: number | null;
}
export const channelSubscriptionGiftEventDefinition = defineEvent(
  'channel.subscription.gift',
  '1',
  toChannelSubscriptionGiftEvent,
);

/** Model of `channel.subscription.message` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSubscriptionMessageEvent extends EventModel<
  'channel.subscription.message',
  '1',
  WireChannelSubscriptionMessageEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly tier: string;
  readonly message: TextWithEmotes;
  readonly cumulativeMonths: number;
  /** `null` when the user does not share their streak. */
  readonly streakMonths: number | null;
  readonly durationMonths: number;
}
export const channelSubscriptionMessageEventDefinition = defineEvent(
  'channel.subscription.message',
  '1',
  toChannelSubscriptionMessageEvent,
);

/** Model of `channel.cheer` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelCheerEvent extends EventModel<'channel.cheer', '1', WireChannelCheerEvent> {
  readonly broadcaster: UserRef;
  /** `null` when anonymous. */
  readonly user: UserRef | null;
  readonly isAnonymous: boolean;
  readonly message: string;
  readonly bits: number;
}
export const channelCheerEventDefinition = defineEvent('channel.cheer', '1', toChannelCheerEvent);

/** Power-up details of a Bits usage. */
export interface BitsPowerUp {
  /** `message_effect`, `celebration` or `gigantify_an_emote`. */
  readonly type: string;
  readonly emote: { readonly id: string; readonly name: string } | null;
  readonly messageEffectId: string | null;
}

/** Custom Power-up details of a Bits usage (`bitsType` `custom_power_up`). */
export interface BitsCustomPowerUp {
  readonly title: string;
  /** The custom Power-up's id. */
  readonly rewardId: string;
}

/** Model of `channel.bits.use` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelBitsUseEvent extends EventModel<'channel.bits.use', '1', WireChannelBitsUseEvent> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly bits: number;
  /** `cheer`, `power_up`, `custom_power_up` or `combo` (the wire `type`). */
  readonly bitsType: string;
  readonly powerUp: BitsPowerUp | null;
  /** Set when `bitsType` is `custom_power_up`, else `null`. */
  readonly customPowerUp: BitsCustomPowerUp | null;
  /** `null` when the usage carried no message. */
  readonly message: StructuredMessage | null;
}
export const channelBitsUseEventDefinition = defineEvent('channel.bits.use', '1', toChannelBitsUseEvent);

/** A custom Power-up as redeemed. */
export interface CustomPowerUp {
  readonly id: string;
  readonly title: string;
  /** Price in Bits. */
  readonly bits: number;
  /** `null` when empty. */
  readonly prompt: string | null;
}

/** Model of `channel.custom_power_up_redemption.add` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelCustomPowerUpRedemptionAddEvent extends EventModel<
  'channel.custom_power_up_redemption.add',
  '1',
  WireChannelCustomPowerUpRedemptionAddEvent
> {
  /** The redemption's id. */
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  /** `null` when the Power-up asks for no input. */
  readonly userInput: string | null;
  /** `unfulfilled`, `fulfilled` or `canceled`. */
  readonly status: string;
  readonly customPowerUp: CustomPowerUp;
  readonly redeemedAt: Date;
}
export const channelCustomPowerUpRedemptionAddEventDefinition = defineEvent(
  'channel.custom_power_up_redemption.add',
  '1',
  toChannelCustomPowerUpRedemptionAddEvent,
);

/** Model of `extension.bits_transaction.create` v1: its description is in the catalogue table (docs/events.md). */
export interface ExtensionBitsTransactionCreateEvent extends EventModel<
  'extension.bits_transaction.create',
  '1',
  WireExtensionBitsTransactionCreateEvent
> {
  readonly id: string;
  readonly extensionClientId: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly product: {
    readonly name: string;
    readonly sku: string;
    readonly bits: number;
    readonly inDevelopment: boolean;
  };
}
export const extensionBitsTransactionCreateEventDefinition = defineEvent(
  'extension.bits_transaction.create',
  '1',
  toExtensionBitsTransactionCreateEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** Converts `channel.subscribe` v1. */
function toChannelSubscribeEvent(w: WireChannelSubscribeEvent): ChannelSubscribeEvent {
  return withRaw(
    {
      type: 'channel.subscribe',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      tier: str(w.tier, 'tier'),
      isGift: bool(w.is_gift, 'is_gift'),
    },
    w,
  );
}

/** Converts `channel.subscription.end` v1. */
function toChannelSubscriptionEndEvent(w: WireChannelSubscriptionEndEvent): ChannelSubscriptionEndEvent {
  return withRaw(
    {
      type: 'channel.subscription.end',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      tier: str(w.tier, 'tier'),
      isGift: bool(w.is_gift, 'is_gift'),
    },
    w,
  );
}

/** Converts `channel.subscription.gift` v1. */
function toChannelSubscriptionGiftEvent(w: WireChannelSubscriptionGiftEvent): ChannelSubscriptionGiftEvent {
  const isAnonymous = bool(w.is_anonymous, 'is_anonymous');
  return withRaw(
    {
      type: 'channel.subscription.gift',
      version: '1',
      broadcaster: broadcaster(w),
      user: isAnonymous ? null : userN(w.user_id, w.user_login, w.user_name, 'user'),
      isAnonymous,
      total: num(w.total, 'total'),
      tier: str(w.tier, 'tier'),
      cumulativeTotal: numN(w.cumulative_total, 'cumulative_total'),
    },
    w,
  );
}

/** Converts `channel.subscription.message` v1. */
function toChannelSubscriptionMessageEvent(
  w: WireChannelSubscriptionMessageEvent,
): ChannelSubscriptionMessageEvent {
  return withRaw(
    {
      type: 'channel.subscription.message',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      tier: str(w.tier, 'tier'),
      message: toTextWithEmotes(w.message, 'message'),
      cumulativeMonths: num(w.cumulative_months, 'cumulative_months'),
      streakMonths: numN(w.streak_months, 'streak_months'),
      durationMonths: num(w.duration_months, 'duration_months'),
    },
    w,
  );
}

/** Converts `channel.cheer` v1. */
function toChannelCheerEvent(w: WireChannelCheerEvent): ChannelCheerEvent {
  const isAnonymous = bool(w.is_anonymous, 'is_anonymous');
  return withRaw(
    {
      type: 'channel.cheer',
      version: '1',
      broadcaster: broadcaster(w),
      user: isAnonymous ? null : userN(w.user_id, w.user_login, w.user_name, 'user'),
      isAnonymous,
      message: str(w.message, 'message'),
      bits: num(w.bits, 'bits'),
    },
    w,
  );
}

/** Converts `channel.bits.use` v1. */
function toChannelBitsUseEvent(w: WireChannelBitsUseEvent): ChannelBitsUseEvent {
  const p = w.power_up;
  const c = w.custom_power_up;
  return withRaw(
    {
      type: 'channel.bits.use',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
      bits: num(w.bits, 'bits'),
      bitsType: str(w.type, 'type'),
      powerUp: !p
        ? null
        : {
            type: str(obj(p, 'power_up').type, 'power_up.type'),
            emote: p.emote
              ? { id: str(p.emote.id, 'power_up.emote.id'), name: str(p.emote.name, 'power_up.emote.name') }
              : null,
            messageEffectId: text(p.message_effect_id, 'power_up.message_effect_id'),
          },
      customPowerUp: !c
        ? null
        : {
            title: str(obj(c, 'custom_power_up').title, 'custom_power_up.title'),
            rewardId: str(c.reward_id, 'custom_power_up.reward_id'),
          },
      message: toMessageN(w.message, 'message'),
    },
    w,
  );
}

/** Converts `channel.custom_power_up_redemption.add` v1. */
function toChannelCustomPowerUpRedemptionAddEvent(
  w: WireChannelCustomPowerUpRedemptionAddEvent,
): ChannelCustomPowerUpRedemptionAddEvent {
  const c = obj(w.custom_power_up, 'custom_power_up');
  return withRaw(
    {
      type: 'channel.custom_power_up_redemption.add',
      version: '1',
      id: str(w.id, 'id'),
      broadcaster: broadcaster(w),
      user: userOf(w),
      userInput: text(w.user_input, 'user_input'),
      status: str(w.status, 'status'),
      customPowerUp: {
        id: str(c.id, 'custom_power_up.id'),
        title: str(c.title, 'custom_power_up.title'),
        bits: num(c.bits, 'custom_power_up.bits'),
        prompt: text(c.prompt, 'custom_power_up.prompt'),
      },
      redeemedAt: date(w.redeemed_at, 'redeemed_at'),
    },
    w,
  );
}

/** Converts `extension.bits_transaction.create` v1. */
function toExtensionBitsTransactionCreateEvent(
  w: WireExtensionBitsTransactionCreateEvent,
): ExtensionBitsTransactionCreateEvent {
  const p = obj(w.product, 'product');
  return withRaw(
    {
      type: 'extension.bits_transaction.create',
      version: '1',
      id: str(w.id, 'id'),
      extensionClientId: str(w.extension_client_id, 'extension_client_id'),
      broadcaster: broadcaster(w),
      user: userOf(w),
      product: {
        name: str(p.name, 'product.name'),
        sku: str(p.sku, 'product.sku'),
        bits: num(p.bits, 'product.bits'),
        inDevelopment: bool(p.in_development, 'product.in_development'),
      },
    },
    w,
  );
}
