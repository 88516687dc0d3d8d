/**
 * `twitch-realtime record`: an AutoClient on a conduit of its own (Twitch, or a running emulator with `--emulator`)
 * subscribed to the given types, writing what it receives as JSON lines (`record()` of the testing kit) until
 * Ctrl+C, `--count` or `--duration`. Secrets are never written; the conduit is deleted at the end.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { errorMessage, isRecord } from '../../core/guards.js';
import { AutoClient } from '../../eventsub/conduit/auto-client.js';
import { HelixClient } from '../../helix/client.js';
import type { SubscriptionInput } from '../../eventsub/conduit/multi-subscribe.js';
import { record, type Recorder } from '../../testing/record.js';
import { integerOption, parseCommandLine } from '../args.js';
import { CONNECTION_OPTIONS, ENV, reportError, resolveConnection } from '../credentials.js';
import { UsageError } from '../types.js';
import type { CliCommand, CliContext, TextSink } from '../types.js';

const HELP = `Usage: twitch-realtime record [options] <type>@<version>:<key>=<value>[,<key>=<value>...] ...

Subscribes an AutoClient (a conduit of its own) to the given subscriptions and records what it receives as JSON
lines: a header, then one line per notification (message id and timestamp, type, version, the subscription without
any secret, the wire event, the receive time) and per revocation. \`twitch-realtime replay\` and emu.replay() read
it. Stops on Ctrl+C, --count or --duration; the conduit is deleted at the end.

Subscriptions: condition keys as on the wire, e.g. stream.online@1:broadcaster_user_id=1337, or a file.

Options:
  --out <file>             Where to write (default: standard output)
  --subscriptions <file>   A JSON array of { "type", "version", "condition" } (wire or camelCase keys)
  --emulator <url>         Record from a running emulator (twitch-realtime emulator): its Helix, OAuth and
                           EventSub WebSocket; the app credentials still come from the flags or the environment
  --shards <n>             WebSocket shards of the conduit (1..64, default 1)
  --count <n>              Stop after n notifications
  --duration <s>           Stop after s seconds
  --client-id <id>         App client id (env ${ENV.clientId})
  --client-secret <s>      App client secret (env ${ENV.clientSecret}; prefer the env: flags show in \`ps\`)
  --helix-url <url>        Helix base URL (env ${ENV.helixUrl})
  --oauth-url <url>        OAuth base URL (env ${ENV.oauthUrl})
  -h, --help               Show this help

Against Twitch, the types need the authorizations Twitch asks of a conduit (an app token; user-authorized types
need the user's grant to the app). TWITCH_EVENTSUB_WS_URL points the WebSocket elsewhere.
`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  out: { type: 'string' },
  subscriptions: { type: 'string' },
  emulator: { type: 'string' },
  shards: { type: 'string' },
  count: { type: 'string' },
  duration: { type: 'string' },
} as const;

const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function subscription(type: unknown, version: unknown, condition: unknown, where: string): SubscriptionInput {
  if (typeof type !== 'string' || type === '' || typeof version !== 'string' || version === '') {
    throw new UsageError(`${where}: a type and a version are required`);
  }
  if (!isRecord(condition)) throw new UsageError(`${where}: the condition must be an object`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(condition)) {
    if (typeof value !== 'string') throw new UsageError(`${where}: condition ${key} must be a string`);
    out[camel(key)] = value;
  }
  // The client checks the type, version and condition keys against the catalogue (a typed error on a typo).
  return { type, version, condition: out } as unknown as SubscriptionInput;
}

/** `stream.online@1:broadcaster_user_id=1337,...` → a subscription input. */
export function parseSubscriptionArg(arg: string): SubscriptionInput {
  const match = /^([a-z0-9_.]+)@([a-z0-9]+):(.+)$/i.exec(arg);
  if (match === null) {
    throw new UsageError(`"${arg.slice(0, 80)}" is not <type>@<version>:<key>=<value>[,<key>=<value>...]`);
  }
  const condition: Record<string, string> = {};
  for (const pair of (match[3] ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${pair.slice(0, 80)}" is not <key>=<value>`);
    condition[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return subscription(match[1], match[2], condition, arg.slice(0, 80));
}

function readSubscriptionsFile(path: string): SubscriptionInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--subscriptions ${path}: ${errorMessage(error)}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`--subscriptions ${path}: expected a JSON array`);
  return parsed.map((item: unknown, i) => {
    const where = `--subscriptions ${path}[${String(i)}]`;
    if (!isRecord(item)) throw new UsageError(`${where}: expected an object`);
    return subscription(item.type, item.version, item.condition, where);
  });
}

function emulatorUrls(value: string): { helixUrl: string; oauthUrl: string; eventSubWsUrl: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--emulator is not a URL: "${value.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError('--emulator must be an http(s) URL');
  // The URLs below end up in messages: a password in them would be printed.
  if (url.username !== '' || url.password !== '')
    throw new UsageError('--emulator must not carry a user name or password');
  const base = value.replace(/\/+$/, '');
  return {
    helixUrl: `${base}/helix`,
    oauthUrl: `${base}/oauth2`,
    eventSubWsUrl: `${base.replace(/^http/, 'ws')}/ws`,
  };
}

/** Resolves when `signal` aborts, after `ms` (when given), or when `stop` is called. */
function until(signal: AbortSignal, ms: number | undefined): { done: Promise<void>; stop: () => void } {
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    stop = finish;
    if (signal.aborted) finish();
    else signal.addEventListener('abort', finish, { once: true });
  });
  return { done, stop };
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const { values, positionals } = parseCommandLine(args, OPTIONS);
  if (values.help === true) {
    context.stdout.write(HELP);
    return 0;
  }
  const subscriptions = positionals.map(parseSubscriptionArg);
  if (typeof values.subscriptions === 'string')
    subscriptions.push(...readSubscriptionsFile(values.subscriptions));
  if (subscriptions.length === 0)
    throw new UsageError('no subscription given (arguments or --subscriptions)');
  const shards = integerOption('shards', values.shards, { min: 1, max: 64, fallback: 1 });
  const count =
    values.count === undefined ? undefined : integerOption('count', values.count, { min: 1, max: 2 ** 31 });
  const duration =
    values.duration === undefined
      ? undefined
      : integerOption('duration', values.duration, { min: 1, max: 31 * 86_400 });
  const emulator = typeof values.emulator === 'string' ? emulatorUrls(values.emulator) : undefined;
  const connection = resolveConnection(values, context);
  const out = typeof values.out === 'string' && values.out !== '' ? values.out : undefined;
  const wsUrl = emulator?.eventSubWsUrl ?? context.env.TWITCH_EVENTSUB_WS_URL;

  // The client's Helix is ours: the conduit is deleted through it once the client is closed.
  const helix = new HelixClient({
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    helixUrl: emulator?.helixUrl ?? connection.helixUrl,
    oauthUrl: emulator?.oauthUrl ?? connection.oauthUrl,
  });
  const client = new AutoClient({
    clientId: connection.clientId,
    helix,
    ...(wsUrl === undefined || wsUrl === '' ? {} : { eventSubWsUrl: wsUrl }),
    conduitId: 'create',
    shardIds: Array.from({ length: shards }, (_, i) => i),
    subscriptions,
  });
  const log: TextSink = context.stderr;
  const destination = out ?? stdoutStream(context.stdout);
  let failed = false;
  const stopAt = until(context.signal, duration === undefined ? undefined : duration * 1000);
  const recorder: Recorder = record(client, destination, {
    source: emulator === undefined ? 'twitch' : 'emulator',
    onError: (error) => {
      failed = true;
      reportError('record', error, context, [connection.clientSecret]);
      // A recording that cannot be written is over: --count would never be reached.
      stopAt.stop();
    },
  });
  client.on('notification', () => {
    if (count !== undefined && recorder.lines >= count) stopAt.stop();
  });
  client.on('error', (error, where) => {
    reportError(`record${where === undefined ? '' : ` (${where})`}`, error, context, [
      connection.clientSecret,
    ]);
  });
  try {
    await client.start();
    log.write(
      `record: conduit ${client.conduitInfo.id ?? '?'} ready, ${String(subscriptions.length)} subscriptions; recording${out === undefined ? '' : ` to ${out}`} (Ctrl+C stops)\n`,
    );
    await stopAt.done;
  } catch (error) {
    reportError('record', error, context, [connection.clientSecret]);
    failed = true;
  } finally {
    stopAt.stop();
    const summary = await recorder.stop();
    const conduit = client.conduitInfo.conduit;
    await client.close();
    if (conduit !== null) {
      try {
        await conduit.delete();
      } catch (error) {
        log.write(
          `record: could not delete conduit ${conduit.id} (${errorMessage(error)}); Twitch deletes it 72 h after its last shard\n`,
        );
      }
    }
    helix.close();
    log.write(
      `record: ${String(summary.notifications)} notifications, ${String(summary.revocations)} revocations recorded${summary.dropped > 0 ? `, ${String(summary.dropped)} lines could not be written` : ''}\n`,
    );
    if (summary.dropped > 0) failed = true;
  }
  return failed ? 1 : 0;
}

/** Standard output as the recorder's destination: a writable over the context's sink. */
function stdoutStream(sink: TextSink): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.write(chunk.toString('utf8'));
      callback();
    },
  });
}

/** The `record` subcommand. */
export const recordCommand: CliCommand = {
  name: 'record',
  summary: 'Record what a client receives (notifications, revocations) as JSON lines, secrets never written',
  help: HELP,
  run,
};
