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
  'msg_rate_limit',
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
