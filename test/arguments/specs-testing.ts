/**
 * Rows of the testing kit (`twitch-realtime/testing`, src/testing/), spread into specs.ts's table.
 */
import { TestClock, exampleEvent, type TickAsyncOptions } from '../../src/testing/index.js';
import {
  anyValue,
  integer,
  isFunction,
  isNumber,
  isObject,
  isString,
  numberIn,
  optional,
} from './domains.js';
import type { Spec } from './specs.js';

const NO_ARGUMENTS = { exempt: 'takes no arguments' } as const;
const MS = numberIn(0, Number.MAX_VALUE);

/** The rows. */
export function testingSpecs(): Record<string, Spec> {
  return {
    exampleEvent: {
      params: [
        { name: 'type', valid: () => 'channel.follow', ok: isString },
        { name: 'version', valid: () => '2', ok: isString },
        // Overrides are event data: a field of the wrong type is the model's MALFORMED_EVENT.
        { name: 'overrides', valid: () => ({ userName: 'Ada' }), ok: optional(isObject), data: true },
      ],
      call: ([t, v, o]) => exampleEvent(t as never, v as never, o as never),
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
