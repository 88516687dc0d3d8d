/**
 * The AutoClient's subscription census against the emulator: subscriptions by type, version and status with their
 * cost after the start-up listing, a subscribe counted at once, a revocation moving one from enabled, the periodic
 * listing on the injected clock (one request a page, at most `maxPages`), a partial listing flagged, and `view()`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { AutoClient } from '../../src/eventsub/conduit/auto-client.js';
import { SubscriptionCensus } from '../../src/eventsub/conduit/subscription-census.js';
import { TestClock, startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { until } from '../support/until.js';
import { value } from './metric-value.js';

let twitch: TestTwitch | undefined;
afterEach(async () => {
  await twitch?.close();
  twitch = undefined;
});

const LISTED = 'twitch_realtime_subscription_listings_total';
const BY_STATUS = 'twitch_realtime_subscriptions';

async function started(pageSize: number, maxPages: number) {
  const t = await startTestTwitch({ subscriptionPageSize: pageSize });
  twitch = t;
  const clock = new TestClock(Date.now());
  const { broadcaster, moderator } = t.users;
  const client = t.autoClient({
    subscriptions: [
      {
        type: 'channel.follow',
        version: '2',
        condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
      },
    ],
    clock,
    session: { clock: systemClock },
    reconcileIntervalMs: 0,
    subscriptionListing: { intervalMs: 60_000, maxPages },
  });
  client.on('error', () => undefined);
  await client.start();
  // Nobody looked yet: no listing was sent (the first metrics snapshot starts it).
  await t.drain();
  expect(listRequests(client)).toBe(0);
  await until(() => value(client.metrics(), LISTED, { result: 'ok' }) === 1, 'first listing');
  return { t, client, clock };
}

function listRequests(client: AutoClient): number {
  const endpoint = 'GET /eventsub/subscriptions';
  return value(client.helix.metrics(), 'twitch_realtime_helix_requests_total', {
    endpoint,
    status_class: '2xx',
  });
}

describe('subscription census', () => {
  it('counts by type, version and status with cost; a subscribe and a revocation update it at once', async () => {
    const { t, client } = await started(100, 100);
    const emulated = t.emulator.state().subscriptions;
    let m = client.metrics();
    const follow = { type: 'channel.follow', version: '2', status: 'enabled' };
    expect(value(m, BY_STATUS, follow)).toBe(1);
    const followCost = emulated.find((s) => s.type === 'channel.follow')?.cost ?? NaN;
    expect(value(m, 'twitch_realtime_subscriptions_cost', follow)).toBe(followCost);
    expect(value(m, BY_STATUS, { type: 'conduit.shard.disabled', version: '1', status: 'enabled' })).toBe(1);
    expect(value(m, 'twitch_realtime_subscriptions_all')).toBe(emulated.length);
    const cost = emulated.reduce((sum, s) => sum + s.cost, 0);
    expect(value(m, 'twitch_realtime_subscriptions_total_cost')).toBe(cost);
    expect(value(m, 'twitch_realtime_subscriptions_max_total_cost')).toBeGreaterThan(0);
    expect(value(m, 'twitch_realtime_subscriptions_listing_complete')).toBe(1);

    const { broadcaster } = t.users;
    const { success } = await client.multiSubscribe([
      { type: 'stream.online', version: '1', condition: { broadcasterUserId: broadcaster.id } },
    ]);
    expect(success).toHaveLength(1);
    m = client.metrics();
    expect(value(m, BY_STATUS, { type: 'stream.online', version: '1', status: 'enabled' })).toBe(1);
    expect(value(m, 'twitch_realtime_subscriptions_all')).toBe(emulated.length + 1);

    const id = emulated.find((s) => s.type === 'channel.follow')?.id ?? '';
    const revoked = new Promise<void>((resolve) =>
      client.once('subscriptionRevoked', () => {
        resolve();
      }),
    );
    t.emulator.revokeSubscription(id, 'authorization_revoked');
    await revoked;
    m = client.metrics();
    expect(value(m, BY_STATUS, follow)).toBe(0);
    expect(value(m, BY_STATUS, { ...follow, status: 'authorization_revoked' })).toBe(1);
  });

  it('lists again every intervalMs on the client clock, at most maxPages requests per listing', async () => {
    // Pages of 1 subscription, at most 1 page: the follow and conduit.shard.disabled make the listing partial.
    const { client, clock } = await started(1, 1);
    expect(listRequests(client)).toBe(1);
    expect(value(client.metrics(), 'twitch_realtime_subscriptions_listing_complete')).toBe(0);
    expect(clock.delays()).toContain(60_000);
    clock.advance(60_000);
    await until(() => value(client.metrics(), LISTED, { result: 'ok' }) === 2, 'second listing');
    expect(listRequests(client)).toBe(2);
    // The next one is armed, on the injected clock; close() clears it.
    expect(clock.delays()).toContain(60_000);
    await client.close();
    expect(clock.delays()).not.toContain(60_000);
  });

  it('view(): the counts for the dashboard, also without metrics', async () => {
    const { t, client } = await started(100, 100);
    const closer = new AbortController();
    const errors: Error[] = [];
    const census = new SubscriptionCensus(
      {
        clock: new TestClock(Date.now()),
        signal: closer.signal,
        list: (signal) => client.helix.eventSub.getSubscriptions({}, { signal }),
        report: (error) => errors.push(error),
      },
      null,
      { intervalMs: 0, maxPages: 10 },
    );
    expect(census.view()).toEqual({ counts: [], total: 0, totalCost: 0, maxTotalCost: null, listedAt: null });
    await census.refresh();
    const view = census.view();
    const emulated = t.emulator.state().subscriptions;
    expect(view.total).toBe(emulated.length);
    expect(view.maxTotalCost).toBeGreaterThan(0);
    expect(view.listedAt).not.toBeNull();
    expect(view.counts).toContainEqual({
      type: 'channel.follow',
      version: '2',
      status: 'enabled',
      count: 1,
      cost: emulated.find((s) => s.type === 'channel.follow')?.cost,
    });
    expect(view.counts.reduce((n, c) => n + c.count, 0)).toBe(emulated.length);
    expect(errors).toEqual([]);
    census.close();
  });
});
