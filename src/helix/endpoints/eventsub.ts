import { AbortError, InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { isRecord, toError } from '../../core/guards.js';
import {
  arrayOf,
  fail,
  nonEmptyString,
  oneOf,
  positiveInteger,
  secretString,
  type Check,
  type OptionChecks,
} from '../../core/options.js';
import {
  MAX_SHARD_COUNT,
  MIN_SHARD_COUNT,
  SHARD_STATUSES,
  SUBSCRIPTION_STATUSES,
  type ShardStatus,
  type SubscriptionStatus,
} from '../../protocol/eventsub.js';
import type { WireShard } from '../../protocol/eventsub.js';
import { getCatalogueEntry } from '../../catalogue/table.js';
import { checkCondition } from '../../catalogue/validate.js';
import type { CatalogueEntry } from '../../catalogue/types.js';
import { MissingScopesError } from '../../auth/errors.js';
import { scopesMissingFor } from '../../auth/scopes.js';
import {
  CALL_CHECKS,
  callEndpoint,
  callOptions,
  ENDPOINTS,
  PAGE_CALL_CHECKS,
  paginateEndpoint,
  type CallOptions,
} from '../endpoint.js';
import { HelixHttp, type RequestAuth } from '../http.js';
import type { HttpAsyncIterator, PaginationOptions } from '../pagination.js';
import {
  shardUpdateWire,
  toConduit,
  toShard,
  toShardError,
  toSubscription,
  transportInputWire,
  type HelixConduit,
  type HelixConduitShard,
  type CreatedSubscription,
  type EventSubSubscription,
  type ShardUpdate,
  type ShardUpdateResult,
  type SubscriptionTotals,
  type SubscriptionTransportInput,
} from '../models.js';

/** Input of {@link EventSubApi.createSubscription}. */
export interface CreateSubscriptionInput {
  readonly type: string;
  readonly version: string;
  /** Condition with Twitch's snake_case keys, e.g. `{ broadcaster_user_id: '1234' }`. */
  readonly condition: Readonly<Record<string, string>>;
  readonly transport: SubscriptionTransportInput;
}

/** Filters of Get EventSub Subscriptions; Twitch accepts at most one. */
export interface SubscriptionFilter {
  readonly status?: SubscriptionStatus;
  readonly type?: string;
  /** Subscriptions whose condition names this user. */
  readonly userId?: string;
  readonly subscriptionId?: string;
}

/** Options of {@link EventSubApi.updateConduitShards}. */
export interface UpdateShardsOptions extends CallOptions {
  /** Shards per request. @defaultValue 1000 */
  readonly chunkSize?: number;
  /** Chunks sent in parallel. @defaultValue 4 */
  readonly parallel?: number;
}

function totals(wire: { total: number; total_cost: number; max_total_cost: number }): SubscriptionTotals {
  return { total: wire.total, totalCost: wire.total_cost, maxTotalCost: wire.max_total_cost };
}

function checkShardCount(shardCount: unknown): void {
  if (
    typeof shardCount !== 'number' ||
    !Number.isInteger(shardCount) ||
    shardCount < MIN_SHARD_COUNT ||
    shardCount > MAX_SHARD_COUNT
  ) {
    throw new InvalidArgumentError(
      `shardCount must be an integer in ${MIN_SHARD_COUNT}..${MAX_SHARD_COUNT}`,
      'shardCount',
    );
  }
}

/** `value` as an object, else `INVALID_ARGUMENT` naming `field` (`createConduit(null)` once threw a TypeError). */
function inputOf(value: unknown, field: string, shape: string): Record<string, unknown> {
  if (!isRecord(value)) fail(field, `an object ${shape}`, value);
  return value;
}

/** A transport input: `method` and the fields of that method. */
function transportInput(methods: readonly string[]): Check {
  return (value, field) => {
    const t = inputOf(value, field, '{ method, ... }');
    oneOf(methods)(t.method, `${field}.method`);
    if (t.method === 'websocket') nonEmptyString(t.sessionId, `${field}.sessionId`);
    else if (t.method === 'conduit') nonEmptyString(t.conduitId, `${field}.conduitId`);
    else {
      nonEmptyString(t.callback, `${field}.callback`);
      secretString(t.secret, `${field}.secret`);
    }
  };
}

const shardUpdate: Check = (value, field) => {
  const u = inputOf(value, field, '{ id, transport }');
  nonEmptyString(u.id, `${field}.id`);
  transportInput(['websocket', 'webhook'])(u.transport, `${field}.transport`);
};

const SHARD_LIST_CHECKS: OptionChecks<{ status?: ShardStatus } & PaginationOptions & CallOptions> = {
  ...PAGE_CALL_CHECKS,
  status: oneOf(SHARD_STATUSES),
};

const UPDATE_SHARDS_CHECKS: OptionChecks<UpdateShardsOptions> = {
  ...CALL_CHECKS,
  chunkSize: positiveInteger,
  parallel: positiveInteger,
};

const FILTER_CHECKS: OptionChecks<SubscriptionFilter> = {
  status: oneOf(SUBSCRIPTION_STATUSES),
  type: nonEmptyString,
  userId: nonEmptyString,
  subscriptionId: nonEmptyString,
};

/**
 * EventSub and conduit endpoints. Conduit endpoints always use the app token; subscriptions use the app token for
 * conduit and webhook transports and a user token for WebSocket transports.
 *
 * @example
 * ```ts
 * const conduit = await helix.eventSub.createConduit({ shardCount: 4 });
 * const { errors } = await helix.eventSub.updateConduitShards(conduit.id, [
 *   { id: '0', transport: { method: 'websocket', sessionId } },
 * ]);
 * ```
 */
export class EventSubApi {
  readonly #http: HelixHttp;

  /** @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `http`) when `http` is not a `HelixHttp`. */
  constructor(http: HelixHttp) {
    if (!((http as unknown) instanceof HelixHttp)) fail('http', 'a HelixHttp (helix.http)', http);
    this.#http = http;
  }

  /** Get Conduits: every conduit of the client. */
  async getConduits(options?: CallOptions): Promise<HelixConduit[]> {
    const { body } = await callEndpoint(this.#http, ENDPOINTS.getConduits, callOptions(options));
    return body.map(toConduit);
  }

  /** Create Conduits. A 429 `LIMIT_EXCEEDED` {@link HTTPError} means the client already has 5 conduits. */
  async createConduit(input: { shardCount: number }, options?: CallOptions): Promise<HelixConduit> {
    checkShardCount(inputOf(input, 'input', '{ shardCount }').shardCount);
    const { body } = await callEndpoint(this.#http, ENDPOINTS.createConduit, {
      ...callOptions(options),
      body: { shard_count: input.shardCount },
    });
    return toConduit(body);
  }

  /** Update Conduits: changes the shard count (shards past the new count are removed). */
  async updateConduit(
    input: { id: string; shardCount: number },
    options?: CallOptions,
  ): Promise<HelixConduit> {
    const { id, shardCount } = inputOf(input, 'input', '{ id, shardCount }');
    nonEmptyString(id, 'id');
    checkShardCount(shardCount);
    const { body } = await callEndpoint(this.#http, ENDPOINTS.updateConduit, {
      ...callOptions(options),
      body: { id: input.id, shard_count: input.shardCount },
    });
    return toConduit(body);
  }

  /** Delete Conduit (its subscriptions are disabled). */
  async deleteConduit(id: string, options?: CallOptions): Promise<void> {
    nonEmptyString(id, 'id');
    await callEndpoint(this.#http, ENDPOINTS.deleteConduit, { ...callOptions(options), query: { id } });
  }

  /** Get Conduit Shards, optionally by status, paginated lazily. */
  getConduitShards(
    conduitId: string,
    options?: { status?: ShardStatus } & PaginationOptions & CallOptions,
  ): HttpAsyncIterator<HelixConduitShard> {
    nonEmptyString(conduitId, 'conduitId');
    const checked = callOptions(options, SHARD_LIST_CHECKS);
    return paginateEndpoint<WireShard, HelixConduitShard>(
      this.#http,
      ENDPOINTS.getConduitShards,
      { ...checked, query: { conduit_id: conduitId, status: checked.status } },
      toShard,
    );
  }

  /**
   * Update Conduit Shards, in requests of `chunkSize` shards (`parallel` at a time). Partial success is normal:
   * failed shards are returned in `errors` (never thrown, never ignored). A chunk whose request fails as a whole
   * while others went through puts each of its shards in `errors` with the failure's code and `cause`; the call
   * rejects only when every chunk failed (with the first chunk's failure), or with `AbortError` when `signal`
   * aborts: chunks sent before that may have been applied, so read the shards back (`getConduitShards`).
   */
  async updateConduitShards(
    conduitId: string,
    shards: readonly ShardUpdate[],
    options: UpdateShardsOptions = {},
  ): Promise<ShardUpdateResult> {
    nonEmptyString(conduitId, 'conduitId');
    arrayOf(shardUpdate, 'an array of { id, transport }')(shards, 'shards');
    callOptions(options, UPDATE_SHARDS_CHECKS);
    const chunkSize = options.chunkSize ?? 1000;
    const wire = shards.map(shardUpdateWire);
    const chunks: (typeof wire)[] = [];
    for (let i = 0; i < wire.length; i += chunkSize) chunks.push(wire.slice(i, i + chunkSize));
    const results: ShardUpdateResult[] = new Array<ShardUpdateResult>(chunks.length);
    const failures: (Error | undefined)[] = new Array<Error | undefined>(chunks.length);
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const index = next++;
        const chunk = chunks[index] ?? [];
        try {
          const { body } = await callEndpoint(this.#http, ENDPOINTS.updateConduitShards, {
            ...options,
            body: { conduit_id: conduitId, shards: chunk },
          });
          results[index] = { shards: body.data.map(toShard), errors: body.errors.map(toShardError) };
        } catch (error) {
          if (error instanceof AbortError) throw error;
          // The other chunks may have been applied: their results are kept, and every shard of this chunk is
          // reported as an error carrying the request's failure.
          const failure = toError(error);
          failures[index] = failure;
          failed++;
          results[index] = {
            shards: [],
            errors: chunk.map((shard) => ({
              id: shard.id,
              message: failure.message,
              code: failure instanceof TwitchError ? failure.code : 'REQUEST_FAILED',
              cause: failure,
            })),
          };
        }
      }
    };
    const parallel = Math.min(options.parallel ?? 4, chunks.length);
    await Promise.all(Array.from({ length: parallel }, worker));
    // Nothing was applied: the failure (of the first chunk) is the answer.
    const first = failures[0];
    if (first !== undefined && failed === chunks.length) throw first;
    return {
      shards: results.flatMap((r) => r.shards),
      errors: results.flatMap((r) => r.errors),
    };
  }

  /**
   * Create EventSub Subscription. Checked before sending: the type's condition (from the catalogue), the transport,
   * and the scopes of the token when they are known ({@link MissingScopesError}).
   *
   * The token: conduit and webhook transports use the app token; a WebSocket transport uses `options.auth.userId`,
   * or else the user the type requires the token to be (e.g. `moderator_user_id`), or else `broadcaster_user_id` /
   * `user_id` from the condition.
   */
  async createSubscription(
    input: CreateSubscriptionInput,
    options?: CallOptions,
  ): Promise<CreatedSubscription> {
    const raw = inputOf(input, 'input', '{ type, version, condition, transport }');
    nonEmptyString(raw.type, 'type');
    nonEmptyString(raw.version, 'version');
    if (!isRecord(raw.condition)) fail('condition', 'an object', raw.condition);
    transportInput(['conduit', 'websocket', 'webhook'])(raw.transport, 'transport');
    const checked = callOptions(options);
    const entry = getCatalogueEntry(input.type, input.version);
    let auth: RequestAuth | undefined = checked.auth;
    if (input.transport.method === 'websocket') {
      const userId = auth?.userId ?? websocketUser(entry, input.condition);
      if (userId === undefined) {
        throw new InvalidArgumentError(
          'a websocket subscription needs a user token: pass auth: { userId }',
          'auth',
        );
      }
      auth = { userId };
    } else if (auth?.userId !== undefined) {
      throw new InvalidArgumentError(`a ${input.transport.method} subscription needs the app token`, 'auth');
    }
    if (entry !== undefined) this.#preflight(entry, input, auth?.userId);
    const { body } = await callEndpoint(this.#http, ENDPOINTS.createSubscription, {
      auth,
      signal: checked.signal,
      body: {
        type: input.type,
        version: input.version,
        condition: input.condition,
        transport: transportInputWire(input.transport),
      },
    });
    return { subscription: toSubscription(body.subscription), ...totals(body) };
  }

  /** Delete EventSub Subscription. Use `auth: { userId }` for WebSocket subscriptions. */
  async deleteSubscription(id: string, options?: CallOptions): Promise<void> {
    nonEmptyString(id, 'id');
    await callEndpoint(this.#http, ENDPOINTS.deleteSubscription, { ...callOptions(options), query: { id } });
  }

  /**
   * Get EventSub Subscriptions, with at most one filter, paginated lazily; each page's `meta` carries `total`,
   * `totalCost` and `maxTotalCost` (see also {@link EventSubApi.getSubscriptionTotals}).
   */
  getSubscriptions(
    filter: SubscriptionFilter = {},
    options?: PaginationOptions & CallOptions,
  ): HttpAsyncIterator<EventSubSubscription, SubscriptionTotals> {
    callOptions(filter, FILTER_CHECKS, 'filter');
    const checked = callOptions(options, PAGE_CALL_CHECKS);
    const used = (['status', 'type', 'userId', 'subscriptionId'] as const).filter(
      (k) => filter[k] !== undefined,
    );
    if (used.length > 1) {
      throw new InvalidArgumentError(`subscription filters are exclusive; got ${used.join(', ')}`, used[1]);
    }
    return paginateEndpoint(
      this.#http,
      ENDPOINTS.getSubscriptions,
      {
        ...checked,
        query: {
          status: filter.status,
          type: filter.type,
          user_id: filter.userId,
          subscription_id: filter.subscriptionId,
        },
      },
      toSubscription,
      totals,
    );
  }

  /** `total`, `totalCost` and `maxTotalCost` of the token's subscriptions (fetches one page). */
  async getSubscriptionTotals(options?: CallOptions): Promise<SubscriptionTotals> {
    const page = await this.getSubscriptions({}, { ...callOptions(options), maxResults: 1 }).firstPage();
    return page.meta;
  }

  #preflight(entry: CatalogueEntry, input: CreateSubscriptionInput, userId: string | undefined): void {
    if (entry.removed === true) {
      throw new InvalidArgumentError(`${entry.type} v${entry.version} was removed by Twitch`, 'version');
    }
    if (!entry.transports.includes(input.transport.method)) {
      throw new InvalidArgumentError(
        `${entry.type} v${entry.version} cannot use the ${input.transport.method} transport`,
        'transport.method',
      );
    }
    const check = checkCondition(entry, input.condition);
    if (!check.ok) throw new InvalidArgumentError(check.message, check.field);
    const provider = this.#http.auth;
    if (userId !== undefined) {
      const scopes = provider.getScopes?.({ kind: 'user', userId });
      if (scopes !== undefined) assertScopes(entry, scopes, userId);
      return;
    }
    // App token: each user named by a requirement must have granted the scopes; check those we know.
    for (const req of entry.authorization.scopes) {
      const named = req.user === null ? undefined : input.condition[req.user];
      if (named === undefined) continue;
      const scopes = provider.getScopes?.({ kind: 'user', userId: named });
      if (scopes !== undefined) assertScopes(entry, scopes, named);
    }
  }
}

function assertScopes(entry: CatalogueEntry, scopes: readonly string[], userId: string): void {
  const missing = scopesMissingFor(entry.type, entry.version, scopes);
  if (missing.length === 0) return;
  const wanted = missing.map((g) => (g.length === 1 ? g[0] : `one of ${g.join(', ')}`)).join('; ');
  throw new MissingScopesError(
    `${entry.type} v${entry.version} needs scopes the token of user ${userId} lacks: ${wanted}`,
    missing,
    userId,
  );
}

/**
 * The user whose token a WebSocket subscription uses when none is given: the user the type requires the token to be
 * (e.g. `moderator_user_id`), else `broadcaster_user_id` / `user_id` from the condition. Also the WebSocketClient's
 * rule for which user's sockets carry a subscription.
 */
export function websocketUser(
  entry: CatalogueEntry | undefined,
  condition: Readonly<Record<string, string>>,
): string | undefined {
  const key = entry?.authorization.websocketTokenUser;
  if (key !== undefined && condition[key] !== undefined) return condition[key];
  return condition.broadcaster_user_id ?? condition.user_id;
}
