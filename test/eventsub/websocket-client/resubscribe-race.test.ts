/**
 * Races of a resubscription with what may happen while it runs: a second session loss, `unsubscribe()` of a queued
 * subscription, `close()`. Each subscription is created once per session (never twice: Twitch answers 409), and
 * nothing is created for a subscription that left the client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FetchInit } from '../../../src/core/http-transport.js';
import type { ResubscribeResult, WebSocketClient } from '../../../src/eventsub/websocket-client/index.js';
import { until } from '../../support/until.js';
import { Harness, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

/**
 * A client (one request at a time) whose subscription creates can be held: after `hold()`, creates wait (before
 * they reach Twitch, or with `'response'` once Twitch created them, before the client reads the answer) until `release()` lets all of them go, or `release(1)` the oldest one only; either ends the
 * holding. Counts creates sent (and settled) and deletes sent.
 */
function gatedClient(where: 'request' | 'response' = 'request'): {
  client: WebSocketClient;
  counts: { creates: number; deletes: number; settled: number };
  hold: () => void;
  release: (count?: number) => void;
  resubscribed: ResubscribeResult[];
  errors: Error[];
} {
  const counts = { creates: 0, deletes: 0, settled: 0 };
  let holding = false;
  const held: (() => void)[] = [];
  const client = h.client({
    concurrency: 1,
    fetch: async (url: string, init: FetchInit) => {
      if (init.method === 'POST' && url.endsWith('/eventsub/subscriptions')) {
        counts.creates++;
        try {
          const wait = (): Promise<void> | undefined =>
            holding ? new Promise<void>((resolve) => held.push(resolve)) : undefined;
          if (where === 'request') await wait();
          const response = await fetch(url, init);
          if (where === 'response') await wait();
          return response;
        } finally {
          counts.settled++;
        }
      }
      if (init.method === 'DELETE') counts.deletes++;
      return fetch(url, init);
    },
  });
  const resubscribed: ResubscribeResult[] = [];
  const errors: Error[] = [];
  client.on('resubscribed', (result) => resubscribed.push(result));
  client.on('error', (error) => errors.push(error));
  return {
    client,
    counts,
    hold: () => {
      holding = true;
    },
    release: (count = held.length) => {
      holding = false;
      for (const open of held.splice(0, count)) open();
    },
    resubscribed,
    errors,
  };
}

/** The emulator's enabled subscriptions: id and WebSocket session. */
function enabledOnTwitch(): { id: string; session: string }[] {
  return h.emulator
    .state()
    .subscriptions.filter((s) => s.status === 'enabled')
    .map((s) => ({ id: s.id, session: s.transport.method === 'websocket' ? s.transport.session_id : '' }));
}

describe('WebSocketClient resubscription races', () => {
  it('a second loss during a resubscription creates each subscription once on the newest session', async () => {
    await h.start();
    const g = gatedClient();
    const sessions: string[] = [];
    g.client.on('socketReconnected', (info) => sessions.push(info.sessionId));
    await g.client.start();
    const { success } = await g.client.multiSubscribe(streamOnline(h, 5));
    expect(success).toHaveLength(5);
    const first = g.client.sockets[0]!.sessionId!;
    g.hold();
    const before = g.counts.creates;
    h.emulator.closeSession(first, 4007);
    await until(() => g.counts.creates > before, 'the first resubscription holds its first create');
    await until(() => sessions.length === 1, 'first reconnect');
    // The second resubscription runs unheld; the first one's held create is on the lost second session.
    g.release(0);
    h.emulator.closeSession(sessions[0]!, 4007);
    await until(() => sessions.length === 2, 'second reconnect');
    g.release();
    await until(() => g.resubscribed.length === 2, 'both resubscriptions reported');
    const newest = sessions[1]!;
    const enabled = enabledOnTwitch();
    expect(enabled).toHaveLength(5);
    expect(enabled.map((s) => s.session)).toEqual(Array(5).fill(newest));
    expect(success.map((s) => s.status)).toEqual(Array(5).fill('enabled'));
    expect(new Set(success.map((s) => s.id))).toEqual(new Set(enabled.map((s) => s.id)));
    expect(g.client.subscriptions).toHaveLength(5);
    expect(g.errors).toEqual([]);
    // The held create (refused: its session is gone), the 4 others on the newest session, the held one again there.
    expect(g.counts.creates - before).toBe(6);
    const recreated = g.resubscribed.flatMap((r) => r.recreated);
    expect(new Set(recreated).size).toBe(5);
    expect(g.resubscribed.flatMap((r) => r.failed)).toEqual([]);
  });

  it('a second loss while both resubscriptions are mid-way: the earlier one stops, the later one does the rest', async () => {
    await h.start();
    const g = gatedClient();
    const sessions: string[] = [];
    g.client.on('socketReconnected', (info) => sessions.push(info.sessionId));
    await g.client.start();
    const { success } = await g.client.multiSubscribe(streamOnline(h, 5));
    g.hold();
    const before = g.counts.creates;
    h.emulator.closeSession(g.client.sockets[0]!.sessionId!, 4007);
    await until(
      () => g.counts.creates === before + 1 && sessions.length === 1,
      'the first one holds a create',
    );
    h.emulator.closeSession(sessions[0]!, 4007);
    // Both hold one create each: the earlier one's queue still has 4 items the later one also has.
    await until(
      () => g.counts.creates === before + 2 && sessions.length === 2,
      'the second one holds a create',
    );
    // The earlier one's create goes first (refused on its lost session, then made on the newest): it ends there.
    g.release(1);
    await until(() => g.resubscribed.length === 1, 'the earlier resubscription reported');
    expect(g.resubscribed[0]!.recreated).toHaveLength(1);
    g.release();
    await until(() => g.resubscribed.length === 2, 'both resubscriptions reported');
    expect(g.resubscribed[1]!.recreated).toHaveLength(4);
    expect(enabledOnTwitch().map((s) => s.session)).toEqual(Array(5).fill(sessions[1]));
    expect(success.map((s) => s.status)).toEqual(Array(5).fill('enabled'));
    expect(g.errors).toEqual([]);
    expect(g.counts.creates - before).toBe(6);
  });

  it('an unsubscribe while queued for resubscription costs no create and no delete', async () => {
    await h.start();
    const g = gatedClient();
    await g.client.start();
    const { success } = await g.client.multiSubscribe(streamOnline(h, 3));
    const [a, b, c] = success;
    g.hold();
    const before = { ...g.counts };
    h.emulator.closeSession(g.client.sockets[0]!.sessionId!, 4007);
    await until(() => g.counts.creates > before.creates, 'the resubscription holds its first create');
    // One request at a time: the first is held, the other two are queued.
    const queued = [b!, c!].find((s) => s.id === '' && s.status === 'pending')!;
    const held = queued === b ? c! : b!;
    expect([a!.status, held.status]).toEqual(['pending', 'pending']);
    await g.client.unsubscribe(queued);
    expect(queued.status).toBe('removed');
    g.release();
    await until(() => g.resubscribed.length === 1, 'resubscribed');
    expect(g.counts.creates - before.creates).toBe(2);
    expect(g.counts.deletes - before.deletes).toBe(0);
    expect(g.resubscribed[0]!.recreated).toHaveLength(2);
    expect(queued.status).toBe('removed');
    expect(g.client.subscriptions).toHaveLength(2);
    expect(enabledOnTwitch()).toHaveLength(2);
    expect(g.errors).toEqual([]);
  });

  it('close() during a resubscription sends nothing more, reports nothing, and leaves every handle removed', async () => {
    await h.start();
    const g = gatedClient();
    await g.client.start();
    const { success } = await g.client.multiSubscribe(streamOnline(h, 3));
    g.hold();
    const before = g.counts.creates;
    h.emulator.closeSession(g.client.sockets[0]!.sessionId!, 4007);
    await until(() => g.counts.creates > before, 'the resubscription holds its first create');
    await g.client.close();
    g.release();
    // Drain: the held create settles (aborted by close()), then the resubscription's worker runs to its end.
    await until(() => g.counts.settled === g.counts.creates, 'the held create settled');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(g.counts.creates - before).toBe(1);
    expect(success.map((s) => s.status)).toEqual(['removed', 'removed', 'removed']);
    expect(enabledOnTwitch()).toEqual([]);
    expect(g.resubscribed).toEqual([]);
    expect(g.errors).toEqual([]);
  });

  it('unsubscribe() while its resubscription is answered: deleted on Twitch once created, no error', async () => {
    await h.start();
    const g = gatedClient('response');
    await g.client.start();
    const { success } = await g.client.multiSubscribe(streamOnline(h, 2));
    g.hold();
    const before = { ...g.counts };
    h.emulator.closeSession(g.client.sockets[0]!.sessionId!, 4007);
    await until(
      () => g.counts.creates > before.creates,
      'a resubscription create made on Twitch, answer held',
    );
    const inFlight = success.find((s) => s.id === '')!;
    await until(() => enabledOnTwitch().length === 1, 'created on Twitch');
    await g.client.unsubscribe(inFlight);
    g.release();
    await until(() => g.resubscribed.length === 1, 'resubscribed');
    expect(inFlight.status).toBe('removed');
    expect(g.counts.deletes - before.deletes).toBe(1);
    expect(enabledOnTwitch()).toHaveLength(1);
    expect(g.client.subscriptions).toHaveLength(1);
    expect(g.errors).toEqual([]);
  });

  it('close() while a resubscription create is answered: nothing reported after close', async () => {
    await h.start();
    const g = gatedClient('response');
    await g.client.start();
    await g.client.multiSubscribe(streamOnline(h, 2));
    g.hold();
    const before = g.counts.creates;
    h.emulator.closeSession(g.client.sockets[0]!.sessionId!, 4007);
    await until(() => g.counts.creates > before, 'a resubscription create made on Twitch, answer held');
    await g.client.close();
    g.release();
    // Drain: the held create settles, then everything it starts is microtasks, done before the next macrotask.
    await until(() => g.counts.settled === g.counts.creates, 'the held create settled');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(g.counts.creates - before).toBe(1);
    expect(g.resubscribed).toEqual([]);
    expect(g.errors).toEqual([]);
  });
});
