/**
 * The AutoBot's per-channel send queue against the emulator over real sockets, on a fake clock shared with the
 * emulator's chat limits: a burst of 500 replies never puts more than Twitch's limit in a 30 s window (20, or 100
 * where the bot is a moderator) and Twitch drops none of them (msg_rate_limit), the queue is bounded, and close()
 * rejects what waits and leaves no timer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AutoBot, BotChannel, ChatSendResult } from '../../src/bot/index.js';
import { CHAT_RATE_WINDOW_MS } from '../../src/protocol/chat.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';
import { BOT, BotHarness, CHANNELS } from './helpers.js';

let h: BotHarness;
let clock: FakeClock;
beforeEach(async () => {
  // One clock for the bot's queue and the emulator's chat limits: Twitch's verdicts on the fake timeline.
  clock = new FakeClock(Date.now());
  h = new BotHarness();
  await h.start({ now: () => clock.now() });
});
afterEach(async () => {
  await h.close();
});

/** Runs `promise` while moving the fake clock forward in small steps (the conduit's assign timer, retries). */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  const state = { done: false };
  void promise
    .finally(() => {
      state.done = true;
    })
    .catch(() => undefined);
  while (!state.done) {
    clock.advance(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

async function startedBot(clock: FakeClock, moderatorIn: readonly string[] = []): Promise<AutoBot> {
  const bot = await h.bot({
    clock,
    channels: [CHANNELS[0]],
    watchShardDisabled: false,
    chat: { moderatorIn },
  });
  await drive(clock, bot.start());
  return bot;
}

/**
 * Pushes `count` replies at once and moves the clock only while the queue waits for the rate limit (nothing in
 * flight, a timer pending): returns the clock time at which each answer arrived (the thread's parent first).
 */
async function burst(clock: FakeClock, channel: BotChannel, count: number): Promise<number[]> {
  const parent = await channel.send('the thread');
  if (!parent.isSent) throw new Error('the parent message was dropped');
  const times: number[] = [clock.now()];
  const results: ChatSendResult[] = [];
  const all = Array.from({ length: count }, (_, i) =>
    channel.reply(parent.messageId, `reply ${i}`).then(
      (r) => {
        times.push(clock.now());
        results.push(r);
      },
      (e: unknown) => {
        times.push(clock.now());
        results.push({ isSent: false, messageId: null, dropReason: { code: 'error', message: String(e) } });
      },
    ),
  );
  const idle = (): boolean => results.length + channel.queued === count && clock.pending > 0;
  while (results.length < count) {
    await until(() => results.length === count || idle());
    if (results.length < count) clock.advance(1_000);
  }
  await Promise.all(all);
  expect(results.every((r) => r.isSent)).toBe(true);
  return times;
}

/** The most answers any 30 s window holds. */
function busiestWindow(times: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while ((times[j] ?? 0) - (times[i] ?? 0) >= CHAT_RATE_WINDOW_MS) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe('AutoBot send queue', () => {
  it('sends a burst of 500 replies at 20 per 30 s where the bot is a regular chatter', async () => {
    const bot = await startedBot(clock);
    const channel = bot.channel(CHANNELS[0]);
    const times = await burst(clock, channel, 500);
    expect(busiestWindow(times)).toBe(20);
    // Delayed, not starved: 500 messages take 25 windows, give or take the test's 1 s steps.
    expect((times[500] ?? 0) - (times[0] ?? 0)).toBeLessThan(25 * (CHAT_RATE_WINDOW_MS + 1_000));
  });

  it('sends 100 per 30 s where the bot is a moderator (option), and learns it from its echoed badges', async () => {
    // A moderator on Twitch, and said so: 100 from the first message (the echoes agree).
    const bot = await startedBot(clock, [CHANNELS[0]]);
    h.emu.setChatRole({ broadcasterId: CHANNELS[0], userId: BOT, role: 'moderator' });
    expect(busiestWindow(await burst(clock, bot.channel(CHANNELS[0]), 250))).toBe(100);

    // Another channel: regular until the bot's own echo carries the moderator badge.
    await bot.join([CHANNELS[1]]);
    h.emu.setChatRole({ broadcasterId: CHANNELS[1], userId: BOT, role: 'moderator' });
    const echoed = new Promise<void>((resolve) => {
      bot.on('message', (m) => {
        if (m.chatter.id === BOT && m.broadcaster.id === CHANNELS[1]) resolve();
      });
    });
    await bot.channel(CHANNELS[1]).send('first');
    await echoed;
    clock.advance(CHAT_RATE_WINDOW_MS);
    expect(busiestWindow(await burst(clock, bot.channel(CHANNELS[1]), 150))).toBe(100);
  });

  it('is bounded (CHAT_QUEUE_FULL past maxQueued) and close() rejects what waits and clears its timer', async () => {
    const bot = await h.bot({
      clock,
      channels: [CHANNELS[0]],
      watchShardDisabled: false,
      chat: { maxQueued: 30 },
    });
    await drive(clock, bot.start());
    const channel = bot.channel(CHANNELS[0]);
    const settled: (ChatSendResult | Error)[] = [];
    const pushes = Array.from({ length: 32 }, (_, i) =>
      channel.send(`m${i}`).then(
        (r) => settled.push(r),
        (e: unknown) => settled.push(e as Error),
      ),
    );
    // One in flight, 30 waiting, the 32nd refused at once.
    await until(() => settled.length >= 1);
    expect(settled[0]).toMatchObject({ code: 'CHAT_QUEUE_FULL', channelId: CHANNELS[0] });
    await until(() => settled.length === 21 && clock.pending > 0);
    expect(channel.queued).toBe(11);
    await bot.close();
    await Promise.all(pushes);
    expect(settled.slice(21).map((e) => (e as { code?: string }).code)).toEqual(
      Array(11).fill('CHAT_QUEUE_CLOSED'),
    );
    expect(clock.pending).toBe(0);
    await expect(channel.send('late')).rejects.toMatchObject({ code: 'CHAT_QUEUE_CLOSED' });
  });
});
