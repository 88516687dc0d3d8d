/**
 * Logging goes through an injected {@link Logger}; the library never writes to the console. The default is silent.
 */

/** Structured context attached to a log line. Never contains secrets. */
export type LogContext = Readonly<Record<string, unknown>>;

/**
 * The logger shape accepted by every component (compatible with `console`, pino, winston and bunyan style loggers).
 *
 * @example
 * ```ts
 * const helix = new HelixClient({ clientId, auth, logger: { debug() {}, info() {}, warn: console.warn, error: console.error } });
 * ```
 */
export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
}

const noop = (): void => undefined;

/** A logger that discards everything (the default). */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
