/**
 * AutoBot against the emulator over real sockets: the bot's scopes checked at start, channels joined and left at
 * runtime with exactly their subscriptions, an adopted conduit's channels learnt back, chat out with Twitch's answers.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissingScopesError } from '../../src/auth/errors.js';
import type { ChatDropInfo } from '../../src/bot/index.js';
import type { ChannelChatMessageEvent } from '../../src/catalogue/models/channel-chat.js';
import { until } from '../support/until.js';
import { BOT, BotHarness, CHANNELS, VIEWER } from './helpers.js';

let h: BotHarness;
beforeEach(async () => {
  h = new BotHarness();
  await h.start();
});
afterEach(async () => {
  await h.close();
});

describe('AutoBot identity', () => {
  it('refuses to start without user:write:chat, naming it, before anything is created', async () => {
    const bot = await h.bot({ auth: await h.auth(['user:bot', 'user:read:chat']), channels: [CHANNELS[0]] });
    const before = h.emu.state();
    const error = await bot.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingScopesError);
    expect(error).toMatchObject({ code: 'MISSING_SCOPES', missing: [['user:write:chat']], userId: BOT });
    expect(h.emu.state().conduits).toEqual(before.conduits);
    expect(h.emu.state().subscriptions).toEqual([]);
  });

  it('shows no token in inspect output', async () => {
    const auth = await h.auth();
    const bot = await h.bot({ auth, channels: [CHANNELS[0]], watchShardDisabled: false });
    await bot.start();
    const token = (await auth.getAccessToken({ kind: 'user', userId: BOT })).slice(0, 12);
    const shown = inspect(bot, { depth: 5 }) + inspect(bot.channel(CHANNELS[0]), { depth: 5 });
    expect(shown).toContain(`botId: '${BOT}'`);
    expect(shown).not.toContain(token);
  });
});

describe('AutoBot channels', () => {
  it('joins at start and at runtime, by id and login, and leaves deleting exactly those subscriptions', async () => {
    const bot = await h.bot({
      channels: [CHANNELS[0]],
      channelSubscriptions: (id) => [
        {
          type: 'channel.channel_points_custom_reward_redemption.add',
          version: '1',
          condition: { broadcasterUserId: id },
        },
      ],
      // Not the bot's: leaving a channel must not delete it.
      subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: CHANNELS[1] } }],
      watchShardDisabled: false,
    });
    const joined: string[] = [];
    bot.on('channelJoined', (id) => joined.push(id));
    await bot.start();
    expect(bot.joinedChannels).toEqual([CHANNELS[0]]);
    expect(h.subscriptions()).toEqual([
      `channel.channel_points_custom_reward_redemption.add:${CHANNELS[0]}`,
      `channel.chat.message:${CHANNELS[0]}`,
      `stream.online:${CHANNELS[1]}`,
    ]);

    const results = await bot.join([
      CHANNELS[0],
      { login: 'channel2' },
      { id: CHANNELS[2] },
      { login: 'nobody' },
    ]);
    expect(results.map((r) => [r.channelId, r.status])).toEqual([
      [CHANNELS[0], 'already'],
      [CHANNELS[1], 'joined'],
      // Its chat subscription was created, its redemptions refused (403): rolled back, nothing of it stays.
      [CHANNELS[2], 'failed'],
      [null, 'failed'],
    ]);
    expect(results[2]).toMatchObject({ error: { status: 403 } });
    expect(results[3]).toMatchObject({ error: { code: 'CHANNEL_NOT_FOUND' } });
    expect(joined).toEqual([CHANNELS[0], CHANNELS[1]]);
    expect(bot.joinedChannels).toEqual([CHANNELS[0], CHANNELS[1]]);
    expect(h.subscriptions()).toEqual([
      `channel.channel_points_custom_reward_redemption.add:${CHANNELS[0]}`,
      `channel.channel_points_custom_reward_redemption.add:${CHANNELS[1]}`,
      `channel.chat.message:${CHANNELS[0]}`,
      `channel.chat.message:${CHANNELS[1]}`,
      `stream.online:${CHANNELS[1]}`,
    ]);

    const left = await bot.leave([{ login: 'channel2' }, CHANNELS[2], '9999']);
    expect(left.map((r) => [r.channelId, r.status])).toEqual([
      [CHANNELS[1], 'left'],
      [CHANNELS[2], 'notJoined'],
      ['9999', 'notJoined'],
    ]);
    expect(bot.joinedChannels).toEqual([CHANNELS[0]]);
    expect(h.subscriptions()).toEqual([
      `channel.channel_points_custom_reward_redemption.add:${CHANNELS[0]}`,
      `channel.chat.message:${CHANNELS[0]}`,
      `stream.online:${CHANNELS[1]}`,
    ]);
  });

  it('learns the channels joined on an adopted conduit: a restart neither duplicates nor forgets', async () => {
    const first = await h.bot({ channels: [CHANNELS[0], CHANNELS[1]], watchShardDisabled: false });
    await first.start();
    const conduitId = first.conduitInfo.id ?? '';
    await first.close();
    const subscriptions = h.subscriptions();

    const second = await h.bot({
      conduitId,
      channels: [CHANNELS[1], CHANNELS[2]],
      watchShardDisabled: false,
    });
    await second.start();
    expect([...second.joinedChannels].sort()).toEqual([...CHANNELS]);
    expect(h.subscriptions()).toEqual([...subscriptions, `channel.chat.message:${CHANNELS[2]}`].sort());
    await second.leave([CHANNELS[0]]);
    expect(h.subscriptions()).not.toContain(`channel.chat.message:${CHANNELS[0]}`);
  });
});

describe('AutoBot chat', () => {
  it('sends and replies (threaded) through the queue, reads its own echo, and surfaces is_sent: false', async () => {
    const bot = await h.bot({ channels: [CHANNELS[0]], watchShardDisabled: false });
    const messages: ChannelChatMessageEvent[] = [];
    const drops: ChatDropInfo[] = [];
    bot.on('chatDropped', (d) => drops.push(d));
    bot.on('message', (m) => messages.push(m));
    await bot.start();
    const channel = bot.channel(CHANNELS[0]);
    const sent = await channel.send('hello chat');
    expect(sent.isSent).toBe(true);
    await until(() => messages.length === 1);
    const reply = await channel.reply(messages[0]?.messageId ?? '', 'threaded');
    expect(reply.isSent).toBe(true);
    await until(() => messages.length === 2);
    expect(messages[1]?.reply).toMatchObject({
      parentMessageId: messages[0]?.messageId,
      threadUser: { id: BOT },
    });

    // The text of the bot's previous message again within 30 s: Twitch answers is_sent false; the result says so
    // and chatDropped tells.
    const dropped = await channel.send('threaded');
    if (dropped.isSent) expect.fail('a duplicate within 30 s must be dropped');
    expect(dropped.dropReason.code).toBe('msg_duplicate');
    expect(drops).toEqual([
      {
        channelId: CHANNELS[0],
        text: 'threaded',
        replyParentMessageId: null,
        dropReason: dropped.dropReason,
      },
    ]);
  });
});

describe('AutoBot actions', () => {
  it('answers a viewer, and moderates as the bot where it is a moderator (Twitch refuses elsewhere)', async () => {
    const scopes = [
      'user:bot',
      'user:read:chat',
      'user:write:chat',
      'moderator:manage:announcements',
      'moderator:manage:chat_messages',
      'moderator:manage:banned_users',
      'moderator:manage:shoutouts',
      'user:manage:whispers',
    ];
    const bot = await h.bot({
      auth: await h.auth(scopes),
      channels: [CHANNELS[0]],
      watchShardDisabled: false,
    });
    h.emu.setChatRole({ broadcasterId: CHANNELS[0], userId: BOT, role: 'moderator' });
    const seen: ChannelChatMessageEvent[] = [];
    bot.on('message', (m, channel) => {
      seen.push(m);
      if (m.message.text === '!ping') void channel.reply(m.messageId, 'pong');
    });
    await bot.start();
    const viewer = h.emu.chat({ channel: CHANNELS[0], user: 'aviewer', text: '!ping' });
    await until(() =>
      seen.some((m) => m.chatter.id === BOT && m.reply?.parentMessageId === viewer.messageId),
    );

    const channel = bot.channel(CHANNELS[0]);
    await channel.announce('hello everyone', 'purple');
    await channel.deleteMessage(viewer.messageId);
    await channel.timeout(VIEWER, 60, 'calm down');
    await channel.ban(VIEWER, 'spam');
    await channel.shoutout(CHANNELS[1]);
    await channel.whisper(VIEWER, 'psst');
    await expect(channel.whisper(VIEWER, ' ')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'text',
    });
    // Not a moderator of the second channel: Twitch's 403 comes back as it is.
    await expect(bot.channel(CHANNELS[1]).ban(VIEWER)).rejects.toMatchObject({ status: 403 });
  });
});
