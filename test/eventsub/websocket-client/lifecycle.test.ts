/**
 * Subscriptions leaving the client: a revocation, `unsubscribe()`, a `subscribe()` given up through its signal, and
 * `close()`. Each leaves nothing enabled on Twitch that the client does not hold, and no socket without a
 * subscription.
 */
import { afterEach, expect, it } from 'vitest';
import type { Revocation } from '../../../src/eventsub/client.js';
import type { FetchInit } from '../../../src/core/http-transport.js';
import { until } from '../../support/until.js';
import { Harness, USER, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

const enabledOnTwitch = (): string[] =>
  h.emulator
    .state()
    .subscriptions.filter((s) => s.status === 'enabled')
    .map((s) => s.id);

it('a revocation is emitted, marks the handle revoked and closes the socket it leaves empty', async () => {
  await h.start();
  const client = h.client({ maxSubscriptionsPerSocket: 1 });
  const revoked: Revocation[] = [];
  const closed: string[] = [];
  client.on('subscriptionRevoked', (r) => revoked.push(r));
  client.on('socketClosed', (info) => closed.push(info.socketId));
  const { success } = await client.multiSubscribe(streamOnline(h, 2), { concurrency: 1 });
  const [kept, gone] = success;
  expect(h.emulator.revokeSubscription(gone!.id, 'authorization_revoked')).toBe(true);
  await until(() => revoked.length === 1, 'the revocation');
  expect(revoked[0]).toMatchObject({
    shardId: `${USER}#1`,
    subscription: { id: gone!.id, status: 'authorization_revoked' },
  });
  expect(gone!.status).toBe('revoked');
  expect(kept!.status).toBe('enabled');
  expect(client.subscriptions).toEqual([kept]);
  expect(closed).toEqual([`${USER}#1`]);
});

it('unsubscribe() deletes on Twitch and is idempotent; a subscribe() given up by its signal leaves nothing', async () => {
  await h.start();
  let hold: (() => void) | undefined;
  let holding = false;
  const client = h.client({
    fetch: async (url: string, init: FetchInit) => {
      const response = await fetch(url, init);
      if (holding && init.method === 'POST') {
        holding = false;
        await new Promise<void>((resolve) => {
          hold = resolve;
        });
      }
      return response;
    },
  });
  const [a, b] = streamOnline(h, 2);
  const first = await client.subscribe(a!);
  expect(enabledOnTwitch()).toEqual([first.id]);

  // Given up while Twitch's answer is on its way: what was created is deleted.
  holding = true;
  const controller = new AbortController();
  const given = client.subscribe(b!, { signal: controller.signal });
  await until(() => hold !== undefined, 'the held answer');
  controller.abort(new Error('not needed any more'));
  await expect(given).rejects.toMatchObject({ code: 'ABORTED' });
  hold!();
  await until(() => enabledOnTwitch().length === 1, 'the late one deleted');
  expect(enabledOnTwitch()).toEqual([first.id]);
  expect(client.subscriptions).toEqual([first]);

  await client.unsubscribe(first);
  await client.unsubscribe(first);
  expect(first.status).toBe('removed');
  expect(h.emulator.state().subscriptions.map((s) => s.id)).not.toContain(first.id);
  expect(client.sockets).toEqual([]);
  await until(() => h.connectedSessions().length === 0, 'the socket closed');
});

it('close() marks every handle removed, closes every socket, and refuses later subscriptions', async () => {
  await h.start();
  const client = h.client({ maxSubscriptionsPerSocket: 1 });
  const { success } = await client.multiSubscribe(streamOnline(h, 2));
  await client.close();
  expect(success.map((s) => s.status)).toEqual(['removed', 'removed']);
  expect(client.sockets).toEqual([]);
  await until(() => h.connectedSessions().length === 0, 'no session');
  await expect(client.subscribe(streamOnline(h, 1, 3000)[0]!)).rejects.toMatchObject({
    code: 'CLIENT_CLOSED',
  });
});
