/**
 * Lists and roles end to end: Get Chatters (presence: senders and emu.setChatPresence), Get Moderators and Get VIPs
 * paginated with cursors and filtered by user, and moderators and VIPs added and removed through Helix with
 * Twitch's rules, each change notified as channel.moderator.add/remove, channel.vip.add/remove and channel.moderate.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { RefreshingAuthProvider } from '../../src/auth/refreshing-provider.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { HelixClient } from '../../src/helix/client.js';
import { EventSubSession } from '../../src/eventsub/websocket/session.js';
import { appToken, FAST_EVENTSUB, helix as rawHelix, startEmulator, userToken } from '../support/emulator.js';
import { ROOM_CHATTER_MEMORY } from '../../src/emulator/chat/rooms.js';
import { until } from '../support/until.js';

const CHANNEL = '1001';
const BOT = '2002';
/** Viewers 5000..5009. */
const VIEWERS = Array.from({ length: 10 }, (_, i) => String(5000 + i));

let emu: Emulator;
let helix: HelixClient;
let auth: RefreshingAuthProvider;
let session: EventSubSession;
const seen: { type: string; version: string; event: Record<string, unknown> }[] = [];

beforeAll(async () => {
  emu = await startEmulator(FAST_EVENTSUB);
  const o = emu.clientOptions();
  auth = new RefreshingAuthProvider({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    oauthUrl: o.oauthUrl,
  });
  helix = new HelixClient({ clientId: o.clientId, auth, helixUrl: o.helixUrl, oauthUrl: o.oauthUrl });
  const channel = emu.mintUserToken({
    userId: CHANNEL,
    login: 'thechannel',
    scopes: [
      'moderation:read',
      'channel:manage:moderators',
      'channel:manage:vips',
      'moderator:manage:blocked_terms',
      'moderator:manage:chat_settings',
      'moderator:manage:unban_requests',
      'moderator:manage:banned_users',
      'moderator:manage:chat_messages',
      'moderator:read:moderators',
      'moderator:read:vips',
      'moderator:manage:warnings',
    ],
  });
  await auth.addUser({ accessToken: channel.accessToken, refreshToken: channel.refreshToken });
  const bot = emu.mintUserToken({
    userId: BOT,
    login: 'chatbot',
    scopes: ['user:write:chat', 'moderator:read:chatters', 'moderator:manage:banned_users'],
  });
  await auth.addUser({ accessToken: bot.accessToken, refreshToken: bot.refreshToken });
  for (const id of VIEWERS) emu.mintUserToken({ userId: id, login: `viewer${id}`, scopes: [] });
  session = new EventSubSession({ url: o.eventSubWsUrl });
  session.on('notification', (message) => {
    const { type, version } = message.payload.subscription;
    seen.push({ type, version, event: message.payload.event as Record<string, unknown> });
  });
  const sessionId = await session.connect();
  for (const [type, version, extra] of [
    ['channel.moderator.add', '1', {}],
    ['channel.moderator.remove', '1', {}],
    ['channel.vip.add', '1', {}],
    ['channel.vip.remove', '1', {}],
    ['channel.moderate', '2', { moderator_user_id: CHANNEL }],
  ] as const) {
    await helix.eventSub.createSubscription(
      {
        type,
        version,
        condition: { broadcaster_user_id: CHANNEL, ...extra },
        transport: { method: 'websocket', sessionId },
      },
      { auth: { userId: CHANNEL } },
    );
  }
  await helix.moderation.addModerator({ broadcasterId: CHANNEL, userId: BOT });
  await until(() => seen.length === 2);
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

async function httpError(promise: Promise<unknown>): Promise<HTTPError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HTTPError);
  return error as HTTPError;
}

describe('getChatters', () => {
  it('lists who joined and who sent, in pages, with the total; a viewer who parts is gone', async () => {
    expect(await helix.moderation.getChatters(AS_BOT)).toEqual([]);
    emu.setChatPresence({ broadcasterId: CHANNEL, userIds: VIEWERS.slice(0, 5) });
    // A sender is in the chat.
    await helix.chat.sendChatMessage(
      { broadcasterId: CHANNEL, senderId: BOT, message: 'hello' },
      { auth: { userId: BOT } },
    );
    const pages = [];
    for await (const page of helix.moderation.getChatters(AS_BOT, { first: 2 }).pages()) pages.push(page);
    expect(pages.map((p) => p.data.length)).toEqual([2, 2, 2]);
    expect(pages.every((p) => p.meta.total === 6)).toBe(true);
    expect(pages.flatMap((p) => p.data.map((u) => u.id))).toEqual([...VIEWERS.slice(0, 5), BOT]);
    expect(pages[0]?.data[0]).toEqual({
      id: VIEWERS[0],
      login: `viewer${VIEWERS[0]}`,
      displayName: `viewer${VIEWERS[0]}`,
    });

    emu.setChatPresence({ broadcasterId: CHANNEL, userIds: [VIEWERS[1]!], present: false });
    const after = await helix.moderation.getChatters(AS_BOT).firstPage();
    expect(after.meta.total).toBe(5);
    expect(after.data.map((u) => u.id)).not.toContain(VIEWERS[1]);
  });

  it(`lists at most ${ROOM_CHATTER_MEMORY} chatters, dropping the one seen least recently`, async () => {
    const crowd = '1003';
    emu.setChatRole({ broadcasterId: crowd, userId: BOT, role: 'moderator' });
    const ids = Array.from({ length: ROOM_CHATTER_MEMORY + 1 }, (_, i) => String(700_000 + i));
    emu.setChatPresence({ broadcasterId: crowd, userIds: ids.slice(0, 2) });
    // The first one speaks up again: the second is now the one seen least recently.
    emu.setChatPresence({ broadcasterId: crowd, userIds: [ids[0]!, ...ids.slice(2)] });
    const listed = await helix.moderation.getChatters({ broadcasterId: crowd, moderatorId: BOT }).toArray();
    expect(listed).toHaveLength(ROOM_CHATTER_MEMORY);
    const listedIds = new Set(listed.map((u) => u.id));
    expect(listedIds.has(ids[1]!)).toBe(false);
    expect(listedIds.has(ids[0]!)).toBe(true);
    expect(listedIds.has(ids.at(-1)!)).toBe(true);
  });

  it('needs moderator:read:chatters from a moderator of the channel', async () => {
    const notMod = await httpError(
      helix.moderation.getChatters({ broadcasterId: CHANNEL, moderatorId: CHANNEL }).toArray(),
    );
    // The broadcaster moderates its channel, but its token lacks the scope.
    expect(notMod.status).toBe(401);
    const other = await httpError(
      helix.moderation.getChatters({ broadcasterId: VIEWERS[0]!, moderatorId: BOT }).toArray(),
    );
    expect(other.status).toBe(403);
  });
});

describe('moderators and VIPs through Helix', () => {
  it('adds and removes VIPs and moderators with their notifications, and Twitch refusals', async () => {
    const [a, b] = [VIEWERS[2]!, VIEWERS[3]!];
    await helix.moderation.addVip({ broadcasterId: CHANNEL, userId: a });
    await until(() => seen.length === 2);
    expect(seen.map((s) => s.type)).toEqual(['channel.vip.add', 'channel.moderate']);
    expect(seen[0]?.event).toMatchObject({
      broadcaster_user_id: CHANNEL,
      user_id: a,
      user_login: `viewer${a}`,
    });
    expect(seen[1]?.event).toMatchObject({ action: 'vip', vip: { user_id: a }, moderator_user_id: CHANNEL });

    // A VIP must stop being one before becoming a moderator (422), and the other way round.
    expect(
      (await httpError(helix.moderation.addModerator({ broadcasterId: CHANNEL, userId: a }))).status,
    ).toBe(422);
    expect((await httpError(helix.moderation.addVip({ broadcasterId: CHANNEL, userId: BOT }))).status).toBe(
      422,
    );
    expect((await httpError(helix.moderation.addVip({ broadcasterId: CHANNEL, userId: a }))).status).toBe(
      422,
    );
    expect(
      (await httpError(helix.moderation.addModerator({ broadcasterId: CHANNEL, userId: BOT }))).status,
    ).toBe(400);

    seen.length = 0;
    await helix.moderation.removeVip({ broadcasterId: CHANNEL, userId: a });
    await helix.moderation.addModerator({ broadcasterId: CHANNEL, userId: a });
    await helix.moderation.removeModerator({ broadcasterId: CHANNEL, userId: a });
    await until(() => seen.length === 6);
    expect(seen.map((s) => `${s.type}:${String(s.event.action ?? s.event.user_id)}`)).toEqual([
      `channel.vip.remove:${a}`,
      'channel.moderate:unvip',
      `channel.moderator.add:${a}`,
      'channel.moderate:mod',
      `channel.moderator.remove:${a}`,
      'channel.moderate:unmod',
    ]);
    expect(
      (await httpError(helix.moderation.removeModerator({ broadcasterId: CHANNEL, userId: a }))).status,
    ).toBe(400);
    expect((await httpError(helix.moderation.removeVip({ broadcasterId: CHANNEL, userId: a }))).status).toBe(
      422,
    );

    // A banned user can be neither.
    await helix.moderation.banUser({ ...AS_BOT, userId: b });
    expect(
      (await httpError(helix.moderation.addModerator({ broadcasterId: CHANNEL, userId: b }))).message,
    ).toContain('banned');
    expect((await httpError(helix.moderation.addVip({ broadcasterId: CHANNEL, userId: b }))).status).toBe(
      400,
    );
    await helix.moderation.unbanUser({ ...AS_BOT, userId: b });
  });

  it('takes the broadcaster token only: another user is refused before sending, the wrong scope by Twitch', async () => {
    const error = await helix.moderation
      .addVip({ broadcasterId: CHANNEL, userId: VIEWERS[4]! }, { auth: { userId: BOT } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('auth');
    // The bot's own channel, with the bot's token, which lacks channel:manage:vips.
    expect(
      (await httpError(helix.moderation.addVip({ broadcasterId: BOT, userId: VIEWERS[4]! }))).status,
    ).toBe(401);
    expect((await httpError(helix.moderation.getModerators({ broadcasterId: BOT }).toArray())).status).toBe(
      401,
    );
  });

  it('lists moderators and VIPs in pages, filtered by user', async () => {
    const vips = VIEWERS.slice(4, 9);
    for (const userId of vips) await helix.moderation.addVip({ broadcasterId: CHANNEL, userId });
    const pages = [];
    for await (const page of helix.moderation.getVips({ broadcasterId: CHANNEL }, { first: 2 }).pages()) {
      pages.push(page.data.map((u) => u.id));
    }
    expect(pages).toEqual([vips.slice(0, 2), vips.slice(2, 4), vips.slice(4)]);
    const filtered = await helix.moderation.getVips({
      broadcasterId: CHANNEL,
      userIds: [vips[1]!, BOT, vips[3]!],
    });
    expect(filtered.map((u) => u.id)).toEqual([vips[1], vips[3]]);
    const mods = await helix.moderation.getModerators({ broadcasterId: CHANNEL });
    expect(mods).toEqual([{ id: BOT, login: 'chatbot', displayName: 'chatbot' }]);
    expect(await helix.moderation.getModerators({ broadcasterId: CHANNEL, userIds: [vips[0]!] })).toEqual([]);
    const tooMany = await Promise.resolve()
      .then(() =>
        helix.moderation.getVips({ broadcasterId: CHANNEL, userIds: VIEWERS.concat(Array(91).fill('1')) }),
      )
      .catch((e: unknown) => e);
    expect((tooMany as InvalidArgumentError).field).toBe('userIds');
  });
});

describe('malformed requests (raw HTTP)', () => {
  it("answers Twitch's 400 or 401, never a crash", async () => {
    const bot = userToken(emu, BOT, [
      'user:write:chat',
      'moderator:read:chatters',
      'moderator:manage:banned_users',
    ]);
    const chatters = `/chat/chatters?broadcaster_id=${CHANNEL}&moderator_id=${BOT}`;
    const cases: [string, string, string, unknown, number, string][] = [
      ['GET', `${chatters}&first=0`, bot, undefined, 400, 'first'],
      ['GET', `${chatters}&first=1001`, bot, undefined, 400, 'first'],
      ['GET', `${chatters}&first=ten`, bot, undefined, 400, 'first'],
      ['GET', `${chatters}&after=not-a-cursor`, bot, undefined, 400, 'cursor'],
      ['GET', `/chat/chatters?broadcaster_id=${CHANNEL}`, bot, undefined, 400, 'moderator_id'],
      [
        'GET',
        `/chat/chatters?broadcaster_id=99999&moderator_id=${BOT}`,
        bot,
        undefined,
        400,
        'broadcaster_id',
      ],
      ['GET', chatters, appToken(emu), undefined, 401, ''],
      ['POST', `/moderation/bans?broadcaster_id=${CHANNEL}&moderator_id=${BOT}`, bot, 'not json', 400, ''],
      [
        'POST',
        `/moderation/bans?broadcaster_id=${CHANNEL}&moderator_id=${BOT}`,
        bot,
        { data: [] },
        400,
        'data',
      ],
      [
        'POST',
        `/moderation/bans?broadcaster_id=${CHANNEL}&moderator_id=${BOT}`,
        bot,
        { data: { user_id: VIEWERS[9], duration: '60' } },
        400,
        'duration',
      ],
      [
        'POST',
        `/moderation/bans?broadcaster_id=${CHANNEL}&moderator_id=${BOT}`,
        bot,
        { data: { user_id: VIEWERS[9], reason: 42 } },
        400,
        'reason',
      ],
      [
        'DELETE',
        `/moderation/bans?broadcaster_id=${CHANNEL}&moderator_id=${BOT}`,
        bot,
        undefined,
        400,
        'user_id',
      ],
    ];
    for (const [method, path, token, body, status, mentions] of cases) {
      const res = await rawHelix(emu, method, path, token, body);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(String(res.body?.message), `${method} ${path}`).toContain(mentions);
    }
    // Nothing was banned on the strength of a malformed request (a second ban would be a 400).
    const ban = await helix.moderation.banUser({ ...AS_BOT, userId: VIEWERS[9]! });
    expect(ban.userId).toBe(VIEWERS[9]);
  });
});
