/**
 * Codes of the webhook receiver beyond the core's (`INVALID_ARGUMENT`), the catalogue's (`MALFORMED_EVENT`) and the
 * dedupe store's. A request that fails verification is no error: it is answered with a 4xx and emitted as
 * `rejected` with a `WebhookRejectionReason`.
 */
export type WebhookErrorCode =
  /**
   * The request body was already read when the handler ran (a body parser such as `express.json()` came first), so
   * the signature cannot be checked. The receiver answers `500`.
   *
   * What to do: **Fix setup:** mount the handler before any body parser, or pass the raw bytes to `process()`.
   */
  'WEBHOOK_BODY_CONSUMED';

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../../core/errors.js' {
  interface TwitchErrorCodes {
    webhook: WebhookErrorCode;
  }
}
