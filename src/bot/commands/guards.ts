/**
 * Guards: who may run a command. A guard is a named predicate over the invocation's context (before its arguments
 * are parsed); built-ins read the chatter's roles, which come from the message's badges in the channel the command
 * runs in (see {@link Chatter.badges}) and the bot's owner ids.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Chatter, CommandContext } from './context.js';

/** The context a guard sees: the invocation before its arguments are parsed. */
export type GuardContext = CommandContext<unknown>;

/** A predicate over the invocation: `true` lets it through. May be async (a lookup, a database). */
export type GuardPredicate = (ctx: GuardContext) => boolean | Promise<boolean>;

/**
 * A named guard. Its name shows in `COMMAND_GUARD_FAILED` (`guard`) and in help text.
 *
 * @example
 * ```ts
 * const regulars = guard('regular', async (ctx) => db.isRegular(ctx.chatter.id));
 * ```
 */
export interface Guard {
  readonly name: string;
  readonly check: GuardPredicate;
}

/** A guard, or a bare predicate (named after the function, or `custom`). */
export type GuardLike = Guard | GuardPredicate;

/**
 * Names a predicate as a guard.
 *
 * @example
 * ```ts
 * const notOnWeekends = guard('weekdays', () => new Date().getDay() % 6 !== 0);
 * ```
 */
export function guard(name: string, check: GuardPredicate): Guard {
  if (typeof name !== 'string' || name === '')
    throw new InvalidArgumentError('name must be a non-empty string', 'name');
  if (typeof check !== 'function') throw new InvalidArgumentError('check must be a function', 'check');
  return Object.freeze({ name, check });
}

/** Checks and normalises a list of guards (`field` names it in errors). */
export function compileGuards(list: unknown, field: string): readonly Guard[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${field} must be an array of guards`, field);
  return list.map((item: unknown, i): Guard => {
    if (typeof item === 'function') {
      const fn = item as GuardPredicate;
      return { name: fn.name === '' ? 'custom' : fn.name, check: fn };
    }
    const g = item as Partial<Guard> | null;
    if (typeof g !== 'object' || g === null || typeof g.check !== 'function' || typeof g.name !== 'string') {
      throw new InvalidArgumentError(`${field}[${i}] must be a guard or a predicate`, `${field}[${i}]`);
    }
    return g as Guard;
  });
}

const role = (name: string, test: (c: Chatter) => boolean): Guard =>
  Object.freeze({ name, check: (ctx: GuardContext) => test(ctx.chatter) });

/**
 * The built-in guards. Each role includes the ones above it: a moderator guard lets the broadcaster through, a VIP
 * guard lets moderators through, a subscriber guard does not (subscribing is not a rank). The owner (`ownerIds`)
 * passes `owner` only; combine with {@link guards.any} to let owners through everything.
 *
 * @example
 * ```ts
 * command({ name: 'ban', guards: [guards.moderator], run: ... });
 * command({ name: 'reload', guards: [guards.any(guards.owner, guards.broadcaster)], run: ... });
 * ```
 */
export const guards = {
  /** The channel's broadcaster. */
  broadcaster: role('broadcaster', (c) => c.roles.broadcaster),
  /** A moderator or the broadcaster. */
  moderator: role('moderator', (c) => c.roles.moderator || c.roles.broadcaster),
  /** A VIP, a moderator or the broadcaster. */
  vip: role('vip', (c) => c.roles.vip || c.roles.moderator || c.roles.broadcaster),
  /** A subscriber (or founder) of the channel, or the broadcaster. */
  subscriber: role('subscriber', (c) => c.roles.subscriber || c.roles.broadcaster),
  /** Twitch staff or admin. */
  staff: role('staff', (c) => c.roles.staff),
  /** One of the bot's owners (`ownerIds`). */
  owner: role('owner', (c) => c.roles.owner),
  /** Passes when any of `list` passes (in order; stops at the first). */
  any(...list: GuardLike[]): Guard {
    const compiled = compileGuards(list, 'guards');
    return Object.freeze({
      name: compiled.map((g) => g.name).join(' or '),
      check: async (ctx: GuardContext) => {
        for (const g of compiled) if (await g.check(ctx)) return true;
        return false;
      },
    });
  },
} as const;
