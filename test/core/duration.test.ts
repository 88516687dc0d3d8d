/**
 * The clock rule (src/core/duration.ts): options are validated, server values clamped, and the system clock never
 * hands Node a delay it would turn into 1 ms.
 */
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/core/backoff.js';
import { systemClock } from '../../src/core/clock.js';
import { MAX_TIMER_MS, clampDuration, requireDuration, timerDelay } from '../../src/core/duration.js';
import { InvalidArgumentError } from '../../src/core/errors.js';

describe('requireDuration', () => {
  it('returns a finite duration within its bounds', () => {
    expect(requireDuration(1, 'x')).toBe(1);
    expect(requireDuration(2.5, 'x')).toBe(2.5);
    expect(requireDuration(MAX_TIMER_MS, 'x')).toBe(MAX_TIMER_MS);
    expect(requireDuration(0, 'x', { min: 0 })).toBe(0);
  });

  it('refuses anything a timer would misread, naming the field', () => {
    for (const bad of [0, -1, 2 ** 31, 1e12, Infinity, -Infinity, NaN, '100', null, undefined, {}]) {
      let caught: unknown;
      try {
        requireDuration(bad, 'welcomeTimeoutMs');
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(bad)).toBeInstanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).field).toBe('welcomeTimeoutMs');
      expect((caught as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
    }
    expect(() => requireDuration(11, 'x', { max: 10 })).toThrow('x must be a duration in 1..10 ms');
    // A max above Node's limit is lowered to it.
    expect(() => requireDuration(2 ** 31, 'x', { max: 2 ** 40 })).toThrow(InvalidArgumentError);
  });

  it('with integer, takes whole milliseconds only', () => {
    expect(requireDuration(0, 'x', { min: 0, integer: true })).toBe(0);
    expect(requireDuration(1, 'x', { min: 0, integer: true })).toBe(1);
    for (const bad of [0.001, 1.5, 86_400_000.5]) {
      expect(() => requireDuration(bad, 'x', { min: 0, integer: true })).toThrow(
        'x must be a whole number of milliseconds in 0..2147483647 ms',
      );
    }
  });
});

describe('clampDuration', () => {
  it('brings server values into the protocol range, non-numbers to the fallback', () => {
    expect(clampDuration(1e10, 10, 600, 10)).toBe(600);
    expect(clampDuration(1e-6, 10, 600, 10)).toBe(10);
    expect(clampDuration(30, 10, 600, 10)).toBe(30);
    expect(clampDuration(NaN, 10, 600, 10)).toBe(10);
    expect(clampDuration(Infinity, 10, 600, 42)).toBe(42);
    expect(clampDuration('30', 10, 600, 10)).toBe(10);
  });
});

describe('timerDelay and the system clock', () => {
  it('keeps every delay within [0, 2^31-1]', () => {
    expect(timerDelay(2 ** 31)).toBe(MAX_TIMER_MS);
    expect(timerDelay(1e15)).toBe(MAX_TIMER_MS);
    expect(timerDelay(Infinity)).toBe(MAX_TIMER_MS);
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(NaN)).toBe(0);
    expect(timerDelay(250)).toBe(250);
  });

  it('arms a 2^31 ms timer for 24.8 days, not for the 1 ms Node would give it', () => {
    const handle = systemClock.setTimeout(() => undefined, 2 ** 31) as NodeJS.Timeout & {
      _idleTimeout: number;
    };
    try {
      // Node records the delay it will honour; an overflowing one is recorded as 1.
      expect(handle._idleTimeout).toBe(MAX_TIMER_MS);
    } finally {
      systemClock.clearTimeout(handle);
    }
  });
});

describe('Backoff under the clock rule', () => {
  it('refuses delays a timer would misread', () => {
    expect(() => new Backoff({ initialMs: 100, maxMs: 2 ** 31 })).toThrow(InvalidArgumentError);
    expect(() => new Backoff({ initialMs: 1e12, maxMs: 1e12 })).toThrow(InvalidArgumentError);
    expect(() => new Backoff({ initialMs: NaN })).toThrow(InvalidArgumentError);
    expect(() => new Backoff({ factor: Infinity })).toThrow(InvalidArgumentError);
    expect(() => new Backoff({ jitter: 'none' as 'full' })).toThrow(InvalidArgumentError);
  });

  it('keeps delays within [0, maxMs] whatever the random source returns', () => {
    for (const r of [5, -1, NaN]) {
      const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => r });
      for (let i = 0; i < 8; i++) {
        const delay = backoff.next();
        expect(delay, String(r)).toBeGreaterThanOrEqual(0);
        expect(delay, String(r)).toBeLessThanOrEqual(1000);
      }
    }
  });
});
