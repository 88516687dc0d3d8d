/**
 * Where Twitch's documented example payloads (`data/eventsub-examples.json`) differ from what Twitch sends, and how
 * the emulator's templates are corrected. Result of the 2026 payload audit (docs/emulator.md, "Twitch as of 2026:
 * sources followed"): fields the reference lists but the examples predate, and example shapes that the reference
 * and real payloads contradict. Applied once per entry when its template is compiled, never per event.
 *
 * Twitch's conventions kept: a field that does not apply is present with `null` (not absent), as in Twitch's own
 * examples and in real payloads.
 */

/** A JSON value as found in the examples file. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = Record<string, Json>;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `object` with `fields` inserted right after `after` (or at the end), keeping Twitch's key order
 * readable. Keys already present are left as they are.
 */
function insertAfter(object: JsonObject, after: string | null, fields: JsonObject): JsonObject {
  const out: JsonObject = {};
  const missing = Object.entries(fields).filter(([key]) => !Object.hasOwn(object, key));
  for (const [key, value] of Object.entries(object)) {
    out[key] = value;
    if (key === after) for (const [k, v] of missing) out[k] = v;
  }
  if (after === null || !Object.hasOwn(object, after)) for (const [k, v] of missing) out[k] = v;
  return out;
}

/**
 * `automod.message.*` v1: the examples show `message` as a string beside a `fragments` object of `emotes` and
 * `cheermotes`; the reference's field table and real payloads carry `message: { text, fragments[] }` with typed
 * fragments (`text`, `emote`, `cheermote`), as in v2.
 */
function structuredAutomodV1(event: JsonObject): JsonObject {
  const text = typeof event.message === 'string' ? event.message : '';
  const legacy = isObject(event.fragments) ? event.fragments : {};
  const fragments: Json[] = [{ type: 'text', text, cheermote: null, emote: null }];
  for (const e of Array.isArray(legacy.emotes) ? legacy.emotes : []) {
    if (!isObject(e)) continue;
    fragments.push({
      type: 'emote',
      text: e.text ?? '',
      cheermote: null,
      emote: { id: e.id ?? '', emote_set_id: e['set-id'] ?? '' },
    });
  }
  for (const c of Array.isArray(legacy.cheermotes) ? legacy.cheermotes : []) {
    if (!isObject(c)) continue;
    fragments.push({
      type: 'cheermote',
      text: c.text ?? '',
      cheermote: { prefix: c.prefix ?? '', bits: c.amount ?? 0, tier: c.tier ?? 0 },
      emote: null,
    });
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'fragments') continue;
    out[key] =
      key === 'message'
        ? {
            text: fragments.map((f) => (isObject(f) && typeof f.text === 'string' ? f.text : '')).join(''),
            fragments,
          }
        : value;
  }
  return out;
}

/** Corrections by `type@version`. Each returns the corrected event (it may return the same object, changed). */
const FIXES: Readonly<Record<string, (event: JsonObject) => JsonObject>> = {
  'automod.message.hold@1': structuredAutomodV1,
  'automod.message.update@1': structuredAutomodV1,
  // The example wraps the event in `{ "data": [ … ] }`; Twitch sends the event itself.
  'automod.settings.update@1': (event) => {
    const data = event.data;
    const first = Array.isArray(data) ? data[0] : undefined;
    return Object.keys(event).length === 1 && isObject(first) ? first : event;
  },
  // Custom Power-ups (2026): `custom_power_up` beside `power_up`, null unless `type` is `custom_power_up`.
  'channel.bits.use@1': (event) => insertAfter(event, 'power_up', { custom_power_up: null }),
  // Listed by the reference, missing from the example (TwitchIO's model raises KeyError without them).
  'channel.chat.message@1': (event) =>
    insertAfter(
      insertAfter(event, 'channel_points_custom_reward_id', { channel_points_animation_id: null }),
      'source_badges',
      { is_source_only: null },
    ),
  'channel.chat.notification@1': (event) => {
    const resub = event.resub;
    if (isObject(resub) && Object.hasOwn(resub, 'sub_plan') && !Object.hasOwn(resub, 'sub_tier')) {
      // The example spells `sub_tier` as `sub_plan` (twitchdev/issues#1039) and omits `is_prime`.
      const fixed: JsonObject = {};
      for (const [key, value] of Object.entries(resub)) {
        if (key === 'sub_plan') {
          fixed.sub_tier = value;
          fixed.is_prime = false;
        } else fixed[key] = value;
      }
      event = { ...event, resub: fixed };
    }
    event = insertAfter(event, 'charity_donation', { watch_streak: null, modiversary: null });
    event = insertAfter(event, 'shared_chat_announcement', { shared_chat_modiversary: null });
    return insertAfter(event, 'source_badges', { is_source_only: null });
  },
  // Real v1 payloads carry the shared chat source (null outside shared chat), as v2 does.
  'channel.moderate@1': (event) =>
    insertAfter(event, 'broadcaster_user_name', {
      source_broadcaster_user_id: null,
      source_broadcaster_user_login: null,
      source_broadcaster_user_name: null,
    }),
  // The v2 example lists `unmod` but not `mod`.
  'channel.moderate@2': (event) => insertAfter(event, 'unvip', { mod: null }),
};

/**
 * The template of `type@version` corrected to what Twitch sends (see the module documentation); templates without
 * corrections and non-object templates (batched `events[]`) are returned as they are.
 *
 * @example
 * ```ts
 * fixTemplate('channel.moderate', '2', { action: 'warn', unvip: null }); // { action: 'warn', unvip: null, mod: null }
 * ```
 */
export function fixTemplate(type: string, version: string, template: Json): Json {
  const fix = FIXES[`${type}@${version}`];
  return fix === undefined || !isObject(template) ? template : fix(template);
}
