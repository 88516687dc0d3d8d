/**
 * The fleet's owners for the dashboard: every shard's owner node, read from the fleet's owners hash in Redis
 * (`HSCAN` in bounded chunks: one reply never holds 20,000 shards), only while someone asks (`ask()`, called by
 * `FleetOwnership.owners()`), every `ownersRefreshMs`, on its own timer, never on the renewal's path. A failed read is
 * reported and the last known owners stay; two reads never overlap; `stop()` ends it.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { badReply, callRedis, type RedisCallOptions, type RedisConnection } from './redis.js';

/** Fields per `HSCAN` of the owners hash (a hint to Redis; a chunk may hold a few more). */
const OWNERS_CHUNK = 1_000;
/** Chunks after which a scan that has not ended is a bad reply (20,000 shards take about 20). */
const MAX_OWNERS_CHUNKS = 1_000;

/** What the reader needs of its fleet node (internal). */
export interface OwnersReaderHost {
  readonly redis: RedisConnection;
  readonly call: RedisCallOptions;
  readonly clock: Clock;
  /** Elapsed milliseconds (monotonic). */
  mono(): number;
  /** The owners hash's key. */
  readonly key: string;
  readonly everyMs: number;
  /** Whether a node is live, as of this node's last renewal (a dead node's shard is free: no owner). */
  isLive(node: string): boolean;
  /** `stop()` was called: no more reads, no report. */
  isStopping(): boolean;
  /** Its registration was taken over: no new read is scheduled. */
  isDisplaced(): boolean;
  report(error: unknown): void;
}

export class OwnersReader {
  readonly #host: OwnersReaderHost;
  /** Every shard's owner node as of the last read (only live nodes'; none before a read). */
  #owners: ReadonlyMap<string, string> = new Map();
  /** When `ask()` was last called (monotonic). */
  #askedAt = -Infinity;
  /** When the last read was sent (monotonic). */
  #readAt = -Infinity;
  #timer: TimerHandle | undefined;
  /** The read in flight (never two at once). */
  #reading: Promise<void> | null = null;

  constructor(host: OwnersReaderHost) {
    this.#host = host;
  }

  /**
   * Someone wants the owners: the periodic read runs (at once if it was idle; it stops after two periods without a
   * call). Returns the last read (the same object until the next read ends).
   */
  ask(): ReadonlyMap<string, string> {
    const host = this.#host;
    this.#askedAt = host.mono();
    if (!host.isStopping() && !host.isDisplaced() && this.#timer === undefined && this.#reading === null) {
      this.#schedule(Math.max(0, this.#readAt + host.everyMs - host.mono()));
    }
    return this.#owners;
  }

  stop(): void {
    if (this.#timer !== undefined) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delay: number): void {
    const host = this.#host;
    this.#timer = host.clock.setTimeout(() => {
      this.#timer = undefined;
      // Nobody asked for two periods: idle until the next call of ask().
      if (host.isStopping() || host.mono() - this.#askedAt > 2 * host.everyMs) return;
      this.#reading = this.#read().finally(() => {
        this.#reading = null;
        if (!host.isStopping() && !host.isDisplaced())
          this.#schedule(Math.max(0, this.#readAt + host.everyMs - host.mono()));
      });
    }, delay);
  }

  /** One read of the whole hash. Never rejects: a failure is reported and the last known owners stay. */
  async #read(): Promise<void> {
    const host = this.#host;
    this.#readAt = host.mono();
    try {
      const read = new Map<string, string>();
      let cursor = '0';
      for (let chunks = 0; ; chunks++) {
        if (chunks >= MAX_OWNERS_CHUNKS) throw badReply('HSCAN', 'a scan that ends');
        const reply = await callRedis(
          host.redis,
          ['HSCAN', host.key, cursor, 'COUNT', String(OWNERS_CHUNK)],
          host.call,
        );
        if (host.isStopping()) return;
        const [next, pairs] = Array.isArray(reply) ? (reply as unknown[]) : [];
        if (
          typeof next !== 'string' ||
          !/^\d+$/.test(next) ||
          !Array.isArray(pairs) ||
          pairs.length % 2 !== 0
        )
          throw badReply('HSCAN', 'a cursor and field-value pairs');
        for (let i = 0; i < pairs.length; i += 2) {
          const id: unknown = pairs[i];
          const value: unknown = pairs[i + 1];
          if (typeof id !== 'string' || typeof value !== 'string') throw badReply('HSCAN', 'strings');
          // `node|incarnation` (scripts.ts): without the bar, `slice(0, -1)` would make up a node from a cut value.
          const bar = value.indexOf('|');
          if (bar < 1) throw badReply('HSCAN', 'node|incarnation values');
          const node = value.slice(0, bar);
          // A dead node's shard is free: no owner.
          if (host.isLive(node)) read.set(id, node);
        }
        cursor = next;
        if (cursor === '0') break;
      }
      this.#owners = read;
    } catch (error) {
      if (!host.isStopping()) host.report(error);
    }
  }
}
