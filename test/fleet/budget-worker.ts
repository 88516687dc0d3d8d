/**
 * One process of a fleet sharing a Helix budget and an app token through Redis (spawned by
 * test/fleet/helix-budget-fleet.test.ts and bench/helix-budget.bench.ts):
 *
 *   node --import tsx --conditions=twitch-realtime:source test/fleet/budget-worker.ts '<json options>'
 *
 * Options: helixUrl, oauthUrl, clientId, clientSecret, redisUrl, requests, windowMs, reserve. It waits for a line on
 * stdin (so that every process starts together), sends `requests` GET /eventsub/conduits at once (the client queues
 * them), prints one JSON line with what happened, closes everything and exits by itself.
 */
import { createInterface } from 'node:readline';
import { AppTokenProvider, HelixClient, type TwitchError } from 'twitch-realtime';
import { connectRedis, RedisAppTokenStore, RedisHelixBudget } from 'twitch-realtime/fleet';

interface WorkerOptions {
  readonly helixUrl: string;
  readonly oauthUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redisUrl: string;
  readonly requests: number;
  readonly windowMs: number;
  readonly reserve: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
const redis = await connectRedis(options.redisUrl);
const redisErrors: string[] = [];
const budget = new RedisHelixBudget({
  redis,
  clientId: options.clientId,
  windowMs: options.windowMs,
  reserve: options.reserve,
  onError: (error) => redisErrors.push(error.code),
});
const auth = new AppTokenProvider({
  clientId: options.clientId,
  clientSecret: options.clientSecret,
  oauthUrl: options.oauthUrl,
  store: new RedisAppTokenStore({ redis, clientId: options.clientId }),
  onStoreError: (error) => redisErrors.push(error.message),
});
const helix = new HelixClient({
  clientId: options.clientId,
  auth,
  helixUrl: options.helixUrl,
  budget,
  maxRateLimitWaitMs: 600_000,
});

process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => {
  lines.once('line', () => {
    resolve();
  });
});
lines.close();

const started = performance.now();
const codes: string[] = [];
const results = await Promise.allSettled(
  Array.from({ length: options.requests }, () => helix.eventSub.getConduits()),
);
const elapsedMs = performance.now() - started;
for (const result of results) {
  if (result.status === 'rejected') codes.push((result.reason as TwitchError).code);
}
await budget.close();
helix.close();
auth.close();
await redis.close();
process.stdout.write(
  `${JSON.stringify({
    ok: results.length - codes.length,
    failed: codes,
    elapsedMs: Math.round(elapsedMs),
    minted: auth.acquisitions,
    sharedReads: auth.sharedReads,
    http: helix.http.stats,
    budget: budget.stats,
    redisErrors,
  })}\n`,
);
