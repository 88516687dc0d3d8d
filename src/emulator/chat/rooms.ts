/**
 * The emulator's chat rooms: per broadcaster, who holds which role (moderators, VIPs, subscribers), who is banned or
 * timed out, and the recent messages (for replies, deletions and duplicate detection). Shared by the chat routes
 * (send, moderation, settings) and the viewer simulator; the events they produce go out through the EventSub core.
 */
import type { WireChatSettings } from '../../protocol/chat.js';
import type { EmuUserInfo } from '../http/types.js';

/** A channel's chat settings (Get Chat Settings' item without the ids); every mode off at first. */
export type RoomChatSettings = Omit<WireChatSettings, 'broadcaster_id' | 'moderator_id'> & {
  non_moderator_chat_delay: boolean;
  non_moderator_chat_delay_duration: number | null;
};

/** Every mode off: a fresh channel's settings. */
export function defaultChatSettings(): RoomChatSettings {
  return {
    emote_mode: false,
    follower_mode: false,
    follower_mode_duration: null,
    non_moderator_chat_delay: false,
    non_moderator_chat_delay_duration: null,
    slow_mode: false,
    slow_mode_wait_time: null,
    subscriber_mode: false,
    unique_chat_mode: false,
  };
}

/** Messages a room remembers (for replies, deletions, duplicate detection); older ones are forgotten. */
export const ROOM_MESSAGE_MEMORY = 1_000;

/** Chatters a room lists (Get Chatters); past it, the one seen least recently leaves the list. */
export const ROOM_CHATTER_MEMORY = 10_000;

/** A message seen in a room. */
export interface RoomMessage {
  readonly id: string;
  readonly userId: string;
  readonly text: string;
  /** Platform clock, ms. */
  readonly at: number;
  /** The first message of the reply thread this one belongs to (itself when it starts none). */
  readonly threadId: string;
  readonly threadUserId: string;
}

/** A ban (`expiresAt` null) or a timeout. */
export interface RoomBan {
  readonly userId: string;
  readonly moderatorId: string;
  readonly reason: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
}

/** A Twitch chat badge as the wire carries it. */
export interface WireBadge {
  readonly set_id: string;
  readonly id: string;
  readonly info: string;
}

/** One channel's chat. */
export class ChatRoom {
  readonly moderators = new Set<string>();
  readonly vips = new Set<string>();
  /** Subscriber tier (`1000`, `2000`, `3000`) and months, by user id. */
  readonly subscribers = new Map<string, { tier: string; months: number }>();
  readonly bans = new Map<string, RoomBan>();
  /** Recent messages, oldest first (insertion order), at most {@link ROOM_MESSAGE_MEMORY}. */
  readonly messages = new Map<string, RoomMessage>();
  /** Chat settings (emote-only, subscribers-only, slow mode...), changed by `PATCH /helix/chat/settings`. */
  settings: RoomChatSettings = defaultChatSettings();
  /**
   * Who is in the chat (Get Chatters), least recently seen first: whoever sent a message, and
   * `emu.setChatPresence()`; at most {@link ROOM_CHATTER_MEMORY} (change it through {@link join}).
   */
  readonly chatters = new Set<string>();

  constructor(readonly broadcasterId: string) {}

  /** Remembers a message, forgetting the oldest past the bound. */
  remember(message: RoomMessage): void {
    this.messages.set(message.id, message);
    this.join(message.userId);
    if (this.messages.size > ROOM_MESSAGE_MEMORY) {
      const oldest = this.messages.keys().next();
      if (oldest.done !== true) this.messages.delete(oldest.value);
    }
  }

  /** `userId` is in the chat, seen now; past {@link ROOM_CHATTER_MEMORY}, the one seen least recently leaves. */
  join(userId: string): void {
    this.chatters.delete(userId);
    this.chatters.add(userId);
    if (this.chatters.size > ROOM_CHATTER_MEMORY) {
      const oldest = this.chatters.values().next();
      if (oldest.done !== true) this.chatters.delete(oldest.value);
    }
  }

  /** Forgets the messages of `userId` (a ban or timeout clears them). */
  forgetMessagesOf(userId: string): void {
    for (const [id, message] of this.messages) if (message.userId === userId) this.messages.delete(id);
  }

  /** Whether `userId` is the broadcaster or a moderator (elevated chat limits, moderation rights). */
  isElevated(userId: string): boolean {
    return userId === this.broadcasterId || this.moderators.has(userId);
  }

  /** The active ban or timeout of `userId` at `now`, if any (an expired timeout is removed). */
  banOf(userId: string, now: number): RoomBan | undefined {
    const ban = this.bans.get(userId);
    if (ban?.expiresAt != null && ban.expiresAt <= now) {
      this.bans.delete(userId);
      return undefined;
    }
    return ban;
  }

  /** The badges Twitch shows for `userId` in this room, in Twitch's order. */
  badgesOf(userId: string, user: EmuUserInfo | undefined): WireBadge[] {
    const badges: WireBadge[] = [];
    if (user?.type === 'staff') badges.push({ set_id: 'staff', id: '1', info: '' });
    if (userId === this.broadcasterId) badges.push({ set_id: 'broadcaster', id: '1', info: '' });
    else if (this.moderators.has(userId)) badges.push({ set_id: 'moderator', id: '1', info: '' });
    else if (this.vips.has(userId)) badges.push({ set_id: 'vip', id: '1', info: '' });
    const sub = this.subscribers.get(userId);
    if (sub !== undefined) {
      badges.push({
        set_id: 'subscriber',
        id: sub.tier === '1000' ? '0' : sub.tier,
        info: String(sub.months),
      });
    }
    return badges;
  }
}

/** Every room, created on first use. */
export class ChatRooms {
  readonly #rooms = new Map<string, ChatRoom>();

  /** The room of `broadcasterId`, created when missing. */
  room(broadcasterId: string): ChatRoom {
    let room = this.#rooms.get(broadcasterId);
    if (room === undefined) {
      room = new ChatRoom(broadcasterId);
      this.#rooms.set(broadcasterId, room);
    }
    return room;
  }

  /** The room of `broadcasterId` if it exists. */
  find(broadcasterId: string): ChatRoom | undefined {
    return this.#rooms.get(broadcasterId);
  }

  /** Every room, in creation order. */
  values(): IterableIterator<ChatRoom> {
    return this.#rooms.values();
  }
}
