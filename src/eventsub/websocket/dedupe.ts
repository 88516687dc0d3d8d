/**
 * Bounded memory of recently seen EventSub message ids. Twitch delivers at least once and a redelivery keeps the
 * same `message_id`; during a `session_reconnect` handover the same message may also arrive on both sockets.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { requirePositiveInteger } from '../../core/guards.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { MAX_MESSAGE_AGE_MS } from '../protocol.js';

/** Options of {@link MessageIdCache}. */
export interface MessageIdCacheOptions {
  /**
   * Most ids remembered; the oldest is forgotten first.
   * @defaultValue 10000
   */
  readonly maxSize?: number;
  /**
   * How long an id is remembered, milliseconds. A redelivery older than Twitch's 10-minute replay window is dropped
   * as stale anyway, so remembering ids longer is useless.
   * @defaultValue MAX_MESSAGE_AGE_MS (10 minutes)
   */
  readonly maxAgeMs?: number;
  /** Source of time. @defaultValue systemClock */
  readonly clock?: Clock;
}

/** Compact the queue once this many slots at its head are dead (and they are at least half of it). */
const COMPACT_AT = 1024;

/**
 * A bounded set of message ids with size and age limits and no timers: expired ids are evicted lazily, oldest
 * first, on each insertion (amortised O(1)). Memory grows with use, so an idle cache costs a few hundred bytes.
 *
 * One cache may be shared by several sessions (e.g. all shards of a conduit) to deduplicate across them.
 *
 * @example
 * ```ts
 * const seen = new MessageIdCache({ maxSize: 50_000 });
 * if (seen.add(message.metadata.message_id)) handle(message); // false: a duplicate
 * ```
 */
export class MessageIdCache {
  readonly #maxSize: number;
  readonly #maxAgeMs: number;
  readonly #clock: Clock;
  readonly #ids = new Set<string>();
  /** FIFO of ids with their insertion times; entries before `#head` are dead. */
  #queueIds: string[] = [];
  #queueTimes: number[] = [];
  #head = 0;

  constructor(options: MessageIdCacheOptions = {}) {
    this.#maxSize = requirePositiveInteger(options.maxSize ?? 10_000, 'maxSize');
    const maxAgeMs = options.maxAgeMs ?? MAX_MESSAGE_AGE_MS;
    // Infinity is allowed: entries then leave by size only.
    if (!(maxAgeMs > 0)) throw new InvalidArgumentError('maxAgeMs must be a positive number', 'maxAgeMs');
    this.#maxAgeMs = maxAgeMs;
    this.#clock = options.clock ?? systemClock;
  }

  /** Number of ids currently remembered (expired ids may linger until the next insertion). */
  get size(): number {
    return this.#ids.size;
  }

  /** Whether `id` is remembered. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /**
   * Remembers `id`. Returns `true` when it was new, `false` when it is a duplicate (then nothing changes: the age of
   * an id counts from its first sighting). `now` saves a clock read when the caller already has the time.
   */
  add(id: string, now?: number): boolean {
    const ids = this.#ids;
    // One hash lookup: a duplicate leaves the size unchanged.
    const size = ids.size;
    ids.add(id);
    if (ids.size === size) return false;
    const at = now ?? this.#clock.now();
    this.#evict(at - this.#maxAgeMs);
    this.#queueIds.push(id);
    this.#queueTimes.push(at);
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.#ids.clear();
    this.#queueIds = [];
    this.#queueTimes = [];
    this.#head = 0;
  }

  #evict(cutoff: number): void {
    const ids = this.#ids;
    const queueIds = this.#queueIds;
    const queueTimes = this.#queueTimes;
    let head = this.#head;
    const end = queueIds.length;
    // Oldest first: expired entries, then whatever exceeds the size bound (the new id is in the set, not queued yet).
    while (head < end && ((queueTimes[head] ?? 0) <= cutoff || ids.size > this.#maxSize)) {
      ids.delete(queueIds[head] ?? '');
      head++;
    }
    if (head >= COMPACT_AT && head * 2 >= end) {
      queueIds.splice(0, head);
      queueTimes.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }
}
