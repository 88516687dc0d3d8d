/**
 * The EventSub catalogue without its wire types: every subscription type and version, their conditions,
 * authorization rules, transports and cost, typed builders, example payloads and the models of their events. The root
 * entry and `twitch-realtime/eventsub` re-export this; the `twitch-realtime/catalogue` entry (./entry.ts) adds the
 * wire types (`Wire*`), which no other entry point exports.
 */
export type {
  AuthorizationSpec,
  CatalogueEntry,
  ConditionCheck,
  ConditionSpec,
  ScopeRequirement,
} from './types.js';
export {
  CATALOGUE,
  CATALOGUE_TABLE,
  getCatalogueEntry,
  getCatalogueVersions,
  isSubscriptionType,
  latestCatalogueEntry,
} from './table.js';
export type {
  ActiveCatalogueRow,
  CatalogueRow,
  CatalogueRowOf,
  SubscriptionType,
  SubscriptionVersion,
} from './table.js';
export { allowedConditionKeys, checkCondition } from './validate.js';
export type { CatalogueErrorCode } from './errors.js';
export {
  MISSING_AUTHORIZATION_MESSAGE,
  checkAuthorization,
  computeCost,
  missingScopes,
  requiredScopeNames,
} from './authorization.js';
export type { AuthorizationCheck, Caller, Grants } from './authorization.js';
export { exampleNotification, exampleSubscribeRequest, generateEvent, listExamples } from './examples.js';
export type { ExampleNotification, GenerateEventOptions, GeneratedEvent, GeneratedUser } from './examples.js';
export {
  fromWireCondition,
  resolveEntry,
  subscription,
  toSubscriptionRequest,
  toWireCondition,
} from './builders.js';
export type { CamelCase, ConditionOf, SubscriptionRequest, SubscriptionSpec } from './builders.js';

// Models: the public shapes only. The per-type wire converters stay internal: `toEventModel` is the way in.
export { NotificationConverter, hasEventModel, toEventModel, toNotification } from './events.js';
export type {
  EventSubEvent,
  EventSubEventMap,
  EventSubEventName,
  EventSubEventOf,
  EventSubModelKey,
  Notification,
  SubscriptionModel,
  SubscriptionTransport,
} from './events.js';
export { EventSubModel } from './models/common.js';
export type {
  Amount,
  Badge,
  Boundary,
  Cheermote,
  EmoteRange,
  EventModel,
  FragmentEmote,
  MessageFragment,
  StructuredMessage,
  TextWithEmotes,
  UserRef,
} from './models/common.js';
export type {
  AutomodHoldReason,
  AutomodMessageHoldV1Event,
  AutomodMessageHoldV2Event,
  AutomodMessageUpdateV1Event,
  AutomodMessageUpdateV2Event,
  AutomodSettingsUpdateEvent,
  AutomodTermsUpdateEvent,
  AutomodV1Fragments,
} from './models/automod.js';
export type {
  ChannelChatClearEvent,
  ChannelChatClearUserMessagesEvent,
  ChannelChatMessageDeleteEvent,
  ChannelChatMessageEvent,
  ChannelChatSettingsUpdateEvent,
  ChannelChatUserMessageHoldEvent,
  ChannelChatUserMessageUpdateEvent,
  ChannelSharedChatBeginEvent,
  ChannelSharedChatEndEvent,
  ChannelSharedChatUpdateEvent,
  ChatReply,
  SharedChatSource,
} from './models/channel-chat.js';
export type {
  ChannelPointsAutomaticRewardRedemptionAddV1Event,
  ChannelPointsAutomaticRewardRedemptionAddV2Event,
  ChannelPointsCustomRewardAddEvent,
  ChannelPointsCustomRewardRedemptionAddEvent,
  ChannelPointsCustomRewardRedemptionUpdateEvent,
  ChannelPointsCustomRewardRemoveEvent,
  ChannelPointsCustomRewardUpdateEvent,
  CustomReward,
  CustomRewardRedemption,
  RewardImage,
  RewardLimit,
} from './models/channel-points.js';
export type {
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
export type {
  ChannelChatNotificationEvent,
  ChatNotice,
  ChatNoticeAnnouncement,
  ChatNoticeBitsBadgeTier,
  ChatNoticeCharityDonation,
  ChatNoticeCommunitySubGift,
  ChatNoticeGifter,
  ChatNoticeModiversary,
  ChatNoticePrimePaidUpgrade,
  ChatNoticeRaid,
  ChatNoticeResub,
  ChatNoticeSub,
  ChatNoticeSubGift,
  ChatNoticeUnknown,
  ChatNoticeUnraid,
  ChatNoticeWatchStreak,
} from './models/chat-notification.js';
export type {
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
  Charity,
  HypeTrainContribution,
} from './models/engagement.js';
export type {
  ChannelGuestStarGuestUpdateEvent,
  ChannelGuestStarSessionBeginEvent,
  ChannelGuestStarSessionEndEvent,
  ChannelGuestStarSettingsUpdateEvent,
} from './models/guest-star.js';
export type {
  ChannelModerateV1Event,
  ChannelModerateV2Event,
  ModerateAutomodTermsAction,
  ModerateBanAction,
  ModerateDeleteAction,
  ModerateDetailsV1,
  ModerateDetailsV2,
  ModerateFollowersAction,
  ModerateRaidAction,
  ModerateSlowAction,
  ModerateTimeoutAction,
  ModerateUnbanRequestAction,
  ModerateUserAction,
  ModerateWarnAction,
} from './models/moderate.js';
export type {
  ChannelBanEvent,
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
export type {
  ConduitShardDisabledEvent,
  DropEntitlement,
  DropEntitlementGrantEvent,
  StreamOfflineEvent,
  StreamOnlineEvent,
  UserAuthorizationGrantEvent,
  UserAuthorizationRevokeEvent,
  UserUpdateEvent,
  UserWhisperMessageEvent,
} from './models/platform.js';
export type {
  ChannelPollBeginEvent,
  ChannelPollEndEvent,
  ChannelPollProgressEvent,
  ChannelPredictionBeginEvent,
  ChannelPredictionEndEvent,
  ChannelPredictionLockEvent,
  ChannelPredictionProgressEvent,
  PollChoice,
  PollVoting,
  PredictionOutcome,
  TopPredictor,
} from './models/polls-predictions.js';
export type {
  BitsCustomPowerUp,
  BitsPowerUp,
  ChannelBitsUseEvent,
  ChannelCheerEvent,
  ChannelCustomPowerUpRedemptionAddEvent,
  ChannelSubscribeEvent,
  ChannelSubscriptionEndEvent,
  ChannelSubscriptionGiftEvent,
  ChannelSubscriptionMessageEvent,
  CustomPowerUp,
  ExtensionBitsTransactionCreateEvent,
} from './models/subscriptions.js';
