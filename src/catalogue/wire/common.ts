/**
 * Wire sub-objects shared by several EventSub event payloads (snake_case, exactly as Twitch sends them).
 *
 * Fields typed `| null` are documented (or observed) to be `null`; optional fields (`?`) are absent in some versions
 * or in older payloads.
 */

/** A cheermote inside a message fragment. */
export interface WireCheermote {
  prefix: string;
  bits: number;
  tier: number;
}

/** An emote inside a message fragment. */
export interface WireFragmentEmote {
  id: string;
  emote_set_id?: string;
  owner_id?: string;
  format?: string[];
}

/** A mention inside a chat message fragment. */
export interface WireMention {
  user_id: string;
  user_name: string;
  user_login: string;
}

/** One fragment of a structured message. Only the object matching `type` is non-null. */
export interface WireMessageFragment {
  type: string;
  text: string;
  cheermote?: WireCheermote | null;
  emote?: WireFragmentEmote | null;
  mention?: WireMention | null;
}

/** A structured message (`text` + `fragments`). */
export interface WireStructuredMessage {
  text: string;
  fragments: WireMessageFragment[];
}

/** An emote position inside a plain text message (subscription.message, automatic rewards v1). */
export interface WireEmoteRange {
  id: string;
  begin: number;
  end: number;
}

/** A plain text message with emote positions. */
export interface WireTextWithEmotes {
  text: string;
  emotes: WireEmoteRange[] | null;
}

/** A chat badge. `info` is `""` when the badge has no extra info. */
export interface WireBadge {
  set_id: string;
  id: string;
  info: string;
}

/** A money amount (charity). `value` is in the currency's minor units. */
export interface WireAmount {
  value: number;
  decimal_places: number;
  currency: string;
}

/** A boundary (character range) inside a held message. */
export interface WireBoundary {
  start_pos: number;
  end_pos: number;
}

/** A broadcaster reference as it appears in lists (`participants`, `shared_train_participants`). */
export interface WireBroadcasterRef {
  broadcaster_user_id: string;
  broadcaster_user_login: string;
  broadcaster_user_name: string;
}

/** The broadcaster fields present in most events. */
export type WireBroadcaster = WireBroadcasterRef;

/** The `user_*` fields present in many events. */
export interface WireUser {
  user_id: string;
  user_login: string;
  user_name: string;
}

/** The `moderator_user_*` fields of moderator-scoped events. */
export interface WireModerator {
  moderator_user_id: string;
  moderator_user_login: string;
  moderator_user_name: string;
}

/** The `source_*` fields of chat events during a shared chat session (`null` outside of one). */
export interface WireSharedChatSource {
  source_broadcaster_user_id?: string | null;
  source_broadcaster_user_login?: string | null;
  source_broadcaster_user_name?: string | null;
}
