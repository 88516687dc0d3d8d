/**
 * The health check: Twitch's shard list against the served shards, every `reconcileIntervalMs` and on demand. A
 * served shard that Twitch shows disabled is bound again; one held by a foreign transport is taken back, unless
 * the ownership strategy says it moved, and never more than `maxReclaims` times (`SHARD_CONTESTED`). Shards nobody
 * serves are reported once per change. Shards this process does not serve are never touched.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { TypedEmitter } from '../../core/emitter.js';
import type { ClientEventMap } from '../client.js';
import type { Conduit, ConduitShard } from './models.js';
import type { ShardLossReason } from './ownership.js';
import { asError, type Shard, type ShardTransport } from './shard.js';

/** What the health check needs from its client (internal). */
export interface ReconcilerHost {
  readonly conduit: Conduit | null;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly events: TypedEmitter<ClientEventMap>;
  isClosing(): boolean;
  report(error: Error, context?: string): void;
  /** The served shards. */
  shards(): Iterable<Shard>;
  shard(id: string): Shard | undefined;
  assign(
    shards: readonly Shard[],
    rebind: boolean,
    onBound?: (shard: Shard, transport: ShardTransport) => void,
  ): Promise<void>;
  /** The ownership strategy's word on taking back a shard held elsewhere. */
  mayReclaim(shardId: string): boolean;
  lost(shardId: string, reason: ShardLossReason): void;
  /** Twitch lists another shard count than the client knows (another process scaled): adopt it. */
  shardCountSeen(shardCount: number): Promise<void>;
  /** Every shard as Twitch listed it (the view of the shards this process does not serve). */
  listed(shards: readonly ConduitShard[]): void;
}

export class Reconciler {
  #timer: TimerHandle | undefined = undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #lastUnassigned = '';
  #activeAt: number | null = null;
  #runningSince: number | null = null;

  readonly #host: ReconcilerHost;
  readonly #intervalMs: number;

  constructor(host: ReconcilerHost, intervalMs: number) {
    this.#host = host;
    this.#intervalMs = intervalMs;
  }

  /** Runs the check now (joining one in progress, then running once more). Never rejects. */
  run(): Promise<void> {
    if (this.#host.conduit === null || this.#host.isClosing()) return Promise.resolve();
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#runningSince = this.#host.clock.now();
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#once();
        } while (this.#wantsAnother());
      } catch (error) {
        if (!this.#host.isClosing()) this.#host.report(asError(error), 'reconcile');
      } finally {
        this.#running = null;
        this.#runningSince = null;
        this.#activeAt = this.#host.clock.now();
      }
    })();
    return this.#running;
  }

  /** When the check last ended or was armed, and since when a run is in progress (`null`: none): `health()`. */
  activity(): { readonly activeAt: number | null; readonly runningSince: number | null } {
    return { activeAt: this.#activeAt, runningSince: this.#runningSince };
  }

  /** Starts the periodic check (nothing with an interval of 0). */
  schedule(): void {
    if (this.#intervalMs === 0 || this.#host.isClosing()) return;
    this.#activeAt = this.#host.clock.now();
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.run().finally(() => {
        this.schedule();
      });
    }, this.#intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A run was asked for while one ran (read through a method: the flag changes across awaits). */
  #wantsAnother(): boolean {
    return this.#again && !this.#host.isClosing();
  }

  async #once(): Promise<void> {
    const host = this.#host;
    const conduit = host.conduit;
    if (conduit === null) return;
    const remote = await conduit.fetchShards({ signal: host.signal }).toArray();
    if (host.isClosing()) return;
    host.listed(remote);
    // Twitch lists every shard of the conduit: a length that differs is a count another process set.
    if (remote.length > 0 && remote.length !== conduit.shardCount) {
      await host.shardCountSeen(remote.length);
      if (host.isClosing()) return;
    }
    const ours = new Set<string>();
    for (const shard of host.shards()) if (shard.sessionId !== null) ours.add(shard.sessionId);
    const unassigned: string[] = [];
    const toFix = new Map<string, ConduitShard>();
    const now = host.clock.now();
    const held: Shard[] = [];
    for (const info of remote) {
      const shard = host.shard(info.id);
      if (shard?.state === 'held') {
        // Refused by `mayBind` before: asked again (through the assigner) rather than judged.
        held.push(shard);
        continue;
      }
      if (shard === undefined) {
        if (info.method === 'websocket' && !info.enabled) unassigned.push(info.id);
        continue;
      }
      const verdict = shard.judge(info, ours);
      if (verdict === 'bound') shard.healthy();
      if (verdict === 'bound' || verdict === 'busy') continue;
      if (verdict === 'foreign') {
        // A move (a lease lost, make-before-break) is not a fight: leave the shard to its new holder.
        if (!host.mayReclaim(shard.id)) {
          host.lost(shard.id, 'foreign');
          continue;
        }
        if (!shard.mayReclaim(now)) continue;
      } else {
        host.lost(shard.id, 'disabled');
      }
      toFix.set(shard.id, info);
    }
    const key = unassigned.join(',');
    if (unassigned.length > 0 && key !== this.#lastUnassigned)
      host.events.emit('unassignedShards', unassigned);
    this.#lastUnassigned = key;
    if (held.length > 0) await host.assign(held, true);
    if (toFix.size === 0) return;
    const shards: Shard[] = [];
    for (const id of toFix.keys()) {
      const shard = host.shard(id);
      if (shard !== undefined) shards.push(shard);
    }
    await host.assign(shards, true, (shard) => {
      const info = toFix.get(shard.id);
      if (info === undefined) return;
      host.events.emit('shardReassigned', {
        shardId: shard.id,
        method: shard.method,
        reason: info.enabled ? 'foreign_session' : 'disabled',
        status: info.status,
        previousSessionId: info.sessionId,
        sessionId: shard.sessionId,
      });
    });
  }
}
