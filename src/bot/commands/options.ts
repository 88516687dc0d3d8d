/**
 * The options of {@link Commands}: their types, their checks (`INVALID_ARGUMENT` naming the field) and their
 * defaults, resolved once at construction into the fields the dispatcher reads per message.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { ChannelChatMessageEvent } from '../../catalogue/models/channel-chat.js';
import type { UserResolver } from './args.js';
import type { ErrorHandler, Hook, SharedChatPolicy } from './command.js';
import type { Commands } from './commands.js';
import type { CommandError } from './errors.js';

/** The prefix of a channel: one, several, or computed per message (sync or async). */
export type PrefixFunction = (
  channelId: string,
  event: ChannelChatMessageEvent,
) => string | readonly string[] | Promise<string | readonly string[]>;

/** Options of {@link Commands}. */
export interface CommandsOptions {
  /**
   * What a command starts with: `'!'`, `['!', '?']` (the longest that matches wins), or a function of the channel
   * (a per-channel setting; called for every message, so keep it cheap).
   */
  readonly prefix: string | readonly string[] | PrefixFunction;
  /** User ids of the bot's owners: the `owner` guard and `chatter.roles.owner`. @defaultValue [] */
  readonly ownerIds?: readonly string[];
  /** The bot's user id: its own messages (Twitch echoes them) are never commands. @defaultValue none */
  readonly botId?: string;
  /** Command names and aliases match in any case. @defaultValue true */
  readonly caseInsensitive?: boolean;
  /**
   * Messages typed in another channel of a shared chat session (`sourceBroadcaster` set): `'ignore'` (the default:
   * that channel's own bot, if any, answers there; the chatter's badges here may say nothing) or `'accept'`.
   * Commands and modules may override it. @defaultValue 'ignore'
   */
  readonly sharedChat?: SharedChatPolicy;
  /** Resolves logins for `arg.user()`. @defaultValue none: a login that is not a mention in the message fails */
  readonly users?: UserResolver;
  /** The clock of cooldowns. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Keys (chatters, channels) per command's cooldown before idle and then old ones are forgotten. @defaultValue 10_000 */
  readonly maxCooldownKeys?: number;
  /** Runs before every handler (before module and command hooks). */
  readonly before?: Hook;
  /** Runs after every handler that succeeded (after command and module hooks). */
  readonly after?: Hook;
  /** The last error handler, after the command's, its groups' and its module's. */
  readonly onError?: ErrorHandler;
  /**
   * Receives every error no handler handled, except `COMMAND_NOT_FOUND` (ordinary chat, another bot's command),
   * which only shows in `dispatch()`'s result. The AutoBot emits them on `error`.
   * @defaultValue `process.emitWarning` with the error's code
   */
  readonly onUnhandledError?: (error: CommandError) => void;
}

/** The sinks of unhandled errors of Commands given no `onUnhandledError` (the AutoBot's `error` event). */
const fallbackSinks = new WeakMap<Commands, (error: CommandError) => void>();

function warn(error: CommandError): void {
  process.emitWarning(error.message, { code: error.code });
}

/**
 * @internal Where `commands`' unhandled errors go when its options gave no `onUnhandledError` (instead of a process
 * warning): the AutoBot installs its `error` event so that they surface in one place. `null` removes it.
 */
export function setUnhandledErrorFallback(
  commands: Commands,
  sink: ((error: CommandError) => void) | null,
): void {
  if (sink === null) fallbackSinks.delete(commands);
  else fallbackSinks.set(commands, sink);
}

/**
 * @internal Removes `sink` as `commands`' fallback if it still is (a closed bot lets go of commands that outlive it;
 * another bot's sink installed since is kept).
 */
export function releaseUnhandledErrorFallback(commands: Commands, sink: (error: CommandError) => void): void {
  if (fallbackSinks.get(commands) === sink) fallbackSinks.delete(commands);
}

function checkPrefixes(value: unknown, field: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidArgumentError(
      `${field} must be a string, a non-empty array of strings or a function`,
      field,
    );
  }
  for (const p of list as unknown[]) {
    if (typeof p !== 'string' || p === '' || /\s/.test(p)) {
      throw new InvalidArgumentError(`${field} must hold non-empty strings without spaces`, field);
    }
  }
  // Longest first: with '!' and '!!', '!!x' is command 'x' under '!!'.
  return [...(list as string[])].sort((a, b) => b.length - a.length);
}

/** {@link CommandsOptions} checked, with their defaults. */
export interface ResolvedCommandsOptions {
  readonly prefixes: readonly string[] | null;
  readonly prefixFn: PrefixFunction | null;
  readonly owners: ReadonlySet<string>;
  readonly botId: string | null;
  readonly caseInsensitive: boolean;
  readonly sharedChat: SharedChatPolicy;
  readonly users: UserResolver | null;
  readonly clock: Clock;
  readonly maxCooldownKeys: number;
  readonly before: Hook | null;
  readonly after: Hook | null;
  readonly onError: ErrorHandler | null;
  readonly onUnhandled: (error: CommandError) => void;
}

function checkFunction(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidArgumentError(`${field} must be a function`, field);
  }
}

/**
 * Checks `options` (throws `INVALID_ARGUMENT` naming the first bad field) and fills in the defaults. `owner`: the
 * Commands they are for (its unhandled errors go to its fallback sink when `onUnhandledError` is not given).
 */
export function resolveCommandsOptions(options: CommandsOptions, owner: Commands): ResolvedCommandsOptions {
  const o: unknown = options;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new InvalidArgumentError('options must be an object', 'options');
  }
  const dynamic = typeof options.prefix === 'function';
  const prefixes = dynamic ? null : checkPrefixes(options.prefix, 'prefix');
  const prefixFn = typeof options.prefix === 'function' ? options.prefix : null;
  const owners: unknown = options.ownerIds;
  if (
    owners !== undefined &&
    (!Array.isArray(owners) || !owners.every((id) => typeof id === 'string' && id !== ''))
  ) {
    throw new InvalidArgumentError('ownerIds must be an array of user ids', 'ownerIds');
  }
  if (options.botId !== undefined && (typeof options.botId !== 'string' || options.botId === '')) {
    throw new InvalidArgumentError('botId must be a non-empty string', 'botId');
  }
  if (options.caseInsensitive !== undefined && typeof options.caseInsensitive !== 'boolean') {
    throw new InvalidArgumentError('caseInsensitive must be a boolean', 'caseInsensitive');
  }
  const shared: unknown = options.sharedChat;
  if (shared !== undefined && shared !== 'ignore' && shared !== 'accept') {
    throw new InvalidArgumentError("sharedChat must be 'ignore' or 'accept'", 'sharedChat');
  }
  const users = options.users;
  if (
    users !== undefined &&
    (typeof users !== 'object' || (users as unknown) === null || typeof users.resolveLogin !== 'function')
  ) {
    throw new InvalidArgumentError('users must have a resolveLogin(login) method', 'users');
  }
  const clock: unknown = options.clock;
  if (
    clock !== undefined &&
    (typeof clock !== 'object' || clock === null || typeof (clock as Partial<Clock>).now !== 'function')
  ) {
    throw new InvalidArgumentError('clock must be a Clock', 'clock');
  }
  const maxKeys: unknown = options.maxCooldownKeys;
  if (
    maxKeys !== undefined &&
    (typeof maxKeys !== 'number' || !Number.isSafeInteger(maxKeys) || maxKeys < 1)
  ) {
    throw new InvalidArgumentError('maxCooldownKeys must be a positive integer', 'maxCooldownKeys');
  }
  checkFunction(options.before, 'before');
  checkFunction(options.after, 'after');
  checkFunction(options.onError, 'onError');
  checkFunction(options.onUnhandledError, 'onUnhandledError');
  return {
    prefixes,
    prefixFn,
    owners: new Set(options.ownerIds),
    botId: options.botId ?? null,
    caseInsensitive: options.caseInsensitive ?? true,
    sharedChat: options.sharedChat ?? 'ignore',
    users: users ?? null,
    clock: options.clock ?? systemClock,
    maxCooldownKeys: options.maxCooldownKeys ?? 10_000,
    before: options.before ?? null,
    after: options.after ?? null,
    onError: options.onError ?? null,
    onUnhandled:
      options.onUnhandledError ??
      ((error) => {
        (fallbackSinks.get(owner) ?? warn)(error);
      }),
  };
}
