/**
 * Authorization rules of subscription types, evaluated from the catalogue: who must have granted what, the cost of a
 * subscription, and which scopes a token is missing.
 */
import { isRecord } from '../core/guards.js';
import { fail, func, oneOf, string } from '../core/options.js';
import type { WireCondition } from '../protocol/eventsub.js';
import type { CatalogueEntry, ScopeRequirement } from './types.js';
import { checkEntry, isUserConditionKey } from './validate.js';

/** A condition given to the checks below: an object (its values are compared, never trusted). */
function checkWireCondition(condition: unknown): asserts condition is WireCondition {
  if (!isRecord(condition)) fail('condition', 'an object (a wire condition)', condition);
}

/** A set of scopes: anything with a `has(scope)` method (a `Set`). */
function checkScopeSet(scopes: unknown, field: string): asserts scopes is ReadonlySet<string> {
  if (typeof (scopes as { has?: unknown } | null)?.has !== 'function') {
    fail(field, 'a set of scopes (a Set)', scopes);
  }
}

/** The token that creates a subscription, as the platform sees it (never the token itself). */
export interface Caller {
  /** `app` for client-credentials tokens (webhook, conduit), `user` for user tokens (websocket). */
  kind: 'app' | 'user';
  /** Client id the token was issued to. */
  clientId: string;
  /** The token's user (user tokens only). */
  userId?: string;
  /** Scopes of the token (empty for app tokens). */
  scopes: ReadonlySet<string>;
}

/**
 * Scopes `userId` has granted to the caller's client, or `undefined` when that user never authorized the client.
 */
export type Grants = (userId: string) => ReadonlySet<string> | undefined;

/** Result of {@link checkAuthorization}; failures carry the HTTP status and the message Twitch would send. */
export type AuthorizationCheck =
  | { ok: true }
  | {
      ok: false;
      status: 401 | 403;
      message: string;
      /** What exactly is missing (for logs and tests; Twitch itself does not say). */
      detail: string;
      /**
       * The condition key of the user who has not authorized the client or not granted the scopes (app tokens), when
       * that is the reason.
       */
      userKey?: string;
    };

const OK: AuthorizationCheck = Object.freeze({ ok: true });

/** Twitch's wording for a 403 on Create EventSub Subscription. */
export const MISSING_AUTHORIZATION_MESSAGE = 'subscription missing proper authorization';

function forbidden(detail: string, userKey?: string): AuthorizationCheck {
  return userKey === undefined
    ? { ok: false, status: 403, message: MISSING_AUTHORIZATION_MESSAGE, detail }
    : { ok: false, status: 403, message: MISSING_AUTHORIZATION_MESSAGE, detail, userKey };
}

/** Whether `scopes` satisfies every any-of group of `req`. */
function satisfies(req: ScopeRequirement, scopes: ReadonlySet<string>): boolean {
  for (const group of req.allOf) {
    if (!group.some((scope) => scopes.has(scope))) return false;
  }
  return true;
}

function missingGroups(req: ScopeRequirement, scopes: ReadonlySet<string>): string[][] {
  const missing: string[][] = [];
  for (const group of req.allOf) {
    if (!group.some((scope) => scopes.has(scope))) missing.push([...group]);
  }
  return missing;
}

function isWaived(req: ScopeRequirement, condition: WireCondition): boolean {
  if (req.waivedWhenSameAs === undefined || req.user === null) return false;
  const a = condition[req.user];
  return a !== undefined && a === condition[req.waivedWhenSameAs];
}

function describeGroups(groups: readonly (readonly string[])[]): string {
  return groups.map((g) => g.join(' or ')).join(', ');
}

/**
 * Decides whether `caller` may create a subscription of `entry` with `condition` (already validated with
 * `checkCondition`).
 *
 * - User token (websocket): every user named by a requirement must be the token's user, and the token's scopes
 *   must satisfy the requirement.
 * - App token (webhook, conduit): every user named by a requirement (and by the app-token extras, e.g. `user:bot`
 *   and `channel:bot` for chat) must have granted the scopes to the caller's client, as reported by `grants`.
 * - Types bound to a client (`client_id`, `extension_client_id`) need an app token of that very client.
 *
 * @example
 * ```ts
 * const entry = getCatalogueEntry('channel.follow', '2')!;
 * const caller = { kind: 'user', clientId: 'abc', userId: '9001', scopes: new Set(['moderator:read:followers']) };
 * checkAuthorization(entry, { broadcaster_user_id: '1337', moderator_user_id: '9001' }, caller, () => undefined);
 * // { ok: true }
 * ```
 */
export function checkAuthorization(
  entry: CatalogueEntry,
  condition: WireCondition,
  caller: Caller,
  grants: Grants,
): AuthorizationCheck {
  checkEntry(entry);
  checkWireCondition(condition);
  if (!isRecord(caller)) fail('caller', "a caller ({ kind: 'app' | 'user', clientId, scopes })", caller);
  oneOf(['app', 'user'])(caller.kind, 'caller.kind');
  string(caller.clientId, 'caller.clientId');
  if (caller.userId !== undefined) string(caller.userId, 'caller.userId');
  checkScopeSet(caller.scopes, 'caller.scopes');
  func(grants, 'grants');
  const spec = entry.authorization;
  if (spec.clientIdKey !== undefined) {
    if (caller.kind !== 'app') {
      return {
        ok: false,
        status: 401,
        message: 'subscription type requires an app access token',
        detail: `${entry.type} is bound to ${spec.clientIdKey} and needs an app access token`,
      };
    }
    if (condition[spec.clientIdKey] !== caller.clientId) {
      return forbidden(`${spec.clientIdKey} must equal the client id of the access token`);
    }
  }

  if (caller.kind === 'user') {
    const tokenUser = caller.userId;
    if (spec.websocketTokenUser !== undefined && condition[spec.websocketTokenUser] !== tokenUser) {
      return forbidden(`${spec.websocketTokenUser} must be the user of the access token`);
    }
    for (const req of spec.scopes) {
      if (req.user !== null && condition[req.user] !== tokenUser) {
        return forbidden(`${req.user} must be the user of the access token`);
      }
      if (!satisfies(req, caller.scopes)) {
        return forbidden(`token is missing ${describeGroups(missingGroups(req, caller.scopes))}`);
      }
    }
    return OK;
  }

  for (const list of [spec.scopes, spec.appTokenExtra ?? []]) {
    for (const req of list) {
      if (isWaived(req, condition)) continue;
      if (req.user === null) {
        // App tokens carry no scopes: a requirement on the token itself can only be met by an empty group list.
        if (req.allOf.length > 0)
          return forbidden(`an app access token cannot hold ${describeGroups(req.allOf)}`);
        continue;
      }
      const userId = condition[req.user];
      if (userId === undefined) continue;
      const granted = grants(userId);
      if (granted === undefined) {
        return forbidden(`${req.user} ${userId} has not authorized the client`, req.user);
      }
      if (!satisfies(req, granted)) {
        return forbidden(
          `${req.user} ${userId} has not granted ${describeGroups(missingGroups(req, granted))}`,
          req.user,
        );
      }
    }
  }
  return OK;
}

/**
 * The scopes the user named by condition key `key` must grant for `entry`: one per requirement group (the first
 * listed, e.g. the `read` one of a read-or-manage pair), including an app token's extras (`user:bot`, `channel:bot`
 * for chat types) when `appToken`, skipping waived requirements. Empty when the type names the user without needing
 * any scope (`stream.online`).
 *
 * @example
 * ```ts
 * const chat = getCatalogueEntry('channel.chat.message', '1')!;
 * scopesForUser(chat, { broadcaster_user_id: '1', user_id: '2' }, 'user_id', true); // ['user:read:chat', 'user:bot']
 * ```
 */
export function scopesForUser(
  entry: CatalogueEntry,
  condition: WireCondition,
  key: string,
  appToken: boolean,
): string[] {
  const spec = entry.authorization;
  const scopes: string[] = [];
  for (const list of appToken ? [spec.scopes, spec.appTokenExtra ?? []] : [spec.scopes]) {
    for (const req of list) {
      if (req.user !== key || isWaived(req, condition)) continue;
      for (const group of req.allOf) {
        const first = group[0];
        if (first !== undefined && !scopes.includes(first)) scopes.push(first);
      }
    }
  }
  return scopes;
}

/**
 * Cost of a subscription (Twitch §"Subscription limits"): 0 for types that require authorization, and for any type
 * when a user named in the condition has authorized the client; otherwise the entry's `unauthorizedCost` (1).
 *
 * @example
 * ```ts
 * computeCost(getCatalogueEntry('stream.online', '1')!, { broadcaster_user_id: '1337' }, () => undefined); // 1
 * ```
 */
export function computeCost(entry: CatalogueEntry, condition: WireCondition, grants: Grants): 0 | 1 {
  checkEntry(entry);
  checkWireCondition(condition);
  func(grants, 'grants');
  if (entry.unauthorizedCost === 0) return 0;
  for (const key of Object.keys(condition)) {
    if (!isUserConditionKey(key)) continue;
    const userId = condition[key];
    if (userId !== undefined && grants(userId) !== undefined) return 0;
  }
  return 1;
}

/**
 * The any-of scope groups a user token holding `scopes` does not satisfy for `entry` (websocket rules; an empty
 * array means the token is enough). Used by the Helix client's pre-flight check.
 *
 * @example
 * ```ts
 * missingScopes(getCatalogueEntry('channel.poll.begin', '1')!, new Set());
 * // [['channel:read:polls', 'channel:manage:polls']]
 * ```
 */
export function missingScopes(entry: CatalogueEntry, scopes: ReadonlySet<string>): string[][] {
  checkEntry(entry);
  checkScopeSet(scopes, 'scopes');
  const missing: string[][] = [];
  for (const req of entry.authorization.scopes) missing.push(...missingGroups(req, scopes));
  return missing;
}

/**
 * Every scope that can appear in a requirement of `entry` (token requirements and app-token extras), flattened and
 * de-duplicated: handy to build an authorization URL.
 *
 * @example
 * ```ts
 * requiredScopeNames(getCatalogueEntry('channel.chat.message', '1')!); // ['user:read:chat', 'user:bot', 'channel:bot']
 * ```
 */
export function requiredScopeNames(entry: CatalogueEntry): string[] {
  checkEntry(entry);
  const names = new Set<string>();
  for (const req of [...entry.authorization.scopes, ...(entry.authorization.appTokenExtra ?? [])]) {
    for (const group of req.allOf) for (const scope of group) names.add(scope);
  }
  return [...names];
}
