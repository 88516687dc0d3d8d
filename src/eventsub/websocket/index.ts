/**
 * One EventSub WebSocket session (the connection under the conduit client): state machine, frame parser and
 * message-id dedupe store.
 *
 * @packageDocumentation
 */
export { EventSubSession } from './session.js';
export type {
  DisconnectInfo,
  EventSubSessionEvents,
  EventSubSessionOptions,
  EventSubSessionState,
  EventSubSessionStats,
  ReconnectedInfo,
  ReconnectingInfo,
  ReconnectReason,
  WebSocketConstructor,
  WebSocketClientOptions,
  WebSocketLike,
} from './session.js';
export {
  DEFAULT_DEDUPE_MAX_ENTRIES,
  DEFAULT_DEDUPE_WINDOW_MS,
  DedupeError,
  MemoryDedupeStore,
} from './dedupe.js';
export type { DedupeErrorCode, DedupeStore, DedupeVerdict, MemoryDedupeStoreOptions } from './dedupe.js';
export { parseFrame, checkFrame, PROTOCOL_MALFORMED_FRAME, UNKNOWN_MESSAGE_TYPE } from './parse.js';
export type { ParseResult } from './parse.js';
export { EventSubSessionError } from './errors.js';
export type { EventSubSessionErrorCode, EventSubSessionErrorOptions, SessionErrorCode } from './errors.js';
