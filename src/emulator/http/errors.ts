/**
 * Twitch-shaped error bodies for the emulator: Helix answers `{"error","status","message"}`, the OAuth server
 * (`id.twitch.tv`) answers `{"status","message"}` for most failures.
 */
import { STATUS_CODES } from 'node:http';
import type { EmuResponse } from './types.js';

/** The Twitch-shaped Helix error body. */
export interface HelixErrorBody {
  readonly error: string;
  readonly status: number;
  readonly message: string;
}

/** HTTP reason phrase of a status code (`"Too Many Requests"` for 429), `"Unknown"` for odd codes. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** Builds `{"error":"<reason>","status":<status>,"message":"<message>"}`. */
export function helixErrorBody(status: number, message: string): HelixErrorBody {
  return { error: reasonPhrase(status), status, message };
}

/**
 * A Twitch-shaped Helix error response, for handlers that prefer returning to throwing.
 *
 * @example
 * ```ts
 * router.helix('GET', '/things', { auth: 'any' }, (req) =>
 *   req.query.has('id') ? { status: 200, body: { data: [] } } : helixError(400, 'Missing required parameter "id"'),
 * );
 * ```
 */
export function helixError(
  status: number,
  message: string,
  headers?: Readonly<Record<string, string>>,
): EmuResponse {
  return headers === undefined
    ? { status, body: helixErrorBody(status, message) }
    : { status, body: helixErrorBody(status, message), headers };
}

/** An OAuth (`/oauth2/*`) error response: `{"status":<status>,"message":"<message>"}` as id.twitch.tv answers. */
export function oauthError(status: number, message: string): EmuResponse {
  return { status, body: { status, message } };
}
