/**
 * Typed subscription builders: camelCase conditions in, validated wire (snake_case) subscription requests out.
 *
 * Condition types are derived from the catalogue table, so a missing or misspelt key does not compile, and
 * `channel.raid` takes exactly one of `fromBroadcasterUserId` / `toBroadcasterUserId`. The same rules are enforced
 * at runtime (for JavaScript callers and data from outside), before any HTTP call, with an
 * {@link InvalidArgumentError} that names the field.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { isRecord } from '../core/guards.js';
import type { WireCondition } from '../protocol/eventsub.js';
import type { ActiveCatalogueRow, CatalogueRowOf, SubscriptionType, SubscriptionVersion } from './table.js';
import { getCatalogueEntry, getCatalogueVersions, latestCatalogueEntry } from './table.js';
import type { CatalogueEntry, ConditionSpec } from './types.js';
import { allowedConditionKeys, checkCondition, checkEntry } from './validate.js';

// ---------------------------------------------------------------------------------------------------------------
// Types derived from the table
// ---------------------------------------------------------------------------------------------------------------

/** `'broadcaster_user_id'` → `'broadcasterUserId'`. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<C> = C extends { readonly required: readonly (infer K extends string)[] } ? K : never;
type OptionalKeys<C> = C extends { readonly optional: readonly (infer K extends string)[] } ? K : never;
type OneOfKeys<C> = C extends { readonly exactlyOneOf: readonly (readonly (infer K extends string)[])[] }
  ? K
  : never;

type Rename<K extends string, Camel extends boolean> = Camel extends true ? CamelCase<K> : K;

type BaseCondition<C, Camel extends boolean> = {
  readonly [K in RequiredKeys<C> as Rename<K, Camel>]: string;
} & {
  readonly [K in Exclude<OptionalKeys<C>, OneOfKeys<C>> as Rename<K, Camel>]?: string;
};

/** The base condition plus exactly one key of the exactly-one-of group (the others typed `?: never`). */
type ExactlyOne<C, Keys extends string, Camel extends boolean> = {
  [K in Keys]: Simplify<
    BaseCondition<C, Camel> & { readonly [P in K as Rename<P, Camel>]: string } & {
      readonly [P in Exclude<Keys, K> as Rename<P, Camel>]?: never;
    }
  >;
}[Keys];

type ConditionFor<C, Camel extends boolean> = [OneOfKeys<C>] extends [never]
  ? Simplify<BaseCondition<C, Camel>>
  : ExactlyOne<C, OneOfKeys<C>, Camel>;

/**
 * The camelCase condition of `T` at version `V`, e.g. `ConditionOf<'channel.follow', '2'>` is
 * `{ broadcasterUserId: string; moderatorUserId: string }`.
 */
export type ConditionOf<T extends SubscriptionType, V extends string> = ConditionFor<
  CatalogueRowOf<T, V>['condition'],
  true
>;

/** The wire (snake_case) condition of `T` at version `V`. */
export type WireConditionOf<T extends SubscriptionType, V extends string> = ConditionFor<
  CatalogueRowOf<T, V>['condition'],
  false
>;

/** A validated subscription request, wire form (what Create EventSub Subscription takes, minus the transport). */
export interface SubscriptionRequest<
  T extends SubscriptionType = SubscriptionType,
  V extends string = SubscriptionVersion<T>,
> {
  readonly type: T;
  readonly version: V;
  readonly condition: WireConditionOf<T, V> & WireCondition;
}

type SpecOf<R> = R extends ActiveCatalogueRow
  ? {
      readonly type: R['type'];
      readonly version: R['version'];
      readonly condition: ConditionFor<R['condition'], true>;
    }
  : never;

/**
 * A subscription as a typed object literal: one member per type + version, discriminated by `type` and `version`.
 *
 * @example
 * ```ts
 * const spec: SubscriptionSpec = {
 *   type: 'channel.follow',
 *   version: '2',
 *   condition: { broadcasterUserId: '1337', moderatorUserId: '1337' },
 * };
 * ```
 */
export type SubscriptionSpec = SpecOf<ActiveCatalogueRow>;

// ---------------------------------------------------------------------------------------------------------------
// Runtime
// ---------------------------------------------------------------------------------------------------------------

/**
 * Converts a wire key to camelCase.
 *
 * @example
 * ```ts
 * snakeToCamel('broadcaster_user_id'); // 'broadcasterUserId'
 * ```
 */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Converts a camelCase key to its wire form.
 *
 * @example
 * ```ts
 * camelToSnake('broadcasterUserId'); // 'broadcaster_user_id'
 * ```
 */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const camelKeys = new WeakMap<ConditionSpec, ReadonlyMap<string, string>>();

/** camelCase key → wire key, for the keys an entry accepts. */
function camelKeyMap(spec: ConditionSpec): ReadonlyMap<string, string> {
  let map = camelKeys.get(spec);
  if (map === undefined) {
    map = new Map([...allowedConditionKeys(spec)].map((k) => [snakeToCamel(k), k]));
    camelKeys.set(spec, map);
  }
  return map;
}

/** The error of a version Twitch no longer accepts, naming what to use instead. */
function removedVersionError(entry: CatalogueEntry): InvalidArgumentError {
  const latest = latestCatalogueEntry(entry.type);
  const instead = latest === undefined ? '' : `; use version ${latest.version}`;
  const what =
    entry.deprecated === true
      ? `was withdrawn by Twitch${entry.withdrawnOn === undefined ? '' : ` on ${entry.withdrawnOn}`} (Twitch answers 400 "cannot use deprecated subscription type and version")`
      : 'was removed by Twitch (Twitch answers 410 Gone)';
  return new InvalidArgumentError(`${entry.type} version ${entry.version} ${what}${instead}`, 'version', {
    code: 'SUBSCRIPTION_VERSION_REMOVED',
  });
}

/**
 * Resolves a type + version to its catalogue entry, or throws: `UNKNOWN_SUBSCRIPTION_TYPE` (field `type` or
 * `version`) for unknown pairs, `SUBSCRIPTION_VERSION_REMOVED` (field `version`) for removed and withdrawn ones.
 *
 * @example
 * ```ts
 * resolveEntry('channel.follow', '2').condition.required; // ['broadcaster_user_id', 'moderator_user_id']
 * ```
 */
export function resolveEntry(type: unknown, version: unknown): CatalogueEntry {
  if (typeof type !== 'string' || type.length === 0) {
    throw new InvalidArgumentError('subscription type must be a non-empty string', 'type', {
      code: 'UNKNOWN_SUBSCRIPTION_TYPE',
    });
  }
  if (typeof version !== 'string' || version.length === 0) {
    throw new InvalidArgumentError(`version of ${type} must be a non-empty string`, 'version', {
      code: 'UNKNOWN_SUBSCRIPTION_TYPE',
    });
  }
  const entry = getCatalogueEntry(type, version);
  if (entry === undefined) {
    const versions = getCatalogueVersions(type).filter((e) => e.removed !== true);
    if (versions.length === 0) {
      throw new InvalidArgumentError(`unknown subscription type ${type}`, 'type', {
        code: 'UNKNOWN_SUBSCRIPTION_TYPE',
      });
    }
    const known = versions.map((e) => e.version).join(', ');
    throw new InvalidArgumentError(`unknown version ${version} of ${type} (known: ${known})`, 'version', {
      code: 'UNKNOWN_SUBSCRIPTION_TYPE',
    });
  }
  if (entry.removed === true) throw removedVersionError(entry);
  return entry;
}

/**
 * Converts and validates a camelCase condition for `entry` into its wire form. Throws `INVALID_CONDITION` naming the
 * camelCase field (`condition.moderatorUserId`) for an unknown key, a missing key, a value that is not a non-empty
 * string, or an exactly-one-of violation.
 *
 * @example
 * ```ts
 * toWireCondition(resolveEntry('channel.raid', '1'), { toBroadcasterUserId: '1337' });
 * // { to_broadcaster_user_id: '1337' }
 * ```
 */
export function toWireCondition(entry: CatalogueEntry, condition: unknown): WireCondition {
  checkEntry(entry);
  if (!isRecord(condition)) {
    throw new InvalidArgumentError(`condition of ${entry.type} must be an object`, 'condition', {
      code: 'INVALID_CONDITION',
    });
  }
  const keys = camelKeyMap(entry.condition);
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(condition)) {
    const wireKey = keys.get(key);
    if (wireKey === undefined) {
      const hint = keys.has(snakeToCamel(key)) ? ` (did you mean ${snakeToCamel(key)}?)` : '';
      const accepted = [...keys.keys()].join(', ');
      throw new InvalidArgumentError(
        `unknown condition key ${key} for ${entry.type} version ${entry.version}${hint}; accepted: ${accepted}`,
        `condition.${key}`,
        { code: 'INVALID_CONDITION' },
      );
    }
    if (value !== undefined) wire[wireKey] = value;
  }
  const check = checkCondition(entry, wire);
  if (!check.ok) {
    const field = check.field.startsWith('condition.')
      ? `condition.${snakeToCamel(check.field.slice('condition.'.length))}`
      : check.field;
    const message = check.message.replace(/[a-z0-9]+(?:_[a-z0-9]+)+/g, (k) =>
      keys.has(snakeToCamel(k)) ? snakeToCamel(k) : k,
    );
    throw new InvalidArgumentError(`${entry.type} version ${entry.version}: ${message}`, field, {
      code: 'INVALID_CONDITION',
    });
  }
  return wire as WireCondition;
}

/**
 * Builds a validated wire subscription request from a type, a version and a camelCase condition.
 *
 * @example
 * ```ts
 * const request = subscription('channel.follow', '2', { broadcasterUserId: '1337', moderatorUserId: '1337' });
 * // { type: 'channel.follow', version: '2', condition: { broadcaster_user_id: '1337', moderator_user_id: '1337' } }
 * ```
 */
export function subscription<const T extends SubscriptionType, const V extends SubscriptionVersion<T>>(
  type: T,
  version: V,
  condition: ConditionOf<T, V>,
): SubscriptionRequest<T, V> {
  const entry = resolveEntry(type, version);
  return {
    type,
    version,
    condition: toWireCondition(entry, condition) as WireConditionOf<T, V> & WireCondition,
  };
}

/**
 * Converts a typed {@link SubscriptionSpec} object (or any untrusted `{ type, version, condition }`) to a validated
 * wire subscription request.
 *
 * @example
 * ```ts
 * toSubscriptionRequest({ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1337' } });
 * ```
 */
export function toSubscriptionRequest<const S extends SubscriptionSpec>(
  spec: S,
): SubscriptionRequest<S['type'], S['version']> {
  const input: unknown = spec;
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError('subscription must be an object', 'subscription', {
      code: 'INVALID_ARGUMENT',
    });
  }
  const { type, version, condition } = input as Record<string, unknown>;
  const entry = resolveEntry(type, version);
  return {
    type: spec.type,
    version: spec.version,
    condition: toWireCondition(entry, condition),
  } as SubscriptionRequest<S['type'], S['version']>;
}

/**
 * Converts a wire condition to camelCase (keys only; values are kept).
 *
 * @example
 * ```ts
 * fromWireCondition({ broadcaster_user_id: '1337' }); // { broadcasterUserId: '1337' }
 * ```
 */
export function fromWireCondition(condition: WireCondition): Record<string, string> {
  if (!isRecord(condition)) {
    throw new InvalidArgumentError('condition must be an object (a wire condition)', 'condition');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(condition)) out[snakeToCamel(key)] = value;
  return out;
}
