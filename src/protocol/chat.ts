/**
 * Twitch chat over Helix: the limits and wire shapes that the client (helix, bot) and the emulator share. Sources:
 * Helix reference "Send Chat Message" (422 past 500 characters, `is_sent` and `drop_reason`), Twitch's chat rate
 * limits (20 messages per 30 s in a channel where the sender is neither broadcaster nor moderator, 100 per 30 s
 * where it is; a verified bot's site-wide 7,500 per 30 s on top).
 */
import { fail } from '../core/options.js';

/** Longest chat message Twitch accepts, in characters (Unicode code points); longer is a 422. */
export const MAX_CHAT_MESSAGE_LENGTH = 500;

/**
 * Length of `text` in Unicode code points (what Twitch's 500 counts), without building an array.
 *
 * @throws {@link InvalidArgumentError} (field `text`) when `text` is not a string.
 * @example
 * ```ts
 * codePointLength('hi 😀'); // 4 (5 UTF-16 units)
 * ```
 */
export function codePointLength(text: string): number {
  if (typeof text !== 'string') fail('text', 'a string', text);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Window in which Twitch drops a message identical to the sender's previous one in that channel, ms. */
export const DUPLICATE_MESSAGE_WINDOW_MS = 30_000;

/** Window of the chat send limits, ms. */
export const CHAT_RATE_WINDOW_MS = 30_000;

/**
 * Messages one sender may send to one channel per {@link CHAT_RATE_WINDOW_MS}: `regular` where it is neither the
 * broadcaster nor a moderator, `elevated` where it is one of them.
 */
export const CHAT_RATE_LIMITS = Object.freeze({ regular: 20, elevated: 100 });

/** Site-wide messages per {@link CHAT_RATE_WINDOW_MS} of a verified bot (on top of the per-channel limits). */
export const VERIFIED_BOT_RATE_LIMIT = 7_500;

/**
 * `drop_reason.code` values Twitch documents or was seen answering for a message it did not send. Twitch may add
 * codes: a client treats any other string as a drop too.
 */
export const CHAT_DROP_REASONS = [
  'msg_duplicate',
  'msg_rejected',
  'msg_rejected_mandatory',
  // IRC's NOTICE id for "sending messages too quickly"; what the emulator answers past CHAT_RATE_LIMITS.
  'msg_ratelimit',
  'msg_channel_settings',
  'msg_banned',
  'msg_timedout',
  'msg_followersonly',
  'msg_subsonly',
  'msg_emoteonly',
  'msg_slowmode',
  'msg_r9k',
  'msg_verified_email',
  'msg_requires_verified_phone_number',
] as const;

/** A documented `drop_reason.code` (see {@link CHAT_DROP_REASONS}). */
export type ChatDropReasonCode = (typeof CHAT_DROP_REASONS)[number];

/** Body of `POST /helix/chat/messages`. */
export interface WireSendChatMessageBody {
  readonly broadcaster_id: string;
  readonly sender_id: string;
  readonly message: string;
  readonly reply_parent_message_id?: string;
  /** App tokens only: `false` sends to every channel of a shared chat session. */
  readonly for_source_only?: boolean;
}

/** Why a message was not sent. */
export interface WireChatDropReason {
  readonly code: string;
  readonly message: string;
}

/** One item of the answer of `POST /helix/chat/messages` (`{ data: [item] }`). */
export interface WireSentChatMessage {
  /** Empty when the message was dropped. */
  readonly message_id: string;
  readonly is_sent: boolean;
  /** Present (non-null) when `is_sent` is false. */
  readonly drop_reason?: WireChatDropReason | null;
}

/**
 * A channel's chat settings as Get Chat Settings answers them (`data[0]`). `non_moderator_chat_delay` and its
 * duration are present only when the request named a `moderator_id`.
 */
export interface WireChatSettings {
  readonly broadcaster_id: string;
  readonly emote_mode: boolean;
  readonly follower_mode: boolean;
  /** Minutes a viewer must follow before chatting; null when `follower_mode` is false. */
  readonly follower_mode_duration: number | null;
  readonly moderator_id?: string;
  readonly non_moderator_chat_delay?: boolean;
  /** Seconds (2, 4 or 6); null when the delay is off. */
  readonly non_moderator_chat_delay_duration?: number | null;
  readonly slow_mode: boolean;
  /** Seconds between a viewer's messages; null when `slow_mode` is false. */
  readonly slow_mode_wait_time: number | null;
  readonly subscriber_mode: boolean;
  readonly unique_chat_mode: boolean;
}

/** Body of `PATCH /helix/chat/settings`: only the settings to change. */
export interface WireUpdateChatSettingsBody {
  readonly emote_mode?: boolean;
  readonly follower_mode?: boolean;
  readonly follower_mode_duration?: number;
  readonly non_moderator_chat_delay?: boolean;
  readonly non_moderator_chat_delay_duration?: number;
  readonly slow_mode?: boolean;
  readonly slow_mode_wait_time?: number;
  readonly subscriber_mode?: boolean;
  readonly unique_chat_mode?: boolean;
}

/** Slow mode's wait, seconds: Twitch's range (3 to 120) and its default when `slow_mode` is set without one. */
export const SLOW_MODE_WAIT = Object.freeze({ min: 3, max: 120, default: 30 });

/** Followers-only duration, minutes: 0 (any follower) to 129,600 (3 months). */
export const FOLLOWER_MODE_DURATION = Object.freeze({ min: 0, max: 129_600, default: 0 });

/** Non-moderator chat delays Twitch accepts, seconds. */
export const NON_MODERATOR_CHAT_DELAYS = [2, 4, 6] as const;

/** Colours of an announcement (`primary` is the channel's accent colour). */
export const ANNOUNCEMENT_COLORS = ['primary', 'blue', 'green', 'orange', 'purple'] as const;

/** Colour of an announcement (`primary`: the channel's accent colour). */
export type AnnouncementColor = (typeof ANNOUNCEMENT_COLORS)[number];

/** Body of `POST /helix/chat/announcements`. */
export interface WireSendAnnouncementBody {
  readonly message: string;
  readonly color?: AnnouncementColor;
}

/** Twitch's shoutout limits: one per channel per 2 minutes, and the same target once per 60 minutes. */
export const SHOUTOUT_COOLDOWN_MS = Object.freeze({ channel: 120_000, target: 3_600_000 });

/** Twitch's announcement limit: one every 2 seconds per sender and channel (429 otherwise). */
export const ANNOUNCEMENT_INTERVAL_MS = 2_000;

/**
 * Twitch's whisper limits: 3 per second and 100 per minute per sender, 40 distinct recipients a day; a message to a
 * recipient who never whispered the sender is at most 500 characters, 10,000 otherwise (longer is truncated by
 * Twitch; the client refuses it).
 */
export const WHISPER_LIMITS = Object.freeze({
  perSecond: 3,
  perMinute: 100,
  recipientsPerDay: 40,
  newRecipientLength: 500,
  maxLength: 10_000,
});

/** Body of `POST /helix/whispers`. */
export interface WireSendWhisperBody {
  readonly message: string;
}

/** Named chat colours every user may choose (Turbo and Prime users may also give a `#RRGGBB` hex colour). */
export const NAMED_CHAT_COLORS = Object.freeze({
  blue: '#0000FF',
  blue_violet: '#8A2BE2',
  cadet_blue: '#5F9EA0',
  chocolate: '#D2691E',
  coral: '#FF7F50',
  dodger_blue: '#1E90FF',
  firebrick: '#B22222',
  golden_rod: '#DAA520',
  green: '#008000',
  hot_pink: '#FF69B4',
  orange_red: '#FF4500',
  red: '#FF0000',
  sea_green: '#2E8B57',
  spring_green: '#00FF7F',
  yellow_green: '#9ACD32',
});

/** A named chat colour. */
export type NamedChatColor = keyof typeof NAMED_CHAT_COLORS;

/** A `#RRGGBB` colour. */
export const HEX_CHAT_COLOR = /^#[0-9A-Fa-f]{6}$/;

/** Most user ids Get User Chat Color takes. */
export const MAX_CHAT_COLOR_USERS = 100;

/** One item of `GET /helix/chat/color`. */
export interface WireUserChatColor {
  readonly user_id: string;
  readonly user_login: string;
  readonly user_name: string;
  /** `#RRGGBB`, or `''` when the user never chose a colour. */
  readonly color: string;
}
