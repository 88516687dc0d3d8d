/**
 * Issue 14 items 2 and 6: a rate-limit wait is bounded. A server-supplied `Ratelimit-Reset` is clamped before it
 * reaches a timer (Node fires any timer above 2^31-1 ms after 1 ms: a reset 10^9 s ahead spun forever), and a wait
 * longer than `maxRateLimitWaitMs` (a reset an hour ahead, `Ratelimit-Limit: 0`) fails with a typed error instead of
 * leaving requests pending. Unit tests on a fake clock, then a scripted Helix over a real socket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HelixClient, type HelixClientOptions } from '../../src/helix/client.js';
import { RateLimitWaitError } from '../../src/helix/errors.js';
import { HTTPError } from '../../src/core/http-errors.js';
import { MAX_TIMER_MS } from '../../src/core/duration.js';
import { clampResetAt, parseRateLimitHeaders, RateLimiter } from '../../src/helix/rate-limiter.js';
import { StaticAuthProvider } from '../../src/auth/app-token-provider.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import type { TimerHandle } from '../../src/core/clock.js';
import { okHeaders, ScriptedServer } from './scripted-server.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

const flush = () => new Promise((r) => setImmediate(r));

/** A fake clock that records the delay of every timer it is asked for. */
class RecordingClock extends FakeClock {
  readonly requested: number[] = [];
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    this.requested.push(ms);
    return super.setTimeout(fn, ms);
  }
}

describe('RateLimiter bounds (fake clock)', () => {
  it('refuses the queue of a bucket blocked past maxWaitMs, schedules no timer, then probes again', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 10, maxWaitMs: 120_000 });
    const first = await limiter.acquire('app');
    const queued = [limiter.acquire('app'), limiter.acquire('app')].map((p) => p.catch((e: unknown) => e));
    limiter.release('app', first, { limit: 800, remaining: 0, resetAt: clock.now() + 3_600_000 });
    limiter.block('app', clock.now() + 3_600_000);
    const outcomes = await Promise.all(queued);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(RateLimitWaitError);
      expect(outcome).toMatchObject({
        code: 'RATE_LIMIT_WAIT_TOO_LONG',
        bucket: 'app',
        waitMs: 3_600_000,
        maxWaitMs: 120_000,
        rateLimit: { limit: 800, remaining: 0 },
      });
    }
    expect(clock.pending).toBe(0);
    // The claim is forgotten: the next request goes out at once, alone (a probe).
    expect(limiter.state('app')).toMatchObject({ limit: null, remaining: null, resetAt: null });
    const probe = await limiter.acquire('app');
    let second = false;
    void limiter.acquire('app').then(() => (second = true));
    await flush();
    expect(second).toBe(false);
    limiter.release('app', probe, { limit: 800, remaining: 799, resetAt: null });
    await flush();
    expect(second).toBe(true);
  });

  it('waits out a block within maxWaitMs as before', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 10, maxWaitMs: 120_000 });
    const first = await limiter.acquire('app');
    limiter.release('app', first, { limit: 800, remaining: 0, resetAt: null });
    limiter.block('app', clock.now() + 120_000);
    let granted = false;
    void limiter.acquire('app').then(() => (granted = true));
    clock.advance(119_999);
    await flush();
    expect(granted).toBe(false);
    clock.advance(1);
    await flush();
    expect(granted).toBe(true);
  });

  it('Ratelimit-Limit 0: waits for a near reset then probes; a reset past the bound refuses; no reset probes at once', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 10, maxWaitMs: 120_000 });
    const zero = (resetAt: number | null) => ({ limit: 0, remaining: 0, resetAt });

    limiter.release('app', await limiter.acquire('app'), zero(clock.now() + 30_000));
    let granted = false;
    void limiter.acquire('app').then((t) => {
      granted = true;
      limiter.release('app', t, zero(clock.now() + 3_600_000));
    });
    clock.advance(29_999);
    await flush();
    expect(granted).toBe(false);
    clock.advance(1);
    await flush();
    expect(granted).toBe(true);

    // The answer said 0 again, with a reset an hour ahead: refused at once, nothing scheduled.
    await expect(limiter.acquire('app')).rejects.toMatchObject({ code: 'RATE_LIMIT_WAIT_TOO_LONG' });
    expect(clock.pending).toBe(0);

    // Limit 0 and no reset: each request goes out as a probe (it used to poll every second forever).
    const probe = await limiter.acquire('app');
    limiter.release('app', probe, zero(null));
    const next = await limiter.acquire('app');
    limiter.release('app', next, zero(null));
    expect(clock.pending).toBe(0);
  });

  it('never asks a timer for more than 2^31-1 ms, whatever the bound and the reset', async () => {
    const clock = new RecordingClock();
    const limiter = new RateLimiter({ clock, concurrency: 10, maxWaitMs: MAX_TIMER_MS });
    const first = await limiter.acquire('app');
    const farReset = parseRateLimitHeaders(
      new Headers({
        'ratelimit-limit': '800',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(clock.now() / 1000 + 1e9),
      }),
      clock.now(),
    ).resetAt!;
    limiter.release('app', first, { limit: 800, remaining: 0, resetAt: farReset });
    limiter.block('app', farReset);
    const waiting = limiter.acquire('app').catch((e: unknown) => e);
    await flush();
    expect(clock.requested.length).toBeGreaterThan(0);
    expect(Math.max(...clock.requested)).toBeLessThanOrEqual(MAX_TIMER_MS);
    limiter.close(new Error('closed'));
    expect(await waiting).toMatchObject({ message: 'closed' });
  });

  it('clamps Ratelimit-Reset where it is parsed, and refuses non-integer counts', () => {
    const now = 1_700_000_000_000;
    expect(clampResetAt('1700000030', now)).toBe(1_700_000_030_000);
    expect(clampResetAt(String(now / 1000 + 1e9), now)).toBe(now + MAX_TIMER_MS);
    expect(clampResetAt('1e300', now)).toBe(now + MAX_TIMER_MS);
    for (const bad of ['Infinity', 'NaN', '-1', 'soon', '', ' ']) expect(clampResetAt(bad, now)).toBeNull();
    expect(clampResetAt(null, now)).toBeNull();
    const parsed = parseRateLimitHeaders(
      new Headers({
        'ratelimit-limit': '0.0001',
        'ratelimit-remaining': '1e400',
        'ratelimit-reset': '1e300',
      }),
      now,
    );
    expect(parsed).toEqual({ limit: null, remaining: null, resetAt: now + MAX_TIMER_MS });
  });

  it('refuses a request still queued after maxWaitMs, whatever held it, with one timer for the whole queue', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 10, maxWaitMs: 120_000 });
    // A healthy bucket of one point a minute: each request waits a minute more than the one before.
    limiter.release('app', await limiter.acquire('app'), { limit: 1, remaining: 0, resetAt: null });
    const settled: { at: number; outcome: unknown }[] = [];
    const queued = Array.from({ length: 100 }, () =>
      limiter.acquire('app').then(
        (ticket) => {
          settled.push({ at: clock.now(), outcome: 'granted' });
          limiter.release('app', ticket, { limit: 1, remaining: 0, resetAt: null });
        },
        (error: unknown) => settled.push({ at: clock.now(), outcome: error }),
      ),
    );
    // The bucket's wake-up and the deadline timer: not one timer per request.
    expect(clock.pending).toBe(2);
    clock.advance(60_000);
    await flush();
    expect(settled).toEqual([{ at: 1_700_000_060_000, outcome: 'granted' }]);
    clock.advance(60_000);
    await Promise.all(queued);
    expect(settled).toHaveLength(100);
    const refused = settled.slice(1);
    for (const { at, outcome } of refused) {
      expect(at).toBe(1_700_000_120_000);
      expect(outcome).toBeInstanceOf(RateLimitWaitError);
      expect(outcome).toMatchObject({ code: 'RATE_LIMIT_WAIT_TOO_LONG', bucket: 'app', waitMs: 120_000 });
    }
    expect((refused[0]!.outcome as Error).message).toContain('waited 120000 ms in the queue');
    // The bucket's claim was fine: it is not forgotten, and nothing is left scheduled.
    expect(limiter.state('app')).toMatchObject({ limit: 1 });
    expect(clock.pending).toBe(0);
  });

  it('bounds a wait behind the concurrency bound, and counts the time already waited', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 1, maxWaitMs: 30_000 });
    const held = await limiter.acquire('app'); // never released: a request that hangs
    const behind = limiter.acquire('user:1').catch((e: unknown) => e);
    const retried = limiter.acquire('app', { waitedMs: 25_000 }).catch((e: unknown) => e);
    clock.advance(5_000);
    expect(await retried).toMatchObject({ code: 'RATE_LIMIT_WAIT_TOO_LONG', waitMs: 30_000 });
    clock.advance(24_999);
    await flush();
    let done = false;
    void behind.then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    clock.advance(1);
    expect(await behind).toMatchObject({
      code: 'RATE_LIMIT_WAIT_TOO_LONG',
      bucket: 'user:1',
      waitMs: 30_000,
    });
    expect(clock.pending).toBe(0);
    limiter.release('app', held, null);
  });

  it('clears the deadline timer once the queue is empty (an idle process exits)', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, concurrency: 1, maxWaitMs: 120_000 });
    const first = await limiter.acquire('app');
    const controller = new AbortController();
    const second = limiter.acquire('app', controller.signal).catch((e: unknown) => e);
    const third = limiter.acquire('app');
    expect(clock.pending).toBe(1); // one deadline timer for both
    controller.abort();
    expect(await second).toMatchObject({ code: 'ABORTED' });
    limiter.release('app', first, null);
    limiter.release('app', await third, null);
    expect(clock.pending).toBe(0);
  });

  it('validates maxWaitMs', () => {
    for (const bad of [0, -1, Number.NaN, Infinity, 2 ** 31, '5' as unknown as number]) {
      expect(() => new RateLimiter({ clock: new FakeClock(), concurrency: 1, maxWaitMs: bad })).toThrow(
        InvalidArgumentError,
      );
    }
  });
});

describe('HelixClient rate-limit bounds (scripted server)', () => {
  let scripted: ScriptedServer;
  const clients: HelixClient[] = [];
  beforeAll(async () => {
    scripted = await ScriptedServer.start();
  });
  afterAll(async () => {
    await scripted.close();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  function client(extra: Partial<HelixClientOptions> = {}): HelixClient {
    const helix = new HelixClient({
      clientId: 'cid',
      auth: new StaticAuthProvider({ clientId: 'cid', appToken: 'app-token-0123456789' }),
      helixUrl: scripted.url,
      retryBackoff: { initialMs: 1, maxMs: 5 },
      ...extra,
    });
    clients.push(helix);
    return helix;
  }

  const tooMany = (resetSeconds: number) => ({
    status: 429,
    headers: {
      'ratelimit-limit': '800',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(resetSeconds),
    },
    body: { error: 'Too Many Requests', status: 429, message: '' },
  });

  it('a 429 with Ratelimit-Reset 1e9 s ahead settles at once with RATE_LIMIT_WAIT_TOO_LONG', async () => {
    const clock = new RecordingClock(Date.now());
    const helix = client({ clock });
    scripted.script(tooMany(Math.floor(clock.now() / 1000) + 1e9));
    const error = await helix.eventSub.getConduits().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitWaitError);
    const wait = error as RateLimitWaitError;
    expect(wait.code).toBe('RATE_LIMIT_WAIT_TOO_LONG');
    expect(wait.waitMs).toBe(MAX_TIMER_MS);
    expect(wait.maxWaitMs).toBe(120_000);
    expect(wait.cause).toBeInstanceOf(HTTPError);
    expect((wait.cause as HTTPError).status).toBe(429);
    expect(scripted.requests).toHaveLength(1);
    expect(clock.pending).toBe(0);
    expect(Math.max(...clock.requested)).toBeLessThanOrEqual(MAX_TIMER_MS);
  });

  it('a 429 with its reset an hour ahead fails at once; one within the bound is waited for', async () => {
    const clock = new FakeClock(Date.now());
    const helix = client({ clock, maxRateLimitWaitMs: 60_000 });
    scripted.script(tooMany(Math.floor(clock.now() / 1000) + 3600));
    const error = (await helix.eventSub.getConduits().catch((e: unknown) => e)) as RateLimitWaitError;
    expect(error.code).toBe('RATE_LIMIT_WAIT_TOO_LONG');
    expect(error.waitMs).toBeGreaterThan(3_599_000);
    expect(error.maxWaitMs).toBe(60_000);
    expect(scripted.requests).toHaveLength(1);
    expect(clock.pending).toBe(0);

    const resetAt = Math.floor(clock.now() / 1000) + 30;
    scripted.script(tooMany(resetAt), { status: 200, headers: okHeaders(), body: { data: [] } });
    const pending = helix.eventSub.getConduits();
    await until(() => helix.http.stats.rateLimitWaits === 2, 'the second rate-limit wait');
    expect(clock.pending).toBe(2); // the bucket wakes up at the reset; the deadline timer fires at the bound
    clock.advance(resetAt * 1000 - clock.now());
    expect(await pending).toEqual([]);
    expect(scripted.requests).toHaveLength(2);
  });

  it('Ratelimit-Limit: 0 with a reset an hour ahead: the next call fails without being sent, the one after probes', async () => {
    const clock = new FakeClock(Date.now());
    const helix = client({ clock });
    const zero = {
      'ratelimit-limit': '0',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(Math.floor(clock.now() / 1000) + 3600),
    };
    scripted.script({ status: 200, headers: zero, body: { data: [] } });
    await helix.eventSub.getConduits();
    await expect(helix.eventSub.getConduits()).rejects.toMatchObject({
      code: 'RATE_LIMIT_WAIT_TOO_LONG',
      bucket: 'app',
      rateLimit: { limit: 0, remaining: 0 },
    });
    expect(scripted.requests).toHaveLength(1);
    expect(clock.pending).toBe(0);
    await helix.eventSub.getConduits();
    expect(scripted.requests).toHaveLength(2);
  });

  it('Ratelimit-Limit: 0 without a reset does not leave requests pending', async () => {
    const clock = new FakeClock(Date.now());
    const helix = client({ clock });
    scripted.script({
      status: 200,
      headers: { 'ratelimit-limit': '0', 'ratelimit-remaining': '0' },
      body: { data: [] },
    });
    // The time never moves: every call completes on its own.
    for (let i = 0; i < 3; i++) await helix.eventSub.getConduits();
    expect(scripted.requests).toHaveLength(3);
  });

  it('Ratelimit-Limit: 1 on every answer: six queued calls end within maxRateLimitWaitMs (they took 300 s)', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    const start = clock.now();
    const helix = client({ clock });
    scripted.script({
      status: 200,
      headers: { 'ratelimit-limit': '1', 'ratelimit-remaining': '0' },
      body: { data: [] },
    });
    const ends: { at: number; code: string }[] = [];
    const calls = Array.from({ length: 6 }, () =>
      helix.eventSub.getConduits().then(
        () => ends.push({ at: clock.now() - start, code: 'ok' }),
        (e: unknown) => ends.push({ at: clock.now() - start, code: (e as RateLimitWaitError).code }),
      ),
    );
    await until(() => ends.length === 1, 'the first call to end');
    clock.advance(60_000);
    await until(() => ends.length === 2, 'the second call to end');
    clock.advance(60_000);
    await Promise.all(calls);
    expect(ends).toEqual([
      { at: 0, code: 'ok' },
      { at: 60_000, code: 'ok' },
      ...Array.from({ length: 4 }, () => ({ at: 120_000, code: 'RATE_LIMIT_WAIT_TOO_LONG' })),
    ]);
    expect(scripted.requests).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('the bound covers a request as a whole: a 429 after a minute in the queue cannot add another 70 s', async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    const helix = client({ clock });
    const limitOne = { 'ratelimit-limit': '1', 'ratelimit-remaining': '0' };
    scripted.script(
      { status: 200, headers: limitOne, body: { data: [] } },
      {
        status: 429,
        headers: { ...limitOne, 'ratelimit-reset': String(clock.now() / 1000 + 130) },
        body: { error: 'Too Many Requests', status: 429, message: '' },
      },
    );
    await helix.eventSub.getConduits();
    const second = helix.eventSub.getConduits().catch((e: unknown) => e);
    await until(() => clock.pending > 0, 'the second call waiting for the bucket');
    clock.advance(60_000);
    const error = (await second) as RateLimitWaitError;
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect(error.waitMs).toBe(130_000);
    expect((error.cause as HTTPError).status).toBe(429);
    expect(scripted.requests).toHaveLength(2);
  });

  it('validates maxRateLimitWaitMs before anything is sent', () => {
    for (const bad of [0, -5, Number.NaN, Infinity, 2 ** 31, '60000' as unknown as number]) {
      let error: unknown;
      try {
        client({ maxRateLimitWaitMs: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).field).toBe('maxRateLimitWaitMs');
    }
  });
});
