/**
 * The soak: the demo scenario (AutoClient against the emulator, continuous traffic and faults) for minutes, with
 * heap and handle counts sampled over time. Exactly-once is checked at the end against the emulator's counters;
 * flat handle counts (and a heap that stops growing once the bounded caches are full) mean no leak.
 */
import { DemoScenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';

/** One sample of the process. */
export interface SoakSample {
  /** Milliseconds since the soak started. */
  readonly atMs: number;
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
  /** Active handles and requests (`process.getActiveResourcesInfo()`): sockets, timers, servers. */
  readonly handles: number;
  /** Distinct events handled so far. */
  readonly handled: number;
  /**
   * Whether every shard was connected (WebSocket) or enabled (webhook) when sampled: samples taken mid-reconnect
   * carry transient handles.
   */
  readonly steady: boolean;
}

/** Options of {@link runSoak}. */
export interface SoakOptions extends Omit<ScenarioOptions, 'durationMs' | 'faults'> {
  /** Traffic duration, milliseconds. */
  readonly durationMs: number;
  /** Sampling period, milliseconds. @defaultValue 1000 */
  readonly sampleEveryMs?: number;
  /** Called with each sample as it is taken. */
  readonly onSample?: (sample: SoakSample) => void;
}

/** What a soak reports. */
export interface SoakReport {
  readonly result: ScenarioResult;
  readonly samples: readonly SoakSample[];
  /**
   * Handle growth: the median handle count of the steady samples (every shard connected) of the last third of the
   * run minus that of the first third. At most {@link HANDLE_GROWTH_TOLERANCE} means no leak.
   */
  readonly handleGrowth: number;
  /** Heap used at the end of the run minus at its first third, bytes (informative: caches fill up to their bound). */
  readonly heapGrowthBytes: number;
}

/**
 * Handle growth the soak tolerates: pooled HTTP keep-alive sockets and timers come and go by one or two. A leak of
 * one handle per fault grows by the number of faults (dozens in 30 s, hundreds in 10 min).
 */
export const HANDLE_GROWTH_TOLERANCE = 3;

/** Median handle count of the steady samples (all samples when none is steady). */
function medianHandles(samples: readonly SoakSample[]): number {
  const steady = samples.filter((s) => s.steady);
  const pool = (steady.length > 0 ? steady : samples).map((s) => s.handles).sort((a, b) => a - b);
  if (pool.length === 0) return 0;
  const mid = pool.length >> 1;
  return pool.length % 2 === 1 ? (pool[mid] ?? 0) : ((pool[mid - 1] ?? 0) + (pool[mid] ?? 0)) / 2;
}

/**
 * Runs the soak and resolves with its report.
 *
 * @example
 * ```ts
 * const report = await runSoak({ durationMs: 30_000, rate: 100 });
 * report.result.accounting.lost; // 0
 * report.handleGrowth <= HANDLE_GROWTH_TOLERANCE; // true without a leak
 * ```
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { sampleEveryMs = 1000, onSample, ...scenarioOptions } = options;
  // Like the demo: one webhook shard among the WebSocket ones (when there are two shards or more).
  const shards = scenarioOptions.shards ?? 4;
  const scenario = new DemoScenario({
    webhookShards: shards < 2 ? 0 : 1,
    ...scenarioOptions,
    faults: true,
  });
  const started = Date.now();
  const samples: SoakSample[] = [];
  const timer = setInterval(() => {
    const snapshot = scenario.snapshot();
    if (snapshot.phase !== 'running') return;
    const memory = process.memoryUsage();
    const sample: SoakSample = {
      atMs: Date.now() - started,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      handles: process.getActiveResourcesInfo().length,
      handled: snapshot.handled,
      steady:
        snapshot.shards.length > 0 &&
        snapshot.shards.every((s) => s.state === 'connected' || s.state === 'webhook'),
    };
    samples.push(sample);
    onSample?.(sample);
  }, sampleEveryMs);
  let result: ScenarioResult;
  try {
    result = await scenario.run();
  } finally {
    clearInterval(timer);
  }
  const third = Math.max(1, Math.floor(samples.length / 3));
  const head = samples.slice(0, third);
  const tail = samples.slice(-third);
  const handleGrowth = medianHandles(tail) - medianHandles(head);
  const heapAtHead = head.at(-1)?.heapUsedBytes ?? 0;
  const heapAtEnd = samples.at(-1)?.heapUsedBytes ?? 0;
  return { result, samples, handleGrowth, heapGrowthBytes: heapAtEnd - heapAtHead };
}
