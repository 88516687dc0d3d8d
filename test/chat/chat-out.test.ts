/**
 * The chat tools of a bot end to end: announcements, shoutouts, whispers and chat colours, each through the Helix
 * client against the emulator's route with Twitch's rules, and the EventSub event each produces. Cooldowns and limits
 * run on the emulator's fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTPError } from '../../src/core/http-errors.js';
import { ANNOUNCEMENT_INTERVAL_MS, SHOUTOUT_COOLDOWN_MS, WHISPER_LIMITS } from '../../src/protocol/chat.js';
import { until } from '../support/until.js';
import { BOT_SCOPES, chatGround, listen, type ChatGround } from './fixture.js';

const CHANNEL = '1001';
const BOT = '2002';
const VIEWER = '3003';
const OTHER = '4004';

let g: ChatGround;
beforeAll(async () => {
  g = await chatGround();
  await g.user(CHANNEL, 'thechannel', ['moderator:manage:announcements', 'moderator:manage:shoutouts']);
  await g.user(BOT, 'chatbot', [
    ...BOT_SCOPES,
    'moderator:manage:announcements',
    'moderator:manage:shoutouts',
    'moderator:read:shoutouts',
    'user:manage:whispers',
    'user:manage:chat_color',
  ]);
  await g.user(VIEWER, 'aviewer', [
    'user:read:whispers',
    'user:manage:whispers',
    'moderator:manage:announcements',
  ]);
  await g.user(OTHER, 'otherchannel', []);
  g.emu.setChatRole({ broadcasterId: CHANNEL, userId: BOT, role: 'moderator' });
});
afterAll(() => g.close());

async function status(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HTTPError)) throw new Error(`expected an HTTPError, got ${String(error)}`);
  return error.status;
}

describe('announcements', () => {
  it('sends a coloured announcement as channel.chat.notification; 403 to a non-moderator', async () => {
    const listener = await listen(g);
    try {
      await listener.subscribe(
        'channel.chat.notification',
        { broadcaster_user_id: CHANNEL, user_id: BOT },
        BOT,
      );
      await g.helix.chat.sendAnnouncement({
        broadcasterId: CHANNEL,
        moderatorId: BOT,
        message: 'Raffle in 5!',
        color: 'purple',
      });
      await until(() => listener.events.length === 1);
      expect(listener.events[0]).toMatchObject({
        broadcaster_user_id: CHANNEL,
        chatter_user_id: BOT,
        notice_type: 'announcement',
        message: { text: 'Raffle in 5!' },
        announcement: { color: 'PURPLE' },
        sub: null,
        raid: null,
      });
      expect(
        await status(
          g.helix.chat.sendAnnouncement({ broadcasterId: CHANNEL, moderatorId: VIEWER, message: 'x' }),
        ),
      ).toBe(403);
    } finally {
      await listener.close();
    }
  });

  it('refuses an unknown colour and a blank message before sending', async () => {
    const before = g.emu.state().helix.requests;
    await expect(
      g.helix.chat.sendAnnouncement({
        broadcasterId: CHANNEL,
        moderatorId: BOT,
        message: 'hi',
        color: 'pink' as never,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'color' });
    await expect(
      g.helix.chat.sendAnnouncement({ broadcasterId: CHANNEL, moderatorId: BOT, message: ' ' }),
    ).rejects.toMatchObject({ field: 'message' });
    expect(g.emu.state().helix.requests).toBe(before);
  });
});

describe('announcement limit', () => {
  it('answers 429 to a second announcement within 2 seconds, and takes one after', async () => {
    g.clock.advance(ANNOUNCEMENT_INTERVAL_MS);
    const announce = (message: string): Promise<void> =>
      g.helix.chat.sendAnnouncement({ broadcasterId: CHANNEL, moderatorId: BOT, message });
    await announce('first');
    g.clock.advance(ANNOUNCEMENT_INTERVAL_MS - 1);
    expect(await status(announce('too soon'))).toBe(429);
    g.clock.advance(1);
    await announce('in time');
  });
});

describe('shoutouts', () => {
  it('emits create and receive; one per channel per 2 minutes, the same target once per 60 minutes (429)', async () => {
    const listener = await listen(g);
    try {
      await listener.subscribe(
        'channel.shoutout.create',
        { broadcaster_user_id: CHANNEL, moderator_user_id: BOT },
        BOT,
      );
      const so = { fromBroadcasterId: CHANNEL, toBroadcasterId: OTHER, moderatorId: BOT };
      await g.helix.chat.sendShoutout(so);
      await until(() => listener.events.length >= 1);
      expect(listener.events[0]).toMatchObject({
        broadcaster_user_id: CHANNEL,
        moderator_user_id: BOT,
        to_broadcaster_user_id: OTHER,
      });
      expect(await status(g.helix.chat.sendShoutout({ ...so, toBroadcasterId: VIEWER }))).toBe(429);
      g.clock.advance(SHOUTOUT_COOLDOWN_MS.channel);
      // The channel's cooldown is over, the target's is not.
      expect(await status(g.helix.chat.sendShoutout(so))).toBe(429);
      await g.helix.chat.sendShoutout({ ...so, toBroadcasterId: VIEWER });
      g.clock.advance(SHOUTOUT_COOLDOWN_MS.target - SHOUTOUT_COOLDOWN_MS.channel);
      await g.helix.chat.sendShoutout(so);
    } finally {
      await listener.close();
    }
  });

  it('emits channel.shoutout.receive to the target channel', async () => {
    g.clock.advance(SHOUTOUT_COOLDOWN_MS.target);
    const listener = await listen(g);
    try {
      // The target's own moderator listens (Twitch: moderator:read:shoutouts, moderator = token user).
      g.emu.setChatRole({ broadcasterId: OTHER, userId: BOT, role: 'moderator' });
      await listener.subscribe(
        'channel.shoutout.receive',
        { broadcaster_user_id: OTHER, moderator_user_id: BOT },
        BOT,
      );
      await g.helix.chat.sendShoutout({
        fromBroadcasterId: CHANNEL,
        toBroadcasterId: OTHER,
        moderatorId: BOT,
      });
      await until(() => listener.events.length === 1);
      expect(listener.events[0]).toMatchObject({
        broadcaster_user_id: OTHER,
        from_broadcaster_user_id: CHANNEL,
        from_broadcaster_user_login: 'thechannel',
      });
    } finally {
      await listener.close();
    }
  });

  it('refuses a channel shouting itself out before sending', async () => {
    await expect(
      g.helix.chat.sendShoutout({ fromBroadcasterId: CHANNEL, toBroadcasterId: CHANNEL, moderatorId: BOT }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'toBroadcasterId' });
  });
});

describe('whispers', () => {
  it("delivers user.whisper.message to the recipient's subscription, cut to 500 characters until the recipient whispered back", async () => {
    const listener = await listen(g);
    try {
      await listener.subscribe('user.whisper.message', { user_id: VIEWER }, VIEWER);
      await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: 'x'.repeat(600) });
      await until(() => listener.events.length === 1);
      expect(listener.events[0]).toMatchObject({ from_user_id: BOT, to_user_id: VIEWER });
      const first = listener.events[0] as { whisper: { text: string } };
      expect(first.whisper.text).toHaveLength(WHISPER_LIMITS.newRecipientLength);
      g.clock.advance(1_000);
      // Twitch's rule is about the recipient having whispered the sender, not the sender having whispered before.
      await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: 'y'.repeat(600) });
      await until(() => listener.events.length === 2);
      expect((listener.events[1] as { whisper: { text: string } }).whisper.text).toHaveLength(
        WHISPER_LIMITS.newRecipientLength,
      );
      g.clock.advance(1_000);
      await g.helix.whispers.sendWhisper({ fromUserId: VIEWER, toUserId: BOT, message: 'hi back' });
      await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: 'z'.repeat(600) });
      await until(() => listener.events.length === 3);
      expect((listener.events[2] as { whisper: { text: string } }).whisper.text).toHaveLength(600);
    } finally {
      await listener.close();
    }
  });

  it('answers 429 past 3 per second and past 40 recipients a day', async () => {
    g.clock.advance(86_400_000);
    const to = (i: number): string => String(60_000 + i);
    for (let i = 0; i < 40; i++) g.emu.platform.users.ensure(to(i + 1));
    for (let i = 0; i < 3; i++) {
      await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: to(1), message: `m${i}` });
    }
    expect(
      await status(g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: to(1), message: 'm' })),
    ).toBe(429);
    for (let i = 2; i <= 40; i++) {
      g.clock.advance(1_000);
      await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: to(i), message: 'hi' });
    }
    g.clock.advance(1_000);
    g.emu.platform.users.ensure('61000');
    expect(
      await status(g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: '61000', message: 'hi' })),
    ).toBe(429);
    // A known recipient still gets whispers.
    await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: to(1), message: 'again' });
  });

  it('answers 429 past 100 whispers a minute, even at 3 a second', async () => {
    g.clock.advance(86_400_000);
    for (let i = 0; i < WHISPER_LIMITS.perMinute; i++) {
      if (i % WHISPER_LIMITS.perSecond === 0) g.clock.advance(1_000);
      await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: `n${i}` });
    }
    g.clock.advance(1_000);
    expect(
      await status(g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: 'n' })),
    ).toBe(429);
    g.clock.advance(60_000);
    await g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: 'a minute later' });
  });

  it('refuses whispering oneself or past 10,000 characters before sending; 401 without the scope', async () => {
    await expect(
      g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: BOT, message: 'me' }),
    ).rejects.toMatchObject({ field: 'toUserId' });
    await expect(
      g.helix.whispers.sendWhisper({ fromUserId: BOT, toUserId: VIEWER, message: 'z'.repeat(10_001) }),
    ).rejects.toMatchObject({ field: 'message' });
    expect(
      await status(g.helix.whispers.sendWhisper({ fromUserId: OTHER, toUserId: BOT, message: 'hi' })),
    ).toBe(401);
  });
});

describe('chat colours', () => {
  it('sets a named or hex colour, reads it back, and uses it in the channel.chat.message the emulator publishes', async () => {
    expect(await g.helix.chat.getUserChatColors([BOT, VIEWER, '99999999'])).toEqual([
      { userId: BOT, userLogin: 'chatbot', userName: 'chatbot', color: null },
      { userId: VIEWER, userLogin: 'aviewer', userName: 'aviewer', color: null },
    ]);
    await g.helix.chat.updateUserChatColor({ userId: BOT, color: 'dodger_blue' });
    expect((await g.helix.chat.getUserChatColors([BOT]))[0]?.color).toBe('#1E90FF');
    const listener = await listen(g);
    try {
      await listener.subscribe('channel.chat.message', { broadcaster_user_id: CHANNEL, user_id: BOT }, BOT);
      await g.helix.chat.updateUserChatColor({ userId: BOT, color: '#12ab34' });
      const sent = await g.helix.chat.sendChatMessage(
        { broadcasterId: CHANNEL, senderId: BOT, message: 'in colour' },
        { auth: { userId: BOT } },
      );
      expect(sent.isSent).toBe(true);
      await until(() => listener.events.length === 1);
      expect(listener.events[0]).toMatchObject({ chatter_user_id: BOT, color: '#12AB34' });
    } finally {
      await listener.close();
    }
  });

  it('refuses an unknown colour name, a malformed hex, and 101 ids before sending', async () => {
    const before = g.emu.state().helix.requests;
    await expect(
      g.helix.chat.updateUserChatColor({ userId: BOT, color: 'mauve' as never }),
    ).rejects.toMatchObject({ field: 'color' });
    await expect(g.helix.chat.updateUserChatColor({ userId: BOT, color: '#12ab3' })).rejects.toMatchObject({
      field: 'color',
    });
    await expect(
      g.helix.chat.getUserChatColors(Array.from({ length: 101 }, (_, i) => String(i + 1))),
    ).rejects.toMatchObject({ field: 'userIds' });
    expect(g.emu.state().helix.requests).toBe(before);
  });
});
