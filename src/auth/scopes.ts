/**
 * Scope checks for EventSub subscriptions, read from the catalogue, so a missing scope fails before the request
 * with a message naming it.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { fail, string } from '../core/options.js';
import { missingScopes } from '../catalogue/authorization.js';
import { getCatalogueEntry } from '../catalogue/table.js';
import type { ScopeRequirement } from '../catalogue/types.js';
import { MissingScopesError } from './errors.js';

/**
 * The scope requirements of a subscription type+version (every requirement must hold; within a requirement every
 * group must be satisfied by any one of its scopes).
 *
 * @throws InvalidArgumentError (`field: 'type'`) for an unknown type+version.
 * @example
 * ```ts
 * requiredScopes('channel.follow', '2'); // [{ user: 'moderator_user_id', allOf: [['moderator:read:followers', ...]] }]
 * ```
 */
export function requiredScopes(type: string, version: string): readonly ScopeRequirement[] {
  string(type, 'type');
  string(version, 'version');
  const entry = getCatalogueEntry(type, version);
  if (entry === undefined) {
    throw new InvalidArgumentError(`unknown subscription type ${type} version ${version}`, 'type');
  }
  return entry.authorization.scopes;
}

/**
 * Which scope groups `scopes` lacks for `type`+`version` (each group lists alternatives). Empty: enough.
 * Unknown types return `[]` (Twitch decides).
 *
 * @example
 * ```ts
 * scopesMissingFor('channel.poll.begin', '1', ['channel:read:polls']); // []
 * ```
 */
export function scopesMissingFor(type: string, version: string, scopes: Iterable<string>): string[][] {
  string(type, 'type');
  string(version, 'version');
  const set = scopeSet(scopes);
  const entry = getCatalogueEntry(type, version);
  if (entry === undefined) return [];
  return missingScopes(entry, set);
}

/** The scopes of an iterable of strings (a string itself is refused: `'chat:read'` is not a list of scopes). */
function scopeSet(scopes: unknown): Set<string> {
  const iterable =
    typeof scopes === 'object' &&
    scopes !== null &&
    typeof (scopes as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
  if (!iterable) fail('scopes', 'an iterable of scope strings (an array, a Set)', scopes);
  const set = new Set<string>();
  let i = 0;
  for (const scope of scopes as Iterable<unknown>) {
    string(scope, `scopes[${i++}]`);
    set.add(scope as string);
  }
  return set;
}

/**
 * Throws {@link MissingScopesError} when `scopes` lacks something `type`+`version` needs.
 *
 * @example
 * ```ts
 * assertScopesFor('channel.poll.begin', '1', tokenScopes, userId);
 * ```
 */
export function assertScopesFor(
  type: string,
  version: string,
  scopes: Iterable<string>,
  userId: string | null,
): void {
  if (userId !== null) string(userId, 'userId');
  const missing = scopesMissingFor(type, version, scopes);
  if (missing.length === 0) return;
  const wanted = missing
    .map((group) => (group.length === 1 ? group[0] : `one of ${group.join(', ')}`))
    .join('; ');
  const who = userId === null ? 'the token' : `the token of user ${userId}`;
  throw new MissingScopesError(`${type} v${version} needs scopes ${who} lacks: ${wanted}`, missing, userId);
}
