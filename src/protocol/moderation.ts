/**
 * Twitch moderation over Helix: the limits and wire shapes that the client (helix) and the emulator share. Sources:
 * Helix reference "Ban User" (a timeout lasts 1 to 1,209,600 seconds; a reason of at most 500 characters), "Delete
 * Chat Messages" (a message older than 6 hours cannot be deleted), "Get Chatters" (pages of up to 1,000).
 */

/** Longest timeout Twitch accepts, seconds (two weeks). */
export const MAX_TIMEOUT_SECONDS = 1_209_600;

/** Longest ban or timeout reason Twitch accepts, characters (Unicode code points). */
export const MAX_BAN_REASON_LENGTH = 500;

/** Age past which Twitch no longer deletes a chat message, ms (6 hours). */
export const MESSAGE_DELETE_WINDOW_MS = 6 * 60 * 60 * 1000;

/** Largest page of Get Chatters. */
export const MAX_CHATTERS_PAGE_SIZE = 1_000;

/** Most `user_id` filters of Get Moderators and Get VIPs. */
export const MAX_ROLE_USER_FILTERS = 100;

/** Body of `POST /helix/moderation/bans` (`broadcaster_id` and `moderator_id` go in the query). */
export interface WireBanUserBody {
  readonly data: {
    readonly user_id: string;
    /** Seconds, 1..{@link MAX_TIMEOUT_SECONDS}: a timeout; absent: a ban. */
    readonly duration?: number;
    readonly reason?: string;
  };
}

/** One item of the answer of `POST /helix/moderation/bans`. */
export interface WireBannedUser {
  readonly broadcaster_id: string;
  readonly moderator_id: string;
  readonly user_id: string;
  /** RFC 3339. */
  readonly created_at: string;
  /** RFC 3339 end of a timeout; `null` for a ban. */
  readonly end_time: string | null;
}

/** A user of Get Chatters, Get Moderators and Get VIPs. */
export interface WireChatUser {
  readonly user_id: string;
  readonly user_login: string;
  readonly user_name: string;
}
