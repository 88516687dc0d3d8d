/**
 * The dashboard's per-tick cost at Twitch's maximum of 20,000 shards (issue 19): the AutoClient's `view()` (the
 * ConduitViewer over 20,000 served shards), the server's diff of it against the previous tick, and the tick as JSON,
 * with 20 shards changed per tick; and the snapshot a page gets on connect (time and size). Medians of 50 ticks.
 * Goal: view + diff well under the 1 s tick (bound: 50 ms per tick on a shared CI machine).
 */
import { systemClock } from '../src/core/clock.js';
import type { Conduit } from '../src/eventsub/conduit/models.js';
import type { Shard } from '../src/eventsub/conduit/shard.js';
import { ConduitViewer } from '../src/eventsub/conduit/view.js';
import { DashboardState } from '../src/observability/dashboard.js';
import { boundFigure, median, type BenchFigure } from './harness.js';

const SHARDS = 20_000;
const CHANGED_PER_TICK = 20;
const TICKS = 50;

export function run(): Promise<BenchFigure[]> {
  const shards = new Map<string, { state: string; method: 'websocket'; sessionId: string }>();
  for (let i = 0; i < SHARDS; i++) {
    shards.set(String(i), {
      state: 'ready',
      method: 'websocket',
      sessionId: `session-${i}-abcdefghijklmnop`,
    });
  }
  const owners = new Map([...shards.keys()].map((id) => [id, `node-${Number(id) % 8}`]));
  const viewer = new ConduitViewer(
    {
      conduit: { id: 'c0ffee00-0000-4000-8000-000000000000', shardCount: SHARDS } as unknown as Conduit,
      clock: systemClock,
      shard: (id) => shards.get(id) as unknown as Shard | undefined,
      owners: () => owners,
    },
    () => 'AutoClient',
  );
  const source = { metrics: () => [], view: () => viewer.view() };
  const state = new DashboardState({
    sources: [source],
    tickMs: 1000,
    emulator: false,
    triggerTypes: [],
    onError: (error) => {
      throw error;
    },
  });

  let t = performance.now();
  const snapshot = JSON.stringify(state.snapshot(Date.now()));
  const snapshotMs = performance.now() - t;

  const viewMs: number[] = [];
  const tickMs: number[] = [];
  const tickBytes: number[] = [];
  for (let tick = 0; tick < TICKS; tick++) {
    for (let k = 0; k < CHANGED_PER_TICK; k++) {
      const shard = shards.get(String((tick * 997 + k * 131) % SHARDS));
      if (shard !== undefined) shard.sessionId = `session-${tick}-${k}`;
    }
    t = performance.now();
    viewer.view();
    viewMs.push(performance.now() - t);
    t = performance.now();
    // A full tick: view() again (unchanged since: the reuse path) + diff + rates + JSON.
    const frame = JSON.stringify(state.tick(Date.now()));
    tickMs.push(performance.now() - t);
    tickBytes.push(frame.length);
  }
  return Promise.resolve([
    boundFigure(`dashboard view() at ${SHARDS} shards`, median(viewMs), 'ms', { max: 50 }),
    boundFigure(`dashboard tick (view + diff + JSON) at ${SHARDS} shards`, median(tickMs), 'ms', { max: 50 }),
    boundFigure(`dashboard tick size, ${CHANGED_PER_TICK} shards changed`, median(tickBytes), 'B', {
      max: 20_000,
    }),
    boundFigure(`dashboard snapshot build at ${SHARDS} shards`, snapshotMs, 'ms', { max: 500 }),
    boundFigure(`dashboard snapshot size at ${SHARDS} shards`, snapshot.length / 1e6, 'MB', { max: 5 }),
  ]);
}
