/**
 * `node --import tsx scripts/fleet-acceptance.ts`: issue 16's acceptance numbers for the fleet as real processes,
 * at the ownership strategy's default settings (lease TTL and renewal): 3 worker processes on one conduit of 6
 * shards, one Redis, 250 events/s with 2% duplicate deliveries.
 *
 * - kill -9: one worker killed per run (a replacement joins before the next run): seconds from the kill to every
 *   one of its shards bound to survivors, per run; events lost, handled twice, and left in the killed socket.
 * - rolling restart: every worker stopped gracefully and replaced in turn: lost, handled twice, Helix 429s.
 * - join: a fourth worker joins 3 on 8 shards: seconds to its fair share, shards moved (minimum: 2).
 * - Redis outages under traffic, each on a fleet of its own: frozen 20 s (SIGSTOP: nothing answers), killed and
 *   restarted empty at once, killed and restarted empty 20 s later. For each: events lost, handled twice, 429s;
 *   whether every shard stayed enabled and bound to the same session through the outage (the emulator's view), events
 *   handled during it; seconds from Redis back to converged (every worker unfenced, holding the lease of exactly the
 *   shards it serves, fair shares, every shard bound once); and the fencing check (on every state a worker reports:
 *   never two unfenced workers holding a lease on one shard).
 *
 * Options: --runs <n> (kills, default 5), --rate <events/s> (default 250), --lease-ttl <ms>, --renew <ms>,
 * --outage <ms> (default 20000), --only <kill,restart,join,outage> (default all).
 * Exits 1 when an event was lost or handled twice, a shard was not served through an outage, the fleet did not
 * converge after one, or the fencing check failed.
 */
import { parseArgs } from 'node:util';
import { Fleet, type FleetOptions, type OutageRecord } from '../src/cli/demo/fleet/fleet.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    rate: { type: 'string', default: '250' },
    'lease-ttl': { type: 'string' },
    renew: { type: 'string' },
    outage: { type: 'string', default: '20000' },
    only: { type: 'string', default: 'kill,restart,join,outage' },
  },
});
const only = new Set(values.only.split(','));
const outageMs = Number(values.outage);
const runs = Number(values.runs);
const rate = Number(values.rate);
const options: FleetOptions = {
  shards: 6,
  channels: 50,
  ...(values['lease-ttl'] === undefined ? {} : { leaseTtlMs: Number(values['lease-ttl']) }),
  ...(values.renew === undefined ? {} : { renewEveryMs: Number(values.renew) }),
};

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function shares(fleet: Fleet): Map<string, number> {
  const out = new Map<string, number>(fleet.workers.map((w) => [w.name, 0]));
  for (const shard of fleet.shards)
    if (shard.worker !== null) out.set(shard.worker, (out.get(shard.worker) ?? 0) + 1);
  return out;
}

function fair(fleet: Fleet): boolean {
  if (!fleet.allBound()) return false;
  const counts = [...shares(fleet).values()];
  return Math.max(...counts) - Math.min(...counts) <= 1 && Math.min(...counts) > 0;
}

const outcome = { failed: false };
function report(label: string, fleet: Fleet): void {
  const a = fleet.account();
  outcome.failed ||= a.lost > 0 || a.handledTwice > 0;
  console.log(
    `  ${label}: sent ${String(a.sent)} · handled ${String(a.handled)} · lost ${String(a.lost)} · handled twice ${String(a.handledTwice)} · in killed sockets ${String(a.inKilledSockets)} · dropped by the emulator ${String(a.droppedBySender)} · Helix 429s ${String(a.rateLimited)}`,
  );
}

console.log(
  `fleet acceptance: 3 processes, 6 shards, ${String(rate)} events/s, lease TTL ${values['lease-ttl'] ?? 'default'}, renewal ${values.renew ?? 'default'}`,
);

// kill -9, several runs.
if (only.has('kill')) {
  const fleet = await Fleet.start(options);
  try {
    await Promise.all([fleet.spawn().up, fleet.spawn().up, fleet.spawn().up]);
    await fleet.waitFor(() => fair(fleet), 'a fair share each', 60_000);
    fleet.injectDuplicates();
    fleet.startTraffic(rate);
    const times: number[] = [];
    for (let run = 1; run <= runs; run++) {
      await sleep(2000);
      const victim = [...fleet.workers].sort(
        (a, b) => (shares(fleet).get(b.name) ?? 0) - (shares(fleet).get(a.name) ?? 0),
      )[0];
      if (victim === undefined) throw new Error('no worker');
      const kill = fleet.kill(victim);
      await fleet.waitFor(() => kill.reboundMs >= 0, 'the takeover', 120_000);
      times.push(kill.reboundMs);
      console.log(
        `  kill -9 run ${String(run)}: ${victim.name} held shards ${kill.shards.join(', ')}: bound to survivors in ${s(kill.reboundMs)}`,
      );
      await fleet.spawn().up;
      await fleet.waitFor(() => fair(fleet), 'the replacement serving its share', 120_000);
    }
    await fleet.drain(30_000);
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `kill -9 -> shards rebound: median ${s(sorted[Math.floor(sorted.length / 2)] ?? 0)}, max ${s(sorted[sorted.length - 1] ?? 0)} over ${String(runs)} runs`,
    );
    report('kill -9 runs', fleet);
  } finally {
    await fleet.close();
  }
}

// Rolling restart.
if (only.has('restart')) {
  const fleet = await Fleet.start(options);
  try {
    const first = [fleet.spawn(), fleet.spawn(), fleet.spawn()];
    await Promise.all(first.map((w) => w.up));
    await fleet.waitFor(() => fair(fleet), 'a fair share each', 60_000);
    fleet.injectDuplicates();
    fleet.startTraffic(rate);
    const started = Date.now();
    for (const worker of first) {
      await sleep(1000);
      const at = Date.now();
      await worker.stop();
      const next = fleet.spawn();
      await next.up;
      await fleet.waitFor(() => fair(fleet), `${next.name} serving its share`, 120_000);
      console.log(
        `  restart of ${worker.name}: ${next.name} serving its share ${s(Date.now() - at)} after the stop began`,
      );
    }
    console.log(`rolling restart of 3 processes: ${s(Date.now() - started)}`);
    await fleet.drain(30_000);
    report('rolling restart', fleet);
  } finally {
    await fleet.close();
  }
}

// Join.
if (only.has('join')) {
  const fleet = await Fleet.start({ ...options, shards: 8 });
  try {
    await Promise.all([fleet.spawn().up, fleet.spawn().up, fleet.spawn().up]);
    await fleet.waitFor(() => fair(fleet), 'a fair share each', 60_000);
    fleet.startTraffic(rate);
    const before = new Map(fleet.shards.map((shard) => [shard.id, shard.worker]));
    const at = Date.now();
    const joiner = fleet.spawn();
    await joiner.up;
    await fleet.waitFor(
      () => fair(fleet) && (shares(fleet).get(joiner.name) ?? 0) >= 2,
      'the joiner with its share',
      120_000,
    );
    const moved = fleet.shards.filter((shard) => before.get(shard.id) !== shard.worker).length;
    console.log(
      `join (3 -> 4 processes, 8 shards): fair share in ${s(Date.now() - at)} after the fork (process start included); ${String(moved)} shards moved (minimum 2)`,
    );
    await fleet.drain(30_000);
    report('join', fleet);
  } finally {
    await fleet.close();
  }
}
// Redis outages.
async function outage(label: string, run: (fleet: Fleet) => Promise<OutageRecord>): Promise<void> {
  const fleet = await Fleet.start(options);
  try {
    await Promise.all([fleet.spawn().up, fleet.spawn().up, fleet.spawn().up]);
    await fleet.waitFor(
      () => fleet.converged(),
      'every shard bound and owned once, a fair share each',
      60_000,
    );
    fleet.injectDuplicates();
    fleet.startTraffic(rate);
    await sleep(3000);
    const before = fleet.account().handled;
    const fenced = new Set<string>();
    const watch = setInterval(() => {
      for (const w of fleet.workers) if (w.state?.fenced === true) fenced.add(w.name);
    }, 50);
    let record: OutageRecord;
    try {
      record = await run(fleet);
    } finally {
      clearInterval(watch);
    }
    const during = fleet.account().handled - before;
    await fleet
      .waitFor(() => record.convergedMs >= 0, 'convergence after the outage', 120_000)
      .catch((error: unknown) => {
        console.log(`  ${label}: ${String(error)}`);
      });
    await sleep(2000);
    await fleet.drain(30_000);
    const unserved = [...record.unserved];
    const conflicts = fleet.fencing.conflicts;
    outcome.failed ||= unserved.length > 0 || record.convergedMs < 0 || conflicts.length > 0;
    console.log(
      `${label}: outage ${s(record.endedAt - record.at)}; shards served through it (same session, enabled): ${String(record.bindings.size - unserved.length)}/${String(record.bindings.size)}${unserved.length > 0 ? ` (not: ${unserved.join(', ')})` : ''}; ${String(during)} events handled during it; workers fenced during it: ${String(fenced.size)}/3; converged ${record.convergedMs < 0 ? 'never' : s(record.convergedMs)} after Redis came back; fencing check: ${String(conflicts.length)} conflicts in ${String(fleet.fencing.samples)} samples${conflicts.length > 0 ? ` (${conflicts.map((c) => `shard ${c.shard}: ${c.workers.join('+')}`).join(', ')})` : ''}`,
    );
    report(label, fleet);
  } finally {
    await fleet.close();
  }
}

if (only.has('outage')) {
  await outage(`Redis frozen ${s(outageMs)}`, (fleet) => fleet.freezeRedis(outageMs));
  await outage('Redis restarted empty at once', (fleet) => fleet.restartRedis(0));
  await outage(`Redis killed, restarted empty ${s(outageMs)} later`, (fleet) => fleet.restartRedis(outageMs));
}
process.exitCode = outcome.failed ? 1 : 0;
