/**
 * The dashboard page in real Chromium against a hostile stream (scripted-dashboard.ts): values that a broken or
 * hostile server (a Redis node id, a state string, a shard count) can put into a snapshot or a tick. The page must
 * keep its last good state, stay bounded, and never turn data into markup.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser, newPage } from '../support/browser.js';
import { until } from '../support/until.js';
import type { DashboardTick } from '../../src/observability/dashboard-protocol.js';
import {
  shard,
  snapshotOf,
  startScriptedDashboard,
  tickOf,
  type ScriptedDashboard,
} from './scripted-dashboard.js';

const TEST_TIMEOUT = 20_000;

interface Hook {
  cellAt(id: string): { x: number; y: number; width: number; height: number } | null;
  stats(): { snapshots: number; ticks: number; firstGridMs: number; shardCount: number; names: number };
}
interface PageGlobal {
  __twitchRealtimeDashboard?: Hook;
}

describe.skipIf(!browserTestsEnabled())('the dashboard page against a hostile stream', () => {
  let browser: Browser | undefined;
  let server: ScriptedDashboard | undefined;
  let page: Page | undefined;
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterEach(async () => {
    const errors = pageErrors.splice(0);
    await page?.context().close();
    page = undefined;
    await server?.close();
    server = undefined;
    expect(errors.map((e) => e.message)).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(s: ScriptedDashboard): Promise<Page> {
    const p = await newPage(browser!);
    page = p;
    p.on('pageerror', (error) => pageErrors.push(error));
    await p.goto(s.url);
    await p.waitForFunction(
      () => ((globalThis as PageGlobal).__twitchRealtimeDashboard?.stats().firstGridMs ?? -1) >= 0,
      null,
      { timeout: 10_000 },
    );
    return p;
  }
  const stats = (p: Page) => p.evaluate(() => (globalThis as PageGlobal).__twitchRealtimeDashboard!.stats());

  it(
    'a shard count that is no count (negative, fractional, 1e308, 1e9, a string) is refused; the grid keeps its shards',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(100) });
      const p = await open(server);
      const conduit = (shardCount: unknown): DashboardTick['conduit'] =>
        ({ source: 0, id: 'conduit-1', shardCount, shards: [] }) as unknown as DashboardTick['conduit'];
      for (const bad of [-1, 2.5, 1e308, 1e9, '7', null]) {
        server.tick(tickOf(Date.now(), {}, [], { conduit: conduit(bad) }));
      }
      // A good tick after the bad ones: it applies on the grid the page had.
      server.tick(tickOf(Date.now(), {}, [shard(5, 'websocket_disconnected')]));
      await until(async () => (await stats(p)).ticks === 7, 'the seven ticks read');
      await until(
        async () => (await p.locator('#legend').getAttribute('data-count-websocket_disconnected')) === '1',
        'the good tick applied',
      );
      expect((await stats(p)).shardCount).toBe(100);
      expect(await p.locator('#legend').getAttribute('data-total')).toBe('100');
      expect(
        await p.evaluate(() => (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt('99')),
      ).not.toBe(null);
      expect(await p.locator('#errors').textContent()).toContain('shard count');
      // A snapshot with such a count shows the shards it lists.
      server.snapshot = snapshotOf(3, {}, { conduit: { ...snapshotOf(3).conduit!, shardCount: 1e9 } });
      server.dropStreams();
      await until(async () => (await stats(p)).snapshots === 2, {
        what: 'a second snapshot',
        timeoutMs: 8_000,
      });
      expect((await stats(p)).shardCount).toBe(3);
      await until(
        async () =>
          ((await p.locator('#errors').textContent()) ?? '').includes(
            "a snapshot's shard count is no count: 1000000000",
          ),
        'the snapshot noted as drawn',
      );
    },
    TEST_TIMEOUT,
  );

  it(
    'states and owner names that keep changing (a hostile Redis) leave nothing behind: the page stays bounded',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(4) });
      const p = await open(server);
      const before = (await stats(p)).names;
      const N = 400;
      for (let k = 0; k < N; k++) {
        server.tick(
          tickOf(Date.now(), {}, [{ ...shard(0, `state-${k}`), owner: `node-${k}`, owned: false }]),
        );
      }
      await until(async () => (await stats(p)).ticks === N, { what: 'every tick read', timeoutMs: 10_000 });
      await until(
        async () => (await p.locator('#owners li').first().getAttribute('data-owner')) === `node-${N - 1}`,
        'the last owner shown',
      );
      // One state and one owner more than before, whatever came and went (`names` counts the page's maps of state
      // and owner names, the owners' colours and the legend's attributes).
      expect(await p.locator('#owners li').count()).toBe(1);
      expect((await stats(p)).names).toBeLessThanOrEqual(before + 4 + 64);
    },
    TEST_TIMEOUT,
  );

  it(
    'a tick whose rates are no rates is noted once and left out; the charts keep drawing the others',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(4) });
      const p = await open(server);
      server.tick(tickOf(Date.now(), {}, [], { rates: null as unknown as DashboardTick['rates'] }));
      for (let k = 1; k <= 3; k++) server.tick(tickOf(Date.now(), { 'channel.follow': 10 * k }));
      await until(async () => (await stats(p)).ticks === 4, 'the four ticks read');
      await until(
        async () => (await p.locator('#rate').getAttribute('data-rate')) === '30',
        'the rate of the last good tick',
      );
      const errors = (await p.locator('#errors').textContent()) ?? '';
      expect(errors).toContain("a tick's rates are no rates: null");
      expect(errors).not.toContain('could not draw');
    },
    TEST_TIMEOUT,
  );

  it(
    'markup in any string from the stream stays text: no element, no script, no attribute it chose',
    async () => {
      const evil = '<img src=x onerror="window.__pwned=1">"\'><script>window.__pwned=2</script>';
      server = await startScriptedDashboard({
        snapshot: snapshotOf(
          4,
          {},
          {
            errors: [{ at: Date.now(), code: evil, message: evil, source: 0 }],
            triggerTypes: [{ type: evil, version: evil }],
            subscriptions: {
              counts: [{ type: evil, version: evil, status: evil, count: 1, cost: 1 }],
              total: 1,
              totalCost: 1,
              maxTotalCost: 10,
              listedAt: Date.now(),
            },
          },
        ),
      });
      const p = await open(server);
      server.tick(
        tickOf(
          Date.now(),
          { [evil]: 5 },
          [{ ...shard(1, evil), owner: evil, sessionId: evil, owned: false }],
          {
            health: [{ live: false, ready: false, reasons: [evil] }, null],
          },
        ),
      );
      await until(async () => (await p.locator('#owners li').count()) === 1, 'the tick applied');
      expect(await p.locator('img').count()).toBe(0);
      expect(await p.locator('script').count()).toBe(1);
      expect(await p.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBe(undefined);
      expect(await p.locator('#errors').textContent()).toContain(evil);
      expect(await p.locator('#owners').textContent()).toContain(evil);
      expect(await p.locator('#subscriptions-body').textContent()).toContain(evil);
      expect(await p.locator('#rate-types').textContent()).toContain(evil);
    },
    TEST_TIMEOUT,
  );
});
