/**
 * Chaos: 4 shards, thousands of events, random faults (closes with every code, session_reconnect handovers,
 * keepalive stalls, Helix 5xx, duplicate deliveries). Every event the emulator delivered must reach the handlers
 * exactly once: the emulator's counters against the handlers' counts.
 */
import { afterEach, expect, it } from 'vitest';
import type { ShardReadyInfo } from '../../../src/eventsub/client.js';
import { Harness, streamOnline } from './helpers.js';
import { realClock } from '../../support/clock.js';
import { prng } from '../../support/random.js';
import { until } from '../../support/until.js';

const h = new Harness();
afterEach(() => h.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// 30 s: thousands of events paced through real sockets while faults are injected; the pacing is the test.
it('delivers every event exactly once through random faults', { timeout: 30_000 }, async () => {
  const seed = Number(process.env.CHAOS_SEED ?? 20261123);
  const random = prng(seed);
  const emu = await h.start({ keepaliveSecondMs: 10, pingIntervalMs: 1000, reconnectGraceMs: 3000 });
  const subs = streamOnline(emu, 40);
  const client = h.client({
    conduitId: 'create',
    shardIds: [0, 1, 2, 3],
    subscriptions: subs,
    watchShardDisabled: true,
    // 10 s keepalive × 1.2 = 12 s of fast time = 600 ms real: stalls are noticed quickly.
    session: { clock: realClock({ speed: 20 }) },
    shardRetry: { initialMs: 5, maxMs: 40 },
  });
  const seen = new Map<string, number>();
  // Arrival number of the last notification each shard handled (for the drain at the end).
  let arrivals = 0;
  const lastArrival = new Map<string, number>();
  // Every notification counts, stream.online and conduit.shard.disabled alike.
  client.on('notification', (n, shardId) => {
    seen.set(n.messageId, (seen.get(n.messageId) ?? 0) + 1);
    lastArrival.set(shardId, ++arrivals);
  });
  let disabled = 0;
  client.on('conduitShardDisabled', () => {
    disabled++;
  });
  const errors: Error[] = [];
  client.on('error', (e) => errors.push(e));
  const rebinds: ShardReadyInfo[] = [];
  client.on('shardReady', (r) => r.rebind && rebinds.push(r));
  await client.start();

  const codes = [4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 1000];
  const faults = { close: 0, reconnect: 0, helix: 0, stall: 0 };
  const session = (i: number) => client.conduitInfo.websockets.get(String(i))?.sessionId ?? null;
  for (let round = 0; round < 40; round++) {
    emu.trigger({ type: 'stream.online', count: 2 });
    const pick = random();
    const shard = Math.floor(random() * 4);
    const id = session(shard);
    const live = id !== null && emu.state().sessions.some((s) => s.id === id && s.status === 'connected');
    if (pick < 0.4 && live) {
      emu.closeSession(id, codes[faults.close++ % codes.length]!);
    } else if (pick < 0.65 && live) {
      emu.reconnectSession(id);
      faults.reconnect++;
    } else if (pick < 0.85) {
      emu.setFaults({ helixErrorRate: 0.3, duplicateRate: 0.1 });
      faults.helix++;
    } else {
      emu.setFaults({ helixErrorRate: 0, duplicateRate: 0 });
    }
    if (round === 15 || round === 30) {
      // Keepalive stall on a quiet connection: the watchdog gives up and the shard reconnects.
      await sleep(50);
      const quiet = session(shard);
      if (quiet !== null && emu.state().sessions.some((s) => s.id === quiet && s.status === 'connected')) {
        emu.setKeepalive(quiet, false);
        faults.stall++;
        await until(() => session(shard) !== quiet, { what: 'stalled shard replaced', timeoutMs: 10_000 });
      }
    }
    emu.trigger({ type: 'stream.online' });
    await sleep(10 + random() * 30);
  }
  emu.setFaults({ helixErrorRate: 0, duplicateRate: 0 });
  await until(() => [0, 1, 2, 3].every((i) => emu.state().conduits[0]?.shards[i]?.status === 'enabled'), {
    what: 'all shards healed',
    timeoutMs: 10_000,
  });
  // A last burst with every shard healthy.
  emu.trigger({ type: 'stream.online', count: 5 });
  // Drain, instead of waiting for late copies: each shard's socket is in order and a duplicate follows its original
  // on the same socket, so once a marker sent after everything else has reached every shard, no copy of an earlier
  // event is still on its way. One stream.online per subscription reaches all four shards (the 40 broadcasters'
  // route hashes cover every shard).
  const mark = arrivals;
  emu.trigger({ type: 'stream.online' });
  await until(() => [0, 1, 2, 3].every((i) => (lastArrival.get(String(i)) ?? 0) > mark), {
    what: 'a marker handled on every shard',
    timeoutMs: 10_000,
  });
  const { counters } = emu.state();
  await until(() => seen.size >= counters.delivered, {
    what: 'every delivered event handled',
    timeoutMs: 10_000,
  });

  expect(counters.notifications_sent).toBeGreaterThanOrEqual(40 * 40 * 3);
  expect(seen.size).toBe(counters.delivered);
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(faults.close + faults.reconnect).toBeGreaterThan(10);
  expect(faults.stall).toBeGreaterThan(0);
  expect(rebinds.length).toBeGreaterThan(0);
  expect(disabled).toBeGreaterThan(0);
  expect(counters.duplicates_sent).toBeGreaterThan(0);
  expect(counters.retried + counters.dropped).toBeGreaterThan(0); // faults really moved traffic around
  expect(client.state).toBe('running');
});
