/**
 * Event triggers: one notification per matching subscription (or `count` of them) with a realistic payload from
 * the catalogue, and rate-controlled streams of events for demos and load tests.
 */
import type { TimerHandle } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { optionalString, rejectUnknownKeys, requireObject, requireString } from '../options.js';
import { generateEvent } from '../../catalogue/examples.js';
import { getCatalogueEntry, latestCatalogueEntry } from '../../catalogue/table.js';
import type { CatalogueEntry } from '../../catalogue/types.js';
import type { EventSubCore } from './core.js';
import type { StoredSubscription } from './model.js';

/** Maximum `count` of one trigger call. */
export const MAX_TRIGGER_COUNT = 1_000_000;

/**
 * Most notifications one trigger sends in all (`count` × matching subscriptions). Past it: `INVALID_ARGUMENT`
 * (field `count`), nothing sent.
 */
export const MAX_TRIGGER_NOTIFICATIONS = 1_000_000;

/**
 * Most notifications the synchronous `emu.trigger()` sends (`count` × matching subscriptions), about 25 ms of the
 * event loop. Larger triggers go through `emu.triggerAsync()` (or `POST /_emulator/trigger`), which yields.
 */
export const MAX_SYNC_TRIGGER_NOTIFICATIONS = 10_000;

/** Notifications `triggerAsync` sends between two turns of the event loop (a few ms of work). */
export const TRIGGER_CHUNK = 1_000;

/** Keys of a stream input (typed: a field added to `StreamInput` must be listed, or this does not compile). */
const STREAM_FIELDS: { readonly [K in keyof StreamInput]-?: boolean } = {
  type: true,
  version: true,
  condition: true,
  subscriptionId: true,
  event: true,
  count: true,
  ratePerSecond: false,
  durationMs: false,
};
/** Keys of a trigger input: those of a stream input marked `true`. */
const TRIGGER_KEYS = Object.keys(STREAM_FIELDS).filter((k) => STREAM_FIELDS[k as keyof StreamInput]);
const STREAM_KEYS = Object.keys(STREAM_FIELDS);

/**
 * What to trigger.
 *
 * @example
 * ```ts
 * emu.trigger({ type: 'channel.follow', version: '2', condition: { broadcaster_user_id: '1337' }, event: { user_name: 'Ada' } });
 * ```
 */
export interface TriggerInput {
  /** Subscription type, e.g. `channel.follow`. Optional when `subscriptionId` is given. */
  readonly type?: string;
  /** Version (default: the latest version of the type, or the subscription's version). */
  readonly version?: string;
  /** Only subscriptions whose condition contains every given key/value. */
  readonly condition?: Readonly<Record<string, string>>;
  /** Only this subscription. */
  readonly subscriptionId?: string;
  /** Fields merged over the generated event (over each `events[i].data` for batched types). */
  readonly event?: Readonly<Record<string, unknown>>;
  /**
   * Notifications per matching subscription (default 1). In all (`count` × matching subscriptions) at most 10,000
   * for `trigger()`, 1,000,000 for `triggerAsync()`.
   */
  readonly count?: number;
}

/** Outcome of a trigger: notifications delivered to a socket (or webhook transport), and dropped ones. */
export interface TriggerResult {
  readonly delivered: number;
  readonly dropped: number;
}

/** A running stream of events, started by `emulator.stream(...)`. */
export interface EventStream {
  readonly id: string;
  /** Stops the stream; `done` resolves. */
  stop(): void;
  /** Resolves with the totals when the stream ends (count reached, duration elapsed, stopped or emulator closed). */
  readonly done: Promise<TriggerResult>;
}

/** Stream options: a trigger plus a rate. */
export interface StreamInput extends Omit<TriggerInput, 'count'> {
  /** Notifications per second per matching subscription. */
  readonly ratePerSecond: number;
  /** Stop after this many notifications per matching subscription. */
  readonly count?: number;
  /** Stop after this long. */
  readonly durationMs?: number;
}

function resolveEntry(input: TriggerInput, sub: StoredSubscription | undefined): CatalogueEntry {
  const type = input.type ?? sub?.type;
  if (type === undefined) throw new InvalidArgumentError('type or subscription_id is required', 'type');
  const version = input.version ?? (sub?.type === type ? sub.version : undefined);
  const entry = version === undefined ? latestCatalogueEntry(type) : getCatalogueEntry(type, version);
  if (entry === undefined) {
    throw new InvalidArgumentError(
      `unknown subscription type ${type} version ${version ?? '(latest)'}`,
      'type',
    );
  }
  if (entry.removed === true) {
    throw new InvalidArgumentError(`${type} version ${entry.version} was removed by Twitch`, 'version');
  }
  return entry;
}

function matches(sub: StoredSubscription, condition: Readonly<Record<string, string>> | undefined): boolean {
  if (sub.status !== 'enabled') return false;
  if (condition === undefined) return true;
  for (const key of Object.keys(condition)) {
    if (sub.condition[key] !== condition[key]) return false;
  }
  return true;
}

/**
 * Deepest nesting of event overrides: Twitch's wire events nest a few levels; deeper is a cycle or a mistake, refused
 * by name where the overrides enter (the deep merge would overflow the stack, or never end on a cycle).
 */
export const MAX_EVENT_OVERRIDE_DEPTH = 32;

/** Throws `INVALID_ARGUMENT` naming `path` when `value` nests objects or arrays deeper than the limit. */
export function checkOverrideDepth(value: unknown, path: string, depth = 0): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_EVENT_OVERRIDE_DEPTH) {
    throw new InvalidArgumentError(
      `${path} is nested deeper than ${String(MAX_EVENT_OVERRIDE_DEPTH)} levels (a cycle?): event overrides follow the wire event`,
      path,
    );
  }
  if (Array.isArray(value)) {
    value.forEach((v: unknown, i) => {
      checkOverrideDepth(v, `${path}[${String(i)}]`, depth + 1);
    });
    return;
  }
  for (const key of Object.keys(value)) {
    checkOverrideDepth((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
  }
}

/** Checks the shape of a trigger (or stream) input: an object of known keys with values of the right types. */
function checkInput(input: unknown, keys: readonly string[]): asserts input is TriggerInput {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, keys);
  optionalString(obj.type, 'type');
  optionalString(obj.version, 'version');
  optionalString(obj.subscriptionId, 'subscriptionId');
  if (obj.condition !== undefined) {
    const condition = requireObject(obj.condition, 'condition');
    for (const [key, value] of Object.entries(condition)) requireString(value, `condition.${key}`);
  }
  if (obj.event !== undefined) checkOverrideDepth(requireObject(obj.event, 'event'), 'event');
}

/**
 * Validates the values of a trigger input whose shape {@link checkInput} checked (throws
 * {@link InvalidArgumentError}) and returns the matching subscriptions.
 */
function selectSubscriptions(core: EventSubCore, input: TriggerInput): StoredSubscription[] {
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 0 || count > MAX_TRIGGER_COUNT) {
    throw new InvalidArgumentError(`count must be an integer between 0 and ${MAX_TRIGGER_COUNT}`, 'count');
  }
  let only: StoredSubscription | undefined;
  if (input.subscriptionId !== undefined) {
    only = core.subscriptions.get(input.subscriptionId);
    if (only === undefined) {
      throw new InvalidArgumentError(`no subscription ${input.subscriptionId}`, 'subscriptionId');
    }
  }
  const entry = resolveEntry(input, only);
  if (only !== undefined) {
    return only.type === entry.type && only.version === entry.version && matches(only, input.condition)
      ? [only]
      : [];
  }
  const out: StoredSubscription[] = [];
  for (const sub of core.byType.get(`${entry.type}@${entry.version}`) ?? []) {
    if (matches(sub, input.condition)) out.push(sub);
  }
  return out;
}

/** The matching subscriptions and the count of a trigger, its total checked against `max`. */
function plan(
  core: EventSubCore,
  input: TriggerInput,
  max: number,
  hint: string,
): { subs: StoredSubscription[]; count: number } {
  checkInput(input, TRIGGER_KEYS);
  const subs = selectSubscriptions(core, input);
  const count = input.count ?? 1;
  const total = subs.length * count;
  if (total > max) {
    throw new InvalidArgumentError(
      `a trigger sends at most ${max} notifications; this one would send ${total} (count ${count} × ${subs.length} matching subscriptions)${hint}`,
      'count',
    );
  }
  return { subs, count };
}

/**
 * The options of every generated event: the emulator's time, so that generated timestamps (`followed_at`,
 * `started_at`, ...) follow an injected clock like the message timestamps do. One object, refilled per call (the
 * call is synchronous): nothing allocated per notification.
 */
const GENERATE: { now: number } = { now: 0 };

/** Sends one notification with a freshly generated payload; whether it reached a transport. */
function sendOne(
  core: EventSubCore,
  sub: StoredSubscription,
  overrides: Record<string, unknown> | undefined,
): boolean {
  if (sub.status !== 'enabled') return false;
  GENERATE.now = core.clock.now();
  const generated = generateEvent(sub.entry, sub.condition, overrides, GENERATE);
  const json = JSON.stringify(sub.entry.batched ? (generated.events ?? []) : (generated.event ?? {}));
  return core.deliver(sub, json);
}

/** Sends `count` notifications to each of `subs`, synchronously. */
function sendAll(
  core: EventSubCore,
  subs: readonly StoredSubscription[],
  count: number,
  overrides: Record<string, unknown> | undefined,
): TriggerResult {
  let delivered = 0;
  let dropped = 0;
  for (const sub of subs) {
    for (let i = 0; i < count; i++) {
      if (sendOne(core, sub, overrides)) delivered++;
      else dropped++;
    }
  }
  return { delivered, dropped };
}

/**
 * Triggers notifications: for each matching enabled subscription, `count` notifications with freshly generated
 * payloads (condition ids, fresh ids and timestamps, then `event` overrides). Synchronous, so bounded to
 * {@link MAX_SYNC_TRIGGER_NOTIFICATIONS} in all; {@link triggerAsync} takes more.
 */
export function trigger(core: EventSubCore, input: TriggerInput): TriggerResult {
  const { subs, count } = plan(
    core,
    input,
    MAX_SYNC_TRIGGER_NOTIFICATIONS,
    ` at once; use triggerAsync() (up to ${MAX_TRIGGER_NOTIFICATIONS}), which yields to the event loop`,
  );
  return sendAll(core, subs, count, input.event);
}

/** Resolves on the next turn of the event loop, after I/O and timers that are due. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

/**
 * Like {@link trigger}, up to {@link MAX_TRIGGER_NOTIFICATIONS} in all, sent in chunks of {@link TRIGGER_CHUNK}
 * with a turn of the event loop between chunks, so that other requests, sockets and timers keep running. Once
 * `stopped()` returns true (the emulator closes), the rest counts as dropped.
 */
export async function triggerAsync(
  core: EventSubCore,
  input: TriggerInput,
  stopped: () => boolean,
): Promise<TriggerResult> {
  const { subs, count } = plan(core, input, MAX_TRIGGER_NOTIFICATIONS, '');
  const overrides = input.event as Record<string, unknown> | undefined;
  let delivered = 0;
  let dropped = 0;
  let chunk = 0;
  for (const sub of subs) {
    for (let i = 0; i < count; i++) {
      if (++chunk > TRIGGER_CHUNK) {
        chunk = 1;
        await nextTurn();
      }
      if (!stopped() && sendOne(core, sub, overrides)) delivered++;
      else dropped++;
    }
  }
  return { delivered, dropped };
}

let streamSeq = 0;

/**
 * Starts a stream: `ratePerSecond` notifications per second per matching subscription (matched anew at every tick,
 * so subscriptions created later join), until `count`, `durationMs` or `stop()`.
 */
export function startStream(
  core: EventSubCore,
  input: StreamInput,
  registry: Set<EventStream>,
  tickMs = 10,
): EventStream {
  checkInput(input, STREAM_KEYS);
  const rate = input.ratePerSecond;
  if (typeof rate !== 'number' || !(rate > 0) || rate > 10_000_000) {
    throw new InvalidArgumentError('ratePerSecond must be a number in (0, 10000000]', 'ratePerSecond');
  }
  if (input.count !== undefined && (!Number.isInteger(input.count) || input.count < 1)) {
    throw new InvalidArgumentError('count must be a positive integer', 'count');
  }
  if (
    input.durationMs !== undefined &&
    (typeof input.durationMs !== 'number' || !(input.durationMs > 0) || !Number.isFinite(input.durationMs))
  ) {
    throw new InvalidArgumentError('durationMs must be a positive number', 'durationMs');
  }
  // Validate the input once, up front.
  selectSubscriptions(core, { ...input, count: 1 });
  // The stream runs on the emulator's clock: a test clock advanced by 1 s emits `ratePerSecond` events.
  const clock = core.clock;
  const started = clock.now();
  let emitted = 0;
  let delivered = 0;
  let dropped = 0;
  let finish: (result: TriggerResult) => void = () => undefined;
  const done = new Promise<TriggerResult>((resolve) => {
    finish = resolve;
  });
  const stream: EventStream = {
    id: `stream-${++streamSeq}`,
    stop() {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (registry.delete(stream)) finish({ delivered, dropped });
    },
    done,
  };
  let timer: TimerHandle | undefined;
  const arm = (): void => {
    // A running stream keeps the process alive until it ends or is stopped (as its interval timer always did).
    timer = clock.setTimeout(onTimer, tickMs, { ref: true });
  };
  const onTimer = (): void => {
    arm();
    tick();
  };
  const tick = (): void => {
    const elapsed = clock.now() - started;
    let due = Math.floor((rate * elapsed) / 1000) - emitted;
    if (input.count !== undefined) due = Math.min(due, input.count - emitted);
    if (due > 0) {
      let subs: StoredSubscription[];
      try {
        subs = selectSubscriptions(core, { ...input, count: 1 });
      } catch {
        // The stream's subscription is gone (deleted, pruned): nothing left to send to.
        stream.stop();
        return;
      }
      // One tick sends at most as much as a synchronous trigger: a rate the machine cannot keep lags behind
      // instead of blocking the event loop.
      due = Math.min(due, Math.max(1, Math.floor(MAX_SYNC_TRIGGER_NOTIFICATIONS / Math.max(1, subs.length))));
      const result = sendAll(core, subs, due, input.event);
      emitted += due;
      delivered += result.delivered;
      dropped += result.dropped;
    }
    if (
      (input.count !== undefined && emitted >= input.count) ||
      (input.durationMs !== undefined && elapsed >= input.durationMs)
    ) {
      stream.stop();
    }
  };
  registry.add(stream);
  arm();
  return stream;
}
