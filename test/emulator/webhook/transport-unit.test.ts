/**
 * HttpWebhookTransport on its own, against raw `node:http` servers: timeouts, redirects, challenge replies, and the
 * signature it computes (checked by our verifier and by an independent HMAC).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookDelivery } from '../../../src/emulator/eventsub/webhook.js';
import { HttpWebhookTransport } from '../../../src/emulator/webhook/http-transport.js';
import { verifyEventSubMessage } from '../../../src/eventsub/webhook/index.js';
import { SECRET, signature } from '../../eventsub/webhook/helpers.js';
import { TestClock } from '../../../src/testing/clock.js';
import { until } from '../../support/until.js';

let server: Server | undefined;
let transport: HttpWebhookTransport | undefined;

afterEach(async () => {
  transport?.close();
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  server = undefined;
});

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

async function serve(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{
  url: string;
  seen: Seen[];
}> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`, seen };
}

function delivery(callback: string, failures: { count: number }): WebhookDelivery {
  return {
    callback,
    secret: SECRET,
    messageId: 'm-1',
    messageType: 'notification',
    timestamp: new Date().toISOString(),
    subscriptionType: 'stream.online',
    subscriptionVersion: '1',
    body: '{"subscription":{},"event":{}}',
    failed() {
      failures.count++;
    },
  };
}

describe('HttpWebhookTransport', () => {
  it('signs like Twitch: the verifier and an independent HMAC both accept it', async () => {
    const { url, seen } = await serve((_req, res) => res.writeHead(204).end());
    transport = new HttpWebhookTransport();
    const failures = { count: 0 };
    const d = delivery(url, failures);
    expect(transport.deliver(d)).toBe(true);
    await until(() => (seen.length === 1 && transport?.pending === 0 ? true : undefined));
    const got = seen[0]!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['twitch-eventsub-message-signature']).toBe(
      signature(SECRET, 'm-1', d.timestamp, d.body),
    );
    expect(verifyEventSubMessage({ headers: got.headers, rawBody: got.body, secret: SECRET }).ok).toBe(true);
    expect(got.headers['twitch-eventsub-subscription-type']).toBe('stream.online');
    expect(failures.count).toBe(0);
  });

  it('a timeout is a failed attempt; a redirect is not followed; failed() after the threshold', async () => {
    let n = 0;
    const { url, seen } = await serve((_req, res) => {
      n++;
      if (n === 1) return; // never answers: times out
      res.writeHead(307, { Location: '/elsewhere' }).end();
    });
    transport = new HttpWebhookTransport({ timeoutMs: 30, retryDelaysMs: [1], failureThreshold: 2 });
    const failures = { count: 0 };
    transport.deliver(delivery(url, failures));
    await until(() => (failures.count === 1 ? true : undefined));
    expect(seen.map((s) => s.headers['twitch-eventsub-message-retry'])).toEqual(['0', '1']);
    expect(seen.map((s) => s.headers['twitch-eventsub-message-id'])).toEqual(['m-1', 'm-1']);
    expect(transport.stats).toMatchObject({ failures: 1, retries: 1 });
    expect(transport.pending).toBe(0);
  });

  it('retries on its clock: each retry waits for the clock, not for real time', async () => {
    const { url, seen } = await serve((_req, res) => res.writeHead(500).end());
    const clock = new TestClock(0);
    transport = new HttpWebhookTransport({ retryDelaysMs: [60_000, 600_000], failureThreshold: 3, clock });
    const failures = { count: 0 };
    transport.deliver(delivery(url, failures));
    await until(() => clock.delays().length === 1, 'the first retry scheduled');
    expect(clock.delays()).toEqual([60_000]);
    expect(seen).toHaveLength(1);
    clock.advance(60_000);
    await until(() => clock.delays()[0] === 600_000, 'the second retry scheduled');
    expect(seen).toHaveLength(2);
    clock.advance(600_000);
    await until(() => failures.count === 1, 'the delivery failed for good');
    expect(seen.map((x) => x.headers['twitch-eventsub-message-retry'])).toEqual(['0', '1', '2']);
    expect(clock.pending).toBe(0);
  });

  it('verification succeeds only on a 2XX whose body is exactly the challenge', async () => {
    let mode: 'echo' | 'error-echo' | 'padded' = 'echo';
    const { url, seen } = await serve((_req, res, body) => {
      const challenge = (JSON.parse(body) as { challenge: string }).challenge;
      if (mode === 'echo') res.writeHead(200, { 'Content-Type': 'text/plain' }).end(challenge);
      else if (mode === 'error-echo') res.writeHead(500).end(challenge);
      else res.writeHead(200).end(`${challenge}\n`);
    });
    transport = new HttpWebhookTransport();
    const verify = (): Promise<boolean> =>
      new Promise((resolve) => {
        transport?.verify({
          callback: url,
          secret: SECRET,
          subject: { conduit_shard: { conduit_id: 'c', shard: '0' } },
          complete: resolve,
        });
      });
    expect(await verify()).toBe(true);
    const first = seen[0]!;
    expect(first.headers['twitch-eventsub-message-type']).toBe('webhook_callback_verification');
    expect(JSON.parse(first.body)).toMatchObject({ conduit_shard: { conduit_id: 'c', shard: '0' } });
    expect(verifyEventSubMessage({ headers: first.headers, rawBody: first.body, secret: SECRET }).ok).toBe(
      true,
    );
    mode = 'error-echo';
    expect(await verify()).toBe(false);
    mode = 'padded';
    expect(await verify()).toBe(false);
    expect(transport.stats).toMatchObject({ verificationsSucceeded: 1, verificationsFailed: 2 });
    transport.close();
    expect(await verify()).toBe(false);
  });

  it('refuses deliveries past maxInFlight (counted as dropped by the core)', async () => {
    const { url } = await serve(() => undefined); // never answers
    transport = new HttpWebhookTransport({ maxInFlight: 1, timeoutMs: 5000 });
    const failures = { count: 0 };
    expect(transport.deliver(delivery(url, failures))).toBe(true);
    expect(transport.deliver(delivery(url, failures))).toBe(false);
    expect(transport.deliver(delivery('not a url', failures))).toBe(false);
  });
});
