/**
 * Delivery through the AutoClient over real sockets: handover with events in flight, every close code, keepalive
 * loss, revocation, stale and duplicate messages, and the dispatch model (listener errors, slow async listeners).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AutoClient } from '../../../src/eventsub/conduit/index.js';
import type { ShardDisconnectedInfo, ShardReadyInfo } from '../../../src/eventsub/client.js';
import { FakeClock, realClock } from '../../support/clock.js';
import { Harness, streamOnline } from './helpers.js';
import { until } from '../../support/until.js';

const h = new Harness();
afterEach(() => h.close());

/** Counts stream.online events by message id. */
function counter(client: AutoClient) {
  const seen = new Map<string, number>();
  const order: string[] = [];
  client.on('stream.online', (_event, n) => {
    seen.set(n.messageId, (seen.get(n.messageId) ?? 0) + 1);
    order.push(n.messageId);
  });
  return {
    seen,
    order,
    total: () => order.length,
    duplicates: () => [...seen.values()].filter((n) => n > 1).length,
  };
}

async function startClient(shards = 2, subs = 8, options: Parameters<Harness['client']>[0] = {}) {
  const emu = h.emu ?? (await h.start());
  const client = h.client({
    conduitId: 'create',
    shardIds: Array.from({ length: shards }, (_, i) => i),
    subscriptions: streamOnline(emu, subs),
    ...options,
  });
  const ready: ShardReadyInfo[] = [];
  const disconnected: ShardDisconnectedInfo[] = [];
  const errors: { error: Error; context: string | undefined }[] = [];
  client.on('shardReady', (r) => ready.push(r));
  client.on('shardDisconnected', (d) => disconnected.push(d));
  client.on('error', (error, context) => errors.push({ error, context }));
  const count = counter(client);
  await client.start();
  return { emu, client, ready, disconnected, errors, count };
}

function sessionOf(client: AutoClient, shardId: string): string {
  const id = client.conduitInfo.websockets.get(shardId)?.sessionId;
  if (id == null) throw new Error(`shard ${shardId} has no session`);
  return id;
}

describe('session_reconnect handover', () => {
  // 15 s: continuous load through two real handovers (each waits for the new socket's welcome), by design.
  it('delivers every event exactly once while both shards hand over under continuous load', async () => {
    // Pings far apart: the emulator and the client share one busy thread here.
    await h.start({ reconnectGraceMs: 5000, pingIntervalMs: 2000 });
    const { emu, client, count, ready } = await startClient(2, 16, { watchShardDisabled: false });
    const stream = emu.stream({ type: 'stream.online', ratePerSecond: 1000, durationMs: 400 });
    await until(() => count.total() > 100, { what: 'events flowing', timeoutMs: 5000 });
    const before = [sessionOf(client, '0'), sessionOf(client, '1')];
    emu.reconnectSession(before[0]!);
    emu.reconnectSession(before[1]!);
    await stream.done;
    const { counters } = emu.state();
    await until(() => count.total() >= counters.delivered, { what: 'all delivered', timeoutMs: 5000 });
    expect(counters.dropped).toBe(0);
    expect(count.total()).toBe(counters.delivered);
    expect(count.duplicates()).toBe(0);
    // The stream may end before a new welcome arrives: wait for both handovers to complete.
    await until(() => [...client.conduitInfo.websockets.values()].every((s) => s.stats.handovers === 1), {
      what: 'both handovers',
      timeoutMs: 5000,
    });
    // Same session ids (Twitch keeps them across a handover), no re-binding needed.
    expect([sessionOf(client, '0'), sessionOf(client, '1')]).toEqual(before);
    expect(ready.filter((r) => r.rebind)).toEqual([]);
    expect([...client.conduitInfo.websockets.values()].map((s) => s.stats.handovers)).toEqual([1, 1]);
  }, 15_000);

  it('drops duplicates (same message_id resent) so each event reaches handlers once', async () => {
    await h.start();
    const { emu, count } = await startClient(2, 10, { watchShardDisabled: false });
    emu.setFaults({ duplicateRate: 1 });
    emu.trigger({ type: 'stream.online', count: 20 });
    const { counters } = emu.state();
    expect(counters.duplicates_sent).toBe(200);
    await until(() => count.total() >= 200);
    // Drain: one more event per subscription, without duplicates. On each socket it comes after every copy sent
    // before it, so once all 10 are handled, a duplicate that got through would have been handled too.
    emu.setFaults({ duplicateRate: 0 });
    emu.trigger({ type: 'stream.online', count: 1 });
    await until(() => count.total() >= 210, 'the 10 marker events');
    expect(count.total()).toBe(210);
    expect(count.duplicates()).toBe(0);
  });
});

describe('close codes', () => {
  const codes = [4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 1000];
  for (const code of codes) {
    it(`recovers from close ${code}: new session, shard re-bound, events flow again`, async () => {
      await h.start();
      const { emu, client, ready, disconnected, errors, count } = await startClient(2, 4, {
        watchShardDisabled: false,
      });
      const old = sessionOf(client, '0');
      emu.closeSession(old, code);
      await until(() => ready.some((r) => r.shardId === '0' && r.rebind), {
        what: 'rebind',
        timeoutMs: 5000,
      });
      expect(disconnected[0]).toMatchObject({ shardId: '0', code });
      expect(sessionOf(client, '0')).not.toBe(old);
      const shard0 = emu.state().conduits[0]?.shards.find((s) => s.id === '0');
      expect(shard0?.status).toBe('enabled');
      const clientBug = errors.filter((e) => (e.error as { code?: string }).code === 'CLIENT_BUG_CLOSE');
      expect(clientBug.length).toBe(code === 4001 || code === 4003 ? 1 : 0);
      emu.trigger({ type: 'stream.online' });
      await until(() => count.total() === 4);
    });
  }
});

describe('keepalive loss', () => {
  it('reconnects and re-binds a shard whose keepalives stop (watchdog on an injected clock)', async () => {
    await h.start({ keepaliveSecondMs: 1000 });
    const clock = new FakeClock(Date.now());
    const { emu, client, ready, disconnected } = await startClient(1, 1, {
      watchShardDisabled: false,
      session: { clock },
    });
    const old = sessionOf(client, '0');
    emu.setKeepalive(old, false);
    clock.advance(12_001); // 10 s × 1.2 without a message
    expect(disconnected).toMatchObject([{ shardId: '0', code: 1006, reason: 'keepalive timeout' }]);
    clock.advance(100); // first reconnect delay
    await until(() => ready.some((r) => r.rebind), { what: 'rebind', timeoutMs: 5000 });
    expect(sessionOf(client, '0')).not.toBe(old);
    expect(emu.state().conduits[0]?.shards[0]?.status).toBe('enabled');
  });
});

describe('revocation and stale messages', () => {
  it('emits subscriptionRevoked with the status', async () => {
    await h.start();
    const { emu, client } = await startClient(1, 1, { watchShardDisabled: false });
    const revoked: string[] = [];
    client.on('subscriptionRevoked', (r) =>
      revoked.push(`${r.subscription.type}:${r.subscription.status}:${r.shardId}`),
    );
    const sub = emu.state().subscriptions[0]!;
    expect(emu.revokeSubscription(sub.id, 'user_removed')).toBe(true);
    await until(() => revoked.length === 1);
    expect(revoked).toEqual(['stream.online:user_removed:0']);
  });

  it('drops notifications older than the replay window (client clock ahead by 20 minutes)', async () => {
    await h.start();
    const ahead = realClock({ offsetMs: 20 * 60_000 });
    const { emu, client, count } = await startClient(1, 2, {
      watchShardDisabled: false,
      session: { clock: ahead },
    });
    emu.trigger({ type: 'stream.online', count: 5 });
    const session = client.conduitInfo.websockets.get('0')!;
    await until(() => session.stats.stale === 10);
    expect(count.total()).toBe(0);
  });
});

describe('dispatch model', () => {
  it('routes sync and async listener errors to `error` and keeps delivering', async () => {
    await h.start();
    const { emu, client, errors, count } = await startClient(1, 1, { watchShardDisabled: false });
    client.on('stream.online', () => {
      throw new Error('sync boom');
    });
    client.on('stream.online', async () => {
      await Promise.resolve();
      throw new Error('async boom');
    });
    emu.trigger({ type: 'stream.online', count: 3 });
    await until(() => count.total() === 3 && errors.length === 6);
    expect(
      errors.filter((e) => e.error.message === 'sync boom' && e.context === 'stream.online'),
    ).toHaveLength(3);
    expect(errors.filter((e) => e.error.message === 'async boom')).toHaveLength(3);
    expect(client.state).toBe('running');
  });

  it('never waits for a slow async listener: later events and keepalives keep flowing, in order', async () => {
    await h.start();
    const { emu, client, count } = await startClient(1, 1, { watchShardDisabled: false });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    client.on('stream.online', async (_e, n) => {
      started.push(n.messageId);
      await gate; // the first call never finishes before all others started
    });
    const session = client.conduitInfo.websockets.get('0')!;
    const keepalives = session.stats.keepalives;
    for (let i = 0; i < 5; i++) emu.trigger({ type: 'stream.online' });
    await until(() => started.length === 5);
    await until(() => session.stats.keepalives > keepalives + 2, { what: 'keepalives', timeoutMs: 5000 });
    expect(started).toEqual(count.order);
    release();
  });

  it('skips building models when nobody listens', async () => {
    await h.start();
    const emu = h.emu!;
    const client = h.client({
      conduitId: 'create',
      shardIds: [0],
      subscriptions: streamOnline(emu, 1),
      watchShardDisabled: false,
    });
    await client.start();
    emu.trigger({ type: 'stream.online', count: 3 });
    const session = client.conduitInfo.websockets.get('0')!;
    await until(() => session.stats.notifications === 3);
    expect(client.listenerCount('stream.online')).toBe(0);
  });
});
