/**
 * Time travel (issue 18): the emulator and the clients on ONE `TestClock`, over real sockets, without sleeping.
 * Every duration here is Twitch's own (10 s keepalive window, 30 s reconnect grace, 72 h conduit expiry, token
 * lifetimes): the clock skips them. `tickAsync` lets the sockets talk between timers; `until` waits only for I/O
 * to land (real sockets), never for time, which moves only when the test moves it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import type { ReadyInfo, ShardDisconnectedInfo } from '../../src/eventsub/client.js';
import { AutoClient } from '../../src/eventsub/conduit/index.js';
import { HelixClient } from '../../src/helix/client.js';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { TestClock } from '../../src/testing/index.js';
import { appToken, Fixtures, helix } from '../support/emulator.js';
import { until } from '../support/until.js';

const HOUR = 3600_000;

const fixtures = new Fixtures();
afterEach(() => fixtures.close());

/** An emulator with Twitch's default timings, on `clock`. */
function emulator(clock: TestClock, options: EmulatorOptions = {}): Promise<Emulator> {
  return fixtures.emulator({ clock, ...options });
}

/**
 * An AutoClient on `clock` (WebSocket shards), with short reconnect delays (also on `clock`). Its `clock` drives
 * the client's own timers, its Helix client and its shard sessions (keepalive watchdog): one `clock`.
 */
function autoClient(emu: Emulator, clock: TestClock): AutoClient {
  return fixtures.track(
    new AutoClient({
      ...emu.clientOptions(),
      clock, // the client's timers, its Helix client and its shard sessions (keepalive watchdog)
      reconcileIntervalMs: 0,
      reconnectBackoff: { initialMs: 5, maxMs: 50 },
      shardRetry: { initialMs: 5, maxMs: 50 },
    }),
  );
}

/** Starts `client` and resolves with its `ready` info. */
async function started(client: AutoClient): Promise<ReadyInfo> {
  let info: ReadyInfo | undefined;
  client.on('ready', (i) => (info = i));
  await client.start();
  if (info === undefined) throw new Error('no ready event');
  return info;
}

/** The session bound to shard `shardId` of the first conduit. */
function shardSession(emu: Emulator, shardId: string): string | undefined {
  const transport = emu.state().conduits[0]?.shards.find((s) => s.id === shardId)?.transport;
  return transport?.method === 'websocket' ? transport.session_id : undefined;
}

/** The connected sessions the emulator knows. */
function connected(emu: Emulator) {
  return emu.state().sessions.filter((s) => s.status === 'connected');
}

describe('time travel: the emulator and the clients on one TestClock', () => {
  it('the keepalive expires: the client watchdog fires once the clock passes the window, and it reconnects', async () => {
    const clock = new TestClock();
    const emu = await emulator(clock);
    const client = autoClient(emu, clock);
    await client.start();
    const first = await until(() => shardSession(emu, '0'), 'shard 0 bound');
    const lost: ShardDisconnectedInfo[] = [];
    client.on('shardDisconnected', (info) => lost.push(info));

    // Keepalives flowing: far past the 10 s window, the client keeps its session.
    await clock.tickAsync(60_000);
    expect(lost).toEqual([]);
    expect(emu.state().counters.keepalives_sent).toBeGreaterThan(0);

    // Keepalives stop right after one was sent: the client's watchdog allows 10 s × 1.2 of silence from there.
    const framesOf = (id: string) => emu.state().sessions.find((s) => s.id === id)?.frames_sent;
    const sent = framesOf(first);
    while (framesOf(first) === sent) await clock.tickAsync(100);
    emu.setKeepalive(first, false);
    await clock.tickAsync(11_900);
    expect(lost).toEqual([]);
    await clock.tickAsync(200);
    expect(lost).toMatchObject([{ shardId: '0', code: 1006 }]);
    // Its reconnect delay runs on the same clock; the new socket then opens over real I/O.
    await clock.tickAsync(100);
    const second = await until(() => {
      const id = shardSession(emu, '0');
      return id !== first && connected(emu).some((s) => s.id === id) && id;
    }, 'shard 0 bound to a new session');
    expect(second).not.toBe(first);
  });

  it('the token expires and is refreshed: the next Helix call after expiry uses a new token', async () => {
    const clock = new TestClock();
    const emu = await emulator(clock, { userTokenTtlSeconds: 4 * 3600 });
    const o = emu.clientOptions();
    const auth = new RefreshingAuthProvider({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthUrl: o.oauthUrl,
      clock,
      // No validation sweep in this test: only expiry and refresh.
      validateIntervalMs: 2 ** 31 - 1,
    });
    const api = new HelixClient({
      clientId: o.clientId,
      auth,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      clock,
    });
    fixtures.track({
      close: () => {
        api.close();
        auth.close();
      },
    });
    const minted = emu.mintUserToken({ userId: '4242', scopes: [] });
    const info = await auth.addUser({ accessToken: minted.accessToken, refreshToken: minted.refreshToken });
    expect(info.expiresAt).toBe(clock.now() + 4 * HOUR);
    const refreshed: string[] = [];
    auth.on('tokenRefreshed', (userId) => refreshed.push(userId));
    await api.users.getUsers({}, { auth: { userId: '4242' } });
    expect(refreshed).toEqual([]);

    // Past expiry: the emulator refuses the old token (its expiry runs on the same clock) ...
    clock.advance(4 * HOUR + 1000);
    expect((await helix(emu, 'GET', '/users', minted.accessToken)).status).toBe(401);
    // ... and the next call refreshes first: a refresh grant the emulator honoured, then a token it accepts.
    const [me] = await api.users.getUsers({}, { auth: { userId: '4242' } });
    expect(me?.id).toBe('4242');
    expect(refreshed).toEqual(['4242']);
    const fresh = auth.getUser('4242');
    expect(fresh?.expiresAt).toBe(clock.now() + 4 * HOUR);
    // The old refresh token was exchanged at the emulator: it is spent.
    const spent = await fetch(`${o.oauthUrl}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: minted.refreshToken,
        client_id: o.clientId,
        client_secret: o.clientSecret,
      }),
    });
    expect(spent.status).toBe(400);
  });

  it('the conduit is deleted after 72 h without an enabled shard; a later AutoClient creates a new one', async () => {
    // Counts what the emulator schedules: the 72 h jump must not re-arm the sweep every sweepIntervalMs.
    let scheduled = 0;
    const clock = new (class extends TestClock {
      override setTimeout(fn: () => void, ms: number) {
        scheduled++;
        return super.setTimeout(fn, ms);
      }
    })();
    const emu = await emulator(clock);
    const client = autoClient(emu, clock);
    const ready = await started(client);
    await client.close();
    await until(() => emu.state().conduits[0]?.enabled_shards === 0, 'every shard disabled');

    scheduled = 0;
    clock.advance(72 * HOUR - 1000);
    expect(emu.state().conduits.map((c) => c.id)).toEqual([ready.conduitId]);
    clock.advance(1000);
    expect(emu.state().conduits).toEqual([]);
    expect(emu.state().counters.conduits_expired).toBe(1);
    // A sweep per deadline (session pruning, the expiry), not one per sweepIntervalMs (260,000 over 72 h).
    expect(scheduled).toBeLessThan(20);

    // The conduit is gone on the Helix side too; a new client finds none to adopt and creates one.
    const listed = await helix(emu, 'GET', '/eventsub/conduits', appToken(emu));
    expect(listed.body).toMatchObject({ data: [] });
    const later = autoClient(emu, clock);
    const again = await started(later);
    expect(again.createdConduit).toBe(true);
    expect(again.conduitId).not.toBe(ready.conduitId);
  });

  it('the reconnect grace runs out: a client that does not follow session_reconnect is closed with 4004', async () => {
    const clock = new TestClock();
    const emu = await emulator(clock);
    const ws = new WebSocket(emu.clientOptions().eventSubWsUrl);
    fixtures.track({
      close: () => {
        ws.terminate();
      },
    });
    const frames: { metadata: { message_type: string; message_timestamp: string } }[] = [];
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as (typeof frames)[number]));
    let closeCode: number | undefined;
    ws.on('close', (code) => (closeCode = code));
    await until(() => frames.length > 0, 'the welcome');
    // Timestamps follow the clock too (to the millisecond; the sub-millisecond digits are formatting).
    expect(frames[0]?.metadata.message_timestamp).toMatch(/^2023-11-14T22:13:20\.000\d{6}Z$/);
    const [session] = connected(emu);
    if (session === undefined) throw new Error('no session');
    // A used session (a conduit shard), so the 10 s unused-session rule does not close it first.
    const token = appToken(emu);
    const conduit = await helix(emu, 'POST', '/eventsub/conduits', token, { shard_count: 1 });
    const conduitId = (conduit.body as { data: { id: string }[] }).data[0]?.id ?? '';
    await helix(emu, 'PATCH', '/eventsub/conduits/shards', token, {
      conduit_id: conduitId,
      shards: [{ id: '0', transport: { method: 'websocket', session_id: session.id } }],
    });

    emu.reconnectSession(session.id);
    await until(
      () => frames.some((f) => f.metadata.message_type === 'session_reconnect'),
      'session_reconnect',
    );
    // The client ignores it. Within the 30 s grace the old socket stays open (pings answered, keepalives sent) ...
    await clock.tickAsync(29_000);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    // ... after it, the emulator closes it.
    await clock.tickAsync(2_000);
    expect(await until(() => closeCode, 'the old socket closed')).toBe(4004);
    expect(emu.state().sessions.find((s) => s.id === session.id)).toMatchObject({
      status: 'closed',
      close_code: 4004,
    });
  });
});
