/**
 * Helix client benchmarks against the emulator:
 * 1. throughput with an unlimited bucket, as a ratio to plain `fetch` (same concurrency, same run);
 * 2. total time of N requests under the default 800/min bucket against the theoretical bound of a token bucket
 *    ((N - 800) / (800 / 60 s)), with zero 429 responses.
 */
import { Emulator } from '../src/emulator/index.js';
import { HelixClient } from '../src/helix/client.js';
import { median, ratioFigure, boundFigure, type BenchFigure } from './harness.js';

const CONCURRENCY = 32;
const THROUGHPUT_REQUESTS = 2000;
const BUCKET = 800;
const BUCKET_REQUESTS = 900;

async function plainFetch(url: string, clientId: string, token: string, n: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) {
        const res = await fetch(url, {
          headers: { 'Client-Id': clientId, Authorization: `Bearer ${token}` },
        });
        await res.json();
      }
    }),
  );
  return (n * 1000) / (performance.now() - t0);
}

async function ours(helix: HelixClient, n: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => helix.eventSub.getConduits()));
  return (n * 1000) / (performance.now() - t0);
}

export async function run(): Promise<BenchFigure[]> {
  const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity });
  try {
    const o = emu.clientOptions();
    const helix = new HelixClient({ ...o, concurrency: CONCURRENCY });
    const token = emu.mintAppToken().accessToken;
    const url = `${o.helixUrl}/eventsub/conduits`;
    // Warm-up (JIT, connection pools) for both sides.
    await plainFetch(url, o.clientId, token, 1000);
    await ours(helix, 1000);
    const plainRuns: number[] = [];
    const ourRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      plainRuns.push(await plainFetch(url, o.clientId, token, THROUGHPUT_REQUESTS));
      ourRuns.push(await ours(helix, THROUGHPUT_REQUESTS));
    }
    helix.close();
    const throughput = ratioFigure(
      'helix requests/s, unlimited bucket (vs plain fetch)',
      median(ourRuns),
      median(plainRuns),
      'req/s',
      0.9,
    );

    // Default bucket: a fresh client (full bucket), N requests as fast as allowed.
    emu.setRateLimit(BUCKET);
    const app = emu.registerClient();
    const limited = new HelixClient({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      concurrency: CONCURRENCY,
    });
    await limited.http.auth.getAccessToken({ kind: 'app' });
    const before = emu.state().helix.rate_limited;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: BUCKET_REQUESTS }, () => limited.eventSub.getConduits()));
    const elapsed = (performance.now() - t0) / 1000;
    const rateLimited = emu.state().helix.rate_limited - before;
    limited.close();
    const bound = (BUCKET_REQUESTS - BUCKET) / (BUCKET / 60);
    const ratio = elapsed / bound;
    const bucketFigure: BenchFigure = {
      figure: `${BUCKET_REQUESTS} requests under an ${BUCKET}/min bucket (vs token-bucket bound)`,
      value: elapsed,
      baseline: bound,
      unit: 's',
      ratio,
      target: 'ratio <= 1.05',
      pass: ratio <= 1.05,
    };
    return [
      throughput,
      bucketFigure,
      boundFigure('429 responses during the bucket run', rateLimited, '429s', { max: 0 }),
    ];
  } finally {
    await emu.close();
  }
}
