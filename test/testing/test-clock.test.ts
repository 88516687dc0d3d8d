/**
 * `TestClock`: the timer heap (due order, ties, cancellation, many timers) and `tickAsync` (what runs between
 * timers, concurrent calls).
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../../src/core/duration.js';
import { TestClock, TestingError } from '../../src/testing/index.js';

describe('TestClock timers', () => {
  it('fires in due order, ties in scheduling order, whatever the order of scheduling and cancelling (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 200 }),
        fc.integer({ min: 0, max: 60 }),
        (timers, advanceBy) => {
          const clock = new TestClock(0);
          const fired: number[] = [];
          const handles = timers.map(([ms], i) =>
            clock.setTimeout(() => {
              fired.push(i);
              expect(clock.now()).toBe(ms);
            }, ms),
          );
          timers.forEach(([, cancel], i) => {
            if (cancel) clock.clearTimeout(handles[i] ?? 0);
          });
          clock.advance(advanceBy);
          const expected = timers
            .map(([ms, cancel], i) => ({ ms, cancel, i }))
            .filter((t) => !t.cancel && t.ms <= advanceBy)
            .sort((a, b) => a.ms - b.ms || a.i - b.i)
            .map((t) => t.i);
          expect(fired).toEqual(expected);
          expect(clock.pending).toBe(timers.filter(([ms, cancel]) => !cancel && ms > advanceBy).length);
          expect(clock.now()).toBe(advanceBy);
        },
      ),
    );
  });

  it('fires timers scheduled by a firing timer within the same advance, at their own due time', () => {
    const clock = new TestClock(0);
    const at: number[] = [];
    const rearm = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimeout(rearm, 1000);
    };
    clock.setTimeout(rearm, 1000);
    clock.advance(10_000);
    expect(at).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(clock.pending).toBe(0);
  });

  it('re-arms 200,000 times in one advance, and cancelled timers do not pile up', () => {
    const clock = new TestClock(0);
    let fired = 0;
    const tick = (): void => {
      fired++;
      clock.setTimeout(tick, 1);
    };
    clock.setTimeout(tick, 1);
    // A timer cancelled and rescheduled on every fire (a watchdog pushed back by each message).
    let watchdog = clock.setTimeout(() => undefined, 10);
    clock.setTimeout(function push() {
      clock.clearTimeout(watchdog);
      watchdog = clock.setTimeout(() => undefined, 10);
      clock.setTimeout(push, 1);
    }, 1);
    clock.advance(200_000);
    expect(fired).toBe(200_000);
    expect(clock.pending).toBe(3);
  });
});

describe('TestClock edge cases', () => {
  it('takes a delay the way the system clock does: NaN and negative as 0, above 2^31-1 ms (or Infinity) as 2^31-1', () => {
    const clock = new TestClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('NaN'), Number.NaN);
    clock.setTimeout(() => fired.push('-5'), -5);
    clock.setTimeout(() => fired.push('2^40'), 2 ** 40);
    clock.setTimeout(() => fired.push('Infinity'), Infinity);
    expect(clock.delays()).toEqual([0, 0, MAX_TIMER_MS, MAX_TIMER_MS]);
    clock.advance(0);
    expect(fired).toEqual(['NaN', '-5']);
    clock.advance(MAX_TIMER_MS);
    expect(fired).toEqual(['NaN', '-5', '2^40', 'Infinity']);
    expect(() => clock.setTimeout(() => undefined, '5' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'ms' }),
    );
  });

  it('never moves time backwards when a timer advances the clock itself', () => {
    const clock = new TestClock(0);
    clock.setTimeout(() => {
      clock.advance(100);
    }, 5);
    clock.advance(10);
    expect(clock.now()).toBe(105);
  });

  it('never moves time backwards when advance() runs while tickAsync() does', async () => {
    const clock = new TestClock(0);
    const ticking = clock.tickAsync(10);
    await new Promise((resolve) => setImmediate(resolve)); // tickAsync has computed its end and is settling
    clock.advance(100);
    await ticking;
    expect(clock.now()).toBe(100);
  });

  it('throws TESTING_TIMER_LOOP instead of spinning on a timer that re-arms itself with 0 ms', async () => {
    const clock = new TestClock(0);
    let fired = 0;
    const loop = (): void => {
      fired++;
      clock.setTimeout(loop, 0);
    };
    clock.setTimeout(loop, 0);
    expect(() => {
      clock.advance(1);
    }).toThrow(expect.objectContaining({ code: 'TESTING_TIMER_LOOP' }));
    expect(fired).toBe(100_000);
    clock.setTimeout(loop, 0);
    const error: unknown = await clock.tickAsync(1, { quietTurns: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingError);
    expect(error).toMatchObject({ code: 'TESTING_TIMER_LOOP' });
  });

  it('fires 150,000 timers armed earlier for one instant: a crowd, not a loop', () => {
    const clock = new TestClock(0);
    let fired = 0;
    for (let i = 0; i < 150_000; i++) clock.setTimeout(() => fired++, 10);
    clock.advance(10);
    expect(fired).toBe(150_000);
  });
});

describe('TestClock.tickAsync', () => {
  it('lets promise continuations and socket I/O run between two timers, with time frozen at the first', async () => {
    const server = createServer((socket) => socket.pipe(socket)); // echo
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket: Socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    try {
      const clock = new TestClock(0);
      const log: string[] = [];
      socket.on('data', (data: Buffer) => log.push(`echo ${data.toString()} at ${String(clock.now())}`));
      clock.setTimeout(() => {
        log.push('first');
        socket.write('ping');
        void Promise.resolve().then(() => log.push(`continuation at ${String(clock.now())}`));
      }, 1000);
      clock.setTimeout(() => log.push('second'), 1001);
      await clock.tickAsync(5000);
      expect(log).toEqual(['first', 'continuation at 1000', 'echo ping at 1000', 'second']);
      expect(clock.now()).toBe(5000);

      // The same with advance(): everything the timers start runs after both fired.
      log.length = 0;
      clock.setTimeout(() => {
        log.push('first');
        socket.write('pong');
      }, 1000);
      clock.setTimeout(() => log.push('second'), 1001);
      clock.advance(5000);
      await new Promise<void>((resolve) => socket.once('data', () => setImmediate(resolve)));
      expect(log).toEqual(['first', 'second', 'echo pong at 10000']);
    } finally {
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs concurrent calls one after another', async () => {
    const clock = new TestClock(0);
    const at: number[] = [];
    clock.setTimeout(() => at.push(clock.now()), 1500);
    await Promise.all([clock.tickAsync(1000), clock.tickAsync(1000)]);
    expect(at).toEqual([1500]);
    expect(clock.now()).toBe(2000);
  });

  it('rejects its caller when a timer throws, and the clock stays usable', async () => {
    const clock = new TestClock(0);
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    await expect(clock.tickAsync(20)).rejects.toThrow('boom');
    await clock.tickAsync(5);
    expect(clock.now()).toBe(15);
  });

  it('refuses bad arguments with INVALID_ARGUMENT naming them', () => {
    const clock = new TestClock(0);
    expect(() => clock.tickAsync(-1)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'ms' }),
    );
    expect(() => clock.tickAsync(1, { quietTurns: 0 })).toThrow(
      expect.objectContaining({ field: 'options.quietTurns' }),
    );
    expect(() => clock.tickAsync(1, null as never)).toThrow(expect.objectContaining({ field: 'options' }));
  });
});
