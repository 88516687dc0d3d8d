/**
 * What the argument tests call "a value of the right kind" (a domain), the wrong values they feed, and how they
 * judge an outcome. A domain says which values are legitimate for an argument: any other value must be refused with
 * `INVALID_ARGUMENT` naming the argument, before anything is sent. A legitimate value may still be refused (a
 * duration below another option, say), but never with an untyped error.
 */
import fc from 'fast-check';
import { MAX_TIMER_MS } from '../../src/core/duration.js';

/** Whether a value is of the right kind for an argument. */
export type Domain = (value: unknown) => boolean;

export const anyValue: Domain = () => true;
/** No wrong value of the generator can be one (an instance of a class, an object with methods). */
export const never: Domain = () => false;
export const optional =
  (domain: Domain): Domain =>
  (value) =>
    value === undefined || domain(value);
export const isObject: Domain = (value) =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const isString: Domain = (value) => typeof value === 'string';
export const nonEmpty: Domain = (value) => typeof value === 'string' && value !== '';
export const isBoolean: Domain = (value) => typeof value === 'boolean';
export const isFunction: Domain = (value) => typeof value === 'function';
export const isSignal: Domain = (value) => value instanceof AbortSignal;
export const isNumber: Domain = (value) => typeof value === 'number';
export const finite: Domain = (value) => typeof value === 'number' && Number.isFinite(value);
export const integer =
  (min: number, max: number): Domain =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
export const numberIn =
  (min: number, max: number): Domain =>
  (value) =>
    typeof value === 'number' && value >= min && value <= max;
/** A duration in ms by the clock rule: `[min, max]`, never above 2^31-1. */
export const duration = (min = 1, max = MAX_TIMER_MS): Domain => numberIn(min, max);
export const positiveInteger = integer(1, Number.MAX_SAFE_INTEGER);
export const nonNegativeInteger = integer(0, Number.MAX_SAFE_INTEGER);
export const oneOf =
  (values: readonly unknown[]): Domain =>
  (value) =>
    values.includes(value);
export const instanceOf =
  (type: abstract new (...args: never[]) => unknown): Domain =>
  (value) =>
    value instanceof type;
/** An array; its items are the callee's business (a wrong item must be refused too, naming `field[i]`). */
export const isArray: Domain = (value) => Array.isArray(value);
export const arrayOf =
  (item: Domain): Domain =>
  (value) =>
    Array.isArray(value) && value.every((v) => item(v));
export const withMethods =
  (...names: string[]): Domain =>
  (value) =>
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

function urlWith(protocols: readonly string[]): Domain {
  return (value) => {
    if (typeof value !== 'string' || value === '') return false;
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  };
}
/** A Helix or OAuth base URL: never `undefined` when the key is given (omitting it means production Twitch). */
export const httpUrl = urlWith(['http:', 'https:']);
/** An EventSub or PubSub URL (the same rule about `undefined`). */
export const wsUrl = urlWith(['ws:', 'wss:']);

/**
 * Wrong values: the classics (null, undefined, NaN, ±Infinity, negatives, fractions, huge numbers, empty and
 * numeric strings, arrays, objects, symbols, functions, bigints, dates), then anything fast-check makes (boxed
 * values, maps, sets, typed arrays, null-prototype objects, objects with a `toString` key...).
 */
export const CLASSIC_WRONG_VALUES: readonly unknown[] = [
  null,
  undefined,
  Number.NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  -0,
  0.5,
  1.5,
  2 ** 31,
  2 ** 53,
  1e21,
  '',
  ' ',
  'abc',
  '5',
  'http://[::1',
  [],
  [1],
  ['x'],
  {},
  { toString: 5 },
  true,
  false,
  Symbol('s'),
  () => 1,
  10n,
  new Date(Number.NaN),
];

export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...CLASSIC_WRONG_VALUES),
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
  }),
  fc.double(),
  fc.integer(),
  fc.string(),
);
