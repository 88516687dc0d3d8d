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
 */
export class TwitchError extends Error {
  /** Stable, documented, machine-readable code (SCREAMING_SNAKE_CASE). */
  readonly code: string;

  constructor(code: string, message: string, options?: TwitchErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

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

/** A caller passed a bad argument (wrong type, out of range, unknown name). `field` names the culprit. */
export class InvalidArgumentError extends TwitchError {
  /** Path of the offending field, e.g. `condition.broadcaster_user_id`. */
  readonly field: string | undefined;

  constructor(message: string, field?: string, options?: TwitchErrorOptions & { code?: string }) {
    super(options?.code ?? 'INVALID_ARGUMENT', message, options);
    this.field = field;
  }
}

/** An operation did not finish in time. */
export class TimeoutError extends TwitchError {
  constructor(message: string, options?: TwitchErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

/** An operation was aborted through an `AbortSignal` or by `close()`. */
export class AbortError extends TwitchError {
  constructor(message = 'The operation was aborted', options?: TwitchErrorOptions) {
    super('ABORTED', message, options);
  }
}

/** Data received from the network did not have the expected shape. The raw data is attached (never secrets). */
export class ProtocolError extends TwitchError {
  /** The offending data, as received (truncated to a few KB). */
  readonly raw: unknown;

  constructor(code: string, message: string, raw?: unknown, options?: TwitchErrorOptions) {
    super(code, message, options);
    this.raw = typeof raw === 'string' && raw.length > 4096 ? `${raw.slice(0, 4096)}…` : raw;
  }
}
