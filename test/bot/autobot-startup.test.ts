/**
 * AutoBot follow-ups against the emulator over real sockets: `ready` (and `start()`) come after the start-up
 * channels are joined, a channel that fails is reported without holding start-up; an unhandled command error
 * surfaces once, on the bot's `error` event; reward commands run from a redemption and reply to the channel; a
 * drop for the rate limit sends the bot back to the regular limit.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Commands, command, type ChatSendResult, type DispatchResult } from '../../src/bot/index.js';
import type { ChannelChatMessageEvent } from '../../src/catalogue/models/channel-chat.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';
import { RecordingActions, chat } from './commands-support.js';
import { BOT, BotHarness, CHANNELS } from './helpers.js';

const REDEMPTIONS = (id: string) =>
  [
    {
      type: 'channel.channel_points_custom_reward_redemption.add',
      version: '1',
      condition: { broadcasterUserId: id },
    },
  ] as const;

describe('AutoBot start-up', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = new BotHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('emits ready once the start-up channels are joined, and reports a channel that fails', async () => {
    const bot = await h.bot({
      // The third channel did not authorize redemptions: its join fails and is rolled back.
      channels: [CHANNELS[0], CHANNELS[2]],
      channelSubscriptions: (id) => REDEMPTIONS(id),
      watchShardDisabled: false,
    });
    const atReady: { joined: string[]; subscriptions: string[] }[] = [];
    const errors: { error: Error; context: string | undefined }[] = [];
    bot.on('ready', () =>
      atReady.push({ joined: [...bot.joinedChannels], subscriptions: h.subscriptions() }),
    );
    bot.on('error', (error, context) => errors.push({ error, context }));
    await bot.start();
    expect(atReady).toEqual([
      {
        joined: [CHANNELS[0]],
        subscriptions: [
          `channel.channel_points_custom_reward_redemption.add:${CHANNELS[0]}`,
          `channel.chat.message:${CHANNELS[0]}`,
        ],
      },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.context).toBe('join');
    expect(h.subscriptions()).toEqual(atReady[0]?.subscriptions);
  });
});

describe('AutoBot commands', () => {
  let h: BotHarness;
  beforeEach(async () => {
    h = new BotHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('surfaces an unhandled command error once, on the bot’s error event, not as a process warning', async () => {
    const commands = new Commands({ prefix: '!' });
    commands.add(
      command({
        name: 'boom',
        run: () => {
          throw new Error('kaboom');
        },
      }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const errors: { error: Error; context: string | undefined }[] = [];
    const outcomes: DispatchResult[] = [];
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      bot.on('error', (error, context) => errors.push({ error, context }));
      bot.on('command', (r) => outcomes.push(r));
      await bot.start();
      h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!boom' });
      await until(() => outcomes.length === 1);
      // Process warnings are emitted on the next tick: let them come if they would.
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcomes[0]).toMatchObject({
        status: 'error',
        handled: false,
        error: { code: 'COMMAND_FAILED' },
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ context: 'command', error: { code: 'COMMAND_FAILED' } });
      expect(warnings.filter((w) => w.message.includes('boom'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('lets go of its commands at close: their later unhandled errors no longer reach the closed bot', async () => {
    const commands = new Commands({ prefix: '!' });
    commands.add(
      command({
        name: 'boom',
        run: () => {
          throw new Error('kaboom');
        },
      }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const errors: Error[] = [];
    bot.on('error', (error) => errors.push(error));
    await bot.start();
    await bot.close();
    // With the bot gone, the commands fall back to their default sink, a process warning: caught here.
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const result = await commands.dispatch(chat('!boom'), new RecordingActions());
      expect(result).toMatchObject({ status: 'error', handled: false });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(errors).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('leaves an unhandled command error to the user’s onUnhandledError when there is one', async () => {
    const mine: Error[] = [];
    const commands = new Commands({ prefix: '!', onUnhandledError: (e) => mine.push(e) });
    commands.add(
      command({
        name: 'boom',
        run: () => {
          throw new Error('kaboom');
        },
      }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const errors: Error[] = [];
    const outcomes: DispatchResult[] = [];
    bot.on('error', (error) => errors.push(error));
    bot.on('command', (r) => outcomes.push(r));
    await bot.start();
    h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!boom' });
    await until(() => outcomes.length === 1);
    expect(mine).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('runs a reward command from a redemption, through the channel’s redemption subscription, and replies', async () => {
    const inputs: (string | null | undefined)[] = [];
    const commands = new Commands({ prefix: '!' });
    commands.add(
      command({
        name: 'hydrate',
        rewards: [{ title: 'Hydrate' }],
        run: async (ctx) => {
          inputs.push(ctx.redemption?.userInput);
          await ctx.reply(`${ctx.chatter.login} says drink water`);
        },
      }),
    );
    const bot = await h.bot({
      channels: [CHANNELS[0]],
      channelSubscriptions: (id) => REDEMPTIONS(id),
      watchShardDisabled: false,
      commands,
    });
    const outcomes: DispatchResult[] = [];
    const seen: ChannelChatMessageEvent[] = [];
    bot.on('command', (r) => outcomes.push(r));
    bot.on('message', (m) => seen.push(m));
    await bot.start();
    const redeemed = h.emu.redeem({
      channel: CHANNELS[0],
      user: 'aviewer',
      reward: { title: 'Hydrate', cost: 100 },
      input: 'please',
    });
    expect(redeemed.delivered).toBe(1);
    await until(() => seen.some((m) => m.chatter.id === BOT));
    expect(outcomes).toEqual([{ status: 'ran', command: 'hydrate' }]);
    expect(inputs).toEqual(['please']);
    const reply = seen.find((m) => m.chatter.id === BOT);
    // No message to thread: the reply is a plain message of the channel.
    expect(reply).toMatchObject({
      broadcaster: { id: CHANNELS[0] },
      message: { text: 'aviewer says drink water' },
      reply: null,
    });
  });
});

describe('AutoBot rate limit', () => {
  let h: BotHarness;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    h = new BotHarness();
    await h.start({ now: () => clock.now() });
  });
  afterEach(async () => {
    await h.close();
  });

  it('falls back to the regular limit when Twitch drops a message for the rate limit', async () => {
    // Said to be a moderator (option) but not one on Twitch, and not reading the channel (no echo to learn from):
    // the 21st message in 30 s is dropped, and the rest wait for the regular limit.
    const bot = await h.bot({
      clock,
      channels: [],
      watchShardDisabled: false,
      chat: { moderatorIn: [CHANNELS[0]] },
    });
    const state = { started: false };
    const started = bot.start().then(() => {
      state.started = true;
    });
    while (!state.started) {
      // The conduit's assign timer and retries run on the fake clock.
      clock.advance(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await started;
    const channel = bot.channel(CHANNELS[0]);
    const results: ChatSendResult[] = [];
    const all = Array.from({ length: 30 }, (_, i) => channel.send(`m${i}`).then((r) => results.push(r)));
    // The clock does not move: whatever is not answered waits for the window.
    await until(() => results.length + channel.queued === 30 && clock.pending > 0);
    const dropped = results.flatMap((r) => (r.isSent ? [] : [r.dropReason.code]));
    expect(dropped).toEqual(['msg_ratelimit']);
    expect(results).toHaveLength(21);
    while (results.length < 30) {
      clock.advance(1_000);
      await until(
        () => results.length === 30 || (results.length + channel.queued === 30 && clock.pending > 0),
      );
    }
    await Promise.all(all);
    expect(results.filter((r) => !r.isSent)).toHaveLength(1);
  });
});
