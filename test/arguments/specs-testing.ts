/**
 * Rows of the testing kit (`twitch-realtime/testing`, src/testing/), spread into specs.ts's table.
 */
import { Emulator } from '../../src/emulator/index.js';
import { REVOCATION_STATUSES } from '../../src/protocol/eventsub.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Recorder } from '../../src/testing/index.js';
import {
  checkRecordingLine,
  parseRecordingLine,
  readRecording,
  record,
  type RecordableReceiver,
  type RecordOptions,
} from '../../src/testing/index.js';
import { positiveInteger } from './domains.js';
import { keysOf } from './specs.js';
import { TypedEmitter } from '../../src/core/emitter.js';
import { EVENT_DEFINITIONS } from '../../src/catalogue/definitions.js';
import {
  events,
  expectEvent,
  expectNoEvent,
  startTestTwitch,
  TestClock,
  SHARD_DROP_CODES,
  dropShard,
  duplicateDeliveries,
  failWebhookDeliveries,
  helixBurst,
  reconnectSession,
  revokeSubscription,
  stallKeepalives,
  exampleEvent,
  type DrainOptions,
  type TickAsyncOptions,
  type EventIterator,
  type EventReceiver,
  type EventsOptions,
  type ExpectEventOptions,
  type ExpectNoEventOptions,
  type NoEventWatch,
  type TestTwitch,
} from '../../src/testing/index.js';
import {
  anyValue,
  duration,
  integer,
  isFunction,
  isNumber,
  isObject,
  isSignal,
  isString,
  nonEmpty,
  numberIn,
  oneOf,
  optional,
  withMethods,
  type Domain,
} from './domains.js';
import type { Context, Param, Row, Spec } from './specs.js';

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

const SESSION_KEYS: Readonly<Record<string, Domain>> = {
  sessionId: optional(nonEmpty),
  conduitId: optional(nonEmpty),
  shardId: optional(nonEmpty),
};
const NEEDS_SESSION = 'needs a live session: test/testing/scenarios/ runs it against real clients';
const COUNT = integer(1, 10_000);

/**
 * One test Twitch shared by the rows of its methods (started by the first call, closed by {@link closeTestingSpecs}):
 * a refused call then opens nothing of its own.
 */
let shared: Promise<TestTwitch> | undefined;
function kit(): Promise<TestTwitch> {
  shared ??= startTestTwitch();
  return shared;
}

/** Closes the shared test Twitch (the argument test's `afterAll`). */
export async function closeTestingSpecs(): Promise<void> {
  const twitch = await shared;
  shared = undefined;
  await twitch?.close();
  // The files the record() row wrote.
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

const MODELLED = new Set<unknown>(EVENT_DEFINITIONS.map((d) => d.type));
const receiverParam: Param = {
  name: 'receiver',
  valid: () => new TypedEmitter(),
  ok: withMethods('on', 'off'),
};
const typeParam: Param = { name: 'type', valid: () => 'channel.follow', ok: (v) => MODELLED.has(v) };
const closeIt = (value: unknown): unknown => (value as { close(): unknown }).close();

/** An options param (optional object) with its keys' domains. */
function optionsParam(valid: () => Record<string, unknown>, keys: Readonly<Record<string, Domain>>): Param {
  return { name: 'options', valid, ok: optional(isObject), keys };
}

/** `options` with a signal of our own that the row aborts right after the call, so nothing waits on. */
function withOwnSignal(options: unknown): { options: unknown; abort: () => void } {
  const controller = new AbortController();
  if (typeof options !== 'object' || options === null) return { options, abort: () => undefined };
  const given = (options as { signal?: unknown }).signal;
  const signal =
    given === undefined
      ? controller.signal
      : given instanceof AbortSignal
        ? AbortSignal.any([given, controller.signal])
        : given;
  return {
    options: { ...options, signal },
    abort: () => {
      controller.abort();
    },
  };
}

/** The rows. */
export function testingSpecs(ctx: Context): Record<string, Spec> {
  const emu = (): Param => ({ name: 'emu', valid: () => ctx.emu, ok: (v) => v instanceof Emulator });
  const input = (valid: () => Record<string, unknown>, keys: Readonly<Record<string, Domain>>): Param => ({
    name: 'input',
    valid,
    ok: isObject,
    keys,
  });
  /**
   * A scenario that waits for traffic runs on a closed emulator of its own (made by the first call, the valid
   * one): the arguments are checked alike, and a fault armed there resolves at once (`complete: false`) instead of
   * waiting on the shared emulator, where it would also hit the other rows' requests.
   */
  let closed: Emulator | undefined;
  const onClosedEmulator =
    (scenario: (e: Emulator, i: never) => Promise<unknown>): Row['call'] =>
    async ([e, i]) => {
      if (e !== ctx.emu) return scenario(e as Emulator, i as never);
      if (closed === undefined) {
        closed = await Emulator.start({ port: 0 });
        await closed.close();
      }
      return scenario(closed, i as never);
    };
  return {
    SHARD_DROP_CODES: { exempt: 'a constant' },
    dropShard: {
      params: [
        emu(),
        input(() => ({ sessionId: 'nope', code: 4000 }), { ...SESSION_KEYS, code: oneOf(SHARD_DROP_CODES) }),
      ],
      call: ([e, i]) => dropShard(e as Emulator, i as never),
      skipValidCall: NEEDS_SESSION,
    },
    reconnectSession: {
      params: [
        emu(),
        input(() => ({ sessionId: 'nope' }), {
          ...SESSION_KEYS,
          handover: optional(oneOf(['accept', 'refuse'])),
          timeoutMs: optional(integer(1, 3_600_000)),
        }),
      ],
      call: ([e, i]) => reconnectSession(e as Emulator, i as never),
      skipValidCall: NEEDS_SESSION,
    },
    stallKeepalives: {
      params: [emu(), input(() => ({ sessionId: 'nope' }), SESSION_KEYS)],
      call: ([e, i]) => stallKeepalives(e as Emulator, i as never),
      skipValidCall: NEEDS_SESSION,
    },
    revokeSubscription: {
      params: [
        emu(),
        input(() => ({ subscriptionId: 'nope', status: 'user_removed' }), {
          subscriptionId: nonEmpty,
          status: oneOf(REVOCATION_STATUSES),
        }),
      ],
      call: ([e, i]) => revokeSubscription(e as Emulator, i as never),
      skipValidCall: 'needs a subscription: test/testing/scenarios/revocation.test.ts runs it',
    },
    helixBurst: {
      params: [
        emu(),
        input(() => ({ count: 1, status: 503 }), {
          count: COUNT,
          status: oneOf([429, 500, 502, 503, 504]),
          method: optional((v) => typeof v === 'string' && /^[A-Za-z]{1,16}$/.test(v)),
          path: optional((v) => typeof v === 'string' && v.startsWith('/') && v.length <= 512),
          resetAfterMs: optional(integer(0, 3_600_000)),
        }),
      ],
      call: onClosedEmulator(helixBurst),
    },
    duplicateDeliveries: {
      params: [emu(), input(() => ({ count: 1 }), { count: COUNT })],
      call: onClosedEmulator(duplicateDeliveries),
    },
    failWebhookDeliveries: {
      params: [emu(), input(() => ({ count: 1 }), { count: COUNT, callback: optional(isString) })],
      call: onClosedEmulator(failWebhookDeliveries),
    },
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
    exampleEvent: {
      params: [
        { name: 'type', valid: () => 'channel.follow', ok: isString },
        { name: 'version', valid: () => '2', ok: isString },
        // Overrides are event data: a field of the wrong type is the model's MALFORMED_EVENT.
        { name: 'overrides', valid: () => ({ userName: 'Ada' }), ok: optional(isObject), data: true },
      ],
      call: ([t, v, o]) => exampleEvent(t as never, v as never, o as never),
    },
    startTestTwitch: {
      params: [optionsParam(() => ({}), {})],
      call: ([o]) => startTestTwitch(o as object),
      dispose: closeIt,
    },
    TestTwitch: {
      construct: { exempt: '@internal: made by startTestTwitch (checked there)' },
      methods: {
        clientOptions: NO_ARGUMENTS,
        close: NO_ARGUMENTS,
        track: {
          params: [{ name: 'closable', valid: () => ({ close: () => undefined }), ok: withMethods('close') }],
          call: async ([c]) => (await kit()).track(c as { close(): unknown }),
        },
        autoClient: {
          params: [optionsParam(() => ({}), {})],
          call: async ([o]) => (await kit()).autoClient(o as object),
          dispose: closeIt,
        },
        webSocketClient: {
          params: [optionsParam(() => ({}), {})],
          call: async ([o]) => (await kit()).webSocketClient(o as object),
          dispose: closeIt,
        },
        helixClient: {
          params: [optionsParam(() => ({}), {})],
          call: async ([o]) => (await kit()).helixClient(o as object),
          dispose: closeIt,
        },
        drain: {
          params: [
            optionsParam(() => ({}), {
              timeoutMs: optional(duration()),
              signal: optional(isSignal),
            } satisfies Record<keyof DrainOptions, Domain>),
          ],
          call: async ([o]) => (await kit()).drain(o as DrainOptions),
        },
      },
    },
    TestUser: {
      construct: { exempt: '@internal: made by startTestTwitch' },
      methods: { toJSON: NO_ARGUMENTS },
    },
    expectEvent: {
      params: [
        receiverParam,
        typeParam,
        optionsParam(() => ({ timeoutMs: 1 }), {
          timeoutMs: optional(duration()),
          filter: optional(isFunction),
          signal: optional(isSignal),
        } satisfies Record<keyof ExpectEventOptions<'channel.follow'>, Domain>),
      ],
      call: ([r, t, o]) => {
        const own = withOwnSignal(o);
        const waiting = expectEvent(r as EventReceiver, t as 'channel.follow', own.options as object);
        waiting.catch(() => undefined);
        own.abort();
        return undefined;
      },
    },
    events: {
      params: [
        receiverParam,
        typeParam,
        optionsParam(() => ({}), {
          filter: optional(isFunction),
          signal: optional(isSignal),
          bufferSize: optional(integer(1, 1_000_000)),
        } satisfies Record<keyof EventsOptions<'channel.follow'>, Domain>),
      ],
      call: ([r, t, o]) => events(r as EventReceiver, t as 'channel.follow', o as object),
      dispose: (iterator) => {
        (iterator as EventIterator<'channel.follow'>).close();
      },
    },
    expectNoEvent: {
      params: [
        receiverParam,
        typeParam,
        optionsParam(() => ({}), {
          filter: optional(isFunction),
        } satisfies Record<keyof ExpectNoEventOptions<'channel.follow'>, Domain>),
      ],
      call: ([r, t, o]) => expectNoEvent(r as EventReceiver, t as 'channel.follow', o as object),
      dispose: (watch) => {
        (watch as NoEventWatch).cancel();
      },
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
            // Any number, as the system clock takes it (NaN as 0, huge as 2^31-1).
            { name: 'ms', valid: () => 1, ok: isNumber },
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
        tickAsync: {
          params: [
            { name: 'ms', valid: () => 1, ok: MS },
            {
              name: 'options',
              valid: () => ({ quietTurns: 1, maxTurns: 2 }),
              ok: optional(isObject),
              keys: {
                quietTurns: optional(integer(1, 1_000_000)),
                maxTurns: optional(integer(1, 1_000_000)),
              },
            },
          ],
          call: ([ms, options]) => new TestClock().tickAsync(ms as number, options as TickAsyncOptions),
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
