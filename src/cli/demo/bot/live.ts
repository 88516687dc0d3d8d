/**
 * `demo --bot --live`: the demo's bot against Twitch, with the bot account's token from the environment. It creates
 * its own conduit, joins the channels, answers the same commands typed by real people until Ctrl-C or `--duration`,
 * prints the same summary, and deletes the conduit at the end.
 */
import { RefreshingAuthProvider } from '../../../auth/refreshing-provider.js';
import { AutoBot } from '../../../bot/auto-bot.js';
import { cachedUserResolver } from '../../../bot/user-resolver.js';
import { systemClock } from '../../../core/clock.js';
import { HelixClient } from '../../../helix/client.js';
import type { CliContext } from '../../types.js';
import { delay } from '../traffic.js';
import { BotStats, demoCommands, watchBot } from './commands.js';
import { BotView } from './view.js';

/** The environment variables a live bot run needs, in the order they are reported missing. */
export const BOT_ENV = Object.freeze({
  clientId: 'TWITCH_CLIENT_ID',
  clientSecret: 'TWITCH_CLIENT_SECRET',
  botId: 'TWITCH_BOT_ID',
  accessToken: 'TWITCH_BOT_ACCESS_TOKEN',
  refreshToken: 'TWITCH_BOT_REFRESH_TOKEN',
  channels: 'TWITCH_BOT_CHANNELS',
});

/** Credentials, endpoints and channels of a live bot run. */
export interface BotLiveConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly botId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Logins of the channels to join. */
  readonly channels: readonly string[];
  /** `TWITCH_HELIX_URL`, `TWITCH_OAUTH_URL`, `TWITCH_EVENTSUB_WS_URL`: another Twitch (e.g. the emulator). */
  readonly helixUrl?: string;
  readonly oauthUrl?: string;
  readonly eventSubWsUrl?: string;
}

/**
 * Reads a live bot run's configuration from an environment, or the names of the variables missing (a channel
 * list without one valid login counts as missing).
 *
 * @example
 * ```ts
 * const config = botLiveConfig(process.env);
 * if ('missing' in config) console.error(missingBotCredentials(config.missing));
 * ```
 */
export function botLiveConfig(
  env: Readonly<Record<string, string | undefined>>,
): BotLiveConfig | { readonly missing: readonly string[] } {
  const get = (name: string): string => (env[name] ?? '').trim();
  const channels = get(BOT_ENV.channels)
    .split(',')
    .map((login) => login.trim().replace(/^[@#]/, '').toLowerCase())
    .filter((login) => /^[a-z0-9_]{1,25}$/.test(login));
  const missing = Object.values(BOT_ENV).filter((name) =>
    name === BOT_ENV.channels ? channels.length === 0 : get(name) === '',
  );
  if (missing.length > 0) return { missing };
  return {
    clientId: get(BOT_ENV.clientId),
    clientSecret: get(BOT_ENV.clientSecret),
    botId: get(BOT_ENV.botId),
    accessToken: get(BOT_ENV.accessToken),
    refreshToken: get(BOT_ENV.refreshToken),
    channels,
    ...(env.TWITCH_HELIX_URL === undefined ? {} : { helixUrl: env.TWITCH_HELIX_URL }),
    ...(env.TWITCH_OAUTH_URL === undefined ? {} : { oauthUrl: env.TWITCH_OAUTH_URL }),
    ...(env.TWITCH_EVENTSUB_WS_URL === undefined ? {} : { eventSubWsUrl: env.TWITCH_EVENTSUB_WS_URL }),
  };
}

/** The usage error of a live bot run without its credentials (names only, never values). */
export function missingBotCredentials(missing: readonly string[]): string {
  return (
    `--bot --live needs ${missing.join(', ')} in the environment: the app's TWITCH_CLIENT_ID and ` +
    `TWITCH_CLIENT_SECRET, the bot account's user id and its user token (${BOT_ENV.accessToken}, ` +
    `${BOT_ENV.refreshToken}; scopes user:bot user:read:chat user:write:chat, and moderator:manage:shoutouts ` +
    `moderator:manage:banned_users for !so and !ban) and ${BOT_ENV.channels} (logins, comma-separated)`
  );
}

/** Runs the bot on Twitch until `signal` aborts or `durationMs` passes; resolves with the exit code. */
export async function runBotLive(
  config: BotLiveConfig,
  durationMs: number,
  { stdout, stderr, signal }: CliContext,
): Promise<number> {
  const stats = new BotStats();
  const view = new BotView(stdout, config.botId, () => systemClock.now());
  const auth = new RefreshingAuthProvider({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    ...(config.oauthUrl === undefined ? {} : { oauthUrl: config.oauthUrl }),
  });
  // The run's own Helix client (the bot's token provider, app tokens included): it outlives the bot, to delete the
  // conduit after the bot closed.
  const helix = new HelixClient({
    clientId: config.clientId,
    auth,
    ...(config.helixUrl === undefined ? {} : { helixUrl: config.helixUrl }),
    ...(config.oauthUrl === undefined ? {} : { oauthUrl: config.oauthUrl }),
  });
  let bot: AutoBot | undefined;
  try {
    await auth.addUser({ accessToken: config.accessToken, refreshToken: config.refreshToken });
    const commands = demoCommands(
      stats,
      {
        clock: systemClock,
        startedAt: systemClock.now(),
        random: Math.random,
        users: cachedUserResolver(helix),
      },
      config.botId,
    );
    bot = new AutoBot({
      clientId: config.clientId,
      helix,
      conduitId: 'create',
      botId: config.botId,
      auth,
      commands,
      channels: config.channels.map((login) => ({ login })),
      ...(config.eventSubWsUrl === undefined ? {} : { eventSubWsUrl: config.eventSubWsUrl }),
    });
    watchBot(bot, stats);
    bot.on('message', (message) => {
      view.message(message);
    });
    bot.on('channelJoined', (id) => {
      view.log(`joined ${id}`);
    });
    view.log(`joining ${config.channels.map((c) => `#${c}`).join(', ')}`);
    await bot.start();
    view.log(
      `listening for ${String(durationMs / 1000)} s (Ctrl-C ends it): try !dice, !so @user, !uptime, !hello, !help`,
    );
    await delay(durationMs, signal);
  } catch (error) {
    stderr.write(
      `twitch-realtime demo --bot --live: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    const conduit = bot?.conduitInfo.conduit ?? null;
    await bot?.close();
    auth.close();
    if (conduit !== null) {
      try {
        await conduit.delete();
      } catch {
        stderr.write(
          `live: could not delete conduit ${conduit.id}; Twitch deletes it 72 h after its last shard\n`,
        );
      }
    }
  }
  const failed: string[] = [];
  if (stats.failures.length > 0) failed.push(`no lost reply, got ${String(stats.failures.length)}`);
  const rateLimited = stats.drops.get('msg_ratelimit') ?? 0;
  if (rateLimited > 0) failed.push(`no rate-limit drop, got ${String(rateLimited)}`);
  view.finish(stats, failed);
  return failed.length === 0 ? 0 : 1;
}
