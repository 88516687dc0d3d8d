/**
 * The emulator's chat: rooms (rooms.ts) and the one path by which a chat message becomes `channel.chat.message`
 * notifications, whoever wrote it (a bot through Helix, a simulated viewer through `emu.chat()`). Twitch echoes a
 * sent message to every subscription of the channel's chat, the sender's own included; so does this.
 */
import { randomUUID } from 'node:crypto';
import type { EventSubCore } from '../eventsub/core.js';
import { trigger, type TriggerResult } from '../eventsub/trigger.js';
import type { EmuUserInfo, Platform } from '../http/types.js';
import { ChatSendLimits } from './limits.js';
import { ChatRooms, type ChatRoom, type RoomMessage, type WireBadge } from './rooms.js';

/** A message to publish in a room. */
export interface PublishInput {
  readonly broadcaster: EmuUserInfo;
  readonly chatter: EmuUserInfo;
  readonly text: string;
  /** The message replied to (from the room's memory). */
  readonly replyTo?: RoomMessage | undefined;
  /** Badges; default: those the room gives the chatter. */
  readonly badges?: readonly WireBadge[] | undefined;
  /** Hex colour; default: the one the chatter chose (`PUT /helix/chat/color`), `''` when never set. */
  readonly color?: string | undefined;
  /** More wire fields merged over the event (message fragments, cheer, shared chat source...). */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
}

/** What a published message became. */
export interface Published extends TriggerResult {
  readonly messageId: string;
}

/** One text fragment (no emote, cheermote or mention). */
function textFragment(text: string): Record<string, unknown> {
  return { type: 'text', text, cheermote: null, emote: null, mention: null };
}

/** Chat state and message publication. */
export class EmulatorChat {
  readonly rooms = new ChatRooms();
  /** Send rules' memory and drop counters (limits.ts). */
  readonly limits = new ChatSendLimits();
  /** Chat colours chosen through `PUT /helix/chat/color` (`#RRGGBB`), by user id. */
  readonly colors = new Map<string, string>();

  constructor(
    readonly platform: Platform,
    readonly core: EventSubCore,
  ) {}

  /** The platform's clock, ms. */
  now(): number {
    return this.platform.now();
  }

  /** The room of `broadcasterId`. */
  room(broadcasterId: string): ChatRoom {
    return this.rooms.room(broadcasterId);
  }

  /**
   * Publishes a message: remembers it in the room and sends `channel.chat.message` to every enabled subscription
   * whose condition names the broadcaster (whatever its `user_id`).
   */
  publish(input: PublishInput): Published {
    const room = this.room(input.broadcaster.id);
    const messageId = randomUUID();
    const parent = input.replyTo;
    const threadId = parent?.threadId ?? messageId;
    const threadUserId = parent?.threadUserId ?? input.chatter.id;
    room.remember({
      id: messageId,
      userId: input.chatter.id,
      text: input.text,
      at: this.now(),
      threadId,
      threadUserId,
    });
    const event: Record<string, unknown> = {
      broadcaster_user_id: input.broadcaster.id,
      broadcaster_user_login: input.broadcaster.login,
      broadcaster_user_name: input.broadcaster.display_name,
      chatter_user_id: input.chatter.id,
      chatter_user_login: input.chatter.login,
      chatter_user_name: input.chatter.display_name,
      message_id: messageId,
      message: { text: input.text, fragments: [textFragment(input.text)] },
      color: input.color ?? this.colors.get(input.chatter.id) ?? '',
      badges: input.badges ?? room.badgesOf(input.chatter.id, input.chatter),
      message_type: 'text',
      cheer: null,
      reply: parent === undefined ? null : this.#reply(parent, threadId, threadUserId),
      channel_points_custom_reward_id: null,
      channel_points_animation_id: null,
      source_broadcaster_user_id: null,
      source_broadcaster_user_login: null,
      source_broadcaster_user_name: null,
      source_message_id: null,
      source_badges: null,
      is_source_only: null,
      ...input.extra,
    };
    const result = trigger(this.core, {
      type: 'channel.chat.message',
      version: '1',
      condition: { broadcaster_user_id: input.broadcaster.id },
      event,
    });
    return { messageId, ...result };
  }

  #reply(parent: RoomMessage, threadId: string, threadUserId: string): Record<string, unknown> {
    const users = this.platform.users;
    const parentUser = users.byId(parent.userId);
    const threadUser = users.byId(threadUserId);
    return {
      parent_message_id: parent.id,
      parent_message_body: parent.text,
      parent_user_id: parent.userId,
      parent_user_login: parentUser?.login ?? '',
      parent_user_name: parentUser?.display_name ?? '',
      thread_message_id: threadId,
      thread_user_id: threadUserId,
      thread_user_login: threadUser?.login ?? '',
      thread_user_name: threadUser?.display_name ?? '',
    };
  }
}
