/**
 * "Did you mean …?" for names a caller mistyped (CLI commands and flags, option keys). Internal: not re-exported by
 * the package index.
 */

/**
 * Edit distance between two strings: insertions, deletions, substitutions and transpositions of two adjacent
 * characters each cost 1 (optimal string alignment), so `hlep` is 1 away from `help`.
 *
 * @example
 * ```ts
 * editDistance('shard-cont', 'shard-count'); // 1
 * editDistance('hlep', 'help');              // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table: the one before the previous (for transpositions), previous, current.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `input` when it is close enough to be a typo (at most a third of the input's length
 * away, and at most 3 edits; a candidate that starts with the input also counts), else `undefined`. Ties keep the
 * earlier candidate.
 *
 * @example
 * ```ts
 * closestName('shard-cont', ['status', 'shard-count']); // 'shard-count'
 * closestName('xyz', ['status', 'shard-count']);        // undefined
 * ```
 */
export function closestName(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = input.length >= 3 && candidate.startsWith(input) ? 1 : editDistance(input, candidate);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
