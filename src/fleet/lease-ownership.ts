/**
 * Shard leases in Redis: an {@link OwnershipStrategy} for a fleet of processes sharing one conduit. Each node keeps
 * a key with a TTL (its liveness, judged by Redis's clock) and renews it with one Lua script per period, which also
 * tells it which shards its lease still holds, the live nodes and their loads, and the leader. A node that cannot
 * renew fences itself before its lease can have expired (it binds and reclaims nothing, and keeps delivering on the
 * shards already bound); free shards are claimed up to the fair share, and a node below it steals from the most
 * loaded, make-before-break. See docs/scale-out.md, "Leases and rebalancing".
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { TypedEmitter } from '../core/emitter.js';
import { toError } from '../core/guards.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {} from '../core/options.js';
import type { OwnershipContext, OwnershipStrategy, ShardBinding } from '../eventsub/conduit/ownership.js';
import { FleetError, RedisError } from './errors.js';
import {
  resolveLeaseOptions,
  type FleetCounters,
  type FleetEventMap,
  type FleetSnapshot,
  type RedisOwnershipOptions,
} from './lease-options.js';
import { planRound } from './rebalance.js';
import { badReply, callRedis, type RedisCallOptions, type RedisConnection } from './redis.js';
import {
  BOUND,
  CLAIM,
  ENTRIES,
  LEAVE,
  REGISTER,
  RENEW,
  STEAL,
  TRIM,
  parseEntry,
  parseRegister,
  parseRenew,
  parseTaken,
  type RenewView,
} from './scripts.js';
import type { RedisScript } from './redis.js';

/**
 * Shard leases in Redis for a fleet of AutoClients sharing one conduit: pass it as the AutoClient's `ownership`.
 *
 * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, naming the field) for a bad option.
 *
 * @example
 * ```ts
 * import { AutoClient } from 'twitch-realtime';
 * import { connectRedis, redisOwnership } from 'twitch-realtime/fleet';
 *
 * const redis = await connectRedis('redis://127.0.0.1:6379');
 * const ownership = redisOwnership({ redis, fleet: 'chat-bot' });
 * ownership.on('error', (error) => log.warn(error.message));
 * const client = new AutoClient({ clientId, clientSecret, ownership });
 * await client.start(); // this process's fair share of the conduit's shards
 * // ... on shutdown: hands its shards over to the others, then closes
 * await client.close();
 * await redis.close();
 * ```
 */
export function redisOwnership(options: RedisOwnershipOptions): FleetOwnership {
  return new FleetOwnership(options);
}

/** Fields per `HSCAN` of the owners hash (a hint to Redis; a chunk may hold a few more). */
const OWNERS_CHUNK = 1_000;
/** Chunks after which a scan that has not ended is a bad reply (20,000 shards take about 20). */
const MAX_OWNERS_CHUNKS = 1_000;

/** No leases known (not registered). */
const NO_LEASES: ReadonlyMap<string, unknown> = new Map();

/** A stored grant's lease: its fencing token and state. */
interface Lease {
  token: string;
  state: string;
}

/**
 * The strategy {@link redisOwnership} returns: an {@link OwnershipStrategy} plus what an operator watches (see
 * {@link FleetEventMap}, {@link FleetOwnership.snapshot}, {@link FleetOwnership.counters}).
 *
 * @example
 * ```ts
 * const ownership = redisOwnership({ redis, fleet: 'chat-bot' });
 * ownership.on('fenced', () => log.warn('Redis unreachable: serving what is bound, binding nothing'));
 * ownership.on('leaderChanged', (leader, isLeader) => log.info('leader', { leader, isLeader }));
 * setInterval(() => metrics.gauge('fleet.shards', ownership.snapshot().owned.length), 10_000);
 * ```
 */
export class FleetOwnership extends TypedEmitter<FleetEventMap> implements OwnershipStrategy {
  /** This node's id. */
  readonly nodeId: string;
  /** Counters since creation (live object). */
  readonly counters: FleetCounters = {
    renewals: 0,
    renewalFailures: 0,
    registrations: 0,
    claims: 0,
    steals: 0,
    releases: 0,
    redisErrors: 0,
  };

  readonly #redis: RedisConnection;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #keys: readonly string[];
  readonly #ttl: number;
  readonly #every: number;
  readonly #fenceAfter: number;
  readonly #maxMoves: number | undefined;
  readonly #call: RedisCallOptions;
  readonly #handoverMs: number;
  readonly #mono: () => number;
  readonly #ownersEvery: number;

  #context: OwnershipContext | null = null;
  /** Current incarnation (`null`: not registered, or lost). */
  #inc: string | null = null;
  /** The incarnation before, after a loss (its leader lease, if still there, is carried over). */
  #lastInc = '';
  #registering: Promise<void> | null = null;
  #registered = false;
  /** Send time (monotonic) of the last successful renewal or registration. */
  #lastOk = -Infinity;
  #lastSent = -Infinity;
  /** No free shard is claimed before this (monotonic): after a re-registration, the others re-register too. */
  #claimAfter = -Infinity;
  #leader: string | null = null;
  #loads = new Map<string, number>();
  /** The leases this incarnation holds, as of the last renewal (and its own claims since). */
  #mine = new Map<string, Lease>();
  /** The last full view read, with the shard count and incarnation it was read for. */
  #view: { view: RenewView; count: number; inc: string } | null = null;
  /** Served shards this node's lease no longer holds: since when (monotonic). */
  readonly #moved = new Map<string, number>();
  /** Served shards seen held by another transport (health check): since when (monotonic). */
  readonly #foreign = new Map<string, number>();
  /** Shards bound to this process's transports, with the token of their grant. */
  readonly #bound = new Map<string, string | null>();
  readonly #pendingBound = new Map<string, string>();
  #flushing: Promise<void> | null = null;
  #timer: TimerHandle | undefined;
  #fenceTimer: TimerHandle | undefined;
  #round: Promise<void> | null = null;
  #again = false;
  /** This round already ran once more because a claim or steal came short (at most once per period). */
  #retried = false;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  /** Another process registered under this node id: never registers again. */
  #displaced = false;
  /** The incarnations of this node's last registrations (sent, answered or not). */
  readonly #sentIncs: string[] = [];
  #fencedReported = false;
  /** Grants of the first round, awaited by `start()` (so that `ready` lists them). */
  #collect: Promise<void>[] | null = null;
  /** Every shard's owner node as of the last read of the owners hash (only live nodes'; none before a read). */
  #fleetOwners: ReadonlyMap<string, string> = new Map();
  /** When `owners()` was last called (monotonic): the owners hash is read only while someone asks. */
  #ownersAsked = -Infinity;
  /** The last answer of `owners()`, with the read it merged and how many of its shards were this node's. */
  #merged: { read: ReadonlyMap<string, string>; own: number; map: ReadonlyMap<string, string> } | null = null;
  /** When the last read of the owners hash was sent (monotonic). */
  #ownersReadAt = -Infinity;
  #ownersTimer: TimerHandle | undefined;
  /** The read in flight (never two at once). */
  #ownersRead: Promise<void> | null = null;
  /** Ends the waits of `#sleep` (on `stop()`). */
  readonly #wake = new Set<() => void>();

  /** Use {@link redisOwnership}. */
  constructor(options: RedisOwnershipOptions) {
    const resolved = resolveLeaseOptions(options);
    super(options.logger === undefined ? {} : { logger: options.logger });
    this.#redis = options.redis;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.nodeId = resolved.nodeId;
    this.#ttl = resolved.leaseTtlMs;
    this.#every = resolved.renewEveryMs;
    this.#fenceAfter = resolved.fenceAfterMs;
    this.#maxMoves = options.maxMovesPerRound;
    this.#call = { timeoutMs: options.redisTimeoutMs ?? this.#every, clock: this.#clock };
    this.#handoverMs = options.handoverMs ?? 2 * this.#every;
    this.#ownersEvery = resolved.ownersRefreshMs;
    this.#prefix = `tr:{${options.fleet}}:`;
    this.#keys = ['node:' + this.nodeId, 'nodes', 'owners', 'leader', 'token', 'version', 'leases'].map(
      (k) => this.#prefix + k,
    );
    const clock = this.#clock;
    // Elapsed time only: the system clock's wall time may jump, performance.now() does not.
    this.#mono = clock === systemClock ? () => performance.now() : () => clock.now();
  }

  /** Whether this node leads the conduit-wide work (its leader lease, as of its last renewal, and not fenced). */
  get isLeader(): boolean {
    return this.#inc !== null && !this.fenced && this.#leader === `${this.nodeId}|${this.#inc}`;
  }

  /**
   * Whether this node is fenced: not registered, or its last successful renewal is old enough that its lease may
   * have expired in Redis. While fenced, it binds and reclaims nothing and claims nothing; shards already bound
   * keep delivering.
   */
  get fenced(): boolean {
    return this.#inc === null || this.#mono() - this.#lastOk >= this.#fenceAfter;
  }

  /**
   * The conduit the fleet serves, as recorded by the last node that started (`null`: none yet). For processes that
   * start without a `conduitId`: a follower is not allowed to create the conduit (`CONDUIT_NOT_FOUND`), so it can
   * wait for the leader's and pass it.
   *
   * @throws {@link RedisError} (rejects) when Redis does not answer.
   *
   * @example
   * ```ts
   * const conduitId = await ownership.conduitId(); // e.g. after a CONDUIT_NOT_FOUND, before starting again
   * ```
   */
  async conduitId(): Promise<string | null> {
    const reply = await callRedis(this.#redis, ['GET', `${this.#prefix}conduit`], this.#call);
    if (reply !== null && typeof reply !== 'string') throw badReply('GET', 'a conduit id');
    return reply;
  }

  /** What this node knows of the fleet, as of its last renewal. */
  snapshot(): FleetSnapshot {
    const leader = this.#leader?.split('|')[0] ?? null;
    return {
      nodeId: this.nodeId,
      incarnation: this.#inc,
      leader,
      isLeader: this.isLeader,
      fenced: this.fenced,
      nodes: [...this.#loads]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([nodeId, shards]) => ({ nodeId, shards, leader: nodeId === leader })),
      owned: [...this.#mine.keys()].sort((a, b) => Number(a) - Number(b)),
    };
  }

  // ---- the OwnershipStrategy ----------------------------------------------------------------------------------

  /**
   * The owner node of each shard of the fleet's conduit, for the dashboard (`AutoClient.view()`): the last read of
   * the fleet's owners hash (shards of live nodes, as of this node's last renewal), merged with this node's own
   * leases (as of its last renewal, and its claims since), which win. Sync and cheap: no Redis round trip here.
   *
   * Calling it is what asks for the fleet's owners: the first call starts a background read of the owners hash
   * (`HSCAN` in chunks), repeated every `ownersRefreshMs` while calls keep coming (one within two periods), then
   * stopped; so the first call shows only this node's shards, and a fleet nobody watches reads nothing. A failed
   * read is an `error` event ({@link RedisError}); the last known owners stay. This node's own shards are known
   * only while it is registered.
   *
   * @example
   * ```ts
   * const ownership = redisOwnership({ redis, fleet: 'chat-bot', ownersRefreshMs: 2_000 });
   * setInterval(() => {
   *   const byNode = new Map<string, number>();
   *   for (const node of ownership.owners().values()) byNode.set(node, (byNode.get(node) ?? 0) + 1);
   *   log.info('shards per node', Object.fromEntries(byNode));
   * }, 2_000);
   * ```
   */
  owners(): ReadonlyMap<string, string> {
    this.#askOwners();
    const mine = this.#inc === null ? NO_LEASES : this.#mine;
    // Called once per dashboard tick: the merge (20,000 shards: about 2.5 ms) is redone only when the read or this
    // node's leases changed (checked in O(own shards)).
    const cached = this.#merged;
    if (cached?.read === this.#fleetOwners && cached.own === mine.size) {
      let same = true;
      for (const id of mine.keys()) {
        if (cached.map.get(id) !== this.nodeId) {
          same = false;
          break;
        }
      }
      if (same) return cached.map;
    }
    const map = new Map<string, string>();
    // Another node's shard, or this node's as Redis last said: this node's own leases are fresher for its own.
    for (const [id, node] of this.#fleetOwners) if (node !== this.nodeId) map.set(id, node);
    for (const id of mine.keys()) map.set(id, this.nodeId);
    this.#merged = { read: this.#fleetOwners, own: mine.size, map };
    return map;
  }

  /** Registers (once) and answers from the leader lease: `'create'` at start-up is decided once fleet-wide. */
  async leader(): Promise<boolean> {
    await this.#ensureRegistered();
    return this.isLeader;
  }

  /** Registers, claims this node's first shards (awaited: the client's `ready` lists them), then renews. */
  async start(context: OwnershipContext): Promise<void> {
    if (this.#stopping) return;
    this.#context = context;
    await this.#ensureRegistered();
    await callRedis(this.#redis, ['SET', `${this.#prefix}conduit`, context.conduitId], this.#call).catch(
      (error: unknown) => {
        this.#report(error);
      },
    );
    await this.#sleep(this.#claimAfter - this.#mono(), context.signal);
    // Over, even if the timer fired a hair before the monotonic clock agreed.
    this.#claimAfter = Math.min(this.#claimAfter, this.#mono());
    const grants: Promise<void>[] = [];
    this.#collect = grants;
    try {
      await this.#runRound();
    } finally {
      this.#collect = null;
    }
    await Promise.all(grants);
  }

  /** Removes the entries of shards that no longer exist, then rebalances at once. */
  async shardCountChanged(shardCount: number): Promise<void> {
    for (const id of this.#mine.keys()) if (Number(id) >= shardCount) this.#mine.delete(id);
    await this.#script(TRIM, [String(shardCount)]).catch((error: unknown) => {
      this.#report(error);
    });
    await this.#runRound();
  }

  shardBound(shardId: string, binding: ShardBinding): void {
    this.#bound.set(shardId, binding.token);
    this.#foreign.delete(shardId);
    const lease = this.#mine.get(shardId);
    if (lease?.state === 'claimed' && binding.token === lease.token) {
      this.#pendingBound.set(shardId, lease.token);
      this.#flushBound();
    }
  }

  shardLost(shardId: string): void {
    this.#bound.delete(shardId);
  }

  mayBind(shardId: string): boolean {
    return !this.#stopping && !this.fenced && this.#mine.has(shardId);
  }

  /**
   * Take back a shard another transport holds only on a fresh word from Redis: the first time, answer no and
   * renew now; afterwards, yes when a renewal sent after that moment still gave the shard to this node. A move not
   * yet seen (make-before-break) is then never fought.
   */
  mayReclaim(shardId: string): boolean {
    if (this.#stopping || this.fenced || !this.#mine.has(shardId)) return false;
    const seen = this.#foreign.get(shardId);
    if (seen === undefined) {
      this.#foreign.set(shardId, this.#mono());
      this.#schedule(0);
      return false;
    }
    return this.#lastOk > seen;
  }

  /**
   * Leaves the fleet at once (node key, membership and leader lease deleted, so that the others take its shards
   * at their next renewal instead of after a TTL), then waits (at most `handoverMs`) until each shard it served is
   * bound by another node: the client closes its transports after that (make-before-break).
   */
  stop(): Promise<void> {
    // A second call (or a close() racing a close()) resolves with the first, after its handover.
    this.#stopped ??= this.#stopNow();
    return this.#stopped;
  }

  async #stopNow(): Promise<void> {
    this.#stopping = true;
    this.#clearTimers();
    for (const wake of [...this.#wake]) wake();
    await this.#round;
    await this.#flushing;
    await this.#registering?.catch(() => undefined);
    const inc = this.#inc;
    if (inc === null) return;
    const others = [...this.#loads.keys()].some((node) => node !== this.nodeId);
    const served = this.#context?.owned() ?? [];
    try {
      await this.#script(LEAVE, [], inc);
    } catch (error) {
      this.#report(error);
      return;
    } finally {
      this.#inc = null;
      this.#mine.clear();
    }
    if (!others || served.length === 0 || this.#handoverMs === 0) return;
    await this.#handover(served, inc);
  }

  // ---- rounds ----------------------------------------------------------------------------------------------

  #ensureRegistered(): Promise<void> {
    if (this.#registered || this.#stopping) return Promise.resolve();
    return this.#register();
  }

  #register(): Promise<void> {
    // Once stopping, never again: stop() deletes the registration it awaited, and one made after that would hold
    // a node key (and maybe the leader lease) for a TTL with nobody renewing it.
    if (this.#stopping || this.#displaced) return Promise.resolve();
    this.#registering ??= this.#registerNow().finally(() => {
      this.#registering = null;
    });
    return this.#registering;
  }

  async #registerNow(): Promise<void> {
    const old = this.#inc ?? this.#lastInc;
    const inc = randomBytes(8).toString('hex');
    this.#sentIncs.push(inc);
    if (this.#sentIncs.length > 16) this.#sentIncs.shift();
    // Sticky: the shards still served (not those already seen taken) are taken back when nobody holds them.
    const served = (this.#context?.owned() ?? []).filter((id) => !this.#moved.has(id));
    const pairs = served.flatMap((id) => [id, this.#bound.has(id) ? 'bound' : 'claimed']);
    const sent = this.#mono();
    const reply = parseRegister(await this.#script(REGISTER, [String(this.#ttl), old, ...pairs], inc));
    this.#inc = inc; // also when stopping meanwhile: stop() then deletes this registration
    this.#lastInc = inc;
    if (this.#stopping) return;
    this.counters.registrations++;
    this.#registered = true;
    this.#lastOk = sent;
    this.#lastSent = sent;
    // No free shard claimed for one period after a registration: the nodes starting (or re-registering after a
    // Redis outage) at about the same time see each other first, and share the shards out directly instead of
    // the first one binding them all and the others stealing them back. For a TTL after a registration that replaced
    // a lost one: a Redis restarted empty has lost the others' leases too, and a node that has not yet learnt it
    // (slow, cut off) still serves them unfenced until its last renewal (sent before the loss) + TTL - 10 %.
    this.#claimAfter = sent + (old === '' ? this.#every : this.#ttl);
    this.#armFence();
    this.#mine = new Map(
      reply.kept.map((id) => [id, { token: reply.token, state: this.#bound.has(id) ? 'bound' : 'claimed' }]),
    );
    // The bindings kept are the same; they now stand under the new lease.
    for (const id of reply.kept) if (this.#bound.has(id)) this.#bound.set(id, reply.token);
    this.#setLeader(reply.leader);
    this.#log('info', 'registered in the fleet', { kept: reply.kept.length, lost: reply.lost.length });
    if (reply.kept.length > 0) this.#grant(reply.kept, reply.token);
    if (reply.lost.length > 0) {
      this.emit('leaseLost', reply.lost);
      this.#revoke(reply.lost);
    }
    this.#checkFence();
  }

  /** Runs a round now (joining one in progress, then running once more). Never rejects. */
  #runRound(): Promise<void> {
    if (this.#round !== null) {
      this.#again = true;
      return this.#round;
    }
    this.#round = (async () => {
      try {
        do {
          this.#again = false;
          await this.#once();
        } while (this.#wantsAnother());
      } finally {
        this.#round = null;
        if (!this.#stopping && !this.#displaced)
          this.#schedule(Math.max(0, this.#lastSent + this.#every - this.#mono()));
      }
    })();
    return this.#round;
  }

  /** A round was asked for while one ran (read through a method: the flags change across awaits). */
  #wantsAnother(): boolean {
    return this.#again && !this.#stopping;
  }

  /** Stopping, or the incarnation changed, while a reply was awaited. */
  #superseded(inc: string): boolean {
    return this.#stopping || this.#inc !== inc;
  }

  #schedule(delay: number): void {
    if (this.#stopping) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#retried = false;
      void this.#runRound();
    }, delay);
  }

  /** One renewal and rebalance. Never rejects: failures are reported. */
  async #once(): Promise<void> {
    try {
      if (this.#inc === null) await this.#register();
      const inc = this.#inc;
      if (inc === null || this.#stopping) return;
      const count = this.#context?.shardCount ?? 0;
      const sent = this.#mono();
      this.#lastSent = sent;
      const cached = this.#view;
      const known =
        cached !== null && cached.count === count && cached.inc === inc ? cached.view.version : '';
      const reply = parseRenew(await this.#script(RENEW, [String(this.#ttl), String(count), known], inc));
      if (this.#superseded(inc)) return;
      if (reply !== null && 'displacedBy' in reply) {
        this.#displace(reply.displacedBy);
        return;
      }
      if (reply === null) {
        this.#lose();
        this.#again = true;
        return;
      }
      let view: RenewView;
      if ('unchanged' in reply) {
        if (cached === null) throw badReply('EVALSHA renew', 'a full view');
        view = { ...cached.view, leader: reply.leader };
      } else {
        view = reply;
        this.#view = { view, count, inc };
      }
      this.counters.renewals++;
      this.#lastOk = sent;
      this.#armFence();
      this.#checkFence();
      this.#apply(view);
      await this.#settleMoved(view);
      await this.#rebalance(view, inc);
    } catch (error) {
      if (!this.#stopping) {
        this.counters.renewalFailures++;
        this.#report(error);
      }
    } finally {
      this.#checkFence();
    }
  }

  /**
   * Another process registered under this node id (the newest registration wins): fenced for good, never
   * registering again (taking the id back at every renewal would churn every shard of the fleet).
   */
  #displace(incarnation: string): void {
    if (this.#sentIncs.includes(incarnation)) {
      // One of this node's own registrations, whose answer was lost, landed after the one it uses (a connection
      // that can reorder, such as a pool): not another process.
      this.#lose();
      this.#again = true;
      return;
    }
    this.#inc = null;
    this.#displaced = true;
    this.#clearTimers();
    this.#log('warn', 'node id registered by another process: fenced for good');
    this.#report(
      new FleetError(
        'FLEET_NODE_ID_IN_USE',
        `another process registered in the fleet as '${this.nodeId}': this one is fenced for good and binds nothing`,
        this.nodeId,
      ),
    );
    this.#checkFence();
  }

  /** The incarnation is gone from Redis (expired, or Redis restarted): fenced until registered again. */
  #lose(): void {
    this.#inc = null;
    this.#log('warn', 'lease lost: registering again');
    this.#checkFence();
  }

  #apply(view: RenewView): void {
    this.#setLeader(view.leader);
    this.#loads = view.loads;
    const before = this.#mine;
    this.#mine = new Map(view.mine);
    const lost = [...before.keys()].filter((id) => !view.mine.has(id));
    if (lost.length > 0) this.emit('leaseLost', lost);
    const context = this.#context;
    if (context === null) return;
    const served = new Set(context.owned());
    const now = this.#mono();
    for (const id of served) if (!this.#mine.has(id) && !this.#moved.has(id)) this.#moved.set(id, now);
    for (const id of this.#moved.keys()) if (this.#mine.has(id) || !served.has(id)) this.#moved.delete(id);
    const regrant = new Map<string, string[]>();
    for (const [id, lease] of this.#mine) {
      if (Number(id) >= context.shardCount) continue;
      if (!served.has(id)) {
        const ids = regrant.get(lease.token) ?? [];
        ids.push(id);
        regrant.set(lease.token, ids);
      } else if (lease.state === 'claimed' && this.#bound.has(id) && this.#bound.get(id) === lease.token) {
        // Bound, but the mark did not reach Redis: mark it again.
        this.#pendingBound.set(id, lease.token);
      }
    }
    for (const [token, ids] of regrant) this.#grant(ids, token);
    if (this.#pendingBound.size > 0) this.#flushBound();
  }

  /** Served shards now held by another node: revoked once bound there (or after a TTL if never bound). */
  async #settleMoved(view: RenewView): Promise<void> {
    if (this.#moved.size === 0) return;
    const ids = [...this.#moved.keys()];
    const reply = await this.#script(ENTRIES, ids);
    if (!Array.isArray(reply) || reply.length !== ids.length)
      throw badReply('EVALSHA entries', 'one per shard');
    const now = this.#mono();
    const release: string[] = [];
    ids.forEach((id, i) => {
      const entry = parseEntry(reply[i]);
      const taken =
        entry !== null && entry.node !== this.nodeId && view.loads.has(entry.node) && entry.state === 'bound';
      if (taken || now - (this.#moved.get(id) ?? now) >= this.#ttl) release.push(id);
    });
    if (release.length > 0) this.#revoke(release);
  }

  async #rebalance(view: RenewView, inc: string): Promise<void> {
    const context = this.#context;
    if (context === null || this.#stopping || this.fenced) return;
    // (1 ms of slack: the renewal timer may fire a hair before the monotonic clock reaches the end of the warm-up.)
    const free = this.#mono() + 1 < this.#claimAfter ? [] : view.free;
    const warming = free.length === 0 && view.free.length > 0;
    const plan = planRound({
      shardCount: context.shardCount,
      self: this.nodeId,
      loads: view.loads,
      free,
      ...(warming ? { maxMoves: 0 } : this.#maxMoves === undefined ? {} : { maxMoves: this.#maxMoves }),
    });
    if (plan.claim.length > 0 && !(await this.#take(CLAIM, plan.claim, inc, 'claims', plan.claim.length)))
      return;
    if (plan.steal.length > 0) {
      const args = plan.steal.flatMap((s) => [s.victim, String(s.count), String(s.keep)]);
      const planned = plan.steal.reduce((sum, s) => sum + s.count, 0);
      await this.#take(STEAL, args, inc, 'steals', planned);
    }
  }

  /**
   * Runs the claim or the steal script and takes what it gave. False when this node must stop the round: its
   * incarnation was displaced, or its registration is gone.
   */
  async #take(
    script: RedisScript,
    args: readonly string[],
    inc: string,
    counter: 'claims' | 'steals',
    planned: number,
  ): Promise<boolean> {
    const what = counter === 'claims' ? 'EVALSHA claim' : 'EVALSHA steal';
    const taken = parseTaken(await this.#script(script, args, inc), what);
    if (taken !== null && 'displacedBy' in taken) {
      this.#displace(taken.displacedBy);
      return false;
    }
    if (taken === null) {
      this.#lose();
      return false;
    }
    this.#took(taken.shards, taken.token, counter);
    this.#retryIfShort(taken.shards.length, planned);
    return true;
  }

  /**
   * Another node took some of the shards planned (two nodes planning at once, on views read a moment apart, as
   * when several see a dead node's key expire): plan again at once on a fresh view, once per period, instead of
   * leaving the rest for the next period.
   */
  #retryIfShort(got: number, planned: number): void {
    if (got >= planned || this.#retried) return;
    this.#retried = true;
    this.#again = true;
  }

  #took(shards: readonly string[], token: string, counter: 'claims' | 'steals'): void {
    if (shards.length === 0 || this.#stopping) return;
    for (const id of shards) {
      this.#mine.set(id, { token, state: 'claimed' });
      this.#moved.delete(id);
    }
    this.counters[counter] += shards.length;
    this.#log('debug', counter === 'claims' ? 'claimed free shards' : 'stole shards', {
      count: shards.length,
    });
    this.emit('claimed', shards, token);
    this.#grant(shards, token);
  }

  #grant(ids: readonly string[], token: string): void {
    const context = this.#context;
    if (context === null) return;
    const done = context.grant(ids, { token }).catch((error: unknown) => {
      this.#report(error);
    });
    this.#collect?.push(done);
  }

  #revoke(ids: readonly string[]): void {
    const context = this.#context;
    if (context === null) return;
    for (const id of ids) {
      this.#moved.delete(id);
      this.#foreign.delete(id);
      this.#bound.delete(id);
    }
    this.counters.releases += ids.length;
    context.revoke(ids).catch((error: unknown) => {
      this.#report(error);
    });
  }

  #flushBound(): void {
    if (this.#flushing !== null) return;
    this.#flushing = (async () => {
      try {
        while (this.#pendingBound.size > 0 && !this.#stopping) {
          const inc = this.#inc;
          if (inc === null) return;
          const batch = [...this.#pendingBound];
          this.#pendingBound.clear();
          await this.#script(
            BOUND,
            batch.flatMap(([id, token]) => [id, token]),
            inc,
          );
          for (const [id, token] of batch) {
            const lease = this.#mine.get(id);
            if (lease?.token === token) lease.state = 'bound';
          }
        }
      } catch (error) {
        this.#report(error);
      } finally {
        this.#flushing = null;
      }
    })();
  }

  async #handover(served: readonly string[], inc: string): Promise<void> {
    const deadline = this.#mono() + this.#handoverMs;
    const pollMs = Math.max(10, Math.floor(this.#every / 4));
    let left = [...served];
    while (left.length > 0 && this.#mono() < deadline) {
      await new Promise<void>((resolve) => {
        this.#clock.setTimeout(resolve, pollMs, { ref: true });
      });
      try {
        // Nobody left to take them (the whole fleet stopping): no reason to wait.
        const members = await callRedis(this.#redis, ['SCARD', this.#keys[1] ?? ''], this.#call);
        if (members === 0) break;
        const reply = await this.#script(ENTRIES, left, inc);
        if (!Array.isArray(reply) || reply.length !== left.length)
          throw badReply('EVALSHA entries', 'one per shard');
        left = left.filter((_, i) => {
          const entry = parseEntry(reply[i]);
          return !(
            entry !== null &&
            entry.state === 'bound' &&
            (entry.node !== this.nodeId || entry.incarnation !== inc)
          );
        });
      } catch (error) {
        this.#report(error);
        return;
      }
    }
    this.counters.releases += served.length - left.length;
    this.#log('info', 'left the fleet', { handedOver: served.length - left.length, left: left.length });
  }

  // ---- the fleet's owners (for the dashboard) ------------------------------------------------------------------

  /** Someone asked for the owners: the periodic read runs (started at once if it was idle). */
  #askOwners(): void {
    this.#ownersAsked = this.#mono();
    if (this.#stopping || this.#displaced || this.#ownersTimer !== undefined || this.#ownersRead !== null)
      return;
    this.#scheduleOwners(Math.max(0, this.#ownersReadAt + this.#ownersEvery - this.#mono()));
  }

  #scheduleOwners(delay: number): void {
    this.#ownersTimer = this.#clock.setTimeout(() => {
      this.#ownersTimer = undefined;
      // Nobody asked for two periods: idle until the next call of owners().
      if (this.#stopping || this.#mono() - this.#ownersAsked > 2 * this.#ownersEvery) return;
      this.#ownersRead = this.#readOwners().finally(() => {
        this.#ownersRead = null;
        if (!this.#stopping && !this.#displaced)
          this.#scheduleOwners(Math.max(0, this.#ownersReadAt + this.#ownersEvery - this.#mono()));
      });
    }, delay);
  }

  /**
   * Reads the owners hash (`HSCAN` in bounded chunks: one reply never holds 20,000 shards), keeping the shards of
   * live nodes (as of this node's last renewal). Off the renewal's path: its own timer, never awaited by a round.
   * Never rejects: a failure is reported and the last known owners stay.
   */
  async #readOwners(): Promise<void> {
    this.#ownersReadAt = this.#mono();
    const key = this.#keys[2] ?? '';
    try {
      const read = new Map<string, string>();
      let cursor = '0';
      for (let chunks = 0; ; chunks++) {
        if (chunks >= MAX_OWNERS_CHUNKS) throw badReply('HSCAN', 'a scan that ends');
        const reply = await callRedis(
          this.#redis,
          ['HSCAN', key, cursor, 'COUNT', String(OWNERS_CHUNK)],
          this.#call,
        );
        if (this.#stopping) return;
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
          // `node|incarnation` (scripts.ts): without the bar, `slice(0, -1)` made up a node from a cut value.
          const bar = value.indexOf('|');
          if (bar < 1) throw badReply('HSCAN', 'node|incarnation values');
          const node = value.slice(0, bar);
          // A dead node's shard is free: no owner.
          if (this.#loads.has(node)) read.set(id, node);
        }
        cursor = next;
        if (cursor === '0') break;
      }
      this.#fleetOwners = read;
    } catch (error) {
      if (!this.#stopping) this.#report(error);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  /** Waits `ms` (nothing when <= 0); ends early on `signal` or `stop()`. */
  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0 || signal.aborted || this.#stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#clock.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake.delete(done);
        resolve();
      };
      const timer = this.#clock.setTimeout(done, ms, { ref: true });
      signal.addEventListener('abort', done);
      this.#wake.add(done);
    });
  }

  #script(script: RedisScript, args: readonly string[], inc = this.#inc ?? ''): Promise<unknown> {
    return script.run(this.#redis, this.#keys, [this.#prefix, this.nodeId, inc, ...args], this.#call);
  }

  #setLeader(leader: string): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.emit('leaderChanged', leader.split('|')[0] ?? null, this.isLeader);
  }

  #armFence(): void {
    if (this.#fenceTimer !== undefined) this.#clock.clearTimeout(this.#fenceTimer);
    this.#fenceTimer = this.#clock.setTimeout(
      () => {
        this.#fenceTimer = undefined;
        // A timer a hair early (another time source): armed again for the rest.
        if (this.fenced) this.#checkFence();
        else if (!this.#stopping) this.#armFence();
      },
      Math.max(0, this.#lastOk + this.#fenceAfter - this.#mono()),
    );
  }

  #checkFence(): void {
    if (!this.#registered || this.#stopping) return;
    const fenced = this.fenced;
    if (fenced && !this.#fencedReported) {
      this.#fencedReported = true;
      this.#log('warn', 'fenced: binding nothing until the lease is renewed');
      this.emit('fenced');
    } else if (!fenced && this.#fencedReported) {
      this.#fencedReported = false;
      this.#log('info', 'lease renewed: no longer fenced');
      this.emit('unfenced');
    }
  }

  #clearTimers(): void {
    if (this.#ownersTimer !== undefined) this.#clock.clearTimeout(this.#ownersTimer);
    this.#ownersTimer = undefined;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    if (this.#fenceTimer !== undefined) this.#clock.clearTimeout(this.#fenceTimer);
    this.#timer = undefined;
    this.#fenceTimer = undefined;
  }

  #report(error: unknown): void {
    const err = toError(error);
    if (err instanceof RedisError) this.counters.redisErrors++;
    if (this.hasListeners('error')) this.emit('error', err);
    else this.#logger.warn('fleet error', { code: (err as { code?: unknown }).code, message: err.message });
  }

  #log(level: 'debug' | 'info' | 'warn', message: string, context: Record<string, unknown> = {}): void {
    this.#logger[level](message, { nodeId: this.nodeId, ...context });
  }
}
