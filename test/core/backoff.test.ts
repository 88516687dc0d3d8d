import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Backoff } from '../../src/core/backoff.js';
import { InvalidArgumentError } from '../../src/core/errors.js';

describe('Backoff', () => {
  it('starts fast, grows exponentially and is capped (full jitter at its upper bound)', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempt).toBe(6);
  });

  it('never falls back to tiny delays once past the first attempts, whatever the randomness', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (rs) => {
          let i = 0;
          const b = new Backoff({ initialMs: 50, maxMs: 5000, random: () => rs[i++ % rs.length]! });
          const delays = rs.map(() => b.next());
          for (const [k, d] of delays.entries()) {
            expect(d).toBeLessThanOrEqual(5000);
            if (k >= 10) expect(d).toBeGreaterThanOrEqual(2500); // floor is half the capped envelope
          }
        },
      ),
    );
  });

  it('decorrelated jitter stays within [initial, max] and keeps at least half of the previous delay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 15, maxLength: 15 }),
        (rs) => {
          let i = 0;
          const b = new Backoff({
            initialMs: 10,
            maxMs: 2000,
            jitter: 'decorrelated',
            random: () => rs[i++]!,
          });
          let previous = b.next();
          expect(previous).toBeLessThanOrEqual(10);
          for (let k = 1; k < rs.length; k++) {
            const d = b.next();
            expect(d).toBeLessThanOrEqual(2000);
            expect(d).toBeGreaterThanOrEqual(Math.floor(Math.max(10, previous) / 2));
            previous = d;
          }
        },
      ),
    );
  });

  it('reset() starts over from the first delay', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 0.999999 });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('rejects nonsensical options', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).toThrow(InvalidArgumentError);
    expect(() => new Backoff({ factor: 0.5 })).toThrow(InvalidArgumentError);
  });
});
