/**
 * Identifiers and timestamps of the emulated EventSub: message ids, subscription ids, session ids and RFC 3339
 * timestamps with nanosecond precision, as Twitch sends them.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** A fresh message id (UUID v4, like Twitch's `metadata.message_id`). */
export function messageId(): string {
  return randomUUID();
}

/** A fresh subscription or conduit id (UUID v4). */
export function resourceId(): string {
  return randomUUID();
}

/**
 * A fresh WebSocket session id: 24 random bytes, base64url (32 URL-safe characters). Twitch's ids are opaque
 * URL-safe strings of similar length; the emulator keeps one id for the whole life of a session, including across a
 * `session_reconnect` handover.
 */
export function sessionId(): string {
  return randomBytes(24).toString('base64url');
}

/** A one-time reconnect token carried by `reconnect_url`. */
export function reconnectToken(): string {
  return randomBytes(18).toString('base64url');
}

let cachedMs = -1;
let cachedPrefix = '';

/**
 * `now` (ms since the epoch, read from the emulator's clock) as RFC 3339 UTC with nanosecond precision, e.g.
 * `2023-07-19T14:56:51.634234626Z`. The millisecond prefix is cached, so the hot path is one clock read (by the
 * caller), one `performance.now()` read and a string concatenation.
 */
export function nanoTimestamp(now: number): string {
  if (now !== cachedMs) {
    cachedMs = now;
    cachedPrefix = new Date(now).toISOString().slice(0, 23);
  }
  // Sub-millisecond digits come from the monotonic clock: not aligned with any clock, but strictly formatted (the
  // time itself, to the millisecond, is `now`, from the emulator's clock).
  const subMs = Math.floor((performance.now() % 1) * 1_000_000) + 1_000_000;
  return `${cachedPrefix}${String(subMs).slice(1)}Z`;
}
