/**
 * Twitch's verdict on a chat message the room would otherwise accept (sender authorized, not banned): a duplicate
 * of the sender's previous message in that channel within 30 s, the channel's emote-only, subscribers-only and slow
 * modes, and the per-channel send limits (20 or 100 messages per 30 s, sliding window). A drop is Twitch's
 * `is_sent: false` with a `drop_reason`; drops are counted by reason for `emu.state().chat`.
 *
 * Memory is bounded: one entry per sender and channel that sent within the last {@link SENDER_RETENTION_MS}
 * (older entries are evicted as messages come), holding at most one timestamp per message of the current window.
 */
import {
  CHAT_RATE_LIMITS,
  CHAT_RATE_WINDOW_MS,
  DUPLICATE_MESSAGE_WINDOW_MS,
  SLOW_MODE_WAIT,
} from '../../protocol/chat.js';
import type { ChatRoom } from './rooms.js';

/** How long a sender's entry outlives its last message: the longest rule that looks back (slow mode's 120 s). */
export const SENDER_RETENTION_MS = Math.max(
  CHAT_RATE_WINDOW_MS,
  DUPLICATE_MESSAGE_WINDOW_MS,
  SLOW_MODE_WAIT.max * 1000,
);

/**
 * The emotes the emulator recognizes in emote-only mode (a few of Twitch's global emotes): a message passes when
 * every word is one of them.
 */
export const EMULATOR_EMOTES: ReadonlySet<string> = new Set([
  'Kappa',
  'LUL',
  'PogChamp',
  'Kreygasm',
  'BibleThump',
  'SeemsGood',
  'HeyGuys',
  'VoHiYo',
  'CoolStoryBob',
  'NotLikeThis',
]);

/** A drop: Twitch's `drop_reason`. */
export interface ChatDrop {
  readonly code: string;
  readonly message: string;
}

/** What the room remembers of one sender. */
interface SenderEntry {
  /** Times of the messages sent in the current window, oldest first (at most the sender's limit). */
  readonly sends: number[];
  lastText: string;
  lastAt: number;
}

const DROPS = {
  duplicate: {
    code: 'msg_duplicate',
    message: 'Your message is identical to the one you sent within the last 30 seconds.',
  },
  emoteOnly: { code: 'msg_emoteonly', message: 'This room is in emote-only mode.' },
  subsOnly: { code: 'msg_subsonly', message: 'This room is in subscribers-only mode.' },
  slowMode: {
    code: 'msg_slowmode',
    message: 'This room is in slow mode and you are sending messages too quickly.',
  },
  rateLimit: {
    code: 'msg_ratelimit',
    message: 'Your message was not sent because you are sending messages too quickly.',
  },
} as const satisfies Record<string, ChatDrop>;

function isEmoteOnly(text: string): boolean {
  const words = text.trim().split(/\s+/);
  return words.every((word) => EMULATOR_EMOTES.has(word));
}

/** The send rules' memory and counters (one per emulator). */
export class ChatSendLimits {
  /** By `<broadcaster>:<sender>`, least recently active first. */
  readonly #senders = new Map<string, SenderEntry>();
  readonly #dropped = new Map<string, number>();
  #sent = 0;

  /**
   * Twitch's verdict on `text` from `senderId` in `room` at `now`: a drop, or `undefined` when it may be sent (then
   * call {@link record} once it is). Order: duplicate, emote-only, subscribers-only, slow mode, send limit. The
   * broadcaster and moderators are exempt from the channel's modes; VIPs from slow and subscribers-only modes.
   */
  check(room: ChatRoom, senderId: string, text: string, now: number): ChatDrop | undefined {
    this.#evict(now);
    const entry = this.#senders.get(`${room.broadcasterId}:${senderId}`);
    const elevated = room.isElevated(senderId);
    const vip = room.vips.has(senderId);
    const settings = room.settings;
    let drop: ChatDrop | undefined;
    const sinceLast = entry === undefined ? Infinity : now - entry.lastAt;
    if (entry?.lastText === text.trim() && sinceLast < DUPLICATE_MESSAGE_WINDOW_MS) {
      drop = DROPS.duplicate;
    } else if (!elevated && settings.emote_mode && !isEmoteOnly(text)) {
      drop = DROPS.emoteOnly;
    } else if (!elevated && !vip && settings.subscriber_mode && !room.subscribers.has(senderId)) {
      drop = DROPS.subsOnly;
    } else if (
      !elevated &&
      !vip &&
      settings.slow_mode &&
      sinceLast < (settings.slow_mode_wait_time ?? SLOW_MODE_WAIT.default) * 1000
    ) {
      drop = DROPS.slowMode;
    } else if (entry !== undefined) {
      const sends = entry.sends;
      while (sends.length > 0 && (sends[0] ?? 0) <= now - CHAT_RATE_WINDOW_MS) sends.shift();
      if (sends.length >= (elevated ? CHAT_RATE_LIMITS.elevated : CHAT_RATE_LIMITS.regular))
        drop = DROPS.rateLimit;
    }
    if (drop !== undefined) this.countDrop(drop.code);
    return drop;
  }

  /** Counts a drop decided elsewhere (a banned or timed-out sender). */
  countDrop(code: string): void {
    this.#dropped.set(code, (this.#dropped.get(code) ?? 0) + 1);
  }

  /** Records a sent message (after {@link check} let it through). */
  record(room: ChatRoom, senderId: string, text: string, now: number): void {
    const key = `${room.broadcasterId}:${senderId}`;
    const entry = this.#senders.get(key) ?? { sends: [], lastText: '', lastAt: now };
    // Re-inserted, so the map stays ordered by last activity and eviction stops at the first recent entry.
    this.#senders.delete(key);
    this.#senders.set(key, entry);
    entry.sends.push(now);
    entry.lastText = text.trim();
    entry.lastAt = now;
    this.#sent++;
  }

  /** Forgets senders whose last message is older than {@link SENDER_RETENTION_MS}. */
  #evict(now: number): void {
    for (const [key, entry] of this.#senders) {
      if (now - entry.lastAt < SENDER_RETENTION_MS) break;
      this.#senders.delete(key);
    }
  }

  /** Counters for `emu.state().chat`. */
  describe(): { sent: number; dropped: Record<string, number>; tracked_senders: number } {
    return {
      sent: this.#sent,
      dropped: Object.fromEntries(this.#dropped),
      tracked_senders: this.#senders.size,
    };
  }
}
