/**
 * The session state machine over real sockets, against a scripted `ws` peer (wire-level cases the emulator cannot
 * produce), with a manual clock: no test waits for real time to pass.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, InvalidArgumentError, ProtocolError } from '../../../src/core/errors.js';
import { Backoff } from '../../../src/core/backoff.js';
import type { Logger } from '../../../src/core/logger.js';
import { CLOSE_CODES } from '../../../src/protocol/eventsub.js';
import { MemoryDedupeStore } from '../../../src/eventsub/websocket/dedupe.js';
import { EventSubSessionError } from '../../../src/eventsub/websocket/errors.js';
import {
  EventSubSession,
  type DisconnectInfo,
  type EventSubSessionOptions,
  type ReconnectedInfo,
  type ReconnectingInfo,
} from '../../../src/eventsub/websocket/session.js';
import {
  keepaliveFrame,
  nextEvent,
  notificationFrame,
  reconnectFrame,
  revocationFrame,
  ScriptedPeer,
  codeOf,
  type PeerConnection,
} from './helpers.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';

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

/** A recorder of everything a session emits, in order. */
function record(session: EventSubSession) {
  const log = {
    notifications: [] as string[],
    revocations: [] as string[],
    errors: [] as Error[],
    reconnecting: [] as ReconnectingInfo[],
    reconnected: [] as ReconnectedInfo[],
    disconnected: [] as DisconnectInfo[],
    welcomes: [] as [string, boolean][],
    stale: [] as number[],
    duplicates: [] as string[],
  };
  session.on('notification', (m) => log.notifications.push(m.metadata.message_id));
  session.on('revocation', (m) => log.revocations.push(m.metadata.message_id));
  session.on('error', (e) => log.errors.push(e));
  session.on('reconnecting', (i) => log.reconnecting.push(i));
  session.on('reconnected', (i) => log.reconnected.push(i));
  session.on('disconnected', (i) => log.disconnected.push(i));
  session.on('welcome', (id, again) => log.welcomes.push([id, again]));
  session.on('stale', (_m, age) => log.stale.push(age));
  session.on('duplicate', (m) => log.duplicates.push(m.metadata.message_id));
  return log;
}

function makeSession(options: Partial<EventSubSessionOptions> = {}): EventSubSession {
  const session = new EventSubSession({
    url: peer.url,
    clock,
    backoff: new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 }),
    ...options,
  });
  sessions.push(session);
  return session;
}

/** Connects a session to the peer and welcomes it as `sessionId`. */
async function connected(
  options: Partial<EventSubSessionOptions> = {},
  sessionId = 'S1',
): Promise<{ session: EventSubSession; conn: PeerConnection; log: ReturnType<typeof record> }> {
  const session = makeSession(options);
  const log = record(session);
  const connecting = session.connect();
  const conn = await peer.next();
  conn.welcome(sessionId);
  await expect(connecting).resolves.toBe(sessionId);
  return { session, conn, log };
}

describe('EventSubSession: connect', () => {
  it('resolves with the session id on welcome and never sends data', async () => {
    const { session, conn, log } = await connected();
    expect(session.state).toBe('connected');
    expect(session.sessionId).toBe('S1');
    expect(log.welcomes).toEqual([['S1', false]]);
    // Another connect() while connected is the same session.
    await expect(session.connect()).resolves.toBe('S1');
    expect(peer.connections).toHaveLength(1);
    conn.send(keepaliveFrame());
    await until(() => session.stats.keepalives === 1);
    expect(conn.received).toEqual([]);
  });

  it('asks for the keepalive timeout on the base URL only', async () => {
    const session = makeSession({ keepaliveTimeoutSeconds: 30 });
    const connecting = session.connect();
    const conn = await peer.next();
    expect(conn.url).toBe('/ws?keepalive_timeout_seconds=30');
    conn.welcome('S1', 30);
    await connecting;
  });

  it('validates its options', () => {
    expect(() => new EventSubSession({ url: 'http://example.com/ws' })).toThrow(InvalidArgumentError);
    expect(() => new EventSubSession({ url: 'not a url' })).toThrow(InvalidArgumentError);
    expect(() => new EventSubSession({ keepaliveTimeoutSeconds: 5 })).toThrow(InvalidArgumentError);
    expect(() => new EventSubSession({ keepaliveTimeoutSeconds: 601 })).toThrow(InvalidArgumentError);
    expect(() => new EventSubSession({ welcomeTimeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new EventSubSession({ keepaliveMarginRatio: -1 })).toThrow(InvalidArgumentError);
  });

  it('rejects with WELCOME_TIMEOUT when no welcome comes, and can be retried', async () => {
    const session = makeSession({ welcomeTimeoutMs: 5000 });
    const connecting = session.connect();
    const silent = await peer.next();
    await until(() => silent.socket.readyState === silent.socket.OPEN);
    clock.advance(4999);
    expect(session.state).toBe('connecting');
    clock.advance(1);
    await expect(connecting).rejects.toMatchObject({ code: 'WELCOME_TIMEOUT' });
    expect(session.state).toBe('idle');
    await silent.closed;
    const retry = session.connect();
    (await peer.next()).welcome('S2');
    await expect(retry).resolves.toBe('S2');
  });

  it('rejects with CONNECT_FAILED when the server closes before the welcome', async () => {
    const session = makeSession();
    const connecting = session.connect();
    (await peer.next()).close(4000);
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventSubSessionError);
    expect(error).toMatchObject({ code: 'CONNECT_FAILED', closeCode: 4000 });
  });

  it('rejects with CONNECT_FAILED when nothing listens', async () => {
    const dead = peer;
    peer = await ScriptedPeer.start();
    const url = dead.url;
    await dead.close();
    const session = makeSession({ url });
    await expect(session.connect()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(session.state).toBe('idle');
  });

  it('rejects with AbortError on abort and on close()', async () => {
    const session = makeSession();
    const controller = new AbortController();
    const connecting = session.connect(controller.signal);
    await peer.next();
    controller.abort();
    await expect(connecting).rejects.toBeInstanceOf(AbortError);
    expect(session.state).toBe('idle');
    await expect(session.connect(AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);

    const again = session.connect();
    await peer.next();
    const closing = session.close();
    await expect(again).rejects.toBeInstanceOf(AbortError);
    await closing;
    await expect(session.connect()).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
  });
});

describe('EventSubSession: messages', () => {
  it('emits notifications and revocations in order, dropping duplicates by message_id', async () => {
    const { session, conn, log } = await connected();
    conn.send(notificationFrame({ id: 'n1' }));
    conn.send(notificationFrame({ id: 'n2' }));
    conn.send(notificationFrame({ id: 'n1' }));
    conn.send(revocationFrame('r1'));
    conn.send(revocationFrame('r1'));
    conn.send(keepaliveFrame());
    conn.send(notificationFrame({ id: 'n3' }));
    await until(() => log.notifications.length === 3);
    expect(log.notifications).toEqual(['n1', 'n2', 'n3']);
    expect(log.revocations).toEqual(['r1']);
    expect(log.duplicates).toEqual(['n1', 'r1']);
    expect(session.stats).toMatchObject({
      messages: 8,
      notifications: 3,
      revocations: 1,
      duplicates: 2,
      keepalives: 1,
    });
  });

  it('passes the wire message through untouched, whatever the subscription type', async () => {
    const { session, conn } = await connected();
    const frame = notificationFrame({ type: 'brand.new.type', event: { deep: { list: [1, 2] } } });
    const received = nextEvent(session, 'notification');
    conn.send(frame);
    const [message] = await received;
    expect(message).toEqual(frame);
  });

  it('drops notifications older than the max age and counts them', async () => {
    const { session, conn, log } = await connected();
    const old = new Date(clock.now() - 11 * 60_000).toISOString();
    const recent = new Date(clock.now() - 9 * 60_000).toISOString();
    conn.send(notificationFrame({ id: 'old', timestamp: old }));
    conn.send(notificationFrame({ id: 'recent', timestamp: recent }));
    await until(() => log.notifications.length === 1);
    expect(log.notifications).toEqual(['recent']);
    expect(session.stats.stale).toBe(1);
    expect(log.stale[0]).toBeGreaterThan(10 * 60_000);
  });

  it('applies the max age precisely, whatever the timestamp precision or offset', async () => {
    const { conn, log } = await connected({ maxMessageAgeMs: 60_000 });
    const at = (ageMs: number): string => new Date(clock.now() - ageMs).toISOString();
    const nanos = (ageMs: number): string => at(ageMs).replace('Z', '123456Z');
    const offset = (ageMs: number): string => {
      const d = new Date(clock.now() - ageMs + 2 * 3600_000);
      return `${d.toISOString().slice(0, 23)}+02:00`;
    };
    const cases: [string, string, boolean][] = [
      ['a', at(59_900), true],
      ['b', at(60_100), false],
      ['c', nanos(59_000), true],
      ['d', nanos(61_000), false],
      ['e', offset(59_000), true],
      ['f', offset(61_000), false],
      ['g', at(3_600_000), false],
      ['h', at(-5000), true], // from the future, within maxFutureSkewMs: clock skew is not staleness
    ];
    for (const [id, timestamp] of cases) conn.send(notificationFrame({ id, timestamp }));
    conn.send(notificationFrame({ id: 'end' }));
    await until(() => log.notifications.at(-1) === 'end');
    expect(log.notifications).toEqual([...cases.filter((c) => c[2]).map((c) => c[0]), 'end']);
    expect(log.stale).toHaveLength(4);
  });

  it('drops notifications timestamped further ahead than maxFutureSkewMs: counted, CLOCK_SKEW once per episode', async () => {
    const { session, conn, log } = await connected({ maxFutureSkewMs: 30_000 });
    const at = (aheadMs: number): string => new Date(clock.now() + aheadMs).toISOString();
    const nanos = (aheadMs: number): string => at(aheadMs).replace('Z', '123456Z');
    const offset = (aheadMs: number): string => {
      const d = new Date(clock.now() + aheadMs + 2 * 3600_000);
      return `${d.toISOString().slice(0, 23)}+02:00`;
    };
    const cases: [string, string, boolean][] = [
      ['a', at(29_900), true],
      ['b', at(30_100), false],
      ['c', nanos(29_000), true],
      ['d', nanos(31_000), false],
      ['e', offset(29_000), true],
      ['f', offset(31_000), false],
      ['g', at(3_600_000), false],
    ];
    for (const [id, timestamp] of cases) conn.send(notificationFrame({ id, timestamp }));
    conn.send(notificationFrame({ id: 'end' }));
    await until(() => log.notifications.at(-1) === 'end');
    expect(log.notifications).toEqual(['a', 'c', 'e', 'end']);
    expect(session.stats.skewed).toBe(4);
    // One report per episode: 'b' starts one, 'c' ends it, 'd' starts the next, ...
    expect(log.errors.map(codeOf)).toEqual(['CLOCK_SKEW', 'CLOCK_SKEW', 'CLOCK_SKEW']);
    expect(log.errors[0]).toBeInstanceOf(EventSubSessionError);
    expect(log.errors[0]!.message).toMatch(/ahead of the local clock .*the local clock is behind/);
  });

  it('refuses a notification whose timestamp is not a time (its redelivery window would have no end)', async () => {
    const { session, conn, log } = await connected();
    conn.send(notificationFrame({ id: 'bad', timestamp: 'not a timestamp' }));
    conn.send(notificationFrame({ id: 'end' }));
    await until(() => log.notifications.at(-1) === 'end');
    expect(log.notifications).toEqual(['end']);
    expect(log.errors.map(codeOf)).toEqual(['PROTOCOL_MALFORMED_FRAME']);
    expect(session.stats.malformed).toBe(1);
  });

  it('validates maxFutureSkewMs with the clock rule (the whole window must fit a timer)', () => {
    for (const bad of [-1, Number.NaN, '5', 2 ** 31 - 600_000]) {
      expect(() => makeSession({ maxFutureSkewMs: bad as number }), String(bad)).toThrow(
        InvalidArgumentError,
      );
    }
    expect(() => makeSession({ maxFutureSkewMs: 0 })).not.toThrow();
    expect(() => makeSession({ maxFutureSkewMs: 2 ** 31 - 1 - 600_000 })).not.toThrow();
  });

  it('reports malformed frames and unknown message types, and keeps going', async () => {
    const { session, conn, log } = await connected();
    conn.send('{"metadata":');
    conn.send({
      metadata: { message_id: 'x', message_type: 'session_teleport', message_timestamp: 't' },
      payload: {},
    });
    conn.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    conn.send({
      metadata: { message_id: 'y', message_type: 'notification', message_timestamp: 't' },
      payload: {},
    });
    conn.send(notificationFrame({ id: 'ok' }));
    await until(() => log.notifications.length === 1);
    expect(log.errors.map(codeOf)).toEqual([
      'PROTOCOL_MALFORMED_FRAME',
      'UNKNOWN_MESSAGE_TYPE',
      'PROTOCOL_MALFORMED_FRAME',
      'PROTOCOL_MALFORMED_FRAME',
    ]);
    expect(log.errors.every((e) => e instanceof ProtocolError)).toBe(true);
    expect(session.stats).toMatchObject({ malformed: 3, unknownTypes: 1, notifications: 1 });
    expect(session.state).toBe('connected');
    expect(peer.connections).toHaveLength(1);
  });

  it('logs bad frames when nobody listens to error, and survives throwing listeners', async () => {
    const warn = vi.fn();
    const error = vi.fn();
    const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn, error };
    const session = makeSession({ logger });
    const connecting = session.connect();
    const conn = await peer.next();
    conn.welcome('S1');
    await connecting;
    session.on('notification', () => {
      throw new Error('listener bug');
    });
    const delivered: string[] = [];
    session.on('notification', (m) => delivered.push(m.metadata.message_id));
    conn.send('garbage');
    conn.send(notificationFrame({ id: 'n1' }));
    await until(() => delivered.length === 1);
    expect(warn).toHaveBeenCalledWith('frame is not valid JSON', { code: 'PROTOCOL_MALFORMED_FRAME' });
    expect(error).toHaveBeenCalledWith("listener of 'notification' failed", expect.anything());
    expect(session.state).toBe('connected');
  });

  it('deduplicates across sessions sharing one store', async () => {
    const dedupe = new MemoryDedupeStore();
    const a = await connected({ dedupe }, 'A');
    const b = await connected({ dedupe }, 'B');
    a.conn.send(notificationFrame({ id: 'same' }));
    await until(() => a.log.notifications.length === 1);
    b.conn.send(notificationFrame({ id: 'same' }));
    await until(() => b.session.stats.duplicates === 1);
    expect(b.log.notifications).toEqual([]);
  });
});

describe('EventSubSession: keepalive watchdog', () => {
  it('reconnects to the base URL after keepalive + margin of silence, with a new session to bind', async () => {
    const { session, conn, log } = await connected({ keepaliveMarginRatio: 0.5 });
    // Watchdog: 10 s × 1.5 = 15 s. Messages keep it quiet.
    clock.advance(14_000);
    conn.send(keepaliveFrame());
    await until(() => session.stats.keepalives === 1);
    clock.advance(14_000);
    expect(session.state).toBe('connected');
    expect(log.disconnected).toEqual([]);
    clock.advance(1000);
    expect(log.disconnected).toEqual([{ code: 1006, reason: 'keepalive timeout', action: 'reconnect' }]);
    expect(log.reconnecting).toEqual([{ reason: 'keepalive_timeout', attempt: 1, delayMs: 100 }]);
    await conn.closed; // the dead socket was dropped
    clock.advance(100);
    const fresh = await peer.next();
    expect(fresh.url).toBe('/ws');
    fresh.welcome('S2');
    await until(() => log.reconnected.length === 1);
    expect(log.reconnected).toEqual([
      { sessionId: 'S2', previousSessionId: 'S1', cause: 'reconnect', rebindRequired: true },
    ]);
    expect(log.welcomes).toEqual([
      ['S1', false],
      ['S2', true],
    ]);
    expect(session.sessionId).toBe('S2');
    expect(session.stats.reconnects).toBe(1);
  });

  it('uses the keepalive timeout of the welcome', async () => {
    const session = makeSession({ keepaliveMarginRatio: 0 });
    const log = record(session);
    const connecting = session.connect();
    (await peer.next()).welcome('S1', 60);
    await connecting;
    clock.advance(59_999);
    expect(log.disconnected).toHaveLength(0);
    clock.advance(1);
    expect(log.disconnected).toHaveLength(1);
  });
});

describe('EventSubSession: close codes (reference §1.6)', () => {
  const rows = [
    ...Object.values(CLOSE_CODES).map((row) => [row.code, row.action] as const),
    [1006, 'reconnect'] as const,
  ];

  it.each(rows)('close %i → action %s, reconnect to the base URL', async (code, action) => {
    const { session, conn, log } = await connected();
    if (code === 1006) conn.socket.terminate();
    else conn.close(code, 'bye');
    await until(() => log.disconnected.length === 1);
    expect(log.disconnected[0]).toMatchObject({ code, action });
    const bugs = log.errors.filter((e) => codeOf(e) === 'CLIENT_BUG_CLOSE');
    expect(bugs).toHaveLength(action === 'client-bug' ? 1 : 0);
    if (action === 'client-bug') expect(bugs[0]).toMatchObject({ closeCode: code });
    expect(session.state).toBe('reconnecting');
    expect(log.reconnecting).toEqual([{ reason: 'connection_lost', attempt: 1, delayMs: 100 }]);
    clock.advance(100);
    const fresh = await peer.next();
    expect(fresh.url).toBe('/ws');
    fresh.welcome('S2');
    await until(() => session.state === 'connected');
    expect(log.reconnected).toEqual([
      { sessionId: 'S2', previousSessionId: 'S1', cause: 'reconnect', rebindRequired: true },
    ]);
  });

  it('backs off exponentially up to the cap, and only resets after a stable connection', async () => {
    const { session, conn, log } = await connected();
    const url = peer.url;
    conn.close(4000);
    await until(() => log.reconnecting.length === 1);
    for (let i = 0; i < 5; i++) {
      const delay = log.reconnecting.at(-1)!.delayMs;
      clock.advance(delay);
      (await peer.next()).close(4006);
      await until(() => log.reconnecting.length === i + 2);
    }
    expect(log.reconnecting.map((r) => r.delayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    // No caller waits on a reconnect: every failed attempt is reported.
    expect(log.errors.map(codeOf)).toEqual(Array<string>(5).fill('CONNECT_FAILED'));
    expect(log.errors[0]).toMatchObject({ closeCode: 4006 });
    // A welcome followed by an immediate drop does not reset the backoff.
    clock.advance(1000);
    (await peer.next()).welcome('S2');
    await until(() => session.state === 'connected');
    peer.connections.at(-1)!.close(4000);
    await until(() => log.reconnecting.length === 7);
    expect(log.reconnecting.at(-1)!.delayMs).toBe(1000);
    // A connection that stayed up for a keepalive window does.
    clock.advance(1000);
    (await peer.next()).welcome('S3');
    await until(() => session.state === 'connected');
    clock.advance(11_000);
    peer.connections.at(-1)!.send(keepaliveFrame());
    await until(() => session.stats.keepalives === 1);
    clock.advance(2000);
    peer.connections.at(-1)!.close(4000);
    await until(() => log.reconnecting.length === 8);
    expect(log.reconnecting.at(-1)!.delayMs).toBe(100);
    expect(url).toBe(peer.url);
  });
});

describe('EventSubSession: session_reconnect handover', () => {
  it('opens reconnect_url as given, reads the old socket until the new welcome, loses and repeats nothing', async () => {
    const { session, conn: old, log } = await connected();
    const reconnectUrl = `${peer.url}?reconnect=abc%2Fdef&keepalive_timeout_seconds=99`;
    old.send(notificationFrame({ id: 'n1' }));
    old.send(reconnectFrame('S1', reconnectUrl));
    const next = await peer.next();
    expect(next.url).toBe('/ws?reconnect=abc%2Fdef&keepalive_timeout_seconds=99');
    expect(log.reconnecting).toEqual([{ reason: 'session_reconnect', attempt: 1, delayMs: 0 }]);
    // The old socket still delivers; the new one repeats some of it.
    old.send(notificationFrame({ id: 'n2' }));
    await until(() => log.notifications.length === 2);
    next.send(notificationFrame({ id: 'n2' }));
    next.welcome('S1', null);
    next.send(notificationFrame({ id: 'n3' }));
    await until(() => log.notifications.length === 3);
    const [code] = await old.closed;
    expect(code).toBe(1000);
    expect(log.notifications).toEqual(['n1', 'n2', 'n3']);
    expect(log.welcomes).toEqual([
      ['S1', false],
      ['S1', true],
    ]);
    expect(log.reconnected).toEqual([
      { sessionId: 'S1', previousSessionId: 'S1', cause: 'handover', rebindRequired: false },
    ]);
    expect(log.disconnected).toEqual([]);
    expect(session.stats).toMatchObject({ handovers: 1, duplicates: 1 });
    expect(session.state).toBe('connected');
    expect(old.received).toEqual([]);
    expect(next.received).toEqual([]);
  });

  it('retries the reconnect_url while the old socket lives, then completes', async () => {
    const { session, conn: old, log } = await connected();
    old.send(reconnectFrame('S1', `${peer.url}?reconnect=1`));
    (await peer.next()).close(4000);
    await until(() => log.errors.length === 1);
    expect(log.errors[0]).toMatchObject({ code: 'HANDOVER_FAILED', closeCode: 4000 });
    old.send(notificationFrame({ id: 'during' }));
    await until(() => log.notifications.length === 1);
    clock.advance(100);
    const second = await peer.next();
    expect(second.url).toBe('/ws?reconnect=1');
    second.welcome('S1');
    await until(() => session.stats.handovers === 1);
    expect(log.reconnected[0]).toMatchObject({ cause: 'handover', rebindRequired: false });
  });

  it('falls back to the base URL on 4007 invalid reconnect', async () => {
    const { session, conn: old, log } = await connected();
    old.send(reconnectFrame('S1', `${peer.url}?reconnect=bad`));
    (await peer.next()).close(4007);
    await until(() => log.reconnecting.length === 2);
    expect(log.reconnecting[1]).toMatchObject({ reason: 'handover_failed' });
    await old.closed;
    clock.advance(100);
    const fresh = await peer.next();
    expect(fresh.url).toBe('/ws');
    fresh.welcome('S9');
    await until(() => session.state === 'connected');
    expect(log.reconnected).toEqual([
      { sessionId: 'S9', previousSessionId: 'S1', cause: 'reconnect', rebindRequired: true },
    ]);
  });

  it('starts a new session when the old socket dies while a handover retry is pending', async () => {
    const { session, conn: old, log } = await connected();
    old.send(reconnectFrame('S1', `${peer.url}?reconnect=4`));
    (await peer.next()).close(4000);
    await until(() => log.errors.length === 1);
    old.close(4004);
    await until(() => log.disconnected.length === 1);
    expect(log.reconnecting.at(-1)).toMatchObject({ reason: 'connection_lost' });
    clock.advance(1000);
    const fresh = await peer.next();
    expect(fresh.url).toBe('/ws');
    fresh.welcome('S5');
    await until(() => session.state === 'connected');
    expect(log.reconnected).toEqual([
      { sessionId: 'S5', previousSessionId: 'S1', cause: 'reconnect', rebindRequired: true },
    ]);
    expect(peer.connections).toHaveLength(3);
  });

  it('falls back to the base URL at once when reconnect_url cannot be opened', async () => {
    const { session, conn: old, log } = await connected();
    old.send(reconnectFrame('S1', 'not a url'));
    await until(() => log.reconnecting.length === 1);
    expect(log.errors[0]).toMatchObject({ code: 'HANDOVER_FAILED' });
    // Refused before any socket is opened: the only reconnect is the one to the base URL.
    expect(log.reconnecting).toEqual([expect.objectContaining({ reason: 'handover_failed' })]);
    clock.advance(100);
    const fresh = await peer.next();
    expect(fresh.url).toBe('/ws');
    fresh.welcome('S7');
    await until(() => session.sessionId === 'S7');
    expect(log.reconnected[0]).toMatchObject({ cause: 'reconnect', rebindRequired: true });
  });

  it('keeps waiting for the new socket when the old one closes with 4004 meanwhile', async () => {
    const { session, conn: old, log } = await connected();
    old.send(reconnectFrame('S1', `${peer.url}?reconnect=2`));
    const next = await peer.next();
    old.close(4004);
    await until(() => log.disconnected.length === 1);
    expect(log.reconnecting).toHaveLength(1);
    next.welcome('S1');
    await until(() => session.state === 'connected');
    expect(log.reconnected).toEqual([
      { sessionId: 'S1', previousSessionId: 'S1', cause: 'handover', rebindRequired: false },
    ]);
    expect(peer.connections).toHaveLength(2);
  });
});

describe('EventSubSession: close()', () => {
  it('closes every socket with 1000, clears every timer, and is idempotent', async () => {
    const { session, conn } = await connected();
    conn.send(reconnectFrame('S1', `${peer.url}?reconnect=3`));
    const next = await peer.next();
    expect(clock.pending).toBeGreaterThan(0);
    const closing = session.close();
    expect(session.close()).toBe(closing);
    await closing;
    expect((await conn.closed)[0]).toBe(1000);
    await next.closed;
    expect(clock.pending).toBe(0);
    expect(session.state).toBe('closed');
  });
});
