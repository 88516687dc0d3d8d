/**
 * A hostile EventSub WebSocket server (issue 14): out-of-range durations, reconnect_urls that point elsewhere,
 * reconnect storms, frames whose type disagrees with their subscription, huge message ids and oversized frames.
 * Real sockets against a scripted peer on port 0, on a manual clock.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { ClientOptions } from 'ws';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { MAX_MESSAGE_ID_LENGTH } from '../../../src/protocol/eventsub.js';
import { MAX_MESSAGE_ID_LENGTH as WEBHOOK_MAX_MESSAGE_ID_LENGTH } from '../../../src/eventsub/webhook/verify.js';
import {
  EventSubSession,
  type DisconnectInfo,
  type EventSubSessionOptions,
  type ReconnectingInfo,
} from '../../../src/eventsub/websocket/session.js';
import {
  ScriptedPeer,
  codeOf,
  keepaliveFrame,
  notificationFrame,
  reconnectFrame,
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

  /** Whether the session follows `url` from `base`: every socket really goes to the plain-ws peer. */
  async function follows(base: string, url: string, options: Partial<EventSubSessionOptions> = {}) {
    const asked: string[] = [];
    const target = peer.url;
    class Redirect extends WebSocket {
      constructor(to: string, wsOptions?: ClientOptions) {
        asked.push(to);
        super(target, wsOptions);
      }
    }
    const { session, conn, errors } = await connected({ url: base, WebSocket: Redirect, ...options });
    conn.send(reconnectFrame('S1', url));
    await until(() => errors.length > 0 || asked.length > 1);
    if (asked.length > 1) await peer.next(); // the handover socket, so the next connected() gets its own
    await session.close();
    return asked.length > 1 ? 'followed' : `refused: ${errors[0]?.message ?? ''}`;
  }

  it.each([
    // Entries and URLs are compared as the URL parser writes them: the default port of the scheme is dropped.
    ['[::1]:443', 'wss://[::1]/ws'],
    ['[::1]:443', 'wss://[::1]:443/ws'],
    ['edge.example.com:443', 'wss://edge.example.com/ws'],
    ['[0:0::1]', 'wss://[::1]/ws'],
    ['EVIL.EXAMPLE.COM', 'wss://evil.example.com/ws'],
    ['*.example.com:8443', 'wss://a.example.com:8443/ws'],
    ['*.twitch.tv', 'wss://evil.twitch.tv/ws'],
    ['*.twitch.tv', 'wss://EVIL.twitch.tv:443/ws'],
  ])('an entry %s allows %s, however either is written', async (entry, url) => {
    const base = 'wss://eventsub.wss.twitch.tv/ws';
    expect(await follows(base, url, { allowedReconnectHosts: [entry] })).toBe('followed');
  });

  it.each([
    ['*.example.com:8443', 'wss://a.example.com/ws', 'host a.example.com is not allowed'],
    ['*.twitch.tv', 'wss://evil.twitch.tv:444/ws', 'host evil.twitch.tv:444 is not allowed'],
    ['*.twitch.tv', 'wss://eviltwitch.tv/ws', 'host eviltwitch.tv is not allowed'],
    ['*.twitch.tv', 'wss://twitch.tv.evil.com/ws', 'host twitch.tv.evil.com is not allowed'],
    ['[::1]:443', 'wss://[::1]:8443/ws', 'host [::1]:8443 is not allowed'],
  ])('an entry %s does not allow %s', async (entry, url, reason) => {
    const base = 'wss://eventsub.wss.twitch.tv/ws';
    expect(await follows(base, url, { allowedReconnectHosts: [entry] })).toContain(reason);
  });

  it("from a ws: base, Twitch's hosts are never followed in plaintext, allowed or not", async () => {
    const reason = "Twitch's hosts are followed over wss: only";
    expect(await follows(peer.url, 'ws://eventsub.wss.twitch.tv/ws')).toContain(reason);
    expect(
      await follows(peer.url, 'ws://eventsub.wss.twitch.tv/ws', {
        allowedReconnectHosts: ['eventsub.wss.twitch.tv', '*.twitch.tv'],
      }),
    ).toContain(reason);
    const port = new URL(peer.url).port;
    expect(await follows(peer.url, `WS://127.0.0.1:${port}/ws?upper`)).toBe('followed');
    expect(await follows(peer.url, `ws://0x7f.0.0.1:${port}/ws?hex`)).toBe('followed');
  });

  it('validates allowedReconnectHosts', () => {
    for (const bad of [
      ['ws://x.example.com'],
      ['user@x.example.com'],
      ['x.example.com/path'],
      [''],
      [5],
      'x',
      ['*.0.0.127'], // a wildcard names a domain, not addresses by their digits
      ['*.[::1]'],
      ['host:99999'],
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

describe('reconnect storms, however the server mixes requests, closes and refused URLs (issue 14 audit)', () => {
  const SECONDS = 60;
  /** Frames of `session_reconnect` the storming socket sends per 100 ms step. */
  const BURST = 20;
  const failures = (errors: Error[], code: string): number => errors.filter((e) => codeOf(e) === code).length;

  /**
   * Runs a server that storms for {@link SECONDS} of manual time, in 100 ms steps. `serve` handles each new
   * connection and resolves once the session has seen what it did; `target` is the reconnect_url the storming
   * socket (the first one, kept alive and stable by keepalives) asks for, `BURST` times per step, or `null` when
   * the connections storm by themselves. Before each step the session has read every frame and opened every
   * socket it was going to (`drained`), so the socket count depends on the clock only.
   */
  async function storm(options: {
    readonly target: string | null;
    readonly serve: (conn: PeerConnection, log: ReturnType<typeof makeSession>) => Promise<void>;
    readonly drained?: (log: ReturnType<typeof makeSession>) => boolean;
    readonly session?: Partial<EventSubSessionOptions>;
  }): Promise<ReturnType<typeof makeSession>> {
    const log = makeSession({
      backoff: new Backoff({ initialMs: 100, maxMs: 5000, random: () => 1 }),
      ...options.session,
    });
    const { session } = log;
    const connecting = session.connect();
    const first = await peer.next();
    first.welcome('S1');
    await connecting;
    /** Sends a keepalive and waits until the session read it (so every frame before it), or dropped the socket. */
    const marker = async (conn: PeerConnection): Promise<void> => {
      const keepalives = session.stats.keepalives;
      conn.send(keepaliveFrame());
      await until(
        () => session.stats.keepalives > keepalives || conn.socket.readyState !== WebSocket.OPEN,
        'the marker keepalive',
      );
    };
    // Stable: it lived longer than the keepalive watchdog (12 s).
    for (let i = 0; i < 13; i++) {
      await marker(first);
      clock.advance(1000);
    }
    let served = 1;
    // Past the bound (a storming session), the run stops there and the assertions fail.
    for (let step = 0; step < SECONDS * 10 && !broken(log); step++) {
      while (served < peer.connections.length) await options.serve(peer.connections[served++]!, log);
      if (options.target !== null && first.socket.readyState === WebSocket.OPEN) {
        for (let i = 0; i < BURST; i++) first.send(reconnectFrame('S1', options.target));
        await marker(first);
      }
      const drained =
        options.drained ?? ((): boolean => session.stats.connectAttempts === peer.connections.length);
      await until(() => drained(log) || broken(log), 'the session to open every socket it was going to');
      clock.advance(100);
    }
    return log;
  }

  /** More sockets than any mix may open: a storm (waiting for it to drain would never end). */
  const broken = (log: ReturnType<typeof makeSession>): boolean =>
    log.session.stats.connectAttempts > 1 + allowed();

  /** Sockets the backoff allows in `SECONDS` (100 ms doubling up to 5 s), plus `waitMs` per socket spent waiting. */
  function allowed(waitMs = 0): number {
    let sockets = 0;
    let delay = 100;
    for (let t = 0; t < SECONDS * 1000; sockets++) {
      t += waitMs + delay;
      delay = Math.min(delay * 2, 5000);
    }
    return sockets;
  }

  it('repeats on a stable socket, targets never welcomed: one handover at a time, each failure backs off', async () => {
    const { session, errors } = await storm({
      target: `${peer.url}?handover`,
      serve: () => Promise.resolve(),
    });
    const sockets = session.stats.connectAttempts;
    expect(sockets).toBeLessThanOrEqual(1 + allowed(10_000)); // each target waits 10 s for its welcome
    // Every target socket failed and was reported (the last one may still be waiting for its welcome).
    expect(failures(errors, 'HANDOVER_FAILED')).toBeGreaterThanOrEqual(sockets - 2);
    expect(failures(errors, 'RECONNECT_STORM')).toBeGreaterThanOrEqual(1);
    expect(session.stats.throttledHandovers).toBeGreaterThan(SECONDS * 10 * BURST - sockets);
    expect(session.sessionId).toBe('S1'); // the stable socket still delivers
  });

  it('repeats on a stable socket, targets closed before their welcome: bounded by the backoff, each reported', async () => {
    let closed = 0;
    const { session, errors } = await storm({
      target: `${peer.url}?handover`,
      serve: async (conn, log) => {
        conn.close(1000);
        closed++;
        await until(
          () => failures(log.errors, 'HANDOVER_FAILED') === closed || broken(log),
          'the failure reported',
        );
      },
    });
    expect(session.stats.connectAttempts).toBeLessThanOrEqual(1 + allowed());
    expect(failures(errors, 'HANDOVER_FAILED')).toBe(closed);
    expect(closed).toBeGreaterThanOrEqual(session.stats.connectAttempts - 2);
    expect(failures(errors, 'RECONNECT_STORM')).toBeGreaterThanOrEqual(1);
  });

  it('repeats on a stable socket to a port that refuses: bounded by the backoff, each reported', async () => {
    const closedPort = await freePort();
    const { session, errors } = await storm({
      target: `ws://127.0.0.1:${closedPort}/ws`,
      session: { allowedReconnectHosts: [`127.0.0.1:${closedPort}`] },
      serve: () => Promise.resolve(),
      // Every socket opened after the first failed (connection refused) and was reported.
      drained: (log) => failures(log.errors, 'HANDOVER_FAILED') === log.session.stats.connectAttempts - 1,
    });
    const sockets = session.stats.connectAttempts;
    expect(sockets).toBeLessThanOrEqual(1 + allowed());
    expect(failures(errors, 'HANDOVER_FAILED')).toBe(sockets - 1);
    expect(peer.connections).toHaveLength(1);
  });

  it('every socket welcomed then asking for refused URLs: each one waits for the backoff, each reported', async () => {
    const { session, errors } = await storm({
      target: 'ws://evil.example.com/ws', // the first socket too
      serve: async (conn, log) => {
        const welcomes = log.session.stats.reconnects;
        conn.welcome(`S${String(welcomes + 2)}`);
        await until(() => log.session.stats.reconnects === welcomes + 1, 'the welcome');
        const refusals = failures(log.errors, 'HANDOVER_FAILED');
        for (let i = 0; i < BURST; i++) conn.send(reconnectFrame('S', 'ws://evil.example.com/ws'));
        await until(() => failures(log.errors, 'HANDOVER_FAILED') === refusals + 1, 'the refusal');
      },
    });
    const sockets = session.stats.connectAttempts;
    expect(sockets).toBeLessThanOrEqual(1 + allowed());
    expect(failures(errors, 'HANDOVER_FAILED')).toBe(sockets);
  });

  it('every target welcomed, asking again at once, then closing: bounded by the backoff, reported', async () => {
    let welcomed = 0;
    const { session, errors, disconnected } = await storm({
      target: `${peer.url}?handover`,
      serve: async (conn, log) => {
        welcomed++;
        conn.welcome('S1');
        await until(
          () => log.session.stats.handovers + log.session.stats.reconnects === welcomed,
          'the welcome',
        );
        const seen = log.session.stats.messages;
        for (let i = 0; i < BURST; i++) conn.send(reconnectFrame('S1', `${peer.url}?again`));
        await until(() => log.session.stats.messages === seen + BURST, 'the burst');
        const lost = log.disconnected.length;
        conn.close(1000);
        await until(() => log.disconnected.length === lost + 1, 'the loss');
      },
    });
    expect(session.stats.connectAttempts).toBeLessThanOrEqual(1 + allowed());
    expect(failures(errors, 'RECONNECT_STORM')).toBeGreaterThanOrEqual(1);
    expect(disconnected.length).toBe(welcomed);
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

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
