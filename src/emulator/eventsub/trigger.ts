/**
 * Event triggers: one notification per matching subscription (or `count` of them) with a realistic payload from
 * the catalogue, and rate-controlled streams of events for demos and load tests.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { generateEvent } from '../../eventsub/catalogue/examples.js';
import { getCatalogueEntry, latestCatalogueEntry } from '../../eventsub/catalogue/table.js';
import type { CatalogueEntry } from '../../eventsub/catalogue/types.js';
import type { EventSubCore } from './core.js';
import type { StoredSubscription } from './model.js';

/** Maximum `count` of one trigger call. */
export const MAX_TRIGGER_COUNT = 1_000_000;

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
  /** Notifications per matching subscription (default 1, max 1,000,000). */
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

/** Validates a trigger input (throws {@link InvalidArgumentError}) and returns the matching subscriptions. */
export function selectSubscriptions(core: EventSubCore, input: TriggerInput): StoredSubscription[] {
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 0 || count > MAX_TRIGGER_COUNT) {
    throw new InvalidArgumentError(`count must be an integer between 0 and ${MAX_TRIGGER_COUNT}`, 'count');
  }
  if (input.event !== undefined && (typeof input.event !== 'object' || Array.isArray(input.event))) {
    throw new InvalidArgumentError('event must be an object of fields to override', 'event');
  }
  let only: StoredSubscription | undefined;
  if (input.subscriptionId !== undefined) {
    only = core.subscriptions.get(input.subscriptionId);
    if (only === undefined) {
      throw new InvalidArgumentError(`no subscription ${input.subscriptionId}`, 'subscription_id');
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

/**
 * Triggers notifications: for each matching enabled subscription, `count` notifications with freshly generated
 * payloads (condition ids, fresh ids and timestamps, then `event` overrides).
 */
export function trigger(core: EventSubCore, input: TriggerInput): TriggerResult {
  const subs = selectSubscriptions(core, input);
  const count = input.count ?? 1;
  const overrides = input.event as Record<string, unknown> | undefined;
  let delivered = 0;
  let dropped = 0;
  for (const sub of subs) {
    for (let i = 0; i < count; i++) {
      if (sub.status !== 'enabled') {
        dropped++;
        continue;
      }
      const generated = generateEvent(sub.entry, sub.condition, overrides);
      const json = JSON.stringify(sub.entry.batched ? (generated.events ?? []) : (generated.event ?? {}));
      if (core.deliver(sub, json)) delivered++;
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
  const rate = input.ratePerSecond;
  if (typeof rate !== 'number' || !(rate > 0) || rate > 10_000_000) {
    throw new InvalidArgumentError('ratePerSecond must be a number in (0, 10000000]', 'rate_per_second');
  }
  if (input.count !== undefined && (!Number.isInteger(input.count) || input.count < 1)) {
    throw new InvalidArgumentError('count must be a positive integer', 'count');
  }
  if (input.durationMs !== undefined && !(input.durationMs > 0)) {
    throw new InvalidArgumentError('durationMs must be positive', 'duration_ms');
  }
  // Validate the input once, up front.
  selectSubscriptions(core, { ...input, count: 1 });
  const started = Date.now();
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
      clearInterval(timer);
      if (registry.delete(stream)) finish({ delivered, dropped });
    },
    done,
  };
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    let due = Math.floor((rate * elapsed) / 1000) - emitted;
    if (input.count !== undefined) due = Math.min(due, input.count - emitted);
    if (due > 0) {
      const result = trigger(core, { ...input, count: due });
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
  }, tickMs);
  registry.add(stream);
  return stream;
}
