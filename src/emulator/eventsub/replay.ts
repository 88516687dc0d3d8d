/**
 * Replay of a recording (protocol/recording.ts) into the emulator: each recorded notification goes, with its
 * ORIGINAL message id and wire event, to every enabled subscription of the same type, version and condition (a
 * condition key missing on one side reads as `""`, as Twitch sends unset keys). The subscription in the delivered
 * message is the emulator's own (its id, transport); the event is the recorded one, byte for byte as re-serialised.
 *
 * Pace: the recorded `received_at` times, relative to the first line, divided by `speed`; `'max'` sends as fast as
 * possible (a turn of the event loop every {@link REPLAY_CHUNK} lines). Time is the emulator's clock
 * (`EmulatorOptions.clock`): under a `TestClock` a paced replay moves only when the test advances it. Revocation
 * lines are counted, not replayed (revoke with `revokeSubscription`).
 */
import { randomUUID } from 'node:crypto';
import type { TimerHandle } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { isRecord } from '../../core/guards.js';
import {
  checkRecordingLine,
  type RecordedNotification,
  type RecordingLine,
} from '../../protocol/recording.js';
import type { EventSubCore } from './core.js';
import type { StoredSubscription } from './model.js';
import { rejectUnknownKeys } from '../options.js';

/** Lines a replay at `'max'` speed sends between two turns of the event loop. */
export const REPLAY_CHUNK = 1_000;
/** Highest finite `speed`. */
export const MAX_REPLAY_SPEED = 1_000_000;
/** Longest single wait of a replay (Node's timers fire at once past 2^31-1 ms); a longer gap waits in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Unmatched lines listed in a {@link ReplayResult} (all are counted). */
export const MAX_UNMATCHED_LISTED = 20;

/**
 * How to replay.
 *
 * @example
 * ```ts
 * const options: ReplayOptions = { speed: 10, timestamps: 'now' };
 * ```
 */
export interface ReplayOptions {
  /**
   * `1` (default): the original pace; `n`: n times faster (0 < n ≤ 1,000,000); `'max'`: as fast as possible.
   * @defaultValue 1
   */
  readonly speed?: number | 'max';
  /**
   * `message_timestamp` of the replayed messages: `'original'` (default) keeps the recorded one, so a client with
   * the default 10-minute `maxMessageAgeMs` drops a recording older than that as stale (raise it in the test, or
   * use `'now'`: fresh timestamps).
   * @defaultValue 'original'
   */
  readonly timestamps?: 'original' | 'now';
}

/** A recorded notification that no subscription of the emulator matched. */
export interface UnmatchedLine {
  /** 1-based position in the replayed lines. */
  readonly line: number;
  readonly message_id: string;
  readonly type: string;
  readonly version: string;
  readonly condition: Readonly<Record<string, string>>;
}

/** What a replay did (snake_case like the control API, which answers it as is). */
export interface ReplayResult {
  /** Notification lines read. */
  readonly notifications: number;
  /** Messages sent (one per matching subscription of each notification). */
  readonly delivered: number;
  /** Messages the emulator could not hand to a transport (no socket, unassigned shard...). */
  readonly dropped: number;
  /** Notification lines no enabled subscription matched (type, version, condition). */
  readonly unmatched: number;
  /** The first `MAX_UNMATCHED_LISTED` (20) of them. */
  readonly unmatched_lines: readonly UnmatchedLine[];
  /** Revocation lines read (counted, not replayed). */
  readonly revocations: number;
  /** `true` when `stop()` or the emulator's close ended it before the last line. */
  readonly stopped: boolean;
}

/** A running replay, started by `emu.replay()`. */
export interface ReplayRun {
  readonly id: string;
  /** Stops the replay (lines not sent yet are not sent); `done` resolves with `stopped: true`. */
  stop(): void;
  /**
   * Resolves with the totals when the last line was sent or the replay stopped; rejects with `RecordingError`
   * (`RECORDING_INVALID_LINE`, naming the line) at the first bad line, or with what the source threw.
   */
  readonly done: Promise<ReplayResult>;
}

const OPTION_KEYS = ['speed', 'timestamps'];

/** Checks replay options (the one rule for `emu.replay` and `POST /_emulator/replay`); returns the divisor. */
export function checkReplayOptions(options: unknown): { speed: number; fresh: boolean } {
  if (options === undefined) return { speed: 1, fresh: false };
  if (!isRecord(options)) throw new InvalidArgumentError('options must be an object', 'options');
  rejectUnknownKeys(options, OPTION_KEYS);
  const speed = options.speed ?? 1;
  if (
    speed !== 'max' &&
    (typeof speed !== 'number' || !(speed > 0) || speed > MAX_REPLAY_SPEED || !Number.isFinite(speed))
  ) {
    throw new InvalidArgumentError(`speed must be a number in (0, ${MAX_REPLAY_SPEED}] or 'max'`, 'speed');
  }
  const timestamps = options.timestamps ?? 'original';
  if (timestamps !== 'original' && timestamps !== 'now') {
    throw new InvalidArgumentError("timestamps must be 'original' or 'now'", 'timestamps');
  }
  return { speed: speed === 'max' ? Number.POSITIVE_INFINITY : speed, fresh: timestamps === 'now' };
}

function conditionEquals(
  stored: Readonly<Record<string, string>>,
  recorded: Readonly<Record<string, string>>,
): boolean {
  for (const key of Object.keys(recorded)) if ((stored[key] ?? '') !== recorded[key]) return false;
  for (const key of Object.keys(stored)) if ((recorded[key] ?? '') !== stored[key]) return false;
  return true;
}

/** The enabled subscriptions a recorded notification goes to. */
function matching(core: EventSubCore, line: RecordedNotification): StoredSubscription[] {
  const out: StoredSubscription[] = [];
  for (const sub of core.byType.get(`${line.type}@${line.version}`) ?? []) {
    if (sub.status === 'enabled' && conditionEquals(sub.condition, line.subscription.condition))
      out.push(sub);
  }
  return out;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Starts a replay of `lines` (parsed recording lines, a header optional first; an array, any iterable, or an async
 * iterable such as `readRecording()`), registered in `registry` until it ends.
 */
export function startReplay(
  core: EventSubCore,
  lines: Iterable<unknown> | AsyncIterable<unknown>,
  options: ReplayOptions | undefined,
  registry: Set<ReplayRun>,
): ReplayRun {
  if (!isIterable(lines) && !isAsyncIterable(lines)) {
    throw new InvalidArgumentError('lines must be an iterable or async iterable of recording lines', 'lines');
  }
  const { speed, fresh } = checkReplayOptions(options);
  const state = { stopped: false };
  // A function, not the flag: `stop()` flips it while the loop awaits.
  const stopped = (): boolean => state.stopped;
  const clock = core.clock;
  let timer: TimerHandle | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = ms > 0 ? clock.setTimeout(resolve, ms) : undefined;
      if (timer === undefined) setImmediate(resolve);
    });
  const run: ReplayRun = {
    id: `replay-${randomUUID()}`,
    stop() {
      state.stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      wake?.();
    },
    done: Promise.resolve().then(async () => {
      try {
        return await play();
      } finally {
        registry.delete(run);
      }
    }),
  };

  const play = async (): Promise<ReplayResult> => {
    let notifications = 0;
    let delivered = 0;
    let dropped = 0;
    let unmatched = 0;
    let revocations = 0;
    const unmatchedLines: UnmatchedLine[] = [];
    let first: number | undefined;
    let started = 0;
    let sinceTurn = 0;
    let n = 0;
    for await (const value of lines) {
      if (stopped()) break;
      const line: RecordingLine = checkRecordingLine(value, ++n);
      if (line.kind === 'header') continue;
      const at = Date.parse(line.received_at);
      if (first === undefined) {
        first = at;
        started = clock.now();
      }
      let wait = started + (at - first) / speed - clock.now();
      if (wait >= 1) {
        sinceTurn = 0;
        // A clock may cut a long wait short (the system clock's timers stop at 2^31-1 ms, 24.8 days): wait again
        // until the line's time has come, a step of at most MAX_TIMER_MS each.
        while (wait >= 1 && !stopped()) {
          await sleep(Math.min(wait, MAX_TIMER_MS));
          wait = started + (at - first) / speed - clock.now();
        }
      } else if (++sinceTurn >= REPLAY_CHUNK) {
        sinceTurn = 0;
        await sleep(0);
      }
      if (stopped()) break;
      if (line.kind === 'revocation') {
        revocations++;
        continue;
      }
      notifications++;
      const subs = matching(core, line);
      if (subs.length === 0) {
        unmatched++;
        if (unmatchedLines.length < MAX_UNMATCHED_LISTED) {
          unmatchedLines.push({
            line: n,
            message_id: line.message_id,
            type: line.type,
            version: line.version,
            condition: line.subscription.condition,
          });
        }
        continue;
      }
      const json = JSON.stringify(line.events ?? line.event);
      for (const sub of subs) {
        const sent = fresh
          ? core.deliver(sub, json, line.message_id)
          : core.deliver(sub, json, line.message_id, line.message_timestamp);
        if (sent) delivered++;
        else dropped++;
      }
    }
    return {
      notifications,
      delivered,
      dropped,
      unmatched,
      unmatched_lines: unmatchedLines,
      revocations,
      stopped: state.stopped,
    };
  };

  registry.add(run);
  return run;
}

/**
 * Parses and checks a control-route body: a JSON array of lines, or JSON lines text (`application/x-ndjson`, blank
 * lines skipped). Throws `InvalidArgumentError` (field `body`) naming the first bad line, before anything is sent.
 */
export function replayBodyLines(body: unknown): unknown[] {
  let values: { value: unknown; line: number }[];
  if (Array.isArray(body)) {
    values = body.map((value: unknown, i) => ({ value, line: i + 1 }));
  } else if (typeof body === 'string') {
    values = [];
    const texts = body.split('\n');
    for (let i = 0; i < texts.length; i++) {
      const text = (texts[i] ?? '').trim();
      if (text === '') continue;
      try {
        values.push({ value: JSON.parse(text), line: i + 1 });
      } catch {
        throw new InvalidArgumentError(`line ${i + 1}: not valid JSON`, 'body');
      }
    }
  } else {
    throw new InvalidArgumentError('the body must be a JSON array of recording lines, or JSON lines', 'body');
  }
  const out: unknown[] = [];
  for (let i = 0; i < values.length; i++) {
    const { value, line } = values[i] as { value: unknown; line: number };
    try {
      // Position i + 1 is what the replay checks again; the message names the line of the body.
      checkRecordingLine(value, i + 1);
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^line \d+: /, '') : String(error);
      throw new InvalidArgumentError(`line ${line}: ${message}`, 'body');
    }
    out.push(value);
  }
  return out;
}
