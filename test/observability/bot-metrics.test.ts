/**
 * AutoBot metrics against the emulator: chat messages in, commands invoked, failed and rejected (cooldown, a guard,
 * a bad argument, an unknown name) by command, a reply sent, a message Twitch dropped, a full send queue, the queue's
 * depth and delays; added to the AutoClient's metrics, which the bot keeps (notifications per type).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_CHANNELS, type BotCommandMessage } from '../../src/core/diagnostics.js';
import { Commands, arg, command, cooldowns, guards, type DispatchResult } from '../../src/bot/index.js';
import { until } from '../support/until.js';
import { BotHarness, CHANNELS } from '../bot/helpers.js';
import { value } from './metric-value.js';

let h: BotHarness;
beforeEach(async () => {
  h = new BotHarness();
  await h.start();
});
afterEach(async () => {
  await h.close();
});

describe('AutoBot metrics', () => {
  it('counts chat in, commands by outcome and command, replies sent and drops by reason', async () => {
    const commands = new Commands({ prefix: '!', onUnhandledError: () => undefined });
    commands.add(
      command({
        name: 'ping',
        run: async (ctx) => {
          await ctx.reply('pong');
        },
      }),
      command({
        name: 'boom',
        run: () => {
          throw new Error('handler bug');
        },
      }),
      command({ name: 'mods', guards: [guards.moderator], run: () => undefined }),
      command({
        name: 'cd',
        cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 600_000, burst: 1 }),
        run: () => undefined,
      }),
      command({ name: 'num', args: { n: arg.integer() }, run: () => undefined }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const outcomes: DispatchResult[] = [];
    let messages = 0;
    bot.on('command', (result) => outcomes.push(result));
    bot.on('message', () => messages++);
    bot.on('error', () => undefined);
    await bot.start();
    const published: BotCommandMessage[] = [];
    const listener = (message: unknown): void => {
      published.push(message as BotCommandMessage);
    };
    subscribe(DIAGNOSTICS_CHANNELS.botCommand, listener);
    for (const text of ['!ping', '!boom', '!mods', '!cd', '!cd', '!num abc', '!nope', 'just chatting']) {
      h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text });
    }
    await until(() => outcomes.length === 7, 'seven outcomes');
    await until(() => messages === 9, 'eight messages and the reply');
    unsubscribe(DIAGNOSTICS_CHANNELS.botCommand, listener);
    expect(published).toEqual(
      expect.arrayContaining([
        { command: 'ping', outcome: 'ran' },
        { command: 'boom', outcome: 'failed' },
        { command: 'mods', outcome: 'permission' },
        { command: 'cd', outcome: 'cooldown' },
        { command: 'num', outcome: 'parse' },
        { command: null, outcome: 'not_found' },
      ]),
    );
    expect(published).toHaveLength(7);
    let m = bot.metrics();
    expect(value(m, 'twitch_realtime_bot_chat_messages_total')).toBe(9);
    const invoked = (command: string): number =>
      value(m, 'twitch_realtime_bot_commands_invoked_total', { command });
    const rejected = (command: string, reason: string): number =>
      value(m, 'twitch_realtime_bot_commands_rejected_total', { command, reason });
    expect(invoked('ping')).toBe(1);
    expect(invoked('boom')).toBe(1);
    expect(invoked('cd')).toBe(2);
    expect(value(m, 'twitch_realtime_bot_commands_failed_total', { command: 'boom' })).toBe(1);
    expect(rejected('mods', 'permission')).toBe(1);
    expect(rejected('cd', 'cooldown')).toBe(1);
    expect(rejected('num', 'parse')).toBe(1);
    expect(rejected('__unknown__', 'not_found')).toBe(1);
    expect(value(m, 'twitch_realtime_bot_chat_sent_total')).toBe(1);
    expect(value(m, 'twitch_realtime_bot_send_queue_delay_seconds', {}, true)).toBe(1);
    // Inherited from the AutoClient: the same registry.
    expect(value(m, 'twitch_realtime_eventsub_notifications_total', { type: 'channel.chat.message' })).toBe(
      9,
    );

    // The same text twice within 30 s: Twitch drops the second (msg_duplicate).
    const channel = bot.channel(CHANNELS[0]);
    expect((await channel.send('hello there')).isSent).toBe(true);
    expect((await channel.send('hello there')).isSent).toBe(false);
    m = bot.metrics();
    expect(value(m, 'twitch_realtime_bot_chat_dropped_total', { reason: 'msg_duplicate' })).toBe(1);
    expect(value(m, 'twitch_realtime_bot_chat_sent_total')).toBe(2);
  });

  it('counts a full send queue and shows its depth', async () => {
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, chat: { maxQueued: 1 } });
    bot.on('error', () => undefined);
    await bot.start();
    const channel = bot.channel(CHANNELS[0]);
    const first = channel.send('one'); // in flight
    const second = channel.send('two'); // waits behind it
    const third = channel.send('three'); // no room
    await expect(third).rejects.toMatchObject({ code: 'CHAT_QUEUE_FULL' });
    let m = bot.metrics();
    expect(value(m, 'twitch_realtime_bot_send_queue_depth')).toBe(1);
    expect(value(m, 'twitch_realtime_bot_chat_dropped_total', { reason: 'queue_full' })).toBe(1);
    await Promise.all([first, second]);
    m = bot.metrics();
    expect(value(m, 'twitch_realtime_bot_send_queue_depth')).toBe(0);
    expect(value(m, 'twitch_realtime_bot_send_queue_delay_seconds', {}, true)).toBe(2);
  });
});
