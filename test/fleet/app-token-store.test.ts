/**
 * The fleet's app token (AppTokenProvider's `store`, RedisAppTokenStore): one process mints, the others read, a 401
 * makes one process mint again, a failing store never stops a provider. Real redis-server, real emulator OAuth.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppTokenProvider } from '../../src/auth/app-token-provider.js';
import { Emulator } from '../../src/emulator/index.js';
import { RedisAppTokenStore } from '../../src/fleet/app-token-store.js';
import { RedisError } from '../../src/fleet/errors.js';
import { callRedis, type RedisConnection } from '../../src/fleet/redis.js';
import { startRedis, type TestRedis } from '../support/redis.js';

let server: TestRedis;
let redis: RedisConnection;
let emu: Emulator;
beforeAll(async () => {
  server = await startRedis();
  redis = await server.connect();
  emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity });
});
afterAll(async () => {
  await emu.close();
  await server.stop();
});

const open: AppTokenProvider[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** `n` providers of one fresh client id, each with its own store instance (as n processes would have). */
function fleet(
  n: number,
  extra: Partial<ConstructorParameters<typeof AppTokenProvider>[0]> = {},
  connection: RedisConnection = redis,
): { providers: AppTokenProvider[]; stores: RedisAppTokenStore[]; clientId: string } {
  const app = emu.registerClient();
  const stores = Array.from(
    { length: n },
    () => new RedisAppTokenStore({ redis: connection, clientId: app.clientId }),
  );
  const providers = stores.map(
    (store) =>
      new AppTokenProvider({
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        oauthUrl: emu.clientOptions().oauthUrl,
        store,
        ...extra,
      }),
  );
  open.push(...providers);
  return { providers, stores, clientId: app.clientId };
}

const minted = (providers: AppTokenProvider[]): number => providers.reduce((n, p) => n + p.acquisitions, 0);
const APP = { kind: 'app' } as const;

describe('AppTokenProvider with a RedisAppTokenStore', () => {
  it('three processes asking at once: one mints, the two others read its token', async () => {
    const { providers, stores } = fleet(3);
    const tokens = await Promise.all(providers.map((p) => p.getAccessToken(APP)));
    expect(new Set(tokens).size).toBe(1);
    expect(minted(providers)).toBe(1);
    expect(providers.reduce((n, p) => n + p.sharedReads, 0)).toBe(2);
    // Kept with Redis's own expiry (the emulator's tokens live for hours), and the lock released.
    const ttl = await callRedis(redis, ['PTTL', stores[0]!.tokenKey], { timeoutMs: 2000 });
    expect(ttl).toBeGreaterThan(60_000);
    expect(await callRedis(redis, ['EXISTS', stores[0]!.lockKey], { timeoutMs: 2000 })).toBe(0);
  });

  it('after a 401, one process mints a new token and the others, told of the same 401, read it', async () => {
    const { providers } = fleet(3);
    const first = await providers[0]!.getAccessToken(APP);
    await Promise.all(providers.slice(1).map((p) => p.getAccessToken(APP)));
    expect(minted(providers)).toBe(1);
    const renewed = await Promise.all(providers.map((p) => p.renewAfterUnauthorized(APP, first)));
    expect(renewed[0]).not.toBe(first);
    expect(new Set(renewed).size).toBe(1);
    expect(minted(providers)).toBe(2);
  });

  it('a lock holder that dies without saving: the others mint once its lock lapses', async () => {
    const { providers, stores } = fleet(1, { lockTtlMs: 5_000 });
    await callRedis(redis, ['SET', stores[0]!.lockKey, 'a-dead-process', 'PX', '150'], { timeoutMs: 2000 });
    const token = await providers[0]!.getAccessToken(APP);
    expect(typeof token).toBe('string');
    expect(providers[0]!.acquisitions).toBe(1);
  });

  it('a store that fails: the provider mints on its own and reports the failure', async () => {
    const errors: Error[] = [];
    const broken: RedisConnection = { sendCommand: () => Promise.reject(new Error('connection refused')) };
    const { providers } = fleet(2, { onStoreError: (e) => errors.push(e) }, broken);
    const tokens = await Promise.all(providers.map((p) => p.getAccessToken(APP)));
    expect(tokens.every((t) => typeof t === 'string' && t !== '')).toBe(true);
    expect(minted(providers)).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(RedisError);
    expect((errors[0] as RedisError).code).toBe('REDIS_COMMAND_FAILED');
  });

  it('a store that fails, with no onStoreError and no logger: a process warning, once per outage, no secret', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      let failing = true;
      const flaky: RedisConnection = {
        sendCommand: (args) =>
          failing ? Promise.reject(new Error('connection refused')) : redis.sendCommand(args),
      };
      const { providers } = fleet(1, {}, flaky);
      const provider = providers[0]!;
      const first = await provider.getAccessToken(APP);
      provider.invalidate();
      await provider.getAccessToken(APP); // the same outage: not reported again
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('app token store failed');
      expect(String(warn.mock.calls[0]?.[0])).not.toContain(first);
      expect(warn.mock.calls[0]?.[1]).toEqual({ code: 'REDIS_COMMAND_FAILED' });
      // The store answers again (which re-arms the report), then fails again: a new outage, reported once more.
      failing = false;
      provider.invalidate();
      await provider.getAccessToken(APP);
      failing = true;
      provider.invalidate();
      await provider.getAccessToken(APP);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('a stored value that cannot be a token (a space, a line break): reported, then replaced by a minted one', async () => {
    const errors: Error[] = [];
    const { providers, stores } = fleet(1, { onStoreError: (e) => errors.push(e) });
    const hostile = 'stolen\r\nX-Injected: 1';
    await callRedis(redis, ['SET', stores[0]!.tokenKey, hostile, 'PX', '3600000'], { timeoutMs: 2000 });
    const token = await providers[0]!.getAccessToken(APP);
    expect(token).not.toBe(hostile);
    expect(token).toMatch(/^[\x21-\x7e]+$/);
    expect(providers[0]!.acquisitions).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).not.toContain('stolen');
    // Minted under the lock and saved over the bad value: the next process reads it.
    expect(await callRedis(redis, ['GET', stores[0]!.tokenKey], { timeoutMs: 2000 })).toBe(token);
  });

  it('refuses bad options with INVALID_ARGUMENT naming the field', () => {
    const ok = { sendCommand: () => Promise.resolve(null) };
    for (const [field, options] of [
      ['redis', { clientId: 'x' }],
      ['clientId', { redis: ok, clientId: '' }],
      ['timeoutMs', { redis: ok, clientId: 'x', timeoutMs: -1 }],
    ] as const) {
      expect(() => new RedisAppTokenStore(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field }) as Error,
      );
    }
    expect(() => new AppTokenProvider({ clientId: 'x', clientSecret: 'y', store: {} as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'store' }) as Error,
    );
  });

  it('the token is in no key name, no error and no inspect output', async () => {
    const { providers, stores, clientId } = fleet(1);
    const token = await providers[0]!.getAccessToken(APP);
    const keys = (await callRedis(redis, ['KEYS', '*'], { timeoutMs: 2000 })) as string[];
    expect(keys).toContain(`tr:{${clientId}}:app-token`);
    expect(keys.some((k) => k.includes(token))).toBe(false);
    expect(inspect(stores[0])).not.toContain(token);
    expect(JSON.stringify(stores[0])).not.toContain(token);
    expect(inspect(providers[0])).not.toContain(token);
    // A reply of another shape (a stray value under the key) is refused without quoting it.
    await callRedis(redis, ['SET', stores[0]!.tokenKey, token], { timeoutMs: 2000 });
    const liar: RedisConnection = { sendCommand: () => Promise.resolve([token, 'not a number']) };
    const error = (await new RedisAppTokenStore({ redis: liar, clientId })
      .load()
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RedisError);
    expect(error.message).not.toContain(token);
  });
});
