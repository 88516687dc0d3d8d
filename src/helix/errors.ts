/**
 * Errors of the Helix layer beyond plain HTTP failures (see core/http-errors.ts). Nothing here ever holds a token or a
 * secret.
 */
import { ProtocolError, TwitchError, type TwitchErrorOptions } from '../core/errors.js';
import type { HttpErrorCode, RateLimitState } from '../core/http-errors.js';

/**
 * Every code a Helix call can fail with: the shared HTTP layer's ({@link HttpErrorCode}) and the Helix client's own.
 */
export type HelixErrorCode =
  | HttpErrorCode
  /**
   * A request waited, or would wait, longer than `maxRateLimitWaitMs` (default 120 s) for the rate limiter, its
   * attempts together: a 429 whose `Ratelimit-Reset` is further ahead (a reset past 2^31-1 ms is clamped to that
   * first), a `Ratelimit-Limit: 0` with a reset further ahead, a queue behind such a bucket (all refused at once; the
   * bucket forgets the claim, so the next request asks Twitch again), or a request still queued after that long for
   * any other reason (a deep queue behind a small bucket, the concurrency bound). Nothing more is sent for it.
   * `bucket`, `waitMs` (the wait asked for, or waited), `maxWaitMs` and `rateLimit` (the bucket's state) are set;
   * `cause` is the 429's `HTTPError` when one set the wait.
   *
   * What to do: **Retry** later; if Twitch really asks for such waits, raise `maxRateLimitWaitMs`.
   */
  | 'RATE_LIMIT_WAIT_TOO_LONG'
  /**
   * `updateConduitShards`: the request of one chunk failed with an error that is not a `TwitchError` (thrown by a
   * custom auth provider) while other chunks went through; `cause` holds it. Chunks failing with a `TwitchError`
   * carry its code instead.
   *
   * What to do: Look at `cause`; the shards of that chunk were not updated, send them again.
   */
  | 'REQUEST_FAILED';

/**
 * A 2xx answer whose body the library cannot act on: not JSON (a proxy's HTML page, a cut-off body), or JSON without
 * the shape of its endpoint (`{"data":{}}`, `{"data":[null]}`, a conduit without an id). Code `BAD_RESPONSE`. Not
 * retried, and nothing is done on the strength of it (the AutoClient never creates a conduit because a garbled list
 * looked empty). `raw` holds the body (cut at 4 KB, secret keys and the request's token redacted).
 *
 * @example
 * ```ts
 * try {
 *   await helix.eventSub.getConduits();
 * } catch (err) {
 *   if (err instanceof BadResponseError) console.log(err.message); // GET /eventsub/conduits answered 200 with an unexpected body: data: expected an array, got an object
 * }
 * ```
 */
export class BadResponseError extends ProtocolError {
  declare readonly code: 'BAD_RESPONSE';
  readonly method: string;
  /** Path below the base URL, e.g. `/eventsub/conduits`. */
  readonly path: string;
  readonly status: number;
  /** What was wrong, e.g. `data[0].id: expected a non-empty string, got 5`. */
  readonly reason: string;

  constructor(
    init: {
      readonly method: string;
      readonly path: string;
      readonly status: number;
      readonly reason: string;
      readonly raw: string;
    },
    options?: TwitchErrorOptions,
  ) {
    super(
      'BAD_RESPONSE',
      `${init.method} ${init.path} answered ${init.status} with an unexpected body: ${init.reason}`,
      init.raw,
      options,
    );
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.reason = init.reason;
  }
}

/**
 * A request would wait longer than `maxRateLimitWaitMs` for its rate-limit bucket to open: a 429 whose
 * `Ratelimit-Reset` is far ahead, a `Ratelimit-Limit: 0`, or a queue behind such a bucket (then the bucket forgets
 * the claim, so the next request asks Twitch again); or it has waited that long in the queue for any other reason
 * (a deep queue behind a small bucket, the concurrency bound). Code `RATE_LIMIT_WAIT_TOO_LONG`. Nothing was sent for
 * it (or, after a 429, nothing more). `cause` is the 429's `HTTPError` when one set the wait.
 *
 * @example
 * ```ts
 * try {
 *   await helix.eventSub.getConduits();
 * } catch (err) {
 *   if (err instanceof RateLimitWaitError) console.log(err.bucket, err.waitMs, err.rateLimit.resetAt);
 * }
 * ```
 */
export class RateLimitWaitError extends TwitchError {
  declare readonly code: 'RATE_LIMIT_WAIT_TOO_LONG';
  /** Bucket key (`app` or `user:<id>`). */
  readonly bucket: string;
  /** The wait the bucket asked for, or (refused from the queue) the time the request waited, milliseconds. */
  readonly waitMs: number;
  /** The bound it exceeded (`maxRateLimitWaitMs`). */
  readonly maxWaitMs: number;
  /** The bucket's state as last reported, before it was forgotten. */
  readonly rateLimit: RateLimitState;

  constructor(
    init: {
      readonly bucket: string;
      readonly waitMs: number;
      readonly maxWaitMs: number;
      readonly state: RateLimitState;
      /** The request waited its whole bound in the queue (rather than being told of a wait past it). */
      readonly queued?: boolean;
    },
    options?: TwitchErrorOptions,
  ) {
    super(
      'RATE_LIMIT_WAIT_TOO_LONG',
      init.queued === true
        ? `this request waited ${Math.round(init.waitMs)} ms in the queue of the ${init.bucket} rate-limit bucket, the most maxRateLimitWaitMs allows (${init.maxWaitMs} ms)`
        : `the ${init.bucket} rate-limit bucket would hold this request ${Math.round(init.waitMs)} ms, more than maxRateLimitWaitMs (${init.maxWaitMs} ms)`,
      options,
    );
    this.bucket = init.bucket;
    this.waitMs = init.waitMs;
    this.maxWaitMs = init.maxWaitMs;
    this.rateLimit = init.state;
  }
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    helix: HelixErrorCode;
  }
}
