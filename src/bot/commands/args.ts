/**
 * Typed arguments: the converters (`arg.integer()`, `arg.user()`, ...), the tokenizer of an argument line (words,
 * "quoted strings", the rest of the line) and the parser that turns a line into the typed object a handler sees.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { ChannelChatMessageEvent } from '../../catalogue/models/channel-chat.js';
import type { UserRef } from '../../catalogue/models/common.js';
import { CommandArgumentError, CommandFailedError } from './errors.js';

/**
 * Resolves a login to a Twitch user: the seam through which `arg.user()` reaches Helix (Get Users). The bot supplies
 * it (Helix Get Users behind a bounded cache: `cachedUserResolver(helix)`, which the AutoBot installs when none is given); tests may supply a table.
 *
 * @example
 * ```ts
 * const resolver: UserResolver = {
 *   resolveLogin: async (login) => (await helix.users.getUsers({ logins: [login] }))[0] ?? null,
 * };
 * ```
 */
export interface UserResolver {
  /** The user with this login (lower-case, without `@`), or `null` when there is none. Rejects on a failed lookup. */
  resolveLogin(login: string): Promise<UserRef | null>;
}

/** What a converter gets besides the word: where the command was invoked. */
export interface ConvertContext {
  /** The chat message, `null` when a reward redemption invoked the command. */
  readonly message: ChannelChatMessageEvent | null;
  /** The channel (broadcaster id). */
  readonly channelId: string;
  /** The bot's user resolver, `null` when none was configured. */
  readonly users: UserResolver | null;
}

/**
 * Converts one word (or the rest of the line) to a value. Throwing (or rejecting) means the word is not acceptable:
 * the chatter gets a `COMMAND_BAD_ARGUMENT` naming the argument and {@link ArgOptions.expected}, with the thrown
 * error as `cause`.
 */
export type Converter<T> = (raw: string, ctx: ConvertContext) => T | Promise<T>;

/** Options of a custom argument ({@link arg}`.custom`). */
export interface ArgOptions<T> {
  /** What the argument takes, for the chatter: `a colour name`, `a whole number`. */
  readonly expected: string;
  /** Converts the word. */
  readonly convert: Converter<T>;
  /** Takes the rest of the line (unsplit, trimmed) instead of one word. @defaultValue false */
  readonly rest?: boolean;
}

/**
 * One argument of a command: how it is read (one word or the rest of the line), converted and described, and
 * whether it may be missing. Build them with {@link arg}; `.optional()` and `.default(value)` return new arguments.
 *
 * @example
 * ```ts
 * const sides = arg.integer({ min: 2, max: 100 }).default(6); // Arg<number>
 * const target = arg.user().optional(); // Arg<UserRef | undefined>
 * ```
 */
export class Arg<T> {
  /** What it takes, for the chatter and for help text. */
  readonly expected: string;
  /** Reads the rest of the line instead of one word. */
  readonly rest: boolean;
  /** May be missing (then its value is {@link Arg.fallback}). */
  readonly isOptional: boolean;
  /** The value of a missing optional argument. */
  readonly fallback: T;
  /** The conversion. */
  readonly convert: Converter<T>;

  /** @internal Use {@link arg}. */
  constructor(expected: string, convert: Converter<T>, rest: boolean, isOptional: boolean, fallback: T) {
    this.expected = expected;
    this.convert = convert;
    this.rest = rest;
    this.isOptional = isOptional;
    this.fallback = fallback;
  }

  /** The same argument, which may be missing: its value is then `undefined`. */
  optional(): Arg<T | undefined> {
    return new Arg<T | undefined>(this.expected, this.convert, this.rest, true, undefined);
  }

  /** The same argument, which may be missing: its value is then `value`. */
  default(value: T): Arg<T> {
    return new Arg<T>(this.expected, this.convert, this.rest, true, value);
  }
}

/** Bounds of a numeric argument (inclusive). */
export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
}

/** A login, optionally `@`-prefixed, optionally followed by sentence punctuation (`@alice,`, `@bob!`). */
const LOGIN = /^@?([A-Za-z0-9_]{1,25})[.,!?;:)\]}'"]*$/;
const TRUE_WORDS = new Set(['yes', 'y', 'on', 'true', '1', 'enable', 'enabled']);
const FALSE_WORDS = new Set(['no', 'n', 'off', 'false', '0', 'disable', 'disabled']);

/** A rejection of a built-in converter: the word is not acceptable (no cause worth keeping). */
class Rejected extends Error {}

/** A lookup that failed (not the chatter's fault): becomes `COMMAND_FAILED`, phase `arguments`. */
class LookupFailed extends Error {}

function bounds(kind: string, options: NumberBounds | undefined, integer: boolean): string {
  const o: unknown = options;
  if (o !== undefined && (typeof o !== 'object' || o === null || Array.isArray(o))) {
    throw new InvalidArgumentError('options must be an object', 'options');
  }
  const check = (value: number | undefined, field: string): void => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
      throw new InvalidArgumentError(
        `${field} must be a finite ${integer ? 'safe integer' : 'number'}`,
        field,
      );
    }
  };
  check(options?.min, 'min');
  check(options?.max, 'max');
  const { min, max } = options ?? {};
  if (min !== undefined && max !== undefined) {
    if (min > max) throw new InvalidArgumentError('min must be at most max', 'min');
    return `${kind} from ${min} to ${max}`;
  }
  if (min !== undefined) return `${kind} of at least ${min}`;
  if (max !== undefined) return `${kind} of at most ${max}`;
  return kind;
}

/** Index just past the ASCII digits of `raw` from `i`. */
function digitsEnd(raw: string, i: number): number {
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/**
 * Whether `raw` is a decimal number (`[+-]?(digits[.digits]|.digits)([eE][+-]?digits)?`), in one linear pass: the
 * regular expression it replaces backtracked quadratically on a long run of digits followed by a bad character.
 */
function isDecimal(raw: string): boolean {
  const n = raw.length;
  let i = n > 0 && (raw.charCodeAt(0) === 43 || raw.charCodeAt(0) === 45) ? 1 : 0;
  const intEnd = digitsEnd(raw, i);
  let mantissa = intEnd - i;
  i = intEnd;
  if (i < n && raw.charCodeAt(i) === 46) {
    const fracEnd = digitsEnd(raw, i + 1);
    mantissa += fracEnd - i - 1;
    i = fracEnd;
  }
  if (mantissa === 0) return false;
  if (i < n && (raw.charCodeAt(i) === 101 || raw.charCodeAt(i) === 69)) {
    i++;
    if (i < n && (raw.charCodeAt(i) === 43 || raw.charCodeAt(i) === 45)) i++;
    const expEnd = digitsEnd(raw, i);
    if (expEnd === i) return false;
    i = expEnd;
  }
  return i === n;
}

/** Whether `raw` is `[+-]?digits`, without a regular expression (the common argument, once per invocation). */
function isInteger(raw: string): boolean {
  const n = raw.length;
  let i = n > 0 && (raw.charCodeAt(0) === 43 || raw.charCodeAt(0) === 45) ? 1 : 0;
  if (i === n) return false;
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function numeric(kind: string, options: NumberBounds | undefined, integer: boolean): Arg<number> {
  const expected = bounds(kind, options, integer);
  const min = options?.min ?? Number.NEGATIVE_INFINITY;
  const max = options?.max ?? Number.POSITIVE_INFINITY;
  return new Arg<number>(
    expected,
    (raw) => {
      if (integer ? !isInteger(raw) : !isDecimal(raw)) throw new Rejected();
      // `-0` is 0 for the handler (Object.is, division, a map key), as a chatter means it.
      const value = Number(raw) + 0;
      if (
        !Number.isFinite(value) ||
        (integer && !Number.isSafeInteger(value)) ||
        value < min ||
        value > max
      ) {
        throw new Rejected();
      }
      return value;
    },
    false,
    false,
    0,
  );
}

function resolveUser(raw: string, ctx: ConvertContext): UserRef | Promise<UserRef> {
  const match = LOGIN.exec(raw);
  if (match === null) throw new Rejected();
  const login = (match[1] ?? '').toLowerCase();
  // A mention in the message already names the user: no lookup.
  const fragments = ctx.message?.message.fragments;
  if (fragments !== undefined) {
    for (const fragment of fragments) {
      if (fragment.type === 'mention' && fragment.mention.login === login) return fragment.mention;
    }
  }
  const users = ctx.users;
  if (users === null) throw new LookupFailed('arg.user() needs a user resolver (options.users)');
  return users.resolveLogin(login).then(
    (found) => {
      if (found === null) throw new Rejected();
      return found;
    },
    (error: unknown) => {
      throw new LookupFailed('the user lookup failed', { cause: error });
    },
  );
}

function checkExpected(expected: unknown): string {
  if (typeof expected !== 'string' || expected.trim() === '') {
    throw new InvalidArgumentError('expected must be a non-empty string', 'expected');
  }
  return expected;
}

/**
 * The argument types. Each returns an {@link Arg}; the handler sees the converted value, typed.
 *
 * @example
 * ```ts
 * const dice = command({
 *   name: 'dice',
 *   args: { sides: arg.integer({ min: 2, max: 100 }).default(6) },
 *   run: (ctx) => ctx.reply(`rolled ${1 + Math.floor(Math.random() * ctx.args.sides)}`),
 * });
 * ```
 */
export const arg = {
  /** One word, or a "quoted string" (quotes removed). */
  string(): Arg<string> {
    return new Arg<string>('a word', (raw) => raw, false, false, '');
  },
  /** A whole number within optional inclusive bounds (`-3`, `+4`; not `1.5`, `0x10` or `1e3`). */
  integer(options?: NumberBounds): Arg<number> {
    return numeric('a whole number', options, true);
  },
  /** A decimal number within optional inclusive bounds (`1.5`, `-2`, `1e3`; not `NaN` or `Infinity`). */
  number(options?: NumberBounds): Arg<number> {
    return numeric('a number', options, false);
  },
  /** `yes`/`no`, `y`/`n`, `on`/`off`, `true`/`false`, `1`/`0`, `enable(d)`/`disable(d)`, in any case. */
  boolean(): Arg<boolean> {
    return new Arg<boolean>(
      'yes or no',
      (raw) => {
        const word = raw.toLowerCase();
        if (TRUE_WORDS.has(word)) return true;
        if (FALSE_WORDS.has(word)) return false;
        throw new Rejected();
      },
      false,
      false,
      false,
    );
  },
  /**
   * A Twitch user, as a mention (`@login`) or a login: a mention in the message gives the user at once, anything
   * else goes through the bot's {@link UserResolver} (an unknown login is a bad argument; a failed lookup is
   * `COMMAND_FAILED`).
   */
  user(): Arg<UserRef> {
    return new Arg<UserRef>('a user (@login)', resolveUser, false, false, {
      id: '',
      login: '',
      displayName: '',
    });
  },
  /** The rest of the line, as typed (trimmed; quotes kept). Must be the last argument. */
  rest(): Arg<string> {
    return new Arg<string>('some text', (raw) => raw, true, false, '');
  },
  /** One of a fixed list of words (matched case-insensitively; the handler gets the listed spelling). */
  choice<const W extends string>(words: readonly W[]): Arg<W> {
    const list: unknown = words;
    if (!Array.isArray(list) || list.length === 0 || !list.every((w) => typeof w === 'string' && w !== '')) {
      throw new InvalidArgumentError('words must be a non-empty list of non-empty strings', 'words');
    }
    const lower = new Map(words.map((w) => [w.toLowerCase(), w] as const));
    return new Arg<W>(
      `one of ${words.join(', ')}`,
      (raw) => {
        const found = lower.get(raw.toLowerCase());
        if (found === undefined) throw new Rejected();
        return found;
      },
      false,
      false,
      undefined as unknown as W,
    );
  },
  /** A custom converter: `convert` throws (or rejects) when the word is not acceptable. */
  custom<T>(options: ArgOptions<T>): Arg<T> {
    const o: unknown = options;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      throw new InvalidArgumentError('options must be an object', 'options');
    }
    const expected = checkExpected(options.expected);
    if (typeof options.convert !== 'function') {
      throw new InvalidArgumentError('convert must be a function', 'convert');
    }
    if (options.rest !== undefined && typeof options.rest !== 'boolean') {
      throw new InvalidArgumentError('rest must be a boolean', 'rest');
    }
    return new Arg<T>(expected, options.convert, options.rest === true, false, undefined as T);
  },
} as const;

/** The arguments of a command: names to {@link Arg}s, in the order they are typed. */
export type ArgsShape = Readonly<Record<string, Arg<unknown>>>;

/** The typed object a handler sees for an {@link ArgsShape}. */
export type ArgsOf<A extends ArgsShape> = { readonly [K in keyof A]: A[K] extends Arg<infer T> ? T : never };

/** One argument of a compiled command: its name and its {@link Arg}. */
export interface ArgSlot {
  readonly name: string;
  readonly arg: Arg<unknown>;
}

/** Checks an args object at definition time and returns its slots in order. */
export function compileArgs(args: unknown): readonly ArgSlot[] {
  if (args === undefined) return [];
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new InvalidArgumentError('args must be an object of arg.*() values', 'args');
  }
  const slots: ArgSlot[] = [];
  const names = Object.keys(args);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? '';
    const value = (args as Record<string, unknown>)[name];
    if (!(value instanceof Arg)) {
      throw new InvalidArgumentError(`args.${name} must be built with arg.*()`, `args.${name}`);
    }
    if (/^\d+$/.test(name)) {
      // Integer-like keys are enumerated first by JavaScript, whatever their place: the order would lie.
      throw new InvalidArgumentError(`args.${name}: an argument name cannot be a number`, `args.${name}`);
    }
    if (value.rest && i !== names.length - 1) {
      throw new InvalidArgumentError(`args.${name}: a rest argument must be the last`, `args.${name}`);
    }
    slots.push({ name, arg: value as Arg<unknown> });
  }
  return slots;
}

/** The closing quote of an opening one (`"`, `“`, `„`), `null` for any other character (no string built). */
function closeOf(code: number): string | null {
  return code === 0x22 ? '"' : code === 0x201c ? '\u201d' : code === 0x201e ? '\u201c' : null;
}

/**
 * Width (in UTF-16 units) of the separator at `i`, 0 when `text[i]` is part of a word. Separators: Unicode White_Space
 * (ASCII, NEL, NBSP, Ogham, U+2000 to U+200A, line and paragraph separators, narrow NBSP, medium mathematical,
 * ideographic) and U+E0000, the invisible tag Chatterino and 7TV append to resend a message past Twitch's duplicate
 * check (`!dice 20 \u{E0000}`). One comparison for printable ASCII, the common case.
 */
function spaceAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  if (code > 32 && code < 0x7f) return 0;
  if (code === 32 || (code >= 9 && code <= 13)) return 1;
  if (code < 0x85) return 0;
  if (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  ) {
    return 1;
  }
  return code === 0xdb40 && text.charCodeAt(i + 1) === 0xdc00 ? 2 : 0;
}

/** Index of the first non-space character at or after `i`. */
export function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const w = spaceAt(text, i);
    if (w === 0) break;
    i += w;
  }
  return i;
}

/** Index just past the word starting at `i` (up to the next space). */
export function wordEnd(text: string, i: number): number {
  while (i < text.length && spaceAt(text, i) === 0) i++;
  return i;
}

/** What a converter's failure becomes: a bad argument, or (a failed lookup) `COMMAND_FAILED`. */
function conversionError(command: string, name: string, a: Arg<unknown>, raw: string, error: unknown): Error {
  if (error instanceof LookupFailed)
    return new CommandFailedError(command, 'arguments', error.cause ?? error);
  return new CommandArgumentError({
    command,
    argument: name,
    expected: a.expected,
    received: raw,
    ...(error instanceof Rejected ? {} : { cause: error }),
  });
}

/**
 * Parses the argument line `text` from `start` into the typed arguments of `slots`. Throws (or, once a converter
 * went async, rejects with) `COMMAND_BAD_ARGUMENT` (which argument, what was expected, what was typed) or, for a
 * failed user lookup, `COMMAND_FAILED`. Extra words after the last argument are ignored unless `strict`. Synchronous
 * while the converters are (no promise per command for `!dice 20`).
 */
export function parseArgs(
  command: string,
  slots: readonly ArgSlot[],
  text: string,
  start: number,
  ctx: ConvertContext,
  strict: boolean,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  return parseFrom(command, slots, 0, text, start, ctx, strict, {});
}

function parseFrom(
  command: string,
  slots: readonly ArgSlot[],
  first: number,
  text: string,
  start: number,
  ctx: ConvertContext,
  strict: boolean,
  out: Record<string, unknown>,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  let i = start;
  for (let k = first; k < slots.length; k++) {
    const slot = slots[k];
    if (slot === undefined) break;
    const { name, arg: a } = slot;
    i = skipSpace(text, i);
    if (i >= text.length) {
      if (!a.isOptional) {
        throw new CommandArgumentError({ command, argument: name, expected: a.expected, received: null });
      }
      out[name] = a.fallback;
      continue;
    }
    let raw: string;
    if (a.rest) {
      // The end of the last word: a scan forward (linear), as separators may be two units wide.
      let end = i;
      for (let j = i; j < text.length;) {
        const w = spaceAt(text, j);
        if (w === 0) end = ++j;
        else j += w;
      }
      raw = text.slice(i, end);
      i = text.length;
    } else {
      const open = text.charCodeAt(i);
      const close = closeOf(open);
      if (close !== null) {
        const end = text.indexOf(close, i + 1);
        if (end < 0) {
          throw new CommandArgumentError({
            command,
            argument: name,
            expected: `${a.expected} with a closing quote`,
            received: text.slice(i),
          });
        }
        raw = text.slice(i + 1, end);
        i = end + 1;
      } else {
        const end = wordEnd(text, i);
        raw = text.slice(i, end);
        i = end;
      }
    }
    let value: unknown;
    try {
      value = a.convert(raw, ctx);
    } catch (error) {
      throw conversionError(command, name, a, raw, error);
    }
    if (value instanceof Promise) {
      const next = i;
      return value.then(
        (v: unknown) => {
          out[name] = v;
          return parseFrom(command, slots, k + 1, text, next, ctx, strict, out);
        },
        (error: unknown) => {
          throw conversionError(command, name, a, raw, error);
        },
      );
    }
    out[name] = value;
  }
  if (strict) {
    i = skipSpace(text, i);
    if (i < text.length) {
      throw new CommandArgumentError({
        command,
        argument: null,
        expected: slots.length === 0 ? 'no arguments' : 'nothing after the last argument',
        received: text.slice(i),
      });
    }
  }
  return out;
}
