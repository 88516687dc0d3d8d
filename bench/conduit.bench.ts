/**
 * Conduit client benchmarks, against the emulator running in a child process (bench/emulator-process.ts):
 *
 * - Start-up time of an AutoClient with 100 and 1,000 shards: conduit creation, every shard connected and welcomed,
 *   chunked assignment, `ready`. Absolute bounds (there is no baseline library to run here).
 * - Heap per idle shard (connected, assigned, nothing flowing): main-isolate heap growth over 500 shards
 *   (target <= 50 KB). Socket buffers are native memory and are not included.
 *
 * Per-message dispatch cost (CPU per message and throughput against the raw floor) is in dispatch.bench.ts.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AutoClient } from '../src/eventsub/conduit/index.js';
import { startEmulatorProcess, type EmulatorHandle } from './emulator-process.js';
import { boundFigure, type BenchFigure } from './harness.js';

const IDLE_SHARDS = 500;

function client(emu: EmulatorHandle, shards: number): AutoClient {
  return new AutoClient({
    ...emu.options,
    conduitId: 'create',
    shardIds: Array.from({ length: shards }, (_, i) => i),
    watchShardDisabled: false,
    reconcileIntervalMs: 0,
    connectConcurrency: 64,
  });
}

async function startup(emu: EmulatorHandle, shards: number, maxMs: number): Promise<BenchFigure> {
  const c = client(emu, shards);
  let ready = 0;
  c.on('ready', (info) => {
    ready = info.readyShards.length;
  });
  const started = performance.now();
  await c.start();
  const elapsed = performance.now() - started;
  await c.close();
  if (ready !== shards) throw new Error(`only ${ready} of ${shards} shards were ready`);
  return boundFigure(`start-up, ${shards.toLocaleString('en-US')} shards`, Math.round(elapsed), 'ms', {
    max: maxMs,
  });
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function idleHeap(emu: EmulatorHandle): Promise<BenchFigure> {
  const gc = collectGarbage();
  const warm = client(emu, 4);
  await warm.start();
  await warm.close();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const before = process.memoryUsage().heapUsed;
  const c = client(emu, IDLE_SHARDS);
  c.on('notification', () => undefined);
  await c.start();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  await c.close();
  const perShard = (after - before) / IDLE_SHARDS / 1024;
  return boundFigure('heap per idle shard', Math.round(perShard * 10) / 10, 'KB', { max: 50 });
}

export async function run(): Promise<BenchFigure[]> {
  const emu = await startEmulatorProcess();
  try {
    return [await startup(emu, 100, 2_000), await startup(emu, 1_000, 10_000), await idleHeap(emu)];
  } finally {
    await emu.close();
  }
}
