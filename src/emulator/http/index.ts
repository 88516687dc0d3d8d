/**
 * The emulator's HTTP platform (internal to the emulator): server, router, OAuth, tokens, rate limits, users.
 */
export { createPlatform } from './server.js';
export type { PlatformInternalOptions } from './server.js';
export { helixError, helixErrorBody, oauthError, reasonPhrase } from './errors.js';
export type { HelixErrorBody } from './errors.js';
export { objectBody } from './control.js';
export { RateLimiter } from './ratelimit.js';
export type { RateLimitResult, RateLimiterOptions } from './ratelimit.js';
export { TokenStore, randomToken } from './tokens.js';
export { UserStore } from './users.js';
export type { EmuUser } from './users.js';
export { EmuHttpError } from './types.js';
export type * from './types.js';
