/**
 * A burst of 2,000 requests against an emulator bucket that cannot absorb it (1,800 points a minute: 200 requests
 * too many, refilled at 30 points a second) gets zero 429 responses. The emulator's own counters are the proof: it
 * accepted all 2,000 with an 1,800-point bucket, so the client spread them over at least the ~7 s the refill needs,
 * with no 429 to tell it to.
 *
 * The emulator and the client share one manual clock, moved forward only while the client has nothing in flight
 * (everything it has left is waiting for the bucket). So the test takes no 7 real seconds, and a client without a
 * working limiter fails it whatever the speed of the machine: it would send all 2,000 at the same instant, and 200
 * of them would get a 429.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { HelixClient } from '../../src/helix/client.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

const BUCKET = 1_800;
const BURST = 2_000;

const clock = new FakeClock(Date.now());
let emu: Emulator;
beforeAll(async () => {
  emu = await Emulator.start({ port: 0, rateLimitPerMinute: BUCKET, now: () => clock.now() });
});
afterAll(async () => {
  await emu.close();
});

// 30 s: 2,000 real HTTP requests through the emulator, stepped 100 fake ms at a time once the client is quiet.
it(
  'a burst of 2,000 requests over a smaller bucket: zero 429, requests queued',
  { timeout: 30_000 },
  async () => {
    const app = emu.registerClient(); // a fresh client id: its own, full, app bucket
    const o = emu.clientOptions();
    const helix = new HelixClient({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
      concurrency: 32,
      clock,
    });
    try {
      await helix.http.auth.getAccessToken({ kind: 'app' });
      const before = emu.state().helix;
      const startedBefore = helix.http.stats.requests;
      let settled = 0;
      const burst = Promise.all(
        Array.from({ length: BURST }, () => helix.eventSub.getConduits().finally(() => settled++)),
      );
      // Time moves only when every request the client started has reached the emulator and nothing new started
      // for 5 ms: the rest is waiting for the bucket. Then 100 ms at a time. (A heuristic that only decides when to
      // move the fake clock: a wrong guess costs speed, never a wrong verdict.)
      let lastSeen = -1;
      let lastAt = 0;
      const quiet = (): boolean => {
        if (settled === BURST) return true;
        if (Date.now() - lastAt < 5) return false;
        const received = emu.state().helix.requests - before.requests;
        const started = helix.http.stats.requests - startedBefore;
        const still = received === started && received === lastSeen;
        lastSeen = received;
        lastAt = Date.now();
        return still;
      };
      let fakeMs = 0;
      for (;;) {
        await until(quiet, 'the burst to wait on the bucket, or to end');
        if (settled === BURST) break;
        clock.advance(100);
        fakeMs += 100;
      }
      const results = await burst;
      const after = emu.state().helix;
      expect(fakeMs).toBeGreaterThanOrEqual(6_000); // the ~6.7 s the refill of 200 points needs

      expect(results).toHaveLength(BURST);
      expect(results.every((conduits) => Array.isArray(conduits))).toBe(true);
      expect(after.requests - before.requests).toBe(BURST); // each request sent once: no 429 retried behind our back
      expect(after.rate_limited - before.rate_limited).toBe(0);
      expect(helix.http.stats.rateLimitWaits).toBe(0); // never told to wait by a 429
      const state = helix.http.rateLimitState();
      expect(state?.limit).toBe(BUCKET);
      expect(state?.remaining).toBeLessThan(100); // the burst really ran the bucket down to its floor
    } finally {
      helix.close();
    }
  },
);
