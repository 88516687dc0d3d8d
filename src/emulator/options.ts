/**
 * Options of the emulator. Every Twitch duration is configurable in milliseconds so that tests run in milliseconds
 * instead of seconds; the defaults are Twitch's documented values (or a documented choice where Twitch is silent).
 */
import { systemClock, type Clock } from '../core/clock.js';
import { MAX_TIMER_MS } from '../core/duration.js';
import { InvalidArgumentError } from '../core/errors.js';
import { isRecord } from '../core/guards.js';
import {
  boolean,
  checkOptions,
  clock as clockCheck,
  fail,
  func,
  integerIn,
  nonNegativeInteger,
  positiveInteger,
  type Check,
  type OptionChecks,
} from '../core/options.js';
import { closestName } from '../core/suggest.js';
import { CLIENT_ID_PATTERN, CLIENT_SECRET_PATTERN } from './http/tokens.js';
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
  /**
   * Options of the default `HttpWebhookTransport` (retry delays, failure threshold, timeout). Its retries run on
   * the emulator's {@link EmulatorOptions.clock}.
   */
  readonly webhook?: Omit<HttpWebhookTransportOptions, 'clock'>;
  /** Options of the legacy PubSub server at `/pubsub` (durations in ms, limits). */
  readonly pubsub?: PubSubServerOptions;
  /**
   * The emulator's one clock (default: the system clock). Everything time-dependent reads and schedules through
   * it: the EventSub sweep (keepalives, pings, the unused-session and reconnect-grace deadlines, pruning, the 72 h
   * conduit expiry), message and subscription timestamps, periodic session drops, trigger streams, webhook
   * retries, the PubSub server's deadlines, and the HTTP platform (user creation times, token expiry, rate-limit
   * buckets, chat). Give the same `TestClock` (`twitch-realtime/testing`) to the emulator and to your clients and
   * time travels only when the test says so. Socket-level timeouts of real I/O (a webhook callback that does not
   * answer within `webhook.timeoutMs`) stay in real time.
   *
   * @example
   * ```ts
   * const clock = new TestClock();
   * const emu = await Emulator.start({ port: 0, clock });
   * clock.advance(72 * 3600_000); // conduits without an enabled shard are gone
   * ```
   */
  readonly clock?: Clock;
  /**
   * Clock of the HTTP platform alone, ms since the epoch: user creation times, token expiry and the Helix
   * rate-limit buckets (`Ratelimit-Reset` is this clock in epoch seconds). Prefer {@link EmulatorOptions.clock},
   * which drives every part of the emulator; giving both is `INVALID_ARGUMENT`.
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
  readonly clock: Clock;
}

/** A duration in ms: `> 0` (or `>= 0` with `zero`), at most 2^31-1 (the clock rule, core/duration.ts). */
const duration = (zero = false): Check => {
  const what = `a number of ms in ${zero ? '[0' : '(0'}, ${MAX_TIMER_MS}]`;
  return (value, field) => {
    if (typeof value !== 'number' || !(zero ? value >= 0 : value > 0) || !(value <= MAX_TIMER_MS)) {
      fail(field, what, value);
    }
  };
};

const positiveNumber: Check = (value, field) => {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    fail(field, 'a positive number', value);
  }
};

/** A string matching `pattern`; `secret`: the refused value is not echoed in the error (a client secret). */
const matching =
  (pattern: RegExp, what: string, secret = false): Check =>
  (value, field) => {
    if (typeof value !== 'string' || !pattern.test(value)) fail(field, what, value, secret);
  };

/** Rejects keys that are not options, with the closest option name as a hint. */
function checkKeys(
  options: Record<string, unknown>,
  known: Readonly<Record<string, unknown>>,
  prefix: string,
  noun = 'an option',
): void {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const hint = closestName(key, Object.keys(known));
    throw new InvalidArgumentError(
      `${prefix}${key} is not ${noun}${hint === undefined ? '' : ` (did you mean ${prefix}${hint}?)`}`,
      `${prefix}${key}`,
    );
  }
}

/**
 * Checks an object of options against a table of checks (core/options.ts; `undefined` values mean "default"); the
 * emulator also refuses keys it does not know, with a "did you mean".
 */
function checkAll<T>(options: unknown, checks: OptionChecks<T>, prefix: string): void {
  const field = prefix === '' ? 'options' : prefix.slice(0, -1);
  if (!isRecord(options)) fail(field, 'an object', options);
  checkKeys(options, checks, prefix);
  checkOptions(options, checks, field, prefix);
}

/** Checks of the default webhook transport's options. Typed so that a new option cannot go unchecked. */
const WEBHOOK_CHECKS: OptionChecks<Omit<HttpWebhookTransportOptions, 'clock'>> = {
  failureThreshold: positiveInteger,
  retryDelaysMs: (value, field) => {
    if (!Array.isArray(value) || value.length === 0)
      fail(field, 'a non-empty array of durations in ms', value);
    value.forEach((item: unknown, i) => {
      duration(true)(item, `${field}[${i}]`);
    });
  },
  timeoutMs: duration(),
  maxInFlight: positiveInteger,
};

/** Checks of the PubSub server's options. */
const PUBSUB_CHECKS: OptionChecks<PubSubServerOptions> = {
  // `/ws` is the EventSub upgrade path; another path would be registered after the server listens.
  path: (value, field) => {
    matching(/^\/[\x21-\x7e]{0,200}$/, 'a path starting with "/", without spaces or "?"')(value, field);
    if ((value as string).includes('?')) fail(field, 'a path without "?"', value);
    if (value === '/ws') fail(field, 'another path than /ws (the EventSub WebSocket)', value);
  },
  maxTopicsPerConnection: nonNegativeInteger,
  listenDeadlineMs: duration(true),
  reconnectGraceMs: duration(true),
  maxBufferedMessages: nonNegativeInteger,
};

/**
 * Checks of every option of {@link EmulatorOptions}. Typed so that a new option cannot go unchecked: adding a key
 * to `EmulatorOptions` (or `PlatformOptions`) without a check here does not compile.
 */
const OPTION_CHECKS: OptionChecks<EmulatorOptions> = {
  // A host that is not a string made Node bind every interface, exposing the unauthenticated control API.
  host: matching(/^[\x21-\x7e]{1,253}$/, 'a host name or IP address (a non-empty string without spaces)'),
  port: integerIn(0, 65_535),
  clientId: matching(CLIENT_ID_PATTERN, '1-64 letters, digits, "_" or "-"'),
  clientSecret: matching(CLIENT_SECRET_PATTERN, '1-128 printable ASCII characters', true),
  userTokenTtlSeconds: positiveNumber,
  appTokenTtlSeconds: positiveNumber,
  rateLimitPerMinute: (value, field) => {
    // Infinity disables limiting.
    if (typeof value !== 'number' || !(value > 0)) fail(field, 'a positive number (or Infinity)', value);
  },
  rateLimitWindowMs: integerIn(1, MAX_TIMER_MS, 'a positive integer (ms)'),
  keepaliveSecondMs: duration(),
  unusedTimeoutMs: duration(),
  pingIntervalMs: duration(),
  reconnectGraceMs: duration(),
  conduitDisabledTtlMs: duration(),
  websocketSubscriptionRetentionMs: duration(),
  webhookSubscriptionRetentionMs: duration(),
  sessionRetentionMs: duration(),
  sweepIntervalMs: duration(),
  maxBufferedBytes: positiveInteger,
  subscriptionPageSize: positiveInteger,
  shardPageSize: positiveInteger,
  maxShardsPerUpdate: positiveInteger,
  allowInsecureWebhooks: boolean,
  webhookTransport: (value, field) => {
    if (!isRecord(value) || typeof value.verify !== 'function' || typeof value.deliver !== 'function') {
      fail(field, 'an object with verify() and deliver() methods (a WebhookTransport)', value);
    }
  },
  webhook: (value, field) => {
    checkAll(value, WEBHOOK_CHECKS, `${field}.`);
  },
  pubsub: (value, field) => {
    checkAll(value, PUBSUB_CHECKS, `${field}.`);
  },
  clock: clockCheck,
  now: func,
  onError: func,
};

/**
 * Validates every option of {@link Emulator.start} before anything is created or bound: the value's type and
 * range, unknown keys (with a "did you mean"), and the nested `webhook` and `pubsub` options. Throws
 * {@link InvalidArgumentError} (code `INVALID_ARGUMENT`) whose `field` names the option, e.g. `port` or
 * `webhook.timeoutMs`.
 *
 * @example
 * ```ts
 * validateOptions({ port: -1 }); // InvalidArgumentError: port must be an integer in 0..65535; got -1
 * ```
 */
export function validateOptions(options: unknown): asserts options is EmulatorOptions {
  checkAll(options, OPTION_CHECKS, '');
  const { webhook, webhookTransport, clock, now } = options as EmulatorOptions;
  if (clock !== undefined && now !== undefined) {
    throw new InvalidArgumentError(
      'now is the HTTP platform clock alone and clock drives the whole emulator: give only clock',
      'now',
    );
  }
  if (webhook !== undefined && webhookTransport !== undefined) {
    throw new InvalidArgumentError(
      'webhook configures the default transport; with webhookTransport, configure that transport instead',
      'webhook',
    );
  }
}

/**
 * Validates (see {@link validateOptions}) and applies defaults. `webhookTransport` stays `undefined` when the
 * caller gave none: the emulator then creates the default transport from `options.webhook`.
 */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  validateOptions(options);
  const keepaliveSecondMs = options.keepaliveSecondMs ?? 1000;
  const pingIntervalMs = options.pingIntervalMs ?? 5000;
  const reconnectGraceMs = options.reconnectGraceMs ?? 30_000;
  const unusedTimeoutMs = options.unusedTimeoutMs;
  const conduitDisabledTtlMs = options.conduitDisabledTtlMs ?? 72 * 3600_000;
  const websocketSubscriptionRetentionMs = options.websocketSubscriptionRetentionMs ?? 60_000;
  const webhookSubscriptionRetentionMs = options.webhookSubscriptionRetentionMs ?? 10 * 86_400_000;
  const sessionRetentionMs = options.sessionRetentionMs ?? 60_000;
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
  return {
    keepaliveSecondMs,
    unusedTimeoutMs,
    pingIntervalMs,
    reconnectGraceMs,
    conduitDisabledTtlMs,
    websocketSubscriptionRetentionMs,
    webhookSubscriptionRetentionMs,
    sessionRetentionMs,
    sweepIntervalMs: options.sweepIntervalMs ?? Math.max(2, Math.min(1000, Math.floor(finest / 10))),
    maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
    subscriptionPageSize: options.subscriptionPageSize ?? 100,
    shardPageSize: options.shardPageSize ?? 100,
    maxShardsPerUpdate: options.maxShardsPerUpdate ?? 20_000,
    allowInsecureWebhooks: options.allowInsecureWebhooks ?? false,
    webhookTransport: options.webhookTransport,
    clock: options.clock ?? systemClock,
  };
}

// ---- argument checks of the Emulator's methods ----------------------------------------------------------------

/**
 * `value` as a plain object, else {@link InvalidArgumentError} naming `field` (`emu.trigger(null)` once threw a
 * bare TypeError).
 */
export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) fail(field, 'an object', value);
  return value;
}

/** `value` as a non-empty string, else {@link InvalidArgumentError} naming `field`. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') fail(field, 'a non-empty string', value);
  return value;
}

/** A Twitch user id as the emulator takes it: 1 to 20 digits. */
export const USER_ID_PATTERN = /^[0-9]{1,20}$/;

/** `value` as a user id (1-20 digits), else {@link InvalidArgumentError} naming `field`. */
export function requireUserId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !USER_ID_PATTERN.test(value))
    fail(field, 'a user id (1-20 digits)', value);
  return value;
}

/** `undefined`, or `value` as a non-empty string, else {@link InvalidArgumentError} naming `field`. */
export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireString(value, field);
}

/** `value` when it is a number within `[min, max]`, else {@link InvalidArgumentError} naming `field`. */
export function requireNumberIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    fail(field, `a number in ${min}..${max}`, value);
  }
  return value;
}

/** Rejects keys of `value` that are not in `known` (with a "did you mean"). */
export function rejectUnknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  prefix = '',
): void {
  checkKeys(value, Object.fromEntries(known.map((k) => [k, true])), prefix, 'a known field');
}
