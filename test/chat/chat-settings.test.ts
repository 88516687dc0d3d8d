/**
 * Chat settings end to end: helix.chat.getChatSettings / updateChatSettings against the emulator's routes, Twitch's
 * moderator rule (401/403), ranges and mode-duration rule, and the `channel.chat_settings.update` event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventModel } from '../../src/catalogue/index.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { until } from '../support/until.js';
import { BOT_SCOPES, chatGround, listen, type ChatGround } from './fixture.js';

const CHANNEL = '1001';
const BOT = '2002';
const VIEWER = '3003';

let g: ChatGround;
beforeAll(async () => {
  g = await chatGround();
  // What channel.moderate asks of the moderator's token (its settings actions included).
  await g.user(CHANNEL, 'thechannel', [
    'moderator:manage:chat_settings',
    'moderator:manage:blocked_terms',
    'moderator:manage:unban_requests',
    'moderator:manage:banned_users',
    'moderator:manage:chat_messages',
    'moderator:read:moderators',
    'moderator:read:vips',
    'moderator:manage:warnings',
  ]);
  await g.user(BOT, 'chatbot', [...BOT_SCOPES, 'moderator:manage:chat_settings']);
  await g.user(VIEWER, 'aviewer', ['moderator:manage:chat_settings']);
});
afterAll(() => g.close());

describe('chat settings', () => {
  it('reads every mode off at first; a moderator also sees the chat delay', async () => {
    expect(await g.helix.chat.getChatSettings({ broadcasterId: CHANNEL })).toEqual({
      broadcasterId: CHANNEL,
      emoteMode: false,
      followerMode: false,
      followerModeDurationMinutes: null,
      slowMode: false,
      slowModeWaitTimeSeconds: null,
      subscriberMode: false,
      uniqueChatMode: false,
      moderatorView: null,
    });
    const asOwner = await g.helix.chat.getChatSettings({ broadcasterId: CHANNEL, moderatorId: CHANNEL });
    expect(asOwner.moderatorView).toEqual({
      moderatorId: CHANNEL,
      nonModeratorChatDelay: false,
      nonModeratorChatDelayDurationSeconds: null,
    });
  });

  it('updates only what is given, answers all settings, and emits channel.chat_settings.update', async () => {
    const listener = await listen(g);
    try {
      await listener.subscribe(
        'channel.chat_settings.update',
        { broadcaster_user_id: CHANNEL, user_id: BOT },
        BOT,
      );
      g.emu.setChatRole({ broadcasterId: CHANNEL, userId: BOT, role: 'moderator' });
      const updated = await g.helix.chat.updateChatSettings({
        broadcasterId: CHANNEL,
        moderatorId: BOT,
        slowMode: true,
        slowModeWaitTimeSeconds: 10,
        nonModeratorChatDelay: true,
        nonModeratorChatDelayDurationSeconds: 4,
      });
      expect(updated).toMatchObject({
        slowMode: true,
        slowModeWaitTimeSeconds: 10,
        emoteMode: false,
        moderatorView: {
          moderatorId: BOT,
          nonModeratorChatDelay: true,
          nonModeratorChatDelayDurationSeconds: 4,
        },
      });
      await until(() => listener.events.length === 1);
      expect(listener.events[0]).toMatchObject({
        broadcaster_user_id: CHANNEL,
        slow_mode: true,
        slow_mode_wait_time_seconds: 10,
        emote_mode: false,
      });
      // A mode set without its duration takes Twitch's default; turning it off clears the duration.
      const follower = await g.helix.chat.updateChatSettings({
        broadcasterId: CHANNEL,
        moderatorId: BOT,
        followerMode: true,
        slowMode: false,
      });
      expect(follower).toMatchObject({
        followerMode: true,
        followerModeDurationMinutes: 0,
        slowMode: false,
        slowModeWaitTimeSeconds: null,
      });
      expect((await g.helix.chat.getChatSettings({ broadcasterId: CHANNEL })).followerMode).toBe(true);
      await until(() => listener.events.length === 2);
    } finally {
      await listener.close();
    }
  });

  it('emits channel.moderate for each mode turned on or off, as Twitch does', async () => {
    const listener = await listen(g);
    try {
      await listener.subscribe(
        'channel.moderate',
        { broadcaster_user_id: CHANNEL, moderator_user_id: CHANNEL },
        CHANNEL,
      );
      await g.helix.chat.updateChatSettings({
        broadcasterId: CHANNEL,
        moderatorId: CHANNEL,
        slowMode: true,
        slowModeWaitTimeSeconds: 20,
        emoteMode: true,
      });
      await until(() => listener.events.length === 2);
      expect(listener.events.map((e) => e.action).sort()).toEqual(['emoteonly', 'slow']);
      expect(listener.events.find((e) => e.action === 'slow')).toMatchObject({
        moderator_user_id: CHANNEL,
        slow: { wait_time_seconds: 20 },
        ban: null,
      });
      await g.helix.chat.updateChatSettings({
        broadcasterId: CHANNEL,
        moderatorId: CHANNEL,
        emoteMode: false,
      });
      await until(() => listener.events.length === 3);
      expect(listener.events[2]).toMatchObject({ action: 'emoteonlyoff', slow: null });
      // Each decodes with the catalogue's model.
      for (const event of listener.events) {
        expect(toEventModel('channel.moderate', '1', event)).toMatchObject({ action: event.action });
      }
    } finally {
      await listener.close();
    }
  });

  it('answers 403 to a user who does not moderate the channel, 401 without the scope', async () => {
    const error = await g.helix.chat
      .updateChatSettings({ broadcasterId: CHANNEL, moderatorId: VIEWER, emoteMode: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(403);
    await g.user('4004', 'noscope', []);
    g.emu.setChatRole({ broadcasterId: CHANNEL, userId: '4004', role: 'moderator' });
    const missing = await g.helix.chat
      .updateChatSettings({ broadcasterId: CHANNEL, moderatorId: '4004', emoteMode: true })
      .catch((e: unknown) => e);
    expect((missing as HTTPError).status).toBe(401);
    expect((await g.helix.chat.getChatSettings({ broadcasterId: CHANNEL })).emoteMode).toBe(false);
  });

  it('refuses before sending: no setting, out of range, a duration without its mode, another user’s token', async () => {
    const before = g.emu.state().helix.requests;
    const base = { broadcasterId: CHANNEL, moderatorId: BOT };
    await expect(g.helix.chat.updateChatSettings(base)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'input',
    });
    await expect(
      g.helix.chat.updateChatSettings({ ...base, slowMode: true, slowModeWaitTimeSeconds: 121 }),
    ).rejects.toMatchObject({ field: 'slowModeWaitTimeSeconds' });
    await expect(
      g.helix.chat.updateChatSettings({ ...base, slowModeWaitTimeSeconds: 30 }),
    ).rejects.toMatchObject({
      field: 'slowModeWaitTimeSeconds',
    });
    await expect(
      g.helix.chat.updateChatSettings({ ...base, emoteMode: true }, { auth: { userId: CHANNEL } }),
    ).rejects.toMatchObject({ field: 'auth' });
    // An app token where the moderator's is needed: refused the same way (it was silently replaced).
    await expect(
      g.helix.chat.updateChatSettings({ ...base, emoteMode: true }, { auth: {} }),
    ).rejects.toMatchObject({
      field: 'auth',
    });
    expect(g.emu.state().helix.requests).toBe(before);
  });

  it('the emulator answers 400 to a duration without its mode and to one out of range', async () => {
    const { helix: raw } = await import('../support/emulator.js');
    const token = g.emu.mintUserToken({
      userId: CHANNEL,
      scopes: ['moderator:manage:chat_settings'],
    }).accessToken;
    const path = `/chat/settings?broadcaster_id=${CHANNEL}&moderator_id=${CHANNEL}`;
    const noMode = await raw(g.emu, 'PATCH', path, token, { slow_mode_wait_time: 30 });
    expect(noMode.status).toBe(400);
    expect(noMode.body.message).toContain('slow_mode');
    const range = await raw(g.emu, 'PATCH', path, token, { slow_mode: true, slow_mode_wait_time: 2 });
    expect(range.status).toBe(400);
    const delay = await raw(g.emu, 'PATCH', path, token, {
      non_moderator_chat_delay: true,
      non_moderator_chat_delay_duration: 5,
    });
    expect(delay.status).toBe(400);
  });
});
