/**
 * EventSub over conduits: {@link AutoClient}, {@link ConduitInfo}, the {@link Conduit} and {@link ConduitShard}
 * models, `multiSubscribe` types, ownership strategies and errors.
 *
 * @packageDocumentation
 */
export { AutoClient } from './auto-client.js';
export type { AutoClientOptions, ShardSessionOptions, WebhookShardOptions } from './auto-client.js';
export { ConduitInfo } from './conduit-info.js';
export type { UpdateShardCountOptions } from './conduit-info.js';
export type { BackoffRange } from './options.js';
export { Conduit, ConduitShard } from './models.js';
export type { FetchShardsOptions, ShardStatus } from './models.js';
export { MultiSubscribeAbortedError } from './multi-subscribe.js';
export type {
  AnySubscriptionRequest,
  MultiSubscribeError,
  MultiSubscribeExisting,
  MultiSubscribeHandle,
  MultiSubscribeOptions,
  MultiSubscribePayload,
  MultiSubscribeSuccess,
  SubscriptionInput,
} from './multi-subscribe.js';
export { staticOwnership } from './ownership.js';
export type {
  ConduitWork,
  GrantOptions,
  OwnershipContext,
  OwnershipStrategy,
  ShardBinding,
  ShardLossReason,
} from './ownership.js';
export { ConduitSelectionError, MissingConduitError, ShardCountRangeError, ShardError } from './errors.js';
export type { ConduitErrorCode, ConduitSelectionCode, ShardErrorCode } from './errors.js';
