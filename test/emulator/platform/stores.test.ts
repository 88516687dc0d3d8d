import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { RateLimiter } from '../../../src/emulator/http/ratelimit.js';
import { TokenStore, parseScopeParam, randomToken } from '../../../src/emulator/http/tokens.js';
import { UserStore } from '../../../src/emulator/http/users.js';

describe('RateLimiter', () => {
  it('refills continuously at limit/60 per second and reports the reset time', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ pointsPerMinute: 60, now: () => now });
    const key = RateLimiter.userKey('c', 'u');
    for (let i = 0; i < 60; i++) expect(limiter.take(key).allowed).toBe(true);
    const empty = limiter.take(key);
    expect(empty).toEqual({
      allowed: false,
      limit: 60,
      remaining: 0,
      reset: Math.ceil((now + 60_000) / 1000),
    });
    now += 2_500;
    expect(limiter.take(key)).toMatchObject({ allowed: true, remaining: 1 });
    now += 1_000_000;
    expect(limiter.take(key).remaining).toBe(59);
    // Other keys have their own bucket.
    expect(limiter.take(RateLimiter.appKey('c')).remaining).toBe(59);
  });

  it('caps the number of buckets', () => {
    let now = 0;
    const limiter = new RateLimiter({ pointsPerMinute: 10, now: () => now, maxBuckets: 100 });
    for (let i = 0; i < 10_000; i++) {
      limiter.take(RateLimiter.appKey(String(i)));
      now += 1;
    }
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('lowers existing buckets to a smaller limit and rejects bad limits', () => {
    const limiter = new RateLimiter({ pointsPerMinute: 100, now: () => 0 });
    limiter.take('k');
    limiter.setLimit(5);
    expect(limiter.take('k').remaining).toBe(4);
    expect(() => {
      limiter.setLimit(-1);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      limiter.setLimit(Number.NaN);
    }).toThrow(InvalidArgumentError);
  });
});

describe('TokenStore', () => {
  it('makes Twitch-like random strings', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = randomToken();
      expect(t).toMatch(/^[a-z0-9]{30}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(200);
    expect(randomToken(50)).toHaveLength(50);
  });

  it('bounds the number of access tokens and grants', () => {
    const store = new TokenStore({ users: new UserStore(), maxAccessTokens: 50, maxGrants: 20 });
    const { clientId } = store.registerClient();
    const first = store.mintUser({ clientId, userId: '1', scopes: [] });
    for (let i = 0; i < 500; i++) store.mintUser({ clientId, userId: String(i), scopes: [] });
    const sizes = store.sizes();
    expect(sizes.accessTokens).toBeLessThanOrEqual(50);
    expect(sizes.grants).toBeLessThanOrEqual(20);
    expect(store.lookup(first.accessToken)).toBeUndefined();
    expect(store.refresh(first.refreshToken, clientId)).toBeUndefined();
  });

  it('validates clients, user ids and scopes', () => {
    const store = new TokenStore({ users: new UserStore() });
    expect(() => store.registerClient({ clientId: 'bad id' })).toThrow(InvalidArgumentError);
    expect(() => store.mintApp('unknown')).toThrow(InvalidArgumentError);
    const { clientId } = store.registerClient();
    expect(() => store.mintUser({ clientId, userId: '-1', scopes: [] })).toThrow(InvalidArgumentError);
    expect(() => store.mintUser({ clientId, userId: '1', scopes: [''] })).toThrow(InvalidArgumentError);
    expect(parseScopeParam('a:b  c:d+e')).toEqual(['a:b', 'c:d', 'e']);
    expect(() => new TokenStore({ users: new UserStore(), userTokenTtlSeconds: 0 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('UserStore', () => {
  it('seeds 50 realistic users with unique ids and logins', () => {
    const users = new UserStore();
    const all = [...users.values()];
    expect(all).toHaveLength(50);
    expect(new Set(all.map((u) => u.id)).size).toBe(50);
    expect(new Set(all.map((u) => u.login)).size).toBe(50);
    for (const u of all) {
      expect(u.id).toMatch(/^[0-9]+$/);
      expect(u.login).toBe(u.display_name.toLowerCase());
      expect(users.byLogin(u.display_name)).toBe(u);
    }
    expect(all.some((u) => u.broadcaster_type === 'partner')).toBe(true);
    expect(all.some((u) => u.broadcaster_type === 'affiliate')).toBe(true);
  });

  it('creates users on demand, keeps logins unique and is bounded', () => {
    const users = new UserStore({ maxUsers: 52 });
    expect(users.ensure('7').login).toBe('user7');
    expect(users.ensure('7')).toBe(users.byId('7'));
    expect(() => users.ensure('8', 'user7')).toThrow(InvalidArgumentError);
    expect(() => users.ensure('7', 'someoneelse')).toThrow(InvalidArgumentError);
    users.ensure('9');
    expect(() => users.ensure('10')).toThrow(InvalidArgumentError);
  });
});
