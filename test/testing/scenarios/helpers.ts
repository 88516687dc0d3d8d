/**
 * Helpers of the scenario tests: an AutoClient on a one-shard conduit with `stream.online` subscriptions, what it
 * reports (ready, disconnected, errors, events by message id), and the session its shard is on.
 */
import type { AutoClient, AutoClientOptions } from '../../../src/eventsub/conduit/index.js';
import type { ShardDisconnectedInfo, ShardReadyInfo } from '../../../src/eventsub/client.js';
import type { EmulatorOptions } from '../../../src/emulator/index.js';
import { Harness, streamOnline } from '../../eventsub/conduit/helpers.js';

export { Harness };

/** An AutoClient of `shards` websocket shards and `subs` stream.online subscriptions, started, with its reports. */
export async function conduitClient(
  h: Harness,
  {
    shards = 1,
    subs = 1,
    emulator = {},
    client = {},
  }: {
    shards?: number;
    subs?: number;
    emulator?: EmulatorOptions;
    client?: Partial<AutoClientOptions>;
  } = {},
) {
  const emu = h.emu ?? (await h.start(emulator));
  const auto = h.client({
    conduitId: 'create',
    shardIds: Array.from({ length: shards }, (_, i) => i),
    subscriptions: streamOnline(emu, subs),
    watchShardDisabled: false,
    ...client,
  });
  const ready: ShardReadyInfo[] = [];
  const disconnected: ShardDisconnectedInfo[] = [];
  const errors: Error[] = [];
  const events = new Map<string, number>();
  auto.on('shardReady', (r) => ready.push(r));
  auto.on('shardDisconnected', (d) => disconnected.push(d));
  auto.on('error', (error) => errors.push(error));
  auto.on('stream.online', (_event, n) => events.set(n.messageId, (events.get(n.messageId) ?? 0) + 1));
  await auto.start();
  const conduitId = auto.conduitInfo.id;
  if (conduitId === null) throw new Error('no conduit');
  return {
    emu,
    client: auto,
    conduitId,
    ready,
    disconnected,
    errors,
    events,
    total: () => [...events.values()].reduce((a, b) => a + b, 0),
  };
}

/** The session id of a shard of the client. */
export function sessionOf(client: AutoClient, shardId = '0'): string {
  const id = client.conduitInfo.websockets.get(shardId)?.sessionId;
  if (id == null) throw new Error(`shard ${shardId} has no session`);
  return id;
}
