/**
 * `twitch-realtime demo` (what `npm start` runs): a conduit on the embedded emulator, events flowing through it
 * while faults are thrown at it, ending with the exactly-once accounting. `--live` runs against real Twitch.
 */
import { integerOption, parseCommandLine } from '../args.js';
import { DemoScenario } from '../demo/scenario.js';
import type { ScenarioResult } from '../demo/scenario.js';
import { LIVE_CREDENTIALS, liveConfig, runLive } from '../demo/live.js';
import { DemoView } from '../demo/view.js';
import { FleetScenario, type FleetResult } from '../demo/fleet/scenario.js';
import { FleetView } from '../demo/fleet/view.js';
import { UsageError } from '../types.js';
import { runBotScenario } from '../demo/bot/scenario.js';
import { botLiveConfig, missingBotCredentials, runBotLive } from '../demo/bot/live.js';
import type { CliCommand, CliContext } from '../types.js';
import { whenAborted } from '../waits.js';
import type { HelixClient } from '../../helix/client.js';
import type { ObservedSource } from '../../observability/source.js';
import type { Emulator } from '../../emulator/emulator.js';
import { startObservabilityServer, type ObservabilityServer } from '../../observability/server.js';

const HELP = `Usage: twitch-realtime demo [options]

Starts the emulator in-process and an AutoClient on a conduit, subscribes simulated channels to a mix of event
types, plays traffic and faults (shard drops, session_reconnect, keepalive stalls, duplicates, Helix errors), and
ends with "sent · delivered · duplicates suppressed · lost". Exits 1 if any event was lost or handled twice.

Options:
  --shards <n>       Shards of the conduit (1..64, default 4)
  --channels <n>     Simulated channels (1..1000, default 50)
  --rate <n>         Events per second, all channels together (1..20000, default 250)
  --duration <s>     Seconds of traffic (1..3600, default 20)
  --no-faults        No fault injection
  --webhook-shards <n>
                     Serve the last n shards by webhook instead of WebSocket (0..shards; default 1, 0 with one
                     shard): signed deliveries to a local receiver, failed deliveries retried by the emulator
  --pubsub           Also run the PubSub pool against the emulator's PubSub
  --seed <n>         Seed of the random choices (replays a run)
  --fleet <n>        Run the demo as n worker processes (2..16) on one conduit and one Redis started for the run
                     (needs redis-server): kills one with SIGKILL mid-run, shows its shards taken over by the
                     survivors, starts a replacement; --shards defaults to 2n, --duration to 30
  --lease-ttl <s>    With --fleet: the shard lease TTL, seconds (1..60; default: the fleet's, 6)
  --dashboard        Also serve the live dashboard on the demo's client (its URL is printed first), with the
                     emulator's controls (trigger an event, drop a shard, session_reconnect, stall keepalives);
                     after the traffic and its summary it stays up until Ctrl-C
  --dashboard-port <n>
                     Port of the dashboard (0..65535; default 0: a free port)
  --record <file>    Record what the demo's client receives as JSON lines (twitch-realtime replay reads it)
  --live             Real Twitch instead of the emulator (needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET):
                     listens to the most watched live channels, no faults
  --bot              The chat bot instead: an AutoBot on the emulator joined to three channels (a moderator in
                     two), simulated viewers typing !dice, !so, !uptime, a guarded !ban, a cooldown hit, a reward
                     command and a burst the send queue delays; prints the conversation and a summary (commands
                     handled, replies sent, drops by reason, queue delays). Exits 1 on a lost or dropped reply.
                     Simulated time runs 10x faster. Takes --seed and --duration (the bound of the run, default 20)
  --bot --live       The same bot on Twitch until Ctrl-C or --duration (default 300): needs TWITCH_CLIENT_ID,
                     TWITCH_CLIENT_SECRET, TWITCH_BOT_ID, TWITCH_BOT_ACCESS_TOKEN, TWITCH_BOT_REFRESH_TOKEN (a
                     user token of the bot with user:bot user:read:chat user:write:chat) and TWITCH_BOT_CHANNELS
                     (logins, comma-separated)
  -h, --help         Show this help
`;

/** Parses an integer flag within bounds. */
function intFlag(
  name: string,
  value: string | boolean | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  return integerOption(name, value, { min, max, fallback });
}

const OPTIONS = {
  shards: { type: 'string' },
  channels: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  'no-faults': { type: 'boolean' },
  pubsub: { type: 'boolean' },
  'webhook-shards': { type: 'string' },
  live: { type: 'boolean' },
  seed: { type: 'string' },
  fleet: { type: 'string' },
  'lease-ttl': { type: 'string' },
  bot: { type: 'boolean' },
  record: { type: 'string' },
  dashboard: { type: 'boolean' },
  'dashboard-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options of a demo run, validated. */
export interface DemoArgs {
  readonly shards: number;
  readonly channels: number;
  readonly rate: number;
  readonly durationMs: number;
  readonly faults: boolean;
  readonly pubsub: boolean;
  /** Shards served by webhook (the last ones). */
  readonly webhookShards: number;
  readonly live: boolean;
  readonly seed: number | undefined;
  /** Worker processes of a fleet run; 0: the single-process demo. */
  readonly fleet: number;
  /** With `fleet`: the lease TTL, milliseconds (`undefined`: the strategy's default). */
  readonly leaseTtlMs: number | undefined;
  /** `--bot`: the chat bot demo. */
  readonly bot: boolean;
  /** `--record <file>`: where the demo's client's notifications are recorded. */
  readonly record: string | undefined;
  /** `--dashboard`: serve the dashboard on the demo's client until Ctrl-C. */
  readonly dashboard: boolean;
  /** `--dashboard-port`: its port (0: a free one). */
  readonly dashboardPort: number;
  readonly help: boolean;
}

/**
 * Parses `twitch-realtime demo` arguments; throws {@link UsageError} on bad input.
 *
 * @example
 * ```ts
 * parseDemoArgs(['--shards', '8', '--no-faults']).shards; // 8
 * ```
 */
export function parseDemoArgs(args: readonly string[]): DemoArgs {
  const { values } = parseCommandLine(args, OPTIONS, { positionals: false });
  const live = values.live === true;
  const bot = values.bot === true;
  if (bot) {
    for (const flag of [
      'shards',
      'channels',
      'rate',
      'no-faults',
      'pubsub',
      'webhook-shards',
      'fleet',
      'lease-ttl',
    ] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} does not go with --bot`);
    }
  }
  if (live && values.pubsub === true)
    throw new UsageError('--pubsub needs the emulator: Twitch shut PubSub down');
  if (live && values['webhook-shards'] !== undefined)
    throw new UsageError('--webhook-shards needs the emulator: Twitch calls public HTTPS callbacks only');
  const fleet = values.fleet === undefined ? 0 : intFlag('fleet', values.fleet, 3, 2, 16);
  if (fleet === 0 && values['lease-ttl'] !== undefined) throw new UsageError('--lease-ttl needs --fleet');
  if (fleet > 0) {
    for (const flag of ['live', 'pubsub', 'webhook-shards'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} does not go with --fleet`);
    }
  }
  const record = values.record;
  if (record !== undefined) {
    if (typeof record !== 'string' || record === '') throw new UsageError('--record needs a file');
    for (const flag of ['live', 'bot', 'fleet'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--record does not go with --${flag}`);
    }
  }
  const dashboard = values.dashboard === true;
  if (!dashboard && values['dashboard-port'] !== undefined)
    throw new UsageError('--dashboard-port needs --dashboard');
  if (dashboard) {
    for (const flag of ['live', 'fleet'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--dashboard does not go with --${flag}`);
    }
  }
  const shards = intFlag('shards', values.shards, fleet > 0 ? fleet * 2 : 4, 1, 64);
  return {
    shards,
    channels: intFlag('channels', values.channels, live ? 20 : 50, 1, live ? 100 : 1000),
    rate: intFlag('rate', values.rate, 250, 1, 20_000),
    durationMs: intFlag('duration', values.duration, fleet > 0 ? 30 : bot && live ? 300 : 20, 1, 3600) * 1000,
    faults: values['no-faults'] !== true && !live,
    pubsub: values.pubsub === true,
    // One webhook shard by default (when there are two shards or more): mixed transports on one conduit.
    webhookShards:
      fleet > 0
        ? 0
        : intFlag('webhook-shards', values['webhook-shards'], live || shards < 2 ? 0 : 1, 0, shards),
    live,
    seed: values.seed === undefined ? undefined : intFlag('seed', values.seed, 0, 0, 2 ** 31 - 1),
    fleet,
    leaseTtlMs:
      values['lease-ttl'] === undefined
        ? undefined
        : intFlag('lease-ttl', values['lease-ttl'], 10, 1, 60) * 1000,
    bot,
    record: typeof record === 'string' ? record : undefined,
    dashboard,
    dashboardPort: intFlag('dashboard-port', values['dashboard-port'], 0, 0, 65_535),
    help: values.help === true,
  };
}

async function run(args: readonly string[], context: CliContext): Promise<number> {
  const options = parseDemoArgs(args);
  if (options.help) {
    context.stdout.write(HELP);
    return 0;
  }
  if (options.bot) return runBot(options, context);
  if (options.live) {
    // Missing credentials are bad usage (exit 2), checked before anything starts.
    if (liveConfig(context.env) === null) throw new UsageError(LIVE_CREDENTIALS);
    return runLive(options, context);
  }
  if (options.fleet > 0) return runFleet(options, context);
  const view = new DemoView(context.stdout, {
    shards: options.shards,
    channels: options.channels,
    rate: options.rate,
    durationMs: options.durationMs,
    faults: options.faults,
    pubsub: options.pubsub,
    webhookShards: options.webhookShards,
  });
  // Set by beforeClose, which prints the summary before the dashboard is held open.
  const summary = { printed: false };
  const dashboard = options.dashboard ? demoDashboard(options, context) : undefined;
  const scenario = new DemoScenario({
    shards: options.shards,
    channels: options.channels,
    rate: options.rate,
    durationMs: options.durationMs,
    faults: options.faults,
    pubsub: options.pubsub,
    webhookShards: options.webhookShards,
    signal: context.signal,
    onLog: (line) => {
      view.log(line);
    },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(dashboard === undefined
      ? {}
      : {
          attach: async (client, emulator) => {
            const server = await dashboard.attach(client, emulator);
            view.start(() => scenario.snapshot());
            return server;
          },
          beforeClose: async (result) => {
            view.finish(result);
            summary.printed = true;
            await dashboard.hold();
          },
        }),
  });
  // With the dashboard, the view starts once its URL is printed (the first line).
  if (dashboard === undefined) view.start(() => scenario.snapshot());
  let result: ScenarioResult | null = null;
  try {
    result = await scenario.run();
  } finally {
    if (!summary.printed) view.finish(result);
  }
  return result.ok ? 0 : 1;
}

/**
 * `demo --dashboard`: the observability server on the demo's client and its Helix client, with the embedded
 * emulator's controls; its URL printed before anything else, and kept up after the summary until Ctrl-C.
 */
function demoDashboard(
  options: DemoArgs,
  context: CliContext,
): {
  attach(
    client: ObservedSource & { readonly helix: HelixClient },
    emulator: Emulator,
  ): Promise<ObservabilityServer>;
  hold(): Promise<void>;
} {
  let url = '';
  return {
    async attach(client, emulator) {
      const server = await startObservabilityServer({
        sources: [client, client.helix],
        port: options.dashboardPort,
        emulator: emulator.baseUrl,
      });
      url = server.url;
      context.stdout.write(`Dashboard: ${url}\n`);
      return server;
    },
    async hold() {
      if (context.signal.aborted) return;
      context.stdout.write(
        `\nThe dashboard stays up at ${url}: the client keeps running, the controls drive the emulator. Press Ctrl+C to stop.\n`,
      );
      await whenAborted(context.signal);
    },
  };
}

/** `demo --bot`: the chat bot on the emulator, or on Twitch with `--live`. */
async function runBot(options: DemoArgs, context: CliContext): Promise<number> {
  if (options.live) {
    // Missing credentials are bad usage (exit 2), checked before anything starts.
    const config = botLiveConfig(context.env);
    if ('missing' in config) throw new UsageError(missingBotCredentials(config.missing));
    return runBotLive(config, options.durationMs, context);
  }
  const dashboard = options.dashboard ? demoDashboard(options, context) : undefined;
  const result = await runBotScenario({
    out: context.stdout,
    seed: options.seed ?? 1,
    durationMs: options.durationMs,
    signal: context.signal,
    ...(dashboard === undefined
      ? {}
      : { attach: (bot, emulator) => dashboard.attach(bot, emulator), beforeClose: () => dashboard.hold() }),
  });
  return result.ok ? 0 : 1;
}

/** `demo --fleet <n>`: worker processes on one conduit and one Redis, one of them killed mid-run. */
async function runFleet(options: DemoArgs, context: CliContext): Promise<number> {
  const view = new FleetView(context.stdout, {
    workers: options.fleet,
    shards: options.shards,
    channels: options.channels,
    rate: options.rate,
    durationMs: options.durationMs,
  });
  const scenario = new FleetScenario({
    workers: options.fleet,
    shards: options.shards,
    channels: options.channels,
    rate: options.rate,
    durationMs: options.durationMs,
    faults: options.faults,
    signal: context.signal,
    onLog: (line) => {
      view.log(line);
    },
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(context.env.REDIS_SERVER === undefined ? {} : { redisServer: context.env.REDIS_SERVER }),
  });
  view.start(() => scenario.snapshot());
  let result: FleetResult | null = null;
  try {
    result = await scenario.run();
  } finally {
    view.finish(result);
  }
  return result.ok ? 0 : 1;
}

/** The `demo` subcommand. */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Watch a conduit survive faults on the local emulator, ending with the exactly-once accounting',
  help: HELP,
  run,
};
