/**
 * Field readers of the PubSub decoders: each reads one field of a payload object and throws {@link ShapeError}
 * (caught by the decoder, which reports `PUBSUB_UNEXPECTED_PAYLOAD`) when it has the wrong shape.
 */
import type { PubSubEmote } from './models.js';

export type Obj = Readonly<Record<string, unknown>>;

/** Internal: a field had the wrong shape. */
export class ShapeError extends Error {}

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown, path: string): Obj {
  if (!isObj(value)) throw new ShapeError(`${path} is not an object`);
  return value;
}

export function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw new ShapeError(`${path}.${key} is not a string`);
}

export function optStr(o: Obj, key: string, path: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  throw new ShapeError(`${path}.${key} is not a string`);
}

/** An id: string or number in the payload, string in the model. */
export function id(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new ShapeError(`${path}.${key} is not an id`);
}

export function optId(o: Obj, key: string, path: string): string | null {
  const v = o[key];
  return v === undefined || v === null || v === '' ? null : id(o, key, path);
}

export function nonEmpty(value: string | null): string | null {
  return value === '' ? null : value;
}

export function num(o: Obj, key: string, path: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new ShapeError(`${path}.${key} is not a number`);
}

export function optNum(o: Obj, key: string, path: string): number | null {
  const v = o[key];
  return v === undefined || v === null ? null : num(o, key, path);
}

export function bool(o: Obj, key: string, path: string, fallback?: boolean): boolean {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new ShapeError(`${path}.${key} is not a boolean`);
}

export function toDate(v: unknown, where: string): Date {
  // Unix seconds (whispers' sent_ts) or an RFC 3339 string.
  const d = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new ShapeError(`${where} is not a time`);
  return d;
}

export function date(o: Obj, key: string, path: string): Date {
  return toDate(o[key], `${path}.${key}`);
}

export function optDate(o: Obj, key: string, path: string): Date | null {
  const v = o[key];
  return v === undefined || v === null || v === '' ? null : toDate(v, `${path}.${key}`);
}

export function emotes(value: unknown, path: string): PubSubEmote[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ShapeError(`${path} is not an array`);
  return value.map((e: unknown, i) => {
    const o = obj(e, `${path}[${i}]`);
    return {
      id: o.id === undefined ? id(o, 'emote_id', path) : id(o, 'id', path),
      start: num(o, 'start', path),
      end: num(o, 'end', path),
    };
  });
}
