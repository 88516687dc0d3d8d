/**
 * The webhook seam. The core validates webhook transports exactly as Helix does (callback and secret) and stores
 * them; verifying callbacks and delivering to them is a {@link WebhookTransport}'s job. The emulator uses
 * `HttpWebhookTransport` (real HTTP POSTs, signed like Twitch's) unless another transport is given.
 */
import { WEBHOOK_SECRET_MAX_LENGTH, WEBHOOK_SECRET_MIN_LENGTH } from '../../protocol/eventsub.js';

/** A verification challenge to run against a callback. */
export interface WebhookVerification {
  readonly callback: string;
  readonly secret: string;
  /** JSON of the body's `subscription` (subscriptions) or `conduit_shard` (shards) member. */
  readonly subject: { readonly subscription: unknown } | { readonly conduit_shard: unknown };
  /** Report the outcome: `true` enables the subscription or shard, `false` marks it verification-failed. */
  complete(ok: boolean): void;
}

/** One signed POST to a callback. */
export interface WebhookDelivery {
  readonly callback: string;
  readonly secret: string;
  readonly messageId: string;
  readonly messageType: 'notification' | 'revocation';
  readonly timestamp: string;
  readonly subscriptionType: string;
  readonly subscriptionVersion: string;
  /** The JSON body (`{"subscription":…,"event":…}`). */
  readonly body: string;
  /**
   * Reports that this delivery failed for good (every attempt failed). The core then revokes a webhook
   * subscription with `notification_failures_exceeded` (a `revocation` is POSTed) or disables a conduit shard with
   * that status (`conduit.shard.disabled` is emitted). Calling it more than once, or after the subscription or shard
   * changed, does nothing.
   */
  failed(): void;
}

/** Plug-in that performs webhook verification and delivery. */
export interface WebhookTransport {
  verify(verification: WebhookVerification): void;
  /** Returns `false` when the delivery could not be started (counted as a failed send). */
  deliver(delivery: WebhookDelivery): boolean;
  /**
   * Resolves once every delivery and verification in flight when it was called has been answered (or failed): what
   * `emu.drain()` waits for. Retries waiting for their delay are not waited for. Optional: without it, `drain()`
   * does not wait for webhooks.
   */
  drain?(): Promise<void>;
  /** Stops retries and in-flight requests (called by the emulator's `close()` for the transport it created). */
  close?(): void | Promise<void>;
}

/** A webhook endpoint (callback + secret). The secret is a private field: never in JSON or inspect output. */
export class WebhookEndpoint {
  readonly callback: string;
  readonly #secret: string;

  constructor(callback: string, secret: string) {
    this.callback = callback;
    this.#secret = secret;
  }

  /** The HMAC secret (for the transport only). */
  secret(): string {
    return this.#secret;
  }

  toJSON(): { method: 'webhook'; callback: string } {
    return { method: 'webhook', callback: this.callback };
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Checks a callback URL; returns an error message or `null`. HTTPS on port 443 unless insecure loopback is allowed. */
export function checkCallback(value: unknown, allowInsecure: boolean): string | null {
  if (typeof value !== 'string' || value === '') return 'callback is required for webhook transport';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'callback must be a valid URL';
  }
  if (url.protocol === 'https:' && (url.port === '' || url.port === '443')) return null;
  if (
    allowInsecure &&
    LOOPBACK.has(url.hostname) &&
    (url.protocol === 'http:' || url.protocol === 'https:')
  ) {
    return null;
  }
  return allowInsecure
    ? 'callback must use https on port 443 (http is only accepted on loopback hosts)'
    : 'callback must use https on port 443 (start the emulator with allowInsecureWebhooks to accept http://127.0.0.1)';
}

/** Checks a webhook secret: 10..100 printable ASCII characters. Returns an error message or `null`. */
export function checkSecret(value: unknown): string | null {
  if (typeof value !== 'string') return 'secret is required for webhook transport';
  if (
    value.length < WEBHOOK_SECRET_MIN_LENGTH ||
    value.length > WEBHOOK_SECRET_MAX_LENGTH ||
    !/^[\x20-\x7e]+$/.test(value)
  ) {
    return `secret must be between ${WEBHOOK_SECRET_MIN_LENGTH} and ${WEBHOOK_SECRET_MAX_LENGTH} ASCII characters`;
  }
  return null;
}
