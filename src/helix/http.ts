/**
 * The Helix request engine: headers, JSON, timeouts, rate limiting, retries, 401 renewal and redacted errors.
 * Endpoint groups build on {@link HelixHttp.request}; it is public for endpoints not wrapped yet.
 */
import { RecentErrors, type RecentError } from '../core/recent-errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import { Backoff } from '../core/backoff.js';
import { AbortError, InvalidArgumentError, TimeoutError, TwitchError } from '../core/errors.js';
import { errorMessage, optionalUrl, toError } from '../core/guards.js';
import { checkOptions, fail } from '../core/options.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { REDACTED, redactJson, redactKnown, redactParams } from '../core/redact.js';
import { abortReason, sleep } from '../core/sleep.js';
import {
  FetchTransport,
  NodeHttpTransport,
  type HttpTransport,
  type TransportResponse,
} from '../core/http-transport.js';
import { HELIX_URL } from '../protocol/eventsub.js';
import { APP_CONTEXT, contextKey, type AuthContext, type AuthProvider } from '../auth/types.js';
import { BadResponseError, RateLimitWaitError } from './errors.js';
import {
  HTTPError,
  NetworkError,
  twitchErrorFields,
  type RateLimitState,
  type RedactedRequest,
} from '../core/http-errors.js';
import {
  DEFAULT_MAX_RATE_LIMIT_WAIT_MS,
  parseRateLimitHeaders,
  RateLimiter,
  type RateLimitHeaders,
} from './rate-limiter.js';
import { ShapeError } from './wire.js';
import { BudgetGate, type HelixBudget } from './budget.js';
import { helixRequestChannel } from '../core/diagnostics.js';
import type { MetricsSnapshot } from '../core/metrics.js';
import { HelixMetrics, publishHelixRequest, subscriptionTotals } from './metrics.js';
import { HELIX_HTTP_CHECKS, REQUEST_CHECKS, requestAuth } from './http-options.js';
import type {
  HelixHttpOptions,
  HelixRequest,
  HelixResponse,
  QueryValue,
  RequestAuth,
} from './http-options.js';

export type { FetchLike, FetchInit, HeaderReader, ResponseLike } from '../core/http-transport.js';
export { HELIX_HTTP_CHECKS, backoffChecks, requestAuth } from './http-options.js';
export type {
  HelixHttpOptions,
  HelixRequest,
  HelixResponse,
  QueryValue,
  RequestAuth,
} from './http-options.js';

const RETRYABLE_5XX = new Set([500, 502, 503, 504]);

/**
 * Sends Helix requests. Use through {@link HelixClient}; `request` is public for endpoints not wrapped yet.
 *
 * @example
 * ```ts
 * const { body } = await helix.http.request<{ data: unknown[] }>({ method: 'GET', path: '/streams', query: { first: 5 } });
 * // Checked: a body without a `data` array rejects with a BadResponseError naming GET /streams.
 * const { body: streams } = await helix.http.request({
 *   method: 'GET',
 *   path: '/streams',
 *   decode: (b) => {
 *     const data = (b as { data?: unknown } | undefined)?.data;
 *     if (!Array.isArray(data)) throw new Error('data: expected an array');
 *     return data;
 *   },
 * });
 * ```
 */
export class HelixHttp {
  readonly clientId: string;
  readonly auth: AuthProvider;
  readonly #baseUrl: string;
  readonly #transport: HttpTransport;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #maxRateLimitWaits: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #backoff: { initialMs: number; maxMs: number };
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #recentErrors: RecentErrors;
  readonly #limiter: RateLimiter;
  readonly #budget: HelixBudget | undefined;
  readonly #gate: BudgetGate | undefined;
  readonly #closer = new AbortController();
  /** Counters since creation (observability, tests, benches). */
  readonly stats = { requests: 0, retries: 0, rateLimitWaits: 0, renewals: 0 };
  /** `null` with `metrics: false`. */
  readonly #metrics: HelixMetrics | null;
  /** The code of the app token's last failure that no retry fixes (credentials refused); `null` after a success. */
  #appTokenRefused: string | null = null;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) for options that are not
   *   an object, a missing or empty `clientId`, an `auth` that is not an AuthProvider, a `helixUrl` that is not an
   *   http(s) URL (or is passed as `undefined`), a duration outside 1..2^31-1 ms (`timeoutMs`,
   *   `maxRateLimitWaitMs`, `retryBackoff`), a count that is not a non-negative (`maxRetries`,
   *   `maxRateLimitWaits`) or positive (`concurrency`) integer, or a `fetch`, `logger` or `clock` of the wrong shape.
   */
  constructor(options: HelixHttpOptions) {
    checkOptions(options, HELIX_HTTP_CHECKS);
    this.clientId = options.clientId;
    this.auth = options.auth;
    this.#baseUrl = optionalUrl(options, 'helixUrl', HELIX_URL).replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#maxRateLimitWaits = options.maxRateLimitWaits ?? 3;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
    const initialMs = options.retryBackoff?.initialMs ?? 250;
    // A first delay above the default cap raises the cap (a retry must not fail on its own Backoff).
    this.#backoff = { initialMs, maxMs: options.retryBackoff?.maxMs ?? Math.max(10_000, initialMs) };
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#recentErrors = new RecentErrors(this.#clock);
    this.#limiter = new RateLimiter({
      clock: this.#clock,
      concurrency: options.concurrency ?? 32,
      maxWaitMs: this.#maxRateLimitWaitMs,
    });
    this.#budget = options.budget;
    const auth = options.auth;
    this.#metrics =
      options.metrics === false ? null : new HelixMetrics(this.stats, () => auth.tokenRefreshes);
    this.#gate =
      options.budget === undefined
        ? undefined
        : new BudgetGate({
            budget: options.budget,
            clock: this.#clock,
            maxWaitMs: this.#maxRateLimitWaitMs,
            logger: this.#logger,
          });
    this.#transport =
      options.fetch === undefined
        ? new NodeHttpTransport({ clock: this.#clock })
        : new FetchTransport(options.fetch, this.#clock);
  }

  /** Last known rate-limit state of the bucket of `auth` (`null` before its first response). */
  rateLimitState(auth?: RequestAuth): RateLimitState | null {
    if (auth !== undefined) requestAuth(auth, 'auth');
    return this.#limiter.state(contextKey(toContext(auth)));
  }

  /** This engine's metrics now (see `HelixClient.metrics`); empty with `metrics: false`. */
  metrics(): MetricsSnapshot {
    return this.#metrics?.registry.snapshot() ?? [];
  }

  /** See `HelixClient.health`. */
  health(): { readonly live: boolean; readonly ready: boolean; readonly reasons: readonly string[] } {
    if (this.#closer.signal.aborted) return { live: false, ready: false, reasons: ['client closed'] };
    const refused = this.#appTokenRefused;
    if (refused === null) return { live: true, ready: true, reasons: [] };
    return {
      live: true,
      ready: false,
      reasons: [`app token refused (${refused}): check the client id and secret`],
    };
  }

  /** An app token that could not be had: remembered when Twitch refused the credentials (a 4xx but 408/429). */
  #tokenFailed(context: AuthContext, error: unknown): void {
    if (context !== APP_CONTEXT || this.#closer.signal.aborted) return;
    for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
      const status = (e as { status?: unknown }).status;
      const code = (e as { code?: unknown }).code;
      if (
        code === 'NO_APP_CREDENTIALS' ||
        (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429)
      ) {
        this.#appTokenRefused = typeof code === 'string' ? code : 'HTTP_ERROR';
        return;
      }
    }
  }

  /** Rejects queued requests and stops timers. Requests in flight are aborted. */
  close(): void {
    const error = new AbortError('The Helix client was closed');
    this.#closer.abort(error);
    this.#transport.close();
    this.#gate?.close(error);
    this.#limiter.close(error);
  }

  /**
   * Sends a request with rate limiting, retries and 401 renewal; resolves with the parsed body of a 2xx answer
   * (through `req.decode` when given), rejects with {@link HTTPError}, {@link NetworkError},
   * {@link BadResponseError}, `TimeoutError` or `AbortError`. A request that is not well-formed (a method, a path
   * starting with `/`, query values, a JSON-serialisable body, `auth`, `signal`, `timeoutMs`) rejects with
   * `INVALID_ARGUMENT` naming the field before anything is sent, the token included.
   */
  async request<T>(
    req: HelixRequest & { readonly decode?: ((body: unknown) => T) | undefined },
  ): Promise<HelixResponse<T>> {
    try {
      return await this.#request(req);
    } catch (error) {
      // What the dashboard lists (`recentErrors`): failed requests, not the caller's own aborts.
      if (!(error instanceof AbortError)) this.#recentErrors.push(error);
      throw error;
    }
  }

  /** The errors requests failed with (not aborts), newest last, redacted, bounded: the dashboard's list. */
  recentErrors(): RecentError[] {
    return this.#recentErrors.list();
  }

  async #request<T>(
    req: HelixRequest & { readonly decode?: ((body: unknown) => T) | undefined },
  ): Promise<HelixResponse<T>> {
    checkOptions(req, REQUEST_CHECKS, 'req');
    const context = toContext(req.auth);
    const bucket = contextKey(context);
    const url = this.#baseUrl + req.path + encodeQuery(req.query);
    const bodyText = req.body === undefined ? undefined : jsonBody(req.body);
    const idempotent = req.idempotent ?? req.method !== 'POST';
    const signal = req.signal;
    // The provider hears close() too: a refresh it is waiting on must not hold a closed client's request.
    const authSignal = this.#anySignal(signal);
    let token: string;
    try {
      token = await this.auth.getAccessToken(context, authSignal);
    } catch (error) {
      this.#tokenFailed(context, error);
      throw this.#closedOr(error);
    }
    if (context === APP_CONTEXT) this.#appTokenRefused = null;
    let retries = 0;
    let only503Retry = false;
    let waits = 0;
    /** Time spent waiting for the rate limiter so far, all attempts together (bounded by maxRateLimitWaitMs). */
    let queuedMs = 0;
    let renewed = false;
    let backoff: Backoff | undefined;
    const nextDelay = (): number => {
      backoff ??= new Backoff({ ...this.#backoff, jitter: 'full' });
      return backoff.next();
    };

    for (;;) {
      if (this.#closer.signal.aborted) throw abortReason(this.#closer.signal);
      const queuedAt = this.#clock.now();
      // A shared budget first (a point of the fleet's bucket), then the local limiter (concurrency, a 429's block).
      const point = this.#gate === undefined ? null : await this.#gate.take(bucket, signal, queuedMs);
      const ticket = await this.#limiter.acquire(bucket, {
        signal,
        waitedMs: queuedMs + (this.#clock.now() - queuedAt),
        paced: point === null,
      });
      queuedMs += this.#clock.now() - queuedAt;
      this.stats.requests++;
      const headers: Record<string, string> = {
        'Client-Id': this.clientId,
        Authorization: `Bearer ${token}`,
      };
      if (bodyText !== undefined) headers['Content-Type'] = 'application/json';
      let response: TransportResponse;
      const sentAt = this.#clock.now();
      try {
        response = await this.#transport.send({
          method: req.method,
          url,
          headers,
          body: bodyText,
          timeoutMs: req.timeoutMs ?? this.#timeoutMs,
          signal,
          idempotent,
        });
      } catch (error) {
        this.#limiter.release(bucket, ticket, null);
        this.#answered(req, 0, sentAt, bucket, null);
        const failure = this.#classifyFailure(error, signal, req);
        if (failure.retry && idempotent && retries < this.#maxRetries) {
          retries++;
          this.stats.retries++;
          this.#log('retrying after network error', req, { attempt: retries, error: failure.error.message });
          await sleep(nextDelay(), { clock: this.#clock, signal: this.#anySignal(signal) });
          continue;
        }
        throw failure.error;
      }
      const text = response.body;
      const limits = parseRateLimitHeaders(response.headers, this.#clock.now());
      this.#limiter.release(bucket, ticket, limits);
      const status = response.status;
      this.#answered(req, status, sentAt, bucket, limits.remaining);
      if (point !== null && limits.limit !== null && limits.remaining !== null) {
        try {
          this.#budget?.observe(bucket, point, limits, status);
        } catch (error) {
          // observe() must not throw; one that does must not fail a request Twitch has answered.
          this.#logger.warn('helix budget failed to observe a response', { bucket, error: toError(error) });
        }
      }

      if (status >= 200 && status < 300) {
        this.#log('ok', req, { status, bucket });
        const body = this.#decode(req, status, text, token) as T;
        return { status, body, rateLimit: this.#limiter.state(bucket) };
      }

      if (status === 401 && !renewed) {
        renewed = true;
        this.stats.renewals++;
        let fresh: string | null;
        try {
          fresh = await this.auth.renewAfterUnauthorized(context, token, authSignal);
        } catch (error) {
          this.#tokenFailed(context, error);
          throw this.#closedOr(error);
        }
        if (fresh !== null) {
          token = fresh;
          this.#log('retrying with a renewed token', req, { bucket });
          continue;
        }
      } else if (status === 429 && isBucketEmpty(limits)) {
        if (waits < this.#maxRateLimitWaits) {
          waits++;
          this.stats.rateLimitWaits++;
          const now = this.#clock.now();
          const until =
            limits.resetAt !== null && limits.resetAt > now ? limits.resetAt : now + nextDelay() + 1;
          // Past maxRateLimitWaitMs, the limiter refuses the requests queued in the bucket and forgets the claim.
          this.#limiter.block(bucket, until);
          if (queuedMs + (until - now) > this.#maxRateLimitWaitMs) {
            const cause = this.#httpError(
              req,
              url,
              status,
              response.statusText,
              text,
              bucket,
              limits,
              bodyText !== undefined,
              token,
            );
            throw new RateLimitWaitError(
              {
                bucket,
                waitMs: queuedMs + (until - now),
                maxWaitMs: this.#maxRateLimitWaitMs,
                state: { bucket, limit: limits.limit, remaining: limits.remaining, resetAt: limits.resetAt },
              },
              { cause },
            );
          }
          this.#log('bucket empty (429), waiting for its reset', req, { bucket, waitMs: until - now });
          continue;
        }
      } else if (
        RETRYABLE_5XX.has(status) &&
        retries < this.#maxRetries &&
        // A 5xx may come after the server applied the request: only idempotent ones are repeated, except for
        // Twitch's documented "503: retry once", which holds for every request.
        (status === 503 ? !only503Retry : idempotent)
      ) {
        retries++;
        this.stats.retries++;
        if (status === 503) only503Retry = true;
        this.#log('retrying after a server error', req, { status, attempt: retries });
        await sleep(nextDelay(), { clock: this.#clock, signal: this.#anySignal(signal) });
        continue;
      }
      throw this.#httpError(
        req,
        url,
        status,
        response.statusText,
        text,
        bucket,
        limits,
        bodyText !== undefined,
        token,
      );
    }
  }

  /**
   * The body of a 2xx answer: JSON (or empty), through the request's decoder. Anything else is a
   * {@link BadResponseError}: the one place where a Helix answer is refused.
   */
  #decode(req: HelixRequest, status: number, text: string, token: string): unknown {
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch (error) {
        throw this.#badResponse(req, status, text, token, 'the body is not JSON', error);
      }
    }
    if (this.#metrics !== null && req.path === '/eventsub/subscriptions')
      subscriptionTotals(this.#metrics, body);
    if (req.decode === undefined) return body;
    try {
      return req.decode(body);
    } catch (error) {
      const reason =
        error instanceof ShapeError ? error.message : `its decoder failed: ${errorMessage(error)}`;
      throw this.#badResponse(req, status, text, token, reason, error);
    }
  }

  #badResponse(
    req: HelixRequest,
    status: number,
    text: string,
    token: string,
    reason: string,
    cause: unknown,
  ): BadResponseError {
    let raw: string;
    try {
      raw = JSON.stringify(redactJson(JSON.parse(text) as unknown));
    } catch {
      raw = text;
    }
    // A body that echoes the token (a proxy's debug page) does not get it into the error.
    raw = redactKnown(raw.length > 8192 ? raw.slice(0, 8192) : raw, [token]);
    this.#logger.warn('helix answer refused', { method: req.method, path: req.path, status, reason });
    return new BadResponseError(
      { method: req.method, path: req.path, status, reason, raw },
      cause instanceof ShapeError ? undefined : { cause },
    );
  }

  /** A token failure after close() (which closes an owned provider) is reported as the close: an AbortError. */
  #closedOr(error: unknown): unknown {
    return this.#closer.signal.aborted ? abortReason(this.#closer.signal) : error;
  }

  #anySignal(signal: AbortSignal | undefined): AbortSignal {
    return signal === undefined ? this.#closer.signal : AbortSignal.any([signal, this.#closer.signal]);
  }

  #classifyFailure(
    error: unknown,
    signal: AbortSignal | undefined,
    req: HelixRequest,
  ): { retry: boolean; error: Error } {
    if (signal?.aborted === true) return { retry: false, error: abortReason(signal) };
    if (this.#closer.signal.aborted) return { retry: false, error: abortReason(this.#closer.signal) };
    if (error instanceof TimeoutError) {
      return {
        retry: true,
        error: new TimeoutError(`${req.method} ${req.path} timed out`, { cause: error }),
      };
    }
    // A request Node refused to send (INVALID_ARGUMENT) or an answer the transport refused (RESPONSE_TOO_LARGE,
    // BAD_RESPONSE): sending it again would get the same.
    if (error instanceof TwitchError) return { retry: false, error };
    return { retry: true, error: new NetworkError(req.method, req.path, { cause: error }) };
  }

  #httpError(
    req: HelixRequest,
    url: string,
    status: number,
    statusText: string,
    text: string,
    bucket: string,
    limits: RateLimitHeaders,
    hasBody: boolean,
    token: string,
  ): HTTPError {
    // A body that echoes the token (a proxy's debug page) does not get it into the error's message.
    const { error: twitchError, twitchMessage } = twitchErrorFields(
      redactKnown(text, [token]),
      status,
      statusText,
    );
    const request: RedactedRequest = {
      method: req.method,
      url: redactUrl(url),
      headers: {
        'Client-Id': this.clientId,
        Authorization: `Bearer ${REDACTED}`,
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(req.body === undefined ? {} : { body: redactJson(req.body) }),
    };
    const error = new HTTPError({
      status,
      error: twitchError,
      twitchMessage,
      method: req.method,
      path: req.path,
      rateLimit: {
        bucket,
        limit: limits.limit,
        remaining: limits.remaining,
        resetAt: limits.resetAt,
      },
      request,
      rateLimited: status === 429 && isBucketEmpty(limits),
    });
    this.#logger.warn('helix request failed', { method: req.method, path: req.path, status, bucket });
    return error;
  }

  /** The one place an attempt is recorded: metrics, and `twitch-realtime:helix:request` when subscribed. */
  #answered(
    req: HelixRequest,
    status: number,
    sentAt: number,
    bucket: string,
    remaining: number | null,
  ): void {
    const metrics = this.#metrics;
    if (metrics === null && !helixRequestChannel.hasSubscribers) return;
    const seconds = (this.#clock.now() - sentAt) / 1000;
    metrics?.answered(req.method, req.path, status, seconds, bucket, remaining);
    publishHelixRequest(req.method, req.path, status, seconds, remaining);
  }

  #log(message: string, req: HelixRequest, context: Record<string, unknown>): void {
    if (this.#logger === silentLogger) return;
    this.#logger.debug(`helix ${req.method} ${req.path}: ${message}`, context);
  }
}

/** `JSON.stringify`, typed as it behaves: `undefined` for a function, a symbol or `undefined` itself. */
const stringifyJson: (value: unknown) => string | undefined = JSON.stringify;

/** The JSON text of a request body; a body JSON cannot represent (a BigInt, a cycle) is an `INVALID_ARGUMENT`. */
function jsonBody(body: unknown): string {
  let text: string | undefined;
  try {
    text = stringifyJson(body);
  } catch (error) {
    throw new InvalidArgumentError(`body cannot be sent as JSON: ${errorMessage(error)}`, 'body', {
      cause: error,
    });
  }
  if (text === undefined) fail('body', 'a JSON value', body);
  return text;
}

/** A 429 is a bucket exhaustion when `Ratelimit-Remaining` is 0 or absent; otherwise it is a Twitch limit. */
function isBucketEmpty(limits: RateLimitHeaders): boolean {
  return limits.remaining === null || limits.remaining === 0;
}

function toContext(auth: RequestAuth | undefined): AuthContext {
  const userId = auth?.userId;
  return userId === undefined ? APP_CONTEXT : { kind: 'user', userId };
}

/** Encodes a query object; arrays repeat their key. Returns `''` or a string starting with `?`. */
export function encodeQuery(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?${redactParams(url.slice(q + 1))}`;
}
