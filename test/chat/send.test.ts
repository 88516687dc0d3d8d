/**
 * Send Chat Message end to end: the Helix client against the emulator's route, and the echo Twitch sends as
 * `channel.chat.message` to the channel's subscriptions (the sender's own included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { HelixClient } from '../../src/helix/client.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { FAST_EVENTSUB, startEmulator } from '../support/emulator.js';
import { until } from '../support/until.js';

const CHANNEL = '1001';
const BOT = '2002';
const VIEWER = '3003';

let emu: Emulator;
let helix: HelixClient;
let auth: RefreshingAuthProvider;

beforeAll(async () => {
  emu = await startEmulator(FAST_EVENTSUB);
  const o = emu.clientOptions();
  auth = new RefreshingAuthProvider({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    oauthUrl: o.oauthUrl,
  });
  helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
  const bot = emu.mintUserToken({
    userId: BOT,
    login: 'chatbot',
    scopes: ['user:bot', 'user:read:chat', 'user:write:chat'],
  });
  await auth.addUser({ accessToken: bot.accessToken, refreshToken: bot.refreshToken });
  emu.mintUserToken({ userId: CHANNEL, login: 'thechannel', scopes: ['channel:bot'] });
  emu.mintUserToken({ userId: VIEWER, login: 'aviewer', scopes: [] });
});
afterAll(async () => {
  helix.close();
  auth.close();
  await emu.close();
});

describe('sendChatMessage', () => {
  it('sends with the bot user token and echoes channel.chat.message to the channel subscriptions', async () => {
    const session = new EventSubSession({ url: emu.clientOptions().eventSubWsUrl });
    const received: unknown[] = [];
    session.on('notification', (message) => received.push(message.payload.event));
    try {
      const sessionId = await session.connect();
      await helix.eventSub.createSubscription(
        {
          type: 'channel.chat.message',
          version: '1',
          condition: { broadcaster_user_id: CHANNEL, user_id: BOT },
          transport: { method: 'websocket', sessionId },
        },
        { auth: { userId: BOT } },
      );
      const result = await helix.chat.sendChatMessage(
        { broadcasterId: CHANNEL, senderId: BOT, message: 'hello chat' },
        { auth: { userId: BOT } },
      );
      expect(result.isSent).toBe(true);
      await until(() => received.length === 1);
      expect(received[0]).toMatchObject({
        broadcaster_user_id: CHANNEL,
        chatter_user_id: BOT,
        chatter_user_login: 'chatbot',
        message: { text: 'hello chat' },
        message_id: result.isSent ? result.messageId : '',
        reply: null,
      });
      // A reply is threaded on the message replied to.
      const reply = await helix.chat.sendChatMessage(
        {
          broadcasterId: CHANNEL,
          senderId: BOT,
          message: 'again',
          replyParentMessageId: result.isSent ? result.messageId : '',
        },
        { auth: { userId: BOT } },
      );
      expect(reply.isSent).toBe(true);
      await until(() => received.length === 2);
      expect(received[1]).toMatchObject({
        reply: {
          parent_message_id: result.isSent ? result.messageId : '',
          parent_message_body: 'hello chat',
          thread_user_id: BOT,
        },
      });
    } finally {
      await session.close();
    }
  });

  it('sends with the app token when the bot granted user:bot and the channel channel:bot', async () => {
    const result = await helix.chat.sendChatMessage({
      broadcasterId: CHANNEL,
      senderId: BOT,
      message: 'as app',
    });
    expect(result.isSent).toBe(true);
  });

  it('answers 403 to an app token when the channel did not grant channel:bot and the bot is no moderator', async () => {
    const error = await helix.chat
      .sendChatMessage({ broadcasterId: VIEWER, senderId: BOT, message: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(403);
    emu.setChatRole({ broadcasterId: VIEWER, userId: BOT, role: 'moderator' });
    expect(
      (await helix.chat.sendChatMessage({ broadcasterId: VIEWER, senderId: BOT, message: 'hi' })).isSent,
    ).toBe(true);
  });

  it('refuses bad input before sending: blank, past 500 code points, forSourceOnly with a user token', async () => {
    const before = emu.state().helix.requests;
    await expect(
      helix.chat.sendChatMessage({ broadcasterId: CHANNEL, senderId: BOT, message: '  ' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'message' });
    await expect(
      helix.chat.sendChatMessage({ broadcasterId: CHANNEL, senderId: BOT, message: '😀'.repeat(501) }),
    ).rejects.toMatchObject({ field: 'message' });
    await expect(
      helix.chat.sendChatMessage(
        { broadcasterId: CHANNEL, senderId: BOT, message: 'x', forSourceOnly: true },
        { auth: { userId: BOT } },
      ),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    // A user token sends as its own user (Twitch answers 401 otherwise): refused here, naming the field.
    await expect(
      helix.chat.sendChatMessage(
        { broadcasterId: CHANNEL, senderId: VIEWER, message: 'x' },
        { auth: { userId: BOT } },
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'auth' });
    expect(emu.state().helix.requests).toBe(before);
    // 500 emoji are 500 characters for Twitch (1,000 UTF-16 units): accepted.
    expect(
      (
        await helix.chat.sendChatMessage(
          { broadcasterId: CHANNEL, senderId: BOT, message: '😀'.repeat(500) },
          { auth: { userId: BOT } },
        )
      ).isSent,
    ).toBe(true);
  });
});
