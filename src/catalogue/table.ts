/**
 * The catalogue of EventSub subscription types: one row per type + version, as data.
 *
 * Everything that needs to know about a subscription type reads this table: the client's builders (condition typing
 * and validation), the Helix client (pre-flight scope checks), the emulator (condition validation, authorization,
 * cost, payload generation) and `docs/events.md` (generated from it). The table is one `as const` structure so that
 * the TypeScript types (type names, versions, condition keys) are derived from the data and cannot drift from it.
 *
 * Sources: Twitch's subscription-types reference (February 2026 snapshot), cross-checked against the subscribe
 * requests in `data/eventsub-examples.json`; later changes (custom Power-ups, withdrawn versions) as listed in
 * `docs/emulator.md` ("Twitch as of 2026: sources followed").
 *
 * Choices where Twitch is silent or inconsistent:
 * - Types documented as "webhook only" (`user.authorization.*`, `drop.entitlement.grant`,
 *   `extension.bits_transaction.create`) are allowed on conduits too: they need an app token, which is what conduits
 *   use, and Twitch confirmed it (twitchdev/issues#1059). They are never allowed on WebSockets.
 * - `channel.ad_break.begin` uses `broadcaster_user_id` (the reference table says `broadcaster_id`, every example and
 *   real request uses `broadcaster_user_id`).
 * - Moderator status as an alternative to `channel:bot` for chat types is not modelled (the catalogue knows scopes,
 *   not roles); a bot reading its own channel needs no `channel:bot`.
 */
import type { WireTransportMethod } from '../protocol/eventsub.js';
import type { AuthorizationSpec, CatalogueEntry, ConditionSpec, ScopeRequirement } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Condition shapes (shared, `as const` so that the keys stay literal types)
// ---------------------------------------------------------------------------------------------------------------

const BROADCASTER = { required: ['broadcaster_user_id'], optional: [] } as const;
const BROADCASTER_MODERATOR = {
  required: ['broadcaster_user_id', 'moderator_user_id'],
  optional: [],
} as const;
const BROADCASTER_USER = { required: ['broadcaster_user_id', 'user_id'], optional: [] } as const;
const BROADCASTER_REWARD = { required: ['broadcaster_user_id'], optional: ['reward_id'] } as const;
const USER = { required: ['user_id'], optional: [] } as const;
const RAID = {
  required: [],
  optional: ['from_broadcaster_user_id', 'to_broadcaster_user_id'],
  exactlyOneOf: [['from_broadcaster_user_id', 'to_broadcaster_user_id']],
} as const;
const CLIENT = { required: ['client_id'], optional: [] } as const;
const CONDUIT_SHARD = { required: ['client_id'], optional: ['conduit_id'] } as const;
const DROP = { required: ['organization_id'], optional: ['category_id', 'campaign_id'] } as const;
const EXTENSION = { required: ['extension_client_id'], optional: [] } as const;

// ---------------------------------------------------------------------------------------------------------------
// Authorization helpers
// ---------------------------------------------------------------------------------------------------------------

/** Transports of types that need no app token. */
const ANY_TRANSPORT = ['webhook', 'websocket', 'conduit'] as const;
/** Transports of types that need an app token (Twitch: "webhook only"; conduits also carry them). */
const APP_TOKEN_TRANSPORTS = ['webhook', 'conduit'] as const;

/** `user` must have granted every group (a group is satisfied by any one of its scopes). */
function needs(user: string | null, ...groups: (string | readonly string[])[]): ScopeRequirement {
  return { user, allOf: groups.map((g) => (typeof g === 'string' ? [g] : g)) };
}

/** `needs(...)` that is waived when the two condition keys hold the same user. */
function needsUnlessSame(user: string, same: string, ...groups: string[]): ScopeRequirement {
  return { ...needs(user, ...groups), waivedWhenSameAs: same };
}

function describeRequirement(req: ScopeRequirement): string {
  const scopes = req.allOf.length === 0 ? 'any scope' : req.allOf.map((g) => g.join(' or ')).join(' + ');
  const who = req.user ?? 'token';
  const waiver = req.waivedWhenSameAs === undefined ? '' : `, unless it equals ${req.waivedWhenSameAs}`;
  return `${scopes} (${who}${waiver})`;
}

interface AuthInput {
  readonly scopes?: readonly ScopeRequirement[];
  readonly appTokenExtra?: readonly ScopeRequirement[];
  readonly clientIdKey?: string;
  /** Free text appended to the generated description. */
  readonly note?: string;
}

/** Builds an {@link AuthorizationSpec}; the human description is generated from the rules so it cannot drift. */
function auth(input: AuthInput): AuthorizationSpec {
  const scopes = input.scopes ?? [];
  const parts: string[] = [];
  if (scopes.length > 0) parts.push(scopes.map(describeRequirement).join('; '));
  if (input.appTokenExtra !== undefined && input.appTokenExtra.length > 0) {
    parts.push(`app token also: ${input.appTokenExtra.map(describeRequirement).join('; ')}`);
  }
  if (input.clientIdKey !== undefined) parts.push(`app token whose client id is ${input.clientIdKey}`);
  if (input.note !== undefined) parts.push(input.note);
  const firstUser = scopes.find((s) => s.user !== null)?.user ?? undefined;
  return {
    scopes,
    ...(input.appTokenExtra === undefined ? {} : { appTokenExtra: input.appTokenExtra }),
    ...(firstUser === undefined ? {} : { websocketTokenUser: firstUser }),
    ...(input.clientIdKey === undefined ? {} : { clientIdKey: input.clientIdKey }),
    description: parts.length === 0 ? 'none' : parts.join('; '),
  };
}

const NONE = auth({});
const byBroadcaster = (...groups: (string | readonly string[])[]): AuthorizationSpec =>
  auth({ scopes: [needs('broadcaster_user_id', ...groups)] });
const byModerator = (...groups: (string | readonly string[])[]): AuthorizationSpec =>
  auth({ scopes: [needs('moderator_user_id', ...groups)] });
const readOrManage = (prefix: 'channel' | 'moderator', what: string): readonly string[] => [
  `${prefix}:read:${what}`,
  `${prefix}:manage:${what}`,
];

/** Chat types: the reading user needs user:read:chat; an app token also needs user:bot + channel:bot. */
const CHAT = auth({
  scopes: [needs('user_id', 'user:read:chat')],
  appTokenExtra: [
    needs('user_id', 'user:bot'),
    needsUnlessSame('broadcaster_user_id', 'user_id', 'channel:bot'),
  ],
});
/** Chat types about the reading user's own messages: no channel:bot needed. */
const CHAT_SELF = auth({
  scopes: [needs('user_id', 'user:read:chat')],
  appTokenExtra: [needs('user_id', 'user:bot')],
});
const AUTOMOD_MANAGE = byModerator('moderator:manage:automod');
const REDEMPTIONS = byBroadcaster(readOrManage('channel', 'redemptions'));
const POLLS = byBroadcaster(readOrManage('channel', 'polls'));
const PREDICTIONS = byBroadcaster(readOrManage('channel', 'predictions'));
const SUBSCRIPTIONS = byBroadcaster('channel:read:subscriptions');
const CHARITY = byBroadcaster('channel:read:charity');
const HYPE_TRAIN = byBroadcaster('channel:read:hype_train');
const GOALS = byBroadcaster('channel:read:goals');
const GUEST_STAR = byModerator([
  'channel:read:guest_star',
  'channel:manage:guest_star',
  'moderator:read:guest_star',
  'moderator:manage:guest_star',
]);
const MODERATE_V1_GROUPS = [
  readOrManage('moderator', 'blocked_terms'),
  readOrManage('moderator', 'chat_settings'),
  readOrManage('moderator', 'unban_requests'),
  readOrManage('moderator', 'banned_users'),
  readOrManage('moderator', 'chat_messages'),
  'moderator:read:moderators',
  'moderator:read:vips',
] as const;

// ---------------------------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------------------------

/**
 * One authoring row; defaults: every transport, cost 0 when unauthorized, not batched, not removed. Withdrawn versions
 * carry `removed: true` (and `deprecated: true` when Twitch answers 400 rather than 410).
 */
interface Row {
  readonly type: string;
  readonly version: string;
  readonly description: string;
  readonly condition: ConditionSpec;
  readonly authorization: AuthorizationSpec;
  readonly transports?: readonly WireTransportMethod[];
  readonly unauthorizedCost?: 0 | 1;
  readonly batched?: true;
  readonly removed?: true;
  readonly deprecated?: true;
  readonly withdrawnOn?: string;
}

/**
 * The raw table, as authored. Prefer {@link CATALOGUE} (normalised entries) at runtime; this constant exists so that
 * the types below derive from literal data.
 */
export const CATALOGUE_TABLE = [
  // --- automod ---------------------------------------------------------------------------------------------------
  {
    type: 'automod.message.hold',
    version: '1',
    description: 'A message was held by AutoMod for review.',
    condition: BROADCASTER_MODERATOR,
    authorization: AUTOMOD_MANAGE,
  },
  {
    type: 'automod.message.hold',
    version: '2',
    description:
      'A message was held by AutoMod or by a blocked term (message with fragments and the hold reason).',
    condition: BROADCASTER_MODERATOR,
    authorization: AUTOMOD_MANAGE,
  },
  {
    type: 'automod.message.update',
    version: '1',
    description: 'A held message was approved, denied or expired.',
    condition: BROADCASTER_MODERATOR,
    authorization: AUTOMOD_MANAGE,
  },
  {
    type: 'automod.message.update',
    version: '2',
    description:
      'A held message was resolved (v2 shape: fragments, reason, AutoMod or blocked-term details).',
    condition: BROADCASTER_MODERATOR,
    authorization: AUTOMOD_MANAGE,
  },
  {
    type: 'automod.settings.update',
    version: '1',
    description: "The channel's AutoMod levels changed.",
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator('moderator:read:automod_settings'),
  },
  {
    type: 'automod.terms.update',
    version: '1',
    description: 'Blocked or permitted AutoMod terms were added or removed.',
    condition: BROADCASTER_MODERATOR,
    authorization: AUTOMOD_MANAGE,
  },
  // --- channel: general ------------------------------------------------------------------------------------------
  {
    type: 'channel.update',
    version: '1',
    description: 'Withdrawn by Twitch: creating it answers 400 (deprecated type and version). Use version 2.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
    removed: true,
    deprecated: true,
  },
  {
    type: 'channel.update',
    version: '2',
    description: 'The broadcaster changed the title, category, language or content labels.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  {
    type: 'channel.follow',
    version: '1',
    description: 'Removed by Twitch: creating it answers 410 Gone. Use version 2.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
    removed: true,
  },
  {
    type: 'channel.follow',
    version: '2',
    description: 'A user followed the channel.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator('moderator:read:followers'),
  },
  {
    type: 'channel.ad_break.begin',
    version: '1',
    description: 'An ad break started (manual or scheduled).',
    condition: BROADCASTER,
    authorization: byBroadcaster('channel:read:ads'),
  },
  {
    type: 'channel.raid',
    version: '1',
    description: 'A broadcaster raided another channel (condition: exactly one of from/to).',
    condition: RAID,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  // --- chat ------------------------------------------------------------------------------------------------------
  {
    type: 'channel.chat.clear',
    version: '1',
    description: "A moderator or bot cleared the channel's chat.",
    condition: BROADCASTER_USER,
    authorization: CHAT,
  },
  {
    type: 'channel.chat.clear_user_messages',
    version: '1',
    description: "A user's messages were cleared (ban or timeout).",
    condition: BROADCASTER_USER,
    authorization: CHAT,
  },
  {
    type: 'channel.chat.message',
    version: '1',
    description: 'A message was posted in chat.',
    condition: BROADCASTER_USER,
    authorization: CHAT,
  },
  {
    type: 'channel.chat.message_delete',
    version: '1',
    description: 'A single chat message was deleted by a moderator.',
    condition: BROADCASTER_USER,
    authorization: CHAT,
  },
  {
    type: 'channel.chat.notification',
    version: '1',
    description:
      'A chat notice: sub, resub, gift, raid, announcement, charity donation, shared-chat variants...',
    condition: BROADCASTER_USER,
    authorization: CHAT,
  },
  {
    type: 'channel.chat_settings.update',
    version: '1',
    description: "The channel's chat settings changed (slow, follower, subscriber, emote, unique mode).",
    condition: BROADCASTER_USER,
    authorization: CHAT,
  },
  {
    type: 'channel.chat.user_message_hold',
    version: '1',
    description: "The reading user's own message was held by AutoMod.",
    condition: BROADCASTER_USER,
    authorization: CHAT_SELF,
  },
  {
    type: 'channel.chat.user_message_update',
    version: '1',
    description: "The reading user's held message was approved, denied or expired.",
    condition: BROADCASTER_USER,
    authorization: CHAT_SELF,
  },
  {
    type: 'channel.shared_chat.begin',
    version: '1',
    description: 'The channel joined a shared chat session.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  {
    type: 'channel.shared_chat.update',
    version: '1',
    description: 'The participants of a shared chat session changed.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  {
    type: 'channel.shared_chat.end',
    version: '1',
    description: 'The channel left a shared chat session, or the session ended.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  // --- subscriptions, bits ---------------------------------------------------------------------------------------
  {
    type: 'channel.subscribe',
    version: '1',
    description:
      'A user subscribed (new subscriptions and gifted ones; resubs are channel.subscription.message).',
    condition: BROADCASTER,
    authorization: SUBSCRIPTIONS,
  },
  {
    type: 'channel.subscription.end',
    version: '1',
    description: 'A subscription expired.',
    condition: BROADCASTER,
    authorization: SUBSCRIPTIONS,
  },
  {
    type: 'channel.subscription.gift',
    version: '1',
    description: 'A user gifted one or more subscriptions.',
    condition: BROADCASTER,
    authorization: SUBSCRIPTIONS,
  },
  {
    type: 'channel.subscription.message',
    version: '1',
    description: 'A user shared a resubscription message in chat.',
    condition: BROADCASTER,
    authorization: SUBSCRIPTIONS,
  },
  {
    type: 'channel.cheer',
    version: '1',
    description: 'A user cheered bits.',
    condition: BROADCASTER,
    authorization: byBroadcaster('bits:read'),
  },
  {
    type: 'channel.bits.use',
    version: '1',
    description: 'Bits were used in the channel (cheers, power-ups, custom power-ups, combos).',
    condition: BROADCASTER,
    authorization: byBroadcaster('bits:read'),
  },
  {
    type: 'channel.custom_power_up_redemption.add',
    version: '1',
    description: 'A viewer redeemed a custom Power-up, paid with Bits (optionally one Power-up only).',
    condition: BROADCASTER_REWARD,
    authorization: byBroadcaster('bits:read'),
  },
  // --- moderation ------------------------------------------------------------------------------------------------
  {
    type: 'channel.ban',
    version: '1',
    description: 'A user was banned or timed out.',
    condition: BROADCASTER,
    authorization: byBroadcaster('channel:moderate'),
  },
  {
    type: 'channel.unban',
    version: '1',
    description: 'A user was unbanned.',
    condition: BROADCASTER,
    authorization: byBroadcaster('channel:moderate'),
  },
  {
    type: 'channel.unban_request.create',
    version: '1',
    description: 'A banned user asked to be unbanned.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'unban_requests')),
  },
  {
    type: 'channel.unban_request.resolve',
    version: '1',
    description: 'An unban request was approved, denied or canceled.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'unban_requests')),
  },
  {
    type: 'channel.moderate',
    version: '1',
    description:
      'A moderator action (ban, timeout, delete, modes, terms, raids...) with a per-action payload.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(...MODERATE_V1_GROUPS),
  },
  {
    type: 'channel.moderate',
    version: '2',
    description: 'A moderator action, v2: adds warnings and shared-chat source fields.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(...MODERATE_V1_GROUPS, readOrManage('moderator', 'warnings')),
  },
  {
    type: 'channel.moderator.add',
    version: '1',
    description: 'A user was made a moderator.',
    condition: BROADCASTER,
    authorization: byBroadcaster('moderation:read'),
  },
  {
    type: 'channel.moderator.remove',
    version: '1',
    description: 'A user lost moderator status.',
    condition: BROADCASTER,
    authorization: byBroadcaster('moderation:read'),
  },
  {
    type: 'channel.vip.add',
    version: '1',
    description: 'A user was made a VIP.',
    condition: BROADCASTER,
    authorization: byBroadcaster(readOrManage('channel', 'vips')),
  },
  {
    type: 'channel.vip.remove',
    version: '1',
    description: 'A user lost VIP status.',
    condition: BROADCASTER,
    authorization: byBroadcaster(readOrManage('channel', 'vips')),
  },
  {
    type: 'channel.suspicious_user.message',
    version: '1',
    description: 'A user marked as suspicious sent a message.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator('moderator:read:suspicious_users'),
  },
  {
    type: 'channel.suspicious_user.update',
    version: '1',
    description: "A suspicious user's treatment (monitored, restricted) changed.",
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator('moderator:read:suspicious_users'),
  },
  {
    type: 'channel.warning.acknowledge',
    version: '1',
    description: 'A warned user acknowledged the warning.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'warnings')),
  },
  {
    type: 'channel.warning.send',
    version: '1',
    description: 'A moderator warned a user.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'warnings')),
  },
  {
    type: 'channel.shield_mode.begin',
    version: '1',
    description: 'Shield mode was activated.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'shield_mode')),
  },
  {
    type: 'channel.shield_mode.end',
    version: '1',
    description: 'Shield mode was deactivated.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'shield_mode')),
  },
  {
    type: 'channel.shoutout.create',
    version: '1',
    description: 'The channel sent a shoutout.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'shoutouts')),
  },
  {
    type: 'channel.shoutout.receive',
    version: '1',
    description: 'The channel received a shoutout.',
    condition: BROADCASTER_MODERATOR,
    authorization: byModerator(readOrManage('moderator', 'shoutouts')),
  },
  // --- guest star (beta) -----------------------------------------------------------------------------------------
  {
    type: 'channel.guest_star_session.begin',
    version: 'beta',
    description: 'A Guest Star session started.',
    condition: BROADCASTER_MODERATOR,
    authorization: GUEST_STAR,
  },
  {
    type: 'channel.guest_star_session.end',
    version: 'beta',
    description: 'A Guest Star session ended.',
    condition: BROADCASTER_MODERATOR,
    authorization: GUEST_STAR,
  },
  {
    type: 'channel.guest_star_guest.update',
    version: 'beta',
    description: "A Guest Star guest's or slot's state changed.",
    condition: BROADCASTER_MODERATOR,
    authorization: GUEST_STAR,
  },
  {
    type: 'channel.guest_star_settings.update',
    version: 'beta',
    description: "The host's Guest Star settings changed.",
    condition: BROADCASTER_MODERATOR,
    authorization: GUEST_STAR,
  },
  // --- channel points --------------------------------------------------------------------------------------------
  {
    type: 'channel.channel_points_automatic_reward_redemption.add',
    version: '1',
    description: 'A viewer redeemed an automatic channel points reward.',
    condition: BROADCASTER,
    authorization: REDEMPTIONS,
  },
  {
    type: 'channel.channel_points_automatic_reward_redemption.add',
    version: '2',
    description: 'A viewer redeemed an automatic channel points reward (v2: message fragments, reward cost).',
    condition: BROADCASTER,
    authorization: REDEMPTIONS,
  },
  {
    type: 'channel.channel_points_custom_reward.add',
    version: '1',
    description: 'A custom channel points reward was created.',
    condition: BROADCASTER,
    authorization: REDEMPTIONS,
  },
  {
    type: 'channel.channel_points_custom_reward.update',
    version: '1',
    description: 'A custom channel points reward was updated (optionally one reward only).',
    condition: BROADCASTER_REWARD,
    authorization: REDEMPTIONS,
  },
  {
    type: 'channel.channel_points_custom_reward.remove',
    version: '1',
    description: 'A custom channel points reward was deleted (optionally one reward only).',
    condition: BROADCASTER_REWARD,
    authorization: REDEMPTIONS,
  },
  {
    type: 'channel.channel_points_custom_reward_redemption.add',
    version: '1',
    description: 'A viewer redeemed a custom channel points reward (optionally one reward only).',
    condition: BROADCASTER_REWARD,
    authorization: REDEMPTIONS,
  },
  {
    type: 'channel.channel_points_custom_reward_redemption.update',
    version: '1',
    description: 'A redemption was fulfilled or canceled (optionally one reward only).',
    condition: BROADCASTER_REWARD,
    authorization: REDEMPTIONS,
  },
  // --- polls, predictions ----------------------------------------------------------------------------------------
  {
    type: 'channel.poll.begin',
    version: '1',
    description: 'A poll started.',
    condition: BROADCASTER,
    authorization: POLLS,
  },
  {
    type: 'channel.poll.progress',
    version: '1',
    description: 'Votes were cast in a poll.',
    condition: BROADCASTER,
    authorization: POLLS,
  },
  {
    type: 'channel.poll.end',
    version: '1',
    description: 'A poll ended (completed, terminated or archived).',
    condition: BROADCASTER,
    authorization: POLLS,
  },
  {
    type: 'channel.prediction.begin',
    version: '1',
    description: 'A prediction started.',
    condition: BROADCASTER,
    authorization: PREDICTIONS,
  },
  {
    type: 'channel.prediction.progress',
    version: '1',
    description: 'Users placed channel points on a prediction.',
    condition: BROADCASTER,
    authorization: PREDICTIONS,
  },
  {
    type: 'channel.prediction.lock',
    version: '1',
    description: 'A prediction was locked.',
    condition: BROADCASTER,
    authorization: PREDICTIONS,
  },
  {
    type: 'channel.prediction.end',
    version: '1',
    description: 'A prediction was resolved or canceled.',
    condition: BROADCASTER,
    authorization: PREDICTIONS,
  },
  // --- hype train, charity, goals --------------------------------------------------------------------------------
  {
    type: 'channel.hype_train.begin',
    version: '1',
    description:
      'Withdrawn by Twitch on 2026-01-15: creating it answers 400 (deprecated type and version). Use v2.',
    condition: BROADCASTER,
    authorization: HYPE_TRAIN,
    removed: true,
    deprecated: true,
    withdrawnOn: '2026-01-15',
  },
  {
    type: 'channel.hype_train.progress',
    version: '1',
    description:
      'Withdrawn by Twitch on 2026-01-15: creating it answers 400 (deprecated type and version). Use v2.',
    condition: BROADCASTER,
    authorization: HYPE_TRAIN,
    removed: true,
    deprecated: true,
    withdrawnOn: '2026-01-15',
  },
  {
    type: 'channel.hype_train.end',
    version: '1',
    description:
      'Withdrawn by Twitch on 2026-01-15: creating it answers 400 (deprecated type and version). Use v2.',
    condition: BROADCASTER,
    authorization: HYPE_TRAIN,
    removed: true,
    deprecated: true,
    withdrawnOn: '2026-01-15',
  },
  {
    type: 'channel.hype_train.begin',
    version: '2',
    description: 'A hype train started.',
    condition: BROADCASTER,
    authorization: HYPE_TRAIN,
  },
  {
    type: 'channel.hype_train.progress',
    version: '2',
    description: 'A hype train progressed.',
    condition: BROADCASTER,
    authorization: HYPE_TRAIN,
  },
  {
    type: 'channel.hype_train.end',
    version: '2',
    description: 'A hype train ended.',
    condition: BROADCASTER,
    authorization: HYPE_TRAIN,
  },
  {
    type: 'channel.charity_campaign.donate',
    version: '1',
    description: 'A user donated to the charity campaign.',
    condition: BROADCASTER,
    authorization: CHARITY,
  },
  {
    type: 'channel.charity_campaign.start',
    version: '1',
    description: 'A charity campaign started.',
    condition: BROADCASTER,
    authorization: CHARITY,
  },
  {
    type: 'channel.charity_campaign.progress',
    version: '1',
    description: 'A charity campaign progressed.',
    condition: BROADCASTER,
    authorization: CHARITY,
  },
  {
    type: 'channel.charity_campaign.stop',
    version: '1',
    description: 'A charity campaign stopped.',
    condition: BROADCASTER,
    authorization: CHARITY,
  },
  {
    type: 'channel.goal.begin',
    version: '1',
    description: 'A creator goal started.',
    condition: BROADCASTER,
    authorization: GOALS,
  },
  {
    type: 'channel.goal.progress',
    version: '1',
    description: 'A creator goal progressed.',
    condition: BROADCASTER,
    authorization: GOALS,
  },
  {
    type: 'channel.goal.end',
    version: '1',
    description: 'A creator goal ended.',
    condition: BROADCASTER,
    authorization: GOALS,
  },
  // --- stream, user ----------------------------------------------------------------------------------------------
  {
    type: 'stream.online',
    version: '1',
    description: 'The broadcaster went live.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  {
    type: 'stream.offline',
    version: '1',
    description: 'The broadcaster stopped streaming.',
    condition: BROADCASTER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  {
    type: 'user.update',
    version: '1',
    description: 'A user updated their account (email only with user:read:email).',
    condition: USER,
    authorization: NONE,
    unauthorizedCost: 1,
  },
  {
    type: 'user.whisper.message',
    version: '1',
    description: 'The user received a whisper.',
    condition: USER,
    authorization: auth({ scopes: [needs('user_id', ['user:read:whispers', 'user:manage:whispers'])] }),
  },
  // --- app-token only --------------------------------------------------------------------------------------------
  {
    type: 'user.authorization.grant',
    version: '1',
    description: 'A user authorized the client.',
    condition: CLIENT,
    authorization: auth({ clientIdKey: 'client_id' }),
    transports: APP_TOKEN_TRANSPORTS,
    unauthorizedCost: 1,
  },
  {
    type: 'user.authorization.revoke',
    version: '1',
    description: "A user revoked the client's authorization (user fields are null if the user was deleted).",
    condition: CLIENT,
    authorization: auth({ clientIdKey: 'client_id' }),
    transports: APP_TOKEN_TRANSPORTS,
    unauthorizedCost: 1,
  },
  {
    type: 'drop.entitlement.grant',
    version: '1',
    description: 'Drop entitlements were granted; batched: the notification carries events[] of {id, data}.',
    condition: DROP,
    authorization: auth({ note: 'app token of a client owned by the organization' }),
    transports: APP_TOKEN_TRANSPORTS,
    batched: true,
  },
  {
    type: 'extension.bits_transaction.create',
    version: '1',
    description: 'A Bits transaction happened in an extension.',
    condition: EXTENSION,
    authorization: auth({ clientIdKey: 'extension_client_id' }),
    transports: APP_TOKEN_TRANSPORTS,
  },
  {
    type: 'conduit.shard.disabled',
    version: '1',
    description:
      "A conduit shard was disabled (optionally for one conduit only); the shard's transport is attached.",
    condition: CONDUIT_SHARD,
    authorization: auth({ clientIdKey: 'client_id' }),
    transports: APP_TOKEN_TRANSPORTS,
  },
] as const satisfies readonly Row[];

// ---------------------------------------------------------------------------------------------------------------
// Derived types
// ---------------------------------------------------------------------------------------------------------------

/** Any row of the table, including removed versions. */
export type CatalogueRow = (typeof CATALOGUE_TABLE)[number];
/** Rows that can still be subscribed to (removed and withdrawn versions excluded). */
export type ActiveCatalogueRow = Exclude<CatalogueRow, { readonly removed: true }>;
/** Union of every subscription type name (`'channel.follow' | 'stream.online' | ...`). */
export type SubscriptionType = ActiveCatalogueRow['type'];
/** Versions that can be subscribed to for type `T` (`SubscriptionVersion<'channel.moderate'>` is `'1' | '2'`). */
export type SubscriptionVersion<T extends SubscriptionType> = Extract<
  ActiveCatalogueRow,
  { readonly type: T }
>['version'];
/** The table row of `T` at version `V`. */
export type CatalogueRowOf<T extends string, V extends string> = Extract<
  ActiveCatalogueRow,
  { readonly type: T; readonly version: V }
>;

// ---------------------------------------------------------------------------------------------------------------
// Normalised runtime view
// ---------------------------------------------------------------------------------------------------------------

function normalise(row: Row): CatalogueEntry {
  return Object.freeze({
    type: row.type,
    version: row.version,
    description: row.description,
    condition: row.condition,
    authorization: row.authorization,
    transports: row.transports ?? ANY_TRANSPORT,
    unauthorizedCost: row.unauthorizedCost ?? 0,
    batched: row.batched ?? false,
    beta: row.version === 'beta',
    ...(row.removed === undefined ? {} : { removed: true }),
    ...(row.deprecated === undefined ? {} : { deprecated: true }),
    ...(row.withdrawnOn === undefined ? {} : { withdrawnOn: row.withdrawnOn }),
  });
}

/**
 * Every subscription type + version Twitch documents (83 pairs), plus the withdrawn versions marked `removed: true`:
 * `channel.follow` v1 (creating it answers 410 Gone) and, also `deprecated: true`, `channel.update` v1 and
 * `channel.hype_train.*` v1 (400 `cannot use deprecated subscription type and version`). Frozen.
 *
 * @example
 * ```ts
 * const webhookOnly = CATALOGUE.filter((e) => !e.transports.includes('websocket')).map((e) => e.type);
 * ```
 */
export const CATALOGUE: readonly CatalogueEntry[] = Object.freeze(CATALOGUE_TABLE.map(normalise));

const BY_KEY = new Map<string, CatalogueEntry>(CATALOGUE.map((e) => [`${e.type}@${e.version}`, e]));
const BY_TYPE = new Map<string, CatalogueEntry[]>();
for (const entry of CATALOGUE) {
  const list = BY_TYPE.get(entry.type);
  if (list === undefined) BY_TYPE.set(entry.type, [entry]);
  else list.push(entry);
}

/**
 * Looks up a type + version. Returns `undefined` for unknown pairs; removed pairs are returned with `removed: true`.
 *
 * @example
 * ```ts
 * const entry = getCatalogueEntry('channel.follow', '2');
 * entry?.condition.required; // ['broadcaster_user_id', 'moderator_user_id']
 * ```
 */
export function getCatalogueEntry(type: string, version: string): CatalogueEntry | undefined {
  // A lookup: anything that is not a pair of strings is simply not in the catalogue.
  if (typeof type !== 'string' || typeof version !== 'string') return undefined;
  return BY_KEY.get(`${type}@${version}`);
}

/**
 * Every known version of a type (removed ones included), in table order; empty for unknown types.
 *
 * @example
 * ```ts
 * getCatalogueVersions('channel.moderate').map((e) => e.version); // ['1', '2']
 * ```
 */
export function getCatalogueVersions(type: string): readonly CatalogueEntry[] {
  return (typeof type === 'string' ? BY_TYPE.get(type) : undefined) ?? [];
}

/**
 * The newest version of a type that can still be subscribed to (`beta` counts as older than any number).
 *
 * @example
 * ```ts
 * latestCatalogueEntry('channel.follow')?.version; // '2'
 * ```
 */
export function latestCatalogueEntry(type: string): CatalogueEntry | undefined {
  let best: CatalogueEntry | undefined;
  for (const entry of getCatalogueVersions(type)) {
    if (entry.removed === true) continue;
    if (best === undefined || versionRank(entry.version) > versionRank(best.version)) best = entry;
  }
  return best;
}

function versionRank(version: string): number {
  const n = Number(version);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Whether `type` names a known subscription type (any version); narrows to {@link SubscriptionType}.
 *
 * @example
 * ```ts
 * if (isSubscriptionType(name)) latestCatalogueEntry(name);
 * ```
 */
export function isSubscriptionType(type: string): type is SubscriptionType {
  return typeof type === 'string' && BY_TYPE.has(type);
}
