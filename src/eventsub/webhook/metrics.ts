/**
 * The WebhookReceiver's metrics: the EventSub ones every receiver records through the one dispatcher
 * (eventsub/metrics.ts: notifications per type, delivery lag, handler errors), plus deliveries by outcome, read at
 * snapshot time from the counters the receiver keeps anyway (`WebhookReceiver.stats`, one increment per request in
 * its one `#dispatch`), and revocations by the status Twitch gave.
 */
import type { Clock } from '../../core/clock.js';
import type { Counter } from '../../core/metrics.js';
import { EventSubMetrics } from '../metrics.js';
import { REJECTION_STATUS, type WebhookRejectionReason } from './verify.js';

/** Counters of a {@link WebhookReceiver}, since construction (plain numbers; `stats` returns a copy). */
export interface WebhookReceiverStats {
  /** Notifications accepted (first seen, signed, fresh, well-formed) and dispatched. */
  readonly notifications: number;
  /** Revocations accepted. */
  readonly revocations: number;
  /** `webhook_callback_verification` challenges answered. */
  readonly verifications: number;
  /** Verified messages whose id was already seen: answered 204, not dispatched. */
  readonly duplicates: number;
  /** Requests refused, by reason (`invalid_signature`, `stale_message`, `malformed_body`, ...). */
  readonly rejected: Readonly<Record<WebhookRejectionReason, number>>;
}

/** The mutable counters behind `WebhookReceiver.stats` (internal). */
export interface MutableWebhookStats {
  notifications: number;
  revocations: number;
  verifications: number;
  duplicates: number;
  rejected: Record<WebhookRejectionReason, number>;
}

const REASONS = Object.keys(REJECTION_STATUS) as WebhookRejectionReason[];

/** Fresh counters, every reason at 0. */
export function newWebhookStats(): MutableWebhookStats {
  const rejected = {} as Record<WebhookRejectionReason, number>;
  for (const reason of REASONS) rejected[reason] = 0;
  return { notifications: 0, revocations: 0, verifications: 0, duplicates: 0, rejected };
}

/** A copy of `stats` (what the `stats` getter returns). */
export function copyWebhookStats(stats: MutableWebhookStats): WebhookReceiverStats {
  return { ...stats, rejected: { ...stats.rejected } };
}

/** Most revocation statuses kept apart (Twitch has a handful; the rest share `__overflow__`). */
const MAX_REVOCATION_STATUSES = 20;

/** A webhook receiver's metrics (internal: `WebhookReceiver.metrics()` snapshots them). */
export class WebhookMetrics extends EventSubMetrics {
  readonly #revocations: Counter;

  constructor(clock: Clock, stats: MutableWebhookStats) {
    super(clock);
    const r = this.registry;
    const deliveries = r.counter({
      name: 'twitch_realtime_webhook_deliveries_total',
      help: 'Webhook requests, by outcome: notification, revocation, verification, duplicate, or the rejection reason (invalid_signature, stale_message, malformed_body, ...).',
      labelNames: ['outcome'],
    });
    const accepted = {
      notification: deliveries.labels('notification'),
      revocation: deliveries.labels('revocation'),
      verification: deliveries.labels('verification'),
      duplicate: deliveries.labels('duplicate'),
    };
    const rejected = REASONS.map((reason) => [reason, deliveries.labels(reason)] as const);
    this.#revocations = r.counter({
      name: 'twitch_realtime_webhook_revocations_total',
      help: "Revocations received, by the subscription's status (authorization_revoked, notification_failures_exceeded, ...).",
      labelNames: ['status'],
      maxChildren: MAX_REVOCATION_STATUSES,
    });
    r.collect(() => {
      accepted.notification.set(stats.notifications);
      accepted.revocation.set(stats.revocations);
      accepted.verification.set(stats.verifications);
      accepted.duplicate.set(stats.duplicates);
      for (const [reason, child] of rejected) child.set(stats.rejected[reason]);
    });
  }

  /** One revocation accepted, with the status Twitch gave the subscription. */
  revoked(status: string): void {
    this.#revocations.labels(status).inc();
  }
}
