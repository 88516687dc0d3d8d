/**
 * The session against the real emulator over real sockets: binding to a conduit shard, pings, keepalives,
 * `session_reconnect` handover under load, close codes, the unused-session rule (4003), duplicate deliveries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import { Emulator, type EmulatorOptions } from '../../../src/emulator/index.js';
import { EventSubSession, type EventSubSessionOptions } from '../../../src/eventsub/websocket/session.js';
import { EventSubSessionError } from '../../../src/eventsub/websocket/errors.js';
import type { DisconnectInfo, ReconnectedInfo } from '../../../src/eventsub/websocket/session.js';
import { codeOf } from './helpers.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';

let emu: Emulator | undefined;
const sessions: EventSubSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await emu?.close();
  emu = undefined;
});

const BROADCASTER = '4242';

async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await Emulator.start({
    port: 0,
    rateLimitPerMinute: Infinity,
    // Small but not tiny: on a loaded machine a pong must still make it before the next ping.
    keepaliveSecondMs: 10,
    pingIntervalMs: 100,
    reconnectGraceMs: 2000,
    unusedTimeoutMs: 5000,
    ...options,
  });
  return emu;
}

async function helix(
  e: Emulator,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${e.clientOptions().helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${e.mintAppToken().accessToken}`,
      'Client-Id': e.clientId,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** A one-shard conduit with a stream.online subscription; returns a binder for session ids. */
async function conduit(e: Emulator): Promise<(sessionId: string) => Promise<void>> {
  const created = await helix(e, 'POST', '/eventsub/conduits', { shard_count: 1 });
  const conduitId = created.body.data[0].id as string;
  e.mintUserToken({ userId: BROADCASTER, scopes: [] });
  const sub = await helix(e, 'POST', '/eventsub/subscriptions', {
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: BROADCASTER },
    transport: { method: 'conduit', conduit_id: conduitId },
  });
  expect(sub.status).toBe(202);
  return async (sessionId) => {
    const res = await helix(e, 'PATCH', '/eventsub/conduits/shards', {
      conduit_id: conduitId,
      shards: [{ id: '0', transport: { method: 'websocket', session_id: sessionId } }],
    });
    expect(res.body.errors, JSON.stringify(res.body)).toEqual([]);
  };
}

function open(e: Emulator, options: Partial<EventSubSessionOptions> = {}) {
  const session = new EventSubSession({
    url: e.clientOptions().eventSubWsUrl,
    backoff: new Backoff({ initialMs: 5, maxMs: 50 }),
    ...options,
  });
  sessions.push(session);
  const log = {
    ids: [] as string[],
    errors: [] as Error[],
    disconnected: [] as DisconnectInfo[],
    reconnected: [] as ReconnectedInfo[],
  };
  session.on('notification', (m) => log.ids.push(m.metadata.message_id));
  session.on('error', (error) => log.errors.push(error));
  session.on('disconnected', (info) => log.disconnected.push(info));
  session.on('reconnected', (info) => log.reconnected.push(info));
  return { session, log };
}

function trigger(e: Emulator, count = 1): number {
  return e.trigger({
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: BROADCASTER },
    count,
  }).delivered;
}

describe('EventSubSession against the emulator', () => {
  it('connects, is bound to a shard, answers pings, counts keepalives and receives notifications', async () => {
    const e = await start();
    const bind = await conduit(e);
    const { session, log } = open(e);
    const sessionId = await session.connect();
    await bind(sessionId);
    expect(trigger(e, 3)).toBe(3);
    await until(() => log.ids.length === 3);
    // Several ping intervals and keepalive windows pass: pongs keep the socket, nothing is ever sent.
    await until(() => session.stats.keepalives >= 3);
    const state = e.state().sessions.find((s) => s.id === sessionId);
    expect(log.disconnected).toEqual([]);
    expect(state?.status).toBe('connected');
    expect(session.state).toBe('connected');
    expect(log.errors).toEqual([]);
    expect(log.disconnected).toEqual([]);
  });

  it('hands over on session_reconnect without losing or repeating a notification', async () => {
    const e = await start();
    const bind = await conduit(e);
    const { session, log } = open(e);
    const sessionId = await session.connect();
    await bind(sessionId);
    let sent = trigger(e, 50);
    e.reconnectSession(sessionId);
    // Until the new socket is welcomed, deliveries go to the old one; then to the new one.
    for (let i = 0; i < 20; i++) {
      sent += trigger(e, 10);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => log.reconnected.length === 1);
    sent += trigger(e, 50);
    await until(() => log.ids.length >= sent);
    expect(sent).toBe(300);
    expect(log.ids).toHaveLength(300);
    expect(new Set(log.ids).size).toBe(300);
    expect(log.reconnected).toEqual([
      { sessionId, previousSessionId: sessionId, cause: 'handover', rebindRequired: false },
    ]);
    expect(session.sessionId).toBe(sessionId);
    expect(log.disconnected).toEqual([]);
    expect(e.state().counters.dropped).toBe(0);
  });

  it('drops duplicate deliveries', async () => {
    const e = await start();
    const bind = await conduit(e);
    const { session, log } = open(e);
    await bind(await session.connect());
    e.setFaults({ duplicateRate: 0.5 });
    expect(trigger(e, 200)).toBe(200);
    const duplicates = (): number => e.state().counters.duplicates_sent;
    await until(() => log.ids.length === 200 && session.stats.duplicates === duplicates());
    expect(duplicates()).toBeGreaterThan(0);
    expect(new Set(log.ids).size).toBe(200);
  });

  it.each([4000, 4005, 4006])(
    'after close %i, reconnects to a new session that must be bound again',
    async (code) => {
      const e = await start();
      const bind = await conduit(e);
      const { session, log } = open(e);
      const first = await session.connect();
      await bind(first);
      e.closeSession(first, code);
      await until(() => log.reconnected.length === 1);
      expect(log.disconnected).toEqual([{ code, reason: expect.any(String), action: 'reconnect' }]);
      const [info] = log.reconnected;
      expect(info).toMatchObject({ previousSessionId: first, cause: 'reconnect', rebindRequired: true });
      expect(info!.sessionId).not.toBe(first);
      await bind(info!.sessionId);
      expect(trigger(e)).toBe(1);
      await until(() => log.ids.length === 1);
    },
  );

  it('reports 4003 (session never bound) as a client bug, and recovers', async () => {
    const e = await start({ unusedTimeoutMs: 30 });
    const { session, log } = open(e);
    const first = await session.connect();
    await until(() => log.reconnected.length === 1);
    const bug = log.errors.find((error) => codeOf(error) === 'CLIENT_BUG_CLOSE');
    expect(bug).toBeInstanceOf(EventSubSessionError);
    expect(bug).toMatchObject({ closeCode: 4003, action: 'client-bug' });
    expect(log.disconnected[0]).toMatchObject({ code: 4003, action: 'client-bug' });
    expect(session.sessionId).not.toBe(first);
    await session.close();
  });

  it('reconnects when keepalives stop (watchdog on an injected clock)', async () => {
    const e = await start({ keepaliveSecondMs: 1000 });
    const bind = await conduit(e);
    const clock = new FakeClock(Date.now());
    const { session, log } = open(e, { clock });
    const first = await session.connect();
    await bind(first);
    e.setKeepalive(first, false);
    clock.advance(12_001); // 10 s keepalive × 1.2
    expect(log.disconnected).toEqual([{ code: 1006, reason: 'keepalive timeout', action: 'reconnect' }]);
    clock.advance(100); // first backoff delay
    await until(() => log.reconnected.length === 1);
    expect(log.reconnected[0]).toMatchObject({ previousSessionId: first, rebindRequired: true });
  });

  it('close() leaves nothing running in the emulator', async () => {
    const e = await start();
    const { session } = open(e);
    const id = await session.connect();
    await session.close();
    await until(() => e.state().sessions.find((s) => s.id === id)?.status !== 'connected');
    expect(session.state).toBe('closed');
  });
});
