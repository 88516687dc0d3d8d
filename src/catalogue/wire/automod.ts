/** Wire events of AutoMod: message hold/update (v1 and v2), settings and terms updates. */
import type {
  WireBoundary,
  WireBroadcaster,
  WireStructuredMessage,
  WireModerator,
  WireUser,
} from './common.js';

/** The v1 fragment lists of a held message. */
export interface WireAutomodV1Fragments {
  emotes: { text: string; id: string; 'set-id': string }[] | null;
  cheermotes: { text: string; amount: number; prefix: string; tier: number }[] | null;
}

/**
 * `automod.message.hold` v1. Twitch sends `message` as `{ text, fragments[] }` (the reference's field table and real
 * payloads); the reference's example shows a string beside a `fragments` object of `emotes` and `cheermotes`. The
 * converter reads both shapes.
 */
export interface WireAutomodMessageHoldV1Event extends WireBroadcaster, WireUser {
  message_id: string;
  message: WireStructuredMessage | string;
  level: number;
  category: string;
  held_at: string;
  /** Only in the example's shape. */
  fragments?: WireAutomodV1Fragments;
}

/** `automod.message.update` v1. */
export interface WireAutomodMessageUpdateV1Event extends WireAutomodMessageHoldV1Event, WireModerator {
  /** `Approved`, `Denied` or `Expired` (case varies in Twitch's examples). */
  status: string;
}

/** AutoMod details of a v2 held message (`reason` = `automod`). */
export interface WireAutomodDetails {
  category: string;
  level: number;
  boundaries: WireBoundary[];
}

/** Blocked term details of a v2 held message (`reason` = `blocked_term`). */
export interface WireBlockedTermDetails {
  terms_found: {
    term_id: string;
    boundary: WireBoundary;
    owner_broadcaster_user_id: string;
    owner_broadcaster_user_login: string;
    owner_broadcaster_user_name: string;
  }[];
}

/** `automod.message.hold` v2. */
export interface WireAutomodMessageHoldV2Event extends WireBroadcaster, WireUser {
  message_id: string;
  message: WireStructuredMessage;
  /** `automod` or `blocked_term`. */
  reason: string;
  automod: WireAutomodDetails | null;
  blocked_term: WireBlockedTermDetails | null;
  held_at: string;
}

/** `automod.message.update` v2. */
export interface WireAutomodMessageUpdateV2Event extends WireAutomodMessageHoldV2Event, WireModerator {
  status: string;
}

/**
 * `automod.settings.update` v1. (Twitch's reference example wraps the event in `{ "data": [ … ] }`; the
 * converter accepts both shapes.)
 */
export interface WireAutomodSettingsUpdateEvent extends WireBroadcaster, WireModerator {
  /** `null` when the individual levels were set instead. */
  overall_level: number | null;
  disability: number;
  aggression: number;
  sexuality_sex_or_gender: number;
  misogyny: number;
  bullying: number;
  swearing: number;
  race_ethnicity_or_religion: number;
  sex_based_terms: number;
}

/** `automod.terms.update` v1. */
export interface WireAutomodTermsUpdateEvent extends WireBroadcaster, WireModerator {
  /** `add_permitted`, `remove_permitted`, `add_blocked` or `remove_blocked`. */
  action: string;
  from_automod: boolean;
  terms: string[];
}
