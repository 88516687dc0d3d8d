/**
 * Shape of the catalogue of EventSub subscription types. One entry per type+version; the table itself lives in
 * `table.ts`. The client (typing, validation, models), the Helix layer (scope checks) and the emulator (validation,
 * cost, payload generation) all read the same table.
 */
import type { WireTransportMethod } from '../protocol/eventsub.js';

/** Which condition keys a type accepts (snake_case, as on the wire). */
export interface ConditionSpec {
  /** Keys that must be present. */
  readonly required: readonly string[];
  /** Keys that may be present. */
  readonly optional: readonly string[];
  /** Groups of which exactly one key must be present (e.g. channel.raid's from/to broadcaster). */
  readonly exactlyOneOf?: readonly (readonly string[])[];
}

/** A set of scopes a given user must have granted to the client. */
export interface ScopeRequirement {
  /**
   * The condition key naming the user whose authorization is needed (e.g. `moderator_user_id`), or `null` when the
   * requirement is on the token itself with no user in the condition.
   */
  readonly user: string | null;
  /** Every group must be satisfied; a group is satisfied by any one of its scopes. Empty: any authorization. */
  readonly allOf: readonly (readonly string[])[];
  /**
   * Condition key whose value, when equal to the value of `user`, waives this requirement (e.g. a chat bot reading
   * its own channel needs no `channel:bot` from the broadcaster).
   */
  readonly waivedWhenSameAs?: string;
}

/** Authorization rules of a subscription type. */
export interface AuthorizationSpec {
  /** Scope requirements for every transport. Empty array: no authorization needed. */
  readonly scopes: readonly ScopeRequirement[];
  /** Additional requirements when the subscription is created with an app token (webhook/conduit). */
  readonly appTokenExtra?: readonly ScopeRequirement[];
  /**
   * For websocket transports: the condition key that must equal the token's user id (e.g. `moderator_user_id`).
   */
  readonly websocketTokenUser?: string;
  /** The condition key that must equal the app token's client id (`client_id`, `extension_client_id`). */
  readonly clientIdKey?: string;
  /** Human description (for docs/events.md), e.g. "moderator:read:followers (moderator)". */
  readonly description: string;
}

/** One subscription type + version. */
export interface CatalogueEntry {
  readonly type: string;
  readonly version: string;
  /** One-line description for docs and TSDoc. */
  readonly description: string;
  readonly condition: ConditionSpec;
  readonly authorization: AuthorizationSpec;
  /** Transports that may carry this type (webhook-only types omit 'websocket'). */
  readonly transports: readonly WireTransportMethod[];
  /**
   * Cost when no user named in the condition has authorized the client: 0 for types that require authorization,
   * 1 for types that only name a user (stream.online, channel.update, channel.raid, ...).
   */
  readonly unauthorizedCost: 0 | 1;
  /** `true` when the notification carries `events[]` (batched) instead of `event` (drop.entitlement.grant). */
  readonly batched: boolean;
  /** Beta types (version `beta`). */
  readonly beta: boolean;
  /**
   * Versions Twitch no longer accepts. Create EventSub Subscription answers 410 Gone for removed ones
   * (`channel.follow` v1), or 400 `cannot use deprecated subscription type and version` for withdrawn ones that are
   * also {@link CatalogueEntry.deprecated}. The builders and the Helix client refuse both before sending anything;
   * they are not part of `SubscriptionType` / `SubscriptionVersion`.
   */
  readonly removed?: boolean;
  /**
   * Withdrawn versions Twitch still recognises (`removed` is true too): Create answers 400 `cannot use deprecated
   * subscription type and version` instead of 410, e.g. `channel.hype_train.*` v1 since 2026-01-15, `channel.update`
   * v1.
   */
  readonly deprecated?: boolean;
  /** When Twitch stopped accepting a removed version (`YYYY-MM-DD`), where known. */
  readonly withdrawnOn?: string;
}

/** Result of a condition validation. `field` names the first bad key, e.g. `condition.broadcaster_user_id`. */
export type ConditionCheck = { ok: true } | { ok: false; field: string; message: string };
