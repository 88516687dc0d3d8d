/**
 * The shape of a CLI subcommand. Each subcommand lives in its own module under `commands/` and is listed once in
 * `commands/index.ts`; `main` does the dispatch, `--help` and exit codes.
 */

/** A text sink (`process.stdout`, or a buffer in tests). */
export interface TextSink {
  write(chunk: string): unknown;
  /** `true` for a terminal (tables may then use colours). */
  readonly isTTY?: boolean | undefined;
}

/** What a command gets besides its arguments. */
export interface CliContext {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Environment variables (credentials, URLs); `process.env` unless `main` was given another. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM (or by the caller of `main`); long-running commands stop and resolve. */
  readonly signal: AbortSignal;
}

/** One subcommand. */
export interface CliCommand {
  /** Name typed after `twitch-realtime`, e.g. `emulator`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text (usage and options), printed by `twitch-realtime <name> --help`. */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name. Resolves with the exit code. Throwing a
   * {@link UsageError} prints its message and exits with code 2.
   */
  run(args: readonly string[], context: CliContext): Promise<number>;
}

/**
 * Bad command-line usage (unknown flag, bad value): exit code 2.
 *
 * @example
 * ```ts
 * if (args.length > 1) throw new UsageError(`unexpected argument ${args[1]}`); // main() prints it and resolves 2
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
