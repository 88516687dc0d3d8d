/**
 * Redis out under traffic, at the process level: 3 worker processes (each an AutoClient with the fleet's three Redis
 * parts: shard leases, dedupe, Helix budget) on one conduit of the emulator (in this process), one real redis-server
 * of the test's own, frozen (SIGSTOP: nothing answers) or killed and restarted empty on the same port.
 *
 * What is guarded: fail static (every shard stays enabled and bound to the same session through the outage, as the
 * emulator sees it, while every worker is fenced), nothing lost or handled twice, convergence after (every worker
 * unfenced, holding the lease of exactly the shards it serves, fair shares), and the fencing check on every state
 * the workers report (never two unfenced workers holding a lease on one shard, each confirmed by a renewal since the
 * overlap began: a victim of a steal, such as the first worker to start on a loaded machine, lists the shard until its
 * next renewal).
 *
 * Lease TTL 2 s (renewal every 500 ms): the outage (5 s) is a few TTLs long. Timeouts 30 s: each test forks 3
 * processes (~2 s each on a loaded machine), runs the outage and drains; a run takes 12 to 18 s here. The waits are
 * bounded and say what they waited for; nothing asserts a duration (scripts/fleet-acceptance.ts measures them at the
 * default settings).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet, type OutageRecord } from '../../src/cli/demo/fleet/fleet.js';

const OUTAGE_MS = 5000;
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function startFleet(): Promise<Fleet> {
  const f = await Fleet.start({ shards: 6, channels: 30, seed: 16, leaseTtlMs: 2000, renewEveryMs: 500 });
  fleet = f;
  await Promise.all([f.spawn().up, f.spawn().up, f.spawn().up]);
  await f.waitFor(() => f.converged(), 'every shard bound and owned once, 2 per process', 20_000);
  f.injectDuplicates();
  f.startTraffic(300);
  await handledMore(f, 300);
  return f;
}

async function handledMore(f: Fleet, n: number): Promise<void> {
  const from = f.account().handled;
  await f.waitFor(() => f.account().handled >= from + n, `${String(n)} more events handled`, 15_000);
}

/** Every live worker has reported itself fenced (the outage reached the leases). */
function allFenced(f: Fleet): boolean {
  return f.workers.every((w) => w.state?.fenced === true);
}

/** After the outage: converged, traffic through, drained; nothing lost or handled twice, no fencing conflict. */
async function expectRecovered(f: Fleet, outage: OutageRecord): Promise<void> {
  expect(outage.bindings.size).toBe(6);
  expect([...outage.unserved]).toEqual([]);
  await f.waitFor(() => outage.convergedMs >= 0, 'convergence after the outage', 15_000);
  await handledMore(f, 300);
  await f.drain();
  const a = f.account();
  expect(a.lost).toBe(0);
  expect(a.handledTwice).toBe(0);
  expect(a.handled).toBe(a.deliveredBySender);
  expect(a.droppedBySender).toBe(0);
  expect(a.duplicatesInjected).toBeGreaterThan(0);
  expect(a.rateLimited).toBe(0);
  expect(f.fencing.samples).toBeGreaterThan(0);
  expect(f.fencing.conflicts).toEqual([]);
  // Nobody left, nobody joined: the same 3 processes serve.
  expect(f.workers).toHaveLength(3);
}

describe('a fleet of worker processes while Redis is out', () => {
  it(
    'Redis frozen a few lease TTLs under traffic: every shard stays bound to its session, 0 lost, 0 handled twice; thawed, the fleet converges with no fencing conflict',
    { timeout: 30_000 },
    async () => {
      const f = await startFleet();
      const freezing = f.freezeRedis(OUTAGE_MS);
      await f.waitFor(() => allFenced(f), 'every worker fenced', OUTAGE_MS);
      // Still serving while fenced: events keep being handled.
      await handledMore(f, 150);
      const outage = await freezing;
      await expectRecovered(f, outage);
    },
  );

  it(
    'Redis killed and restarted empty after a few lease TTLs under traffic: the same, and the workers register again',
    { timeout: 30_000 },
    async () => {
      const f = await startFleet();
      const restarting = f.restartRedis(OUTAGE_MS);
      await f.waitFor(() => allFenced(f), 'every worker fenced', OUTAGE_MS);
      await handledMore(f, 150);
      const outage = await restarting;
      await expectRecovered(f, outage);
    },
  );

  it(
    'Redis killed and restarted empty at once under traffic (no worker has time to fence itself): each registers again with its own shards, never two unfenced holders of one shard',
    { timeout: 30_000 },
    async () => {
      const f = await startFleet();
      const outage = await f.restartRedis(0);
      await expectRecovered(f, outage);
      // Every worker registered anew (the restarted Redis had none of them) and kept the shards it served.
      for (const w of f.workers) expect(w.state?.incarnation).not.toBe(outage.incarnations.get(w.name));
      for (const [id, session] of outage.bindings)
        expect(f.shards.find((s) => s.id === id)?.worker).toBe(
          f.workers.find((w) => w.state?.shards.some(([, s]) => s === session))?.name,
        );
    },
  );

  it('closing the fleet ends a freeze or a restart in progress: no timer of the outage outlives it', async () => {
    for (const outage of [(f: Fleet) => f.freezeRedis(600_000), (f: Fleet) => f.restartRedis(600_000)]) {
      const f = await Fleet.start({ shards: 2, channels: 2 });
      fleet = f;
      const pending = outage(f);
      await f.close();
      // Without the close ending it, this waits the 10 minutes (the test's timeout fails first).
      const record = await pending;
      expect(record.endedAt).toBeGreaterThanOrEqual(record.at);
      expect(f.outages).toEqual([record]);
    }
  });
});
