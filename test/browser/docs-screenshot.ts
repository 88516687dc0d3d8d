/**
 * Regenerates docs/images/dashboard.png (the screenshot docs/observability.md shows) from scripted data: a conduit
 * of 4,000 shards shared by three fleet members, a few shards reconnecting or down, two minutes of rates.
 * Run: `node --import tsx test/browser/docs-screenshot.ts` (needs Chromium).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { ShardView } from '../../src/observability/source.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { root } from '../support/typescript.js';
import { rates, shard, snapshotOf, startScriptedDashboard } from './scripted-dashboard.js';

const SHARDS = 4_000;
const OWNERS = ['fleet-a', 'fleet-b', 'fleet-c'];
const now = Date.now();
const base = snapshotOf(SHARDS);
const shards: ShardView[] = base.conduit!.shards.map((s, i) => {
  const owner = OWNERS[Math.floor((i * OWNERS.length) / SHARDS)] ?? null;
  const ours = owner === 'fleet-a';
  const state =
    i % 211 === 7 ? 'websocket_disconnected' : i % 347 === 3 ? 'connecting' : ours ? 'ready' : 'enabled';
  return shard(i, state, { owner, owned: ours, connectedAt: now - 3_600_000 + i * 50 });
});
const history = Array.from({ length: 120 }, (_, i) => {
  const wave = 1 + 0.3 * Math.sin(i / 9);
  return rates(
    now - (120 - i) * 1000,
    {
      'channel.chat.message': Math.round(6_200 * wave),
      'channel.follow': Math.round(900 * wave),
      'channel.subscribe': 300 + (i % 17) * 10,
      'channel.cheer': 120,
      'stream.online': i % 30 === 0 ? 40 : 0,
    },
    {
      lagP50: 0.018 + 0.004 * Math.sin(i / 5),
      lagP99: 0.09 + (i > 80 && i < 86 ? 0.4 : 0.02 * Math.sin(i / 7)),
      duplicates: i % 23 === 0 ? 3 : 0,
      reconnects: i > 80 && i < 84 ? 2 : 0,
      helixRequests: 12,
      helixRateLimited: i > 95 && i < 99 ? 4 : 0,
      helixRemaining: Math.max(20, 800 - ((i * 37) % 700)),
    },
  );
});
const server = await startScriptedDashboard({
  snapshot: {
    ...base,
    conduit: { ...base.conduit!, shards },
    history,
    subscriptions: {
      counts: [
        { type: 'channel.chat.message', version: '1', status: 'enabled', count: 3_812, cost: 0 },
        { type: 'channel.follow', version: '2', status: 'enabled', count: 2_904, cost: 2_904 },
        { type: 'channel.subscribe', version: '1', status: 'enabled', count: 2_411, cost: 2_411 },
        { type: 'channel.cheer', version: '1', status: 'authorization_revoked', count: 6, cost: 0 },
      ],
      total: 9_133,
      totalCost: 5_315,
      maxTotalCost: 10_000,
      listedAt: now,
    },
    errors: [
      {
        at: now - 40_000,
        code: 'SHARD_SESSION_LOST',
        message: 'shard 7: websocket closed (1006)',
        source: 0,
      },
      {
        at: now - 22_000,
        code: 'HELIX_RATE_LIMITED',
        message: 'GET /eventsub/conduits/shards: 429',
        source: 1,
      },
    ],
    sources: [
      {
        index: 0,
        kind: 'AutoClient',
        health: { live: true, ready: false, reasons: ['shard 7: reconnecting'] },
      },
      { index: 1, kind: 'HelixClient', health: { live: true, ready: true, reasons: [] } },
    ],
  },
});
const browser = await launchBrowser();
try {
  const page = await newPage(browser, 1200, 900);
  await page.goto(server.url);
  await page.waitForFunction('globalThis.__twitchRealtimeDashboard.stats().firstGridMs >= 0');
  const dir = path.join(root, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'dashboard.png');
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`wrote ${file}\n`);
} finally {
  await browser.close();
  await server.close();
}
