/**
 * Issue 14 item 5: a garbled 2xx from Helix is refused at the boundary (`BAD_RESPONSE` naming the endpoint, redacted,
 * not retried), for every endpoint the library calls, and nothing is created on the strength of it: an AutoClient
 * whose Get Conduits answer cannot be read fails instead of creating a new conduit. A scripted server over a real
 * socket plays the hostile Helix.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { WebSocketServer } from 'ws';
import { HelixClient } from '../../src/helix/client.js';
import { BadResponseError } from '../../src/helix/errors.js';
import { StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { AutoClient, Conduit } from '../../src/eventsub/conduit/index.js';
import { OAuthClient } from '../../src/auth/oauth.js';
import { AppTokenProvider } from '../../src/auth/app-token-provider.js';
import { AuthError } from '../../src/auth/errors.js';
import { ProtocolError } from '../../src/core/errors.js';
import { APP_CONTEXT } from '../../src/auth/types.js';
import { okHeaders, ScriptedServer } from './scripted-server.js';
import { welcomeFrame } from '../eventsub/websocket/helpers.js';

const TOKEN = 'scripted-app-token-0123456789';
let scripted: ScriptedServer;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  scripted = await ScriptedServer.start();
});
afterAll(async () => {
  await scripted.close();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function helixClient(): HelixClient {
  const helix = new HelixClient({
    clientId: 'cid',
    auth: new StaticAuthProvider({ clientId: 'cid', appToken: TOKEN }),
    helixUrl: scripted.url,
    retryBackoff: { initialMs: 1, maxMs: 5 },
  });
  closers.push(() => {
    helix.close();
  });
  return helix;
}

interface Endpoint {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** Whether the library reads the answer (a DELETE's 204 is not read). */
  readonly reads: boolean;
  readonly call: (helix: HelixClient) => Promise<unknown>;
  /** A well-formed answer, as Twitch documents it. */
  readonly good: unknown;
}

const SHARD = {
  id: '0',
  status: 'enabled',
  transport: { method: 'websocket', session_id: 'session-1', connected_at: '2024-01-01T00:00:00Z' },
};
const SUBSCRIPTION = {
  id: 'sub-1',
  status: 'enabled',
  type: 'stream.online',
  version: '1',
  condition: { broadcaster_user_id: '1' },
  created_at: '2024-01-01T00:00:00Z',
  transport: { method: 'conduit', conduit_id: 'c1' },
  cost: 0,
};
const TOTALS = { total: 1, total_cost: 0, max_total_cost: 10000 };
const USER = {
  id: '1',
  login: 'one',
  display_name: 'One',
  type: '',
  broadcaster_type: '',
  description: '',
  profile_image_url: '',
  offline_image_url: '',
  view_count: 0,
  created_at: '2024-01-01T00:00:00Z',
};

/** Every endpoint the library calls. */
const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'Get Conduits',
    method: 'GET',
    path: '/eventsub/conduits',
    reads: true,
    call: (h) => h.eventSub.getConduits(),
    good: { data: [{ id: 'c1', shard_count: 2 }] },
  },
  {
    name: 'Create Conduits',
    method: 'POST',
    path: '/eventsub/conduits',
    reads: true,
    call: (h) => h.eventSub.createConduit({ shardCount: 2 }),
    good: { data: [{ id: 'c1', shard_count: 2 }] },
  },
  {
    name: 'Update Conduits',
    method: 'PATCH',
    path: '/eventsub/conduits',
    reads: true,
    call: (h) => h.eventSub.updateConduit({ id: 'c1', shardCount: 3 }),
    good: { data: [{ id: 'c1', shard_count: 3 }] },
  },
  {
    name: 'Delete Conduit',
    method: 'DELETE',
    path: '/eventsub/conduits',
    reads: false,
    call: (h) => h.eventSub.deleteConduit('c1'),
    good: undefined,
  },
  {
    name: 'Get Conduit Shards',
    method: 'GET',
    path: '/eventsub/conduits/shards',
    reads: true,
    call: (h) => h.eventSub.getConduitShards('c1').toArray(),
    good: { data: [SHARD], pagination: {} },
  },
  {
    name: 'Get Conduit Shards (Conduit.fetchShards)',
    method: 'GET',
    path: '/eventsub/conduits/shards',
    reads: true,
    call: (h) => new Conduit({ id: 'c1', shardCount: 1 }, h).fetchShards().toArray(),
    good: { data: [SHARD], pagination: {} },
  },
  {
    name: 'Update Conduit Shards',
    method: 'PATCH',
    path: '/eventsub/conduits/shards',
    reads: true,
    call: (h) =>
      h.eventSub.updateConduitShards('c1', [
        { id: '0', transport: { method: 'websocket', sessionId: 'session-1' } },
      ]),
    good: { data: [SHARD], errors: [] },
  },
  {
    name: 'Create EventSub Subscription',
    method: 'POST',
    path: '/eventsub/subscriptions',
    reads: true,
    call: (h) =>
      h.eventSub.createSubscription({
        type: 'stream.online',
        version: '1',
        condition: { broadcaster_user_id: '1' },
        transport: { method: 'conduit', conduitId: 'c1' },
      }),
    good: { data: [SUBSCRIPTION], ...TOTALS },
  },
  {
    name: 'Delete EventSub Subscription',
    method: 'DELETE',
    path: '/eventsub/subscriptions',
    reads: false,
    call: (h) => h.eventSub.deleteSubscription('sub-1'),
    good: undefined,
  },
  {
    name: 'Get EventSub Subscriptions',
    method: 'GET',
    path: '/eventsub/subscriptions',
    reads: true,
    call: (h) => h.eventSub.getSubscriptions().toArray(),
    good: { data: [SUBSCRIPTION], ...TOTALS, pagination: {} },
  },
  {
    name: 'Get EventSub Subscriptions (totals)',
    method: 'GET',
    path: '/eventsub/subscriptions',
    reads: true,
    call: (h) => h.eventSub.getSubscriptionTotals(),
    good: { data: [SUBSCRIPTION], ...TOTALS, pagination: {} },
  },
  {
    name: 'Get Users',
    method: 'GET',
    path: '/users',
    reads: true,
    call: (h) => h.users.getUsers({ ids: ['1'] }),
    good: { data: [USER] },
  },
];

interface Garbled {
  readonly name: string;
  readonly raw: string;
  readonly contentType?: string;
  /** Not JSON at all: refused even where the answer is not read. */
  readonly notJson: boolean;
  /** The reason every reading endpoint gives, when it is the same for all. */
  readonly reason?: string;
}

const GARBLED: readonly Garbled[] = [
  { name: 'cut-off JSON', raw: '{"data":[', notJson: true },
  {
    name: 'an HTML page',
    raw: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    contentType: 'text/html',
    notJson: true,
  },
  { name: 'an empty body', raw: '', notJson: false },
  { name: 'the JSON string ""', raw: '""', notJson: false },
  { name: 'null', raw: 'null', notJson: false },
  { name: '{"data":{}}', raw: '{"data":{}}', notJson: false },
  { name: '{"data":[null]}', raw: '{"data":[null]}', notJson: false },
  { name: '{"id":5}', raw: '{"id":5}', notJson: false },
  { name: '{"data":[{"id":5}]}', raw: '{"data":[{"id":5}]}', notJson: false },
  {
    name: 'an item whose id is a number, the rest well-formed',
    raw: JSON.stringify({ data: [{ ...SHARD, ...SUBSCRIPTION, ...USER, shard_count: 1, id: 5 }], ...TOTALS }),
    notJson: false,
    reason: 'data[0].id: expected a non-empty string, got 5',
  },
  {
    name: 'an item whose id is empty, the rest well-formed',
    raw: JSON.stringify({
      data: [{ ...SHARD, ...SUBSCRIPTION, ...USER, shard_count: 1, id: '' }],
      ...TOTALS,
    }),
    notJson: false,
    reason: 'data[0].id: expected a non-empty string, got ""',
  },
];

function expectClean(error: unknown): void {
  const shown = [inspect(error, { depth: 10 }), String(error), JSON.stringify(error)].join('\n');
  expect(shown).not.toContain(TOKEN);
}

describe.each(ENDPOINTS)('$name ($method $path)', (endpoint) => {
  it('accepts a well-formed answer', async () => {
    const helix = helixClient();
    const status = endpoint.good === undefined ? 204 : 200;
    scripted.script({
      status,
      headers: okHeaders(),
      ...(endpoint.good === undefined ? {} : { body: endpoint.good }),
    });
    await expect(endpoint.call(helix)).resolves.not.toBeInstanceOf(Error);
    expect(scripted.requests[0]?.method).toBe(endpoint.method);
  });

  it.each(GARBLED)('a 200 with $name', async (garbled) => {
    const helix = helixClient();
    scripted.script({
      status: 200,
      headers: {
        ...okHeaders(),
        ...(garbled.contentType === undefined ? {} : { 'content-type': garbled.contentType }),
      },
      raw: garbled.raw,
    });
    const outcome = await endpoint.call(helix).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    // Sent once, to the endpoint it claims: a garbled answer is not retried.
    expect(scripted.requests).toHaveLength(1);
    expect(scripted.requests[0]?.method).toBe(endpoint.method);
    expect(new URL(scripted.requests[0]!.url, scripted.url).pathname).toBe(endpoint.path);
    if (!endpoint.reads && !garbled.notJson) {
      expect(outcome).toBe('resolved');
      return;
    }
    expect(outcome).toBeInstanceOf(BadResponseError);
    const error = outcome as BadResponseError;
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.method).toBe(endpoint.method);
    expect(error.path).toBe(endpoint.path);
    expect(error.status).toBe(200);
    expect(error.message).toContain(
      `${endpoint.method} ${endpoint.path} answered 200 with an unexpected body: `,
    );
    expect(error.message).toContain(error.reason);
    if (garbled.reason !== undefined) expect(error.reason).toBe(garbled.reason);
    expect(typeof error.raw).toBe('string');
    expectClean(error);
  });
});

describe('BAD_RESPONSE details', () => {
  it('says where the shape broke, and redacts secrets and the token from raw', async () => {
    const helix = helixClient();
    scripted.script({
      status: 200,
      headers: okHeaders(),
      body: { data: [{ id: 'c1', shard_count: '2' }], access_token: 'leaked-secret-value' },
    });
    const error = (await helix.eventSub.getConduits().catch((e: unknown) => e)) as BadResponseError;
    expect(error).toBeInstanceOf(BadResponseError);
    expect(error.reason).toBe('data[0].shard_count: expected an integer in 0..20000, got "2"');
    expect(String(error.raw)).toContain('[redacted]');
    expect(String(error.raw)).not.toContain('leaked-secret-value');

    scripted.script({ status: 200, headers: okHeaders(), raw: `<pre>Authorization: Bearer ${TOKEN}</pre>` });
    const echoed = (await helix.eventSub.getConduits().catch((e: unknown) => e)) as BadResponseError;
    expect(echoed.reason).toBe('the body is not JSON');
    expect(echoed.cause).toBeInstanceOf(SyntaxError);
    expectClean(echoed);
  });

  it('refuses a shard count past Twitch maximum rather than serving it', async () => {
    const helix = helixClient();
    scripted.script({ status: 200, headers: okHeaders(), body: { data: [{ id: 'c1', shard_count: 1e9 }] } });
    await expect(helix.eventSub.getConduits()).rejects.toBeInstanceOf(BadResponseError);
  });

  it('refuses an unknown transport method and a non-string cursor', async () => {
    const helix = helixClient();
    scripted.script({
      status: 200,
      headers: okHeaders(),
      body: { data: [{ ...SHARD, transport: { method: 'carrier-pigeon' } }] },
    });
    const method = (await helix.eventSub
      .getConduitShards('c1')
      .toArray()
      .catch((e: unknown) => e)) as BadResponseError;
    expect(method.reason).toBe(
      'data[0].transport.method: expected webhook or websocket, got "carrier-pigeon"',
    );
    scripted.script({
      status: 200,
      headers: okHeaders(),
      body: { data: [SHARD], pagination: { cursor: 5 } },
    });
    const cursor = (await helix.eventSub
      .getConduitShards('c1')
      .toArray()
      .catch((e: unknown) => e)) as BadResponseError;
    expect(cursor.reason).toBe('pagination.cursor: expected a string, got 5');
  });
});

describe('OAuth answers', () => {
  const SECRET = 'client-secret-0123456789';
  function oauth(): OAuthClient {
    const client = new OAuthClient({
      clientId: 'cid',
      clientSecret: SECRET,
      oauthUrl: scripted.url,
      maxRetries: 0,
    });
    closers.push(() => {
      client.close();
    });
    return client;
  }
  const GARBLED_OAUTH = [
    ...GARBLED,
    { name: 'an empty access token', raw: '{"access_token":""}', notJson: false },
  ];

  it.each(GARBLED_OAUTH)(
    'client credentials refuse $name (BAD_RESPONSE, wrapped by APP_TOKEN_FAILED)',
    async (garbled) => {
      scripted.script({ status: 200, raw: garbled.raw });
      const provider = new AppTokenProvider({ clientId: 'cid', clientSecret: SECRET, oauth: oauth() });
      const error = await provider.getAccessToken(APP_CONTEXT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).code).toBe('APP_TOKEN_FAILED');
      expect((error as AuthError).cause).toBeInstanceOf(ProtocolError);
      expect((error as AuthError).cause).toMatchObject({ code: 'BAD_RESPONSE' });
      expect(scripted.requests).toHaveLength(1);
      expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
    },
  );

  it.each(GARBLED)('validate refuses $name', async (garbled) => {
    scripted.script({ status: 200, raw: garbled.raw });
    await expect(oauth().validate('some-token-0123456789')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('AutoClient conduit choice', () => {
  function autoClient(): AutoClient {
    const client = new AutoClient({ clientId: 'cid', helix: helixClient(), reconcileIntervalMs: 0 });
    client.on('error', () => undefined);
    closers.push(() => client.close());
    return client;
  }

  it.each(GARBLED)('fails on a Get Conduits answer of $name, and creates no conduit', async (garbled) => {
    scripted.script({ status: 200, headers: okHeaders(), raw: garbled.raw });
    const error = await autoClient()
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).path).toBe('/eventsub/conduits');
    expect(scripted.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('creates one when the list is well-formed and empty (the control)', async () => {
    scripted.script(
      { status: 200, headers: okHeaders(), body: { data: [] } },
      {
        status: 400,
        headers: okHeaders(),
        body: { error: 'Bad Request', status: 400, message: 'stop here' },
      },
    );
    await expect(autoClient().start()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(scripted.requests.map((r) => `${r.method} ${new URL(r.url, scripted.url).pathname}`)).toEqual([
      'GET /eventsub/conduits',
      'POST /eventsub/conduits',
    ]);
  });
});

/**
 * Issue 14 audit: a well-formed answer that disagrees with its request is refused too. Update Conduits answering
 * `{"id":"EVIL"}` to `PATCH {"id":"c1"}` made the AutoClient adopt EVIL (update its shards, subscribe on it, report
 * ready with it); answering `shard_count: 1` to a request for 4 made it serve shard 0 of 0..3 without an error.
 */
describe('answers checked against their request', () => {
  interface Mismatch {
    readonly name: string;
    readonly call: (helix: HelixClient) => Promise<unknown>;
    readonly answer: unknown;
    readonly reason: string;
  }
  const wsShard = (id: string, sessionId: string) => ({
    id,
    status: 'enabled',
    transport: { method: 'websocket', session_id: sessionId },
  });
  const update = (h: HelixClient) =>
    h.eventSub.updateConduitShards('c1', [
      { id: '0', transport: { method: 'websocket', sessionId: 's0' } },
      { id: '1', transport: { method: 'websocket', sessionId: 's1' } },
    ]);
  const create = (h: HelixClient) =>
    h.eventSub.createSubscription({
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '1' },
      transport: { method: 'conduit', conduitId: 'c1' },
    });
  const MISMATCHES: readonly Mismatch[] = [
    {
      name: 'Update Conduits naming another conduit',
      call: (h) => h.eventSub.updateConduit({ id: 'c1', shardCount: 4 }),
      answer: { data: [{ id: 'EVIL', shard_count: 4 }] },
      reason: 'data[0].id: expected "c1" (the conduit updated), got "EVIL"',
    },
    {
      name: 'Update Conduits with another shard count',
      call: (h) => h.eventSub.updateConduit({ id: 'c1', shardCount: 4 }),
      answer: { data: [{ id: 'c1', shard_count: 1 }] },
      reason: 'data[0].shard_count: expected 4 (the count sent), got 1',
    },
    {
      name: 'Create Conduits with another shard count',
      call: (h) => h.eventSub.createConduit({ shardCount: 2 }),
      answer: { data: [{ id: 'c9', shard_count: 20000 }] },
      reason: 'data[0].shard_count: expected 2 (the count sent), got 20000',
    },
    {
      name: 'Update Conduit Shards reporting a shard not sent',
      call: update,
      answer: { data: [wsShard('0', 's0'), wsShard('7', 's1')], errors: [] },
      reason: 'data[1].id: expected a shard id sent, got "7"',
    },
    {
      name: 'Update Conduit Shards leaving a shard out',
      call: update,
      answer: { data: [wsShard('0', 's0')], errors: [] },
      reason: 'the body: expected shard "1" (sent) in data or errors, got nothing',
    },
    {
      name: 'Update Conduit Shards reporting a shard twice',
      call: update,
      answer: {
        data: [wsShard('0', 's0'), wsShard('1', 's1')],
        errors: [{ id: '1', message: 'x', code: 'y' }],
      },
      reason: 'errors[0].id: expected each shard sent reported once, got "1"',
    },
    {
      name: 'Update Conduit Shards binding another session',
      call: update,
      answer: { data: [wsShard('0', 's0'), wsShard('1', 'someone-else')], errors: [] },
      reason: 'data[1].transport.session_id: expected "s1" (the session sent), got "someone-else"',
    },
    {
      name: 'Create EventSub Subscription of another type',
      call: create,
      answer: { data: [{ ...SUBSCRIPTION, type: 'channel.ban' }], ...TOTALS },
      reason: 'data[0].type: expected "stream.online" (the type sent), got "channel.ban"',
    },
    {
      name: 'Create EventSub Subscription with another condition',
      call: create,
      answer: { data: [{ ...SUBSCRIPTION, condition: { broadcaster_user_id: '2' } }], ...TOTALS },
      reason: 'data[0].condition.broadcaster_user_id: expected "1" (the condition sent), got "2"',
    },
    {
      name: 'Create EventSub Subscription on another conduit',
      call: create,
      answer: {
        data: [{ ...SUBSCRIPTION, transport: { method: 'conduit', conduit_id: 'EVIL' } }],
        ...TOTALS,
      },
      reason: 'data[0].transport.conduit_id: expected "c1" (the conduit sent), got "EVIL"',
    },
    {
      name: 'Get Conduit Shards holding a status the filter excludes',
      call: (h) => h.eventSub.getConduitShards('c1', { status: 'enabled' }).toArray(),
      answer: { data: [{ ...SHARD, status: 'websocket_disconnected' }], pagination: {} },
      reason: 'data[0].status: expected "enabled" (the status filter), got "websocket_disconnected"',
    },
    {
      name: 'Get EventSub Subscriptions holding a type the filter excludes',
      call: (h) => h.eventSub.getSubscriptions({ type: 'channel.ban' }).toArray(),
      answer: { data: [SUBSCRIPTION], ...TOTALS, pagination: {} },
      reason: 'data[0].type: expected "channel.ban" (the type filter), got "stream.online"',
    },
    {
      name: 'Get EventSub Subscriptions holding a user the filter excludes',
      call: (h) => h.eventSub.getSubscriptions({ userId: '9' }).toArray(),
      answer: { data: [SUBSCRIPTION], ...TOTALS, pagination: {} },
      reason: 'data[0].condition: expected a condition naming user "9" (the user_id filter), got an object',
    },
    {
      name: 'Get Users holding a user not asked for',
      call: (h) => h.users.getUsers({ ids: ['2'], logins: ['Two'] }),
      answer: { data: [{ ...USER, id: '2', login: 'two' }, USER] },
      reason: 'data[1]: expected a user asked for (by id or login), got "1"',
    },
  ];

  it.each(MISMATCHES)('refuses $name', async (mismatch) => {
    scripted.script({ status: 200, headers: okHeaders(), body: mismatch.answer });
    const error = await mismatch.call(helixClient()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadResponseError);
    expect((error as BadResponseError).reason).toBe(mismatch.reason);
    // Not retried: the same request would get the same answer.
    expect(scripted.requests).toHaveLength(1);
  });

  it('accepts what Twitch adds: a condition key not sent, a filter-matching list, users by login in any case', async () => {
    scripted.script({
      status: 200,
      headers: okHeaders(),
      body: {
        data: [{ ...SUBSCRIPTION, condition: { broadcaster_user_id: '1', extra: '' } }],
        ...TOTALS,
      },
    });
    await expect(create(helixClient())).resolves.toMatchObject({ subscription: { type: 'stream.online' } });
    scripted.script({ status: 200, headers: okHeaders(), body: { data: [{ ...USER, login: 'one' }] } });
    await expect(helixClient().users.getUsers({ logins: ['ONE'] })).resolves.toHaveLength(1);
    scripted.script({
      status: 200,
      headers: okHeaders(),
      body: { data: [wsShard('1', 's1')], errors: [{ id: '0', message: 'gone', code: 'x' }] },
    });
    await expect(update(helixClient())).resolves.toMatchObject({ errors: [{ id: '0' }] });
  });
});

describe('AutoClient adopts no conduit on an answer that disagrees with its request', () => {
  /** A Helix + EventSub WebSocket on one port that answers by route; Update Conduits answers `patched`. */
  async function hostile(patched: unknown): Promise<{ url: string; log: string[] }> {
    const log: string[] = [];
    let sessions = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        log.push(`${req.method ?? ''} ${path} ${body}`);
        const send = (o: unknown) => {
          res.writeHead(200, { 'content-type': 'application/json', ...okHeaders() });
          res.end(JSON.stringify(o));
        };
        if (path === '/eventsub/conduits' && req.method === 'GET') {
          send({ data: [{ id: 'c1', shard_count: 2 }] });
        } else if (path === '/eventsub/conduits' && req.method === 'PATCH') {
          send(patched);
        } else if (path === '/eventsub/conduits/shards' && req.method === 'PATCH') {
          const sent = JSON.parse(body) as { shards: { id: string; transport: { session_id: string } }[] };
          send({
            data: sent.shards.map((s) => ({
              id: s.id,
              status: 'enabled',
              transport: { method: 'websocket', session_id: s.transport.session_id },
            })),
            errors: [],
          });
        } else send({ data: [], pagination: {} });
      });
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify(welcomeFrame(`session-${++sessions}`)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
  }

  it.each([
    [
      'another conduit',
      { data: [{ id: 'EVIL', shard_count: 4 }] },
      'data[0].id: expected "c1" (the conduit updated), got "EVIL"',
    ],
    [
      'fewer shards than asked for',
      { data: [{ id: 'c1', shard_count: 1 }] },
      'data[0].shard_count: expected 4 (the count sent), got 1',
    ],
  ])(
    'forceScale with Update Conduits answering %s: start() fails, nothing else is sent',
    async (_name, patched, reason) => {
      const { url, log } = await hostile(patched);
      const client = new AutoClient({
        clientId: 'cid',
        auth: new StaticAuthProvider({ clientId: 'cid', appToken: TOKEN }),
        helixUrl: url,
        eventSubWsUrl: `${url.replace('http', 'ws')}/ws`,
        conduitId: 'c1',
        shardIds: [0, 1, 2, 3],
        forceScale: true,
        reconcileIntervalMs: 0,
      });
      client.on('error', () => undefined);
      let ready: unknown;
      client.on('ready', (info) => (ready = info));
      closers.push(() => client.close());
      const error = await client.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadResponseError);
      expect(error).toMatchObject({
        code: 'BAD_RESPONSE',
        method: 'PATCH',
        path: '/eventsub/conduits',
        reason,
      });
      expect(ready).toBeUndefined();
      // Nothing was updated, subscribed or served on the strength of the answer.
      expect(log.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
        'GET /eventsub/conduits',
        'PATCH /eventsub/conduits',
      ]);
    },
  );
});
