/**
 * Three node processes, each a HelixClient with a RedisHelixBudget (and the fleet's app token), against one emulator
 * whose app bucket is scaled down to 100 points per 2 s: together they send 3 x 100 requests, three times the
 * bucket, and the emulator counts zero 429s. Each process alone would see its first 100 requests pass and then run
 * into the other two's spending. (The full-scale figure, 3 x 1,000 against 800/minute, is bench/helix-budget.bench.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { runBudgetFleet } from './budget-fleet.js';

let server: TestRedis;
let emu: Emulator;
beforeAll(async () => {
  server = await startRedis();
  emu = await Emulator.start({ port: 0, rateLimitPerMinute: 100, rateLimitWindowMs: 2_000 });
});
afterAll(async () => {
  await emu.close();
  await server.stop();
});

// 60 s: three child processes (tsx compiles each) and ~4 s of refill for the 200 requests past the bucket.
it(
  '3 processes x 100 requests over a 100-point bucket: every request succeeds, zero 429',
  { timeout: 60_000 },
  async () => {
    const app = emu.registerClient();
    const o = emu.clientOptions();
    const before = emu.state().helix;
    const { reports } = await runBudgetFleet({
      processes: 3,
      requests: 100,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      redisUrl: server.url,
      windowMs: 2_000,
      reserve: 10,
      killAfterMs: 50_000,
    });
    const after = emu.state().helix;
    expect(reports.map((r) => r.failed)).toEqual([[], [], []]);
    expect(reports.map((r) => r.ok)).toEqual([100, 100, 100]);
    expect(after.rate_limited - before.rate_limited).toBe(0);
    expect(after.requests - before.requests).toBe(300); // each sent once: no 429 retried behind the counters' back
    expect(reports.map((r) => r.redisErrors)).toEqual([[], [], []]);
    // The bucket really was the limit: the processes were told to wait.
    expect(reports.reduce((n, r) => n + r.budget.waits, 0)).toBeGreaterThan(0);
    // One app token for the fleet.
    expect(reports.reduce((n, r) => n + r.minted, 0)).toBe(1);
  },
);
