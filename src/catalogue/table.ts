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
import type { CatalogueEntry } from './types.js';
import { CHAT_MODERATION_ROWS } from './table/rows-chat-moderation.js';
import { ENGAGEMENT_PLATFORM_ROWS } from './table/rows-engagement-platform.js';
import { ANY_TRANSPORT } from './table/rules.js';
import type { Row } from './table/rules.js';

/**
 * The raw table, as authored (the rows live in `table/rows-*.ts`, the shared conditions and authorization rules in
 * `table/rules.ts`). Prefer {@link CATALOGUE} (normalised entries) at runtime; this constant exists so that the types
 * below derive from literal data.
 */
export const CATALOGUE_TABLE = [
  ...CHAT_MODERATION_ROWS,
  ...ENGAGEMENT_PLATFORM_ROWS,
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
