/**
 * `POST /helix/chat/messages` with Twitch's rules: the body (400), the token (`user:write:chat`; a user token sends
 * as its own user, 401 otherwise; an app token needs `user:bot` from the sender and `channel:bot` from the
 * broadcaster or the sender's moderator status, 403 otherwise), the length (422 past 500 characters), the reply
 * parent (400 when unknown), then the room's verdict: a banned or timed-out sender, a duplicate, the channel's modes
 * or the send limits (limits.ts) give `is_sent: false` with its `drop_reason`. A sent message is published as `channel.chat.message` to every subscription of the channel.
 */
import { codePointLength, MAX_CHAT_MESSAGE_LENGTH } from '../../protocol/chat.js';
import type { WireSentChatMessage } from '../../protocol/chat.js';
import { objectBody, optionalString } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { AuthContext, EmuRequest, EmuRouter, EmuUserInfo } from '../http/types.js';
import type { EmulatorChat } from './chat.js';

/** A required id field of a chat body: 400 when missing, or naming no user. */
export function requiredUser(chat: EmulatorChat, body: Record<string, unknown>, key: string): EmuUserInfo {
  const id = optionalString(body, key);
  if (id === undefined || id === '') throw new EmuHttpError(400, `The ${key} query parameter is required.`);
  const user = chat.platform.users.byId(id);
  if (user === undefined) throw new EmuHttpError(400, `The ID in the ${key} query parameter is not valid.`);
  return user;
}

/** The caller of an authenticated route. */
export function callerOf(req: EmuRequest): AuthContext {
  if (req.auth === null) throw new EmuHttpError(401, 'OAuth token is missing');
  return req.auth;
}

/** Whether `userId` granted `scope` to `clientId`. */
export function granted(chat: EmulatorChat, clientId: string, userId: string, scope: string): boolean {
  return chat.platform.auth.grantedScopes(clientId, userId)?.has(scope) === true;
}

/** A dropped message's answer. */
export function dropped(code: string, message: string): { data: WireSentChatMessage[] } {
  return { data: [{ message_id: '', is_sent: false, drop_reason: { code, message } }] };
}

/** Registers `POST /chat/messages`. */
export function registerSendRoute(router: EmuRouter, chat: EmulatorChat): void {
  router.helix(
    'POST',
    '/chat/messages',
    {
      auth: 'any',
      bodyParams: {
        broadcaster_id: 'string',
        sender_id: 'string',
        message: 'string',
        reply_parent_message_id: 'string',
        for_source_only: 'boolean',
      },
    },
    (req) => {
      const caller = callerOf(req);
      const body = objectBody(req.body);
      const broadcaster = requiredUser(chat, body, 'broadcaster_id');
      const sender = requiredUser(chat, body, 'sender_id');
      const text = optionalString(body, 'message');
      if (text === undefined || text.trim() === '') {
        throw new EmuHttpError(400, 'The text query parameter is required.');
      }
      const replyId = optionalString(body, 'reply_parent_message_id');
      const forSourceOnly = body.for_source_only;
      if (forSourceOnly !== undefined && typeof forSourceOnly !== 'boolean') {
        throw new EmuHttpError(400, '"for_source_only" must be a boolean');
      }
      const room = chat.room(broadcaster.id);
      if (caller.kind === 'user') {
        if (forSourceOnly !== undefined) {
          throw new EmuHttpError(400, 'Cannot set for_source_only if User Access Token is used.');
        }
        if (!caller.scopes.has('user:write:chat')) {
          throw new EmuHttpError(401, 'Missing scope: user:write:chat');
        }
        if (caller.userId !== sender.id) {
          throw new EmuHttpError(
            401,
            'The ID in the sender_id query parameter must match the user ID in the access token.',
          );
        }
      } else {
        const ok =
          granted(chat, caller.clientId, sender.id, 'user:write:chat') &&
          granted(chat, caller.clientId, sender.id, 'user:bot') &&
          (sender.id === broadcaster.id ||
            granted(chat, caller.clientId, broadcaster.id, 'channel:bot') ||
            room.moderators.has(sender.id));
        if (!ok) {
          throw new EmuHttpError(
            403,
            'The sender is not permitted to send chat messages to the broadcaster’s chat room.',
          );
        }
      }
      if (codePointLength(text) > MAX_CHAT_MESSAGE_LENGTH) {
        throw new EmuHttpError(422, 'The message is too large.');
      }
      const replyTo = replyId === undefined ? undefined : room.messages.get(replyId);
      if (replyId !== undefined && replyTo === undefined) {
        throw new EmuHttpError(400, 'The ID in the reply_parent_message_id query parameter is not valid.');
      }
      const now = chat.now();
      const ban = room.banOf(sender.id, now);
      if (ban !== undefined) {
        const code = ban.expiresAt === null ? 'msg_banned' : 'msg_timedout';
        chat.limits.countDrop(code);
        return {
          status: 200,
          body:
            ban.expiresAt === null
              ? dropped(code, 'You are permanently banned from talking in this channel.')
              : dropped(code, 'You are timed out from talking in this channel.'),
        };
      }
      const drop = chat.limits.check(room, sender.id, text, now);
      if (drop !== undefined) return { status: 200, body: dropped(drop.code, drop.message) };
      chat.limits.record(room, sender.id, text, now);
      // In a shared chat session an app token's message stays in its channel unless `for_source_only: false`;
      // a user token's always reaches every participant (Twitch's default since 2025).
      const sourceOnly = caller.kind !== 'user' && forSourceOnly !== false;
      const { messageId } = chat.publish({ broadcaster, chatter: sender, text, replyTo, sourceOnly });
      const sent: WireSentChatMessage = { message_id: messageId, is_sent: true };
      return { status: 200, body: { data: [sent] } };
    },
  );
}
