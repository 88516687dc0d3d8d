/**
 * The recording format: what `twitch-realtime/testing`'s `record()` writes and what the emulator's `replay()`
 * reads. JSON lines, snake_case like the wire: one header line, then one line per notification (or revocation) in
 * arrival order. Defined here, on the protocol floor, because the emulator (which imports only core, protocol and
 * catalogue) and the test kit both use it; {@link checkRecordingLine} is the one rule for a line's shape.
 *
 * A line carries no secret by construction: the subscription is copied field by field (id, type, version, status,
 * cost, condition, created_at, transport method; never the transport's secret, callback, session or conduit id).
 */
import { InvalidArgumentError, TwitchError, type TwitchErrorOptions } from '../core/errors.js';
import { isRecord } from '../core/guards.js';

/** The `format` of a recording's header line. */
export const RECORDING_FORMAT = 'twitch-realtime/recording';
/** The format version this library writes and reads. */
export const RECORDING_FORMAT_VERSION = 1;
/** Longest line a reader accepts, in characters (a notification is a few KB; Twitch caps events far below). */
export const MAX_RECORDING_LINE_CHARS = 1024 * 1024;

/** The first line of a recording. */
export interface RecordingHeader {
  readonly kind: 'header';
  readonly format: typeof RECORDING_FORMAT;
  readonly format_version: number;
  /** Version of the library that wrote it. */
  readonly library_version: string;
  /** When recording started (ISO 8601). */
  readonly started_at: string;
  /** What was recorded, free text (e.g. `AutoClient`, `demo`, `twitch`). */
  readonly source: string;
}

/** A subscription as recorded: what identifies and matches it, never a secret. */
export interface RecordedSubscription {
  readonly id: string;
  readonly type: string;
  readonly version: string;
  readonly status: string;
  readonly cost: number;
  readonly condition: Readonly<Record<string, string>>;
  readonly created_at: string;
  /** `websocket`, `webhook` or `conduit`: the method only. */
  readonly transport_method: string;
}

/** One notification as received. */
export interface RecordedNotification {
  readonly kind: 'notification';
  readonly message_id: string;
  /** `metadata.message_timestamp` (or the webhook header), ISO 8601. */
  readonly message_timestamp: string;
  readonly type: string;
  readonly version: string;
  readonly subscription: RecordedSubscription;
  /** The wire `event` (absent for batched types). */
  readonly event?: unknown;
  /** The wire `events` of batched types. */
  readonly events?: readonly unknown[];
  /** When the client received it (ISO 8601): the replay's pace. */
  readonly received_at: string;
}

/** One revocation as received (a replay counts it; it does not revoke anything). */
export interface RecordedRevocation {
  readonly kind: 'revocation';
  readonly message_id: string;
  readonly type: string;
  readonly version: string;
  readonly subscription: RecordedSubscription;
  readonly received_at: string;
}

/** Any line of a recording. */
export type RecordingLine = RecordingHeader | RecordedNotification | RecordedRevocation;

/** Codes of recording and replay errors. */
export type RecordingErrorCode =
  /**
   * A recording line is not what the format says (not JSON, a missing or mistyped field, no header first, an
   * unknown format version, a line over 1 MiB, bytes that are not UTF-8, an empty source, an event nested deeper than
   * 64 levels); `line` gives its number (1-based).
   *
   * What to do: **Fix input:** write recordings with `record()` or `twitch-realtime record`; do not edit them by
   * hand beyond whole lines.
   */
  | 'RECORDING_INVALID_LINE'
  /**
   * A recording could not be read: the file does not exist or cannot be opened, the stream failed, or an iterable
   * gave something that is not text. The cause is attached.
   *
   * What to do: **Fix input:** check the path and that the source yields strings or Buffers.
   */
  | 'RECORDING_READ_FAILED'
  /**
   * A recorder could not write (the file could not be opened, the disk is full, the stream failed or was closed) or
   * its buffer outgrew `maxBufferedBytes` because the destination is slower than the notifications: the lines it
   * could not write are counted in `dropped`, never silently lost.
   *
   * What to do: **Fix config:** write to a faster or larger destination, or raise `maxBufferedBytes`.
   */
  | 'RECORDING_WRITE_FAILED';

// Registers the codes above with the core, so `TwitchError['code']` holds them.
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    recording: RecordingErrorCode;
  }
}

/**
 * A recording could not be read or written. `line` is the 1-based line number of a bad line (reading), or
 * `undefined` (writing).
 *
 * @example
 * ```ts
 * try {
 *   checkRecordingLine(JSON.parse(text), 3);
 * } catch (err) {
 *   if (err instanceof RecordingError) console.log(err.code, err.line); // RECORDING_INVALID_LINE 3
 * }
 * ```
 */
export class RecordingError extends TwitchError {
  /** The 1-based number of the offending line, when reading. */
  readonly line: number | undefined;

  constructor(code: RecordingErrorCode, message: string, line?: number, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.line = line;
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
/**
 * A message id a replay may put back on the wire: the emulator writes ids into frames without escaping, so only
 * the characters of Twitch's ids (UUIDs) and similar are accepted.
 */
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Whether `id` and `timestamp` may be written into a frame or an HTTP header as they are (no escaping): the id is
 * 1..128 characters of `A-Z a-z 0-9 . _ : -`, the timestamp RFC 3339. The emulator checks a message id and
 * timestamp that come from outside (a replay) with this before building a frame.
 *
 * @example
 * ```ts
 * isFrameSafeMessage('0b7a1f5e-8c43-4d0e-9d61-0b3b0f1e2a77', '2026-01-01T00:00:00Z'); // true
 * ```
 */
export function isFrameSafeMessage(id: string, timestamp: string): boolean {
  return MESSAGE_ID.test(id) && RFC3339.test(timestamp);
}

/** Deepest nesting of objects and arrays a recorded event may have (Twitch's events nest a few levels). */
export const MAX_RECORDING_DEPTH = 64;

/** Whether `value` nests deeper than {@link MAX_RECORDING_DEPTH} (walked without recursion: no stack overflow). */
function tooDeep(value: unknown): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const v = item.value;
    if (typeof v !== 'object' || v === null) continue;
    if (item.depth > MAX_RECORDING_DEPTH) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: item.depth + 1 });
    }
  }
  return false;
}

/** A key of the input as an error message shows it: at most 64 characters (a line may be 1 MiB of anything). */
function clip(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 64)}…`;
}

function checkLineNumber(line: unknown): void {
  if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1) {
    throw new InvalidArgumentError('line must be a positive integer (1-based)', 'line');
  }
}

function bad(line: number, message: string): never {
  throw new RecordingError('RECORDING_INVALID_LINE', `line ${line}: ${message}`, line);
}

function str(obj: Record<string, unknown>, key: string, line: number, where = ''): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '') bad(line, `${where}${key} must be a non-empty string`);
  return value;
}

function time(obj: Record<string, unknown>, key: string, line: number): void {
  const value = str(obj, key, line);
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))
    bad(line, `${key} must be an RFC 3339 timestamp`);
}

function checkSubscription(value: unknown, line: number, type: string, version: string): void {
  if (!isRecord(value)) bad(line, 'subscription must be an object');
  for (const key of ['id', 'type', 'version', 'status', 'created_at', 'transport_method']) {
    str(value, key, line, 'subscription.');
  }
  if (value.type !== type || value.version !== version) {
    bad(line, 'subscription.type and subscription.version must equal type and version');
  }
  if (typeof value.cost !== 'number' || !Number.isFinite(value.cost))
    bad(line, 'subscription.cost must be a number');
  const condition = value.condition;
  if (!isRecord(condition)) bad(line, 'subscription.condition must be an object');
  for (const [key, v] of Object.entries(condition)) {
    if (typeof v !== 'string') bad(line, `subscription.condition.${clip(key)} must be a string`);
  }
}

/**
 * Checks that `value` (one parsed line) is a {@link RecordingLine}: a header (on line 1 only), a notification or a
 * revocation (a reader of files also requires the header on line 1: `readRecording` in `twitch-realtime/testing`). Throws {@link RecordingError} `RECORDING_INVALID_LINE` naming the line and field.
 *
 * @param value - the parsed JSON of the line.
 * @param line - its 1-based number.
 *
 * @example
 * ```ts
 * const parsed: RecordingLine = checkRecordingLine(JSON.parse(text), 2);
 * ```
 */
export function checkRecordingLine(value: unknown, line: number): RecordingLine {
  checkLineNumber(line);
  if (!isRecord(value)) bad(line, 'a line must be a JSON object');
  const kind = value.kind;
  if (kind === 'header') {
    if (line !== 1) bad(line, 'a header is only allowed on line 1');
    if (value.format !== RECORDING_FORMAT) bad(line, `format must be "${RECORDING_FORMAT}"`);
    if (value.format_version !== RECORDING_FORMAT_VERSION) {
      bad(
        line,
        `format_version ${typeof value.format_version === 'number' ? String(value.format_version) : `(a ${typeof value.format_version})`} is not supported (this library reads ${RECORDING_FORMAT_VERSION})`,
      );
    }
    str(value, 'library_version', line);
    time(value, 'started_at', line);
    str(value, 'source', line);
    return value as unknown as RecordingHeader;
  }
  if (kind !== 'notification' && kind !== 'revocation') {
    bad(line, 'kind must be "header", "notification" or "revocation"');
  }
  const id = str(value, 'message_id', line);
  if (!MESSAGE_ID.test(id)) bad(line, 'message_id must be 1..128 characters of A-Z a-z 0-9 . _ : -');
  const type = str(value, 'type', line);
  const version = str(value, 'version', line);
  checkSubscription(value.subscription, line, type, version);
  time(value, 'received_at', line);
  if (kind === 'revocation') return value as unknown as RecordedRevocation;
  time(value, 'message_timestamp', line);
  const hasEvent = value.event !== undefined;
  const hasEvents = value.events !== undefined;
  if (hasEvent === hasEvents) bad(line, 'a notification carries exactly one of event and events');
  if (hasEvents && !Array.isArray(value.events)) bad(line, 'events must be an array');
  if (hasEvent && !isRecord(value.event)) bad(line, 'event must be an object');
  if (tooDeep(hasEvent ? value.event : value.events)) {
    bad(line, `${hasEvent ? 'event' : 'events'} nests deeper than ${MAX_RECORDING_DEPTH} levels`);
  }
  return value as unknown as RecordedNotification;
}

/**
 * Parses and checks one line of text (see {@link checkRecordingLine}); a line that is not JSON or is longer than
 * {@link MAX_RECORDING_LINE_CHARS} is `RECORDING_INVALID_LINE` too.
 *
 * @example
 * ```ts
 * const header = parseRecordingLine(firstLine, 1);
 * ```
 */
export function parseRecordingLine(text: string, line: number): RecordingLine {
  if (typeof text !== 'string') throw new InvalidArgumentError('text must be a string (one line)', 'text');
  checkLineNumber(line);
  if (text.length > MAX_RECORDING_LINE_CHARS) bad(line, `longer than ${MAX_RECORDING_LINE_CHARS} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    bad(line, 'not valid JSON');
  }
  return checkRecordingLine(value, line);
}
