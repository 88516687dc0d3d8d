/**
 * `twitch-realtime/testing`: the emulator as a test kit for your own code, in any Node test runner (nothing here
 * imports one). One controllable clock for the emulator and your clients.
 *
 * @packageDocumentation
 */
export { TestClock, type TickAsyncOptions } from './clock.js';
export { exampleEvent } from './fixtures.js';
export type { ExampleEvent } from './fixtures.js';
export {
  SHARD_DROP_CODES,
  dropShard,
  duplicateDeliveries,
  failWebhookDeliveries,
  helixBurst,
  reconnectSession,
  revokeSubscription,
  stallKeepalives,
} from './scenarios.js';
export type {
  DeliveryScenarioResult,
  DropShardInput,
  DropShardResult,
  HelixBurstResult,
  ReconnectInput,
  ReconnectResult,
  RevokeInput,
  RevokeResult,
  SessionScenarioResult,
  SessionTarget,
} from './scenarios.js';
