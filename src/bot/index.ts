/**
 * `twitch-realtime/bot`: a chat bot on a conduit. The `AutoBot` reads chat over EventSub, runs typed commands and
 * answers through Helix, within Twitch's chat limits.
 *
 * @packageDocumentation
 */
export type { AnnouncementColor, ChatActions, ChatSendResult } from './actions.js';
export * from './commands/index.js';
