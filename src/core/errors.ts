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

/**
 * Codes of the core: argument checks, timeouts and aborts, raised by every subsystem, and the warning a failing
 * listener becomes when nobody listens to `error`. Each subsystem has its own union of the codes it adds
 * (`HelixErrorCode`, `SessionErrorCode`, `ConduitErrorCode`, `PubSubErrorCode`, ...); docs/errors.md is generated
 * from these unions (`npm run docs:errors`).
 */
export type CoreErrorCode =
  /**
   * A caller passed a bad argument to a public constructor, method or function: a value of the wrong type (`null` or
   * a string where an option takes a number: `null` is never taken as "the default", only an absent key or
   * `undefined` is), out of range (every duration option is a finite number of milliseconds within its bounds and at
   * most 2^31-1, the longest delay a Node timer honours; counts are positive integers, `maxReclaims: NaN` is
   * refused), a URL option passed explicitly as `undefined` (`url: emulator.pubSubUrl` with no such member: only an
   * absent key means the default, production Twitch), a URL of the wrong scheme, an `AbortSignal` that is not one
   * (`signal: 'x'`), a listener that is not a function (`on`, `once`, `off`), an options or input object that is
   * `null` or not an object (`new AutoClient(null)`, `receiver.process(null)`), a user token where an endpoint needs
   * the app token, exclusive filters used together, ... A Helix or OAuth request Node refuses to send (a control
   * character inside a token, client id or other header value; `field` is `headers`, the value is never quoted).
   * `field` names the argument: the option (`timeoutMs`), a nested one (`webhook.listen.port`,
   * `session.welcomeTimeoutMs`, `retryBackoff.maxMs`) or an item (`topics[2]`, `shardIds[0]`). Thrown by
   * constructors, and by methods before their first I/O (async ones reject): nothing was created, bound or sent.
   *
   * What to do: **Fix input.** Nothing was sent.
   */
  | 'INVALID_ARGUMENT'
  /**
   * A Helix or OAuth request got no answer within `timeoutMs` (default 10 s per attempt), on its last attempt.
   * Idempotent requests are retried first; other POSTs are not (Twitch may have processed them).
   *
   * What to do: **Retry** later. For a timed-out POST such as Create Conduits, list before creating again: the first
   * attempt may have succeeded.
   */
  | 'TIMEOUT'
  /**
   * The caller's `AbortSignal` aborted, or `close()` was called (Helix client, session, client) while the operation
   * ran. `cause` holds the signal's reason when it is not an `AbortError` itself (e.g. `CLIENT_CLOSED`).
   *
   * What to do: **Ignore** when you aborted or closed; otherwise look at `cause`.
   */
  | 'ABORTED'
  /**
   * A listener of a library emitter threw or rejected, nobody listens to `error`, and no logger was configured: the
   * failure goes to `process.emitWarning` with this code, and the other listeners still run.
   *
   * What to do: Fix the listener, or listen to `error` (the failing event's name is the second argument).
   */
  | 'TWITCH_REALTIME_LISTENER_ERROR';

/**
 * The registry of every error code, one entry per subsystem: its key names the subsystem, its value is that
 * subsystem's code union. The core registers {@link CoreErrorCode}; each subsystem's errors file adds its own union by
 * module augmentation (`declare module '../core/errors.js' { interface TwitchErrorCodes { helix: HelixErrorCode } }`),
 * so the core knows every code without importing upward. A code of no union is a type error at every constructor.
 *
 * @example
 * ```ts
 * type HelixCodes = TwitchErrorCodes['helix']; // HelixErrorCode
 * ```
 */
export interface TwitchErrorCodes {
  core: CoreErrorCode;
}

/**
 * Every code of the library: the union of the {@link TwitchErrorCodes} registry. `code` of {@link TwitchError},
 * {@link InvalidArgumentError} and {@link ProtocolError} is one, so a misspelt code does not compile.
 *
 * @example
 * ```ts
 * function retryable(code: TwitchErrorCode): boolean {
 *   return code === 'TIMEOUT' || code === 'NETWORK_ERROR';
 * }
 * ```
 */
export type TwitchErrorCode = TwitchErrorCodes[keyof TwitchErrorCodes];

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
  /** Stable, documented, machine-readable code (SCREAMING_SNAKE_CASE): one of {@link TwitchErrorCode}. */
  readonly code: TwitchErrorCode;

  constructor(code: TwitchErrorCode, message: string, options?: TwitchErrorOptions) {
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

  constructor(message: string, field?: string, options?: TwitchErrorOptions & { code?: TwitchErrorCode }) {
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
  declare readonly code: 'TIMEOUT';

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
  declare readonly code: 'ABORTED';

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

  constructor(code: TwitchErrorCode, message: string, raw?: unknown, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.raw = typeof raw === 'string' && raw.length > 4096 ? `${raw.slice(0, 4096)}…` : raw;
  }
}
