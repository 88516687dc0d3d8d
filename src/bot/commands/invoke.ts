/**
 * Steps of one invocation that need no state of `Commands`: the guard check (synchronous until a guard answers
 * with a promise) and the error chain (the command's handler, its groups', its module's, the dispatcher's, then the
 * unhandled sink). The per-message path itself stays in `Commands`, next to the fields it reads.
 */
import type { AnyCommand, CommandModule, ErrorHandler } from './command.js';
import type { DispatchResult } from './commands.js';
import type { CommandContext } from './context.js';
import { CommandError, CommandFailedError, CommandGuardError } from './errors.js';
import type { Guard } from './guards.js';

/** Checks guards in order: throws on a refusal; returns a promise only once a guard answers with one. */
export function checkGuards(
  list: readonly Guard[],
  ctx: CommandContext<unknown>,
  name: string,
  from = 0,
): Promise<void> | undefined {
  for (let k = from; k < list.length; k++) {
    const g = list[k];
    if (g === undefined) break;
    const r = g.check(ctx);
    if (typeof r === 'boolean') {
      if (!r) throw new CommandGuardError(name, g.name);
      continue;
    }
    return Promise.resolve(r).then((ok) => {
      if (!ok) throw new CommandGuardError(name, g.name);
      return checkGuards(list, ctx, name, k + 1);
    });
  }
  return undefined;
}

/**
 * The error chain: `onError` of the command, its groups (innermost first), its module, then `global`; one that
 * returns handles the error, one that throws passes on what it threw. An error none handled goes to `unhandled`
 * (except `COMMAND_NOT_FOUND`); a sink that throws rejects with what it threw.
 */
export async function handleError(
  error: CommandError,
  ctx: CommandContext<unknown>,
  chain: readonly AnyCommand[],
  module: CommandModule | null,
  global: ErrorHandler | null,
  unhandled: (error: CommandError) => void,
): Promise<DispatchResult> {
  const handlers: ErrorHandler[] = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const h = chain[i]?.onError;
    if (h != null) handlers.push(h);
  }
  if (module?.onError != null) handlers.push(module.onError);
  if (global !== null) handlers.push(global);
  let current = error;
  for (const handler of handlers) {
    try {
      await handler(current, ctx);
      return { status: 'error', error: current, handled: true };
    } catch (thrown) {
      current =
        thrown instanceof CommandError
          ? thrown
          : new CommandFailedError(current.command ?? 'onError', 'onError', thrown);
    }
  }
  // A sink that throws rejects dispatch() with what it threw: nothing is swallowed.
  if (current.code !== 'COMMAND_NOT_FOUND') unhandled(current);
  return { status: 'error', error: current, handled: false };
}
