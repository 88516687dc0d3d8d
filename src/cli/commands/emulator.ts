/**
 * `twitch-realtime emulator`: runs the local Twitch emulator until SIGINT/SIGTERM and prints where it listens.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { Emulator } from '../../emulator/emulator.js';
import { integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext } from '../types.js';
import { whenAborted } from '../waits.js';

const HELP = `Usage: twitch-realtime emulator [options]

Runs a local, conduit-aware Twitch: Helix, OAuth, EventSub WebSocket and PubSub on one port.

Options:
  --port <n>             Port to listen on (default 8080; 0 picks a free port)
  --host <host>          Interface to bind (default 127.0.0.1)
  --client-id <id>       Client id of the default app (default: generated)
  --client-secret <s>    Client secret of the default app (default: generated)
  -h, --help             Show this help
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flag of each emulator option the command sets, to word the emulator's own refusals as usage errors. */
const FLAG_OF: Readonly<Record<string, string>> = {
  host: '--host',
  port: '--port',
  clientId: '--client-id',
  clientSecret: '--client-secret',
};

/** Describes a running emulator for humans. */
export function describeEndpoints(emulator: Pick<Emulator, 'baseUrl' | 'clientId' | 'clientSecret'>): string {
  const ws = emulator.baseUrl.replace(/^http/, 'ws');
  return [
    'twitch-realtime emulator is running',
    `  Base URL       ${emulator.baseUrl}`,
    `  Helix          ${emulator.baseUrl}/helix`,
    `  OAuth          ${emulator.baseUrl}/oauth2`,
    `  EventSub WS    ${ws}/ws`,
    `  PubSub         ${ws}/pubsub`,
    `  Control API    ${emulator.baseUrl}/_emulator`,
    `  Client ID      ${emulator.clientId}`,
    `  Client secret  ${emulator.clientSecret}`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

async function run(args: readonly string[], { stdout, stderr, signal }: CliContext): Promise<number> {
  const { values } = parseCommandLine(args, OPTIONS, { positionals: false });
  if (values.help === true) {
    stdout.write(HELP);
    return 0;
  }
  const port = integerOption('port', values.port, { min: 0, max: 65_535, fallback: 8080 });
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const clientId = values['client-id'];
  const clientSecret = values['client-secret'];
  if (signal.aborted) return 0;

  let emulator: Emulator;
  try {
    emulator = await Emulator.start({
      port,
      host,
      ...(typeof clientId === 'string' ? { clientId } : {}),
      ...(typeof clientSecret === 'string' ? { clientSecret } : {}),
    });
  } catch (err) {
    // A value the emulator refuses (a host with spaces, a malformed client id) is bad usage, in the flag's name.
    if (err instanceof InvalidArgumentError && err.field !== undefined && FLAG_OF[err.field] !== undefined) {
      throw new UsageError(`${FLAG_OF[err.field] ?? ''}${err.message.slice(err.field.length)}`);
    }
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    const reason =
      code === 'EADDRINUSE'
        ? `port ${port} is already in use (try --port 0)`
        : err instanceof Error
          ? err.message
          : String(err);
    stderr.write(`twitch-realtime emulator: cannot start: ${reason}\n`);
    return 1;
  }
  stdout.write(describeEndpoints(emulator));
  await whenAborted(signal);
  await emulator.close();
  stdout.write('twitch-realtime emulator stopped\n');
  return 0;
}

/** The `emulator` subcommand. */
export const emulatorCommand: CliCommand = {
  name: 'emulator',
  summary: 'Run the local Twitch emulator (Helix, OAuth, EventSub WebSocket, PubSub)',
  help: HELP,
  run,
};
