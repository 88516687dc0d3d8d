/**
 * The one way options objects are checked: a table with one {@link Check} per option, typed over the keys of the
 * options interface ({@link OptionChecks}), so that adding an option without a check does not compile. Every class
 * validates its whole options object in one place, in its constructor, before anything is created, bound or sent;
 * a wrong value throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`) whose `field` names the option (`timeoutMs`,
 * `webhook.listen.port`, `shardIds[2]`).
 *
 * Not part of the public API (not re-exported by the package index).
 */
import { requireDuration, type DurationBounds } from './duration.js';
import { InvalidArgumentError } from './errors.js';
import { isRecord } from './guards.js';

/**
 * A check of one value: returns when `value` is acceptable, else throws {@link InvalidArgumentError} naming `field`.
 * `undefined` never reaches a check of an options table (it means "the default"), except for a key marked with
 * {@link Check.refuseUndefined}.
 */
export interface Check {
  (value: unknown, field: string): void;
  /**
   * A key present with the value `undefined` is refused (a misspelt or unset variable): used for URLs, where the
   * default is production Twitch and must never be reached by accident.
   */
  readonly refuseUndefined?: boolean;
  /** The key must be present with a value other than `undefined` (see {@link required}). */
  readonly required?: boolean;
}

/** A table of checks, one per key of `T` (optional keys included): a key without a check does not compile. */
export type OptionChecks<T> = { readonly [K in keyof T]-?: Check };

/** A short description of a value for messages: at most 40 characters of a string. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Throws {@link InvalidArgumentError}: `"<field> must be <expected>; got <value>"`. `secret` leaves the value out
 * of the message (tokens, secrets).
 *
 * @example
 * ```ts
 * if (typeof value !== 'boolean') fail(field, 'a boolean', value);
 * ```
 */
export function fail(field: string, expected: string, value: unknown, secret = false): never {
  throw new InvalidArgumentError(
    `${field} must be ${expected}${secret ? '' : `; got ${describeValue(value)}`}`,
    field,
  );
}

/**
 * Checks an options object against its table: `options` must be an object (or `undefined` when `optional`), and
 * every key of the table whose value is not `undefined` must pass its check. Keys the table does not know are left
 * alone (options objects are often spread from wider configurations). `prefix` is put before each field name
 * (nested options: `'webhook.'`).
 *
 * @example
 * ```ts
 * const CHECKS: OptionChecks<BackoffOptions> = { initialMs: duration(), maxMs: duration(), ... };
 * checkOptions(options, CHECKS, 'options');
 * ```
 */
export function checkOptions<T>(
  options: unknown,
  checks: OptionChecks<T>,
  field = 'options',
  prefix = '',
): asserts options is T {
  if (!isRecord(options)) fail(field, 'an object', options);
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    const check = checks[key];
    const value = options[key];
    if (value === undefined) {
      if (check.required === true) {
        throw new InvalidArgumentError(`${prefix}${key} is required`, `${prefix}${key}`);
      }
      if (check.refuseUndefined === true && key in options) {
        throw new InvalidArgumentError(
          `${prefix}${key} was passed as undefined: omit the key to use the default, or give a value`,
          `${prefix}${key}`,
        );
      }
      continue;
    }
    check(value, `${prefix}${key}`);
  }
}

/**
 * `options` itself when it is an object, `{}` when `undefined` (the default of an optional options argument), else
 * {@link InvalidArgumentError} naming `field`. Checks the keys against `checks`.
 *
 * @example
 * ```ts
 * fetchShards(options?: FetchShardsOptions) { const o = optionsOf(options, FETCH_SHARDS_CHECKS); ... }
 * ```
 */
export function optionsOf<T extends object>(
  options: T | undefined,
  checks: OptionChecks<T>,
  field = 'options',
): T {
  if (options === undefined) return {} as T;
  checkOptions<T>(options, checks, field);
  return options;
}

// ---- checks ---------------------------------------------------------------------------------------------------

/** `check`, for a key that must be given (`undefined` is refused as missing). */
export function required(check: Check): Check {
  return Object.assign(
    (value: unknown, field: string): void => {
      check(value, field);
    },
    { required: true },
  );
}

/** Accepts anything (an option passed through as given, e.g. to `ws`). */
export const anything: Check = () => undefined;

/** An integer within `[min, max]`. */
export function integerIn(min: number, max: number, what = `an integer in ${min}..${max}`): Check {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(field, what, value);
    }
  };
}

/** An integer >= 1 (at most `Number.MAX_SAFE_INTEGER`). */
export const positiveInteger: Check = integerIn(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
/** An integer >= 0 (at most `Number.MAX_SAFE_INTEGER`). */
export const nonNegativeInteger: Check = integerIn(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');

/** A number within `[min, max]` (fractions allowed; `NaN` refused). */
export function numberIn(min: number, max: number, what = `a number in ${min}..${max}`): Check {
  return (value, field) => {
    if (typeof value !== 'number' || !(value >= min && value <= max)) fail(field, what, value);
  };
}

/** A finite number (a time in ms since the epoch, for instance). */
export const finiteNumber: Check = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'a finite number', value);
};

/** A duration in milliseconds, by the clock rule (core/duration.ts): `[min, max]`, `max` at most 2^31-1. */
export function duration(bounds: DurationBounds = {}): Check {
  return (value, field) => {
    requireDuration(value, field, bounds);
  };
}

/** A duration in whole milliseconds (`0.5` refused, not run as a 1 ms timer), by the same clock rule. */
export function integerDuration(bounds: DurationBounds = {}): Check {
  return duration({ ...bounds, integer: true });
}

/** `true` or `false`. */
export const boolean: Check = (value, field) => {
  if (typeof value !== 'boolean') fail(field, 'a boolean', value);
};

/** A function. */
export const func: Check = (value, field) => {
  if (typeof value !== 'function') fail(field, 'a function', value);
};

/** A non-empty string. */
export const nonEmptyString: Check = (value, field) => {
  if (typeof value !== 'string' || value === '') fail(field, 'a non-empty string', value);
};

/** Any string, the empty one included. */
export const string: Check = (value, field) => {
  if (typeof value !== 'string') fail(field, 'a string', value);
};

/** A secret: a non-empty string, never quoted in the message. */
export const secretString: Check = (value, field) => {
  if (typeof value !== 'string' || value === '') fail(field, 'a non-empty string', value, true);
};

/**
 * A URL option: a non-empty string; a key present with `undefined` is refused (see {@link Check.refuseUndefined}).
 * The URL's syntax is left to the component, which knows its schemes.
 */
export const url: Check = Object.assign(
  (value: unknown, field: string): void => {
    if (typeof value !== 'string' || value === '') fail(field, 'a URL string', value);
  },
  { refuseUndefined: true },
);

/** A {@link url} that is an absolute `http:` or `https:` URL (a Helix or OAuth base URL). */
export const httpUrl: Check = Object.assign(
  (value: unknown, field: string): void => {
    url(value, field);
    let protocol = '';
    try {
      protocol = new URL(value as string).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') fail(field, 'an http:// or https:// URL', value);
  },
  { refuseUndefined: true },
);

/** One of `values`. */
export function oneOf(values: readonly unknown[]): Check {
  const what = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return (value, field) => {
    if (!values.includes(value)) fail(field, what, value);
  };
}

/** An array whose items each pass `item` (named `<field>[<i>]`). */
export function arrayOf(item: Check, what = 'an array'): Check {
  return (value, field) => {
    if (!Array.isArray(value)) fail(field, what, value);
    for (let i = 0; i < value.length; i++) item(value[i], `${field}[${i}]`);
  };
}

/** An object whose keys pass `checks` (named `<field>.<key>`). */
export function nested<T>(checks: OptionChecks<T>): Check {
  return (value, field) => {
    checkOptions(value, checks, field, `${field}.`);
  };
}

/** An object with these methods. */
export function withMethods(methods: readonly string[], what: string): Check {
  return (value, field) => {
    if (
      (typeof value !== 'object' && typeof value !== 'function') ||
      value === null ||
      !methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
    ) {
      fail(field, what, value);
    }
  };
}

/** An `AbortSignal` (see {@link optionalSignal}). */
export const signal: Check = (value, field) => {
  optionalSignal(value, field);
};

/** A {@link Logger}: `debug`, `info`, `warn` and `error` methods. */
export const logger: Check = withMethods(
  ['debug', 'info', 'warn', 'error'],
  'a logger (debug, info, warn and error methods)',
);

/** A {@link Clock}: `now`, `setTimeout` and `clearTimeout` methods. */
export const clock: Check = withMethods(
  ['now', 'setTimeout', 'clearTimeout'],
  'a clock (now, setTimeout and clearTimeout methods)',
);

/**
 * The one guard of every `signal` argument and option: `undefined`, or an `AbortSignal`. Anything else (`"x"`, a
 * plain object with `aborted: true`) is an {@link InvalidArgumentError} naming `field`, instead of a `TypeError`
 * from `AbortSignal.any()` or `addEventListener` deep inside a call.
 *
 * @example
 * ```ts
 * connect(signal?: AbortSignal) { optionalSignal(signal, 'signal'); ... }
 * ```
 */
export function optionalSignal(value: unknown, field = 'signal'): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  return fail(field, 'an AbortSignal', value);
}
