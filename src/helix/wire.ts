/**
 * Checks of Helix response bodies: one decoder per wire type (conduit, shard, shard error, subscription, user) and
 * one per response shape (a `data` list, its first item, a page, ...). Each endpoint row of `endpoint.ts` names the
 * decoder of its 2xx body; {@link HelixHttp.request} runs it and turns a {@link ShapeError} into a
 * `BadResponseError` (code `BAD_RESPONSE`) naming the endpoint. Nothing is created or deleted on the strength of an
 * answer that did not pass.
 *
 * What is checked: everything the library acts on (ids, statuses, counts, transports, list and cursor shapes) must
 * be there with its JSON type; descriptive fields (a user's description, image URLs) must have their type when
 * present and read as `''` when absent. Unknown extra fields are ignored (Twitch adds fields).
 *
 * Then, where the request determines part of the answer, the answer must agree with it (the checks at the end of
 * this file, one per endpoint, named by its row): the conduit updated is the one asked for, with the shard count
 * asked for; the shards an update reports are exactly those sent; a created subscription has the type, version,
 * condition and transport sent; a filtered list holds only what the filter selects. An answer that disagrees is a
 * `BAD_RESPONSE` like a garbled one: nothing is adopted, created or deleted on its strength.
 */
import { isRecord } from '../core/guards.js';
import { count, fail, field, id, list, optionalString, record, string, type Decoder } from './decode.js';
import { MAX_SHARD_COUNT } from '../protocol/eventsub.js';
import type {
  WireConduit,
  WireShard,
  WireShardError,
  WireSubscription,
  WireTransport,
} from '../protocol/eventsub.js';
import type { QueryValue } from './http.js';
import type { WireHelixUser } from './models.js';

export { ShapeError, type Decoder } from './decode.js';

// ---------------------------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------------------------

/** A conduit: `id`, and a `shard_count` in 0..20000 (a count past Twitch's maximum is refused, not served). */
export const conduit: Decoder<WireConduit> = (value, at) => {
  const r = record(value, at);
  return {
    id: id(r.id, field(at, 'id')),
    shard_count: count(r.shard_count, field(at, 'shard_count'), MAX_SHARD_COUNT),
  };
};

function transportOf(value: unknown, at: string, conduitAllowed: boolean): WireTransport {
  const r = record(value, at);
  const method = r.method;
  switch (method) {
    case 'webhook':
      return { method, callback: string(r.callback, field(at, 'callback')) };
    case 'websocket': {
      const connected = optionalString(r.connected_at, field(at, 'connected_at'));
      const disconnected = optionalString(r.disconnected_at, field(at, 'disconnected_at'));
      return {
        method,
        // An unassigned shard has an empty session id.
        session_id: string(r.session_id, field(at, 'session_id')),
        ...(connected === undefined ? {} : { connected_at: connected }),
        ...(disconnected === undefined ? {} : { disconnected_at: disconnected }),
      };
    }
    case 'conduit':
      if (conduitAllowed) return { method, conduit_id: id(r.conduit_id, field(at, 'conduit_id')) };
      break;
  }
  return fail(
    field(at, 'method'),
    conduitAllowed ? 'webhook, websocket or conduit' : 'webhook or websocket',
    method,
  );
}

/** A conduit shard: `id`, `status`, and a webhook or websocket `transport`. */
export const shard: Decoder<WireShard> = (value, at) => {
  const r = record(value, at);
  return {
    id: id(r.id, field(at, 'id')),
    status: id(r.status, field(at, 'status')) as WireShard['status'],
    transport: transportOf(r.transport, field(at, 'transport'), false) as WireShard['transport'],
  };
};

/** One `errors[]` entry of Update Conduit Shards. */
export const shardError: Decoder<WireShardError> = (value, at) => {
  const r = record(value, at);
  return {
    id: id(r.id, field(at, 'id')),
    message: string(r.message, field(at, 'message')),
    code: string(r.code, field(at, 'code')),
  };
};

function condition(value: unknown, at: string): Record<string, string> {
  const r = record(value, at);
  const out: Record<string, string> = {};
  for (const key of Object.keys(r)) out[key] = string(r[key], field(at, key));
  return out;
}

/** An EventSub subscription. */
export const subscription: Decoder<WireSubscription> = (value, at) => {
  const r = record(value, at);
  const cost = r.cost;
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) {
    fail(field(at, 'cost'), 'a non-negative number', cost);
  }
  return {
    id: id(r.id, field(at, 'id')),
    status: id(r.status, field(at, 'status')) as WireSubscription['status'],
    type: id(r.type, field(at, 'type')),
    version: id(r.version, field(at, 'version')),
    cost,
    condition: condition(r.condition, field(at, 'condition')),
    transport: transportOf(r.transport, field(at, 'transport'), true),
    created_at: string(r.created_at, field(at, 'created_at')),
  };
};

/** A user of Get Users: `id` and `login` required, the descriptive fields `''` when absent. */
export const user: Decoder<WireHelixUser> = (value, at) => {
  const r = record(value, at);
  const text = (key: string): string => optionalString(r[key], field(at, key)) ?? '';
  const email = optionalString(r.email, field(at, 'email'));
  return {
    id: id(r.id, field(at, 'id')),
    login: id(r.login, field(at, 'login')),
    display_name: text('display_name'),
    type: text('type'),
    broadcaster_type: text('broadcaster_type'),
    description: text('description'),
    profile_image_url: text('profile_image_url'),
    offline_image_url: text('offline_image_url'),
    created_at: text('created_at'),
    ...(email === undefined ? {} : { email }),
  };
};

// ---------------------------------------------------------------------------------------------------------------
// Response shapes
// ---------------------------------------------------------------------------------------------------------------

/** A body decoder (the whole 2xx body of one endpoint). */
export type BodyDecoder<T> = (body: unknown) => T;

/** `{ data: [item...] }`: the items. */
export function dataOf<T>(item: Decoder<T>): BodyDecoder<T[]> {
  return (body) => list(record(body, '').data, 'data', item);
}

/** `{ data: [item, ...] }` with at least one item: the first. */
export function firstOf<T>(item: Decoder<T>): BodyDecoder<T> {
  return (body) => {
    const data = record(body, '').data;
    if (!Array.isArray(data) || data.length === 0) fail('data', 'an array with one item', data);
    return item(data[0] as unknown, 'data[0]');
  };
}

/** `total`, `total_cost` and `max_total_cost` of subscription lists and creations (0 when absent). */
export interface WireTotals {
  readonly total: number;
  readonly total_cost: number;
  readonly max_total_cost: number;
}

function totals(body: Record<string, unknown>): WireTotals {
  const read = (key: string): number => (body[key] === undefined ? 0 : count(body[key], key));
  return { total: read('total'), total_cost: read('total_cost'), max_total_cost: read('max_total_cost') };
}

/** One page of a list: its items, the next cursor (`null` on the last page) and per-page extras. */
export interface WirePage<W, M = undefined> {
  readonly items: W[];
  readonly cursor: string | null;
  readonly meta: M;
}

/** `{ data: [item...], pagination?: { cursor? } }`. */
export function pageOf<W>(item: Decoder<W>): BodyDecoder<WirePage<W>> {
  return (body) => {
    const r = record(body, '');
    return { items: list(r.data, 'data', item), cursor: cursorOf(r), meta: undefined };
  };
}

/** A page of Get EventSub Subscriptions: a page whose extras are the totals. */
export function subscriptionPage(body: unknown): WirePage<WireSubscription, WireTotals> {
  const r = record(body, '');
  return { items: list(r.data, 'data', subscription), cursor: cursorOf(r), meta: totals(r) };
}

function cursorOf(body: Record<string, unknown>): string | null {
  const pagination = body.pagination;
  if (pagination === undefined || pagination === null) return null;
  const cursor = optionalString(record(pagination, 'pagination').cursor, 'pagination.cursor');
  return cursor === undefined || cursor === '' ? null : cursor;
}

/** Create EventSub Subscription: the subscription and the totals. */
export function createdSubscription(body: unknown): { subscription: WireSubscription } & WireTotals {
  const r = record(body, '');
  return { subscription: firstOf(subscription)(r), ...totals(r) };
}

/** Update Conduit Shards: the shards updated and the per-shard errors (`errors` may be absent). */
export function shardUpdate(body: unknown): { data: WireShard[]; errors: WireShardError[] } {
  const r = record(body, '');
  return {
    data: list(r.data, 'data', shard),
    errors: r.errors === undefined ? [] : list(r.errors, 'errors', shardError),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers checked against their request
// ---------------------------------------------------------------------------------------------------------------

/** What a request sent: its query (the filters, without `after`/`first`) and its JSON body, as the wrapper built them. */
export interface SentRequest {
  readonly query?: Readonly<Record<string, QueryValue>> | undefined;
  readonly body?: unknown;
}

/** Checks a decoded answer against its request; throws a {@link ShapeError} at the first disagreement. */
export type AnswerCheck<R> = (answer: R, sent: SentRequest) => void;

function same(at: string, sent: string | number, value: unknown, what: string): void {
  if (value !== sent) fail(at, `${JSON.stringify(sent)} (${what})`, value);
}

/** A field of the body we built (a record by construction; `undefined` when absent). */
function sentField(body: unknown, key: string): unknown {
  return isRecord(body) ? body[key] : undefined;
}

/** A query filter we set, as a string, or `undefined`. */
function sentFilter(sent: SentRequest, key: string): string | undefined {
  const value = sent.query?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function sentList(sent: SentRequest, key: string): string[] {
  const value = sent.query?.[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Create Conduits: the conduit has the shard count asked for. */
export const createdConduitMatches: AnswerCheck<WireConduit> = (answer, sent) => {
  same(
    'data[0].shard_count',
    sentField(sent.body, 'shard_count') as number,
    answer.shard_count,
    'the count sent',
  );
};

/** Update Conduits: the conduit updated is the one asked for, with the shard count asked for. */
export const updatedConduitMatches: AnswerCheck<WireConduit> = (answer, sent) => {
  same('data[0].id', sentField(sent.body, 'id') as string, answer.id, 'the conduit updated');
  same(
    'data[0].shard_count',
    sentField(sent.body, 'shard_count') as number,
    answer.shard_count,
    'the count sent',
  );
};

/** Get Conduit Shards with a `status` filter: only shards with that status. */
export const listedShardsMatch: AnswerCheck<WirePage<WireShard>> = (answer, sent) => {
  const status = sentFilter(sent, 'status');
  if (status === undefined) return;
  answer.items.forEach((item, i) => {
    same(`data[${i}].status`, status, item.status, 'the status filter');
  });
};

/**
 * Update Conduit Shards: every shard sent is reported once, in `data` or in `errors`, and nothing else is; a shard
 * in `data` has the transport method sent and, for a WebSocket, the session sent.
 */
export const updatedShardsMatch: AnswerCheck<{ data: WireShard[]; errors: WireShardError[] }> = (
  answer,
  sent,
) => {
  const shards = sentField(sent.body, 'shards');
  const wanted = new Map<string, { method: unknown; sessionId: unknown; left: number }>();
  for (const item of Array.isArray(shards) ? (shards as unknown[]) : []) {
    const id = String(sentField(item, 'id'));
    const transport = sentField(item, 'transport');
    const entry = wanted.get(id);
    if (entry !== undefined) entry.left++;
    else {
      wanted.set(id, {
        method: sentField(transport, 'method'),
        sessionId: sentField(transport, 'session_id'),
        left: 1,
      });
    }
  }
  const answered = (id: string, at: string): NonNullable<ReturnType<typeof wanted.get>> => {
    const entry = wanted.get(id);
    if (entry === undefined) fail(`${at}.id`, 'a shard id sent', id);
    if (entry.left === 0) fail(`${at}.id`, 'each shard sent reported once', id);
    entry.left--;
    return entry;
  };
  answer.data.forEach((item, i) => {
    const entry = answered(item.id, `data[${i}]`);
    same(`data[${i}].transport.method`, entry.method as string, item.transport.method, 'the method sent');
    if (item.transport.method === 'websocket') {
      same(
        `data[${i}].transport.session_id`,
        entry.sessionId as string,
        item.transport.session_id,
        'the session sent',
      );
    }
  });
  answer.errors.forEach((item, i) => answered(item.id, `errors[${i}]`));
  for (const [id, entry] of wanted) {
    if (entry.left > 0) fail('', `shard ${JSON.stringify(id)} (sent) in data or errors`, undefined);
  }
};

/** Create EventSub Subscription: the type, version, condition and transport sent. */
export const createdSubscriptionMatches: AnswerCheck<{ subscription: WireSubscription } & WireTotals> = (
  answer,
  sent,
) => {
  const got = answer.subscription;
  same('data[0].type', sentField(sent.body, 'type') as string, got.type, 'the type sent');
  same('data[0].version', sentField(sent.body, 'version') as string, got.version, 'the version sent');
  const condition = sentField(sent.body, 'condition');
  if (isRecord(condition)) {
    for (const key of Object.keys(condition)) {
      same(`data[0].condition.${key}`, condition[key] as string, got.condition[key], 'the condition sent');
    }
  }
  const transport = sentField(sent.body, 'transport');
  same(
    'data[0].transport.method',
    sentField(transport, 'method') as string,
    got.transport.method,
    'the method sent',
  );
  if (got.transport.method === 'conduit') {
    same(
      'data[0].transport.conduit_id',
      sentField(transport, 'conduit_id') as string,
      got.transport.conduit_id,
      'the conduit sent',
    );
  } else if (got.transport.method === 'websocket') {
    same(
      'data[0].transport.session_id',
      sentField(transport, 'session_id') as string,
      got.transport.session_id,
      'the session sent',
    );
  }
};

/** Get EventSub Subscriptions with a filter: only subscriptions it selects. */
export const listedSubscriptionsMatch: AnswerCheck<WirePage<WireSubscription, WireTotals>> = (
  answer,
  sent,
) => {
  const type = sentFilter(sent, 'type');
  const status = sentFilter(sent, 'status');
  const userId = sentFilter(sent, 'user_id');
  const id = sentFilter(sent, 'subscription_id');
  answer.items.forEach((item, i) => {
    if (type !== undefined) same(`data[${i}].type`, type, item.type, 'the type filter');
    if (status !== undefined) same(`data[${i}].status`, status, item.status, 'the status filter');
    if (id !== undefined) same(`data[${i}].id`, id, item.id, 'the subscription_id filter');
    if (userId !== undefined && !Object.values(item.condition).includes(userId)) {
      fail(
        `data[${i}].condition`,
        `a condition naming user ${JSON.stringify(userId)} (the user_id filter)`,
        item.condition,
      );
    }
  });
};

/** Get Users by ids and logins: only users asked for (by id, or by login in any case). */
export const listedUsersMatch: AnswerCheck<WireHelixUser[]> = (answer, sent) => {
  const ids = new Set(sentList(sent, 'id'));
  const logins = new Set(sentList(sent, 'login').map((l) => l.toLowerCase()));
  if (ids.size === 0 && logins.size === 0) return;
  answer.forEach((item, i) => {
    if (!ids.has(item.id) && !logins.has(item.login.toLowerCase())) {
      fail(`data[${i}]`, 'a user asked for (by id or login)', item.id);
    }
  });
};
