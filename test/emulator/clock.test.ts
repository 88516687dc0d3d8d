/**
 * The emulator's `clock` option reaches every timer: periodic session drops, trigger streams, the PubSub LISTEN
 * deadline, Helix latency faults. Each is observed on a `TestClock` (scheduled there, fired by it), never by sleeping.
 * The EventSub sweep, token expiry, the reconnect grace and the 72 h expiry are in test/testing/time-travel.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestClock } from '../../src/testing/clock.js';
import { appToken, createConduit, Fixtures, helix } from '../support/emulator.js';
import { until } from '../support/until.js';

const fixtures = new Fixtures();
afterEach(() => fixtures.close());

describe('the emulator on an injected clock', () => {
  it('drops sessions, streams events and enforces the PubSub LISTEN deadline on its clock', async () => {
    const clock = new TestClock();
    const emu = await fixtures.emulator({ clock });

    // Periodic session drops: one timer of the period, re-armed after each drop.
    emu.setFaults({ dropSessionEveryMs: 7777 });
    expect(clock.delays()).toContain(7777);
    emu.setFaults({ dropSessionEveryMs: 0 });
    expect(clock.delays()).not.toContain(7777);

    // A trigger stream emits as the clock moves: 5 per second for 2 s is 10 events, whatever the real time.
    const conduitId = await createConduit(emu, 1);
    const token = appToken(emu);
    emu.mintUserToken({ userId: '4242', scopes: [] });
    const created = await helix(emu, 'POST', '/eventsub/subscriptions', token, {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '4242' },
      transport: { method: 'conduit', conduit_id: conduitId },
    });
    expect(created.status).toBe(202);
    const stream = emu.stream({
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '4242' },
      ratePerSecond: 5,
      durationMs: 2000,
    });
    clock.advance(2000);
    // No shard is connected: every event is dropped, and counted.
    expect(await stream.done).toEqual({ delivered: 0, dropped: 10 });

    // PubSub: a connection that never LISTENs is closed at the deadline (15 s), on the clock.
    const ws = fixtures.track(new WebSocket(emu.clientOptions().pubSubUrl));
    let closed: number | undefined;
    ws.on('close', (code) => (closed = code));
    await until(() => clock.delays().includes(15_000), 'the LISTEN deadline armed');
    await clock.tickAsync(14_999);
    expect(closed).toBeUndefined();
    await clock.tickAsync(1);
    expect(await until(() => closed, 'the connection closed')).toBe(1000);
  });

  it('delays Helix answers by the latency fault on its clock', async () => {
    const clock = new TestClock();
    const emu = await fixtures.emulator({ clock });
    emu.setFaults({ helixLatencyMs: 60_000 });
    let status: number | undefined;
    void helix(emu, 'GET', '/users?id=1', appToken(emu)).then((r) => (status = r.status));
    await until(() => clock.delays().includes(60_000), 'the latency timer');
    expect(status).toBeUndefined();
    clock.advance(60_000);
    expect(await until(() => status, 'the answer')).toBe(200);
  });
});
