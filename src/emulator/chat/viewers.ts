/**
 * The viewer simulator: `emu.chat()` and `POST /_emulator/chat` make a user say something in a channel, producing
 * the `channel.chat.message` Twitch would send (fragments for mentions, emotes and cheermotes, the room's badges, a
 * reply thread) through {@link EmulatorChat.publish}, the one path of chat messages.
 */
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { codePointLength, MAX_CHAT_MESSAGE_LENGTH } from '../../protocol/chat.js';
import type { EmuUserInfo } from '../http/types.js';
import {
  optionalString,
  rejectUnknownKeys,
  requireObject,
  requireString,
  USER_ID_PATTERN,
} from '../options.js';
import type { EmulatorChat } from './chat.js';
import { fragmentsOf } from './fragments.js';
import type { WireBadge, WireMessageFragment } from '../../catalogue/wire/common.js';

/** `message_type` values of `channel.chat.message` a simulated viewer can produce. */
export const CHAT_MESSAGE_TYPES = [
  'text',
  'channel_points_highlighted',
  'channel_points_sub_only',
  'user_intro',
  'power_ups_message_effect',
  'power_ups_gigantified_emote',
] as const;

/** A `message_type` of {@link CHAT_MESSAGE_TYPES}. */
export type ChatMessageType = (typeof CHAT_MESSAGE_TYPES)[number];

/** A badge given to {@link ViewerChatInput.badges}. */
export interface ViewerBadge {
  /** e.g. `subscriber`, `moderator`, `vip`, `founder`, `bits`. */
  readonly setId: string;
  /** Version within the set, e.g. `1`, `3012`. */
  readonly id: string;
  /** e.g. the months of a subscriber badge. @defaultValue `''` */
  readonly info?: string;
}

/**
 * Input of `emu.chat()`.
 *
 * @example
 * ```ts
 * emu.chat({ channel: 'thechannel', user: 'aviewer', text: '@chatbot !dice Kappa' });
 * ```
 */
export interface ViewerChatInput {
  /** The channel: a user id (created on demand) or a login (a new user is created when unknown). */
  readonly channel: string;
  /** The viewer who chats: a user id or a login, like `channel`. */
  readonly user: string;
  /** The message, 1..500 characters (code points). */
  readonly text: string;
  /** Badges; default: what the room's roles give the viewer (broadcaster, moderator, VIP, subscriber, staff). */
  readonly badges?: readonly ViewerBadge[];
  /** Name colour, `#RRGGBB`. @defaultValue the one the viewer chose (`PUT /helix/chat/color`), else `''` */
  readonly color?: string;
  /** Id of a message of this channel to reply to (threads like Twitch). */
  readonly replyTo?: string;
  /** @defaultValue `'text'` */
  readonly messageType?: ChatMessageType;
}

/** What `emu.chat()` published. */
export interface ViewerChatResult {
  readonly messageId: string;
  /** Notifications delivered to subscriptions (of this channel, and of shared-chat participants). */
  readonly delivered: number;
  readonly dropped: number;
  /** `message.fragments` of the event. */
  readonly fragments: readonly WireMessageFragment[];
  readonly badges: readonly WireBadge[];
  /** Bits cheered (sum of the cheermotes), 0 when none. */
  readonly bits: number;
}

const CHAT_KEYS = ['channel', 'user', 'text', 'badges', 'color', 'replyTo', 'messageType'];
const LOGIN = /^[A-Za-z0-9_]{1,25}$/;
const COLOR = /^#[0-9A-Fa-f]{6}$/;
/** Where ids of users created from a login start (far from the seeded ones and the ids tests choose). */
const FIRST_GENERATED_ID = 800_000_001;
/** Most badges a message may carry. */
const MAX_BADGES = 10;

const nextIds = new WeakMap<EmulatorChat, number>();

/**
 * The user named by `value` (an id or a login), created on demand: an unknown id becomes a user `user<id>`, an
 * unknown login a user with a fresh id. Throws {@link InvalidArgumentError} naming `field` otherwise.
 */
export function resolveChatUser(chat: EmulatorChat, value: unknown, field: string): EmuUserInfo {
  const name = checkChatUser(value, field);
  const users = chat.platform.users;
  if (USER_ID_PATTERN.test(name)) return users.ensure(name);
  const known = users.byLogin(name);
  if (known !== undefined) return known;
  let id = nextIds.get(chat) ?? FIRST_GENERATED_ID;
  while (users.byId(String(id)) !== undefined) id++;
  nextIds.set(chat, id + 1);
  return users.ensure(String(id), name);
}

/** `value` as a user id or login, else {@link InvalidArgumentError} naming `field`. */
function checkChatUser(value: unknown, field: string): string {
  const name = requireString(value, field);
  if (!USER_ID_PATTERN.test(name) && !LOGIN.test(name)) {
    throw new InvalidArgumentError(
      `${field} must be a user id (1-20 digits) or a login (1-25 letters, digits, _)`,
      field,
    );
  }
  return name;
}

/** The user named by an id or login, if it exists. */
function existingUser(chat: EmulatorChat, name: string): EmuUserInfo | undefined {
  const users = chat.platform.users;
  return USER_ID_PATTERN.test(name) ? users.byId(name) : users.byLogin(name);
}

function checkBadges(value: unknown): WireBadge[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_BADGES) {
    throw new InvalidArgumentError(`badges must be an array of at most ${MAX_BADGES} badges`, 'badges');
  }
  return value.map((item: unknown, i) => {
    const field = `badges[${i}]`;
    const badge = requireObject(item, field);
    rejectUnknownKeys(badge, ['setId', 'id', 'info'], `${field}.`);
    return {
      set_id: requireString(badge.setId, `${field}.setId`),
      id: requireString(badge.id, `${field}.id`),
      info: badge.info === undefined || badge.info === '' ? '' : requireString(badge.info, `${field}.info`),
    };
  });
}

/**
 * Checks a {@link ViewerChatInput} and publishes the message. Throws {@link InvalidArgumentError} naming the field
 * on a bad input (an unknown `replyTo` included), and `TwitchError` `CHATTER_BANNED` when the viewer is banned or
 * timed out in the channel (nothing is published).
 */
export function viewerChat(chat: EmulatorChat, input: ViewerChatInput): ViewerChatResult {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, CHAT_KEYS);
  const text = requireString(obj.text, 'text');
  if (text.trim() === '') throw new InvalidArgumentError('text must not be blank', 'text');
  if (codePointLength(text) > MAX_CHAT_MESSAGE_LENGTH) {
    throw new InvalidArgumentError(`text must be at most ${MAX_CHAT_MESSAGE_LENGTH} characters`, 'text');
  }
  const badges = checkBadges(obj.badges);
  const color = optionalString(obj.color, 'color');
  if (color !== undefined && !COLOR.test(color)) {
    throw new InvalidArgumentError('color must be a hex colour #RRGGBB', 'color');
  }
  const messageType = optionalString(obj.messageType, 'messageType') ?? 'text';
  if (!(CHAT_MESSAGE_TYPES as readonly string[]).includes(messageType)) {
    throw new InvalidArgumentError(
      `messageType must be one of ${CHAT_MESSAGE_TYPES.join(', ')}`,
      'messageType',
    );
  }
  const replyId = optionalString(obj.replyTo, 'replyTo');
  const channelName = checkChatUser(obj.channel, 'channel');
  const userName = checkChatUser(obj.user, 'user');
  if (replyId !== undefined) {
    // Before any user is created: a bad input creates nobody.
    const known = existingUser(chat, channelName);
    const remembered = known === undefined ? undefined : chat.rooms.find(known.id)?.messages.get(replyId);
    if (remembered === undefined) {
      throw new InvalidArgumentError(`replyTo names no recent message of channel ${channelName}`, 'replyTo');
    }
  }
  const broadcaster = resolveChatUser(chat, channelName, 'channel');
  const room = chat.room(broadcaster.id);
  const replyTo = replyId === undefined ? undefined : room.messages.get(replyId);
  const chatter = resolveChatUser(chat, userName, 'user');
  const ban = room.banOf(chatter.id, chat.now());
  if (ban !== undefined) {
    throw new TwitchError(
      'CHATTER_BANNED',
      `${chatter.login} is ${ban.expiresAt === null ? 'banned' : 'timed out'} in channel ${broadcaster.login}`,
    );
  }
  const { fragments, bits } = fragmentsOf(text, (login) => chat.platform.users.byLogin(login));
  const shownBadges = badges ?? room.badgesOf(chatter.id, chatter);
  const published = chat.publish({
    broadcaster,
    chatter,
    text,
    replyTo,
    badges: shownBadges,
    color,
    extra: {
      message: { text, fragments },
      message_type: messageType,
      cheer: bits > 0 ? { bits } : null,
    },
  });
  return {
    messageId: published.messageId,
    delivered: published.delivered,
    dropped: published.dropped,
    fragments,
    badges: shownBadges,
    bits,
  };
}
