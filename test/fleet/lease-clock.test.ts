/**
 * redisOwnership's options and its self-fencing on a fake clock (the replies come from a real redis-server): fenced
 * from the moment its lease may have expired, counted from the send time of its last successful renewal; Redis
 * errors are `error` events (or logged), never thrown from a timer; stop() leaves nothing scheduled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { FleetError, RedisError } from '../../src/fleet/errors.js';
import { redisOwnership, type RedisOwnershipOptions } from '../../src/fleet/index.js';
import { callRedis, type RedisConnection } from '../../src/fleet/redis.js';
import { CLAIM } from '../../src/fleet/scripts.js';
import { FakeClock } from '../support/clock.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let server: TestRedis;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedis();
  redis = await server.connect();
});
afterAll(async () => {
  await server.stop();
});

let fleets = 0;

/** An OwnershipContext with no client behind it: grants and revokes are recorded. */
function fakeContext(shardCount: number) {
  const owned = new Set<string>();
  return {
    conduitId: 'c',
    shardCount,
    signal: new AbortController().signal,
    grant: (ids: Iterable<string>) => {
      for (const id of ids) owned.add(id);
      return Promise.resolve();
    },
    revoke: (ids: Iterable<string>) => {
      for (const id of ids) owned.delete(id);
      return Promise.resolve();
    },
    owned: () => [...owned].sort((a, b) => Number(a) - Number(b)),
  };
}

/** Starts `fleet` on `clock`: waits for its warm-up timer (one renewal period), moves past it, awaits start(). */
async function startThroughWarmUp(
  fleet: { start(context: ReturnType<typeof fakeContext>): Promise<void> },
  clock: FakeClock,
  context: ReturnType<typeof fakeContext>,
  periodMs = 100,
): Promise<void> {
  const starting = fleet.start(context);
  await until(() => clock.delays().includes(periodMs), 'the warm-up');
  clock.advance(periodMs);
  await starting;
}

describe('options', () => {
  const base = (): RedisOwnershipOptions => ({ redis, fleet: 'x' });
  it.each([
    ['redis', { redis: undefined }],
    ['redis', { redis: { send: () => 1 } }],
    ['fleet', { fleet: undefined }],
    ['fleet', { fleet: 'a}b' }],
    ['nodeId', { nodeId: 'a|b' }],
    ['leaseTtlMs', { leaseTtlMs: 'long' }],
    ['renewEveryMs', { renewEveryMs: 0 }],
    ['renewEveryMs', { leaseTtlMs: 1000, renewEveryMs: 600 }],
    ['maxMovesPerRound', { maxMovesPerRound: -1 }],
    ['redisTimeoutMs', { redisTimeoutMs: 1.5 }],
    ['handoverMs', { handoverMs: -1 }],
    ['clock', { clock: {} }],
    ['logger', { logger: { info: () => undefined } }],
  ])('refuses a bad %s with INVALID_ARGUMENT naming it', (field, patch) => {
    const error = (() => {
      try {
        redisOwnership({ ...base(), ...patch } as RedisOwnershipOptions);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
  });

  it('defaults the node id to hostname-pid-random', () => {
    const a = redisOwnership(base());
    const b = redisOwnership(base());
    expect(a.nodeId).toMatch(new RegExp(`-${String(process.pid)}-[0-9a-f]{6}$`));
    expect(a.nodeId).not.toBe(b.nodeId);
  });
});

describe('self-fencing', () => {
  it('fences at TTL − 10 % after the send time of the last good renewal, reports the errors, unfences', async () => {
    const clock = new FakeClock();
    let cut = false;
    const conn: RedisConnection = {
      sendCommand: (args) => (cut ? new Promise<unknown>(() => undefined) : redis.sendCommand(args)),
    };
    const fleet = redisOwnership({
      redis: conn,
      fleet: `clock${String(++fleets)}`,
      nodeId: 'solo',
      leaseTtlMs: 1_000,
      renewEveryMs: 200,
      redisTimeoutMs: 100,
      clock,
    });
    const events: string[] = [];
    const errors: unknown[] = [];
    fleet.on('fenced', () => events.push('fenced'));
    fleet.on('unfenced', () => events.push('unfenced'));
    fleet.on('error', (error) => errors.push(error));
    expect(fleet.fenced).toBe(true); // not registered yet
    expect(await fleet.leader()).toBe(true); // registers; alone, it leads
    const context = fakeContext(2);
    // One period of warm-up after the registration (t = 0), then the first round (sent at t = 200).
    await startThroughWarmUp(fleet, clock, context, 200);
    expect(context.owned()).toEqual(['0', '1']);
    expect(fleet.mayBind('1')).toBe(true);
    expect(fleet.fenced).toBe(false);
    expect(fleet.isLeader).toBe(true);
    // Redis stops answering: renewals time out, reported as errors, not thrown.
    cut = true;
    clock.advance(899); // t = 1099
    await until(() => errors.length > 0, 'a renewal timeout reported');
    expect(errors[0]).toBeInstanceOf(RedisError);
    expect((errors[0] as RedisError).code).toBe('REDIS_TIMEOUT');
    expect(fleet.fenced).toBe(false);
    expect(fleet.mayBind('1')).toBe(true);
    clock.advance(1); // t = 1100: 900 ms = 1000 − 10 % after the last good renewal was sent
    expect(fleet.fenced).toBe(true);
    expect(fleet.mayBind('1')).toBe(false);
    expect(fleet.mayReclaim('1')).toBe(false);
    expect(context.owned()).toEqual(['0', '1']); // fail static: nothing revoked
    expect(fleet.isLeader).toBe(false);
    expect(events).toEqual(['fenced']);
    expect(fleet.counters.redisErrors).toBeGreaterThan(0);
    // Redis answers again (its key still alive: the real TTL has not passed): the next renewal unfences.
    cut = false;
    await until(() => {
      clock.advance(10);
      return events.length === 2;
    }, 'unfenced');
    expect(events).toEqual(['fenced', 'unfenced']);
    expect(fleet.fenced).toBe(false);
    await fleet.stop();
    expect(clock.pending).toBe(0);
  });

  it('logs Redis errors when nobody listens for them, instead of throwing', async () => {
    const clock = new FakeClock();
    const warned: string[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => warned.push(message),
      error: () => undefined,
    };
    let down = true;
    const conn: RedisConnection = {
      sendCommand: (args) => (down ? Promise.reject(new Error('ECONNREFUSED')) : redis.sendCommand(args)),
    };
    const fleet = redisOwnership({
      redis: conn,
      fleet: `down${String(++fleets)}`,
      clock,
      logger,
      renewEveryMs: 100,
      redisTimeoutMs: 1000,
    });
    // Start-up needs Redis: a clear rejection, nothing left scheduled.
    await expect(fleet.leader()).rejects.toMatchObject({ code: 'REDIS_COMMAND_FAILED' });
    await expect(fleet.start(fakeContext(2))).rejects.toMatchObject({ code: 'REDIS_COMMAND_FAILED' });
    expect(clock.pending).toBe(0);
    down = false;
    await startThroughWarmUp(fleet, clock, fakeContext(2));
    expect(warned).toEqual([]);
    // Later rounds run from a timer: their failures are logged, never thrown.
    down = true;
    clock.advance(100);
    await until(() => warned.includes('fleet error'), 'a logged error');
    expect(fleet.counters.renewalFailures).toBe(1);
    await fleet.stop();
    expect(clock.pending).toBe(0);
  });

  it('a single node holding all 20,000 shards renews (its leases read in chunks)', async () => {
    const fleet = redisOwnership({
      redis,
      fleet: `big${String(++fleets)}`,
      nodeId: 'solo',
      leaseTtlMs: 400,
      renewEveryMs: 50,
      redisTimeoutMs: 2_000, // claiming 20,000 shards in one script takes longer than a 50 ms period
    });
    const errors: Error[] = [];
    fleet.on('error', (error) => errors.push(error));
    const context = fakeContext(20_000);
    await fleet.start(context);
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(context.owned()).toHaveLength(20_000);
    const renewals = fleet.counters.renewals;
    // The claim changed the view: the next renewal reads this node's 20,000 leases.
    await until(() => fleet.counters.renewals >= renewals + 3, { what: 'three renewals', timeoutMs: 4000 });
    expect(errors).toEqual([]);
    expect(fleet.fenced).toBe(false);
    expect(fleet.snapshot().owned).toHaveLength(20_000);
    await fleet.stop();
  });
});

describe('rounds', () => {
  it('plans again at once when another node took some of the shards it claimed', async () => {
    const clock = new FakeClock();
    const name = `short${String(++fleets)}`;
    const b = redisOwnership({ redis, fleet: name, nodeId: 'b', clock: new FakeClock() });
    await b.leader();
    const incB = b.snapshot().incarnation ?? '';
    let raced = false;
    const conn: RedisConnection = {
      sendCommand: async (args) => {
        if (!raced && args[0] === 'EVALSHA' && args[1] === CLAIM.sha) {
          // b claims shard 0 between a's view and a's claim (a plans 0 and 1, gets only 1).
          raced = true;
          await redis.sendCommand(['HSET', `tr:{${name}}:owners`, '0', `b|${incB}`]);
          await redis.sendCommand(['HSET', `tr:{${name}}:leases`, '0', '1|bound']);
        }
        return redis.sendCommand(args);
      },
    };
    const a = redisOwnership({
      redis: conn,
      fleet: name,
      nodeId: 'a',
      clock,
      renewEveryMs: 100,
      redisTimeoutMs: 60_000,
      handoverMs: 0,
    });
    const context = fakeContext(4);
    await startThroughWarmUp(a, clock, context);
    expect(raced).toBe(true);
    // Its fair share (2) in the same round, on a fresh view, not a period later.
    expect(context.owned()).toEqual(['1', '2']);
    expect(a.counters.renewals).toBe(2);
    await a.stop();
    await b.stop();
  });
});

describe('node ids', () => {
  it('a node whose id another process registered is fenced for good with FLEET_NODE_ID_IN_USE, and does not take it back', async () => {
    const clock = new FakeClock();
    const name = `dup${String(++fleets)}`;
    const first = redisOwnership({
      redis,
      fleet: name,
      nodeId: 'a',
      clock,
      renewEveryMs: 100,
      redisTimeoutMs: 60_000,
      handoverMs: 0,
    });
    const errors: Error[] = [];
    first.on('error', (error) => errors.push(error));
    await startThroughWarmUp(first, clock, fakeContext(2));
    // A second process given the same node id.
    const second = redisOwnership({ redis, fleet: name, nodeId: 'a', clock: new FakeClock() });
    await second.leader();
    const key = `tr:{${name}}:node:a`;
    clock.advance(100);
    await until(() => errors.length > 0 || first.counters.registrations > 1, 'the first node’s next round');
    // A few more periods: it never registers again.
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['FLEET_NODE_ID_IN_USE']);
    expect(errors[0]).toBeInstanceOf(FleetError);
    expect(first.counters.registrations).toBe(1);
    expect(first.fenced).toBe(true);
    expect(await callRedis(redis, ['GET', key], { timeoutMs: 1000 })).toBe(second.snapshot().incarnation);
    // Its stop() does not remove the other process from the fleet.
    await first.stop();
    expect(await callRedis(redis, ['SMEMBERS', `tr:{${name}}:nodes`], { timeoutMs: 1000 })).toEqual(['a']);
    expect(clock.pending).toBe(0);
    await second.stop();
  });
});

describe('node ids (a lost registration of its own)', () => {
  it('a late registration of its own (a connection that reorders) is not another process: it registers again', async () => {
    const clock = new FakeClock();
    const name = `own${String(++fleets)}`;
    const fleet = redisOwnership({
      redis,
      fleet: name,
      nodeId: 'a',
      clock,
      renewEveryMs: 100,
      redisTimeoutMs: 60_000,
      handoverMs: 0,
    });
    const errors: Error[] = [];
    fleet.on('error', (error) => errors.push(error));
    await startThroughWarmUp(fleet, clock, fakeContext(2));
    const first = fleet.snapshot().incarnation ?? '';
    const key = `tr:{${name}}:node:a`;
    // Rounds run whenever their timer is due: the clock moves at each poll.
    const registrations = (n: number) => () => {
      clock.advance(100);
      return fleet.counters.registrations === n && fleet.snapshot().incarnation !== null;
    };
    await callRedis(redis, ['DEL', key], { timeoutMs: 1000 });
    await until(registrations(2), 'registered again');
    // The first registration lands late, after the second one.
    await callRedis(redis, ['SET', key, first, 'PX', '60000'], { timeoutMs: 1000 });
    await until(registrations(3), 'registered again, not displaced');
    expect(errors).toEqual([]);
    expect(await callRedis(redis, ['GET', key], { timeoutMs: 1000 })).toBe(fleet.snapshot().incarnation);
    await fleet.stop();
  });
});

describe('stop', () => {
  async function registered(fleet: string): Promise<unknown[]> {
    const get = (args: string[]): Promise<unknown> => callRedis(redis, args, { timeoutMs: 1000 });
    return [
      await get(['SMEMBERS', `tr:{${fleet}}:nodes`]),
      await get(['GET', `tr:{${fleet}}:leader`]),
      await get(['EXISTS', `tr:{${fleet}}:node:a`]),
    ];
  }

  it('once stopped, nothing registers again (no phantom node holding the leader lease for a TTL)', async () => {
    const clock = new FakeClock();
    const name = `stopped${String(++fleets)}`;
    const fleet = redisOwnership({ redis, fleet: name, nodeId: 'a', clock, renewEveryMs: 100 });
    expect(await fleet.leader()).toBe(true);
    await fleet.stop();
    expect(await registered(name)).toEqual([[], null, 0]);
    // A late start() (a client closed while starting) or a shard count change after stop(): inert.
    await fleet.start(fakeContext(4));
    await fleet.shardCountChanged(8);
    expect(await fleet.leader()).toBe(false);
    expect(await registered(name)).toEqual([[], null, 0]);
    expect(clock.pending).toBe(0);
  });

  it('a second stop() resolves when the first one does, after the handover', async () => {
    const clock = new FakeClock();
    const name = `twice${String(++fleets)}`;
    const b = redisOwnership({ redis, fleet: name, nodeId: 'b', clock: new FakeClock() });
    await b.leader(); // registered, never bound anything: a's handover waits its full handoverMs
    const a = redisOwnership({
      redis,
      fleet: name,
      nodeId: 'a',
      clock,
      renewEveryMs: 100,
      redisTimeoutMs: 60_000, // the test moves the clock while Redis answers
    });
    const context = fakeContext(2);
    await startThroughWarmUp(a, clock, context);
    expect(context.owned()).toHaveLength(1);
    const order: string[] = [];
    const first = a.stop().then(() => order.push('first'));
    const second = a.stop().then(() => order.push('second'));
    while (order.length < 2) {
      clock.advance(25);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    await b.stop();
  });
});
