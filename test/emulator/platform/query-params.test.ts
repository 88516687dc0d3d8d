/**
 * Body parameters in the query string: every Helix route of the emulator that takes a JSON body accepts its
 * top-level scalar parameters in the query string too, as Twitch does (TwitchIO's AutoClient sends
 * `POST eventsub/conduits?shard_count=N` and `PATCH eventsub/conduits?id=…&shard_count=N`). One row per route.
 *
 * The guard does not trust the routes' own declarations: which routes take a body, and which scalar parameters it
 * has, come from the project's copy of Helix's OpenAPI description (test/fixtures/helix-openapi.json). A new route
 * whose operation has a request body must declare exactly those parameters (`bodyParams`), and each one needs a row.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import type { BodyParamType } from '../../../src/emulator/http/types.js';
import { Router } from '../../../src/emulator/http/router.js';
import { withQueryParams } from '../../../src/emulator/http/body.js';
import { RawClient } from '../eventsub/helpers.js';
import { appToken, createConduit, helix, startEmulator } from '../../support/emulator.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

interface Ctx {
  readonly emu: Emulator;
  readonly token: string;
  readonly conduitId: string;
  readonly sessionId: string;
  /** User token of the broadcaster 1001, for the routes that act as a moderator or a user. */
  readonly userToken: string;
}

interface Row {
  /** `METHOD /path` as registered. */
  readonly route: string;
  /** Query string carrying every scalar parameter, the body keeping only the rest. */
  readonly query: (ctx: Ctx) => string;
  readonly body: (ctx: Ctx) => unknown;
  readonly status: number;
  /** What the success proves the query values were used for. */
  readonly check: (ctx: Ctx, body: any) => Promise<void> | void;
  /** A query with a wrong value: Twitch's 400, with the same message as the same value in the body. */
  readonly badQuery: (ctx: Ctx) => string;
  readonly badBody: (ctx: Ctx) => Record<string, unknown>;
  /** Parameters that only the query string carries (ids of Twitch's query-only parameters), sent each time. */
  readonly fixedQuery?: string;
  /** The token to use (default: the app token). */
  readonly token?: (ctx: Ctx) => string;
}

const ROWS: readonly Row[] = [
  {
    route: 'POST /chat/messages',
    query: () => 'broadcaster_id=1001&sender_id=2002&message=hello&for_source_only=true',
    body: () => undefined,
    status: 200,
    check: (_ctx, body) => {
      expect(body.data[0]).toMatchObject({ is_sent: true });
    },
    badQuery: () => 'broadcaster_id=1001&sender_id=2002&message=hello&for_source_only=maybe',
    badBody: () => ({
      broadcaster_id: '1001',
      sender_id: '2002',
      message: 'hello',
      for_source_only: 'maybe',
    }),
  },
  {
    route: 'POST /chat/messages',
    // An unknown parent is Twitch's 400: proof that the query's reply_parent_message_id was read.
    query: () => 'broadcaster_id=1001&sender_id=2002&message=hello&reply_parent_message_id=nope',
    body: () => undefined,
    status: 400,
    check: (_ctx, body) => {
      expect(body.message).toContain('reply_parent_message_id');
    },
    badQuery: () => 'broadcaster_id=1001&sender_id=&message=hello',
    badBody: () => ({ broadcaster_id: '1001', sender_id: '', message: 'hello' }),
  },
  {
    route: 'PATCH /chat/settings',
    fixedQuery: 'broadcaster_id=1001&moderator_id=1001',
    token: (ctx) => ctx.userToken,
    query: () =>
      'emote_mode=true&follower_mode=true&follower_mode_duration=10&non_moderator_chat_delay=true' +
      '&non_moderator_chat_delay_duration=4&slow_mode=true&slow_mode_wait_time=15&subscriber_mode=true' +
      '&unique_chat_mode=true',
    body: () => undefined,
    status: 200,
    check: (_ctx, body) => {
      expect(body.data[0]).toEqual({
        broadcaster_id: '1001',
        moderator_id: '1001',
        emote_mode: true,
        follower_mode: true,
        follower_mode_duration: 10,
        non_moderator_chat_delay: true,
        non_moderator_chat_delay_duration: 4,
        slow_mode: true,
        slow_mode_wait_time: 15,
        subscriber_mode: true,
        unique_chat_mode: true,
      });
    },
    badQuery: () => 'slow_mode=true&slow_mode_wait_time=soon',
    badBody: () => ({ slow_mode: true, slow_mode_wait_time: 'soon' }),
  },
  {
    route: 'POST /chat/announcements',
    fixedQuery: 'broadcaster_id=1001&moderator_id=1001',
    token: (ctx) => ctx.userToken,
    query: () => 'message=hello&color=green',
    body: () => undefined,
    status: 204,
    check: () => undefined,
    badQuery: () => 'message=hello&color=pink',
    badBody: () => ({ message: 'hello', color: 'pink' }),
  },
  {
    route: 'POST /whispers',
    fixedQuery: 'from_user_id=1001&to_user_id=2002',
    token: (ctx) => ctx.userToken,
    query: () => 'message=psst',
    body: () => undefined,
    status: 204,
    check: () => undefined,
    badQuery: () => 'message=',
    badBody: () => ({ message: '' }),
  },
  {
    route: 'POST /eventsub/conduits',
    query: () => 'shard_count=4',
    body: () => undefined,
    status: 200,
    check: (_ctx, body) => {
      expect(body.data[0].shard_count).toBe(4);
    },
    badQuery: () => 'shard_count=four',
    badBody: () => ({ shard_count: 'four' }),
  },
  {
    route: 'PATCH /eventsub/conduits',
    query: (c) => `id=${c.conduitId}&shard_count=3`,
    body: () => undefined,
    status: 200,
    check: (c, body) => {
      expect(body.data[0]).toEqual({ id: c.conduitId, shard_count: 3 });
    },
    badQuery: (c) => `id=${c.conduitId}&shard_count=0`,
    badBody: (c) => ({ id: c.conduitId, shard_count: 0 }),
  },
  {
    route: 'PATCH /eventsub/conduits/shards',
    query: (c) => `conduit_id=${c.conduitId}`,
    body: (c) => ({ shards: [{ id: '0', transport: { method: 'websocket', session_id: c.sessionId } }] }),
    status: 202,
    check: (c, body) => {
      expect(body.errors).toEqual([]);
      expect(body.data[0]).toMatchObject({ id: '0', status: 'enabled' });
      expect(body.data[0].transport.session_id).toBe(c.sessionId);
    },
    badQuery: () => 'conduit_id=',
    badBody: (c) => ({
      conduit_id: '',
      shards: [{ id: '0', transport: { method: 'websocket', session_id: c.sessionId } }],
    }),
  },
  {
    route: 'POST /eventsub/subscriptions',
    query: () => 'type=stream.online&version=1',
    body: (c) => ({
      condition: { broadcaster_user_id: '1337' },
      transport: { method: 'conduit', conduit_id: c.conduitId },
    }),
    status: 202,
    check: (_ctx, body) => {
      expect(body.data[0]).toMatchObject({ type: 'stream.online', version: '1', status: 'enabled' });
    },
    badQuery: () => 'type=stream.online&version=7',
    badBody: (c) => ({
      type: 'stream.online',
      version: '7',
      condition: { broadcaster_user_id: '1337' },
      transport: { method: 'conduit', conduit_id: c.conduitId },
    }),
  },
  {
    // The boolean parameter of the same route: `is_batching_enabled=true` from the query is a real `true`.
    route: 'POST /eventsub/subscriptions',
    query: () => 'type=drop.entitlement.grant&version=1&is_batching_enabled=true',
    body: (c) => ({
      condition: { organization_id: 'org-1' },
      transport: { method: 'conduit', conduit_id: c.conduitId },
    }),
    status: 202,
    check: (_ctx, body) => {
      expect(body.data[0]).toMatchObject({ type: 'drop.entitlement.grant', status: 'enabled' });
    },
    badQuery: () => 'type=drop.entitlement.grant&version=1&is_batching_enabled=yes',
    badBody: (c) => ({
      type: 'drop.entitlement.grant',
      version: '1',
      is_batching_enabled: 'yes',
      condition: { organization_id: 'org-1' },
      transport: { method: 'conduit', conduit_id: c.conduitId },
    }),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// What Helix's OpenAPI description says each operation takes
// ---------------------------------------------------------------------------------------------------------------

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
}
interface RequestBody {
  readonly $ref?: string;
  readonly content?: Readonly<Record<string, { readonly schema?: Schema }>>;
}
interface Operation {
  readonly requestBody?: RequestBody;
}
const OPENAPI = JSON.parse(
  readFileSync(new URL('../../fixtures/helix-openapi.json', import.meta.url), 'utf8'),
) as {
  paths: Record<string, Record<string, Operation | undefined> | undefined>;
  components: { schemas: Record<string, Schema>; requestBodies?: Record<string, RequestBody> };
};

/** Follows `$ref`s (`#/components/<kind>/<name>`) into `table`. */
function resolve<T extends { readonly $ref?: string }>(
  node: T | undefined,
  table: Readonly<Record<string, T>> | undefined,
): T | undefined {
  const ref = node?.$ref;
  if (ref === undefined) return node;
  return resolve(table?.[ref.slice(ref.lastIndexOf('/') + 1)], table);
}

const SCALAR_TYPES: Readonly<Record<string, BodyParamType>> = {
  string: 'string',
  integer: 'integer',
  boolean: 'boolean',
};

/** The top-level scalar properties of an operation's JSON request body and their types (`{}` without a body). */
function scalarBodyParams(operation: Operation | undefined): Record<string, BodyParamType> {
  const body = resolve(operation?.requestBody, OPENAPI.components.requestBodies);
  const schema = resolve(body?.content?.['application/json']?.schema, OPENAPI.components.schemas);
  const out: Record<string, BodyParamType> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const type = SCALAR_TYPES[resolve(property, OPENAPI.components.schemas)?.type ?? ''];
    if (type !== undefined) out[name] = type;
  }
  return out;
}

/** Where a route's parameters differ from its OpenAPI operation on purpose, and why. */
const BODY_PARAM_EXCEPTIONS: Readonly<
  Record<string, { readonly add: Readonly<Record<string, BodyParamType>>; readonly why: string }>
> = {
  'POST /eventsub/subscriptions': {
    add: { is_batching_enabled: 'boolean' },
    why:
      'Twitch requires is_batching_enabled: true in the body for drop.entitlement.grant (EventSub subscription ' +
      'types reference); the OpenAPI schema of Create EventSub Subscription does not list it.',
  },
};

async function context(e: Emulator): Promise<Ctx> {
  e.mintUserToken({ userId: '1337', scopes: [] });
  // Chat: a bot (2002) that may chat as the app in channel 1001.
  e.mintUserToken({ userId: '2002', scopes: ['user:bot', 'user:write:chat'] });
  e.mintUserToken({ userId: '1001', scopes: ['channel:bot'] });
  const token = appToken(e);
  const conduitId = await createConduit(e, 1, token);
  const { sessionId } = await RawClient.connect(e.clientOptions().eventSubWsUrl);
  const userToken = e.mintUserToken({
    userId: '1001',
    scopes: [
      'channel:bot',
      'moderator:manage:chat_settings',
      'moderator:manage:announcements',
      'user:manage:whispers',
    ],
  }).accessToken;
  return { emu: e, token, conduitId, sessionId, userToken };
}

function split(route: string): [string, string] {
  const [method = '', path = ''] = route.split(' ');
  return [method, path];
}

describe('body parameters in the query string', () => {
  it.each(ROWS.map((row) => [row.route, row] as const))(
    '%s accepts its scalar parameters in the query',
    async (_name, row) => {
      emu = await startEmulator();
      const ctx = await context(emu);
      const [method, path] = split(row.route);
      const token = row.token?.(ctx) ?? ctx.token;
      const fixed = row.fixedQuery === undefined ? '' : `${row.fixedQuery}&`;
      const ok = await helix(emu, method, `${path}?${fixed}${row.query(ctx)}`, token, row.body(ctx));
      expect(ok.status).toBe(row.status);
      await row.check(ctx, ok.body);

      // A wrong value in the query answers the same 400 as that value in the body.
      const bodyPath = row.fixedQuery === undefined ? path : `${path}?${row.fixedQuery}`;
      const viaBody = await helix(emu, method, bodyPath, token, row.badBody(ctx));
      const viaQuery = await helix(emu, method, `${path}?${fixed}${row.badQuery(ctx)}`, token, row.body(ctx));
      expect(viaBody.status).toBe(400);
      expect(viaQuery.status).toBe(400);
      expect(viaQuery.body).toEqual(viaBody.body);
    },
  );

  it('declares, on every Helix route, exactly the scalar body parameters of its OpenAPI operation', async () => {
    emu = await startEmulator();
    const router = emu.platform.router;
    if (!(router instanceof Router)) throw new Error('the emulator router is not a Router');
    const routes = [...router.helixRoutes.routes()];
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const operation = OPENAPI.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${name} is not an operation of Helix's OpenAPI description`).toBeDefined();
      const expected = { ...scalarBodyParams(operation), ...(BODY_PARAM_EXCEPTIONS[name]?.add ?? {}) };
      expect(route.bodyParams ?? {}, `${name}: bodyParams`).toEqual(expected);
    }
    // Each exception is about a route that exists and says why.
    for (const [name, exception] of Object.entries(BODY_PARAM_EXCEPTIONS)) {
      expect(
        routes.map((r) => `${r.method} ${r.path}`),
        name,
      ).toContain(name);
      expect(exception.why.length).toBeGreaterThan(20);
    }
  });

  it('has a row for every Helix route with body parameters, covering each parameter', async () => {
    emu = await startEmulator();
    const router = emu.platform.router;
    if (!(router instanceof Router)) throw new Error('the emulator router is not a Router');
    const declared = new Map<string, string[]>();
    for (const route of router.helixRoutes.routes()) {
      if (route.bodyParams !== undefined && Object.keys(route.bodyParams).length > 0)
        declared.set(`${route.method} ${route.path}`, Object.keys(route.bodyParams));
    }
    expect([...declared.keys()].sort()).toEqual([...new Set(ROWS.map((r) => r.route))].sort());
    const ctx = { emu, token: '', conduitId: 'c', sessionId: 's', userToken: '' };
    for (const [route, keys] of declared) {
      const covered = new Set(
        ROWS.filter((r) => r.route === route).flatMap((r) => [...new URLSearchParams(r.query(ctx)).keys()]),
      );
      for (const key of keys) expect(covered, `${route} ${key}`).toContain(key);
    }
  });

  it('reads the scalar top-level properties of a request body from the OpenAPI description', () => {
    expect(scalarBodyParams(OPENAPI.paths['/eventsub/conduits/shards']?.patch)).toEqual({
      conduit_id: 'string',
    });
    expect(scalarBodyParams(OPENAPI.paths['/eventsub/subscriptions']?.post)).toEqual({
      type: 'string',
      version: 'string',
    });
    expect(scalarBodyParams(OPENAPI.paths['/eventsub/subscriptions']?.get)).toEqual({});
    // Routes the emulator does not serve (yet) are read the same way.
    expect(scalarBodyParams(OPENAPI.paths['/chat/announcements']?.post)).toEqual({
      message: 'string',
      color: 'string',
    });
  });

  it('lets the JSON body win over the query string when both carry a parameter', async () => {
    emu = await startEmulator();
    const token = appToken(emu);
    const res = await helix(emu, 'POST', '/eventsub/conduits?shard_count=9', token, { shard_count: 2 });
    expect(res.status).toBe(200);
    expect(res.body.data[0].shard_count).toBe(2);
  });

  it('converts only values that spell the declared type and leaves non-object bodies alone', () => {
    const q = new URLSearchParams('n=12&b=false&s=7&x=1.5&y=TRUE');
    const types = { n: 'integer', b: 'boolean', s: 'string', x: 'integer', y: 'boolean' } as const;
    expect(withQueryParams(undefined, q, types)).toEqual({ n: 12, b: false, s: '7', x: '1.5', y: 'TRUE' });
    expect(withQueryParams([1], q, types)).toEqual([1]);
    expect(withQueryParams('text', q, types)).toBe('text');
    expect(withQueryParams(undefined, new URLSearchParams(''), types)).toBeUndefined();
    const body = { n: 1 };
    expect(withQueryParams(body, new URLSearchParams(''), types)).toBe(body);
  });
});
