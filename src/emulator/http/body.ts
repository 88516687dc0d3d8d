/**
 * Request body reading with a size limit, and parsing: `application/x-www-form-urlencoded` into a form, anything
 * else non-empty as JSON.
 */
import type { IncomingMessage } from 'node:http';

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
  try {
    return { ok: true, body: JSON.parse(text) as unknown, form: undefined };
  } catch {
    return { ok: false };
  }
}
