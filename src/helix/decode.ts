/**
 * Primitives of the Helix response decoders: each checks one value found at a path (`data[0].id`) and returns it
 * typed, or throws a {@link ShapeError} naming the path, which the request engine turns into a `BadResponseError`
 * (code `BAD_RESPONSE`). Every endpoint group's decoders (wire.ts, endpoints/*-wire.ts) are built from these.
 */
import { isRecord } from '../core/guards.js';

/**
 * A response body does not have the shape of its endpoint; the message says where (`data[0].shard_count: expected an
 * integer, got "4"`). Internal: the request engine wraps it in a `BadResponseError`.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/** Checks `value` (found at `at`) and returns it typed, or throws a {@link ShapeError}. */
export type Decoder<T> = (value: unknown, at: string) => T;

function kind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function fail(at: string, expected: string, value: unknown): never {
  throw new ShapeError(`${at === '' ? 'the body' : at}: expected ${expected}, got ${kind(value)}`);
}

export function field(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

export function record(value: unknown, at: string): Record<string, unknown> {
  if (!isRecord(value)) fail(at, 'an object', value);
  return value;
}

export function string(value: unknown, at: string): string {
  if (typeof value !== 'string') fail(at, 'a string', value);
  return value;
}

export function id(value: unknown, at: string): string {
  if (typeof value !== 'string' || value === '') fail(at, 'a non-empty string', value);
  return value;
}

/** A string when present; `undefined` when absent or `null`. */
export function optionalString(value: unknown, at: string): string | undefined {
  return value === undefined || value === null ? undefined : string(value, at);
}

export function count(value: unknown, at: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    fail(at, max === Number.MAX_SAFE_INTEGER ? 'a non-negative integer' : `an integer in 0..${max}`, value);
  }
  return value;
}

export function list<T>(value: unknown, at: string, item: Decoder<T>): T[] {
  if (!Array.isArray(value)) fail(at, 'an array', value);
  const out = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = item(value[i] as unknown, `${at}[${i}]`);
  return out;
}

/** A boolean. */
export function boolean(value: unknown, at: string): boolean {
  if (typeof value !== 'boolean') fail(at, 'a boolean', value);
  return value;
}

/** `{ data: [...] }`'s `data`, an array. */
export function dataArray(body: unknown): unknown[] {
  const data = record(body, '').data;
  if (!Array.isArray(data)) fail('data', 'an array', data);
  return data;
}
