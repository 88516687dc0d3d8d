/**
 * Webhook receiver benchmarks: verified notifications per second.
 *
 * - `process()` (no sockets): verify headers and replay window, HMAC-SHA256 in constant time, parse, dedupe and
 *   dispatch of distinct signed notifications, as a ratio to the bare minimum any correct verifier does in the same
 *   run (one HMAC, one constant-time compare, one `JSON.parse`). Target >= 0.5: the rest is header and
 *   timestamp checks, the dedupe store and the emitter.
 * - `handle()` over `node:http` with keep-alive and 32 requests in flight: verified notifications per second, as a
 *   ratio to a bare `node:http` server that reads the body and answers 204 without any check. Target >= 0.6.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookReceiver } from '../src/eventsub/webhook/index.js';
import { ratioFigure, median, type BenchFigure } from './harness.js';

const SECRET = 'benchmark-secret-value';
const N = 20_000;
const HTTP_N = 6_000;
const IN_FLIGHT = 32;

interface Signed {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function makeRequests(count: number): Signed[] {
  const timestamp = new Date().toISOString();
  const out: Signed[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const body = Buffer.from(
      JSON.stringify({
        subscription: {
          id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
          status: 'enabled',
          type: 'channel.follow',
          version: '2',
          cost: 0,
          condition: { broadcaster_user_id: '1337', moderator_user_id: '1337' },
          transport: { method: 'webhook', callback: 'https://example.com/webhooks/callback' },
          created_at: '2019-11-16T10:11:12.634234626Z',
        },
        event: {
          user_id: String(1000 + i),
          user_login: 'cool_user',
          user_name: 'Cool_User',
          broadcaster_user_id: '1337',
          broadcaster_user_login: 'cooler_user',
          broadcaster_user_name: 'Cooler_User',
          followed_at: '2020-07-15T18:16:11.17106713Z',
        },
      }),
    );
    const signature = `sha256=${createHmac('sha256', SECRET).update(id).update(timestamp).update(body).digest('hex')}`;
    out.push({
      body,
      headers: {
        'content-type': 'application/json',
        'twitch-eventsub-message-id': id,
        'twitch-eventsub-message-retry': '0',
        'twitch-eventsub-message-type': 'notification',
        'twitch-eventsub-message-signature': signature,
        'twitch-eventsub-message-timestamp': timestamp,
        'twitch-eventsub-subscription-type': 'channel.follow',
        'twitch-eventsub-subscription-version': '2',
      },
    });
  }
  return out;
}

function bareVerify(requests: readonly Signed[]): number {
  let ok = 0;
  const start = performance.now();
  for (const r of requests) {
    const h = r.headers;
    const digest = createHmac('sha256', SECRET)
      .update(h['twitch-eventsub-message-id'] ?? '')
      .update(h['twitch-eventsub-message-timestamp'] ?? '')
      .update(r.body)
      .digest();
    const given = Buffer.from((h['twitch-eventsub-message-signature'] ?? '').slice(7), 'hex');
    if (timingSafeEqual(digest, given) && JSON.parse(r.body.toString('utf8')) !== null) ok++;
  }
  if (ok !== requests.length) throw new Error('baseline verification failed');
  return requests.length / ((performance.now() - start) / 1000);
}

async function receiverProcess(requests: readonly Signed[]): Promise<number> {
  const receiver = new WebhookReceiver({ secret: SECRET });
  let dispatched = 0;
  receiver.on('message', () => {
    dispatched++;
  });
  const start = performance.now();
  // A server handles each request in its own tick: yield so that queued dispatches run as they would there.
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    receiver.process({ headers: r.headers, rawBody: r.body });
    if ((i & 15) === 15) await Promise.resolve();
  }
  await Promise.resolve();
  const elapsed = performance.now() - start;
  await receiver.close();
  if (dispatched !== requests.length) throw new Error(`dispatched ${dispatched} of ${requests.length}`);
  return requests.length / (elapsed / 1000);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** POSTs every request with `IN_FLIGHT` in flight over keep-alive sockets; returns requests per second. */
async function blast(port: number, requests: readonly Signed[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  let next = 0;
  let failed = 0;
  const one = (r: Signed): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/eventsub', headers: r.headers, agent },
        (res) => {
          if (res.statusCode !== 204) failed++;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(r.body);
    });
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const r = requests[next++];
      if (r !== undefined) await one(r);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = performance.now() - start;
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests failed`);
  return requests.length / (elapsed / 1000);
}

async function overHttp(requests: readonly Signed[], verified: boolean): Promise<number> {
  let server: Server;
  let receiver: WebhookReceiver | undefined;
  let dispatched = 0;
  if (verified) {
    receiver = new WebhookReceiver({ secret: SECRET });
    receiver.on('message', () => {
      dispatched++;
    });
    server = createServer(receiver.handler);
  } else {
    server = createServer((req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => {
        dispatched++;
        res.writeHead(204).end();
      });
    });
  }
  const port = await listen(server);
  const rate = await blast(port, requests);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await receiver?.close();
  if (dispatched !== requests.length) throw new Error(`dispatched ${dispatched} of ${requests.length}`);
  return rate;
}

export async function run(): Promise<BenchFigure[]> {
  const ours: number[] = [];
  const base: number[] = [];
  for (let round = 0; round < 5; round++) {
    // Fresh ids each round: the dedupe store must not see repeats.
    const requests = makeRequests(N);
    base.push(bareVerify(requests));
    ours.push(await receiverProcess(requests));
  }
  const httpOurs: number[] = [];
  const httpBase: number[] = [];
  for (let round = 0; round < 3; round++) {
    const requests = makeRequests(HTTP_N);
    httpBase.push(await overHttp(requests, false));
    httpOurs.push(await overHttp(requests, true));
  }
  return [
    ratioFigure('webhook process() verified notifications/s', median(ours), median(base), 'msg/s', 0.5),
    ratioFigure(
      'webhook node:http verified notifications/s',
      median(httpOurs),
      median(httpBase),
      'msg/s',
      0.6,
    ),
  ];
}
