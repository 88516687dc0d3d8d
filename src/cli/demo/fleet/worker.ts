/**
 * A fleet worker: one process running one {@link AutoClient} on the shared conduit of an emulator reached over the
 * network, its shards given by the fleet's ownership strategy in Redis. Forked by the parent (fleet.ts) with its
 * {@link WorkerConfig} in the environment; reports every handled notification (message id, the parent's sequence
 * number, shard) and its shards over the IPC channel. `stop` (or SIGTERM) closes the client, then the process exits
 * by itself.
 */
import { AutoClient } from '../../../eventsub/conduit/auto-client.js';
import type { FleetOwnership } from '../../../fleet/lease-ownership.js';
import type { Notification } from '../../../catalogue/events.js';
import { connectRedis, type OwnedRedisConnection } from '../../../fleet/redis.js';
import { RedisDedupeStore } from '../../../fleet/redis-dedupe.js';
import { RedisHelixBudget } from '../../../fleet/helix-budget.js';
import { errorMessage } from '../../../core/guards.js';
import {
  SEQ_FIELD,
  WORKER_ENV,
  type ParentMessage,
  type WorkerConfig,
  type WorkerMessage,
  type WorkerShard,
} from './protocol.js';
import { fleetOwnership } from './ownership.js';

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

/** The parent's sequence number of a notification (the field it added to the event), or -1. */
function seqOf(notification: Notification): number {
  const event = notification.raw.event as Record<string, unknown> | undefined;
  const seq = event?.[SEQ_FIELD];
  return typeof seq === 'number' ? seq : typeof seq === 'string' ? Number(seq) : -1;
}

/** Runs the worker until stopped; resolves once everything is closed. */
export async function runWorker(config: WorkerConfig): Promise<void> {
  let redis: OwnedRedisConnection | undefined;
  let client: AutoClient | undefined;
  let ownership: FleetOwnership | undefined;
  let dedupe: RedisDedupeStore | undefined;
  let budget: RedisHelixBudget | undefined;
  let handled: (string | number)[] = [];
  let flushScheduled = false;
  let errors = 0;
  let suppressed = 0;
  const seen = new WeakMap<object, number>();
  const flush = (): void => {
    flushScheduled = false;
    if (handled.length === 0) return;
    send({ t: 'handled', d: handled });
    handled = [];
  };
  const state = (): void => {
    const shards: WorkerShard[] = [];
    for (const [id, session] of client?.conduitInfo.websockets ?? []) {
      shards.push([id, session.sessionId, session.state]);
      // Per session object (a shard's, kept across its reconnects): its counter only grows.
      const duplicates = session.stats.duplicates;
      suppressed += duplicates - (seen.get(session) ?? 0);
      seen.set(session, duplicates);
    }
    flush();
    const lease = ownership?.snapshot();
    send({
      t: 'state',
      shards,
      suppressed,
      errors,
      leader: lease?.isLeader ?? false,
      fenced: lease?.fenced ?? false,
      owned: lease?.owned ?? [],
      incarnation: lease?.incarnation ?? null,
      renewals: ownership?.counters.renewals ?? 0,
    });
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(timer);
      try {
        await client?.close();
      } finally {
        state();
        await budget?.close();
        await redis?.close();
        if (process.connected) process.disconnect();
      }
    })();
    return stopping;
  };
  const timer = setInterval(state, config.reportEveryMs);
  // The only message is `stop`.
  process.on('message', (_message: ParentMessage) => void stop());
  process.once('SIGTERM', () => void stop());
  // Ctrl-C in a terminal reaches the whole process group: the parent stops its workers itself (gracefully).
  process.on('SIGINT', () => undefined);
  // The parent gone (its IPC channel closed): nobody to report to, stop.
  process.once('disconnect', () => void stop());
  try {
    redis = await connectRedis(config.redisUrl);
    ownership = fleetOwnership(config, redis);
    ownership.on('error', (error) => {
      errors++;
      send({ t: 'log', line: `${config.name}: ownership: ${error.message}` });
    });
    ownership.on('leaderChanged', (_leader, isLeader) => {
      if (isLeader) send({ t: 'log', line: `${config.name} leads the conduit-wide work` });
    });
    ownership.on('fenced', () => {
      send({ t: 'log', line: `${config.name} fenced: serving what is bound, binding nothing` });
    });
    // Message ids shared by the fleet: a copy that reaches another process is dropped there.
    dedupe = new RedisDedupeStore({ redis, fleet: config.fleet });
    dedupe.on('error', (error) => {
      send({ t: 'log', line: `${config.name}: dedupe judged locally: ${error.message}` });
    });
    // The app token's Helix bucket, spent by the fleet as one.
    budget = new RedisHelixBudget({ redis, clientId: config.clientId });
    client = new AutoClient({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      helixUrl: config.helixUrl,
      oauthUrl: config.oauthUrl,
      eventSubWsUrl: config.eventSubWsUrl,
      conduitId: config.conduitId,
      ownership,
      dedupe,
      helixBudget: budget,
      // The parent accounts for every notification by its sequence number; conduit.shard.disabled notifications
      // (which the emulator would route like any other) are left out so that each delivered one is the parent's.
      watchShardDisabled: false,
      reconcileIntervalMs: 2000,
      shardRetry: { initialMs: 100, maxMs: 1000 },
      reconnectBackoff: { initialMs: 50, maxMs: 1000 },
    });
    client.on('notification', (notification, shardId) => {
      handled.push(notification.messageId, seqOf(notification), shardId);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
    client.on('shardReady', state);
    client.on('shardDisconnected', state);
    client.on('error', (error) => {
      errors++;
      send({ t: 'log', line: `${config.name}: ${errorMessage(error)}` });
    });
    await client.start();
    send({ t: 'up' });
    state();
  } catch (error) {
    if (stopping === undefined) send({ t: 'fatal', message: errorMessage(error) });
    await stop();
  }
}

/** The configuration in the environment, or `null` (reported to the parent) when it is not an object. */
function configOf(raw: string): WorkerConfig | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null) return value as WorkerConfig;
  } catch {
    // Reported below.
  }
  send({ t: 'fatal', message: `${WORKER_ENV} is not a JSON object` });
  return null;
}

const raw = process.env[WORKER_ENV];
if (raw !== undefined && process.send !== undefined) {
  const config = configOf(raw);
  if (config === null) process.disconnect();
  else void runWorker(config);
}
