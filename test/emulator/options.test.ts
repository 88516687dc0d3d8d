import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { Emulator } from '../../src/emulator/index.js';
import { MAX_TIMER_MS } from '../../src/core/duration.js';
import { systemClock } from '../../src/core/clock.js';
import { TestClock } from '../../src/testing/clock.js';
import { resolveOptions, validateOptions, type EmulatorOptions } from '../../src/emulator/options.js';

/** The error `fn` throws (or `undefined`). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const noop = (): void => undefined;
const transport = { verify: noop, deliver: () => true };

/**
 * Wrong values of every option. Typed over `keyof EmulatorOptions`: an option added without a row here does not
 * compile. Each value must be refused with INVALID_ARGUMENT naming the option (or a key below it).
 */
const WRONG: { readonly [K in keyof EmulatorOptions]-?: readonly unknown[] } = {
  host: [5, '', 'a b', null, true, {}, ['127.0.0.1']],
  port: [-1, 'abc', '8080', 1.5, 65_536, Number.NaN, Infinity, null],
  clientId: [5, '', 'has space', 'x'.repeat(65), null],
  clientSecret: [5, '', 'has space', 'x'.repeat(129), null],
  userTokenTtlSeconds: [0, -1, Number.NaN, Infinity, '60'],
  appTokenTtlSeconds: [0, -1, Number.NaN, Infinity, '60'],
  rateLimitPerMinute: [0, -1, Number.NaN, '800', null],
  rateLimitWindowMs: [0, 0.5, -1, 2 ** 31, Infinity, '60000'],
  keepaliveSecondMs: [0, -1, Number.NaN, Infinity, 2 ** 31, '1000'],
  unusedTimeoutMs: [0, -1, Number.NaN, 1e10, '10'],
  pingIntervalMs: [0, -1, Number.NaN, 1e10, '10'],
  reconnectGraceMs: [0, -1, Number.NaN, 1e10, '10'],
  conduitDisabledTtlMs: [0, -1, Number.NaN, 1e10, '10'],
  websocketSubscriptionRetentionMs: [0, -1, Number.NaN, 1e10, '10'],
  webhookSubscriptionRetentionMs: [0, -1, Number.NaN, 1e10, '10'],
  sessionRetentionMs: [0, -1, Number.NaN, 1e10, '10'],
  sweepIntervalMs: [0, -1, Number.NaN, 2 ** 31, '10'],
  maxBufferedBytes: [0, -1, 0.5, Infinity, '1024'],
  subscriptionPageSize: [0, 0.5, -1, '100'],
  shardPageSize: [0, 2.5, -1, '100'],
  maxShardsPerUpdate: [0, 0.5, -1, '100'],
  allowInsecureWebhooks: ['true', 1, null],
  webhookTransport: [5, null, {}, { verify: noop }, { deliver: noop }],
  webhook: [
    5,
    null,
    [],
    { retryDelaysMs: 'abc' },
    { retryDelaysMs: [] },
    { retryDelaysMs: [-1] },
    { retryDelaysMs: [1e10] },
    { timeoutMs: 0 },
    { timeoutMs: 1e10 },
    { failureThreshold: 0.5 },
    { maxInFlight: 0 },
    { timeoutMS: 10 },
    // One clock for the whole emulator: the webhook transport's comes from `clock`.
    { clock: systemClock },
  ],
  pubsub: [
    5,
    null,
    { path: 'pubsub' },
    { path: '/ws' },
    { path: '/a b' },
    { path: '/p?x=1' },
    { listenDeadlineMs: -1 },
    { listenDeadlineMs: 1e10 },
    { reconnectGraceMs: '1' },
    { maxTopicsPerConnection: 1.5 },
    { maxBufferedMessages: -1 },
    { pth: '/p' },
  ],
  clock: [5, null, {}, 'system', { now: noop, setTimeout: noop }],
  now: [5, 'Date.now', null],
  onError: [5, 'log', null],
};

/** A port held on every interface by this test: an emulator that bound before validating would fail EADDRINUSE. */
let blocker: Server;
let blockedPort: number;

beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  blockedPort = (blocker.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) =>
    blocker.close(() => {
      resolve();
    }),
  );
});

describe('emulator options', () => {
  it('applies the defaults and keeps valid values as given', () => {
    const resolved = resolveOptions({ keepaliveSecondMs: 0.5, shardPageSize: 3 });
    expect(resolved.keepaliveSecondMs).toBe(0.5);
    expect(resolved.shardPageSize).toBe(3);
    expect(resolved.subscriptionPageSize).toBe(100);
    expect(resolved.maxShardsPerUpdate).toBe(20_000);
    expect(resolved.unusedTimeoutMs).toBeUndefined();
    expect(resolved.webhookTransport).toBeUndefined();
    expect(resolved.sweepIntervalMs).toBeGreaterThan(0);
  });

  it('accepts every option at a valid value', () => {
    const all: Required<EmulatorOptions> = {
      host: '::1',
      port: 0,
      clientId: 'my-app',
      clientSecret: 'secret',
      userTokenTtlSeconds: 60,
      appTokenTtlSeconds: 0.5,
      rateLimitPerMinute: Infinity,
      rateLimitWindowMs: 1000,
      keepaliveSecondMs: 0.5,
      unusedTimeoutMs: MAX_TIMER_MS,
      pingIntervalMs: 20,
      reconnectGraceMs: 100,
      conduitDisabledTtlMs: 1,
      websocketSubscriptionRetentionMs: 1,
      webhookSubscriptionRetentionMs: 1,
      sessionRetentionMs: 1,
      sweepIntervalMs: 1,
      maxBufferedBytes: 1024,
      subscriptionPageSize: 1,
      shardPageSize: 1,
      maxShardsPerUpdate: 1,
      allowInsecureWebhooks: true,
      webhookTransport: transport,
      webhook: {},
      pubsub: { path: '/legacy', listenDeadlineMs: 0, reconnectGraceMs: 0, maxTopicsPerConnection: 50 },
      clock: new TestClock(),
      now: Date.now,
      onError: noop,
    };
    // `now` and `clock` exclude each other (see below): each is checked without the other.
    const { webhook: _webhook, now: _now, ...withTransport } = all;
    const { webhookTransport: _transport, clock: _clock, ...withWebhook } = all;
    expect(() => {
      validateOptions(withTransport);
    }).not.toThrow();
    expect(() => {
      validateOptions({ ...withWebhook, webhook: { retryDelaysMs: [0, 5], timeoutMs: 1, maxInFlight: 1 } });
    }).not.toThrow();
  });

  const rows = Object.entries(WRONG).flatMap(([field, values]) =>
    values.map((value) => [field, value] as const),
  );

  it.each(rows)(
    'Emulator.start refuses %s = %o with INVALID_ARGUMENT naming it, before binding',
    async (field, value) => {
      // On the blocked port: binding first would reject with EADDRINUSE instead (or start on all interfaces).
      const options = {
        ...(field === 'port' ? {} : { port: blockedPort }),
        [field]: value,
      } as EmulatorOptions;
      const error = await Emulator.start(options).then(
        async (emu) => {
          await emu.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
      const named = (error as InvalidArgumentError).field ?? '';
      expect(named === field || named.startsWith(`${field}.`) || named.startsWith(`${field}[`)).toBe(true);
      expect((error as Error).message).toContain(named);
    },
  );

  it('refuses a value of the wrong type for every option (property)', () => {
    const kinds: Record<keyof EmulatorOptions, 'number' | 'string' | 'boolean' | 'function' | 'object'> = {
      host: 'string',
      port: 'number',
      clientId: 'string',
      clientSecret: 'string',
      userTokenTtlSeconds: 'number',
      appTokenTtlSeconds: 'number',
      rateLimitPerMinute: 'number',
      rateLimitWindowMs: 'number',
      keepaliveSecondMs: 'number',
      unusedTimeoutMs: 'number',
      pingIntervalMs: 'number',
      reconnectGraceMs: 'number',
      conduitDisabledTtlMs: 'number',
      websocketSubscriptionRetentionMs: 'number',
      webhookSubscriptionRetentionMs: 'number',
      sessionRetentionMs: 'number',
      sweepIntervalMs: 'number',
      maxBufferedBytes: 'number',
      subscriptionPageSize: 'number',
      shardPageSize: 'number',
      maxShardsPerUpdate: 'number',
      allowInsecureWebhooks: 'boolean',
      webhookTransport: 'object',
      webhook: 'object',
      pubsub: 'object',
      clock: 'object',
      now: 'function',
      onError: 'function',
    };
    const fields = Object.keys(kinds) as (keyof EmulatorOptions)[];
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.anything({ withNullPrototype: true, withBigInt: true, withBoxedValues: true }),
        (field, value) => {
          const kind = kinds[field];
          const plainObject = typeof value === 'object' && value !== null && !Array.isArray(value);
          fc.pre(value !== undefined && (kind === 'object' ? !plainObject : typeof value !== kind));
          const error = thrownBy(() => {
            validateOptions({ [field]: value });
          });
          expect(error).toBeInstanceOf(InvalidArgumentError);
          expect((error as InvalidArgumentError).field).toBe(field);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses unknown option keys with the closest name as a hint', () => {
    const error = thrownBy(() => {
      validateOptions({ prot: 8080 });
    });
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'prot' });
    expect((error as Error).message).toBe('prot is not an option (did you mean port?)');
    expect(
      thrownBy(() => {
        validateOptions({ webhook: { timeoutMS: 5 } });
      }),
    ).toMatchObject({
      field: 'webhook.timeoutMS',
      message: 'webhook.timeoutMS is not an option (did you mean webhook.timeoutMs?)',
    });
  });

  it('refuses now next to clock: one clock drives the emulator', () => {
    expect(
      thrownBy(() => {
        validateOptions({ clock: new TestClock(), now: Date.now });
      }),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'now' });
    expect(resolveOptions({}).clock).toBe(systemClock);
  });

  it('refuses webhook options next to a webhook transport (they would be ignored)', () => {
    expect(
      thrownBy(() => {
        validateOptions({ webhookTransport: transport, webhook: { timeoutMs: 5 } });
      }),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'webhook' });
  });

  it('Emulator.start refuses options that are not an object', async () => {
    for (const options of [null, 5, 'port=0', [0]]) {
      await expect(Emulator.start(options as EmulatorOptions)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'options',
      });
    }
  });
});
