/**
 * Small internal guards shared across modules: type narrowing of untrusted values, lenient JSON parsing of HTTP
 * bodies, and validation of numeric options. Not part of the public API (not re-exported by the package index).
 */
import { InvalidArgumentError } from './errors.js';

/**
 * Whether `value` is a plain JSON-like object: not `null`, not an array.
 *
 * @example
 * ```ts
 * const body: unknown = JSON.parse(text);
 * if (isRecord(body) && typeof body.message === 'string') return body.message;
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an HTTP response body leniently: `undefined` for an empty body, the parsed JSON value, or the text itself
 * when it is not JSON (a proxy's HTML error page, a plain-text answer). Never throws.
 *
 * @example
 * ```ts
 * parseJsonBody('');            // undefined
 * parseJsonBody('{"a":1}');     // { a: 1 }
 * parseJsonBody('Bad Gateway'); // 'Bad Gateway'
 * ```
 */
export function parseJsonBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * `value` itself when it is an `Error`, else an `Error` whose message is `String(value)` (for `throw 'text'` and
 * rejected promises of non-errors).
 *
 * @example
 * ```ts
 * try { listener(event); } catch (error) { report(toError(error)); }
 * ```
 */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * The message of an error, or `String(value)` for anything thrown that is not an `Error`.
 *
 * @example
 * ```ts
 * logger.warn('refresh failed', { error: errorMessage(error) });
 * ```
 */
export function errorMessage(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

/**
 * Returns `value` when it is a finite number greater than 0; else throws `InvalidArgumentError`
 * (`"<field> must be a positive number"`, `field` set). Also refuses `NaN`, `Infinity` and non-numbers from
 * untyped callers.
 *
 * @example
 * ```ts
 * this.#timeoutMs = requirePositive(options.timeoutMs ?? 10_000, 'timeoutMs');
 * ```
 */
export function requirePositive(value: number, field: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${field} must be a positive number`, field);
  }
  return value;
}

/**
 * Returns `value` when it is an integer greater than 0; else throws `InvalidArgumentError`
 * (`"<field> must be a positive integer"`, `field` set). A fraction such as `0.5` is refused, never rounded.
 *
 * @example
 * ```ts
 * this.#maxSize = requirePositiveInteger(options.maxSize ?? 10_000, 'maxSize');
 * ```
 */
export function requirePositiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${field} must be a positive integer`, field);
  }
  return value;
}

/**
 * Reads the URL option `key` of `options`: `fallback` (production Twitch) only when the key is absent. A key present
 * with the value `undefined` (a misspelt or unset variable: `url: emulator.pubSubUrl`, `helixUrl: process.env.X`)
 * throws `InvalidArgumentError` naming the field instead of silently meaning production; so does a non-string or
 * an empty string. The syntax of the URL is left to the caller.
 *
 * @example
 * ```ts
 * this.url = optionalUrl(options, 'url', TWITCH_PUBSUB_URL);
 * optionalUrl({}, 'url', 'wss://x');                 // 'wss://x'
 * optionalUrl({ url: undefined }, 'url', 'wss://x'); // throws INVALID_ARGUMENT (field 'url')
 * ```
 */
export function optionalUrl(options: object, key: string, fallback: string): string {
  if (!(key in options)) return fallback;
  const value: unknown = (options as Record<string, unknown>)[key];
  if (value === undefined) {
    throw new InvalidArgumentError(
      `${key} was passed as undefined: omit the key to use the default (${fallback}), or give a URL`,
      key,
    );
  }
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(`${key} must be a URL string`, key);
  }
  return value;
}
