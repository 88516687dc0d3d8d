import { EventEmitter } from 'node:events';
import { InvalidArgumentError } from './errors.js';
import { errorMessage } from './guards.js';
import type { Logger } from './logger.js';
import { checkOptions, fail, logger, type OptionChecks } from './options.js';

/** A listener for the arguments tuple `A`. May be async; its rejection is routed like a throw. */
export type Listener<A extends unknown[]> = (...args: A) => unknown;

/** Options of {@link TypedEmitter}. */
export interface TypedEmitterOptions {
  /**
   * Receives listener errors when nobody listens to `'error'`. Default: `process.emitWarning`, so a faulty
   * listener is visible but never crashes the process.
   */
  readonly logger?: Logger;
}

const EMITTER_CHECKS: OptionChecks<TypedEmitterOptions> = { logger };

/** Registration checks (never on `emit`, the hot path): an event name and a listener function. */
function checkListener(event: unknown, listener: unknown): void {
  if (typeof event !== 'string') fail('event', 'an event name (a string)', event);
  if (typeof listener !== 'function') {
    throw new InvalidArgumentError(`the listener of '${event}' must be a function`, 'listener');
  }
}

/**
 * A small typed event emitter over a labelled-tuple map, wrapping `node:events`.
 *
 * Listener errors never crash the emitter or skip the other listeners: a listener that throws, or returns a promise
 * that rejects, has its error emitted as `'error'` (with the failing event name as second argument) when the map
 * declares an `error` event and someone listens to it; otherwise the error goes to the logger given in the options
 * (or `process.emitWarning`). Errors thrown by `'error'` listeners themselves go to that fallback too.
 *
 * Use {@link TypedEmitter.hasListeners} on hot paths to skip building event payloads nobody will receive.
 *
 * @example
 * ```ts
 * interface Events { tokenRefreshed: [userId: string]; error: [error: Error] }
 * class Auth extends TypedEmitter<Events> {}
 * const auth = new Auth();
 * auth.on('tokenRefreshed', (userId) => save(userId));
 * ```
 */
export class TypedEmitter<M extends Record<keyof M, unknown[]>> {
  readonly #inner = new EventEmitter({ captureRejections: false });
  /** Wrappers per event, then per listener: one function registered for two events gets one wrapper for each. */
  readonly #wrappers = new Map<string, WeakMap<Listener<never[]>, (...args: unknown[]) => void>>();
  readonly #logger: Logger | undefined;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`) when `options` is not an object or `logger` is not a
   *   logger.
   */
  constructor(options: TypedEmitterOptions = {}) {
    checkOptions(options, EMITTER_CHECKS);
    this.#logger = options.logger;
    this.#inner.setMaxListeners(0);
  }

  /**
   * Adds a listener.
   *
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `listener` or `event`) when `listener` is not
   *   a function or `event` not a string.
   */
  on<K extends keyof M & string>(event: K, listener: Listener<M[K]>): this {
    checkListener(event, listener);
    this.#inner.on(event, this.#wrap(event, listener));
    return this;
  }

  /** Adds a one-time listener. Same checks as {@link TypedEmitter.on}. */
  once<K extends keyof M & string>(event: K, listener: Listener<M[K]>): this {
    checkListener(event, listener);
    this.#inner.once(event, this.#wrap(event, listener));
    return this;
  }

  /** Removes a listener added with {@link TypedEmitter.on} or {@link TypedEmitter.once}. Same checks as `on`. */
  off<K extends keyof M & string>(event: K, listener: Listener<M[K]>): this {
    checkListener(event, listener);
    const wrapper = this.#wrappers.get(event)?.get(listener);
    if (wrapper !== undefined) this.#inner.off(event, wrapper);
    return this;
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof M & string): this {
    if (event !== undefined && typeof event !== 'string') fail('event', 'an event name (a string)', event);
    if (event === undefined) this.#inner.removeAllListeners();
    else this.#inner.removeAllListeners(event);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof M & string): number {
    return this.#inner.listenerCount(event);
  }

  /** Whether `event` has at least one listener (guard for hot paths). */
  hasListeners(event: keyof M & string): boolean {
    return this.#inner.listenerCount(event) > 0;
  }

  /** Calls every listener of `event` synchronously, in order. Returns whether there was any. */
  emit<K extends keyof M & string>(event: K, ...args: M[K]): boolean {
    return this.#inner.emit(event, ...args);
  }

  #wrap(event: string, listener: Listener<never[]>): (...args: unknown[]) => void {
    let byListener = this.#wrappers.get(event);
    if (byListener === undefined) {
      byListener = new WeakMap();
      this.#wrappers.set(event, byListener);
    }
    let wrapper = byListener.get(listener);
    if (wrapper === undefined) {
      wrapper = (...args: unknown[]): void => {
        try {
          const result = (listener as Listener<unknown[]>)(...args);
          if (isPromiseLike(result)) {
            result.then(undefined, (error: unknown) => {
              this.#listenerFailed(error, event);
            });
          }
        } catch (error) {
          this.#listenerFailed(error, event);
        }
      };
      byListener.set(listener, wrapper);
    }
    return wrapper;
  }

  #listenerFailed(error: unknown, event: string): void {
    if (event !== 'error' && this.#inner.listenerCount('error') > 0) {
      this.#inner.emit('error', error, event);
      return;
    }
    const message = `listener of '${event}' failed`;
    if (this.#logger !== undefined) {
      this.#logger.error(message, { error });
    } else {
      process.emitWarning(`${message}: ${errorMessage(error)}`, {
        code: 'TWITCH_REALTIME_LISTENER_ERROR',
      });
    }
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
