/**
 * The Redis bucket of RedisHelixBudget, script by script, against a real redis-server. The bucket's time is injected
 * (`bucketTime`: a number the test moves) so that refills are exact; one test runs on Redis's own TIME.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisHelixBudget, type RedisHelixBudgetOptions } from '../../src/fleet/helix-budget.js';
import { RedisError } from '../../src/fleet/errors.js';
import { callRedis, type RedisConnection } from '../../src/fleet/redis.js';
import type { RateLimitHeaders } from '../../src/helix/rate-limit-headers.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { Emulator } from '../../src/emulator/index.js';
import { HelixClient } from '../../src/helix/client.js';
import { FakeClock } from '../support/clock.js';

let server: TestRedis;
let redis: RedisConnection;
beforeAll(async () => {
  server = await startRedis();
  redis = await server.connect();
});
afterAll(async () => {
  await server.stop();
});

const signal = new AbortController().signal;
let clients = 0;

/** A budget on a fresh client id, a 100-point bucket refilled in 2 s (50 points/s), reserve 10, time `t.now`. */
function budget(t: { now: number }, options: Partial<RedisHelixBudgetOptions> = {}): RedisHelixBudget {
  return new RedisHelixBudget({
    redis,
    clientId: `client-${String(++clients)}`,
    windowMs: 2_000,
    reserve: 10,
    bucketTime: () => t.now,
    ...options,
  });
}

const headers = (limit: number, remaining: number): RateLimitHeaders => ({ limit, remaining, resetAt: null });

/** Takes points until the bucket says wait; returns how many it granted. */
async function drain(b: RedisHelixBudget): Promise<number> {
  let total = 0;
  for (;;) {
    const grant = await b.take('app', 16, signal);
    if (grant === null) throw new Error('budget did not answer');
    total += grant.granted;
    if (grant.granted < 16) return total;
  }
}

describe('RedisHelixBudget: the bucket', () => {
  it('probes a bucket nobody knows (one request at a time), then grants limit - reserve points', async () => {
    const t = { now: 1_000_000 };
    const b = budget(t);
    const probe = await b.take('app', 16, signal);
    expect(probe).toEqual({ granted: 1, ticket: 1, retryAfterMs: 0 });
    // While the probe is out, nobody else goes: a short wait, then ask again.
    const held = await b.take('app', 16, signal);
    expect(held?.granted).toBe(0);
    expect(held?.retryAfterMs).toBeGreaterThan(0);
    expect(held?.retryAfterMs).toBeLessThanOrEqual(50);
    // Twitch answers the probe: 100 points, 99 left.
    b.observe('app', 1, headers(100, 99));
    await b.flush();
    // 99 + 1 (the fraction the integer header hides), capped at 100; 10 kept in reserve: 90 to spend.
    expect(await drain(b)).toBe(90);
    const empty = await b.take('app', 1, signal);
    // One point back needs s >= reserve + 1 = 11 from s = 10: 1 point at 50 points/s = 20 ms.
    expect(empty).toMatchObject({ granted: 0, retryAfterMs: 20 });
  });

  it('refills at limit / window, judged by the bucket time, never above the limit', async () => {
    const t = { now: 2_000_000 };
    const b = budget(t);
    await b.take('app', 1, signal);
    b.observe('app', 1, headers(100, 99));
    await b.flush();
    await drain(b);
    t.now += 200; // 50 points/s: 10 points
    expect(await drain(b)).toBe(10);
    t.now += 60_000; // far more than a window: full again, not more
    expect(await drain(b)).toBe(90);
  });

  it('lowers its estimate to what Twitch says remains, never raises it', async () => {
    const t = { now: 3_000_000 };
    const b = budget(t);
    await b.take('app', 1, signal);
    b.observe('app', 1, headers(100, 99));
    await b.flush();
    const first = await b.take('app', 5, signal); // tickets 2..6
    expect(first).toMatchObject({ granted: 5, ticket: 2 });
    // Someone this fleet does not see spent points: Twitch says 30 remain. 30 + 1 (the fraction the integer hides),
    // 10 kept in reserve: 21 to spend. (Without the headers, 84 would have been left.)
    b.observe('app', 2, headers(100, 30));
    await b.flush();
    expect(await drain(b)).toBe(21);
    // A late answer claiming more than the estimate does not raise it.
    b.observe('app', 6, headers(100, 95));
    await b.flush();
    expect(await drain(b)).toBe(0);
  });

  it('answers that arrive out of order do not lower the estimate below what is really left', async () => {
    // Grants outrun sends: 3 processes got tickets 2..91 at once and send them in their own order, so Twitch may
    // count ticket 2 after 60 others (it says 39 remain). The bucket already subtracted all 90 grants (10 left): the
    // late answer is no news, and must not take points the fleet has not spent.
    const t = { now: 3_500_000 };
    const b = budget(t, { reserve: 0 });
    await b.take('app', 1, signal);
    b.observe('app', 1, headers(100, 99));
    await b.flush();
    expect(await b.take('app', 90, signal)).toMatchObject({ granted: 90, ticket: 2 });
    b.observe('app', 2, headers(100, 39));
    await b.flush();
    expect(await drain(b)).toBe(10);
  });

  it('a limit of 0 forgets the bucket: nothing goes for a window, then one probe', async () => {
    const t = { now: 4_000_000 };
    const b = budget(t);
    await b.take('app', 1, signal);
    b.observe('app', 1, headers(0, 0));
    await b.flush();
    const held = await b.take('app', 1, signal);
    expect(held?.granted).toBe(0);
    t.now += 2_000;
    expect((await b.take('app', 4, signal))?.granted).toBe(1);
  });

  it('keeps buckets apart: app and each user, each client id', async () => {
    const t = { now: 5_000_000 };
    const b = budget(t);
    const other = budget(t);
    for (const x of [b, other]) {
      await x.take('app', 1, signal);
      x.observe('app', 1, headers(20, 19));
    }
    await Promise.all([b.flush(), other.flush()]);
    expect(await drain(b)).toBe(10);
    expect(await drain(other)).toBe(10);
    expect((await b.take('user:42', 3, signal))?.granted).toBe(1); // a probe of its own
    expect(b.keyOf('user:42')).toBe(`tr:{client-${String(clients - 1)}}:helix-budget:user:42`);
  });

  it("runs on Redis's TIME when no bucket time is injected", async () => {
    const b = new RedisHelixBudget({ redis, clientId: 'real-time', windowMs: 60_000, reserve: 1 });
    await b.take('app', 1, signal);
    b.observe('app', 1, headers(800, 799));
    await b.flush();
    const grant = await b.take('app', 16, signal);
    expect(grant).toMatchObject({ granted: 16, ticket: 2, retryAfterMs: 0 });
    const stored = await callRedis(redis, ['HGET', b.keyOf('app'), 'at'], { timeoutMs: 2000 });
    const [seconds] = (await callRedis(redis, ['TIME'], { timeoutMs: 2000 })) as [string, string];
    expect(Math.abs(Number(stored) - Number(seconds) * 1000)).toBeLessThan(5_000);
  });
});

describe('RedisHelixBudget: options', () => {
  it.each([
    ['redis', { clientId: 'x' }],
    ['redis', { redis: {}, clientId: 'x' }],
    ['clientId', { redis: { sendCommand: () => Promise.resolve(null) }, clientId: '' }],
    ['windowMs', { redis: { sendCommand: () => Promise.resolve(null) }, clientId: 'x', windowMs: 0 }],
    ['reserve', { redis: { sendCommand: () => Promise.resolve(null) }, clientId: 'x', reserve: -1 }],
    // Fractions would reach the scripts' PEXPIRE (2 x 1000.25 = 2000.5: an error reply on every take).
    ['windowMs', { redis: { sendCommand: () => Promise.resolve(null) }, clientId: 'x', windowMs: 1000.25 }],
    ['onError', { redis: { sendCommand: () => Promise.resolve(null) }, clientId: 'x', onError: 'log' }],
  ])('refuses a bad %s with INVALID_ARGUMENT', (field, options) => {
    expect(() => new RedisHelixBudget(options as unknown as RedisHelixBudgetOptions)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field }) as Error,
    );
  });
});

describe('RedisHelixBudget: failures', () => {
  it('answers null (pace locally) when Redis does not answer, reports it, and asks again after fallbackMs', async () => {
    const errors: RedisError[] = [];
    let now = 0;
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (h: unknown) => {
        clearTimeout(h as NodeJS.Timeout);
      },
    };
    const t = { now: 6_000_000 };
    const b = budget(t, { timeoutMs: 100, fallbackMs: 5_000, clock, onError: (e) => errors.push(e) });
    server.freeze();
    try {
      expect(await b.take('app', 1, signal)).toBeNull();
    } finally {
      server.thaw();
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RedisError);
    expect(errors[0]?.code).toBe('REDIS_TIMEOUT');
    // Within the fallback period Redis is not asked at all.
    const takes = b.stats.takes;
    expect(await b.take('app', 1, signal)).toBeNull();
    expect(b.stats.takes).toBe(takes);
    now += 5_000;
    // Redis answers again. (The take that timed out was applied once Redis woke: its probe is out, so this one
    // waits; a point lost that way only makes the fleet more careful.)
    expect(await b.take('app', 1, signal)).toMatchObject({ granted: 0 });
    expect(b.stats.takes).toBe(takes + 1);
    expect(errors).toHaveLength(1);
  });

  it('Helix traffic goes on while Redis is frozen: requests are paced locally and the failure reported', async () => {
    const emu = await Emulator.start({ port: 0, rateLimitPerMinute: 800 });
    const app = emu.registerClient();
    const o = emu.clientOptions();
    const errors: RedisError[] = [];
    const b = new RedisHelixBudget({
      redis,
      clientId: app.clientId,
      timeoutMs: 100,
      onError: (e) => errors.push(e),
    });
    const helix = new HelixClient({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      budget: b,
    });
    try {
      await helix.eventSub.getConduits();
      expect(b.stats.granted).toBe(1);
      server.freeze();
      try {
        const answers = await Promise.all(Array.from({ length: 5 }, () => helix.eventSub.getConduits()));
        expect(answers).toHaveLength(5);
      } finally {
        server.thaw();
      }
      expect(errors.map((e) => e.code)).toContain('REDIS_TIMEOUT');
      expect(b.stats.paceLocally).toBeGreaterThan(0);
      expect(emu.state().helix.rate_limited).toBe(0);
    } finally {
      helix.close();
      await b.close();
      await emu.close();
    }
  });

  it('a restarted (empty) Redis: the scripts are loaded again and the bucket probes again', async () => {
    const t = { now: 7_000_000 };
    const b = budget(t);
    await b.take('app', 1, signal);
    b.observe('app', 1, headers(100, 99));
    await b.flush();
    await server.restart();
    const fresh = await server.connect();
    const again = budget(t, { clientId: `client-${String(clients)}`, redis: fresh });
    expect(await again.take('app', 16, signal)).toEqual({ granted: 1, ticket: 1, retryAfterMs: 0 });
    redis = fresh;
  });

  it('without onError, the first failure of an outage is a process warning, once until Redis answers again', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      let answer: unknown = 'OK';
      const flaky: RedisConnection = { sendCommand: () => Promise.resolve(answer) };
      const b = new RedisHelixBudget({ redis: flaky, clientId: 'x', fallbackMs: 0 });
      expect(await b.take('app', 1, signal)).toBeNull();
      expect(await b.take('app', 1, signal)).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('paced locally');
      answer = [1, 1, 0];
      expect(await b.take('app', 1, signal)).toMatchObject({ granted: 1 });
      answer = 'OK';
      expect(await b.take('app', 1, signal)).toBeNull();
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('after a failure, responses are not observed until Redis answers again (no command and timer per response)', async () => {
    const clock = new FakeClock();
    let sent = 0;
    let answer = false;
    // A frozen Redis: commands go out and nothing comes back, until the test lets one answer.
    const frozen: RedisConnection = {
      sendCommand: () => {
        sent++;
        return answer ? Promise.resolve([1, 1, 0]) : new Promise(() => undefined);
      },
    };
    const b = new RedisHelixBudget({ redis: frozen, clientId: 'x', clock, onError: () => undefined });
    const first = b.take('app', 1, signal);
    clock.advance(1_000); // timeoutMs
    expect(await first).toBeNull();
    clock.advance(1_000); // fallbackMs: the next take asks Redis again
    const probe = b.take('app', 1, signal);
    expect(sent).toBe(2);
    // Responses paced locally meanwhile: none sent to the Redis that has not answered yet.
    for (let i = 0; i < 5; i++) b.observe('app', 1, headers(800, 700));
    expect(sent).toBe(2);
    expect(clock.pending).toBe(1); // the probe's timeout only
    clock.advance(1_000);
    expect(await probe).toBeNull();
    // Redis answers again: observed again.
    clock.advance(1_000);
    answer = true;
    expect(await b.take('app', 1, signal)).toMatchObject({ granted: 1 });
    b.observe('app', 1, headers(800, 700));
    expect(sent).toBe(4);
    await b.flush();
  });

  it('a reply of another shape is REDIS_BAD_REPLY, reported, and paced locally', async () => {
    const errors: RedisError[] = [];
    const liar: RedisConnection = { sendCommand: () => Promise.resolve('OK') };
    const b = new RedisHelixBudget({ redis: liar, clientId: 'x', onError: (e) => errors.push(e) });
    expect(await b.take('app', 1, signal)).toBeNull();
    expect(errors.map((e) => e.code)).toEqual(['REDIS_BAD_REPLY']);
  });
});
