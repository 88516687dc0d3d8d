import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDedupeStore } from '../../../src/eventsub/websocket/dedupe.js';
import {
  WebhookReceiver,
  type WebhookListener,
  type WebhookNotification,
  type WebhookRejection,
} from '../../../src/eventsub/webhook/index.js';
import { SECRET, SUBSCRIPTION, onlineBody, post, signedHeaders, type RawResponse } from './helpers.js';
import { until } from '../../support/until.js';

let receiver: WebhookReceiver;
let listener: WebhookListener;
let messages: WebhookNotification[];
let rejections: WebhookRejection[];
let duplicates: number;

async function start(
  options: ConstructorParameters<typeof WebhookReceiver>[0] = { secret: SECRET },
): Promise<void> {
  receiver = new WebhookReceiver(options);
  messages = [];
  rejections = [];
  duplicates = 0;
  receiver.on('message', (m) => messages.push(m));
  receiver.on('rejected', (r) => rejections.push(r));
  receiver.on('duplicate', () => duplicates++);
  listener = await receiver.listen();
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await receiver.close();
});

const url = (): string => `${listener.url}/eventsub`;

describe('WebhookReceiver: the happy paths', () => {
  it('answers the challenge with 200 text/plain and the challenge exactly', async () => {
    const verifications: unknown[] = [];
    receiver.on('verification', (v) => verifications.push(v));
    const body = JSON.stringify({
      challenge: 'pogchamp-kappa-360noscope-vohiyo',
      subscription: { ...SUBSCRIPTION, status: 'webhook_callback_verification_pending' },
    });
    const res = await post(url(), signedHeaders(body, { type: 'webhook_callback_verification' }), body);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body).toBe('pogchamp-kappa-360noscope-vohiyo');
    expect(res.headers['content-length']).toBe(String('pogchamp-kappa-360noscope-vohiyo'.length));
    expect(verifications).toMatchObject([
      { challenge: 'pogchamp-kappa-360noscope-vohiyo', conduitShard: null },
    ]);

    const shardBody = JSON.stringify({ challenge: 'c2', conduit_shard: { conduit_id: 'cid', shard: '4' } });
    const shard = await post(
      url(),
      signedHeaders(shardBody, { type: 'webhook_callback_verification' }),
      shardBody,
    );
    expect(shard.body).toBe('c2');
    expect(verifications[1]).toMatchObject({
      subscription: null,
      conduitShard: { conduitId: 'cid', shardId: '4' },
    });
  });

  it('acks a notification with 204, then emits message, the typed event and notification once', async () => {
    const typed: string[] = [];
    const envelopes: string[] = [];
    receiver.on('stream.online', (event, n) => typed.push(`${event.broadcaster.id}/${n.messageId}`));
    receiver.on('notification', (n, m) => envelopes.push(`${n.type}/${m.path ?? ''}`));
    const body = onlineBody();
    const headers = signedHeaders(body, { id: 'msg-1' });
    const res = await post(url(), headers, body);
    expect(res.status).toBe(204);
    expect(typed).toEqual(['1337/msg-1']);
    expect(envelopes).toEqual(['stream.online//eventsub']);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      messageId: 'msg-1',
      messageType: 'notification',
      timestamp: headers['Twitch-Eventsub-Message-Timestamp'],
      path: '/eventsub',
    });
    expect(messages[0]!.payload).toEqual(JSON.parse(body));
  });

  it('acks a revocation with 204 and emits it', async () => {
    const revoked: string[] = [];
    receiver.on('revocation', (r) => revoked.push(`${r.subscription.id}:${r.subscription.status}`));
    const body = JSON.stringify({ subscription: { ...SUBSCRIPTION, status: 'authorization_revoked' } });
    const res = await post(url(), signedHeaders(body, { type: 'revocation' }), body);
    expect(res.status).toBe(204);
    expect(revoked).toEqual([`${SUBSCRIPTION.id}:authorization_revoked`]);
  });

  it('process(): the framework path answers, then dispatches after the synchronous code', () => {
    const body = onlineBody();
    const out = receiver.process({ headers: signedHeaders(body), rawBody: Buffer.from(body), path: '/x' });
    expect(out).toEqual({ status: 204, headers: {}, body: '' });
    expect(messages).toHaveLength(0); // not yet: the framework writes the response first
    return Promise.resolve().then(() => {
      expect(messages.map((m) => m.path)).toEqual(['/x']);
      const bad = receiver.process({ headers: { 'content-type': 'text/plain' }, rawBody: body });
      expect(bad.status).toBe(415);
    });
  });

  it('accepts the old secret during a rotation and never shows secrets', async () => {
    await receiver.close();
    await start({ secrets: [SECRET, 'the-previous-secret'] });
    const body = onlineBody();
    expect((await post(url(), signedHeaders(body, { secret: 'the-previous-secret' }), body)).status).toBe(
      204,
    );
    expect(messages[0]?.secretIndex).toBe(1);
    expect(inspect(receiver, { depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify(receiver)).not.toContain('the-previous-secret');
  });

  it('explains a body already consumed by a parser mounted first (500, error event)', async () => {
    const errors: string[] = [];
    receiver.on('error', (e) => errors.push((e as { code?: string }).code ?? ''));
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        receiver.handle(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const body = onlineBody();
    const res = await post(`http://127.0.0.1:${port}/`, signedHeaders(body), body);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    expect(res.status).toBe(500);
    expect(errors).toEqual(['WEBHOOK_BODY_CONSUMED']);
    expect(messages).toHaveLength(0);
  });

  it('shares a dedupe store given to it (e.g. with WebSocket sessions)', async () => {
    await receiver.close();
    const shared = new MemoryDedupeStore();
    shared.add('seen-on-a-websocket', Date.now());
    await start({ secret: SECRET, dedupe: shared });
    const body = onlineBody();
    expect((await post(url(), signedHeaders(body, { id: 'seen-on-a-websocket' }), body)).status).toBe(204);
    expect(messages).toHaveLength(0);
    expect(duplicates).toBe(1);
  });
});

/** One row per attack: each sends something, expects a status and no dispatch. */
const attacks: {
  name: string;
  send: () => Promise<RawResponse>;
  status: number;
  reason: WebhookRejection['reason'];
}[] = [
  {
    name: 'forged signature',
    send: () => {
      const body = onlineBody();
      const h = signedHeaders(body);
      h['Twitch-Eventsub-Message-Signature'] = `sha256=${'ab'.repeat(32)}`;
      return post(url(), h, body);
    },
    status: 403,
    reason: 'invalid_signature',
  },
  {
    name: 'wrong secret',
    send: () => {
      const body = onlineBody();
      return post(url(), signedHeaders(body, { secret: 'not-the-right-secret' }), body);
    },
    status: 403,
    reason: 'invalid_signature',
  },
  {
    name: 'signature over a different body',
    send: () => post(url(), signedHeaders(onlineBody('1')), onlineBody('2')),
    status: 403,
    reason: 'invalid_signature',
  },
  {
    name: 'replayed message (timestamp older than 10 minutes)',
    send: () => {
      const body = onlineBody();
      return post(
        url(),
        signedHeaders(body, { timestamp: new Date(Date.now() - 11 * 60_000).toISOString() }),
        body,
      );
    },
    status: 403,
    reason: 'stale_message',
  },
  {
    name: 'missing message id',
    send: () => {
      const body = onlineBody();
      const h = signedHeaders(body);
      delete h['Twitch-Eventsub-Message-Id'];
      return post(url(), h, body);
    },
    status: 400,
    reason: 'missing_header',
  },
  {
    name: 'missing signature',
    send: () => {
      const body = onlineBody();
      const h = signedHeaders(body);
      delete h['Twitch-Eventsub-Message-Signature'];
      return post(url(), h, body);
    },
    status: 400,
    reason: 'missing_header',
  },
  {
    name: 'missing timestamp',
    send: () => {
      const body = onlineBody();
      const h = signedHeaders(body);
      delete h['Twitch-Eventsub-Message-Timestamp'];
      return post(url(), h, body);
    },
    status: 400,
    reason: 'missing_header',
  },
  {
    name: 'missing message type',
    send: () => {
      const body = onlineBody();
      const h = signedHeaders(body);
      delete h['Twitch-Eventsub-Message-Type'];
      return post(url(), h, body);
    },
    status: 400,
    reason: 'missing_header',
  },
  {
    name: 'wrong content type',
    send: () => {
      const body = onlineBody();
      return post(url(), { ...signedHeaders(body), 'Content-Type': 'text/plain' }, body);
    },
    status: 415,
    reason: 'unsupported_media_type',
  },
  {
    name: 'not a POST',
    send: () => post(url(), signedHeaders(''), '', { method: 'PUT' }),
    status: 405,
    reason: 'method_not_allowed',
  },
  {
    name: 'oversized body (declared)',
    send: () => {
      const body = onlineBody('x'.repeat(3000));
      return post(url(), signedHeaders(body), body);
    },
    status: 413,
    reason: 'body_too_large',
  },
  {
    name: 'oversized body (chunked, no length)',
    send: () => {
      const body = onlineBody('x'.repeat(3000));
      return post(url(), { ...signedHeaders(body), 'Transfer-Encoding': 'chunked' }, [
        body.slice(0, 1500),
        body.slice(1500),
      ]);
    },
    status: 413,
    reason: 'body_too_large',
  },
  {
    name: 'slow body',
    send: () => {
      const body = onlineBody();
      const parts = Array.from({ length: 20 }, (_, i) =>
        body.slice((i * body.length) / 20, ((i + 1) * body.length) / 20),
      );
      return post(url(), signedHeaders(body), parts, { gapMs: 30 });
    },
    status: 408,
    reason: 'body_timeout',
  },
  {
    name: 'signed but not JSON',
    send: () => post(url(), signedHeaders('not json'), 'not json'),
    status: 400,
    reason: 'malformed_body',
  },
  {
    name: 'a signed notification replayed as a revocation',
    send: () => {
      const body = onlineBody();
      return post(url(), signedHeaders(body, { type: 'revocation' }), body);
    },
    status: 400,
    reason: 'malformed_body',
  },
];

describe('WebhookReceiver: attack table (4xx, no dispatch)', () => {
  beforeEach(async () => {
    await receiver.close();
    await start({ secret: SECRET, maxBodyBytes: 2048, bodyTimeoutMs: 100 });
  });

  for (const attack of attacks) {
    it(attack.name, async () => {
      const revocations: unknown[] = [];
      receiver.on('revocation', (r) => revocations.push(r));
      const res = await attack
        .send()
        .catch((error: unknown) => ({ status: -1, body: String(error), headers: {} }));
      expect(res.status).toBe(attack.status);
      await until(() => (rejections.length > 0 ? true : undefined));
      expect(rejections.map((r) => r.reason)).toEqual([attack.reason]);
      expect(messages).toHaveLength(0);
      expect(revocations).toHaveLength(0);
      // The receiver is still healthy afterwards.
      const body = onlineBody();
      expect((await post(url(), signedHeaders(body), body)).status).toBe(204);
      expect(messages).toHaveLength(1);
    });
  }

  it('duplicate id: 2xx and no second dispatch', async () => {
    const body = onlineBody();
    const headers = signedHeaders(body, { id: 'dup-1' });
    expect((await post(url(), headers, body)).status).toBe(204);
    expect((await post(url(), { ...headers, 'Twitch-Eventsub-Message-Retry': '1' }, body)).status).toBe(204);
    expect(messages).toHaveLength(1);
    expect(duplicates).toBe(1);
  });

  it('a forged request reusing a real id is rejected and does not poison the dedupe set', async () => {
    const body = onlineBody();
    const real = signedHeaders(body, { id: 'real-id' });
    const forged = { ...real, 'Twitch-Eventsub-Message-Signature': `sha256=${'0'.repeat(64)}` };
    expect((await post(url(), forged, body)).status).toBe(403);
    expect(receiver.dedupe.has('real-id', Date.now())).toBe(false);
    expect((await post(url(), real, body)).status).toBe(204);
    expect(messages.map((m) => m.messageId)).toEqual(['real-id']);
  });

  it('a re-sent challenge is answered again but emitted once', async () => {
    const seen: string[] = [];
    receiver.on('verification', (v) => seen.push(v.challenge));
    const body = JSON.stringify({ challenge: 'again', subscription: SUBSCRIPTION });
    const headers = signedHeaders(body, { type: 'webhook_callback_verification', id: 'v-1' });
    expect((await post(url(), headers, body)).body).toBe('again');
    expect((await post(url(), headers, body)).body).toBe('again');
    expect(seen).toEqual(['again']);
  });

  it('a listener that throws does not break the answer or the next dispatch', async () => {
    const errors: string[] = [];
    receiver.on('error', (e, ctx) => errors.push(`${ctx}:${e.message}`));
    receiver.on('message', () => {
      throw new Error('boom');
    });
    const body = onlineBody();
    expect((await post(url(), signedHeaders(body), body)).status).toBe(204);
    expect((await post(url(), signedHeaders(body), body)).status).toBe(204);
    expect(errors).toEqual(['message:boom', 'message:boom']);
    expect(messages).toHaveLength(2);
  });
});
