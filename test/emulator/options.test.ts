import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { Emulator } from '../../src/emulator/index.js';
import { resolveOptions, type EmulatorOptions } from '../../src/emulator/options.js';

describe('emulator options', () => {
  it('applies the defaults and keeps valid values as given', () => {
    const resolved = resolveOptions({ keepaliveSecondMs: 0.5, shardPageSize: 3 });
    expect(resolved.keepaliveSecondMs).toBe(0.5);
    expect(resolved.shardPageSize).toBe(3);
    expect(resolved.subscriptionPageSize).toBe(100);
    expect(resolved.maxShardsPerUpdate).toBe(20_000);
    expect(resolved.unusedTimeoutMs).toBeUndefined();
    expect(resolved.sweepIntervalMs).toBeGreaterThan(0);
  });

  it.each([
    ['subscriptionPageSize', 0.5, 'subscriptionPageSize must be a positive integer'],
    ['shardPageSize', 2.5, 'shardPageSize must be a positive integer'],
    ['maxShardsPerUpdate', 0, 'maxShardsPerUpdate must be a positive integer'],
    ['keepaliveSecondMs', 0, 'keepaliveSecondMs must be a positive number'],
    ['unusedTimeoutMs', Number.NaN, 'unusedTimeoutMs must be a positive number'],
    ['sweepIntervalMs', Number.POSITIVE_INFINITY, 'sweepIntervalMs must be a positive number'],
    ['rateLimitWindowMs', 0, 'rateLimitWindowMs must be a positive integer'],
    ['rateLimitWindowMs', 1.5, 'rateLimitWindowMs must be a positive integer'],
  ] as const)('refuses %s = %d with an InvalidArgumentError naming it', (field, value, message) => {
    const options: EmulatorOptions = { [field]: value };
    let thrown: unknown;
    try {
      resolveOptions(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).field).toBe(field);
    expect((thrown as Error).message).toBe(message);
  });

  it('Emulator.start rejects a fractional rate-limit window before listening', async () => {
    await expect(Emulator.start({ port: 0, rateLimitWindowMs: 0.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'rateLimitWindowMs',
    });
  });

  it('Emulator.start rejects a fractional page size before listening (it was floored to 0 before)', async () => {
    await expect(Emulator.start({ port: 0, subscriptionPageSize: 0.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'subscriptionPageSize',
    });
  });
});
