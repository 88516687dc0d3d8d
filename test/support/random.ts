/**
 * Seeded randomness for tests: a failing run is replayed from the seed it prints.
 */

/**
 * A deterministic PRNG (mulberry32): numbers in [0, 1), the same sequence for the same seed. (The demo scenario,
 * src/cli/demo/scenario.ts, carries its own copy: src cannot import tests.)
 *
 * @example
 * ```ts
 * const seed = Number(process.env.CHAOS_SEED ?? 20261123);
 * const random = prng(seed);
 * const shard = Math.floor(random() * 4);
 * ```
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
