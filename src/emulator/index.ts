/**
 * `twitch-realtime/emulator`: a local, conduit-aware Twitch for tests, benchmarks and demos.
 *
 * @example
 * ```ts
 * import { Emulator } from 'twitch-realtime/emulator';
 *
 * await using emu = await Emulator.start({ port: 0 });
 * const { clientId, helixUrl, eventSubWsUrl } = emu.clientOptions();
 * ```
 *
 * @packageDocumentation
 */
export { Emulator } from './emulator.js';
export type { ChatState, ConduitState, CounterState, EmulatorState } from './state.js';
export type { EmulatorClientOptions } from './http/accounts.js';
export type { EmulatorOptions } from './options.js';
export type { EmulatorErrorCode } from './errors.js';
export type { EmulatorFaults } from './eventsub/control.js';
export { REVOCATION_STATUSES } from './eventsub/control.js';
export type { EventStream, StreamInput, TriggerInput, TriggerResult } from './eventsub/trigger.js';
export type {
  CamelCased,
  CamelPartial,
  EventOverrides,
  TriggerType,
  TriggerVersion,
  TypedStreamOptions,
  TypedTriggerOptions,
} from './eventsub/typed-trigger.js';
export type { SessionState, SessionStatus } from './eventsub/session.js';
export type { ReplayOptions, ReplayResult, ReplayRun, UnmatchedLine } from './eventsub/replay.js';
export type { WebhookDelivery, WebhookTransport, WebhookVerification } from './eventsub/webhook.js';
export type { HelixFaults } from './http/types.js';
export type { ChatRoleInput, ChatRoleName } from './chat/roles.js';
export type { ChatPresenceInput } from './chat/presence.js';
export type { ChatMessageType, ViewerBadge, ViewerChatInput, ViewerChatResult } from './chat/viewers.js';
export { CHAT_MESSAGE_TYPES } from './chat/viewers.js';
export type { SharedChatEndInput, SharedChatInput, SharedChatResult } from './chat/shared.js';
export { MAX_SHARED_CHAT_PARTICIPANTS } from './chat/shared.js';
export type { RedeemInput, RedeemResult } from './chat/redemptions.js';
export type { ChatRoomsState } from './chat/chat.js';
export type { PlatformErrorContext, PlatformErrorHandler } from './http/server.js';
export type { ControlApi, ScriptApi } from './eventsub/control.js';
export type { EventSubFaults } from './eventsub/core.js';
export type { DrainOptions } from './eventsub/drain.js';
export type { PubSubServer, PubSubServerConnection, PubSubServerOptions } from './pubsub/index.js';
export { samplePubSubMessage } from './pubsub/index.js';
export type { SampleOptions } from './pubsub/index.js';
export type { HttpWebhookTransportOptions } from './webhook/http-transport.js';
export { EmulatorScript } from './script.js';
export type { HelixFaultHit, HelixFaultInput, HelixFaultReport, ScriptReport } from './script.js';
export { HELIX_FAULT_STATUSES } from './http/helix-script.js';
