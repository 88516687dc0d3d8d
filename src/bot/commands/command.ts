/**
 * Definitions: {@link command}, {@link group} and {@link commandModule} turn plain objects into checked, immutable
 * {@link Command}s and {@link CommandModule}s. Everything a definition gets wrong throws `INVALID_ARGUMENT` here,
 * at startup, not when a chatter first types the command.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { ChannelChatMessageEvent } from '../../catalogue/models/channel-chat.js';
import type { ChannelPointsCustomRewardRedemptionAddEvent } from '../../catalogue/models/channel-points.js';
import type { ChatActions } from '../actions.js';
import { compileArgs, type ArgSlot, type ArgsOf, type ArgsShape } from './args.js';
import type { CommandContext } from './context.js';
import type { Cooldown } from './cooldowns.js';
import type { CommandError } from './errors.js';
import { compileGuards, type Guard, type GuardLike } from './guards.js';

/** The arguments of a command that declares none: an object without keys (`ctx.args.typo` does not compile). */
// eslint-disable-next-line @typescript-eslint/no-generated-empty-object-type -- no keys is the point
export type NoArgs = Readonly<Record<never, never>>;

/** What commands do with messages from another channel of a shared chat session. */
export type SharedChatPolicy = 'ignore' | 'accept';

/** A hook run before or after a handler; throwing in `before` stops the invocation (`COMMAND_FAILED`). */
export type Hook = (ctx: CommandContext<unknown>) => void | Promise<void>;

/** The context an error handler sees: `command` is `null` for `COMMAND_NOT_FOUND`. */
export type ErrorContext = Omit<CommandContext<unknown>, 'command'> & { readonly command: AnyCommand | null };

/**
 * Handles a failed invocation. Returning handles it; throwing (the same error or another) passes it to the next
 * level: command, its groups, its module, the global handler.
 */
export type ErrorHandler = (error: CommandError, ctx: ErrorContext) => void | Promise<void>;

/** A channel-points reward that invokes a command: by id, or by title (case-insensitive). */
export type RewardMatch = { readonly id: string } | { readonly title: string };

/** What `command()` takes. */
export interface CommandDefinition<A extends ArgsShape> {
  /** The name typed after the prefix: no spaces. */
  readonly name: string;
  /** Other names. */
  readonly aliases?: readonly string[];
  /** One line for help text. */
  readonly description?: string;
  /** The arguments, in the order they are typed: `{ sides: arg.integer() }`. */
  readonly args?: A;
  /** Who may run it (all must pass). */
  readonly guards?: readonly GuardLike[];
  /** How often. */
  readonly cooldown?: Cooldown;
  /** Messages from another channel of a shared chat session. @defaultValue the dispatcher's (`'ignore'`) */
  readonly sharedChat?: SharedChatPolicy;
  /** Words after the last argument are an error instead of ignored. @defaultValue false */
  readonly strict?: boolean;
  /** Channel-points rewards whose redemptions invoke it, the user input as the argument line. */
  readonly rewards?: readonly RewardMatch[];
  readonly before?: Hook;
  readonly after?: Hook;
  readonly onError?: ErrorHandler;
  /** The handler. Its return value is ignored. */
  readonly run: (ctx: CommandContext<ArgsOf<A>>) => unknown;
}

/** What `group()` takes: a command whose first argument picks a subcommand. */
export interface GroupDefinition {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description?: string;
  /** Guards that apply to every subcommand (checked before the subcommand's own). */
  readonly guards?: readonly GuardLike[];
  readonly sharedChat?: SharedChatPolicy;
  readonly before?: Hook;
  readonly after?: Hook;
  /** Handles the errors of its subcommands after their own handlers. */
  readonly onError?: ErrorHandler;
  /** The subcommands. */
  readonly commands: readonly AnyCommand[];
  /**
   * Runs when no subcommand is named (`!mod`), with the rest of the line as `argumentText`. Without it, a missing or
   * unknown subcommand is `COMMAND_BAD_ARGUMENT` / `COMMAND_NOT_FOUND`.
   */
  readonly run?: (ctx: CommandContext<NoArgs>) => unknown;
}

/** A command of any arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the variance escape hatch of a heterogeneous list
export type AnyCommand = Command<any>;

const NAME = /^[^\s]{1,64}$/;

function checkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new InvalidArgumentError(`${field} must be 1 to 64 characters without spaces`, field);
  }
  return value;
}

/** `value` when it is a function, `null` when absent; the caller casts it to its signature. */
function optionalFunction(value: unknown, field: string): unknown {
  if (value === undefined) return null;
  if (typeof value !== 'function') throw new InvalidArgumentError(`${field} must be a function`, field);
  return value;
}

function checkPolicy(value: unknown, field: string): SharedChatPolicy | null {
  if (value === undefined) return null;
  if (value !== 'ignore' && value !== 'accept') {
    throw new InvalidArgumentError(`${field} must be 'ignore' or 'accept'`, field);
  }
  return value;
}

function checkCooldown(value: unknown): Cooldown | null {
  if (value === undefined) return null;
  const kind: unknown =
    typeof value === 'object' && value !== null && 'kind' in value ? value.kind : undefined;
  if (kind !== 'token-bucket' && kind !== 'gcra') {
    throw new InvalidArgumentError(
      'cooldown must be built with cooldowns.tokenBucket() or cooldowns.gcra()',
      'cooldown',
    );
  }
  return value as Cooldown;
}

function checkRewards(value: unknown): readonly RewardMatch[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidArgumentError('rewards must be an array', 'rewards');
  return value.map((r: unknown, i): RewardMatch => {
    const m = r as { id?: unknown; title?: unknown } | null;
    const ok =
      typeof m === 'object' &&
      m !== null &&
      ((typeof m.id === 'string' && m.id !== '' && m.title === undefined) ||
        (typeof m.title === 'string' && m.title !== '' && m.id === undefined));
    if (!ok) throw new InvalidArgumentError(`rewards[${i}] must be { id } or { title }`, `rewards[${i}]`);
    return Object.freeze({ ...(m as RewardMatch) });
  });
}

/**
 * A checked, immutable command (or group). Build it with {@link command} or {@link group}; add it to a
 * {@link Commands} dispatcher directly or through a {@link CommandModule}.
 *
 * @example
 * ```ts
 * const ping = command({ name: 'ping', run: (ctx) => ctx.reply('pong') });
 * ping.usage('!'); // "!ping"
 * ```
 */
export class Command<A = Readonly<Record<string, unknown>>> {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  /** @internal */
  readonly slots: readonly ArgSlot[];
  readonly guards: readonly Guard[];
  readonly cooldown: Cooldown | null;
  /** `null`: the module's, or the dispatcher's. */
  readonly sharedChat: SharedChatPolicy | null;
  readonly strict: boolean;
  readonly rewards: readonly RewardMatch[];
  readonly before: Hook | null;
  readonly after: Hook | null;
  readonly onError: ErrorHandler | null;
  /** The subcommands of a group (empty for a plain command). */
  readonly subcommands: readonly AnyCommand[];
  /** The handler (`null` for a group without a default handler). */
  readonly run: ((ctx: CommandContext<A>) => unknown) | null;

  /** @internal Use {@link command} or {@link group}. */
  constructor(init: {
    name: string;
    aliases: readonly string[];
    description: string;
    slots: readonly ArgSlot[];
    guards: readonly Guard[];
    cooldown: Cooldown | null;
    sharedChat: SharedChatPolicy | null;
    strict: boolean;
    rewards: readonly RewardMatch[];
    before: Hook | null;
    after: Hook | null;
    onError: ErrorHandler | null;
    subcommands: readonly AnyCommand[];
    run: ((ctx: CommandContext<A>) => unknown) | null;
  }) {
    this.name = init.name;
    this.aliases = init.aliases;
    this.description = init.description;
    this.slots = init.slots;
    this.guards = init.guards;
    this.cooldown = init.cooldown;
    this.sharedChat = init.sharedChat;
    this.strict = init.strict;
    this.rewards = init.rewards;
    this.before = init.before;
    this.after = init.after;
    this.onError = init.onError;
    this.subcommands = init.subcommands;
    this.run = init.run;
    Object.freeze(this);
  }

  /**
   * One line of usage: `!dice [sides]`, `!say <text...>`, `!mod <ban|unban>`. `<x>` is required, `[x]` optional,
   * `...` the rest of the line.
   */
  usage(prefix = '!'): string {
    if (typeof prefix !== 'string') throw new InvalidArgumentError('prefix must be a string', 'prefix');
    const parts = [`${prefix}${this.name}`];
    if (this.subcommands.length > 0) {
      const names = this.subcommands.map((c) => c.name).join('|');
      parts.push(this.run === null ? `<${names}>` : `[${names}]`);
    }
    for (const { name, arg } of this.slots) {
      const label = arg.rest ? `${name}...` : name;
      parts.push(arg.isOptional ? `[${label}]` : `<${label}>`);
    }
    return parts.join(' ');
  }
}

function checkDefinition(def: unknown): Record<string, unknown> {
  if (typeof def !== 'object' || def === null)
    throw new InvalidArgumentError('definition must be an object', 'definition');
  return def as Record<string, unknown>;
}

function common(d: Record<string, unknown>): {
  name: string;
  aliases: readonly string[];
  description: string;
  guards: readonly Guard[];
  sharedChat: SharedChatPolicy | null;
  before: Hook | null;
  after: Hook | null;
  onError: ErrorHandler | null;
} {
  const name = checkName(d.name, 'name');
  if (d.aliases !== undefined && !Array.isArray(d.aliases)) {
    throw new InvalidArgumentError('aliases must be an array of names', 'aliases');
  }
  const aliases = ((d.aliases ?? []) as unknown[]).map((a, i) => checkName(a, `aliases[${i}]`));
  if (d.description !== undefined && typeof d.description !== 'string') {
    throw new InvalidArgumentError('description must be a string', 'description');
  }
  return {
    name,
    aliases: Object.freeze(aliases),
    description: d.description ?? '',
    guards: Object.freeze(compileGuards(d.guards, 'guards')),
    sharedChat: checkPolicy(d.sharedChat, 'sharedChat'),
    before: optionalFunction(d.before, 'before') as Hook | null,
    after: optionalFunction(d.after, 'after') as Hook | null,
    onError: optionalFunction(d.onError, 'onError') as ErrorHandler | null,
  };
}

/**
 * Defines a command. Its handler sees its arguments typed: `args: { sides: arg.integer() }` gives
 * `ctx.args.sides: number`.
 *
 * @example
 * ```ts
 * const dice = command({
 *   name: 'dice',
 *   aliases: ['roll'],
 *   description: 'Rolls a die',
 *   args: { sides: arg.integer({ min: 2, max: 100 }).default(6) },
 *   cooldown: cooldowns.tokenBucket({ per: 'chatter', rate: 1, perMs: 5_000 }),
 *   run: (ctx) => ctx.reply(`${1 + Math.floor(Math.random() * ctx.args.sides)}`),
 * });
 * ```
 */
export function command<const A extends ArgsShape = NoArgs>(
  definition: CommandDefinition<A>,
): Command<ArgsOf<A>> {
  const d = checkDefinition(definition);
  const base = common(d);
  const run = optionalFunction(d.run, 'run') as ((ctx: CommandContext<ArgsOf<A>>) => unknown) | null;
  if (run === null) throw new InvalidArgumentError('run must be a function', 'run');
  if (d.strict !== undefined && typeof d.strict !== 'boolean') {
    throw new InvalidArgumentError('strict must be a boolean', 'strict');
  }
  return new Command<ArgsOf<A>>({
    ...base,
    slots: Object.freeze(compileArgs(d.args)),
    cooldown: checkCooldown(d.cooldown),
    strict: d.strict === true,
    rewards: Object.freeze(checkRewards(d.rewards)),
    subcommands: Object.freeze([]),
    run,
  });
}

/**
 * Defines a group: `!mod ban @x`, `!mod unban @x`. The word after the group's name picks a subcommand (by name or
 * alias); the group's guards and hooks wrap the subcommand's. Groups nest.
 *
 * @example
 * ```ts
 * const mod = group({
 *   name: 'mod',
 *   guards: [guards.moderator],
 *   commands: [
 *     command({ name: 'ban', args: { who: arg.user() }, run: (ctx) => ctx.ban({ user: ctx.args.who }) }),
 *     command({ name: 'unban', args: { who: arg.user() }, run: async () => {} }),
 *   ],
 * });
 * ```
 */
export function group(definition: GroupDefinition): Command<NoArgs> {
  const d = checkDefinition(definition);
  const base = common(d);
  if (!Array.isArray(d.commands) || d.commands.length === 0) {
    throw new InvalidArgumentError('commands must be a non-empty array of commands', 'commands');
  }
  const subs = d.commands as unknown[];
  // A subcommand name or alias used twice (in any case: matching is case-insensitive by default) would be silently
  // shadowed by the first: refused here, as top-level names are by `Commands.add()`.
  const taken = new Set<string>();
  subs.forEach((c, i) => {
    if (!(c instanceof Command))
      throw new InvalidArgumentError(`commands[${i}] must be a command`, `commands[${i}]`);
    for (const name of [c.name, ...c.aliases]) {
      const key = name.toLowerCase();
      if (taken.has(key)) {
        throw new InvalidArgumentError(
          `commands[${i}]: the subcommand name "${name}" is taken`,
          `commands[${i}]`,
        );
      }
      taken.add(key);
    }
  });
  return new Command<NoArgs>({
    ...base,
    slots: Object.freeze([]),
    cooldown: null,
    strict: false,
    rewards: Object.freeze([]),
    subcommands: Object.freeze([...(subs as AnyCommand[])]),
    run: optionalFunction(d.run, 'run') as ((ctx: CommandContext<NoArgs>) => unknown) | null,
  });
}

/** A listener of every chat message the dispatcher sees (commands or not). */
export type MessageListener = (event: ChannelChatMessageEvent, actions: ChatActions) => void | Promise<void>;
/** A listener of every reward redemption the dispatcher sees (bound to a command or not). */
export type RedemptionListener = (
  event: ChannelPointsCustomRewardRedemptionAddEvent,
  actions: ChatActions,
) => void | Promise<void>;

/** What `commandModule()` takes. */
export interface ModuleDefinition {
  /** Unique in a dispatcher: `removeModule(name)` removes it. */
  readonly name: string;
  readonly commands?: readonly AnyCommand[];
  /** Guards of every command of the module (checked before the commands' own). */
  readonly guards?: readonly GuardLike[];
  /** Shared-chat policy of its commands that set none. */
  readonly sharedChat?: SharedChatPolicy;
  readonly before?: Hook;
  readonly after?: Hook;
  /** Handles its commands' errors after their own handlers, before the global one. */
  readonly onError?: ErrorHandler;
  /** Called with every chat message (before command dispatch); errors are `COMMAND_FAILED`, phase `listener`. */
  readonly onMessage?: MessageListener;
  /** Called with every reward redemption. */
  readonly onRedemption?: RedemptionListener;
}

/**
 * A checked module: a named group of commands, listeners and hooks that a {@link Commands} dispatcher adds and
 * removes as one (hot reload: `removeModule(name)`, then `addModule(changed)`).
 *
 * @example
 * ```ts
 * const fun = commandModule({ name: 'fun', commands: [dice, hug] });
 * commands.addModule(fun);
 * commands.removeModule('fun'); // its commands, listeners, hooks and cooldown state are gone
 * ```
 */
export interface CommandModule {
  readonly name: string;
  readonly commands: readonly AnyCommand[];
  readonly guards: readonly Guard[];
  readonly sharedChat: SharedChatPolicy | null;
  readonly before: Hook | null;
  readonly after: Hook | null;
  readonly onError: ErrorHandler | null;
  readonly onMessage: MessageListener | null;
  readonly onRedemption: RedemptionListener | null;
}

/**
 * Defines a module.
 *
 * @example
 * ```ts
 * const moderation = commandModule({
 *   name: 'moderation',
 *   guards: [guards.moderator],
 *   commands: [ban, timeout],
 *   onMessage: (event) => { if (/spam/.test(event.message.text)) log(event.chatter.login); },
 * });
 * ```
 */
export function commandModule(definition: ModuleDefinition): CommandModule {
  const module = buildModule(definition);
  MODULES.add(module);
  return module;
}

/** Modules built by {@link commandModule} (a dispatcher takes no look-alike). */
const MODULES = new WeakSet<object>();

/** @internal Whether `value` was built by {@link commandModule}. */
export function isCommandModule(value: unknown): value is CommandModule {
  return typeof value === 'object' && value !== null && MODULES.has(value);
}

function buildModule(definition: ModuleDefinition): CommandModule {
  const d = checkDefinition(definition);
  const name = checkName(d.name, 'name');
  if (d.commands !== undefined && !Array.isArray(d.commands)) {
    throw new InvalidArgumentError('commands must be an array of commands', 'commands');
  }
  const list = (d.commands ?? []) as unknown[];
  list.forEach((c, i) => {
    if (!(c instanceof Command))
      throw new InvalidArgumentError(`commands[${i}] must be a command`, `commands[${i}]`);
  });
  return Object.freeze({
    name,
    commands: Object.freeze([...(list as AnyCommand[])]),
    guards: Object.freeze(compileGuards(d.guards, 'guards')),
    sharedChat: checkPolicy(d.sharedChat, 'sharedChat'),
    before: optionalFunction(d.before, 'before') as Hook | null,
    after: optionalFunction(d.after, 'after') as Hook | null,
    onError: optionalFunction(d.onError, 'onError') as ErrorHandler | null,
    onMessage: optionalFunction(d.onMessage, 'onMessage') as MessageListener | null,
    onRedemption: optionalFunction(d.onRedemption, 'onRedemption') as RedemptionListener | null,
  });
}
