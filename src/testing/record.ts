/**
 * Record and read recordings: {@link record} attaches to a receiver and writes what it receives as JSON lines
 * (the format of src/protocol/recording.ts, which the emulator's `replay()` reads); {@link readRecording} parses and
 * checks a recording as an async iterator. A production bug becomes a test: record it, replay it into the emulator.
 *
 * Secrets: a line is built from an allow-list (the subscription's id, type, version, status, cost, condition,
 * created_at and transport method; never the transport's secret, callback, session or conduit id), and the wire
 * event is scanned once for a token-like key (`token`, `secret`, `password`, `authorization`): only when one shows
 * is it serialised again without those keys.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { systemClock, type Clock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import {
  checkOptions,
  clock,
  func,
  nonEmptyString,
  positiveInteger,
  type OptionChecks,
} from '../core/options.js';
import { LIBRARY_VERSION } from '../core/version.js';
import type { Notification, SubscriptionModel } from '../catalogue/events.js';
import type { WireSubscription } from '../protocol/eventsub.js';
import {
  MAX_RECORDING_LINE_CHARS,
  RECORDING_FORMAT,
  RECORDING_FORMAT_VERSION,
  RecordingError,
  parseRecordingLine,
  type RecordedSubscription,
  type RecordingHeader,
  type RecordingLine,
} from '../protocol/recording.js';
import type { Revocation } from '../eventsub/client.js';
import type { WebhookRevocation } from '../eventsub/webhook/types.js';
import type { AutoClient } from '../eventsub/conduit/auto-client.js';
import type { WebSocketClient } from '../eventsub/websocket-client/websocket-client.js';
import type { WebhookReceiver } from '../eventsub/webhook/receiver.js';

/**
 * What {@link record} attaches to: any receiver that emits `notification` (the `AutoClient` and the `AutoBot`, the
 * `WebSocketClient`, the `WebhookReceiver`). Their revocations are recorded too (`subscriptionRevoked`, or the
 * webhook receiver's `revocation`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event map of the AutoClient (the AutoBot's too)
export type RecordableReceiver = AutoClient<any> | WebSocketClient | WebhookReceiver;

/** Options of {@link record}. */
export interface RecordOptions {
  /** The header's `source` (free text). @defaultValue the receiver's class name */
  readonly source?: string;
  /**
   * Most bytes waiting to be written before lines are dropped (counted in `dropped`, one `error` per episode): a
   * destination slower than the notifications does not grow memory without bound.
   * @defaultValue 67_108_864 (64 MiB)
   */
  readonly maxBufferedBytes?: number;
  /** Where `received_at` and `started_at` come from. @defaultValue the system clock */
  readonly clock?: Clock;
  /**
   * Called with each write failure (`RECORDING_WRITE_FAILED`): the destination errored (lines after it are dropped
   * and counted) or its buffer is full. Must not throw.
   * @defaultValue `process.emitWarning`: visible, never a crash
   */
  readonly onError?: (error: RecordingError) => void;
}

const RECORD_CHECKS: OptionChecks<RecordOptions> = {
  source: nonEmptyString,
  maxBufferedBytes: positiveInteger,
  clock,
  onError: func,
};

/** What a recorder wrote, from {@link Recorder.stop}. */
export interface RecordingSummary {
  /** Notification lines written. */
  readonly notifications: number;
  /** Revocation lines written. */
  readonly revocations: number;
  /** Lines that could not be written (after a write error, or past `maxBufferedBytes`); each was reported. */
  readonly dropped: number;
}

const TOKEN_LIKE = /token|secret|password|authorization/i;
/** A JSON key that looks like a credential: `"access_token":`, `"secret":`... (a cheap scan of the line). */
const TOKEN_KEY_IN_JSON = /"[^"]*(?:token|secret|password|authorization)[^"]*"\s*:/i;

/** `JSON.stringify` replacer that drops token-like keys (only used when the scan found one). */
function dropTokenLike(key: string, value: unknown): unknown {
  return key !== '' && TOKEN_LIKE.test(key) ? undefined : value;
}

function serialise(line: object): string {
  const json = JSON.stringify(line);
  return TOKEN_KEY_IN_JSON.test(json) ? JSON.stringify(line, dropTokenLike) : json;
}

function fromWire(sub: WireSubscription): RecordedSubscription {
  return {
    id: sub.id,
    type: sub.type,
    version: sub.version,
    status: sub.status,
    cost: sub.cost,
    condition: sub.condition,
    created_at: sub.created_at,
    transport_method: sub.transport.method,
  };
}

const snakeKey = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function fromModel(sub: SubscriptionModel): RecordedSubscription {
  const condition: Record<string, string> = {};
  for (const [key, value] of Object.entries(sub.condition)) condition[snakeKey(key)] = value;
  return {
    id: sub.id,
    type: sub.type,
    version: sub.version,
    status: sub.status,
    cost: sub.cost,
    condition,
    created_at: sub.createdAt.toISOString(),
    transport_method: sub.transport.method,
  };
}

interface LooseEmitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * A running recording, from {@link record}. `stop()` (or `close()`) detaches it and flushes what is buffered.
 *
 * @example
 * ```ts
 * const recorder = record(client, 'session.jsonl', { onError: (err) => console.error(err.message) });
 * // ...
 * const { notifications, dropped } = await recorder.stop();
 * ```
 */
export class Recorder implements AsyncDisposable {
  readonly #receiver: LooseEmitter;
  readonly #out: Writable;
  readonly #owned: boolean;
  readonly #clock: Clock;
  readonly #maxBuffered: number;
  readonly #onError: ((error: RecordingError) => void) | undefined;
  #notifications = 0;
  #revocations = 0;
  #dropped = 0;
  #failed = false;
  #full = false;
  #stopping: Promise<RecordingSummary> | undefined;

  /** @internal use {@link record} */
  constructor(receiver: LooseEmitter, out: Writable, owned: boolean, source: string, options: RecordOptions) {
    this.#receiver = receiver;
    this.#onError = options.onError;
    this.#out = out;
    this.#owned = owned;
    this.#clock = options.clock ?? systemClock;
    this.#maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    out.on('error', this.#onStreamError);
    out.on('drain', this.#onDrain);
    const header: RecordingHeader = {
      kind: 'header',
      format: RECORDING_FORMAT,
      format_version: RECORDING_FORMAT_VERSION,
      library_version: LIBRARY_VERSION,
      started_at: new Date(this.#clock.now()).toISOString(),
      source,
    };
    this.#write(JSON.stringify(header));
    receiver.on('notification', this.#onNotification);
    receiver.on('subscriptionRevoked', this.#onRevoked);
    receiver.on('revocation', this.#onWebhookRevocation);
  }

  /** Lines written so far: notifications and revocations (the header not counted). */
  get lines(): number {
    return this.#notifications + this.#revocations;
  }

  /** Lines that could not be written so far. */
  get dropped(): number {
    return this.#dropped;
  }

  readonly #onNotification = (notification: Notification): void => {
    const raw = notification.raw;
    const line =
      raw.events === undefined
        ? {
            kind: 'notification',
            message_id: notification.messageId,
            message_timestamp: notification.timestamp.toISOString(),
            type: notification.type,
            version: notification.version,
            subscription: fromWire(raw.subscription),
            event: raw.event,
            received_at: new Date(this.#clock.now()).toISOString(),
          }
        : {
            kind: 'notification',
            message_id: notification.messageId,
            message_timestamp: notification.timestamp.toISOString(),
            type: notification.type,
            version: notification.version,
            subscription: fromWire(raw.subscription),
            events: raw.events,
            received_at: new Date(this.#clock.now()).toISOString(),
          };
    const json = this.#serialise(line);
    if (json !== undefined && this.#write(json)) this.#notifications++;
  };

  readonly #onRevoked = (revocation: Revocation): void => {
    this.#revocation(revocation.messageId, fromModel(revocation.subscription));
  };

  readonly #onWebhookRevocation = (revocation: WebhookRevocation): void => {
    this.#revocation(revocation.messageId, fromWire(revocation.wireSubscription));
  };

  #revocation(messageId: string, subscription: RecordedSubscription): void {
    const line = {
      kind: 'revocation',
      message_id: messageId,
      type: subscription.type,
      version: subscription.version,
      subscription,
      received_at: new Date(this.#clock.now()).toISOString(),
    };
    const json = this.#serialise(line);
    if (json !== undefined && this.#write(json)) this.#revocations++;
  }

  /** The line's JSON, or `undefined` (counted in dropped, reported) when it cannot be serialised (nested too deep). */
  #serialise(line: object): string | undefined {
    try {
      return serialise(line);
    } catch (error) {
      this.#dropped++;
      this.#report(
        `a line could not be serialised (${error instanceof Error ? error.message : String(error)}); it is counted in dropped`,
        error instanceof Error ? error : undefined,
      );
      return undefined;
    }
  }

  /** Writes one line; `false` (counted and reported) when it cannot. */
  #write(json: string): boolean {
    const out = this.#out;
    if (this.#failed || out.destroyed || out.writableEnded) {
      if (!this.#failed) {
        this.#failed = true;
        this.#report('the destination is closed; later lines are counted in dropped');
      }
      this.#dropped++;
      return false;
    }
    if (out.writableLength > this.#maxBuffered) {
      this.#dropped++;
      if (!this.#full) {
        this.#full = true;
        this.#report(
          `more than ${this.#maxBuffered} bytes wait to be written (the destination is slower than the notifications); lines are dropped and counted until it drains`,
        );
      }
      return false;
    }
    out.write(json + '\n');
    return true;
  }

  readonly #onDrain = (): void => {
    this.#full = false;
  };

  readonly #onStreamError = (error: Error): void => {
    if (this.#failed) return;
    this.#failed = true;
    this.#report(`the destination failed: ${error.message}; later lines are counted in dropped`, error);
  };

  #report(message: string, cause?: Error): void {
    const error = new RecordingError(
      'RECORDING_WRITE_FAILED',
      message,
      undefined,
      cause === undefined ? undefined : { cause },
    );
    const onError = this.#onError;
    if (onError === undefined) {
      process.emitWarning(error);
      return;
    }
    try {
      onError(error);
    } catch (thrown) {
      // The callback broke its contract; the failure stays visible.
      process.emitWarning(thrown instanceof Error ? thrown : String(thrown));
    }
  }

  /**
   * Detaches from the receiver and flushes: a file the recorder opened is ended and closed, a stream you gave is
   * drained (not ended). Resolves with what was written. Idempotent.
   *
   * @example
   * ```ts
   * const summary = await recorder.stop();
   * ```
   */
  stop(): Promise<RecordingSummary> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** Same as {@link Recorder.stop}. */
  close(): Promise<RecordingSummary> {
    return this.stop();
  }

  async #stop(): Promise<RecordingSummary> {
    const receiver = this.#receiver;
    receiver.off('notification', this.#onNotification);
    receiver.off('subscriptionRevoked', this.#onRevoked);
    receiver.off('revocation', this.#onWebhookRevocation);
    const out = this.#out;
    if (!this.#failed && !out.destroyed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          out.off('error', done);
          out.off('close', done);
          out.off('finish', done);
          out.off('drain', done);
          resolve();
        };
        out.once('error', done);
        out.once('close', done);
        if (this.#owned) {
          out.end();
        } else if (out.writableNeedDrain) {
          out.once('drain', done);
        } else {
          done();
        }
      });
    } else if (this.#owned) {
      out.destroy();
    }
    out.off('drain', this.#onDrain);
    // The error listener stays: a late error of a destroyed stream must not become an uncaught 'error'.
    return { notifications: this.#notifications, revocations: this.#revocations, dropped: this.#dropped };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

function isWritable(value: unknown): value is Writable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Writable).write === 'function' &&
    typeof (value as Writable).on === 'function'
  );
}

function isReceiver(value: unknown): value is LooseEmitter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LooseEmitter).on === 'function' &&
    typeof (value as LooseEmitter).off === 'function'
  );
}

/**
 * Records what `receiver` receives, as JSON lines, to a file (created or truncated) or a writable stream: a header
 * line, then one line per notification (message id and timestamp, type, version, the subscription without any
 * secret, the wire event(s), the receive time) and per revocation, in arrival order. Per notification: one object
 * and one `JSON.stringify`. A write that fails goes to `onError` (`RECORDING_WRITE_FAILED`), never a crash.
 *
 * Attach it before the receiver starts to miss nothing. Note: a receiver builds the `notification` envelope only
 * when someone listens; the recorder is such a listener.
 *
 * @param receiver - an `AutoClient`, `AutoBot`, `WebSocketClient` or `WebhookReceiver`.
 * @param destination - a file path, or a writable stream (not ended by `stop()`).
 *
 * @example
 * ```ts
 * import { record } from 'twitch-realtime/testing';
 *
 * const recorder = record(client, 'bug-1234.jsonl');
 * await client.start();
 * // ...the bug happens...
 * await recorder.stop();
 * ```
 */
export function record(
  receiver: RecordableReceiver,
  destination: string | Writable,
  options: RecordOptions = {},
): Recorder {
  if (!isReceiver(receiver)) {
    throw new InvalidArgumentError('receiver must be an EventSub receiver (on/off)', 'receiver');
  }
  if (typeof destination !== 'string' && !isWritable(destination)) {
    throw new InvalidArgumentError('destination must be a file path or a writable stream', 'destination');
  }
  if (destination === '') throw new InvalidArgumentError('destination must not be empty', 'destination');
  checkOptions(options, RECORD_CHECKS);
  const source = options.source ?? (receiver as object).constructor.name;
  const owned = typeof destination === 'string';
  const out = owned ? createWriteStream(destination) : destination;
  return new Recorder(receiver, out, owned, source, options);
}

/** What `readRecording` reads: a file path, a readable stream, or an iterable of lines or chunks. */
export type RecordingSource = string | Readable | Iterable<string | Buffer> | AsyncIterable<string | Buffer>;

/**
 * Reads a recording (a file path, a readable stream, or an iterable of lines or chunks) as an async iterable of
 * checked lines, the header first. A bad line (not JSON, a wrong field, no header on line 1, longer than 1 MiB)
 * throws `RecordingError` `RECORDING_INVALID_LINE` with its `line` number; a source that cannot be read (no such
 * file, a failing stream) `RECORDING_READ_FAILED`. Blank lines are skipped. Nothing is opened before iterating.
 *
 * @example
 * ```ts
 * import { readRecording } from 'twitch-realtime/testing';
 *
 * for await (const line of readRecording('bug-1234.jsonl')) {
 *   if (line.kind === 'notification') console.log(line.message_id, line.type);
 * }
 * ```
 */
export function readRecording(source: RecordingSource): AsyncIterable<RecordingLine> {
  const value: unknown = source;
  const ok =
    (typeof value === 'string' && value !== '') ||
    value instanceof Readable ||
    (typeof value === 'object' &&
      value !== null &&
      (Symbol.iterator in value || Symbol.asyncIterator in value));
  if (!ok) {
    throw new InvalidArgumentError(
      'source must be a file path, a readable stream or an iterable of strings or Buffers',
      'source',
    );
  }
  return {
    [Symbol.asyncIterator]: () => readLines(source),
  };
}

function invalid(n: number, message: string): RecordingError {
  return new RecordingError('RECORDING_INVALID_LINE', `line ${n}: ${message}`, n);
}

/**
 * The lines of `input` as text, split on `\n` (a `\r` before it dropped), decoded as strict UTF-8 (a BOM at the
 * start dropped). A line is bounded WHILE it is read: past {@link MAX_RECORDING_LINE_CHARS} characters without a
 * newline it is `RECORDING_INVALID_LINE` at once, so a hostile file without newlines never fills memory. A last
 * line without its newline (a recording cut short) is still yielded: its JSON is checked like any other.
 */
async function* splitLines(input: AsyncIterable<unknown>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let n = 1;
  let parts: string[] = [];
  let length = 0;
  let first = true;
  const take = (text: string): string => {
    parts.push(text);
    const line = parts.join('');
    parts = [];
    length = 0;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  };
  const decode = (chunk: unknown, stream: boolean): string => {
    try {
      if (typeof chunk === 'string') return chunk;
      if (chunk instanceof Uint8Array) return decoder.decode(chunk, { stream });
      if (chunk === undefined) return decoder.decode();
    } catch {
      // Name the line of the first bad byte: the line being read plus the newlines before it in this chunk.
      const text = chunk instanceof Uint8Array ? new TextDecoder().decode(chunk) : '';
      const at = text.indexOf('\uFFFD');
      let line = n;
      for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
      throw invalid(line, 'not valid UTF-8');
    }
    throw new TypeError(`the source gave ${typeof chunk}, not text (a string or a Buffer)`);
  };
  const feed = function* (text: string): Generator<string, void, undefined> {
    if (first && text !== '') {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      if (length + nl - from > MAX_RECORDING_LINE_CHARS + 1) break;
      yield take(text.slice(from, nl));
      n++;
      from = nl + 1;
    }
    const rest = text.length - from;
    if (length + rest > MAX_RECORDING_LINE_CHARS + 1) {
      throw invalid(n, `longer than ${MAX_RECORDING_LINE_CHARS} characters`);
    }
    if (rest > 0) {
      parts.push(from === 0 ? text : text.slice(from));
      length += rest;
    }
  };
  for await (const chunk of input) yield* feed(decode(chunk, true));
  yield* feed(decode(undefined, false));
  if (length > 0) yield take('');
}

async function* readLines(source: RecordingSource): AsyncGenerator<RecordingLine, void, undefined> {
  let input: Readable | undefined;
  try {
    input =
      typeof source === 'string'
        ? createReadStream(source)
        : source instanceof Readable
          ? source
          : Readable.from(source);
    let n = 0;
    let sawHeader = false;
    for await (const text of splitLines(input)) {
      n++;
      if (text.trim() === '') continue;
      if (text.length > MAX_RECORDING_LINE_CHARS) {
        throw invalid(n, `longer than ${MAX_RECORDING_LINE_CHARS} characters`);
      }
      const line = parseRecordingLine(text, n);
      if (!sawHeader && line.kind !== 'header') throw invalid(n, 'the first line must be the header');
      sawHeader = true;
      yield line;
    }
    if (!sawHeader) throw invalid(1, 'the recording is empty: no header line');
  } catch (error) {
    if (error instanceof RecordingError) throw error;
    throw new RecordingError(
      'RECORDING_READ_FAILED',
      `the recording could not be read: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { cause: error },
    );
  } finally {
    input?.destroy();
  }
}
