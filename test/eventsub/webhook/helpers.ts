/**
 * Helpers for the webhook tests: signing exactly as Twitch does (written independently of the emulator's signer),
 * and raw HTTP requests over real sockets (deliberately not our own transport).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';

export const SECRET = 'a-very-good-secret';

export function signature(secret: string, id: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret)
    .update(id + timestamp)
    .update(body)
    .digest('hex')}`;
}

export interface SignedOptions {
  readonly secret?: string;
  readonly id?: string;
  readonly timestamp?: string;
  readonly type?: 'notification' | 'revocation' | 'webhook_callback_verification';
  readonly retry?: string;
}

/** Headers of a correctly signed request for `body`. */
export function signedHeaders(body: string, options: SignedOptions = {}): Record<string, string> {
  const id = options.id ?? randomUUID();
  const timestamp = options.timestamp ?? new Date().toISOString();
  return {
    'Content-Type': 'application/json',
    'Twitch-Eventsub-Message-Id': id,
    'Twitch-Eventsub-Message-Retry': options.retry ?? '0',
    'Twitch-Eventsub-Message-Type': options.type ?? 'notification',
    'Twitch-Eventsub-Message-Signature': signature(options.secret ?? SECRET, id, timestamp, body),
    'Twitch-Eventsub-Message-Timestamp': timestamp,
    'Twitch-Eventsub-Subscription-Type': 'stream.online',
    'Twitch-Eventsub-Subscription-Version': '1',
  };
}

export const SUBSCRIPTION = {
  id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
  status: 'enabled',
  type: 'stream.online',
  version: '1',
  cost: 0,
  condition: { broadcaster_user_id: '1337' },
  transport: { method: 'webhook', callback: 'https://example.com/webhooks/callback' },
  created_at: '2019-11-16T10:11:12.634234626Z',
};

export function onlineBody(id = '9001'): string {
  return JSON.stringify({
    subscription: SUBSCRIPTION,
    event: {
      id,
      broadcaster_user_id: '1337',
      broadcaster_user_login: 'cool_user',
      broadcaster_user_name: 'Cool_User',
      type: 'live',
      started_at: '2020-10-11T10:11:12.123Z',
    },
  });
}

export interface RawResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A POST over a fresh socket; `chunks` are written with `gapMs` between them (slow-body tests). */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string | string[],
  options: { method?: string; gapMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof body === 'string') {
      req.end(body);
      return;
    }
    const parts = [...body];
    const next = (): void => {
      const part = parts.shift();
      if (part === undefined) {
        req.end();
        return;
      }
      req.write(part);
      setTimeout(next, options.gapMs ?? 0);
    };
    next();
  });
}
