/** Transport view carried by `conduit.shard.disabled` (re-exported shapes from the shared protocol module). */
import type { ShardStatus } from '../../protocol/eventsub.js';

/** Shard status as sent. */
export type WireShardStatus = ShardStatus | (string & {});

/** Transport of a shard as carried in `conduit.shard.disabled`. */
export interface WireTransportView {
  method: string;
  callback?: string;
  session_id?: string;
  connected_at?: string | null;
  disconnected_at?: string | null;
}
