/**
 * Issue 18's acceptance for record and replay: a session of the demo, recorded as its client received it, replayed
 * into a fresh emulator with a client subscribed the same way, reproduces the same notifications in the same order
 * (message ids, types and wire events compared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoScenario } from '../../src/cli/demo/scenario.js';
import { authorizeChannels, channelIds, channelSubscriptions } from '../../src/cli/demo/traffic.js';
import { AutoClient } from '../../src/eventsub/conduit/index.js';
import { readRecording } from '../../src/testing/index.js';
import type { RecordedNotification } from '../../src/testing/index.js';
import { Fixtures } from '../support/emulator.js';
import { until } from '../support/until.js';

const fixtures = new Fixtures();
const dirs: string[] = [];
afterEach(async () => {
  await fixtures.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  readonly id: string;
  readonly type: string;
  readonly version: string;
  readonly event: string;
}

describe('record the demo, replay it into a fresh emulator', () => {
  // One demo run (emulator, conduit of 2 shards, 3 channels, 1.5 s of traffic, drain) then a replay: ~5 s of real
  // time on a loaded machine, so 30 s.
  it('same message ids, same contents, same order', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tr-record-'));
    dirs.push(dir);
    const file = join(dir, 'demo.jsonl');
    const channels = 3;
    const result = await new DemoScenario({
      shards: 2,
      channels,
      rate: 150,
      durationMs: 1500,
      faults: false,
      seed: 18,
      record: file,
    }).run();
    expect(result.accounting.lost).toBe(0);

    const recorded: RecordedNotification[] = [];
    for await (const line of readRecording(file)) if (line.kind === 'notification') recorded.push(line);
    expect(recorded.length).toBeGreaterThan(50);
    expect(new Set(recorded.map((l) => l.type)).size).toBeGreaterThan(3);

    // A fresh emulator, the demo's users, and a client subscribed the same way (one shard: one socket keeps order).
    const emu = await fixtures.emulator();
    const ids = channelIds(channels);
    authorizeChannels(emu, ids);
    const client = fixtures.track(
      new AutoClient({
        ...emu.clientOptions(),
        conduitId: 'create',
        shardIds: [0],
        subscriptions: ids.flatMap((id) => channelSubscriptions(id)),
        reconcileIntervalMs: 0,
      }),
    );
    const seen: Seen[] = [];
    client.on('notification', (n) => {
      seen.push({
        id: n.messageId,
        type: n.type,
        version: n.version,
        event: JSON.stringify(n.raw.events ?? n.raw.event),
      });
    });
    await client.start();
    await until(() => emu.state().subscriptions.length >= channels * 8, 'the subscriptions');

    const summary = await emu.replay(readRecording(file), { speed: 'max' }).done;
    expect(summary).toMatchObject({
      notifications: recorded.length,
      unmatched: 0,
      dropped: 0,
      stopped: false,
    });
    expect(summary.delivered).toBe(recorded.length);
    await until(() => seen.length >= recorded.length, 'every replayed notification');
    expect(seen).toEqual(
      recorded.map((l) => ({
        id: l.message_id,
        type: l.type,
        version: l.version,
        event: JSON.stringify(l.events ?? l.event),
      })),
    );
  });
});
