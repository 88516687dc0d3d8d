/**
 * Public camelCase models of the Helix endpoints wrapped so far, and their conversion from the snake_case wire
 * types (shared with the emulator in `protocol/eventsub.ts`).
 */
import type {
  ShardStatus,
  SubscriptionStatus,
  WireConduit,
  WireShard,
  WireShardError,
  WireSubscription,
  WireTransport,
} from '../protocol/eventsub.js';
import type { SubscriptionTransport } from '../catalogue/events.js';

/** A conduit. */
export interface HelixConduit {
  readonly id: string;
  readonly shardCount: number;
}

/** Transport of a conduit shard: a subscription transport other than `conduit` (webhook or WebSocket). */
export type ShardTransport = Exclude<SubscriptionTransport, { readonly method: 'conduit' }>;

/** A conduit shard. */
export interface HelixConduitShard {
  readonly id: string;
  readonly status: ShardStatus;
  readonly transport: ShardTransport;
}

/** Transport of a shard update: a WebSocket session, or a webhook callback with its secret. */
export type ShardTransportInput =
  | { readonly method: 'websocket'; readonly sessionId: string }
  | { readonly method: 'webhook'; readonly callback: string; readonly secret: string };

/** One shard of an Update Conduit Shards call. */
export interface ShardUpdate {
  readonly id: string;
  readonly transport: ShardTransportInput;
}

/** A per-shard failure of Update Conduit Shards. */
export interface ShardUpdateError {
  readonly id: string;
  readonly message: string;
  /**
   * Twitch's code, e.g. `invalid_parameter`; or, when the whole request of this shard's chunk failed while other
   * chunks went through, that failure's `TwitchError` code (`SERVER_ERROR`, `NETWORK_ERROR`, `TIMEOUT`...).
   */
  readonly code: string;
  /** The failure of this shard's chunk request, when that is what failed (see `code`). */
  readonly cause?: Error;
}

/** Result of {@link EventSubApi.updateConduitShards}: partial success is normal, check `errors`. */
export interface ShardUpdateResult {
  readonly shards: HelixConduitShard[];
  readonly errors: ShardUpdateError[];
}

/** Transport of a subscription as Twitch reports it (never the webhook secret); the catalogue's model. */
export type { SubscriptionTransport } from '../catalogue/events.js';

/** Transport of Create EventSub Subscription. */
export type SubscriptionTransportInput =
  | { readonly method: 'conduit'; readonly conduitId: string }
  | { readonly method: 'websocket'; readonly sessionId: string }
  | { readonly method: 'webhook'; readonly callback: string; readonly secret: string };

/** An EventSub subscription. */
export interface EventSubSubscription {
  readonly id: string;
  readonly status: SubscriptionStatus;
  readonly type: string;
  readonly version: string;
  readonly cost: number;
  /** Condition as sent (snake_case keys, as Twitch defines them). */
  readonly condition: Readonly<Record<string, string>>;
  readonly transport: SubscriptionTransport;
  readonly createdAt: Date;
}

/** Totals Twitch returns with subscription lists and creations. */
export interface SubscriptionTotals {
  /** Number of subscriptions (approximate, Twitch updates it with a delay). */
  readonly total: number;
  readonly totalCost: number;
  readonly maxTotalCost: number;
}

/** Result of {@link EventSubApi.createSubscription}. */
export interface CreatedSubscription extends SubscriptionTotals {
  readonly subscription: EventSubSubscription;
}

/** A Twitch user. */
export interface HelixUser {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  /** `''`, `admin`, `global_mod` or `staff`. */
  readonly type: string;
  /** `''`, `affiliate` or `partner`. */
  readonly broadcasterType: string;
  readonly description: string;
  readonly profileImageUrl: string;
  readonly offlineImageUrl: string;
  readonly createdAt: Date;
  /** Only for the token's own user with `user:read:email`. */
  readonly email?: string;
}

/** Wire user (Get Users). */
export interface WireHelixUser {
  id: string;
  login: string;
  display_name: string;
  type: string;
  broadcaster_type: string;
  description: string;
  profile_image_url: string;
  offline_image_url: string;
  created_at: string;
  email?: string;
}

function date(value: string | undefined | null): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function toConduit(w: WireConduit): HelixConduit {
  return { id: w.id, shardCount: w.shard_count };
}

function toTransport(t: WireTransport): SubscriptionTransport {
  switch (t.method) {
    case 'webhook':
      return { method: 'webhook', callback: t.callback };
    case 'websocket':
      return {
        method: 'websocket',
        sessionId: t.session_id,
        connectedAt: date(t.connected_at),
        disconnectedAt: date(t.disconnected_at),
      };
    case 'conduit':
      return { method: 'conduit', conduitId: t.conduit_id };
  }
}

export function toShard(w: WireShard): HelixConduitShard {
  return { id: w.id, status: w.status, transport: toTransport(w.transport) as ShardTransport };
}

export function toShardError(w: WireShardError): ShardUpdateError {
  return { id: w.id, message: w.message, code: w.code };
}

export function toSubscription(w: WireSubscription): EventSubSubscription {
  return {
    id: w.id,
    status: w.status,
    type: w.type,
    version: w.version,
    cost: w.cost,
    condition: w.condition,
    transport: toTransport(w.transport),
    createdAt: date(w.created_at) ?? new Date(0),
  };
}

export function toUser(w: WireHelixUser): HelixUser {
  return {
    id: w.id,
    login: w.login,
    displayName: w.display_name,
    type: w.type,
    broadcasterType: w.broadcaster_type,
    description: w.description,
    profileImageUrl: w.profile_image_url,
    offlineImageUrl: w.offline_image_url,
    createdAt: date(w.created_at) ?? new Date(0),
    ...(w.email === undefined ? {} : { email: w.email }),
  };
}

/** Wire shape of a shard update input. */
export function shardUpdateWire(u: ShardUpdate): {
  id: string;
  transport:
    { method: 'webhook'; callback: string; secret: string } | { method: 'websocket'; session_id: string };
} {
  const t = u.transport;
  return {
    id: u.id,
    transport:
      t.method === 'websocket'
        ? { method: 'websocket', session_id: t.sessionId }
        : { method: 'webhook', callback: t.callback, secret: t.secret },
  };
}

/** Wire shape of a subscription transport input. */
export function transportInputWire(
  t: SubscriptionTransportInput,
):
  | { method: 'conduit'; conduit_id: string }
  | { method: 'websocket'; session_id: string }
  | { method: 'webhook'; callback: string; secret: string } {
  switch (t.method) {
    case 'conduit':
      return { method: 'conduit', conduit_id: t.conduitId };
    case 'websocket':
      return { method: 'websocket', session_id: t.sessionId };
    case 'webhook':
      return { method: 'webhook', callback: t.callback, secret: t.secret };
  }
}
