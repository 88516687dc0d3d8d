/**
 * Argument parsing of every command, with errors in the CLI's own words. `node:util`'s `parseArgs` tokenises (in
 * its lenient mode, which takes `--shard-count -3` as a value instead of calling it "ambiguous"); the rules are
 * checked here: unknown options (with a "did you mean"), options missing their value, values given to flags, and
 * positionals where none are taken. Every failure is a {@link UsageError} (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from '../core/suggest.js';
import { UsageError } from './types.js';

/** Options of a command, as `parseArgs` takes them (no `multiple`, no `default`). */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments: option values (`true` for flags) and positionals. */
export interface ParsedArgs {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

const NEGATIVE_NUMBER = /^-\d/;

/** `--name` for long names, `-x` for one-letter ones. */
function flag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** ` (did you mean --x?)` when `input` is close to one of `names` (printed with `format`), else ``. */
export function didYouMean(
  input: string,
  names: Iterable<string>,
  format: (name: string) => string = (n) => n,
): string {
  const hint = closestName(input, names);
  return hint === undefined ? '' : ` (did you mean ${format(hint)}?)`;
}

/**
 * Parses `args` against `options`. Negative numbers are values (`--shard-count -3` reaches the command, which
 * checks the range), an option value that looks like another option is refused (`--shard-count --json`).
 *
 * @example
 * ```ts
 * parseCommandLine(['list', '--jsn'], { json: { type: 'boolean' } });
 * // UsageError: unknown option --jsn (did you mean --json?)
 * ```
 */
export function parseCommandLine(
  args: readonly string[],
  options: OptionSpecs,
  { positionals: allowPositionals = true }: { positionals?: boolean } = {},
): ParsedArgs {
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!allowPositionals) throw new UsageError(`unexpected argument "${token.value}"`);
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined) {
      const raw = token.rawName;
      const names = Object.keys(options);
      throw new UsageError(`unknown option ${raw}${didYouMean(raw.replace(/^-+/, ''), names, flag)}`);
    }
    const shown = flag(token.name);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${shown} takes no value (got "${token.value}")`);
      continue;
    }
    if (token.value === undefined) throw new UsageError(`${shown} needs a value`);
    if (!token.inlineValue && token.value.startsWith('-') && !NEGATIVE_NUMBER.test(token.value)) {
      throw new UsageError(`${shown} needs a value; got the option ${token.value}`);
    }
  }
  const flat: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(values)) if (!Array.isArray(value)) flat[key] = value;
  return { values: flat, positionals };
}

/**
 * An integer option within `[min, max]`: `fallback` when absent, else the value (negative numbers included) or a
 * {@link UsageError} saying the range.
 *
 * @example
 * ```ts
 * integerOption('shard-count', '-3', { min: 1, max: 20_000 });
 * // UsageError: --shard-count must be an integer in 1..20000, got "-3"
 * ```
 */
export function integerOption(
  name: string,
  value: string | boolean | undefined,
  { min, max, fallback }: { min: number; max: number; fallback?: number },
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string') throw new UsageError(`--${name} <n> is required`);
  const n = Number(value);
  if (!/^[+-]?\d{1,16}$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${value.slice(0, 40)}"`);
  }
  return n;
}
