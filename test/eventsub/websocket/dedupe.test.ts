import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { MessageIdCache } from '../../../src/eventsub/websocket/dedupe.js';
import { ManualClock } from './helpers.js';

describe('MessageIdCache', () => {
  it('reports duplicates', () => {
    const cache = new MessageIdCache();
    expect(cache.add('a')).toBe(true);
    expect(cache.add('b')).toBe(true);
    expect(cache.add('a')).toBe(false);
    expect(cache.has('b')).toBe(true);
    expect(cache.size).toBe(2);
  });

  it('forgets the oldest ids beyond maxSize', () => {
    const cache = new MessageIdCache({ maxSize: 3 });
    for (const id of ['a', 'b', 'c', 'd']) cache.add(id);
    expect(cache.size).toBe(3);
    expect(cache.has('a')).toBe(false);
    expect(cache.add('d')).toBe(false);
    expect(cache.add('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
  });

  it('forgets ids older than maxAgeMs, counted from their first sighting, without timers', () => {
    const clock = new ManualClock();
    const cache = new MessageIdCache({ maxAgeMs: 1000, clock });
    cache.add('old');
    clock.advance(600);
    expect(cache.add('old')).toBe(false); // a duplicate does not refresh the age
    cache.add('young');
    clock.advance(500);
    cache.add('trigger'); // eviction happens on insertion
    expect(cache.has('old')).toBe(false);
    expect(cache.has('young')).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('stays bounded over a long run (compaction keeps working)', () => {
    const clock = new ManualClock();
    const cache = new MessageIdCache({ maxSize: 500, maxAgeMs: 10_000, clock });
    for (let i = 0; i < 50_000; i++) {
      cache.add(`id-${i}`);
      if (i % 7 === 0) clock.advance(1);
    }
    expect(cache.size).toBe(500);
    expect(cache.has('id-49999')).toBe(true);
    expect(cache.has('id-49499')).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.add('id-49999')).toBe(true);
  });

  it('matches a reference model (size and age bounds)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 40 })), {
          maxLength: 300,
        }),
        (maxSize, steps) => {
          const clock = new ManualClock(0);
          const cache = new MessageIdCache({ maxSize, maxAgeMs: 50, clock });
          let model: { id: string; at: number }[] = [];
          for (const [n, dt] of steps) {
            clock.advance(dt);
            const id = `m${n}`;
            const known = model.some((e) => e.id === id);
            expect(cache.add(id)).toBe(!known);
            if (!known) {
              model = model.filter((e) => e.at > clock.now() - 50);
              while (model.length >= maxSize) model.shift();
              model.push({ id, at: clock.now() });
            }
            expect(cache.size).toBe(model.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('validates its options', () => {
    expect(() => new MessageIdCache({ maxSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => new MessageIdCache({ maxSize: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new MessageIdCache({ maxAgeMs: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('MessageIdCache.add(id, now)', () => {
  it('uses the given time instead of reading the clock', () => {
    const clock = new ManualClock(0);
    const cache = new MessageIdCache({ maxAgeMs: 100, clock });
    cache.add('a', 0);
    cache.add('b', 150); // 'a' expired at the given time, although the clock still reads 0
    expect(cache.has('a')).toBe(false);
    expect(cache.has('b')).toBe(true);
  });
});
