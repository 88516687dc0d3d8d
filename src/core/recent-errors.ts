/**
 * A bounded ring of the errors a client reported, for its dashboard view (`view().errors`, the observability
 * floor's `ErrorView`): when, the `TwitchError` code (or the error's name) and the message with whatever looks like a
 * credential replaced, bounded in length. Cheap: one push per reported error, nothing per message.
 */
import type { Clock } from './clock.js';
import { redactMessage } from './redact.js';

/** One recorded error (structurally the observability floor's `ErrorView`). */
export interface RecentError {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly code: string;
  readonly message: string;
}

/** How many errors a ring keeps by default (the observability floor's `RECENT_ERRORS_LIMIT`). */
export const RECENT_ERRORS_DEFAULT_LIMIT = 50;

export class RecentErrors {
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #errors: RecentError[] = [];

  constructor(clock: Clock, limit = RECENT_ERRORS_DEFAULT_LIMIT) {
    this.#clock = clock;
    this.#limit = limit;
  }

  /** Records `error` now, its message after `context: ` when given (never throws, whatever `error` is). */
  push(error: unknown, context?: string): void {
    let code = 'Error';
    let message: string;
    if (error instanceof Error) {
      const own = (error as { code?: unknown }).code;
      code = typeof own === 'string' ? own : error.name;
      message = error.message;
    } else {
      message = typeof error === 'string' ? error : 'non-Error value thrown';
    }
    const text = context === undefined ? message : `${context}: ${message}`;
    this.#errors.push({ at: this.#clock.now(), code, message: redactMessage(text) });
    if (this.#errors.length > this.#limit) this.#errors.shift();
  }

  /** A copy, oldest first. */
  list(): RecentError[] {
    return [...this.#errors];
  }
}
