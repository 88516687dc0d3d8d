/**
 * Errors of the command framework. Each carries a `userMessage`: one short sentence fit to send back to the chatter
 * (it never holds a token, and quotes at most 50 characters of what the chatter typed).
 */
import { TwitchError, type TwitchErrorOptions } from '../../core/errors.js';

/**
 * Codes of the command framework (`twitch-realtime/bot`): what went wrong with one invocation of a command. They
 * reach the command's, then the module's, then the global `onError` handler; an invocation nobody handled resolves
 * `dispatch()` with `{ status: 'error', handled: false }` (the AutoBot emits it on `error`).
 */
export type CommandErrorCode =
  /**
   * A chat message began with a prefix but no command (or subcommand of a group) has that name or alias. `name` is
   * the word after the prefix, lower-cased when commands are case-insensitive.
   *
   * What to do: **Ignore** usually (another bot's command, a typo); a global `onError` may suggest `!help`.
   */
  | 'COMMAND_NOT_FOUND'
  /**
   * An argument could not be parsed or converted: missing, not what its converter expects (an integer out of its
   * bounds, `maybe` for a boolean, an unknown user, an unclosed quote), or extra words after the last argument.
   * `argument` names it, `expected` says what it takes, `received` holds what was typed (cut at 50 characters),
   * `cause` the custom converter's error if any. `userMessage` is a ready reply, e.g.
   * `sides: expected a whole number from 2 to 100, got "x"`.
   *
   * What to do: **Fix input:** reply with `userMessage` (and the command's usage, `usage()`).
   */
  | 'COMMAND_BAD_ARGUMENT'
  /**
   * A guard of the command (or of its group or module) refused the chatter: `guard` names it (`moderator`, `owner`,
   * a custom guard's name). Guards of a group apply to its subcommands.
   *
   * What to do: **Ignore** or tell the chatter; a guard that should have passed: check the chatter's badges.
   */
  | 'COMMAND_GUARD_FAILED'
  /**
   * The command's cooldown has no token left for this key (chatter, channel or global). `retryAfterMs` says when
   * the next invocation would pass; `scope` which key was used up. Nothing ran; parse errors are not charged
   * (guards, then the cooldown, then the arguments).
   *
   * What to do: **Retry** after `retryAfterMs`, or ignore (replying to every refused spam costs chat rate).
   */
  | 'COMMAND_ON_COOLDOWN'
  /**
   * The handler, a hook, a guard, a module's listener or a user lookup threw or rejected with an error that is not a
   * command error; `cause` holds it, `phase` says where (`guard`, `arguments`, `before`, `run`, `after`, `listener`, `onError`: an error
   * handler threw something that is not a command error).
   *
   * What to do: **Report a bug** in the handler (look at `cause`); a `TwitchError` cause from `ctx.reply()` and the
   * like is Twitch's answer (a missing scope, a ban).
   */
  | 'COMMAND_FAILED';

/** Where a {@link CommandFailedError} happened. */
export type CommandPhase = 'guard' | 'arguments' | 'before' | 'run' | 'after' | 'listener' | 'onError';

/** Fields of every {@link CommandError}. */
export interface CommandErrorInit extends TwitchErrorOptions {
  /** The command's qualified name (`mod ban` for a subcommand), `null` when none was found. */
  readonly command: string | null;
  /** One sentence for the chatter. */
  readonly userMessage: string;
}

/**
 * Base class of the framework's errors: one invocation of a command did not run to the end.
 *
 * @example
 * ```ts
 * commands.onError = async (err, ctx) => {
 *   if (err.code === 'COMMAND_BAD_ARGUMENT') await ctx.reply(err.userMessage);
 * };
 * ```
 */
export class CommandError extends TwitchError {
  declare readonly code: CommandErrorCode;
  /** The command's qualified name (`mod ban` for a subcommand), `null` when none was found. */
  readonly command: string | null;
  /** A short sentence fit to send to the chatter. */
  readonly userMessage: string;

  constructor(code: CommandErrorCode, message: string, init: CommandErrorInit) {
    super(code, message, init);
    this.command = init.command;
    this.userMessage = init.userMessage;
  }
}

/**
 * No command has the name typed after the prefix (code `COMMAND_NOT_FOUND`).
 *
 * @example
 * ```ts
 * if (err instanceof CommandNotFoundError) console.log(err.typed); // "dcie"
 * ```
 */
export class CommandNotFoundError extends CommandError {
  declare readonly code: 'COMMAND_NOT_FOUND';
  /** The word typed after the prefix (or after a group's name). */
  readonly typed: string;
  /** The group whose subcommand was not found, `null` at the top level. */
  readonly group: string | null;

  constructor(name: string, group: string | null) {
    const shown = clip(name);
    const echo = quoted(name);
    super(
      'COMMAND_NOT_FOUND',
      group === null ? `no command named "${shown}"` : `group "${group}" has no subcommand "${shown}"`,
      {
        command: group,
        userMessage: group === null ? `unknown command "${echo}"` : `unknown subcommand "${group} ${echo}"`,
      },
    );
    this.typed = name;
    this.group = group;
  }
}

/**
 * An argument could not be parsed or converted (code `COMMAND_BAD_ARGUMENT`).
 *
 * @example
 * ```ts
 * if (err instanceof CommandArgumentError) await ctx.reply(err.userMessage); // sides: expected a whole number from 2 to 100, got "x"
 * ```
 */
export class CommandArgumentError extends CommandError {
  declare readonly code: 'COMMAND_BAD_ARGUMENT';
  /** The argument's name; `null` for extra words after the last argument or an unclosed quote. */
  readonly argument: string | null;
  /** What the argument takes, e.g. `a whole number from 2 to 100`. */
  readonly expected: string;
  /** What was typed (cut at 50 characters), `null` when it was missing. */
  readonly received: string | null;

  constructor(init: {
    readonly command: string;
    readonly argument: string | null;
    readonly expected: string;
    readonly received: string | null;
    readonly cause?: unknown;
  }) {
    const got = init.received === null ? 'nothing' : `"${quoted(init.received)}"`;
    const said = init.received === null ? 'nothing' : `"${clip(init.received)}"`;
    const what = init.argument === null ? init.expected : `${init.argument}: expected ${init.expected}`;
    const userMessage = `${what}, got ${got}`;
    super('COMMAND_BAD_ARGUMENT', `${init.command}: ${what}, got ${said}`, {
      command: init.command,
      userMessage,
      ...(init.cause === undefined ? {} : { cause: init.cause }),
    });
    this.argument = init.argument;
    this.expected = init.expected;
    this.received = init.received === null ? null : clip(init.received);
  }
}

/**
 * A guard refused the chatter (code `COMMAND_GUARD_FAILED`).
 *
 * @example
 * ```ts
 * if (err instanceof CommandGuardError) console.log(err.guard); // "moderator"
 * ```
 */
export class CommandGuardError extends CommandError {
  declare readonly code: 'COMMAND_GUARD_FAILED';
  /** The refusing guard's name. */
  readonly guard: string;

  constructor(command: string, guard: string, cause?: unknown) {
    super('COMMAND_GUARD_FAILED', `${command}: guard "${guard}" refused the chatter`, {
      command,
      userMessage: `you cannot use ${command} (${guard} only)`,
      ...(cause === undefined ? {} : { cause }),
    });
    this.guard = guard;
  }
}

/**
 * The cooldown has no token left (code `COMMAND_ON_COOLDOWN`).
 *
 * @example
 * ```ts
 * if (err instanceof CommandCooldownError) await ctx.reply(`wait ${Math.ceil(err.retryAfterMs / 1000)} s`);
 * ```
 */
export class CommandCooldownError extends CommandError {
  declare readonly code: 'COMMAND_ON_COOLDOWN';
  /** Milliseconds until the next invocation would pass. */
  readonly retryAfterMs: number;
  /** Which key was used up. */
  readonly scope: 'chatter' | 'channel' | 'global';

  constructor(command: string, scope: 'chatter' | 'channel' | 'global', retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('COMMAND_ON_COOLDOWN', `${command}: on cooldown (${scope}) for ${retryAfterMs} ms`, {
      command,
      userMessage: `${command} is on cooldown, try again in ${seconds} s`,
    });
    this.retryAfterMs = retryAfterMs;
    this.scope = scope;
  }
}

/**
 * The handler or a hook failed (code `COMMAND_FAILED`); `cause` holds what it threw.
 *
 * @example
 * ```ts
 * if (err instanceof CommandFailedError) console.error(err.phase, err.cause);
 * ```
 */
export class CommandFailedError extends CommandError {
  declare readonly code: 'COMMAND_FAILED';
  /** Where it failed. */
  readonly phase: CommandPhase;

  constructor(command: string, phase: CommandPhase, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('COMMAND_FAILED', `${command}: ${phase} failed: ${reason}`, {
      command,
      userMessage: `${command} failed`,
      cause,
    });
    this.phase = phase;
  }
}

/** Cuts what a chatter typed to 50 code units for messages. */
/** What was typed, cut at 50 UTF-16 units without splitting a surrogate pair. */
function clip(text: string): string {
  if (text.length <= 50) return text;
  let end = 49;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

// Invisible and direction-changing characters (zero-width, bidi embeddings/overrides/isolates, BOM, tags, C0/C1).
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]|\u034f|\u17b4|\u17b5|\udb40[\udc00-\udc7f]/g;

/**
 * What was typed, fit to quote back in chat: invisible and bidi characters removed (a reversed or hidden echo), cut at
 * 50 characters, and `@` before a name made full-width (`＠login`), which Twitch does not treat as a mention: the
 * bot's reply must not ping whoever the chatter named.
 */
function quoted(text: string): string {
  return clip(text.replace(INVISIBLE, '')).replace(/@(?=[A-Za-z0-9_])/g, '\uff20');
}

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../../core/errors.js' {
  interface TwitchErrorCodes {
    commands: CommandErrorCode;
  }
}
