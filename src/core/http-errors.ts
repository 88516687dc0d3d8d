/**
 * Errors of the HTTP layer shared by Helix and OAuth (id.twitch.tv). Nothing here ever holds a token or a secret: the
 * request attached to an error is redacted before the error is built.
 */
import { TwitchError, type TwitchErrorOptions } from './errors.js';
import { isRecord, parseJsonBody } from './guards.js';

/** Rate-limit state of a bucket as last reported by Twitch's `Ratelimit-*` headers. */
export interface RateLimitState {
  /** Bucket key (`app` or `user:<id>`), never a token. */
  readonly bucket: string;
  /** `Ratelimit-Limit`: points per minute (and bucket size), or `null` when the header was missing. */
  readonly limit: number | null;
  /** `Ratelimit-Remaining`, or `null` when missing. */
  readonly remaining: number | null;
  /** `Ratelimit-Reset` in epoch milliseconds, or `null` when missing. */
  readonly resetAt: number | null;
}

/** The failed request, with tokens and secrets redacted. */
export interface RedactedRequest {
  readonly method: string;
  /** Full URL; secret query parameters are redacted. */
  readonly url: string;
  /** Request headers; `Authorization` keeps only its scheme. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body (secret keys redacted) or form body (secret values redacted). */
  readonly body?: unknown;
}

/** Codes of {@link HTTPError}, derived from the HTTP status of Twitch's answer. */
export type HttpStatusErrorCode =
  /**
   * `400`: Twitch refused the request (bad parameter, a condition Twitch rejects, an id that is not a number).
   * `twitchMessage` says why.
   *
   * What to do: **Fix input.** Not retried.
   */
  | 'BAD_REQUEST'
  /**
   * `401` even after one token renewal: the token is invalid or revoked, or the client id does not match it.
   *
   * What to do: **Fix setup:** check the client id and secret, or have the user authorize again. See also the
   * [Auth](#auth) codes the provider raised.
   */
  | 'UNAUTHORIZED'
  /**
   * `403`: the token lacks a scope Twitch requires, or the user is not allowed (e.g. not a moderator of the channel).
   *
   * What to do: **Fix setup:** request the scopes; the library checks known scopes before sending (`MISSING_SCOPES`),
   * so this means scopes it could not know about.
   */
  | 'FORBIDDEN'
  /**
   * `404`: the conduit, subscription or user does not exist (any more).
   *
   * What to do: Usually **fix input**; for deletes, the thing is already gone.
   */
  | 'NOT_FOUND'
  /**
   * `409`: the subscription already exists. `multiSubscribe` files these under `payload.existing`, not as errors.
   *
   * What to do: **Ignore** for idempotent set-ups.
   */
  | 'CONFLICT'
  /**
   * `410`: Twitch removed the endpoint or the version.
   *
   * What to do: **Report a bug** (the library should not call it), or upgrade.
   */
  | 'GONE'
  /**
   * `429` with points left in the bucket: a Twitch limit, not the rate limit. E.g. the conduit count (5 per client
   * id), "number of websocket transports limit exceeded", more than 3 subscriptions with the same type and condition.
   * Never retried.
   *
   * What to do: **Fix setup:** delete unused conduits or subscriptions; retrying will not help.
   */
  | 'LIMIT_EXCEEDED'
  /**
   * `429` with an empty bucket that stayed empty through every wait. `rateLimit.resetAt` says when it refills.
   *
   * What to do: **Retry** after `rateLimit.resetAt`, and lower the request rate (raise `maxRateLimitWaits` to wait
   * longer automatically).
   */
  | 'RATE_LIMITED'
  /**
   * `5xx` after the retries.
   *
   * What to do: **Retry** later; Twitch is having trouble.
   */
  | 'SERVER_ERROR'
  /**
   * Any other non-2xx status.
   *
   * What to do: Look at `status` and `twitchMessage`; **report a bug** if Twitch documents it.
   */
  | 'HTTP_ERROR';

/**
 * Codes of the HTTP layer shared by Helix and OAuth: a non-2xx answer ({@link HttpStatusErrorCode}), no answer at
 * all, or an answer the library cannot read.
 */
export type HttpErrorCode =
  | HttpStatusErrorCode
  /**
   * No HTTP response at all (DNS failure, connection refused or reset, TLS) on the last attempt. The message quotes
   * the system code; `cause` is the system error (or the `fetch` error when `fetch` is set).
   *
   * What to do: **Retry** later; check connectivity and `helixUrl`/`oauthUrl`.
   */
  | 'NETWORK_ERROR'
  /**
   * A 2xx answer the library cannot act on. From Helix, a `BadResponseError` (a `ProtocolError`): not JSON (a proxy's
   * HTML page), not the shape of its endpoint (`{"data":[null]}`, a conduit without an id, a shard count past 20000),
   * at odds with the request (Update Conduits naming another conduit or count, shards not sent or missing, a
   * subscription of another type or condition, a filtered list holding what the filter excludes), or a listing that
   * would not end (3 empty pages in a row with a cursor); `method`, `path`, `status` name the endpoint, `reason` what
   * broke (`data[0].id: expected a non-empty string, got 5`). Nothing is acted on: no conduit created, adopted or
   * deleted. From `/oauth2/token`, `/oauth2/validate`: no `access_token`/`client_id`. From the transport: a bad
   * `Content-Encoding`. Not retried. `raw`: the body (4 KiB, secrets redacted).
   *
   * What to do: **Report a bug** (or check that `helixUrl`/`oauthUrl` point at Twitch or the emulator, not at a proxy
   * page).
   */
  | 'BAD_RESPONSE'
  /**
   * The answer was over 16 MiB (declared, streamed or after decompression). Not retried.
   *
   * What to do: **Check** `helixUrl`/`oauthUrl`: no Helix page is near that size.
   */
  | 'RESPONSE_TOO_LARGE';

/** Maps an HTTP status to the stable code of an {@link HTTPError}. */
export function httpErrorCode(status: number, rateLimited = false): HttpStatusErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 410:
      return 'GONE';
    case 429:
      return rateLimited ? 'RATE_LIMITED' : 'LIMIT_EXCEEDED';
    default:
      return status >= 500 ? 'SERVER_ERROR' : 'HTTP_ERROR';
  }
}

/**
 * Reads Twitch's `error` and `message` from an error response body (`{"error","status","message"}` on Helix,
 * `{"status","message"}` on id.twitch.tv). `error` falls back to the status text, then the status; `twitchMessage`
 * to `''`. Bodies that are not JSON objects (a proxy's HTML page) give the fallbacks.
 *
 * @example
 * ```ts
 * twitchErrorFields('{"error":"Bad Request","status":400,"message":"x"}', 400, ''); // { error: 'Bad Request', twitchMessage: 'x' }
 * twitchErrorFields('<html>', 502, 'Bad Gateway'); // { error: 'Bad Gateway', twitchMessage: '' }
 * ```
 */
export function twitchErrorFields(
  text: string,
  status: number,
  statusText: string,
): { readonly error: string; readonly twitchMessage: string } {
  const body = parseJsonBody(text);
  const record = isRecord(body) ? body : undefined;
  return {
    error: typeof record?.error === 'string' ? record.error : statusText || String(status),
    twitchMessage: typeof record?.message === 'string' ? record.message : '',
  };
}

/** Fields of an {@link HTTPError}. */
export interface HTTPErrorInit {
  readonly status: number;
  /** Twitch's `error` field (HTTP reason phrase), or the status text. */
  readonly error: string;
  /** Twitch's `message` field, or `''`. */
  readonly twitchMessage: string;
  readonly method: string;
  /** Path below the base URL, e.g. `/eventsub/conduits`. */
  readonly path: string;
  readonly rateLimit: RateLimitState | null;
  readonly request: RedactedRequest;
  /** 429 caused by an empty bucket (as opposed to a Twitch limit such as the conduit count). */
  readonly rateLimited?: boolean;
}

/**
 * Twitch answered with a non-2xx status (after any retries). `code` is derived from the status:
 * `BAD_REQUEST`, `UNAUTHORIZED`, `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`, `GONE`, `LIMIT_EXCEEDED` (a 429 that is a
 * Twitch limit such as "number of websocket transports limit exceeded" or the conduit count: never retried),
 * `RATE_LIMITED` (the bucket stayed empty through every wait), `SERVER_ERROR` (5xx), else `HTTP_ERROR`.
 *
 * @example
 * ```ts
 * try {
 *   await helix.eventSub.createConduit({ shardCount: 1 });
 * } catch (err) {
 *   if (err instanceof HTTPError && err.code === 'LIMIT_EXCEEDED') console.log(err.twitchMessage);
 * }
 * ```
 */
export class HTTPError extends TwitchError {
  declare readonly code: HttpStatusErrorCode;
  readonly status: number;
  /** Twitch's `error` field (HTTP reason phrase). */
  readonly error: string;
  /** Twitch's `message` field (may change without notice: switch on `code`/`status`, not on this). */
  readonly twitchMessage: string;
  readonly method: string;
  readonly path: string;
  readonly rateLimit: RateLimitState | null;
  /** The request, redacted. */
  readonly request: RedactedRequest;

  constructor(init: HTTPErrorInit, options?: TwitchErrorOptions) {
    const detail = init.twitchMessage === '' ? init.error : `${init.error}: ${init.twitchMessage}`;
    super(
      httpErrorCode(init.status, init.rateLimited),
      `${init.method} ${init.path} failed with ${init.status} (${detail})`,
      options,
    );
    this.status = init.status;
    this.error = init.error;
    this.twitchMessage = init.twitchMessage;
    this.method = init.method;
    this.path = init.path;
    this.rateLimit = init.rateLimit;
    this.request = init.request;
  }
}

/**
 * The request never got an HTTP response (DNS, connection refused/reset, TLS...) after every retry. Code
 * `NETWORK_ERROR`; the last low-level error is the `cause`. The message names the request (its full URL when the
 * thrower gave it, as the OAuth client does) and the system code.
 *
 * @example
 * ```ts
 * try {
 *   await helix.users.getUsers({ logins: ['twitchdev'] });
 * } catch (err) {
 *   if (err instanceof NetworkError) console.log(err.message); // GET /users failed: socket hang up (ECONNRESET)
 * }
 * ```
 */
export class NetworkError extends TwitchError {
  declare readonly code: 'NETWORK_ERROR';
  readonly method: string;
  readonly path: string;
  /** Full URL of the request (never with credentials or a query), when known. */
  readonly url: string | undefined;

  constructor(method: string, path: string, options?: TwitchErrorOptions & { readonly url?: string }) {
    const cause = options?.cause;
    const reason = cause instanceof Error ? describeCause(cause) : 'network error';
    super('NETWORK_ERROR', `${method} ${options?.url ?? path} failed: ${reason}`, options);
    this.method = method;
    this.path = path;
    this.url = options?.url;
  }
}
function describeCause(error: Error): string {
  // fetch wraps the system error (`TypeError: fetch failed`, cause `ECONNREFUSED`); node:http rejects with it.
  const inner: unknown = error.cause;
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : `${error.message} (${inner.message})`;
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module './errors.js' {
  interface TwitchErrorCodes {
    http: HttpErrorCode;
  }
}
