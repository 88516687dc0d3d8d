/**
 * Typed models of PubSub messages (camelCase, `Date` for times), decoded from the JSON string in
 * `MESSAGE.data.message`. Decoding never throws: a payload of an unexpected shape yields a {@link ProtocolError}
 * next to the generic {@link PubSubMessage}.
 */
import type { ProtocolError } from '../core/errors.js';

/** A user as PubSub payloads describe it. `login` / `displayName` are `null` when the payload omits them. */
export interface PubSubUser {
  readonly id: string;
  readonly login: string | null;
  readonly displayName: string | null;
}

/** Every message, modelled or not (`pubsub_message`). */
export interface PubSubMessage {
  /** The full topic string, e.g. `channel-bits-events-v2.12345`. */
  readonly topic: string;
  /** The topic family, e.g. `channel-bits-events-v2`. */
  readonly topicName: string;
  /** The decoded inner JSON, or the raw string when it is not JSON. */
  readonly data: unknown;
}

/** The chat message sent with bits (TwitchIO's `PubSubChatMessage`). */
export interface PubSubChatMessage {
  readonly content: string;
  /** The event's message id. */
  readonly id: string;
  /** The event's message type, e.g. `bits_event`. */
  readonly type: string;
}

/** A bits badge upgrade carried by a cheer. */
export interface PubSubBadgeEntitlement {
  readonly new: number;
  readonly old: number;
}

/** A cheer (`pubsub_bits`, topic `channel-bits-events-v2`/`-v1`). */
export interface PubSubBitsMessage {
  readonly topic: string;
  readonly version: string;
  readonly messageId: string;
  readonly messageType: string;
  readonly channelId: string;
  readonly channelLogin: string | null;
  /** The cheerer; `null` when anonymous. */
  readonly user: PubSubUser | null;
  readonly isAnonymous: boolean;
  readonly bitsUsed: number;
  readonly totalBitsUsed: number;
  readonly context: string;
  readonly time: Date;
  readonly message: PubSubChatMessage;
  readonly badgeEntitlement: PubSubBadgeEntitlement | null;
}

/** A bits badge tier unlock (`pubsub_bits_badge`). */
export interface PubSubBitsBadgeMessage {
  readonly topic: string;
  readonly user: PubSubUser;
  readonly channelId: string;
  readonly channelLogin: string | null;
  readonly badgeTier: number;
  /** The message the user shared in chat, if any. */
  readonly message: string | null;
  readonly time: Date;
}

/** Image URLs of a custom reward. */
export interface PubSubRewardImage {
  readonly url1x: string;
  readonly url2x: string;
  readonly url4x: string;
}

/** The custom reward of a redemption (TwitchIO's `CustomReward`). */
export interface PubSubCustomReward {
  readonly id: string;
  readonly channelId: string;
  readonly title: string;
  readonly prompt: string;
  readonly cost: number;
  readonly isUserInputRequired: boolean;
  readonly isSubOnly: boolean;
  readonly image: PubSubRewardImage | null;
  readonly defaultImage: PubSubRewardImage | null;
  readonly backgroundColor: string;
  readonly isEnabled: boolean;
  readonly isPaused: boolean;
  readonly isInStock: boolean;
  readonly maxPerStream: { readonly isEnabled: boolean; readonly max: number };
  readonly maxPerUserPerStream: { readonly isEnabled: boolean; readonly max: number };
  readonly globalCooldown: { readonly isEnabled: boolean; readonly seconds: number };
  readonly shouldRedemptionsSkipRequestQueue: boolean;
  readonly redemptionsRedeemedCurrentStream: number | null;
  readonly cooldownExpiresAt: Date | null;
}

/** A channel points redemption (`pubsub_channel_points`; types `reward-redeemed` and `redemption-status-update`). */
export interface PubSubChannelPointsMessage {
  readonly topic: string;
  readonly type: string;
  readonly timestamp: Date;
  /** The redemption id. */
  readonly id: string;
  readonly channelId: string;
  readonly user: PubSubUser;
  readonly reward: PubSubCustomReward;
  readonly input: string | null;
  /** `UNFULFILLED`, `FULFILLED` or `CANCELED`. */
  readonly status: string;
  readonly redeemedAt: Date;
}

/** An emote position in a message. */
export interface PubSubEmote {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** A subscription, resubscription or gift (`pubsub_subscription`). */
export interface PubSubChannelSubscribe {
  readonly topic: string;
  /** `sub`, `resub`, `subgift`, `anonsubgift`, `resubgift` or `anonresubgift`. */
  readonly context: string;
  /** The subscriber, or the gifter for gifts; `null` for anonymous gifts. */
  readonly user: PubSubUser | null;
  readonly channelId: string;
  readonly channelLogin: string | null;
  readonly time: Date;
  /** `1000`, `2000`, `3000` or `Prime`. */
  readonly subPlan: string;
  readonly subPlanName: string;
  readonly cumulativeMonths: number | null;
  readonly streakMonths: number | null;
  readonly months: number | null;
  readonly isGift: boolean;
  readonly multiMonthDuration: number | null;
  readonly benefitEndMonth: number | null;
  /** The gift recipient; `null` unless a gift. */
  readonly recipient: PubSubUser | null;
  readonly message: { readonly text: string; readonly emotes: readonly PubSubEmote[] };
}

/** Fields shared by the moderation models. */
interface ModerationBase {
  readonly topic: string;
}

/** A moderation command (`ban`, `timeout`, `delete`, `slow`, …). */
export interface PubSubModerationAction extends ModerationBase {
  readonly kind: 'moderation_action';
  /** `chat_login_moderation`, `chat_channel_moderation` or `chat_targeted_login_moderation`. */
  readonly moderationType: string;
  readonly action: string;
  readonly args: readonly string[];
  readonly createdBy: PubSubUser | null;
  readonly messageId: string | null;
  readonly target: PubSubUser | null;
  readonly fromAutomod: boolean;
}

/** An unban request approved or denied. */
export interface PubSubModerationActionBanRequest extends ModerationBase {
  readonly kind: 'approve_unban_request' | 'deny_unban_request';
  readonly action: string;
  readonly moderatorMessage: string;
  readonly createdBy: PubSubUser;
  readonly target: PubSubUser;
}

/** A blocked/permitted term added or removed. */
export interface PubSubModerationActionChannelTerms extends ModerationBase {
  readonly kind: 'channel_terms_action';
  /** e.g. `add_blocked_term`, `delete_permitted_term`. */
  readonly type: string;
  readonly channelId: string;
  readonly id: string;
  readonly text: string;
  readonly requester: PubSubUser;
  readonly expiresAt: Date | null;
  readonly updatedAt: Date | null;
  readonly fromAutomod: boolean;
}

/** A moderator or VIP added or removed. */
export interface PubSubModerationActionRoleChange extends ModerationBase {
  readonly kind: 'moderator_added' | 'moderator_removed' | 'vip_added' | 'vip_removed';
  readonly channelId: string;
  /** `mod`, `unmod`, `vip`, `unvip`. */
  readonly action: string;
  readonly target: PubSubUser;
  readonly createdBy: PubSubUser;
}

/** A moderator added (TwitchIO's `PubSubModerationActionModeratorAdd`). */
export type PubSubModerationActionModeratorAdd = PubSubModerationActionRoleChange & {
  readonly kind: 'moderator_added';
};
/** A moderator removed. */
export type PubSubModerationActionModeratorRemove = PubSubModerationActionRoleChange & {
  readonly kind: 'moderator_removed';
};

/** Any other `chat_moderator_actions` message type, passed through undecoded. */
export interface PubSubModerationActionOther extends ModerationBase {
  readonly kind: 'other';
  readonly type: string;
  readonly data: unknown;
}

/** What `pubsub_moderation` carries; switch on `kind`. */
export type PubSubModerationEvent =
  | PubSubModerationAction
  | PubSubModerationActionBanRequest
  | PubSubModerationActionChannelTerms
  | PubSubModerationActionRoleChange
  | PubSubModerationActionOther;

/** A participant of a whisper. */
export interface PubSubWhisperUser {
  readonly id: string;
  readonly login: string | null;
  readonly displayName: string | null;
  readonly color: string | null;
  readonly badges: readonly { readonly id: string; readonly version: string }[];
}

/** A whisper sent or received (`pubsub_whisper`). TwitchIO has no such model. */
export interface PubSubWhisper {
  readonly topic: string;
  /** `whisper_received` or `whisper_sent`. */
  readonly type: string;
  readonly id: string;
  readonly messageId: string | null;
  readonly threadId: string;
  readonly body: string;
  readonly sentAt: Date;
  readonly sender: PubSubWhisperUser;
  readonly recipient: PubSubWhisperUser;
  readonly emotes: readonly PubSubEmote[];
  readonly nonce: string | null;
}

/** A modelled message and the event that carries it. */
export type PubSubModelled =
  | { readonly event: 'pubsub_bits'; readonly model: PubSubBitsMessage }
  | { readonly event: 'pubsub_bits_badge'; readonly model: PubSubBitsBadgeMessage }
  | { readonly event: 'pubsub_channel_points'; readonly model: PubSubChannelPointsMessage }
  | { readonly event: 'pubsub_subscription'; readonly model: PubSubChannelSubscribe }
  | { readonly event: 'pubsub_moderation'; readonly model: PubSubModerationEvent }
  | { readonly event: 'pubsub_whisper'; readonly model: PubSubWhisper };

/** The result of {@link decodePubSubMessage}. */
export interface DecodedPubSubMessage {
  readonly message: PubSubMessage;
  /** The typed model, or `null` for topics/types without a model or when decoding failed. */
  readonly modelled: PubSubModelled | null;
  /** Why decoding failed (code `PUBSUB_UNEXPECTED_PAYLOAD`), or `null`. */
  readonly error: ProtocolError | null;
}

// The decoders live in decode.ts (field readers in decode-fields.ts); re-exported here, where they always were.
export { decodeMessage, decodePubSubMessage } from './decode.js';
