/**
 * A fleet on one conduit, as real processes: the emulator in this process, a `redis-server` started for the run,
 * N worker processes (worker.ts) sharing the conduit through Redis, traffic triggered here with a sequence number in
 * each event, and the fleet-wide exactly-once accounting from what the workers report.
 *
 * The accounting of a SIGKILL: an event the emulator wrote into the killed process's socket before the emulator saw
 * that socket close, and that the process never reported, cannot be recovered (Twitch would not redeliver it either).
 * Such an event is one whose channel's shard (the emulator routes by channel: the shard at `hash % shard_count`) was
 * held by the killed process, triggered from {@link KILL_LOOKBACK_MS} before the kill until the emulator had closed
 * every session of the killed process. It is counted apart ({@link FleetAccounting.inKilledSockets}); every other
 * delivered event must be handled exactly once.
 */
import { Emulator } from '../../../emulator/emulator.js';
import { fnv1a } from '../../../emulator/eventsub/indexes.js';
import { HelixClient } from '../../../helix/client.js';
import { toWireRequests } from '../../../eventsub/conduit/multi-subscribe.js';
import { DeliveryLedger, accountRun, type Accounting } from '../ledger.js';
import {
  MIX_TOTAL,
  authorizeChannels,
  channelIds,
  channelSubscriptions,
  delay,
  pickMix,
  prng,
} from '../traffic.js';
import { startRunRedis, type RunRedis } from './redis-server.js';
import { WorkerProcess, type WorkerListener } from './process.js';
import { SEQ_FIELD, type WorkerConfig, type WorkerHandled } from './protocol.js';

/**
 * How long before a SIGKILL an event may still sit unreported in the killed process (in its socket, its event loop,
 * its IPC buffer): a healthy worker reports an event within milliseconds.
 */
export const KILL_LOOKBACK_MS = 2000;

const DELIVERED = 1;
const HANDLED = 2;

/** Options of {@link Fleet.start}. */
export interface FleetOptions {
  /** Shards of the conduit. @defaultValue 6 */
  readonly shards?: number;
  /** Simulated channels. @defaultValue 50 */
  readonly channels?: number;
  /** Lease TTL of the workers' ownership, milliseconds. @defaultValue the strategy's default */
  readonly leaseTtlMs?: number;
  /** Lease renewal period of the workers' ownership, milliseconds. @defaultValue the strategy's default */
  readonly renewEveryMs?: number;
  /** Share of deliveries the emulator sends twice. @defaultValue 0.02 */
  readonly duplicateRate?: number;
  /** Seed of the traffic's choices. @defaultValue random */
  readonly seed?: number;
  /** The Redis binary. @defaultValue `REDIS_SERVER` of the environment, else `redis-server` */
  readonly redisServer?: string;
  /** Notable happenings, one line each. */
  readonly onLog?: (line: string) => void;
}

/** One SIGKILL and what followed. */
export interface KillRecord {
  readonly worker: string;
  /** `Date.now()` of the kill. */
  readonly at: number;
  /** Shards bound to the killed process's sessions at the kill. */
  readonly shards: readonly string[];
  readonly sessions: ReadonlySet<string>;
  /** First sequence number of the kill window. */
  readonly fromSeq: number;
  /** Last sequence number triggered before the emulator had closed every session of the killed process (-1: not yet). */
  toSeq: number;
  /** Milliseconds from the kill to every one of its shards bound to a live process (-1: not yet). */
  reboundMs: number;
}

/** One Redis outage ({@link Fleet.freezeRedis}, {@link Fleet.restartRedis}) and what followed. */
export interface OutageRecord {
  /** `freeze`: SIGSTOP then SIGCONT (nothing answers); `restart`: SIGKILL, then an empty server on the same port. */
  readonly kind: 'freeze' | 'restart';
  /** `Date.now()` when the outage began. */
  readonly at: number;
  /** `Date.now()` when Redis answered again (-1: not yet). */
  endedAt: number;
  /** Per shard: the session the emulator had it bound to when the outage began (enabled shards only). */
  readonly bindings: ReadonlyMap<string, string>;
  /** Shards the emulator saw disabled or bound to another session before {@link endedAt}: not served through it. */
  readonly unserved: Set<string>;
  /** Per worker: its registration when the outage began (a restarted Redis has none of them). */
  readonly incarnations: ReadonlyMap<string, string | null>;
  /** Per worker: its successful renewals when Redis came back (converging needs one more each). */
  readonly renewals: Map<string, number>;
  /**
   * Milliseconds from {@link endedAt} to converged: every live worker renewed its lease since (and, after a restart,
   * registered again), and {@link Fleet.converged} (-1: not yet).
   */
  convergedMs: number;
}

/**
 * Two (or more) live workers that both reported, unfenced, a lease on the same shard, each after a renewal made since
 * the overlap was first seen (see {@link Fleet.fencing}).
 */
export interface FencingConflict {
  readonly at: number;
  readonly shard: string;
  readonly workers: readonly string[];
}

/** A shard as the view shows it. */
export interface FleetShard {
  readonly id: string;
  readonly status: string;
  /** The worker whose session is bound to it, or `null`. */
  readonly worker: string | null;
  readonly events: number;
}

/** The fleet-wide accounting. */
export interface FleetAccounting extends Accounting {
  /**
   * Delivered into a killed process's socket before it died and never reported: unrecoverable (Twitch does not
   * redeliver them either). Not in `lost`, not in `handled`.
   */
  readonly inKilledSockets: number;
  /** Helix answers 429 (the emulator's counter). */
  readonly rateLimited: number;
}

/** A running fleet (see module docs). */
export class Fleet {
  readonly emulator: Emulator;
  readonly redis: RunRedis;
  readonly conduitId: string;
  readonly shardCount: number;
  readonly channels: readonly string[];
  readonly kills: KillRecord[] = [];
  readonly outages: OutageRecord[] = [];
  /**
   * The fencing check, on every state a worker reports: the states compared (`samples`), and each time two live
   * workers' latest states both held a lease on one shard while unfenced, each confirmed by a renewal made since the
   * overlap was first seen (`conflicts`). A victim of a steal lists the shard until its next renewal tells it (the
   * lease is the thief's in Redis from the steal on, and the victim reclaims nothing without a renewal first): that
   * overlap ends at the victim's next renewal, and is no conflict. `overlaps`: the overlaps seen begin, conflicts
   * or not.
   */
  readonly fencing: { samples: number; overlaps: number; readonly conflicts: FencingConflict[] } = {
    samples: 0,
    overlaps: 0,
    conflicts: [],
  };
  readonly #options: FleetOptions;
  readonly #log: (line: string) => void;
  readonly #workers: WorkerProcess[] = [];
  readonly #ledger = new DeliveryLedger();
  readonly #random: () => number;
  readonly #home: readonly number[];
  /** Per sequence number: `channel index × 4 + DELIVERED + HANDLED` (one number each). */
  readonly #seqs: number[] = [];
  /** Per traffic tick: its time and first sequence number, flattened (`at, seq, at, seq, ...`). */
  readonly #ticks: number[] = [];
  readonly #byShard = new Map<string, number>();
  readonly #byWorker = new Map<string, number>();
  #shards: FleetShard[] = [];
  /** Per enabled shard, its session, as of the last {@link poll}. */
  readonly #sessions = new Map<string, string>();
  /** Per shard held unfenced by two or more workers: each holder's renewals when it was first seen in the overlap. */
  readonly #overlaps = new Map<string, Map<string, number>>();
  #seq = 0;
  #named = 0;
  #traffic: NodeJS.Timeout | undefined;
  #monitor: NodeJS.Timeout;
  #closing: Promise<void> | undefined;
  /** Aborted by {@link close}: ends a {@link freezeRedis} early, so no timer outlives the fleet. */
  readonly #closed = new AbortController();
  readonly #listener: WorkerListener;

  private constructor(
    emulator: Emulator,
    redis: RunRedis,
    conduitId: string,
    shardCount: number,
    channels: readonly string[],
    options: FleetOptions,
  ) {
    this.emulator = emulator;
    this.redis = redis;
    this.conduitId = conduitId;
    this.shardCount = shardCount;
    this.channels = channels;
    this.#options = options;
    this.#log = options.onLog ?? (() => undefined);
    this.#random = prng(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.#home = channels.map((id) => fnv1a(id) % shardCount);
    this.#listener = {
      handled: (worker, message) => {
        this.#handled(worker, message);
      },
      state: () => {
        this.#checkFencing();
      },
      log: (line) => {
        this.#log(line);
      },
    };
    this.#monitor = setInterval(() => {
      this.poll();
    }, 50);
  }

  /**
   * Starts a Redis and the emulator, creates the conduit and the channels' subscriptions on it. No worker yet.
   *
   * @example
   * ```ts
   * const fleet = await Fleet.start({ shards: 6 });
   * await Promise.all([fleet.spawn().up, fleet.spawn().up, fleet.spawn().up]);
   * ```
   */
  static async start(options: FleetOptions = {}): Promise<Fleet> {
    const shardCount = options.shards ?? 6;
    const redis = await startRunRedis(options.redisServer);
    let emulator: Emulator | undefined;
    try {
      emulator = await Emulator.start({ port: 0 });
      const channels = channelIds(options.channels ?? 50);
      authorizeChannels(emulator, channels);
      const conduitId = await setUp(emulator, shardCount, channels);
      return new Fleet(emulator, redis, conduitId, shardCount, channels, options);
    } catch (error) {
      await emulator?.close();
      await redis.stop();
      throw error;
    }
  }

  /** The workers started and not yet exited. */
  get workers(): readonly WorkerProcess[] {
    return this.#workers.filter((w) => w.alive);
  }

  /** Every worker started, exited ones included. */
  get allWorkers(): readonly WorkerProcess[] {
    return this.#workers;
  }

  /** Forks one more worker (`w1`, `w2`, ...); wait for its `up` to know it started. */
  spawn(): WorkerProcess {
    const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = this.emulator.clientOptions();
    const name = `w${String(++this.#named)}`;
    const config: WorkerConfig = {
      name,
      clientId,
      clientSecret,
      helixUrl,
      oauthUrl,
      eventSubWsUrl,
      conduitId: this.conduitId,
      redisUrl: this.redis.url,
      fleet: 'demo',
      reportEveryMs: 200,
      ...(this.#options.leaseTtlMs === undefined ? {} : { leaseTtlMs: this.#options.leaseTtlMs }),
      ...(this.#options.renewEveryMs === undefined ? {} : { renewEveryMs: this.#options.renewEveryMs }),
    };
    const worker = new WorkerProcess(config, this.#listener);
    this.#workers.push(worker);
    return worker;
  }

  /** Kills `worker` with SIGKILL and starts watching what follows (see {@link KillRecord}). */
  kill(worker: WorkerProcess): KillRecord {
    this.poll();
    const sessions = worker.sessions();
    const shards = this.#shards.filter((s) => s.worker === worker.name).map((s) => s.id);
    const at = Date.now();
    worker.kill();
    let fromSeq = this.#seq;
    for (let i = this.#ticks.length - 2; i >= 0 && (this.#ticks[i] ?? 0) >= at - KILL_LOOKBACK_MS; i -= 2) {
      fromSeq = this.#ticks[i + 1] ?? fromSeq;
    }
    const record: KillRecord = {
      worker: worker.name,
      at,
      shards,
      sessions,
      fromSeq,
      toSeq: -1,
      reboundMs: -1,
    };
    this.kills.push(record);
    this.#log(`${worker.name} killed with SIGKILL (it held shards ${shards.join(', ') || 'none'})`);
    return record;
  }

  /**
   * Freezes the run's Redis (SIGSTOP) for `ms` (less if the fleet is closed meanwhile), then thaws it (SIGCONT):
   * nothing answers meanwhile, connections stay open. Resolves with its record once thawed;
   * {@link OutageRecord.convergedMs} is set by a later {@link poll}.
   */
  async freezeRedis(ms: number): Promise<OutageRecord> {
    const record = this.#beginOutage('freeze');
    this.redis.freeze();
    try {
      await delay(ms, this.#closed.signal);
    } finally {
      this.redis.thaw();
      this.#endOutage(record);
    }
    return record;
  }

  /** Kills the run's Redis (SIGKILL) and starts it again, empty, on the same port, `downMs` later. */
  async restartRedis(downMs = 0): Promise<OutageRecord> {
    const record = this.#beginOutage('restart');
    try {
      await this.redis.restart(downMs);
    } finally {
      this.#endOutage(record);
    }
    return record;
  }

  #beginOutage(kind: OutageRecord['kind']): OutageRecord {
    this.poll();
    const bindings = new Map(this.#sessions);
    const record: OutageRecord = {
      kind,
      at: Date.now(),
      endedAt: -1,
      bindings,
      unserved: new Set(),
      incarnations: new Map(this.workers.map((w) => [w.name, w.state?.incarnation ?? null])),
      renewals: new Map(),
      convergedMs: -1,
    };
    this.outages.push(record);
    this.#log(`Redis ${kind === 'freeze' ? 'frozen (SIGSTOP)' : 'killed (SIGKILL) for a restart'}`);
    return record;
  }

  #endOutage(record: OutageRecord): void {
    this.poll();
    for (const worker of this.workers) record.renewals.set(worker.name, worker.state?.renewals ?? 0);
    record.endedAt = Date.now();
    this.#log(`Redis ${record.kind === 'freeze' ? 'thawed (SIGCONT)' : 'restarted, empty'}`);
  }

  /**
   * Two live workers both holding a lease on one shard, unfenced, in their latest states, each after a renewal made
   * since the overlap began: a conflict (see {@link fencing}).
   */
  #checkFencing(): void {
    this.fencing.samples++;
    const believers = new Map<string, Map<string, number>>();
    for (const worker of this.#workers) {
      const state = worker.state;
      if (!worker.alive || worker.killedAt > 0 || state === null || state.fenced) continue;
      for (const shard of state.owned) {
        const holders = believers.get(shard) ?? new Map<string, number>();
        holders.set(worker.name, state.renewals);
        believers.set(shard, holders);
      }
    }
    for (const shard of this.#overlaps.keys())
      if ((believers.get(shard)?.size ?? 0) < 2) this.#overlaps.delete(shard);
    for (const [shard, holders] of believers) {
      if (holders.size < 2) continue;
      let since = this.#overlaps.get(shard);
      if (since === undefined) {
        since = new Map<string, number>();
        this.#overlaps.set(shard, since);
        this.fencing.overlaps++;
      }
      for (const name of since.keys()) if (!holders.has(name)) since.delete(name);
      const workers: string[] = [];
      for (const [name, renewals] of holders) {
        const first = since.get(name);
        if (first === undefined) since.set(name, renewals);
        else if (renewals > first) workers.push(name);
      }
      if (workers.length < 2) continue;
      this.fencing.conflicts.push({ at: Date.now(), shard, workers });
      this.#log(`fencing: shard ${shard} held unfenced by ${workers.join(' and ')}, renewed by each`);
    }
  }

  /** Every live worker holds shards and no two hold more than one apart (as the emulator binds them). */
  fairShare(): boolean {
    const counts = new Map<string, number>(this.workers.map((w) => [w.name, 0]));
    for (const shard of this.#shards)
      if (shard.worker !== null) counts.set(shard.worker, (counts.get(shard.worker) ?? 0) + 1);
    const values = [...counts.values()];
    return values.length > 0 && Math.min(...values) > 0 && Math.max(...values) - Math.min(...values) <= 1;
  }

  /**
   * Converged: every shard bound (emulator) to a live worker, fair shares, and every live worker reporting, since
   * `since`, that it is unfenced, holds the lease of exactly the shards it serves, and serves the shards bound to it;
   * so every shard is bound once and owned once.
   */
  converged(since = 0): boolean {
    this.poll();
    return this.#converged(since);
  }

  #converged(since: number): boolean {
    if (!this.#allBoundNow() || !this.fairShare()) return false;
    const served = new Map<string, string>();
    for (const worker of this.workers) {
      const state = worker.state;
      if (state === null || worker.stateAt < since || state.fenced) return false;
      const ids = state.shards.filter(([, session]) => session !== null).map(([id]) => id);
      const owned = new Set(state.owned);
      if (ids.length !== owned.size || ids.some((id) => !owned.has(id))) return false;
      for (const id of ids) {
        if (served.has(id)) return false;
        served.set(id, worker.name);
      }
    }
    return this.#shards.every((s) => served.get(s.id) === s.worker);
  }

  /** Plays traffic at `rate` events per second (all channels together) until {@link stopTraffic}. */
  startTraffic(rate: number): void {
    this.stopTraffic();
    const started = Date.now();
    let emitted = 0;
    this.#traffic = setInterval(() => {
      this.#closeKills();
      let due = Math.floor((rate * (Date.now() - started)) / 1000) - emitted;
      if (due > rate) {
        emitted += due - rate;
        due = rate;
      }
      if (due > 0) this.#ticks.push(Date.now(), this.#seq);
      for (let i = 0; i < due; i++) {
        emitted++;
        this.#trigger();
      }
    }, 20);
  }

  stopTraffic(): void {
    if (this.#traffic !== undefined) clearInterval(this.#traffic);
    this.#traffic = undefined;
    this.#closeKills();
  }

  #trigger(): void {
    const index = Math.floor(this.#random() * this.channels.length);
    const channel = this.channels[index] ?? '';
    const mix = pickMix(this.#random() * MIX_TOTAL);
    const seq = this.#seq++;
    const result = this.emulator.trigger({
      type: mix.type,
      version: mix.version,
      condition: { [mix.key]: channel },
      event: { [SEQ_FIELD]: seq },
    });
    this.#seqs[seq] = index * 4 + (result.delivered > 0 ? DELIVERED : 0);
  }

  /** Ends the kill windows whose sessions the emulator has closed: later events cannot reach the dead process. */
  #closeKills(): void {
    const open = this.kills.filter((k) => k.toSeq === -1);
    if (open.length === 0) return;
    const live = new Set<string>();
    for (const session of this.emulator.state().sessions)
      if (session.status !== 'closed') live.add(session.id);
    for (const kill of open) {
      if (![...kill.sessions].some((id) => live.has(id))) kill.toSeq = this.#seq - 1;
    }
  }

  #handled(worker: WorkerProcess, message: WorkerHandled): void {
    const d = message.d;
    let count = 0;
    for (let i = 0; i + 2 < d.length; i += 3) {
      const id = d[i];
      const seq = d[i + 1];
      const shard = String(d[i + 2]);
      if (typeof id !== 'string' || !this.#ledger.record(id)) continue;
      count++;
      if (typeof seq === 'number' && seq >= 0 && seq < this.#seq)
        this.#seqs[seq] = (this.#seqs[seq] ?? 0) | HANDLED;
      this.#byShard.set(shard, (this.#byShard.get(shard) ?? 0) + 1);
    }
    this.#byWorker.set(worker.name, (this.#byWorker.get(worker.name) ?? 0) + count);
  }

  /** Reads the emulator's shards and who holds them; advances the kills' takeover clocks. Cheap enough for 20 Hz. */
  poll(): void {
    const conduit = this.emulator.state().conduits.find((c) => c.id === this.conduitId);
    const owner = new Map<string, string>();
    for (const worker of this.#workers) {
      if (!worker.alive || worker.killedAt > 0) continue;
      for (const session of worker.sessions()) owner.set(session, worker.name);
    }
    this.#sessions.clear();
    this.#shards = (conduit?.shards ?? []).map((shard) => {
      const transport = shard.transport as { session_id?: unknown };
      const session = typeof transport.session_id === 'string' ? transport.session_id : '';
      if (shard.status === 'enabled') this.#sessions.set(shard.id, session);
      return {
        id: shard.id,
        status: shard.status,
        worker: shard.status === 'enabled' ? (owner.get(session) ?? null) : null,
        events: this.#byShard.get(shard.id) ?? 0,
      };
    });
    const now = Date.now();
    for (const kill of this.kills) {
      if (kill.reboundMs >= 0) continue;
      const bound = kill.shards.every((id) => this.#shards.find((s) => s.id === id)?.worker != null);
      if (bound) {
        kill.reboundMs = now - kill.at;
        this.#log(
          `shards ${kill.shards.join(', ')} of ${kill.worker} bound to survivors ${(kill.reboundMs / 1000).toFixed(1)} s after the kill`,
        );
      }
    }
    this.#watchOutages(now);
  }

  #watchOutages(now: number): void {
    if (this.outages.length === 0) return;
    for (const outage of this.outages) {
      if (outage.endedAt === -1) {
        for (const [id, session] of outage.bindings)
          if (this.#sessions.get(id) !== session) outage.unserved.add(id);
      } else if (outage.convergedMs === -1 && this.#recovered(outage) && this.#converged(outage.endedAt)) {
        outage.convergedMs = now - outage.endedAt;
        this.#log(`converged ${(outage.convergedMs / 1000).toFixed(1)} s after Redis came back`);
      }
    }
  }

  /** Every live worker renewed its lease since Redis came back; after a restart, under a new registration. */
  #recovered(outage: OutageRecord): boolean {
    return this.workers.every((w) => {
      const state = w.state;
      if (state === null || state.renewals <= (outage.renewals.get(w.name) ?? 0)) return false;
      return outage.kind !== 'restart' || state.incarnation !== (outage.incarnations.get(w.name) ?? null);
    });
  }

  /** The shards, their status and holder, as of the last {@link poll}. */
  get shards(): readonly FleetShard[] {
    return this.#shards;
  }

  /** Distinct notifications handled per worker. */
  get handledByWorker(): ReadonlyMap<string, number> {
    return this.#byWorker;
  }

  /** Whether every shard is enabled and bound to a live worker. */
  allBound(): boolean {
    this.poll();
    return this.#allBoundNow();
  }

  #allBoundNow(): boolean {
    return this.#shards.length === this.shardCount && this.#shards.every((s) => s.worker !== null);
  }

  /** Resolves when `check()` is true (checked every 50 ms); rejects after `timeoutMs` naming `what`. */
  async waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
      await delay(50);
    }
  }

  /** Stops the traffic, then waits until every shard is bound again and every delivered event is accounted for. */
  async drain(timeoutMs = 15_000): Promise<void> {
    this.stopTraffic();
    this.emulator.setFaults({ duplicateRate: 0 });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.allBound()) await delay(50);
    while (Date.now() < deadline && !this.#settled()) await delay(50);
    await delay(100);
  }

  #settled(): boolean {
    const a = this.account();
    return a.handled + a.inKilledSockets >= a.deliveredBySender;
  }

  /** Turns on the emulator's duplicate injection (the rate of the options). */
  injectDuplicates(): void {
    this.emulator.setFaults({ duplicateRate: this.#options.duplicateRate ?? 0.02 });
  }

  /** The accounting so far (final once drained). */
  account(): FleetAccounting {
    const { counters, helix } = this.emulator.state();
    // Only the kill windows are read: delivered, never handled, on a shard the killed process held.
    const inKilledSeqs = new Set<number>();
    for (const kill of this.kills) {
      const last = kill.toSeq === -1 ? this.#seq - 1 : kill.toSeq;
      for (let seq = kill.fromSeq; seq <= last; seq++) {
        const info = this.#seqs[seq] ?? 0;
        if ((info & (DELIVERED | HANDLED)) !== DELIVERED) continue;
        if (kill.shards.includes(String(this.#home[info >> 2] ?? -1))) inKilledSeqs.add(seq);
      }
    }
    const inKilled = inKilledSeqs.size;
    let suppressed = 0;
    for (const worker of this.#workers) suppressed += worker.state?.suppressed ?? 0;
    const base = accountRun(counters, this.#ledger, suppressed);
    return {
      ...base,
      lost: Math.max(0, base.lost - inKilled),
      inKilledSockets: inKilled,
      rateLimited: helix.rate_limited,
    };
  }

  /** Stops the traffic, every worker (SIGKILL after 5 s), the emulator and Redis. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed.abort();
      this.stopTraffic();
      clearInterval(this.#monitor);
      await Promise.all(this.#workers.map((w) => w.stop(5000)));
      await this.emulator.close();
      await this.redis.stop();
    })();
    return this.#closing;
  }
}

/** Creates the conduit and every channel's subscriptions on it, as an operator would once; returns its id. */
async function setUp(emulator: Emulator, shardCount: number, channels: readonly string[]): Promise<string> {
  const { clientId, clientSecret, helixUrl, oauthUrl } = emulator.clientOptions();
  const helix = new HelixClient({ clientId, clientSecret, helixUrl, oauthUrl });
  try {
    const conduit = await helix.eventSub.createConduit({ shardCount });
    const requests = toWireRequests(channels.flatMap((id) => channelSubscriptions(id)));
    const transport = { method: 'conduit', conduitId: conduit.id } as const;
    for (let i = 0; i < requests.length; i += 16) {
      await Promise.all(
        requests
          .slice(i, i + 16)
          .map((r) => helix.eventSub.createSubscription({ ...r, condition: { ...r.condition }, transport })),
      );
    }
    return conduit.id;
  } finally {
    helix.close();
  }
}
