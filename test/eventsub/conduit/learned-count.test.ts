/**
 * A shard count changed by another process, over the real emulator: the health check adopts it, revokes the
 * served shards that no longer exist, tells the strategy, and a grant of a shard in the new range works.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConduitScaledInfo } from '../../../src/eventsub/client.js';
import type { OwnershipContext, OwnershipStrategy } from '../../../src/eventsub/conduit/index.js';
import { Harness } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

function recording(initial: readonly string[]) {
  let context: OwnershipContext | null = null;
  const counts: number[] = [];
  const strategy: OwnershipStrategy = {
    start: (ctx) => {
      context = ctx;
      return ctx.grant(initial);
    },
    shardCountChanged: (count) => {
      counts.push(count);
    },
  };
  return {
    strategy,
    counts,
    context: (): OwnershipContext => {
      if (context === null) throw new Error('not started');
      return context;
    },
  };
}

it('the health check learns a shard count another process set, up and down', async () => {
  const emu = await h.start();
  const a = h.client({ conduitId: 'create', ownership: recording(['0']).strategy });
  await a.start();
  const conduitId = a.conduitInfo.id ?? '';
  await a.conduitInfo.updateShardCount(2);
  const own = recording(['1']);
  const b = h.client({ conduitId, ownership: own.strategy });
  const scaled: ConduitScaledInfo[] = [];
  b.on('conduitScaled', (info) => scaled.push(info));
  await b.start();
  expect(b.conduitInfo.shardCount).toBe(2);

  // Process A grows the conduit: B learns it at its next health check.
  await a.conduitInfo.updateShardCount(4);
  await b.reconcile();
  expect(b.conduitInfo.shardCount).toBe(4);
  expect(own.context().shardCount).toBe(4);
  expect(own.counts).toEqual([4]);
  expect(scaled[0]).toMatchObject({ previousShardCount: 2, shardCount: 4, added: [], removed: [] });
  // A shard in the new range can be granted (it was refused against the stale count).
  await own.context().grant(['3']);
  expect(own.context().owned()).toEqual(['1', '3']);
  const shard3 = emu
    .state()
    .conduits.find((c) => c.id === conduitId)
    ?.shards.find((s) => s.id === '3');
  expect(shard3?.status).toBe('enabled');

  // A shrinks it: B revokes the shard that no longer exists.
  await a.conduitInfo.updateShardCount(2);
  await b.reconcile();
  expect(b.conduitInfo.shardCount).toBe(2);
  expect(own.counts).toEqual([4, 2]);
  expect(own.context().owned()).toEqual(['1']);
  expect(scaled[1]).toMatchObject({ previousShardCount: 4, shardCount: 2, removed: ['3'] });
});
