/**
 * The leadership gate of the ownership strategy, over the real emulator: a follower creates no conduit, makes no
 * subscription and no `conduit.shard.disabled` watch; the leader does.
 */
import { afterEach, expect, it } from 'vitest';
import type { ConduitWork, OwnershipStrategy } from '../../../src/eventsub/conduit/index.js';
import { Harness, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

function led(isLeader: boolean, asked: ConduitWork[]): OwnershipStrategy {
  return {
    requiredShardCount: 1,
    start: (ctx) => ctx.grant(['0']),
    leader: (work) => {
      asked.push(work);
      return isLeader;
    },
  };
}

it('a follower never creates a conduit', async () => {
  const emu = await h.start();
  const asked: ConduitWork[] = [];
  const follower = h.client({ ownership: led(false, asked) });
  const error = await follower.start().catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'CONDUIT_NOT_FOUND' });
  expect(asked).toEqual(['create']);
  expect(emu.state().conduits).toEqual([]);
});

it('a follower leaves subscriptions and the disabled watch to the leader', async () => {
  const emu = await h.start();
  const subscriptions = streamOnline(emu, 3);
  const leaderAsked: ConduitWork[] = [];
  const leader = h.client({ ownership: led(true, leaderAsked), subscriptions, watchShardDisabled: true });
  await leader.start();
  const conduitId = leader.conduitInfo.id ?? '';
  expect(leaderAsked).toEqual(['create', 'subscribe', 'watchDisabled']);
  const count = emu.state().subscriptions.length;
  expect(count).toBe(4); // 3 stream.online + conduit.shard.disabled

  const asked: ConduitWork[] = [];
  const follower = h.client({
    conduitId,
    ownership: { ...led(false, asked), start: () => undefined },
    subscriptions,
    forceSubscribe: true,
    watchShardDisabled: true,
  });
  const ready = new Promise<unknown>((resolve) =>
    follower.once('ready', (info) => {
      resolve(info.subscriptions);
    }),
  );
  await follower.start();
  expect(asked).toEqual(['subscribe', 'watchDisabled']);
  expect(await ready).toBeNull();
  expect(emu.state().subscriptions.length).toBe(count);
});
