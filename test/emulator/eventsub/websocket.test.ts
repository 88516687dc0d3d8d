import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { RawClient, bindShards } from './helpers.js';
import { appToken, createConduit, helix, startEmulator } from '../../support/emulator.js';
import { until } from '../../support/until.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

async function wsSubscription(e: Emulator, sessionId: string, userId = '1001'): Promise<any> {
  const { accessToken } = e.mintUserToken({ userId, scopes: [] });
  const res = await helix(e, 'POST', '/eventsub/subscriptions', accessToken, {
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: userId },
    transport: { method: 'websocket', session_id: sessionId },
  });
  expect(res.status).toBe(202);
  return res.body.data[0];
}

describe('EventSub WebSocket: welcome', () => {
  it('sends session_welcome with a URL-safe id, clamped keepalive and null reconnect_url', async () => {
    emu = await startEmulator();
    const url = emu.clientOptions().eventSubWsUrl;
    const cases: [string, number][] = [
      ['', 10],
      ['?keepalive_timeout_seconds=5', 10],
      ['?keepalive_timeout_seconds=30', 30],
      ['?keepalive_timeout_seconds=9000', 600],
      ['?keepalive_timeout_seconds=abc', 10],
    ];
    for (const [query, expected] of cases) {
      const { client, welcome } = await RawClient.connect(url + query);
      const s = welcome.payload.session;
      expect(s.keepalive_timeout_seconds).toBe(expected);
      expect(s.status).toBe('connected');
      expect(s.reconnect_url).toBeNull();
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(welcome.metadata.message_timestamp).toMatch(RFC3339_NANO);
      expect(s.connected_at).toMatch(RFC3339_NANO);
      client.close();
    }
  });

  it('answers 404 on other upgrade paths', async () => {
    emu = await startEmulator();
    const client = new RawClient(emu.clientOptions().eventSubWsUrl.replace('/ws', '/nope'));
    await expect(client.opened).rejects.toThrow();
  });
});

describe('EventSub WebSocket: keepalive and ping', () => {
  // 15 s: 150 triggers paced 10 ms apart (1.5 s of traffic by design), then the wait for a keepalive.
  it('sends session_keepalive only after a silent window, not while notifications flow', async () => {
    // Window 500 ms, traffic every ~10 ms: only an event loop stalled for half a second could let a keepalive in.
    // (With a 50 ms window a loaded CI machine did.) Real time until the emulator's EventSub timers take a clock.
    emu = await startEmulator({ keepaliveSecondMs: 50, unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const ka = await client.next('session_keepalive', 5000);
    expect(ka.payload).toEqual({});
    expect(ka.metadata.message_timestamp).toMatch(RFC3339_NANO);
    await wsSubscription(emu, sessionId);
    // Keep the socket busy for at least 3 windows (150 triggers ~10 ms apart): no keepalive may interleave (an
    // emulator that ignored the traffic would send 2 or more).
    const start = client.messages.length;
    for (let i = 0; i < 150; i++) {
      emu.trigger({ type: 'stream.online', version: '1' });
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => client.ofType('notification').length >= 150);
    const during = client.messages
      .slice(start)
      .filter((m) => m.metadata.message_type === 'session_keepalive');
    expect(during.length).toBeLessThanOrEqual(1);
    // Silent again: keepalives resume.
    const after = client.ofType('session_keepalive').length;
    await until(
      () => client.ofType('session_keepalive').length > after,
      'a keepalive once the traffic stops',
    );
    client.close();
  }, 15_000);

  it('stops keepalives when disabled through the control API', async () => {
    // Keepalive window 200 ms, a ping every 100 ms: the emulator's own pings mark the time it has let pass (no
    // sleep in the test), and a ping leaves a client that answers 100 ms for its pong even on a loaded machine.
    emu = await startEmulator({ keepaliveSecondMs: 20, pingIntervalMs: 100, unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await client.next('session_keepalive', 2000);
    emu.setKeepalive(sessionId, false);
    const count = client.ofType('session_keepalive').length;
    // Eight pings after the switch: four windows of the emulator's clock. A keepalive it sent in that time (one
    // already in flight aside) came before the last ping on the same socket.
    const from = pings;
    await until(() => pings >= from + 8, 'eight pings after keepalives were disabled');
    expect(client.ofType('session_keepalive').length).toBeLessThanOrEqual(count + 1);
    emu.setKeepalive(sessionId, true);
    await client.next('session_keepalive', 2000);
    client.close();
  });

  it('pings; a client that answers keeps the session, one that does not is closed with 4002', async () => {
    emu = await startEmulator({ pingIntervalMs: 20, unusedTimeoutMs: 10_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const good = await RawClient.connect(url);
    let pings = 0;
    good.client.ws.on('ping', () => pings++);
    const bad = await RawClient.connect(url, { autoPong: false });
    const sub = await wsSubscription(emu, bad.sessionId);
    const closed = await bad.client.closed;
    expect(closed.code).toBe(4002);
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(good.client.closeCode).toBeUndefined();
    const state = emu.state();
    expect(state.subscriptions.find((s) => s.id === sub.id)?.status).toBe('websocket_failed_ping_pong');
    good.client.close();
  });
});

describe('EventSub WebSocket: rules', () => {
  it('closes with 4001 on any inbound data frame (text or binary)', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const a = await RawClient.connect(url);
    const sub = await wsSubscription(emu, a.sessionId);
    a.client.ws.send('hello');
    expect((await a.client.closed).code).toBe(4001);
    expect(emu.state().subscriptions.find((s) => s.id === sub.id)?.status).toBe(
      'websocket_received_inbound_traffic',
    );
    const b = await RawClient.connect(url);
    b.client.ws.send(Buffer.from([1, 2, 3]));
    expect((await b.client.closed).code).toBe(4001);
  });

  it('closes with 4003 when nothing is bound within the deadline, not when a subscription or shard exists', async () => {
    emu = await startEmulator({ keepaliveSecondMs: 5 }); // deadline = keepalive window = 50 ms
    const url = emu.clientOptions().eventSubWsUrl;
    const unused = await RawClient.connect(url);
    expect((await unused.client.closed).code).toBe(4003);
    await emu.close();

    emu = await startEmulator({ unusedTimeoutMs: 150, keepaliveSecondMs: 5 });
    const url2 = emu.clientOptions().eventSubWsUrl;
    const withSub = await RawClient.connect(url2);
    await wsSubscription(emu, withSub.sessionId);
    const withShard = await RawClient.connect(url2);
    const token = appToken(emu);
    const conduit = await createConduit(emu, 1, token);
    expect((await bindShards(emu, token, conduit, [withShard.sessionId])).status).toBe(202);
    // No sleep: an unused session opened after both is closed when its own (later) deadline passes; then a
    // keepalive on each used socket, sent after that, shows it outlived its deadline (a 4003 would have come first).
    const control = await RawClient.connect(url2);
    expect((await control.client.closed).code).toBe(4003);
    const survived = (c: RawClient, n: number) => () => c.ofType('session_keepalive').length > n;
    await until(
      survived(withSub.client, withSub.client.ofType('session_keepalive').length),
      'a keepalive on withSub',
    );
    await until(
      survived(withShard.client, withShard.client.ofType('session_keepalive').length),
      'a keepalive on withShard',
    );
    expect(withSub.client.closeCode).toBeUndefined();
    expect(withShard.client.closeCode).toBeUndefined();
    withSub.client.close();
    withShard.client.close();
  });

  it('a client close marks subscriptions websocket_disconnected with disconnected_at', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const sub = await wsSubscription(emu, sessionId);
    client.close();
    await client.closed;
    await until(
      () => emu!.state().subscriptions.find((s) => s.id === sub.id)?.status === 'websocket_disconnected',
    );
    const listed = emu.state().subscriptions.find((s) => s.id === sub.id)!;
    expect((listed.transport as any).disconnected_at).toMatch(RFC3339_NANO);
  });
});

describe('EventSub WebSocket: close codes', () => {
  const table: [number, string][] = [
    [4000, 'websocket_internal_error'],
    [4002, 'websocket_failed_ping_pong'],
    [4004, 'websocket_failed_to_reconnect'],
    [4005, 'websocket_network_timeout'],
    [4006, 'websocket_network_error'],
  ];

  it.each(table)('close %i → subscription and shard status %s', async (code, status) => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const wsClient = await RawClient.connect(url);
    const sub = await wsSubscription(emu, wsClient.sessionId);
    const shardClient = await RawClient.connect(url);
    const token = appToken(emu);
    const conduit = await createConduit(emu, 1, token);
    await bindShards(emu, token, conduit, [shardClient.sessionId]);

    emu.closeSession(wsClient.sessionId, code);
    emu.closeSession(shardClient.sessionId, code);
    expect((await wsClient.client.closed).code).toBe(code);
    expect((await shardClient.client.closed).code).toBe(code);
    const state = emu.state();
    expect(state.subscriptions.find((s) => s.id === sub.id)?.status).toBe(status);
    const shards = await helix(emu, 'GET', `/eventsub/conduits/shards?conduit_id=${conduit}`, token);
    expect(shards.body.data[0].status).toBe(status);
    expect(shards.body.data[0].transport.disconnected_at).toMatch(RFC3339_NANO);
    const session = state.sessions.find((s) => s.id === wsClient.sessionId)!;
    expect(session.status).toBe('closed');
    expect(session.close_code).toBe(code);
  });

  it('close 4001 and 4003 through the control API carry their statuses', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const a = await RawClient.connect(url);
    const sub = await wsSubscription(emu, a.sessionId);
    emu.closeSession(a.sessionId, 4001);
    expect((await a.client.closed).code).toBe(4001);
    expect(emu.state().subscriptions.find((s) => s.id === sub.id)?.status).toBe(
      'websocket_received_inbound_traffic',
    );
    const b = await RawClient.connect(url);
    emu.closeSession(b.sessionId, 4003);
    expect((await b.client.closed).code).toBe(4003);
  });
});

describe('EventSub WebSocket: session_reconnect handover', () => {
  it('keeps the session id and subscriptions; old socket delivers until the new welcome; 4004 after grace', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000, reconnectGraceMs: 150 });
    const url = emu.clientOptions().eventSubWsUrl;
    const old = await RawClient.connect(url);
    const sub = await wsSubscription(emu, old.sessionId);

    const reconnectUrl = emu.reconnectSession(old.sessionId);
    const reconnect = await old.client.next('session_reconnect');
    expect(reconnect.payload.session.id).toBe(old.sessionId);
    expect(reconnect.payload.session.status).toBe('reconnecting');
    expect(reconnect.payload.session.keepalive_timeout_seconds).toBeNull();
    expect(reconnect.payload.session.reconnect_url).toBe(reconnectUrl);
    expect(reconnectUrl.startsWith(url)).toBe(true);

    // In flight before the client reaches the new URL: delivered on the old socket.
    expect(emu.trigger({ type: 'stream.online', version: '1' })).toEqual({ delivered: 1, dropped: 0 });
    const onOld = await old.client.next('notification');
    expect(onOld.payload.subscription.id).toBe(sub.id);

    const fresh = await RawClient.connect(reconnect.payload.session.reconnect_url);
    expect(fresh.sessionId).toBe(old.sessionId);
    expect(fresh.welcome.payload.session.status).toBe('connected');

    // After the new welcome: delivered on the new socket only.
    emu.trigger({ type: 'stream.online', version: '1' });
    const onNew = await fresh.client.next('notification');
    expect(onNew.payload.subscription.id).toBe(sub.id);
    expect(old.client.ofType('notification')).toHaveLength(1);

    // The client never closes the old socket: 4004 after the grace period, subscription stays enabled.
    expect((await old.client.closed).code).toBe(4004);
    expect(emu.state().subscriptions.find((s) => s.id === sub.id)?.status).toBe('enabled');
    expect(fresh.client.closeCode).toBeUndefined();
    fresh.client.close();
  });

  it('a client that never reconnects gets 4004 and websocket_failed_to_reconnect', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000, reconnectGraceMs: 50 });
    const old = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
    const sub = await wsSubscription(emu, old.sessionId);
    emu.reconnectSession(old.sessionId);
    expect((await old.client.closed).code).toBe(4004);
    expect(emu.state().subscriptions.find((s) => s.id === sub.id)?.status).toBe(
      'websocket_failed_to_reconnect',
    );
  });

  it('a shard follows its session across the handover', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000, reconnectGraceMs: 5_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const old = await RawClient.connect(url);
    const token = appToken(emu);
    const conduit = await createConduit(emu, 1, token);
    await bindShards(emu, token, conduit, [old.sessionId]);
    emu.reconnectSession(old.sessionId);
    const reconnect = await old.client.next('session_reconnect');
    const fresh = await RawClient.connect(reconnect.payload.session.reconnect_url);
    old.client.close();
    await old.client.closed;
    const shards = await helix(emu, 'GET', `/eventsub/conduits/shards?conduit_id=${conduit}`, token);
    expect(shards.body.data[0]).toMatchObject({
      status: 'enabled',
      transport: { session_id: old.sessionId },
    });
    fresh.client.close();
  });

  it('an unknown or reused reconnect URL is closed with 4007', async () => {
    emu = await startEmulator({ unusedTimeoutMs: 10_000, reconnectGraceMs: 5_000 });
    const url = emu.clientOptions().eventSubWsUrl;
    const bogus = new RawClient(`${url}?reconnect=nope`);
    expect((await bogus.closed).code).toBe(4007);
    const old = await RawClient.connect(url);
    await wsSubscription(emu, old.sessionId);
    const reconnectUrl = emu.reconnectSession(old.sessionId);
    const first = await RawClient.connect(reconnectUrl);
    const second = new RawClient(reconnectUrl);
    expect((await second.closed).code).toBe(4007);
    first.client.close();
    old.client.close();
  });
});
