/**
 * Rows of the testing kit (`twitch-realtime/testing`, src/testing/), spread into specs.ts's table.
 */
import { Emulator } from '../../src/emulator/index.js';
import { REVOCATION_STATUSES } from '../../src/protocol/eventsub.js';
import {
  SHARD_DROP_CODES,
  TestClock,
  exampleEvent,
  type TickAsyncOptions,
  dropShard,
  duplicateDeliveries,
  failWebhookDeliveries,
  helixBurst,
  reconnectSession,
  revokeSubscription,
  stallKeepalives,
} from '../../src/testing/index.js';
import {
  anyValue,
  integer,
  isFunction,
  isNumber,
  isObject,
  isString,
  nonEmpty,
  numberIn,
  oneOf,
  optional,
  type Domain,
} from './domains.js';
import type { Context, Param, Row, Spec } from './specs.js';

const NO_ARGUMENTS = { exempt: 'takes no arguments' } as const;
const MS = numberIn(0, Number.MAX_VALUE);

const SESSION_KEYS: Readonly<Record<string, Domain>> = {
  sessionId: optional(nonEmpty),
  conduitId: optional(nonEmpty),
  shardId: optional(nonEmpty),
};
const NEEDS_SESSION = 'needs a live session: test/testing/scenarios/ runs it against real clients';
const COUNT = integer(1, 10_000);

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
