/**
 * Rows of the command framework (`twitch-realtime/bot`, src/bot/commands/), spread into specs.ts's table.
 */
import type { Arg } from '../../src/bot/index.js';
import {
  Command,
  CommandContext,
  Commands,
  arg,
  command,
  commandModule,
  cooldowns,
  group,
  guard,
  guards,
  type AnyCommand,
  type ArgOptions,
  type ChatActions,
  type CommandDefinition,
  type CommandModule,
  type CommandsOptions,
  type CooldownOptions,
  type GroupDefinition,
  type GuardLike,
  type ModerationOptions,
  type ModuleDefinition,
  type NumberBounds,
  type UserTarget,
} from '../../src/bot/index.js';
import type {
  ChannelChatMessageEvent,
  ChannelPointsCustomRewardRedemptionAddEvent,
} from '../../src/catalogue/index.js';
import { RecordingActions, chat, redemption } from '../bot/commands-support.js';
import {
  anyValue,
  instanceOf,
  integer,
  isArray,
  isBoolean,
  isFunction,
  isObject,
  isString,
  never,
  nonEmpty,
  oneOf,
  optional,
  type Domain,
} from './domains.js';
import type { KeyDomains, Param, Row, Spec } from './specs.js';

const keysOf = <T>(domains: KeyDomains<T>): KeyDomains<T> => domains;
const NO_ARGUMENTS = { exempt: 'takes no arguments' } as const;
const NAME: Domain = (v) => typeof v === 'string' && /^[^\s]{1,64}$/.test(v);
const TEXT: Domain = (v) => typeof v === 'string' && v.trim() !== '';
const SAFE = integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
const FINITE_BOUND: Domain = (v) => typeof v === 'number' && Number.isFinite(v);
const USER_TARGET: Domain = (v) => nonEmpty(v) || (isObject(v) && nonEmpty((v as { id?: unknown }).id));
const GUARD: Domain = (v) =>
  isFunction(v) ||
  (isObject(v) && isFunction((v as { check?: unknown }).check) && isString((v as { name?: unknown }).name));
const POLICY = optional(oneOf(['ignore', 'accept']));
const MAX_MS = 2 ** 31 - 1;

function options(
  name: string,
  valid: () => Record<string, unknown>,
  keys: Readonly<Record<string, Domain>>,
  ok: Domain = isObject,
): Param {
  return { name, valid, ok, keys };
}

const run = (): undefined => undefined;

function context(): CommandContext {
  return new CommandContext({
    message: chat('!x'),
    redemption: null,
    actions: new RecordingActions(),
    owners: new Set(),
    prefix: '!',
    invokedWith: 'x',
    command: null,
    argumentText: '',
  });
}

const bounds = (integers: boolean): Param =>
  options(
    'options',
    () => ({}),
    keysOf<NumberBounds>({
      min: optional(integers ? SAFE : FINITE_BOUND),
      max: optional(integers ? SAFE : FINITE_BOUND),
    }),
    optional(isObject),
  );

const cooldownParam = (): Param =>
  options(
    'options',
    () => ({ per: 'chatter', rate: 1, perMs: 1000 }),
    keysOf<CooldownOptions>({
      per: oneOf(['chatter', 'channel', 'global']),
      rate: integer(1, MAX_MS),
      perMs: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_MS,
      burst: optional(integer(1, MAX_MS)),
    }),
  );

const moderationParam = (): Param =>
  options(
    'options',
    () => ({}),
    keysOf<ModerationOptions>({ user: optional(USER_TARGET), reason: optional(isString) }),
    optional(isObject),
  );

/** The rows. */
export function commandSpecs(): Record<string, Spec> {
  const ping = (): AnyCommand => command({ name: 'ping', run });
  const commandsRow = (call: (c: Commands, args: unknown[]) => unknown, params: Param[]): Row => ({
    params,
    call: (args) => call(new Commands({ prefix: '!' }), args),
  });
  return {
    arg: {
      construct: { exempt: 'an object, not a class' },
      methods: {
        string: NO_ARGUMENTS,
        integer: { params: [bounds(true)], call: ([o]) => arg.integer(o as NumberBounds) },
        number: { params: [bounds(false)], call: ([o]) => arg.number(o as NumberBounds) },
        boolean: NO_ARGUMENTS,
        user: NO_ARGUMENTS,
        rest: NO_ARGUMENTS,
        choice: {
          params: [
            {
              name: 'words',
              valid: () => ['a', 'b'],
              ok: (v) => Array.isArray(v) && v.length > 0 && v.every((w) => nonEmpty(w)),
            },
          ],
          call: ([w]) => arg.choice(w as string[]),
        },
        custom: {
          params: [
            options(
              'options',
              () => ({ expected: 'a colour', convert: (raw: string) => raw }),
              keysOf<ArgOptions<unknown>>({ expected: TEXT, convert: isFunction, rest: optional(isBoolean) }),
            ),
          ],
          call: ([o]) => arg.custom(o as ArgOptions<unknown>),
        },
      },
    },
    Arg: {
      construct: { exempt: 'built by arg.*()' },
      methods: {
        optional: NO_ARGUMENTS,
        default: {
          params: [{ name: 'value', valid: () => 1, ok: anyValue }],
          call: ([v]) => arg.integer().default(v as number),
        },
      },
    },
    Command: {
      construct: { exempt: 'built by command() and group()' },
      methods: {
        usage: {
          params: [{ name: 'prefix', valid: () => '!', ok: optional(isString) }],
          call: ([p]) => ping().usage(p as string),
        },
      },
    },
    command: {
      params: [
        options(
          'definition',
          () => ({ name: 'ping', run }),
          keysOf<CommandDefinition<Record<string, Arg<unknown>>>>({
            name: NAME,
            aliases: optional(isArray),
            description: optional(isString),
            args: optional(isObject),
            guards: optional(isArray),
            cooldown: optional(isObject),
            sharedChat: POLICY,
            strict: optional(isBoolean),
            rewards: optional(isArray),
            before: optional(isFunction),
            after: optional(isFunction),
            onError: optional(isFunction),
            run: isFunction,
          }),
        ),
      ],
      call: ([d]) => command(d as CommandDefinition<Record<string, Arg<unknown>>>),
    },
    group: {
      params: [
        options(
          'definition',
          () => ({ name: 'mod', commands: [ping()] }),
          keysOf<GroupDefinition>({
            name: NAME,
            aliases: optional(isArray),
            description: optional(isString),
            guards: optional(isArray),
            sharedChat: POLICY,
            before: optional(isFunction),
            after: optional(isFunction),
            onError: optional(isFunction),
            commands: (v) => Array.isArray(v) && v.length > 0,
            run: optional(isFunction),
          }),
        ),
      ],
      call: ([d]) => group(d as GroupDefinition),
    },
    commandModule: {
      params: [
        options(
          'definition',
          () => ({ name: 'fun', commands: [ping()] }),
          keysOf<ModuleDefinition>({
            name: NAME,
            commands: optional(isArray),
            guards: optional(isArray),
            sharedChat: POLICY,
            before: optional(isFunction),
            after: optional(isFunction),
            onError: optional(isFunction),
            onMessage: optional(isFunction),
            onRedemption: optional(isFunction),
          }),
        ),
      ],
      call: ([d]) => commandModule(d as ModuleDefinition),
    },
    cooldowns: {
      construct: { exempt: 'an object, not a class' },
      methods: {
        tokenBucket: {
          params: [cooldownParam()],
          call: ([o]) => cooldowns.tokenBucket(o as CooldownOptions),
        },
        gcra: { params: [cooldownParam()], call: ([o]) => cooldowns.gcra(o as CooldownOptions) },
      },
    },
    guard: {
      params: [
        { name: 'name', valid: () => 'regular', ok: nonEmpty },
        { name: 'check', valid: () => () => true, ok: isFunction },
      ],
      call: ([n, c]) => guard(n as string, c as () => boolean),
    },
    guards: {
      construct: { exempt: 'an object, not a class' },
      methods: {
        any: {
          params: [{ name: 'guards', valid: () => guards.owner, ok: GUARD }],
          call: ([g]) => guards.any(g as GuardLike),
        },
      },
    },
    Commands: {
      construct: {
        params: [
          options(
            'options',
            () => ({ prefix: '!' }),
            keysOf<CommandsOptions>({
              prefix: (v) =>
                isFunction(v) ||
                (typeof v === 'string' && v !== '' && !/\s/.test(v)) ||
                (Array.isArray(v) &&
                  v.length > 0 &&
                  v.every((p) => typeof p === 'string' && p !== '' && !/\s/.test(p))),
              ownerIds: optional((v) => Array.isArray(v) && v.every((id) => nonEmpty(id))),
              botId: optional(nonEmpty),
              caseInsensitive: optional(isBoolean),
              sharedChat: POLICY,
              users: optional(
                (v) => isObject(v) && isFunction((v as { resolveLogin?: unknown }).resolveLogin),
              ),
              clock: optional((v) => isObject(v) && isFunction((v as { now?: unknown }).now)),
              maxCooldownKeys: optional(integer(1, Number.MAX_SAFE_INTEGER)),
              before: optional(isFunction),
              after: optional(isFunction),
              onError: optional(isFunction),
              onUnhandledError: optional(isFunction),
            }),
          ),
        ],
        call: ([o]) => new Commands(o as CommandsOptions),
      },
      methods: {
        add: commandsRow(
          (c, [x]) => c.add(x as AnyCommand),
          [{ name: 'commands', valid: ping, ok: instanceOf(Command) }],
        ),
        remove: commandsRow(
          (c, [x]) => c.remove(x as string),
          [{ name: 'command', valid: () => 'ping', ok: (v) => isString(v) || v instanceof Command }],
        ),
        addModule: commandsRow(
          (c, [m]) => c.addModule(m as CommandModule),
          [{ name: 'module', valid: () => commandModule({ name: 'fun' }), ok: never }],
        ),
        removeModule: commandsRow(
          (c, [m]) => c.removeModule(m as string),
          [
            {
              name: 'module',
              valid: () => 'fun',
              ok: (v) => isString(v) || (isObject(v) && isString((v as { name?: unknown }).name)),
            },
          ],
        ),
        get: commandsRow(
          (c, [n]) => c.get(n as string),
          [{ name: 'name', valid: () => 'ping', ok: isString }],
        ),
        help: commandsRow(
          (c, [n, p]) => c.help(n as string, p as string),
          [
            { name: 'name', valid: () => undefined, ok: optional(isString) },
            { name: 'prefix', valid: () => undefined, ok: optional(isString) },
          ],
        ),
        dispatch: commandsRow(
          (c, [e, a]) => c.dispatch(e as ChannelChatMessageEvent, a as ChatActions),
          [
            {
              name: 'event',
              valid: () => chat('!ping'),
              ok: (v) => isObject(v) && isString((v as { message?: { text?: unknown } }).message?.text),
              data: true,
            },
            { name: 'actions', valid: () => new RecordingActions(), ok: isObject },
          ],
        ),
        dispatchRedemption: commandsRow(
          (c, [e, a]) =>
            c.dispatchRedemption(e as ChannelPointsCustomRewardRedemptionAddEvent, a as ChatActions),
          [
            {
              name: 'event',
              valid: () => redemption({ id: 'r1', title: 'Hydrate' }, ''),
              ok: (v) => {
                const r = isObject(v)
                  ? (v as { reward?: { id?: unknown; title?: unknown } }).reward
                  : undefined;
                return isObject(r) && isString(r?.id) && isString(r?.title);
              },
              data: true,
            },
            { name: 'actions', valid: () => new RecordingActions(), ok: isObject },
          ],
        ),
        cooldownKeys: commandsRow(
          (c, [x]) => c.cooldownKeys(x as AnyCommand),
          [{ name: 'command', valid: ping, ok: instanceOf(Command) }],
        ),
      },
    },
    CommandContext: {
      construct: { exempt: 'built by the Commands dispatcher for each invocation' },
      methods: {
        reply: {
          params: [{ name: 'text', valid: () => 'hi', ok: TEXT }],
          call: ([t]) => context().reply(t as string),
        },
        send: {
          params: [{ name: 'text', valid: () => 'hi', ok: TEXT }],
          call: ([t]) => context().send(t as string),
        },
        announce: {
          params: [
            { name: 'text', valid: () => 'hi', ok: TEXT },
            {
              name: 'color',
              valid: () => undefined,
              ok: optional(oneOf(['primary', 'blue', 'green', 'orange', 'purple'])),
            },
          ],
          call: ([t, c]) => context().announce(t as string, c as 'blue'),
        },
        deleteMessage: {
          params: [{ name: 'messageId', valid: () => undefined, ok: optional(nonEmpty) }],
          call: ([m]) => context().deleteMessage(m as string),
        },
        timeout: {
          params: [{ name: 'seconds', valid: () => 60, ok: integer(1, 1_209_600) }, moderationParam()],
          call: ([s, o]) => context().timeout(s as number, o as ModerationOptions),
        },
        ban: { params: [moderationParam()], call: ([o]) => context().ban(o as ModerationOptions) },
        shoutout: {
          params: [{ name: 'to', valid: () => '42', ok: USER_TARGET }],
          call: ([t]) => context().shoutout(t as UserTarget),
        },
        whisper: {
          params: [
            { name: 'text', valid: () => 'hi', ok: TEXT },
            { name: 'to', valid: () => undefined, ok: optional(USER_TARGET) },
          ],
          call: ([t, to]) => context().whisper(t as string, to as UserTarget),
        },
      },
    },
  };
}
