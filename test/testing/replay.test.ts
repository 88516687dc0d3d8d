/**
 * `emu.replay()` and `POST /_emulator/replay`: recorded notifications go out with their original message id, event
 * and timestamp to the matching subscriptions only; unmatched lines are counted and listed; the recorded pace is
 * kept (a line an hour later is not sent until then); stop() and the emulator's close() end a replay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { TestClock } from '../../src/testing/index.js';
import type { Clock } from '../../src/core/clock.js';
import { EventSubCore } from '../../src/emulator/eventsub/core.js';
import type { StoredSubscription } from '../../src/emulator/eventsub/model.js';
import { resolveOptions } from '../../src/emulator/options.js';
import type { Notification } from '../../src/catalogue/events.js';
import type { RecordedNotification } from '../../src/testing/index.js';
import { Harness, streamOnline } from '../eventsub/conduit/helpers.js';
import { until } from '../support/until.js';

const h = new Harness();
afterEach(() => h.close());

/** A recorded time: `ms` after a start a minute ago (within the clients' 10-minute replay window). */
const START = Date.now() - 60_000;
const T = (ms: number): string => new Date(START + ms).toISOString();

const HEADER = {
  kind: 'header',
  format: 'twitch-realtime/recording',
  format_version: 1,
  library_version: '0.1.0',
  started_at: T(0),
  source: 'test',
};

function line(
  id: string,
  broadcaster: string,
  receivedAt: string,
  extra: Partial<RecordedNotification> = {},
): RecordedNotification {
  return {
    kind: 'notification',
    message_id: id,
    message_timestamp: receivedAt,
    type: 'stream.online',
    version: '1',
    subscription: {
      id: 'recorded-sub',
      type: 'stream.online',
      version: '1',
      status: 'enabled',
      cost: 0,
      condition: { broadcaster_user_id: broadcaster },
      created_at: T(0),
      transport_method: 'websocket',
    },
    event: {
      id: `stream-${id}`,
      broadcaster_user_id: broadcaster,
      broadcaster_user_login: 'x',
      broadcaster_user_name: 'X',
      type: 'live',
      started_at: receivedAt,
    },
    received_at: receivedAt,
    ...extra,
  };
}

/** An emulator and a client subscribed to stream.online of broadcasters 1000 and 1001, collecting notifications. */
async function setup(options: EmulatorOptions = {}): Promise<{ emu: Emulator; seen: Notification[] }> {
  const emu = await h.start(options);
  const client = h.client({
    conduitId: 'create',
    shardIds: [0],
    subscriptions: streamOnline(emu, 2),
    watchShardDisabled: false,
  });
  const seen: Notification[] = [];
  client.on('notification', (n) => seen.push(n));
  await client.start();
  await until(() => emu.state().subscriptions.length === 2, 'the subscriptions');
  return { emu, seen };
}

describe('emu.replay()', () => {
  it('original ids, events and timestamps to the matching subscriptions; the rest counted and listed', async () => {
    const { emu, seen } = await setup();
    const lines = [
      HEADER,
      line('m-1', '1000', T(1000)),
      line('m-2', '4242', T(1001)),
      line('m-3', '1001', T(1002)),
      line('m-4', '1000', T(1003), {
        version: '2',
        subscription: { ...line('', '1000', T(0)).subscription, version: '2' },
      }),
      {
        kind: 'revocation',
        message_id: 'r-1',
        type: 'stream.online',
        version: '1',
        subscription: line('', '1000', T(0)).subscription,
        received_at: T(1004),
      },
    ];
    const result = await emu.replay(lines, { speed: 'max' }).done;
    expect(result).toEqual({
      notifications: 4,
      delivered: 2,
      dropped: 0,
      unmatched: 2,
      unmatched_lines: [
        {
          line: 3,
          message_id: 'm-2',
          type: 'stream.online',
          version: '1',
          condition: { broadcaster_user_id: '4242' },
        },
        {
          line: 5,
          message_id: 'm-4',
          type: 'stream.online',
          version: '2',
          condition: { broadcaster_user_id: '1000' },
        },
      ],
      revocations: 1,
      stopped: false,
    });
    await until(() => seen.length === 2, 'the two notifications');
    expect(seen.map((n) => [n.messageId, n.timestamp.toISOString(), n.raw.event])).toEqual([
      ['m-1', T(1000), lines[1] === undefined ? null : (lines[1] as RecordedNotification).event],
      ['m-3', T(1002), (lines[3] as RecordedNotification).event],
    ]);
    // The subscription on the wire is the emulator's own.
    expect(seen[0]?.subscription.id).not.toBe('recorded-sub');
  });

  it("timestamps: 'now' gives fresh message timestamps, same ids", async () => {
    const { emu, seen } = await setup();
    const before = Date.now();
    await emu.replay([line('m-1', '1000', T(1000))], { speed: 'max', timestamps: 'now' }).done;
    await until(() => seen.length === 1, 'the notification');
    expect(seen[0]?.messageId).toBe('m-1');
    expect(seen[0]?.timestamp.getTime()).toBeGreaterThanOrEqual(before - 1);
  });

  it('keeps the pace: a line recorded an hour later waits; stop() ends the replay', async () => {
    const { emu, seen } = await setup();
    const run = emu.replay([line('m-1', '1000', T(0)), line('m-2', '1000', T(3_600_000))]);
    await until(() => seen.length === 1, 'the first notification');
    run.stop();
    expect(await run.done).toMatchObject({ notifications: 1, delivered: 1, stopped: true });
    // Drain: a notification triggered after the stop arrives, and nothing of the replay came before it.
    emu.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1000' } });
    await until(() => seen.length === 2, 'the marker');
    expect(seen.map((n) => n.messageId)[0]).toBe('m-1');
    expect(seen[1]?.messageId).not.toBe('m-2');
  });

  it('speed divides the waits: an hour at speed 1,000,000 is 3.6 ms', async () => {
    const { emu, seen } = await setup();
    const result = await emu.replay([line('m-1', '1000', T(0)), line('m-2', '1001', T(3_600_000))], {
      speed: 1_000_000,
      timestamps: 'now',
    }).done;
    expect(result).toMatchObject({ delivered: 2, stopped: false });
    await until(() => seen.length === 2, 'both');
  });

  it("paces by the emulator's clock: under a TestClock the next line waits for advance()", async () => {
    const clock = new TestClock(Date.now());
    // Keepalives on that clock never come: a keepalive "second" long enough for the client not to give up meanwhile;
    // no ping falls in the advanced minute (its pong could not arrive while advance() runs synchronously).
    const { emu, seen } = await setup({ clock, keepaliveSecondMs: 1000, pingIntervalMs: 3_600_000 });
    const run = emu.replay([line('m-1', '1000', T(0)), line('m-2', '1000', T(60_000))]);
    await until(() => seen.length === 1, 'the first notification');
    // The gap is a timer of the emulator's clock, not of the real one.
    await until(() => clock.delays().includes(60_000), 'the replay timer');
    clock.advance(60_000);
    expect(await run.done).toMatchObject({ notifications: 2, delivered: 2, stopped: false });
    await until(() => seen.length === 2, 'the second notification');
    expect(seen.map((n) => n.messageId)).toEqual(['m-1', 'm-2']);
  });

  it('a gap longer than a timer can wait (2^31-1 ms) is waited in steps, not cut short', async () => {
    // The system clock's timers stop at 2^31-1 ms; a clock that does the same, driven by hand.
    const test = new TestClock(Date.now());
    const MAX = 2 ** 31 - 1;
    const clock: Clock = {
      now: () => test.now(),
      setTimeout: (fn, ms) => test.setTimeout(fn, Math.min(ms, MAX)),
      clearTimeout: (handle) => {
        test.clearTimeout(handle);
      },
    };
    // No client: the lines are counted as unmatched, which is enough to see when the replay reads the second one.
    const emu = await h.start({ clock });
    const gap = 40 * 86_400_000; // 40 days
    const run = emu.replay([line('m-1', '1000', T(0)), line('m-2', '1000', T(gap))]);
    await until(() => test.delays().includes(MAX), 'the first step');
    test.advance(MAX);
    // 24.8 days passed, not 40: the replay waits again instead of going on.
    await until(() => test.delays().includes(gap - MAX), 'the second step');
    test.advance(gap - MAX);
    expect(await run.done).toMatchObject({ notifications: 2, unmatched: 2, stopped: false });
  });

  it('an event nested too deep to re-serialise: RECORDING_INVALID_LINE, not a stack overflow', async () => {
    const { emu } = await setup();
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const run = emu.replay([line('m-1', '1000', T(0), { event: { deep } })], { speed: 'max' });
    await expect(run.done).rejects.toMatchObject({ code: 'RECORDING_INVALID_LINE', line: 1 });
  });

  it('the core refuses a foreign message id or timestamp that is not frame-safe, for every transport', async () => {
    const emu = await h.start();
    const core = new EventSubCore(emu.platform, resolveOptions({}));
    try {
      const sub = {} as StoredSubscription;
      for (const [id, ts] of [
        ['a"b', '2026-01-01T00:00:00Z'],
        ['a\r\nX-Evil: 1', '2026-01-01T00:00:00Z'],
        ['m-1', '2026"}'],
      ] as const) {
        expect(() => core.deliver(sub, '{}', id, ts)).toThrow(
          expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'message_id' }) as unknown,
        );
      }
      expect(core.counters.notificationsSent).toBe(0);
    } finally {
      core.close();
    }
  });

  it('into a webhook shard: the original ids arrive in the Twitch-Eventsub-Message-Id header, in order', async () => {
    const emu = await h.start({ allowInsecureWebhooks: true });
    const client = h.client({
      conduitId: 'create',
      shardIds: [0],
      subscriptions: streamOnline(emu, 1),
      watchShardDisabled: false,
      webhook: {
        shardIds: [0],
        listen: { port: 0 },
        callback: (id) => `${client.webhookListener?.url ?? 'http://unset'}/eventsub/${id}`,
        secret: 'a-webhook-secret-of-the-test',
      },
    });
    const seen: string[] = [];
    client.on('notification', (n) => seen.push(n.messageId));
    await client.start();
    await until(
      () =>
        emu.state().subscriptions.length === 1 &&
        emu.state().conduits[0]?.shards[0]?.transport.method === 'webhook',
      'the webhook shard',
    );
    const result = await emu.replay([line('w-1', '1000', T(0)), line('w-2', '1000', T(1))], { speed: 'max' })
      .done;
    expect(result).toMatchObject({ delivered: 2, dropped: 0, unmatched: 0 });
    await until(() => seen.length === 2, 'both over the webhook');
    expect(seen).toEqual(['w-1', 'w-2']);
  });

  it("the emulator's close() stops a running replay", async () => {
    const { emu, seen } = await setup();
    const run = emu.replay([line('m-1', '1000', T(0)), line('m-2', '1000', T(3_600_000))]);
    await until(() => seen.length === 1, 'the first notification');
    await h.close();
    expect(await run.done).toMatchObject({ delivered: 1, stopped: true });
  });

  it('on an emulator already closed: ends at once with stopped, nothing sent, no wait for the pace', async () => {
    const emu = await h.start();
    await emu.close();
    const run = emu.replay([line('m-1', '1000', T(0)), line('m-2', '1000', T(3_600_000))]);
    expect(await run.done).toMatchObject({ notifications: 0, delivered: 0, stopped: true });
  });

  it('a bad line rejects done with RECORDING_INVALID_LINE naming it; the lines before it were sent', async () => {
    const { emu, seen } = await setup();
    const run = emu.replay([line('m-1', '1000', T(0)), { kind: 'notification' }], { speed: 'max' });
    await expect(run.done).rejects.toMatchObject({ code: 'RECORDING_INVALID_LINE', line: 2 });
    await until(() => seen.length === 1, 'the first notification');
  });
});

describe('POST /_emulator/replay', () => {
  async function post(
    emu: Emulator,
    body: string,
    type: string,
    query = '',
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${emu.baseUrl}/_emulator/replay${query}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    return { status: res.status, body: await res.json() };
  }

  it('takes JSON lines or an array and answers the summary when done', async () => {
    const { emu, seen } = await setup();
    const ndjson = [HEADER, line('m-1', '1000', T(0)), line('m-2', '9', T(0))]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const first = await post(emu, `${ndjson}\n`, 'application/x-ndjson', '?speed=max');
    expect(first).toMatchObject({ status: 200, body: { notifications: 2, delivered: 1, unmatched: 1 } });
    const second = await post(
      emu,
      JSON.stringify([line('m-3', '1001', T(0))]),
      'application/json',
      '?speed=1000&timestamps=now',
    );
    expect(second).toMatchObject({ status: 200, body: { delivered: 1 } });
    await until(() => seen.length === 2, 'both');
    expect(seen.map((n) => n.messageId)).toEqual(['m-1', 'm-3']);
  });

  it('a bad line, a bad speed or a body of another shape: 400 naming it, nothing sent', async () => {
    const { emu } = await setup();
    const good = JSON.stringify(line('m-1', '1000', T(0)));
    const badLine = await post(emu, `${good}\n\n{"kind":"notification"}\n`, 'application/x-ndjson');
    expect(badLine.status).toBe(400);
    expect(JSON.stringify(badLine.body)).toContain('line 3');
    expect((await post(emu, `${good}\nnope\n`, 'application/x-ndjson')).status).toBe(400);
    expect((await post(emu, `[${good}]`, 'application/json', '?speed=0')).status).toBe(400);
    expect((await post(emu, '{"a":1}', 'application/json')).status).toBe(400);
    expect(emu.state().counters.notifications_sent).toBe(0);
  });
});
