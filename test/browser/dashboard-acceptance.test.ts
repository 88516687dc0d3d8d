/**
 * Issue 19's acceptance, as a person would see it: a real AutoClient on the emulator with its dashboard
 * (`observability` option, the emulator's controls on), the page in Chromium. The grid shows every shard enabled;
 * a shard dropped through the page's own control changes colour and comes back; the event rate moves after the
 * page's trigger control; a screenshot is saved as artifacts/dashboard.png (CI keeps the folder).
 *
 * Timeouts: Chromium's launch (beforeAll, 30 s) and one test that waits for a reconnection with a Helix backoff
 * (30 s), on a shared 2-core machine.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AutoClient } from '../../src/eventsub/conduit/auto-client.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { browserTestsEnabled, launchBrowser, newPage, pixelAt, screenshot } from '../support/browser.js';
import { until } from '../support/until.js';

const SHARDS = 8;
const GREEN = { r: 0x2f, g: 0xbf, b: 0x71 };
const near = (a: { r: number; g: number; b: number }, e: typeof GREEN) =>
  Math.abs(a.r - e.r) <= 3 && Math.abs(a.g - e.g) <= 3 && Math.abs(a.b - e.b) <= 3;

interface PageGlobal {
  __twitchRealtimeDashboard?: {
    cellAt(id: string): { x: number; y: number; width: number; height: number } | null;
    stats(): { firstGridMs: number };
  };
}

describe.skipIf(!browserTestsEnabled())('the dashboard of an AutoClient on the emulator, in Chromium', () => {
  let browser: Browser | undefined;
  let twitch: TestTwitch | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterEach(async () => {
    await twitch?.close();
    twitch = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every shard enabled, a dropped shard change colour and come back, the event rate move', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { broadcaster, moderator } = t.users;
    const client: AutoClient = t.autoClient({
      conduitId: 'create',
      shardIds: Array.from({ length: SHARDS }, (_, i) => i),
      subscriptions: [
        {
          type: 'channel.follow',
          version: '2',
          condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
        },
      ],
      observability: { port: 0, emulator: t.emulator.baseUrl, tickMs: 250 },
    });
    client.on('error', () => undefined);
    let follows = 0;
    client.on('channel.follow', () => follows++);
    await client.start();
    const url = client.observability?.url;
    if (url === undefined) throw new Error('no dashboard');

    const page = await newPage(browser!);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    await page.waitForFunction(
      () => ((globalThis as PageGlobal).__twitchRealtimeDashboard?.stats().firstGridMs ?? -1) >= 0,
      null,
      { timeout: 10_000 },
    );
    const legend = page.locator('#legend');
    await until(async () => (await legend.getAttribute('data-count-ready')) === String(SHARDS), {
      what: `${SHARDS} shards ready in the legend`,
      timeoutMs: 10_000,
    });
    expect(await legend.getAttribute('data-total')).toBe(String(SHARDS));

    const grid = page.locator('#grid');
    const colourOf = async (id: string) => {
      const rect = await page.evaluate((shardId) => {
        return (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt(shardId);
      }, id);
      const box = await grid.boundingBox();
      if (rect === null || box === null) throw new Error(`no cell for shard ${id}`);
      return pixelAt(
        page,
        Math.floor(box.x + rect.x + rect.width / 2),
        Math.floor(box.y + rect.y + rect.height / 2),
      );
    };
    expect(near(await colourOf('3'), GREEN)).toBe(true);

    // Drop shard 3 through the page; its rebinding meets two 503s from Helix (a backoff), so the
    // shard stays away long enough for a tick to show it.
    const faults = t.emulator.script.failHelix({
      count: 2,
      status: 503,
      method: 'PATCH',
      path: '/eventsub/conduits/shards',
    });
    const rect = await page.evaluate(() => (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt('3'));
    const box = await grid.boundingBox();
    await page.mouse.click(box!.x + rect!.x + rect!.width / 2, box!.y + rect!.y + rect!.height / 2);
    expect(await page.locator('#shard-id').inputValue()).toBe('3');
    const before = client.view().conduit?.shards[3]?.sessionId;
    await page.locator('#drop').click();
    const result = page.locator('#control-result');
    await until(async () => (await result.getAttribute('data-state')) === 'ok', 'the drop carried out');
    await until(async () => !near(await colourOf('3'), GREEN), {
      what: 'shard 3 no longer green',
      timeoutMs: 10_000,
    });
    await faults;
    await until(async () => near(await colourOf('3'), GREEN), {
      what: 'shard 3 green again',
      timeoutMs: 15_000,
    });
    expect(client.view().conduit?.shards[3]?.sessionId).not.toBe(before);
    expect(await legend.getAttribute('data-count-ready')).toBe(String(SHARDS));

    // Trigger follows through the page: the event rate moves.
    const rate = page.locator('#rate');
    await page.locator('#trigger-type').selectOption('channel.follow@2');
    await page.locator('#trigger-count').fill('40');
    await page.locator('#trigger').click();
    await until(() => follows === 40, { what: '40 follows delivered', timeoutMs: 5_000 });
    await until(async () => Number(await rate.getAttribute('data-rate')) > 0, 'the event rate above 0');
    await screenshot(page, 'dashboard.png');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 30_000);
});
