/**
 * Fuzzing of the emulator's HTTP routes (Helix, OAuth, the control API): requests with valid and invalid tokens,
 * random query strings (repeated, empty, huge, non-ASCII keys and values) and bodies that are not JSON, JSON of the
 * wrong shape, valid-looking bodies with one field of the wrong type, deep nesting and big strings.
 *
 * Whatever comes in, the emulator answers with a 4xx (or a 2xx when the request happens to be valid), in Twitch's
 * error shape, never a 500 (a 500 is an exception a route did not expect: reported through `onError`, which must
 * stay silent), never a hang, and it keeps serving afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/emulator.js';
import { anyJson, bigString, deepNesting, notJson, setAt, wrongTypeAt, type Json } from './arbitraries.js';

let emu: Emulator;
let appToken: string;
let userToken: string;
let conduitId: string;
const unexpected: string[] = [];

beforeAll(async () => {
  emu = await Emulator.start({
    port: 0,
    rateLimitPerMinute: 1_000_000,
    onError: (err, { method, path }) => {
      unexpected.push(
        `${method} ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    },
  });
  appToken = emu.mintAppToken().accessToken;
  userToken = emu.mintUserToken({
    userId: '1337',
    scopes: ['moderator:read:followers', 'user:read:chat'],
  }).accessToken;
  const response = await fetch(`${emu.baseUrl}/helix/eventsub/conduits`, {
    method: 'POST',
    headers: {
      'Client-Id': emu.clientId,
      Authorization: `Bearer ${appToken}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ shard_count: 2 }),
  });
  conduitId = ((await response.json()) as { data: { id: string }[] }).data[0]!.id;
});

afterAll(async () => {
  await emu.close();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** Every route, with a valid body for the routes that take one (the seed of the wrong-shape mutations). */
function routes(): { method: Method; path: string; body?: Json }[] {
  return [
    { method: 'GET', path: '/helix/eventsub/conduits' },
    { method: 'POST', path: '/helix/eventsub/conduits', body: { shard_count: 3 } },
    { method: 'PATCH', path: '/helix/eventsub/conduits', body: { id: conduitId, shard_count: 4 } },
    { method: 'DELETE', path: '/helix/eventsub/conduits' },
    { method: 'GET', path: '/helix/eventsub/conduits/shards' },
    {
      method: 'PATCH',
      path: '/helix/eventsub/conduits/shards',
      body: {
        conduit_id: conduitId,
        shards: [{ id: '0', transport: { method: 'websocket', session_id: 'nope' } }],
      },
    },
    {
      method: 'POST',
      path: '/helix/eventsub/subscriptions',
      body: {
        type: 'channel.follow',
        version: '2',
        condition: { broadcaster_user_id: '1337', moderator_user_id: '1337' },
        transport: { method: 'conduit', conduit_id: conduitId },
      },
    },
    { method: 'GET', path: '/helix/eventsub/subscriptions' },
    { method: 'DELETE', path: '/helix/eventsub/subscriptions' },
    { method: 'GET', path: '/helix/users' },
    { method: 'PUT', path: '/helix/users' },
    { method: 'GET', path: '/helix/no/such/route' },
    { method: 'POST', path: '/oauth2/token', body: { grant_type: 'client_credentials' } },
    { method: 'GET', path: '/oauth2/validate' },
    { method: 'POST', path: '/oauth2/revoke', body: { token: 'x' } },
    { method: 'GET', path: '/oauth2/authorize' },
    {
      method: 'POST',
      path: '/_emulator/trigger',
      body: { type: 'stream.online', condition: { broadcaster_user_id: '1337' }, count: 1 },
    },
    {
      method: 'POST',
      path: '/_emulator/streams',
      body: { type: 'stream.online', rate_per_second: 1, count: 1 },
    },
    { method: 'DELETE', path: '/_emulator/streams' },
    { method: 'POST', path: '/_emulator/sessions/nope/reconnect' },
    { method: 'POST', path: '/_emulator/sessions/nope/close', body: { code: 4000 } },
    { method: 'POST', path: '/_emulator/sessions/nope/keepalive', body: { enabled: false } },
    { method: 'POST', path: '/_emulator/subscriptions/nope/revoke', body: { status: 'user_removed' } },
    { method: 'POST', path: '/_emulator/faults', body: { helix_error_rate: 0 } },
    { method: 'GET', path: '/_emulator/state' },
    { method: 'POST', path: '/_emulator/tokens', body: { user_id: '42', scopes: [] } },
    { method: 'POST', path: '/_emulator/clients', body: {} },
    { method: 'POST', path: '/_emulator/ratelimit', body: { points_per_minute: 1_000_000 } },
    { method: 'POST', path: '/_emulator/pubsub/publish', body: { topic: 'channel-bits-events-v2.1337' } },
    { method: 'POST', path: '/_emulator/pubsub/reconnect', body: {} },
    { method: 'POST', path: '/_emulator/pubsub/drop', body: { connection_id: 'nope' } },
    { method: 'POST', path: '/_emulator/pubsub/pongs', body: { enabled: true } },
    { method: 'POST', path: '/_emulator/pubsub/accepting', body: { enabled: true } },
    { method: 'GET', path: '/_emulator/pubsub/connections' },
    {
      method: 'POST',
      path: '/_emulator/chat',
      body: { channel: '1337', user: 'fuzzviewer', text: 'hi Kappa' },
    },
    { method: 'POST', path: '/_emulator/shared_chat', body: { host_id: '1337', participant_ids: ['1338'] } },
    { method: 'POST', path: '/_emulator/shared_chat/end', body: { host_id: '1337' } },
    {
      method: 'POST',
      path: '/_emulator/redemptions',
      body: { channel: '1337', user: 'fuzzviewer', reward: { title: 'Hydrate', cost: 100 } },
    },
  ];
}

const queryKey = fc.oneof(
  fc.constantFrom(
    'id',
    'conduit_id',
    'status',
    'type',
    'user_id',
    'subscription_id',
    'after',
    'first',
    'login',
  ),
  fc.constantFrom('shard_count', 'client_id', 'client_secret', 'grant_type', 'token', 'refresh_token'),
  fc.string({ maxLength: 12 }),
);
const queryValue = fc.oneof(
  fc.constantFrom('', '0', '-1', '1e9', 'NaN', 'enabled', 'channel.follow', '1337', '%', '%zz'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constant('9'.repeat(400)),
);
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 5 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
/** Query strings that are not well-formed percent-encoding. */
const rawQuery = fc.constantFrom('id=%', 'a=%E0%A4%A', '&&&', '=', 'id', 'status=enabled&status=enabled');

const authorization = fc.constantFrom<'app' | 'user' | 'none' | 'garbage' | 'basic'>(
  'app',
  'user',
  'none',
  'garbage',
  'basic',
);

/** A body for `seed`: the valid one, one field of the wrong type, a missing field, any JSON, not JSON, huge. */
function body(seed: Json | undefined): fc.Arbitrary<string | undefined> {
  const base: Json = seed ?? {};
  const valid = seed === undefined ? '{}' : JSON.stringify(seed);
  const keys = Object.keys(base as Record<string, Json>);
  return fc.oneof(
    fc.constant(seed === undefined ? undefined : valid),
    ...(keys.length === 0 ? [] : [wrongTypeAt(base).map(({ frame }) => JSON.stringify(frame))]),
    ...(keys.length === 0
      ? []
      : [fc.constantFrom(...keys).map((key) => JSON.stringify(setAt(base, [key], undefined)))]),
    anyJson.map((value) => JSON.stringify(value)),
    notJson([valid]),
    deepNesting(5_000),
    fc.nat().map((n) => JSON.stringify({ ...(base as Record<string, Json>), type: bigString(200_000, n) })),
  );
}

const request = fc.constantFrom(...routes().keys()).chain((index) => {
  const route = routes()[index]!;
  return fc.record({
    route: fc.constant(route),
    query: fc.oneof(query, rawQuery),
    auth: authorization,
    body: body(route.body),
    contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
  });
});

function headers(auth: string, contentType: string): Record<string, string> {
  const out: Record<string, string> = { 'Client-Id': emu.clientId };
  if (contentType !== '') out['Content-Type'] = contentType;
  if (auth === 'app') out.Authorization = `Bearer ${appToken}`;
  if (auth === 'user') out.Authorization = `Bearer ${userToken}`;
  if (auth === 'garbage') out.Authorization = 'Bearer \u00ff\u00fe';
  if (auth === 'basic') out.Authorization = 'Basic dXNlcjpwYXNz';
  return out;
}

describe('emulator HTTP routes under fuzzed requests', () => {
  // 60 s: hundreds of fuzzed requests over real sockets, every route, bodies up to the size limits.
  it(
    'answer every request with a status below 500 in Twitch error shape, and keep serving',
    { timeout: 60_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(request, async ({ route, query: q, auth, body: text, contentType }) => {
          const before = unexpected.length;
          const url = `${emu.baseUrl}${route.path}${q === '' ? '' : `?${q}`}`;
          const response = await fetch(url, {
            method: route.method,
            headers: headers(auth, contentType),
            ...(text === undefined || route.method === 'GET' ? {} : { body: text }),
            signal: AbortSignal.timeout(10_000),
          });
          const raw = await response.text();
          expect(response.status, `${route.method} ${url}: ${raw.slice(0, 300)}`).toBeLessThan(500);
          if (response.status >= 400 && route.path.startsWith('/helix')) {
            const parsed = JSON.parse(raw) as { status?: unknown; message?: unknown };
            expect(parsed.status).toBe(response.status);
            expect(typeof parsed.message).toBe('string');
          }
          expect(unexpected.slice(before)).toEqual([]);
        }),
        {
          numRuns: 400,
          interruptAfterTimeLimit: 40_000,
          seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31),
        },
      );
      expect(unexpected).toEqual([]);
      // Still serving after the storm.
      const state = await fetch(`${emu.baseUrl}/_emulator/state`);
      expect(state.status).toBe(200);
    },
  );
});
