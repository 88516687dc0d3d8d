import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  errorMessage,
  isRecord,
  parseJsonBody,
  requirePositive,
  requirePositiveInteger,
  toError,
} from '../../src/core/guards.js';

function thrownBy(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('isRecord', () => {
  it('accepts objects only: not null, arrays or primitives', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    for (const value of [null, undefined, [], [1], 'x', 1, true, Symbol('s')]) {
      expect(isRecord(value)).toBe(false);
    }
  });
});

describe('parseJsonBody', () => {
  it('gives undefined for an empty body, the JSON value, or the text when it is not JSON', () => {
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(parseJsonBody('null')).toBeNull();
    expect(parseJsonBody('<html>Bad Gateway</html>')).toBe('<html>Bad Gateway</html>');
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(() => parseJsonBody(text)).not.toThrow();
      }),
    );
  });
});

describe('toError and errorMessage', () => {
  it('keep errors as they are and wrap anything else', () => {
    const error = new TypeError('boom');
    expect(toError(error)).toBe(error);
    const wrapped = toError('text thrown');
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped.message).toBe('text thrown');
    expect(toError(42).message).toBe('42');
    expect(errorMessage(error)).toBe('boom');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

describe('requirePositive and requirePositiveInteger', () => {
  it('return valid values unchanged', () => {
    expect(requirePositive(0.5, 'ms')).toBe(0.5);
    expect(requirePositive(1e9, 'ms')).toBe(1e9);
    expect(requirePositiveInteger(1, 'size')).toBe(1);
    expect(requirePositiveInteger(20_000, 'size')).toBe(20_000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number])(
    'requirePositive refuses %s, naming the field',
    (value) => {
      const error = thrownBy(() => requirePositive(value, 'timeoutMs'));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.field).toBe('timeoutMs');
      expect(error.message).toBe('timeoutMs must be a positive number');
    },
  );

  it.each([0.5, 1.5, 0, -3, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number])(
    'requirePositiveInteger refuses %s (never rounds it), naming the field',
    (value) => {
      const error = thrownBy(() => requirePositiveInteger(value, 'maxSize'));
      expect(error.field).toBe('maxSize');
      expect(error.message).toBe('maxSize must be a positive integer');
    },
  );
});
