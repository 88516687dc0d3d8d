/**
 * Scenario `revokeSubscription`, once per status of the protocol: a correct client reports the revocation with its
 * status (re-creating it would fail: the cause is on Twitch's side or the user's) and gets nothing more for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REVOCATION_STATUSES } from '../../../src/protocol/eventsub.js';
import { revokeSubscription, startTestTwitch } from '../../../src/testing/index.js';
import { until } from '../../support/until.js';
import { Harness, conduitClient } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

describe('revokeSubscription', () => {
  for (const status of REVOCATION_STATUSES) {
    it(`${status}: the AutoClient reports it with the status, and gets no event for it after`, async () => {
      const { emu, client, events } = await conduitClient(h, { subs: 2 });
      const revoked: string[] = [];
      client.on('subscriptionRevoked', (r) => revoked.push(`${r.subscription.id}:${r.subscription.status}`));
      const [sub, other] = emu.state().subscriptions;
      if (sub === undefined || other === undefined) throw new Error('no subscriptions');
      const result = await revokeSubscription(emu, { subscriptionId: sub.id, status });
      expect(result).toEqual({ subscriptionId: sub.id, status, sent: true });
      await until(() => revoked.length === 1, 'the revocation');
      expect(revoked).toEqual([`${sub.id}:${status}`]);
      // Drain: the other subscription's event comes after anything the revoked one could still get.
      emu.trigger({ type: 'stream.online' });
      await until(() => events.size === 1, 'the other subscription event');
      expect(emu.state().counters.notifications_sent).toBe(1);
    });
  }

  it('runs on a TestTwitch as on its emulator, and refuses anything else naming the argument', async () => {
    const twitch = h.track(await startTestTwitch());
    await expect(
      revokeSubscription(twitch, { subscriptionId: 'x', status: 'user_removed' }),
    ).rejects.toMatchObject({ code: 'SUBSCRIPTION_NOT_FOUND' });
    await expect(
      revokeSubscription({ emulator: {} } as never, { subscriptionId: 'x', status: 'user_removed' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'emu' });
  });

  it('refuses an unknown status naming the field', async () => {
    const { emu } = await conduitClient(h);
    await expect(
      revokeSubscription(emu, { subscriptionId: 'x', status: 'bored' as 'user_removed' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'status' });
    await expect(
      revokeSubscription(emu, { subscriptionId: 'x', status: 'user_removed' }),
    ).rejects.toMatchObject({ code: 'SUBSCRIPTION_NOT_FOUND' });
  });
});
