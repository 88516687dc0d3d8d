/**
 * The rebalance planner of the fleet (internal): a pure function from what one node saw at its renewal (the live
 * nodes and their loads, the free shards) to what it does this round (claim these free shards, steal so many from
 * these nodes). Every node runs it for itself; the Lua scripts make each claim and steal atomic, so two nodes
 * planning on the same view never both get a shard.
 *
 * The rules (KCL's lease taker, with the fair share of small Redis sharders), one allotment that every node computes
 * alike from the same view, and of which each carries out its own part:
 * - fair share: `floor = ⌊S/N⌋`, `ceil = ⌈S/N⌉` over the `N` live nodes; the `S mod N` most loaded nodes are
 *   given `ceil` as their target, the others `floor` (so that as few shards as possible move);
 * - free shards first (a free shard is a cheaper move than a steal): to the nodes below their target, in id order,
 *   each claiming its own slice of the free list (nodes planning at once claim different shards; a leave moves only
 *   the leaver's shards);
 * - what is still missing is stolen from the nodes above their target, takers and givers matched in id order (two
 *   thieves do not drain one victim), at most `maxMoves` per thief per round (by default its whole deficit: a joiner
 *   takes its fair share in one round); the steal script leaves each victim
 *   at least its target, so a thief planning on a stale view cannot drain it. A join moves exactly the surplus
 *   above the new targets: the minimum.
 */

/** What one node saw at its renewal. */
export interface PlanInput {
  /** The conduit's shard count, `S`. */
  readonly shardCount: number;
  /** This node's id. */
  readonly self: string;
  /** Shards held by each live node (this one included; missing: counted as a live node holding none). */
  readonly loads: ReadonlyMap<string, number>;
  /** The free shards (no live owner), ascending. */
  readonly free: readonly string[];
  /**
   * Most shards stolen in one round (omitted: no cap but the allotment's, so a thief takes its whole deficit, at most
   * `ceil`, in one round).
   */
  readonly maxMoves?: number;
}

/** What the node does this round. */
export interface Plan {
  /** Free shards to claim. */
  readonly claim: readonly string[];
  /**
   * Shards to take from other nodes (atomic compare-and-set on their entries), each victim keeping at least `keep`
   * (its target: a thief planning on a stale view cannot drain it below).
   */
  readonly steal: readonly { readonly victim: string; readonly count: number; readonly keep: number }[];
  /** The fair share's bounds. */
  readonly floor: number;
  readonly ceil: number;
}

/**
 * Plans one round for `input.self`.
 *
 * @example
 * ```ts
 * planRound({ shardCount: 6, self: 'b', loads: new Map([['a', 6], ['b', 0]]), free: [], maxMoves: 1 });
 * // { claim: [], steal: [{ victim: 'a', count: 1, keep: 3 }], floor: 3, ceil: 3 }
 * ```
 */
export function planRound(input: PlanInput): Plan {
  const { shardCount, self, free } = input;
  const loads = new Map(input.loads);
  if (!loads.has(self)) loads.set(self, 0);
  const load = (node: string): number => loads.get(node) ?? 0;
  const nodes = [...loads.keys()].sort();
  const floor = Math.floor(shardCount / nodes.length);
  const ceil = Math.ceil(shardCount / nodes.length);

  // Targets: the `S mod N` most loaded nodes keep `ceil`, the others `floor` (fewest moves).
  const byLoad = [...nodes].sort((a, b) => load(b) - load(a) || (a < b ? -1 : 1));
  const extra = shardCount - floor * nodes.length;
  const target = new Map(byLoad.map((node, i) => [node, i < extra ? ceil : floor]));

  // Free shards go to the nodes below their target, in id order, each its own slice of the free list.
  const deficit = new Map(nodes.map((node) => [node, Math.max(0, (target.get(node) ?? 0) - load(node))]));
  let start = 0;
  let claim: readonly string[] = [];
  let left = free.length;
  for (const node of nodes) {
    const take = Math.min(left, deficit.get(node) ?? 0);
    if (node === self) claim = free.slice(start, start + take);
    deficit.set(node, (deficit.get(node) ?? 0) - take);
    start += take;
    left -= take;
  }

  // What is still missing comes from the nodes above their target: takers and givers matched in id order, so that
  // thieves planning on the same view take from different victims.
  const steal: { victim: string; count: number; keep: number }[] = [];
  const givers = nodes
    .map((node) => ({ node, surplus: Math.max(0, load(node) - (target.get(node) ?? 0)) }))
    .filter((g) => g.surplus > 0);
  let g = 0;
  let budget = input.maxMoves ?? ceil;
  for (const node of nodes) {
    let need = deficit.get(node) ?? 0;
    while (need > 0 && g < givers.length) {
      const giver = givers[g];
      if (giver === undefined) break;
      const n = Math.min(need, giver.surplus);
      if (node === self && budget > 0) {
        const count = Math.min(n, budget);
        budget -= count;
        steal.push({ victim: giver.node, count, keep: target.get(giver.node) ?? 0 });
      }
      need -= n;
      giver.surplus -= n;
      if (giver.surplus === 0) g++;
    }
    if (node === self) break;
  }
  return { claim, steal, floor, ceil };
}
