/**
 * The fleet as real processes: 3 worker processes (each an AutoClient, forked; tsx compiles it), one conduit of the
 * emulator (in this process) reached over the network, one real redis-server of the test's own, traffic tagged with
 * sequence numbers, and the fleet-wide ledger of what the workers report.
 *
 * Timeouts: 60 s per test (instead of 5): each forks 3 to 4 child processes (~2 s each to compile and start on a
 * loaded machine), waits for leases to expire after a SIGKILL (TTL 2 s here, renewal every 500 ms), and drains. A
 * run takes 10 to 25 s here; the bound leaves a loaded CI machine its margin. The waits are bounded and say what
 * they waited for; nothing asserts a duration (the takeover time is measured by scripts/fleet-acceptance.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Fleet, type FleetOptions } from '../../src/cli/demo/fleet/fleet.js';
import type { WorkerProcess } from '../../src/cli/demo/fleet/process.js';
import { main } from '../../src/cli/index.js';
import { renderFleetFrame } from '../../src/cli/demo/fleet/view.js';

const LEASES: FleetOptions = { leaseTtlMs: 2000, renewEveryMs: 500 };
let fleet: Fleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** Shards held per live worker. */
function shares(f: Fleet): Map<string, string[]> {
  const out = new Map<string, string[]>(f.workers.map((w) => [w.name, []]));
  for (const shard of f.shards) if (shard.worker !== null) out.get(shard.worker)?.push(shard.id);
  return out;
}

/** Every shard bound to a live worker, and each live worker holding `each` of them. */
function fair(f: Fleet, each: number): boolean {
  return f.allBound() && [...shares(f).values()].every((held) => held.length === each);
}

async function startFleet(workers: number, options: FleetOptions = {}): Promise<WorkerProcess[]> {
  const f = await Fleet.start({ shards: 6, channels: 30, seed: 16, ...LEASES, ...options });
  fleet = f;
  const started = Array.from({ length: workers }, () => f.spawn());
  await Promise.all(started.map((w) => w.up));
  await f.waitFor(() => fair(f, 6 / workers), `${String(6 / workers)} shards per process`, 20_000);
  return started;
}

/** Waits until `n` more events were handled (traffic is flowing through the fleet). */
async function handledMore(f: Fleet, n: number): Promise<void> {
  const from = f.account().handled;
  await f.waitFor(() => f.account().handled >= from + n, `${String(n)} more events handled`, 15_000);
}

describe('a fleet of worker processes on one conduit', () => {
  it(
    'kill -9 of one of 3 workers under steady traffic: its shards go to the survivors, nothing lost but what sat in its socket, nothing handled twice',
    { timeout: 60_000 },
    async () => {
      const [w1, w2, w3] = await startFleet(3);
      const f = fleet!;
      f.injectDuplicates();
      f.startTraffic(300);
      // Past the kill's look-back window (2 s): a loss before it would be counted as lost, not as in the socket.
      await handledMore(f, 900);
      const kill = f.kill(w2!);
      expect(kill.shards).toHaveLength(2);
      await f.waitFor(() => kill.reboundMs >= 0, "the killed worker's shards bound to survivors", 20_000);
      const survivors = new Set([w1?.name, w3?.name]);
      for (const id of kill.shards) expect(survivors).toContain(f.shards.find((s) => s.id === id)?.worker);
      await handledMore(f, 300);
      await f.drain();
      const a = f.account();
      expect(a.handledTwice).toBe(0);
      expect(a.lost).toBe(0);
      // Every delivered event is either handled once or counted in the killed socket, which is all there is.
      expect(a.handled + a.inKilledSockets).toBe(a.deliveredBySender);
      // At least one shard stayed enabled throughout: the emulator always had somewhere to send.
      expect(a.droppedBySender).toBe(0);
      expect(a.duplicatesInjected).toBeGreaterThan(0);
      expect(a.handled).toBeGreaterThan(600);
    },
  );

  it(
    'a worker that hangs (SIGSTOP), then dies (SIGKILL): what sat in its socket is counted apart, never as handled, and nothing else is lost',
    { timeout: 60_000 },
    async () => {
      const [, w2] = await startFleet(3);
      const f = fleet!;
      f.startTraffic(300);
      await handledMore(f, 900);
      // Hung: the emulator keeps writing into its socket (the kernel buffers it) and nothing is read or reported.
      w2!.child.kill('SIGSTOP');
      await handledMore(f, 150);
      const kill = f.kill(w2!);
      await f.waitFor(() => kill.reboundMs >= 0, "the hung worker's shards bound to survivors", 20_000);
      await f.drain();
      const a = f.account();
      expect(a.inKilledSockets).toBeGreaterThan(0);
      expect(a.lost).toBe(0);
      expect(a.handledTwice).toBe(0);
      expect(a.handled + a.inKilledSockets).toBe(a.deliveredBySender);
    },
  );

  it(
    'a rolling restart of every worker in turn under traffic: 0 lost, 0 handled twice, no 429',
    { timeout: 60_000 },
    async () => {
      const first = await startFleet(3);
      const f = fleet!;
      f.injectDuplicates();
      f.startTraffic(300);
      for (const worker of first) {
        await handledMore(f, 100);
        await worker.stop();
        const next = f.spawn();
        await next.up;
        await f.waitFor(
          () => fair(f, 2),
          `${next.name} serving its share after ${worker.name} stopped`,
          20_000,
        );
      }
      await handledMore(f, 100);
      await f.drain();
      const a = f.account();
      expect(f.allWorkers).toHaveLength(6);
      expect(a.inKilledSockets).toBe(0);
      expect(a.lost).toBe(0);
      expect(a.handledTwice).toBe(0);
      expect(a.handled).toBe(a.deliveredBySender);
      expect(a.droppedBySender).toBe(0);
      expect(a.rateLimited).toBe(0);
    },
  );

  it(
    'a worker joins under traffic: it gets its fair share, only shards moving to it move, nothing is lost',
    { timeout: 60_000 },
    async () => {
      await startFleet(2);
      const f = fleet!;
      const before = new Map(f.shards.map((s) => [s.id, s.worker]));
      const joiner = f.spawn();
      await joiner.up;
      await f.waitFor(() => fair(f, 2), 'two shards per process', 20_000);
      const moved = f.shards.filter((s) => before.get(s.id) !== s.worker);
      // The minimum is 2 (the joiner's share); nothing moved between the two that were there.
      expect(moved.map((s) => s.worker)).toEqual([joiner.name, joiner.name]);
      // The victims list the stolen shards until their next renewal (the overlap the fencing check sees), which is
      // no conflict: no shard held by two workers each renewed since.
      const renewed = new Map(f.workers.map((w) => [w.name, w.state?.renewals ?? 0]));
      await f.waitFor(
        () => f.workers.every((w) => (w.state?.renewals ?? 0) > (renewed.get(w.name) ?? 0) + 1),
        'two more renewals of every worker',
        10_000,
      );
      expect(f.fencing.overlaps).toBeGreaterThan(0);
      expect(f.fencing.conflicts).toEqual([]);
    },
  );
});

describe('npm start -- --fleet 3', () => {
  class Sink {
    text = '';
    write(chunk: string): boolean {
      this.text += chunk;
      return true;
    }
  }

  async function demo(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; out: string; err: string }> {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await main(['demo', ...args], {
      stdout,
      stderr,
      env: { ...process.env, ...env },
      signal: new AbortController().signal,
    });
    return { code, out: stdout.text, err: stderr.text };
  }

  it(
    'end to end: 3 processes, one killed, its shards taken over, a replacement, the exactly-once summary; exit 0',
    { timeout: 60_000 },
    async () => {
      const { code, out } = await demo([
        ...['--fleet', '3', '--duration', '3', '--channels', '10', '--lease-ttl', '2', '--seed', '5'],
      ]);
      const [, sent, delivered] =
        /^sent (\d+) · delivered (\d+) · duplicates suppressed \d+ · lost 0$/m.exec(out) ?? [];
      const inSocket = /^in the killed process's socket at SIGKILL: (\d+) /m.exec(out)?.[1];
      expect(Number(sent)).toBeGreaterThan(300);
      expect(Number(delivered) + Number(inSocket)).toBe(Number(sent));
      expect(out).toMatch(/^handled twice: 0 fleet-wide$/m);
      expect(out).toMatch(/killed with SIGKILL \(it held shards \d+, \d+\)/);
      expect(out).toMatch(
        /^takeover: w\d killed \(SIGKILL\); its shards \d+, \d+ bound to survivors in \d+\.\d s$/m,
      );
      expect(out).toMatch(/^replacement: w4 serves shards \d+/m);
      expect(out).toMatch(/shards by process \(\* leader\) w1\*?:/);
      expect(out).toContain('exactly once');
      expect(code).toBe(0);
    },
  );

  it(
    'bad flags exit 2; a missing redis-server exits 1 with the install hint',
    { timeout: 20_000 },
    async () => {
      for (const args of [
        ['--fleet', '1'],
        ['--fleet', '17'],
        ['--fleet', '3', '--pubsub'],
        ['--fleet', '3', '--live'],
        ['--lease-ttl', '2'],
      ]) {
        const { code, err } = await demo(args);
        expect(code, args.join(' ')).toBe(2);
        expect(err).toContain('twitch-realtime demo:');
      }
      const missing = await demo(['--fleet', '2', '--duration', '1'], {
        REDIS_SERVER: '/nonexistent/redis-server',
      });
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('apt-get install redis-server');
    },
  );

  it('the live frame shows which process holds which shard, the leader, and the takeover time', () => {
    const lines = renderFleetFrame(
      {
        phase: 'running',
        elapsedMs: 9000,
        runningMs: 6000,
        durationMs: 30_000,
        processes: [
          { name: 'w1', pid: 11, state: 'killed', shards: [], handled: 10, leader: false },
          { name: 'w2', pid: 12, state: 'up', shards: ['0', '2'], handled: 20, leader: true },
          { name: 'w3', pid: 13, state: 'up', shards: ['1', '3'], handled: 30, leader: false },
        ],
        shards: [
          { id: '0', status: 'enabled', worker: 'w2', events: 5 },
          { id: '1', status: 'enabled', worker: 'w3', events: 6 },
          { id: '2', status: 'enabled', worker: 'w2', events: 7 },
          { id: '3', status: 'enabled', worker: 'w3', events: 8 },
        ],
        shardsTotal: 4,
        handled: 60,
        sent: 61,
        duplicatesSuppressed: 2,
        kills: [
          {
            worker: 'w1',
            at: 0,
            shards: ['0', '1'],
            sessions: new Set(),
            fromSeq: 0,
            toSeq: 5,
            reboundMs: 4200,
          },
        ],
      },
      { workers: 3, shards: 4, channels: 10, rate: 250, durationMs: 30_000 },
      [],
    );
    expect(lines).toContain('  w2       12        up             20  0, 2  (leader)');
    expect(lines).toContain('  w1       11        killed         10  -');
    expect(lines).toContain('  1      enabled                 w3            6');
    expect(lines).toContain('  takeover: w1 killed (SIGKILL); its shards 0, 1 bound to survivors in 4.2 s');
  });
});
