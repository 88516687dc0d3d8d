/**
 * EventSub over webhooks: a framework-free verifier and a hardened receiver (`node:http` handler, raw-body
 * `process()` for frameworks, standalone listener).
 *
 * @packageDocumentation
 */
export {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  MAX_MESSAGE_ID_LENGTH,
  REJECTION_STATUS,
  WEBHOOK_HEADERS,
  checkWebhookHeaders,
  verifyEventSubMessage,
} from './verify.js';
export type {
  VerifiedWebhookMessage,
  VerifyEventSubMessageInput,
  VerifyResult,
  WebhookHeaders,
  WebhookRejectionReason,
} from './verify.js';
export { WebhookReceiver } from './receiver.js';
export type { WebhookReceiverStats } from './metrics.js';
export type { WebhookErrorCode } from './errors.js';
// The receiver's dedupe store, for users of this entry point alone (the same bindings as the websocket module's).
export {
  DEFAULT_DEDUPE_MAX_ENTRIES,
  DEFAULT_DEDUPE_WINDOW_MS,
  DedupeError,
  MemoryDedupeStore,
} from '../websocket/dedupe.js';
export type {
  DedupeErrorCode,
  DedupeStore,
  DedupeVerdict,
  MemoryDedupeStoreOptions,
} from '../websocket/dedupe.js';
export type {
  WebhookListenOptions,
  WebhookListener,
  WebhookNotification,
  WebhookProcessInput,
  WebhookReceiverEvents,
  WebhookReceiverLifecycleEvents,
  WebhookReceiverOptions,
  WebhookRejection,
  WebhookResponse,
  WebhookRevocation,
  WebhookTypedEvents,
  WebhookVerificationRequest,
} from './types.js';
