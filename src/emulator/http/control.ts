/**
 * Control routes of the platform under `/_emulator`: mint user tokens, register apps, change the rate limit.
 * (`POST /_emulator/faults` is mounted by the EventSub side, which checks every fault, `helix_*` ones included.)
 */
import { isRecord } from '../../core/guards.js';
import { EmuHttpError } from './types.js';
import type { EmuRouter, Platform } from './types.js';

/** A JSON object body, or 400. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isRecord(body)) throw new EmuHttpError(400, 'The request body must be a JSON object');
  return body;
}

/** `obj[key]` when it is a string, `undefined` when absent or `null`, else 400 `"<key>" must be a string`. */
export function optionalString(obj: Record<string, unknown>, key: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EmuHttpError(400, `"${key}" must be a string`);
  return value;
}

/** Registers `POST /_emulator/tokens`, `POST /_emulator/clients` and `POST /_emulator/ratelimit`. */
export function registerPlatformControlRoutes(router: EmuRouter, platform: Platform): void {
  router.control('POST', '/tokens', (req) => {
    const body = objectBody(req.body);
    const rawId = body.user_id;
    const userId =
      typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? String(rawId) : rawId;
    if (typeof userId !== 'string') throw new EmuHttpError(400, '"user_id" is required (numeric string)');
    const scopes = body.scopes ?? [];
    if (!Array.isArray(scopes)) throw new EmuHttpError(400, '"scopes" must be an array of strings');
    const clientId = optionalString(body, 'client_id');
    const login = optionalString(body, 'login');
    if (clientId !== undefined && !platform.auth.clientExists(clientId)) {
      throw new EmuHttpError(400, 'unknown client_id');
    }
    const minted = platform.mintUserToken({
      userId,
      scopes: scopes as string[],
      ...(clientId === undefined ? {} : { clientId }),
      ...(login === undefined ? {} : { login }),
    });
    return {
      status: 200,
      body: {
        access_token: minted.accessToken,
        refresh_token: minted.refreshToken,
        expires_in: minted.expiresIn,
        user_id: minted.userId,
        login: minted.login,
        scopes: minted.scopes,
        client_id: clientId ?? platform.clientId,
      },
    };
  });

  router.control('POST', '/clients', (req) => {
    const body = objectBody(req.body);
    const clientId = optionalString(body, 'client_id');
    const clientSecret = optionalString(body, 'client_secret');
    const client = platform.registerClient({
      ...(clientId === undefined ? {} : { clientId }),
      ...(clientSecret === undefined ? {} : { clientSecret }),
    });
    return { status: 200, body: { client_id: client.clientId, client_secret: client.clientSecret } };
  });

  router.control('POST', '/ratelimit', (req) => {
    const body = objectBody(req.body);
    const value = body.points_per_minute;
    // `null` disables limiting (JSON has no Infinity).
    const points = value === null ? Infinity : value;
    if (
      typeof points !== 'number' ||
      !(points > 0) ||
      (Number.isFinite(points) && !Number.isInteger(points))
    ) {
      throw new EmuHttpError(
        400,
        '"points_per_minute" must be a positive integer, or null to disable limiting',
      );
    }
    platform.setRateLimit(points);
    return { status: 200, body: { points_per_minute: Number.isFinite(points) ? points : null } };
  });
}
