/**
 * The moderation routes with Twitch's rules (Helix reference; user tokens only):
 * - `POST /moderation/bans` (ban, or a timeout of 1..1,209,600 s) and `DELETE /moderation/bans`:
 *   `moderator:manage:banned_users`, `moderator_id` = the token's user (401), a moderator or the broadcaster (403);
 *   400 for the broadcaster, another moderator (unless the broadcaster bans), a banned user, an unbanned user.
 * - `DELETE /moderation/chat` (one message, or the whole chat): `moderator:manage:chat_messages`; 400 for the
 *   broadcaster's or another moderator's message, 404 for an unknown one or one older than 6 hours.
 * - `GET /chat/chatters` (`moderator:read:chatters`, `total`, pages of up to 1,000): who is in the chat (recent
 *   senders, and `emu.setChatPresence()`).
 * - `GET|POST|DELETE /moderation/moderators` and `GET|POST|DELETE /channels/vips`: the broadcaster's token.
 * Bans live in the room (the send route drops a banned sender's messages); timeouts end on the platform clock.
 * Each change sends its EventSub notifications (moderation-events.ts).
 */
import {
  MAX_BAN_REASON_LENGTH,
  MAX_CHATTERS_PAGE_SIZE,
  MAX_ROLE_USER_FILTERS,
  MAX_TIMEOUT_SECONDS,
  MESSAGE_DELETE_WINDOW_MS,
  type WireBannedUser,
  type WireChatUser,
} from '../../protocol/moderation.js';
import { codePointLength } from '../../protocol/chat.js';
import { isRecord } from '../../core/guards.js';
import { decodeCursor, encodeCursor } from '../eventsub/conduits.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuRequest, EmuRouter, EmuUserInfo } from '../http/types.js';
import type { EmulatorChat } from './chat.js';
import { emitBan, emitClear, emitMessageDelete, emitRole, emitUnban } from './moderation-events.js';
import type { ChatRoom } from './rooms.js';
import { callerOf } from './send.js';
import { moderatorOf, queryUser } from './settings.js';

/** The caller's token carries one of `scopes`, else 401. */
function requireScope(req: EmuRequest, scopes: readonly string[]): void {
  const caller = callerOf(req);
  if (!scopes.some((s) => caller.scopes.has(s))) {
    throw new EmuHttpError(401, `Missing scope: ${scopes.join(' or ')}`);
  }
}

interface Moderation {
  readonly broadcaster: EmuUserInfo;
  readonly moderator: EmuUserInfo;
  readonly room: ChatRoom;
}

/** `broadcaster_id` and `moderator_id`: the token's user, with `scope`, moderating the channel. */
function moderation(chat: EmulatorChat, req: EmuRequest, scope: string): Moderation {
  const broadcaster = queryUser(chat, req, 'broadcaster_id');
  const room = chat.room(broadcaster.id);
  return { broadcaster, moderator: moderatorOf(chat, req, room, scope), room };
}

/** `broadcaster_id`: the token's user, with one of `scopes`. */
function ownChannel(chat: EmulatorChat, req: EmuRequest, scopes: readonly string[]): EmuUserInfo {
  const broadcaster = queryUser(chat, req, 'broadcaster_id');
  requireScope(req, scopes);
  if (callerOf(req).userId !== broadcaster.id) {
    throw new EmuHttpError(401, 'The ID in broadcaster_id must match the user ID in the access token.');
  }
  return broadcaster;
}

/** `first` of a list: an integer in 1..`max`, `fallback` when absent; 400 otherwise. */
function pageSize(req: EmuRequest, fallback: number, max: number): number {
  const raw = req.query.get('first');
  if (raw === null || raw === '') return fallback;
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= max)) {
    throw new EmuHttpError(400, `The value in the first query parameter must be between 1 and ${max}.`);
  }
  return n;
}

/** One page of `ids` as users, from the `after` cursor. */
function usersPage(
  chat: EmulatorChat,
  req: EmuRequest,
  ids: readonly string[],
  fallback: number,
  max: number,
): { data: WireChatUser[]; pagination: { cursor?: string } } {
  const after = req.query.get('after');
  const start = after === null || after === '' ? 0 : decodeCursor(after);
  const end = Math.min(ids.length, start + pageSize(req, fallback, max));
  const data: WireChatUser[] = [];
  for (let i = start; i < end; i++) {
    const user = chat.platform.users.byId(ids[i] ?? '');
    if (user !== undefined) {
      data.push({ user_id: user.id, user_login: user.login, user_name: user.display_name });
    }
  }
  return { data, pagination: end < ids.length ? { cursor: encodeCursor(end) } : {} };
}

/** The `user_id` filters of a role list (at most 100): `null` without any. */
function userFilter(req: EmuRequest): Set<string> | null {
  const ids = req.query.getAll('user_id');
  if (ids.length === 0) return null;
  if (ids.length > MAX_ROLE_USER_FILTERS) {
    throw new EmuHttpError(400, 'The number of user_id query parameters exceeds the maximum allowed.');
  }
  return new Set(ids);
}

/** The ban to apply, read from `{ data: { user_id, duration?, reason? } }`. */
function banBody(
  chat: EmulatorChat,
  body: unknown,
): { user: EmuUserInfo; duration: number | undefined; reason: string } {
  const data = objectBody(body).data;
  if (!isRecord(data)) throw new EmuHttpError(400, 'The data field is required.');
  const userId = data.user_id;
  if (typeof userId !== 'string' || userId === '') {
    throw new EmuHttpError(400, 'The user_id field is required.');
  }
  const user = chat.platform.users.byId(userId);
  if (user === undefined) throw new EmuHttpError(400, 'The user_id field is not valid.');
  const duration = data.duration;
  if (
    duration !== undefined &&
    (typeof duration !== 'number' ||
      !Number.isInteger(duration) ||
      duration < 1 ||
      duration > MAX_TIMEOUT_SECONDS)
  ) {
    throw new EmuHttpError(400, 'The value in the duration field is not valid.');
  }
  const reason = data.reason ?? '';
  if (typeof reason !== 'string') throw new EmuHttpError(400, 'The reason field is not valid.');
  if (codePointLength(reason) > MAX_BAN_REASON_LENGTH) {
    throw new EmuHttpError(400, 'The text in the reason field is too long.');
  }
  return { user, duration, reason };
}

/** Registers the moderation routes. */
export function registerModerationRoutes(router: EmuRouter, chat: EmulatorChat): void {
  const user = { auth: 'user' } as const;

  router.helix('POST', '/moderation/bans', user, (req) => {
    const { broadcaster, moderator, room } = moderation(chat, req, 'moderator:manage:banned_users');
    const { user: target, duration, reason } = banBody(chat, req.body);
    const kind = duration === undefined ? 'banned' : 'put in a timeout';
    if (target.id === broadcaster.id || (room.moderators.has(target.id) && moderator.id !== broadcaster.id)) {
      throw new EmuHttpError(400, `The user specified in the user_id field may not be ${kind}.`);
    }
    const now = chat.now();
    if (room.banOf(target.id, now)?.expiresAt === null) {
      throw new EmuHttpError(400, 'The user specified in the user_id field is already banned.');
    }
    const expiresAt = duration === undefined ? null : now + duration * 1000;
    room.bans.set(target.id, {
      userId: target.id,
      moderatorId: moderator.id,
      reason,
      createdAt: now,
      expiresAt,
    });
    room.forgetMessagesOf(target.id);
    const createdAt = new Date(now).toISOString();
    const endTime = expiresAt === null ? null : new Date(expiresAt).toISOString();
    emitBan(chat, broadcaster, moderator, target, reason, createdAt, endTime);
    const wire: WireBannedUser = {
      broadcaster_id: broadcaster.id,
      moderator_id: moderator.id,
      user_id: target.id,
      created_at: createdAt,
      end_time: endTime,
    };
    return { status: 200, body: { data: [wire] } };
  });

  router.helix('DELETE', '/moderation/bans', user, (req) => {
    const { broadcaster, moderator, room } = moderation(chat, req, 'moderator:manage:banned_users');
    const target = queryUser(chat, req, 'user_id');
    const ban = room.banOf(target.id, chat.now());
    if (ban === undefined) throw new EmuHttpError(400, 'user is not banned');
    room.bans.delete(target.id);
    emitUnban(chat, broadcaster, moderator, target, ban.expiresAt !== null);
    return { status: 204 };
  });

  router.helix('DELETE', '/moderation/chat', user, (req) => {
    const { broadcaster, moderator, room } = moderation(chat, req, 'moderator:manage:chat_messages');
    const messageId = req.query.get('message_id');
    if (messageId === null || messageId === '') {
      room.messages.clear();
      emitClear(chat, broadcaster, moderator);
      return { status: 204 };
    }
    const message = room.messages.get(messageId);
    if (message === undefined || chat.now() - message.at > MESSAGE_DELETE_WINDOW_MS) {
      throw new EmuHttpError(404, 'The ID in message_id was not found.');
    }
    if (message.userId === broadcaster.id) {
      throw new EmuHttpError(400, "You may not delete the broadcaster's messages.");
    }
    if (room.moderators.has(message.userId) && message.userId !== moderator.id) {
      throw new EmuHttpError(400, "You may not delete another moderator's messages.");
    }
    room.messages.delete(messageId);
    const author = chat.platform.users.ensure(message.userId);
    emitMessageDelete(chat, broadcaster, moderator, author, message.id, message.text);
    return { status: 204 };
  });

  router.helix('GET', '/chat/chatters', user, (req) => {
    const { room } = moderation(chat, req, 'moderator:read:chatters');
    const ids = [...room.chatters];
    const page = usersPage(chat, req, ids, 100, MAX_CHATTERS_PAGE_SIZE);
    return { status: 200, body: { ...page, total: ids.length } };
  });

  for (const role of ['moderator', 'vip'] as const) {
    const path = role === 'moderator' ? '/moderation/moderators' : '/channels/vips';
    const read = role === 'moderator' ? 'moderation:read' : 'channel:read:vips';
    const manage = role === 'moderator' ? 'channel:manage:moderators' : 'channel:manage:vips';
    const holders = (room: ChatRoom): Set<string> => (role === 'moderator' ? room.moderators : room.vips);

    router.helix('GET', path, user, (req) => {
      const broadcaster = ownChannel(chat, req, [read, manage]);
      const filter = userFilter(req);
      const ids = [...holders(chat.room(broadcaster.id))].filter((id) => filter?.has(id) ?? true);
      return { status: 200, body: usersPage(chat, req, ids, 20, 100) };
    });

    router.helix('POST', path, user, (req) => {
      const broadcaster = ownChannel(chat, req, [manage]);
      const target = queryUser(chat, req, 'user_id');
      const room = chat.room(broadcaster.id);
      if (room.banOf(target.id, chat.now()) !== undefined) {
        throw new EmuHttpError(
          400,
          role === 'moderator'
            ? "The user in user_id cannot become a moderator because they're banned from the channel."
            : "The user in the user_id query parameter is blocked from the broadcaster's channel.",
        );
      }
      if (role === 'moderator') {
        if (room.moderators.has(target.id)) {
          throw new EmuHttpError(
            400,
            "The user in user_id is already a moderator in the broadcaster's chat room.",
          );
        }
        if (room.vips.has(target.id)) {
          throw new EmuHttpError(
            422,
            'The user in user_id is a VIP. To make them a moderator, you must first remove them as a VIP.',
          );
        }
      } else {
        if (room.moderators.has(target.id)) {
          throw new EmuHttpError(
            422,
            'The user in user_id is a moderator. To make them a VIP, you must first remove them as a moderator.',
          );
        }
        if (room.vips.has(target.id)) throw new EmuHttpError(422, 'The user in user_id is already a VIP.');
      }
      holders(room).add(target.id);
      emitRole(chat, broadcaster, target, role, true);
      return { status: 204 };
    });

    router.helix('DELETE', path, user, (req) => {
      const broadcaster = ownChannel(chat, req, [manage]);
      const target = queryUser(chat, req, 'user_id');
      const set = holders(chat.room(broadcaster.id));
      if (!set.delete(target.id)) {
        throw role === 'moderator'
          ? new EmuHttpError(400, "The user in user_id is not a moderator in the broadcaster's chat room.")
          : new EmuHttpError(422, "The user in user_id is not a VIP in the broadcaster's channel.");
      }
      emitRole(chat, broadcaster, target, role, false);
      return { status: 204 };
    });
  }
}
