/**
 * Owners on the dashboard with a real fleet (the emulator and a real redis-server): `FleetOwnership.owners()` maps
 * this node's leases to its node id at once (its first call, before any read of the fleet's owners hash), and the
 * AutoClient's `view()` shows them on its shards. The other nodes' shards: test/fleet/owners.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisOwnership } from '../../src/fleet/index.js';
import { Harness } from '../eventsub/conduit/helpers.js';
import { createConduit } from '../support/emulator.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let server: TestRedis;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

const h = new Harness();
afterEach(() => h.close());

describe('owners on the dashboard', () => {
  it("shows each node's leased shards with its node id", async () => {
    const emu = await h.start();
    const conduitId = await createConduit(emu, 4);
    const nodes = await Promise.all(
      ['a', 'b'].map(async (nodeId) => {
        const fleet = redisOwnership({
          redis: await server.connect(),
          fleet: 'owners',
          nodeId,
          leaseTtlMs: 600,
          renewEveryMs: 100,
        });
        fleet.on('error', () => undefined);
        const client = h.client({ conduitId, ownership: fleet, reconcileIntervalMs: 50 });
        client.on('error', () => undefined);
        await client.start();
        return { nodeId, fleet, client };
      }),
    );
    await until(
      () => nodes.every((n) => n.fleet.snapshot().owned.length === 2),
      'two shards leased by each node',
    );
    for (const { nodeId, fleet, client } of nodes) {
      const owned = fleet.snapshot().owned;
      expect([...fleet.owners()].sort()).toEqual(owned.map((id) => [id, nodeId]));
      const shards = client.view().conduit?.shards ?? [];
      expect(shards.filter((s) => s.owner === nodeId).map((s) => s.id)).toEqual(owned);
    }
  });
});
