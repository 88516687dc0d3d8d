/**
 * RECONNECT without loss: the pool opens the new socket, LISTENs everything on it, then retires the old one, and
 * messages that arrive on both during the overlap are delivered once. Real sockets against the emulator, whose
 * RECONNECTed connections stay up and subscribed for the grace delay (like Twitch's edge).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PubSubPool, bits, channelPoints, moderationUserAction, whispers } from '../../src/pubsub/index.js';
import type { PubSubPoolOptions, Topic } from '../../src/pubsub/index.js';
import { PUBSUB_STABLE_SOCKET_MS } from '../../src/pubsub/connection.js';
import { newEvents, next, startEmulator, userToken } from './helpers.js';
import type { Env } from './helpers.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

const FAST = { backoff: { initialMs: 5, maxMs: 40, jitterMs: 5 } } as const;
let env: Env | undefined;
const pools: PubSubPool[] = [];

afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
  await env?.close();
  env = undefined;
});

async function setup(
  graceMs: number,
  options: PubSubPoolOptions = {},
): Promise<{ env: Env; events: ReturnType<typeof newEvents>; pool: PubSubPool; token: string }> {
  env = await startEmulator({ reconnectGraceMs: graceMs });
  const events = newEvents();
  const pool = new PubSubPool(events, { url: env.server.url, ...FAST, ...options });
  pools.push(pool);
  return { env, events, pool, token: userToken(env.platform, '42') };
}

function serverIds(e: Env): string[] {
  return e.server.connections().map((c) => c.id);
}

describe('RECONNECT, make before break', () => {
  it('loses nothing and duplicates nothing while publishing continuously through repeated RECONNECTs', async () => {
    const { env, events, pool, token } = await setup(2_000);
    const topics = [
      bits(token).with(42),
      channelPoints(token).with(42),
      whispers(token).with(42),
      moderationUserAction(token).with(42, 7),
    ];
    await pool.subscribeTopics(topics);
    const wire = topics.map(String);
    const counts = new Map<string, number>();
    events.on('pubsub_message', (m) => {
      const key = JSON.stringify(m.data);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });

    const expected = new Map<string, number>();
    let copies = 0;
    let overlapped = 0;
    const control = { publishing: true };
    const publisher = (async () => {
      // At least 300 messages, and on until the last RECONNECT is done.
      for (let n = 0; control.publishing || n < 300; n++) {
        const topic = wire[n % wire.length] ?? '';
        // Every 7th message is published twice with the same payload: two real messages, both must arrive.
        const times = n % 7 === 0 ? 2 : 1;
        const payload = { n, topic };
        for (let i = 0; i < times; i++) {
          const reached = env.server.publish(topic, payload);
          expect(reached).toBeGreaterThan(0);
          copies += reached;
          if (reached > 1) overlapped++;
        }
        expected.set(JSON.stringify(payload), times);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    const seen = new Set(serverIds(env));
    for (let round = 0; round < 6; round++) {
      const before = serverIds(env);
      expect(before).toHaveLength(1);
      expect(env.server.reconnect()).toBe(1);
      if (round % 2 === 1) {
        // A second RECONNECT as soon as the replacement is subscribed, while the first overlap is still running.
        await until(() => env.server.connections().some((c) => !seen.has(c.id) && c.listened));
        const ids = serverIds(env);
        env.server.reconnect();
        for (const id of ids) seen.add(id);
      }
      // Done when only a socket we have never seen is left (the old one was retired by the client, not the server).
      await until(() => {
        const ids = serverIds(env);
        return ids.length === 1 && !seen.has(ids[0] ?? '');
      });
      for (const id of serverIds(env)) seen.add(id);
    }
    control.publishing = false;
    await publisher;

    // One socket is left and messages arrive in order on it: once this one is in, everything is.
    const sentinel = next(
      events,
      'pubsub_message',
      (m) => (m.data as { sentinel?: boolean }).sentinel === true,
    );
    env.server.publish(wire[0] ?? '', { sentinel: true });
    await sentinel;
    counts.delete('{"sentinel":true}');

    expect(expected.size).toBeGreaterThanOrEqual(300);
    expect(overlapped).toBeGreaterThan(0); // messages really went to both sockets
    expect(copies).toBeGreaterThan([...expected.values()].reduce((a, b) => a + b, 0));
    const wrong = [...expected].filter(([key, times]) => counts.get(key) !== times);
    expect(wrong).toEqual([]);
    expect(counts.size).toBe(expected.size);
    expect(pool.connections).toHaveLength(1);
    expect(pool.connections[0]?.state).toBe('open');
    expect(env.server.connections()[0]?.topics.slice().sort()).toEqual(wire.slice().sort());
  });

  it('keeps the old socket when the new one cannot connect, then falls back to the backoff reconnect', async () => {
    const hooked: string[][] = [];
    const { env, events, pool, token } = await setup(150, {
      reconnectHook: (_connection, topics) => {
        hooked.push(topics.map(String));
        return topics;
      },
    });
    await pool.subscribeTopics([whispers(token).with(42)]);
    const [firstId] = serverIds(env);
    const received: number[] = [];
    events.on('pubsub_message', (m) => received.push((m.data as { n: number }).n));

    env.server.setAccepting(false);
    env.server.reconnect();
    await until(() => hooked.length >= 1);
    // The replacement is refused; the old socket still delivers during its grace delay.
    expect(env.server.publish('whispers.42', { n: 1 })).toBe(1);
    await until(() => received.length === 1);
    expect(pool.connections[0]?.state).toBe('open');

    // The server closes it at the end of the grace delay: the backoff reconnect takes over (and is refused).
    await until(() => env.server.connections().length === 0 && pool.connections[0]?.state === 'reconnecting');
    await until(() => hooked.length >= 3);
    env.server.setAccepting(true);
    await until(() => env.server.connections().some((c) => c.id !== firstId && c.listened));
    await until(() => pool.connections[0]?.state === 'open');
    expect(env.server.publish('whispers.42', { n: 2 })).toBe(1);
    await until(() => received.length === 2);
    expect(received).toEqual([1, 2]);
    expect(pool.topics.map(String)).toEqual(['whispers.42']);
  });

  it('a topic unsubscribed while reconnectHook runs is neither LISTENed again nor delivered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const { env, events, pool, token } = await setup(2_000, {
      reconnectHook: async (_connection, topics) => {
        entered = true;
        await gate;
        return topics;
      },
    });
    const keep = whispers(token).with(42);
    const drop = bits(token).with(42);
    await pool.subscribeTopics([keep, drop]);
    const [oldId] = serverIds(env);
    const delivered: string[] = [];
    events.on('pubsub_message', (m) => delivered.push(m.topic));
    env.server.reconnect();
    await until(() => entered);
    await pool.unsubscribeTopics([drop]);
    release();
    await until(() => serverIds(env).length === 1 && serverIds(env)[0] !== oldId);
    expect(env.server.connections()[0]?.topics).toEqual(['whispers.42']);
    expect(pool.topics.map(String)).toEqual(['whispers.42']);
    expect(env.server.publish('channel-bits-events-v2.42')).toBe(0);
    const last = next(events, 'pubsub_message');
    env.server.publish('whispers.42');
    await last;
    expect(delivered).toEqual(['whispers.42']);
  });

  it('BADAUTH on the new socket: the topic is removed and reported, the others move over', async () => {
    const hooked: Topic[][] = [];
    const { env, events, pool, token } = await setup(2_000, {
      reconnectHook: (_c, topics) => topics.map((t) => (t.name === 'whispers' ? t.withToken('revoked') : t)),
      authFailHook: (topics) => hooked.push(topics),
    });
    await pool.subscribeTopics([whispers(token).with(42), bits(token).with(42)]);
    const [oldId] = serverIds(env);
    const failed = next(events, 'pubsub_error', (e) => e.code === 'PUBSUB_RESPONSE_ERROR');
    env.server.reconnect();
    const [error] = await failed;
    expect(error.message).toMatch(/ERR_BADAUTH/);
    await until(() => serverIds(env).length === 1 && serverIds(env)[0] !== oldId);
    expect(hooked.map((list) => list.map(String))).toEqual([['whispers.42']]);
    expect(pool.topics.map(String)).toEqual(['channel-bits-events-v2.42']);
    expect(env.server.connections()[0]?.topics).toEqual(['channel-bits-events-v2.42']);
  });
});

it('retires the old socket at its PONG, or after pongTimeoutMs when no PONG comes (injected clock)', async () => {
  const clock = new FakeClock(0);
  const { env, events, pool, token } = await setup(60_000, { clock, random: () => 0.5, pongTimeoutMs: 700 });
  await pool.subscribeTopics([whispers(token).with(42)]);
  expect(clock.delays()).toEqual([225_000]);

  // With PONGs: the barriers complete by themselves; only the new socket's PING timer is left.
  const [first] = serverIds(env);
  env.server.reconnect();
  await until(() => serverIds(env).length === 1 && serverIds(env)[0] !== first);
  await until(() => clock.delays().length === 1);
  expect(clock.delays()).toEqual([225_000]);

  // Without PONGs: the old socket is closed when the barrier's deadline fires, then the overlap ends the same way.
  // (The socket has lived long enough for this RECONNECT not to count as a storm.)
  clock.skip(PUBSUB_STABLE_SOCKET_MS);
  env.server.setPongs(false);
  const [second] = serverIds(env);
  env.server.reconnect();
  await until(() => clock.delays().includes(700) && serverIds(env).length === 2);
  expect(serverIds(env)).toContain(second);
  clock.fire(700);
  await until(() => serverIds(env).length === 1 && serverIds(env)[0] !== second);
  expect(clock.delays()).toEqual([700, 225_000]);
  clock.fire(700);
  expect(clock.delays()).toEqual([225_000]);
  // The filter is gone: the new socket delivers as before.
  env.server.setPongs(true);
  const message = next(events, 'pubsub_message');
  env.server.publish('whispers.42', { after: true });
  expect((await message)[0].data).toEqual({ after: true });
  await pool.close();
  expect(clock.pending).toBe(0);
});
