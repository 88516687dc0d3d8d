/**
 * The emulator's HTTP webhook transport (the default `webhookTransport`).
 *
 * @packageDocumentation
 */
export { HttpWebhookTransport, sign as signWebhookMessage } from './http-transport.js';
export type { HttpWebhookTransportOptions, HttpWebhookTransportStats } from './http-transport.js';
