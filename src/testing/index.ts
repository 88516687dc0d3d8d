/**
 * `twitch-realtime/testing`: the emulator as a test kit for your own code, in any Node test runner (nothing here
 * imports one). One controllable clock for the emulator and your clients; record what a live client receives and
 * replay it into the emulator.
 *
 * @packageDocumentation
 */
export { TestClock } from './clock.js';
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
