/**
 * The shapes a Helix request and the {@link HelixHttp} engine take, and their checks (one table each, run before
 * anything is sent).
 */
import type { Clock } from '../core/clock.js';
import { isRecord } from '../core/guards.js';
import {
  boolean,
  clock,
  duration,
  fail,
  func,
  httpUrl,
  logger,
  nested,
  nonEmptyString,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  required,
  signal as signalCheck,
  type Check,
  type OptionChecks,
} from '../core/options.js';
import type { Logger } from '../core/logger.js';
import type { FetchLike } from '../core/http-transport.js';
import { authProvider, type AuthProvider } from '../auth/types.js';
import type { RateLimitState } from '../core/http-errors.js';
import { helixBudget, type HelixBudget } from './budget.js';

/** Selects the token of a request: omitted or `{}` → app token; `{ userId }` → that user's token. */
export interface RequestAuth {
  readonly userId?: string | undefined;
}

/** Query values: arrays repeat the key (`?id=1&id=2`), `undefined` is skipped. */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

/** One Helix request. */
export interface HelixRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below the Helix base URL, starting with `/`, e.g. `/eventsub/conduits`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>> | undefined;
  /** JSON body. */
  readonly body?: unknown;
  readonly auth?: RequestAuth | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's per-attempt timeout. */
  readonly timeoutMs?: number | undefined;
  /**
   * Whether the request may be repeated after a network error, a timeout or a 500/502/504 (the server may have
   * processed it). A 503 is retried once whatever this says, as Twitch documents.
   * @defaultValue `true` for every method but POST
   */
  readonly idempotent?: boolean;
  /**
   * Checks the parsed body of a 2xx answer and returns what the call resolves with; throw to refuse it, and the
   * request rejects with a {@link BadResponseError} (`BAD_RESPONSE`) naming the endpoint. Without it the body is
   * only required to be JSON (or empty).
   */
  readonly decode?: ((body: unknown) => unknown) | undefined;
}

/** A successful response. */
export interface HelixResponse<T> {
  readonly status: number;
  /** Parsed JSON body (as `decode` returned it, when given); `undefined` for empty bodies (204). */
  readonly body: T;
  readonly rateLimit: RateLimitState | null;
}

/** Options of {@link HelixHttp} (a subset of `HelixClientOptions`). */
export interface HelixHttpOptions {
  readonly clientId: string;
  readonly auth: AuthProvider;
  /** @defaultValue `https://api.twitch.tv/helix` */
  readonly helixUrl?: string;
  /**
   * A `fetch` to send requests with (`globalThis.fetch`, undici's `fetch` with a proxy dispatcher, a test double).
   * By default requests go through `node:http`/`node:https` with a private keep-alive agent, which costs about a
   * third of the CPU of `fetch` per request.
   */
  readonly fetch?: FetchLike | undefined;
  /** Per-attempt timeout, milliseconds. @defaultValue 10000 */
  readonly timeoutMs?: number;
  /** Retries after network errors and 5xx (503: at most one, as Twitch documents). @defaultValue 3 */
  readonly maxRetries?: number;
  /** Waits for a rate-limit reset after a 429 with `Ratelimit-Remaining: 0`. @defaultValue 3 */
  readonly maxRateLimitWaits?: number;
  /**
   * Longest a request waits for the rate limiter in all, milliseconds (1..2^31-1), its attempts together: a 429
   * whose reset is further ahead, a `Ratelimit-Limit: 0`, or a queue behind such a bucket fails with
   * `RateLimitWaitError` (`RATE_LIMIT_WAIT_TOO_LONG`) at once instead of waiting, and a request still queued after
   * this long for any other reason (the depth of the queue behind a small bucket, the concurrency bound) fails then.
   * Time in flight is bounded by `timeoutMs`, not by this.
   * @defaultValue 120000 (two refills of Twitch's one-minute bucket)
   */
  readonly maxRateLimitWaitMs?: number;
  /** Maximum requests in flight, all buckets together. @defaultValue 32 */
  readonly concurrency?: number;
  /** Backoff of retries: first delay and cap, milliseconds. @defaultValue `{ initialMs: 250, maxMs: 10000 }` */
  readonly retryBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly logger?: Logger;
  readonly clock?: Clock;
  /**
   * A rate-limit budget shared with other processes (the fleet's `RedisHelixBudget`): each request takes a point
   * of its bucket from it before it is sent, and the local limiter then only bounds concurrency and waits (see
   * docs/helix.md, "A budget shared by several processes"). When the budget cannot answer, requests are paced
   * locally as without one. @defaultValue none: this process paces itself from Twitch's headers
   */
  readonly budget?: HelixBudget | undefined;
  /** Record metrics (`HelixClient.metrics()`); `false` records nothing. @defaultValue true */
  readonly metrics?: boolean;
}

/** `{ userId? }` of a request (the token to use): `userId` a non-empty string when given. */
export const requestAuth: Check = (value, field) => {
  if (!isRecord(value)) fail(field, '{ userId?: string }', value);
  if (value.userId !== undefined) nonEmptyString(value.userId, `${field}.userId`);
};

/** `{ initialMs?, maxMs? }` of a retry backoff: durations (the clock rule), `maxMs >= initialMs`. */
export function backoffChecks(initialDefault: number): Check {
  const check = nested<{ initialMs?: number; maxMs?: number }>({ initialMs: duration(), maxMs: duration() });
  return (value, field) => {
    check(value, field);
    const { initialMs, maxMs } = value as { initialMs?: number; maxMs?: number };
    if (maxMs !== undefined && maxMs < (initialMs ?? initialDefault)) {
      fail(`${field}.maxMs`, `at least initialMs (${initialMs ?? initialDefault})`, maxMs);
    }
  };
}

/** Checks of every option of {@link HelixHttp} (core/options.ts): a new option without a check does not compile. */
export const HELIX_HTTP_CHECKS: OptionChecks<HelixHttpOptions> = {
  clientId: required(nonEmptyString),
  auth: required(authProvider),
  helixUrl: httpUrl,
  fetch: func,
  timeoutMs: duration(),
  maxRetries: nonNegativeInteger,
  maxRateLimitWaits: nonNegativeInteger,
  maxRateLimitWaitMs: duration(),
  concurrency: positiveInteger,
  retryBackoff: backoffChecks(250),
  logger,
  clock,
  budget: helixBudget,
  metrics: boolean,
};

/** A query value: a string, a finite number, a boolean, or an array of strings and finite numbers. */
const queryValue = (value: unknown, field: string): void => {
  const scalar = (v: unknown): boolean =>
    typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  if (scalar(value) || typeof value === 'boolean') return;
  if (Array.isArray(value) && value.every(scalar)) return;
  fail(field, 'a string, a finite number, a boolean or an array of strings and numbers', value);
};

/** Checks of a {@link HelixRequest}, run before anything is sent (a token included). */
export const REQUEST_CHECKS: OptionChecks<HelixRequest> = {
  method: required(oneOf(['GET', 'POST', 'PATCH', 'PUT', 'DELETE'])),
  path: required((value, field) => {
    if (typeof value !== 'string' || !value.startsWith('/')) fail(field, 'a path starting with "/"', value);
  }),
  query: (value, field) => {
    if (!isRecord(value)) fail(field, 'an object of query values', value);
    for (const [key, item] of Object.entries(value))
      if (item !== undefined) queryValue(item, `${field}.${key}`);
  },
  // Checked by serialising it (see request()).
  body: () => undefined,
  auth: requestAuth,
  signal: signalCheck,
  timeoutMs: duration(),
  idempotent: boolean,
  decode: func,
};
