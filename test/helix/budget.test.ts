/**
 * The Helix client's budget seam (HelixHttpOptions.budget) against the real emulator: a scripted budget stands for
 * the fleet's (the Redis one is tested in test/fleet/). Emulator and client share one manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../src/emulator/index.js';
import { HelixClient } from '../../src/helix/client.js';
import type { HelixBudget, HelixBudgetGrant } from '../../src/helix/budget.js';
import type { RateLimitHeaders } from '../../src/helix/rate-limit-headers.js';
import { RateLimitWaitError } from '../../src/helix/errors.js';
import { AbortError, type TwitchError } from '../../src/core/errors.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

type Answer = HelixBudgetGrant | null | Error;

/** A budget that answers what the test says (`answer`), and records what it is told. */
class ScriptedBudget implements HelixBudget {
  next = 1;
  readonly asked: number[] = [];
  readonly observed: { bucket: string; ticket: number; headers: RateLimitHeaders; status: number }[] = [];
  answer: (count: number) => Answer = (count) => this.grant(count);

  grant(count: number): HelixBudgetGrant {
    const grant = { granted: count, ticket: this.next, retryAfterMs: 0 };
    this.next += count;
    return grant;
  }

  take(_bucket: string, count: number): Promise<HelixBudgetGrant | null> {
    this.asked.push(count);
    const answer = this.answer(count);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  observe(bucket: string, ticket: number, headers: RateLimitHeaders, status: number): void {
    this.observed.push({ bucket, ticket, headers, status });
  }
}

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function setup(
  budget: HelixBudget,
  emuOptions: { rateLimitPerMinute?: number; rateLimitWindowMs?: number } = {},
  extra: { maxRateLimitWaitMs?: number; logger?: Logger } = {},
): Promise<{ emu: Emulator; helix: HelixClient; clock: FakeClock }> {
  const clock = new FakeClock(Date.now());
  const emu = await Emulator.start({
    port: 0,
    rateLimitPerMinute: 800,
    ...emuOptions,
    now: () => clock.now(),
  });
  open.push(emu);
  const app = emu.registerClient();
  const o = emu.clientOptions();
  const helix = new HelixClient({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    helixUrl: o.helixUrl,
    oauthUrl: o.oauthUrl,
    clock,
    budget,
    ...extra,
  });
  open.push(helix);
  await helix.http.auth.getAccessToken({ kind: 'app' });
  return { emu, helix, clock };
}

describe('HelixHttpOptions.budget', () => {
  it("takes a point before each request and hands the response's headers back with its ticket", async () => {
    const budget = new ScriptedBudget();
    const { helix } = await setup(budget);
    for (let i = 0; i < 3; i++) await helix.eventSub.getConduits();
    expect(budget.observed.map((o) => o.ticket)).toEqual([1, 2, 3]);
    expect(budget.observed.map((o) => o.headers.remaining)).toEqual([799, 798, 797]);
    expect(
      budget.observed.every((o) => o.bucket === 'app' && o.status === 200 && o.headers.limit === 800),
    ).toBe(true);
  });

  it('requests the budget holds wait on one timer (not one each), then go', async () => {
    const budget = new ScriptedBudget();
    budget.answer = () => ({ granted: 0, ticket: 0, retryAfterMs: 500 });
    const { emu, helix, clock } = await setup(budget);
    const before = emu.state().helix.requests;
    const all = Promise.all(Array.from({ length: 20 }, () => helix.eventSub.getConduits()));
    await until(() => budget.asked.length === 1, 'the budget to be asked');
    expect(budget.asked).toEqual([1]); // the first request asks alone; the others queue behind it
    await until(() => clock.pending === 1, 'the gate to park its queue on one timer');
    expect(clock.delays()).toEqual([500]);
    expect(emu.state().helix.requests).toBe(before);
    budget.answer = (count) => budget.grant(count);
    clock.advance(500);
    await all;
    // 20 requests, points taken in batches of at most 16.
    expect(budget.asked).toEqual([1, 16, 4]);
    expect(emu.state().helix.requests - before).toBe(20);
    expect(clock.pending).toBe(0);
  });

  it("a request the budget granted is not held by the local limiter's own estimate", async () => {
    // The emulator refills its 100 points in 1 s; the local limiter believes Twitch's minute. After the whole bucket
    // is spent and 1 s has passed, the budget (which knows better) lets 90 requests go at once: the local estimate
    // (1.7 points back, 2 needed with its reserve) would hold even the first of them until the clock moves again.
    const budget = new ScriptedBudget();
    const { emu, helix, clock } = await setup(budget, { rateLimitPerMinute: 100, rateLimitWindowMs: 1_000 });
    for (let i = 0; i < 100; i++) await helix.eventSub.getConduits(); // one at a time: the last says 0 remain
    expect(helix.http.rateLimitState()?.remaining).toBe(0);
    expect(emu.state().helix.rate_limited).toBe(0);
    clock.advance(1_000);
    const before = emu.state().helix;
    await Promise.all(Array.from({ length: 90 }, () => helix.eventSub.getConduits()));
    const after = emu.state().helix;
    expect(after.requests - before.requests).toBe(90);
    expect(after.rate_limited - before.rate_limited).toBe(0);
  });

  it('a budget that cannot answer (null): the local limiter paces the request, as without a budget', async () => {
    const budget = new ScriptedBudget();
    budget.answer = () => null;
    const { emu, helix, clock } = await setup(budget, { rateLimitPerMinute: 5 });
    // A probe, then the bucket known: 5 points, 1 kept in reserve by the local limiter.
    for (let i = 0; i < 4; i++) await helix.eventSub.getConduits();
    const fifth = helix.eventSub.getConduits();
    // The local limiter holds it for the refill (no 429 asked for): a timer, and nothing sent.
    await until(() => clock.pending > 0, 'the local limiter to hold the fifth request');
    const before = emu.state().helix.requests;
    expect(emu.state().helix.rate_limited).toBe(0);
    clock.advance(60_000);
    await fifth;
    expect(emu.state().helix.requests).toBe(before + 1);
    expect(emu.state().helix.rate_limited).toBe(0);
    expect(budget.observed).toEqual([]); // no point, no ticket to report
  });

  it('a budget that throws is reported through the logger and paced locally', async () => {
    const budget = new ScriptedBudget();
    budget.answer = () => new Error('store down');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const { helix } = await setup(budget, {}, { logger });
    await helix.eventSub.getConduits();
    expect(warnings).toContain('helix budget failed; pacing locally');
  });

  it('a grant of the wrong shape is reported and paced locally (never a timer of NaN ms, never a hang)', async () => {
    for (const bad of [
      { granted: 0, ticket: 1, retryAfterMs: Number.NaN },
      { granted: Number.NaN, ticket: 1, retryAfterMs: 0 },
      { granted: 1, ticket: Number.NaN, retryAfterMs: 0 },
      { granted: 0, ticket: 1, retryAfterMs: -5 },
      'grant',
      {},
    ]) {
      const budget = new ScriptedBudget();
      budget.answer = () => bad as unknown as HelixBudgetGrant;
      const warnings: string[] = [];
      const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
      const { emu, helix, clock } = await setup(budget, {}, { logger });
      const before = emu.state().helix.requests;
      await helix.eventSub.getConduits();
      expect(emu.state().helix.requests).toBe(before + 1);
      expect(warnings).toContain('helix budget answered a grant of the wrong shape; pacing locally');
      expect(budget.observed).toEqual([]); // paced locally: no ticket to hand back
      expect(clock.pending).toBe(0);
    }
  });

  it('a budget whose observe() throws does not fail the request (reported through the logger)', async () => {
    const budget = new ScriptedBudget();
    budget.observe = () => {
      throw new Error('observe broke');
    };
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const { helix } = await setup(budget, {}, { logger });
    await helix.eventSub.getConduits();
    expect(warnings).toContain('helix budget failed to observe a response');
  });

  it('a wait past maxRateLimitWaitMs is refused at once with RATE_LIMIT_WAIT_TOO_LONG', async () => {
    const budget = new ScriptedBudget();
    budget.answer = () => ({ granted: 0, ticket: 0, retryAfterMs: 10_000 });
    const { emu, helix, clock } = await setup(budget, {}, { maxRateLimitWaitMs: 5_000 });
    const before = emu.state().helix.requests;
    const error = (await helix.eventSub.getConduits().catch((e: unknown) => e)) as TwitchError;
    expect(error).toBeInstanceOf(RateLimitWaitError);
    expect(error.code).toBe('RATE_LIMIT_WAIT_TOO_LONG');
    expect(emu.state().helix.requests).toBe(before);
    expect(clock.pending).toBe(0);
  });

  it('an abort while waiting for the budget rejects with AbortError and leaves no timer', async () => {
    const budget = new ScriptedBudget();
    budget.answer = () => ({ granted: 0, ticket: 0, retryAfterMs: 500 });
    const { helix, clock } = await setup(budget);
    const controller = new AbortController();
    const request = helix.http.request({
      method: 'GET',
      path: '/eventsub/conduits',
      signal: controller.signal,
    });
    await until(() => clock.pending === 1, 'the gate to park the request');
    controller.abort();
    await expect(request).rejects.toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
  });

  it('close() rejects the requests waiting for the budget', async () => {
    const budget = new ScriptedBudget();
    budget.answer = () => ({ granted: 0, ticket: 0, retryAfterMs: 500 });
    const { helix, clock } = await setup(budget);
    const request = helix.eventSub.getConduits();
    await until(() => clock.pending === 1, 'the gate to park the request');
    helix.close();
    await expect(request).rejects.toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
  });
});
