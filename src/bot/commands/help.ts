/**
 * Help text generated from command definitions: the list of commands, and the usage of one command (or group) with
 * its subcommands. Read by `Commands.help()`; nothing here runs per message.
 */
import type { AnyCommand } from './command.js';

/** One help line: `!dice [sides] (roll): Rolls a die` (`path`: the groups before it, each followed by a space). */
function line(c: AnyCommand, prefix: string, path: string): string {
  const usage = c.usage(`${prefix}${path}`);
  const aliases = c.aliases.length > 0 ? ` (${c.aliases.join(', ')})` : '';
  return `${usage}${aliases}${c.description === '' ? '' : `: ${c.description}`}`;
}

/** One line per top-level command. */
export function helpAll(commands: readonly AnyCommand[], prefix: string): readonly string[] {
  return commands.map((c) => line(c, prefix, ''));
}

/**
 * The usage of the command that `words` name (`top`: the command of the first word; each next word a subcommand,
 * looked up in `subs` by `key`), then one line per subcommand. `undefined` for an unknown name.
 */
export function helpOf(
  top: AnyCommand | undefined,
  words: readonly string[],
  subs: ReadonlyMap<AnyCommand, ReadonlyMap<string, AnyCommand>>,
  key: (name: string) => string,
  prefix: string,
): readonly string[] | undefined {
  let current = top;
  let path = '';
  for (let i = 1; i < words.length && current !== undefined; i++) {
    path += `${current.name} `;
    current = subs.get(current)?.get(key(words[i] ?? ''));
  }
  if (current === undefined) return undefined;
  const lines = [line(current, prefix, path)];
  for (const sub of current.subcommands) lines.push(line(sub, prefix, `${path}${current.name} `));
  return lines;
}
