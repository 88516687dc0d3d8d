import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OverlapDedupe } from '../../src/pubsub/dedupe.js';

describe('OverlapDedupe', () => {
  it('delivers the first copy from either side and suppresses the second', () => {
    const d = new OverlapDedupe(16);
    expect(d.admit(1, 't', 'a')).toBe(true);
    expect(d.admit(-1, 't', 'a')).toBe(false);
    expect(d.admit(-1, 't', 'b')).toBe(true);
    expect(d.admit(1, 't', 'b')).toBe(false);
    expect(d.size).toBe(0); // balanced identities are forgotten
    expect(d.suppressed).toBe(2);
  });

  it('keeps genuine repeats: two identical publishes are delivered twice', () => {
    const d = new OverlapDedupe(16);
    expect([d.admit(1, 't', 'x'), d.admit(1, 't', 'x')]).toEqual([true, true]);
    expect([d.admit(-1, 't', 'x'), d.admit(-1, 't', 'x')]).toEqual([false, false]);
    // The same payload on another topic is another message.
    expect(d.admit(-1, 'u', 'x')).toBe(true);
  });

  it('stays within its capacity; forgetting lets a duplicate through, never drops a message', () => {
    const d = new OverlapDedupe(2);
    for (const m of ['a', 'b', 'c']) expect(d.admit(1, 't', m)).toBe(true);
    expect(d.size).toBe(2);
    expect(d.admit(-1, 't', 'a')).toBe(true); // 'a' was evicted: delivered again rather than lost
    expect(d.admit(-1, 't', 'c')).toBe(false);
  });

  it('any interleaving of a stream and its tail delivers each message exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }),
        fc.nat(),
        fc.array(fc.boolean(), { maxLength: 80 }),
        (payloads, skip, picks) => {
          // The old socket gets the whole ordered stream (payloads may repeat); the new one, subscribed later, gets
          // its tail. The merge order is arbitrary.
          const from = payloads.length === 0 ? 0 : skip % (payloads.length + 1);
          const d = new OverlapDedupe(1000);
          const delivered: number[] = [];
          let a = 0;
          let b = from;
          let i = 0;
          while (a < payloads.length || b < payloads.length) {
            const fromA = b >= payloads.length || (a < payloads.length && (picks[i++] ?? true));
            const index = fromA ? a++ : b++;
            const value = payloads[index] ?? -1;
            if (d.admit(fromA ? 1 : -1, 't', String(value))) delivered.push(value);
          }
          expect(delivered.slice().sort()).toEqual(payloads.slice().sort());
        },
      ),
    );
  });
});
