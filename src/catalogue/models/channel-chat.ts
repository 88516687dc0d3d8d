/** Models of the chat family: `channel.chat.*`, `channel.chat_settings.update`, `channel.shared_chat.*`. */
import type {
  WireChannelChatClearEvent,
  WireChannelChatClearUserMessagesEvent,
  WireChannelChatMessageDeleteEvent,
  WireChannelChatMessageEvent,
  WireChannelChatSettingsUpdateEvent,
  WireChannelChatUserMessageHoldEvent,
  WireChannelChatUserMessageUpdateEvent,
  WireChannelSharedChatBeginEvent,
  WireChannelSharedChatEndEvent,
  WireChannelSharedChatUpdateEvent,
  WireChatReply,
} from '../wire/channel-chat.js';
import { defineEvent } from '../define.js';
import type { Badge, EventModel, StructuredMessage, UserRef } from './common.js';
import {
  bool,
  boolN,
  broadcasterRefsN,
  num,
  numN,
  str,
  text,
  toBadgesN,
  toMessage,
  user,
  userN,
  withRaw,
} from './common.js';

/** Model of `channel.chat.clear` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatClearEvent extends EventModel<
  'channel.chat.clear',
  '1',
  WireChannelChatClearEvent
> {
  readonly broadcaster: UserRef;
}
export const channelChatClearEventDefinition = defineEvent(
  'channel.chat.clear',
  '1',
  toChannelChatClearEvent,
);

/** Model of `channel.chat.clear_user_messages` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatClearUserMessagesEvent extends EventModel<
  'channel.chat.clear_user_messages',
  '1',
  WireChannelChatClearUserMessagesEvent
> {
  readonly broadcaster: UserRef;
  readonly targetUser: UserRef;
}
export const channelChatClearUserMessagesEventDefinition = defineEvent(
  'channel.chat.clear_user_messages',
  '1',
  toChannelChatClearUserMessagesEvent,
);

/** Reply metadata of a chat message. */
export interface ChatReply {
  readonly parentMessageId: string;
  readonly parentMessageBody: string;
  readonly parentUser: UserRef;
  readonly threadMessageId: string;
  readonly threadUser: UserRef;
}

/** Fields common to chat events that may come from another channel of a shared chat session. */
export interface SharedChatSource {
  /** Channel the message was sent in, `null` when it is the broadcaster's own channel. */
  readonly sourceBroadcaster: UserRef | null;
  readonly sourceMessageId: string | null;
  readonly sourceBadges: readonly Badge[] | null;
}

/** Model of `channel.chat.message` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatMessageEvent
  extends EventModel<'channel.chat.message', '1', WireChannelChatMessageEvent>, SharedChatSource {
  readonly broadcaster: UserRef;
  readonly chatter: UserRef;
  readonly messageId: string;
  readonly message: StructuredMessage;
  /** `text`, `channel_points_highlighted`, `channel_points_sub_only`, `user_intro`, `power_ups_*`. */
  readonly messageType: string;
  readonly badges: readonly Badge[];
  /** Hex color, `null` when the chatter never set one (Twitch sends `""`). */
  readonly color: string | null;
  /** Bits cheered with the message, `null` when none. */
  readonly cheerBits: number | null;
  readonly reply: ChatReply | null;
  readonly channelPointsCustomRewardId: string | null;
  /** Animation id of an "animated message" power-up, `null` otherwise. */
  readonly channelPointsAnimationId: string | null;
  /** `true` when the message was only sent to the source channel of a shared chat session. */
  readonly isSourceOnly: boolean | null;
}
export const channelChatMessageEventDefinition = defineEvent(
  'channel.chat.message',
  '1',
  toChannelChatMessageEvent,
);

/** Model of `channel.chat.message_delete` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatMessageDeleteEvent extends EventModel<
  'channel.chat.message_delete',
  '1',
  WireChannelChatMessageDeleteEvent
> {
  readonly broadcaster: UserRef;
  readonly targetUser: UserRef;
  readonly messageId: string;
}
export const channelChatMessageDeleteEventDefinition = defineEvent(
  'channel.chat.message_delete',
  '1',
  toChannelChatMessageDeleteEvent,
);

/** Model of `channel.chat.user_message_hold` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatUserMessageHoldEvent extends EventModel<
  'channel.chat.user_message_hold',
  '1',
  WireChannelChatUserMessageHoldEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly messageId: string;
  readonly message: StructuredMessage;
}
export const channelChatUserMessageHoldEventDefinition = defineEvent(
  'channel.chat.user_message_hold',
  '1',
  toChannelChatUserMessageHoldEvent,
);

/** Model of `channel.chat.user_message_update` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatUserMessageUpdateEvent extends EventModel<
  'channel.chat.user_message_update',
  '1',
  WireChannelChatUserMessageUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  /** `approved`, `denied` or `invalid`. */
  readonly status: string;
  readonly messageId: string;
  readonly message: StructuredMessage;
}
export const channelChatUserMessageUpdateEventDefinition = defineEvent(
  'channel.chat.user_message_update',
  '1',
  toChannelChatUserMessageUpdateEvent,
);

/** Model of `channel.chat_settings.update` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelChatSettingsUpdateEvent extends EventModel<
  'channel.chat_settings.update',
  '1',
  WireChannelChatSettingsUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly emoteMode: boolean;
  readonly followerMode: boolean;
  /** `null` when follower mode is off. */
  readonly followerModeDurationMinutes: number | null;
  readonly slowMode: boolean;
  /** `null` when slow mode is off. */
  readonly slowModeWaitTimeSeconds: number | null;
  readonly subscriberMode: boolean;
  readonly uniqueChatMode: boolean;
}
export const channelChatSettingsUpdateEventDefinition = defineEvent(
  'channel.chat_settings.update',
  '1',
  toChannelChatSettingsUpdateEvent,
);

/** A shared chat session event. */
interface SharedChatSessionBase {
  readonly broadcaster: UserRef;
  readonly sessionId: string;
  readonly host: UserRef;
}
/** Model of `channel.shared_chat.begin` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSharedChatBeginEvent
  extends
    EventModel<'channel.shared_chat.begin', '1', WireChannelSharedChatBeginEvent>,
    SharedChatSessionBase {
  readonly participants: readonly UserRef[];
}
export const channelSharedChatBeginEventDefinition = defineEvent(
  'channel.shared_chat.begin',
  '1',
  toChannelSharedChatBeginEvent,
);
/** Model of `channel.shared_chat.update` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSharedChatUpdateEvent
  extends
    EventModel<'channel.shared_chat.update', '1', WireChannelSharedChatUpdateEvent>,
    SharedChatSessionBase {
  readonly participants: readonly UserRef[];
}
export const channelSharedChatUpdateEventDefinition = defineEvent(
  'channel.shared_chat.update',
  '1',
  toChannelSharedChatUpdateEvent,
);
/** Model of `channel.shared_chat.end` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelSharedChatEndEvent
  extends EventModel<'channel.shared_chat.end', '1', WireChannelSharedChatEndEvent>, SharedChatSessionBase {}
export const channelSharedChatEndEventDefinition = defineEvent(
  'channel.shared_chat.end',
  '1',
  toChannelSharedChatEndEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** Converts `channel.chat.clear` v1. */
function toChannelChatClearEvent(w: WireChannelChatClearEvent): ChannelChatClearEvent {
  return withRaw(
    {
      type: 'channel.chat.clear',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
    },
    w,
  );
}

/** Converts `channel.chat.clear_user_messages` v1. */
function toChannelChatClearUserMessagesEvent(
  w: WireChannelChatClearUserMessagesEvent,
): ChannelChatClearUserMessagesEvent {
  return withRaw(
    {
      type: 'channel.chat.clear_user_messages',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      targetUser: user(w.target_user_id, w.target_user_login, w.target_user_name, 'target_user'),
    },
    w,
  );
}

function toReplyN(r: WireChatReply | null | undefined): ChatReply | null {
  if (r === null || r === undefined) return null;
  return {
    parentMessageId: str(r.parent_message_id, 'reply.parent_message_id'),
    parentMessageBody: str(r.parent_message_body, 'reply.parent_message_body'),
    parentUser: user(r.parent_user_id, r.parent_user_login, r.parent_user_name, 'reply.parent_user'),
    threadMessageId: str(r.thread_message_id, 'reply.thread_message_id'),
    threadUser: user(r.thread_user_id, r.thread_user_login, r.thread_user_name, 'reply.thread_user'),
  };
}

/** Converts `channel.chat.message` v1. */
function toChannelChatMessageEvent(w: WireChannelChatMessageEvent): ChannelChatMessageEvent {
  return withRaw(
    {
      type: 'channel.chat.message',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      chatter: user(w.chatter_user_id, w.chatter_user_login, w.chatter_user_name, 'chatter_user'),
      messageId: str(w.message_id, 'message_id'),
      message: toMessage(w.message, 'message'),
      messageType: str(w.message_type, 'message_type'),
      badges: toBadgesN(w.badges, 'badges') ?? [],
      color: text(w.color, 'color'),
      cheerBits: w.cheer ? num(w.cheer.bits, 'cheer.bits') : null,
      reply: toReplyN(w.reply),
      channelPointsCustomRewardId: text(w.channel_points_custom_reward_id, 'channel_points_custom_reward_id'),
      channelPointsAnimationId: text(w.channel_points_animation_id, 'channel_points_animation_id'),
      sourceBroadcaster: userN(
        w.source_broadcaster_user_id,
        w.source_broadcaster_user_login,
        w.source_broadcaster_user_name,
        'source_broadcaster_user',
      ),
      sourceMessageId: text(w.source_message_id, 'source_message_id'),
      sourceBadges: toBadgesN(w.source_badges, 'source_badges'),
      isSourceOnly: boolN(w.is_source_only, 'is_source_only'),
    },
    w,
  );
}

/** Converts `channel.chat.message_delete` v1. */
function toChannelChatMessageDeleteEvent(
  w: WireChannelChatMessageDeleteEvent,
): ChannelChatMessageDeleteEvent {
  return withRaw(
    {
      type: 'channel.chat.message_delete',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      targetUser: user(w.target_user_id, w.target_user_login, w.target_user_name, 'target_user'),
      messageId: str(w.message_id, 'message_id'),
    },
    w,
  );
}

/** Converts `channel.chat.user_message_hold` v1. */
function toChannelChatUserMessageHoldEvent(
  w: WireChannelChatUserMessageHoldEvent,
): ChannelChatUserMessageHoldEvent {
  return withRaw(
    {
      type: 'channel.chat.user_message_hold',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      user: user(w.user_id, w.user_login, w.user_name, 'user'),
      messageId: str(w.message_id, 'message_id'),
      message: toMessage(w.message, 'message'),
    },
    w,
  );
}

/** Converts `channel.chat.user_message_update` v1. */
function toChannelChatUserMessageUpdateEvent(
  w: WireChannelChatUserMessageUpdateEvent,
): ChannelChatUserMessageUpdateEvent {
  return withRaw(
    {
      type: 'channel.chat.user_message_update',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      user: user(w.user_id, w.user_login, w.user_name, 'user'),
      status: str(w.status, 'status'),
      messageId: str(w.message_id, 'message_id'),
      message: toMessage(w.message, 'message'),
    },
    w,
  );
}

/** Converts `channel.chat_settings.update` v1. */
function toChannelChatSettingsUpdateEvent(
  w: WireChannelChatSettingsUpdateEvent,
): ChannelChatSettingsUpdateEvent {
  return withRaw(
    {
      type: 'channel.chat_settings.update',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      emoteMode: bool(w.emote_mode, 'emote_mode'),
      followerMode: bool(w.follower_mode, 'follower_mode'),
      followerModeDurationMinutes: numN(w.follower_mode_duration_minutes, 'follower_mode_duration_minutes'),
      slowMode: bool(w.slow_mode, 'slow_mode'),
      slowModeWaitTimeSeconds: numN(w.slow_mode_wait_time_seconds, 'slow_mode_wait_time_seconds'),
      subscriberMode: bool(w.subscriber_mode, 'subscriber_mode'),
      uniqueChatMode: bool(w.unique_chat_mode, 'unique_chat_mode'),
    },
    w,
  );
}

/** Converts `channel.shared_chat.begin` v1. */
function toChannelSharedChatBeginEvent(w: WireChannelSharedChatBeginEvent): ChannelSharedChatBeginEvent {
  return withRaw(
    {
      type: 'channel.shared_chat.begin',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      sessionId: str(w.session_id, 'session_id'),
      host: user(
        w.host_broadcaster_user_id,
        w.host_broadcaster_user_login,
        w.host_broadcaster_user_name,
        'host_broadcaster_user',
      ),
      participants: broadcasterRefsN(w.participants, 'participants') ?? [],
    },
    w,
  );
}

/** Converts `channel.shared_chat.update` v1. */
function toChannelSharedChatUpdateEvent(w: WireChannelSharedChatUpdateEvent): ChannelSharedChatUpdateEvent {
  return withRaw(
    {
      type: 'channel.shared_chat.update',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      sessionId: str(w.session_id, 'session_id'),
      host: user(
        w.host_broadcaster_user_id,
        w.host_broadcaster_user_login,
        w.host_broadcaster_user_name,
        'host_broadcaster_user',
      ),
      participants: broadcasterRefsN(w.participants, 'participants') ?? [],
    },
    w,
  );
}

/** Converts `channel.shared_chat.end` v1. */
function toChannelSharedChatEndEvent(w: WireChannelSharedChatEndEvent): ChannelSharedChatEndEvent {
  return withRaw(
    {
      type: 'channel.shared_chat.end',
      version: '1',
      broadcaster: user(
        w.broadcaster_user_id,
        w.broadcaster_user_login,
        w.broadcaster_user_name,
        'broadcaster_user',
      ),
      sessionId: str(w.session_id, 'session_id'),
      host: user(
        w.host_broadcaster_user_id,
        w.host_broadcaster_user_login,
        w.host_broadcaster_user_name,
        'host_broadcaster_user',
      ),
    },
    w,
  );
}
