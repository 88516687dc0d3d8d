/**
 * Delivery mechanics of the emulated EventSub: conduit routing (the shard at `hash % shard_count`, one retry on
 * another enabled shard), webhook delivery targets backed by a {@link WebhookTransport}, and callback verification.
 * What to deliver, counting and the reaction to failures stay in {@link EventSubCore}.
 *
 * Hot path: routing allocates nothing; a webhook delivery is one object (a class, no closure per message).
 */
import { webhookBody } from './frames.js';
import type { Conduit, DeliveryTarget, OutboundKind, StoredSubscription } from './model.js';
import { targetOf } from './shards.js';
import type { WebhookDelivery, WebhookEndpoint, WebhookTransport } from './webhook.js';

/** Where a webhook delivery reports that it failed for good (the core). */
export interface WebhookFailureSink {
  webhookFailed(target: DeliveryTarget, sub: StoredSubscription): void;
}

/**
 * Conduit routing: the shard at `hash % shard_count`; if it is not enabled or the send fails, one other enabled
 * shard (`onRetry` is called); else nothing. The caller checks that the conduit still exists.
 */
export function routeToConduit(
  conduit: Conduit,
  sub: StoredSubscription,
  kind: OutboundKind,
  id: string,
  timestamp: string,
  payload: string,
  counters: { retried: number },
): DeliveryTarget | null {
  const n = conduit.shards.length;
  if (n === 0) return null;
  const hash = sub.routeHash;
  const first = conduit.shards[hash % n];
  if (first?.status === 'enabled' && first.target !== null) {
    const target = targetOf(first.target);
    if (target.deliver(kind, id, timestamp, sub, payload)) return target;
  }
  const enabled = conduit.enabled;
  let alt = enabled[hash % (enabled.length || 1)];
  if (alt === first) alt = enabled.length > 1 ? enabled[(hash + 1) % enabled.length] : undefined;
  if (alt?.target == null) return null;
  counters.retried++;
  const target = targetOf(alt.target);
  return target.deliver(kind, id, timestamp, sub, payload) ? target : null;
}

/** A delivery target for a webhook endpoint, backed by `transport` (none: never delivers). */
export function webhookTarget(
  sink: WebhookFailureSink,
  transport: WebhookTransport | undefined,
  endpoint: WebhookEndpoint,
): DeliveryTarget {
  const target: DeliveryTarget = {
    deliver: (kind, id, timestamp, sub, payload) => {
      if (transport === undefined) return false;
      const body = webhookBody(kind, sub, payload);
      return transport.deliver(
        new CoreWebhookDelivery(sink, target, endpoint, kind, id, timestamp, sub, body),
      );
    },
  };
  return target;
}

/** Runs a callback verification through `transport` (none: never completes); `done` is called at most once. */
export function verifyEndpoint(
  transport: WebhookTransport | undefined,
  endpoint: WebhookEndpoint,
  subject: { subscription: unknown } | { conduit_shard: unknown },
  done: (ok: boolean) => void,
): void {
  if (transport === undefined) return;
  let completed = false;
  transport.verify({
    callback: endpoint.callback,
    secret: endpoint.secret(),
    subject,
    complete(ok: boolean) {
      if (completed) return;
      completed = true;
      done(ok);
    },
  });
}

/** One webhook delivery handed to the transport (a class: no closure per message; the secret is not enumerable). */
class CoreWebhookDelivery implements WebhookDelivery {
  readonly callback: string;
  readonly messageType: OutboundKind;
  readonly messageId: string;
  readonly timestamp: string;
  readonly subscriptionType: string;
  readonly subscriptionVersion: string;
  readonly body: string;
  readonly #sink: WebhookFailureSink;
  readonly #target: DeliveryTarget;
  readonly #endpoint: WebhookEndpoint;
  readonly #sub: StoredSubscription;

  constructor(
    sink: WebhookFailureSink,
    target: DeliveryTarget,
    endpoint: WebhookEndpoint,
    kind: OutboundKind,
    id: string,
    timestamp: string,
    sub: StoredSubscription,
    body: string,
  ) {
    this.#sink = sink;
    this.#target = target;
    this.#endpoint = endpoint;
    this.#sub = sub;
    this.callback = endpoint.callback;
    this.messageType = kind;
    this.messageId = id;
    this.timestamp = timestamp;
    this.subscriptionType = sub.type;
    this.subscriptionVersion = sub.version;
    this.body = body;
  }

  get secret(): string {
    return this.#endpoint.secret();
  }

  failed(): void {
    this.#sink.webhookFailed(this.#target, this.#sub);
  }
}
