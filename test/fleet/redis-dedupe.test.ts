/**
 * RedisDedupeStore against a real redis-server of the test's own: two stores (two processes' worth: separate
 * connections, separate local caches) on one Redis judge an id once; Redis remembers what a local cache forgot; ids of
 * one turn go in one round trip (counted by Redis itself, INFO commandstats); the TTL is the window; hostile ids never
 * become odd keys; a frozen Redis (SIGSTOP) holds the failure policy and is reported. Timeouts run on a fake clock.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { DEFAULT_DEDUPE_WINDOW_MS, type DedupeVerdict } from '../../src/eventsub/websocket/dedupe.js';
import { RedisError } from '../../src/fleet/errors.js';
import { RedisDedupeStore, type RedisDedupeStoreOptions } from '../../src/fleet/index.js';
import { callRedis, type OwnedRedisConnection, type RedisConnection } from '../../src/fleet/redis.js';
import { FakeClock } from '../support/clock.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { until } from '../support/until.js';

let server: TestRedis;
let admin: OwnedRedisConnection;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  server = await startRedis();
  admin = await server.connect();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  server.thaw();
  await call(['FLUSHALL']);
});

function call(args: string[]): Promise<unknown> {
  return callRedis(admin, args, { timeoutMs: 5000 });
}

/** A store on its own connection (as another process would have). */
async function store(options: Partial<RedisDedupeStoreOptions> = {}) {
  const redis = await server.connect();
  // A long timeout: a loaded machine must not turn a slow answer into the failure policy (timeouts are tested on a
  // fake clock).
  return new RedisDedupeStore({ redis, fleet: 'test', redisTimeoutMs: 10_000, ...options });
}

/** Calls of every command but INFO, from Redis's own counters. */
async function commands(): Promise<Map<string, number>> {
  const info = String(await call(['INFO', 'commandstats']));
  const out = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') out.set(match[1] ?? '', Number(match[2]));
  }
  return out;
}

async function roundTripsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await commands();
  await run();
  const after = await commands();
  const delta: Record<string, number> = {};
  for (const [name, calls] of after) {
    const d = calls - (before.get(name) ?? 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

/** The verdicts of `answers`, given at once or promised. */
function all(answers: readonly (DedupeVerdict | Promise<DedupeVerdict>)[]): Promise<DedupeVerdict[]> {
  return Promise.all(answers.map((answer) => Promise.resolve(answer)));
}

/** Lets the store's setImmediate flush run (the batch is sent at the end of the turn). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('RedisDedupeStore across processes', () => {
  it('judges an id once for two stores on one Redis; the second answers duplicate from Redis', async () => {
    const a = await store();
    const b = await store();
    expect(await a.add('msg-1', T0)).toBe('new');
    expect(await b.add('msg-1', T0)).toBe('duplicate');
    expect(b.stats).toMatchObject({ checked: 1, redisDuplicates: 1, localDuplicates: 0 });
    // A copy seen again by a store is answered locally, synchronously, without Redis.
    expect(a.add('msg-1', T0 + 1)).toBe('duplicate');
    expect(b.add('msg-1', T0 + 1)).toBe('duplicate');
    expect(a.stats.roundTrips).toBe(1);
    expect(await b.add('msg-2', T0)).toBe('new');
    expect(await a.add('msg-2', T0)).toBe('duplicate');
  });

  it('remembers in Redis what the local cache forgot (a restart, or a clock past the local window)', async () => {
    const a = await store({ windowMs: 60_000 });
    expect(await a.add('late-copy', T0)).toBe('new');
    // The local cache judges by the time it is given: two windows later it has dropped the id; Redis (real time,
    // PX 60 s) still holds it.
    const later = a.add('late-copy', T0 + 120_000);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe('duplicate');
    // A restarted process: a new store, an empty local cache.
    const restarted = await store({ windowMs: 60_000 });
    expect(await restarted.add('late-copy', T0)).toBe('duplicate');
  });

  it('sets each key with a TTL of the window (PTTL), under tr:{<fleet>}:d:', async () => {
    const a = await store();
    expect(await a.add('ttl-id', T0)).toBe('new');
    const ttl = Number(await call(['PTTL', 'tr:{test}:d:ttl-id']));
    expect(ttl).toBeGreaterThan(DEFAULT_DEDUPE_WINDOW_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(DEFAULT_DEDUPE_WINDOW_MS);
    const short = await store({ windowMs: 90_000, fleet: 'other' });
    expect(await short.add('ttl-id', T0)).toBe('new'); // another fleet: other keys
    const shortTtl = Number(await call(['PTTL', 'tr:{other}:d:ttl-id']));
    expect(shortTtl).toBeGreaterThan(85_000);
    expect(shortTtl).toBeLessThanOrEqual(90_000);
  });
});

describe('RedisDedupeStore batching', () => {
  it('sends the ids of one turn in ONE round trip, and answers in order of arrival', async () => {
    const a = await store({ maxBatch: 1000 });
    await a.add('warm-up', T0); // loads the script (EVALSHA then EVAL on NOSCRIPT)
    const b = await store();
    await b.add('dup-7', T0); // recorded by another process
    const verdicts: unknown[] = [];
    const delta = await roundTripsDuring(async () => {
      const answers: (DedupeVerdict | Promise<DedupeVerdict>)[] = [];
      for (let i = 0; i < 500; i++) answers.push(a.add(`dup-${String(i % 250)}`, T0));
      verdicts.push(...(await all(answers)));
    });
    // One command from the client; the 500 SETs run inside it (INFO counts a script's calls too).
    expect(delta).toEqual({ evalsha: 1, set: 500 });
    expect(a.stats.roundTrips).toBe(2);
    // dup-7 was another store's; every id repeats once, 250 later, in the same batch.
    expect(verdicts.slice(0, 250).filter((v) => v === 'new')).toHaveLength(249);
    expect(verdicts[7]).toBe('duplicate');
    expect(verdicts.slice(250).every((v) => v === 'duplicate')).toBe(true);
  });

  it('splits at maxBatch: 10 ids with maxBatch 4 → 3 round trips', async () => {
    const a = await store({ maxBatch: 4 });
    await a.add('warm-up', T0);
    const delta = await roundTripsDuring(async () => {
      const answers: (DedupeVerdict | Promise<DedupeVerdict>)[] = [];
      for (let i = 0; i < 10; i++) answers.push(a.add(`split-${String(i)}`, T0));
      expect(await all(answers)).toEqual(Array(10).fill('new'));
    });
    expect(delta).toEqual({ evalsha: 3, set: 10 });
  });

  it('waits flushDelayMs (on its clock) for more ids before sending', async () => {
    const clock = new FakeClock(T0);
    const a = await store({ flushDelayMs: 20, clock });
    await roundTripsDuring(async () => {
      const first = a.add('delayed-1', T0);
      await nextTurn();
      await nextTurn();
      expect(a.stats.roundTrips).toBe(0);
      const second = a.add('delayed-2', T0);
      expect(clock.delays()).toEqual([20]);
      clock.advance(20);
      expect(await Promise.all([first, second])).toEqual(['new', 'new']);
    });
    expect(a.stats.roundTrips).toBe(1);
  });
});

describe('RedisDedupeStore ids and options', () => {
  it('two copies in two round trips answered out of order (a connection pool): one of them is new', async () => {
    const real = await server.connect();
    // The first round trip of 'copy' runs at once in Redis, but its reply is held until the second one's has come.
    let calls = 0;
    let releaseFirst: () => void = () => undefined;
    const reordering: RedisConnection = {
      sendCommand: async (args) => {
        const reply = await real.sendCommand(args);
        if (!args.includes('tr:{test}:d:copy') || ++calls !== 1) return reply;
        return new Promise((resolve) => {
          releaseFirst = () => {
            resolve(reply);
          };
        });
      },
    };
    const a = new RedisDedupeStore({ redis: reordering, fleet: 'test', redisTimeoutMs: 10_000 });
    expect(await a.add('warm', T0)).toBe('new');
    const first = a.add('copy', T0); // written in Redis by this round trip, answered late
    await until(() => (calls === 1 ? true : undefined));
    const second = a.add('copy', T0); // the key is there: Redis answers 0, and that answer comes first
    expect(await second).toBe('duplicate');
    releaseFirst();
    expect(await first).toBe('new'); // else nobody handles 'copy'
    expect(a.add('copy', T0)).toBe('duplicate'); // and now the local cache knows it
  });

  it('a copy dispatched on the local cache alone while its round trip was out: that round trip answers duplicate', async () => {
    const real = await server.connect();
    let releaseFirst: () => void = () => undefined;
    let held = false;
    let failed = false;
    // The round trip of 'x' runs in Redis and its reply is held; the next one fails (an error reply).
    const redis: RedisConnection = {
      sendCommand: async (args) => {
        if (!held && args.includes('tr:{test}:d:x')) {
          const reply = await real.sendCommand(args);
          held = true;
          return new Promise((resolve) => {
            releaseFirst = () => {
              resolve(reply);
            };
          });
        }
        if (!failed && args.includes('tr:{test}:d:y')) {
          failed = true; // y's own round trip, once
          throw new Error('READONLY replica');
        }
        return real.sendCommand(args);
      },
    };
    const a = new RedisDedupeStore({ redis, fleet: 'test', redisTimeoutMs: 10_000 });
    a.on('error', () => undefined);
    expect(await a.add('warm', T0)).toBe('new');
    const first = a.add('x', T0);
    await until(() => (held ? true : undefined));
    expect(await a.add('y', T0)).toBe('new'); // failed: judged locally; Redis is not asked for retryAfterMs
    expect(a.add('x', T0)).toBe('new'); // a copy of x, judged on the local cache's word alone, dispatched
    releaseFirst();
    expect(await first).toBe('duplicate'); // Redis says 1, but this process has dispatched x already
    // y and x, judged locally, are written to Redis with the next round trip (sent now that Redis answered).
    await until(() => (a.stats.backfilled === 2 ? true : undefined));
  });

  it('keys hostile ids by their hash: no odd key, and duplicates still found', async () => {
    const hostile = [
      'a\r\nFLUSHALL\r\n',
      '}{other}',
      'tr:{test}:d:x',
      'ü-😀',
      'x'.repeat(300),
      '',
      ' spaced id ',
      '*',
    ];
    const a = await store();
    const b = await store();
    expect(await all(hostile.map((id) => a.add(id, T0)))).toEqual(hostile.map(() => 'new'));
    expect(await all(hostile.map((id) => b.add(id, T0)))).toEqual(hostile.map(() => 'duplicate'));
    const keys = (await call(['KEYS', '*'])) as string[];
    expect(keys).toHaveLength(hostile.length);
    for (const key of keys) expect(key).toMatch(/^tr:\{test\}:d:#[A-Za-z0-9_-]{43}$/);
    expect(await call(['DBSIZE'])).toBe(hostile.length);
    // A plain id (Twitch's UUIDs) is kept as it is.
    const uuid = '5f1a1d6c-47a1-4d0e-9a6b-0c4d0e3a9f10';
    expect(a.keyOf(uuid)).toBe(`tr:{test}:d:${uuid}`);
    expect(() => a.add(42 as unknown as string, T0)).toThrow(InvalidArgumentError);
  });

  it('refuses bad options with INVALID_ARGUMENT naming the field', async () => {
    const redis = await server.connect();
    const field = (options: unknown) => {
      try {
        new RedisDedupeStore(options as RedisDedupeStoreOptions);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as InvalidArgumentError).field;
      }
      return 'accepted';
    };
    expect(field({ fleet: 'x' })).toBe('redis');
    expect(field({ redis: {}, fleet: 'x' })).toBe('redis');
    expect(field({ redis })).toBe('fleet');
    expect(field({ redis, fleet: 'a}b' })).toBe('fleet');
    expect(field({ redis, fleet: '' })).toBe('fleet');
    expect(field({ redis, fleet: 'x', maxBatch: 0 })).toBe('maxBatch');
    expect(field({ redis, fleet: 'x', failurePolicy: 'loose' })).toBe('failurePolicy');
    expect(field({ redis, fleet: 'x', windowMs: 0.5 })).toBe('windowMs');
    expect(field({ redis, fleet: 'x' })).toBe('accepted');
  });

  it('shows no connection (which may hold a password) in inspect or JSON', async () => {
    const real = await server.connect();
    const redis = { password: 'hunter2', sendCommand: (args: string[]) => real.sendCommand(args) };
    const a = new RedisDedupeStore({ redis, fleet: 'test' });
    expect(await a.add('seen', T0)).toBe('new');
    expect(inspect(a, { depth: 5 })).not.toContain('hunter2');
    expect(JSON.stringify(a)).not.toContain('hunter2');
    expect(JSON.stringify(a)).not.toContain('seen');
    expect(a.toJSON()).toMatchObject({ fleet: 'test', failurePolicy: 'local', stats: { checked: 1 } });
  });

  it('answers has() from the local cache, then from Redis', async () => {
    const a = await store();
    const b = await store();
    expect(await a.add('asked', T0)).toBe('new');
    expect(a.has('asked', T0)).toBe(true);
    expect(await b.has('asked', T0)).toBe(true);
    expect(await b.has('never', T0)).toBe(false);
  });
});

describe('RedisDedupeStore when Redis does not answer', () => {
  /** A store whose timeouts run on a fake clock; the server is frozen (SIGSTOP: connected, silent). */
  async function frozen(options: Partial<RedisDedupeStoreOptions>) {
    const clock = new FakeClock(T0);
    const a = await store({ clock, redisTimeoutMs: 500, retryAfterMs: 1000, ...options });
    const errors: RedisError[] = [];
    a.on('error', (error) => errors.push(error));
    await a.add('before', T0); // loads the script while Redis answers
    server.freeze();
    return { a, clock, errors };
  }

  it("'local' (default): judges by the local cache, reports once, and writes those ids to Redis afterwards", async () => {
    const { a, clock, errors } = await frozen({});
    const pending = a.add('during-1', T0);
    await nextTurn();
    clock.advance(500); // the round trip times out
    expect(await pending).toBe('new');
    expect(errors.map((e) => e.code)).toEqual(['REDIS_TIMEOUT']);
    // Redis is not asked again for retryAfterMs: answers at once, locally.
    expect(a.add('during-2', T0)).toBe('new');
    expect(a.add('during-2', T0)).toBe('duplicate');
    expect(a.add('during-1', T0)).toBe('duplicate');
    expect(a.stats).toMatchObject({ errors: 1, localVerdicts: 2, refused: 0 });
    server.thaw();
    clock.advance(1000);
    // The next id goes to Redis again, with the ids judged locally meanwhile.
    expect(await a.add('after', T0)).toBe('new');
    expect(errors).toHaveLength(1);
    expect(a.stats.backfilled).toBeGreaterThanOrEqual(1);
    const other = await store();
    expect(await other.add('during-2', T0)).toBe('duplicate');
    expect(await other.add('during-1', T0)).toBe('duplicate');
  });

  it("'strict': refuses (rejects, then throws) while Redis is away, and releases what it may have written", async () => {
    const { a, clock, errors } = await frozen({ failurePolicy: 'strict' });
    const pending = a.add('refused-1', T0);
    await nextTurn();
    clock.advance(500);
    const error = await Promise.resolve(pending).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisError);
    expect((error as RedisError).code).toBe('REDIS_TIMEOUT');
    expect(() => a.add('refused-2', T0)).toThrow(RedisError);
    expect(a.stats.refused).toBe(2);
    expect(errors).toHaveLength(1);
    server.thaw();
    // The timed-out EVALSHA runs once Redis wakes up: refused-1 is written, though no one dispatched it.
    await until(async () => ((await call(['EXISTS', 'tr:{test}:d:refused-1'])) === 1 ? true : undefined));
    clock.advance(1000);
    expect(await a.add('after', T0)).toBe('new'); // this round trip releases refused-1
    const other = await store();
    // Twitch's retry of the refused message, to another process: new, so it is not lost.
    expect(await other.add('refused-1', T0)).toBe('new');
    expect(await other.add('refused-2', T0)).toBe('new');
  });

  it("'local': an id judged locally after an error reply is written to Redis once it answers again", async () => {
    const clock = new FakeClock(T0);
    const real = await server.connect();
    let failing = false;
    // The real connection, with error replies on demand (as a READONLY replica would answer).
    const redis: RedisConnection = {
      sendCommand: (args) =>
        failing ? Promise.reject(new Error('READONLY replica')) : real.sendCommand(args),
    };
    const a = new RedisDedupeStore({ redis, fleet: 'test', clock, retryAfterMs: 1000 });
    const errors: RedisError[] = [];
    a.on('error', (error) => errors.push(error));
    failing = true;
    expect(await a.add('judged-locally', T0)).toBe('new');
    expect(errors.map((e) => e.code)).toEqual(['REDIS_COMMAND_FAILED']);
    expect(await call(['EXISTS', 'tr:{test}:d:judged-locally'])).toBe(0);
    failing = false;
    clock.advance(1000);
    expect(await a.add('next', T0)).toBe('new');
    expect(a.stats.backfilled).toBe(1);
    const other = await store();
    expect(await other.add('judged-locally', T0)).toBe('duplicate');
  });

  it('sends one probe after retryAfterMs: ids of later turns do not each wait for a frozen Redis', async () => {
    const { a, clock, errors } = await frozen({});
    const first = a.add('down-1', T0);
    await nextTurn();
    clock.advance(500); // the first round trip times out
    expect(await first).toBe('new');
    clock.advance(1000); // retryAfterMs has passed: the next id is the probe
    const probe = a.add('probe', T0);
    await nextTurn(); // the probe is sent
    // While the probe is out, Redis is still presumed away: later ids are judged at once, with no round trip and no
    // timer of their own.
    expect(a.add('while-probing-1', T0)).toBe('new');
    await nextTurn();
    expect(a.add('while-probing-2', T0)).toBe('new');
    await nextTurn();
    expect(a.stats.roundTrips).toBe(3); // 'before', 'down-1', the probe
    expect(clock.pending).toBe(1); // the probe's timeout only
    clock.advance(500);
    expect(await probe).toBe('new');
    expect(errors).toHaveLength(1);
  });

  it("'strict': a copy answered after its twin's round trip timed out is new, not a duplicate of the refused twin", async () => {
    const clock = new FakeClock(T0);
    const real = await server.connect();
    // A slow Redis: it runs every EVALSHA at once, but the replies come back (in order) only when the test says.
    let hold = false;
    const held: (() => void)[] = [];
    const redis: RedisConnection = {
      sendCommand: async (args) => {
        const reply = await real.sendCommand(args);
        if (!hold) return reply;
        return new Promise((resolve) => {
          held.push(() => {
            resolve(reply);
          });
        });
      },
    };
    const a = new RedisDedupeStore({
      redis,
      fleet: 'test',
      clock,
      failurePolicy: 'strict',
      redisTimeoutMs: 500,
    });
    a.on('error', () => undefined);
    expect(await a.add('warm', T0)).toBe('new'); // loads the script
    hold = true;
    const first = Promise.resolve(a.add('twin', T0)).catch((e: unknown) => e);
    await until(() => (held.length === 1 ? true : undefined)); // Redis wrote the key; its reply is late
    clock.advance(1);
    const second = Promise.resolve(a.add('twin', T0)).catch((e: unknown) => e); // Twitch's copy, sent in flight
    await until(() => (held.length === 2 ? true : undefined));
    clock.advance(499); // the first round trip times out: its copy is refused
    expect(await first).toBeInstanceOf(RedisError);
    for (const release of held.splice(0)) release(); // the replies arrive: the first is ignored, the second is read
    // The key holds what the refused round trip wrote: the second copy is the one to handle, or 'twin' is lost.
    expect(await second).toBe('new');
    hold = false;
    clock.advance(1000);
    expect(await a.add('after', T0)).toBe('new'); // releases what the refused round trip wrote, if still there
    const other = await store();
    expect(await other.add('twin', T0)).toBe('duplicate'); // handled once: the key is kept for the fleet
  });

  it('reports a failure to the logger when nobody listens to error', async () => {
    const clock = new FakeClock(T0);
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const refusing: RedisConnection = { sendCommand: () => Promise.reject(new Error('ECONNREFUSED')) };
    const a = new RedisDedupeStore({ redis: refusing, fleet: 'test', clock, logger });
    expect(await a.add('x', T0)).toBe('new');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ECONNREFUSED');
  });
});
