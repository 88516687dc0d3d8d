/**
 * Rows of the testing kit (`twitch-realtime/testing`, src/testing/), spread into specs.ts's table.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Recorder } from '../../src/testing/index.js';
import {
  TestClock,
  checkRecordingLine,
  parseRecordingLine,
  readRecording,
  record,
  type RecordableReceiver,
  type RecordOptions,
} from '../../src/testing/index.js';
import { TypedEmitter } from '../../src/core/emitter.js';
import {
  anyValue,
  isFunction,
  isNumber,
  isObject,
  isString,
  nonEmpty,
  numberIn,
  optional,
  positiveInteger,
  withMethods,
} from './domains.js';
import { keysOf, type Spec } from './specs.js';

const NO_ARGUMENTS = { exempt: 'takes no arguments' } as const;
const MS = numberIn(0, Number.MAX_VALUE);
const HEADER = JSON.stringify({
  kind: 'header',
  format: 'twitch-realtime/recording',
  format_version: 1,
  library_version: '0.1.0',
  started_at: '2026-01-01T00:00:00.000Z',
  source: 'test',
});
/** Files a `record()` row writes go here, never to the working directory. */
let dir: string | undefined;
function inTemp(destination: unknown): unknown {
  if (typeof destination !== 'string' || destination === '') return destination;
  dir ??= mkdtempSync(join(tmpdir(), 'tr-specs-'));
  return join(dir, `r-${encodeURIComponent(destination).slice(0, 100)}.jsonl`);
}
const isWritable = withMethods('write', 'on');
const isIterableSource = (v: unknown): boolean =>
  nonEmpty(v) ||
  v instanceof Readable ||
  (typeof v === 'object' && v !== null && (Symbol.iterator in v || Symbol.asyncIterator in v));

/** The rows. */
export function testingSpecs(): Record<string, Spec> {
  return {
    record: {
      params: [
        {
          name: 'receiver',
          valid: () => new TypedEmitter<Record<string, unknown[]>>(),
          ok: withMethods('on', 'off'),
        },
        {
          name: 'destination',
          // A path is made a file of a temporary directory (the call keeps '' as is, to be refused).
          valid: () => new PassThrough(),
          ok: (v) => nonEmpty(v) || isWritable(v),
        },
        {
          name: 'options',
          valid: () => ({}),
          ok: optional(isObject),
          keys: keysOf<RecordOptions>({
            source: optional(nonEmpty),
            maxBufferedBytes: optional(positiveInteger),
            clock: optional(withMethods('now', 'setTimeout', 'clearTimeout')),
            onError: optional(isFunction),
          }),
        },
      ],
      call: ([r, d, o]) => record(r as RecordableReceiver, inTemp(d) as string, o as RecordOptions),
      dispose: (recorder) => (recorder as Recorder).stop(),
    },
    Recorder: {
      construct: { exempt: 'made by record(), which checks the arguments' },
      methods: { stop: NO_ARGUMENTS, close: NO_ARGUMENTS },
    },
    readRecording: {
      params: [{ name: 'source', valid: () => [HEADER], ok: isIterableSource }],
      call: ([s]) => readRecording(s as string),
    },
    checkRecordingLine: {
      params: [
        { name: 'value', valid: () => JSON.parse(HEADER) as unknown, ok: anyValue, data: true },
        { name: 'line', valid: () => 1, ok: positiveInteger },
      ],
      call: ([v, l]) => checkRecordingLine(v, l as number),
    },
    parseRecordingLine: {
      params: [
        { name: 'text', valid: () => HEADER, ok: isString, data: true },
        { name: 'line', valid: () => 1, ok: positiveInteger },
      ],
      call: ([t, l]) => parseRecordingLine(t as string, l as number),
    },
    TestClock: {
      construct: {
        params: [{ name: 'start', valid: () => 0, ok: (v) => v === undefined || MS(v) }],
        call: ([s]) => new TestClock(s as number),
      },
      methods: {
        now: NO_ARGUMENTS,
        delays: NO_ARGUMENTS,
        setTimeout: {
          params: [
            { name: 'fn', valid: () => () => undefined, ok: isFunction },
            { name: 'ms', valid: () => 1, ok: (v) => isNumber(v) && !Number.isNaN(v) },
          ],
          call: ([fn, ms]) => new TestClock().setTimeout(fn as () => void, ms as number),
        },
        clearTimeout: {
          params: [{ name: 'handle', valid: () => 1, ok: anyValue }],
          call: ([h]) => {
            new TestClock().clearTimeout(h as number);
          },
        },
        advance: {
          params: [{ name: 'ms', valid: () => 1, ok: MS }],
          call: ([ms]) => {
            new TestClock().advance(ms as number);
          },
        },
        skip: {
          params: [{ name: 'ms', valid: () => 1, ok: MS }],
          call: ([ms]) => {
            new TestClock().skip(ms as number);
          },
        },
        fire: {
          params: [{ name: 'ms', valid: () => 5, ok: MS }],
          call: ([ms]) => {
            const clock = new TestClock();
            clock.setTimeout(() => undefined, 5);
            clock.fire(ms as number);
          },
        },
      },
    },
  };
}
