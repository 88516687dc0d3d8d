/**
 * Errors of the `AutoBot`. Each has a stable `code`; none ever carries a token.
 */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';

/** Codes of {@link BotError}. */
export type BotErrorCode =
  /**
   * `send()`/`reply()`: the channel's send queue already holds `maxQueued` messages waiting for the chat rate
   * limit. The message was not queued and not sent.
   *
   * What to do: **Slow down:** send less, or raise `chat.maxQueued` if a longer backlog is acceptable.
   */
  | 'CHAT_QUEUE_FULL'
  /**
   * A queued message was not sent because the bot closed (or was closed before it was sent).
   *
   * What to do: **Nothing:** the bot is shutting down; send again on a bot that runs, if it matters.
   */
  | 'CHAT_QUEUE_CLOSED'
  /**
   * `join()`/`leave()`: no Twitch user has the login given (`channelId` holds the login).
   *
   * What to do: **Fix input:** check the login's spelling, or pass the broadcaster id.
   */
  | 'CHANNEL_NOT_FOUND';

/**
 * A chat message the bot could not queue or send: `CHAT_QUEUE_FULL` (past the per-channel bound) or
 * `CHAT_QUEUE_CLOSED` (the bot closed first); or a channel login that does not exist (`CHANNEL_NOT_FOUND`).
 * `channelId` names the channel (its login for `CHANNEL_NOT_FOUND`).
 *
 * @example
 * ```ts
 * try { await bot.channel('1337').send('hello'); }
 * catch (err) { if (err instanceof BotError && err.code === 'CHAT_QUEUE_FULL') console.warn('backlog full'); }
 * ```
 */
export class BotError extends TwitchError {
  declare readonly code: BotErrorCode;
  /** The channel (broadcaster id) of the message. */
  readonly channelId: string;

  constructor(code: BotErrorCode, channelId: string, message: string, options?: TwitchErrorOptions) {
    super(code, `channel ${channelId}: ${message}`, options);
    this.channelId = channelId;
  }
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    bot: BotErrorCode;
  }
}
