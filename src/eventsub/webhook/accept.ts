/**
 * What the webhook receiver decides about a request, apart from HTTP: the answer and the dispatch of a verified,
 * well-formed body (`acceptBody`), of a refused request (`rejection`), and the types that carry them from the checks
 * to the dedupe verdict and on to dispatch.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord } from '../../core/guards.js';
import {
  toSubscriptionModel,
  type SubscriptionModel,
  type WireNotificationPayload,
} from '../../catalogue/events.js';
import type { WireSubscription } from '../../protocol/eventsub.js';
import { REJECTION_STATUS, type VerifiedWebhookMessage, type WebhookRejectionReason } from './verify.js';
import type {
  WebhookNotification,
  WebhookRejection,
  WebhookResponse,
  WebhookRevocation,
  WebhookVerificationRequest,
} from './types.js';

/** Where an evaluated request's outcome goes (now, or once a promised dedupe verdict settles). */
export type Sink = (outcome: Outcome) => void;

/** A verified, well-formed request waiting for the dedupe store's verdict. */
export interface Candidate {
  readonly verified: VerifiedWebhookMessage;
  /** What to dispatch when the id is new. */
  readonly fresh: Dispatch;
  /** The answer when the id is new or a duplicate. */
  readonly response: WebhookResponse;
  readonly path: string | undefined;
  readonly sink: Sink;
}

export type Dispatch =
  | { kind: 'notification'; value: WebhookNotification }
  | { kind: 'revocation'; value: WebhookRevocation }
  | { kind: 'verification'; value: WebhookVerificationRequest }
  | { kind: 'duplicate'; value: VerifiedWebhookMessage }
  | { kind: 'rejected'; value: WebhookRejection };

export interface Outcome {
  readonly response: WebhookResponse;
  readonly dispatch: Dispatch | undefined;
}

/** A body being read, watched by the slow-body sweep. */
export interface BodyRead {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly deadline: number;
  done: boolean;
}

export const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' } as const;
const NO_CONTENT: WebhookResponse = { status: 204, headers: {}, body: '' };

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

export function isJsonContentType(value: string | undefined | null): boolean {
  if (typeof value !== 'string') return false;
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

/** The dispatch and answer of a well-formed message, or why its body is malformed. */
export function acceptBody(
  type: VerifiedWebhookMessage['messageType'],
  parsed: Record<string, unknown>,
  verified: VerifiedWebhookMessage,
  path: string | undefined,
): { fresh: Dispatch; response: WebhookResponse } | string {
  const sub = parsed.subscription;
  switch (type) {
    case 'webhook_callback_verification': {
      const challenge = parsed.challenge;
      if (typeof challenge !== 'string' || challenge === '') return 'verification without a challenge';
      const shard = parsed.conduit_shard;
      const conduitShard = isRecord(shard)
        ? {
            conduitId: stringOf(shard.conduit_id),
            shardId: stringOf(shard.shard ?? shard.shard_id),
          }
        : null;
      if (!isRecord(sub) && conduitShard === null) {
        return 'verification without subscription or conduit_shard';
      }
      // A re-sent challenge is answered again (else the verification would fail) but not re-emitted.
      return {
        response: { status: 200, headers: { 'Content-Type': 'text/plain' }, body: challenge },
        fresh: {
          kind: 'verification',
          value: {
            ...verified,
            messageType: 'webhook_callback_verification',
            challenge,
            subscription: isRecord(sub) ? (sub as unknown as WireSubscription) : null,
            conduitShard,
            path,
          },
        },
      };
    }
    case 'notification': {
      if (!isRecord(sub) || (parsed.event === undefined && !Array.isArray(parsed.events))) {
        return 'notification without subscription and event';
      }
      if (typeof sub.type !== 'string' || typeof sub.version !== 'string' || typeof sub.id !== 'string') {
        return 'subscription without id, type and version';
      }
      return {
        response: NO_CONTENT,
        fresh: {
          kind: 'notification',
          value: {
            ...verified,
            messageType: 'notification',
            payload: parsed as unknown as WireNotificationPayload,
            path,
          },
        },
      };
    }
    case 'revocation': {
      if (!isRecord(sub) || parsed.event !== undefined || sub.status === 'enabled') {
        return 'revocation without a revoked subscription';
      }
      let model: SubscriptionModel;
      try {
        model = toSubscriptionModel(sub as unknown as WireSubscription);
      } catch {
        return 'revocation with a malformed subscription';
      }
      return {
        response: NO_CONTENT,
        fresh: {
          kind: 'revocation',
          value: {
            ...verified,
            messageType: 'revocation',
            subscription: model,
            wireSubscription: sub as unknown as WireSubscription,
            path,
          },
        },
      };
    }
  }
}

/** The answer and `rejected` event of a refused request. */
export function rejection(reason: WebhookRejectionReason, detail: string, path: string | undefined): Outcome {
  const status = REJECTION_STATUS[reason];
  return {
    response: { status, headers: TEXT, body: reason },
    dispatch: { kind: 'rejected', value: { reason, status, detail, path } },
  };
}
