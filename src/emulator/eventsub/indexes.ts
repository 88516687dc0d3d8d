/**
 * Keys and index helpers of the emulated EventSub: the condition's canonical key, the stable shard hash, the
 * identity key of the 409/429 rules, multimap add/remove, and the time-ordered pruning queues.
 */
import type { StoredSubscription } from './model.js';

/** FNV-1a 32-bit hash: stable shard choice for a condition. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Canonical JSON of a condition (sorted keys). */
export function conditionKey(condition: Readonly<Record<string, string>>): string {
  const keys = Object.keys(condition).sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = condition[k] ?? '';
  return JSON.stringify(sorted);
}

/**
 * What a subscription is routed by on a conduit: the broadcaster (or user) of its condition when there is one, else
 * the whole condition.
 */
export function routeKey(condition: Readonly<Record<string, string>>, key: string): string {
  return (
    condition.broadcaster_user_id ??
    condition.to_broadcaster_user_id ??
    condition.from_broadcaster_user_id ??
    condition.user_id ??
    key
  );
}

/** Key of the 409 (same subscription exists) and 429 rules: client, type and canonical condition. */
export function identityKey(clientId: string, type: string, condition: string): string {
  return `${clientId}\n${type}\n${condition}`;
}

/** Key of a user token's websocket subscriptions (the websocket limits). */
export function wsUserKey(clientId: string, userId: string | undefined): string {
  return `${clientId}\n${userId ?? ''}`;
}

/** Adds `value` to the set under `key`, creating the set. */
export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

/** Removes `value` from the set under `key`, dropping the set when it empties. */
export function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** Removes from the head of `queue` (ordered by `disabledAt`) every subscription disabled at or before `before`. */
export function pruneQueue(
  queue: StoredSubscription[],
  before: number,
  remove: (sub: StoredSubscription) => void,
): void {
  let i = 0;
  while (i < queue.length && (queue[i]?.disabledAt ?? 0) <= before) i++;
  if (i === 0) return;
  for (const sub of queue.splice(0, i)) remove(sub);
}
