/**
 * One error hierarchy for the whole library. Every error carries a stable `code` that callers can switch on;
 * messages are for humans and may change.
 *
 * @example
 * ```ts
 * try {
 *   await client.start();
 * } catch (err) {
 *   if (err instanceof TwitchError && err.code === 'CONDUIT_MISSING') { ... }
 * }
 * ```
 */

const brand = Symbol.for('twitch-realtime.error');

/** Options accepted by every {@link TwitchError} constructor. */
export interface TwitchErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every error thrown or emitted by twitch-realtime.
 *
 * `instanceof TwitchError` works across duplicate installs of the package (the check uses a global symbol brand).
 *
 * @example
 * ```ts
 * try {
 *   await helix.eventSub.createConduit({ shardCount: 4 });
 * } catch (err) {
 *   if (!(err instanceof TwitchError)) throw err;
 *   switch (err.code) {
 *     case 'RATE_LIMITED': // an HTTPError: back off
 *     case 'NETWORK_ERROR': // a NetworkError: retry later
 *       break;
 *     default:
 *       throw err;
 *   }
 * }
 * ```
 */
export class TwitchError extends Error {
  /** Stable, documented, machine-readable code (SCREAMING_SNAKE_CASE). */
  readonly code: string;

  constructor(code: string, message: string, options?: TwitchErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /** `ClassName[CODE]`, e.g. `HTTPError[RATE_LIMITED]`: stack traces and logs show the code. */
  override get name(): string {
    return `${this.constructor.name}[${this.code}]`;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === TwitchError) {
      return typeof value === 'object' && value !== null && brand in value;
    }
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * A caller passed a bad argument (wrong type, out of range, unknown name). `field` names the culprit. Thrown
 * synchronously (or as the first rejection), before anything is sent.
 *
 * @example
 * ```ts
 * try {
 *   resolveEntry('channel.follow', '9');
 * } catch (err) {
 *   if (err instanceof InvalidArgumentError) console.log(err.code, err.field); // UNKNOWN_SUBSCRIPTION_TYPE version
 * }
 * ```
 */
export class InvalidArgumentError extends TwitchError {
  /** Path of the offending field, e.g. `condition.broadcaster_user_id`. */
  readonly field: string | undefined;

  constructor(message: string, field?: string, options?: TwitchErrorOptions & { code?: string }) {
    super(options?.code ?? 'INVALID_ARGUMENT', message, options);
    this.field = field;
  }
}

/**
 * An operation did not finish in time (code `TIMEOUT`), e.g. a Helix request after its last retry.
 *
 * @example
 * ```ts
 * const helix = new HelixClient({ clientId, auth, timeoutMs: 5000 });
 * await helix.users.getUsers({ logins: ['twitchdev'] }).catch((err: unknown) => {
 *   if (err instanceof TimeoutError) return []; // Twitch was too slow: try again later
 *   throw err;
 * });
 * ```
 */
export class TimeoutError extends TwitchError {
  constructor(message: string, options?: TwitchErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

/**
 * An operation was aborted through an `AbortSignal` or by `close()` (code `ABORTED`). The signal's reason, when it
 * is not already an `AbortError`, is its `cause`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const pending = helix.eventSub.getConduits({ signal: controller.signal });
 * controller.abort();
 * await pending.catch((err: unknown) => console.log(err instanceof AbortError)); // true
 * ```
 */
export class AbortError extends TwitchError {
  constructor(message = 'The operation was aborted', options?: TwitchErrorOptions) {
    super('ABORTED', message, options);
  }
}

/**
 * Data received from the network did not have the expected shape. The raw data is attached (never secrets).
 *
 * @example
 * ```ts
 * try {
 *   toEventModel('channel.follow', '2', { user_id: 42 });
 * } catch (err) {
 *   if (err instanceof ProtocolError) console.log(err.code, err.raw); // MALFORMED_EVENT { user_id: 42 }
 * }
 * ```
 */
export class ProtocolError extends TwitchError {
  /** The offending data, as received (truncated to a few KB). */
  readonly raw: unknown;

  constructor(code: string, message: string, raw?: unknown, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.raw = typeof raw === 'string' && raw.length > 4096 ? `${raw.slice(0, 4096)}…` : raw;
  }
}
