/**
 * The in-memory id table of {@link MemoryDedupeStore} (dedupe.ts): Twitch's message ids (lowercase UUIDs) kept as
 * 128-bit keys in typed arrays, open addressing, so that a window of millions of ids costs no string per id. A
 * duplicate verdict compares all 128 bits: it is exact. Ids of any other shape go to a `Set` in the store.
 */
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
export function readUuid(id: string): boolean {
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
export function hashWords(seed: number): number {
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
export class IdTable {
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
