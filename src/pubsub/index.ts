/**
 * `twitch-realtime/pubsub`: the legacy PubSub connection pool, its topics, models and events. Twitch shut PubSub
 * down on 2025-04-14; use it against the emulator or a PubSub-compatible server, and EventSub for Twitch itself.
 */
export { PubSubPool } from './pool.js';
/** Re-exported so the pool can be used on its own: `new PubSubPool(new TypedEmitter<PubSubEvents>())`. */
export { TypedEmitter } from '../core/emitter.js';
export type { PubSubPoolOptions } from './pool-options.js';
export { PubSubConnection } from './connection.js';
export {
  Topic,
  automodQueue,
  bits,
  bitsBadge,
  channelPoints,
  channelSubscriptions,
  lowTrustUsers,
  moderationUserAction,
  userModerationNotifications,
  whispers,
} from './topics.js';
export type { TopicId } from './topics.js';
export {
  PoolFullError,
  PubSubConnectionError,
  PubSubHookError,
  PubSubResponseError,
  PubSubSubscribeTimeoutError,
  ReconnectHookLimitError,
  TopicGroupTooLargeError,
} from './errors.js';
export type { PubSubConnectionErrorCode, PubSubErrorCode } from './errors.js';
export type { PubSubConnectionInfo, PubSubEventSink, PubSubEvents, PubSubNonceEvent } from './events.js';
export { decodePubSubMessage } from './decode.js';
// Every model type, by name (the module's internal decoder is not public).
export type {
  DecodedPubSubMessage,
  PubSubBadgeEntitlement,
  PubSubBitsBadgeMessage,
  PubSubBitsMessage,
  PubSubChannelPointsMessage,
  PubSubChannelSubscribe,
  PubSubChatMessage,
  PubSubCustomReward,
  PubSubEmote,
  PubSubMessage,
  PubSubModelled,
  PubSubModerationAction,
  PubSubModerationActionBanRequest,
  PubSubModerationActionChannelTerms,
  PubSubModerationActionModeratorAdd,
  PubSubModerationActionModeratorRemove,
  PubSubModerationActionOther,
  PubSubModerationActionRoleChange,
  PubSubModerationEvent,
  PubSubRewardImage,
  PubSubUser,
  PubSubWhisper,
  PubSubWhisperUser,
} from './models.js';
export { PUBSUB_LIMITS, PUBSUB_TOPICS, TWITCH_PUBSUB_URL, parseTopicString } from '../protocol/pubsub.js';
export type {
  PubSubClientFrame,
  PubSubResponseErrorCode,
  PubSubServerFrame,
  PubSubTopicDefinition,
} from '../protocol/pubsub.js';
