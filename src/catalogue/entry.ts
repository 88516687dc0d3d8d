/**
 * The EventSub catalogue (`twitch-realtime/catalogue`): every subscription type and version, their conditions,
 * authorization rules, transports and cost, typed builders, example payloads and the models of their events; and the
 * only entry point of the wire types (`Wire*`: the JSON Twitch sends, snake_case, as the models are built from it).
 *
 * @packageDocumentation
 */
export * from './index.js';
export type { WireConditionOf } from './builders.js';
export type { WireEventOf, WireNotificationPayload } from './events.js';
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
// The EventSub protocol's own wire shapes (messages, sessions, subscriptions, conduits), from the protocol floor.
export type {
  WireCondition,
  WireConduit,
  WireHelixError,
  WireKeepaliveMessage,
  WireMessage,
  WireMetadata,
  WireNotificationMessage,
  WireReconnectMessage,
  WireRevocationMessage,
  WireSession,
  WireShard,
  WireShardError,
  WireShardUpdate,
  WireSubscription,
  WireTransport,
  WireTransportInput,
  WireTransportMethod,
  WireWelcomeMessage,
} from '../protocol/eventsub.js';
