import { afterEach, beforeEach, expect, it } from 'vitest';
import { PubSubPool, whispers } from '../../src/pubsub/index.js';
import { newEvents, next, startEmulator, userToken } from './helpers.js';
import type { Env } from './helpers.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

let env: Env;
beforeEach(async () => {
  env = await startEmulator();
});
afterEach(async () => {
  await env.close();
});

it('schedules PINGs with jitter under 4 min, PONG deadlines and 1 s + jitter reconnects, reset only after a stable socket, on an injected clock', async () => {
  const clock = new FakeClock(0);
  const events = newEvents();
  const pool = new PubSubPool(events, { url: env.server.url, clock, random: () => 0.5 });
  try {
    await pool.subscribeTopics([whispers(userToken(env.platform, '42')).with(42)]);
    // Only the PING timer is left: 240 s − 0.5 × 30 s of jitter.
    expect(clock.delays()).toEqual([225_000]);

    const pong = next(events, 'pubsub_pong');
    clock.fire(225_000);
    expect(clock.delays()).toEqual([10_000]); // waiting for the PONG
    await pong;
    expect(clock.delays()).toEqual([225_000]); // PONG received: next PING scheduled

    env.server.setPongs(false);
    clock.fire(225_000);
    const timeout = next(events, 'pubsub_error', (e) => e.code === 'PUBSUB_PONG_TIMEOUT');
    clock.fire(10_000);
    await timeout;
    // Reconnect after 1 s + 0.5 × 1 s of jitter; nothing else pending.
    expect(clock.delays()).toEqual([1_500]);
    const oldId = env.server.connections()[0]?.id;
    env.server.setPongs(true);
    clock.fire(1_500);
    await until(() => env.server.connections().some((c) => c.id !== oldId && c.topics.length === 1));
    await until(() => pool.connections[0]?.state === 'open' && clock.delays().length === 1);
    expect(clock.delays()).toEqual([225_000]);

    // A server close also goes through the backoff. A socket closed right after its success keeps the delays
    // growing (2 s + jitter): a server that accepts and drops at once is not hammered.
    const second = env.server.connections().find((c) => c.id !== oldId)?.id ?? '';
    env.server.drop(second);
    await until(() => clock.delays().includes(2_500));
    expect(clock.delays()).toEqual([2_500]);
    clock.fire(2_500);
    const third = (): string | undefined =>
      env.server.connections().find((c) => c.id !== oldId && c.id !== second && c.topics.length === 1)?.id;
    await until(() => third() !== undefined);
    await until(() => pool.connections[0]?.state === 'open' && clock.delays().length === 1);
    // One that stayed up 30 s starts the backoff over (1 s + jitter).
    clock.skip(30_000);
    env.server.drop(third() ?? '');
    await until(() => clock.delays().includes(1_500));
  } finally {
    await pool.close();
  }
  expect(clock.pending).toBe(0);
});
