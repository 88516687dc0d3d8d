/**
 * Dynamic ownership over the real emulator: a strategy grants shards after start-up, revokes one while traffic
 * flows (its transport closes, the shard is left to others: no fight, no reclaim by the health check) and grants it
 * again; a strategy that says a shard moved is never fought for; callbacks; refused grants.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/core/backoff.js';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import type { Emulator } from '../../../src/emulator/index.js';
import type { ConduitScaledInfo, ShardReassignedInfo } from '../../../src/eventsub/client.js';
import {
  ShardError,
  type AutoClient,
  type OwnershipContext,
  type OwnershipStrategy,
  type ShardLossReason,
} from '../../../src/eventsub/conduit/index.js';
import { EventSubSession } from '../../../src/eventsub/websocket/session.js';
import { Harness, streamOnline } from './helpers.js';
import { until } from '../../support/until.js';

const h = new Harness();
const extra: EventSubSession[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((s) => s.close()));
  await h.close();
});

/** A strategy driven by the test: it grants `initial` at start and keeps the context for later. */
function driven(initial: readonly string[], more: Partial<OwnershipStrategy> = {}) {
  let context: OwnershipContext | null = null;
  const bound: string[] = [];
  const lost: [string, ShardLossReason][] = [];
  let stopped = 0;
  const strategy: OwnershipStrategy = {
    requiredShardCount: 2,
    start: (ctx) => {
      context = ctx;
      return ctx.grant(initial);
    },
    shardBound: (id) => bound.push(id),
    shardLost: (id, reason) => lost.push([id, reason]),
    stop: () => {
      stopped++;
    },
    ...more,
  };
  return {
    strategy,
    bound,
    lost,
    stopped: () => stopped,
    context: (): OwnershipContext => {
      if (context === null) throw new Error('not started');
      return context;
    },
  };
}

function shardsOf(emu: Emulator, conduitId: string) {
  return emu.state().conduits.find((c) => c.id === conduitId)?.shards ?? [];
}

function enabled(emu: Emulator, conduitId: string): string[] {
  return shardsOf(emu, conduitId)
    .filter((s) => s.status === 'enabled')
    .map((s) => s.id);
}

function boundSession(emu: Emulator, conduitId: string, shardId: string): unknown {
  return (shardsOf(emu, conduitId).find((s) => s.id === shardId)?.transport as { session_id?: unknown })
    .session_id;
}

function watch(client: AutoClient) {
  const errors: Error[] = [];
  const reassigned: ShardReassignedInfo[] = [];
  const unassigned: (readonly string[])[] = [];
  const events = new Map<string, number>();
  client.on('error', (e) => errors.push(e));
  client.on('shardReassigned', (r) => reassigned.push(r));
  client.on('unassignedShards', (ids) => unassigned.push(ids));
  client.on('stream.online', (_event, n) => events.set(n.messageId, (events.get(n.messageId) ?? 0) + 1));
  return {
    errors,
    reassigned,
    unassigned,
    total: () => [...events.values()].reduce((a, b) => a + b, 0),
    duplicates: () => [...events.values()].filter((n) => n > 1).length,
  };
}

describe('dynamic ownership', () => {
  it('grants a shard after start, revokes it under traffic without a fight, then grants it again', async () => {
    // Pings far apart: the emulator and the client share one busy thread here.
    const emu = await h.start({ pingIntervalMs: 2000 });
    const own = driven(['0']);
    const client = h.client({
      conduitId: 'create',
      ownership: own.strategy,
      subscriptions: streamOnline(emu, 8),
      watchShardDisabled: false,
    });
    const seen = watch(client);
    const readyInfo: string[][] = [];
    client.on('ready', (info) => readyInfo.push([...info.ownedShards]));
    await client.start();
    const conduitId = client.conduitInfo.id!;
    expect(readyInfo).toEqual([['0']]);
    expect(enabled(emu, conduitId)).toEqual(['0']);

    // Granted later: its transport comes up and is bound; the strategy hears it.
    await own.context().grant(['1']);
    expect(enabled(emu, conduitId)).toEqual(['0', '1']);
    expect([...client.conduitInfo.websockets.keys()].sort()).toEqual(['0', '1']);
    expect(own.context().owned()).toEqual(['0', '1']);
    expect(own.bound).toEqual(['0', '1']);
    const first = client.conduitInfo.websockets.get('1')!.sessionId!;

    // Revoked while events flow: the socket closes, nothing crashes, nothing is handled twice.
    const stream = emu.stream({ type: 'stream.online', ratePerSecond: 500, durationMs: 600 });
    await until(() => seen.total() > 50, { what: 'events flowing', timeoutMs: 5000 });
    await own.context().revoke(['1']);
    const atRevoke = seen.total();
    expect([...client.conduitInfo.websockets.keys()]).toEqual(['0']);
    expect(own.context().owned()).toEqual(['0']);
    await until(() => emu.state().sessions.find((s) => s.id === first)?.status !== 'connected', {
      what: 'closed',
      timeoutMs: 5000,
    });
    await stream.done;
    expect(seen.total()).toBeGreaterThan(atRevoke); // shard 0 carries on
    expect(seen.duplicates()).toBe(0);
    expect(emu.state().counters.dropped).toBe(0);

    // Revoking sent nothing to Twitch: the shard still names the closed session (only its socket went away).
    expect(boundSession(emu, conduitId, '1')).toBe(first);
    // The health check leaves the revoked shard to others: reported unserved, never taken back.
    await client.reconcile();
    await client.reconcile();
    expect(enabled(emu, conduitId)).toEqual(['0']);
    expect(seen.reassigned).toEqual([]);
    expect(seen.unassigned).toEqual([['1']]);
    expect(seen.errors).toEqual([]);

    // Granted again: a new session, bound.
    await own.context().grant(['1']);
    expect(enabled(emu, conduitId)).toEqual(['0', '1']);
    const second = client.conduitInfo.websockets.get('1')!.sessionId!;
    expect(second).not.toBe(first);
    expect(boundSession(emu, conduitId, '1')).toBe(second);
    expect(seen.errors).toEqual([]);

    await client.close();
    expect(own.stopped()).toBe(1);
  });

  it('never fights for a shard the strategy says moved (make-before-break), and tells it', async () => {
    const emu = await h.start();
    const own = driven(['0', '1'], { mayReclaim: () => false });
    const client = h.client({ conduitId: 'create', ownership: own.strategy, maxReclaims: 0 });
    const seen = watch(client);
    await client.start();
    const conduitId = client.conduitInfo.id!;

    // The new holder binds first (make), then this process hears it lost the shard (break).
    const next = new EventSubSession({
      url: emu.clientOptions().eventSubWsUrl,
      backoff: new Backoff({ initialMs: 5, maxMs: 50 }),
    });
    next.on('error', () => undefined);
    extra.push(next);
    const taker = await next.connect();
    await client.helix.eventSub.updateConduitShards(conduitId, [
      { id: '0', transport: { method: 'websocket', sessionId: taker } },
    ]);
    await client.reconcile();
    expect(boundSession(emu, conduitId, '0')).toBe(taker);
    expect(seen.reassigned).toEqual([]);
    expect(own.lost).toContainEqual(['0', 'foreign']);
    // Not a fight: no SHARD_CONTESTED, even with maxReclaims 0.
    expect(seen.errors.filter((e) => e instanceof ShardError)).toEqual([]);

    // The strategy lets it go; the other shard is untouched.
    await own.context().revoke(['0']);
    await client.reconcile();
    expect(boundSession(emu, conduitId, '0')).toBe(taker);
    expect(enabled(emu, conduitId)).toEqual(['0', '1']);
    expect([...client.conduitInfo.websockets.keys()]).toEqual(['1']);
  });

  it('scaling revokes the shards that no longer exist and asks the strategy for new ones', async () => {
    const emu = await h.start();
    const even = (count: number) =>
      Array.from({ length: count }, (_, i) => String(i)).filter((id) => Number(id) % 2 === 0);
    const counts: number[] = [];
    const own = driven(['0'], {
      shardCountChanged: (count, ctx) => {
        counts.push(count);
        return ctx.grant(even(count));
      },
    });
    const client = h.client({ conduitId: 'create', ownership: own.strategy });
    const scaled: ConduitScaledInfo[] = [];
    client.on('conduitScaled', (info) => scaled.push(info));
    await client.start();
    const conduitId = client.conduitInfo.id!;
    await client.conduitInfo.updateShardCount(5);
    expect(counts).toEqual([5]);
    expect(enabled(emu, conduitId)).toEqual(['0', '2', '4']);
    expect(scaled[0]).toMatchObject({ added: ['2', '4'], removed: [], leftToOthers: ['1', '3'] });
    await client.conduitInfo.updateShardCount(3);
    expect(own.context().owned()).toEqual(['0', '2']);
    expect(scaled[1]).toMatchObject({ added: [], removed: ['4'], leftToOthers: ['1'] });
    // Without assignTransports a strategy of its own is still told (the static one is not: see scaling.test.ts).
    await client.conduitInfo.updateShardCount(4, { assignTransports: false });
    expect(counts).toEqual([5, 3, 4]);
    expect(scaled[2]).toMatchObject({ added: [], removed: [], leftToOthers: ['1', '3'] });
  });

  it('refuses ids that are not shards of the conduit, granting nothing', async () => {
    await h.start();
    const own = driven([]);
    const client = h.client({ conduitId: 'create', ownership: own.strategy });
    await client.start();
    expect(own.context().owned()).toEqual([]);
    for (const bad of [['2'], ['01'], ['-1'], [1 as unknown as string], ['0', 'x']]) {
      const error = await own
        .context()
        .grant(bad)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'shardIds' });
    }
    expect(own.context().owned()).toEqual([]);
    expect(client.conduitInfo.websockets.size).toBe(0);
  });

  it('reports a strategy callback that throws instead of crashing', async () => {
    await h.start();
    const own = driven(['0'], {
      shardBound: () => {
        throw new Error('strategy bug');
      },
    });
    const client = h.client({ conduitId: 'create', ownership: own.strategy });
    const contexts: (string | undefined)[] = [];
    client.on('error', (error, context) => contexts.push(`${error.message}@${context ?? ''}`));
    await client.start();
    expect(contexts).toEqual(['strategy bug@ownership']);
    expect(client.conduitInfo.websockets.get('0')?.state).toBe('connected');
  });

  it('refuses an ownership option that is not a strategy', async () => {
    await h.start();
    expect(() => h.client({ ownership: { ownedShards: () => [] } as unknown as OwnershipStrategy })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'ownership' }) as Error,
    );
    expect(() =>
      h.client({ ownership: { start: () => undefined, mayReclaim: true } as unknown as OwnershipStrategy }),
    ).toThrow(expect.objectContaining({ field: 'ownership.mayReclaim' }) as Error);
  });
});
