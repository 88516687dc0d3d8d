/**
 * Moderation end to end: helix.moderation against the emulator's routes, with Twitch's rules (tokens, scopes, who
 * may moderate, who may be banned, what may be deleted), and the notifications a subscribed EventSub session
 * receives for each action. Timeouts end on the emulator's clock (a FakeClock).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { HelixClient } from '../../src/helix/client.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { FAST_EVENTSUB, startEmulator } from '../support/emulator.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

const CHANNEL = '1001';
const BOT = '2002';
const VIEWER = '3003';
const OTHER = '3004';

const BROADCASTER_SCOPES = [
  'channel:moderate',
  'channel:bot',
  'moderation:read',
  'channel:manage:moderators',
  'channel:manage:vips',
  'user:read:chat',
  'user:write:chat',
  'moderator:manage:blocked_terms',
  'moderator:manage:chat_settings',
  'moderator:manage:unban_requests',
  'moderator:manage:banned_users',
  'moderator:manage:chat_messages',
  'moderator:read:moderators',
  'moderator:read:vips',
  'moderator:manage:warnings',
  'moderator:read:chatters',
];
const BOT_SCOPES = [
  'user:bot',
  'user:read:chat',
  'user:write:chat',
  'moderator:manage:banned_users',
  'moderator:manage:chat_messages',
  'moderator:read:chatters',
];
/** What the broadcaster's session subscribes to: every event moderation produces. */
const TYPES: readonly [string, string, Record<string, string>][] = [
  ['channel.ban', '1', {}],
  ['channel.unban', '1', {}],
  ['channel.moderate', '1', { moderator_user_id: CHANNEL }],
  ['channel.moderate', '2', { moderator_user_id: CHANNEL }],
  ['channel.chat.clear_user_messages', '1', { user_id: CHANNEL }],
  ['channel.chat.message_delete', '1', { user_id: CHANNEL }],
  ['channel.chat.clear', '1', { user_id: CHANNEL }],
  ['channel.moderator.add', '1', {}],
  ['channel.moderator.remove', '1', {}],
  ['channel.vip.add', '1', {}],
  ['channel.vip.remove', '1', {}],
];

interface Seen {
  readonly type: string;
  readonly version: string;
  readonly event: Record<string, unknown>;
}

const clock = new FakeClock();
let emu: Emulator;
let helix: HelixClient;
let auth: RefreshingAuthProvider;
let session: EventSubSession;
const seen: Seen[] = [];

beforeAll(async () => {
  emu = await startEmulator({ ...FAST_EVENTSUB, now: () => clock.now() });
  const o = emu.clientOptions();
  auth = new RefreshingAuthProvider({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    oauthUrl: o.oauthUrl,
  });
  helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
  for (const [userId, login, scopes] of [
    [CHANNEL, 'thechannel', BROADCASTER_SCOPES],
    [BOT, 'chatbot', BOT_SCOPES],
    [
      VIEWER,
      'aviewer',
      ['user:write:chat', 'moderator:manage:banned_users', 'moderator:manage:chat_messages'],
    ],
    [OTHER, 'another', ['user:write:chat']],
  ] as const) {
    const token = emu.mintUserToken({ userId, login, scopes });
    await auth.addUser({ accessToken: token.accessToken, refreshToken: token.refreshToken });
  }
  session = new EventSubSession({ url: o.eventSubWsUrl });
  session.on('notification', (message) => {
    const { type, version } = message.payload.subscription;
    seen.push({ type, version, event: message.payload.event as Record<string, unknown> });
  });
  const sessionId = await session.connect();
  for (const [type, version, condition] of TYPES) {
    await helix.eventSub.createSubscription(
      {
        type,
        version,
        condition: { broadcaster_user_id: CHANNEL, ...condition },
        transport: { method: 'websocket', sessionId },
      },
      { auth: { userId: CHANNEL } },
    );
  }
  // Through Helix, as Twitch does it: the broadcaster makes the bot a moderator.
  await helix.moderation.addModerator({ broadcasterId: CHANNEL, userId: BOT });
});
afterEach(() => {
  seen.length = 0;
});
afterAll(async () => {
  await session.close();
  helix.close();
  auth.close();
  await emu.close();
});

const AS_BOT = { broadcasterId: CHANNEL, moderatorId: BOT };

/** Sends a chat message as `userId` (its own token); its message id. */
async function say(userId: string, message: string): Promise<string> {
  const result = await helix.chat.sendChatMessage(
    { broadcasterId: CHANNEL, senderId: userId, message },
    { auth: { userId } },
  );
  if (!result.isSent) throw new Error(`not sent: ${result.dropReason.code}`);
  return result.messageId;
}

async function dropReasonOf(userId: string, message: string): Promise<string | null> {
  const result = await helix.chat.sendChatMessage(
    { broadcasterId: CHANNEL, senderId: userId, message },
    { auth: { userId } },
  );
  return result.isSent ? null : result.dropReason.code;
}

/** Waits for `n` notifications and returns them by `type@version`. */
async function events(n: number): Promise<Map<string, Record<string, unknown>>> {
  await until(() => seen.length >= n, { what: `${n} notifications` }).catch((e: unknown) => {
    throw new Error(`${String(e)}: ${JSON.stringify(seen.map((s) => `${s.type}@${s.version}`))}`);
  });
  return new Map(seen.map((s) => [`${s.type}@${s.version}`, s.event]));
}

async function httpError(promise: Promise<unknown>): Promise<HTTPError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HTTPError);
  return error as HTTPError;
}

describe('ban, timeout, unban', () => {
  it('times a viewer out until the emulator clock passes the end, with channel.ban, channel.moderate and clear_user_messages', async () => {
    const spam = await say(VIEWER, 'spam spam');
    seen.length = 0;
    const timeout = await helix.moderation.timeoutUser({
      ...AS_BOT,
      userId: VIEWER,
      durationSeconds: 60,
      reason: 'spam',
    });
    expect(timeout).toMatchObject({ broadcasterId: CHANNEL, moderatorId: BOT, userId: VIEWER });
    expect(timeout.createdAt.getTime()).toBe(clock.now());
    expect(timeout.endTime?.getTime()).toBe(clock.now() + 60_000);

    const got = await events(4);
    expect(got.get('channel.ban@1')).toMatchObject({
      broadcaster_user_id: CHANNEL,
      user_id: VIEWER,
      user_login: 'aviewer',
      moderator_user_id: BOT,
      moderator_user_login: 'chatbot',
      reason: 'spam',
      is_permanent: false,
      ends_at: new Date(clock.now() + 60_000).toISOString(),
    });
    for (const version of ['1', '2']) {
      expect(got.get(`channel.moderate@${version}`)).toMatchObject({
        action: 'timeout',
        moderator_user_id: BOT,
        ban: null,
        timeout: {
          user_id: VIEWER,
          reason: 'spam',
          expires_at: new Date(clock.now() + 60_000).toISOString(),
        },
      });
    }
    expect(got.get('channel.chat.clear_user_messages@1')).toMatchObject({
      broadcaster_user_id: CHANNEL,
      target_user_id: VIEWER,
      target_user_login: 'aviewer',
    });

    // The viewer's messages are cleared: nothing left to delete.
    const gone = await httpError(helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: spam }));
    expect(gone.status).toBe(404);
    // The send route reads the room's bans: dropped while the timeout lasts, sent once the clock passes its end.
    expect(await dropReasonOf(VIEWER, 'let me talk')).toBe('msg_timedout');
    clock.skip(59_999);
    expect(await dropReasonOf(VIEWER, 'let me talk 2')).toBe('msg_timedout');
    clock.skip(1);
    expect(await dropReasonOf(VIEWER, 'I am back')).toBeNull();
    // The timeout is over: nothing to unban.
    expect((await httpError(helix.moderation.unbanUser({ ...AS_BOT, userId: VIEWER }))).status).toBe(400);
  });

  it('bans until unbanned, refuses a second ban and a timeout of the banned user, and unbans with channel.unban', async () => {
    const ban = await helix.moderation.banUser({ ...AS_BOT, userId: VIEWER });
    expect(ban.endTime).toBeNull();
    let got = await events(4);
    expect(got.get('channel.ban@1')).toMatchObject({ user_id: VIEWER, is_permanent: true, ends_at: null });
    expect(got.get('channel.moderate@2')).toMatchObject({
      action: 'ban',
      ban: { user_id: VIEWER, reason: null },
      timeout: null,
      warn: null,
    });
    expect(got.get('channel.moderate@1')).not.toHaveProperty('warn');
    expect(await dropReasonOf(VIEWER, 'hello?')).toBe('msg_banned');
    clock.skip(MAX_TIMEOUT_MS);
    expect(await dropReasonOf(VIEWER, 'hello??')).toBe('msg_banned');

    const again = await httpError(helix.moderation.banUser({ ...AS_BOT, userId: VIEWER }));
    expect(again.status).toBe(400);
    expect(again.message).toContain('already banned');
    const timeout = helix.moderation.timeoutUser({ ...AS_BOT, userId: VIEWER, durationSeconds: 10 });
    expect((await httpError(timeout)).message).toContain('already banned');

    seen.length = 0;
    await helix.moderation.unbanUser({ ...AS_BOT, userId: VIEWER });
    got = await events(3);
    expect(got.get('channel.unban@1')).toMatchObject({ user_id: VIEWER, moderator_user_id: BOT });
    expect(got.get('channel.moderate@1')).toMatchObject({ action: 'unban', unban: { user_id: VIEWER } });
    expect(await dropReasonOf(VIEWER, 'thanks')).toBeNull();
    expect((await httpError(helix.moderation.unbanUser({ ...AS_BOT, userId: VIEWER }))).message).toContain(
      'not banned',
    );
  });

  it('refuses to ban the broadcaster (400) and a non-moderator moderating (403)', async () => {
    const broadcaster = await httpError(helix.moderation.banUser({ ...AS_BOT, userId: CHANNEL }));
    expect(broadcaster.status).toBe(400);
    expect(broadcaster.message).toContain('may not be banned');
    // The viewer's token has the scope, but the viewer does not moderate the channel.
    const notMod = await httpError(
      helix.moderation.banUser({ broadcasterId: CHANNEL, moderatorId: VIEWER, userId: OTHER }),
    );
    expect(notMod.status).toBe(403);
    // The other viewer's token lacks the scope.
    emu.setChatRole({ broadcasterId: CHANNEL, userId: OTHER, role: 'moderator' });
    try {
      const scope = await httpError(
        helix.moderation.banUser({ broadcasterId: CHANNEL, moderatorId: OTHER, userId: VIEWER }),
      );
      expect(scope.status).toBe(401);
      // A moderator may not ban another moderator; the broadcaster may.
      const mod = await httpError(helix.moderation.banUser({ ...AS_BOT, userId: OTHER }));
      expect(mod.message).toContain('may not be banned');
    } finally {
      emu.setChatRole({ broadcasterId: CHANNEL, userId: OTHER, role: 'moderator', granted: false });
    }
    expect(seen).toEqual([]);
  });

  it('checks the input before sending: duration, reason, ids, and the token of someone else', async () => {
    const bad = [
      () => helix.moderation.timeoutUser({ ...AS_BOT, userId: VIEWER, durationSeconds: 0 }),
      () => helix.moderation.timeoutUser({ ...AS_BOT, userId: VIEWER, durationSeconds: 1_209_601 }),
      () => helix.moderation.timeoutUser({ ...AS_BOT, userId: VIEWER, durationSeconds: 1.5 }),
      () => helix.moderation.banUser({ ...AS_BOT, userId: VIEWER, reason: 'x'.repeat(501) }),
      () => helix.moderation.banUser({ ...AS_BOT, userId: '' }),
      () => helix.moderation.banUser({ ...AS_BOT, userId: VIEWER }, { auth: { userId: CHANNEL } }),
      () => helix.moderation.banUser({ ...AS_BOT, userId: VIEWER }, { auth: {} }),
    ];
    const fields = [];
    for (const call of bad) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      fields.push((error as InvalidArgumentError).field);
    }
    expect(fields).toEqual([
      'durationSeconds',
      'durationSeconds',
      'durationSeconds',
      'reason',
      'userId',
      'auth',
      'auth',
    ]);
    // The longest timeout and reason are accepted.
    const longest = await helix.moderation.timeoutUser({
      ...AS_BOT,
      userId: OTHER,
      durationSeconds: 1_209_600,
      reason: '😀'.repeat(500),
    });
    expect(longest.endTime?.getTime()).toBe(clock.now() + MAX_TIMEOUT_MS);
    await helix.moderation.unbanUser({ ...AS_BOT, userId: OTHER });
  });
});

const MAX_TIMEOUT_MS = 1_209_600_000;
const SIX_HOURS_MS = 6 * 60 * 60 * 1000;

describe('deleting messages', () => {
  it('deletes a viewer message with channel.chat.message_delete and channel.moderate, then answers 404', async () => {
    const id = await say(VIEWER, 'delete me');
    seen.length = 0;
    await helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: id });
    const got = await events(3);
    expect(got.get('channel.chat.message_delete@1')).toMatchObject({
      broadcaster_user_id: CHANNEL,
      target_user_id: VIEWER,
      target_user_login: 'aviewer',
      message_id: id,
    });
    expect(got.get('channel.moderate@2')).toMatchObject({
      action: 'delete',
      moderator_user_id: BOT,
      delete: { user_id: VIEWER, message_id: id, message_body: 'delete me' },
    });
    const twice = await httpError(helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: id }));
    expect(twice.status).toBe(404);
  });

  it("refuses the broadcaster's and another moderator's messages (400) and messages older than 6 hours (404)", async () => {
    const own = await say(CHANNEL, 'my channel');
    expect(
      (await httpError(helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: own }))).message,
    ).toContain("broadcaster's messages");
    emu.setChatRole({ broadcasterId: CHANNEL, userId: OTHER, role: 'moderator' });
    try {
      const mods = await say(OTHER, 'a mod speaks');
      const error = await httpError(helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: mods }));
      expect(error.status).toBe(400);
      expect(error.message).toContain("another moderator's messages");
    } finally {
      emu.setChatRole({ broadcasterId: CHANNEL, userId: OTHER, role: 'moderator', granted: false });
    }
    const old = await say(VIEWER, 'an old message');
    const recent = await say(VIEWER, 'a recent one');
    clock.skip(SIX_HOURS_MS);
    await helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: recent });
    clock.skip(1);
    const error = await httpError(helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: old }));
    expect(error.status).toBe(404);
    expect(seen.filter((s) => s.type === 'channel.chat.message_delete')).toHaveLength(1);
  });

  it('clears the chat with channel.chat.clear and channel.moderate; cleared messages are gone', async () => {
    const id = await say(VIEWER, 'soon cleared');
    seen.length = 0;
    await helix.moderation.clearChat(AS_BOT);
    const got = await events(3);
    expect(got.get('channel.chat.clear@1')).toMatchObject({ broadcaster_user_id: CHANNEL });
    expect(got.get('channel.moderate@1')).toMatchObject({
      action: 'clear',
      delete: null,
      moderator_user_id: BOT,
    });
    expect((await httpError(helix.moderation.deleteChatMessage({ ...AS_BOT, messageId: id }))).status).toBe(
      404,
    );
  });

  it('needs a moderator (403) with the scope (401)', async () => {
    const id = await say(OTHER, 'hi');
    // The viewer has a moderator scope, but does not moderate the channel.
    const notMod = helix.moderation.deleteChatMessage({
      broadcasterId: CHANNEL,
      moderatorId: VIEWER,
      messageId: id,
    });
    expect((await httpError(notMod)).status).toBe(403);
    emu.setChatRole({ broadcasterId: CHANNEL, userId: OTHER, role: 'moderator' });
    try {
      const noScope = helix.moderation.clearChat({ broadcasterId: CHANNEL, moderatorId: OTHER });
      expect((await httpError(noScope)).status).toBe(401);
    } finally {
      emu.setChatRole({ broadcasterId: CHANNEL, userId: OTHER, role: 'moderator', granted: false });
    }
    expect(seen).toEqual([]);
  });
});
