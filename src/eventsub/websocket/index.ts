/**
 * One EventSub WebSocket session (the connection under the conduit client): state machine, frame parser and
 * message-id cache.
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
export { MessageIdCache } from './dedupe.js';
export type { MessageIdCacheOptions } from './dedupe.js';
export { parseFrame, checkFrame, PROTOCOL_MALFORMED_FRAME, UNKNOWN_MESSAGE_TYPE } from './parse.js';
export type { ParseResult } from './parse.js';
export { EventSubSessionError } from './errors.js';
export type { EventSubSessionErrorCode, EventSubSessionErrorOptions } from './errors.js';
