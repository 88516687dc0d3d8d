/**
 * `twitch-realtime/testing`: the emulator as a test kit for your own code, in any Node test runner (nothing here
 * imports one): a fixture (`startTestTwitch`), expectations (`expectEvent`, `events`, `expectNoEvent`), and one
 * controllable clock for the emulator and your clients; record what a live client receives and replay it into the
 * emulator (`record`, `readRecording`, `emu.replay`).
 *
 * @packageDocumentation
 */
export { TestClock, type TickAsyncOptions } from './clock.js';
export { exampleEvent } from './fixtures.js';
export type { ExampleEvent } from './fixtures.js';
export {
  startTestTwitch,
  TestTwitch,
  TestUser,
  TEST_TWITCH_DEFAULTS,
  TEST_USERS,
  TEST_SCOPES,
} from './kit.js';
export type {
  Closable,
  TestAutoClientOptions,
  TestClientOptions,
  TestHelixClientOptions,
  TestTwitchOptions,
  TestUserRole,
  TestWebSocketClientOptions,
} from './kit.js';
export { expectEvent, events, expectNoEvent, EXPECT_EVENT_TIMEOUT_MS, EVENTS_BUFFER_SIZE } from './expect.js';
export type {
  AnyEventListener,
  Drainable,
  EventFilter,
  EventIterator,
  EventListener,
  EventReceiver,
  EventsOptions,
  ExpectEventOptions,
  ExpectNoEventOptions,
  NoEventWatch,
  ReceivedEvent,
} from './expect.js';
export { TestingError } from './errors.js';
export type { TestingErrorCode } from './errors.js';
export type { DrainOptions } from '../emulator/eventsub/drain.js';
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
  ScenarioHost,
  SessionScenarioResult,
  SessionTarget,
} from './scenarios.js';
export { Recorder, readRecording, record } from './record.js';
export type { RecordableReceiver, RecordingSource, RecordingSummary, RecordOptions } from './record.js';
export {
  MAX_RECORDING_LINE_CHARS,
  RECORDING_FORMAT,
  RECORDING_FORMAT_VERSION,
  RecordingError,
  checkRecordingLine,
  parseRecordingLine,
} from '../protocol/recording.js';
export type {
  RecordedNotification,
  RecordedRevocation,
  RecordedSubscription,
  RecordingErrorCode,
  RecordingHeader,
  RecordingLine,
} from '../protocol/recording.js';
export type { ReplayOptions, ReplayResult, ReplayRun, UnmatchedLine } from '../emulator/eventsub/replay.js';
