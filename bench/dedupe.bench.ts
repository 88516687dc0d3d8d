/**
 * Dedupe store benchmarks, on a simulated clock (no waiting): 5,000 messages per second, every id new (Twitch's
 * 36-character UUIDs, flat strings as `JSON.parse` and `node:http` produce them), the default 11-minute window.
 *
 * - Memory: heap and array buffers (the tables are typed arrays) of the store at its peak, i.e. just before its oldest
 *   slice leaves (ids then span 13.75 minutes), over 16.5 simulated minutes. Target <= 400 MB (the documented cost of the default 5,000,000-id bound), and the
 *   bytes per id held.
 * - CPU per add: `process.cpuUsage()` over the adds only (ids are made outside the timed part), for 15 simulated
 *   minutes (past the first dropped slice), as adds per CPU-second, ratio to the old `MessageIdCache` in the same
 *   run. Twice: the old cache given the same time window (the fair comparison: both keep every id of the window),
 *   and the old cache as the AutoClient configured it (100,000 ids, which forgot ids after 20 s at this rate: a
 *   correct store holds 40 times more ids, and tables that big miss the CPU caches). A new id costs the store one
 *   probe per live slice (five) where the old cache paid an insert and a delete; in exchange it never evicts one id
 *   at a time and its tables stay a quarter of the window, so nothing stalls (with a `Set` per slice, the slowest
 *   simulated second was 43 to 49 ms, against 240 to 280 ms for one set expiring id by id, and 0.35 to 2.3 s for the
 *   old cache's queue compaction; wall time, so not guarded here: other processes' load would make it flaky).
 *   Measured on the shared 2-core VM with the typed-array tables (UUIDs as 128-bit keys): 1.75 to 1.87 and 0.70 to
 *   0.87, 43 bytes per id, 168 MB at the peak (a `Set` of strings per slice: 0.61 to 0.73, 0.42 to 0.59, 81 bytes,
 *   336 MB); the guards (0.5 and 0.3) sit below the lowest run.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_DEDUPE_WINDOW_MS, MemoryDedupeStore } from '../src/eventsub/websocket/dedupe.js';
import { boundFigure, median, ratioFigure, type BenchFigure } from './harness.js';

const RATE = 5000;
const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

/** The message-id cache before this store (count and age limits, FIFO eviction), kept here as the baseline. */
class OldMessageIdCache {
  readonly #ids = new Set<string>();
  #queueIds: string[] = [];
  #queueTimes: number[] = [];
  #head = 0;

  constructor(
    readonly maxSize: number,
    readonly maxAgeMs: number,
  ) {}

  add(id: string, now: number): boolean {
    const ids = this.#ids;
    const size = ids.size;
    ids.add(id);
    if (ids.size === size) return false;
    this.#evict(now - this.maxAgeMs);
    this.#queueIds.push(id);
    this.#queueTimes.push(now);
    return true;
  }

  #evict(cutoff: number): void {
    const ids = this.#ids;
    const queueIds = this.#queueIds;
    const queueTimes = this.#queueTimes;
    let head = this.#head;
    const end = queueIds.length;
    while (head < end && ((queueTimes[head] ?? 0) <= cutoff || ids.size > this.maxSize)) {
      ids.delete(queueIds[head] ?? '');
      head++;
    }
    if (head >= 1024 && head * 2 >= end) {
      queueIds.splice(0, head);
      queueTimes.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }
}

interface Adder {
  add(id: string, now: number): unknown;
}

/** Flat 36-character UUID-shaped ids, distinct for every `n` (a counter spread over the hex digits). */
const scratch = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const SLOTS = [35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 7, 6, 5, 4, 3, 2, 1, 0];
function idOf(n: number): string {
  let x = n;
  for (const slot of SLOTS) {
    scratch[slot] = HEX[x & 15] ?? 48;
    x = Math.floor(x / 16);
  }
  return scratch.toString('latin1');
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap and array buffers (the store's tables are typed arrays, outside the heap). */
function storeBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Peak heap of the store over `minutes` simulated minutes at RATE, sampled just before each slice boundary. */
function peakHeap(gc: () => void, minutes: number): { bytes: number; ids: number } {
  gc();
  gc();
  const before = storeBytes();
  const store = new MemoryDedupeStore();
  const slice = Math.ceil(DEFAULT_DEDUPE_WINDOW_MS / 4);
  const perMs = RATE / 1000;
  const total = RATE * 60 * minutes;
  let peak = { bytes: 0, ids: 0 };
  for (let i = 0; i < total; i++) {
    const now = T0 + Math.floor(i / perMs);
    store.add(idOf(i), now);
    const next = T0 + Math.floor((i + 1) / perMs);
    // The last add before a slice boundary: the next add may drop the oldest slice.
    if (Math.floor(next / slice) !== Math.floor(now / slice)) {
      gc();
      const bytes = storeBytes() - before;
      if (bytes > peak.bytes) peak = { bytes, ids: store.size };
    }
  }
  return peak;
}

/** CPU microseconds per add over `minutes` simulated minutes at RATE; ids are made outside the timed part. */
function cpuPerAdd(store: Adder, minutes: number): number {
  const chunk: string[] = new Array<string>(RATE);
  let n = 0;
  let cpu = 0;
  for (let second = 0; second < minutes * 60; second++) {
    for (let j = 0; j < RATE; j++) chunk[j] = idOf(n++);
    const start = process.cpuUsage();
    for (let j = 0; j < RATE; j++) store.add(chunk[j] ?? '', T0 + second * 1000 + Math.floor(j / 5));
    const used = process.cpuUsage(start);
    cpu += used.user + used.system;
  }
  return cpu / n;
}

export async function run(): Promise<BenchFigure[]> {
  const gc = collectGarbage();
  const peak = peakHeap(gc, 16.5);
  gc();
  const ours: number[] = [];
  const sameWindow: number[] = [];
  const autoClient: number[] = [];
  for (let round = 0; round < 3; round++) {
    // Alternate, so that all three see the same conditions; each starts on a collected heap.
    gc();
    ours.push(1e6 / cpuPerAdd(new MemoryDedupeStore(), 15));
    gc();
    sameWindow.push(1e6 / cpuPerAdd(new OldMessageIdCache(2 ** 24, DEFAULT_DEDUPE_WINDOW_MS), 15));
    gc();
    autoClient.push(1e6 / cpuPerAdd(new OldMessageIdCache(100_000, DEFAULT_DEDUPE_WINDOW_MS), 15));
    await Promise.resolve();
  }
  const mb = Math.round((peak.bytes / 1e6) * 10) / 10;
  return [
    boundFigure(`dedupe store peak heap, ${RATE} msg/s, 11-min window (${peak.ids} ids)`, mb, 'MB', {
      max: 400,
    }),
    boundFigure('dedupe store heap per id held', Math.round(peak.bytes / peak.ids), 'B', { max: 100 }),
    ratioFigure(
      'dedupe adds/CPU-s vs old cache, same window',
      median(ours),
      median(sameWindow),
      'add/s',
      0.5,
    ),
    ratioFigure('dedupe adds/CPU-s vs old 100k-id cache', median(ours), median(autoClient), 'add/s', 0.3),
  ];
}

// The figures above (slice boundaries, the 400 MB bound) assume the default window.
if (DEFAULT_DEDUPE_WINDOW_MS !== 11 * MINUTE) throw new Error('the bench assumes an 11-minute window');
