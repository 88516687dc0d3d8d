/**
 * The rebalance planner of the fleet (internal): a pure function from what one node saw at its renewal (the live
 * nodes and their loads, the free shards) to what it does this round (claim these free shards, steal so many from
 * these nodes). Every node runs it for itself; the Lua scripts make each claim and steal atomic, so two nodes
 * planning on the same view never both get a shard.
 *
 * The rules (KCL's lease taker, with the fair share of small Redis sharders):
 * - fair share: `floor = ⌊S/N⌋`, `ceil = ⌈S/N⌉` over the `N` live nodes;
 * - free shards first: each node is allotted free shards up to `floor`, then what is left over one each to nodes
 *   below `ceil` (by id); every node computes the same allotment from the same view and claims its own slice of the
 *   free list, so nodes planning at once claim different shards, and a leave moves only the leaver's shards;
 * - stealing only when nothing is free (a free shard is a cheaper move than a steal): a node steals at most
 *   `maxMoves` shards per round, one at a time from the most loaded node, and only from a node that has at least
 *   two more than itself and is above `ceil` (or above `floor` while the thief is below `floor`). Each steal lowers
 *   the sum of squared loads, so sequential rounds end with every load in `[floor, ceil]` and no move more than
 *   needed.
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
  /** Most shards stolen in one round. */
  readonly maxMoves: number;
}

/** What the node does this round. */
export interface Plan {
  /** Free shards to claim. */
  readonly claim: readonly string[];
  /** Shards to take from other nodes (atomic compare-and-set on their entries). */
  readonly steal: readonly { readonly victim: string; readonly count: number }[];
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
 * // { claim: [], steal: [{ victim: 'a', count: 1 }], floor: 3, ceil: 3 }
 * ```
 */
export function planRound(input: PlanInput): Plan {
  const { shardCount, self, free } = input;
  const loads = new Map(input.loads);
  if (!loads.has(self)) loads.set(self, 0);
  const nodes = [...loads.keys()].sort();
  const count = nodes.length;
  const floor = Math.floor(shardCount / count);
  const ceil = Math.ceil(shardCount / count);
  let mine = loads.get(self) ?? 0;

  // Free shards: every node planning on the same view computes the same allotment, and takes its own slice of the
  // free list. First each node up to `floor`, then the shards left over, one each, to nodes below `ceil` (by id).
  const rooms = new Map<string, number>();
  let left = free.length;
  for (const node of nodes) {
    const room = Math.min(left, Math.max(0, floor - (loads.get(node) ?? 0)));
    rooms.set(node, room);
    left -= room;
  }
  for (const node of nodes) {
    if (left === 0) break;
    const room = rooms.get(node) ?? 0;
    if ((loads.get(node) ?? 0) + room < ceil) {
      rooms.set(node, room + 1);
      left -= 1;
    }
  }
  let start = 0;
  for (const node of nodes) {
    if (node === self) break;
    start += rooms.get(node) ?? 0;
  }
  const claim = free.slice(start, start + (rooms.get(self) ?? 0));
  mine += claim.length;

  const steal: { victim: string; count: number }[] = [];
  if (free.length === 0 && input.maxMoves > 0) {
    const taken = new Map<string, number>();
    for (let moves = 0; moves < input.maxMoves; moves++) {
      let victim: string | undefined;
      let most = -1;
      for (const node of nodes) {
        const load = loads.get(node) ?? 0;
        if (node !== self && load > most) {
          most = load;
          victim = node;
        }
      }
      if (victim === undefined) break;
      const worthIt = most >= mine + 2 && (most > ceil || (mine < floor && most > floor));
      if (!worthIt) break;
      loads.set(victim, most - 1);
      mine += 1;
      taken.set(victim, (taken.get(victim) ?? 0) + 1);
    }
    for (const [victim, n] of taken) steal.push({ victim, count: n });
  }
  return { claim, steal, floor, ceil };
}
