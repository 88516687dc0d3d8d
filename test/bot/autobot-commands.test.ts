/**
 * The AutoBot runs the commands: a viewer's chat message (emu.chat) and a redemption reach them with the channel's
 * actions, the bot's own echoes never do, and outcomes come out as `command` events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Commands, arg, command, type DispatchResult } from '../../src/bot/index.js';
import type { ChannelChatMessageEvent } from '../../src/catalogue/models/channel-chat.js';
import { until } from '../support/until.js';
import { BOT, BotHarness, CHANNELS } from './helpers.js';

let h: BotHarness;
beforeEach(async () => {
  h = new BotHarness();
  await h.start();
});
afterEach(async () => {
  await h.close();
});

describe('AutoBot commands', () => {
  it('dispatches viewers’ messages to the commands, never its own, and emits the outcomes', async () => {
    let runs = 0;
    const commands = new Commands({ prefix: '!' });
    commands.add(
      command({
        name: 'ping',
        run: async (ctx) => {
          runs++;
          await ctx.reply('!ping pong'); // its own echo starts with the prefix: it must not run again
        },
      }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const outcomes: DispatchResult[] = [];
    const seen: ChannelChatMessageEvent[] = [];
    bot.on('command', (result) => outcomes.push(result));
    bot.on('message', (m) => seen.push(m));
    await bot.start();
    const viewer = h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!ping' });
    await until(() =>
      seen.some((m) => m.chatter.id === BOT && m.reply?.parentMessageId === viewer.messageId),
    );
    await until(() => outcomes.length === 1);
    expect(outcomes).toEqual([{ status: 'ran', command: 'ping' }]);
    expect(runs).toBe(1);
    h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: 'just chatting' });
    h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!nope' });
    await until(() => outcomes.length === 2);
    expect(outcomes[1]).toMatchObject({ status: 'error', error: { code: 'COMMAND_NOT_FOUND' } });
    expect(runs).toBe(1);
  });

  it('runs a command once when another reader of the channel’s chat shares the conduit', async () => {
    let runs = 0;
    const commands = new Commands({ prefix: '!' });
    commands.add(
      command({
        name: 'count',
        run: () => {
          runs++;
        },
      }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const seen: ChannelChatMessageEvent[] = [];
    bot.on('message', (m) => seen.push(m));
    const outcomes: DispatchResult[] = [];
    bot.on('command', (result) => outcomes.push(result));
    await bot.start();
    // A second reader (another account that granted the app user:bot and user:read:chat) on the same conduit.
    h.emu.mintUserToken({ userId: '4004', login: 'otherreader', scopes: ['user:bot', 'user:read:chat'] });
    const { errors } = await bot.multiSubscribe([
      {
        type: 'channel.chat.message',
        version: '1',
        condition: { broadcasterUserId: CHANNELS[0], userId: '4004' },
      },
    ]);
    expect(errors).toEqual([]);
    h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!count' });
    // Both subscriptions deliver the message; the command runs for the bot's own only.
    await until(() => seen.filter((m) => m.message.text === '!count').length === 2);
    await until(() => outcomes.length === 1);
    expect(runs).toBe(1);
  });

  it('resolves a login typed without @ through Get Users when the commands have no resolver', async () => {
    const targets: string[] = [];
    const commands = new Commands({ prefix: '!' });
    commands.add(
      command({
        name: 'so',
        args: { who: arg.user() },
        run: (ctx) => {
          targets.push(`${ctx.args.who.id}:${ctx.args.who.login}`);
        },
      }),
    );
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false, commands });
    const outcomes: DispatchResult[] = [];
    bot.on('command', (result) => outcomes.push(result));
    await bot.start();
    h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!so Channel2' });
    await until(() => outcomes.length === 1);
    expect(outcomes[0]).toEqual({ status: 'ran', command: 'so' });
    expect(targets).toEqual([`${CHANNELS[1]}:channel2`]);
  });
});
