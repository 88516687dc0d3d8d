/**
 * Deduplication of EventSub message ids. Twitch delivers at least once and a redelivery keeps the same
 * `message_id`: a webhook is retried until it gets a 2XX, a conduit may deliver a message on another shard or
 * session, and during a `session_reconnect` handover the same message may arrive on both sockets.
 *
 * The rule: **a duplicate inside the accepted window never reaches a handler twice.** So ids are kept for a time
 * (the window), never for a count, and when memory runs out a new id is *refused* (not dispatched, and reported)
 * rather than an older one forgotten. The policy sits behind a small interface, {@link DedupeStore}, so that a
 * store shared by several processes (Redis, a database) can replace the in-memory default,
 * {@link MemoryDedupeStore}.
 */
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { toError } from '../../core/guards.js';
import { checkOptions, integerDuration, integerIn, type OptionChecks } from '../../core/options.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS, MAX_MESSAGE_AGE_MS } from '../../protocol/eventsub.js';

/**
 * What a {@link DedupeStore} says about an id.
 *
 * - `'new'`: not seen within the window; now recorded. Dispatch the message.
 * - `'duplicate'`: seen within the window. Do not dispatch it again.
 * - `'full'`: not seen, but the store is at its memory bound and did not record it. Do not dispatch it (a webhook
 *   answers 503 so that Twitch delivers it again later); the consumer reports it.
 */
export type DedupeVerdict = 'new' | 'duplicate' | 'full';

/**
 * The dedupe policy: has/add of message ids with the time of the call. Consumers (sessions, the webhook receiver,
 * the conduit client) pass the time from their own clock, so a store needs none.
 *
 * A store may answer synchronously (the in-memory default, on the hot path) or with a promise (a store shared
 * between processes). Consumers wait for a promised verdict: a WebSocket session keeps its messages in order of
 * arrival behind it, the webhook receiver answers the request once it has it. A store that throws, rejects or
 * answers something other than a verdict is treated like a full one (`DEDUPE_STORE_FAILED`): the message is not
 * dispatched.
 *
 * @example
 * ```ts
 * // A store shared by several processes (sketch): SET NX with an expiry is an atomic has-and-add.
 * const redisStore: DedupeStore = {
 *   windowMs: 11 * 60_000,
 *   async add(id) {
 *     try {
 *       const ok = await redis.set(`eventsub:${id}`, '1', { NX: true, PX: 11 * 60_000 });
 *       return ok === null ? 'duplicate' : 'new';
 *     } catch (error) {
 *       if (String(error).includes('OOM')) return 'full';
 *       throw error; // reported as DEDUPE_STORE_FAILED; the message is not dispatched
 *     }
 *   },
 *   async has(id) {
 *     return (await redis.exists(`eventsub:${id}`)) === 1;
 *   },
 * };
 * ```
 */
export interface DedupeStore {
  /**
   * How long an id is remembered, milliseconds: an id added at `t` is a duplicate at least until `t + windowMs`.
   * Consumers check at construction that it covers the window in which they accept a message.
   */
  readonly windowMs: number;
  /** Records `id`, first seen at `now` (milliseconds since the epoch), unless it was seen within the window. */
  add(id: string, now: number): DedupeVerdict | PromiseLike<DedupeVerdict>;
  /** Whether `id` was seen within the window before `now`. */
  has(id: string, now: number): boolean | PromiseLike<boolean>;
}

/** Default window: Twitch's 10-minute replay window plus 1 minute of tolerated clock skew (11 minutes). */
export const DEFAULT_DEDUPE_WINDOW_MS = MAX_MESSAGE_AGE_MS + DEFAULT_MAX_FUTURE_SKEW_MS;

/**
 * The window of a store for a consumer that accepts a message until `maxAgeMs` after its timestamp: that, plus
 * 1 minute for a local clock behind Twitch's (the webhook receiver's tolerated skew).
 */
export function dedupeWindowFor(maxAgeMs: number): number {
  return Math.min(maxAgeMs + DEFAULT_MAX_FUTURE_SKEW_MS, 2 ** 31 - 1);
}

/** Default memory bound of {@link MemoryDedupeStore}, in ids (≈ 6,000 messages/s sustained over 11 minutes). */
export const DEFAULT_DEDUPE_MAX_ENTRIES = 5_000_000;

/** Most promised verdicts one consumer waits for at once (see {@link DedupeGate}). */
const MAX_PENDING_VERDICTS = 10_000;

/** Largest `maxEntries`: V8 refuses a `Set` of more than 2^24 entries (ids that are not UUIDs are kept in one). */
const MAX_ENTRIES_LIMIT = 2 ** 24;

/**
 * Generations per window. An id lives in the generation of its time slice and leaves with it, so it is kept for
 * between `windowMs` and `windowMs × (1 + 1/SLICES)`; a new id probes `SLICES + 1` sets. Fewer slices hold more
 * ids (2: up to 1.5 windows, 384 MB at 5,000 msg/s), more cost more probes (8: about 1.3 times the CPU of 4); 4 holds
 * 1.25 windows (336 MB). Measured with bench/dedupe.bench.ts; see docs/webhooks.md#deduplication.
 */
const SLICES = 4;

/** Most slices held besides the current one: a window's worth plus room for slices a clock stepping back left. */
const MAX_SLICES = 4 * SLICES;

/** Hex digit values by char code (`0-9`, `a-f`; -1 otherwise): only lowercase, so one id has one encoding. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** The 128 bits of the id being looked up (see {@link readUuid}); one per process, used synchronously. */
const WORDS = new Uint32Array(4);

/** Smallest table, in slots. */
const MIN_SLOTS = 16;

/**
 * Reads a lowercase canonical UUID (`8-4-4-4-12` hex digits, Twitch's message ids) into {@link WORDS}, exactly (two
 * different such ids never give the same words). False for anything else, and for the nil UUID (all-zero words mark
 * an empty slot): those ids are kept as strings.
 */
function readUuid(id: string): boolean {
  if (
    id.length !== 36 ||
    id.charCodeAt(8) !== 45 ||
    id.charCodeAt(13) !== 45 ||
    id.charCodeAt(18) !== 45 ||
    id.charCodeAt(23) !== 45
  ) {
    return false;
  }
  const a = hex4(id, 0);
  const b = hex4(id, 4);
  const c = hex4(id, 9);
  const d = hex4(id, 14);
  const e = hex4(id, 19);
  const f = hex4(id, 24);
  const g = hex4(id, 28);
  const h = hex4(id, 32);
  if ((a | b | c | d | e | f | g | h) < 0) return false;
  WORDS[0] = (a << 16) | b;
  WORDS[1] = (c << 16) | d;
  WORDS[2] = (e << 16) | f;
  WORDS[3] = (g << 16) | h;
  return (a | b | c | d | e | f | g | h) !== 0;
}

/** The 16 bits of the 4 lowercase hex digits at `at`, or a negative number when one is not such a digit. */
function hex4(id: string, at: number): number {
  return (
    (digit(id.charCodeAt(at)) << 12) |
    (digit(id.charCodeAt(at + 1)) << 8) |
    (digit(id.charCodeAt(at + 2)) << 4) |
    digit(id.charCodeAt(at + 3))
  );
}

/** A lowercase hex digit's value, or -1 (all bits set: any group it is in turns negative). */
function digit(code: number): number {
  return code < 128 ? (HEX[code] ?? -1) : -1;
}

/** A 32-bit hash of {@link WORDS} (all bits mixed: ids from other sources need not be random). */
function hashWords(seed: number): number {
  let h = Math.imul(((WORDS[0] ?? 0) ^ seed) | 0, 0x9e3779b1);
  h ^= Math.imul((WORDS[1] ?? 0) | 0, 0x85ebca77);
  h ^= Math.imul((WORDS[2] ?? 0) | 0, 0xc2b2ae3d);
  h ^= (WORDS[3] ?? 0) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h;
}

/**
 * The ids of one time slice: UUIDs as 128-bit keys in an open-addressing table (linear probing, at most half full,
 * doubled when it fills; a typed array, so the collector never walks it and no string is kept per id), any other id
 * in a `Set` of strings. Lookups compare whole keys: a verdict is exact.
 */
class IdTable {
  /** The hash seed of the store (every table of a store hashes alike). */
  readonly #seed: number;
  #keys: Uint32Array;
  #mask: number;
  /** UUIDs held. */
  #count = 0;
  /** Ids that are not lowercase UUIDs (created on first use). */
  #strings: Set<string> | undefined;

  /** A table for about `expected` UUIDs without growing. */
  constructor(expected: number, seed: number) {
    this.#seed = seed;
    let slots = MIN_SLOTS;
    while (slots < expected * 2 && slots < 2 ** 30) slots *= 2;
    this.#keys = new Uint32Array(slots * 4);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#count + (this.#strings?.size ?? 0);
  }

  /** UUIDs held (for sizing the next slice's table). */
  get uuids(): number {
    return this.#count;
  }

  /** Whether the UUID in {@link WORDS}, of hash `hash`, is held. */
  hasWords(hash: number): boolean {
    const keys = this.#keys;
    const mask = this.#mask;
    const w0 = WORDS[0] ?? 0;
    const w1 = WORDS[1] ?? 0;
    const w2 = WORDS[2] ?? 0;
    const w3 = WORDS[3] ?? 0;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 4;
      const k0 = keys[at] ?? 0;
      const k1 = keys[at + 1] ?? 0;
      const k2 = keys[at + 2] ?? 0;
      const k3 = keys[at + 3] ?? 0;
      if (k0 === w0 && k1 === w1 && k2 === w2 && k3 === w3) return true;
      if ((k0 | k1 | k2 | k3) === 0) return false;
    }
  }

  /** Adds the UUID in {@link WORDS} (not held: checked by the caller). */
  addWords(hash: number): void {
    const w0 = WORDS[0] ?? 0;
    const w1 = WORDS[1] ?? 0;
    const w2 = WORDS[2] ?? 0;
    const w3 = WORDS[3] ?? 0;
    if ((this.#count + 1) * 2 > this.#mask + 1) this.#grow();
    this.#put(this.#keys, this.#mask, hash, w0, w1, w2, w3);
    this.#count++;
  }

  hasString(id: string): boolean {
    return this.#strings?.has(id) === true;
  }

  addString(id: string): void {
    (this.#strings ??= new Set()).add(id);
  }

  /** Adds every id of `other` that this table lacks (a merge of two slices; rare). */
  absorb(other: IdTable): void {
    const keys = other.#keys;
    for (let at = 0; at < keys.length; at += 4) {
      WORDS[0] = keys[at] ?? 0;
      WORDS[1] = keys[at + 1] ?? 0;
      WORDS[2] = keys[at + 2] ?? 0;
      WORDS[3] = keys[at + 3] ?? 0;
      if ((WORDS[0] | WORDS[1] | WORDS[2] | WORDS[3]) === 0) continue;
      const hash = hashWords(this.#seed);
      if (!this.hasWords(hash)) this.addWords(hash);
    }
    if (other.#strings !== undefined) for (const id of other.#strings) this.addString(id);
  }

  #put(keys: Uint32Array, mask: number, hash: number, w0: number, w1: number, w2: number, w3: number): void {
    let slot = hash & mask;
    while (
      ((keys[slot * 4] ?? 0) |
        (keys[slot * 4 + 1] ?? 0) |
        (keys[slot * 4 + 2] ?? 0) |
        (keys[slot * 4 + 3] ?? 0)) !==
      0
    ) {
      slot = (slot + 1) & mask;
    }
    keys[slot * 4] = w0;
    keys[slot * 4 + 1] = w1;
    keys[slot * 4 + 2] = w2;
    keys[slot * 4 + 3] = w3;
  }

  /** Doubles the table (it overwrites {@link WORDS}). Amortised: a new slice's table is sized from the last one, so steady traffic never grows. */
  #grow(): void {
    const old = this.#keys;
    const slots = (this.#mask + 1) * 2;
    const keys = new Uint32Array(slots * 4);
    const mask = slots - 1;
    for (let at = 0; at < old.length; at += 4) {
      WORDS[0] = old[at] ?? 0;
      WORDS[1] = old[at + 1] ?? 0;
      WORDS[2] = old[at + 2] ?? 0;
      WORDS[3] = old[at + 3] ?? 0;
      if ((WORDS[0] | WORDS[1] | WORDS[2] | WORDS[3]) === 0) continue;
      this.#put(keys, mask, hashWords(this.#seed), WORDS[0], WORDS[1], WORDS[2], WORDS[3]);
    }
    this.#keys = keys;
    this.#mask = mask;
  }
}

/** Options of {@link MemoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /**
   * How long an id is remembered, milliseconds (1..2^31-1). @defaultValue DEFAULT_DEDUPE_WINDOW_MS (11 minutes)
   */
  readonly windowMs?: number;
  /**
   * Memory bound: most ids held at once (1..2^24). At the bound a new id is refused (`'full'`), never an older one
   * forgotten; ids leave only when their window has passed. Twitch's ids (lowercase UUIDs) are kept as 128-bit keys
   * in tables a quarter to a half full, 32 to 64 bytes each, so the default bound is 160 to 320 MB, reached only at
   * about 6,000 messages/s; other ids are kept as strings (about 80 bytes each for 36 characters).
   * @defaultValue DEFAULT_DEDUPE_MAX_ENTRIES (5,000,000)
   */
  readonly maxEntries?: number;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const STORE_CHECKS: OptionChecks<MemoryDedupeStoreOptions> = {
  windowMs: integerDuration(),
  maxEntries: integerIn(1, MAX_ENTRIES_LIMIT),
};

/**
 * The in-memory {@link DedupeStore}: a generational set. Each time slice (a quarter of the window) has its own
 * table; when a slice's ids are all older than the window, its whole table is dropped at once (O(1), no per-id
 * eviction, no timers, no pause). A lookup probes the live tables, newest first. A table keeps Twitch's ids
 * (lowercase UUIDs) as 128-bit keys in a typed array, so no string is held per id and the collector has nothing to
 * walk, and compares whole keys, so a `'duplicate'` verdict is exact; other ids go to a `Set` of strings. A new
 * slice's table is sized from the last one's count, so steady traffic never grows a table. Memory grows with use:
 * an idle store costs a few kilobytes.
 *
 * Time comes from the caller (`now`), and no clock sequence makes it forget an id early: a slice leaves only once the
 * clock has read a time a whole window past the slice's end. A clock that steps back (an NTP correction, a resumed
 * VM) files new ids in slices of the time it now reads, and keeps the slices it had until the clock has passed them
 * by a window again, so a copy that arrives after the clock is corrected forward is still a duplicate. A clock that
 * reads far ahead once leaves only that moment's ids behind (they wait for the clock to get there); the store goes on
 * with the time read next. What a step back keeps longer counts against `maxEntries`, which refuses, as always.
 *
 * @example
 * ```ts
 * const store = new MemoryDedupeStore({ windowMs: 11 * 60_000 });
 * switch (store.add(message.metadata.message_id, Date.now())) {
 *   case 'new': handle(message); break;
 *   case 'duplicate': break; // seen within the window
 *   case 'full': refuse(message); break; // at the memory bound: not recorded, not handled
 * }
 * ```
 */
export class MemoryDedupeStore implements DedupeStore {
  readonly windowMs: number;
  /** Memory bound, in ids. */
  readonly maxEntries: number;
  readonly #sliceMs: number;
  /** Hash seed of this store's tables. */
  readonly #seed = (Math.random() * 2 ** 32) | 0;
  /** The current slice's ids, and when that slice starts and ends. */
  #current = new IdTable(0, this.#seed);
  #currentStart = Infinity;
  #currentEnd = -Infinity;
  /** Other slices still inside the window, by ascending end time (a step back can leave some ahead of the current). */
  #older: IdTable[] = [];
  #olderEnds: number[] = [];
  /** Ids in `#older`. */
  #olderSize = 0;

  /**
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, field `options`, `windowMs` or `maxEntries`) for options
   *   that are not an object, a `windowMs` that is not an integer in 1..2^31-1, or a `maxEntries` outside 1..2^24.
   */
  constructor(options: MemoryDedupeStoreOptions = {}) {
    checkOptions(options, STORE_CHECKS);
    const windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    const maxEntries = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES;
    this.windowMs = windowMs;
    this.maxEntries = maxEntries;
    this.#sliceMs = Math.max(1, Math.ceil(windowMs / SLICES));
  }

  /** Ids held (some may be older than the window until their slice is dropped). */
  get size(): number {
    return this.#olderSize + this.#current.size;
  }

  add(id: string, now: number): DedupeVerdict {
    if (now >= this.#currentEnd || now < this.#currentStart) this.#move(now);
    const uuid = readUuid(id);
    const hash = uuid ? hashWords(this.#seed) : 0;
    const older = this.#older;
    for (let i = older.length - 1; i >= 0; i--) {
      const table = older[i];
      if (table !== undefined && (uuid ? table.hasWords(hash) : table.hasString(id))) return 'duplicate';
    }
    const current = this.#current;
    if (uuid ? current.hasWords(hash) : current.hasString(id)) return 'duplicate';
    if (this.#olderSize + current.size >= this.maxEntries) return 'full';
    if (uuid) current.addWords(hash);
    else current.addString(id);
    return 'new';
  }

  has(id: string, now: number): boolean {
    if (now >= this.#currentEnd || now < this.#currentStart) this.#move(now);
    const uuid = readUuid(id);
    const hash = uuid ? hashWords(this.#seed) : 0;
    const current = this.#current;
    if (uuid ? current.hasWords(hash) : current.hasString(id)) return true;
    for (const table of this.#older) if (uuid ? table.hasWords(hash) : table.hasString(id)) return true;
    return false;
  }

  /** Forgets everything. */
  clear(): void {
    this.#current = new IdTable(0, this.#seed);
    this.#currentStart = Infinity;
    this.#currentEnd = -Infinity;
    this.#older = [];
    this.#olderEnds = [];
    this.#olderSize = 0;
  }

  /** Not JSON of the ids: only the figures. */
  toJSON(): { windowMs: number; maxEntries: number; size: number } {
    return { windowMs: this.windowMs, maxEntries: this.maxEntries, size: this.size };
  }

  /**
   * `now` left the current slice: make its slice current and drop the slices that ended a window or more before
   * `now`. Not per message (once per slice, or per step of the clock).
   */
  #move(now: number): void {
    if (!Number.isFinite(now)) return; // NaN never gets here; ±Infinity: keep the current slice
    const slice = this.#sliceMs;
    // A step back of up to a slice is jitter between callers sharing the store: the current slice takes it (its ids
    // are kept a little longer, which is safe).
    if (now < this.#currentStart && now >= this.#currentStart - slice) return;
    const end = now - (((now % slice) + slice) % slice) + slice;
    const current = this.#current;
    if (current.size > 0) this.#file(current, this.#currentEnd);
    // The clock may come back to a slice it left: that slice is current again.
    const ends = this.#olderEnds;
    const again = ends.indexOf(end);
    if (again === -1) {
      // Sized for as many ids as the slice just left: steady traffic never grows a table.
      this.#current = new IdTable(current.uuids, this.#seed);
    } else {
      this.#current = this.#older[again] ?? new IdTable(0, this.#seed);
      this.#olderSize -= this.#current.size;
      this.#older.splice(again, 1);
      ends.splice(again, 1);
    }
    this.#currentStart = end - slice;
    this.#currentEnd = end;
    // A slice ending at `e` holds ids added before `e`: they may all go once the clock reads `e + windowMs`. Slices
    // ahead of the clock (it stepped back) stay until it has passed them.
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < ends.length && (ends[drop] ?? Infinity) <= cutoff) drop++;
    if (drop > 0) {
      for (let i = 0; i < drop; i++) this.#olderSize -= this.#older[i]?.size ?? 0;
      this.#older.splice(0, drop);
      ends.splice(0, drop);
    }
  }

  /** Files a non-empty slice among the older ones, by end time; past {@link MAX_SLICES}, the two furthest merge. */
  #file(set: IdTable, end: number): void {
    const ends = this.#olderEnds;
    let at = ends.length;
    while (at > 0 && (ends[at - 1] ?? -Infinity) > end) at--;
    this.#older.splice(at, 0, set);
    ends.splice(at, 0, end);
    this.#olderSize += set.size;
    if (ends.length <= MAX_SLICES) return;
    // Only a clock that keeps jumping about gets here. Merging keeps the later end: ids kept longer, never shorter.
    const last = this.#older.pop();
    const lastEnd = ends.pop();
    const into = this.#older[this.#older.length - 1];
    if (last === undefined || lastEnd === undefined || into === undefined) return;
    this.#olderSize -= last.size + into.size;
    into.absorb(last);
    this.#olderSize += into.size;
    ends[ends.length - 1] = lastEnd;
  }
}

/** Stable codes of {@link DedupeError}. */
export type DedupeErrorCode =
  /**
   * The store is at its memory bound (`MemoryDedupeStore` `maxEntries`, default 5,000,000 ids, at most about
   * 320 MB) with every id still inside its window. New ids are refused until the oldest slice of ids leaves.
   *
   * What to do: **Fix setup** if it recurs: the process receives more than the bound covers (about 6,000 messages/s
   * with the default 11-minute window). Raise `maxEntries`, or split the shards across processes.
   */
  | 'DEDUPE_FULL'
  /**
   * A custom store threw, rejected (`cause` has it), answered something other than `'new'`, `'duplicate'` or
   * `'full'`, or left 10,000 verdicts of one consumer unsettled (it is then not asked until some settle).
   *
   * What to do: **Fix setup:** the store (for a shared store, its server). Messages are refused meanwhile; webhooks
   * are delivered again by Twitch.
   */
  | 'DEDUPE_STORE_FAILED'
  /**
   * `WebhookReceiver.process()` met a store that answers with a promise: it answered `503` and dispatches once the
   * verdict comes (Twitch's retry then finds a duplicate). Emitted once per receiver.
   *
   * What to do: **Fix input:** use `processAsync()` (or `handle()`) with an asynchronous store.
   */
  | 'DEDUPE_STORE_ASYNC';

/**
 * A message was not dispatched because the dedupe store could not vouch that it is new: it is at its memory bound
 * (`DEDUPE_FULL`), or it failed (`DEDUPE_STORE_FAILED`, `cause` has the failure). Emitted once when refusals start
 * (not once per message); every refused message is counted (`stats.refused` of a session) or answered 503 (a
 * webhook, which Twitch delivers again later). `DEDUPE_STORE_ASYNC`: `WebhookReceiver.process()` met a store that
 * answers with a promise (use `processAsync()`).
 *
 * @example
 * ```ts
 * client.on('error', (error) => {
 *   if (error instanceof DedupeError && error.code === 'DEDUPE_FULL') alert('dedupe store full: messages refused');
 * });
 * ```
 */
export class DedupeError extends TwitchError {
  declare readonly code: DedupeErrorCode;
}

/** Checks a store given to a consumer: shaped like a {@link DedupeStore}, with a window of at least `minWindowMs`. */
export function requireDedupeStore(store: unknown, minWindowMs: number, field: string): DedupeStore {
  const candidate = store as Partial<DedupeStore> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.add !== 'function' ||
    typeof candidate.has !== 'function'
  ) {
    throw new InvalidArgumentError(
      `${field} must be a DedupeStore (add, has, windowMs) or store options`,
      field,
    );
  }
  const windowMs = candidate.windowMs;
  if (typeof windowMs !== 'number' || !(windowMs >= minWindowMs)) {
    throw new InvalidArgumentError(
      `${field}.windowMs must be at least ${minWindowMs} ms (the window in which a redelivery is accepted)`,
      field,
    );
  }
  return candidate as DedupeStore;
}

/**
 * The store of a consumer's `dedupe` option: a {@link DedupeStore} as is, or options of a new
 * {@link MemoryDedupeStore} (default window `windowMs`); either way its window must cover `minWindowMs`.
 */
export function resolveDedupeStore(
  option: unknown,
  windowMs: number,
  minWindowMs: number,
  field: string,
): DedupeStore {
  if (option === undefined)
    return requireDedupeStore(new MemoryDedupeStore({ windowMs }), minWindowMs, field);
  if (typeof option !== 'object' || option === null) {
    throw new InvalidArgumentError(`${field} must be a DedupeStore or MemoryDedupeStore options`, field);
  }
  if (typeof (option as Partial<DedupeStore>).add === 'function') {
    return requireDedupeStore(option, minWindowMs, field);
  }
  let store: MemoryDedupeStore;
  try {
    store = new MemoryDedupeStore({ windowMs, ...(option as MemoryDedupeStoreOptions) });
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new InvalidArgumentError(error.message, `${field}.${error.field}`, { cause: error });
  }
  return requireDedupeStore(store, minWindowMs, field);
}

/** A consumer's view of a verdict: `'refused'` covers `'full'` and a failing store. */
export type DedupeOutcome = 'new' | 'duplicate' | 'refused';

function isVerdict(value: unknown): value is DedupeVerdict {
  return value === 'new' || value === 'duplicate' || value === 'full';
}

/** An item waiting for (or holding) its verdict, in order of arrival. */
interface Waiting<T> {
  readonly item: T;
  outcome: DedupeOutcome | undefined;
  error: DedupeError | undefined;
}

/**
 * A consumer's side of a store: asks it, turns failures into refusals, reports refusals once per episode (the
 * first refusal after an accepted id; every refused item still reaches `deliver`), and delivers outcomes in order
 * of arrival even when some verdicts are promised. The synchronous path allocates nothing.
 */
export class DedupeGate<T> {
  readonly store: DedupeStore;
  readonly #deliver: (item: T, outcome: DedupeOutcome, error: DedupeError | undefined) => void;
  readonly #ordered: boolean;
  readonly #maxPending: number;
  /** Items behind a promised verdict (only when ordered). */
  #waiting: Waiting<T>[] = [];
  /** Promised verdicts not settled yet. */
  #pending = 0;
  #refusing = false;

  /**
   * `deliver` gets each item with its outcome, and the error to report when a refusal starts an episode. With
   * `ordered: false`, a promised verdict does not hold back the items after it (webhook requests are
   * independent). A store that leaves more than `maxPending` verdicts unsettled is not asked again until some
   * settle: new items are refused at once (`DEDUPE_STORE_FAILED`), so a hung store costs bounded memory.
   */
  constructor(
    store: DedupeStore,
    deliver: (item: T, outcome: DedupeOutcome, error: DedupeError | undefined) => void,
    options: { readonly ordered: boolean; readonly maxPending?: number },
  ) {
    this.store = store;
    this.#deliver = deliver;
    this.#ordered = options.ordered;
    this.#maxPending = options.maxPending ?? MAX_PENDING_VERDICTS;
  }

  /** Asks the store about `id` and delivers `item` with the outcome (now, or once a promised verdict settles). */
  admit(id: string, now: number, item: T): void {
    if (this.#pending >= this.#maxPending) {
      // Not asked (so not recorded): refused now; a refused item is never emitted, so its order does not matter.
      const stuck = new Error(`${this.#pending} verdicts pending: the store does not answer`);
      this.#deliver(item, 'refused', this.#refuse(stuck));
      return;
    }
    let answer: unknown;
    try {
      answer = this.store.add(id, now);
    } catch (error) {
      answer = toError(error);
    }
    if (this.#waiting.length === 0 && isVerdict(answer)) {
      if (answer === 'full') this.#deliver(item, 'refused', this.#refuse(answer));
      else {
        this.#refusing = false;
        this.#deliver(item, answer, undefined);
      }
      return;
    }
    const waiting: Waiting<T> = { item, outcome: undefined, error: undefined };
    if (isThenable(answer)) {
      this.#pending++;
      Promise.resolve(answer).then(
        (verdict) => {
          this.#settle(waiting, verdict);
        },
        (error: unknown) => {
          this.#settle(waiting, toError(error));
        },
      );
      if (!this.#ordered) return;
    } else {
      this.#judge(waiting, answer);
    }
    this.#waiting.push(waiting);
    this.#flush();
  }

  #settle(waiting: Waiting<T>, answer: unknown): void {
    this.#pending--;
    this.#judge(waiting, answer);
    if (this.#ordered) this.#flush();
    else this.#deliver(waiting.item, waiting.outcome ?? 'refused', waiting.error);
  }

  #judge(waiting: Waiting<T>, answer: unknown): void {
    if (answer === 'new' || answer === 'duplicate') {
      this.#refusing = false;
      waiting.outcome = answer;
    } else {
      waiting.outcome = 'refused';
      waiting.error = this.#refuse(answer);
    }
  }

  #flush(): void {
    const waiting = this.#waiting;
    let done = 0;
    while (done < waiting.length && waiting[done]?.outcome !== undefined) done++;
    if (done === 0) return;
    const ready = waiting.splice(0, done);
    for (const w of ready) this.#deliver(w.item, w.outcome ?? 'refused', w.error);
  }

  /** The error to report for a refusal, or `undefined` while an episode of refusals is already reported. */
  #refuse(answer: unknown): DedupeError | undefined {
    if (this.#refusing) return undefined;
    this.#refusing = true;
    if (answer === 'full') {
      const store = this.store;
      const bound = store instanceof MemoryDedupeStore ? ` (maxEntries ${store.maxEntries})` : '';
      return new DedupeError(
        'DEDUPE_FULL',
        `the dedupe store is full${bound}: new messages are refused until ids older than its window leave`,
      );
    }
    if (answer instanceof Error) {
      return new DedupeError('DEDUPE_STORE_FAILED', `the dedupe store failed: ${answer.message}`, {
        cause: answer,
      });
    }
    return new DedupeError(
      'DEDUPE_STORE_FAILED',
      `the dedupe store answered ${typeof answer}, not 'new', 'duplicate' or 'full'`,
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../../core/errors.js' {
  interface TwitchErrorCodes {
    dedupe: DedupeErrorCode;
  }
}
