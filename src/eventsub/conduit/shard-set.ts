/**
 * The shards this process serves, as granted and revoked by the ownership strategy: a grant creates each shard on
 * its transport (WebSocket, or webhook for the ids `webhook.shardIds` names) and brings it up; a revoke closes its
 * transport without touching the shard on Twitch. Also the {@link OwnershipContext} handed to the strategy.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { MAX_SHARD_COUNT } from '../../protocol/eventsub.js';
import type { EventSubSession } from '../websocket/session.js';
import type { Assigner } from './assigner.js';
import { ShardError } from './errors.js';
import type { Conduit } from './models.js';
import { checkCallback, type WebhookConfig } from './options.js';
import type { GrantOptions, OwnershipContext } from './ownership.js';
import { asError, type Shard, type ShardHost } from './shard.js';
import { WebhookShard } from './webhook-shard.js';
import { WebSocketShard, type WebSocketShardConfig } from './websocket-shard.js';

/** What the shard set needs from its client (internal). */
export interface ShardSetHost extends ShardHost {
  readonly conduit: Conduit | null;
}

export class ShardSet {
  readonly #shards = new Map<string, Shard>();
  /** Shard id → session of each WebSocket shard (read by `ConduitInfo.websockets`). */
  readonly sockets = new Map<string, EventSubSession>();
  /** Revoked shards whose transport is still closing: a grant of the same id waits for it. */
  readonly #closing = new Map<string, Promise<void>>();
  /** Granted shards whose transport could not be made (a webhook callback refused): reported, not served. */
  readonly #unusable = new Set<string>();

  readonly #host: ShardSetHost;
  readonly #assigner: Assigner;
  readonly #socketConfig: WebSocketShardConfig;
  readonly #webhook: WebhookConfig | null;

  constructor(
    host: ShardSetHost,
    assigner: Assigner,
    socketConfig: WebSocketShardConfig,
    webhook: WebhookConfig | null,
  ) {
    this.#host = host;
    this.#assigner = assigner;
    this.#socketConfig = socketConfig;
    this.#webhook = webhook;
  }

  get size(): number {
    return this.#shards.size;
  }

  get(id: string): Shard | undefined {
    return this.#shards.get(id);
  }

  values(): IterableIterator<Shard> {
    return this.#shards.values();
  }

  /** The served shard ids, sorted by number. */
  ids(): string[] {
    return [...this.#shards.keys()].sort((a, b) => Number(a) - Number(b));
  }

  /** The granted shard ids, served or not (an unusable callback), sorted by number. */
  granted(): string[] {
    return [...new Set([...this.#shards.keys(), ...this.#unusable])].sort((a, b) => Number(a) - Number(b));
  }

  /** Serves these shards: see {@link OwnershipContext.grant}. */
  async grant(input: Iterable<string>, options?: GrantOptions): Promise<void> {
    const ids = this.#checked(input, 'grant', this.#host.conduit?.shardCount ?? 0);
    const token = tokenOf(options);
    const host = this.#host;
    if (host.isClosing()) return;
    const closing = ids.map((id) => this.#closing.get(id)).filter((p) => p !== undefined);
    if (closing.length > 0) await Promise.all(closing);
    const sockets: Shard[] = [];
    const hooks: Shard[] = [];
    for (const id of ids) {
      const served = this.#shards.get(id);
      if (served !== undefined) served.token = token;
      if (served !== undefined || host.isClosing()) continue;
      const shard = this.#create(id);
      if (shard === undefined) {
        this.#unusable.add(id);
        continue;
      }
      this.#unusable.delete(id);
      shard.token = token;
      this.#shards.set(id, shard);
      if (shard instanceof WebSocketShard) {
        this.sockets.set(id, shard.session);
        sockets.push(shard);
      } else {
        hooks.push(shard);
      }
    }
    await Promise.all([this.#assigner.bringUp(sockets), this.#assigner.assign(hooks, false)]);
  }

  /** Stops serving these shards: see {@link OwnershipContext.revoke}. */
  async revoke(input: Iterable<string>): Promise<void> {
    const ids = this.#checked(input, 'revoke', MAX_SHARD_COUNT);
    await Promise.all(ids.map((id) => this.#remove(id)));
  }

  /** Closes every shard (the client is closing). */
  async closeAll(): Promise<void> {
    this.#unusable.clear();
    await Promise.all([...this.#shards.keys()].map((id) => this.#remove(id)));
  }

  /** The context given to the ownership strategy. */
  context(signal: AbortSignal): OwnershipContext {
    const conduitOf = (): Conduit => {
      const conduit = this.#host.conduit;
      if (conduit === null) throw new Error('unreachable: ownership starts once the conduit is chosen');
      return conduit;
    };
    return {
      get conduitId() {
        return conduitOf().id;
      },
      get shardCount() {
        return conduitOf().shardCount;
      },
      signal,
      grant: (ids, options) => this.grant(ids, options),
      revoke: (ids) => this.revoke(ids),
      owned: () => this.ids(),
    };
  }

  #remove(id: string): Promise<void> {
    this.#unusable.delete(id);
    const shard = this.#shards.get(id);
    if (shard === undefined) return this.#closing.get(id) ?? Promise.resolve();
    this.#shards.delete(id);
    this.sockets.delete(id);
    // Closed, and no binding of it still on its way to Twitch (the strategy hands the shard over after this).
    const closed = Promise.all([shard.close(), shard.inFlight]).then(() => undefined);
    const done = closed.finally(() => {
      if (this.#closing.get(id) === done) this.#closing.delete(id);
    });
    this.#closing.set(id, done);
    return done;
  }

  #create(id: string): Shard | undefined {
    const retry = this.#socketConfig.shardRetry;
    const webhook = this.#webhook;
    if (webhook?.serves(id) !== true) return new WebSocketShard(id, this.#host, this.#socketConfig);
    let callback: string;
    try {
      callback = checkCallback(webhook.callbackOf(id));
    } catch (error) {
      this.#host.report(
        new ShardError('SHARD_ASSIGN_FAILED', id, `no usable callback: ${asError(error).message}`, 1, {
          cause: error,
        }),
        `shard ${id}`,
      );
      return undefined;
    }
    return new WebhookShard(id, this.#host, retry, callback, webhook);
  }

  /** The ids as decimal strings of shards below `count`; anything else refuses the whole call. */
  #checked(input: Iterable<string>, call: string, count: number): string[] {
    const ids: string[] = [];
    const list: unknown = input;
    if (
      typeof list === 'string' ||
      typeof (list as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function'
    ) {
      throw new InvalidArgumentError(`${call}() takes an iterable of shard ids`, 'shardIds');
    }
    for (const id of input as Iterable<unknown>) {
      if (typeof id !== 'string' || !/^(0|[1-9]\d*)$/.test(id) || Number(id) >= count) {
        throw new InvalidArgumentError(
          `${call}(): ${typeof id === 'string' ? JSON.stringify(id) : String(id)} is not a shard of the conduit (ids '0'..'${count - 1}')`,
          'shardIds',
        );
      }
      ids.push(id);
    }
    return [...new Set(ids)];
  }
}

/** The token of grant options (checked: a grant with a bad token grants nothing). */
function tokenOf(options: GrantOptions | undefined): string | null {
  if (options === undefined) return null;
  const value: unknown = (options as { token?: unknown } | null)?.token;
  if (value === undefined) return null;
  if (typeof value !== 'string') {
    throw new InvalidArgumentError('grant(): options.token must be a string', 'token');
  }
  return value;
}
