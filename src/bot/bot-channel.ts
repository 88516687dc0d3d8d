/**
 * `BotChannel`: what the AutoBot can do in one channel (the `ChatActions` of a command's context), chat through the
 * channel's send queue, moderation and whispers through Helix as the bot.
 */
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../core/errors.js';
import { nonEmptyString } from '../core/options.js';
import { asError } from '../eventsub/conduit/shard.js';
import { checkChatText } from '../helix/endpoints/chat.js';
import type { HelixClient } from '../helix/client.js';
import type { CallOptions } from '../helix/endpoint.js';
import type { AnnouncementColor } from '../protocol/chat.js';
import type { ChatActions, ChatSendResult } from './actions.js';
import type { ChannelSendQueue } from './send-queue.js';

/** What a {@link BotChannel} needs of its bot. */
export interface ChannelHost {
  readonly helix: HelixClient;
  readonly botId: string;
  /** `{ auth: { userId: botId }, signal }`: the bot's token, aborted when the bot closes. */
  readonly call: CallOptions;
}

/**
 * What the bot can do in one channel (the {@link ChatActions} of a command's context): send and reply through the
 * channel's send queue (Twitch's answer, dropped or sent); announce, delete a message, time out, ban, shout out and
 * whisper through Helix as the bot (its token needs the scope of each: `moderator:manage:announcements`,
 * `moderator:manage:chat_messages`, `moderator:manage:banned_users`, `moderator:manage:shoutouts`,
 * `user:manage:whispers`, and the bot must be a moderator of the channel for the moderation ones). Get it from
 * {@link AutoBot.channel} or the `message` event.
 *
 * @example
 * ```ts
 * const result = await bot.channel('1337').send('hello chat');
 * if (!result.isSent) console.warn(result.dropReason.code);
 * ```
 */
export class BotChannel implements ChatActions {
  /** The channel (broadcaster id). */
  readonly channelId: string;
  readonly #queue: ChannelSendQueue;
  readonly #host: ChannelHost;

  /** @internal Made by the bot. */
  constructor(channelId: string, queue: ChannelSendQueue, host: ChannelHost) {
    this.channelId = channelId;
    this.#queue = queue;
    this.#host = host;
  }

  /** Messages waiting in this channel's send queue. */
  get queued(): number {
    return this.#queue.size;
  }

  /**
   * Sends a message when the channel's rate limit allows; resolves with Twitch's answer (`isSent: false` with the
   * `dropReason` when Twitch did not send it). Never retried after a failure (the message may have been posted).
   *
   * @throws {@link InvalidArgumentError} (rejects) for a blank text or one past 500 characters;
   *   {@link BotError} `CHAT_QUEUE_FULL` past `chat.maxQueued`, `CHAT_QUEUE_CLOSED` when the bot closes first.
   * @example
   * ```ts
   * await bot.channel('1337').send('hello');
   * ```
   */
  send(text: string): Promise<ChatSendResult> {
    try {
      checkChatText(text, 'text');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.#queue.push(text, undefined);
  }

  /**
   * Sends `text` as a threaded reply to the message `parentMessageId` (`reply_parent_message_id`), like
   * {@link BotChannel.send}.
   *
   * @example
   * ```ts
   * bot.on('message', (message, channel) => void channel.reply(message.messageId, 'pong'));
   * ```
   */
  reply(parentMessageId: string, text: string): Promise<ChatSendResult> {
    try {
      nonEmptyString(parentMessageId, 'parentMessageId');
      checkChatText(text, 'text');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.#queue.push(text, parentMessageId);
  }

  /**
   * Sends an announcement (`color` defaults to the channel's accent colour) as the bot.
   *
   * @throws {@link InvalidArgumentError} (rejects) for a blank text, one past 500 characters, or an unknown colour.
   * @example
   * ```ts
   * await bot.channel('1337').announce('Giveaway in 5 minutes!', 'purple');
   * ```
   */
  announce(text: string, color?: AnnouncementColor): Promise<void> {
    try {
      checkChatText(text, 'text');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const { helix, botId, call } = this.#host;
    return helix.chat.sendAnnouncement(
      {
        broadcasterId: this.channelId,
        moderatorId: botId,
        message: text,
        ...(color === undefined ? {} : { color }),
      },
      call,
    );
  }

  /**
   * Deletes one message of the channel as the bot (a moderator).
   *
   * @example
   * ```ts
   * bot.on('message', (m, channel) => { if (m.message.text.includes('spam')) void channel.deleteMessage(m.messageId); });
   * ```
   */
  deleteMessage(messageId: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    return helix.moderation.deleteChatMessage(
      { broadcasterId: this.channelId, moderatorId: botId, messageId },
      call,
    );
  }

  /**
   * Times `userId` out for `durationSeconds` (1..1,209,600) as the bot (a moderator).
   *
   * @example
   * ```ts
   * await bot.channel('1337').timeout('4242', 600, 'caps');
   * ```
   */
  async timeout(userId: string, durationSeconds: number, reason?: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    await helix.moderation.timeoutUser(
      {
        broadcasterId: this.channelId,
        moderatorId: botId,
        userId,
        durationSeconds,
        ...(reason === undefined ? {} : { reason }),
      },
      call,
    );
  }

  /**
   * Bans `userId` from the channel as the bot (a moderator).
   *
   * @example
   * ```ts
   * await bot.channel('1337').ban('4242', 'spam bot');
   * ```
   */
  async ban(userId: string, reason?: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    await helix.moderation.banUser(
      {
        broadcasterId: this.channelId,
        moderatorId: botId,
        userId,
        ...(reason === undefined ? {} : { reason }),
      },
      call,
    );
  }

  /**
   * Sends a shoutout from this channel to `toBroadcasterId` as the bot (a moderator).
   *
   * @example
   * ```ts
   * await bot.channel('1337').shoutout('4242');
   * ```
   */
  shoutout(toBroadcasterId: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    return helix.chat.sendShoutout(
      { fromBroadcasterId: this.channelId, toBroadcasterId, moderatorId: botId },
      call,
    );
  }

  /**
   * Whispers `toUserId` as the bot.
   *
   * @throws {@link InvalidArgumentError} (rejects) for a blank text (field `text`), and Helix's refusals.
   * @example
   * ```ts
   * await bot.channel('1337').whisper('4242', 'your code: 1234');
   * ```
   */
  whisper(toUserId: string, text: string): Promise<void> {
    if (typeof text !== 'string' || text.trim() === '') {
      return Promise.reject(new InvalidArgumentError('text must be a non-blank string', 'text'));
    }
    const { helix, botId, call } = this.#host;
    return helix.whispers
      .sendWhisper({ fromUserId: botId, toUserId, message: text }, call)
      .catch((error: unknown) => {
        // Helix names its field `message`; this method's parameter is `text`.
        if (error instanceof InvalidArgumentError && error.field === 'message') {
          throw new InvalidArgumentError(error.message.replace(/^message/, 'text'), 'text', { cause: error });
        }
        throw error;
      });
  }

  [inspect.custom](): string {
    return `BotChannel { channelId: '${this.channelId}', queued: ${this.#queue.size} }`;
  }
}
