/**
 * The dedupe store and a consumer's gate: ids are kept for the window (never for a count), at the memory bound a
 * new id is refused (never an older one forgotten), ids older than the window leave, a clock stepping back does
 * not lock the store, and verdicts (sync, promised, failing) reach the consumer in order of arrival.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import type { DedupeError } from '../../../src/eventsub/websocket/dedupe.js';
import {
  DEFAULT_DEDUPE_WINDOW_MS,
  DedupeGate,
  MemoryDedupeStore,
  requireDedupeStore,
  resolveDedupeStore,
  type DedupeOutcome,
  type DedupeStore,
  type DedupeVerdict,
} from '../../../src/eventsub/websocket/dedupe.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

/**
 * The id of number `n` in the model tests, spelled five ways so that one run mixes both kinds of keys of the store:
 * UUIDs that differ in one 32-bit word only (the first, second, third or last: near misses that share a hash input
 * with many others), an uppercase UUID and a plain string (kept as strings). Distinct `n`, distinct ids.
 */
function idOf(n: number): string {
  const hex = (width: number): string => n.toString(16).padStart(width, '0');
  switch (n % 5) {
    case 0:
      return `${hex(8)}-0000-4000-8000-000000000000`;
    case 1:
      return `00000000-${hex(4)}-4000-8000-000000000000`;
    case 2:
      return `00000000-0000-4000-${hex(4)}-000000000000`;
    case 3:
      return `00000000-0000-4000-8000-${hex(12)}`;
    default:
      return n % 2 === 0 ? `m${n}` : `ABCDEF00-0000-4000-8000-${hex(12)}`;
  }
}

describe('MemoryDedupeStore', () => {
  it('reports duplicates, and has() agrees', () => {
    const store = new MemoryDedupeStore();
    expect(store.add('a', T0)).toBe('new');
    expect(store.add('b', T0)).toBe('new');
    expect(store.add('a', T0 + 1)).toBe('duplicate');
    expect(store.has('b', T0 + 1)).toBe(true);
    expect(store.has('c', T0 + 1)).toBe(false);
    expect(store.size).toBe(2);
    expect(store.windowMs).toBe(DEFAULT_DEDUPE_WINDOW_MS);
    expect(DEFAULT_DEDUPE_WINDOW_MS).toBe(11 * MINUTE);
  });

  it('keeps an id for its whole window however many other ids arrive (time, not count)', () => {
    const store = new MemoryDedupeStore();
    expect(store.add('first', T0)).toBe('new');
    // 150,000 other ids over the next 10 minutes (250 a second), then the first again.
    let fresh = 0;
    for (let i = 0; i < 150_000; i++)
      if (store.add(`other-${i}`, T0 + Math.floor(i / 250) * 1000) === 'new') fresh++;
    expect(fresh).toBe(150_000);
    expect(store.add('first', T0 + 10 * MINUTE + 59_999)).toBe('duplicate');
    expect(store.size).toBe(150_001);
  });

  it('drops ids older than the window: kept for windowMs, gone by windowMs × 1.25', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000 });
    store.add('old', T0);
    expect(store.add('old', T0 + 999)).toBe('duplicate'); // a duplicate does not refresh the age
    store.add('young', T0 + 600);
    expect(store.has('old', T0 + 1000 + 250)).toBe(false);
    expect(store.has('young', T0 + 1000 + 250)).toBe(true);
    expect(store.size).toBe(1);
    expect(store.add('old', T0 + 1250)).toBe('new');
  });

  it('at the memory bound refuses a new id and forgets none; room comes back as the window passes', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000, maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) expect(store.add(id, T0)).toBe('new');
    expect(store.add('d', T0 + 10)).toBe('full');
    expect(store.has('d', T0 + 10)).toBe(false); // refused ids are not recorded
    for (const id of ['a', 'b', 'c']) expect(store.add(id, T0 + 999)).toBe('duplicate');
    expect(store.size).toBe(3);
    expect(store.add('d', T0 + 1250)).toBe('new');
    expect(store.size).toBe(1);
  });

  it('a clock stepping back, then corrected, forgets no id inside its window (issue 14 audit)', () => {
    const store = new MemoryDedupeStore(); // 11-minute window
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(store.add('M', t0)).toBe('new');
    expect(store.add('N', t0 - 3_600_000)).toBe('new'); // the clock steps back an hour
    expect(store.add('M', t0 + 60_000)).toBe('duplicate'); // corrected: M's copy is a minute old
    // Ids filed while the clock read an hour back are a whole window behind it now: they leave.
    expect(store.add('X', t0 + 120_000)).toBe('new');
    expect(store.size).toBe(2);
  });

  it('a clock stepping back keeps the ids it had until it passes them again; new ids live on its new time', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000 });
    store.add('a', T0);
    const back = T0 - 3_600_000; // an hour back, and it stays there (the clock had been an hour ahead)
    expect(store.add('b', back)).toBe('new');
    expect(store.add('a', back + 10)).toBe('duplicate');
    // The store goes on with the time it reads: 'b' leaves after its window, memory does not grow for an hour.
    expect(store.add('b', back + 999)).toBe('duplicate');
    expect(store.add('b', back + 1250)).toBe('new');
    for (let i = 0; i < 100; i++) store.add(`x${i}`, back + 2000 + i * 100);
    expect(store.size).toBeLessThanOrEqual(1 + 15); // 'a', and what the last 1.25 windows brought
    expect(store.has('a', back + 12_000)).toBe(true); // still ahead of the clock
    expect(store.has('a', T0 + 999)).toBe(true);
    expect(store.has('a', T0 + 1250)).toBe(false); // the clock passed it by a window
  });

  it('at its bound after a step back it refuses (never forgets) until the clock passes the held ids', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000, maxEntries: 2 });
    store.add('a', T0);
    store.add('b', T0 + 100);
    const back = T0 - 5000;
    expect(store.add('c', back)).toBe('full');
    expect(store.add('c', back + 2000)).toBe('full');
    expect(store.add('a', back + 2000)).toBe('duplicate');
    expect(store.add('c', T0 + 1350)).toBe('new'); // the clock is back past them by a window
  });

  it('a clock that reads far ahead once does not wedge the store', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000, maxEntries: 20 });
    store.add('glitch', T0 + 100 * 365 * 86_400_000); // a century ahead, once
    // Back to the real time: ids come and go on it; the century-ahead id waits alone, the store never fills.
    for (let i = 0; i < 1000; i++) expect(store.add(`m${i}`, T0 + i * 100)).toBe('new');
    expect(store.size).toBeLessThanOrEqual(1 + 15);
    expect(store.add('glitch', T0 + 100_000)).toBe('duplicate');
  });

  it('small steps back (callers sharing a store, a few ms apart) change nothing', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000 });
    store.add('a', T0 + 249);
    store.add('b', T0 + 250); // the next slice
    expect(store.add('c', T0 + 249)).toBe('new');
    expect(store.add('a', T0 + 250)).toBe('duplicate');
    expect(store.add('c', T0 + 1248)).toBe('duplicate');
  });

  it('judges UUIDs exactly: a near miss, another spelling of the same UUID and the nil UUID are other ids', () => {
    const store = new MemoryDedupeStore();
    const id = '2d6c1f0a-8b7e-4c3d-9a1f-0e2b3c4d5e6f';
    expect(store.add(id, T0)).toBe('new');
    expect(store.add(id, T0 + 1)).toBe('duplicate');
    // One hex digit off in each group, then the same UUID uppercase (another message id: Twitch's are lowercase).
    for (const other of [
      '2d6c1f0b-8b7e-4c3d-9a1f-0e2b3c4d5e6f',
      '2d6c1f0a-8b7f-4c3d-9a1f-0e2b3c4d5e6f',
      '2d6c1f0a-8b7e-4c3e-9a1f-0e2b3c4d5e6f',
      '2d6c1f0a-8b7e-4c3d-9a10-0e2b3c4d5e6f',
      '2d6c1f0a-8b7e-4c3d-9a1f-0e2b3c4d5e60',
      id.toUpperCase(),
      '00000000-0000-0000-0000-000000000000',
      `${id}x`,
      id.replace(/-/g, '_'),
    ]) {
      expect(store.has(other, T0 + 2)).toBe(false);
      expect(store.add(other, T0 + 2)).toBe('new');
      expect(store.add(other, T0 + 3)).toBe('duplicate');
    }
    expect(store.size).toBe(10);
    // A character that is not a lowercase hex digit never reads as one: these ids stay apart from the zero UUID.
    const zero = '00000000-0000-4000-8000-000000000000';
    expect(store.add(zero, T0)).toBe('new');
    for (const spelled of ['g0000000', '0000000G', '00000/00', '0000000\u0660']) {
      expect(store.add(zero.replace('00000000', spelled), T0)).toBe('new');
    }
  });

  it('holds many UUIDs in one slice (its table grows) and finds each one, and no other', () => {
    const store = new MemoryDedupeStore();
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    for (const id of ids) expect(store.add(id, T0)).toBe('new');
    for (const id of ids) expect(store.add(id, T0 + 1)).toBe('duplicate');
    for (let i = 0; i < 20_000; i++) expect(store.has(randomUUID(), T0 + 1)).toBe(false);
    expect(store.size).toBe(20_000);
    // The next slice starts with a table sized from this one; its ids are told apart from the last slice's.
    const next = Array.from({ length: 20_000 }, () => randomUUID());
    for (const id of next) expect(store.add(id, T0 + MINUTE * 3)).toBe('new');
    for (const id of [...ids, ...next]) expect(store.has(id, T0 + MINUTE * 3)).toBe(true);
    expect(store.size).toBe(40_000);
  });

  it('a clock jumping about keeps a bounded number of slices, forgetting nothing early', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000 });
    // 100 ids, each at a different time in the future of the next one: each slice stays ahead of the clock.
    for (let i = 0; i < 100; i++) store.add(`j${i}`, T0 + (100 - i) * 300);
    for (let i = 0; i < 100; i++) expect(store.has(`j${i}`, T0)).toBe(true);
    expect(store.size).toBe(100);
    // The same with UUIDs: slices past the bound on slices merge, keys and all.
    const uuids = new MemoryDedupeStore({ windowMs: 1000 });
    const ids = Array.from({ length: 100 }, () => randomUUID());
    for (const [i, id] of ids.entries()) uuids.add(id, T0 + (100 - i) * 300);
    for (const id of ids) expect(uuids.has(id, T0)).toBe(true);
    for (const id of ids) expect(uuids.add(id, T0)).toBe('duplicate');
    expect(uuids.size).toBe(100);
  });

  it('matches a reference model: never forgets inside the window, never keeps beyond 1.25 windows, bounded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 60 })), {
          maxLength: 300,
        }),
        (maxEntries, steps) => {
          const window = 100;
          const store = new MemoryDedupeStore({ windowMs: window, maxEntries });
          const firstSeen = new Map<string, number>();
          let now = T0;
          for (const [n, dt] of steps) {
            now += dt;
            const id = idOf(n);
            const at = firstSeen.get(id);
            // A slice is a quarter window: an id is gone once 1.25 windows have passed.
            if (at !== undefined && now - at >= window * 1.25) firstSeen.delete(id);
            const verdict = store.add(id, now);
            const known = firstSeen.get(id);
            if (known !== undefined && now - known <= window) expect(verdict).toBe('duplicate');
            if (known === undefined) expect(verdict).not.toBe('duplicate');
            if (verdict === 'new') firstSeen.set(id, now);
            if (verdict === 'duplicate' && known === undefined) throw new Error('kept beyond 1.25 windows');
            expect(store.size).toBeLessThanOrEqual(maxEntries);
            if (verdict === 'full') expect(store.size).toBe(maxEntries);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches a reference model on any clock sequence: an id leaves only once the clock read past its window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 25 }),
            fc.oneof(
              fc.integer({ min: -30, max: 60 }), // jitter and ordinary steps
              fc.integer({ min: -5000, max: 5000 }), // the clock steps back or jumps ahead
              fc.constantFrom(-1e12, 1e12, Number.NaN), // far off, once
            ),
          ),
          { maxLength: 300 },
        ),
        (maxEntries, steps) => {
          const window = 100;
          const store = new MemoryDedupeStore({ windowMs: window, maxEntries });
          /** id → [time it was recorded at, latest time read since]. */
          const held = new Map<string, [number, number]>();
          let now = T0;
          for (const [n, dt] of steps) {
            const read = Number.isNaN(dt) ? Number.NaN : now + dt;
            if (!Number.isNaN(read) && Math.abs(dt) < 1e11) now = read;
            for (const times of held.values()) if (read > times[1]) times[1] = read;
            const id = idOf(n);
            const verdict = store.add(id, read);
            const known = held.get(id);
            // Never forgotten while no time a window past its recording has been read since.
            if (known !== undefined && known[1] <= known[0] + window) expect(verdict).toBe('duplicate');
            if (verdict === 'new') held.set(id, [read, read]);
            expect(store.size).toBeLessThanOrEqual(maxEntries);
            if (verdict === 'full') expect(store.size).toBe(maxEntries);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('clear() forgets everything; toJSON shows figures, not ids', () => {
    const store = new MemoryDedupeStore({ maxEntries: 10 });
    store.add('secret-looking-id', T0);
    expect(JSON.stringify(store)).toBe(`{"windowMs":${DEFAULT_DEDUPE_WINDOW_MS},"maxEntries":10,"size":1}`);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.add('secret-looking-id', T0)).toBe('new');
  });

  it.each([
    [{ windowMs: 0 }, 'windowMs'],
    [{ windowMs: 1.5 }, 'windowMs'],
    [{ windowMs: Number.NaN }, 'windowMs'],
    [{ windowMs: 2 ** 31 }, 'windowMs'],
    [{ maxEntries: 0 }, 'maxEntries'],
    [{ maxEntries: 2.5 }, 'maxEntries'],
    [{ maxEntries: 2 ** 24 + 1 }, 'maxEntries'],
    [{ maxEntries: '5' }, 'maxEntries'],
    [null, 'options'],
  ])('refuses options %j with INVALID_ARGUMENT naming %s', (options, field) => {
    let thrown: unknown;
    try {
      new MemoryDedupeStore(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).field).toBe(field);
  });
});

describe('resolveDedupeStore', () => {
  it('takes a store as is, builds one from options, and names the bad field of either', () => {
    const store = new MemoryDedupeStore({ windowMs: 5000 });
    expect(resolveDedupeStore(store, 9999, 5000, 'dedupe')).toBe(store);
    const built = resolveDedupeStore({ maxEntries: 7 }, 6000, 5000, 'dedupe');
    expect(built).toBeInstanceOf(MemoryDedupeStore);
    expect(built).toMatchObject({ windowMs: 6000, maxEntries: 7 });
    for (const [option, field] of [
      [null, 'dedupe'],
      [5, 'dedupe'],
      ['store', 'dedupe'],
      [{ maxEntries: 0 }, 'dedupe.maxEntries'],
      [{ windowMs: 4999 }, 'dedupe'],
    ] as const) {
      let thrown: unknown;
      try {
        resolveDedupeStore(option, 6000, 5000, 'dedupe');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(option)).toBeInstanceOf(InvalidArgumentError);
      expect((thrown as InvalidArgumentError).field).toBe(field);
    }
  });
});

describe('requireDedupeStore', () => {
  it('accepts a store whose window covers the consumer, refuses a shorter one or a non-store', () => {
    const store = new MemoryDedupeStore({ windowMs: 5000 });
    expect(requireDedupeStore(store, 5000, 'dedupe')).toBe(store);
    expect(() => requireDedupeStore(store, 5001, 'dedupe')).toThrow(/dedupe.windowMs must be at least 5001/);
    expect(() => requireDedupeStore({ windowMs: 1e9 }, 1, 'dedupe')).toThrow(InvalidArgumentError);
    expect(() => requireDedupeStore(null, 1, 'dedupe')).toThrow(InvalidArgumentError);
  });
});

/** A store whose verdicts are settled by the test. */
class ManualStore implements DedupeStore {
  readonly windowMs = 1000;
  readonly pending: { id: string; settle: (v: DedupeVerdict) => void; fail: (e: unknown) => void }[] = [];
  add(id: string): Promise<DedupeVerdict> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, settle: resolve, fail: reject });
    });
  }
  has(): boolean {
    return false;
  }
}

function recorder() {
  const seen: string[] = [];
  const errors: DedupeError[] = [];
  const deliver = (item: string, outcome: DedupeOutcome, error: DedupeError | undefined): void => {
    seen.push(`${item}:${outcome}`);
    if (error !== undefined) errors.push(error);
  };
  return { seen, errors, deliver };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DedupeGate', () => {
  it('delivers synchronous verdicts at once and reports refusals once per episode', () => {
    const store = new MemoryDedupeStore({ windowMs: 1000, maxEntries: 1 });
    const { seen, errors, deliver } = recorder();
    const gate = new DedupeGate(store, deliver, { ordered: true });
    gate.admit('a', T0, 'a');
    gate.admit('a', T0, 'a2');
    gate.admit('b', T0, 'b');
    gate.admit('c', T0, 'c');
    expect(seen).toEqual(['a:new', 'a2:duplicate', 'b:refused', 'c:refused']);
    expect(errors.map((e) => e.code)).toEqual(['DEDUPE_FULL']);
    expect(errors[0]?.message).toContain('maxEntries 1');
    // Room again (the window passed): the episode ends; the next refusal is a new episode, reported again.
    gate.admit('b', T0 + 1300, 'b');
    gate.admit('c', T0 + 1300, 'c');
    expect(seen.slice(4)).toEqual(['b:new', 'c:refused']);
    expect(errors).toHaveLength(2);
  });

  it('ordered: promised verdicts are delivered in order of arrival, whatever order they settle in', async () => {
    const store = new ManualStore();
    const { seen, deliver } = recorder();
    const gate = new DedupeGate(store, deliver, { ordered: true });
    for (const id of ['1', '2', '3']) gate.admit(id, T0, id);
    store.pending[2]?.settle('new');
    store.pending[1]?.settle('duplicate');
    await flush();
    expect(seen).toEqual([]);
    store.pending[0]?.settle('new');
    await flush();
    expect(seen).toEqual(['1:new', '2:duplicate', '3:new']);
  });

  it('unordered: each promised verdict is delivered when it settles', async () => {
    const store = new ManualStore();
    const { seen, deliver } = recorder();
    const gate = new DedupeGate(store, deliver, { ordered: false });
    for (const id of ['1', '2']) gate.admit(id, T0, id);
    store.pending[1]?.settle('new');
    await flush();
    expect(seen).toEqual(['2:new']);
    store.pending[0]?.settle('duplicate');
    await flush();
    expect(seen).toEqual(['2:new', '1:duplicate']);
  });

  it('a store that leaves verdicts hanging costs bounded memory: past maxPending, new items are refused at once', async () => {
    const store = new ManualStore();
    const { seen, errors, deliver } = recorder();
    const gate = new DedupeGate(store, deliver, { ordered: true, maxPending: 2 });
    for (const id of ['1', '2', '3', '4']) gate.admit(id, T0, id);
    expect(store.pending.map((p) => p.id)).toEqual(['1', '2']); // '3' and '4' were not even asked
    expect(seen).toEqual(['3:refused', '4:refused']);
    expect(errors.map((e) => e.code)).toEqual(['DEDUPE_STORE_FAILED']);
    expect(errors[0]?.message).toContain('2 verdicts pending');
    store.pending[0]?.settle('new');
    store.pending[1]?.settle('new');
    await flush();
    gate.admit('5', T0, '5');
    store.pending[2]?.settle('new');
    await flush();
    expect(seen).toEqual(['3:refused', '4:refused', '1:new', '2:new', '5:new']);
  });

  it('a store that rejects, throws or answers nonsense refuses the item (DEDUPE_STORE_FAILED), never dispatches it', async () => {
    const store = new ManualStore();
    const { seen, errors, deliver } = recorder();
    const gate = new DedupeGate(store, deliver, { ordered: true });
    gate.admit('1', T0, '1');
    store.pending[0]?.fail(new Error('connection reset'));
    await flush();
    expect(seen).toEqual(['1:refused']);
    expect(errors[0]?.code).toBe('DEDUPE_STORE_FAILED');
    expect((errors[0]?.cause as Error).message).toBe('connection reset');

    const odd = [
      (): never => {
        throw new Error('boom');
      },
      () => true,
    ];
    for (const [i, add] of odd.entries()) {
      const r = recorder();
      const bad = new DedupeGate(
        { windowMs: 1, add, has: () => false } as unknown as DedupeStore,
        r.deliver,
        {
          ordered: true,
        },
      );
      bad.admit('x', T0, `x${i}`);
      expect(r.seen).toEqual([`x${i}:refused`]);
      expect(r.errors.map((e) => e.code)).toEqual(['DEDUPE_STORE_FAILED']);
    }
  });
});
