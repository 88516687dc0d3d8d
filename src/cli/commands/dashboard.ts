/**
 * `twitch-realtime dashboard`: the live dashboard on a conduit that this process does not serve. A
 * `ConduitInspector` lists the conduit's shards and the app's subscriptions from Helix (app token) and the
 * observability server shows them, with the Helix client's metrics; against a running `twitch-realtime emulator`
 * (`--emulator`), the dashboard's controls drive it. Runs until SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { HelixClient } from '../../helix/client.js';
import { ConduitInspector } from '../../observability/inspector.js';
import {
  DEFAULT_OBSERVABILITY_PORT,
  isLoopback,
  startObservabilityServer,
  type ObservabilityServer,
} from '../../observability/server.js';
import { integerOption } from '../args.js';
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  parseCommandArgs,
  reportError,
  resolveConnection,
  writeJson,
} from '../credentials.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext } from '../types.js';
import { whenAborted } from '../waits.js';

const HELP = `Usage: twitch-realtime dashboard [options]

Serves the live dashboard of a conduit (shards, subscriptions, Helix budget), read from Helix with the app token
every --interval seconds; read-only. Prints the URL and runs until Ctrl+C.

Options:
  --conduit <id>         The conduit (default: the app's only conduit)
  --emulator <url>       A running \`twitch-realtime emulator\` (its base URL): Helix and OAuth there, and the
                         dashboard's controls (trigger an event, drop a shard, session_reconnect, stall keepalives).
                         Credentials: the Client ID and secret it printed, as below
  --port <n>             Port of the dashboard (default ${DEFAULT_OBSERVABILITY_PORT}; 0 picks a free port)
  --host <host>          Interface to bind (default 127.0.0.1)
  --token <t>            Required by every route (8..512 characters). Bound elsewhere than loopback without
                         --token, one is generated; the printed URL carries it
  --interval <s>         Seconds between two listings (1..3600; default 15, 2 with --emulator). A listing costs
                         a Helix request per 100 shards or subscriptions; at most 200 a minute (a quarter of the
                         app's budget): a 20,000-shard conduit is listed about once a minute

${CONNECTION_HELP}
Examples:
  TWITCH_CLIENT_ID=… TWITCH_CLIENT_SECRET=… twitch-realtime dashboard
  twitch-realtime dashboard --emulator http://127.0.0.1:8080 --conduit 6f2c… --port 0
`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  conduit: { type: 'string' },
  emulator: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  interval: { type: 'string' },
} as const;

/** The emulator's base URL (http/https, no path, query or credentials), or a {@link UsageError}. */
function emulatorBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--emulator is not a URL: "${value.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('--emulator must be an http(s) URL (the Base URL the emulator printed)');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new UsageError('--emulator must be the base URL alone (no credentials, query or fragment)');
  }
  return url.href.replace(/\/+$/, '');
}

/** The conduit to show: `--conduit`, else the app's only one. Several without `--conduit` is bad usage. */
async function chooseConduit(
  helix: HelixClient,
  wanted: string | undefined,
  context: CliContext,
): Promise<{ id: string; shardCount: number } | string> {
  const conduits = await helix.eventSub.getConduits({ signal: context.signal });
  const list = conduits.map((c) => `  ${c.id} (${String(c.shardCount)} shards)`).join('\n');
  if (wanted !== undefined) {
    const found = conduits.find((c) => c.id === wanted);
    if (found !== undefined) return found;
    return conduits.length === 0
      ? `conduit ${wanted} not found: the app has no conduit`
      : `conduit ${wanted} not found; the app's conduits:\n${list}`;
  }
  const [only] = conduits;
  if (conduits.length === 1 && only !== undefined) return only;
  if (conduits.length === 0) return 'the app has no conduit (create one: twitch-realtime conduits create)';
  throw new UsageError(`the app has ${String(conduits.length)} conduits: choose one with --conduit\n${list}`);
}

/** Whether the command was told to stop (read anew: it changes while the command awaits). */
function stopped(context: CliContext): boolean {
  return context.signal.aborted;
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS);
  if (values.help === true) {
    context.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  const port = integerOption('port', values.port, {
    min: 0,
    max: 65_535,
    fallback: DEFAULT_OBSERVABILITY_PORT,
  });
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  let token = typeof values.token === 'string' ? values.token : undefined;
  if (token !== undefined && (token.length < 8 || token.length > 512 || /[\s\p{Cc}]/u.test(token))) {
    throw new UsageError('--token must be 8..512 printable characters without spaces');
  }
  const generated = token === undefined && !isLoopback(host);
  if (generated) token = randomBytes(24).toString('base64url');
  const conduitFlag = typeof values.conduit === 'string' ? values.conduit : undefined;
  if (conduitFlag === '') throw new UsageError('--conduit must not be empty');
  let emulator: string | undefined;
  const urls: Record<string, string> = {};
  if (typeof values.emulator === 'string') {
    emulator = emulatorBase(values.emulator);
    for (const flag of ['helix-url', 'oauth-url'] as const) {
      if (values[flag] !== undefined)
        throw new UsageError(`--${flag} does not go with --emulator (it sets both)`);
    }
    urls['helix-url'] = `${emulator}/helix`;
    urls['oauth-url'] = `${emulator}/oauth2`;
  }
  // Against the emulator, a shard dropped from the page shows within 2 s; against Twitch, a listing costs budget.
  const intervalMs =
    integerOption('interval', values.interval, {
      min: 1,
      max: 3600,
      fallback: emulator === undefined ? 15 : 2,
    }) * 1000;
  const connection = resolveConnection({ ...values, ...urls }, context);
  if (context.signal.aborted) return 0;

  const helix = new HelixClient({
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    helixUrl: connection.helixUrl,
    oauthUrl: connection.oauthUrl,
  });
  let inspector: ConduitInspector | undefined;
  let server: ObservabilityServer | undefined;
  try {
    const conduit = await chooseConduit(helix, conduitFlag, context);
    if (typeof conduit === 'string') {
      context.stderr.write(`twitch-realtime dashboard: ${conduit}\n`);
      return 1;
    }
    const started = new ConduitInspector({ helix, conduitId: conduit.id, intervalMs });
    inspector = started;
    // Ctrl+C during the first listing (minutes for a large conduit under 429s) ends it now: close() aborts it.
    const stop = (): void => {
      started.close();
    };
    context.signal.addEventListener('abort', stop, { once: true });
    try {
      await started.start();
    } finally {
      context.signal.removeEventListener('abort', stop);
    }
    if (stopped(context)) return 0;
    server = await startObservabilityServer({
      sources: [inspector, helix],
      host,
      port,
      ...(token === undefined ? {} : { token }),
      ...(emulator === undefined ? {} : { emulator }),
    });
    if (values.json === true) {
      writeJson(context, { url: server.url, metricsUrl: server.metricsUrl, conduit: conduit.id });
    } else {
      context.stdout.write(
        [
          `Dashboard of conduit ${conduit.id} (${String(conduit.shardCount)} shards)${emulator === undefined ? '' : ', emulator controls on'}`,
          `  Dashboard  ${server.url}`,
          `  Metrics    ${server.metricsUrl}`,
          ...(generated ? ['  (a token was generated for this run: the dashboard URL carries it)'] : []),
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
    }
    await whenAborted(context.signal);
    if (values.json !== true) context.stdout.write('twitch-realtime dashboard stopped\n');
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // Ctrl+C while Helix was answering: a normal stop.
    if (stopped(context)) return 0;
    reportError('dashboard', err, context, [connection.clientSecret, token]);
    return 1;
  } finally {
    await server?.close();
    inspector?.close();
    helix.close();
  }
}

/** The `dashboard` subcommand. */
export const dashboardCommand: CliCommand = {
  name: 'dashboard',
  summary: 'Serve the live dashboard of a conduit (read from Helix; emulator controls with --emulator)',
  help: HELP,
  run,
};
