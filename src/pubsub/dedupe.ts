/**
 * Duplicate suppression for the overlap of two PubSub sockets during a make-before-break reconnect.
 *
 * PubSub messages carry no envelope id, so a message's identity is its topic plus its exact payload string: while
 * both sockets are subscribed to a topic, the server writes the same `data.message` to each. The two sockets are
 * the two sides (`+1` and `-1`). For each identity the filter keeps a balance: a message is delivered when the
 * other side has not already delivered it (its balance does not lean to the other side), and the balance moves
 * towards its own side. Identical payloads published twice are therefore still delivered twice, and a copy that
 * only ever reaches one socket is delivered once.
 *
 * The table is bounded: beyond `capacity` identities the oldest is forgotten. Forgetting can only let a duplicate
 * through, never drop a message. It exists only during an overlap; outside one the connection does not consult it.
 *
 * @internal
 */
export class OverlapDedupe {
  /** Identity → balance (never 0: balanced identities are removed). Insertion order is eviction order. */
  readonly #balances = new Map<string, number>();
  readonly #capacity: number;
  /** Copies suppressed so far. */
  #suppressed = 0;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Identities currently tracked. */
  get size(): number {
    return this.#balances.size;
  }

  /** Copies suppressed since creation. */
  get suppressed(): number {
    return this.#suppressed;
  }

  /**
   * Records a message seen on `side` and returns whether to deliver it (`false` for the second copy of a message
   * the other side already delivered).
   */
  admit(side: 1 | -1, topic: string, message: string): boolean {
    const key = `${topic}\n${message}`;
    const balances = this.#balances;
    const balance = balances.get(key) ?? 0;
    const next = balance + side;
    if (next === 0) balances.delete(key);
    else {
      balances.set(key, next);
      if (balances.size > this.#capacity) {
        for (const oldest of balances.keys()) {
          balances.delete(oldest);
          break;
        }
      }
    }
    if (balance * side < 0) {
      this.#suppressed++;
      return false;
    }
    return true;
  }
}
