/**
 * `ConduitInfo`: the conduit an {@link AutoClient} owns, its sockets, and scaling.
 */
import { inspect } from 'node:util';
import { boolean, fail, optionsOf, signal, type OptionChecks } from '../../core/options.js';
import type { HttpAsyncIterator } from '../../helix/pagination.js';
import type { EventSubSession } from '../websocket/session.js';
import { checkShardCount, MissingConduitError } from './errors.js';
import { FETCH_SHARDS_CHECKS, type Conduit, type ConduitShard, type FetchShardsOptions } from './models.js';

/** Options of {@link ConduitInfo.updateShardCount}. */
export interface UpdateShardCountOptions {
  /**
   * Open sockets for new owned shards and close those of removed shards. `false`: only change the count on Twitch
   * (multi-process scaling: then restart each process with its new `shardIds`). @defaultValue true
   */
  readonly assignTransports?: boolean;
  readonly signal?: AbortSignal;
}

const UPDATE_SHARD_COUNT_CHECKS: OptionChecks<UpdateShardCountOptions> = {
  assignTransports: boolean,
  signal,
};

/** What {@link ConduitInfo} needs from its client (internal). */
export interface ConduitInfoHost {
  readonly conduit: Conduit | null;
  readonly sockets: ReadonlyMap<string, EventSubSession>;
  scale(shardCount: number, assignTransports: boolean, signal: AbortSignal | undefined): Promise<void>;
}

/**
 * The conduit of an {@link AutoClient} (`client.conduitInfo`), filled during `start()`.
 *
 * @example
 * ```ts
 * const info = client.conduitInfo;
 * console.log(info.id, info.shardCount, [...info.websockets.keys()]);
 * await info.updateShardCount(8);
 * for await (const shard of info.fetchShards({ status: 'enabled' })) console.log(shard.id, shard.sessionId);
 * ```
 */
export class ConduitInfo {
  readonly #host: ConduitInfoHost;

  /** @internal Created by the client. */
  constructor(host: ConduitInfoHost) {
    const raw = host as Partial<ConduitInfoHost> | null;
    if (
      typeof raw !== 'object' ||
      raw === null ||
      typeof raw.scale !== 'function' ||
      !(raw.sockets instanceof Map)
    ) {
      fail('host', 'the ConduitInfoHost of an AutoClient', host);
    }
    this.#host = host;
  }

  /** The conduit, or `null` before start-up chose one. */
  get conduit(): Conduit | null {
    return this.#host.conduit;
  }

  /** Shard count of the conduit, or `null` without a conduit. */
  get shardCount(): number | null {
    return this.#host.conduit?.shardCount ?? null;
  }

  /** Conduit id, or `null` without a conduit. */
  get id(): string | null {
    return this.#host.conduit?.id ?? null;
  }

  /**
   * Shard id → session of each shard this process serves (a read-only snapshot). For low-level inspection
   * (`sessionId`, `state`, `stats`); do not close them.
   */
  get websockets(): ReadonlyMap<string, EventSubSession> {
    return new Map(this.#host.sockets);
  }

  /**
   * Changes the conduit's shard count (1..20000, else {@link ShardCountRangeError}) and, with
   * `assignTransports` (the default), opens sockets for new shards this process owns and closes those of removed
   * shards. With explicit `shardIds` (several processes on one conduit) only this process's shards are touched; the
   * `conduitScaled` event lists the shards other processes must serve. Returns this object, for chaining.
   *
   * @throws {@link ShardCountRangeError} for a count outside 1..20000, `InvalidArgumentError` (`INVALID_ARGUMENT`)
   *   for options of the wrong shape (checked first, whatever the state); {@link MissingConduitError} before start-up
   *   chose a conduit; `HTTPError` when Twitch refuses.
   */
  async updateShardCount(shardCount: number, options?: UpdateShardCountOptions): Promise<this> {
    checkShardCount(shardCount);
    const checked = optionsOf(options, UPDATE_SHARD_COUNT_CHECKS);
    if (this.#host.conduit === null) throw new MissingConduitError();
    await this.#host.scale(shardCount, checked.assignTransports ?? true, checked.signal);
    return this;
  }

  /** Shards of the conduit as Twitch reports them, optionally by status (lazy pages; `await` for an array). */
  fetchShards(options?: FetchShardsOptions): HttpAsyncIterator<ConduitShard> {
    const checked = optionsOf(options, FETCH_SHARDS_CHECKS);
    const conduit = this.#host.conduit;
    if (conduit === null) throw new MissingConduitError();
    return conduit.fetchShards(checked);
  }

  [inspect.custom](): string {
    return `ConduitInfo { id: ${this.id === null ? 'null' : `'${this.id}'`}, shardCount: ${String(this.shardCount)}, websockets: ${this.#host.sockets.size} }`;
  }
}
