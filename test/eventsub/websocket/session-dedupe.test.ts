/**
 * The session's dedupe over its window, against a scripted peer over real sockets with a manual clock: a message
 * redelivered on another session 10 minutes later is not emitted twice however many ids came in between; a full
 * store refuses (not emitted, counted, reported once); a store answering with promises keeps the order of arrival.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import {
  MemoryDedupeStore,
  type DedupeStore,
  type DedupeVerdict,
} from '../../../src/eventsub/websocket/dedupe.js';
import { EventSubSession, type EventSubSessionOptions } from '../../../src/eventsub/websocket/session.js';
import {
  keepaliveFrame,
  notificationFrame,
  revocationFrame,
  ScriptedPeer,
  type PeerConnection,
} from './helpers.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';

const MINUTE = 60_000;
let peer: ScriptedPeer;
let clock: FakeClock;
const sessions: EventSubSession[] = [];

beforeEach(async () => {
  peer = await ScriptedPeer.start();
  clock = new FakeClock(Date.now());
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await peer.close();
});

/** A welcomed session (600 s keepalive, so that minutes of manual time with traffic never trip the watchdog). */
async function connected(sessionId: string, options: Partial<EventSubSessionOptions> = {}) {
  const session = new EventSubSession({
    url: peer.url,
    clock,
    backoff: new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 }),
    ...options,
  });
  sessions.push(session);
  const emitted: string[] = [];
  /** Codes of the errors emitted. */
  const errors: unknown[] = [];
  session.on('notification', (m) => emitted.push(m.metadata.message_id));
  session.on('revocation', (m) => emitted.push(`revoked:${m.metadata.message_id}`));
  session.on('error', (e) => errors.push((e as { code?: unknown }).code));
  const connecting = session.connect();
  const conn: PeerConnection = await peer.next();
  conn.welcome(sessionId, 600);
  await connecting;
  return { session, conn, emitted, errors };
}

const frame = (id: string): object =>
  notificationFrame({ id, timestamp: new Date(clock.now()).toISOString() });

describe('EventSubSession dedupe window', () => {
  it('does not emit a message redelivered on another session 10 minutes later, after 10,001 other ids', async () => {
    const shared = new MemoryDedupeStore(); // what a conduit client gives all its shards
    const a = await connected('A', { dedupe: shared });
    const b = await connected('B', { dedupe: shared });
    const sentAt = clock.now();
    a.conn.send(frame('the-message'));
    const others = 10_001;
    for (let i = 0; i < others; i++) {
      a.conn.send(frame(`other-${i}`));
      if (i % 1000 === 999) {
        await until(() => a.session.stats.notifications === i + 2, 'a batch');
        clock.advance(MINUTE - 1000);
      }
    }
    await until(() => a.session.stats.notifications === others + 1, 'all others');
    clock.advance(10 * MINUTE - (clock.now() - sentAt) - 1);
    // Twitch redelivers it on another shard's session, with its original timestamp (still inside 10 minutes).
    b.conn.send(notificationFrame({ id: 'the-message', timestamp: new Date(sentAt).toISOString() }));
    b.conn.send(frame('after'));
    await until(() => b.session.stats.notifications + b.session.stats.duplicates === 2, 'b handled both');
    expect(b.emitted).toEqual(['after']);
    expect(b.session.stats.duplicates).toBe(1);
    expect(b.session.stats.stale).toBe(0);
    expect(a.emitted.filter((id) => id === 'the-message')).toHaveLength(1);
  });

  it('a revocation redelivered after its window is stale, not emitted again once its id has left the store', async () => {
    const { session, conn, emitted } = await connected('A');
    const stamp = new Date(clock.now()).toISOString();
    conn.send(revocationFrame('rev-1', stamp));
    await until(() => session.stats.revocations === 1, 'the revocation');
    // Past the store's longest retention (window + a slice): only the age check can stop the copy now. Keepalives
    // every 7 minutes keep the (12-minute) watchdog quiet.
    for (let step = 1; step <= 2; step++) {
      clock.advance(7 * MINUTE);
      conn.send(keepaliveFrame());
      await until(() => session.stats.keepalives >= step, 'a keepalive');
    }
    conn.send(revocationFrame('rev-1', stamp));
    conn.send(keepaliveFrame());
    await until(() => session.stats.keepalives >= 3, 'the keepalive after it');
    expect(emitted).toEqual(['revoked:rev-1']);
    expect(session.stats.stale).toBe(1);
  });

  it('a local clock 5 minutes behind Twitch: a redelivery inside the accepted window is emitted once', async () => {
    // Issue 14 audit: ids were kept 11 minutes from local receipt, but a copy timestamped 5 minutes ahead was
    // accepted, so its redelivery 14 minutes later (9 minutes old by its timestamp) was emitted a second time.
    const twitchNow = Date.now();
    clock = new FakeClock(twitchNow - 5 * MINUTE);
    const s = await connected('S');
    const copy = notificationFrame({ id: 'dup', timestamp: new Date(twitchNow).toISOString() });
    s.conn.send(copy);
    s.conn.send(keepaliveFrame());
    await until(() => s.session.stats.keepalives === 1, 'the first copy');
    clock.advance(700_000);
    s.conn.send(keepaliveFrame());
    await until(() => s.session.stats.keepalives === 2, 'a keepalive');
    clock.advance(140_000); // 14 minutes after the first copy, whose timestamp is now 9 minutes old
    s.conn.send(copy);
    s.conn.send(keepaliveFrame());
    await until(() => s.session.stats.keepalives === 3, 'the redelivery');
    expect(s.emitted).toEqual(['dup']);
    // The first copy, 5 minutes ahead of the local clock, was dropped and the clock reported.
    expect(s.session.stats).toMatchObject({ skewed: 1, notifications: 1 });
    expect(s.errors).toEqual(['CLOCK_SKEW']);
  });

  it('a clock stepping back an hour, then corrected, does not let a redelivery through twice', async () => {
    // Issue 14 audit (through a live session): M, then the clock steps back an hour, then it is corrected a minute
    // after M and Twitch redelivers M: it was emitted again (M, N, M).
    let now = Date.parse('2026-01-01T00:00:00Z');
    const t0 = now;
    // Timers never fire here: only the time read matters.
    clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined } as unknown as FakeClock;
    const s = await connected('S');
    const M = notificationFrame({ id: 'M', timestamp: new Date(t0).toISOString() });
    s.conn.send(M);
    await until(() => s.emitted.length === 1, 'M');
    now = t0 - 3_600_000; // the clock steps back an hour; N is timestamped by it
    s.conn.send(notificationFrame({ id: 'N', timestamp: new Date(now).toISOString() }));
    await until(() => s.emitted.length === 2, 'N');
    now = t0 + 60_000; // corrected, a minute after M
    s.conn.send(M);
    s.conn.send(notificationFrame({ id: 'end', timestamp: new Date(now).toISOString() }));
    await until(() => s.emitted.includes('end'), 'end');
    expect(s.emitted).toEqual(['M', 'N', 'end']);
    expect(s.session.stats.duplicates).toBe(1);
  });

  it('at the memory bound refuses new ids: not emitted, counted, reported once; held ids stay duplicates', async () => {
    const s = await connected('S', { dedupe: new MemoryDedupeStore({ maxEntries: 1 }) });
    s.conn.send(frame('a'));
    s.conn.send(frame('b'));
    s.conn.send(revocationFrame('c'));
    s.conn.send(frame('a'));
    await until(() => s.session.stats.duplicates === 1, 'the duplicate');
    expect(s.emitted).toEqual(['a']);
    expect(s.session.stats.refused).toBe(2);
    expect(s.errors).toEqual(['DEDUPE_FULL']);
  });

  it('keeps the order of arrival when the store answers with promises (settled out of order)', async () => {
    const settle: ((v: DedupeVerdict) => void)[] = [];
    const store: DedupeStore = {
      windowMs: 11 * MINUTE,
      add: () =>
        new Promise<DedupeVerdict>((resolve) => {
          settle.push(resolve);
        }),
      has: () => false,
    };
    const s = await connected('S', { dedupe: store });
    for (const id of ['1', '2', '3']) s.conn.send(frame(id));
    await until(() => settle.length === 3, 'three verdicts asked');
    settle[2]?.('new');
    settle[1]?.('duplicate');
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.emitted).toEqual([]);
    settle[0]?.('new');
    await until(() => s.emitted.length === 2, 'emitted');
    expect(s.emitted).toEqual(['1', '3']);
    expect(s.session.stats.duplicates).toBe(1);
  });

  it('refuses a shared store whose window is shorter than maxMessageAgeMs + maxFutureSkewMs', () => {
    const short = new MemoryDedupeStore({ windowMs: 5 * MINUTE });
    expect(() => new EventSubSession({ url: peer.url, dedupe: short })).toThrow(
      /dedupe.windowMs must be at least/,
    );
    // A redelivery is accepted up to maxMessageAgeMs + maxFutureSkewMs after its first sighting.
    expect(() => new EventSubSession({ url: peer.url, dedupe: short, maxMessageAgeMs: 5 * MINUTE })).toThrow(
      /dedupe.windowMs must be at least 360000/,
    );
    expect(
      () => new EventSubSession({ url: peer.url, dedupe: short, maxMessageAgeMs: 4 * MINUTE }),
    ).not.toThrow();
    expect(
      () =>
        new EventSubSession({
          url: peer.url,
          dedupe: short,
          maxMessageAgeMs: 5 * MINUTE,
          maxFutureSkewMs: 0,
        }),
    ).not.toThrow();
  });
});
