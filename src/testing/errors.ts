/**
 * Errors of the test kit's expectations (`expectEvent`, `events`, `expectNoEvent`) and of its `TestClock`. Each has a
 * stable `code`.
 */
import { TwitchError, type TwitchErrorOptions } from '../core/errors.js';

/** Codes of {@link TestingError}. */
export type TestingErrorCode =
  /**
   * `expectEvent()` waited `timeoutMs` for an event of its type (that passed its `filter`) and none came. The
   * message names the type, the filter (when one was given) and how many events of the type were filtered out.
   *
   * What to do: **Fix the test or the code under test:** check that the client subscribed to the type and version
   * the emulator triggers, with the same condition, and that the trigger happens after `expectEvent()` is called.
   */
  | 'TESTING_TIMEOUT'
  /**
   * `expectNoEvent(...).check()`: after draining the emulator, an event of the watched type had arrived since the
   * watch was armed. `event` holds the first such event (its model) and the message its notification's message id.
   *
   * What to do: **Fix the code under test** (or the test's expectation): something delivered an event the test
   * says must not arrive.
   */
  | 'TESTING_UNEXPECTED_EVENT'
  /**
   * `events()`: more events arrived than the iterator's `bufferSize` while the test was not reading. The events
   * buffered before are still yielded, then `next()` rejects with this code (the listener was removed when the
   * buffer overflowed, so nothing is dropped silently).
   *
   * What to do: **Fix the test:** read the iterator as events come, or raise `bufferSize`.
   */
  | 'TESTING_BUFFER_OVERFLOW'
  /**
   * `TestClock.advance()` or `tickAsync()`: more than 100,000 zero-delay timers fired in a row at one instant, which
   * is a timer that re-arms itself with a delay of 0 (or a chain of such timers): time could never move past it, so
   * the call throws instead of spinning forever. `eventType` is empty.
   *
   * What to do: **Fix the code under test:** give the re-armed timer a delay above 0, or stop re-arming it.
   */
  | 'TESTING_TIMER_LOOP';

/**
 * A test kit expectation that failed: `TESTING_TIMEOUT`, `TESTING_UNEXPECTED_EVENT` or `TESTING_BUFFER_OVERFLOW`.
 * `eventType` names the subscription type; `event` holds the unexpected event (`TESTING_UNEXPECTED_EVENT`).
 *
 * @example
 * ```ts
 * try { await expectEvent(client, 'channel.follow', { timeoutMs: 500 }); }
 * catch (err) { if (err instanceof TestingError && err.code === 'TESTING_TIMEOUT') console.log(err.message); }
 * ```
 */
export class TestingError extends TwitchError {
  declare readonly code: TestingErrorCode;
  /** The subscription type the expectation watched. */
  readonly eventType: string;
  /** The event that should not have arrived (`TESTING_UNEXPECTED_EVENT`), else `undefined`. */
  readonly event: unknown;

  constructor(
    code: TestingErrorCode,
    eventType: string,
    message: string,
    options?: TwitchErrorOptions & { event?: unknown },
  ) {
    super(code, message, options);
    this.eventType = eventType;
    this.event = options?.event;
  }
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    testing: TestingErrorCode;
  }
}
