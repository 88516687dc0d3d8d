/**
 * The seam between the command framework and the bot that runs it: what a command's context can do in the chat it
 * was invoked from. The `AutoBot` implements it over Helix (its per-channel send queue, the moderation endpoints);
 * tests of the framework alone may implement it in memory.
 */
import type { SendChatMessageResult } from '../helix/endpoints/chat.js';
import type { AnnouncementColor } from '../protocol/chat.js';

/** Twitch's answer to a message the bot sent (or queued and then sent): sent with its id, or dropped with a reason. */
export type ChatSendResult = SendChatMessageResult;

/**
 * What a command can do in a channel, as the bot's identity. Every method resolves with Twitch's answer or rejects
 * with a typed error (`TwitchError` and its codes); none reports success it did not get.
 */
export interface ChatActions {
  /** The channel (broadcaster id) these actions act in. */
  readonly channelId: string;
  /** Sends a message to the channel (through the bot's per-channel send queue). */
  send(text: string): Promise<ChatSendResult>;
  /** Sends a message as a threaded reply to `parentMessageId`. */
  reply(parentMessageId: string, text: string): Promise<ChatSendResult>;
  /** Sends an announcement (needs `moderator:manage:announcements`). */
  announce(text: string, color?: AnnouncementColor): Promise<void>;
  /** Deletes one message (needs `moderator:manage:chat_messages`). */
  deleteMessage(messageId: string): Promise<void>;
  /** Times a user out for `durationSeconds` (1..1,209,600), with an optional reason. */
  timeout(userId: string, durationSeconds: number, reason?: string): Promise<void>;
  /** Bans a user, with an optional reason. */
  ban(userId: string, reason?: string): Promise<void>;
  /** Sends a shoutout to another channel (needs `moderator:manage:shoutouts`). */
  shoutout(toBroadcasterId: string): Promise<void>;
  /** Whispers a user (needs `user:manage:whispers`; the bot needs a verified phone number on Twitch). */
  whisper(toUserId: string, text: string): Promise<void>;
}
