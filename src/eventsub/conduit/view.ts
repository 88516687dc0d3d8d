/**
 * The AutoClient's `view()` (the `ObservedSource` contract, src/observability/source.ts): the conduit and every one
 * of its shards, owned ones from the client's `Shard` objects, the others from the health check's last Get Conduit
 * Shards listing; the owner of each shard when the ownership strategy knows it (`owners()`); the errors the client
 * reported, redacted, in a bounded ring.
 *
 * Built once per dashboard tick, for up to 20,000 shards: one `Map` lookup and a few field compares per shard, and
 * the view object of an unchanged shard is reused (so the server's diff sees the same object).
 */
import type { Clock } from '../../core/clock.js';
import { RecentErrors } from '../../core/recent-errors.js';
import { RECENT_ERRORS_LIMIT, type ShardView, type SourceView } from '../../observability/source.js';
import type { Conduit, ConduitShard } from './models.js';
import type { Shard, ShardState } from './shard.js';

/** What the view reads from its client (internal). */
export interface ConduitViewHost {
  readonly conduit: Conduit | null;
  readonly clock: Clock;
  /** The served shard of this id. */
  shard(id: string): Shard | undefined;
  /** The owner of each shard the ownership strategy knows of (`OwnershipStrategy.owners`), if it tells. */
  owners(): ReadonlyMap<string, string> | undefined;
}

function time(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

export class ConduitViewer {
  readonly #host: ConduitViewHost;
  readonly #kind: () => string;
  /** Connection times of served shards, from their state changes (`ready` in, `ready` out). */
  readonly #times = new Map<string, { connectedAt: number | null; disconnectedAt: number | null }>();
  readonly #errors: RecentErrors;
  /** The last listing, by shard id. */
  #listing = new Map<string, ConduitShard>();
  /** The views built last, by position: reused when nothing changed. */
  #built: ShardView[] = [];
  /** `String(i)` for each position, kept. */
  #ids: string[] = [];

  constructor(host: ConduitViewHost, kind: () => string) {
    this.#host = host;
    this.#kind = kind;
    this.#errors = new RecentErrors(host.clock, RECENT_ERRORS_LIMIT);
  }

  /** A served shard changed state (called by the shard's state setter through the host; never throws). */
  stateChanged(shardId: string, from: ShardState, to: ShardState): void {
    if (to !== 'ready' && from !== 'ready') return;
    const now = this.#host.clock.now();
    const times = this.#times.get(shardId) ?? { connectedAt: null, disconnectedAt: null };
    if (to === 'ready') times.connectedAt = now;
    else times.disconnectedAt = now;
    this.#times.set(shardId, times);
  }

  /** The health check's listing of every shard (Get Conduit Shards). */
  listed(shards: readonly ConduitShard[]): void {
    this.#listing = new Map(shards.map((s) => [s.id, s]));
  }

  /** An error the client reported (`error` event or log), kept redacted in the ring. */
  error(error: unknown, context?: string): void {
    this.#errors.push(error, context);
  }

  view(): SourceView {
    const conduit = this.#host.conduit;
    const count = conduit?.shardCount ?? 0;
    const owners = this.#host.owners();
    while (this.#ids.length < count) this.#ids.push(String(this.#ids.length));
    const built = this.#built;
    const shards: ShardView[] = new Array<ShardView>(count);
    for (let i = 0; i < count; i++) {
      const id = this.#ids[i] ?? String(i);
      const next = this.#shardView(id, owners);
      const before = built[i];
      shards[i] =
        before?.state === next.state &&
        before.owned === next.owned &&
        before.transport === next.transport &&
        before.sessionId === next.sessionId &&
        before.owner === next.owner &&
        before.connectedAt === next.connectedAt &&
        before.disconnectedAt === next.disconnectedAt
          ? before
          : next;
    }
    this.#built = shards;
    return {
      kind: this.#kind(),
      conduit: { id: conduit?.id ?? null, shardCount: count, shards },
      errors: this.#errors.list(),
    };
  }

  #shardView(id: string, owners: ReadonlyMap<string, string> | undefined): ShardView {
    const owner = owners?.get(id) ?? null;
    const listed = this.#listing.get(id);
    const served = this.#host.shard(id);
    if (served !== undefined) {
      const times = this.#times.get(id);
      return {
        id,
        state: served.state,
        owned: true,
        transport: served.method,
        sessionId: served.sessionId,
        owner,
        connectedAt: times?.connectedAt ?? time(listed?.connectedAt ?? null),
        disconnectedAt: times?.disconnectedAt ?? time(listed?.disconnectedAt ?? null),
      };
    }
    if (listed === undefined) {
      return {
        id,
        state: 'unknown',
        owned: false,
        transport: null,
        sessionId: null,
        owner,
        connectedAt: null,
        disconnectedAt: null,
      };
    }
    return {
      id,
      state: listed.status,
      owned: false,
      transport: listed.method,
      sessionId: listed.sessionId,
      owner,
      connectedAt: time(listed.connectedAt),
      disconnectedAt: time(listed.disconnectedAt),
    };
  }
}
