/**
 * The dispatcher: the registry of commands and modules, and the entry points a bot calls per chat message and per
 * reward redemption. It has no network of its own: what a command does goes through the `ChatActions` passed in.
 */
import type { Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { ChannelChatMessageEvent } from '../../catalogue/models/channel-chat.js';
import type { ChannelPointsCustomRewardRedemptionAddEvent } from '../../catalogue/models/channel-points.js';
import type { ChatActions } from '../actions.js';
import { parseArgs, skipSpace, wordEnd, type ConvertContext, type UserResolver } from './args.js';
import {
  Command,
  isCommandModule,
  type AnyCommand,
  type CommandModule,
  type ErrorHandler,
  type Hook,
  type SharedChatPolicy,
} from './command.js';
import { CommandContext } from './context.js';
import { CooldownTable } from './cooldowns.js';
import {
  CommandArgumentError,
  CommandCooldownError,
  CommandError,
  CommandFailedError,
  CommandNotFoundError,
  type CommandPhase,
} from './errors.js';
import type { Guard } from './guards.js';
import { helpAll, helpOf } from './help.js';
import { checkGuards, handleError } from './invoke.js';
import {
  collectRewards,
  indexFirstChars,
  indexGroups,
  last,
  qualified,
  withSubcommands,
  type Entry,
  type FirstCharIndex,
  type RewardBinding,
  type RewardRow,
} from './registry.js';
import { resolveCommandsOptions, type CommandsOptions, type PrefixFunction } from './options.js';

export {
  releaseUnhandledErrorFallback,
  setUnhandledErrorFallback,
  type CommandsOptions,
  type PrefixFunction,
} from './options.js';

/** What became of one message or redemption. */
export type DispatchResult =
  /** Not a command: no prefix, the bot's own message, shared chat ignored, a redemption of no bound reward. */
  | { readonly status: 'ignored' }
  /** A command ran to the end (`command`: its qualified name, `mod ban`). */
  | { readonly status: 'ran'; readonly command: string }
  /** It failed; `handled`: an error handler returned without throwing. */
  | { readonly status: 'error'; readonly error: CommandError; readonly handled: boolean };

const IGNORED_RESULT: DispatchResult = Object.freeze({ status: 'ignored' });
/** One shared settled promise: a message that is not a command allocates nothing. */
const IGNORED: Promise<DispatchResult> = Promise.resolve(IGNORED_RESULT);

const NO_GUARDS: readonly Guard[] = [];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Where {@link Commands} resumes an invocation once a promise settles (after guard list `n`: `n`). */
const AFTER_ARGUMENTS = -1;
const AFTER_RUN = -2;

function isActions(value: unknown): value is ChatActions {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Set by {@link Commands}' static block: gives a Commands without a resolver the one passed. */
let assignUsersFallback: (commands: Commands, users: UserResolver) => void;

/**
 * @internal The resolver of `arg.user()` for `commands` when its options gave none: the AutoBot installs Helix Get
 * Users behind a bounded cache (`cachedUserResolver`). A resolver given in the options is kept.
 */
export function setUserResolverFallback(commands: Commands, users: UserResolver): void {
  assignUsersFallback(commands, users);
}

/**
 * The command framework's dispatcher. Register commands (or modules of them), then hand it every
 * `channel.chat.message` with {@link Commands.dispatch} and every reward redemption with
 * {@link Commands.dispatchRedemption}, each with the `ChatActions` of its channel. A message that is not a command
 * costs a prefix check and allocates nothing (with a static prefix and no module listeners); a command without hooks
 * whose guards, converters and handler answer synchronously returns one shared settled result (no promise of its own).
 *
 * Order of one invocation: prefix, name (and subcommands), shared-chat policy, guards (module, groups, command),
 * cooldown, arguments (a bad argument gives the cooldown token back), `before` hooks (global, module, groups,
 * command), the handler, `after` hooks (in reverse). A failure goes to `onError` of the command, its groups, its
 * module, then the dispatcher; one that returns handles it, one that throws passes it on.
 *
 * @example
 * ```ts
 * const commands = new Commands({ prefix: '!', botId, ownerIds: [myId] });
 * commands.add(
 *   command({
 *     name: 'dice',
 *     args: { sides: arg.integer({ min: 2, max: 100 }).default(6) },
 *     run: (ctx) => ctx.reply(`rolled ${1 + Math.floor(Math.random() * ctx.args.sides)}`),
 *   }),
 * );
 * client.on('channel.chat.message', (event) => void commands.dispatch(event, bot.actions(event.broadcaster.id)));
 * ```
 */
export class Commands {
  static {
    assignUsersFallback = (commands, users) => {
      commands.#users ??= users;
    };
  }

  readonly #prefixes: readonly string[] | null;
  readonly #prefixFn: PrefixFunction | null;
  readonly #owners: ReadonlySet<string>;
  readonly #botId: string | null;
  readonly #caseInsensitive: boolean;
  readonly #sharedChat: SharedChatPolicy;
  #users: UserResolver | null;
  readonly #clock: Clock;
  readonly #maxCooldownKeys: number;
  readonly #before: Hook | null;
  readonly #after: Hook | null;
  readonly #onError: ErrorHandler | null;
  readonly #onUnhandled: (error: CommandError) => void;

  /** Top-level names and aliases (lower-cased when case-insensitive). */
  readonly #top = new Map<string, Entry>();
  /** The keys of {@link Commands.#top} by their first character code (lookup without slicing the message). */
  #byFirstChar: FirstCharIndex = new Map();
  /** Subcommand names and aliases of each group. */
  readonly #subs = new Map<AnyCommand, ReadonlyMap<string, AnyCommand>>();
  readonly #modules = new Map<string, CommandModule>();
  readonly #cooldowns = new Map<AnyCommand, CooldownTable>();
  /** The command of the last cooldown taken and its table (cleared when that command is removed). */
  #lastCooled: AnyCommand | null = null;
  #lastTable: CooldownTable | undefined = undefined;
  /** Commands removed and not added back: an invocation still in flight must not recreate their cooldown table. */
  readonly #retired = new WeakSet<AnyCommand>();
  readonly #rewardsById = new Map<string, RewardBinding>();
  readonly #rewardsByTitle = new Map<string, RewardBinding>();
  #messageListeners: readonly CommandModule[] = [];
  /**
   * The constructor argument of every chat context, reused: the constructor copies it and calls out to nothing, so
   * one object serves every message (no object per invocation).
   */
  readonly #init: Mutable<ConstructorParameters<typeof CommandContext>[0]> = {
    message: null,
    redemption: null,
    actions: null as unknown as ChatActions,
    owners: new Set(),
    prefix: '',
    invokedWith: '',
    command: null,
    argumentText: '',
  };
  #redemptionListeners: readonly CommandModule[] = [];

  constructor(options: CommandsOptions) {
    const o = resolveCommandsOptions(options, this);
    this.#prefixes = o.prefixes;
    this.#prefixFn = o.prefixFn;
    this.#owners = o.owners;
    this.#init.owners = o.owners;
    this.#botId = o.botId;
    this.#caseInsensitive = o.caseInsensitive;
    this.#sharedChat = o.sharedChat;
    this.#users = o.users;
    this.#clock = o.clock;
    this.#maxCooldownKeys = o.maxCooldownKeys;
    this.#before = o.before;
    this.#after = o.after;
    this.#onError = o.onError;
    this.#onUnhandled = o.onUnhandled;
  }

  /**
   * Registers commands (not in a module). A name or alias already taken throws `INVALID_ARGUMENT` and registers
   * none of them.
   *
   * @example
   * ```ts
   * commands.add(ping, dice);
   * ```
   */
  add(...list: AnyCommand[]): this {
    this.#register(list, null, 'commands');
    return this;
  }

  /**
   * Removes a command added with {@link Commands.add} (by name, alias or object), with its cooldown state and reward
   * bindings. Commands of a module are removed with their module. Returns whether it was there.
   *
   * @example
   * ```ts
   * commands.remove('dice');
   * ```
   */
  remove(command: string | AnyCommand): boolean {
    const entry = this.#find(command);
    if (entry === undefined) return false;
    if (entry.module !== null) {
      const owner = entry.module.name;
      throw new InvalidArgumentError(
        `command "${entry.command.name}" belongs to module "${owner}"`,
        'command',
      );
    }
    this.#unregister([entry.command]);
    return true;
  }

  /**
   * Adds a module: its commands, listeners and hooks. A module of the same name, or a command name taken, throws
   * `INVALID_ARGUMENT` and adds nothing.
   *
   * @example
   * ```ts
   * commands.addModule(commandModule({ name: 'fun', commands: [dice] }));
   * ```
   */
  addModule(module: CommandModule): this {
    if (!isCommandModule(module)) {
      throw new InvalidArgumentError('module must be built with commandModule()', 'module');
    }
    if (this.#modules.has(module.name)) {
      throw new InvalidArgumentError(`a module named "${module.name}" is already added`, 'module.name');
    }
    this.#register(module.commands, module, 'module.commands');
    this.#modules.set(module.name, module);
    this.#relisten();
    return this;
  }

  /**
   * Removes a module and all of it: commands, reward bindings, listeners, hooks, cooldown state. Invocations already
   * running finish. Returns whether it was there. Hot reload: remove, then add the changed module.
   *
   * @example
   * ```ts
   * commands.removeModule('fun');
   * commands.addModule(await reloadFun());
   * ```
   */
  removeModule(module: string | CommandModule): boolean {
    const name = typeof module === 'string' ? module : (module as Partial<CommandModule> | null)?.name;
    if (typeof name !== 'string')
      throw new InvalidArgumentError('module must be a name or a module', 'module');
    const found = this.#modules.get(name);
    if (found === undefined) return false;
    this.#unregister(found.commands);
    this.#modules.delete(name);
    this.#relisten();
    return true;
  }

  /** The names of the modules added. */
  get modules(): readonly string[] {
    return [...this.#modules.keys()];
  }

  /**
   * The top-level command of this name or alias, or `undefined`.
   *
   * @example
   * ```ts
   * commands.get('roll')?.name; // 'dice'
   * ```
   */
  get(name: string): AnyCommand | undefined {
    if (typeof name !== 'string') throw new InvalidArgumentError('name must be a string', 'name');
    return this.#top.get(this.#key(name))?.command;
  }

  /** Every top-level command, once each (not its aliases), in registration order. */
  get commands(): readonly AnyCommand[] {
    const seen = new Set<AnyCommand>();
    for (const { command } of this.#top.values()) seen.add(command);
    return [...seen];
  }

  /**
   * Help text generated from the definitions: one line per command (`!dice [sides] (roll): Rolls a die`), or, for
   * a name, that command's usage with its subcommands and arguments. `undefined` for an unknown name.
   *
   * @example
   * ```ts
   * commands.help(); // ['!dice [sides] (roll): Rolls a die', '!mod <ban|unban>: Moderation']
   * commands.help('mod'); // ['!mod <ban|unban>: Moderation', '!mod ban <who>: Bans someone', ...]
   * ```
   */
  help(name?: string, prefix?: string): readonly string[] | undefined {
    if (prefix !== undefined && typeof prefix !== 'string') {
      throw new InvalidArgumentError('prefix must be a string', 'prefix');
    }
    if (name !== undefined && typeof name !== 'string') {
      throw new InvalidArgumentError('name must be a string', 'name');
    }
    const p = prefix ?? this.#prefixes?.[this.#prefixes.length - 1] ?? '!';
    if (name === undefined) return helpAll(this.commands, p);
    const words = name.trim().split(/\s+/);
    return helpOf(this.get(words[0] ?? ''), words, this.#subs, (n) => this.#key(n), p);
  }

  /**
   * The entry point per chat message. Resolves with what became of it; never rejects for what a chatter typed or a
   * handler did (those are `status: 'error'`, after the error handlers). Rejects with `INVALID_ARGUMENT` for an
   * `event` that is not a chat message model or missing `actions`.
   *
   * @example
   * ```ts
   * client.on('channel.chat.message', async (event) => {
   *   const result = await commands.dispatch(event, actionsOf(event.broadcaster.id));
   *   if (result.status === 'error' && !result.handled) log(result.error);
   * });
   * ```
   */
  dispatch(event: ChannelChatMessageEvent, actions: ChatActions): Promise<DispatchResult> {
    const text = (event as Partial<ChannelChatMessageEvent> | null)?.message?.text;
    if (typeof text !== 'string') {
      return Promise.reject(new InvalidArgumentError('event must be a channel.chat.message model', 'event'));
    }
    if (!isActions(actions)) {
      return Promise.reject(
        new InvalidArgumentError('actions must be the ChatActions of the channel', 'actions'),
      );
    }
    if (this.#messageListeners.length > 0) this.#notifyMessage(event, actions);
    const prefixes = this.#prefixes;
    if (prefixes === null) return this.#dynamic(this.#prefixFn, event, actions);
    for (const prefix of prefixes) {
      if (text.startsWith(prefix)) return this.#fromChat(event, actions, prefix);
    }
    return IGNORED;
  }

  /**
   * The entry point per reward redemption: a redemption of a reward bound to a command (`rewards: [{ id }]` or
   * `[{ title }]`) invokes it like a message, its user input as the argument line. Guards see a chatter without
   * badges (a redemption carries none): only `broadcaster` (by id) and `owner` can pass.
   *
   * @example
   * ```ts
   * client.on('channel.channel_points_custom_reward_redemption.add', (event) =>
   *   void commands.dispatchRedemption(event, actionsOf(event.broadcaster.id)),
   * );
   * ```
   */
  dispatchRedemption(
    event: ChannelPointsCustomRewardRedemptionAddEvent,
    actions: ChatActions,
  ): Promise<DispatchResult> {
    const reward = (event as Partial<ChannelPointsCustomRewardRedemptionAddEvent> | null)?.reward;
    if (
      typeof reward !== 'object' ||
      (reward as unknown) === null ||
      typeof reward.id !== 'string' ||
      typeof reward.title !== 'string'
    ) {
      return Promise.reject(
        new InvalidArgumentError(
          'event must be a channel_points_custom_reward_redemption.add model',
          'event',
        ),
      );
    }
    if (!isActions(actions)) {
      return Promise.reject(
        new InvalidArgumentError('actions must be the ChatActions of the channel', 'actions'),
      );
    }
    for (const m of this.#redemptionListeners)
      this.#listen(m, () => m.onRedemption?.(event, actions), event, actions);
    const binding = this.#rewardsById.get(reward.id) ?? this.#rewardsByTitle.get(reward.title.toLowerCase());
    if (binding === undefined) return IGNORED;
    const chain = binding.chain;
    const ctx = new CommandContext({
      message: null,
      redemption: event,
      actions,
      owners: this.#owners,
      prefix: '',
      invokedWith: '',
      command: chain[chain.length - 1] ?? null,
      argumentText: event.userInput ?? '',
    });
    const hooked = this.#hooked(chain, binding.module);
    return this.#invoke(ctx, chain, binding.module, ctx.argumentText, 0, null, hooked);
  }

  // ---- registration ----

  #key(name: string): string {
    return this.#caseInsensitive ? name.toLowerCase() : name;
  }

  #find(command: string | AnyCommand): Entry | undefined {
    if (command instanceof Command) {
      const entry = this.#top.get(this.#key(command.name));
      return entry?.command === command ? entry : undefined;
    }
    if (typeof command !== 'string')
      throw new InvalidArgumentError('command must be a name or a command', 'command');
    return this.#top.get(this.#key(command));
  }

  #register(list: readonly unknown[], module: CommandModule | null, field: string): void {
    const keys = new Map<string, AnyCommand>();
    const rewards: RewardRow[] = [];
    list.forEach((c, i) => {
      if (!(c instanceof Command))
        throw new InvalidArgumentError(`${field}[${i}] must be a command`, `${field}[${i}]`);
      for (const name of [c.name, ...c.aliases]) {
        const key = this.#key(name);
        if (this.#top.has(key) || keys.has(key)) {
          throw new InvalidArgumentError(`${field}[${i}]: the name "${name}" is taken`, `${field}[${i}]`);
        }
        keys.set(key, c);
      }
      collectRewards([c], module, rewards, `${field}[${i}]`, this.#rewardsById, this.#rewardsByTitle);
    });
    // Checked: now commit.
    const entries = new Map<AnyCommand, Entry>();
    for (const [key, c] of keys) {
      let entry = entries.get(c);
      if (entry === undefined) {
        const ran = Promise.resolve<DispatchResult>(Object.freeze({ status: 'ran', command: c.name }));
        const chain = Object.freeze([c]);
        entry = { command: c, module, chain, ran, hooked: this.#hooked(chain, module) };
        entries.set(c, entry);
      }
      this.#top.set(key, entry);
    }
    for (const c of new Set(keys.values())) {
      indexGroups(c, this.#caseInsensitive, this.#subs);
      this.#unretire(c);
    }
    this.#byFirstChar = indexFirstChars(this.#top);
    for (const [key, byId, binding] of rewards)
      (byId ? this.#rewardsById : this.#rewardsByTitle).set(key, binding);
  }

  #unregister(list: readonly AnyCommand[]): void {
    const gone = withSubcommands(list);
    for (const [key, entry] of this.#top) if (gone.has(entry.command)) this.#top.delete(key);
    this.#byFirstChar = indexFirstChars(this.#top);
    for (const c of gone) {
      this.#subs.delete(c);
      this.#cooldowns.delete(c);
      if (c === this.#lastCooled) {
        this.#lastCooled = null;
        this.#lastTable = undefined;
      }
      this.#retired.add(c);
    }
    for (const map of [this.#rewardsById, this.#rewardsByTitle]) {
      for (const [key, binding] of map) {
        if (gone.has(last(binding.chain))) map.delete(key);
      }
    }
  }

  #unretire(c: AnyCommand): void {
    this.#retired.delete(c);
    for (const sub of c.subcommands) this.#unretire(sub);
  }

  #relisten(): void {
    const all = [...this.#modules.values()];
    this.#messageListeners = all.filter((m) => m.onMessage !== null);
    this.#redemptionListeners = all.filter((m) => m.onRedemption !== null);
  }

  /** Size of a command's cooldown table (tests: bounded memory, state removed with the command). */
  cooldownKeys(command: AnyCommand): number {
    if (!(command instanceof Command)) throw new InvalidArgumentError('command must be a command', 'command');
    return this.#cooldowns.get(command)?.size ?? 0;
  }

  // ---- dispatch ----

  #notifyMessage(event: ChannelChatMessageEvent, actions: ChatActions): void {
    for (const m of this.#messageListeners)
      this.#listen(m, () => m.onMessage?.(event, actions), event, actions);
  }

  /** Runs a module listener; a failure goes to the module's and the global error handlers. */
  #listen(
    m: CommandModule,
    call: () => unknown,
    event: ChannelChatMessageEvent | ChannelPointsCustomRewardRedemptionAddEvent,
    actions: ChatActions,
  ): void {
    const fail = (error: unknown): void => {
      const ctx = new CommandContext({
        message: event.type === 'channel.chat.message' ? event : null,
        redemption: event.type === 'channel.chat.message' ? null : event,
        actions,
        owners: this.#owners,
        prefix: '',
        invokedWith: '',
        command: null,
        argumentText: '',
      });
      void this.#fail(new CommandFailedError(`module ${m.name}`, 'listener', error), ctx, [], m);
    };
    try {
      const result = call();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }

  async #dynamic(
    prefixFn: PrefixFunction | null,
    event: ChannelChatMessageEvent,
    actions: ChatActions,
  ): Promise<DispatchResult> {
    if (prefixFn === null) return IGNORED_RESULT;
    let value: string | readonly string[];
    try {
      value = await prefixFn(event.broadcaster.id, event);
    } catch (error) {
      const ctx = this.#chatContext(event, actions, '', '', null, '');
      return this.#fail(new CommandFailedError('prefix', 'run', error), ctx, [], null);
    }
    const list = typeof value === 'string' ? [value] : value;
    let best: string | null = null;
    const text = event.message.text;
    if (Array.isArray(list)) {
      for (const p of list as unknown[]) {
        if (typeof p === 'string' && p !== '' && text.startsWith(p) && p.length > (best?.length ?? 0))
          best = p;
      }
    }
    return best === null ? IGNORED_RESULT : this.#fromChat(event, actions, best);
  }

  #chatContext(
    event: ChannelChatMessageEvent,
    actions: ChatActions,
    prefix: string,
    invokedWith: string,
    command: AnyCommand | null,
    argumentText: string,
  ): CommandContext<unknown> {
    const init = this.#init;
    init.message = event;
    init.actions = actions;
    init.prefix = prefix;
    init.invokedWith = invokedWith;
    init.command = command;
    init.argumentText = argumentText;
    return new CommandContext(init);
  }

  #fromChat(event: ChannelChatMessageEvent, actions: ChatActions, prefix: string): Promise<DispatchResult> {
    if (this.#botId !== null && event.chatter.id === this.#botId) return IGNORED;
    const text = event.message.text;
    const start = prefix.length;
    const end = wordEnd(text, start);
    if (end === start) return IGNORED; // the prefix alone, or followed by a space
    // A name typed as registered (lower case, when case-insensitive) is found in place: no string built.
    let typed: string | null = null;
    let entry: Entry | undefined;
    const bucket = this.#byFirstChar.get(text.charCodeAt(start));
    if (bucket !== undefined) {
      for (let k = 0; k < bucket.keys.length; k++) {
        const key = bucket.keys[k];
        if (key?.length === end - start && text.startsWith(key, start)) {
          typed = key;
          entry = bucket.entries[k];
          break;
        }
      }
    }
    if (typed === null) {
      typed = text.slice(start, end);
      entry = this.#top.get(this.#key(typed));
    }
    const source = event.sourceBroadcaster;
    const shared = source !== null && source.id !== event.broadcaster.id;
    if (entry === undefined) {
      if (shared && this.#sharedChat === 'ignore') return IGNORED;
      const ctx = this.#chatContext(event, actions, prefix, typed, null, text.slice(skipSpace(text, end)));
      return this.#fail(new CommandNotFoundError(this.#key(typed), null), ctx, [], null);
    }
    // Groups: the next word picks a subcommand.
    let command = entry.command;
    let chain: AnyCommand[] | null = null;
    let pos = end;
    let failure: CommandError | null = null;
    while (command.subcommands.length > 0) {
      const s = skipSpace(text, pos);
      const e = wordEnd(text, s);
      const sub = e === s ? undefined : this.#subs.get(command)?.get(this.#key(text.slice(s, e)));
      chain ??= [command];
      if (sub === undefined) {
        if (command.run === null) {
          const path = qualified(chain);
          failure =
            e === s
              ? new CommandArgumentError({
                  command: path,
                  argument: 'subcommand',
                  expected: `one of ${command.subcommands.map((c) => c.name).join(', ')}`,
                  received: null,
                })
              : new CommandNotFoundError(this.#key(text.slice(s, e)), path);
        }
        break;
      }
      command = sub;
      chain.push(sub);
      pos = e;
    }
    const path = chain ?? entry.chain;
    let policy: SharedChatPolicy | null = null;
    for (let i = path.length - 1; i >= 0 && policy === null; i--) policy = path[i]?.sharedChat ?? null;
    if (shared && (policy ?? entry.module?.sharedChat ?? this.#sharedChat) === 'ignore') return IGNORED;
    const ctx = this.#chatContext(event, actions, prefix, typed, command, text.slice(skipSpace(text, pos)));
    if (failure !== null) return this.#fail(failure, ctx, path, entry.module);
    return chain === null
      ? this.#invoke(ctx, path, entry.module, text, pos, entry.ran, entry.hooked)
      : this.#invoke(ctx, path, entry.module, text, pos, null, this.#hooked(path, entry.module));
  }

  /** Whether any hook (global, module, chain) applies: such invocations take the all-async path. */
  #hooked(chain: readonly AnyCommand[], module: CommandModule | null): boolean {
    if (this.#before !== null || this.#after !== null) return true;
    if (module !== null && (module.before != null || module.after != null)) return true;
    for (const c of chain) if (c.before !== null || c.after !== null) return true;
    return false;
  }

  /**
   * One invocation, synchronous up to the first promise (a guard, a converter or the handler answering with one),
   * then {@link Commands.#resume}. One that never meets a promise allocates no promise of its own: it returns
   * `ran`, the command's shared settled result (when given). Hooks take {@link Commands.#invokeHooked}.
   */
  #invoke(
    ctx: CommandContext<unknown>,
    chain: readonly AnyCommand[],
    module: CommandModule | null,
    text: string,
    pos: number,
    ran: Promise<DispatchResult> | null,
    hooked: boolean,
  ): Promise<DispatchResult> {
    if (hooked) return this.#invokeHooked(ctx, chain, module, text, pos);
    const command = last(chain);
    const name = qualified(chain);
    let phase: CommandPhase = 'guard';
    try {
      for (let i = 0; i <= chain.length; i++) {
        const list = i === 0 ? (module?.guards ?? NO_GUARDS) : (chain[i - 1]?.guards ?? NO_GUARDS);
        if (list.length === 0) continue;
        const pending = checkGuards(list, ctx, name);
        if (pending !== undefined) return this.#resume(ctx, chain, module, text, pos, i + 1, pending);
      }
      phase = 'arguments';
      const parsing = this.#takeAndParse(ctx, command, name, text, pos);
      if (parsing !== undefined) return this.#resume(ctx, chain, module, text, pos, AFTER_ARGUMENTS, parsing);
      phase = 'run';
      const result = command.run?.(ctx);
      if (result instanceof Promise) return this.#resume(ctx, chain, module, text, pos, AFTER_RUN, result);
    } catch (error) {
      const failure = error instanceof CommandError ? error : new CommandFailedError(name, phase, error);
      return this.#fail(failure, ctx, chain, module);
    }
    return ran ?? Promise.resolve({ status: 'ran', command: name });
  }

  /** The rest of {@link Commands.#invoke} once `pending` (of step `step`) settles. */
  async #resume(
    ctx: CommandContext<unknown>,
    chain: readonly AnyCommand[],
    module: CommandModule | null,
    text: string,
    pos: number,
    step: number,
    pending: Promise<unknown>,
  ): Promise<DispatchResult> {
    const command = last(chain);
    const name = qualified(chain);
    let phase: CommandPhase = step === AFTER_RUN ? 'run' : step === AFTER_ARGUMENTS ? 'arguments' : 'guard';
    try {
      await pending;
      if (step >= 0) {
        for (let i = step; i <= chain.length; i++) {
          const list = i === 0 ? (module?.guards ?? NO_GUARDS) : (chain[i - 1]?.guards ?? NO_GUARDS);
          if (list.length === 0) continue;
          const more = checkGuards(list, ctx, name);
          if (more !== undefined) await more;
        }
        phase = 'arguments';
        const parsing = this.#takeAndParse(ctx, command, name, text, pos);
        if (parsing !== undefined) await parsing;
      }
      if (step !== AFTER_RUN) {
        phase = 'run';
        const result = command.run?.(ctx);
        if (result instanceof Promise) await result;
      }
      return { status: 'ran', command: name };
    } catch (error) {
      const failure = error instanceof CommandError ? error : new CommandFailedError(name, phase, error);
      return this.#fail(failure, ctx, chain, module);
    }
  }

  /**
   * The cooldown (taken, or `COMMAND_ON_COOLDOWN` thrown) and the arguments (set on `ctx`). A promise only when a
   * converter answers with one; a bad argument gives the cooldown back.
   */
  #takeAndParse(
    ctx: CommandContext<unknown>,
    command: AnyCommand,
    name: string,
    text: string,
    pos: number,
  ): Promise<void> | undefined {
    const spec = command.cooldown;
    let table: CooldownTable | undefined;
    let group = '';
    let key = '';
    if (spec !== null) {
      // The last command's table is kept at hand: a stream of one command skips the lookup by command.
      const cached = this.#lastTable;
      if (command === this.#lastCooled && cached !== undefined) table = cached;
      else {
        table = this.#cooldowns.get(command);
        if (table === undefined) {
          table = new CooldownTable(spec, this.#maxCooldownKeys);
          // Kept only for a registered command: one removed while this invocation was in flight gets a throwaway.
          if (!this.#retired.has(command)) this.#cooldowns.set(command, table);
        }
        if (!this.#retired.has(command)) {
          this.#lastCooled = command;
          this.#lastTable = table;
        }
      }
      if (spec.per !== 'global') group = ctx.channel.id;
      if (spec.per === 'chatter') key = ctx.chatter.id;
      const wait = table.take(group, key, this.#clock.now());
      if (wait > 0) throw new CommandCooldownError(name, spec.per, wait);
    }
    if (command.slots.length === 0 && !command.strict) return undefined;
    const convert: ConvertContext = { message: ctx.message, channelId: ctx.channel.id, users: this.#users };
    let parsed: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      parsed = parseArgs(name, command.slots, text, pos, convert, command.strict);
    } catch (error) {
      table?.refund(group, key, this.#clock.now());
      throw error;
    }
    if (!(parsed instanceof Promise)) {
      (ctx as { args: unknown }).args = parsed;
      return undefined;
    }
    return parsed.then(
      (args) => {
        (ctx as { args: unknown }).args = args;
      },
      (error: unknown) => {
        table?.refund(group, key, this.#clock.now());
        throw error;
      },
    );
  }

  /** An invocation with hooks: every step awaited in order. */
  async #invokeHooked(
    ctx: CommandContext<unknown>,
    chain: readonly AnyCommand[],
    module: CommandModule | null,
    text: string,
    pos: number,
  ): Promise<DispatchResult> {
    const command = last(chain);
    const name = qualified(chain);
    let phase: CommandPhase = 'guard';
    try {
      // Guards: awaited only when one answers with a promise (no microtask per sync guard).
      if (module !== null && module.guards.length > 0) {
        const pending = checkGuards(module.guards, ctx, name);
        if (pending !== undefined) await pending;
      }
      for (const c of chain) {
        if (c.guards.length === 0) continue;
        const pending = checkGuards(c.guards, ctx, name);
        if (pending !== undefined) await pending;
      }
      phase = 'arguments';
      const parsing = this.#takeAndParse(ctx, command, name, text, pos);
      if (parsing !== undefined) await parsing;
      phase = 'before';
      if (this.#before !== null) await this.#before(ctx);
      if (module?.before != null) await module.before(ctx);
      for (const c of chain) if (c.before !== null) await c.before(ctx);
      phase = 'run';
      const ran = command.run?.(ctx);
      if (ran instanceof Promise) await ran;
      phase = 'after';
      for (let i = chain.length - 1; i >= 0; i--) {
        const after = chain[i]?.after;
        if (after != null) await after(ctx);
      }
      if (module?.after != null) await module.after(ctx);
      if (this.#after !== null) await this.#after(ctx);
      return { status: 'ran', command: name };
    } catch (error) {
      const failure = error instanceof CommandError ? error : new CommandFailedError(name, phase, error);
      return this.#fail(failure, ctx, chain, module);
    }
  }

  #fail(
    error: CommandError,
    ctx: CommandContext<unknown>,
    chain: readonly AnyCommand[],
    module: CommandModule | null,
  ): Promise<DispatchResult> {
    return handleError(error, ctx, chain, module, this.#onError, this.#onUnhandled);
  }
}
