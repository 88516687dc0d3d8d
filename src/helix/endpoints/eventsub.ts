import { AbortError, InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { requirePositiveInteger, toError } from '../../core/guards.js';
import {
  MAX_SHARD_COUNT,
  MIN_SHARD_COUNT,
  type ShardStatus,
  type SubscriptionStatus,
} from '../../eventsub/protocol.js';
import type { WireShard } from '../../eventsub/protocol.js';
import { getCatalogueEntry } from '../../eventsub/catalogue/table.js';
import { checkCondition } from '../../eventsub/catalogue/validate.js';
import type { CatalogueEntry } from '../../eventsub/catalogue/types.js';
import { MissingScopesError } from '../../auth/errors.js';
import { scopesMissingFor } from '../../auth/scopes.js';
import { callEndpoint, ENDPOINTS, paginateEndpoint, type CallOptions } from '../endpoint.js';
import type { HelixHttp, RequestAuth } from '../http.js';
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

function checkShardCount(shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < MIN_SHARD_COUNT || shardCount > MAX_SHARD_COUNT) {
    throw new InvalidArgumentError(
      `shardCount must be an integer in ${MIN_SHARD_COUNT}..${MAX_SHARD_COUNT}`,
      'shardCount',
    );
  }
}

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

  constructor(http: HelixHttp) {
    this.#http = http;
  }

  /** Get Conduits: every conduit of the client. */
  async getConduits(options: CallOptions = {}): Promise<HelixConduit[]> {
    const { body } = await callEndpoint(this.#http, ENDPOINTS.getConduits, options);
    return body.map(toConduit);
  }

  /** Create Conduits. A 429 `LIMIT_EXCEEDED` {@link HTTPError} means the client already has 5 conduits. */
  async createConduit(input: { shardCount: number }, options: CallOptions = {}): Promise<HelixConduit> {
    checkShardCount(input.shardCount);
    const { body } = await callEndpoint(this.#http, ENDPOINTS.createConduit, {
      ...options,
      body: { shard_count: input.shardCount },
    });
    return toConduit(body);
  }

  /** Update Conduits: changes the shard count (shards past the new count are removed). */
  async updateConduit(
    input: { id: string; shardCount: number },
    options: CallOptions = {},
  ): Promise<HelixConduit> {
    checkShardCount(input.shardCount);
    const { body } = await callEndpoint(this.#http, ENDPOINTS.updateConduit, {
      ...options,
      body: { id: input.id, shard_count: input.shardCount },
    });
    return toConduit(body);
  }

  /** Delete Conduit (its subscriptions are disabled). */
  async deleteConduit(id: string, options: CallOptions = {}): Promise<void> {
    await callEndpoint(this.#http, ENDPOINTS.deleteConduit, { ...options, query: { id } });
  }

  /** Get Conduit Shards, optionally by status, paginated lazily. */
  getConduitShards(
    conduitId: string,
    options: { status?: ShardStatus } & PaginationOptions & CallOptions = {},
  ): HttpAsyncIterator<HelixConduitShard> {
    return paginateEndpoint<WireShard, HelixConduitShard>(
      this.#http,
      ENDPOINTS.getConduitShards,
      { ...options, query: { conduit_id: conduitId, status: options.status } },
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
    const chunkSize = requirePositiveInteger(options.chunkSize ?? 1000, 'chunkSize');
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
    const parallel = Math.min(requirePositiveInteger(options.parallel ?? 4, 'parallel'), chunks.length);
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
    options: CallOptions = {},
  ): Promise<CreatedSubscription> {
    const entry = getCatalogueEntry(input.type, input.version);
    let auth: RequestAuth | undefined = options.auth;
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
      signal: options.signal,
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
  async deleteSubscription(id: string, options: CallOptions = {}): Promise<void> {
    await callEndpoint(this.#http, ENDPOINTS.deleteSubscription, { ...options, query: { id } });
  }

  /**
   * Get EventSub Subscriptions, with at most one filter, paginated lazily; each page's `meta` carries `total`,
   * `totalCost` and `maxTotalCost` (see also {@link EventSubApi.getSubscriptionTotals}).
   */
  getSubscriptions(
    filter: SubscriptionFilter = {},
    options: PaginationOptions & CallOptions = {},
  ): HttpAsyncIterator<EventSubSubscription, SubscriptionTotals> {
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
        ...options,
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
  async getSubscriptionTotals(options: CallOptions = {}): Promise<SubscriptionTotals> {
    const page = await this.getSubscriptions({}, { ...options, maxResults: 1 }).firstPage();
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

function websocketUser(
  entry: CatalogueEntry | undefined,
  condition: Readonly<Record<string, string>>,
): string | undefined {
  const key = entry?.authorization.websocketTokenUser;
  if (key !== undefined && condition[key] !== undefined) return condition[key];
  return condition.broadcaster_user_id ?? condition.user_id;
}
