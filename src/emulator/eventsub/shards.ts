/**
 * Conduit shard bookkeeping of the emulated EventSub: new shards, unbinding a shard from its target, the enabled
 * list (swap-remove, O(1) retry picks) and the `conduit.shard.disabled` event body. Status transitions and their
 * side effects stay in {@link EventSubCore}.
 */
import type { Conduit, DeliveryTarget, Shard, ShardTarget } from './model.js';

/** A new, unassigned shard at `index` of `conduit`. */
export function newShard(conduit: Conduit, index: number): Shard {
  return {
    conduit,
    index,
    id: String(index),
    status: 'websocket_disconnected',
    target: null,
    enabledPos: -1,
  };
}

/** Detaches a shard from its target (and the target's session from the shard). */
export function unbindShard(shard: Shard): void {
  const t = shard.target;
  if (t?.method === 'websocket' && t.session.shard === shard) t.session.shard = null;
  shard.target = null;
}

/**
 * Adds a shard to, or removes it from, its conduit's enabled list; keeps `allDisabledSince` in step (`now`: the
 * emulator's clock, ms).
 */
export function setShardEnabled(shard: Shard, enabled: boolean, now: number): void {
  const list = shard.conduit.enabled;
  if (enabled && shard.enabledPos === -1) {
    shard.enabledPos = list.length;
    list.push(shard);
    shard.conduit.allDisabledSince = 0;
  } else if (!enabled && shard.enabledPos !== -1) {
    const last = list.pop();
    if (last !== undefined && last !== shard) {
      list[shard.enabledPos] = last;
      last.enabledPos = shard.enabledPos;
    }
    shard.enabledPos = -1;
    if (list.length === 0) shard.conduit.allDisabledSince = now;
  }
}

/** The `event` JSON of `conduit.shard.disabled` for a shard in its current status and target. */
export function shardDisabledEvent(shard: Shard): string {
  const t = shard.target;
  let transport: Record<string, string>;
  if (t === null) transport = { method: 'websocket', session_id: '' };
  else if (t.method === 'webhook') transport = { method: 'webhook', callback: t.endpoint.callback };
  else {
    transport = { method: 'websocket', session_id: t.session.id, connected_at: t.connectedAt };
    if (t.disconnectedAt !== undefined) transport.disconnected_at = t.disconnectedAt;
  }
  return JSON.stringify({
    conduit_id: shard.conduit.id,
    shard_id: shard.id,
    status: shard.status,
    transport,
  });
}

/** The delivery target behind a shard's binding. */
export function targetOf(target: ShardTarget): DeliveryTarget {
  return target.method === 'websocket' ? target.session : target.target;
}
