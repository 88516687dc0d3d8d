/**
 * The `Emulator` facade's platform controls: client URLs and credentials, tokens, apps and the Helix rate limit,
 * each argument checked where it enters (`INVALID_ARGUMENT` naming the field) before the platform sees it.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { hideSecrets } from '../../core/redact.js';
import { optionalString, rejectUnknownKeys, requireObject, requireString } from '../options.js';
import type { Platform } from './types.js';

/** Base URLs and credentials for a client pointed at the emulator. */
export interface EmulatorClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** e.g. `http://127.0.0.1:41234/helix` */
  readonly helixUrl: string;
  /** e.g. `http://127.0.0.1:41234/oauth2` */
  readonly oauthUrl: string;
  /** e.g. `ws://127.0.0.1:41234/ws` */
  readonly eventSubWsUrl: string;
  /** e.g. `ws://127.0.0.1:41234/pubsub` (served once the PubSub side is mounted). */
  readonly pubSubUrl: string;
}

/**
 * `Emulator.clientOptions`: the URLs of the platform and its default app's credentials. The client secret shows as
 * `[redacted]` in `inspect` and `JSON.stringify` (a test log never prints it); a spread keeps the real value.
 */
export function clientOptions(platform: Platform): EmulatorClientOptions {
  const base = platform.baseUrl;
  const ws = base.replace(/^http/, 'ws');
  return hideSecrets(
    {
      clientId: platform.clientId,
      clientSecret: platform.clientSecret,
      helixUrl: `${base}/helix`,
      oauthUrl: `${base}/oauth2`,
      eventSubWsUrl: `${ws}/ws`,
      pubSubUrl: `${ws}/pubsub`,
    },
    ['clientSecret'],
  );
}

/** `Emulator.mintUserToken`, its input checked. */
export function mintUserToken(
  platform: Platform,
  input: Parameters<Platform['mintUserToken']>[0],
): ReturnType<Platform['mintUserToken']> {
  const fields = requireObject(input, 'input');
  rejectUnknownKeys(fields, ['userId', 'scopes', 'clientId', 'login']);
  requireString(fields.userId, 'userId');
  if (!Array.isArray(fields.scopes)) {
    throw new InvalidArgumentError('scopes must be an array of scope strings (may be empty)', 'scopes');
  }
  optionalString(fields.clientId, 'clientId');
  optionalString(fields.login, 'login');
  return platform.mintUserToken(input);
}

/** `Emulator.registerClient`, its input checked. */
export function registerClient(
  platform: Platform,
  input?: { clientId?: string; clientSecret?: string },
): { clientId: string; clientSecret: string } {
  if (input !== undefined) {
    const fields = requireObject(input, 'input');
    rejectUnknownKeys(fields, ['clientId', 'clientSecret']);
    optionalString(fields.clientId, 'clientId');
    optionalString(fields.clientSecret, 'clientSecret');
  }
  return platform.registerClient(input);
}

/** `Emulator.setRateLimit`, checked: a positive number of points per minute, or `Infinity`. */
export function setRateLimit(platform: Platform, pointsPerMinute: number): void {
  if (typeof pointsPerMinute !== 'number' || !(pointsPerMinute > 0)) {
    throw new InvalidArgumentError(
      'pointsPerMinute must be a positive number (or Infinity)',
      'pointsPerMinute',
    );
  }
  platform.setRateLimit(pointsPerMinute);
}
