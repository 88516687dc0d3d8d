/**
 * Issue 16's Helix budget acceptance at full scale: 3 processes (test/fleet/budget-worker.ts), each a HelixClient
 * with a RedisHelixBudget and the fleet's app token, each issuing 1,000 requests against the emulator's
 * 800-points-a-minute app bucket (Twitch's), one Redis of its own.
 *
 * Figures: the 429s the emulator counted (target 0) and the total time over the bucket's bound, the least time any
 * client could take: the bucket starts full, so 3,000 - 800 requests wait for the refill of 800 a minute,
 * (3000 - 800) / 800 min = 165 s (target <= 1.05 x). It takes about three minutes; `npm run bench -- helix-budget`
 * runs it alone, and `node --import tsx bench/helix-budget.bench.ts` runs it as a script.
 */
import { fileURLToPath } from 'node:url';
import { Emulator } from '../src/emulator/index.js';
import { startRedis } from '../test/support/redis.js';
import { runBudgetFleet } from '../test/fleet/budget-fleet.js';
import { boundFigure, type BenchFigure } from './harness.js';

const PROCESSES = 3;
const REQUESTS = 1_000;
const BUCKET = 800;
const WINDOW_MS = 60_000;
/** The least time any client can take: everything past the full bucket waits for its refill. */
const BOUND_MS = ((PROCESSES * REQUESTS - BUCKET) / BUCKET) * WINDOW_MS;

export async function run(): Promise<BenchFigure[]> {
  const redis = await startRedis();
  const emu = await Emulator.start({ port: 0, rateLimitPerMinute: BUCKET, rateLimitWindowMs: WINDOW_MS });
  try {
    const app = emu.registerClient();
    const o = emu.clientOptions();
    const before = emu.state().helix;
    const { reports, wallMs } = await runBudgetFleet({
      processes: PROCESSES,
      requests: REQUESTS,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      redisUrl: redis.url,
      windowMs: WINDOW_MS,
      reserve: 10,
      killAfterMs: 3 * BOUND_MS,
    });
    const after = emu.state().helix;
    const failed = reports.reduce((n, r) => n + r.failed.length, 0);
    const redisCalls = reports.reduce((n, r) => n + r.budget.takes + r.budget.observed, 0);
    console.error(
      `helix-budget: ${String(PROCESSES)} x ${String(REQUESTS)} requests in ${(wallMs / 1000).toFixed(1)} s ` +
        `(bound ${(BOUND_MS / 1000).toFixed(1)} s), ${String(after.rate_limited - before.rate_limited)} x 429, ` +
        `${String(failed)} failed, ${String(after.requests - before.requests)} sent, ` +
        `${String(reports.reduce((n, r) => n + r.minted, 0))} token(s) minted, ${String(redisCalls)} budget calls to Redis`,
    );
    return [
      boundFigure(
        'helix budget: 429s, 3 processes x 1,000 requests',
        after.rate_limited - before.rate_limited,
        '429s',
        {
          max: 0,
        },
      ),
      boundFigure('helix budget: failed requests', failed, 'requests', { max: 0 }),
      boundFigure('helix budget: total time / bucket bound (165 s)', wallMs / BOUND_MS, 'x', { max: 1.05 }),
    ];
  } finally {
    await emu.close();
    await redis.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const figure of await run()) {
    console.log(
      `${figure.figure}: ${figure.value.toFixed(3)} ${figure.unit} (${figure.target}: ${figure.pass ? 'pass' : 'FAIL'})`,
    );
  }
}
