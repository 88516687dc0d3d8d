/**
 * In-memory model of the emulated EventSub: subscriptions, conduits and shards. Plain objects with mutable status
 * fields; every mutation goes through {@link EventSubCore} so that indexes and counters stay consistent.
 */
import type { CatalogueEntry } from '../../catalogue/types.js';
import type { ShardStatus, SubscriptionStatus, WireCondition } from '../../protocol/eventsub.js';
import type { Session } from './session.js';
import type { WebhookEndpoint } from './webhook.js';

/** Kind of a message pushed to a delivery target. */
export type OutboundKind = 'notification' | 'revocation';

/**
 * Something that can carry EventSub messages: a WebSocket session or a webhook endpoint. A webhook transport plugs
 * in by implementing this interface. Returns `false` when the message could not be sent (not connected, backlog).
 */
export interface DeliveryTarget {
  deliver(
    kind: OutboundKind,
    messageId: string,
    timestamp: string,
    subscription: StoredSubscription,
    payloadJson: string,
  ): boolean;
}

/** Transport of a stored subscription. */
export type SubscriptionTransport =
  | { readonly method: 'websocket'; readonly session: Session }
  | { readonly method: 'conduit'; readonly conduit: Conduit }
  | { readonly method: 'webhook'; readonly endpoint: WebhookEndpoint; readonly target: DeliveryTarget };

/** A subscription as the emulator stores it. */
export interface StoredSubscription {
  readonly id: string;
  /** Creation sequence number: order of Get Subscriptions and pagination cursor. */
  readonly seq: number;
  readonly type: string;
  readonly version: string;
  readonly entry: CatalogueEntry;
  readonly condition: WireCondition;
  /** Canonical JSON of the condition (sorted keys): identity for the 409/429 rules and trigger matching. */
  readonly conditionKey: string;
  /** Stable hash used to pick a conduit shard (broadcaster id when present, else the whole condition). */
  readonly routeHash: number;
  readonly clientId: string;
  /** Owner of a websocket subscription (the user token's user). */
  readonly userId: string | undefined;
  readonly cost: number;
  readonly createdAt: string;
  readonly transport: SubscriptionTransport;
  status: SubscriptionStatus;
  /** When the subscription left the enabled/pending state (ms epoch). */
  disabledAt: number;
  /** Cached wire JSON of the subscription object; cleared on every status change. */
  json: string | undefined;
}

/** The transport bound to a shard. */
export type ShardTarget =
  | {
      readonly method: 'websocket';
      readonly session: Session;
      readonly connectedAt: string;
      disconnectedAt?: string;
    }
  | { readonly method: 'webhook'; readonly endpoint: WebhookEndpoint; readonly target: DeliveryTarget };

/** One shard of a conduit. */
export interface Shard {
  readonly conduit: Conduit;
  /** Index in `conduit.shards`, also its id (`"0"`..`"n-1"`). */
  readonly index: number;
  readonly id: string;
  status: ShardStatus;
  target: ShardTarget | null;
  /** Position in `conduit.enabled`, or -1. */
  enabledPos: number;
}

/** A conduit: a client-owned set of shards. */
export interface Conduit {
  readonly id: string;
  readonly clientId: string;
  readonly shards: Shard[];
  /** Enabled shards, unordered (swap-remove), for O(1) retry picks. */
  readonly enabled: Shard[];
  /** Since when no shard has been enabled (ms epoch), or 0 while some shard is enabled. */
  allDisabledSince: number;
}

/** Statuses in which a subscription is alive (counts toward limits, may become or is enabled). */
export function isActive(status: SubscriptionStatus): boolean {
  return status === 'enabled' || status === 'webhook_callback_verification_pending';
}
