import { describe, expect, it } from 'vitest';
import { RateLimiter, parseRateLimitHeaders, type RateLimitHeaders } from '../../src/helix/rate-limiter.js';
import { AbortError } from '../../src/core/errors.js';
import { FakeClock } from '../support/clock.js';

const flush = () => new Promise((r) => setImmediate(r));

function headers(limit: number, remaining: number, resetAt: number | null = null): RateLimitHeaders {
  return { limit, remaining, resetAt };
}

/** Queues `n` acquisitions and records the tickets granted so far. */
function queue(limiter: RateLimiter, n: number, bucket = 'app') {
  const granted: number[] = [];
  for (let i = 0; i < n; i++) void limiter.acquire(bucket).then((t) => granted.push(t));
  return granted;
}

describe('RateLimiter', () => {
  it('probes with one request until a response tells the bucket state', async () => {
    const limiter = new RateLimiter({ clock: new FakeClock(), concurrency: 10 });
    const granted = queue(limiter, 5);
    await flush();
    expect(granted).toEqual([1]);
    limiter.release('app', 1, headers(100, 99));
    await flush();
    expect(granted).toHaveLength(5);
  });

  it('never lets more through than the bucket holds (keeping one point in reserve), then refills at limit/min', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 100 });
    const granted = queue(limiter, 20);
    await flush();
    limiter.release('app', granted[0]!, headers(60, 5)); // 60/min = 1 per second
    await flush();
    expect(granted).toHaveLength(5); // probe + 4 (5 remaining, 1 kept)
    clock.advance(999);
    await flush();
    expect(granted).toHaveLength(5);
    clock.advance(1);
    await flush();
    expect(granted).toHaveLength(6);
    clock.advance(3000);
    await flush();
    expect(granted).toHaveLength(9);
  });

  it('re-syncs from headers, discounting requests dispatched later and still in flight', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 100 });
    const granted = queue(limiter, 30);
    await flush();
    limiter.release('app', 1, headers(600, 12));
    await flush();
    expect(granted).toHaveLength(12); // 1 + 11 in flight (tickets 2..12), 1 point left in reserve
    // Ticket 2 answers: the server saw 10 remaining, 10 later tickets are still in flight → 0 left.
    limiter.release('app', 2, headers(600, 10));
    await flush();
    expect(granted).toHaveLength(12);
    // An older answer arriving late is ignored.
    limiter.release('app', 1, headers(600, 500));
    await flush();
    expect(granted).toHaveLength(12);
    expect(limiter.state('app')).toMatchObject({ limit: 600, remaining: 10 });
  });

  it('bounds concurrency over all buckets', async () => {
    const limiter = new RateLimiter({ clock: new FakeClock(), concurrency: 3 });
    const a = queue(limiter, 5, 'app');
    const b = queue(limiter, 5, 'user:1');
    await flush();
    limiter.release('app', a[0]!, headers(800, 700));
    limiter.release('user:1', b[0]!, headers(800, 700));
    await flush();
    expect(limiter.inFlight).toBe(3);
  });

  it('blocks a bucket until its reset after an empty-bucket 429', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 10 });
    const granted = queue(limiter, 3);
    await flush();
    limiter.release('app', 1, headers(800, 0));
    limiter.block('app', clock.now() + 5000);
    await flush();
    expect(granted).toHaveLength(1);
    clock.advance(4999);
    await flush();
    expect(granted).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(granted).toHaveLength(3);
  });

  it('falls back to the concurrency bound when responses carry no headers', async () => {
    const limiter = new RateLimiter({ clock: new FakeClock(), concurrency: 4 });
    const granted = queue(limiter, 10);
    await flush();
    limiter.release('app', 1, { limit: null, remaining: null, resetAt: null });
    await flush();
    expect(granted).toHaveLength(5);
    expect(limiter.inFlight).toBe(4);
  });

  it('removes aborted waiters and rejects queued ones on close', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 1 });
    await limiter.acquire('app');
    const controller = new AbortController();
    const aborted = limiter.acquire('app', controller.signal);
    const closed = limiter.acquire('app');
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    limiter.close(new AbortError('closed'));
    await expect(closed).rejects.toThrow('closed');
    expect(clock.pending).toBe(0);
  });

  it('drops idle, refilled user buckets instead of keeping one per user id forever', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 100, pruneAbove: 10 });
    const use = async (key: string, remaining: number): Promise<void> => {
      const ticket = await limiter.acquire(key);
      limiter.release(key, ticket, headers(60, remaining));
    };
    for (let i = 0; i < 10; i++) await use(`user:${i}`, 59);
    // A bucket with a request in flight is never dropped, nor one that is not refilled yet.
    const busy = await limiter.acquire('user:busy');
    await use('user:drained', 0);
    expect(limiter.bucketCount).toBe(12);
    await use('user:extra', 59);
    expect(limiter.bucketCount).toBe(13);
    clock.advance(60_000); // every bucket but the busy one is full again
    for (let i = 0; i < 30; i++) await use(`user:new-${i}`, 59);
    // The 12 refilled ones were dropped when the count passed the threshold; the busy one and the new ones stay.
    expect(limiter.bucketCount).toBe(31);
    expect(limiter.state('user:busy')).not.toBeNull();
    expect(limiter.state('user:0')).toBeNull();
    limiter.release('user:busy', busy, headers(60, 59));
    // A dropped user starts again with a probe and works as before.
    await use('user:0', 59);
    expect(limiter.state('user:0')).toMatchObject({ limit: 60, remaining: 59 });
  });

  it('parses headers and ignores bad values', () => {
    const h = new Headers({
      'Ratelimit-Limit': '800',
      'Ratelimit-Remaining': '-3',
      'Ratelimit-Reset': '1700000000',
    });
    expect(parseRateLimitHeaders(h)).toEqual({ limit: 800, remaining: null, resetAt: 1_700_000_000_000 });
    expect(parseRateLimitHeaders(new Headers())).toEqual({ limit: null, remaining: null, resetAt: null });
  });
});
