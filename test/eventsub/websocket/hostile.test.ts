/**
 * A hostile EventSub WebSocket server (issue 14): out-of-range durations, reconnect_urls that point elsewhere,
 * reconnect storms, frames whose type disagrees with their subscription, huge message ids and oversized frames.
 * Real sockets against a scripted peer on port 0, on a manual clock.
 */
import type { ClientOptions } from 'ws';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { MAX_MESSAGE_ID_LENGTH } from '../../../src/eventsub/protocol.js';
import { MAX_MESSAGE_ID_LENGTH as WEBHOOK_MAX_MESSAGE_ID_LENGTH } from '../../../src/eventsub/webhook/verify.js';
import {
  EventSubSession,
  type DisconnectInfo,
  type EventSubSessionOptions,
  type ReconnectingInfo,
} from '../../../src/eventsub/websocket/session.js';
import {
  ManualClock,
  ScriptedPeer,
  codeOf,
  keepaliveFrame,
  notificationFrame,
  reconnectFrame,
  until,
  type PeerConnection,
} from './helpers.js';

let peer: ScriptedPeer;
let clock: ManualClock;
const sessions: EventSubSession[] = [];

beforeEach(async () => {
  peer = await ScriptedPeer.start();
  clock = new ManualClock();
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await peer.close();
});

function makeSession(options: Partial<EventSubSessionOptions> = {}): {
  session: EventSubSession;
  errors: Error[];
  reconnecting: ReconnectingInfo[];
  disconnected: DisconnectInfo[];
  notifications: string[];
} {
  const session = new EventSubSession({
    url: peer.url,
    clock,
    backoff: new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 }),
    ...options,
  });
  sessions.push(session);
  const log = {
    session,
    errors: [] as Error[],
    reconnecting: [] as ReconnectingInfo[],
    disconnected: [] as DisconnectInfo[],
    notifications: [] as string[],
  };
  session.on('error', (e) => log.errors.push(e));
  session.on('reconnecting', (i) => log.reconnecting.push(i));
  session.on('disconnected', (i) => log.disconnected.push(i));
  session.on('notification', (m) => log.notifications.push(m.metadata.message_id));
  return log;
}

async function connected(
  options: Partial<EventSubSessionOptions> = {},
  keepaliveSeconds: number | null = 10,
): Promise<ReturnType<typeof makeSession> & { conn: PeerConnection }> {
  const log = makeSession(options);
  const connecting = log.session.connect();
  const conn = await peer.next();
  conn.welcome('S1', keepaliveSeconds);
  await connecting;
  return { ...log, conn };
}

describe('durations (the clock rule)', () => {
  it('clamps a welcome keepalive of 1e10 s to 600 s: the watchdog fires at 720 s, not never (or every ms)', async () => {
    const { session, reconnecting } = await connected({}, 1e10);
    clock.advance(719_000);
    expect(session.state).toBe('connected');
    clock.advance(2_000);
    expect(reconnecting).toEqual([expect.objectContaining({ reason: 'keepalive_timeout' })]);
  });

  it('clamps a welcome keepalive of 1e-6 s to 10 s: no reconnect before 12 s of silence', async () => {
    const { session, reconnecting } = await connected({}, 1e-6);
    clock.advance(11_000);
    expect(session.state).toBe('connected');
    expect(reconnecting).toEqual([]);
    clock.advance(1_001);
    expect(reconnecting).toEqual([expect.objectContaining({ reason: 'keepalive_timeout' })]);
  });

  it('refuses durations a timer would misread before opening anything', () => {
    const bad: [Partial<EventSubSessionOptions>, string][] = [
      [{ welcomeTimeoutMs: 1e12 }, 'welcomeTimeoutMs'],
      [{ welcomeTimeoutMs: 2 ** 31 }, 'welcomeTimeoutMs'],
      [{ welcomeTimeoutMs: NaN }, 'welcomeTimeoutMs'],
      [{ maxMessageAgeMs: Infinity }, 'maxMessageAgeMs'],
      [{ keepaliveMarginRatio: 1e9 }, 'keepaliveMarginRatio'],
    ];
    for (const [options, field] of bad) {
      let caught: unknown;
      try {
        new EventSubSession({ url: peer.url, ...options });
      } catch (error) {
        caught = error;
      }
      expect(caught, field).toBeInstanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).field).toBe(field);
    }
    expect(peer.connections).toHaveLength(0);
  });
});

describe('reconnect_url is followed only to allowed places', () => {
  it.each([
    ['another host', 'ws://evil.example.com/ws', 'host evil.example.com is not allowed'],
    ['a link-local address', 'ws://169.254.169.254/latest/meta-data', 'host 169.254.169.254 is not allowed'],
    ['another scheme', 'http://127.0.0.1/ws', 'scheme http:'],
    ['another port of the base host', 'ws://127.0.0.1:1/ws', 'host 127.0.0.1:1 is not allowed'],
    ['a garbage URL', 'not a url', 'not a valid URL'],
  ])('refuses %s with HANDOVER_FAILED and starts over at the base URL', async (_what, url, reason) => {
    const { session, conn, errors, reconnecting } = await connected();
    conn.send(reconnectFrame('S1', url));
    await until(() => errors.length === 1);
    expect(codeOf(errors[0]!)).toBe('HANDOVER_FAILED');
    expect(errors[0]!.message).toContain('reconnect_url refused');
    expect(errors[0]!.message).toContain(reason);
    expect(reconnecting).toEqual([expect.objectContaining({ reason: 'handover_failed' })]);
    await conn.closed;
    clock.advance(100);
    const fresh = await peer.next();
    expect(fresh.url).toBe('/ws');
    fresh.welcome('S2');
    await until(() => session.sessionId === 'S2');
    expect(peer.connections).toHaveLength(2);
  });

  it('refuses credentials in the URL, even to the base host, and never quotes them', async () => {
    const { conn, errors } = await connected();
    const port = new URL(peer.url).port;
    conn.send(reconnectFrame('S1', `ws://user:hunter2@127.0.0.1:${port}/ws?reconnect=1`));
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'HANDOVER_FAILED' });
    expect(errors[0]!.message).toContain('credentials');
    expect(errors[0]!.message).not.toContain('hunter2');
    clock.advance(100);
    expect((await peer.next()).url).toBe('/ws');
  });

  it('follows a host the user allows', async () => {
    const port = new URL(peer.url).port;
    const { session, conn, errors } = await connected({ allowedReconnectHosts: [`localhost:${port}`] });
    conn.send(reconnectFrame('S1', `ws://localhost:${port}/ws?reconnect=1`));
    const next = await peer.next();
    expect(next.url).toBe('/ws?reconnect=1');
    next.welcome('S1');
    await until(() => session.stats.handovers === 1);
    expect(errors).toEqual([]);
  });

  it("from a wss: base: Twitch's host over wss only, no plaintext, no stranger", async () => {
    // Every socket really goes to the plain-ws peer; the session only sees the URLs it asked for.
    const asked: string[] = [];
    const target = peer.url;
    class Redirect extends WebSocket {
      constructor(url: string, options?: ClientOptions) {
        asked.push(url);
        super(target, options);
      }
    }
    const { session, conn, errors } = await connected({
      url: 'wss://eventsub.wss.twitch.tv/ws',
      WebSocket: Redirect,
    });
    conn.send(reconnectFrame('S1', 'ws://eventsub.wss.twitch.tv/ws?reconnect=plain'));
    conn.send(reconnectFrame('S1', 'wss://evil.example.com/ws'));
    conn.send(reconnectFrame('S1', 'wss://edge.eventsub.wss.twitch.tv/ws'));
    await until(() => errors.length === 1);
    expect(errors[0]!.message).toContain('scheme ws: differs');
    // The first refusal dropped the socket: the other two frames were never read. Start over and try again.
    clock.advance(100);
    const second = await peer.next();
    second.welcome('S2');
    await until(() => session.sessionId === 'S2');
    second.send(reconnectFrame('S2', 'wss://evil.example.com/ws'));
    await until(() => errors.length === 2);
    expect(errors[1]!.message).toContain('host evil.example.com is not allowed');
    clock.advance(1000);
    const third = await peer.next();
    third.welcome('S3');
    await until(() => session.sessionId === 'S3');
    third.send(reconnectFrame('S3', 'wss://eventsub.wss.twitch.tv/ws?reconnect=ok'));
    const fourth = await peer.next();
    fourth.welcome('S3');
    await until(() => session.stats.handovers === 1);
    expect(asked).toEqual([
      'wss://eventsub.wss.twitch.tv/ws',
      'wss://eventsub.wss.twitch.tv/ws',
      'wss://eventsub.wss.twitch.tv/ws',
      'wss://eventsub.wss.twitch.tv/ws?reconnect=ok',
    ]);
  });

  it('validates allowedReconnectHosts', () => {
    for (const bad of [
      ['ws://x.example.com'],
      ['user@x.example.com'],
      ['x.example.com/path'],
      [''],
      [5],
      'x',
    ]) {
      expect(
        () =>
          new EventSubSession({
            url: peer.url,
            allowedReconnectHosts: bad as unknown as string[],
          }),
        JSON.stringify(bad),
      ).toThrow(InvalidArgumentError);
    }
  });
});

describe('reconnect storms', () => {
  it('a server asking for a handover on every socket gets a bounded number of sockets, and is reported', async () => {
    // Every socket is welcomed, then told to reconnect to the same server at once.
    const storm = (conn: PeerConnection): void => {
      conn.welcome('S1');
      conn.send(reconnectFrame('S1', `${peer.url}?storm`));
    };
    const { session, errors, reconnecting } = makeSession();
    const connecting = session.connect();
    storm(await peer.next());
    await connecting;
    let served = 1;
    // Quiet when every socket opened so far was served, and its handover request was read (each one emits
    // `reconnecting`): the session is then waiting on the clock, or the storm is not throttled at all.
    const quiet = (): boolean =>
      served === peer.connections.length &&
      session.stats.connectAttempts === served &&
      reconnecting.length === served;
    const serve = async (): Promise<void> => {
      for (;;) {
        if (served < peer.connections.length) {
          storm(peer.connections[served++]!);
          continue;
        }
        if (quiet()) return;
        await until(() => served < peer.connections.length || quiet(), 'the storm to wait on the clock');
      }
    };
    // Five seconds of simulated time, in 50 ms steps.
    for (let t = 0; t < 5_000; t += 50) {
      await serve();
      clock.advance(50);
    }
    await serve();
    // 100, 200, 400, 800, 1000, 1000, 1000 ms: the first handover is immediate, each further one waits.
    expect(peer.connections.length).toBeLessThanOrEqual(10);
    expect(session.stats.throttledHandovers).toBeGreaterThanOrEqual(5);
    expect(errors.length).toBe(session.stats.throttledHandovers);
    expect(new Set(errors.map(codeOf))).toEqual(new Set(['RECONNECT_STORM']));
    expect(reconnecting.slice(1).every((r) => r.delayMs > 0)).toBe(true);
    expect(session.state).not.toBe('closed');
  });

  it('a throttled handover never waits past half of the grace of the old socket (15 s)', async () => {
    const { conn, errors, reconnecting } = await connected({
      backoff: new Backoff({ initialMs: 20_000, maxMs: 60_000, random: () => 1 }),
    });
    conn.send(reconnectFrame('S1', `${peer.url}?a`));
    const second = await peer.next();
    second.welcome('S1', 600); // a watchdog longer than the wait
    second.send(reconnectFrame('S1', `${peer.url}?b`));
    await until(() => errors.length === 1);
    expect(reconnecting.at(-1)?.delayMs).toBe(15_000);
    clock.advance(15_000);
    expect((await peer.next()).url).toBe('/ws?b');
  });

  it('a handover asked on a stable socket is immediate and ends the storm', async () => {
    const { session, conn, errors, reconnecting } = await connected();
    conn.send(reconnectFrame('S1', `${peer.url}?a`));
    const second = await peer.next();
    second.welcome('S1');
    second.send(reconnectFrame('S1', `${peer.url}?b`));
    await until(() => errors.length === 1);
    expect(reconnecting.at(-1)?.delayMs).toBeGreaterThan(0);
    clock.advance(1000);
    const third = await peer.next();
    third.welcome('S1');
    await until(() => session.stats.handovers === 2);
    // Stable: it lived longer than the keepalive watchdog (kept alive by keepalives).
    for (let i = 0; i < 13; i++) {
      third.send(keepaliveFrame());
      await until(() => session.stats.keepalives === i + 1);
      clock.advance(1000);
    }
    third.send(reconnectFrame('S1', `${peer.url}?c`));
    expect((await peer.next()).url).toBe('/ws?c');
    expect(reconnecting.at(-1)).toEqual({ reason: 'session_reconnect', attempt: 1, delayMs: 0 });
    expect(errors).toHaveLength(1);
  });
});

describe('frames that lie', () => {
  it('rejects a notification whose metadata type or version disagrees with its subscription', async () => {
    const { conn, errors, notifications } = await connected();
    const typeLie = notificationFrame({ id: 'lie-type' }) as {
      metadata: { subscription_type: string };
    };
    typeLie.metadata.subscription_type = 'channel.ban';
    const versionLie = notificationFrame({ id: 'lie-version' }) as {
      metadata: { subscription_version: string };
    };
    versionLie.metadata.subscription_version = '1';
    conn.send(typeLie);
    conn.send(versionLie);
    conn.send(notificationFrame({ id: 'honest' }));
    await until(() => notifications.length === 1);
    expect(notifications).toEqual(['honest']);
    expect(errors.map(codeOf)).toEqual(['PROTOCOL_MALFORMED_FRAME', 'PROTOCOL_MALFORMED_FRAME']);
    expect(errors[0]!.message).toContain('subscription_type does not match');
    expect(errors[1]!.message).toContain('subscription_version does not match');
  });

  it('bounds message ids like the webhook path does (one shared constant)', async () => {
    expect(MAX_MESSAGE_ID_LENGTH).toBe(256);
    expect(WEBHOOK_MAX_MESSAGE_ID_LENGTH).toBe(MAX_MESSAGE_ID_LENGTH);
    const { session, conn, errors, notifications } = await connected();
    const longest = 'a'.repeat(MAX_MESSAGE_ID_LENGTH);
    conn.send(notificationFrame({ id: 'x'.repeat(1024 * 1024) }));
    conn.send(notificationFrame({ id: 'b'.repeat(MAX_MESSAGE_ID_LENGTH + 1) }));
    conn.send(notificationFrame({ id: longest }));
    await until(() => notifications.length === 1);
    expect(notifications).toEqual([longest]);
    expect(errors.map(codeOf)).toEqual(['PROTOCOL_MALFORMED_FRAME', 'PROTOCOL_MALFORMED_FRAME']);
    expect(errors[0]!.message).toContain('message_id is longer than 256');
    expect(session.stats.malformed).toBe(2);
  });

  it('reports a frame over maxPayload as FRAME_TOO_LARGE (close 1009) and reconnects', async () => {
    const { session, conn, errors, disconnected, reconnecting } = await connected({
      wsOptions: { maxPayload: 1024 },
    });
    conn.send(notificationFrame({ event: { blob: 'z'.repeat(4096) } }));
    await until(() => disconnected.length === 1);
    expect(errors.map(codeOf)).toEqual(['FRAME_TOO_LARGE']);
    expect(errors[0]).toMatchObject({ closeCode: 1009 });
    expect(disconnected[0]).toMatchObject({ code: 1009, reason: 'frame too large' });
    expect(reconnecting).toEqual([expect.objectContaining({ reason: 'connection_lost' })]);
    clock.advance(100);
    const fresh = await peer.next();
    fresh.welcome('S2');
    await until(() => session.sessionId === 'S2');
  });
});
