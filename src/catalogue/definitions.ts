/**
 * The event definitions: every `defineEvent` of the model files, collected, and the types derived from them.
 *
 * A model file exports its definitions (`export const channelFollowEventDefinition = defineEvent(...)`) next to its model
 * interfaces; this module picks every definition out of each model module's exports, so adding a type to a model
 * file needs no edit here (the barrel names the public model types). A new model *file* is added to
 * {@link EVENT_DEFINITIONS} once.
 */
import type { AnyEventDefinition, EventDefinition } from './define.js';
import { isEventDefinition } from './define.js';
import * as automod from './models/automod.js';
import * as channel from './models/channel.js';
import * as channelChat from './models/channel-chat.js';
import * as channelPoints from './models/channel-points.js';
import * as chatNotification from './models/chat-notification.js';
import * as engagement from './models/engagement.js';
import * as guestStar from './models/guest-star.js';
import * as moderate from './models/moderate.js';
import * as moderation from './models/moderation.js';
import * as platform from './models/platform.js';
import * as pollsPredictions from './models/polls-predictions.js';
import * as subscriptions from './models/subscriptions.js';

/** The definitions among a module's exports, in export order. */
function definitionsOf<M extends Record<keyof M, unknown>>(
  module: M,
): Extract<M[keyof M], AnyEventDefinition>[] {
  const out: Extract<M[keyof M], AnyEventDefinition>[] = [];
  for (const key of Object.keys(module) as (keyof M)[]) {
    const value = module[key];
    if (isEventDefinition(value)) out.push(value);
  }
  return out;
}

/**
 * Every event definition, frozen: one per catalogue type and version that has a model. A new model file is added
 * here (and to the barrel) once; new definitions in an existing file need no edit.
 *
 * @example
 * ```ts
 * EVENT_DEFINITIONS.find((d) => d.key === 'channel.follow@2')?.convert(wireEvent);
 * ```
 */
export const EVENT_DEFINITIONS = Object.freeze([
  ...definitionsOf(automod),
  ...definitionsOf(channel),
  ...definitionsOf(channelChat),
  ...definitionsOf(channelPoints),
  ...definitionsOf(chatNotification),
  ...definitionsOf(engagement),
  ...definitionsOf(guestStar),
  ...definitionsOf(moderate),
  ...definitionsOf(moderation),
  ...definitionsOf(platform),
  ...definitionsOf(pollsPredictions),
  ...definitionsOf(subscriptions),
]);

/** Union of every event definition (one member per type and version). */
export type EventDefinitions = (typeof EVENT_DEFINITIONS)[number];

/** The model of a definition. */
type ModelOf<D> = D extends EventDefinition<string, string, infer M> ? M : never;

/**
 * Subscription type → event model, for the client's typed emitter. Every key is an event name; a type with several
 * versions maps to the union of their models, discriminated by `version`. Derived from the definitions.
 *
 * @example
 * ```ts
 * client.on('channel.follow', (e) => console.log(e.user.displayName, e.followedAt.toISOString()));
 * client.on('channel.moderate', (e) => {
 *   if (e.version === '2' && e.details?.kind === 'warn') console.log(e.details.reason);
 * });
 * ```
 */
export type EventSubEventMap = {
  [T in EventDefinitions['type']]: ModelOf<Extract<EventDefinitions, { readonly type: T }>>;
};

/** A `${type}@${version}` key of the registry, e.g. `channel.follow@2`. */
export type EventSubModelKey = EventDefinitions['key'];
