/**
 * The `twitch-realtime` command line. `bin/twitch-realtime.js` calls {@link main} with `process.argv.slice(2)`.
 *
 * @example
 * ```ts
 * // Run the emulator in-process until the signal aborts (as the tests do).
 * const controller = new AbortController();
 * const exitCode = main(['emulator', '--port', '0'], { signal: controller.signal });
 * controller.abort();
 * await exitCode; // 0
 * ```
 */
import { readFileSync } from 'node:fs';
import { errorMessage, isRecord } from '../core/guards.js';
import {
  arrayOf,
  checkOptions,
  fail,
  signal,
  string,
  withMethods,
  type OptionChecks,
} from '../core/options.js';
import { didYouMean, parseCommandLine } from './args.js';
import { commands } from './commands/index.js';
import { describeError } from './credentials.js';
import { UsageError } from './types.js';
import type { CliCommand, CliContext, TextSink } from './types.js';

export type { CliCommand, CliContext, TextSink } from './types.js';
export { UsageError } from './types.js';

/** Options of {@link main}, for embedding and tests. */
export interface MainOptions {
  /** Stops long-running commands. Without it, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  /** Default `process.stdout`. */
  readonly stdout?: TextSink;
  /** Default `process.stderr`. */
  readonly stderr?: TextSink;
  /** Environment (credentials, URLs). Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const sink = withMethods(['write'], 'a text sink (a write(text) method, like process.stdout)');

/** Checks of {@link MainOptions} (core/options.ts): a new option without a check does not compile. */
const MAIN_CHECKS: OptionChecks<MainOptions> = {
  signal,
  stdout: sink,
  stderr: sink,
  env: (value, field) => {
    if (!isRecord(value)) fail(field, 'an object of environment variables', value);
    for (const [key, item] of Object.entries(value)) if (item !== undefined) string(item, `${field}.${key}`);
  },
};

function version(): string {
  try {
    // Same relative location from src/cli (tsx) and dist/cli (built).
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function generalHelp(): string {
  const rows: [string, string][] = [
    ...commands.map((c): [string, string] => [c.name, c.summary]),
    ['help [command]', 'Show this help, or the full help of a command'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const list = rows.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n');
  return `Usage: twitch-realtime <command> [options]

Commands:
${list}

Options:
  -h, --help     Show help (also: twitch-realtime <command> --help, twitch-realtime help <command>)
  -v, --version  Show the version

Operator commands work against Twitch or the emulator (--helix-url, --oauth-url). Credentials come from
--client-id/--client-secret or TWITCH_CLIENT_ID/TWITCH_CLIENT_SECRET and are never printed. Tables by default,
--json for scripts. Exit codes: 0 success, 1 failure, 2 bad usage.
`;
}

const TOP_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function unknownCommand(name: string): string {
  return `unknown command "${name}"${didYouMean(name, [...commands.map((c) => c.name), 'help'])}`;
}

/** `twitch-realtime help [command]`: the general help, or one command's full help. */
function help(args: readonly string[], stdout: TextSink, stderr: TextSink): number {
  const [name, ...extra] = args;
  if (name === undefined) {
    stdout.write(generalHelp());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  const problem =
    command === undefined
      ? unknownCommand(name)
      : extra.length > 0
        ? `unexpected argument "${extra[0] ?? ''}"`
        : '';
  if (command === undefined || problem !== '') {
    stderr.write(`twitch-realtime help: ${problem}\n\n${generalHelp()}`);
    return 2;
  }
  stdout.write(command.help);
  return 0;
}

/** A signal aborted by SIGINT/SIGTERM (or by `outer`), and a function removing the process listeners. */
function stopSignal(outer: AbortSignal | undefined): { signal: AbortSignal; dispose: () => void } {
  if (outer !== undefined) return { signal: outer, dispose: () => undefined };
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

/**
 * Runs the CLI. Resolves with the process exit code: 0 success, 1 failure, 2 bad usage (whatever the command line
 * says). Rejects only when called wrongly, with `InvalidArgumentError` (`INVALID_ARGUMENT`, field `argv`,
 * `argv[i]` or the option's name): `argv` not an array of strings, or options of the wrong shape.
 *
 * @example
 * ```ts
 * import { main } from 'twitch-realtime/cli';
 *
 * process.exitCode = await main(['subscriptions', 'list'], { env: process.env });
 * ```
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  arrayOf(string, 'an array of strings (process.argv.slice(2))')(argv, 'argv');
  checkOptions(options, MAIN_CHECKS);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const [first, ...rest] = argv;

  if (first === undefined || first.startsWith('-')) {
    let values;
    try {
      ({ values } = parseCommandLine(argv, TOP_OPTIONS, { positionals: false }));
    } catch (err) {
      stderr.write(`twitch-realtime: ${errorMessage(err)}\n\n${generalHelp()}`);
      return 2;
    }
    if (values.version === true) {
      stdout.write(`${version()}\n`);
      return 0;
    }
    if (values.help === true) {
      stdout.write(generalHelp());
      return 0;
    }
    stderr.write(`twitch-realtime: missing command\n\n${generalHelp()}`);
    return 2;
  }

  if (first === 'help') return help(rest, stdout, stderr);
  const command: CliCommand | undefined = commands.find((c) => c.name === first);
  if (command === undefined) {
    stderr.write(`twitch-realtime: ${unknownCommand(first)}\n\n${generalHelp()}`);
    return 2;
  }
  const { signal, dispose } = stopSignal(options.signal);
  const context: CliContext = { stdout, stderr, env: options.env ?? process.env, signal };
  try {
    return await command.run(rest, context);
  } catch (err) {
    if (err instanceof UsageError) {
      stderr.write(`twitch-realtime ${command.name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    stderr.write(`twitch-realtime ${command.name}: ${describeError(err).replace(/[\r\n]+/g, ' ')}\n`);
    return 1;
  } finally {
    dispose();
  }
}
