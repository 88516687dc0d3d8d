/**
 * Exactly-once accounting on the client side: how many distinct notifications reached a handler, and how many
 * reached it more than once. Memory is bounded (two generations of ids, rotated every `windowMs`), so a soak of
 * hours keeps a flat heap: a duplicate arrives within seconds of the original, far inside the window.
 */

/** Counts handler invocations per message id. */
export class DeliveryLedger {
  readonly #windowMs: number;
  readonly #now: () => number;
  #current = new Set<string>();
  #previous = new Set<string>();
  #rotatedAt: number;
  #unique = 0;
  #repeated = 0;

  /**
   * @param windowMs - How long an id is remembered at least (it is forgotten after `2 × windowMs` at most).
   * @param now - Source of time (milliseconds).
   */
  constructor(windowMs = 120_000, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#rotatedAt = now();
  }

  /** Records one handler invocation; returns `false` when the id had already been handled (a duplicate got through). */
  record(messageId: string): boolean {
    const now = this.#now();
    if (now - this.#rotatedAt >= this.#windowMs) {
      this.#previous = this.#current;
      this.#current = new Set<string>();
      this.#rotatedAt = now;
    }
    if (this.#current.has(messageId) || this.#previous.has(messageId)) {
      this.#repeated++;
      return false;
    }
    this.#current.add(messageId);
    this.#unique++;
    return true;
  }

  /** Distinct notifications handled. */
  get unique(): number {
    return this.#unique;
  }

  /** Handler invocations for an id already handled: must stay 0 (exactly once). */
  get repeated(): number {
    return this.#repeated;
  }

  /** Ids currently remembered (bounded by the traffic of two windows). */
  get remembered(): number {
    return this.#current.size + this.#previous.size;
  }
}

/** Emulator-side and client-side counts, and what follows from them. */
export interface Accounting {
  /** Notifications the emulator produced (one per subscription per event). */
  readonly sent: number;
  /** Notifications the emulator wrote to a socket (first copy; injected duplicates and retries not counted twice). */
  readonly deliveredBySender: number;
  /** Notifications the emulator could not route (no enabled shard): not a client loss, reported apart. */
  readonly droppedBySender: number;
  /** Duplicate copies the emulator injected. */
  readonly duplicatesInjected: number;
  /** Distinct notifications that reached a handler. */
  readonly handled: number;
  /** Copies the client dropped as already seen (injected duplicates, handover overlap). */
  readonly duplicatesSuppressed: number;
  /** Handler invocations beyond the first for one id. */
  readonly handledTwice: number;
  /** Delivered to a socket but never handled. */
  readonly lost: number;
}

/**
 * Combines the emulator's counters with the client's.
 *
 * @example
 * ```ts
 * const acc = account({ sent: 10, delivered: 10, dropped: 0, duplicates: 1 }, { handled: 10, suppressed: 1, twice: 0 });
 * acc.lost; // 0
 * ```
 */
export function account(
  sender: { sent: number; delivered: number; dropped: number; duplicates: number },
  client: { handled: number; suppressed: number; twice: number },
): Accounting {
  return {
    sent: sender.sent,
    deliveredBySender: sender.delivered,
    droppedBySender: sender.dropped,
    duplicatesInjected: sender.duplicates,
    handled: client.handled,
    duplicatesSuppressed: client.suppressed,
    handledTwice: client.twice,
    lost: Math.max(0, sender.delivered - client.handled),
  };
}

/** The emulator's counters (`emulator.state().counters`) an accounting reads. */
export interface SenderCounters {
  readonly notifications_sent: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly duplicates_sent: number;
}

/**
 * {@link account} of a demo run: the emulator's counters against what the run's ledger saw handled, with the copies
 * the clients suppressed.
 *
 * @example
 * ```ts
 * const acc = accountRun(emulator.state().counters, ledger, suppressed);
 * ```
 */
export function accountRun(counters: SenderCounters, ledger: DeliveryLedger, suppressed: number): Accounting {
  return account(
    {
      sent: counters.notifications_sent,
      delivered: counters.delivered,
      dropped: counters.dropped,
      duplicates: counters.duplicates_sent,
    },
    { handled: ledger.unique, suppressed, twice: ledger.repeated },
  );
}
