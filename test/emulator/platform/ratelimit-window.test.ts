import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { Emulator } from '../../../src/emulator/index.js';
import { RateLimiter } from '../../../src/emulator/http/ratelimit.js';
import { createPlatform } from '../../../src/emulator/http/server.js';
import type { Platform } from '../../../src/emulator/http/types.js';

const START = 1_700_000_000_000;

interface Limited {
  status: number;
  limit: string | null;
  remaining: string | null;
  reset: number;
}

async function getUsers(baseUrl: string, clientId: string, token: string): Promise<Limited> {
  const res = await fetch(`${baseUrl}/helix/users`, {
    headers: { Authorization: `Bearer ${token}`, 'Client-Id': clientId },
  });
  await res.arrayBuffer();
  return {
    status: res.status,
    limit: res.headers.get('ratelimit-limit'),
    remaining: res.headers.get('ratelimit-remaining'),
    reset: Number(res.headers.get('ratelimit-reset')),
  };
}

describe('RateLimiter windowMs', () => {
  it('refills a bucket over the configured window instead of a minute', () => {
    let now = START;
    const limiter = new RateLimiter({ pointsPerMinute: 4, windowMs: 1000, now: () => now });
    const key = RateLimiter.appKey('c');
    for (let i = 0; i < 4; i++) expect(limiter.take(key).allowed).toBe(true);
    const empty = limiter.take(key);
    expect(empty).toMatchObject({ allowed: false, remaining: 0, reset: Math.ceil((START + 1000) / 1000) });
    now += 250; // a quarter of the window: one point back
    expect(limiter.take(key)).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take(key).allowed).toBe(false);
    now += 1000; // a whole window: full again
    expect(limiter.take(key)).toMatchObject({ allowed: true, remaining: 3 });
    expect(limiter.windowMs).toBe(1000);
  });

  it('defaults to Twitch’s 60 s window', () => {
    const now = START;
    const limiter = new RateLimiter({ pointsPerMinute: 1, now: () => now });
    const key = RateLimiter.appKey('c');
    limiter.take(key);
    expect(limiter.windowMs).toBe(60_000);
    expect(limiter.take(key).reset).toBe(Math.ceil((START + 60_000) / 1000));
  });

  it.each([0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses windowMs = %d', (windowMs) => {
    expect(() => new RateLimiter({ windowMs })).toThrow(InvalidArgumentError);
  });
});

describe('createPlatform rateLimitWindowMs', () => {
  let platform: Platform | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  it('answers 429 on an empty 1 s bucket and serves again once the injected clock moved ~1 s', async () => {
    let clock = START;
    platform = await createPlatform({ now: () => clock, rateLimitPerMinute: 2, rateLimitWindowMs: 1000 });
    const token = platform.mintUserToken({ userId: '1001', scopes: [] }).accessToken;
    const call = (): Promise<Limited> => getUsers(platform!.baseUrl, platform!.clientId, token);
    expect(await call()).toMatchObject({ status: 200, limit: '2', remaining: '1' });
    expect(await call()).toMatchObject({ status: 200, remaining: '0' });
    const limited = await call();
    expect(limited).toMatchObject({ status: 429, remaining: '0' });
    // Epoch seconds at which the bucket is full again: one window from now.
    expect(limited.reset).toBe(Math.ceil((START + 1000) / 1000));
    clock += 999;
    expect((await call()).status).toBe(200); // 1.998 points back: one taken
    expect((await call()).status).toBe(429); // 0.998 left
    clock += 1000;
    const refilled = await call();
    expect(refilled).toMatchObject({ status: 200, remaining: '1' });
    expect(refilled.reset).toBe(Math.ceil((clock + 500) / 1000));
  });

  it.each([0, 2.5, Number.NaN])(
    'rejects rateLimitWindowMs = %d before listening',
    async (rateLimitWindowMs) => {
      await expect(createPlatform({ rateLimitWindowMs })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        field: 'rateLimitWindowMs',
      });
    },
  );
});

describe('Emulator.start rateLimitWindowMs and now', () => {
  it('passes the window and the clock to the Helix platform', async () => {
    let clock = START;
    const emu = await Emulator.start({
      port: 0,
      now: () => clock,
      rateLimitPerMinute: 1,
      rateLimitWindowMs: 1000,
    });
    try {
      const { accessToken, expiresIn } = emu.mintUserToken({ userId: '1001', scopes: [] });
      expect(expiresIn).toBe(14_400);
      const call = (): Promise<Limited> => getUsers(emu.baseUrl, emu.clientId, accessToken);
      expect((await call()).status).toBe(200);
      const limited = await call();
      expect(limited.status).toBe(429);
      expect(limited.reset).toBe(Math.ceil((START + 1000) / 1000));
      clock += 1000;
      expect(await call()).toMatchObject({ status: 200, remaining: '0' });
      // The same clock drives token expiry: 4 h later the token is dead.
      clock += 14_400_000;
      expect((await call()).status).toBe(401);
    } finally {
      await emu.close();
    }
  });

  it('rejects a clock that is not a function', async () => {
    await expect(Emulator.start({ port: 0, now: 5 as unknown as () => number })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'now',
    });
  });
});
