/**
 * The EventSub catalogue (`twitch-realtime/catalogue`): every subscription type and version, their conditions,
 * authorization rules, transports and cost, typed builders, example payloads and the models of their events.
 *
 * @packageDocumentation
 */
export type {
  AuthorizationSpec,
  CatalogueEntry,
  ConditionCheck,
  ConditionSpec,
  ScopeRequirement,
} from './types.js';
export {
  CATALOGUE,
  CATALOGUE_TABLE,
  getCatalogueEntry,
  getCatalogueVersions,
  isSubscriptionType,
  latestCatalogueEntry,
} from './table.js';
export type {
  ActiveCatalogueRow,
  CatalogueRow,
  CatalogueRowOf,
  SubscriptionType,
  SubscriptionVersion,
} from './table.js';
export { allowedConditionKeys, checkCondition } from './validate.js';
export {
  MISSING_AUTHORIZATION_MESSAGE,
  checkAuthorization,
  computeCost,
  missingScopes,
  requiredScopeNames,
} from './authorization.js';
export type { AuthorizationCheck, Caller, Grants } from './authorization.js';
export { exampleNotification, exampleSubscribeRequest, generateEvent, listExamples } from './examples.js';
export type { ExampleNotification, GenerateEventOptions, GeneratedEvent, GeneratedUser } from './examples.js';
export {
  fromWireCondition,
  resolveEntry,
  subscription,
  toSubscriptionRequest,
  toWireCondition,
} from './builders.js';
export type {
  CamelCase,
  ConditionOf,
  SubscriptionRequest,
  SubscriptionSpec,
  WireConditionOf,
} from './builders.js';

// Models: the public shapes only. The per-type wire converters stay internal: `toEventModel` is the way in.
export { NotificationConverter, hasEventModel, toEventModel, toNotification } from './events.js';
export type {
  EventSubEvent,
  EventSubEventMap,
  EventSubEventName,
  EventSubEventOf,
  EventSubModelKey,
  Notification,
  SubscriptionModel,
  SubscriptionTransport,
  WireNotificationPayload,
} from './events.js';
export { EventSubModel } from './models/common.js';
export type {
  Amount,
  Badge,
  Boundary,
  Cheermote,
  EmoteRange,
  EventModel,
  FragmentEmote,
  MessageFragment,
  StructuredMessage,
  TextWithEmotes,
  UserRef,
} from './models/common.js';
// Every model file's types (the per-type definitions share their model's name and are exported as types only).
export type * from './models/automod.js';
export type * from './models/channel.js';
export type * from './models/channel-chat.js';
export type * from './models/channel-points.js';
export type * from './models/chat-notification.js';
export type * from './models/engagement.js';
export type * from './models/guest-star.js';
export type * from './models/moderate.js';
export type * from './models/moderation.js';
export type * from './models/platform.js';
export type * from './models/polls-predictions.js';
export type * from './models/subscriptions.js';
export type * from './wire/automod.js';
export type * from './wire/channel.js';
export type * from './wire/channel-chat.js';
export type * from './wire/channel-points.js';
export type * from './wire/common.js';
export type * from './wire/engagement.js';
export type * from './wire/guest-star.js';
export type * from './wire/moderation.js';
export type * from './wire/platform.js';
export type * from './wire/subscriptions.js';
export type * from './wire/transport.js';
