/**
 * twitch-realtime: realtime Twitch events at any scale.
 *
 * @packageDocumentation
 */
export { TwitchError, InvalidArgumentError, TimeoutError, AbortError, ProtocolError } from './core/errors.js';
export type { TwitchErrorOptions } from './core/errors.js';
export * from './eventsub/protocol.js';
