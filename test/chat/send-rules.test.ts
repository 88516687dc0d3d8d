/**
 * Send Chat Message's drop rules in the emulator, through the Helix client: duplicates, the per-channel send
 * limits (sliding window, bounded memory), and the channel's emote-only, subscribers-only and slow modes. Time is
 * the emulator's fake clock; drops are Twitch's `is_sent: false` with a `drop_reason`, counted in `state().chat`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHAT_RATE_LIMITS,
  CHAT_RATE_WINDOW_MS,
  DUPLICATE_MESSAGE_WINDOW_MS,
} from '../../src/protocol/chat.js';
import type { SendChatMessageResult } from '../../src/helix/endpoints/chat.js';
import { SENDER_RETENTION_MS } from '../../src/emulator/chat/limits.js';
import { BOT_SCOPES, chatGround, type ChatGround } from './fixture.js';

const BOT = '2002';
const VIEWER = '3003';
const OWNER = '1001';

let g: ChatGround;
beforeAll(async () => {
  g = await chatGround();
  await g.user(BOT, 'chatbot', BOT_SCOPES);
  await g.user(VIEWER, 'aviewer', ['user:write:chat']);
  await g.user(OWNER, 'owner', ['user:write:chat', 'moderator:manage:chat_settings']);
});
afterAll(() => g.close());

/** A message from `sender` (its user token) in `channel`. */
function send(channel: string, sender: string, message: string): Promise<SendChatMessageResult> {
  g.emu.platform.users.ensure(channel);
  return g.helix.chat.sendChatMessage(
    { broadcasterId: channel, senderId: sender, message },
    { auth: { userId: sender } },
  );
}

function dropCode(result: SendChatMessageResult): string | null {
  return result.isSent ? null : result.dropReason.code;
}

describe('duplicates', () => {
  it("drops the sender's previous message repeated within 30 s, in that channel only", async () => {
    expect((await send('5001', BOT, 'hello')).isSent).toBe(true);
    expect(dropCode(await send('5001', BOT, 'hello'))).toBe('msg_duplicate');
    expect(dropCode(await send('5001', BOT, ' hello '))).toBe('msg_duplicate');
    // Another channel, another sender: not a duplicate.
    expect((await send('5002', BOT, 'hello')).isSent).toBe(true);
    expect((await send('5001', VIEWER, 'hello')).isSent).toBe(true);
    // Compared with the previous message only.
    expect((await send('5001', BOT, 'other')).isSent).toBe(true);
    expect((await send('5001', BOT, 'hello')).isSent).toBe(true);
    g.clock.advance(DUPLICATE_MESSAGE_WINDOW_MS - 1);
    expect(dropCode(await send('5001', BOT, 'hello'))).toBe('msg_duplicate');
    g.clock.advance(1);
    expect((await send('5001', BOT, 'hello')).isSent).toBe(true);
  });
});

describe('send limits', () => {
  it('allows 20 messages per 30 s (sliding) to a sender who is neither broadcaster nor moderator', async () => {
    const before = g.emu.state().chat.dropped.msg_ratelimit ?? 0;
    for (let i = 0; i < CHAT_RATE_LIMITS.regular; i++) {
      expect((await send('5101', VIEWER, `m${i}`)).isSent).toBe(true);
      g.clock.advance(100);
    }
    const last = await send('5101', VIEWER, 'one too many');
    expect(last).toMatchObject({ isSent: false, dropReason: { code: 'msg_ratelimit' } });
    expect(g.emu.state().chat.dropped.msg_ratelimit).toBe(before + 1);
    // Another channel has its own window.
    expect((await send('5102', VIEWER, 'elsewhere')).isSent).toBe(true);
    // Sliding: 30 s after the first message, one slot is free again, not twenty.
    g.clock.advance(CHAT_RATE_WINDOW_MS - CHAT_RATE_LIMITS.regular * 100);
    expect((await send('5101', VIEWER, 'slot 1')).isSent).toBe(true);
    expect(dropCode(await send('5101', VIEWER, 'slot 2'))).toBe('msg_ratelimit');
  });

  it('allows 100 per 30 s where the sender moderates, and to the broadcaster', async () => {
    g.emu.setChatRole({ broadcasterId: '5201', userId: BOT, role: 'moderator' });
    for (let i = 0; i < CHAT_RATE_LIMITS.elevated; i++) {
      expect(dropCode(await send('5201', BOT, `m${i}`))).toBe(null);
    }
    expect(dropCode(await send('5201', BOT, 'too many'))).toBe('msg_ratelimit');
    for (let i = 0; i < CHAT_RATE_LIMITS.elevated; i++) {
      expect(dropCode(await send(OWNER, OWNER, `m${i}`))).toBe(null);
    }
    expect(dropCode(await send(OWNER, OWNER, 'too many'))).toBe('msg_ratelimit');
  });

  it('forgets senders idle for the longest rule, so memory stays bounded', async () => {
    const tracked = g.emu.state().chat.tracked_senders;
    expect(tracked).toBeGreaterThan(2);
    g.clock.advance(SENDER_RETENTION_MS);
    expect((await send('5301', VIEWER, 'after a while')).isSent).toBe(true);
    expect(g.emu.state().chat.tracked_senders).toBe(1);
  });
});

describe("the channel's modes", () => {
  const CHANNEL = OWNER;
  async function settings(input: Record<string, unknown>): Promise<void> {
    await g.helix.chat.updateChatSettings({ broadcasterId: CHANNEL, moderatorId: OWNER, ...input });
  }

  it('emote-only: drops other words from viewers, lets emotes, moderators and the broadcaster through', async () => {
    g.clock.advance(SENDER_RETENTION_MS);
    await settings({ emoteMode: true });
    expect(dropCode(await send(CHANNEL, VIEWER, 'hello Kappa'))).toBe('msg_emoteonly');
    expect((await send(CHANNEL, VIEWER, 'Kappa LUL')).isSent).toBe(true);
    expect((await send(CHANNEL, OWNER, 'words')).isSent).toBe(true);
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: BOT, role: 'moderator' });
    expect((await send(CHANNEL, BOT, 'words')).isSent).toBe(true);
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: BOT, role: 'moderator', granted: false });
    await settings({ emoteMode: false });
    expect((await send(CHANNEL, VIEWER, 'words again')).isSent).toBe(true);
  });

  it('subscribers-only: drops non-subscribers; subscribers and VIPs chat', async () => {
    g.clock.advance(SENDER_RETENTION_MS);
    await settings({ subscriberMode: true });
    expect(dropCode(await send(CHANNEL, VIEWER, 'hi'))).toBe('msg_subsonly');
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: VIEWER, role: 'subscriber' });
    expect(await send(CHANNEL, VIEWER, 'hi as a sub')).toMatchObject({ isSent: true });
    expect(dropCode(await send(CHANNEL, BOT, 'bot hi'))).toBe('msg_subsonly');
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: BOT, role: 'vip' });
    expect((await send(CHANNEL, BOT, 'bot hi as vip')).isSent).toBe(true);
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: BOT, role: 'vip', granted: false });
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: VIEWER, role: 'subscriber', granted: false });
    await settings({ subscriberMode: false });
  });

  it("slow mode: a viewer's next message waits the channel's wait time", async () => {
    g.clock.advance(SENDER_RETENTION_MS);
    await settings({ slowMode: true, slowModeWaitTimeSeconds: 10 });
    expect((await send(CHANNEL, VIEWER, 'first')).isSent).toBe(true);
    g.clock.advance(9_999);
    expect(dropCode(await send(CHANNEL, VIEWER, 'second'))).toBe('msg_slowmode');
    g.clock.advance(1);
    expect((await send(CHANNEL, VIEWER, 'second')).isSent).toBe(true);
    // The broadcaster is not slowed down.
    expect((await send(CHANNEL, OWNER, 'a')).isSent).toBe(true);
    expect((await send(CHANNEL, OWNER, 'b')).isSent).toBe(true);
    await settings({ slowMode: false });
    expect((await send(CHANNEL, VIEWER, 'third')).isSent).toBe(true);
  });

  it('counts every drop by reason in state().chat', () => {
    const { dropped, sent } = g.emu.state().chat;
    expect(dropped).toMatchObject({
      msg_duplicate: 3,
      msg_ratelimit: 4,
      msg_emoteonly: 1,
      msg_subsonly: 2,
      msg_slowmode: 1,
    });
    expect(sent).toBeGreaterThan(200);
  });
});
