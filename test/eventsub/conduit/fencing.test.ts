/**
 * The ownership seam as a lease store (issue 16) needs it, over the real emulator: a fenced owner (`mayBind`
 * false) never binds a shard, whatever asks for the binding (a lost session, a shard shown disabled), and binds it
 * again once allowed; "fail static" keeps the shards already bound.
 */
import { afterEach, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import type { Emulator } from '../../../src/emulator/index.js';
import type {
  OwnershipContext,
  OwnershipStrategy,
  ShardLossReason,
} from '../../../src/eventsub/conduit/index.js';
import { EventSubSession } from '../../../src/eventsub/websocket/session.js';
import { Harness } from './helpers.js';
import { until } from '../../support/until.js';

const h = new Harness();
const extra: EventSubSession[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((s) => s.close()));
  await h.close();
});

/** A strategy driven by the test: grants `initial`, binds while `fenced` is false. */
function fenceable(initial: readonly string[], more: Partial<OwnershipStrategy> = {}) {
  let context: OwnershipContext | null = null;
  const lost: [string, ShardLossReason][] = [];
  const bound: string[] = [];
  const state = { fenced: false };
  const strategy: OwnershipStrategy = {
    requiredShardCount: 2,
    start: (ctx) => {
      context = ctx;
      return ctx.grant(initial);
    },
    mayBind: () => !state.fenced,
    mayReclaim: () => !state.fenced,
    shardBound: (id) => bound.push(id),
    shardLost: (id, reason) => lost.push([id, reason]),
    ...more,
  };
  return {
    strategy,
    state,
    lost,
    bound,
    context: (): OwnershipContext => {
      if (context === null) throw new Error('not started');
      return context;
    },
  };
}

function shardOf(emu: Emulator, conduitId: string, id: string) {
  return emu
    .state()
    .conduits.find((c) => c.id === conduitId)
    ?.shards.find((s) => s.id === id);
}

function boundSession(emu: Emulator, conduitId: string, shardId: string): unknown {
  return (shardOf(emu, conduitId, shardId)?.transport as { session_id?: unknown } | undefined)?.session_id;
}

async function taker(emu: Emulator): Promise<{ session: EventSubSession; id: string }> {
  const session = new EventSubSession({
    url: emu.clientOptions().eventSubWsUrl,
    backoff: new Backoff({ initialMs: 5, maxMs: 50 }),
  });
  session.on('error', () => undefined);
  extra.push(session);
  return { session, id: await session.connect() };
}

it('a fenced owner does not bind back a shard after its session is lost, and binds once allowed', async () => {
  const emu = await h.start();
  const own = fenceable(['0', '1']);
  const client = h.client({ conduitId: 'create', ownership: own.strategy, maxReclaims: 0 });
  client.on('error', () => undefined);
  await client.start();
  const conduitId = client.conduitInfo.id ?? '';
  const other = await taker(emu);
  await client.helix.eventSub.updateConduitShards(conduitId, [
    { id: '0', transport: { method: 'websocket', sessionId: other.id } },
  ]);
  own.state.fenced = true;
  await client.reconcile();
  expect(own.lost).toContainEqual(['0', 'foreign']);
  // The old owner's socket is lost before its strategy revoked the shard: the reconnect must not bind it back.
  const old = client.conduitInfo.websockets.get('0')?.sessionId ?? '';
  emu.closeSession(old, 4007);
  await until(() => own.lost.some(([id, reason]) => id === '0' && reason === 'refused'), 'bind refused');
  expect(boundSession(emu, conduitId, '0')).toBe(other.id);
  // Shard 1, bound before the fence, keeps its binding (fail static).
  expect(boundSession(emu, conduitId, '1')).toBe(client.conduitInfo.websockets.get('1')?.sessionId);
  // Health checks while fenced: asked again, still refused, told once.
  await client.reconcile();
  expect(boundSession(emu, conduitId, '0')).toBe(other.id);
  expect(own.lost.filter(([id, reason]) => id === '0' && reason === 'refused')).toHaveLength(1);
  // The lease comes back: the next health check binds it.
  own.state.fenced = false;
  await client.reconcile();
  expect(boundSession(emu, conduitId, '0')).toBe(client.conduitInfo.websockets.get('0')?.sessionId);
});

it('a fenced owner does not rebind a shard Twitch shows disabled', async () => {
  const emu = await h.start();
  const own = fenceable(['0', '1']);
  const client = h.client({ conduitId: 'create', ownership: own.strategy });
  client.on('error', () => undefined);
  await client.start();
  const conduitId = client.conduitInfo.id ?? '';
  const other = await taker(emu);
  await client.helix.eventSub.updateConduitShards(conduitId, [
    { id: '0', transport: { method: 'websocket', sessionId: other.id } },
  ]);
  // The other holder goes away: Twitch shows shard 0 disabled.
  emu.closeSession(other.id, 4007);
  await until(() => shardOf(emu, conduitId, '0')?.status !== 'enabled', 'shard 0 disabled');
  own.state.fenced = true;
  await client.reconcile();
  expect(own.lost).toContainEqual(['0', 'disabled']);
  expect(own.lost).toContainEqual(['0', 'refused']);
  expect(shardOf(emu, conduitId, '0')?.status).not.toBe('enabled');
});

it('a strategy whose mayBind throws is treated as fenced, and the error reported', async () => {
  await h.start();
  const own = fenceable(['0'], {
    mayBind: () => {
      throw new Error('lease store down');
    },
  });
  const client = h.client({ conduitId: 'create', ownership: own.strategy });
  const errors: Error[] = [];
  client.on('error', (e) => errors.push(e));
  await client.start();
  expect(own.lost).toContainEqual(['0', 'refused']);
  expect(own.bound).toEqual([]);
  expect(errors.map((e) => e.message)).toContain('lease store down');
});

it('echoes the fencing token of the latest grant in shardBound', async () => {
  const emu = await h.start();
  const bindings: [string, string | null][] = [];
  const own = fenceable([], { shardBound: (id, binding) => bindings.push([id, binding.token]) });
  const client = h.client({ conduitId: 'create', ownership: own.strategy });
  client.on('error', () => undefined);
  await client.start();
  await own.context().grant(['0'], { token: 'epoch-1' });
  await own.context().grant(['1']);
  expect(bindings).toEqual([
    ['0', 'epoch-1'],
    ['1', null],
  ]);
  // The lease is renewed under a new epoch; the next binding (after a lost session) carries it.
  await own.context().grant(['0'], { token: 'epoch-2' });
  emu.closeSession(client.conduitInfo.websockets.get('0')?.sessionId ?? '', 4007);
  // (A 4007 may bind twice: the failed assign's retry and the reconnect both bind; each carries the token.)
  await until(() => bindings.length >= 3, 'bound again');
  expect(bindings.slice(2)).toContainEqual(['0', 'epoch-2']);
  expect(bindings.slice(2).filter(([, token]) => token !== 'epoch-2')).toEqual([]);
  const bad = await own
    .context()
    .grant(['1'], { token: 7 as unknown as string })
    .catch((e: unknown) => e);
  expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'token' });
});
