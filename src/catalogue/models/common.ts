/**
 * Shared building blocks of the public EventSub models: the model base type, sub-models used by several events
 * (users, messages and fragments, badges, amounts) and the tiny field readers every converter uses.
 *
 * Readers check the JavaScript type of each field they read and throw a `ProtocolError` (`MALFORMED_EVENT`) on a
 * mismatch, so a malformed payload never turns into a `TypeError` deep inside user code. They are plain functions
 * taking constant field names: no closures, no reflection.
 */
import { ProtocolError } from '../../core/errors.js';
import type {
  WireAmount,
  WireBadge,
  WireBoundary,
  WireBroadcaster,
  WireBroadcasterRef,
  WireModerator,
  WireUser,
  WireEmoteRange,
  WireStructuredMessage,
  WireMessageFragment,
  WireTextWithEmotes,
} from '../wire/common.js';

/**
 * Fields every event model has. `type` and `version` are literal types, so a union of models narrows on them.
 * `raw` is the wire event exactly as received; it is a getter of the {@link EventSubModel} prototype (not an own
 * property), so `JSON.stringify`, `Object.keys` and `util.inspect` show the clean camelCase model only.
 */
export interface EventModel<T extends string, V extends string, W> {
  /** The subscription type, e.g. `channel.follow`. */
  readonly type: T;
  /** The subscription version, e.g. `2`. */
  readonly version: V;
  /** The wire (snake_case) event as received (prototype getter, not an own property). */
  readonly raw: W;
}

/** A Twitch user (or broadcaster) reference. */
export interface UserRef {
  readonly id: string;
  /** Lower-case login name. */
  readonly login: string;
  /** Display name (`*_user_name` on the wire). */
  readonly displayName: string;
}

/** A cheermote inside a message. */
export interface Cheermote {
  readonly prefix: string;
  readonly bits: number;
  readonly tier: number;
}

/** An emote inside a message fragment. */
export interface FragmentEmote {
  readonly id: string;
  readonly emoteSetId: string | null;
  readonly ownerId: string | null;
  readonly format: readonly string[];
}

/** One fragment of a structured message, discriminated by `type`. Unknown fragment types are kept as text. */
export type MessageFragment =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'cheermote'; readonly text: string; readonly cheermote: Cheermote }
  | { readonly type: 'emote'; readonly text: string; readonly emote: FragmentEmote }
  | { readonly type: 'mention'; readonly text: string; readonly mention: UserRef };

/** A structured message. */
export interface StructuredMessage {
  readonly text: string;
  readonly fragments: readonly MessageFragment[];
}

/** An emote position (inclusive character offsets) in a plain text message. */
export interface EmoteRange {
  readonly id: string;
  readonly begin: number;
  readonly end: number;
}

/** A plain text message with emote positions. */
export interface TextWithEmotes {
  readonly text: string;
  readonly emotes: readonly EmoteRange[];
}

/** A chat badge. */
export interface Badge {
  readonly setId: string;
  readonly id: string;
  /** Extra info (e.g. months subscribed), `null` when Twitch sends `""`. */
  readonly info: string | null;
}

/** A money amount. */
export interface Amount {
  /** Value in minor units (e.g. cents), as sent. */
  readonly value: number;
  readonly decimalPlaces: number;
  /** ISO-4217 currency code. */
  readonly currency: string;
  /** `value / 10^decimalPlaces`, e.g. 10000 with 2 decimal places is 100. */
  readonly amount: number;
}

/** A character range. */
export interface Boundary {
  readonly startPos: number;
  readonly endPos: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Field readers
// ---------------------------------------------------------------------------------------------------------------

/** Thrown by the readers; `toEventModel` wraps it with the type, version and the whole raw event. */
function fail(field: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new ProtocolError('MALFORMED_EVENT', `event.${field}: expected ${expected}, got ${got}`, value);
}

/** A required string. Numbers are accepted and stringified (Twitch's own examples sometimes send numeric ids). */
export function str(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return fail(field, 'string', v);
}

/** A nullable string: `null`/absent → `null`. `""` is kept. */
export function strN(v: unknown, field: string): string | null {
  return v === null || v === undefined ? null : str(v, field);
}

/** A string where Twitch means "none" with `""`, `null` or absence: all three → `null`. */
export function text(v: unknown, field: string): string | null {
  return v === null || v === undefined || v === '' ? null : str(v, field);
}

/** A required number. Numeric strings are accepted (the ad break example sends `"60"`). */
export function num(v: unknown, field: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    if (!Number.isNaN(n)) return n;
  }
  return fail(field, 'number', v);
}

/** A nullable number. */
export function numN(v: unknown, field: string): number | null {
  return v === null || v === undefined ? null : num(v, field);
}

/** A required boolean. `"true"`/`"false"` are accepted (the ad break example sends strings). */
export function bool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fail(field, 'boolean', v);
}

/** A nullable boolean. */
export function boolN(v: unknown, field: string): boolean | null {
  return v === null || v === undefined ? null : bool(v, field);
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Parses an RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) to epoch milliseconds without
 * allocating, truncating the fraction to milliseconds (Twitch sends up to nanoseconds). Returns `NaN` for anything
 * else, including out-of-range fields.
 *
 * @example
 * ```ts
 * parseRfc3339('2020-07-15T18:16:11.17106713Z'); // 1594836971171
 * parseRfc3339('2021-02-30T00:00:00Z'); // NaN
 * ```
 */
export function parseRfc3339(s: string): number {
  const len = s.length;
  if (len < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58)
    return Number.NaN;
  const t = s.charCodeAt(10);
  if ((t !== 84 && t !== 116 && t !== 32) || s.charCodeAt(16) !== 58) return Number.NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23) return Number.NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < len) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (i - start < 3) ms = ms * 10 + c;
      i++;
    }
    const n = i - start;
    if (n === 0) return Number.NaN;
    if (n === 1) ms *= 100;
    else if (n === 2) ms *= 10;
  }
  let offset = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    i++;
  } else if (z === 43 || z === 45) {
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || s.charCodeAt(i + 3) !== 58) return Number.NaN;
    offset = (z === 43 ? 1 : -1) * (oh * 60 + om) * 60_000;
    i += 6;
  } else {
    return Number.NaN;
  }
  if (i !== len) return Number.NaN;
  // Reject calendar overflow (e.g. February 30th), which Date.UTC would silently roll over.
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth =
    month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > daysInMonth) return Number.NaN;
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms - offset;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`): plain integer arithmetic,
 * cheaper than `Date.UTC`, and right for years 0-99 too (which `Date.UTC` maps to 1900-1999).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.trunc((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.trunc(yearOfEra / 4) - Math.trunc(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * A required RFC 3339 timestamp. Twitch sends up to nanosecond precision; the `Date` keeps milliseconds (extra
 * digits are truncated, never rounded); the exact string stays in `raw`.
 */
export function date(v: unknown, field: string): Date {
  if (typeof v === 'string') {
    const ms = parseRfc3339(v);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return fail(field, 'RFC 3339 timestamp', v);
}

/** A nullable timestamp (`null`, absent or `""` → `null`). */
export function dateN(v: unknown, field: string): Date | null {
  return v === null || v === undefined || v === '' ? null : date(v, field);
}

/** A required array. */
export function arr<T>(v: readonly T[] | null | undefined, field: string): readonly T[] {
  if (Array.isArray(v)) return v as readonly T[];
  return fail(field, 'array', v);
}

/** An array where `null` or absence means empty. */
export function arrE<T>(v: readonly T[] | null | undefined, field: string): readonly T[] {
  return v === null || v === undefined ? [] : arr(v, field);
}

/** A required object (used before reading nested fields). */
export function obj<T extends object>(v: T | null | undefined, field: string): T {
  if (typeof v === 'object' && v !== null) return v;
  return fail(field, 'object', v);
}

/** {@link obj} for `${field}${suffix}`, a name built only when the value is not an object (no string per call). */
function objAt<T extends object>(v: T | null | undefined, field: string, suffix: string): T {
  if (typeof v === 'object' && v !== null) return v;
  return fail(field + suffix, 'object', v);
}

/** A list of strings. `null`/absent → empty. */
export function strs(v: readonly unknown[] | null | undefined, field: string): readonly string[] {
  if (v === null || v === undefined) return [];
  const a = arr(v, field);
  const out = new Array<string>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = str(a[i], field);
  return out;
}

/**
 * A required user from its three wire fields. `field` is the wire prefix (`broadcaster_user`); the field names of an
 * error message are built only on the slow path (numeric ids, bad input), never per message.
 */
export function user(id: unknown, login: unknown, name: unknown, field: string): UserRef {
  if (typeof id === 'string' && typeof login === 'string' && typeof name === 'string') {
    return { id, login, displayName: name };
  }
  return {
    id: str(id, `${field}_id`),
    login: str(login, `${field}_login`),
    displayName: str(name, `${field}_name`),
  };
}

/** A user that may be absent (anonymous cheers, no gifter, ...): `null` when the id is `null`, absent or `""`. */
export function userN(id: unknown, login: unknown, name: unknown, field: string): UserRef | null {
  if (id === null || id === undefined || id === '') return null;
  return {
    id: typeof id === 'string' ? id : str(id, `${field}_id`),
    login: typeof login === 'string' ? login : '',
    displayName: typeof name === 'string' ? name : '',
  };
}

/** The `broadcaster_user_*` fields of an event. */
export function broadcaster(w: WireBroadcaster): UserRef {
  return user(w.broadcaster_user_id, w.broadcaster_user_login, w.broadcaster_user_name, 'broadcaster_user');
}

/** The `user_*` fields of an event. */
export function userOf(w: WireUser): UserRef {
  return user(w.user_id, w.user_login, w.user_name, 'user');
}

/** The `moderator_user_*` fields of an event. */
export function moderator(w: WireModerator): UserRef {
  return user(w.moderator_user_id, w.moderator_user_login, w.moderator_user_name, 'moderator_user');
}

/** A broadcaster from a list entry. */
export function broadcasterRef(w: WireBroadcasterRef): UserRef {
  return user(w.broadcaster_user_id, w.broadcaster_user_login, w.broadcaster_user_name, 'broadcaster_user');
}

/** A list of broadcasters; `null` → `null`. */
export function broadcasterRefsN(
  v: readonly WireBroadcasterRef[] | null | undefined,
  field: string,
): readonly UserRef[] | null {
  if (v === null || v === undefined) return null;
  const a = arr(v, field);
  const out = new Array<UserRef>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = broadcasterRef(obj(a[i], field));
  return out;
}

/**
 * Base of every model instance: it holds the wire event in a private field, exposed by the `raw` getter on the
 * prototype. So `raw` is not an own property: `JSON.stringify`, `Object.keys`, spreads and `util.inspect` see only
 * the camelCase fields, and attaching it costs one private-field store (no `defineProperty`, which is slow).
 *
 * @example
 * ```ts
 * client.on('channel.follow', (e) => {
 *   e instanceof EventSubModel; // true
 *   e.raw.followed_at; // '2020-07-15T18:16:11.17106713Z', exactly as sent
 * });
 * ```
 */
export class EventSubModel<W = unknown> {
  readonly #raw: W;

  constructor(raw: W) {
    this.#raw = raw;
  }

  /** The wire (snake_case) event as received. */
  get raw(): W {
    return this.#raw;
  }
}

/** Builds a model: an {@link EventSubModel} carrying `raw`, with the fields of `model`. */
export function withRaw<M extends object, W>(model: M, raw: W): M & { readonly raw: W } {
  return Object.assign(new EventSubModel(raw), model);
}

// ---------------------------------------------------------------------------------------------------------------
// Sub-model converters
// ---------------------------------------------------------------------------------------------------------------

/** Converts one message fragment. */
export function toFragment(w: WireMessageFragment): MessageFragment {
  const t = str(w.text, 'fragment.text');
  switch (w.type) {
    case 'cheermote':
      if (w.cheermote) {
        const c = w.cheermote;
        return {
          type: 'cheermote',
          text: t,
          cheermote: {
            prefix: str(c.prefix, 'cheermote.prefix'),
            bits: num(c.bits, 'cheermote.bits'),
            tier: num(c.tier, 'cheermote.tier'),
          },
        };
      }
      break;
    case 'emote':
      if (w.emote) {
        const e = w.emote;
        return {
          type: 'emote',
          text: t,
          emote: {
            id: str(e.id, 'emote.id'),
            emoteSetId: text(e.emote_set_id, 'emote.emote_set_id'),
            ownerId: text(e.owner_id, 'emote.owner_id'),
            format: strs(e.format, 'emote.format'),
          },
        };
      }
      break;
    case 'mention':
      if (w.mention) {
        const m = w.mention;
        return {
          type: 'mention',
          text: t,
          mention: user(m.user_id, m.user_login, m.user_name, 'mention.user'),
        };
      }
      break;
  }
  return { type: 'text', text: t };
}

/** Converts a structured message (`text` + `fragments`). */
export function toMessage(w: WireStructuredMessage, field: string): StructuredMessage {
  const m = obj(w, field);
  // Field names for error messages are built on the slow path only.
  const list = m.fragments;
  const frags: readonly WireMessageFragment[] = Array.isArray(list) ? list : arrE(list, `${field}.fragments`);
  const fragments = new Array<MessageFragment>(frags.length);
  for (let i = 0; i < frags.length; i++) fragments[i] = toFragment(objAt(frags[i], field, '.fragments'));
  return { text: typeof m.text === 'string' ? m.text : str(m.text, `${field}.text`), fragments };
}

/** Converts a structured message that may be `null`. */
export function toMessageN(
  w: WireStructuredMessage | null | undefined,
  field: string,
): StructuredMessage | null {
  return w === null || w === undefined ? null : toMessage(w, field);
}

/** Converts a plain text message with emote positions. */
export function toTextWithEmotes(w: WireTextWithEmotes, field: string): TextWithEmotes {
  const m = obj(w, field);
  const list = arrE<WireEmoteRange>(m.emotes, `${field}.emotes`);
  const emotes = new Array<EmoteRange>(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = obj(list[i], `${field}.emotes`);
    emotes[i] = {
      id: str(e.id, 'emote.id'),
      begin: num(e.begin, 'emote.begin'),
      end: num(e.end, 'emote.end'),
    };
  }
  return { text: str(m.text, `${field}.text`), emotes };
}

/** Converts a badge list; `null` → `null` (e.g. `source_badges` outside shared chat). */
export function toBadgesN(
  v: readonly WireBadge[] | null | undefined,
  field: string,
): readonly Badge[] | null {
  if (v === null || v === undefined) return null;
  const a = arr(v, field);
  const out = new Array<Badge>(a.length);
  for (let i = 0; i < a.length; i++) {
    const b = obj(a[i], field);
    out[i] = {
      setId: str(b.set_id, 'badge.set_id'),
      id: str(b.id, 'badge.id'),
      info: text(b.info, 'badge.info'),
    };
  }
  return out;
}

/** Converts a money amount. Accepts `decimal_place` (singular), as the chat notification reference spells it. */
export function toAmount(w: WireAmount, field: string): Amount {
  const a = obj(w, field);
  const value = num(a.value, `${field}.value`);
  const decimalPlaces = num(
    (a as { decimal_places?: unknown }).decimal_places ?? (a as { decimal_place?: unknown }).decimal_place,
    `${field}.decimal_places`,
  );
  return {
    value,
    decimalPlaces,
    currency: str(a.currency, `${field}.currency`),
    amount: value / 10 ** decimalPlaces,
  };
}

/** Converts a list of boundaries. */
export function toBoundaries(
  v: readonly WireBoundary[] | null | undefined,
  field: string,
): readonly Boundary[] {
  const a = arrE(v, field);
  const out = new Array<Boundary>(a.length);
  for (let i = 0; i < a.length; i++) {
    const b = obj(a[i], field);
    out[i] = { startPos: num(b.start_pos, `${field}.start_pos`), endPos: num(b.end_pos, `${field}.end_pos`) };
  }
  return out;
}
