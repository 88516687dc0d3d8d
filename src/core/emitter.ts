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

/** One registration: the listener as given, and whether it is a `once` (then whether it has fired). */
interface Registration {
  readonly listener: Listener<unknown[]>;
  readonly once: boolean;
  fired: boolean;
}

/**
 * A small typed event emitter over a labelled-tuple map, with the semantics of `node:events` (listeners called in
 * order of registration, a listener added or removed during an emit does not change that emit, `off` removes the
 * latest registration of a function, a `once` fires at most once even when emits nest, an `'error'` emitted with
 * nobody listening throws).
 *
 * Listener errors never crash the emitter or skip the other listeners: a listener that throws, or returns a promise
 * that rejects, has its error emitted as `'error'` (with the failing event name as second argument) when the map
 * declares an `error` event and someone listens to it; otherwise the error goes to the logger given in the options
 * (or `process.emitWarning`). Errors thrown by `'error'` listeners themselves go to that fallback too.
 *
 * On the hot path an emit copies nothing: the listener lists are replaced, never changed, when listeners come and go
 * (so an emit walks the list it started with), and a listener gets the emit's arguments directly (no wrapper, no
 * spread of a copied array for up to three arguments). Use {@link TypedEmitter.hasListeners} on hot paths to skip
 * building event payloads nobody will receive.
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
  /** The registrations of each event with any, in order; a list is replaced, never changed. */
  readonly #listeners = new Map<string, readonly Registration[]>();
  readonly #logger: Logger | undefined;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`) when `options` is not an object or `logger` is not a
   *   logger.
   */
  constructor(options: TypedEmitterOptions = {}) {
    checkOptions(options, EMITTER_CHECKS);
    this.#logger = options.logger;
  }

  /**
   * Adds a listener.
   *
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `listener` or `event`) when `listener` is not
   *   a function or `event` not a string.
   */
  on<K extends keyof M & string>(event: K, listener: Listener<M[K]>): this {
    checkListener(event, listener);
    this.#add(event, listener as Listener<unknown[]>, false);
    return this;
  }

  /** Adds a one-time listener. Same checks as {@link TypedEmitter.on}. */
  once<K extends keyof M & string>(event: K, listener: Listener<M[K]>): this {
    checkListener(event, listener);
    this.#add(event, listener as Listener<unknown[]>, true);
    return this;
  }

  /**
   * Removes a listener added with {@link TypedEmitter.on} or {@link TypedEmitter.once} (its latest registration
   * for `event`). Same checks as `on`.
   */
  off<K extends keyof M & string>(event: K, listener: Listener<M[K]>): this {
    checkListener(event, listener);
    const list = this.#listeners.get(event);
    if (list === undefined) return this;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]?.listener === listener) {
        this.#remove(event, list, i);
        break;
      }
    }
    return this;
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof M & string): this {
    if (event !== undefined && typeof event !== 'string') fail('event', 'an event name (a string)', event);
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof M & string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Whether `event` has at least one listener (guard for hot paths). */
  hasListeners(event: keyof M & string): boolean {
    return this.#listeners.has(event);
  }

  /**
   * Calls every listener of `event` synchronously, in order. Returns whether there was any. An `'error'` with no
   * listener throws its first argument (as `node:events` does).
   */
  emit<K extends keyof M & string>(event: K, ...args: M[K]): boolean {
    const list = this.#listeners.get(event);
    if (list === undefined) {
      if (event === 'error') throw unhandled(args[0]);
      return false;
    }
    for (const registration of list) {
      if (registration.once) {
        if (registration.fired) continue;
        registration.fired = true;
        const current = this.#listeners.get(event);
        const at = current === undefined ? -1 : current.indexOf(registration);
        if (current !== undefined && at !== -1) this.#remove(event, current, at);
      }
      this.#call(event, registration.listener, args);
    }
    return true;
  }

  #add(event: string, listener: Listener<unknown[]>, once: boolean): void {
    const registration: Registration = { listener, once, fired: false };
    const list = this.#listeners.get(event);
    this.#listeners.set(event, list === undefined ? [registration] : [...list, registration]);
  }

  #remove(event: string, list: readonly Registration[], at: number): void {
    if (list.length === 1) this.#listeners.delete(event);
    else this.#listeners.set(event, [...list.slice(0, at), ...list.slice(at + 1)]);
  }

  /** Calls one listener with the emit's arguments, routing a throw or a rejection (never throws). */
  #call(event: string, listener: Listener<unknown[]>, args: readonly unknown[]): void {
    try {
      let result: unknown;
      switch (args.length) {
        case 0:
          result = listener();
          break;
        case 1:
          result = listener(args[0]);
          break;
        case 2:
          result = listener(args[0], args[1]);
          break;
        case 3:
          result = listener(args[0], args[1], args[2]);
          break;
        default:
          result = listener(...args);
      }
      if (isPromiseLike(result)) {
        result.then(undefined, (error: unknown) => {
          this.#listenerFailed(error, event);
        });
      }
    } catch (error) {
      this.#listenerFailed(error, event);
    }
  }

  /**
   * Told of every listener that threw or rejected, with what it threw, before it is routed (a subclass counts them
   * and lists them on its dashboard view). Must not throw.
   */
  protected listenerFailed(_event: string, _error: unknown): void {
    // Nothing by default.
  }

  #listenerFailed(error: unknown, event: string): void {
    this.listenerFailed(event, error);
    if (event !== 'error' && this.#listeners.has('error')) {
      this.#emitUntyped('error', error, event);
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

  #emitUntyped(event: string, ...args: unknown[]): void {
    (this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
  }
}

/** What an `'error'` emitted with nobody listening throws: the error itself, as `node:events` does. */
function unhandled(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(`Unhandled error. (${errorMessage(error)})`, { cause: error });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
