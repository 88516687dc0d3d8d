/**
 * The dashboard page in real Chromium, against a scripted server (scripted-dashboard.ts) that speaks the dashboard
 * protocol: what a person sees (cell colours read from screen pixels, the tooltip, the legend's text) and what the
 * page sends (the token, the control routes).
 *
 * Timeouts: launching Chromium takes seconds on a loaded 2-core machine (beforeAll: 30 s), and each test loads a page
 * of up to 20,000 shards in a fresh browser context (15 s each).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchBrowser, newPage, pixelAt, screenshot } from '../support/browser.js';
import { until } from '../support/until.js';
import type { ShardView } from '../../src/observability/source.js';
import {
  shard,
  snapshotOf,
  startScriptedDashboard,
  tickOf,
  type ScriptedDashboard,
} from './scripted-dashboard.js';

const GREEN = { r: 0x2f, g: 0xbf, b: 0x71 };
const AMBER = { r: 0xf2, g: 0xa9, b: 0x3b };
const RED = { r: 0xe5, g: 0x48, b: 0x4d };
const BLUE = { r: 0x4c, g: 0x8d, b: 0xf6 };

const TEST_TIMEOUT = 15_000;

function near(actual: { r: number; g: number; b: number }, expected: { r: number; g: number; b: number }) {
  return (
    Math.abs(actual.r - expected.r) <= 3 &&
    Math.abs(actual.g - expected.g) <= 3 &&
    Math.abs(actual.b - expected.b) <= 3
  );
}

interface Hook {
  cellAt(id: string): { x: number; y: number; width: number; height: number } | null;
  stats(): {
    snapshots: number;
    ticks: number;
    frames: number;
    fullDraws: number;
    cellsDrawn: number;
    firstGridMs: number;
    shardCount: number;
  };
}
/** The page's test-only hook, as the page's own global (types only: the callbacks run in the browser). */
interface PageGlobal {
  __twitchRealtimeDashboard?: Hook;
}

describe.skipIf(!browserTestsEnabled())('the dashboard page in Chromium', () => {
  let browser: Browser | undefined;
  let server: ScriptedDashboard | undefined;
  let page: Page | undefined;
  /** Uncaught errors of the page's script and policy violations: none, in every test. */
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

  async function open(s: ScriptedDashboard, query = ''): Promise<Page> {
    const p = await newPage(browser!);
    page = p;
    p.on('pageerror', (error) => pageErrors.push(error));
    // What the server's Content-Security-Policy refused (the page must need nothing beyond it).
    p.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        pageErrors.push(new Error(message.text()));
      }
    });
    await p.goto(`${s.url}${query}`);
    await p.waitForFunction(
      () => ((globalThis as PageGlobal).__twitchRealtimeDashboard?.stats().firstGridMs ?? -1) >= 0,
      null,
      {
        timeout: 10_000,
      },
    );
    return p;
  }

  const stats = (p: Page) => p.evaluate(() => (globalThis as PageGlobal).__twitchRealtimeDashboard!.stats());

  /** The colour a person sees at the centre of a shard's cell (a screenshot pixel, not the canvas's memory). */
  async function cellColour(p: Page, id: string) {
    const rect = await p.evaluate(
      (shardId) => (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt(shardId),
      id,
    );
    const box = await p.locator('#grid').boundingBox();
    if (rect === null || box === null) throw new Error(`no cell for shard ${id}`);
    return pixelAt(
      p,
      Math.floor(box.x + rect.x + rect.width / 2),
      Math.floor(box.y + rect.y + rect.height / 2),
    );
  }

  async function hoverCell(p: Page, id: string) {
    const rect = await p.evaluate(
      (shardId) => (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt(shardId),
      id,
    );
    const box = await p.locator('#grid').boundingBox();
    await p.mouse.move(box!.x + rect!.x + rect!.width / 2, box!.y + rect!.y + rect!.height / 2);
  }

  it(
    'draws 20,000 shards: legend counts per state in text, and each cell in its state colour',
    async () => {
      const states: Record<number, string> = { 3: 'connecting', 19_999: 'websocket_disconnected' };
      for (let i = 10_000; i < 10_500; i++) states[i] = 'enabled';
      server = await startScriptedDashboard({ snapshot: snapshotOf(20_000, states) });
      const p = await open(server);
      const legend = p.locator('#legend');
      expect(await legend.getAttribute('data-total')).toBe('20000');
      expect(await legend.getAttribute('data-count-ready')).toBe('19498');
      expect(await legend.getAttribute('data-count-enabled')).toBe('500');
      expect(await legend.getAttribute('data-count-connecting')).toBe('1');
      expect(await legend.getAttribute('data-count-websocket_disconnected')).toBe('1');
      expect(await legend.textContent()).toContain('19,498');
      expect((await stats(p)).shardCount).toBe(20_000);
      expect(near(await cellColour(p, '0'), GREEN)).toBe(true);
      expect(near(await cellColour(p, '3'), AMBER)).toBe(true);
      expect(near(await cellColour(p, '10200'), BLUE)).toBe(true);
      expect(near(await cellColour(p, '19999'), RED)).toBe(true);
      // The grid fits the window: the last cell is on screen.
      const last = await p.evaluate(() =>
        (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt('19999'),
      );
      expect(last!.y + last!.height).toBeLessThanOrEqual(900);
      await screenshot(p, 'dashboard-scripted.png');
    },
    TEST_TIMEOUT,
  );

  it(
    'a tick that changes a shard changes its cell colour, and only changed cells are redrawn',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(2_000) });
      const p = await open(server);
      expect(near(await cellColour(p, '42'), GREEN)).toBe(true);
      const before = await stats(p);
      server.tick(
        tickOf(Date.now(), { 'channel.follow': 1 }, [
          shard(42, 'websocket_disconnected', { disconnectedAt: Date.now() }),
          shard(43, 'connecting'),
        ]),
      );
      await until(async () => near(await cellColour(p, '42'), RED), 'shard 42 drawn red');
      expect(near(await cellColour(p, '43'), AMBER)).toBe(true);
      expect(await p.locator('#legend').getAttribute('data-count-websocket_disconnected')).toBe('1');
      expect(await p.locator('#legend').getAttribute('data-count-ready')).toBe('1998');
      const after = await stats(p);
      expect(after.fullDraws).toBe(before.fullDraws);
      expect(after.cellsDrawn - before.cellsDrawn).toBe(2);
      server.tick(tickOf(Date.now(), {}, [shard(42, 'ready')]));
      await until(async () => near(await cellColour(p, '42'), GREEN), 'shard 42 green again');
      // Ticks that arrive together are drawn together: 10 ticks in one write, far fewer frames.
      const burst = await stats(p);
      server.raw(
        Array.from(
          { length: 10 },
          (_, i) =>
            `event: tick\ndata: ${JSON.stringify(tickOf(Date.now(), {}, [shard(100 + i, 'connecting')]))}\n\n`,
        ).join(''),
      );
      await until(async () => (await stats(p)).ticks === burst.ticks + 10, 'the 10 ticks applied');
      await until(async () => near(await cellColour(p, '109'), AMBER), 'the last tick drawn');
      const drawn = await stats(p);
      expect(drawn.frames - burst.frames).toBeLessThanOrEqual(3);
      expect(drawn.cellsDrawn - burst.cellsDrawn).toBe(10);
    },
    TEST_TIMEOUT,
  );

  it(
    'hovering a cell shows the shard, its state, session id, owner and times; the owner shows as a legend entry',
    async () => {
      const snapshot = snapshotOf(500);
      const shards = snapshot.conduit!.shards.map((s) =>
        s.id === '77'
          ? { ...s, sessionId: 'AgoQ-hovered-session', owner: 'worker-b', owned: false, state: 'enabled' }
          : s,
      );
      server = await startScriptedDashboard({
        snapshot: { ...snapshot, conduit: { ...snapshot.conduit!, shards } },
      });
      const p = await open(server);
      await hoverCell(p, '77');
      const tooltip = p.locator('#tooltip');
      await until(() => tooltip.isVisible(), 'the tooltip');
      expect(await tooltip.getAttribute('data-shard')).toBe('77');
      const text = await tooltip.textContent();
      expect(text).toContain('shard 77');
      expect(text).toContain('AgoQ-hovered-session');
      expect(text).toContain('worker-b');
      expect(text).toContain('state: enabled');
      expect(text).toMatch(/connected: .*2026/);
      expect(await p.locator('#owners [data-owner="worker-b"]').textContent()).toContain('1');
      await p.mouse.move(0, 0);
      await until(async () => !(await tooltip.isVisible()), 'the tooltip hidden');
    },
    TEST_TIMEOUT,
  );

  it(
    'the event rate figure moves with the ticks; lag, Helix budget, subscriptions, errors and health are shown',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(100) });
      const p = await open(server);
      const rate = p.locator('#rate');
      expect(Number(await rate.getAttribute('data-rate'))).toBe(84); // 50 + 29 + 5: the history's last point
      server.tick(
        tickOf(Date.now(), { 'channel.chat.message': 9_000, 'channel.follow': 1_000 }, [], {
          errors: [{ at: Date.now(), code: 'SHARD_LOST', message: 'shard 4 lost its session', source: 0 }],
          health: [{ live: true, ready: false, reasons: ['shard 4: failed 6 times in a row'] }, null],
        }),
      );
      await until(async () => (await rate.getAttribute('data-rate')) === '10000', 'the rate at 10,000/s');
      expect(await rate.textContent()).toContain('10,000 events/s');
      expect(await p.locator('#lag').getAttribute('data-lag-p99')).toBe('0.08');
      expect(await p.locator('#helix').getAttribute('data-remaining')).toBe('780');
      expect(await p.locator('#subscriptions-cost').textContent()).toContain('cost 40 / 10,000');
      expect(await p.locator('#subscriptions-body tr').count()).toBe(2);
      expect(await p.locator('#errors').textContent()).toContain('shard 4 lost its session');
      expect(await p.locator('#health li').first().getAttribute('data-ready')).toBe('false');
      expect(await p.locator('#health').textContent()).toContain('shard 4: failed 6 times in a row');
    },
    TEST_TIMEOUT,
  );

  it(
    'the token from the URL goes with the stream and every control; the controls POST the protocol routes',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(100), token: 'tok-123' });
      const p = await open(server, '?token=tok-123');
      const stream = server.requests.find((r) => r.path === '/api/stream');
      expect(stream?.queryToken).toBe('tok-123');
      await p.locator('#controls').waitFor({ state: 'visible' });
      // Select shard 12 by clicking its cell, then drop it.
      const rect = await p.evaluate(() => (globalThis as PageGlobal).__twitchRealtimeDashboard!.cellAt('12'));
      const box = await p.locator('#grid').boundingBox();
      await p.mouse.click(box!.x + rect!.x + 1, box!.y + rect!.y + 1);
      expect(await p.locator('#shard-id').inputValue()).toBe('12');
      const result = p.locator('#control-result');
      for (const action of ['drop', 'reconnect', 'stall']) {
        await p.locator(`#${action}`).click();
        await until(
          () => server!.requests.find((r) => r.path === `/api/emulator/shards/12/${action}`),
          `POST ${action}`,
        );
        await until(async () => (await result.getAttribute('data-state')) === 'ok', `${action} done`);
      }
      await p.locator('#trigger-type').selectOption('channel.follow@2');
      await p.locator('#trigger-count').fill('25');
      await p.locator('#trigger').click();
      const trigger = await until(
        () => server!.requests.find((r) => r.path === '/api/emulator/trigger'),
        'POST trigger',
      );
      expect(JSON.parse(trigger.body)).toEqual({ type: 'channel.follow', version: '2', count: 25 });
      const posts = server.requests.filter((r) => r.method === 'POST');
      expect(posts).toHaveLength(4);
      for (const post of posts) expect(post.authorization).toBe('Bearer tok-123');
      // A refused control is shown as such.
      server.controlError = { status: 409, code: 'SHARD_NOT_CONNECTED', message: 'shard 12 has no session' };
      await p.locator('#drop').click();
      await until(async () => (await result.getAttribute('data-state')) === 'error', 'the error shown');
      expect(await result.textContent()).toContain('shard 12 has no session');
      // Every request carried the token: the server answered none with 401.
      expect(
        server.requests.every((r) => r.queryToken === 'tok-123' || r.authorization === 'Bearer tok-123'),
      ).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'without the emulator the controls stay hidden',
    async () => {
      server = await startScriptedDashboard({
        snapshot: snapshotOf(10, {}, { emulator: false, triggerTypes: [] }),
      });
      const p = await open(server);
      expect(await p.locator('#controls').isVisible()).toBe(false);
    },
    TEST_TIMEOUT,
  );

  it(
    'reopens the stream after it ends, gets a new snapshot, and survives an unreadable message',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(100) });
      const p = await open(server);
      server.raw('event: tick\ndata: {not json\n\n');
      server.raw('event: tick\ndata: {}\n\n');
      // A shard view that is not one is skipped; the others of the tick apply.
      const odd = { ...shard(6, 'connecting'), state: 5 } as unknown as ShardView;
      server.tick(tickOf(Date.now(), {}, [odd, shard(5, 'websocket_disconnected')]));
      await until(async () => near(await cellColour(p, '5'), RED), 'the tick after a bad one applied');
      expect(await p.locator('#errors').textContent()).toContain('unreadable tick message');
      expect(await p.locator('#errors').textContent()).toContain('could not apply a message');
      expect(near(await cellColour(p, '6'), GREEN)).toBe(true);
      expect(await p.locator('#legend').getAttribute('data-total')).toBe('100');
      server.snapshot = snapshotOf(100, { 5: 'connecting' });
      server.dropStreams();
      await until(async () => (await stats(p)).snapshots === 2, {
        what: 'a second snapshot',
        timeoutMs: 8_000,
      });
      expect(near(await cellColour(p, '5'), AMBER)).toBe(true);
      expect(await p.locator('#connection').getAttribute('data-state')).toBe('live');
      expect(server.requests.filter((r) => r.path === '/api/stream')).toHaveLength(2);
    },
    TEST_TIMEOUT,
  );

  it(
    'a stream refused (401 after a token change) shows the page reconnecting with backoff, then live again',
    async () => {
      server = await startScriptedDashboard({ snapshot: snapshotOf(10), token: 'right' });
      const p = await open(server, '?token=right');
      const connection = p.locator('#connection');
      server.token = 'rotated';
      server.dropStreams();
      // The state and its text are set together: seen at once, they show a delay of the backoff.
      await until(
        async () =>
          (await connection.getAttribute('data-state')) === 'reconnecting' &&
          /^reconnecting in [\d.]+ s$/.test((await connection.textContent()) ?? ''),
        'reconnecting in N s',
      );
      await until(() => server!.requests.filter((r) => r.path === '/api/stream').length >= 3, {
        what: 'a refused reopening',
        timeoutMs: 4_000,
      });
      server.token = 'right';
      await until(async () => (await stats(p)).snapshots === 2, {
        what: 'a second snapshot',
        timeoutMs: 8_000,
      });
      expect(await connection.getAttribute('data-state')).toBe('live');
    },
    TEST_TIMEOUT,
  );
});
