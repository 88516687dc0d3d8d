/**
 * ConduitInfo and health: updateShardCount (one and two processes), fetchShards with a status filter, foreign
 * takeover of a shard, unassigned shards, conduit.shard.disabled.
 */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import { InvalidArgumentError, TwitchError } from '../../../src/core/errors.js';
import { EventSubSession } from '../../../src/eventsub/websocket/session.js';
import {
  AutoClient,
  ConduitShard,
  MissingConduitError,
  ShardCountRangeError,
  ShardError,
} from '../../../src/eventsub/conduit/index.js';
import type { ConduitScaledInfo, ShardReassignedInfo } from '../../../src/eventsub/client.js';
import type { Emulator } from '../../../src/emulator/index.js';
import { Harness, streamOnline } from './helpers.js';
import { createConduit } from '../../support/emulator.js';
import { until } from '../../support/until.js';

const h = new Harness();
const extra: EventSubSession[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((s) => s.close()));
  await h.close();
});

function enabledShards(emu: Emulator, conduitId: string): string[] {
  const conduit = emu.state().conduits.find((c) => c.id === conduitId);
  return (conduit?.shards ?? []).filter((s) => s.status === 'enabled').map((s) => s.id);
}

describe('updateShardCount', () => {
  it('validates its input and needs a conduit', async () => {
    await h.start();
    const client = h.client();
    await expect(client.conduitInfo.updateShardCount(2)).rejects.toBeInstanceOf(MissingConduitError);
    expect(() => client.conduitInfo.fetchShards()).toThrow(MissingConduitError);
    expect(client.conduitInfo.id).toBeNull();
    expect(client.conduitInfo.shardCount).toBeNull();
    await client.start();
    for (const bad of [0, 20_001, 1.5, Number.NaN]) {
      const error = await client.conduitInfo.updateShardCount(bad).catch((e: unknown) => e);
      // One hierarchy: caught with every other refused argument, its own code kept.
      expect(error).toBeInstanceOf(TwitchError);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toBeInstanceOf(ShardCountRangeError);
      expect(error).toMatchObject({ code: 'INVALID_SHARD_COUNT', field: 'shardCount' });
      expect((error as Error).name).toBe('ShardCountRangeError[INVALID_SHARD_COUNT]');
    }
  });

  it('scales up and down in one process, opening and closing sockets, and chains', async () => {
    const emu = await h.start();
    const client = h.client({ subscriptions: streamOnline(emu, 4) });
    const scaled: ConduitScaledInfo[] = [];
    client.on('conduitScaled', (i) => scaled.push(i));
    await client.start();
    const id = client.conduitInfo.id!;
    const info = await client.conduitInfo.updateShardCount(5);
    expect(info).toBe(client.conduitInfo);
    expect(info.shardCount).toBe(5);
    expect([...info.websockets.keys()].sort()).toEqual(['0', '1', '2', '3', '4']);
    expect(enabledShards(emu, id)).toEqual(['0', '1', '2', '3', '4']);
    expect(scaled[0]).toMatchObject({
      previousShardCount: 2,
      shardCount: 5,
      added: ['2', '3', '4'],
      removed: [],
      leftToOthers: [],
    });

    const removed = [...info.websockets.entries()].filter(([k]) => Number(k) >= 1).map(([, s]) => s);
    expect((await info.updateShardCount(1)).shardCount).toBe(1);
    expect([...info.websockets.keys()]).toEqual(['0']);
    expect(removed.every((s) => s.state === 'closed')).toBe(true);
    expect(emu.state().conduits.find((c) => c.id === id)?.shard_count).toBe(1);
    expect(scaled[1]).toMatchObject({ removed: ['1', '2', '3', '4'], added: [] });
    // Events still flow to the remaining shard.
    const got: string[] = [];
    client.on('stream.online', (e) => got.push(e.broadcaster.id));
    emu.trigger({ type: 'stream.online' });
    await until(() => got.length === 4);
  });

  it('surfaces Twitch refusals as HTTPError', async () => {
    await h.start();
    const client = h.client({ conduitId: 'create', shardIds: [0] });
    await client.start();
    await client.conduitInfo.conduit!.delete();
    await expect(client.conduitInfo.updateShardCount(2)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
    expect(client.conduitInfo.shardCount).toBe(1);
  });

  it('with assignTransports: false only changes the count on Twitch', async () => {
    await h.start();
    const client = h.client({ conduitId: 'create', shardIds: [0] });
    const scaled: ConduitScaledInfo[] = [];
    client.on('conduitScaled', (i) => scaled.push(i));
    await client.start();
    await client.conduitInfo.updateShardCount(3, { assignTransports: false });
    expect(client.conduitInfo.shardCount).toBe(3);
    expect([...client.conduitInfo.websockets.keys()]).toEqual(['0']);
    expect(scaled[0]).toMatchObject({ added: [], removed: [], leftToOthers: ['1', '2'] });
  });

  it('two processes with disjoint shardIds share a conduit without stealing, and scale', async () => {
    const emu = await h.start();
    const conduitId = await createConduit(emu, 4);
    const subs = streamOnline(emu, 40);
    const a = h.client({ conduitId, shardIds: [0, 1], subscriptions: subs, forceSubscribe: true });
    const b = h.client({ conduitId, shardIds: [2, 3] });
    const counts = { a: 0, b: 0 };
    a.on('stream.online', () => {
      counts.a++;
    });
    b.on('stream.online', () => {
      counts.b++;
    });
    const reassigned: ShardReassignedInfo[] = [];
    a.on('shardReassigned', (r) => reassigned.push(r));
    b.on('shardReassigned', (r) => reassigned.push(r));
    await Promise.all([a.start(), b.start()]);
    expect(enabledShards(emu, conduitId)).toEqual(['0', '1', '2', '3']);
    await Promise.all([a.reconcile(), b.reconcile()]);
    expect(reassigned).toEqual([]); // nobody takes the other's shards
    emu.trigger({ type: 'stream.online' });
    const delivered = emu.state().counters.delivered;
    await until(() => counts.a + counts.b === 40);
    expect(delivered).toBe(40);
    expect(counts.a).toBeGreaterThan(0);
    expect(counts.b).toBeGreaterThan(0);

    // A grows the conduit to 6: A keeps its shards and says that 2..5 belong to others.
    const scaled: ConduitScaledInfo[] = [];
    a.on('conduitScaled', (i) => scaled.push(i));
    await a.conduitInfo.updateShardCount(6);
    expect(scaled[0]).toMatchObject({ added: [], removed: [], leftToOthers: ['2', '3', '4', '5'] });
    expect([...a.conduitInfo.websockets.keys()]).toEqual(['0', '1']);
    const unassigned: (readonly string[])[] = [];
    a.on('unassignedShards', (ids) => unassigned.push(ids));
    await a.reconcile();
    expect(unassigned).toEqual([['4', '5']]);
    // Scaling down to 2 removes B's shards on Twitch; A's stay enabled.
    await a.conduitInfo.updateShardCount(2);
    expect(enabledShards(emu, conduitId)).toEqual(['0', '1']);
  });
});

describe('fetchShards', () => {
  it('lists shards as models and filters by status', async () => {
    const emu = await h.start({ shardPageSize: 2 });
    const conduitId = await createConduit(emu, 5);
    const client = h.client({ conduitId, shardIds: [0, 2, 4] });
    await client.start();
    const all = await client.conduitInfo.fetchShards();
    expect(all.map((s) => s.id)).toEqual(['0', '1', '2', '3', '4']); // three pages
    expect(all[0]).toBeInstanceOf(ConduitShard);
    expect(all[0]).toMatchObject({ method: 'websocket', status: 'enabled', callback: null });
    expect(all[0]?.sessionId).toBe(client.conduitInfo.websockets.get('0')?.sessionId);
    expect(all[0]?.connectedAt).toBeInstanceOf(Date);
    expect(inspect(all[0])).toBe("ConduitShard { id: '0', method: 'websocket', status: 'enabled' }");
    const enabled = [];
    for await (const shard of client.conduitInfo.fetchShards({ status: 'enabled' })) enabled.push(shard.id);
    expect(enabled).toEqual(['0', '2', '4']);
    const idle = await client.conduitInfo.fetchShards({ status: 'websocket_disconnected' });
    expect(idle.map((s) => s.id)).toEqual(['1', '3']);
    expect(idle[0]?.sessionId).toBeNull();
  });

  it('Conduit model: toString, equals, inspect, update and delete', async () => {
    const emu = await h.start();
    const client = h.client({ conduitId: 'create', shardIds: [0] });
    await client.start();
    const conduit = client.conduitInfo.conduit!;
    expect(String(conduit)).toBe(conduit.id);
    expect(inspect(conduit)).toBe(`Conduit { id: '${conduit.id}', shardCount: 1 }`);
    const bigger = await conduit.update(2);
    expect(bigger.shardCount).toBe(2);
    expect(bigger.equals(conduit)).toBe(true);
    expect(conduit.equals({ id: conduit.id })).toBe(false);
    expect(await bigger.fetchShards()).toHaveLength(2);
    await bigger.delete();
    expect(emu.state().conduits).toHaveLength(0);
    await expect(bigger.delete()).rejects.toMatchObject({ status: 404 });
  });
});

describe('health', () => {
  async function foreignSession(emu: Emulator): Promise<string> {
    const session = new EventSubSession({
      url: emu.clientOptions().eventSubWsUrl,
      backoff: new Backoff({ initialMs: 5, maxMs: 50 }),
    });
    session.on('error', () => undefined);
    extra.push(session);
    return session.connect();
  }

  async function steal(emu: Emulator, conduitId: string, shardId: string, sessionId: string): Promise<void> {
    const res = await fetch(`${emu.clientOptions().helixUrl}/eventsub/conduits/shards`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${emu.mintAppToken().accessToken}`,
        'Client-Id': emu.clientId,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        conduit_id: conduitId,
        shards: [{ id: shardId, transport: { method: 'websocket', session_id: sessionId } }],
      }),
    });
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([]);
  }

  it('takes back a shard a foreign session took, then stops fighting (SHARD_CONTESTED)', async () => {
    const emu = await h.start();
    const client = h.client({
      conduitId: 'create',
      shardIds: [0, 1],
      maxReclaims: 1,
      shardRetry: { initialMs: 1, maxMs: 1 },
    });
    const reassigned: ShardReassignedInfo[] = [];
    const errors: Error[] = [];
    client.on('shardReassigned', (r) => reassigned.push(r));
    client.on('error', (e) => errors.push(e));
    await client.start();
    const conduitId = client.conduitInfo.id!;
    const ours = client.conduitInfo.websockets.get('0')!.sessionId!;

    const thief = await foreignSession(emu);
    await steal(emu, conduitId, '0', thief);
    await client.reconcile();
    expect(reassigned).toEqual([
      {
        shardId: '0',
        method: 'websocket',
        reason: 'foreign_session',
        status: 'enabled',
        previousSessionId: thief,
        sessionId: ours,
      },
    ]);
    const shard0 = () => emu.state().conduits[0]!.shards.find((s) => s.id === '0')!;
    expect(shard0().transport).toMatchObject({ session_id: ours });

    // Taken again: beyond maxReclaims the client reports and leaves it.
    const thief2 = await foreignSession(emu);
    await steal(emu, conduitId, '0', thief2);
    await client.reconcile();
    expect(reassigned).toHaveLength(1);
    expect(
      errors
        .filter((e): e is ShardError => e instanceof ShardError && e.code === 'SHARD_CONTESTED')
        .map((e) => e.shardId),
    ).toEqual(['0']);
    expect(shard0().transport).toMatchObject({ session_id: thief2 });
    await client.reconcile();
    expect(errors.filter((e) => e instanceof ShardError && e.code === 'SHARD_CONTESTED')).toHaveLength(1);
  });

  it('re-binds a shard Twitch shows as disabled, and reports unassigned shards', async () => {
    const emu = await h.start();
    const conduitId = await createConduit(emu, 3);
    const client = h.client({ conduitId, shardIds: [0, 1] });
    const reassigned: ShardReassignedInfo[] = [];
    const unassigned: (readonly string[])[] = [];
    client.on('shardReassigned', (r) => reassigned.push(r));
    client.on('unassignedShards', (ids) => unassigned.push(ids));
    await client.start();
    // Someone binds shard 1 to a session that then goes away: Twitch shows it disabled.
    const gone = await foreignSession(emu);
    await steal(emu, conduitId, '1', gone);
    emu.closeSession(gone, 4000);
    await client.reconcile();
    expect(reassigned).toMatchObject([
      { shardId: '1', reason: 'disabled', status: 'websocket_internal_error', previousSessionId: gone },
    ]);
    expect(enabledShards(emu, conduitId)).toEqual(['0', '1']);
    expect(unassigned).toEqual([['2']]);
    await client.reconcile();
    expect(unassigned).toHaveLength(1); // reported once per change
  });

  it('hears conduit.shard.disabled for its conduit and heals the shard', async () => {
    const emu = await h.start();
    const client = h.client({ conduitId: 'create', shardIds: [0, 1] });
    const disabled: string[] = [];
    client.on('conduitShardDisabled', (e) => disabled.push(`${e.shardId}:${e.status}`));
    const rebinds: string[] = [];
    client.on('shardReady', (r) => r.rebind && rebinds.push(r.shardId));
    await client.start();
    expect(emu.state().subscriptions.map((s) => [s.type, s.condition])).toEqual([
      ['conduit.shard.disabled', { client_id: emu.clientId, conduit_id: client.conduitInfo.id }],
    ]);
    emu.closeSession(client.conduitInfo.websockets.get('1')!.sessionId!, 4005);
    await until(() => disabled.includes('1:websocket_network_timeout') && rebinds.includes('1'));
    expect(enabledShards(emu, client.conduitInfo.id!)).toEqual(['0', '1']);
  });

  it('runs the health check periodically', async () => {
    const emu = await h.start();
    const conduitId = await createConduit(emu, 2);
    const client = h.client({ conduitId, shardIds: [0], reconcileIntervalMs: 10 });
    const unassigned: (readonly string[])[] = [];
    client.on('unassignedShards', (ids) => unassigned.push(ids));
    await client.start();
    await until(() => unassigned.length === 1);
    expect(unassigned[0]).toEqual(['1']);
    expect(client).toBeInstanceOf(AutoClient);
  });
});
