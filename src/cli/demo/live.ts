/**
 * `twitch-realtime demo --live`: the same AutoClient against real Twitch. It creates its own conduit, listens to
 * the most watched live channels (types that need no user authorization: stream.offline, channel.update, raids),
 * prints what arrives, and deletes the conduit at the end. No faults, no emulator.
 */
import { AutoClient } from '../../eventsub/conduit/auto-client.js';
import type { SubscriptionInput } from '../../eventsub/conduit/multi-subscribe.js';
import { HelixClient } from '../../helix/client.js';
import { UsageError } from '../types.js';
import type { CliContext } from '../types.js';
import { DeliveryLedger } from './ledger.js';
import { pauseUnlessAborted } from '../waits.js';

/** What `--live` needs from the command line. */
export interface LiveArgs {
  readonly shards: number;
  readonly channels: number;
  readonly durationMs: number;
}

/** Credentials and endpoints of a live run, from the environment. */
export interface LiveConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `TWITCH_HELIX_URL`, `TWITCH_OAUTH_URL`, `TWITCH_EVENTSUB_WS_URL`: point the run at another Twitch. */
  readonly helixUrl?: string;
  readonly oauthUrl?: string;
  readonly eventSubWsUrl?: string;
  /** `TWITCH_BROADCASTER_IDS` (comma-separated): these channels instead of the most watched ones. */
  readonly broadcasterIds?: readonly string[];
}

/** What a live run without credentials is told (bad usage, exit 2). */
export const LIVE_CREDENTIALS =
  '--live needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET in the environment (an app of dev.twitch.tv/console)';

/**
 * Reads the live configuration from an environment; `null` when the credentials are missing.
 *
 * @example
 * ```ts
 * const config = liveConfig(process.env); // needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET
 * ```
 */
export function liveConfig(env: Readonly<Record<string, string | undefined>>): LiveConfig | null {
  const clientId = env.TWITCH_CLIENT_ID ?? '';
  const clientSecret = env.TWITCH_CLIENT_SECRET ?? '';
  if (clientId === '' || clientSecret === '') return null;
  const ids = (env.TWITCH_BROADCASTER_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => /^[0-9]+$/.test(id));
  return {
    clientId,
    clientSecret,
    ...(env.TWITCH_HELIX_URL === undefined ? {} : { helixUrl: env.TWITCH_HELIX_URL }),
    ...(env.TWITCH_OAUTH_URL === undefined ? {} : { oauthUrl: env.TWITCH_OAUTH_URL }),
    ...(env.TWITCH_EVENTSUB_WS_URL === undefined ? {} : { eventSubWsUrl: env.TWITCH_EVENTSUB_WS_URL }),
    ...(ids.length === 0 ? {} : { broadcasterIds: ids }),
  };
}

/** Runs the live demo; resolves with the exit code. */
export async function runLive(args: LiveArgs, { stdout, stderr, signal, env }: CliContext): Promise<number> {
  const config = liveConfig(env);
  if (config === null) throw new UsageError(LIVE_CREDENTIALS);
  const helix = new HelixClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    ...(config.helixUrl === undefined ? {} : { helixUrl: config.helixUrl }),
    ...(config.oauthUrl === undefined ? {} : { oauthUrl: config.oauthUrl }),
  });
  let client: AutoClient | undefined;
  try {
    let channels = config.broadcasterIds ?? [];
    if (channels.length === 0) {
      const streams = await helix.http.request<{ data: { user_id: string; user_login: string }[] }>({
        method: 'GET',
        path: '/streams',
        query: { first: args.channels },
        signal,
      });
      channels = streams.body.data.map((s) => s.user_id);
      stdout.write(
        `live: the ${String(channels.length)} most watched channels: ${streams.body.data
          .slice(0, 8)
          .map((s) => s.user_login)
          .join(', ')}${channels.length > 8 ? ', …' : ''}\n`,
      );
    }
    channels = channels.slice(0, args.channels);
    const subscriptions: SubscriptionInput[] = channels.flatMap((id): SubscriptionInput[] => [
      { type: 'stream.offline', version: '1', condition: { broadcasterUserId: id } },
      { type: 'channel.update', version: '2', condition: { broadcasterUserId: id } },
      { type: 'channel.raid', version: '1', condition: { fromBroadcasterUserId: id } },
    ]);
    client = new AutoClient({
      clientId: config.clientId,
      helix,
      conduitId: 'create',
      shardIds: Array.from({ length: args.shards }, (_, i) => i),
      subscriptions,
      ...(config.eventSubWsUrl === undefined ? {} : { eventSubWsUrl: config.eventSubWsUrl }),
    });
    const ledger = new DeliveryLedger();
    const byType = new Map<string, number>();
    let shown = 0;
    client.on('notification', (notification) => {
      ledger.record(notification.messageId);
      const type = notification.subscription.type;
      byType.set(type, (byType.get(type) ?? 0) + 1);
      if (shown++ < 20)
        stdout.write(`event: ${type} ${JSON.stringify(notification.event ?? {}).slice(0, 120)}\n`);
    });
    let reconnects = 0;
    client.on('shardDisconnected', (info) => {
      reconnects++;
      stdout.write(`shard ${info.shardId} disconnected (${String(info.code)}), reconnecting\n`);
    });
    client.on('error', (error, context) => {
      stderr.write(`error${context === undefined ? '' : ` (${context})`}: ${error.message}\n`);
    });
    stdout.write(
      `live: connecting ${String(args.shards)} shards and creating ${String(subscriptions.length)} subscriptions\n`,
    );
    await client.start();
    stdout.write(
      `live: conduit ${client.conduitInfo.id ?? '?'} ready; listening for ${String(args.durationMs / 1000)} s\n`,
    );
    await pauseUnlessAborted(args.durationMs, signal);
    let duplicates = 0;
    for (const session of client.conduitInfo.websockets.values()) duplicates += session.stats.duplicates;
    const types = [...byType].map(([type, n]) => `${type} ${String(n)}`).join(' · ');
    stdout.write(
      `received ${String(ledger.unique)} · duplicates suppressed ${String(duplicates)} · handled twice ${String(ledger.repeated)} · reconnects survived ${String(reconnects)}${types === '' ? '' : ` (${types})`}\n`,
    );
    return ledger.repeated === 0 ? 0 : 1;
  } catch (error) {
    stderr.write(`twitch-realtime demo --live: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    const conduit = client?.conduitInfo.conduit ?? null;
    await client?.close();
    if (conduit !== null) {
      try {
        await conduit.delete();
      } catch {
        stderr.write(
          `live: could not delete conduit ${conduit.id}; Twitch deletes it 72 h after its last shard\n`,
        );
      }
    }
    helix.close();
  }
}
