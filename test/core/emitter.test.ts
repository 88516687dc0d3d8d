import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../src/core/emitter.js';
import type { Logger } from '../../src/core/logger.js';
import { silentLogger } from '../../src/core/logger.js';

interface Events {
  data: [id: string, size: number];
  error: [error: unknown, event: string];
}

describe('TypedEmitter', () => {
  it('delivers typed arguments, supports once/off and counts listeners', () => {
    const e = new TypedEmitter<Events>();
    const seen: [string, number][] = [];
    const listener = (id: string, size: number): void => {
      seen.push([id, size]);
    };
    e.on('data', listener);
    e.once('data', (id) => seen.push([`once:${id}`, 0]));
    expect(e.listenerCount('data')).toBe(2);
    expect(e.emit('data', 'a', 1)).toBe(true);
    e.emit('data', 'b', 2);
    e.off('data', listener);
    expect(e.hasListeners('data')).toBe(false);
    expect(e.emit('data', 'c', 3)).toBe(false);
    expect(seen).toEqual([
      ['a', 1],
      ['once:a', 0],
      ['b', 2],
    ]);
  });

  it('routes a throwing listener to error and still calls the others', () => {
    const e = new TypedEmitter<Events>();
    const errors: [unknown, string][] = [];
    e.on('error', (err, event) => errors.push([err, event]));
    e.on('data', () => {
      throw new Error('boom');
    });
    const second = vi.fn();
    e.on('data', second);
    expect(() => e.emit('data', 'x', 1)).not.toThrow();
    expect(second).toHaveBeenCalledOnce();
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('boom');
    expect(errors[0]![1]).toBe('data');
  });

  it('routes a rejected async listener to error', async () => {
    const e = new TypedEmitter<Events>();
    const got = new Promise<unknown>((resolve) =>
      e.on('error', (err) => {
        resolve(err);
      }),
    );
    e.on('data', async () => {
      await Promise.resolve();
      throw new Error('async boom');
    });
    e.emit('data', 'x', 1);
    expect(((await got) as Error).message).toBe('async boom');
  });

  it('falls back to the logger when nobody listens to error, without crashing', () => {
    const logged: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m) => logged.push(m) };
    const e = new TypedEmitter<Events>({ logger });
    e.on('data', () => {
      throw new Error('nobody listens');
    });
    e.emit('data', 'x', 1);
    expect(logged).toEqual(["listener of 'data' failed"]);
  });

  it('sends errors thrown by error listeners to the fallback instead of recursing', () => {
    const logged: string[] = [];
    const e = new TypedEmitter<Events>({ logger: { ...silentLogger, error: (m) => logged.push(m) } });
    e.on('error', () => {
      throw new Error('bad error handler');
    });
    e.on('data', () => {
      throw new Error('first');
    });
    e.emit('data', 'x', 1);
    expect(logged).toEqual(["listener of 'error' failed"]);
  });

  it('keeps one wrapper per event: the same throwing function on data and error never recurses', () => {
    const logged: string[] = [];
    const e = new TypedEmitter<Events>({ logger: { ...silentLogger, error: (m) => logged.push(m) } });
    let calls = 0;
    const sink = (): void => {
      calls++;
      throw new Error('log sink down');
    };
    e.on('data', sink);
    e.on('error', sink);
    expect(() => e.emit('data', 'x', 1)).not.toThrow();
    // Once for 'data', once for the 'error' it caused; the error listener's own failure goes to the logger.
    expect(calls).toBe(2);
    expect(logged).toEqual(["listener of 'error' failed"]);
    // off() removes the registration of that event only.
    e.off('data', sink);
    expect(e.listenerCount('data')).toBe(0);
    expect(e.listenerCount('error')).toBe(1);
  });

  it('an emit calls the listeners it started with: one removed or added meanwhile changes only the next emit', () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    const second = (id: string): void => {
      seen.push(`second:${id}`);
    };
    const late = (id: string): void => {
      seen.push(`late:${id}`);
    };
    e.on('data', (id) => {
      seen.push(`first:${id}`);
      if (id === 'a') {
        e.off('data', second);
        e.on('data', late);
      }
    });
    e.on('data', second);
    e.emit('data', 'a', 1);
    e.emit('data', 'b', 2);
    expect(seen).toEqual(['first:a', 'second:a', 'first:b', 'late:b']);
  });

  it('a once listener fires once even when emits nest; off removes the latest registration', () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    e.on('data', (id) => {
      seen.push(`outer:${id}`);
      if (id === 'a') e.emit('data', 'nested', 0);
    });
    e.once('data', (id) => seen.push(`once:${id}`));
    e.emit('data', 'a', 1);
    expect(seen).toEqual(['outer:a', 'outer:nested', 'once:nested']);
    expect(e.listenerCount('data')).toBe(1);

    const twice = new TypedEmitter<Events>();
    const calls: number[] = [];
    const fn = (_id: string, size: number): void => {
      calls.push(size);
    };
    twice.on('data', fn);
    twice.once('data', fn);
    twice.off('data', fn); // the once registration, the latest
    twice.emit('data', 'x', 1);
    twice.emit('data', 'x', 2);
    expect(calls).toEqual([1, 2]);
  });

  it('passes every argument, however many, and throws an error emitted with nobody listening', () => {
    interface Many {
      none: [];
      four: [a: number, b: number, c: number, d: number];
      error: [error: unknown];
    }
    const e = new TypedEmitter<Many>();
    const got: unknown[][] = [];
    e.on('none', (...args: unknown[]) => got.push(args));
    e.on('four', (...args: unknown[]) => got.push(args));
    e.emit('none');
    e.emit('four', 1, 2, 3, 4);
    expect(got).toEqual([[], [1, 2, 3, 4]]);
    const boom = new Error('unheard');
    expect(() => e.emit('error', boom)).toThrow(boom);
    expect(() => e.emit('error', 'text')).toThrow(/Unhandled error/);
    e.on('error', () => undefined);
    expect(e.emit('error', boom)).toBe(true);
  });
});
