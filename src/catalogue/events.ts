/**
 * The event map of the EventSub client's emitter and the dispatch from wire events to models.
 *
 * - {@link EventSubEventMap}: subscription type (the event name) → model type. Types with several versions of
 *   different shapes map to a union discriminated by `version`.
 * - {@link toEventModel}: `(type, version, wireEvent)` → model, through a dispatch table keyed by
 *   `${type}@${version}`. Unknown type/version → `undefined` (never throws); malformed wire event → `ProtocolError`
 *   with code `MALFORMED_EVENT`.
 * - {@link toNotification}: a whole notification payload → {@link Notification} envelope (for the generic
 *   `notification` event, which also receives types this library does not model).
 */
import { ProtocolError, TwitchError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import type { WireSubscription, WireTransport } from '../protocol/eventsub.js';
import { EventSubModel, parseRfc3339 } from './models/common.js';
import type {
  AutomodMessageHoldV1Event,
  AutomodMessageHoldV2Event,
  AutomodMessageUpdateV1Event,
  AutomodMessageUpdateV2Event,
  AutomodSettingsUpdateEvent,
  AutomodTermsUpdateEvent,
} from './models/automod.js';
import type {
  ChannelAdBreakBeginEvent,
  ChannelFollowEvent,
  ChannelModeratorAddEvent,
  ChannelModeratorRemoveEvent,
  ChannelRaidEvent,
  ChannelShoutoutCreateEvent,
  ChannelShoutoutReceiveEvent,
  ChannelUpdateEvent,
  ChannelVipAddEvent,
  ChannelVipRemoveEvent,
} from './models/channel.js';
import type {
  ChannelChatClearEvent,
  ChannelChatClearUserMessagesEvent,
  ChannelChatMessageDeleteEvent,
  ChannelChatMessageEvent,
  ChannelChatNotificationEvent,
  ChannelChatSettingsUpdateEvent,
  ChannelChatUserMessageHoldEvent,
  ChannelChatUserMessageUpdateEvent,
  ChannelSharedChatBeginEvent,
  ChannelSharedChatEndEvent,
  ChannelSharedChatUpdateEvent,
} from './models/channel-chat.js';
import type {
  ChannelPointsAutomaticRewardRedemptionAddV1Event,
  ChannelPointsAutomaticRewardRedemptionAddV2Event,
  ChannelPointsCustomRewardAddEvent,
  ChannelPointsCustomRewardRedemptionAddEvent,
  ChannelPointsCustomRewardRedemptionUpdateEvent,
  ChannelPointsCustomRewardRemoveEvent,
  ChannelPointsCustomRewardUpdateEvent,
} from './models/channel-points.js';
import type {
  ChannelCharityCampaignDonateEvent,
  ChannelCharityCampaignProgressEvent,
  ChannelCharityCampaignStartEvent,
  ChannelCharityCampaignStopEvent,
  ChannelGoalBeginEvent,
  ChannelGoalEndEvent,
  ChannelGoalProgressEvent,
  ChannelHypeTrainBeginEvent,
  ChannelHypeTrainEndEvent,
  ChannelHypeTrainProgressEvent,
  ChannelPollBeginEvent,
  ChannelPollEndEvent,
  ChannelPollProgressEvent,
  ChannelPredictionBeginEvent,
  ChannelPredictionEndEvent,
  ChannelPredictionLockEvent,
  ChannelPredictionProgressEvent,
} from './models/engagement.js';
import type {
  ChannelGuestStarGuestUpdateEvent,
  ChannelGuestStarSessionBeginEvent,
  ChannelGuestStarSessionEndEvent,
  ChannelGuestStarSettingsUpdateEvent,
} from './models/guest-star.js';
import type {
  ChannelBanEvent,
  ChannelModerateV1Event,
  ChannelModerateV2Event,
  ChannelShieldModeBeginEvent,
  ChannelShieldModeEndEvent,
  ChannelSuspiciousUserMessageEvent,
  ChannelSuspiciousUserUpdateEvent,
  ChannelUnbanEvent,
  ChannelUnbanRequestCreateEvent,
  ChannelUnbanRequestResolveEvent,
  ChannelWarningAcknowledgeEvent,
  ChannelWarningSendEvent,
} from './models/moderation.js';
import type {
  ConduitShardDisabledEvent,
  DropEntitlementGrantEvent,
  StreamOfflineEvent,
  StreamOnlineEvent,
  UserAuthorizationGrantEvent,
  UserAuthorizationRevokeEvent,
  UserUpdateEvent,
  UserWhisperMessageEvent,
} from './models/platform.js';
import type {
  ChannelBitsUseEvent,
  ChannelCheerEvent,
  ChannelCustomPowerUpRedemptionAddEvent,
  ChannelSubscribeEvent,
  ChannelSubscriptionEndEvent,
  ChannelSubscriptionGiftEvent,
  ChannelSubscriptionMessageEvent,
  ExtensionBitsTransactionCreateEvent,
} from './models/subscriptions.js';
import {
  toAutomodMessageHoldV1Event,
  toAutomodMessageHoldV2Event,
  toAutomodMessageUpdateV1Event,
  toAutomodMessageUpdateV2Event,
  toAutomodSettingsUpdateEvent,
  toAutomodTermsUpdateEvent,
} from './models/automod.js';
import {
  toChannelAdBreakBeginEvent,
  toChannelFollowEvent,
  toChannelModeratorAddEvent,
  toChannelModeratorRemoveEvent,
  toChannelRaidEvent,
  toChannelShoutoutCreateEvent,
  toChannelShoutoutReceiveEvent,
  toChannelUpdateEvent,
  toChannelVipAddEvent,
  toChannelVipRemoveEvent,
} from './models/channel.js';
import {
  toChannelChatClearEvent,
  toChannelChatClearUserMessagesEvent,
  toChannelChatMessageDeleteEvent,
  toChannelChatMessageEvent,
  toChannelChatNotificationEvent,
  toChannelChatSettingsUpdateEvent,
  toChannelChatUserMessageHoldEvent,
  toChannelChatUserMessageUpdateEvent,
  toChannelSharedChatBeginEvent,
  toChannelSharedChatEndEvent,
  toChannelSharedChatUpdateEvent,
} from './models/channel-chat.js';
import {
  toChannelPointsAutomaticRewardRedemptionAddV1Event,
  toChannelPointsAutomaticRewardRedemptionAddV2Event,
  toChannelPointsCustomRewardAddEvent,
  toChannelPointsCustomRewardRedemptionAddEvent,
  toChannelPointsCustomRewardRedemptionUpdateEvent,
  toChannelPointsCustomRewardRemoveEvent,
  toChannelPointsCustomRewardUpdateEvent,
} from './models/channel-points.js';
import {
  toChannelCharityCampaignDonateEvent,
  toChannelCharityCampaignProgressEvent,
  toChannelCharityCampaignStartEvent,
  toChannelCharityCampaignStopEvent,
  toChannelGoalBeginEvent,
  toChannelGoalEndEvent,
  toChannelGoalProgressEvent,
  toChannelHypeTrainBeginEvent,
  toChannelHypeTrainEndEvent,
  toChannelHypeTrainProgressEvent,
  toChannelPollBeginEvent,
  toChannelPollEndEvent,
  toChannelPollProgressEvent,
  toChannelPredictionBeginEvent,
  toChannelPredictionEndEvent,
  toChannelPredictionLockEvent,
  toChannelPredictionProgressEvent,
} from './models/engagement.js';
import {
  toChannelGuestStarGuestUpdateEvent,
  toChannelGuestStarSessionBeginEvent,
  toChannelGuestStarSessionEndEvent,
  toChannelGuestStarSettingsUpdateEvent,
} from './models/guest-star.js';
import {
  toChannelBanEvent,
  toChannelModerateV1Event,
  toChannelModerateV2Event,
  toChannelShieldModeBeginEvent,
  toChannelShieldModeEndEvent,
  toChannelSuspiciousUserMessageEvent,
  toChannelSuspiciousUserUpdateEvent,
  toChannelUnbanEvent,
  toChannelUnbanRequestCreateEvent,
  toChannelUnbanRequestResolveEvent,
  toChannelWarningAcknowledgeEvent,
  toChannelWarningSendEvent,
} from './models/moderation.js';
import {
  toConduitShardDisabledEvent,
  toDropEntitlementGrantEvent,
  toStreamOfflineEvent,
  toStreamOnlineEvent,
  toUserAuthorizationGrantEvent,
  toUserAuthorizationRevokeEvent,
  toUserUpdateEvent,
  toUserWhisperMessageEvent,
} from './models/platform.js';
import {
  toChannelBitsUseEvent,
  toChannelCheerEvent,
  toChannelCustomPowerUpRedemptionAddEvent,
  toChannelSubscribeEvent,
  toChannelSubscriptionEndEvent,
  toChannelSubscriptionGiftEvent,
  toChannelSubscriptionMessageEvent,
  toExtensionBitsTransactionCreateEvent,
} from './models/subscriptions.js';

/**
 * Subscription type → event model, for the client's typed emitter. Every key is an event name.
 *
 * @example
 * ```ts
 * client.on('channel.follow', (e) => console.log(e.user.displayName, e.followedAt.toISOString()));
 * client.on('channel.moderate', (e) => {
 *   if (e.version === '2' && e.details?.kind === 'warn') console.log(e.details.reason);
 * });
 * ```
 */
export interface EventSubEventMap {
  /** AutoMod held a chat message for review (v1 and v2 differ in shape: narrow on `version`). */
  'automod.message.hold': AutomodMessageHoldV1Event | AutomodMessageHoldV2Event;
  /** A message held by AutoMod was approved, denied or expired (v1 and v2 differ: narrow on `version`). */
  'automod.message.update': AutomodMessageUpdateV1Event | AutomodMessageUpdateV2Event;
  /** AutoMod settings changed. Levels are 0 (off) to 4 (most aggressive). (v1) */
  'automod.settings.update': AutomodSettingsUpdateEvent;
  /** Blocked or permitted terms changed. (v1) */
  'automod.terms.update': AutomodTermsUpdateEvent;
  /** An ad break started. (v1) */
  'channel.ad_break.begin': ChannelAdBreakBeginEvent;
  /** A user was banned or timed out. (v1) */
  'channel.ban': ChannelBanEvent;
  /** Bits were used in the channel (cheers, power-ups, custom power-ups, combos). (v1) */
  'channel.bits.use': ChannelBitsUseEvent;
  /** A viewer redeemed an automatic Channel Points reward (v1 and v2 differ: narrow on `version`). */
  'channel.channel_points_automatic_reward_redemption.add':
    ChannelPointsAutomaticRewardRedemptionAddV1Event | ChannelPointsAutomaticRewardRedemptionAddV2Event;
  /** A custom reward was created. (v1) */
  'channel.channel_points_custom_reward.add': ChannelPointsCustomRewardAddEvent;
  /** A custom reward was removed. (v1) */
  'channel.channel_points_custom_reward.remove': ChannelPointsCustomRewardRemoveEvent;
  /** A custom reward was updated. (v1) */
  'channel.channel_points_custom_reward.update': ChannelPointsCustomRewardUpdateEvent;
  /** A viewer redeemed a custom reward. (v1) */
  'channel.channel_points_custom_reward_redemption.add': ChannelPointsCustomRewardRedemptionAddEvent;
  /** A redemption was fulfilled or canceled. (v1) */
  'channel.channel_points_custom_reward_redemption.update': ChannelPointsCustomRewardRedemptionUpdateEvent;
  /** A viewer donated to a charity campaign. (v1) */
  'channel.charity_campaign.donate': ChannelCharityCampaignDonateEvent;
  /** A charity campaign progressed. (v1) */
  'channel.charity_campaign.progress': ChannelCharityCampaignProgressEvent;
  /** A charity campaign started. (v1) */
  'channel.charity_campaign.start': ChannelCharityCampaignStartEvent;
  /** A charity campaign stopped. (v1) */
  'channel.charity_campaign.stop': ChannelCharityCampaignStopEvent;
  /** Fires when a moderator or bot clears all messages from the chat room. (v1) */
  'channel.chat.clear': ChannelChatClearEvent;
  /** Fires when a moderator or bot clears all messages of one user. (v1) */
  'channel.chat.clear_user_messages': ChannelChatClearUserMessagesEvent;
  /** A user sent a message in the chat room. (v1) */
  'channel.chat.message': ChannelChatMessageEvent;
  /** Fires when a single message is deleted. (v1) */
  'channel.chat.message_delete': ChannelChatMessageDeleteEvent;
  /** A chat notice: subs, resubs, gifts, raids, announcements, ... (v1) */
  'channel.chat.notification': ChannelChatNotificationEvent;
  /** A user's message was held by AutoMod (sent to that user). (v1) */
  'channel.chat.user_message_hold': ChannelChatUserMessageHoldEvent;
  /** A user's held message was approved, denied or invalidated. (v1) */
  'channel.chat.user_message_update': ChannelChatUserMessageUpdateEvent;
  /** Chat settings changed. (v1) */
  'channel.chat_settings.update': ChannelChatSettingsUpdateEvent;
  /** A user cheered Bits. (v1) */
  'channel.cheer': ChannelCheerEvent;
  /** A viewer redeemed a custom Power-up, paid with Bits. (v1) */
  'channel.custom_power_up_redemption.add': ChannelCustomPowerUpRedemptionAddEvent;
  /** A user followed the channel. (v2) */
  'channel.follow': ChannelFollowEvent;
  /** A creator goal started. (v1) */
  'channel.goal.begin': ChannelGoalBeginEvent;
  /** A creator goal ended. (v1) */
  'channel.goal.end': ChannelGoalEndEvent;
  /** A creator goal progressed. (v1) */
  'channel.goal.progress': ChannelGoalProgressEvent;
  /** A guest or slot was updated in a Guest Star session. (beta) */
  'channel.guest_star_guest.update': ChannelGuestStarGuestUpdateEvent;
  /** A Guest Star session started. (beta) */
  'channel.guest_star_session.begin': ChannelGuestStarSessionBeginEvent;
  /** A Guest Star session ended. (beta) */
  'channel.guest_star_session.end': ChannelGuestStarSessionEndEvent;
  /** Guest Star settings were updated. (beta) */
  'channel.guest_star_settings.update': ChannelGuestStarSettingsUpdateEvent;
  /** A hype train started. (v2) */
  'channel.hype_train.begin': ChannelHypeTrainBeginEvent;
  /** A hype train ended. (v2) */
  'channel.hype_train.end': ChannelHypeTrainEndEvent;
  /** A hype train progressed. (v2) */
  'channel.hype_train.progress': ChannelHypeTrainProgressEvent;
  /** A moderator took an action in the channel (v2 adds warnings: narrow on `version`). */
  'channel.moderate': ChannelModerateV1Event | ChannelModerateV2Event;
  /** A moderator was added. (v1) */
  'channel.moderator.add': ChannelModeratorAddEvent;
  /** A moderator was removed. (v1) */
  'channel.moderator.remove': ChannelModeratorRemoveEvent;
  /** A poll started. (v1) */
  'channel.poll.begin': ChannelPollBeginEvent;
  /** A poll ended. (v1) */
  'channel.poll.end': ChannelPollEndEvent;
  /** Votes were cast in a poll. (v1) */
  'channel.poll.progress': ChannelPollProgressEvent;
  /** A prediction started. (v1) */
  'channel.prediction.begin': ChannelPredictionBeginEvent;
  /** A prediction ended (resolved or canceled). (v1) */
  'channel.prediction.end': ChannelPredictionEndEvent;
  /** A prediction was locked. (v1) */
  'channel.prediction.lock': ChannelPredictionLockEvent;
  /** Users participated in a prediction. (v1) */
  'channel.prediction.progress': ChannelPredictionProgressEvent;
  /** A broadcaster raided another one. (v1) */
  'channel.raid': ChannelRaidEvent;
  /** A channel joined a shared chat session. (v1) */
  'channel.shared_chat.begin': ChannelSharedChatBeginEvent;
  /** A channel left a shared chat session, or the session ended. (v1) */
  'channel.shared_chat.end': ChannelSharedChatEndEvent;
  /** The participants of a shared chat session changed. (v1) */
  'channel.shared_chat.update': ChannelSharedChatUpdateEvent;
  /** Shield mode was activated. (v1) */
  'channel.shield_mode.begin': ChannelShieldModeBeginEvent;
  /** Shield mode was deactivated. (v1) */
  'channel.shield_mode.end': ChannelShieldModeEndEvent;
  /** The channel sent a shoutout. (v1) */
  'channel.shoutout.create': ChannelShoutoutCreateEvent;
  /** The channel received a shoutout. (v1) */
  'channel.shoutout.receive': ChannelShoutoutReceiveEvent;
  /** A user subscribed (new subscriptions and gifted ones; resubs are `channel.subscription.message`). (v1) */
  'channel.subscribe': ChannelSubscribeEvent;
  /** A subscription ended. (v1) */
  'channel.subscription.end': ChannelSubscriptionEndEvent;
  /** A user gifted subscriptions. (v1) */
  'channel.subscription.gift': ChannelSubscriptionGiftEvent;
  /** A user shared a resubscription message. (v1) */
  'channel.subscription.message': ChannelSubscriptionMessageEvent;
  /** A suspicious user sent a message. (v1) */
  'channel.suspicious_user.message': ChannelSuspiciousUserMessageEvent;
  /** A suspicious user's status was changed. (v1) */
  'channel.suspicious_user.update': ChannelSuspiciousUserUpdateEvent;
  /** A user was unbanned. (v1) */
  'channel.unban': ChannelUnbanEvent;
  /** A user asked to be unbanned. (v1) */
  'channel.unban_request.create': ChannelUnbanRequestCreateEvent;
  /** An unban request was resolved. (v1) */
  'channel.unban_request.resolve': ChannelUnbanRequestResolveEvent;
  /** The channel's title, language, category or content labels changed. (v2) */
  'channel.update': ChannelUpdateEvent;
  /** A VIP was added. (v1) */
  'channel.vip.add': ChannelVipAddEvent;
  /** A VIP was removed. (v1) */
  'channel.vip.remove': ChannelVipRemoveEvent;
  /** A user acknowledged a warning. (v1) */
  'channel.warning.acknowledge': ChannelWarningAcknowledgeEvent;
  /** A user was warned. (v1) */
  'channel.warning.send': ChannelWarningSendEvent;
  /** A conduit shard was disabled. (v1) */
  'conduit.shard.disabled': ConduitShardDisabledEvent;
  /** Drop entitlements were granted (batched: one notification carries several). (v1) */
  'drop.entitlement.grant': DropEntitlementGrantEvent;
  /** A viewer bought an extension product with Bits. (v1) */
  'extension.bits_transaction.create': ExtensionBitsTransactionCreateEvent;
  /** The stream went offline. (v1) */
  'stream.offline': StreamOfflineEvent;
  /** The stream went live. (v1) */
  'stream.online': StreamOnlineEvent;
  /** A user authorized the client. (v1) */
  'user.authorization.grant': UserAuthorizationGrantEvent;
  /** A user revoked the client's authorization. (v1) */
  'user.authorization.revoke': UserAuthorizationRevokeEvent;
  /** A user updated their account. (v1) */
  'user.update': UserUpdateEvent;
  /** A user received a whisper. (v1) */
  'user.whisper.message': UserWhisperMessageEvent;
}

/** A subscription type that has a model (a key of {@link EventSubEventMap}). */
export type EventSubEventName = keyof EventSubEventMap;

/** Any event model. */
export type EventSubEvent = EventSubEventMap[EventSubEventName];

/**
 * The model of one type and version, e.g. `EventSubEventOf<'channel.moderate', '2'>`.
 *
 * @example
 * ```ts
 * function onWarn(e: EventSubEventOf<'channel.moderate', '2'>): void {}
 * ```
 */
export type EventSubEventOf<K extends EventSubEventName, V extends EventSubEventMap[K]['version']> = Extract<
  EventSubEventMap[K],
  { readonly version: V }
>;

/** A `${type}@${version}` key of the dispatch table, e.g. `channel.follow@2`. */
export type EventSubModelKey = {
  [K in EventSubEventName]: `${K}@${EventSubEventMap[K]['version']}`;
}[EventSubEventName];

/** A converter from a wire event (already JSON-parsed) to its model. */
export type EventConverter = (wireEvent: unknown) => EventSubEvent;

/** Erases a converter's parameter type for the table; the readers inside check every field they use. */
function erase(fn: (wire: never) => EventSubEvent): EventConverter {
  return fn as unknown as EventConverter;
}

const TABLE: Record<EventSubModelKey, EventConverter> = {
  'automod.message.hold@1': erase(toAutomodMessageHoldV1Event),
  'automod.message.hold@2': erase(toAutomodMessageHoldV2Event),
  'automod.message.update@1': erase(toAutomodMessageUpdateV1Event),
  'automod.message.update@2': erase(toAutomodMessageUpdateV2Event),
  'automod.settings.update@1': erase(toAutomodSettingsUpdateEvent),
  'automod.terms.update@1': erase(toAutomodTermsUpdateEvent),
  'channel.ad_break.begin@1': erase(toChannelAdBreakBeginEvent),
  'channel.ban@1': erase(toChannelBanEvent),
  'channel.bits.use@1': erase(toChannelBitsUseEvent),
  'channel.channel_points_automatic_reward_redemption.add@1': erase(
    toChannelPointsAutomaticRewardRedemptionAddV1Event,
  ),
  'channel.channel_points_automatic_reward_redemption.add@2': erase(
    toChannelPointsAutomaticRewardRedemptionAddV2Event,
  ),
  'channel.channel_points_custom_reward.add@1': erase(toChannelPointsCustomRewardAddEvent),
  'channel.channel_points_custom_reward.remove@1': erase(toChannelPointsCustomRewardRemoveEvent),
  'channel.channel_points_custom_reward.update@1': erase(toChannelPointsCustomRewardUpdateEvent),
  'channel.channel_points_custom_reward_redemption.add@1': erase(
    toChannelPointsCustomRewardRedemptionAddEvent,
  ),
  'channel.channel_points_custom_reward_redemption.update@1': erase(
    toChannelPointsCustomRewardRedemptionUpdateEvent,
  ),
  'channel.charity_campaign.donate@1': erase(toChannelCharityCampaignDonateEvent),
  'channel.charity_campaign.progress@1': erase(toChannelCharityCampaignProgressEvent),
  'channel.charity_campaign.start@1': erase(toChannelCharityCampaignStartEvent),
  'channel.charity_campaign.stop@1': erase(toChannelCharityCampaignStopEvent),
  'channel.chat.clear@1': erase(toChannelChatClearEvent),
  'channel.chat.clear_user_messages@1': erase(toChannelChatClearUserMessagesEvent),
  'channel.chat.message@1': erase(toChannelChatMessageEvent),
  'channel.chat.message_delete@1': erase(toChannelChatMessageDeleteEvent),
  'channel.chat.notification@1': erase(toChannelChatNotificationEvent),
  'channel.chat.user_message_hold@1': erase(toChannelChatUserMessageHoldEvent),
  'channel.chat.user_message_update@1': erase(toChannelChatUserMessageUpdateEvent),
  'channel.chat_settings.update@1': erase(toChannelChatSettingsUpdateEvent),
  'channel.cheer@1': erase(toChannelCheerEvent),
  'channel.custom_power_up_redemption.add@1': erase(toChannelCustomPowerUpRedemptionAddEvent),
  'channel.follow@2': erase(toChannelFollowEvent),
  'channel.goal.begin@1': erase(toChannelGoalBeginEvent),
  'channel.goal.end@1': erase(toChannelGoalEndEvent),
  'channel.goal.progress@1': erase(toChannelGoalProgressEvent),
  'channel.guest_star_guest.update@beta': erase(toChannelGuestStarGuestUpdateEvent),
  'channel.guest_star_session.begin@beta': erase(toChannelGuestStarSessionBeginEvent),
  'channel.guest_star_session.end@beta': erase(toChannelGuestStarSessionEndEvent),
  'channel.guest_star_settings.update@beta': erase(toChannelGuestStarSettingsUpdateEvent),
  'channel.hype_train.begin@2': erase(toChannelHypeTrainBeginEvent),
  'channel.hype_train.end@2': erase(toChannelHypeTrainEndEvent),
  'channel.hype_train.progress@2': erase(toChannelHypeTrainProgressEvent),
  'channel.moderate@1': erase(toChannelModerateV1Event),
  'channel.moderate@2': erase(toChannelModerateV2Event),
  'channel.moderator.add@1': erase(toChannelModeratorAddEvent),
  'channel.moderator.remove@1': erase(toChannelModeratorRemoveEvent),
  'channel.poll.begin@1': erase(toChannelPollBeginEvent),
  'channel.poll.end@1': erase(toChannelPollEndEvent),
  'channel.poll.progress@1': erase(toChannelPollProgressEvent),
  'channel.prediction.begin@1': erase(toChannelPredictionBeginEvent),
  'channel.prediction.end@1': erase(toChannelPredictionEndEvent),
  'channel.prediction.lock@1': erase(toChannelPredictionLockEvent),
  'channel.prediction.progress@1': erase(toChannelPredictionProgressEvent),
  'channel.raid@1': erase(toChannelRaidEvent),
  'channel.shared_chat.begin@1': erase(toChannelSharedChatBeginEvent),
  'channel.shared_chat.end@1': erase(toChannelSharedChatEndEvent),
  'channel.shared_chat.update@1': erase(toChannelSharedChatUpdateEvent),
  'channel.shield_mode.begin@1': erase(toChannelShieldModeBeginEvent),
  'channel.shield_mode.end@1': erase(toChannelShieldModeEndEvent),
  'channel.shoutout.create@1': erase(toChannelShoutoutCreateEvent),
  'channel.shoutout.receive@1': erase(toChannelShoutoutReceiveEvent),
  'channel.subscribe@1': erase(toChannelSubscribeEvent),
  'channel.subscription.end@1': erase(toChannelSubscriptionEndEvent),
  'channel.subscription.gift@1': erase(toChannelSubscriptionGiftEvent),
  'channel.subscription.message@1': erase(toChannelSubscriptionMessageEvent),
  'channel.suspicious_user.message@1': erase(toChannelSuspiciousUserMessageEvent),
  'channel.suspicious_user.update@1': erase(toChannelSuspiciousUserUpdateEvent),
  'channel.unban@1': erase(toChannelUnbanEvent),
  'channel.unban_request.create@1': erase(toChannelUnbanRequestCreateEvent),
  'channel.unban_request.resolve@1': erase(toChannelUnbanRequestResolveEvent),
  'channel.update@2': erase(toChannelUpdateEvent),
  'channel.vip.add@1': erase(toChannelVipAddEvent),
  'channel.vip.remove@1': erase(toChannelVipRemoveEvent),
  'channel.warning.acknowledge@1': erase(toChannelWarningAcknowledgeEvent),
  'channel.warning.send@1': erase(toChannelWarningSendEvent),
  'conduit.shard.disabled@1': erase(toConduitShardDisabledEvent),
  'drop.entitlement.grant@1': erase(toDropEntitlementGrantEvent),
  'extension.bits_transaction.create@1': erase(toExtensionBitsTransactionCreateEvent),
  'stream.offline@1': erase(toStreamOfflineEvent),
  'stream.online@1': erase(toStreamOnlineEvent),
  'user.authorization.grant@1': erase(toUserAuthorizationGrantEvent),
  'user.authorization.revoke@1': erase(toUserAuthorizationRevokeEvent),
  'user.update@1': erase(toUserUpdateEvent),
  'user.whisper.message@1': erase(toUserWhisperMessageEvent),
};

/**
 * The dispatch table: `${type}@${version}` → converter. One entry per catalogue type/version (83).
 *
 * @example
 * ```ts
 * EVENT_CONVERTERS.get('channel.follow@2')?.(wireEvent);
 * ```
 */
export const EVENT_CONVERTERS: ReadonlyMap<string, EventConverter> = new Map(Object.entries(TABLE));

/** Types whose notification carries `events[]` instead of `event`. */
const BATCHED = new Set(['drop.entitlement.grant']);

/**
 * `true` when `${type}@${version}` has a model, i.e. when {@link toEventModel} converts its events (otherwise they
 * reach you unconverted, as the generic `notification` event).
 *
 * @example
 * ```ts
 * hasEventModel('channel.follow', '2'); // true
 * hasEventModel('channel.follow', '1'); // false: removed by Twitch
 * ```
 */
export function hasEventModel(type: string, version: string): boolean {
  return (
    typeof type === 'string' && typeof version === 'string' && EVENT_CONVERTERS.has(`${type}@${version}`)
  );
}

/**
 * Converts one wire event into its camelCase model.
 *
 * - Unknown type or version: returns `undefined` (never throws), so new Twitch types still flow to the generic
 *   `notification` event.
 * - Malformed event (not an object, a field of the wrong type, a missing nested object): throws a
 *   {@link ProtocolError} with code `MALFORMED_EVENT`, the type and version in the message and the wire event in
 *   `raw`. Never a `TypeError`.
 *
 * For `drop.entitlement.grant`, pass the notification's `events` array.
 *
 * @example
 * ```ts
 * const follow = toEventModel('channel.follow', '2', payload.event);
 * if (follow) console.log(follow.followedAt.getTime());
 * ```
 */
export function toEventModel<K extends EventSubEventName, V extends EventSubEventMap[K]['version']>(
  type: K,
  version: V,
  wireEvent: unknown,
): EventSubEventOf<K, V> | undefined;
export function toEventModel<K extends EventSubEventName>(
  type: K,
  version: string,
  wireEvent: unknown,
): EventSubEventMap[K] | undefined;
export function toEventModel(type: string, version: string, wireEvent: unknown): EventSubEvent | undefined;
export function toEventModel(type: string, version: string, wireEvent: unknown): EventSubEvent | undefined {
  // Anything but a pair of strings names no model (the notification path below skips this check: its type and
  // version come from a subscription already converted).
  if (typeof type !== 'string' || typeof version !== 'string') return undefined;
  return convertEvent(type, version, wireEvent);
}

/** {@link toEventModel} for a type and version known to be strings (the per-message path). */
function convertEvent(type: string, version: string, wireEvent: unknown): EventSubEvent | undefined {
  const convert = EVENT_CONVERTERS.get(`${type}@${version}`);
  if (convert === undefined) return undefined;
  const batched = BATCHED.has(type);
  if (typeof wireEvent !== 'object' || wireEvent === null || Array.isArray(wireEvent) !== batched) {
    throw new ProtocolError(
      'MALFORMED_EVENT',
      `${type}@${version}: expected ${batched ? 'an events array' : 'an event object'}`,
      wireEvent,
    );
  }
  try {
    return convert(wireEvent);
  } catch (err) {
    const detail = err instanceof TwitchError || err instanceof TypeError ? err.message : String(err);
    throw new ProtocolError('MALFORMED_EVENT', `${type}@${version}: ${detail}`, wireEvent, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Notification envelope
// ---------------------------------------------------------------------------------------------------------------

/** Transport of a subscription, camelCase. */
export type SubscriptionTransport =
  | { readonly method: 'webhook'; readonly callback: string }
  | {
      readonly method: 'websocket';
      readonly sessionId: string;
      readonly connectedAt: Date | null;
      readonly disconnectedAt: Date | null;
    }
  | { readonly method: 'conduit'; readonly conduitId: string };

/** A subscription object, camelCase. Condition keys are camelCased too (`broadcaster_user_id` → `broadcasterUserId`). */
export interface SubscriptionModel {
  readonly id: string;
  readonly type: string;
  readonly version: string;
  readonly status: string;
  readonly cost: number;
  readonly condition: Readonly<Record<string, string>>;
  readonly transport: SubscriptionTransport;
  readonly createdAt: Date;
}

/** The `payload` of a notification, as on the wire (WebSocket `payload`, or the webhook body). */
export interface WireNotificationPayload {
  subscription: WireSubscription;
  event?: unknown;
  events?: unknown[];
}

/**
 * The envelope given to the generic `notification` event: every notification, modelled or not.
 * `raw` (not an own property, like on models) is the wire payload.
 */
export interface Notification<E extends EventSubEvent = EventSubEvent> {
  /** Subscription type. */
  readonly type: string;
  /** Subscription version. */
  readonly version: string;
  readonly subscription: SubscriptionModel;
  /** `metadata.message_id` (WebSocket) or `Twitch-Eventsub-Message-Id` (webhook): the de-duplication key. */
  readonly messageId: string;
  /** `metadata.message_timestamp` or `Twitch-Eventsub-Message-Timestamp`. */
  readonly timestamp: Date;
  /** The model, or `undefined` for types/versions this library does not model. */
  readonly event: E | undefined;
  /** The wire payload (a prototype getter: not in `JSON.stringify`, `Object.keys` or `util.inspect`). */
  readonly raw: WireNotificationPayload;
}

const conditionKeyCache = new Map<string, string>();

function camelKey(key: string): string {
  let out = conditionKeyCache.get(key);
  if (out === undefined) {
    out = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    if (conditionKeyCache.size < 256) conditionKeyCache.set(key, out);
  }
  return out;
}

function malformed(message: string, raw: unknown): never {
  throw new ProtocolError('MALFORMED_EVENT', message, raw);
}

function parseDate(value: unknown, field: string, raw: unknown): Date {
  const ms = typeof value === 'string' ? parseRfc3339(value) : Number.NaN;
  return Number.isNaN(ms) ? malformed(`${field}: expected an RFC 3339 timestamp`, raw) : new Date(ms);
}

function strField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function toTransport(t: WireTransport, raw: unknown): SubscriptionTransport {
  const v = t as Partial<Record<string, unknown>>;
  switch (t.method) {
    case 'webhook':
      return { method: 'webhook', callback: strField(v.callback) };
    case 'conduit':
      return { method: 'conduit', conduitId: strField(v.conduit_id) };
    case 'websocket':
      return {
        method: 'websocket',
        sessionId: strField(v.session_id),
        connectedAt:
          typeof v.connected_at === 'string'
            ? parseDate(v.connected_at, 'transport.connected_at', raw)
            : null,
        disconnectedAt:
          typeof v.disconnected_at === 'string'
            ? parseDate(v.disconnected_at, 'transport.disconnected_at', raw)
            : null,
      };
    default:
      return malformed(`subscription.transport.method: unknown method`, raw);
  }
}

/**
 * Converts a wire subscription object (Helix responses, notifications, revocations) to its camelCase model.
 * Throws `ProtocolError` (`MALFORMED_EVENT`) when a required field is missing or of the wrong type.
 *
 * @example
 * ```ts
 * const sub = toSubscriptionModel(payload.subscription);
 * sub.condition.broadcasterUserId;
 * ```
 */
export function toSubscriptionModel(w: WireSubscription): SubscriptionModel {
  const v = w as unknown as Partial<Record<string, unknown>> | null;
  if (typeof v !== 'object' || v === null) return malformed('subscription: expected an object', w);
  if (typeof v.id !== 'string' || typeof v.type !== 'string' || typeof v.version !== 'string') {
    return malformed('subscription: id, type and version must be strings', w);
  }
  const condition: Record<string, string> = {};
  const wc = v.condition;
  if (typeof wc === 'object' && wc !== null) {
    for (const key of Object.keys(wc)) {
      const value = (wc as Record<string, unknown>)[key];
      if (typeof value === 'string') condition[camelKey(key)] = value;
    }
  }
  const transport = v.transport;
  if (typeof transport !== 'object' || transport === null)
    return malformed('subscription.transport: expected an object', w);
  return {
    id: v.id,
    type: v.type,
    version: v.version,
    status: typeof v.status === 'string' ? v.status : '',
    cost: typeof v.cost === 'number' ? v.cost : 0,
    condition,
    transport: toTransport(transport as WireTransport, w),
    createdAt: parseDate(v.created_at, 'subscription.created_at', w),
  };
}

/** A cached subscription model and the wire fields it was built from. */
interface CachedSubscription {
  readonly status: unknown;
  readonly type: unknown;
  readonly version: unknown;
  readonly cost: unknown;
  readonly createdAt: unknown;
  /** `transport.method` and its target (`conduit_id`, `session_id` or `callback`), compared field by field. */
  readonly method: unknown;
  readonly target: unknown;
  readonly model: SubscriptionModel;
}

/** The target of a wire transport: its conduit, session or callback (`undefined` when none). */
function transportTarget(t: Partial<Record<string, unknown>>): unknown {
  return t.conduit_id ?? t.session_id ?? t.callback;
}

const NO_TRANSPORT = {};

/**
 * Converts notifications like {@link toNotification}, reusing the subscription model of earlier notifications of the
 * same subscription (same id, status, type, version, cost, creation time and transport): a connection carries few
 * subscriptions, each many times, so this saves a model and a date parse per message. The shared models are frozen.
 * The cache is bounded (`maxSubscriptions`, then it starts over).
 *
 * @example
 * ```ts
 * const convert = new NotificationConverter();
 * const n = convert.toNotification(msg.metadata.message_id, msg.metadata.message_timestamp, msg.payload);
 * ```
 */
export class NotificationConverter {
  readonly #subscriptions = new Map<string, CachedSubscription>();
  /** Bound once: no closure per message. */
  readonly #subscriptionOf = (w: WireSubscription): SubscriptionModel => this.#subscription(w);
  readonly #max: number;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `maxSubscriptions`) unless `maxSubscriptions` is a
   *   positive integer.
   */
  constructor(maxSubscriptions = 4096) {
    positiveInteger(maxSubscriptions, 'maxSubscriptions');
    this.#max = maxSubscriptions;
  }

  /** Same result as {@link toNotification}; throws `ProtocolError` (`MALFORMED_EVENT`) on a malformed payload. */
  toNotification(messageId: string, timestamp: string, payload: WireNotificationPayload): Notification {
    return buildNotification(messageId, timestamp, payload, this.#subscriptionOf);
  }

  #subscription(w: WireSubscription): SubscriptionModel {
    const v = w as unknown as Partial<Record<string, unknown>> | null;
    if (typeof v !== 'object' || v === null || typeof v.id !== 'string') return toSubscriptionModel(w);
    const cached = this.#subscriptions.get(v.id);
    // Field by field, no key built per message: a connection carries few subscriptions, each many times.
    const transport = (
      typeof v.transport === 'object' && v.transport !== null ? v.transport : NO_TRANSPORT
    ) as Partial<Record<string, unknown>>;
    if (
      cached !== undefined &&
      cached.status === v.status &&
      cached.type === v.type &&
      cached.version === v.version &&
      cached.cost === v.cost &&
      cached.createdAt === v.created_at &&
      cached.method === transport.method &&
      cached.target === transportTarget(transport)
    ) {
      return cached.model;
    }
    const model = toSubscriptionModel(w);
    Object.freeze(model.condition);
    Object.freeze(model.transport);
    Object.freeze(model);
    if (this.#subscriptions.size >= this.#max) this.#subscriptions.clear();
    this.#subscriptions.set(v.id, {
      status: v.status,
      type: v.type,
      version: v.version,
      cost: v.cost,
      createdAt: v.created_at,
      method: transport.method,
      target: transportTarget(transport),
      model,
    });
    return model;
  }
}

/**
 * Builds the {@link Notification} envelope of one notification. The model is built with {@link toEventModel}:
 * `event` is `undefined` for unknown types/versions; a malformed event of a known type throws `ProtocolError`
 * (`MALFORMED_EVENT`).
 *
 * @param messageId - `metadata.message_id` or the `Twitch-Eventsub-Message-Id` header.
 * @param timestamp - `metadata.message_timestamp` or the `Twitch-Eventsub-Message-Timestamp` header.
 * @param payload - the notification payload (`{ subscription, event }` or `{ subscription, events }`).
 *
 * @example
 * ```ts
 * const n = toNotification(msg.metadata.message_id, msg.metadata.message_timestamp, msg.payload);
 * emitter.emit('notification', n);
 * if (n.event) emitter.emit(n.type, n.event);
 * ```
 */
export function toNotification(
  messageId: string,
  timestamp: string,
  payload: WireNotificationPayload,
): Notification {
  return buildNotification(messageId, timestamp, payload, toSubscriptionModel);
}

/** The envelope shared by {@link toNotification} and {@link NotificationConverter}. */
function buildNotification(
  messageId: string,
  timestamp: string,
  payload: WireNotificationPayload,
  subscriptionOf: (wire: WireSubscription) => SubscriptionModel,
): Notification {
  if (typeof payload !== 'object' || (payload as unknown) === null) {
    return malformed('notification payload: expected an object', payload);
  }
  const subscription = subscriptionOf(payload.subscription);
  const wireEvent = BATCHED.has(subscription.type) ? payload.events : payload.event;
  return new NotificationEnvelope(
    subscription,
    messageId,
    parseDate(timestamp, 'message timestamp', payload),
    convertEvent(subscription.type, subscription.version, wireEvent),
    payload,
  );
}

/**
 * The {@link Notification} envelope: one object per notification, its fields set in the constructor (the same
 * fields and order as a model built with `withRaw`, without building it twice), `raw` on the prototype.
 */
class NotificationEnvelope extends EventSubModel<WireNotificationPayload> implements Notification {
  readonly type: string;
  readonly version: string;
  readonly subscription: SubscriptionModel;
  readonly messageId: string;
  readonly timestamp: Date;
  readonly event: EventSubEvent | undefined;

  constructor(
    subscription: SubscriptionModel,
    messageId: string,
    timestamp: Date,
    event: EventSubEvent | undefined,
    payload: WireNotificationPayload,
  ) {
    super(payload);
    this.type = subscription.type;
    this.version = subscription.version;
    this.subscription = subscription;
    this.messageId = messageId;
    this.timestamp = timestamp;
    this.event = event;
  }
}
