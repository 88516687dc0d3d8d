/**
 * `twitch-realtime/bot`: a chat bot on a conduit. The `AutoBot` reads chat over EventSub, runs typed commands and
 * answers through Helix, within Twitch's chat limits.
 *
 * @packageDocumentation
 */
export type { ChatActions, ChatSendResult } from './actions.js';
export {
  CHAT_RATE_LIMITS,
  CHAT_RATE_WINDOW_MS,
  DUPLICATE_MESSAGE_WINDOW_MS,
  MAX_CHAT_MESSAGE_LENGTH,
} from '../protocol/chat.js';
export { AutoBot } from './auto-bot.js';
export { BotChannel } from './bot-channel.js';
export {
  BOT_SCOPES,
  type AutoBotEventMap,
  type AutoBotOptions,
  type BotChatOptions,
  type BotEvents,
  type ChannelRef,
  type ChatDropInfo,
  type JoinResult,
  type LeaveResult,
} from './options.js';
export { BotError, type BotErrorCode } from './errors.js';
export * from './commands/index.js';
export { cachedUserResolver, type CachedUserResolverOptions } from './user-resolver.js';
