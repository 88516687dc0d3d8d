/**
 * Options of the emulator. Every Twitch duration is configurable in milliseconds so that tests run in milliseconds
 * instead of seconds; the defaults are Twitch's documented values (or a documented choice where Twitch is silent).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { requirePositive, requirePositiveInteger } from '../core/guards.js';
import type { PlatformOptions } from './http/types.js';
import type { PlatformErrorHandler } from './http/server.js';
import type { WebhookTransport } from './eventsub/webhook.js';
import type { HttpWebhookTransportOptions } from './webhook/http-transport.js';
import type { PubSubServerOptions } from './pubsub/server.js';

/**
 * Options of {@link Emulator.start}.
 *
 * @example
 * ```ts
 * // A fast emulator for tests: a "keepalive second" lasts 5 ms, so keepalive_timeout_seconds=10 means 50 ms.
 * const emu = await Emulator.start({ port: 0, keepaliveSecondMs: 5, pingIntervalMs: 20, reconnectGraceMs: 100 });
 * ```
 */
export interface EmulatorOptions extends PlatformOptions {
  /**
   * Length of one second of `keepalive_timeout_seconds`, in ms (default 1000). The welcome still carries the
   * clamped 10..600 value the client asked for; the emulator's keepalive window and unused deadline are that value
   * times `keepaliveSecondMs`.
   */
  readonly keepaliveSecondMs?: number;
  /**
   * Deadline after the welcome for a session to get a subscription or a conduit shard, else close 4003. Default:
   * the session's keepalive window (Twitch: "10 seconds unless otherwise specified when connecting").
   */
  readonly unusedTimeoutMs?: number;
  /** Interval of WebSocket Ping frames (default 5,000 ms, twitch-cli's value). A missing Pong by the next Ping → 4002. */
  readonly pingIntervalMs?: number;
  /** Time the old socket stays open after `session_reconnect` before close 4004 (default 30,000 ms). */
  readonly reconnectGraceMs?: number;
  /** A conduit whose shards all stay disabled is deleted after this long (default 72 h). */
  readonly conduitDisabledTtlMs?: number;
  /** Disabled websocket subscriptions stay listed this long, then are pruned (default 60,000 ms). */
  readonly websocketSubscriptionRetentionMs?: number;
  /** Disabled webhook and conduit subscriptions stay listed this long (default 10 days). */
  readonly webhookSubscriptionRetentionMs?: number;
  /** Closed sessions stay visible in `state()` this long (default 60,000 ms). */
  readonly sessionRetentionMs?: number;
  /** Period of the housekeeping sweep (pings, keepalives, deadlines, pruning). Default: derived from the above. */
  readonly sweepIntervalMs?: number;
  /**
   * A socket with more than this many bytes queued counts as a failed send (the notification is retried on another
   * shard or dropped). Default 64 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Page size of Get EventSub Subscriptions (default 100). */
  readonly subscriptionPageSize?: number;
  /** Page size of Get Conduit Shards (default 100). */
  readonly shardPageSize?: number;
  /** Maximum shards in one Update Conduit Shards request (default 20,000, the maximum shard count). */
  readonly maxShardsPerUpdate?: number;
  /**
   * Accept `http://` webhook callbacks on loopback hosts (`127.0.0.1`, `localhost`, `[::1]`), any port. Default
   * false: like Twitch, only HTTPS on port 443.
   */
  readonly allowInsecureWebhooks?: boolean;
  /**
   * Webhook transport (verification challenges and signed deliveries). Default: an `HttpWebhookTransport` built
   * from {@link EmulatorOptions.webhook}, which POSTs to the callbacks over real HTTP(S).
   */
  readonly webhookTransport?: WebhookTransport;
  /** Options of the default `HttpWebhookTransport` (retry delays, failure threshold, timeout). */
  readonly webhook?: HttpWebhookTransportOptions;
  /** Options of the legacy PubSub server at `/pubsub` (durations in ms, limits). */
  readonly pubsub?: PubSubServerOptions;
  /**
   * Clock of the HTTP platform, ms since the epoch (default `Date.now`): user creation times, token expiry and the
   * Helix rate-limit buckets (`Ratelimit-Reset` is this clock in epoch seconds). Meant for tests, which advance it
   * instead of waiting; EventSub timing (keepalives, deadlines, streams) keeps real time and its `*Ms` options.
   */
  readonly now?: () => number;
  /**
   * Receives unexpected exceptions of HTTP route handlers (emulator bugs) before the 500 is sent. Default:
   * `process.emitWarning`.
   */
  readonly onError?: PlatformErrorHandler;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly keepaliveSecondMs: number;
  readonly unusedTimeoutMs: number | undefined;
  readonly pingIntervalMs: number;
  readonly reconnectGraceMs: number;
  readonly conduitDisabledTtlMs: number;
  readonly websocketSubscriptionRetentionMs: number;
  readonly webhookSubscriptionRetentionMs: number;
  readonly sessionRetentionMs: number;
  readonly sweepIntervalMs: number;
  readonly maxBufferedBytes: number;
  readonly subscriptionPageSize: number;
  readonly shardPageSize: number;
  readonly maxShardsPerUpdate: number;
  readonly allowInsecureWebhooks: boolean;
  readonly webhookTransport: WebhookTransport | undefined;
}

/** Applies defaults and validates numbers. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  // Options the HTTP platform applies, checked here too so that `Emulator.start` fails before anything listens.
  if (options.rateLimitWindowMs !== undefined) {
    requirePositiveInteger(options.rateLimitWindowMs, 'rateLimitWindowMs');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new InvalidArgumentError('now must be a function returning ms since the epoch', 'now');
  }
  const keepaliveSecondMs = requirePositive(options.keepaliveSecondMs ?? 1000, 'keepaliveSecondMs');
  const pingIntervalMs = requirePositive(options.pingIntervalMs ?? 5000, 'pingIntervalMs');
  const reconnectGraceMs = requirePositive(options.reconnectGraceMs ?? 30_000, 'reconnectGraceMs');
  const unusedTimeoutMs =
    options.unusedTimeoutMs === undefined
      ? undefined
      : requirePositive(options.unusedTimeoutMs, 'unusedTimeoutMs');
  const conduitDisabledTtlMs = requirePositive(
    options.conduitDisabledTtlMs ?? 72 * 3600_000,
    'conduitDisabledTtlMs',
  );
  const websocketSubscriptionRetentionMs = requirePositive(
    options.websocketSubscriptionRetentionMs ?? 60_000,
    'websocketSubscriptionRetentionMs',
  );
  const webhookSubscriptionRetentionMs = requirePositive(
    options.webhookSubscriptionRetentionMs ?? 10 * 86_400_000,
    'webhookSubscriptionRetentionMs',
  );
  const sessionRetentionMs = requirePositive(options.sessionRetentionMs ?? 60_000, 'sessionRetentionMs');
  // The sweep must be finer than the shortest duration it enforces; 10 keepalive-seconds is the smallest window.
  const finest = Math.min(
    pingIntervalMs,
    reconnectGraceMs,
    10 * keepaliveSecondMs,
    unusedTimeoutMs ?? Infinity,
    conduitDisabledTtlMs,
    websocketSubscriptionRetentionMs,
    sessionRetentionMs,
  );
  const sweepIntervalMs = requirePositive(
    options.sweepIntervalMs ?? Math.max(2, Math.min(1000, Math.floor(finest / 10))),
    'sweepIntervalMs',
  );
  return {
    keepaliveSecondMs,
    unusedTimeoutMs,
    pingIntervalMs,
    reconnectGraceMs,
    conduitDisabledTtlMs,
    websocketSubscriptionRetentionMs,
    webhookSubscriptionRetentionMs,
    sessionRetentionMs,
    sweepIntervalMs,
    maxBufferedBytes: requirePositive(options.maxBufferedBytes ?? 64 * 1024 * 1024, 'maxBufferedBytes'),
    subscriptionPageSize: requirePositiveInteger(options.subscriptionPageSize ?? 100, 'subscriptionPageSize'),
    shardPageSize: requirePositiveInteger(options.shardPageSize ?? 100, 'shardPageSize'),
    maxShardsPerUpdate: requirePositiveInteger(options.maxShardsPerUpdate ?? 20_000, 'maxShardsPerUpdate'),
    allowInsecureWebhooks: options.allowInsecureWebhooks ?? false,
    webhookTransport: options.webhookTransport,
  };
}
