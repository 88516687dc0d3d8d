/**
 * `npm run soak -- --minutes 10`: the AutoClient against the emulator with continuous traffic and faults; prints
 * heap and handle counts over time and the exactly-once accounting. Exits 1 when an event was lost or handled
 * twice, or when handles grew.
 *
 * Options: --minutes <n> (default 10; decimals allowed), --rate <events/s> (default 250), --shards <n> (default 4),
 * --channels <n> (default 50), --sample <seconds> (default 10), --seed <n>.
 */
import { parseArgs } from 'node:util';
import { HANDLE_GROWTH_TOLERANCE, runSoak } from '../src/cli/demo/soak.js';
import { renderSummary } from '../src/cli/demo/view.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '250' },
    shards: { type: 'string', default: '4' },
    channels: { type: 'string', default: '50' },
    sample: { type: 'string', default: '10' },
    seed: { type: 'string' },
  },
});

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: --${name} must be a positive number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const minutes = positive('minutes', values.minutes);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(
  `soak: ${String(minutes)} min, ${values.rate} events/s, ${values.shards} shards, ${values.channels} channels, faults on`,
);
console.log('   time | heap used |      rss | handles | events handled');
const report = await runSoak({
  durationMs: Math.round(minutes * 60_000),
  rate: Math.round(positive('rate', values.rate)),
  shards: Math.round(positive('shards', values.shards)),
  channels: Math.round(positive('channels', values.channels)),
  sampleEveryMs: Math.round(positive('sample', values.sample) * 1000),
  ...(values.seed === undefined ? {} : { seed: Math.round(positive('seed', values.seed)) }),
  onSample: (s) => {
    console.log(
      `${`${(s.atMs / 1000).toFixed(0)} s`.padStart(7)} | ${mb(s.heapUsedBytes).padStart(9)} | ${mb(s.rssBytes).padStart(8)} | ${String(s.handles).padStart(7)} | ${String(s.handled).padStart(14)}${s.steady ? '' : '  (a shard was reconnecting)'}`,
    );
  },
});
console.log('');
for (const line of renderSummary(report.result)) console.log(line);
console.log(
  `handles: growth ${String(report.handleGrowth)} (median of the last third minus the first, tolerance ${String(HANDLE_GROWTH_TOLERANCE)}) · heap: ${report.heapGrowthBytes >= 0 ? '+' : ''}${mb(report.heapGrowthBytes)} since the first third (bounded caches fill up first)`,
);
const ok = report.result.ok && report.handleGrowth <= HANDLE_GROWTH_TOLERANCE;
console.log(ok ? 'soak passed' : 'soak FAILED');
process.exitCode = ok ? 0 : 1;
