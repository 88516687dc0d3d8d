/**
 * `GET /helix/chat/settings` and `PATCH /helix/chat/settings` with Twitch's rules. Reading takes any token; naming a
 * `moderator_id` (which must be the token's user, and the broadcaster or one of its moderators) adds the
 * non-moderator chat delay. Updating takes a user token with `moderator:manage:chat_settings` whose user is
 * `moderator_id` (401 otherwise) and the broadcaster or a moderator (403 otherwise); a duration needs its mode set to
 * `true` in the same request (400 otherwise, as Twitch asks), ranges are Twitch's (slow mode 3-120 s, followers-only
 * 0-129,600 min, delay 2, 4 or 6 s). An update emits `channel.chat_settings.update` to the channel's subscriptions,
 * and `channel.moderate` (v1 and v2) for each mode it turns on or off (`slow`, `slowoff`, `followers`...).
 */
import {
  FOLLOWER_MODE_DURATION,
  NON_MODERATOR_CHAT_DELAYS,
  SLOW_MODE_WAIT,
  type WireChatSettings,
} from '../../protocol/chat.js';
import { trigger } from '../eventsub/trigger.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { AuthContext, EmuRequest, EmuRouter, EmuUserInfo } from '../http/types.js';
import type { EmulatorChat } from './chat.js';
import type { ChatRoom, RoomChatSettings } from './rooms.js';
import { emitModerate } from './moderation-events.js';
import { callerOf } from './send.js';

/** A required user id in the query string: 400 when missing or naming no user. */
export function queryUser(chat: EmulatorChat, req: EmuRequest, key: string): EmuUserInfo {
  const id = req.query.get(key);
  if (id === null || id === '') throw new EmuHttpError(400, `The ${key} query parameter is required.`);
  const user = chat.platform.users.byId(id);
  if (user === undefined) throw new EmuHttpError(400, `The ID in the ${key} query parameter is not valid.`);
  return user;
}

/**
 * The moderator of a moderator route: `moderator_id` must be the user of a user token holding `scope` (401), and the
 * broadcaster or one of its moderators (403).
 */
export function moderatorOf(
  chat: EmulatorChat,
  req: EmuRequest,
  room: ChatRoom,
  scope: string,
  key = 'moderator_id',
): EmuUserInfo {
  const caller: AuthContext = callerOf(req);
  const moderator = queryUser(chat, req, key);
  if (caller.kind !== 'user') throw new EmuHttpError(401, 'The access token must be a user access token.');
  if (!caller.scopes.has(scope)) throw new EmuHttpError(401, `Missing scope: ${scope}`);
  if (caller.userId !== moderator.id) {
    throw new EmuHttpError(401, `The ID in ${key} must match the user ID in the access token.`);
  }
  if (!room.isElevated(moderator.id)) {
    throw new EmuHttpError(403, `The user in ${key} is not one of the broadcaster's moderators.`);
  }
  return moderator;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new EmuHttpError(400, `"${key}" must be a boolean`);
  return value;
}

function optionalInteger(
  body: Record<string, unknown>,
  key: string,
  ok: (n: number) => boolean,
  range: string,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !ok(value)) {
    throw new EmuHttpError(400, `"${key}" must be an integer ${range}`);
  }
  return value;
}

/** A mode and its duration: the duration needs the mode set to true in the same request. */
function mode(
  body: Record<string, unknown>,
  modeKey: string,
  durationKey: string,
  duration: number | undefined,
  current: { on: boolean; duration: number | null },
  fallback: number,
): { on: boolean; duration: number | null } {
  const on = optionalBoolean(body, modeKey);
  if (duration !== undefined && on !== true) {
    throw new EmuHttpError(400, `To set ${durationKey}, the request must also set ${modeKey} to true.`);
  }
  if (on === undefined) return current;
  if (!on) return { on: false, duration: null };
  return { on: true, duration: duration ?? current.duration ?? fallback };
}

/** Applies an update body to `settings` (400 on a bad value; nothing changes then). */
export function updatedSettings(settings: RoomChatSettings, body: Record<string, unknown>): RoomChatSettings {
  const slowWait = optionalInteger(
    body,
    'slow_mode_wait_time',
    (n) => n >= SLOW_MODE_WAIT.min && n <= SLOW_MODE_WAIT.max,
    `from ${SLOW_MODE_WAIT.min} to ${SLOW_MODE_WAIT.max}`,
  );
  const followerDuration = optionalInteger(
    body,
    'follower_mode_duration',
    (n) => n >= FOLLOWER_MODE_DURATION.min && n <= FOLLOWER_MODE_DURATION.max,
    `from ${FOLLOWER_MODE_DURATION.min} to ${FOLLOWER_MODE_DURATION.max}`,
  );
  const delay = optionalInteger(
    body,
    'non_moderator_chat_delay_duration',
    (n) => (NON_MODERATOR_CHAT_DELAYS as readonly number[]).includes(n),
    `in ${NON_MODERATOR_CHAT_DELAYS.join(', ')}`,
  );
  const slow = mode(
    body,
    'slow_mode',
    'slow_mode_wait_time',
    slowWait,
    { on: settings.slow_mode, duration: settings.slow_mode_wait_time },
    SLOW_MODE_WAIT.default,
  );
  const follower = mode(
    body,
    'follower_mode',
    'follower_mode_duration',
    followerDuration,
    { on: settings.follower_mode, duration: settings.follower_mode_duration },
    FOLLOWER_MODE_DURATION.default,
  );
  const chatDelay = mode(
    body,
    'non_moderator_chat_delay',
    'non_moderator_chat_delay_duration',
    delay,
    { on: settings.non_moderator_chat_delay, duration: settings.non_moderator_chat_delay_duration },
    NON_MODERATOR_CHAT_DELAYS[0],
  );
  return {
    emote_mode: optionalBoolean(body, 'emote_mode') ?? settings.emote_mode,
    follower_mode: follower.on,
    follower_mode_duration: follower.duration,
    non_moderator_chat_delay: chatDelay.on,
    non_moderator_chat_delay_duration: chatDelay.duration,
    slow_mode: slow.on,
    slow_mode_wait_time: slow.duration,
    subscriber_mode: optionalBoolean(body, 'subscriber_mode') ?? settings.subscriber_mode,
    unique_chat_mode: optionalBoolean(body, 'unique_chat_mode') ?? settings.unique_chat_mode,
  };
}

/**
 * The `channel.moderate` actions of a settings change, as Twitch sends them: one per mode turned on (`slow` with
 * its wait, `followers` with its duration, also when only the duration changed) or off (`slowoff`...).
 */
export function moderateActions(
  before: RoomChatSettings,
  after: RoomChatSettings,
): [string, Record<string, unknown> | undefined][] {
  const actions: [string, Record<string, unknown> | undefined][] = [];
  const toggle = (was: boolean, is: boolean, on: string, details?: Record<string, unknown>): void => {
    if (is) actions.push([on, details]);
    else if (was) actions.push([`${on}off`, undefined]);
  };
  if (before.emote_mode !== after.emote_mode) toggle(before.emote_mode, after.emote_mode, 'emoteonly');
  if (
    before.follower_mode !== after.follower_mode ||
    before.follower_mode_duration !== after.follower_mode_duration
  ) {
    toggle(before.follower_mode, after.follower_mode, 'followers', {
      follow_duration_minutes: after.follower_mode_duration,
    });
  }
  if (before.slow_mode !== after.slow_mode || before.slow_mode_wait_time !== after.slow_mode_wait_time) {
    toggle(before.slow_mode, after.slow_mode, 'slow', { wait_time_seconds: after.slow_mode_wait_time });
  }
  if (before.subscriber_mode !== after.subscriber_mode) {
    toggle(before.subscriber_mode, after.subscriber_mode, 'subscribers');
  }
  if (before.unique_chat_mode !== after.unique_chat_mode) {
    toggle(before.unique_chat_mode, after.unique_chat_mode, 'uniquechat');
  }
  return actions;
}

/** The wire item of a room's settings; the delay only for a moderator's request. */
function wireSettings(room: ChatRoom, moderatorId: string | undefined): WireChatSettings {
  const s = room.settings;
  const base = {
    broadcaster_id: room.broadcasterId,
    emote_mode: s.emote_mode,
    follower_mode: s.follower_mode,
    follower_mode_duration: s.follower_mode_duration,
    slow_mode: s.slow_mode,
    slow_mode_wait_time: s.slow_mode_wait_time,
    subscriber_mode: s.subscriber_mode,
    unique_chat_mode: s.unique_chat_mode,
  };
  if (moderatorId === undefined) return base;
  return {
    ...base,
    moderator_id: moderatorId,
    non_moderator_chat_delay: s.non_moderator_chat_delay,
    non_moderator_chat_delay_duration: s.non_moderator_chat_delay_duration,
  };
}

/** Registers `GET /chat/settings` and `PATCH /chat/settings`. */
export function registerSettingsRoutes(router: EmuRouter, chat: EmulatorChat): void {
  router.helix('GET', '/chat/settings', { auth: 'any' }, (req) => {
    const broadcaster = queryUser(chat, req, 'broadcaster_id');
    const room = chat.room(broadcaster.id);
    const moderatorId = req.query.get('moderator_id');
    if (moderatorId === null || moderatorId === '') {
      return { status: 200, body: { data: [wireSettings(room, undefined)] } };
    }
    const caller = callerOf(req);
    if (caller.kind !== 'user' || caller.userId !== moderatorId) {
      throw new EmuHttpError(
        401,
        "The ID in moderator_id must match the user ID found in the request's OAuth token.",
      );
    }
    // Twitch answers a non-moderator's request without the delay fields rather than refusing it.
    const elevated = room.isElevated(moderatorId);
    return { status: 200, body: { data: [wireSettings(room, elevated ? moderatorId : undefined)] } };
  });

  router.helix(
    'PATCH',
    '/chat/settings',
    {
      auth: 'user',
      bodyParams: {
        emote_mode: 'boolean',
        follower_mode: 'boolean',
        follower_mode_duration: 'integer',
        non_moderator_chat_delay: 'boolean',
        non_moderator_chat_delay_duration: 'integer',
        slow_mode: 'boolean',
        slow_mode_wait_time: 'integer',
        subscriber_mode: 'boolean',
        unique_chat_mode: 'boolean',
      },
    },
    (req) => {
      const broadcaster = queryUser(chat, req, 'broadcaster_id');
      const room = chat.room(broadcaster.id);
      const moderator = moderatorOf(chat, req, room, 'moderator:manage:chat_settings');
      const body = objectBody(req.body);
      const before = room.settings;
      room.settings = updatedSettings(before, body);
      const s = room.settings;
      for (const [action, details] of moderateActions(before, s)) {
        emitModerate(chat, broadcaster, moderator, action, details);
      }
      trigger(chat.core, {
        type: 'channel.chat_settings.update',
        version: '1',
        condition: { broadcaster_user_id: broadcaster.id },
        event: {
          broadcaster_user_id: broadcaster.id,
          broadcaster_user_login: broadcaster.login,
          broadcaster_user_name: broadcaster.display_name,
          emote_mode: s.emote_mode,
          follower_mode: s.follower_mode,
          follower_mode_duration_minutes: s.follower_mode_duration,
          slow_mode: s.slow_mode,
          slow_mode_wait_time_seconds: s.slow_mode_wait_time,
          subscriber_mode: s.subscriber_mode,
          unique_chat_mode: s.unique_chat_mode,
        },
      });
      return { status: 200, body: { data: [wireSettings(room, moderator.id)] } };
    },
  );
}
