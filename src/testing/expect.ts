/**
 * Expectations on any receiver that emits typed EventSub events (`AutoClient`, `WebSocketClient`, `WebhookReceiver`,
 * `AutoBot`): wait for one event (`expectEvent`), iterate over events (`events`), or prove that none arrived
 * (`expectNoEvent`, drain-and-check, never a sleep). Runner-agnostic: failures are thrown `TestingError`s with a
 * stable code, which every runner reports as a failed test.
 *
 * Each one listens from the moment it is called: call it before the action that makes the event, then await it.
 */
import { AbortError, InvalidArgumentError } from '../core/errors.js';
import { checkOptions, duration, func, integerIn, signal as signalCheck } from '../core/options.js';
import type { OptionChecks } from '../core/options.js';
import type { EventSubEventMap, EventSubEventName, Notification } from '../catalogue/events.js';
import { EVENT_DEFINITIONS } from '../catalogue/definitions.js';
import type { EventSubEvents } from '../eventsub/client.js';
import { toError } from '../core/guards.js';
import { TestingError } from './errors.js';

/** An event as a receiver emits it: the model, and the envelope it came in (message id, timestamp, raw payload). */
export interface ReceivedEvent<K extends EventSubEventName> {
  readonly event: EventSubEventMap[K];
  readonly notification: Notification<EventSubEventMap[K]>;
}

/** A listener of one typed event. */
export type EventListener<K extends EventSubEventName> = (
  event: EventSubEventMap[K],
  notification: Notification<EventSubEventMap[K]>,
) => unknown;

/**
 * Anything that emits typed EventSub events with `on`/`off`: `AutoClient`, `WebSocketClient`, `WebhookReceiver`,
 * `AutoBot` (and the `TypedEmitter` of your own receiver).
 */
export interface EventReceiver {
  on(event: EventSubEventName, listener: AnyEventListener): unknown;
  off(event: EventSubEventName, listener: AnyEventListener): unknown;
}

/** A listener of any typed event (how {@link EventReceiver} sees the listeners it is given). */
export type AnyEventListener = (...args: EventSubEvents[EventSubEventName]) => unknown;

/** A filter: `true` keeps the event. A filter that throws fails the expectation with its error. */
export type EventFilter<K extends EventSubEventName> = (
  event: EventSubEventMap[K],
  notification: Notification<EventSubEventMap[K]>,
) => boolean;

/** Options of {@link expectEvent}. */
export interface ExpectEventOptions<K extends EventSubEventName> {
  /** How long to wait before rejecting with `TESTING_TIMEOUT`. @defaultValue 2000 */
  readonly timeoutMs?: number;
  /** Only an event this returns `true` for fulfils the expectation (the others are counted in the timeout message). */
  readonly filter?: EventFilter<K>;
  /** Aborts the wait: rejects with `AbortError` (`ABORTED`). */
  readonly signal?: AbortSignal;
}

/** Options of {@link events}. */
export interface EventsOptions<K extends EventSubEventName> {
  /** Only events this returns `true` for are yielded. */
  readonly filter?: EventFilter<K>;
  /** Ends the iteration: buffered events are still yielded, then `next()` rejects with `AbortError`. */
  readonly signal?: AbortSignal;
  /**
   * Events kept while the loop is not reading (1..1,000,000). Past it the listener is removed; the buffered events
   * are still yielded, then `next()` rejects with `TESTING_BUFFER_OVERFLOW` (nothing is dropped silently).
   * @defaultValue 1000
   */
  readonly bufferSize?: number;
}

/** Options of {@link expectNoEvent}. */
export interface ExpectNoEventOptions<K extends EventSubEventName> {
  /** Only events this returns `true` for count as unexpected. */
  readonly filter?: EventFilter<K>;
}

/** What {@link NoEventWatch.check} drains: a `TestTwitch` or an `Emulator`. */
export interface Drainable {
  drain(): Promise<void>;
}

/** The default of {@link ExpectEventOptions.timeoutMs}. */
export const EXPECT_EVENT_TIMEOUT_MS = 2000;
/** The default of {@link EventsOptions.bufferSize}. */
export const EVENTS_BUFFER_SIZE = 1000;

const MODELLED: ReadonlySet<string> = new Set(EVENT_DEFINITIONS.map((d) => d.type));

function checkTarget(receiver: unknown, type: unknown): void {
  const r = receiver as { on?: unknown; off?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.on !== 'function' || typeof r.off !== 'function') {
    throw new InvalidArgumentError(
      'receiver must emit typed events (on/off methods): an AutoClient, WebSocketClient, WebhookReceiver or AutoBot',
      'receiver',
    );
  }
  if (typeof type !== 'string' || !MODELLED.has(type)) {
    throw new InvalidArgumentError(
      `type must be a subscription type with a model, e.g. 'channel.follow' (got ${typeof type === 'string' ? `'${type}'` : typeof type})`,
      'type',
    );
  }
}

const EXPECT_CHECKS: OptionChecks<ExpectEventOptions<EventSubEventName>> = {
  timeoutMs: duration({ min: 1 }),
  filter: func,
  signal: signalCheck,
};
const EVENTS_CHECKS: OptionChecks<EventsOptions<EventSubEventName>> = {
  filter: func,
  signal: signalCheck,
  bufferSize: integerIn(1, 1_000_000),
};
const NO_EVENT_CHECKS: OptionChecks<ExpectNoEventOptions<EventSubEventName>> = { filter: func };

function aborted(reason: unknown, what: string): AbortError {
  return new AbortError(`${what} aborted`, { cause: reason });
}

/**
 * Waits for the next event of `type` on `receiver` (that passes `filter`) and resolves with it and its
 * notification. Listens from the call on: call it before the trigger, await it after. The listener is removed on
 * success, timeout and abort.
 *
 * @throws `TestingError` `TESTING_TIMEOUT` (rejection) when none came within `timeoutMs`; `AbortError` on abort;
 *   `InvalidArgumentError` for a receiver without `on`/`off`, an unknown type or a bad option.
 * @example
 * ```ts
 * const followed = expectEvent(client, 'channel.follow', { filter: (e) => e.user.login === 'ada' });
 * twitch.emulator.trigger({ type: 'channel.follow', version: '2', event: { user_login: 'ada' } });
 * const { event, notification } = await followed;
 * ```
 */
export function expectEvent<K extends EventSubEventName>(
  receiver: EventReceiver,
  type: K,
  options: ExpectEventOptions<K> = {},
): Promise<ReceivedEvent<K>> {
  checkTarget(receiver, type);
  checkOptions(options, EXPECT_CHECKS as OptionChecks<ExpectEventOptions<K>>);
  const { filter, signal } = options;
  const timeoutMs = options.timeoutMs ?? EXPECT_EVENT_TIMEOUT_MS;
  if (signal?.aborted === true) return Promise.reject(aborted(signal.reason, `expectEvent('${type}')`));
  return new Promise<ReceivedEvent<K>>((resolve, reject) => {
    let filteredOut = 0;
    /** Settled (by an event, an abort or the timeout), and the timeout's timer once armed. */
    const wait: { settled: boolean; timer?: ReturnType<typeof setTimeout> } = { settled: false };
    const finish = (): void => {
      wait.settled = true;
      receiver.off(type, listener as unknown as AnyEventListener);
      clearTimeout(wait.timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const listener: EventListener<K> = (event, notification) => {
      try {
        if (filter !== undefined && !filter(event, notification)) {
          filteredOut++;
          return;
        }
      } catch (error) {
        finish();
        reject(toError(error));
        return;
      }
      finish();
      resolve({ event, notification });
    };
    const onAbort = (): void => {
      finish();
      reject(aborted(signal?.reason, `expectEvent('${type}')`));
    };
    // Listen first: a receiver whose on() throws rejects the call with nothing armed (and one that emits from
    // inside on() has settled it already).
    receiver.on(type, listener as unknown as AnyEventListener);
    if (wait.settled) return;
    wait.timer = setTimeout(() => {
      finish();
      const filtered =
        filter === undefined ? '' : ` passing the filter (${String(filteredOut)} of the type filtered out)`;
      reject(
        new TestingError(
          'TESTING_TIMEOUT',
          type,
          `expectEvent: no '${type}' event${filtered} within ${String(timeoutMs)} ms`,
        ),
      );
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An async iterator of events (see {@link events}); `close()` ends it like `break` does. */
export interface EventIterator<K extends EventSubEventName> extends AsyncIterableIterator<ReceivedEvent<K>> {
  /** Stops listening; a pending `next()` resolves `done`. */
  close(): void;
}

/**
 * The events of `type` on `receiver` (that pass `filter`), as an async iterator: `for await (const { event } of
 * events(client, 'channel.follow'))`. Listens from the call on; events that come while the loop body runs are
 * buffered (up to `bufferSize`: past it, the buffered ones are yielded, then `next()` rejects with
 * `TESTING_BUFFER_OVERFLOW`). `break`, `return` or `close()` remove the listener; so does `signal` (then `next()`
 * rejects with `AbortError` once the buffer is empty). Concurrent `next()` calls queue, each getting the next event.
 * It never times out by itself: bound the loop with a count,
 * or with `signal: AbortSignal.timeout(ms)`.
 *
 * @example
 * ```ts
 * const follows = events(client, 'channel.follow');
 * twitch.emulator.trigger({ type: 'channel.follow', version: '2', count: 3 });
 * let n = 0;
 * for await (const { event } of follows) if (++n === 3) break;
 * ```
 */
export function events<K extends EventSubEventName>(
  receiver: EventReceiver,
  type: K,
  options: EventsOptions<K> = {},
): EventIterator<K> {
  checkTarget(receiver, type);
  checkOptions(options, EVENTS_CHECKS as OptionChecks<EventsOptions<K>>);
  const { filter, signal } = options;
  const bufferSize = options.bufferSize ?? EVENTS_BUFFER_SIZE;
  const buffer: ReceivedEvent<K>[] = [];
  /** `next()` calls waiting for an event, oldest first (an async iterator queues concurrent calls). */
  const waiting: { resolve: (r: IteratorResult<ReceivedEvent<K>>) => void; reject: (e: Error) => void }[] =
    [];
  let listening = false;
  /** Why the iteration ends once the buffer is empty: `null` while it runs, `'done'` after `break`/`close()`. */
  let end: Error | 'done' | null = null;

  const stop = (reason: Error | 'done'): void => {
    if (listening) {
      receiver.off(type, listener as unknown as AnyEventListener);
      listening = false;
    }
    signal?.removeEventListener('abort', onAbort);
    end ??= reason;
    if (buffer.length > 0) return;
    // The first waiting call gets the error (as a later next() would), the others the end.
    for (const w of waiting.splice(0)) {
      if (end === 'done') w.resolve({ value: undefined, done: true });
      else {
        w.reject(end);
        end = 'done';
      }
    }
  };
  const listener: EventListener<K> = (event, notification) => {
    let keep: boolean;
    try {
      keep = filter === undefined || filter(event, notification);
    } catch (error) {
      stop(toError(error));
      return;
    }
    if (!keep) return;
    const w = waiting.shift();
    if (w !== undefined) {
      w.resolve({ value: { event, notification }, done: false });
      return;
    }
    if (buffer.length >= bufferSize) {
      stop(
        new TestingError(
          'TESTING_BUFFER_OVERFLOW',
          type,
          `events('${type}'): more than ${String(bufferSize)} events arrived while the loop was not reading`,
        ),
      );
      return;
    }
    buffer.push({ event, notification });
  };
  const onAbort = (): void => {
    stop(aborted(signal?.reason, `events('${type}')`));
  };

  const iterator: EventIterator<K> = {
    next(): Promise<IteratorResult<ReceivedEvent<K>>> {
      const value = buffer.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (end === 'done') return Promise.resolve({ value: undefined, done: true });
      if (end !== null) {
        const error = end;
        end = 'done';
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
      });
    },
    return(): Promise<IteratorResult<ReceivedEvent<K>>> {
      buffer.length = 0;
      end = 'done';
      stop('done');
      return Promise.resolve({ value: undefined, done: true });
    },
    close(): void {
      void iterator.return?.();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  if (signal?.aborted === true) {
    end = aborted(signal.reason, `events('${type}')`);
    return iterator;
  }
  receiver.on(type, listener as unknown as AnyEventListener);
  listening = true;
  signal?.addEventListener('abort', onAbort, { once: true });
  return iterator;
}

/** An armed "no event" watch (see {@link expectNoEvent}). */
export interface NoEventWatch extends Disposable {
  /**
   * Drains `twitch` (a `TestTwitch` or an `Emulator`), stops watching, then throws `TESTING_UNEXPECTED_EVENT` if an
   * event of the type arrived since the watch was armed. Call it once, after the action.
   */
  check(twitch: Drainable): Promise<void>;
  /** Events received so far. */
  readonly received: number;
  /** Stops watching without checking (also `using`'s dispose). */
  cancel(): void;
}

/**
 * Arms a watch for events of `type` on `receiver` (that pass `filter`); `await watch.check(twitch)` after the action
 * drains the emulator (everything it queued reached the client and its listeners ran; see `Emulator.drain`) and
 * fails with `TESTING_UNEXPECTED_EVENT` (the first such event in `error.event`) if one arrived. No sleeping: the
 * check is as fast as a ping round trip.
 *
 * @example
 * ```ts
 * const none = expectNoEvent(client, 'channel.follow');
 * twitch.emulator.trigger({ type: 'channel.follow', version: '2', condition: { broadcaster_user_id: 'other' } });
 * await none.check(twitch);
 * ```
 */
export function expectNoEvent<K extends EventSubEventName>(
  receiver: EventReceiver,
  type: K,
  options: ExpectNoEventOptions<K> = {},
): NoEventWatch {
  checkTarget(receiver, type);
  checkOptions(options, NO_EVENT_CHECKS as OptionChecks<ExpectNoEventOptions<K>>);
  const { filter } = options;
  let first: ReceivedEvent<K> | undefined;
  let received = 0;
  let failure: Error | undefined;
  let listening = true;
  const listener: EventListener<K> = (event, notification) => {
    try {
      if (filter !== undefined && !filter(event, notification)) return;
    } catch (error) {
      failure ??= toError(error);
      return;
    }
    received++;
    first ??= { event, notification };
  };
  const cancel = (): void => {
    if (!listening) return;
    listening = false;
    receiver.off(type, listener as unknown as AnyEventListener);
  };
  receiver.on(type, listener as unknown as AnyEventListener);
  return {
    get received() {
      return received;
    },
    async check(twitch: Drainable): Promise<void> {
      const drainable = twitch as Partial<Drainable> | null;
      if (typeof drainable !== 'object' || drainable === null || typeof drainable.drain !== 'function') {
        throw new InvalidArgumentError(
          'twitch must be a TestTwitch or an Emulator (a drain method)',
          'twitch',
        );
      }
      try {
        await twitch.drain();
      } finally {
        cancel();
      }
      if (failure !== undefined) throw failure;
      if (first !== undefined) {
        throw new TestingError(
          'TESTING_UNEXPECTED_EVENT',
          type,
          `expectNoEvent: ${String(received)} '${type}' event(s) arrived, the first in message ${first.notification.messageId}`,
          { event: first.event },
        );
      }
    },
    cancel,
    [Symbol.dispose]: cancel,
  };
}
