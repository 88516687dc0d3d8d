import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/core/sleep.js';
import { systemClock } from '../../src/core/clock.js';
import { AbortError } from '../../src/core/errors.js';
import { FakeClock } from '../support/clock.js';

describe('sleep', () => {
  it('resolves when the injected clock reaches the delay', async () => {
    const clock = new FakeClock();
    let done = false;
    const p = sleep(100, { clock }).then(() => (done = true));
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects with AbortError on abort and clears its timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const p = sleep(1000, { clock, signal: controller.signal });
    expect(clock.pending).toBe(1);
    controller.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
    await expect(sleep(1, { clock, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });
});

describe('systemClock', () => {
  it('uses unref’d timers that can be cleared', () => {
    const handle = systemClock.setTimeout(() => undefined, 10_000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    systemClock.clearTimeout(handle);
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
  });
});
