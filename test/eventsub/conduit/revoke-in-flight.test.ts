/**
 * revoke() and an Update Conduit Shards already in flight for the shard, over the real emulator: the revoke
 * resolves only once that request is answered, so the strategy's next owner binds after it, never before.
 */
import { afterEach, expect, it } from 'vitest';
import type { FetchInit, ResponseLike } from '../../../src/core/http-transport.js';
import type { OwnershipContext } from '../../../src/eventsub/conduit/index.js';
import { Harness } from './helpers.js';
import { until } from '../../support/until.js';

const h = new Harness();
afterEach(() => h.close());

it('revoke waits for the in-flight binding of the shard', async () => {
  await h.start();
  // The real fetch; the answer of a held PATCH of conduit shards is handed back only when the test says.
  let holding = false;
  let held = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const order: string[] = [];
  const fetch = async (url: string, init: FetchInit): Promise<ResponseLike> => {
    const response = await globalThis.fetch(url, init);
    if (holding && init.method === 'PATCH' && url.includes('/eventsub/conduits/shards')) {
      held++;
      await gate;
      order.push('answer');
    }
    return response;
  };
  let context: OwnershipContext | null = null;
  const client = h.client({
    conduitId: 'create',
    fetch,
    ownership: {
      requiredShardCount: 1,
      start: (ctx) => {
        context = ctx;
      },
    },
  });
  await client.start();
  const ctx = context as OwnershipContext | null;
  if (ctx === null) throw new Error('not started');
  holding = true;
  const granted = ctx.grant(['0']);
  await until(() => held === 1, 'the binding request is in flight');
  const session = client.conduitInfo.websockets.get('0');
  const revoked = ctx.revoke(['0']).then(() => order.push('revoked'));
  // The transport closes at once; the answer is let through only once that close is done and its continuations
  // drained (one macrotask turn: every microtask of the revoke has run by then).
  await session?.close();
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await Promise.all([revoked, granted]);
  expect(order).toEqual(['answer', 'revoked']);
  expect(ctx.owned()).toEqual([]);
});
