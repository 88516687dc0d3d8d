/**
 * `twitch-realtime token validate`: asks `/oauth2/validate` about a token and prints whom it belongs to, its
 * client id, scopes and expiry. The token itself is never printed.
 */
import { OAuthClient } from '../../auth/oauth.js';
import { OAUTH_URL } from '../../protocol/eventsub.js';
import { ENV, parseCommandArgs, reportError, resolveUrls, writeJson } from '../credentials.js';
import { didYouMean } from '../args.js';
import { formatTable } from '../table.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext } from '../types.js';

const HELP = `Usage: twitch-realtime token validate [options]

Validates an access token (app or user) with Twitch's /oauth2/validate and prints its login, user id, client id,
scopes and expiry. The token is never printed.

Options:
  --token <token>        Token to validate (prefer the env ${ENV.token}: flags are visible in \`ps\`)
  --oauth-url <url>      OAuth base URL (env ${ENV.oauthUrl}; default ${OAUTH_URL})
  --json                 Print JSON instead of a table
  -h, --help             Show this help

Examples:
  TWITCH_TOKEN=… twitch-realtime token validate
  TWITCH_TOKEN=… twitch-realtime token validate --json | jq .scopes
`;

const OPTIONS = {
  token: { type: 'string' },
  'oauth-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `3h 59m 12s` for a number of seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const parts: string[] = [];
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) parts.push(`${d}d`);
  if (h > 0) parts.push(`${h}h`);
  if (m > 0) parts.push(`${m}m`);
  if (parts.length === 0 || s % 60 > 0) parts.push(`${s % 60}s`);
  return parts.join(' ');
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    context.stdout.write(HELP);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action !== 'validate') {
    throw new UsageError(
      action === undefined
        ? 'missing action (validate)'
        : `unknown action "${action}"${didYouMean(action, ['validate'])}`,
    );
  }
  if (rest.length > 0) {
    throw new UsageError(`unexpected argument "${rest[0] ?? ''}" (pass the token in ${ENV.token})`);
  }
  const flag = typeof values.token === 'string' && values.token !== '' ? values.token : undefined;
  const envToken = context.env[ENV.token];
  const token = flag ?? (envToken === '' ? undefined : envToken);
  if (token === undefined) throw new UsageError(`missing token: set ${ENV.token} (or pass --token)`);
  if (flag !== undefined) {
    context.stderr.write(
      `twitch-realtime token: warning: --token is visible to other users in \`ps\`; prefer ${ENV.token}\n`,
    );
  }
  // Validate does not send a client id; the OAuth client only needs a non-empty one.
  const oauth = new OAuthClient({
    clientId: context.env[ENV.clientId] ?? 'twitch-realtime-cli',
    oauthUrl: resolveUrls(values, context).oauthUrl,
  });
  try {
    const info = await oauth.validate(token.replace(/^(oauth:|OAuth |Bearer )/i, ''), context.signal);
    const expiresAt = info.expiresIn === null ? null : new Date(Date.now() + info.expiresIn * 1000);
    if (values.json === true) {
      writeJson(context, {
        kind: info.userId === null ? 'app' : 'user',
        login: info.login,
        userId: info.userId,
        clientId: info.clientId,
        scopes: info.scopes,
        expiresIn: info.expiresIn,
        expiresAt,
      });
      return 0;
    }
    const expiry =
      info.expiresIn === null || expiresAt === null
        ? 'never'
        : `in ${formatDuration(info.expiresIn)} (${expiresAt.toISOString()})`;
    const rows: [string, string][] = [
      ['Kind', info.userId === null ? 'app token' : 'user token'],
      ['Login', info.login ?? '-'],
      ['User ID', info.userId ?? '-'],
      ['Client ID', info.clientId],
      ['Scopes', info.scopes.length === 0 ? '(none)' : info.scopes.join(' ')],
      ['Expires', expiry],
    ];
    // A two-column table without a header: drop the header row formatTable adds.
    const table = formatTable(['', ''], rows);
    context.stdout.write(table.slice(table.indexOf('\n') + 1));
    return 0;
  } catch (err) {
    reportError('token validate', err, context, [token]);
    return 1;
  }
}

/** The `token` subcommand. */
export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Validate an access token (login, user id, client id, scopes, expiry)',
  help: HELP,
  run,
};
