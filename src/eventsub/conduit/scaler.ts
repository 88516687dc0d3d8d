/**
 * Scaling: a new shard count on Twitch, then (with `assignTransports`) the shards at or above it revoked and the
 * ownership strategy asked for the new ones, reported with `conduitScaled`.
 */
import type { TypedEmitter } from '../../core/emitter.js';
import type { Logger } from '../../core/logger.js';
import type { ClientEventMap } from '../client.js';
import { MissingConduitError, checkShardCount } from './errors.js';
import type { Conduit } from './models.js';
import { isStaticOwnership, type OwnershipStrategy } from './ownership.js';
import type { ShardSet } from './shard-set.js';

/** What scaling needs from its client (internal). */
export interface ScalerHost {
  readonly conduit: Conduit | null;
  readonly signal: AbortSignal;
  readonly events: TypedEmitter<ClientEventMap>;
  readonly logger: Logger;
  readonly shards: ShardSet;
  readonly ownership: OwnershipStrategy;
  /** Takes the conduit from an answer (refusing another conduit). */
  adopt(conduit: Conduit): Conduit;
  /** The context of the ownership strategy (once started). */
  readonly ownershipContext: Parameters<NonNullable<OwnershipStrategy['shardCountChanged']>>[1] | null;
}

export async function scale(
  host: ScalerHost,
  shardCount: number,
  assignTransports: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  checkShardCount(shardCount);
  const conduit = host.conduit;
  if (conduit === null) throw new MissingConduitError();
  const callSignal = signal === undefined ? host.signal : AbortSignal.any([signal, host.signal]);
  const updated = host.adopt(await conduit.update(shardCount, { signal: callSignal }));
  // `assignTransports: false` keeps its meaning for the built-in static strategy (restart with new shardIds); a
  // strategy of its own is told of every change.
  await countChanged(
    host,
    conduit.shardCount,
    updated,
    assignTransports || !isStaticOwnership(host.ownership),
  );
}

/**
 * The conduit has a new shard count (this process scaled it, or the health check saw another process do it):
 * served shards at or above it are revoked (they no longer exist), the ownership strategy is told (`tell`), and
 * `conduitScaled` reports it.
 */
export async function countChanged(
  host: ScalerHost,
  previousShardCount: number,
  updated: Conduit,
  tell: boolean,
): Promise<void> {
  const shardCount = updated.shardCount;
  const shards = host.shards;
  const added: string[] = [];
  const removed: string[] = [];
  const before = new Set(shards.ids());
  // Shards that no longer exist are closed first: nobody can serve them.
  await shards.revoke([...before].filter((id) => Number(id) >= shardCount));
  const context = host.ownershipContext;
  if (tell && context !== null) await host.ownership.shardCountChanged?.(shardCount, context);
  const after = new Set(shards.ids());
  for (const id of before) if (!after.has(id)) removed.push(id);
  for (const id of after) if (!before.has(id)) added.push(id);
  const leftToOthers: string[] = [];
  for (let i = 0; i < shardCount; i++) if (shards.get(String(i)) === undefined) leftToOthers.push(String(i));
  if (leftToOthers.length > 0) {
    host.logger.warn('conduit scaled: other processes must serve the shards this one does not own', {
      conduitId: updated.id,
      shardCount,
      leftToOthers: summarize(leftToOthers),
    });
  }
  host.events.emit('conduitScaled', {
    conduitId: updated.id,
    previousShardCount,
    shardCount,
    added,
    removed,
    leftToOthers,
  });
}

function summarize(ids: readonly string[]): string {
  return ids.length <= 10 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')} … (${ids.length})`;
}
