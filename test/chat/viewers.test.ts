/**
 * The viewer simulator end to end: `emu.chat()` and `POST /_emulator/chat` produce the `channel.chat.message` Twitch
 * would send (fragments, badges, reply threads), received by an EventSubSession over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, TwitchError } from '../../src/core/errors.js';
import type { Emulator } from '../../src/emulator/index.js';
import { EmulatorChat } from '../../src/emulator/chat/chat.js';
import { viewerChat } from '../../src/emulator/chat/viewers.js';
import { EventSubCore } from '../../src/emulator/eventsub/core.js';
import { resolveOptions } from '../../src/emulator/options.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { FAST_EVENTSUB, startEmulator } from '../support/emulator.js';
import { until } from '../support/until.js';

const CHANNEL = '1001';
const BOT = '2002';

let emu: Emulator;
let session: EventSubSession;
const received: Record<string, unknown>[] = [];

/** The message received at `index` (waits for it). */
async function nth(index: number): Promise<Record<string, unknown>> {
  return until(() => received[index], { what: `chat message #${index}` });
}

beforeAll(async () => {
  emu = await startEmulator(FAST_EVENTSUB);
  const bot = emu.mintUserToken({ userId: BOT, login: 'chatbot', scopes: ['user:bot', 'user:read:chat'] });
  emu.mintUserToken({ userId: CHANNEL, login: 'thechannel', scopes: ['channel:bot'] });
  session = new EventSubSession({ url: emu.clientOptions().eventSubWsUrl });
  session.on('notification', (message) => {
    received.push(message.payload.event as Record<string, unknown>);
  });
  const sessionId = await session.connect();
  const res = await fetch(`${emu.clientOptions().helixUrl}/eventsub/subscriptions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${bot.accessToken}`,
      'client-id': emu.clientId,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      type: 'channel.chat.message',
      version: '1',
      condition: { broadcaster_user_id: CHANNEL, user_id: BOT },
      transport: { method: 'websocket', session_id: sessionId },
    }),
  });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  await session.close();
  await emu.close();
});

describe('emu.chat()', () => {
  it('builds mention, emote and cheermote fragments with text between them, and sets cheer.bits', async () => {
    const before = received.length;
    const result = emu.chat({
      channel: CHANNEL,
      user: 'aviewer',
      text: 'hi @ChatBot Kappa  cheer100 Cheer250 @nobody_here!',
    });
    expect(result.delivered).toBe(1);
    const event = await nth(before);
    expect(event).toMatchObject({
      broadcaster_user_id: CHANNEL,
      broadcaster_user_login: 'thechannel',
      chatter_user_login: 'aviewer',
      message_id: result.messageId,
      message_type: 'text',
      cheer: { bits: 350 },
      reply: null,
      color: '',
    });
    expect((event.message as { fragments: unknown }).fragments).toEqual([
      { type: 'text', text: 'hi ', cheermote: null, emote: null, mention: null },
      {
        type: 'mention',
        text: '@ChatBot',
        cheermote: null,
        emote: null,
        mention: { user_id: BOT, user_login: 'chatbot', user_name: 'chatbot' },
      },
      { type: 'text', text: ' ', cheermote: null, emote: null, mention: null },
      {
        type: 'emote',
        text: 'Kappa',
        cheermote: null,
        emote: { id: '25', emote_set_id: '0', owner_id: '0', format: ['static'] },
        mention: null,
      },
      { type: 'text', text: '  ', cheermote: null, emote: null, mention: null },
      {
        type: 'cheermote',
        text: 'cheer100',
        cheermote: { prefix: 'cheer', bits: 100, tier: 100 },
        emote: null,
        mention: null,
      },
      { type: 'text', text: ' ', cheermote: null, emote: null, mention: null },
      {
        type: 'cheermote',
        text: 'Cheer250',
        cheermote: { prefix: 'cheer', bits: 250, tier: 100 },
        emote: null,
        mention: null,
      },
      // An @word naming no user stays text (Twitch only links existing users).
      { type: 'text', text: ' @nobody_here!', cheermote: null, emote: null, mention: null },
    ]);
  });

  it('gives the badges of the room roles by default, or the given ones, and the colour', async () => {
    emu.setChatRole({ broadcasterId: CHANNEL, userId: '3003', role: 'moderator' });
    emu.setChatRole({ broadcasterId: CHANNEL, userId: '3003', role: 'subscriber', tier: '2000' });
    const before = received.length;
    emu.chat({ channel: 'thechannel', user: '3003', text: 'plain words', color: '#1E90FF' });
    emu.chat({ channel: CHANNEL, user: CHANNEL, text: 'the host speaks' });
    emu.chat({
      channel: CHANNEL,
      user: '3003',
      text: 'custom',
      badges: [{ setId: 'founder', id: '0', info: '7' }],
      messageType: 'channel_points_highlighted',
    });
    const mod = await nth(before);
    expect(mod).toMatchObject({
      chatter_user_id: '3003',
      color: '#1E90FF',
      cheer: null,
      badges: [
        { set_id: 'moderator', id: '1', info: '' },
        { set_id: 'subscriber', id: '2000', info: '1' },
      ],
      message: { text: 'plain words', fragments: [{ type: 'text', text: 'plain words' }] },
    });
    expect((await nth(before + 1)).badges).toEqual([{ set_id: 'broadcaster', id: '1', info: '' }]);
    expect(await nth(before + 2)).toMatchObject({
      badges: [{ set_id: 'founder', id: '0', info: '7' }],
      message_type: 'channel_points_highlighted',
    });
  });

  it('uses the colour the viewer chose through Helix when none is given', async () => {
    const { accessToken } = emu.mintUserToken({
      userId: '3004',
      login: 'colourful',
      scopes: ['user:manage:chat_color'],
    });
    const res = await fetch(`${emu.clientOptions().helixUrl}/chat/color?user_id=3004&color=%239ACD32`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${accessToken}`, 'client-id': emu.clientId },
    });
    expect(res.status).toBe(204);
    const before = received.length;
    emu.chat({ channel: CHANNEL, user: 'colourful', text: 'green' });
    emu.chat({ channel: CHANNEL, user: 'colourful', text: 'red', color: '#FF0000' });
    expect((await nth(before)).color).toBe('#9ACD32');
    expect((await nth(before + 1)).color).toBe('#FF0000');
  });

  it('threads replies on a message the room remembers, and refuses an unknown one', async () => {
    const before = received.length;
    const first = emu.chat({ channel: CHANNEL, user: 'starter', text: 'who wants to play?' });
    const second = emu.chat({ channel: CHANNEL, user: 'replier', text: 'me!', replyTo: first.messageId });
    emu.chat({ channel: CHANNEL, user: 'third', text: 'me too', replyTo: second.messageId });
    const starter = (await nth(before)).chatter_user_id;
    expect((await nth(before + 1)).reply).toMatchObject({
      parent_message_id: first.messageId,
      parent_message_body: 'who wants to play?',
      parent_user_login: 'starter',
      thread_message_id: first.messageId,
      thread_user_id: starter,
    });
    // A reply to a reply stays in the thread of the first message.
    expect((await nth(before + 2)).reply).toMatchObject({
      parent_message_id: second.messageId,
      parent_user_login: 'replier',
      thread_message_id: first.messageId,
      thread_user_login: 'starter',
    });
    const error = (() => {
      try {
        return emu.chat({ channel: CHANNEL, user: 'x1', text: 'hm', replyTo: 'no-such-message' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('replyTo');
  });

  it('creates users named by login with fresh ids, and by id', () => {
    const a = emu.chat({ channel: 'brandnewchannel', user: 'brandnewviewer', text: 'hello' });
    const b = emu.chat({ channel: '4242', user: '4343', text: 'hello' });
    expect(a.delivered + b.delivered).toBe(0);
    const users = emu.state().users;
    const channel = users.find((u) => u.login === 'brandnewchannel');
    const viewer = users.find((u) => u.login === 'brandnewviewer');
    expect(channel?.id).toMatch(/^[0-9]+$/);
    expect(viewer?.id).toMatch(/^[0-9]+$/);
    expect(channel?.id).not.toBe(viewer?.id);
    expect(users.find((u) => u.id === '4343')?.login).toBe('user4343');
  });

  it('refuses a viewer banned through Helix (CHATTER_BANNED; the route: 409), and lets them chat once unbanned', async () => {
    const mod = emu.mintUserToken({ userId: CHANNEL, scopes: ['moderator:manage:banned_users'] });
    const headers = {
      authorization: `Bearer ${mod.accessToken}`,
      'client-id': emu.clientId,
      'content-type': 'application/json',
    };
    const bans = `${emu.clientOptions().helixUrl}/moderation/bans?broadcaster_id=${CHANNEL}&moderator_id=${CHANNEL}`;
    const start = received.length;
    emu.chat({ channel: CHANNEL, user: 'troll', text: 'first' });
    const trollId = emu.state().users.find((u) => u.login === 'troll')?.id ?? '';
    const ban = await fetch(bans, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: { user_id: trollId, reason: 'spam' } }),
    });
    expect(ban.status).toBe(200);
    const published = emu.state().chat.rooms.find((r) => r.broadcaster_id === CHANNEL)?.messages_published;
    const error = (() => {
      try {
        return emu.chat({ channel: CHANNEL, user: 'troll', text: 'again' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TwitchError);
    expect(error).toMatchObject({ code: 'CHATTER_BANNED' });
    const routed = await fetch(`${emu.baseUrl}/_emulator/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNEL, user: 'troll', text: 'again' }),
    });
    expect(routed.status).toBe(409);
    expect(emu.state().chat.rooms.find((r) => r.broadcaster_id === CHANNEL)?.messages_published).toBe(
      published,
    );
    const unban = await fetch(`${bans}&user_id=${trollId}`, { method: 'DELETE', headers });
    expect(unban.status).toBe(204);
    expect(emu.chat({ channel: CHANNEL, user: 'troll', text: 'sorry' }).delivered).toBe(1);
    // Drained: of the troll's three attempts, the first and the last reached the subscription.
    expect((await nth(start + 1)).message).toMatchObject({ text: 'sorry' });
    expect((await nth(start)).message).toMatchObject({ text: 'first' });
  });

  it('refuses a banned or timed-out viewer with CHATTER_BANNED and publishes nothing', () => {
    const core = new EventSubCore(emu.platform, resolveOptions({}));
    try {
      const chat = new EmulatorChat(emu.platform, core);
      const room = chat.room(CHANNEL);
      const at = chat.now();
      room.bans.set('5005', {
        userId: '5005',
        moderatorId: CHANNEL,
        reason: '',
        createdAt: at,
        expiresAt: null,
      });
      room.bans.set('5006', {
        userId: '5006',
        moderatorId: CHANNEL,
        reason: '',
        createdAt: at,
        expiresAt: at + 60_000,
      });
      for (const user of ['5005', '5006']) {
        const error = (() => {
          try {
            return viewerChat(chat, { channel: CHANNEL, user, text: 'let me speak' });
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(TwitchError);
        expect((error as TwitchError).code).toBe('CHATTER_BANNED');
      }
      expect(room.messages.size).toBe(0);
      // An expired timeout no longer refuses.
      room.bans.set('5007', {
        userId: '5007',
        moderatorId: CHANNEL,
        reason: '',
        createdAt: at,
        expiresAt: at,
      });
      expect(viewerChat(chat, { channel: CHANNEL, user: '5007', text: 'back' }).messageId).toBeTruthy();
    } finally {
      core.close();
    }
  });
});

describe('POST /_emulator/chat', () => {
  async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${emu.baseUrl}/_emulator/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('publishes like emu.chat() from a snake_case body', async () => {
    const before = received.length;
    const first = await post({ channel: CHANNEL, user: 'routeviewer', text: 'LUL' });
    expect(first.status).toBe(200);
    const reply = await post({
      channel: CHANNEL,
      user: 'routeviewer2',
      text: 'PogChamp',
      reply_to: first.json.message_id,
      badges: [{ set_id: 'vip', id: '1' }],
      message_type: 'text',
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      delivered: 1,
      bits: 0,
      badges: [{ set_id: 'vip', id: '1', info: '' }],
    });
    expect(await nth(before + 1)).toMatchObject({
      message_id: reply.json.message_id,
      message: { fragments: [{ type: 'emote', text: 'PogChamp', emote: { id: '305954156' } }] },
      reply: { parent_message_id: first.json.message_id },
    });
  });

  it('answers 400 naming the wire field of a bad input', async () => {
    const cases: [unknown, string][] = [
      [{ channel: CHANNEL, user: 'v', text: 'x'.repeat(501) }, 'text'],
      [{ channel: CHANNEL, user: 'v', text: 'hi', reply_to: 'nope' }, 'reply_to'],
      [{ channel: CHANNEL, user: 'v', text: 'hi', badges: [{ set_id: 5, id: '1' }] }, 'badges[0].set_id'],
      [{ channel: CHANNEL, user: 'v', text: 'hi', colour: '#fff' }, 'colour'],
      [{ channel: 'no spaces', user: 'v', text: 'hi' }, 'channel'],
    ];
    for (const [body, field] of cases) {
      const { status, json } = await post(body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(json.message)).toContain(field);
    }
  });
});
