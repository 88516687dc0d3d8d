/**
 * How the observability server answers: a whole response with the headers every route sends (`no-store`, `nosniff`,
 * no referrer; HEAD gets no body), plain text, JSON, and a request body read up to a limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';

export function send(res: ServerResponse, method: string, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

export function text(res: ServerResponse, method: string, status: number, body: string): void {
  send(res, method, status, 'text/plain; charset=utf-8', body);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, 'POST', status, JSON_TYPE, JSON.stringify(body));
}

/** The request body as UTF-8, or `null` past `limit` bytes (the rest is not read). */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve(null);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** An error's message for a log line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
