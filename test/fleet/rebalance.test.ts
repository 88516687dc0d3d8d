/**
 * The rebalance planner (pure): claims only free shards and only up to the fair share, steals only from nodes with
 * at least two more, at most `maxMoves` per round; rounds run one node at a time converge to loads within
 * `[floor, ceil]`, no shard held twice, every shard held, with no more moves than needed on a join or a leave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRound } from '../../src/fleet/rebalance.js';

/** A fleet state: node → shards it holds. */
type Fleet = Map<string, Set<string>>;

function loadsOf(fleet: Fleet): Map<string, number> {
  return new Map([...fleet].map(([node, shards]) => [node, shards.size]));
}

function freeOf(fleet: Fleet, shardCount: number): string[] {
  const held = new Set<string>();
  for (const shards of fleet.values()) for (const id of shards) held.add(id);
  return Array.from({ length: shardCount }, (_, i) => String(i)).filter((id) => !held.has(id));
}

/** One round of `node` applied to `fleet`, as the scripts would (claims of free shards, steals of held ones). */
function round(fleet: Fleet, shardCount: number, node: string, maxMoves: number | undefined): number {
  const free = freeOf(fleet, shardCount);
  const plan = planRound({
    shardCount,
    self: node,
    loads: loadsOf(fleet),
    free,
    ...(maxMoves === undefined ? {} : { maxMoves }),
  });
  const mine = fleet.get(node) ?? new Set<string>();
  fleet.set(node, mine);
  expect(plan.claim.every((id) => free.includes(id))).toBe(true);
  expect(new Set(plan.claim).size).toBe(plan.claim.length);
  if (plan.claim.length > 0) expect(mine.size + plan.claim.length).toBeLessThanOrEqual(plan.ceil);
  for (const id of plan.claim) mine.add(id);
  let moves = 0;
  for (const { victim, count, keep } of plan.steal) {
    expect(victim).not.toBe(node);
    const theirs = fleet.get(victim);
    if (theirs === undefined) throw new Error('stole from a node that does not exist');
    // As the steal script does: the victim keeps at least `keep`.
    for (const id of [...theirs].slice(0, Math.max(0, Math.min(count, theirs.size - keep)))) {
      theirs.delete(id);
      mine.add(id);
      moves++;
    }
  }
  expect(moves).toBeLessThanOrEqual(maxMoves ?? plan.ceil);
  return moves;
}

/** Rounds, node by node, until a full pass changes nothing. Returns the steals made. */
function settle(fleet: Fleet, shardCount: number, maxMoves: number | undefined): number {
  let steals = 0;
  for (let pass = 0; pass < 10_000; pass++) {
    const before = JSON.stringify([...fleet].map(([n, s]) => [n, [...s].sort()]));
    for (const node of [...fleet.keys()]) steals += round(fleet, shardCount, node, maxMoves);
    if (JSON.stringify([...fleet].map(([n, s]) => [n, [...s].sort()])) === before) return steals;
  }
  throw new Error('did not converge');
}

function checkBalanced(fleet: Fleet, shardCount: number): void {
  const all = [...fleet.values()].flatMap((s) => [...s]);
  expect(new Set(all).size).toBe(all.length); // no shard twice
  expect(all.length).toBe(shardCount); // every shard held
  const floor = Math.floor(shardCount / fleet.size);
  const ceil = Math.ceil(shardCount / fleet.size);
  for (const shards of fleet.values()) {
    expect(shards.size).toBeGreaterThanOrEqual(floor);
    expect(shards.size).toBeLessThanOrEqual(ceil);
  }
}

function empty(nodes: number): Fleet {
  return new Map(Array.from({ length: nodes }, (_, i) => [`n${String(i)}`, new Set<string>()]));
}

describe('planRound', () => {
  it('claims free shards up to the fair share, each node its own slice', () => {
    const loads = new Map([
      ['a', 0],
      ['b', 0],
    ]);
    const free = ['0', '1', '2', '3'];
    const a = planRound({ shardCount: 4, self: 'a', loads, free, maxMoves: 1 });
    const b = planRound({ shardCount: 4, self: 'b', loads, free, maxMoves: 1 });
    expect(a).toEqual({ claim: ['0', '1'], steal: [], floor: 2, ceil: 2 });
    expect(b.claim).toEqual(['2', '3']);
  });

  it('steals one shard per round from the most loaded node when nothing is free', () => {
    const plan = planRound({
      shardCount: 6,
      self: 'c',
      loads: new Map([
        ['a', 4],
        ['b', 2],
        ['c', 0],
      ]),
      free: [],
      maxMoves: 1,
    });
    expect(plan.steal).toEqual([{ victim: 'a', count: 1, keep: 2 }]);
  });

  it('never steals from a node only one ahead; claims the free shards first, steals only what is missing', () => {
    const loads = new Map([
      ['a', 3],
      ['b', 2],
    ]);
    expect(planRound({ shardCount: 5, self: 'b', loads, free: [], maxMoves: 5 }).steal).toEqual([]);
    const unbalanced = new Map([
      ['a', 4],
      ['b', 0],
    ]);
    expect(
      planRound({ shardCount: 5, self: 'b', loads: unbalanced, free: ['4'], maxMoves: 5 }),
    ).toMatchObject({
      claim: ['4'],
      steal: [{ victim: 'a', count: 1, keep: 3 }],
    });
  });

  it('counts itself as a live node when missing from the loads', () => {
    const plan = planRound({ shardCount: 4, self: 'new', loads: new Map([['a', 4]]), free: [], maxMoves: 9 });
    expect(plan.steal).toEqual([{ victim: 'a', count: 2, keep: 2 }]);
  });

  it('by default, a thief takes its whole deficit in one round, and no more', () => {
    const loads = new Map([
      ['a', 6],
      ['b', 6],
      ['c', 0],
    ]);
    const plan = planRound({ shardCount: 12, self: 'c', loads, free: [] });
    expect(plan.steal).toEqual([
      { victim: 'a', count: 2, keep: 4 },
      { victim: 'b', count: 2, keep: 4 },
    ]);
    // 20,000 shards over 50 nodes, one joiner: its share (392) at once, from the others' surplus.
    const fleet = new Map(Array.from({ length: 50 }, (_, i) => [`n${String(i)}`, 400]));
    fleet.set('z', 0);
    const join = planRound({ shardCount: 20_000, self: 'z', loads: fleet, free: [] });
    expect(join.steal.reduce((sum, s) => sum + s.count, 0)).toBe(392);
  });

  it('thieves planning on one view take from different victims', () => {
    const loads = new Map([
      ['a', 4],
      ['b', 4],
      ['c', 0],
      ['d', 0],
    ]);
    const c = planRound({ shardCount: 8, self: 'c', loads, free: [], maxMoves: 9 });
    const d = planRound({ shardCount: 8, self: 'd', loads, free: [], maxMoves: 9 });
    expect(c.steal).toEqual([{ victim: 'a', count: 2, keep: 2 }]);
    expect(d.steal).toEqual([{ victim: 'b', count: 2, keep: 2 }]);
  });

  it('property: cold start converges to a balanced fleet, every shard held once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 5 }),
        (nodes, shardCount, maxMoves) => {
          const fleet = empty(nodes);
          settle(fleet, shardCount, maxMoves);
          checkBalanced(fleet, shardCount);
        },
      ),
    );
  });

  it('property: a join moves the minimum needed (+1 at most), a leave moves only the dead node’s shards', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        (nodes, shardCount, maxMoves) => {
          const fleet = empty(nodes);
          settle(fleet, shardCount, maxMoves);
          // Join: the newcomer needs at least floor(S / (N + 1)); nobody else moves.
          fleet.set('zz-new', new Set());
          const steals = settle(fleet, shardCount, maxMoves);
          checkBalanced(fleet, shardCount);
          // The minimum: the newcomer's fair share, taken from the others' surplus, nothing else moves.
          expect(steals).toBe(Math.floor(shardCount / (nodes + 1)));
          // Leave: only the leaver's shards move (claimed as free), no steals.
          const leaver = [...fleet.keys()][0] ?? '';
          fleet.delete(leaver);
          if (fleet.size === 0) return;
          expect(settle(fleet, shardCount, maxMoves)).toBe(0);
          checkBalanced(fleet, shardCount);
        },
      ),
    );
  });
});
