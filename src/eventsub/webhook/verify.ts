/**
 * Framework-free verification of EventSub webhook requests: headers, HMAC-SHA256 signature (constant-time, several
 * secrets for rotation) and freshness (replay window). No I/O, no allocation beyond one HMAC per secret tried.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../../core/errors.js';
import {
  checkOptions,
  duration,
  fail,
  finiteNumber,
  required,
  type OptionChecks,
} from '../../core/options.js';
import { parseRfc3339 } from '../../catalogue/models/common.js';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  MAX_MESSAGE_AGE_MS,
  MAX_MESSAGE_ID_LENGTH,
  WEBHOOK_MESSAGE_TYPES,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
  type WebhookMessageType,
} from '../../protocol/eventsub.js';

/** Names of the headers Twitch sends with every webhook request (lowercase, as `node:http` exposes them). */
export const WEBHOOK_HEADERS = {
  messageId: 'twitch-eventsub-message-id',
  messageRetry: 'twitch-eventsub-message-retry',
  messageType: 'twitch-eventsub-message-type',
  messageSignature: 'twitch-eventsub-message-signature',
  messageTimestamp: 'twitch-eventsub-message-timestamp',
  subscriptionType: 'twitch-eventsub-subscription-type',
  subscriptionVersion: 'twitch-eventsub-subscription-version',
} as const;

/**
 * Request headers in any of the usual shapes: `node:http`'s `IncomingHttpHeaders` (lowercase keys), a Fetch
 * `Headers`, or a plain object with any key case.
 */
export type WebhookHeaders =
  Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

/** Why a request was rejected. Stable strings, safe to log and to count. */
export type WebhookRejectionReason =
  /** Not a POST. */
  | 'method_not_allowed'
  /** `Content-Type` is not `application/json`. */
  | 'unsupported_media_type'
  /** Body larger than the configured limit. */
  | 'body_too_large'
  /** Body not received within the configured time. */
  | 'body_timeout'
  /** A required `Twitch-Eventsub-*` header is missing. */
  | 'missing_header'
  /** A header is present but malformed (unknown message type, bad timestamp, signature not `sha256=<hex>`...). */
  | 'invalid_header'
  /** The signature matches none of the secrets. */
  | 'invalid_signature'
  /** The timestamp is outside the replay window (too old, or too far in the future). */
  | 'stale_message'
  /** Signed correctly, but the body is not the JSON Twitch sends for its message type. */
  | 'malformed_body'
  /**
   * Verified, but the dedupe store could not vouch that the message is new (at its memory bound, or failing): 503,
   * so that Twitch delivers it again later. Only the receiver answers it; see `DEDUPE_FULL`.
   */
  | 'dedupe_refused';

/** HTTP status answered for each rejection reason. */
export const REJECTION_STATUS: Readonly<Record<WebhookRejectionReason, number>> = {
  method_not_allowed: 405,
  unsupported_media_type: 415,
  body_too_large: 413,
  body_timeout: 408,
  missing_header: 400,
  invalid_header: 400,
  invalid_signature: 403,
  stale_message: 403,
  malformed_body: 400,
  dedupe_refused: 503,
};

/** The authenticated metadata of a webhook request. */
export interface VerifiedWebhookMessage {
  readonly messageId: string;
  readonly messageType: WebhookMessageType;
  /** `Twitch-Eventsub-Message-Timestamp`, as sent (RFC 3339, nanoseconds). */
  readonly timestamp: string;
  /** The timestamp in ms since the epoch. */
  readonly timestampMs: number;
  /** `Twitch-Eventsub-Message-Retry` (0 when absent). */
  readonly retry: number;
  /** `Twitch-Eventsub-Subscription-Type` (`''` when absent, e.g. a conduit shard's challenge). */
  readonly subscriptionType: string;
  /** `Twitch-Eventsub-Subscription-Version` (`''` when absent). */
  readonly subscriptionVersion: string;
  /** Index in the secrets list of the secret that matched (to tell when the old one of a rotation is unused). */
  readonly secretIndex: number;
}

/** Result of {@link verifyEventSubMessage}: never throws on untrusted input. */
export type VerifyResult =
  | { readonly ok: true; readonly message: VerifiedWebhookMessage }
  | {
      readonly ok: false;
      readonly reason: WebhookRejectionReason;
      /** Human-readable detail (never contains the secret or the signature). */
      readonly detail: string;
    };

/** Input of {@link verifyEventSubMessage}. Give `secret` or `secrets` (rotation: new and old). */
export interface VerifyEventSubMessageInput {
  readonly headers: WebhookHeaders;
  /** The body exactly as received: bytes, or the string they decode to in UTF-8. Never a re-serialised object. */
  readonly rawBody: Uint8Array | string;
  readonly secret?: string;
  readonly secrets?: readonly string[];
  /** Current time in ms (default `Date.now()`). */
  readonly now?: number;
  /** Oldest accepted message age in ms. @defaultValue MAX_MESSAGE_AGE_MS (10 minutes) */
  readonly maxAgeMs?: number;
  /** Tolerated clock skew for timestamps in the future, ms. @defaultValue 60000 */
  readonly maxFutureSkewMs?: number;
}

export { DEFAULT_MAX_FUTURE_SKEW_MS };
/** Longest accepted message id: the bound every transport shares (defined in protocol.ts); bounds the dedupe store. */
export { MAX_MESSAGE_ID_LENGTH };

const TYPES: ReadonlySet<string> = new Set(WEBHOOK_MESSAGE_TYPES);
const SIGNATURE_PREFIX = 'sha256=';
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Reads one header from any {@link WebhookHeaders} shape; a repeated header reads as `undefined` (invalid). */
export function readHeader(headers: WebhookHeaders, name: string): string | undefined | null {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  // A header sent twice is never what Twitch sends: `null` marks it as present but invalid.
  return typeof value === 'string' ? value : null;
}

/**
 * Validates secrets for a verifier or receiver: 1..n strings of 10..100 printable ASCII characters.
 * Throws `InvalidArgumentError` (`field` `secret`, `secrets` or `secrets[i]`), whose message never contains a
 * secret.
 */
export function normalizeSecrets(
  secret: string | undefined,
  secrets: readonly string[] | undefined,
): string[] {
  if (secrets !== undefined && !Array.isArray(secrets)) {
    throw new InvalidArgumentError('secrets must be an array of webhook secrets', 'secrets');
  }
  const list: { value: unknown; field: string }[] = (secrets ?? []).map((value: unknown, i) => ({
    value,
    field: `secrets[${i}]`,
  }));
  if (secret !== undefined) list.unshift({ value: secret, field: 'secret' });
  if (list.length === 0) throw new InvalidArgumentError('a webhook secret is required', 'secret');
  for (const { value: s, field } of list) {
    if (
      typeof s !== 'string' ||
      s.length < WEBHOOK_SECRET_MIN_LENGTH ||
      s.length > WEBHOOK_SECRET_MAX_LENGTH ||
      !/^[\x20-\x7e]+$/.test(s)
    ) {
      throw new InvalidArgumentError(
        `webhook secrets must be ${WEBHOOK_SECRET_MIN_LENGTH}..${WEBHOOK_SECRET_MAX_LENGTH} printable ASCII characters`,
        field,
      );
    }
  }
  return list.map((entry) => entry.value as string);
}

function reject(reason: WebhookRejectionReason, detail: string): VerifyResult {
  return { ok: false, reason, detail };
}

/**
 * Checks the headers of a request before its body is read (cheap, no crypto): presence and format of the
 * message id, type, timestamp and signature, and the replay window. Used by the receiver to refuse bad requests
 * without reading their bodies; {@link verifyEventSubMessage} runs it too. A pass is not a verification: the
 * signature is only checked by {@link verifyEventSubMessage}, and `message.secretIndex` is `-1` here.
 *
 * Throws `InvalidArgumentError` (`INVALID_ARGUMENT`) when `headers` is not an object, `now` not a finite number,
 * or a window not a duration (a `NaN` would accept a message of any age).
 *
 * @example
 * ```ts
 * // node:http handler: refuse early, before buffering the body.
 * const early = checkWebhookHeaders(req.headers, Date.now());
 * if (!early.ok) {
 *   res.writeHead(REJECTION_STATUS[early.reason]).end();
 *   req.resume();
 *   return;
 * }
 * ```
 */
export function checkWebhookHeaders(
  headers: WebhookHeaders,
  now: number,
  maxAgeMs: number = MAX_MESSAGE_AGE_MS,
  maxFutureSkewMs: number = DEFAULT_MAX_FUTURE_SKEW_MS,
): VerifyResult {
  // A NaN time or window would accept a message of any age: the caller's arguments are checked here, once.
  requireHeaders(headers, 'headers');
  finiteNumber(now, 'now');
  duration()(maxAgeMs, 'maxAgeMs');
  duration({ min: 0 })(maxFutureSkewMs, 'maxFutureSkewMs');
  return screenWebhookHeaders(headers, now, maxAgeMs, maxFutureSkewMs);
}

/** `headers` must be an object of header values or a Fetch `Headers`. */
function requireHeaders(headers: unknown, field: string): void {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    fail(field, 'an object of headers (or a Fetch Headers)', headers);
  }
}

/**
 * {@link checkWebhookHeaders} without the checks of its arguments, for the receiver, whose options were checked
 * once at construction (it runs on every request).
 */
export function screenWebhookHeaders(
  headers: WebhookHeaders,
  now: number,
  maxAgeMs: number,
  maxFutureSkewMs: number,
): VerifyResult {
  const id = readHeader(headers, WEBHOOK_HEADERS.messageId);
  const type = readHeader(headers, WEBHOOK_HEADERS.messageType);
  const timestamp = readHeader(headers, WEBHOOK_HEADERS.messageTimestamp);
  const signature = readHeader(headers, WEBHOOK_HEADERS.messageSignature);
  if (id === undefined || type === undefined || timestamp === undefined || signature === undefined) {
    return reject('missing_header', 'a Twitch-Eventsub-Message-* header is missing');
  }
  if (id === null || id === '' || id.length > MAX_MESSAGE_ID_LENGTH) {
    return reject('invalid_header', 'invalid Twitch-Eventsub-Message-Id');
  }
  if (type === null || !TYPES.has(type))
    return reject('invalid_header', 'invalid Twitch-Eventsub-Message-Type');
  if (
    signature?.length !== SIGNATURE_PREFIX.length + 64 ||
    !signature.startsWith(SIGNATURE_PREFIX) ||
    !HEX64.test(signature.slice(SIGNATURE_PREFIX.length))
  ) {
    return reject('invalid_header', 'Twitch-Eventsub-Message-Signature must be sha256=<64 hex digits>');
  }
  const timestampMs = timestamp === null || timestamp.length > 40 ? Number.NaN : parseRfc3339(timestamp);
  if (Number.isNaN(timestampMs)) return reject('invalid_header', 'invalid Twitch-Eventsub-Message-Timestamp');
  if (now - timestampMs > maxAgeMs) return reject('stale_message', 'message timestamp is too old');
  if (timestampMs - now > maxFutureSkewMs)
    return reject('stale_message', 'message timestamp is in the future');
  const retryText = readHeader(headers, WEBHOOK_HEADERS.messageRetry);
  let retry = 0;
  if (retryText !== undefined) {
    if (retryText === null || !/^\d{1,9}$/.test(retryText)) {
      return reject('invalid_header', 'invalid Twitch-Eventsub-Message-Retry');
    }
    retry = Number(retryText);
  }
  return {
    ok: true,
    message: {
      messageId: id,
      messageType: type as WebhookMessageType,
      timestamp: timestamp ?? '',
      timestampMs,
      retry,
      subscriptionType: readHeader(headers, WEBHOOK_HEADERS.subscriptionType) ?? '',
      subscriptionVersion: readHeader(headers, WEBHOOK_HEADERS.subscriptionVersion) ?? '',
      secretIndex: -1,
    },
  };
}

/**
 * Checks the signature of a request whose headers passed {@link checkWebhookHeaders}. Every secret is tried (no
 * early exit, so the time taken does not tell which one matched); comparisons are constant-time.
 * Returns the index of the matching secret, or -1.
 */
export function matchSignature(
  secrets: readonly string[],
  message: Pick<VerifiedWebhookMessage, 'messageId' | 'timestamp'>,
  signatureHeader: string,
  rawBody: Uint8Array | string,
): number {
  const expected = Buffer.from(signatureHeader.slice(SIGNATURE_PREFIX.length), 'hex');
  if (expected.length !== 32) return -1;
  let matched = -1;
  for (let i = 0; i < secrets.length; i++) {
    const digest = createHmac('sha256', secrets[i] ?? '')
      .update(message.messageId)
      .update(message.timestamp)
      .update(rawBody)
      .digest();
    if (timingSafeEqual(digest, expected) && matched === -1) matched = i;
  }
  return matched;
}

/**
 * Checks of {@link VerifyEventSubMessageInput} (core/options.ts): a new key without a check does not compile.
 * Secrets are checked (never quoted) by {@link normalizeSecrets}; the times by {@link checkWebhookHeaders}.
 */
const VERIFY_INPUT_CHECKS: OptionChecks<VerifyEventSubMessageInput> = {
  headers: required((value, field) => {
    requireHeaders(value, field);
  }),
  rawBody: required((value, field) => {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
      fail(field, 'the raw body: a Buffer, a Uint8Array or a string', value);
    }
  }),
  secret: () => undefined,
  secrets: () => undefined,
  now: finiteNumber,
  maxAgeMs: duration(),
  maxFutureSkewMs: duration({ min: 0 }),
};

/**
 * Verifies an EventSub webhook request: required headers, `sha256=` HMAC of message id + timestamp + raw body
 * (constant-time, against each secret, for rotation), and the replay window (older than `maxAgeMs` → rejected).
 *
 * It does not deduplicate (keep a `DedupeStore` and ask it only after this returns `ok`, as
 * `WebhookReceiver` does) and does not parse the body.
 *
 * Never throws for what the request holds (any header or body gives a result); throws `InvalidArgumentError`
 * (`INVALID_ARGUMENT`, `field` naming it) for arguments of the wrong shape: `input` not an object, `headers` not an
 * object, `rawBody` neither bytes nor a string, no secret or a bad one (never quoted), a `now` or window that is
 * not a finite number of milliseconds.
 *
 * @example
 * ```ts
 * const result = verifyEventSubMessage({ headers: req.headers, rawBody, secrets: [newSecret, oldSecret] });
 * if (!result.ok) return res.status(403).end(); // result.reason: 'invalid_signature', 'stale_message', ...
 * if (!seen.add(result.message.messageId)) return res.status(204).end(); // duplicate: 2xx, no dispatch
 * ```
 */
export function verifyEventSubMessage(input: VerifyEventSubMessageInput): VerifyResult {
  checkOptions(input, VERIFY_INPUT_CHECKS, 'input');
  const secrets = normalizeSecrets(input.secret, input.secrets);
  const headers = checkWebhookHeaders(
    input.headers,
    input.now ?? Date.now(),
    input.maxAgeMs ?? MAX_MESSAGE_AGE_MS,
    input.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
  );
  if (!headers.ok) return headers;
  const signature = readHeader(input.headers, WEBHOOK_HEADERS.messageSignature) ?? '';
  const index = matchSignature(secrets, headers.message, signature, input.rawBody);
  if (index === -1) return reject('invalid_signature', 'signature does not match');
  return { ok: true, message: { ...headers.message, secretIndex: index } };
}
