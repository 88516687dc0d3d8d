/**
 * The variants of discriminated events: types whose payload names, in one field (the discriminator), which of its
 * per-variant objects is filled. `channel.chat.notification` (`notice_type`), `channel.moderate` (`action`),
 * `channel.bits.use` (`type`) and `automod.message.hold`/`.update` v2 (`reason`). Twitch sends exactly the object of
 * the variant and `null` in every other variant's field (none filled for variants without details, such as
 * `notice_type: 'unknown'` or `action: 'clear'`).
 *
 * A template only carries the variant of Twitch's example (a `resub` notice, a `mod` action...). When the overrides of
 * {@link generateEvent} (the emulator's `trigger({ event })`) set a type's discriminator, the event is generated from
 * the template with that variant applied: the fields of {@link VariantSpec.reset} take their reset value (`null`),
 * then the variant's own fields are set (a realistic sample of what Twitch sends). The overrides are merged after,
 * so whatever they set themselves wins. Values the table does not know get {@link VariantSpec.unknown}.
 *
 * Sample timestamps are written as if the event happened at {@link VARIANT_SAMPLE_TIME}; the generator keeps their
 * offset from it (a timeout's `expires_at` ten minutes after the event).
 */
import type { Json, JsonObject } from './template-fixes.js';

/** One discriminated type and version: its discriminator and what each value of it fills. */
export interface VariantSpec {
  /** The discriminating field: `notice_type`, `action`, `type`, `reason`. */
  readonly key: string;
  /**
   * Every field that only some variants fill, with its value when the variant does not (`null`, as Twitch sends):
   * the per-variant objects, and fields that go with a group of variants (the shared chat source).
   */
  readonly reset: JsonObject;
  /**
   * Per discriminator value, the fields its variant sets: its object (a sample of the shape Twitch sends) and what
   * goes with it (`system_message`, `bits`, `message`, the shared chat source). `{}` for a variant without details.
   */
  readonly variants: Readonly<Record<string, JsonObject>>;
  /** The fields set for a value the table does not know (every per-variant object stays `null`). */
  readonly unknown: JsonObject;
}

/** The moment the samples' timestamps are written against (see the module documentation). */
export const VARIANT_SAMPLE_TIME = Date.parse('2026-03-01T12:00:00Z');
const minutesAfterSample = (minutes: number): string =>
  new Date(VARIANT_SAMPLE_TIME + minutes * 60_000).toISOString();

const nullFields = (keys: readonly string[]): JsonObject =>
  Object.fromEntries(keys.map((key) => [key, null] as [string, Json]));

// ---------------------------------------------------------------------------------------------------------------
// channel.chat.notification v1 (notice_type)
// ---------------------------------------------------------------------------------------------------------------

/** The notices that have a `shared_chat_*` twin (same object shape, sent during shared chat). */
const SHARED_NOTICES = [
  'sub',
  'resub',
  'sub_gift',
  'community_sub_gift',
  'gift_paid_upgrade',
  'prime_paid_upgrade',
  'pay_it_forward',
  'raid',
  'announcement',
  'modiversary',
] as const;
const CHANNEL_ONLY_NOTICES = ['unraid', 'bits_badge_tier', 'charity_donation', 'watch_streak'] as const;

const TWITCH_DEV = { user_id: '141981764', user_login: 'twitchdev', user_name: 'TwitchDev' };
const GIFTER = {
  gifter_is_anonymous: false,
  gifter_user_id: '141981764',
  gifter_user_name: 'TwitchDev',
  gifter_user_login: 'twitchdev',
};
const textMessage = (text: string): JsonObject => ({
  text,
  fragments: [{ type: 'text', text, cheermote: null, emote: null, mention: null }],
});

/** Each notice's object and `system_message` (the chatter of the template, viewer23, is the one notified). */
const NOTICES: Readonly<
  Record<(typeof SHARED_NOTICES)[number] | (typeof CHANNEL_ONLY_NOTICES)[number], JsonObject>
> = {
  sub: {
    system_message: 'viewer23 subscribed at Tier 1.',
    sub: { sub_tier: '1000', is_prime: false, duration_months: 1 },
  },
  resub: {
    system_message: "viewer23 subscribed at Tier 1. They've subscribed for 10 months!",
    resub: {
      cumulative_months: 10,
      duration_months: 0,
      streak_months: null,
      sub_tier: '1000',
      is_prime: false,
      is_gift: false,
      gifter_is_anonymous: null,
      gifter_user_id: null,
      gifter_user_name: null,
      gifter_user_login: null,
    },
  },
  sub_gift: {
    system_message: 'viewer23 gifted a Tier 1 sub to TwitchDev! They have given 7 Gift Subs in the channel!',
    sub_gift: {
      duration_months: 1,
      cumulative_total: 7,
      recipient_user_id: '141981764',
      recipient_user_name: 'TwitchDev',
      recipient_user_login: 'twitchdev',
      sub_tier: '1000',
      community_gift_id: null,
    },
  },
  community_sub_gift: {
    system_message:
      "viewer23 is gifting 5 Tier 1 Subs to the community! They've gifted a total of 12 in the channel!",
    community_sub_gift: { id: '12111455614691086753', total: 5, sub_tier: '1000', cumulative_total: 12 },
  },
  gift_paid_upgrade: {
    system_message: 'viewer23 is continuing the Gift Sub they got from TwitchDev!',
    gift_paid_upgrade: { ...GIFTER },
  },
  prime_paid_upgrade: {
    system_message: 'viewer23 converted from a Prime sub to a Tier 1 sub!',
    prime_paid_upgrade: { sub_tier: '1000' },
  },
  pay_it_forward: {
    system_message: 'viewer23 is paying forward the Gift they got from TwitchDev to the community!',
    // Captured payloads carry the recipient (null when paid forward to the community); the reference omits it.
    pay_it_forward: {
      ...GIFTER,
      recipient_user_id: null,
      recipient_user_name: null,
      recipient_user_login: null,
    },
  },
  raid: {
    system_message: '42 raiders from TwitchDev have joined!',
    raid: {
      ...TWITCH_DEV,
      viewer_count: 42,
      profile_image_url:
        'https://static-cdn.jtvnw.net/jtv_user_pictures/8a6381c7-d0c0-4576-b179-38bd5ce1d6af-profile_image-70x70.png',
    },
  },
  announcement: {
    system_message: '',
    message: textMessage('Stream starts in five minutes!'),
    announcement: { color: 'PURPLE' },
  },
  modiversary: {
    system_message: 'viewer23 has been a moderator for 48 months!',
    modiversary: { months: 48 },
  },
  unraid: { system_message: 'The raid has been canceled.', unraid: {} },
  bits_badge_tier: {
    system_message: 'viewer23 just earned a new 1K Bits badge!',
    bits_badge_tier: { tier: 1000 },
  },
  charity_donation: {
    system_message: 'viewer23: Donated USD 5 to support Example Charity',
    charity_donation: {
      charity_name: 'Example Charity',
      amount: { value: 500, decimal_places: 2, currency: 'USD' },
    },
  },
  watch_streak: {
    system_message: 'viewer23 watched 5 consecutive streams and sparked a watch streak!',
    watch_streak: { streak_count: 5, channel_points_awarded: 350 },
  },
};

/** The source channel of a shared chat notice (another channel of the session). */
const SHARED_SOURCE: JsonObject = {
  source_broadcaster_user_id: '112233',
  source_broadcaster_user_login: 'streamer33',
  source_broadcaster_user_name: 'Streamer33',
  source_message_id: '2be7193d-0366-4453-b6ec-b288ce9f2c39',
  source_badges: [{ set_id: 'subscriber', id: '3', info: '3' }],
  is_source_only: false,
};

/** `shared_chat_<notice>`: the notice's fields with its object under the prefixed key, plus the source channel. */
function sharedNotice(notice: (typeof SHARED_NOTICES)[number]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(NOTICES[notice])) {
    out[key === notice ? `shared_chat_${notice}` : key] = value;
  }
  return { ...out, ...SHARED_SOURCE };
}

const CHAT_NOTIFICATION: VariantSpec = {
  key: 'notice_type',
  reset: {
    ...nullFields([
      ...SHARED_NOTICES,
      ...CHANNEL_ONLY_NOTICES,
      ...SHARED_NOTICES.map((n) => `shared_chat_${n}`),
      'source_broadcaster_user_id',
      'source_broadcaster_user_login',
      'source_broadcaster_user_name',
      'source_message_id',
      'source_badges',
      'is_source_only',
    ]),
  },
  variants: {
    ...NOTICES,
    ...Object.fromEntries(SHARED_NOTICES.map((n) => [`shared_chat_${n}`, sharedNotice(n)])),
    // Twitch's own catch-all: a notice it does not describe, every object null.
    unknown: { system_message: 'viewer23 did something Twitch does not describe yet.' },
  },
  unknown: { system_message: 'viewer23 did something Twitch does not describe yet.' },
};

// ---------------------------------------------------------------------------------------------------------------
// channel.moderate v1 / v2 (action)
// ---------------------------------------------------------------------------------------------------------------

const BAN = { ...TWITCH_DEV, reason: 'Spamming links' };
const TIMEOUT = { ...TWITCH_DEV, reason: 'Cool it', expires_at: minutesAfterSample(10) };
const DELETE = {
  ...TWITCH_DEV,
  message_id: '6c9e0b35-9b2c-4d04-8c79-9d8f0a0e4d2b',
  message_body: 'buy followers at example.com',
};
const terms = (action: string, list: string): JsonObject => ({
  automod_terms: { action, list, terms: ['example.com'], from_automod: false },
});
const SHARED_CHAT_CHANNEL: JsonObject = {
  source_broadcaster_user_id: '41292030',
  source_broadcaster_user_login: 'adflynn404',
  source_broadcaster_user_name: 'adflynn404',
};

/** The action objects of `channel.moderate` v1 (v2 adds the warning's): `null` but the one of the action. */
export const MODERATE_OBJECTS = [
  'followers',
  'slow',
  'vip',
  'unvip',
  'mod',
  'unmod',
  'ban',
  'unban',
  'timeout',
  'untimeout',
  'raid',
  'unraid',
  'delete',
  'automod_terms',
  'unban_request',
  'shared_chat_ban',
  'shared_chat_unban',
  'shared_chat_timeout',
  'shared_chat_untimeout',
  'shared_chat_delete',
] as const;

const MODERATE_V1: VariantSpec = {
  key: 'action',
  reset: nullFields([
    ...MODERATE_OBJECTS,
    'source_broadcaster_user_id',
    'source_broadcaster_user_login',
    'source_broadcaster_user_name',
  ]),
  variants: {
    ban: { ban: BAN },
    timeout: { timeout: TIMEOUT },
    unban: { unban: TWITCH_DEV },
    untimeout: { untimeout: TWITCH_DEV },
    clear: {},
    emoteonly: {},
    emoteonlyoff: {},
    followers: { followers: { follow_duration_minutes: 10 } },
    followersoff: {},
    uniquechat: {},
    uniquechatoff: {},
    slow: { slow: { wait_time_seconds: 30 } },
    slowoff: {},
    subscribers: {},
    subscribersoff: {},
    raid: { raid: { ...TWITCH_DEV, viewer_count: 42 } },
    unraid: { unraid: TWITCH_DEV },
    delete: { delete: DELETE },
    vip: { vip: TWITCH_DEV },
    unvip: { unvip: TWITCH_DEV },
    mod: { mod: TWITCH_DEV },
    unmod: { unmod: TWITCH_DEV },
    add_blocked_term: terms('add', 'blocked'),
    add_permitted_term: terms('add', 'permitted'),
    remove_blocked_term: terms('remove', 'blocked'),
    remove_permitted_term: terms('remove', 'permitted'),
    approve_unban_request: {
      unban_request: { is_approved: true, ...TWITCH_DEV, moderator_message: 'Welcome back, behave.' },
    },
    deny_unban_request: {
      unban_request: { is_approved: false, ...TWITCH_DEV, moderator_message: 'Not this time.' },
    },
    shared_chat_ban: { shared_chat_ban: BAN, ...SHARED_CHAT_CHANNEL },
    shared_chat_unban: { shared_chat_unban: TWITCH_DEV, ...SHARED_CHAT_CHANNEL },
    shared_chat_timeout: { shared_chat_timeout: TIMEOUT, ...SHARED_CHAT_CHANNEL },
    shared_chat_untimeout: { shared_chat_untimeout: TWITCH_DEV, ...SHARED_CHAT_CHANNEL },
    shared_chat_delete: { shared_chat_delete: DELETE, ...SHARED_CHAT_CHANNEL },
  },
  unknown: {},
};

/** v2 is v1 plus warnings. */
const MODERATE_V2: VariantSpec = {
  ...MODERATE_V1,
  reset: { ...MODERATE_V1.reset, warn: null },
  variants: {
    ...MODERATE_V1.variants,
    warn: { warn: { ...TWITCH_DEV, reason: 'Keep it civil', chat_rules_cited: ['Be kind'] } },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// channel.bits.use v1 (type)
// ---------------------------------------------------------------------------------------------------------------

const BITS_USE: VariantSpec = {
  key: 'type',
  reset: { power_up: null, custom_power_up: null },
  variants: {
    // The template is a cheer (`cheer1 hi cheer1`, 2 Bits).
    cheer: {},
    power_up: {
      bits: 30,
      power_up: { type: 'message_effect', emote: null, message_effect_id: 'cosmic-abyss' },
      message: {
        text: 'hi everyone',
        fragments: [{ type: 'text', text: 'hi everyone', cheermote: null, emote: null }],
      },
    },
    custom_power_up: {
      bits: 100,
      custom_power_up: { title: 'Hydrate!', reward_id: '9d2a1f4c-6f0e-4f5b-9a57-3c1f2e8d7b60' },
      message: null,
    },
  },
  unknown: {},
};

// ---------------------------------------------------------------------------------------------------------------
// automod.message.hold / .update v2 (reason)
// ---------------------------------------------------------------------------------------------------------------

const AUTOMOD_V2: VariantSpec = {
  key: 'reason',
  reset: { automod: null, blocked_term: null },
  variants: {
    automod: {
      automod: { category: 'aggressive', level: 1, boundaries: [{ start_pos: 0, end_pos: 10 }] },
    },
    blocked_term: {
      blocked_term: {
        terms_found: [
          {
            term_id: '3b6d1c2a-8f5e-4a7b-9c0d-1e2f3a4b5c6d',
            boundary: { start_pos: 10, end_pos: 12 },
            owner_broadcaster_user_id: '1337',
            owner_broadcaster_user_login: 'cooler_user',
            owner_broadcaster_user_name: 'Cooler_User',
          },
        ],
      },
    },
  },
  unknown: {},
};

/**
 * The discriminated types, by `type@version`. Frozen.
 *
 * @example
 * ```ts
 * Object.keys(EVENT_VARIANTS['channel.bits.use@1']!.variants); // ['cheer', 'power_up', 'custom_power_up']
 * ```
 */
export const EVENT_VARIANTS: Readonly<Record<string, VariantSpec>> = Object.freeze({
  'channel.chat.notification@1': CHAT_NOTIFICATION,
  'channel.moderate@1': MODERATE_V1,
  'channel.moderate@2': MODERATE_V2,
  'channel.bits.use@1': BITS_USE,
  'automod.message.hold@2': AUTOMOD_V2,
  'automod.message.update@2': AUTOMOD_V2,
});

/**
 * The variant spec of `type@version`, or `undefined` for types that are not discriminated.
 *
 * @example
 * ```ts
 * variantSpec('channel.moderate', '2')?.key; // 'action'
 * ```
 */
export function variantSpec(type: string, version: string): VariantSpec | undefined {
  const key = `${type}@${version}`;
  return Object.hasOwn(EVENT_VARIANTS, key) ? EVENT_VARIANTS[key] : undefined;
}

/**
 * The fields a discriminator value sets: its variant's, or {@link VariantSpec.unknown} for values the table does
 * not know (or that are not strings).
 *
 * @example
 * ```ts
 * variantFields(variantSpec('channel.bits.use', '1')!, 'custom_power_up'); // { bits: 100, custom_power_up: {...}, message: null }
 * ```
 */
export function variantFields(spec: VariantSpec, value: unknown): JsonObject {
  return typeof value === 'string' && Object.hasOwn(spec.variants, value)
    ? (spec.variants[value] ?? spec.unknown)
    : spec.unknown;
}

/**
 * A copy of `template` with the variant of `value` applied: every field of `spec.reset` at its reset value, then
 * the variant's own fields, then the discriminator itself. Keys keep the template's order (new ones go last).
 *
 * @example
 * ```ts
 * applyVariant(variantSpec('channel.bits.use', '1')!, template, 'power_up'); // { ..., type: 'power_up', power_up: {...}, custom_power_up: null }
 * ```
 */
export function applyVariant(spec: VariantSpec, template: JsonObject, value: unknown): JsonObject {
  const out: JsonObject = { ...template, ...structuredClone(spec.reset) };
  Object.assign(out, structuredClone(variantFields(spec, value)));
  if (typeof value === 'string') out[spec.key] = value;
  return out;
}
