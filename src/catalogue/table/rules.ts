/**
 * The building blocks of the catalogue table's rows: shared condition shapes, authorization rules (whose human
 * descriptions are generated from the rules, so they cannot drift) and the row shape itself.
 */
import type { WireTransportMethod } from '../../protocol/eventsub.js';
import type { AuthorizationSpec, ConditionSpec, ScopeRequirement } from '../types.js';

// ---------------------------------------------------------------------------------------------------------------
// Condition shapes (shared, `as const` so that the keys stay literal types)
// ---------------------------------------------------------------------------------------------------------------

export const BROADCASTER = { required: ['broadcaster_user_id'], optional: [] } as const;
export const BROADCASTER_MODERATOR = {
  required: ['broadcaster_user_id', 'moderator_user_id'],
  optional: [],
} as const;
export const BROADCASTER_USER = { required: ['broadcaster_user_id', 'user_id'], optional: [] } as const;
export const BROADCASTER_REWARD = { required: ['broadcaster_user_id'], optional: ['reward_id'] } as const;
export const USER = { required: ['user_id'], optional: [] } as const;
export const RAID = {
  required: [],
  optional: ['from_broadcaster_user_id', 'to_broadcaster_user_id'],
  exactlyOneOf: [['from_broadcaster_user_id', 'to_broadcaster_user_id']],
} as const;
export const CLIENT = { required: ['client_id'], optional: [] } as const;
export const CONDUIT_SHARD = { required: ['client_id'], optional: ['conduit_id'] } as const;
export const DROP = { required: ['organization_id'], optional: ['category_id', 'campaign_id'] } as const;
export const EXTENSION = { required: ['extension_client_id'], optional: [] } as const;

// ---------------------------------------------------------------------------------------------------------------
// Authorization helpers
// ---------------------------------------------------------------------------------------------------------------

/** Transports of types that need no app token. */
export const ANY_TRANSPORT = ['webhook', 'websocket', 'conduit'] as const;
/** Transports of types that need an app token (Twitch: "webhook only"; conduits also carry them). */
export const APP_TOKEN_TRANSPORTS = ['webhook', 'conduit'] as const;

/** `user` must have granted every group (a group is satisfied by any one of its scopes). */
export function needs(user: string | null, ...groups: (string | readonly string[])[]): ScopeRequirement {
  return { user, allOf: groups.map((g) => (typeof g === 'string' ? [g] : g)) };
}

/** `needs(...)` that is waived when the two condition keys hold the same user. */
export function needsUnlessSame(user: string, same: string, ...groups: string[]): ScopeRequirement {
  return { ...needs(user, ...groups), waivedWhenSameAs: same };
}

export function describeRequirement(req: ScopeRequirement): string {
  const scopes = req.allOf.length === 0 ? 'any scope' : req.allOf.map((g) => g.join(' or ')).join(' + ');
  const who = req.user ?? 'token';
  const waiver = req.waivedWhenSameAs === undefined ? '' : `, unless it equals ${req.waivedWhenSameAs}`;
  return `${scopes} (${who}${waiver})`;
}

export interface AuthInput {
  readonly scopes?: readonly ScopeRequirement[];
  readonly appTokenExtra?: readonly ScopeRequirement[];
  readonly clientIdKey?: string;
  /** Free text appended to the generated description. */
  readonly note?: string;
}

/** Builds an {@link AuthorizationSpec}; the human description is generated from the rules so it cannot drift. */
export function auth(input: AuthInput): AuthorizationSpec {
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

export const NONE = auth({});
export const byBroadcaster = (...groups: (string | readonly string[])[]): AuthorizationSpec =>
  auth({ scopes: [needs('broadcaster_user_id', ...groups)] });
export const byModerator = (...groups: (string | readonly string[])[]): AuthorizationSpec =>
  auth({ scopes: [needs('moderator_user_id', ...groups)] });
export const readOrManage = (prefix: 'channel' | 'moderator', what: string): readonly string[] => [
  `${prefix}:read:${what}`,
  `${prefix}:manage:${what}`,
];

/** Chat types: the reading user needs user:read:chat; an app token also needs user:bot + channel:bot. */
export const CHAT = auth({
  scopes: [needs('user_id', 'user:read:chat')],
  appTokenExtra: [
    needs('user_id', 'user:bot'),
    needsUnlessSame('broadcaster_user_id', 'user_id', 'channel:bot'),
  ],
});
/** Chat types about the reading user's own messages: no channel:bot needed. */
export const CHAT_SELF = auth({
  scopes: [needs('user_id', 'user:read:chat')],
  appTokenExtra: [needs('user_id', 'user:bot')],
});
export const AUTOMOD_MANAGE = byModerator('moderator:manage:automod');
export const REDEMPTIONS = byBroadcaster(readOrManage('channel', 'redemptions'));
export const POLLS = byBroadcaster(readOrManage('channel', 'polls'));
export const PREDICTIONS = byBroadcaster(readOrManage('channel', 'predictions'));
export const SUBSCRIPTIONS = byBroadcaster('channel:read:subscriptions');
export const CHARITY = byBroadcaster('channel:read:charity');
export const HYPE_TRAIN = byBroadcaster('channel:read:hype_train');
export const GOALS = byBroadcaster('channel:read:goals');
export const GUEST_STAR = byModerator([
  'channel:read:guest_star',
  'channel:manage:guest_star',
  'moderator:read:guest_star',
  'moderator:manage:guest_star',
]);
export const MODERATE_V1_GROUPS = [
  readOrManage('moderator', 'blocked_terms'),
  readOrManage('moderator', 'chat_settings'),
  readOrManage('moderator', 'unban_requests'),
  readOrManage('moderator', 'banned_users'),
  readOrManage('moderator', 'chat_messages'),
  'moderator:read:moderators',
  'moderator:read:vips',
] as const;

/**
 * One authoring row; defaults: every transport, cost 0 when unauthorized, not batched, not removed. Withdrawn versions
 * carry `removed: true` (and `deprecated: true` when Twitch answers 400 rather than 410).
 */
export interface Row {
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
