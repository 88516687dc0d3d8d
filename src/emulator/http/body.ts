/**
 * Request body reading with a size limit, and parsing: `application/x-www-form-urlencoded` into a form, anything
 * else non-empty as JSON.
 */
import type { IncomingMessage } from 'node:http';
import type { BodyParamType, BodyParams } from './types.js';

/** Default body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Past this many bytes of an oversized body, the connection is destroyed instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Raw body, or `null` when it was larger than the limit. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) {
    req.destroy();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      // Keep draining (discarding) so the client can read our 413; give up on absurd uploads.
      tooLarge = true;
      chunks.length = 0;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        return null;
      }
    } else {
      chunks.push(chunk);
    }
  }
  return tooLarge ? null : Buffer.concat(chunks, size);
}

/** A parsed body. */
export type ParsedBody =
  | { readonly ok: true; readonly body: unknown; readonly form: URLSearchParams | undefined }
  | { readonly ok: false };

/** Parses a body according to its `Content-Type`. Invalid JSON gives `{ ok: false }`. */
export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { ok: true, body: undefined, form: undefined };
  const text = raw.toString('utf8');
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true) {
    return { ok: true, body: undefined, form: new URLSearchParams(text) };
  }
  // JSON lines (a recording for `POST /_emulator/replay`) stay text: the route parses them line by line.
  if (contentType !== undefined && /^application\/(?:x-ndjson|jsonl|x-jsonlines)\b/i.test(contentType)) {
    return { ok: true, body: text, form: undefined };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown, form: undefined };
  } catch {
    return { ok: false };
  }
}

/** A query value converted to the declared JSON type when it spells one; otherwise the string itself. */
function fromQuery(value: string, type: BodyParamType): string | number | boolean {
  if (type === 'integer') return /^-?\d{1,16}$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/**
 * The one rule for body parameters in the query string (Helix routes that take a JSON body): each declared
 * top-level scalar parameter missing from the body is taken from the query string, converted to its declared type.
 * The body wins when both carry a key. A missing body becomes an object when the query supplies a parameter; a body
 * that is not a JSON object is returned as is (the route answers its usual 400).
 *
 * @example
 * ```ts
 * withQueryParams(undefined, new URLSearchParams('shard_count=2'), { shard_count: 'integer' }); // { shard_count: 2 }
 * withQueryParams({ shard_count: 3 }, new URLSearchParams('shard_count=2'), { shard_count: 'integer' }); // body wins
 * ```
 */
export function withQueryParams(body: unknown, query: URLSearchParams, params: BodyParams): unknown {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) return body;
  let merged: Record<string, unknown> | undefined;
  for (const key in params) {
    const type = params[key];
    if (type === undefined) continue;
    const value = query.get(key);
    if (value === null || (body !== undefined && Object.hasOwn(body, key))) continue;
    merged ??= { ...(body as Record<string, unknown> | undefined) };
    merged[key] = fromQuery(value, type);
  }
  return merged ?? body;
}
