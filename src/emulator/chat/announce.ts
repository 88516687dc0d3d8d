/**
 * `POST /helix/chat/announcements` and `POST /helix/chat/shoutouts` with Twitch's rules.
 *
 * Announcements: a user token with `moderator:manage:announcements` whose user is `moderator_id` (401) and the
 * broadcaster or a moderator (403); a non-blank `message` (400; past 500 characters it is cut, as Twitch does), a
 * `color` among primary/blue/green/orange/purple (400); 204, and `channel.chat.notification` (`notice_type`
 * `announcement`, colour in capitals as EventSub carries it) to the channel's subscriptions; one announcement per
 * moderator and channel every 2 seconds (429).
 *
 * Shoutouts: `moderator:manage:shoutouts`, the same moderator rule; not to oneself (400); one per channel per 2
 * minutes and the same target once per 60 minutes (429). Every channel of the emulator counts as live (it has no
 * streams), with 0 viewers. 204, then `channel.shoutout.create` (to the giver's subscriptions) and
 * `channel.shoutout.receive` (to the target's).
 */
import {
  ANNOUNCEMENT_COLORS,
  ANNOUNCEMENT_INTERVAL_MS,
  codePointLength,
  MAX_CHAT_MESSAGE_LENGTH,
  SHOUTOUT_COOLDOWN_MS,
} from '../../protocol/chat.js';
import { trigger } from '../eventsub/trigger.js';
import { objectBody, optionalString } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuRouter } from '../http/types.js';
import type { EmulatorChat } from './chat.js';
import { moderatorOf, queryUser } from './settings.js';

/** The first `max` code points of `text`. */
export function cutToCodePoints(text: string, max: number): string {
  if (codePointLength(text) <= max) return text;
  let out = '';
  let n = 0;
  for (const c of text) {
    if (n++ === max) break;
    out += c;
  }
  return out;
}

/** The notice objects of `channel.chat.notification`: all null but the announcement's. */
const NOTICE_KEYS = [
  'sub',
  'resub',
  'sub_gift',
  'community_sub_gift',
  'gift_paid_upgrade',
  'prime_paid_upgrade',
  'pay_it_forward',
  'raid',
  'unraid',
  'bits_badge_tier',
  'charity_donation',
  'watch_streak',
  'modiversary',
  'shared_chat_sub',
  'shared_chat_resub',
  'shared_chat_sub_gift',
  'shared_chat_community_sub_gift',
  'shared_chat_gift_paid_upgrade',
  'shared_chat_prime_paid_upgrade',
  'shared_chat_pay_it_forward',
  'shared_chat_raid',
  'shared_chat_announcement',
  'shared_chat_modiversary',
] as const;

const NO_NOTICE: Readonly<Record<string, null>> = Object.fromEntries(NOTICE_KEYS.map((k) => [k, null]));

/**
 * One cooldown per key (a channel, a pair of users): when each key last acted, in time order, and forgotten once its
 * cooldown is over, so that memory holds only the keys cooling down.
 */
class Cooldowns {
  /** By key, oldest first. */
  readonly #at = new Map<string, number>();

  constructor(readonly windowMs: number) {}

  /** Whether `key` is still cooling down at `now`. */
  busy(key: string, now: number): boolean {
    for (const [k, at] of this.#at) {
      if (now - at < this.windowMs) break;
      this.#at.delete(k);
    }
    const at = this.#at.get(key);
    return at !== undefined && now - at < this.windowMs;
  }

  /** Starts `key`'s cooldown at `now`. */
  record(key: string, now: number): void {
    this.#at.delete(key);
    this.#at.set(key, now);
  }
}

/** Registers `POST /chat/announcements` and `POST /chat/shoutouts`. */
export function registerAnnouncementRoutes(router: EmuRouter, chat: EmulatorChat): void {
  const announcements = new Cooldowns(ANNOUNCEMENT_INTERVAL_MS);
  router.helix(
    'POST',
    '/chat/announcements',
    { auth: 'user', bodyParams: { message: 'string', color: 'string' } },
    (req) => {
      const broadcaster = queryUser(chat, req, 'broadcaster_id');
      const room = chat.room(broadcaster.id);
      const moderator = moderatorOf(chat, req, room, 'moderator:manage:announcements');
      const body = objectBody(req.body);
      const message = optionalString(body, 'message');
      if (message === undefined || message.trim() === '') {
        throw new EmuHttpError(400, 'The message field is required.');
      }
      const color = optionalString(body, 'color') ?? 'primary';
      if (!(ANNOUNCEMENT_COLORS as readonly string[]).includes(color)) {
        throw new EmuHttpError(400, `The color field must be one of ${ANNOUNCEMENT_COLORS.join(', ')}.`);
      }
      const now = chat.now();
      const key = `${broadcaster.id}:${moderator.id}`;
      if (announcements.busy(key, now)) {
        throw new EmuHttpError(
          429,
          'The sender has exceeded the number of announcements they may send to this broadcaster_id.',
        );
      }
      announcements.record(key, now);
      const text = cutToCodePoints(message, MAX_CHAT_MESSAGE_LENGTH);
      trigger(chat.core, {
        type: 'channel.chat.notification',
        version: '1',
        condition: { broadcaster_user_id: broadcaster.id },
        event: {
          broadcaster_user_id: broadcaster.id,
          broadcaster_user_login: broadcaster.login,
          broadcaster_user_name: broadcaster.display_name,
          chatter_user_id: moderator.id,
          chatter_user_login: moderator.login,
          chatter_user_name: moderator.display_name,
          chatter_is_anonymous: false,
          color: chat.colors.get(moderator.id) ?? '',
          badges: room.badgesOf(moderator.id, moderator),
          system_message: '',
          message: {
            text,
            fragments: [{ type: 'text', text, cheermote: null, emote: null, mention: null }],
          },
          notice_type: 'announcement',
          ...NO_NOTICE,
          announcement: { color: color.toUpperCase() },
          source_broadcaster_user_id: null,
          source_broadcaster_user_login: null,
          source_broadcaster_user_name: null,
          source_message_id: null,
          source_badges: null,
          is_source_only: null,
        },
      });
      return { status: 204 };
    },
  );

  const byChannel = new Cooldowns(SHOUTOUT_COOLDOWN_MS.channel);
  const byTarget = new Cooldowns(SHOUTOUT_COOLDOWN_MS.target);
  router.helix('POST', '/chat/shoutouts', { auth: 'user' }, (req) => {
    const from = queryUser(chat, req, 'from_broadcaster_id');
    const to = queryUser(chat, req, 'to_broadcaster_id');
    const room = chat.room(from.id);
    const moderator = moderatorOf(chat, req, room, 'moderator:manage:shoutouts');
    if (from.id === to.id) throw new EmuHttpError(400, 'The broadcaster may not give themselves a Shoutout.');
    const now = chat.now();
    const pair = `${from.id}:${to.id}`;
    if (byChannel.busy(from.id, now)) {
      throw new EmuHttpError(429, 'The broadcaster may send one Shoutout every 2 minutes.');
    }
    if (byTarget.busy(pair, now)) {
      throw new EmuHttpError(
        429,
        'The broadcaster may shout out the same broadcaster once every 60 minutes.',
      );
    }
    byChannel.record(from.id, now);
    byTarget.record(pair, now);
    const startedAt = new Date(now).toISOString();
    trigger(chat.core, {
      type: 'channel.shoutout.create',
      version: '1',
      condition: { broadcaster_user_id: from.id },
      event: {
        broadcaster_user_id: from.id,
        broadcaster_user_login: from.login,
        broadcaster_user_name: from.display_name,
        moderator_user_id: moderator.id,
        moderator_user_login: moderator.login,
        moderator_user_name: moderator.display_name,
        to_broadcaster_user_id: to.id,
        to_broadcaster_user_login: to.login,
        to_broadcaster_user_name: to.display_name,
        started_at: startedAt,
        viewer_count: 0,
        cooldown_ends_at: new Date(now + SHOUTOUT_COOLDOWN_MS.channel).toISOString(),
        target_cooldown_ends_at: new Date(now + SHOUTOUT_COOLDOWN_MS.target).toISOString(),
      },
    });
    trigger(chat.core, {
      type: 'channel.shoutout.receive',
      version: '1',
      condition: { broadcaster_user_id: to.id },
      event: {
        broadcaster_user_id: to.id,
        broadcaster_user_login: to.login,
        broadcaster_user_name: to.display_name,
        from_broadcaster_user_id: from.id,
        from_broadcaster_user_login: from.login,
        from_broadcaster_user_name: from.display_name,
        viewer_count: 0,
        started_at: startedAt,
      },
    });
    return { status: 204 };
  });
}
