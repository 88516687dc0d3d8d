/**
 * The conduit models: {@link Conduit} (a conduit with its management calls) and {@link ConduitShard} (one shard as
 * Twitch reports it).
 */
import { inspect } from 'node:util';
import { isRecord } from '../../core/guards.js';
import { fail, integerIn, nonEmptyString, oneOf, optionsOf, type OptionChecks } from '../../core/options.js';
import {
  CALL_CHECKS,
  ENDPOINTS,
  PAGE_CALL_CHECKS,
  paginateEndpoint,
  type CallOptions,
} from '../../helix/endpoint.js';
import { HelixClient } from '../../helix/client.js';
import type { UpdateShardsOptions } from '../../helix/endpoints/eventsub.js';
import type { ShardUpdate, ShardUpdateResult } from '../../helix/models.js';
import type { HttpAsyncIterator, PaginationOptions } from '../../helix/pagination.js';
import {
  MAX_SHARD_COUNT,
  SHARD_STATUSES,
  type ShardStatus,
  type WireShard,
} from '../../protocol/eventsub.js';
import { checkShardCount } from './errors.js';

export type { ShardStatus } from '../../protocol/eventsub.js';

/** Options of `fetchShards`. */
export interface FetchShardsOptions extends PaginationOptions, CallOptions {
  /** Only shards with this status (Twitch filters). */
  readonly status?: ShardStatus | undefined;
}

/** Checks of {@link FetchShardsOptions} (core/options.ts). */
export const FETCH_SHARDS_CHECKS: OptionChecks<FetchShardsOptions> = {
  ...PAGE_CALL_CHECKS,
  status: oneOf(SHARD_STATUSES),
};

function parseDate(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/**
 * One shard of a conduit, as Get Conduit Shards returns it. `status` is one of the 11 {@link ShardStatus} values;
 * websocket fields are `null` for webhook shards and vice versa. An unassigned shard has `sessionId: null`.
 *
 * @example
 * ```ts
 * for await (const shard of client.conduitInfo.fetchShards({ status: 'enabled' })) {
 *   console.log(shard.id, shard.method, shard.sessionId, shard.connectedAt?.toISOString());
 * }
 * ```
 */
export class ConduitShard {
  readonly id: string;
  readonly status: ShardStatus;
  readonly method: 'websocket' | 'webhook';
  /** WebSocket session bound to the shard (`null`: webhook shard, or none). */
  readonly sessionId: string | null;
  readonly connectedAt: Date | null;
  readonly disconnectedAt: Date | null;
  /** Webhook callback URL (`null` for websocket shards). Never the secret. */
  readonly callback: string | null;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `wire`) when `wire` is not a shard as Get Conduit
   *   Shards returns it (an object with a string `id` and `status`).
   */
  constructor(wire: WireShard) {
    const raw: unknown = wire;
    if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.status !== 'string') {
      fail('wire', 'a shard of Get Conduit Shards ({ id, status, transport })', raw);
    }
    const t = (wire.transport as Partial<Record<string, unknown>> | undefined) ?? {};
    this.id = wire.id;
    this.status = wire.status;
    this.method = t.method === 'webhook' ? 'webhook' : 'websocket';
    this.sessionId = typeof t.session_id === 'string' && t.session_id !== '' ? t.session_id : null;
    this.connectedAt = parseDate(t.connected_at);
    this.disconnectedAt = parseDate(t.disconnected_at);
    this.callback = typeof t.callback === 'string' ? t.callback : null;
  }

  /** `true` when the shard receives events. */
  get enabled(): boolean {
    return this.status === 'enabled';
  }

  [inspect.custom](): string {
    return `ConduitShard { id: '${this.id}', method: '${this.method}', status: '${this.status}' }`;
  }
}

/**
 * A conduit and its management calls (all with the app token). {@link AutoClient} wraps it in a
 * {@link ConduitInfo}, which also keeps the sockets in step; the calls here touch only the Twitch side.
 *
 * `String(conduit)` is the id; `conduit.equals(other)` compares ids.
 *
 * @example
 * ```ts
 * const conduit = client.conduitInfo.conduit;
 * console.log(`${conduit}`, conduit.shardCount);
 * const bigger = await conduit.update(8); // the API only: sockets are not touched
 * for await (const shard of bigger.fetchShards({ status: 'websocket_disconnected' })) console.log(shard.id);
 * ```
 */
export class Conduit {
  readonly id: string;
  readonly shardCount: number;
  readonly #helix: HelixClient;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `data`, `id`, `shardCount` or `helix`) for data
   *   that is not `{ id, shardCount }` or a `helix` that is not a `HelixClient`.
   */
  constructor(data: { readonly id: string; readonly shardCount: number }, helix: HelixClient) {
    if (!isRecord(data)) fail('data', 'an object { id, shardCount }', data);
    nonEmptyString(data.id, 'id');
    integerIn(0, MAX_SHARD_COUNT)(data.shardCount, 'shardCount');
    if (!((helix as unknown) instanceof HelixClient)) fail('helix', 'a HelixClient', helix);
    this.id = data.id;
    this.shardCount = data.shardCount;
    this.#helix = helix;
  }

  /** Deletes the conduit on Twitch (its subscriptions are disabled). `HTTPError` 404: not found or not ours. */
  async delete(options?: CallOptions): Promise<void> {
    await this.#helix.eventSub.deleteConduit(this.id, optionsOf(options, CALL_CHECKS));
  }

  /**
   * Sets the shard count on Twitch and returns the updated conduit. Does not open or close sockets: use
   * `ConduitInfo.updateShardCount` for that. Throws {@link ShardCountRangeError} outside 1..20000.
   */
  async update(shardCount: number, options?: CallOptions): Promise<Conduit> {
    checkShardCount(shardCount);
    const checked = optionsOf(options, CALL_CHECKS);
    const updated = await this.#helix.eventSub.updateConduit({ id: this.id, shardCount }, checked);
    return new Conduit(updated, this.#helix);
  }

  /** The shards, optionally filtered by status, fetched lazily page by page (`await` it for an array). */
  fetchShards(options?: FetchShardsOptions): HttpAsyncIterator<ConduitShard> {
    const checked = optionsOf(options, FETCH_SHARDS_CHECKS);
    return paginateEndpoint<WireShard, ConduitShard>(
      this.#helix.http,
      ENDPOINTS.getConduitShards,
      { ...checked, query: { conduit_id: this.id, status: checked.status } },
      (wire) => new ConduitShard(wire),
    );
  }

  /** Update Conduit Shards (chunked); per-shard failures come back in `errors`, never thrown. */
  updateShards(
    shards: readonly ShardUpdate[],
    options: UpdateShardsOptions = {},
  ): Promise<ShardUpdateResult> {
    return this.#helix.eventSub.updateConduitShards(this.id, shards, options);
  }

  /** Whether `other` is a conduit with the same id. */
  equals(other: unknown): boolean {
    return other instanceof Conduit && other.id === this.id;
  }

  toString(): string {
    return this.id;
  }

  toJSON(): { id: string; shardCount: number } {
    return { id: this.id, shardCount: this.shardCount };
  }

  [inspect.custom](): string {
    return `Conduit { id: '${this.id}', shardCount: ${this.shardCount} }`;
  }
}
