/**
 * Condition validation against the catalogue, on the wire (snake_case) form of a condition: the emulator validates
 * what clients send to Helix, and the client's builders validate before any HTTP call.
 */
import { isRecord } from '../core/guards.js';
import { fail as invalid } from '../core/options.js';
import type { CatalogueEntry, ConditionCheck, ConditionSpec } from './types.js';

/**
 * Every key a condition spec accepts (required, optional and the members of exactly-one-of groups). Cached per spec.
 *
 * @example
 * ```ts
 * [...allowedConditionKeys(getCatalogueEntry('channel.raid', '1')!.condition)];
 * // ['from_broadcaster_user_id', 'to_broadcaster_user_id']
 * ```
 */
export function allowedConditionKeys(spec: ConditionSpec): ReadonlySet<string> {
  let cached = ALLOWED.get(spec);
  if (cached === undefined) {
    // Checked on the first call for a spec only: later calls hit the cache.
    if (!isConditionSpec(spec))
      invalid('spec', 'a condition spec ({ required, optional, exactlyOneOf? })', spec);
    cached = new Set([...spec.required, ...spec.optional, ...(spec.exactlyOneOf ?? []).flat()]);
    ALLOWED.set(spec, cached);
  }
  return cached;
}
const ALLOWED = new WeakMap<ConditionSpec, ReadonlySet<string>>();

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isConditionSpec(value: unknown): value is ConditionSpec {
  return (
    isRecord(value) &&
    isStringList(value.required) &&
    isStringList(value.optional) &&
    (value.exactlyOneOf === undefined ||
      (Array.isArray(value.exactlyOneOf) && value.exactlyOneOf.every(isStringList)))
  );
}

/** Entries already found well-formed (the catalogue's own, after their first use). */
const CHECKED_ENTRIES = new WeakSet<object>();

/**
 * Checks that `entry` is a catalogue entry (`getCatalogueEntry(type, version)`, or one shaped like it): the
 * functions that take one read its condition and authorization specs. Anything else is an `INVALID_ARGUMENT`
 * naming `field`, instead of a `TypeError` deep inside. A well-formed entry is checked once.
 */
export function checkEntry(entry: unknown, field = 'entry'): asserts entry is CatalogueEntry {
  if (typeof entry === 'object' && entry !== null && CHECKED_ENTRIES.has(entry)) return;
  const authorization = isRecord(entry) ? entry.authorization : undefined;
  if (
    !isRecord(entry) ||
    typeof entry.type !== 'string' ||
    typeof entry.version !== 'string' ||
    !isConditionSpec(entry.condition) ||
    !isRecord(authorization) ||
    !Array.isArray(authorization.scopes) ||
    !Array.isArray(entry.transports)
  ) {
    invalid(field, 'a catalogue entry (from getCatalogueEntry(type, version))', entry);
  }
  CHECKED_ENTRIES.add(entry);
}

const OK: ConditionCheck = Object.freeze({ ok: true });

function fail(key: string | null, message: string): ConditionCheck {
  return { ok: false, field: key === null ? 'condition' : `condition.${key}`, message };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' ? 'a number' : `a value of type ${typeof value}`;
}

/**
 * Checks a wire (snake_case) condition against a catalogue entry. Reports the first problem, in this order: the
 * condition is not a plain object; an unknown key; a required key missing; a value that is not a non-empty string;
 * an exactly-one-of group with none or several keys present.
 *
 * The `field` of a failure names the key (`condition.moderator_user_id`), or `condition` for a group or shape error.
 *
 * @example
 * ```ts
 * const entry = getCatalogueEntry('channel.follow', '2')!;
 * checkCondition(entry, { broadcaster_user_id: '1337' });
 * // { ok: false, field: 'condition.moderator_user_id', message: 'missing required condition key moderator_user_id' }
 * ```
 */
export function checkCondition(entry: CatalogueEntry, condition: unknown): ConditionCheck {
  checkEntry(entry);
  if (!isRecord(condition)) {
    return fail(null, `condition must be an object, got ${describeValue(condition)}`);
  }
  const spec = entry.condition;
  const allowed = allowedConditionKeys(spec);
  for (const key of Object.keys(condition)) {
    if (!allowed.has(key)) {
      return fail(key, `unknown condition key ${key} for ${entry.type} version ${entry.version}`);
    }
  }
  for (const key of spec.required) {
    if (!Object.hasOwn(condition, key) || condition[key] === undefined) {
      return fail(key, `missing required condition key ${key}`);
    }
  }
  for (const key of Object.keys(condition)) {
    const value = condition[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      return fail(key, `condition value ${key} must be a string, got ${describeValue(value)}`);
    }
    if (value.length === 0) return fail(key, `condition value ${key} must not be empty`);
  }
  for (const group of spec.exactlyOneOf ?? []) {
    const present = group.filter((key) => condition[key] !== undefined);
    if (present.length !== 1) {
      const names = group.join(', ');
      return present.length === 0
        ? fail(null, `exactly one of ${names} is required`)
        : fail(present[1] ?? null, `only one of ${names} may be given`);
    }
  }
  return OK;
}

/**
 * The condition keys that name users (`broadcaster_user_id`, `moderator_user_id`, `user_id`, `to_broadcaster_user_id`
 * ...): the ones Get EventSub Subscriptions' `user_id` filter matches and whose authorization makes a subscription
 * cost 0.
 *
 * @example
 * ```ts
 * isUserConditionKey('to_broadcaster_user_id'); // true
 * isUserConditionKey('client_id'); // false
 * ```
 */
export function isUserConditionKey(key: string): boolean {
  return key === 'user_id' || key.endsWith('_user_id');
}
