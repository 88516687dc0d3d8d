/**
 * Frame parser of the EventSub WebSocket: one `JSON.parse`, then a shallow check of the wire shape, discriminated
 * on `metadata.message_type`. It never throws on bad input: the result is either a typed {@link WireMessage} or a
 * {@link ProtocolError} with a stable code.
 *
 * Only what the session itself relies on is checked (ids, types, the session object); event bodies are left to the
 * model layer, so an unknown subscription type or a new event field passes through untouched.
 */
import { ProtocolError } from '../../core/errors.js';
import { isRecord } from '../../core/guards.js';
import { MAX_MESSAGE_ID_LENGTH, type MessageType, type WireMessage } from '../../protocol/eventsub.js';

/** A frame was not JSON, not a text frame, or did not have the shape of its `message_type`. */
export const PROTOCOL_MALFORMED_FRAME = 'PROTOCOL_MALFORMED_FRAME';
/** A well-formed frame carried a `metadata.message_type` this library does not know. */
export const UNKNOWN_MESSAGE_TYPE = 'UNKNOWN_MESSAGE_TYPE';

/** Result of {@link parseFrame}: the message, or the reason it was rejected. */
export type ParseResult = WireMessage | ProtocolError;

type Json = Record<string, unknown>;

function malformed(message: string, raw: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    PROTOCOL_MALFORMED_FRAME,
    message,
    raw,
    cause === undefined ? undefined : { cause },
  );
}

function assertNever(value: never): never {
  // Unreachable when the switch below is exhaustive; the compiler proves it.
  throw new TypeError(`unhandled message type ${String(value)}`);
}

const KNOWN_TYPES: ReadonlySet<string> = new Set<MessageType>([
  'session_welcome',
  'session_keepalive',
  'notification',
  'session_reconnect',
  'revocation',
]);

function isMessageType(value: string): value is MessageType {
  return KNOWN_TYPES.has(value);
}

/** Checks `payload.session` of welcome and reconnect frames. */
function checkSession(payload: Json, type: MessageType): string | null {
  const session = payload.session;
  if (!isRecord(session)) return `${type}: payload.session is missing`;
  if (typeof session.id !== 'string' || session.id === '') return `${type}: payload.session.id is missing`;
  if (type === 'session_reconnect' && typeof session.reconnect_url !== 'string') {
    return 'session_reconnect: payload.session.reconnect_url is missing';
  }
  const keepalive = session.keepalive_timeout_seconds;
  if (type === 'session_welcome' && keepalive !== null && keepalive !== undefined) {
    if (typeof keepalive !== 'number' || !(keepalive > 0)) {
      return 'session_welcome: payload.session.keepalive_timeout_seconds is not a positive number';
    }
  }
  return null;
}

/**
 * Checks metadata and `payload.subscription` of notification and revocation frames. The listener event is named
 * after `metadata.subscription_type` and the model is built from `payload.subscription`: a frame where they (or
 * the versions) disagree could hand a listener the model of another type, so it is refused.
 */
function checkSubscription(metadata: Json, payload: Json, type: MessageType): string | null {
  if (typeof metadata.subscription_type !== 'string') return `${type}: metadata.subscription_type is missing`;
  if (typeof metadata.subscription_version !== 'string') {
    return `${type}: metadata.subscription_version is missing`;
  }
  const subscription = payload.subscription;
  if (
    !isRecord(subscription) ||
    typeof subscription.id !== 'string' ||
    typeof subscription.type !== 'string'
  ) {
    return `${type}: payload.subscription is missing or has no id/type`;
  }
  if (subscription.type !== metadata.subscription_type) {
    return `${type}: metadata.subscription_type does not match payload.subscription.type`;
  }
  if (subscription.version !== metadata.subscription_version) {
    return `${type}: metadata.subscription_version does not match payload.subscription.version`;
  }
  return null;
}

/**
 * Parses one text frame of the EventSub WebSocket.
 *
 * @param raw - the frame as received (UTF-8 text).
 * @returns the typed message, or a {@link ProtocolError} with code {@link PROTOCOL_MALFORMED_FRAME} (not JSON, wrong
 * shape, a `message_id` over {@link MAX_MESSAGE_ID_LENGTH} characters, a subscription type or version in `metadata`
 * that differs from `payload.subscription`'s) or {@link UNKNOWN_MESSAGE_TYPE} (a `message_type` this version does not know). Never throws.
 *
 * @example
 * ```ts
 * const result = parseFrame(text);
 * if (result instanceof ProtocolError) logger.warn(result.message);
 * else if (result.metadata.message_type === 'notification') handle(result.payload.event);
 * ```
 */
export function parseFrame(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return malformed('frame is not valid JSON', raw, err);
  }
  return checkFrame(value, raw);
}

/**
 * Validates an already decoded frame (see {@link parseFrame}); `raw` is only attached to the error. For transports
 * that decode JSON themselves; like {@link parseFrame}, it never throws.
 *
 * @example
 * ```ts
 * const result = checkFrame(JSON.parse(text), text);
 * if (result instanceof ProtocolError) console.log(result.code); // PROTOCOL_MALFORMED_FRAME or UNKNOWN_MESSAGE_TYPE
 * else console.log(result.metadata.message_type); // 'session_welcome', 'notification', ...
 * ```
 */
export function checkFrame(value: unknown, raw: string): ParseResult {
  if (!isRecord(value)) return malformed('frame is not a JSON object', raw);
  const metadata = value.metadata;
  const payload = value.payload;
  if (!isRecord(metadata) || !isRecord(payload))
    return malformed('frame has no metadata or payload object', raw);
  const type = metadata.message_type;
  if (typeof type !== 'string') return malformed('metadata.message_type is missing', raw);
  const id = metadata.message_id;
  if (typeof id !== 'string' || id === '') return malformed('metadata.message_id is missing', raw);
  // Ids are remembered for deduplication: an unbounded one would let a peer pin memory (same bound as webhooks).
  if (id.length > MAX_MESSAGE_ID_LENGTH) {
    return malformed(`metadata.message_id is longer than ${MAX_MESSAGE_ID_LENGTH} characters`, raw);
  }
  if (typeof metadata.message_timestamp !== 'string')
    return malformed('metadata.message_timestamp is missing', raw);
  if (!isMessageType(type)) {
    return new ProtocolError(UNKNOWN_MESSAGE_TYPE, `unknown message type "${type.slice(0, 64)}"`, raw);
  }
  let problem: string | null;
  switch (type) {
    case 'notification':
    case 'revocation':
      problem = checkSubscription(metadata, payload, type);
      break;
    case 'session_welcome':
    case 'session_reconnect':
      problem = checkSession(payload, type);
      break;
    case 'session_keepalive':
      problem = null;
      break;
    default:
      return assertNever(type);
  }
  if (problem !== null) return malformed(problem, raw);
  return value as unknown as WireMessage;
}
