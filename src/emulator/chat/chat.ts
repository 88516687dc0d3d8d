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
import { SharedChats } from './shared.js';

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
  /**
   * During a shared chat session, `true` keeps the message in its own channel (Send Chat Message's
   * `for_source_only`); by default it reaches every participant's channel too. @defaultValue false
   */
  readonly sourceOnly?: boolean | undefined;
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
  /** Messages published in each room since the start (copies of shared chat included), by broadcaster id. */
  readonly published = new Map<string, number>();
  /** Shared chat sessions: a message of one participant's room reaches the others'. */
  readonly shared: SharedChats;
  /** Send rules' memory and drop counters (limits.ts). */
  readonly limits = new ChatSendLimits();
  /** Chat colours chosen through `PUT /helix/chat/color` (`#RRGGBB`), by user id. */
  readonly colors = new Map<string, string>();

  constructor(
    readonly platform: Platform,
    readonly core: EventSubCore,
  ) {
    this.shared = new SharedChats(platform.users, core);
  }

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
    const session = this.shared.of(input.broadcaster.id);
    if (session === undefined) return { messageId, ...this.#deliver(event) };
    const sourceOnly = input.sourceOnly === true;
    event.is_source_only = sourceOnly;
    let { delivered, dropped } = this.#deliver(event);
    if (!sourceOnly) {
      // Twitch delivers the message in every other participant's channel under an id of its own, with the
      // chatter's badges there, and the source channel, message and badges in the source_* fields.
      for (const id of session.participants) {
        if (id === input.broadcaster.id) continue;
        const copyId = randomUUID();
        const target = this.platform.users.byId(id);
        const room = this.room(id);
        room.remember({
          id: copyId,
          userId: input.chatter.id,
          text: input.text,
          at: this.now(),
          threadId,
          threadUserId,
        });
        const copy = this.#deliver({
          ...event,
          broadcaster_user_id: id,
          broadcaster_user_login: target?.login ?? '',
          broadcaster_user_name: target?.display_name ?? '',
          message_id: copyId,
          badges: room.badgesOf(input.chatter.id, input.chatter),
          source_broadcaster_user_id: input.broadcaster.id,
          source_broadcaster_user_login: input.broadcaster.login,
          source_broadcaster_user_name: input.broadcaster.display_name,
          source_message_id: messageId,
          source_badges: event.badges,
        });
        delivered += copy.delivered;
        dropped += copy.dropped;
      }
    }
    return { messageId, delivered, dropped };
  }

  /** Counts `event` in its room and sends it to the `channel.chat.message` subscriptions of its channel. */
  #deliver(event: Record<string, unknown>): TriggerResult {
    const id = event.broadcaster_user_id as string;
    this.published.set(id, (this.published.get(id) ?? 0) + 1);
    return trigger(this.core, {
      type: 'channel.chat.message',
      version: '1',
      condition: { broadcaster_user_id: id },
      event,
    });
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

/** The rooms and shared chat sessions in `emu.state().chat` (snake_case, like the wire). */
export interface ChatRoomsState {
  /** Every room (a channel whose chat was used or given roles). */
  readonly rooms: {
    readonly broadcaster_id: string;
    /** Messages published in the room since the start. */
    readonly messages_published: number;
    /** Messages the room remembers (for replies and deletions), at most 1,000. */
    readonly recent_messages: number;
    readonly moderators: string[];
    readonly vips: string[];
    readonly subscribers: string[];
    /** Banned or timed-out users (at the time of the snapshot). */
    readonly banned: string[];
  }[];
  readonly shared_chats: {
    readonly session_id: string;
    readonly host_id: string;
    readonly participants: string[];
  }[];
}

/** The snapshot of `chat` for `emu.state()`. */
export function chatState(chat: EmulatorChat): ChatRoomsState {
  const now = chat.now();
  return {
    rooms: [...chat.rooms.values()].map((room) => ({
      broadcaster_id: room.broadcasterId,
      messages_published: chat.published.get(room.broadcasterId) ?? 0,
      recent_messages: room.messages.size,
      moderators: [...room.moderators],
      vips: [...room.vips],
      subscribers: [...room.subscribers.keys()],
      banned: [...room.bans.keys()].filter((id) => room.banOf(id, now) !== undefined),
    })),
    shared_chats: chat.shared.sessions().map((s) => ({
      session_id: s.id,
      host_id: s.hostId,
      participants: [...s.participants],
    })),
  };
}
