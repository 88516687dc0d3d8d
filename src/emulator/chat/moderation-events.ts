/**
 * The EventSub notifications of moderation, as Twitch sends them: `channel.ban` / `channel.unban`,
 * `channel.chat.clear_user_messages`, `channel.chat.message_delete`, `channel.chat.clear`,
 * `channel.moderator.add` / `remove`, `channel.vip.add` / `remove`, and `channel.moderate` (v1 and v2) for each
 * action. Each goes to every enabled subscription of its type whose condition names the broadcaster.
 */
import { MODERATE_OBJECTS } from '../../catalogue/variants.js';
import { trigger } from '../eventsub/trigger.js';
import type { EmuUserInfo } from '../http/types.js';
import type { EmulatorChat } from './chat.js';

/** `<prefix>_id`, `<prefix>_login`, `<prefix>_name` of a user (`user`, `broadcaster_user`, ...). */
export function userFields(prefix: string, user: EmuUserInfo): Record<string, string> {
  return {
    [`${prefix}_id`]: user.id,
    [`${prefix}_login`]: user.login,
    [`${prefix}_name`]: user.display_name,
  };
}

/** Sends one event of `type` v1 to the subscriptions of the channel. */
function emit(
  chat: EmulatorChat,
  type: string,
  broadcaster: EmuUserInfo,
  event: Record<string, unknown>,
): void {
  trigger(chat.core, {
    type,
    version: '1',
    condition: { broadcaster_user_id: broadcaster.id },
    event: { ...userFields('broadcaster_user', broadcaster), ...event },
  });
}

/**
 * `channel.moderate` v1 and v2: `action`, and `details` under the field of that name when the action has one
 * (`ban: { user_id, ..., reason }`), every other action field `null`.
 */
export function emitModerate(
  chat: EmulatorChat,
  broadcaster: EmuUserInfo,
  moderator: EmuUserInfo,
  action: string,
  details?: Record<string, unknown>,
): void {
  const event: Record<string, unknown> = {
    ...userFields('broadcaster_user', broadcaster),
    ...userFields('moderator_user', moderator),
    source_broadcaster_user_id: null,
    source_broadcaster_user_login: null,
    source_broadcaster_user_name: null,
    action,
  };
  for (const key of MODERATE_OBJECTS) event[key] = null;
  if (details !== undefined) event[action] = details;
  for (const version of ['1', '2']) {
    trigger(chat.core, {
      type: 'channel.moderate',
      version,
      condition: { broadcaster_user_id: broadcaster.id },
      // v2's `warn` is null from the catalogue's template, which nulls the fields of other actions.
      event,
    });
  }
}

/** A ban (`endsAt` null) or a timeout: `channel.ban`, `channel.moderate`, `channel.chat.clear_user_messages`. */
export function emitBan(
  chat: EmulatorChat,
  broadcaster: EmuUserInfo,
  moderator: EmuUserInfo,
  user: EmuUserInfo,
  reason: string,
  bannedAt: string,
  endsAt: string | null,
): void {
  emit(chat, 'channel.ban', broadcaster, {
    ...userFields('user', user),
    ...userFields('moderator_user', moderator),
    reason,
    banned_at: bannedAt,
    ends_at: endsAt,
    is_permanent: endsAt === null,
  });
  const target = { ...userFields('user', user), reason: reason === '' ? null : reason };
  if (endsAt === null) emitModerate(chat, broadcaster, moderator, 'ban', target);
  else emitModerate(chat, broadcaster, moderator, 'timeout', { ...target, expires_at: endsAt });
  emit(chat, 'channel.chat.clear_user_messages', broadcaster, userFields('target_user', user));
}

/** The end of a ban or timeout: `channel.unban`, `channel.moderate` (`unban` or `untimeout`). */
export function emitUnban(
  chat: EmulatorChat,
  broadcaster: EmuUserInfo,
  moderator: EmuUserInfo,
  user: EmuUserInfo,
  wasTimeout: boolean,
): void {
  emit(chat, 'channel.unban', broadcaster, {
    ...userFields('user', user),
    ...userFields('moderator_user', moderator),
  });
  emitModerate(chat, broadcaster, moderator, wasTimeout ? 'untimeout' : 'unban', userFields('user', user));
}

/** A deleted message: `channel.chat.message_delete`, `channel.moderate` (`delete`). */
export function emitMessageDelete(
  chat: EmulatorChat,
  broadcaster: EmuUserInfo,
  moderator: EmuUserInfo,
  author: EmuUserInfo,
  messageId: string,
  text: string,
): void {
  emit(chat, 'channel.chat.message_delete', broadcaster, {
    ...userFields('target_user', author),
    message_id: messageId,
  });
  emitModerate(chat, broadcaster, moderator, 'delete', {
    ...userFields('user', author),
    message_id: messageId,
    message_body: text,
  });
}

/** A cleared chat: `channel.chat.clear`, `channel.moderate` (`clear`). */
export function emitClear(chat: EmulatorChat, broadcaster: EmuUserInfo, moderator: EmuUserInfo): void {
  emit(chat, 'channel.chat.clear', broadcaster, {});
  emitModerate(chat, broadcaster, moderator, 'clear');
}

/**
 * A role given or taken through Helix: `channel.moderator.add` / `remove` or `channel.vip.add` / `remove`, and
 * `channel.moderate` (`mod`, `unmod`, `vip`, `unvip`), the broadcaster acting.
 */
export function emitRole(
  chat: EmulatorChat,
  broadcaster: EmuUserInfo,
  user: EmuUserInfo,
  role: 'moderator' | 'vip',
  granted: boolean,
): void {
  emit(chat, `channel.${role}.${granted ? 'add' : 'remove'}`, broadcaster, userFields('user', user));
  const action = (granted ? '' : 'un') + (role === 'moderator' ? 'mod' : 'vip');
  emitModerate(chat, broadcaster, broadcaster, action, userFields('user', user));
}
