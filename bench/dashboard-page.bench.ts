/**
 * The dashboard page in real Chromium (issue 19: "loads in under a second with 20,000 shards and stays responsive at
 * 10,000 events/s"), against the scripted protocol server of the browser tests:
 *
 * - navigation to the first complete grid with 20,000 shards: the page's own mark at the end of its first full draw
 *   (`performance.now()` counts from the navigation's start), median of 5 fresh loads; the grid is checked complete
 *   (20,000 cells counted in the legend);
 * - main-thread busy time per tick while ticks arrive 10 times faster than the default 1 per second, each carrying
 *   rates worth 10,000 events/s over 20 types and 300 changed shards: Chromium's own `TaskDuration` (DevTools
 *   protocol, everything the renderer's main thread did: parsing, script, style, layout, paint) over the ticks,
 *   divided by their count; and the long tasks (> 50 ms) the page's `PerformanceObserver` saw meanwhile.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, newPage } from '../test/support/browser.js';
import { shard, snapshotOf, startScriptedDashboard, tickOf } from '../test/browser/scripted-dashboard.js';
import { boundFigure, median, type BenchFigure } from './harness.js';

const SHARDS = 20_000;
const LOADS = 5;
const TICKS = 50;
const TICK_EVERY_MS = 100;
const CHANGED_PER_TICK = 300;
const EVENTS_PER_SECOND = 10_000;
const TYPES = 20;

interface Stats {
  ticks: number;
  frames: number;
  firstGridMs: number;
  shardCount: number;
}
interface PageGlobal {
  __twitchRealtimeDashboard?: { stats(): Stats };
  __longTasks?: number[];
}

/** Resolves after the page's next animation frame. */
const NEXT_FRAME = 'new Promise((resolve) => requestAnimationFrame(resolve))';

const statsOf = (page: Page): Promise<Stats> =>
  page.evaluate(() => (globalThis as PageGlobal).__twitchRealtimeDashboard!.stats());

export async function run(): Promise<BenchFigure[]> {
  const states: Record<number, string> = {};
  for (let i = 0; i < SHARDS; i += 53) states[i] = 'websocket_disconnected';
  // Shards as the AutoClient's view() gives them (Twitch-length session ids, an owner each, times): the snapshot is
  // about the size of the real server's (3.4 MB at 20,000 shards, bench/dashboard.bench.ts).
  const base = snapshotOf(SHARDS, states);
  const shards = base.conduit!.shards.map((s, i) => ({
    ...s,
    sessionId: `AgoQ${String(i).padStart(8, '0')}-session-id-of-twitch-length`,
    owner: `node-${i % 8}`,
    disconnectedAt: s.connectedAt,
  }));
  const snapshot = { ...base, conduit: { ...base.conduit!, shards } };
  const server = await startScriptedDashboard({ snapshot });
  console.error(`  snapshot: ${(JSON.stringify(snapshot).length / 1e6).toFixed(1)} MB`);
  const browser = await launchBrowser();
  try {
    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const page = await newPage(browser);
      await page.goto(server.url);
      await page.waitForFunction(
        () => ((globalThis as PageGlobal).__twitchRealtimeDashboard?.stats().firstGridMs ?? -1) >= 0,
        null,
        { timeout: 30_000 },
      );
      const stats = await statsOf(page);
      const total = await page.locator('#legend').getAttribute('data-total');
      if (stats.shardCount !== SHARDS || total !== String(SHARDS))
        throw new Error('the grid is not complete');
      loads.push(stats.firstGridMs);
      await page.context().close();
    }
    console.error(`  first grid: ${loads.map((ms) => ms.toFixed(0)).join(', ')} ms`);

    const page = await newPage(browser);
    // Long tasks as the page sees them (a string: this runs in the browser, where the DOM's types apply).
    await page.addInitScript({
      content:
        'globalThis.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) ' +
        "globalThis.__longTasks.push(e.duration); }).observe({ type: 'longtask' });",
    });
    await page.goto(server.url);
    await page.waitForFunction(
      () => ((globalThis as PageGlobal).__twitchRealtimeDashboard?.stats().firstGridMs ?? -1) >= 0,
      null,
      { timeout: 30_000 },
    );
    await page.evaluate(NEXT_FRAME);
    await page.evaluate(() => ((globalThis as PageGlobal).__longTasks!.length = 0));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskDuration = async (): Promise<number> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
    };
    const perType = EVENTS_PER_SECOND / TYPES;
    const eventsPerSecond = Object.fromEntries(
      Array.from({ length: TYPES }, (_, i) => [`type.${i}`, perType]),
    );
    const busyBefore = await taskDuration();
    for (let t = 0; t < TICKS; t++) {
      const changed = Array.from({ length: CHANGED_PER_TICK }, (_, k) => {
        const id = (t * 997 + k * 61) % SHARDS;
        return shard(
          id,
          (t + k) % 3 === 0 ? 'connecting' : (t + k) % 3 === 1 ? 'websocket_disconnected' : 'ready',
        );
      });
      server.tick(tickOf(Date.now(), eventsPerSecond, changed));
      await new Promise((resolve) => setTimeout(resolve, TICK_EVERY_MS));
    }
    await page.waitForFunction(
      (n) => ((globalThis as PageGlobal).__twitchRealtimeDashboard?.stats().ticks ?? 0) >= n,
      TICKS,
      { timeout: 30_000 },
    );
    await page.evaluate(NEXT_FRAME);
    const busyMs = ((await taskDuration()) - busyBefore) * 1000;
    const longTasks = await page.evaluate(() => (globalThis as PageGlobal).__longTasks!.slice());
    const frames = (await statsOf(page)).frames;
    console.error(
      `  ticks: ${TICKS} in ${frames} frames, busy ${busyMs.toFixed(0)} ms, long tasks: ${longTasks.length}` +
        (longTasks.length > 0 ? ` (longest ${Math.max(...longTasks).toFixed(0)} ms)` : ''),
    );
    await page.context().close();
    return [
      boundFigure(`dashboard page: navigation to full grid, ${SHARDS} shards`, median(loads), 'ms', {
        max: 1000,
      }),
      boundFigure(
        `dashboard page: main-thread busy per tick (${CHANGED_PER_TICK} shards, 10k events/s)`,
        busyMs / TICKS,
        'ms',
        { max: 50 },
      ),
      boundFigure('dashboard page: long tasks (> 50 ms) during the ticks', longTasks.length, '', { max: 0 }),
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}
