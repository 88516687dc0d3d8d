/**
 * twitch-realtime: realtime Twitch events at any scale.
 *
 * The root entry re-exports every public subsystem. Subpaths (`twitch-realtime/helix`, `/auth`, `/eventsub`,
 * `/webhook`, `/catalogue`, `/pubsub`, `/emulator`) give narrower entry points.
 *
 * @packageDocumentation
 */
export { TwitchError, InvalidArgumentError, TimeoutError, AbortError, ProtocolError } from './core/errors.js';
export type { TwitchErrorOptions } from './core/errors.js';
export * from './core/clock.js';
export * from './core/backoff.js';
export * from './core/logger.js';
export * from './core/emitter.js';
export * from './protocol/eventsub.js';
export * from './catalogue/index.js';
export * from './eventsub/websocket/index.js';
export * from './eventsub/webhook/index.js';
export * from './helix/index.js';
export * from './auth/index.js';
export * from './eventsub/conduit/index.js';
export * from './eventsub/websocket-client/index.js';
export { Client } from './eventsub/client.js';
export type * from './eventsub/client.js';
export * from './pubsub/index.js';
