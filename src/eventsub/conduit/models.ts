/**
 * The conduit models: {@link Conduit} (a conduit with its management calls) and {@link ConduitShard} (one shard as
 * Twitch reports it).
 */
import { inspect } from 'node:util';
import { ENDPOINTS, paginateEndpoint, type CallOptions } from '../../helix/endpoint.js';
import type { HelixClient } from '../../helix/client.js';
import type { UpdateShardsOptions } from '../../helix/endpoints/eventsub.js';
import type { ShardUpdate, ShardUpdateResult } from '../../helix/models.js';
import type { HttpAsyncIterator, PaginationOptions } from '../../helix/pagination.js';
import type { ShardStatus, WireShard } from '../protocol.js';
import { checkShardCount } from './errors.js';

export type { ShardStatus } from '../protocol.js';

/** Options of `fetchShards`. */
export interface FetchShardsOptions extends PaginationOptions, CallOptions {
  /** Only shards with this status (Twitch filters). */
  readonly status?: ShardStatus | undefined;
}

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

  constructor(wire: WireShard) {
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

  constructor(data: { readonly id: string; readonly shardCount: number }, helix: HelixClient) {
    this.id = data.id;
    this.shardCount = data.shardCount;
    this.#helix = helix;
  }

  /** Deletes the conduit on Twitch (its subscriptions are disabled). `HTTPError` 404: not found or not ours. */
  async delete(options: CallOptions = {}): Promise<void> {
    await this.#helix.eventSub.deleteConduit(this.id, options);
  }

  /**
   * Sets the shard count on Twitch and returns the updated conduit. Does not open or close sockets: use
   * `ConduitInfo.updateShardCount` for that. Throws {@link ShardCountRangeError} outside 1..20000.
   */
  async update(shardCount: number, options: CallOptions = {}): Promise<Conduit> {
    checkShardCount(shardCount);
    const updated = await this.#helix.eventSub.updateConduit({ id: this.id, shardCount }, options);
    return new Conduit(updated, this.#helix);
  }

  /** The shards, optionally filtered by status, fetched lazily page by page (`await` it for an array). */
  fetchShards(options: FetchShardsOptions = {}): HttpAsyncIterator<ConduitShard> {
    return paginateEndpoint<WireShard, ConduitShard>(
      this.#helix.http,
      ENDPOINTS.getConduitShards,
      { ...options, query: { conduit_id: this.id, status: options.status } },
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
