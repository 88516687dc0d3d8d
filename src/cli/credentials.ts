/**
 * Shared plumbing of the operator commands: credentials and URLs from flags or the environment, the Helix client
 * built from them, argument parsing that throws {@link UsageError}, and one-line error descriptions. Secrets are
 * never printed: error lines are scrubbed of every credential the command knows.
 */
import type { ParseArgsConfig } from 'node:util';
import { TwitchError } from '../core/errors.js';
import { redactKnown } from '../core/redact.js';
import { HELIX_URL, OAUTH_URL } from '../protocol/eventsub.js';
import { HelixClient } from '../helix/client.js';
import { HTTPError } from '../core/http-errors.js';
import { parseCommandLine } from './args.js';
import { UsageError } from './types.js';
import type { CliContext } from './types.js';

/** Environment variables the operator commands read. */
export const ENV = Object.freeze({
  clientId: 'TWITCH_CLIENT_ID',
  clientSecret: 'TWITCH_CLIENT_SECRET',
  helixUrl: 'TWITCH_HELIX_URL',
  oauthUrl: 'TWITCH_OAUTH_URL',
  token: 'TWITCH_TOKEN',
});

/** `parseArgs` options shared by every command that talks to Twitch. */
export const CONNECTION_OPTIONS = {
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'helix-url': { type: 'string' },
  'oauth-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help lines of {@link CONNECTION_OPTIONS}. */
export const CONNECTION_HELP = `Connection (flags override the environment):
  --client-id <id>       App client id (env ${ENV.clientId})
  --client-secret <s>    App client secret (env ${ENV.clientSecret}; prefer the env: flags show in \`ps\`)
  --helix-url <url>      Helix base URL (env ${ENV.helixUrl}; default ${HELIX_URL})
  --oauth-url <url>      OAuth base URL (env ${ENV.oauthUrl}; default ${OAUTH_URL})
  --json                 Print JSON instead of a table
  -h, --help             Show this help
`;

/** Credentials and URLs of an operator command. */
export interface Connection {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly helixUrl: string;
  readonly oauthUrl: string;
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function pick(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  return env !== undefined && env !== '' ? env : undefined;
}

function checkUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} is not a URL: "${value.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--${flag} must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/** The base URLs from flags, else the environment, else Twitch's. Throws {@link UsageError} on a bad URL. */
export function resolveUrls(values: Values, context: CliContext): { helixUrl: string; oauthUrl: string } {
  return {
    helixUrl: checkUrl(pick(str(values, 'helix-url'), context.env[ENV.helixUrl]) ?? HELIX_URL, 'helix-url'),
    oauthUrl: checkUrl(pick(str(values, 'oauth-url'), context.env[ENV.oauthUrl]) ?? OAUTH_URL, 'oauth-url'),
  };
}

/**
 * The app credentials and URLs from flags, else the environment. Throws {@link UsageError} when the client id or
 * secret is missing.
 *
 * @example
 * ```ts
 * const connection = resolveConnection(values, context); // { clientId, clientSecret, helixUrl, oauthUrl }
 * ```
 */
export function resolveConnection(values: Values, context: CliContext): Connection {
  const clientId = pick(str(values, 'client-id'), context.env[ENV.clientId]);
  const clientSecret = pick(str(values, 'client-secret'), context.env[ENV.clientSecret]);
  if (clientId === undefined) throw new UsageError(`missing --client-id (or ${ENV.clientId})`);
  if (clientSecret === undefined) {
    throw new UsageError(`missing --client-secret (or ${ENV.clientSecret})`);
  }
  return { clientId, clientSecret, ...resolveUrls(values, context) };
}

/**
 * Runs `action` with a Helix client on `connection` (app token), then closes the client. Any failure is written
 * to stderr as one line (see {@link describeError}) and yields exit code 1.
 */
export async function withHelix(
  command: string,
  connection: Connection,
  context: CliContext,
  action: (helix: HelixClient) => Promise<number>,
): Promise<number> {
  const helix = new HelixClient({
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    helixUrl: connection.helixUrl,
    oauthUrl: connection.oauthUrl,
  });
  try {
    return await action(helix);
  } catch (err) {
    reportError(command, err, context, [connection.clientSecret]);
    return 1;
  } finally {
    helix.close();
  }
}

/**
 * One line describing a failure: `CODE (status): Twitch's message` for an {@link HTTPError}, `CODE: message` for
 * other library errors, the message otherwise.
 *
 * @example
 * ```ts
 * describeError(err); // 'NOT_FOUND (404): conduit not found'
 * ```
 */
export function describeError(err: unknown): string {
  if (err instanceof HTTPError) {
    const detail = err.twitchMessage === '' ? err.error : err.twitchMessage;
    return `${err.code} (${err.status}): ${detail}`;
  }
  if (err instanceof TwitchError) {
    // A wrapper (e.g. APP_TOKEN_FAILED) says what failed; the HTTP error it wraps says why, unless the wrapper's
    // message already does.
    const cause: unknown = err.cause;
    const detail = cause instanceof HTTPError ? describeError(cause) : '';
    const why = detail === '' || err.message.includes(detail) ? '' : `: ${detail}`;
    return `${err.code}: ${err.message}${why}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Writes `twitch-realtime <command>: <error>` on stderr, on one line, with `secrets` redacted. */
export function reportError(
  command: string,
  err: unknown,
  context: CliContext,
  secrets: readonly (string | undefined)[] = [],
): void {
  const line = redactKnown(describeError(err), secrets).replace(/[\r\n]+/g, ' ');
  context.stderr.write(`twitch-realtime ${command}: ${line}\n`);
}

/** The arguments of an operator command (positionals allowed); see {@link parseCommandLine}. */
export function parseCommandArgs(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  return parseCommandLine(args, options);
}

/** Writes `value` as pretty JSON and a newline. */
export function writeJson(context: CliContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
