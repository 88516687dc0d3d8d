/**
 * `twitch-realtime demo --fleet <n>`: n worker processes on one conduit and one Redis started for the run, traffic,
 * one worker killed with SIGKILL mid-run, its shards taken over by the survivors, a replacement started, and the
 * fleet-wide exactly-once accounting at the end.
 */
import { delay } from '../traffic.js';
import { Fleet, type FleetAccounting, type FleetShard, type KillRecord } from './fleet.js';
import type { WorkerProcess } from './process.js';

/** Options of a {@link FleetScenario}. */
export interface FleetScenarioOptions {
  /** Worker processes (2..16). */
  readonly workers: number;
  /** Shards of the conduit. @defaultValue 2 × workers */
  readonly shards?: number;
  readonly channels?: number;
  /** Events per second. @defaultValue 250 */
  readonly rate?: number;
  /** Traffic duration, milliseconds; stretched until the replacement has its share. @defaultValue 30000 */
  readonly durationMs?: number;
  /** Inject duplicate deliveries (2%). @defaultValue true */
  readonly faults?: boolean;
  /** Lease TTL of the workers, milliseconds. @defaultValue the ownership strategy's */
  readonly leaseTtlMs?: number;
  readonly seed?: number;
  /** The Redis binary. @defaultValue `REDIS_SERVER` of the environment, else `redis-server` */
  readonly redisServer?: string;
  readonly signal?: AbortSignal;
  readonly onLog?: (line: string) => void;
}

/** Where the run is. */
export type FleetPhase = 'starting' | 'connecting' | 'running' | 'draining' | 'done';

/** One process in a {@link FleetSnapshot}. */
export interface FleetProcessView {
  readonly name: string;
  readonly pid: number;
  /** `up`, `starting`, `killed` (SIGKILL), `stopped`. */
  readonly state: string;
  readonly shards: readonly string[];
  readonly handled: number;
  /** Holds the fleet's leader lease (conduit-wide work). */
  readonly leader: boolean;
}

/** A point-in-time view of the run. */
export interface FleetSnapshot {
  readonly phase: FleetPhase;
  readonly elapsedMs: number;
  readonly runningMs: number;
  readonly durationMs: number;
  readonly processes: readonly FleetProcessView[];
  readonly shards: readonly FleetShard[];
  readonly shardsTotal: number;
  readonly handled: number;
  readonly sent: number;
  readonly duplicatesSuppressed: number;
  readonly kills: readonly KillRecord[];
}

/** What a finished run reports. */
export interface FleetResult {
  readonly accounting: FleetAccounting;
  readonly kills: readonly KillRecord[];
  /** The replacement and the shards it holds at the end. */
  readonly replacement: { readonly name: string; readonly shards: readonly string[] } | null;
  readonly processesStarted: number;
  readonly workers: number;
  readonly shards: number;
  readonly channels: number;
  readonly runningMs: number;
  /** No event lost outside the killed process's socket, none handled twice. */
  readonly ok: boolean;
}

/**
 * One run (see module docs). Read {@link snapshot} as often as you like while {@link run} runs.
 *
 * @example
 * ```ts
 * const result = await new FleetScenario({ workers: 3, durationMs: 20_000 }).run();
 * console.log(result.accounting.lost, result.kills[0]?.reboundMs);
 * ```
 */
export class FleetScenario {
  readonly #options: FleetScenarioOptions;
  readonly #log: (line: string) => void;
  readonly #durationMs: number;
  #fleet: Fleet | undefined;
  #phase: FleetPhase = 'starting';
  #startedAt = Date.now();
  #runningSince = 0;
  #runningUntil = 0;
  #final: FleetSnapshot | undefined;

  constructor(options: FleetScenarioOptions) {
    this.#options = options;
    this.#log = options.onLog ?? (() => undefined);
    this.#durationMs = options.durationMs ?? 30_000;
  }

  get shardCount(): number {
    return this.#options.shards ?? this.#options.workers * 2;
  }

  snapshot(): FleetSnapshot {
    return this.#final ?? this.#take();
  }

  #take(): FleetSnapshot {
    const fleet = this.#fleet;
    const now = Date.now();
    const shards = fleet?.shards ?? [];
    const processes = (fleet?.allWorkers ?? []).map((w) => processView(w, shards, fleet));
    const accounting = fleet?.account();
    const runningMs =
      this.#runningSince === 0
        ? 0
        : (this.#runningUntil === 0 ? now : this.#runningUntil) - this.#runningSince;
    return {
      phase: this.#phase,
      elapsedMs: now - this.#startedAt,
      runningMs,
      // Stretched until the replacement serves its share.
      durationMs: Math.max(this.#durationMs, runningMs),
      processes,
      shards,
      shardsTotal: this.shardCount,
      handled: accounting?.handled ?? 0,
      sent: accounting?.sent ?? 0,
      duplicatesSuppressed: accounting?.duplicatesSuppressed ?? 0,
      kills: fleet?.kills ?? [],
    };
  }

  /** Runs the whole scenario; resolves with the accounting once everything is stopped. */
  async run(): Promise<FleetResult> {
    this.#startedAt = Date.now();
    const o = this.#options;
    const fleet = await Fleet.start({
      shards: this.shardCount,
      channels: o.channels ?? 50,
      onLog: this.#log,
      // The default ratio of the lease strategy (renewal every third of the TTL).
      ...(o.leaseTtlMs === undefined
        ? {}
        : { leaseTtlMs: o.leaseTtlMs, renewEveryMs: Math.max(5, Math.floor(o.leaseTtlMs / 3)) }),
      ...(o.seed === undefined ? {} : { seed: o.seed }),
      ...(o.redisServer === undefined ? {} : { redisServer: o.redisServer }),
    });
    this.#fleet = fleet;
    const signal = o.signal;
    const aborted = (): boolean => signal?.aborted === true;
    let replacement: WorkerProcess | null = null;
    try {
      this.#phase = 'connecting';
      const first = Array.from({ length: o.workers }, () => fleet.spawn());
      await Promise.all(first.map((w) => w.up));
      await fleet.waitFor(
        () => aborted() || (fleet.allBound() && fairShare(fleet)),
        'every shard bound, a fair share each',
      );
      this.#log(`${String(o.workers)} processes serving ${String(this.shardCount)} shards; traffic running`);
      this.#phase = 'running';
      this.#runningSince = Date.now();
      if (o.faults !== false) fleet.injectDuplicates();
      fleet.startTraffic(o.rate ?? 250);
      const end = this.#runningSince + this.#durationMs;
      await delay(this.#durationMs / 4, signal);
      if (!aborted()) {
        const victim = pickVictim(fleet);
        const kill = fleet.kill(victim);
        // The replacement starts once the survivors hold every shard (the takeover is what the run shows).
        await fleet.waitFor(
          () => aborted() || kill.reboundMs >= 0,
          'the takeover of the killed process',
          60_000,
        );
        if (!aborted()) {
          replacement = fleet.spawn();
          this.#log(`${replacement.name} started to replace ${victim.name}`);
          await replacement.up;
          await fleet.waitFor(
            () => aborted() || (fleet.allBound() && fairShare(fleet)),
            'the replacement serving its share',
            60_000,
          );
          const shards = fleet.shards.filter((s) => s.worker === replacement?.name).map((s) => s.id);
          this.#log(`${replacement.name} serves shards ${shards.join(', ')}`);
        }
      }
      // At least a second of traffic with the replacement serving, however long the takeover took.
      await delay(Math.max(1000, end - Date.now()), signal);
      this.#runningUntil = Date.now();
      this.#phase = 'draining';
      // Stopped (Ctrl-C): account for what is there without waiting long for the shards to settle.
      await fleet.drain(aborted() ? 2000 : 15_000);
      this.#phase = 'done';
      this.#final = this.#take();
      const accounting = fleet.account();
      return {
        accounting,
        kills: [...fleet.kills],
        replacement:
          replacement === null
            ? null
            : {
                name: replacement.name,
                shards: fleet.shards.filter((s) => s.worker === replacement?.name).map((s) => s.id),
              },
        processesStarted: fleet.allWorkers.length,
        workers: o.workers,
        shards: this.shardCount,
        channels: fleet.channels.length,
        runningMs: this.#runningUntil - this.#runningSince,
        ok: accounting.lost === 0 && accounting.handledTwice === 0,
      };
    } finally {
      this.#final ??= this.#take();
      await fleet.close();
    }
  }
}

/** Every live process holds shards, no two differ by more than one. */
function fairShare(fleet: Fleet): boolean {
  const counts = fleet.workers.map((w) => fleet.shards.filter((s) => s.worker === w.name).length);
  return Math.min(...counts) > 0 && Math.max(...counts) - Math.min(...counts) <= 1;
}

/** The live process holding the most shards (the first of them). */
function pickVictim(fleet: Fleet): WorkerProcess {
  let best: WorkerProcess | undefined;
  let most = -1;
  for (const worker of fleet.workers) {
    const held = fleet.shards.filter((s) => s.worker === worker.name).length;
    if (held > most) {
      best = worker;
      most = held;
    }
  }
  if (best === undefined) throw new Error('no live worker to kill');
  return best;
}

function processView(
  worker: WorkerProcess,
  shards: readonly FleetShard[],
  fleet: Fleet | undefined,
): FleetProcessView {
  const state = worker.killedAt > 0 ? 'killed' : !worker.alive ? 'stopped' : worker.isUp ? 'up' : 'starting';
  return {
    name: worker.name,
    pid: worker.child.pid ?? 0,
    state,
    shards: shards.filter((s) => s.worker === worker.name).map((s) => s.id),
    handled: fleet?.handledByWorker.get(worker.name) ?? 0,
    leader: state === 'up' && worker.state?.leader === true,
  };
}
