/**
 * The typed form of `emu.trigger`, `emu.triggerAsync` and `emu.stream`: `trigger('channel.follow', '2', { condition:
 * { broadcasterUserId }, event: { userName: 'x' } })`, typed from the catalogue like the client's builders.
 *
 * One convention, the client's: camelCase everywhere. The condition is a partial `ConditionOf<T, V>` (it filters
 * subscriptions); the event overrides are a deep partial of the wire event with its keys camelCased
 * (`EventOverrides<T, V>`; for the batched `drop.entitlement.grant`, of one `events[i].data`). At run time they are
 * converted back to snake_case by {@link eventKeyToWire}, the mechanical inverse of the camelCasing the types do, so
 * type and runtime agree by construction. The result is the raw snake_case `TriggerInput` (the object form, which is
 * also what `POST /_emulator/trigger` takes).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { CamelCase, ConditionOf } from '../../catalogue/builders.js';
import { snakeToCamel } from '../../catalogue/builders.js';
import type { EventSubEventMap, EventSubEventName, WireEventOf } from '../../catalogue/events.js';
import type { SubscriptionVersion } from '../../catalogue/table.js';
import { getCatalogueEntry, getCatalogueVersions } from '../../catalogue/table.js';
import { allowedConditionKeys } from '../../catalogue/validate.js';
import { rejectUnknownKeys, requireObject, requireString } from '../options.js';
import type { EventSubCore } from './core.js';
import {
  checkOverrideDepth,
  MAX_EVENT_OVERRIDE_DEPTH,
  startStream,
  trigger,
  triggerAsync,
} from './trigger.js';
import type { EventStream, StreamInput, TriggerInput, TriggerResult } from './trigger.js';
import { WIRE_EVENT_FIELDS } from './wire-fields.js';

/** A subscription type the typed trigger takes: every type of the catalogue (each has an event model). */
export type TriggerType = EventSubEventName;

/** A version of `T` the typed trigger takes (subscribable, with a model). */
export type TriggerVersion<T extends TriggerType> = EventSubEventMap[T]['version'] & SubscriptionVersion<T>;

/** `T` with every key camelCased, at every depth (arrays keep their elements, camelCased). */
export type CamelCased<T> = T extends readonly (infer E)[]
  ? readonly CamelCased<E>[]
  : T extends object
    ? { readonly [K in keyof T as K extends string ? CamelCase<K> : never]: CamelCased<T[K]> }
    : T;

/**
 * A deep partial of `T` with camelCased keys: objects merge key by key (so every key is optional at every depth);
 * an array is given whole (it replaces the generated one).
 */
export type CamelPartial<T> = T extends readonly (infer E)[]
  ? readonly CamelCased<E>[]
  : T extends object
    ? { readonly [K in keyof T as K extends string ? CamelCase<K> : never]?: CamelPartial<T[K]> }
    : T;

/**
 * The event overrides of `T` at version `V`: a deep partial of its camelCased wire event (of one `events[i].data`
 * for `drop.entitlement.grant`), e.g. `EventOverrides<'channel.follow', '2'>` has `userName?: string`.
 */
export type EventOverrides<T extends TriggerType, V extends TriggerVersion<T>> =
  WireEventOf<T, V> extends readonly { readonly data: infer D }[]
    ? CamelPartial<D>
    : CamelPartial<WireEventOf<T, V>>;

/**
 * Options of the typed trigger (`emu.trigger(type, version, options)`), camelCase.
 *
 * @example
 * ```ts
 * const options: TypedTriggerOptions<'channel.follow', '2'> = {
 *   condition: { broadcasterUserId: '1337' },
 *   event: { userName: 'Ada' },
 * };
 * ```
 */
export interface TypedTriggerOptions<T extends TriggerType, V extends TriggerVersion<T>> {
  /** Only subscriptions whose condition has every given key/value (camelCase keys of the type's condition). */
  readonly condition?: Partial<ConditionOf<T, V>>;
  /** Fields merged over the generated event: camelCase, any depth (objects merge; arrays and values replace). */
  readonly event?: EventOverrides<T, V>;
  /** Notifications per matching subscription (default 1). */
  readonly count?: number;
  /** Only this subscription. */
  readonly subscriptionId?: string;
}

/** Options of the typed stream (`emu.stream(type, version, options)`): a typed trigger plus a rate. */
export interface TypedStreamOptions<
  T extends TriggerType,
  V extends TriggerVersion<T>,
> extends TypedTriggerOptions<T, V> {
  /** Notifications per second per matching subscription. */
  readonly ratePerSecond: number;
  /** Stop after this long. */
  readonly durationMs?: number;
}

const TRIGGER_OPTION_KEYS = ['condition', 'event', 'count', 'subscriptionId'] as const;
const STREAM_OPTION_KEYS = [...TRIGGER_OPTION_KEYS, 'ratePerSecond', 'durationMs'] as const;

/**
 * The wire key of a camelCase event key: the inverse of the camelCasing (`userName` → `user_name`, `url1x` →
 * `url_1x`: a digit after a letter starts a word, as in Twitch's `url_1x`).
 *
 * @example
 * ```ts
 * eventKeyToWire('broadcasterUserLogin'); // 'broadcaster_user_login'
 * ```
 */
export function eventKeyToWire(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/([a-z])(\d)/g, '$1_$2');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts camelCase event overrides to their wire form, at every depth (array elements too). A key that is not the
 * camelCase of a wire event field (a typo, a snake_case key) is `INVALID_ARGUMENT` naming it (`event.usrName`).
 *
 * @example
 * ```ts
 * eventOverridesToWire({ userName: 'Ada', message: { text: 'hi' } }); // { user_name: 'Ada', message: { text: 'hi' } }
 * ```
 */
export function eventOverridesToWire(overrides: unknown, field = 'event'): Record<string, unknown> {
  return convertObject(requireObject(overrides, field), field, 0);
}

function convertObject(obj: Record<string, unknown>, path: string, depth: number): Record<string, unknown> {
  // Checked on the way down, so a cycle or a runaway nesting is refused by name before the stack runs out.
  if (depth > MAX_EVENT_OVERRIDE_DEPTH) checkOverrideDepth(obj, path, depth);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const wire = eventKeyToWire(key);
    if (!WIRE_EVENT_FIELDS.has(wire) || snakeToCamel(wire) !== key) {
      const hint = WIRE_EVENT_FIELDS.has(key) ? ` (camelCase here: ${snakeToCamel(key)})` : '';
      throw new InvalidArgumentError(
        `unknown event field ${key}${hint}: event overrides take the camelCase keys of the wire event`,
        `${path}.${key}`,
      );
    }
    out[wire] = convertValue(obj[key], `${path}.${key}`, depth + 1);
  }
  return out;
}

function convertValue(value: unknown, path: string, depth: number): unknown {
  if (Array.isArray(value)) {
    return value.map((v: unknown, i) => convertValue(v, `${path}[${String(i)}]`, depth + 1));
  }
  return isPlainObject(value) ? convertObject(value, path, depth) : value;
}

/** The camelCase condition filter converted to wire keys, each key checked against the type's condition keys. */
function conditionToWire(type: string, version: string, condition: unknown): Record<string, string> {
  const entry = getCatalogueEntry(type, version);
  const obj = requireObject(condition, 'condition');
  const keys = new Map(
    [...(entry === undefined ? [] : allowedConditionKeys(entry.condition))].map((k) => [snakeToCamel(k), k]),
  );
  const out: Record<string, string> = {};
  for (const key of Object.keys(obj)) {
    const wire = keys.get(key);
    if (wire === undefined) {
      throw new InvalidArgumentError(
        `unknown condition key ${key} for ${type} version ${version}; accepted: ${[...keys.keys()].join(', ')}`,
        `condition.${key}`,
      );
    }
    out[wire] = requireString(obj[key], `condition.${key}`);
  }
  return out;
}

/**
 * Checks the type and version of the typed form (strings naming a catalogue entry), else `INVALID_ARGUMENT` naming
 * `type` or `version`.
 */
export function checkTypeVersion(type: unknown, version: unknown): void {
  const t = requireString(type, 'type');
  const known = getCatalogueVersions(t).map((e) => e.version);
  if (known.length === 0) throw new InvalidArgumentError(`unknown subscription type ${t}`, 'type');
  const v = requireString(version, 'version');
  if (!known.includes(v)) {
    throw new InvalidArgumentError(`unknown version ${v} of ${t} (known: ${known.join(', ')})`, 'version');
  }
}

function convert(
  type: unknown,
  version: unknown,
  options: unknown,
  keys: readonly string[],
  optionsRequired: boolean,
): Record<string, unknown> {
  checkTypeVersion(type, version);
  const t = type as string;
  const v = version as string;
  const opts = options === undefined && !optionsRequired ? {} : requireObject(options, 'options');
  rejectUnknownKeys(opts, keys);
  const out: Record<string, unknown> = { ...opts, type: t, version: v };
  if (opts.condition !== undefined) out.condition = conditionToWire(t, v, opts.condition);
  if (opts.event !== undefined) out.event = eventOverridesToWire(opts.event);
  return out;
}

/**
 * The raw `TriggerInput` of an `emu.trigger(...)` call: the typed form `(type, version, options?)` converted to
 * snake_case, or the object form as given (checked by the trigger itself).
 */
export function triggerInputOf(first: unknown, version: unknown, options: unknown): TriggerInput {
  if (typeof first !== 'string') return first as TriggerInput;
  return convert(first, version, options, TRIGGER_OPTION_KEYS, false);
}

/** The raw `StreamInput` of an `emu.stream(...)` call (see {@link triggerInputOf}). */
export function streamInputOf(first: unknown, version: unknown, options: unknown): StreamInput {
  if (typeof first !== 'string') return requireObject(first, 'input') as unknown as StreamInput;
  return convert(first, version, options, STREAM_OPTION_KEYS, true) as unknown as StreamInput;
}

/** `emu.trigger(...)` in either form. */
export function triggerAny(
  core: EventSubCore,
  first: unknown,
  version: unknown,
  options: unknown,
): TriggerResult {
  return trigger(core, triggerInputOf(first, version, options));
}

/** `emu.triggerAsync(...)` in either form (a bad argument rejects). */
export async function triggerAsyncAny(
  core: EventSubCore,
  first: unknown,
  version: unknown,
  options: unknown,
  stopped: () => boolean,
): Promise<TriggerResult> {
  return triggerAsync(core, triggerInputOf(first, version, options), stopped);
}

/** `emu.stream(...)` in either form. */
export function streamAny(
  core: EventSubCore,
  first: unknown,
  version: unknown,
  options: unknown,
  registry: Set<EventStream>,
): EventStream {
  return startStream(core, streamInputOf(first, version, options), registry);
}
