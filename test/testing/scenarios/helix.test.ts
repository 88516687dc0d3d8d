/**
 * Scenario `helixBurst`: deterministic Helix 5xx and 429 bursts. A correct client retries an idempotent request
 * after a 5xx with backoff (a 503 once for any request, Twitch's rule), waits for `Ratelimit-Reset` after a 429
 * that says the bucket is empty (never sooner), and an AutoClient still starts through such bursts.
 * The HelixClient runs on a fake clock, so that its waits are seen as pending timers, not slept through.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HelixClient } from '../../../src/helix/index.js';
import { helixBurst } from '../../../src/testing/index.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';
import { Harness, conduitClient } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

/** Each request in flight holds a timeout timer on the clock: this delay tells it from a wait. */
const REQUEST_TIMEOUT_MS = 60_000;

/** The clock's waits (backoff, rate limit), the requests' timeout timers aside. */
function waits(clock: FakeClock): number[] {
  return clock.delays().filter((d) => d !== REQUEST_TIMEOUT_MS);
}

async function helixOn(clock: FakeClock) {
  const emu = await h.start();
  const opts = emu.clientOptions();
  const helix = new HelixClient({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    helixUrl: opts.helixUrl,
    oauthUrl: opts.oauthUrl,
    clock,
    retryBackoff: { initialMs: 100, maxMs: 1000 },
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  h.track({
    close: () => {
      helix.close();
    },
  });
  await helix.eventSub.getConduits(); // the app token is fetched: later requests are Helix only
  return { emu, helix };
}

describe('helixBurst', () => {
  it('5xx on a GET: the HelixClient retries each after a backoff delay, then succeeds', async () => {
    const clock = new FakeClock(Date.now());
    const { emu, helix } = await helixOn(clock);
    const burst = helixBurst(emu, { count: 2, status: 500, method: 'GET', path: '/eventsub/conduits' });
    const call = helix.eventSub.getConduits();
    for (let i = 0; i < 2; i++) {
      // Each failed attempt leaves one backoff timer (full jitter: 0..100·2^i ms), and nothing is sent meanwhile.
      await until(() => waits(clock).length === 1 && clock.pending === 1, `backoff ${String(i + 1)}`);
      expect(waits(clock)[0]).toBeLessThanOrEqual(100 * 2 ** i);
      clock.advance(waits(clock)[0] ?? 0);
    }
    await expect(call).resolves.toEqual([]);
    expect(await burst).toEqual({
      status: 500,
      complete: true,
      requests: [
        { method: 'GET', path: '/eventsub/conduits' },
        { method: 'GET', path: '/eventsub/conduits' },
      ],
    });
    expect(helix.http.stats.retries).toBe(2);
  });

  it('503 on a POST: retried once (Twitch: "503: retry once"), a second 503 is the caller\'s', async () => {
    const clock = new FakeClock(Date.now());
    const { emu, helix } = await helixOn(clock);
    void helixBurst(emu, { count: 2, status: 503, method: 'POST' });
    const call = helix.eventSub.createConduit({ shardCount: 1 });
    await until(() => waits(clock).length === 1 && clock.pending === 1, 'the one retry');
    clock.advance(waits(clock)[0] ?? 0);
    await expect(call).rejects.toMatchObject({ status: 503 });
    expect(emu.state().conduits).toEqual([]);
  });

  it('429: the HelixClient waits for Ratelimit-Reset before it tries again', async () => {
    const clock = new FakeClock(Date.now());
    const { emu, helix } = await helixOn(clock);
    const burst = helixBurst(emu, { count: 1, status: 429, resetAfterMs: 5000 });
    const call = helix.eventSub.getConduits();
    expect((await burst).requests).toEqual([{ method: 'GET', path: '/eventsub/conduits' }]);
    await until(() => waits(clock).some((d) => d >= 5000), 'the wait for the reset');
    // Ratelimit-Reset is whole seconds at least 5 s ahead: the client waits that long on its own clock, and
    // nothing else is scheduled (no request in flight) until then.
    // (`waits` are ascending: the reset first, then the limiter's longest-wait bound.)
    const wait = waits(clock)[0] ?? 0;
    expect(wait).toBeGreaterThanOrEqual(5000);
    expect(wait).toBeLessThanOrEqual(6000);
    clock.advance(wait - 1);
    expect(clock.delays()).toContain(wait);
    expect(clock.delays()).not.toContain(REQUEST_TIMEOUT_MS);
    clock.advance(1);
    await expect(call).resolves.toEqual([]);
    expect(helix.http.stats.rateLimitWaits).toBe(1);
  });

  it('the AutoClient starts through a 503 and a 429 on subscription creation', async () => {
    const emu = await h.start();
    const burst503 = helixBurst(emu, { count: 1, status: 503, path: '/eventsub/subscriptions' });
    const burst429 = helixBurst(emu, {
      count: 1,
      status: 429,
      path: '/eventsub/subscriptions',
      resetAfterMs: 0,
    });
    const { events } = await conduitClient(h, { subs: 1 });
    expect((await burst503).complete).toBe(true);
    expect((await burst429).complete).toBe(true);
    expect(emu.state().subscriptions.map((s) => s.status)).toEqual(['enabled']);
    emu.trigger({ type: 'stream.online' });
    await until(() => events.size === 1, 'the event');
  });

  it('refuses a malformed burst naming the field', async () => {
    const emu = await h.start();
    await expect(helixBurst(emu, { count: 0, status: 503 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'count',
    });
    await expect(helixBurst(emu, { count: 1, status: 404 as 503 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'status',
    });
    await expect(helixBurst(emu, { count: 1, status: 503, path: 'users' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'path',
    });
  });
});
