/**
 * `defineEvent`: the one place where a subscription type and version meet the model of their events.
 *
 * Each model file (`models/*.ts`) declares, next to a hand-written model interface, one definition per type and
 * version: `export const channelFollowEventDefinition = defineEvent('channel.follow', '2', toChannelFollowEvent)`. The
 * converter registry (`EVENT_DEFINITIONS` in `definitions.ts`), the event map (`EventSubEventMap`) and the
 * version unions are derived from these definitions; nothing else lists the types.
 *
 * The compiler checks each definition against the catalogue table and the model:
 * - `type` must be a subscription type of the table and `version` one of its subscribable versions (a typo, a
 *   withdrawn version or a type missing from the table does not compile);
 * - the converter must return a model whose `type` and `version` are exactly those (a converter filed under the
 *   wrong key does not compile), and whose `raw` is the converter's wire type.
 */
import type { EventModel } from './models/common.js';
import type { SubscriptionType, SubscriptionVersion } from './table.js';

/**
 * One event definition: a subscription type and version, and the converter from its wire event to its model.
 *
 * @typeParam T - subscription type, e.g. `channel.follow`.
 * @typeParam V - subscription version, e.g. `2`.
 * @typeParam M - the model the converter returns.
 */
export interface EventDefinition<T extends string = string, V extends string = string, M = unknown> {
  readonly type: T;
  readonly version: V;
  /** `${type}@${version}`, the registry key. */
  readonly key: `${T}@${V}`;
  /**
   * The converter. Its wire parameter is erased to `unknown` (the wire event is untyped JSON: the converter's field
   * readers check every field they use at run time); its model type is kept.
   */
  readonly convert: (wire: unknown) => M;
}

/**
 * Defines the model of one subscription type and version (see the module comment).
 *
 * @param type - a subscription type of the catalogue table.
 * @param version - one of its subscribable versions.
 * @param convert - wire event → model; its model's `type` and `version` must be `type` and `version`.
 *
 * @example
 * ```ts
 * export interface ChannelFollowEvent extends EventModel<'channel.follow', '2', WireChannelFollowEvent> {
 *   readonly user: UserRef;
 * }
 * export const channelFollowEventDefinition = defineEvent('channel.follow', '2', toChannelFollowEvent);
 * ```
 */
export function defineEvent<
  const T extends SubscriptionType,
  const V extends SubscriptionVersion<T>,
  W,
  M extends EventModel<T, V, W>,
>(type: T, version: V, convert: (wire: W) => M): EventDefinition<T, V, M> {
  // The one cast of the registry: it erases the wire parameter only (see EventDefinition.convert); the model type,
  // which the constraint above checked against the key, is kept.
  return Object.freeze(new Definition(type, version, convert as (wire: unknown) => M));
}

/** The runtime form of a definition (a class, so that `definitions.ts` can tell definitions from other exports). */
class Definition<T extends string, V extends string, M> implements EventDefinition<T, V, M> {
  readonly key: `${T}@${V}`;

  constructor(
    readonly type: T,
    readonly version: V,
    readonly convert: (wire: unknown) => M,
  ) {
    this.key = `${type}@${version}`;
  }
}

/** Any event definition (the element type of the registry). */
export type AnyEventDefinition = EventDefinition<string, string, EventModel<string, string, unknown>>;

/**
 * `true` for a definition made by {@link defineEvent} (how `definitions.ts` picks them out of a module's exports);
 * narrows a module's export union to its definitions.
 */
export function isEventDefinition<X>(value: X): value is Extract<X, AnyEventDefinition> {
  return value instanceof Definition;
}
