/**
 * Options of the {@link AutoClient}: the interfaces, the one frozen table of defaults ({@link AUTO_CLIENT_DEFAULTS},
 * which the `@defaultValue`s below repeat and a test compares), the table of checks, and the resolution of a user's
 * options into the values every part of the client reads ({@link ResolvedOptions}). Nothing else in the client
 * writes a default.
 */
import { CLIENT_CHECKS, type ClientOptions } from '../client.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { isRecord, optionalUrl } from '../../core/guards.js';
import {
  arrayOf,
  boolean,
  checkOptions,
  clock,
  duration,
  fail,
  func,
  httpUrl,
  integerDuration,
  integerIn,
  nested,
  nonEmptyString,
  nonNegativeInteger,
  positiveInteger,
  required,
  string,
  url,
  type Check,
  type OptionChecks,
} from '../../core/options.js';
import type { Logger } from '../../core/logger.js';
import { authProvider, type AuthProvider } from '../../auth/types.js';
import { HelixClient } from '../../helix/client.js';
import { helixBudget, type HelixBudget } from '../../helix/budget.js';
import { backoffChecks, type FetchLike } from '../../helix/http.js';
import { OBSERVABILITY_OPTION_CHECK, type ClientObservabilityOptions } from '../../observability/server.js';
import { EVENTSUB_WS_URL, HELIX_URL, MAX_SHARD_COUNT, OAUTH_URL } from '../../protocol/eventsub.js';
import { LISTEN_CHECKS, WebhookReceiver, type WebhookListenOptions } from '../webhook/receiver.js';
import { normalizeSecrets } from '../webhook/verify.js';
import {
  DEFAULT_DEDUPE_WINDOW_MS,
  dedupeWindowFor,
  resolveDedupeStore,
  type DedupeStore,
  type MemoryDedupeStoreOptions,
} from '../websocket/dedupe.js';
import { SESSION_CHECKS, checkSessionOptions, type EventSubSessionOptions } from '../websocket/session.js';
import { toWireRequests, type SubscriptionInput } from './multi-subscribe.js';
import { OWNERSHIP_CHECK, staticOwnership, type OwnershipStrategy } from './ownership.js';

/** Session options the client passes to every shard's {@link EventSubSession}. */
export type ShardSessionOptions = Pick<
  EventSubSessionOptions,
  | 'welcomeTimeoutMs'
  | 'keepaliveMarginRatio'
  | 'maxMessageAgeMs'
  | 'allowedReconnectHosts'
  | 'clock'
  | 'WebSocket'
  | 'wsOptions'
>;

/** Delays of a backoff, milliseconds. */
export interface BackoffRange {
  readonly initialMs?: number;
  readonly maxMs?: number;
}

/**
 * Conduit shards served by webhook instead of WebSocket (see {@link AutoClientOptions.webhook}).
 *
 * @example
 * ```ts
 * const client = new AutoClient({
 *   clientId, clientSecret,
 *   shardIds: [0, 1, 2, 3],
 *   webhook: { shardIds: [2, 3], callback: 'https://hooks.example.com/twitch', secret: process.env.HOOK_SECRET! },
 * });
 * createServer(client.webhookReceiver!.handler).listen(8080); // behind the TLS proxy serving hooks.example.com
 * await client.start(); // shards 0, 1: WebSockets; shards 2, 3: https://hooks.example.com/twitch/2 and /3
 * ```
 */
export interface WebhookShardOptions {
  /** Owned shards (0-based numbers) to serve by webhook, or `'all'`. @defaultValue 'all' */
  readonly shardIds?: readonly number[] | 'all';
  /**
   * The HTTPS callback of each shard (Twitch calls port 443 only). A string is a base URL: shard `n` gets
   * `<base>/<n>`, and the last path segment of a request names its shard. A function returns a shard's whole URL.
   */
  readonly callback: string | ((shardId: string) => string);
  /** The secret Twitch signs deliveries with: 10..100 printable ASCII characters. Never logged. */
  readonly secret: string;
  /**
   * The receiver to use, e.g. one accepting an old secret during a rotation (not closed by the client). Default: one
   * built from `secret` that shares the client's dedupe store, as {@link AutoClient.webhookReceiver}.
   */
  readonly receiver?: WebhookReceiver;
  /**
   * Start a standalone listener at start-up (closed with the client). Omitted: mount
   * `client.webhookReceiver.handler` on your own server before `start()`.
   */
  readonly listen?: WebhookListenOptions;
  /**
   * Time Twitch's challenge has to reach the receiver after an assignment. Past it, the shard's status is fetched:
   * `enabled` (another receiver answered) is fine, anything else is reported (`SHARD_VERIFICATION_FAILED`) and the
   * shard is assigned again later. @defaultValue 10000
   */
  readonly verificationTimeoutMs?: number;
}

/** Options of {@link AutoClient} (TwitchIO's, in camelCase, plus tuning). */
export interface AutoClientOptions extends ClientOptions {
  readonly clientId: string;
  /** Used for the app token (client credentials). Give this or `auth` or `helix`. Never logged. */
  readonly clientSecret?: string;
  /** Token provider instead of `clientSecret`. */
  readonly auth?: AuthProvider;
  /** A Helix client to share (not closed by the AutoClient). Default: one built from the options. */
  readonly helix?: HelixClient;
  /**
   * A Helix rate-limit budget shared with the other processes of a fleet (`RedisHelixBudget` of
   * `twitch-realtime/fleet`), given to the Helix client built from the options. With `helix`, give it to that client
   * (its `budget` option): both together are an `INVALID_ARGUMENT`. @defaultValue none: this process paces itself
   */
  readonly helixBudget?: HelixBudget;
  /**
   * The conduit: an id to adopt, or `'create'` to always create one. Omitted: adopt the client id's only conduit,
   * create one if there is none, fail with `CONDUIT_AMBIGUOUS` if there are several.
   */
  readonly conduitId?: string;
  /**
   * Shards this process serves (numbers, 0-based): {@link staticOwnership} of them. Omitted (and no `ownership`):
   * every shard of the conduit. Give disjoint sets to processes that share a conduit.
   */
  readonly shardIds?: readonly number[];
  /**
   * Who decides which shards this process serves, and when: an {@link OwnershipStrategy} that grants and revokes
   * shards at any time (instead of `shardIds`, which is the static strategy).
   */
  readonly ownership?: OwnershipStrategy;
  /** Subscriptions to create on a new conduit (or on every start with `forceSubscribe`). */
  readonly subscriptions?: readonly SubscriptionInput[];
  /** Create `subscriptions` even when the conduit was adopted (409s are fine). @defaultValue false */
  readonly forceSubscribe?: boolean;
  /** With `shardIds`: grow the conduit when it has fewer shards than `max(shardIds) + 1`. @defaultValue false */
  readonly forceScale?: boolean;
  /**
   * Subscriptions per shard when creating a conduit without `shardIds`: the count is
   * `max(2, ceil(subscriptions / maxPerShard))`. @defaultValue 1000
   */
  readonly maxPerShard?: number;
  /** `keepalive_timeout_seconds` asked of Twitch (10..600). Omitted: Twitch's (10). */
  readonly keepaliveTimeoutSeconds?: number;
  /**
   * Omit the key for Twitch's; a key passed as `undefined` (a misspelt variable) is an `INVALID_ARGUMENT`, never a
   * silent fallback to production (the same for `oauthUrl` and `eventSubWsUrl`).
   * @defaultValue 'https://api.twitch.tv/helix'
   */
  readonly helixUrl?: string;
  /** @defaultValue 'https://id.twitch.tv/oauth2' */
  readonly oauthUrl?: string;
  /** @defaultValue 'wss://eventsub.wss.twitch.tv/ws' */
  readonly eventSubWsUrl?: string;
  /**
   * A `fetch` for Helix and OAuth requests (a proxy-aware undici `fetch`, a recording wrapper). By default they go
   * through `node:http`/`node:https` with keep-alive connections (see docs/helix.md, Transport).
   */
  readonly fetch?: FetchLike;
  /** Shards connecting at once. @defaultValue 32 */
  readonly connectConcurrency?: number;
  /** Shards per Update Conduit Shards request. @defaultValue 500 */
  readonly assignChunkSize?: number;
  /**
   * Longest wait, in milliseconds, between a shard's welcome and the request that assigns it: welcomed shards are
   * assigned when a chunk is full or this delay has passed, whichever comes first (Twitch closes a session that is
   * not bound within 10 s of its welcome, 4003). @defaultValue 100
   */
  readonly assignFlushMs?: number;
  /** Subscribe to `conduit.shard.disabled` for this conduit. @defaultValue true */
  readonly watchShardDisabled?: boolean;
  /**
   * Period of the health check against the shard list, milliseconds (0: off; at most 2^31-1, like every duration
   * option, checked by the constructor). @defaultValue 60000
   */
  readonly reconcileIntervalMs?: number;
  /**
   * The count of the app's subscriptions by type, version and status, with their cost against `max_total_cost`
   * (`metrics()`, the dashboard): a full listing once ready and first looked at (a metrics snapshot, the dashboard),
   * then every `intervalMs` (0: once only; else
   * 60000..86400000), at most `maxPages` pages of 100 per listing (1..1000); the client's own subscribe and
   * revocations update it in between. @defaultValue { intervalMs: 600000, maxPages: 100 }
   */
  readonly subscriptionListing?: { readonly intervalMs?: number; readonly maxPages?: number };
  /**
   * Delays between retries of a shard that failed to connect or to be assigned (`initialMs` >= 1, `maxMs` in
   * `initialMs`..2^31-1; `maxMs` is at least `initialMs`). @defaultValue { initialMs: 1000, maxMs: 60000 }
   */
  readonly shardRetry?: BackoffRange;
  /** Delays of each session's reconnects (same bounds as `shardRetry`). @defaultValue { initialMs: 250, maxMs: 30000 } */
  readonly reconnectBackoff?: BackoffRange;
  /** Times a shard taken by a foreign session is taken back before giving up (`SHARD_CONTESTED`). @defaultValue 3 */
  readonly maxReclaims?: number;
  /** Options for every shard session. */
  readonly session?: ShardSessionOptions;
  /**
   * Time of the client: its timers (retries, health check) and, unless `session.clock` is given, every shard
   * session's (keepalive watchdog, reconnects) and the webhook shards'. One clock drives the whole client, so a test
   * that gives the emulator and the client one `TestClock` needs nothing else. @defaultValue systemClock
   */
  readonly clock?: Clock;
  /**
   * Where the message ids of all shards (WebSocket and webhook) are remembered: a {@link DedupeStore} (e.g. one
   * shared by several processes), or options of the in-memory one. Ids are kept for a time, never a count: the
   * window is 11 minutes (Twitch's 10-minute replay window, after which a redelivery is dropped as stale on both
   * transports, plus 1 minute of clock skew), or `session.maxMessageAgeMs` + 1 minute when that is longer. At its
   * memory bound the store refuses new ids: such messages are not emitted (a webhook answers 503 and Twitch
   * delivers it again) and `error` reports `DEDUPE_FULL`. @defaultValue a MemoryDedupeStore (5,000,000 ids)
   */
  readonly dedupe?: DedupeStore | MemoryDedupeStoreOptions;
  /**
   * Serve some or all owned shards by webhook: Twitch verifies each callback with a challenge, then POSTs signed
   * events that the client verifies, deduplicates (with the WebSocket shards' store) and emits like any other.
   */
  readonly webhook?: WebhookShardOptions;
  /**
   * Record metrics (`metrics()`: shards, events per type, delivery lag, handler errors). `false` records nothing and
   * `metrics()` returns an empty snapshot. @defaultValue true
   */
  readonly metrics?: boolean;
  /**
   * `health()` reports the client not live (stuck: `/healthz` fails and Kubernetes restarts it) when an owned shard
   * has been neither ready nor taking a step (connect, assignment, retry) for this long, start-up has lasted this
   * long, or the periodic health check is this late (milliseconds, 1000..2^31-1; see docs/observability.md, Health).
   * A shard that keeps retrying (a Twitch outage) is not ready but not stuck, nor is one waiting for a retry that is
   * due later (a `shardRetry.maxMs` above this).
   * @defaultValue 300000
   */
  readonly stuckAfterMs?: number;
  /**
   * Serve `/metrics`, `/healthz`, `/readyz` and the live dashboard of this client and its Helix client: started by
   * `start()`, closed by `close()`, reached through `client.observability` (its `url`). Bound to 127.0.0.1:9464 unless
   * `host`/`port` say otherwise; a `token` is required on any other address. See docs/observability.md. Omitted or
   * `false`: no server.
   */
  readonly observability?: false | ClientObservabilityOptions;
}

/** A default per option: its value, or part of it for an object option. */
type OptionDefaults = {
  readonly [K in keyof AutoClientOptions]?: AutoClientOptions[K] extends infer V
    ? V extends object
      ? Partial<V>
      : V
    : never;
};

/**
 * The defaults of {@link AutoClientOptions}: the only place they are written. The `@defaultValue` of each option
 * says the same (test/eventsub/conduit/options.test.ts compares them).
 */
export const AUTO_CLIENT_DEFAULTS = Object.freeze({
  helixUrl: HELIX_URL,
  oauthUrl: OAUTH_URL,
  eventSubWsUrl: EVENTSUB_WS_URL,
  forceSubscribe: false,
  forceScale: false,
  maxPerShard: 1000,
  connectConcurrency: 32,
  assignChunkSize: 500,
  assignFlushMs: 100,
  watchShardDisabled: true,
  metrics: true,
  stuckAfterMs: 300_000,
  reconcileIntervalMs: 60_000,
  subscriptionListing: Object.freeze({ intervalMs: 600_000, maxPages: 100 }),
  shardRetry: Object.freeze({ initialMs: 1000, maxMs: 60_000 }),
  reconnectBackoff: Object.freeze({ initialMs: 250, maxMs: 30_000 }),
  maxReclaims: 3,
  webhook: Object.freeze({ shardIds: 'all', verificationTimeoutMs: 10_000 }),
} as const satisfies OptionDefaults);

/** The webhook side of the client, resolved from {@link WebhookShardOptions}. */
export interface WebhookConfig {
  /** Whether a granted shard is served by webhook. */
  readonly serves: (shardId: string) => boolean;
  readonly callbackOf: (shardId: string) => string;
  /** The Update Conduit Shards transport of a callback (the secret stays in this closure: never inspected). */
  readonly transportOf: (callback: string) => {
    method: 'webhook';
    callback: string;
    secret: string;
  };
  readonly receiver: WebhookReceiver;
  readonly ownsReceiver: boolean;
  readonly listen: WebhookListenOptions | undefined;
  readonly verificationTimeoutMs: number;
}

/** Every option of the client with its default applied: what the parts of the client read. */
export interface ResolvedOptions {
  readonly clientId: string;
  readonly conduitId: string | undefined;
  readonly ownership: OwnershipStrategy;
  readonly subscriptions: readonly SubscriptionInput[];
  readonly forceSubscribe: boolean;
  readonly forceScale: boolean;
  readonly maxPerShard: number;
  readonly helixUrl: string;
  readonly oauthUrl: string;
  readonly connectConcurrency: number;
  readonly assignChunkSize: number;
  readonly assignFlushMs: number;
  readonly watchShardDisabled: boolean;
  readonly metrics: boolean;
  readonly stuckAfterMs: number;
  readonly observability: false | ClientObservabilityOptions | undefined;
  readonly reconcileIntervalMs: number;
  readonly subscriptionListing: { readonly intervalMs: number; readonly maxPages: number };
  readonly shardRetry: { readonly initialMs: number; readonly maxMs: number };
  readonly reconnectBackoff: { readonly initialMs: number; readonly maxMs: number };
  readonly maxReclaims: number;
  /** Options of every shard session (URL and keepalive included; checked). */
  readonly session: EventSubSessionOptions;
  readonly clock: Clock;
  readonly dedupe: DedupeStore;
  readonly webhook: WebhookConfig | null;
}

/** A shard number of the conduit: an integer in 0..19999. */
export const shardNumber: Check = integerIn(
  0,
  MAX_SHARD_COUNT - 1,
  `a shard number (an integer in 0..${MAX_SHARD_COUNT - 1})`,
);

/** Checks of the session options passed to every shard (a subset of the session's own). */
const SHARD_SESSION_CHECKS: OptionChecks<ShardSessionOptions> = {
  welcomeTimeoutMs: SESSION_CHECKS.welcomeTimeoutMs,
  keepaliveMarginRatio: SESSION_CHECKS.keepaliveMarginRatio,
  maxMessageAgeMs: SESSION_CHECKS.maxMessageAgeMs,
  allowedReconnectHosts: SESSION_CHECKS.allowedReconnectHosts,
  clock: SESSION_CHECKS.clock,
  WebSocket: SESSION_CHECKS.WebSocket,
  wsOptions: SESSION_CHECKS.wsOptions,
};

/** Checks of {@link WebhookShardOptions}; the callback's syntax and the secret (never quoted) are checked after. */
const WEBHOOK_SHARD_CHECKS: OptionChecks<WebhookShardOptions> = {
  shardIds: (value, field) => {
    if (value !== 'all') arrayOf(shardNumber, "'all' or an array of shard numbers")(value, field);
  },
  callback: required((value, field) => {
    if (typeof value !== 'string' && typeof value !== 'function') {
      fail(field, 'a URL or a function of the shard id', value);
    }
  }),
  secret: () => undefined,
  receiver: (value, field) => {
    if (!(value instanceof WebhookReceiver)) fail(field, 'a WebhookReceiver', value);
  },
  listen: nested(LISTEN_CHECKS),
  verificationTimeoutMs: duration(),
};

/**
 * Checks of every option of {@link AutoClient} (core/options.ts): a new option without a check does not compile.
 * Run by the constructor before anything is created; the relations between options (shardIds or ownership, a
 * credential), subscriptions against the catalogue, the webhook secret and the session URL are checked right after
 * (by {@link resolveOptions}), still before anything is sent.
 */
export const AUTO_CLIENT_CHECKS: OptionChecks<AutoClientOptions> = {
  ...CLIENT_CHECKS,
  clientId: required(nonEmptyString),
  clientSecret: string,
  auth: authProvider,
  helix: (value, field) => {
    if (!(value instanceof HelixClient)) fail(field, 'a HelixClient', value);
  },
  helixBudget,
  conduitId: (value, field) => {
    if (typeof value !== 'string' || value === '') fail(field, "a conduit id or 'create'", value);
  },
  shardIds: (value, field) => {
    arrayOf(shardNumber, 'a non-empty array of shard numbers')(value, field);
    if ((value as unknown[]).length === 0) fail(field, 'a non-empty array of shard numbers', value);
  },
  ownership: OWNERSHIP_CHECK,
  subscriptions: (value, field) => {
    if (!Array.isArray(value)) fail(field, 'an array of subscriptions', value);
  },
  forceSubscribe: boolean,
  forceScale: boolean,
  maxPerShard: positiveInteger,
  keepaliveTimeoutSeconds: SESSION_CHECKS.keepaliveTimeoutSeconds,
  helixUrl: httpUrl,
  oauthUrl: httpUrl,
  eventSubWsUrl: url,
  fetch: func,
  connectConcurrency: positiveInteger,
  assignChunkSize: positiveInteger,
  assignFlushMs: duration(),
  watchShardDisabled: boolean,
  reconcileIntervalMs: duration({ min: 0 }),
  subscriptionListing: nested<NonNullable<AutoClientOptions['subscriptionListing']>>({
    intervalMs: (value, field) => {
      if (value !== 0) integerIn(60_000, 86_400_000, '0 or an integer in 60000..86400000')(value, field);
    },
    maxPages: integerIn(1, 1000),
  }),
  shardRetry: backoffChecks(AUTO_CLIENT_DEFAULTS.shardRetry.initialMs),
  reconnectBackoff: backoffChecks(AUTO_CLIENT_DEFAULTS.reconnectBackoff.initialMs),
  // NaN once meant "never contested": a foreign session took the shard back forever.
  maxReclaims: nonNegativeInteger,
  session: nested(SHARD_SESSION_CHECKS),
  clock,
  dedupe: (value, field) => {
    if (!isRecord(value)) fail(field, 'a DedupeStore or MemoryDedupeStore options', value);
  },
  webhook: nested(WEBHOOK_SHARD_CHECKS),
  observability: OBSERVABILITY_OPTION_CHECK,
  metrics: boolean,
  stuckAfterMs: integerDuration({ min: 1000 }),
};

/** `options`, checked against {@link AUTO_CLIENT_CHECKS} (before `super()`, which reads the logger and signal). */
export function checkedOptions(options: AutoClientOptions): AutoClientOptions {
  checkOptions(options, AUTO_CLIENT_CHECKS);
  return options;
}

/**
 * Every option with its default, after the checks that relate options to each other (a credential, `shardIds` or
 * `ownership`, subscriptions against the catalogue, the webhook secret and callback, the session URL and hosts).
 * Creates nothing but the dedupe store and, with `webhook` and no `receiver`, the webhook receiver.
 */
export function resolveOptions(options: AutoClientOptions, logger: Logger): ResolvedOptions {
  const d = AUTO_CLIENT_DEFAULTS;
  if (options.shardIds !== undefined && options.ownership !== undefined) {
    throw new InvalidArgumentError('give shardIds or ownership, not both', 'ownership');
  }
  if (options.helix !== undefined && options.helixBudget !== undefined) {
    // The budget would be silently unused: the client given is built already.
    throw new InvalidArgumentError(
      'give helixBudget to the HelixClient passed as helix (budget option)',
      'helixBudget',
    );
  }
  const subscriptions = options.subscriptions ?? [];
  toWireRequests(subscriptions); // bad subscriptions fail here, not after the sockets are open
  const sessionOptions = options.session ?? {};
  const clientClock = options.clock ?? systemClock;
  // An explicit `undefined` URL is refused: it never silently means production (guards.ts, optionalUrl).
  // The sessions run on the client's clock unless given their own: one `clock` drives the whole client.
  const session: EventSubSessionOptions = {
    ...sessionOptions,
    clock: sessionOptions.clock ?? clientClock,
    url: optionalUrl(options, 'eventSubWsUrl', d.eventSubWsUrl),
    ...(options.keepaliveTimeoutSeconds === undefined
      ? {}
      : { keepaliveTimeoutSeconds: options.keepaliveTimeoutSeconds }),
  };
  checkSession(session);
  const dedupe = sharedDedupeStore(options.dedupe, sessionOptions.maxMessageAgeMs);
  return {
    clientId: options.clientId,
    conduitId: options.conduitId,
    ownership: options.ownership ?? staticOwnership(options.shardIds),
    subscriptions,
    forceSubscribe: options.forceSubscribe ?? d.forceSubscribe,
    forceScale: options.forceScale ?? d.forceScale,
    maxPerShard: options.maxPerShard ?? d.maxPerShard,
    helixUrl: optionalUrl(options, 'helixUrl', d.helixUrl),
    oauthUrl: optionalUrl(options, 'oauthUrl', d.oauthUrl),
    connectConcurrency: options.connectConcurrency ?? d.connectConcurrency,
    assignChunkSize: options.assignChunkSize ?? d.assignChunkSize,
    assignFlushMs: options.assignFlushMs ?? d.assignFlushMs,
    watchShardDisabled: options.watchShardDisabled ?? d.watchShardDisabled,
    metrics: options.metrics ?? d.metrics,
    stuckAfterMs: options.stuckAfterMs ?? d.stuckAfterMs,
    observability: options.observability,
    reconcileIntervalMs: options.reconcileIntervalMs ?? d.reconcileIntervalMs,
    subscriptionListing: { ...d.subscriptionListing, ...options.subscriptionListing },
    shardRetry: backoffOption(options.shardRetry, d.shardRetry),
    reconnectBackoff: backoffOption(options.reconnectBackoff, d.reconnectBackoff),
    maxReclaims: options.maxReclaims ?? d.maxReclaims,
    session,
    clock: clientClock,
    dedupe,
    webhook:
      options.webhook === undefined
        ? null
        : resolveWebhook(options.webhook, options.shardIds, {
            dedupe,
            clock: sessionOptions.clock ?? clientClock,
            logger,
          }),
  };
}

/**
 * The sessions' options checked as each session will check them (URL scheme, reconnect hosts), without creating
 * one; a refusal names the client's option (`eventSubWsUrl`, `session.allowedReconnectHosts[0]`).
 */
function checkSession(session: EventSubSessionOptions): void {
  try {
    checkSessionOptions(session);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError) || error.field === undefined) throw error;
    const field = error.field;
    const renamed =
      field === 'url'
        ? 'eventSubWsUrl'
        : field.startsWith('keepaliveTimeoutSeconds')
          ? field
          : `session.${field}`;
    throw new InvalidArgumentError(error.message.replace(field, renamed), renamed, {
      code: error.code,
      cause: error,
    });
  }
}

/** A `{ initialMs, maxMs }` option (checked by `backoffChecks`) with its defaults; the cap is at least `initialMs`. */
function backoffOption(
  value: BackoffRange | undefined,
  defaults: { readonly initialMs: number; readonly maxMs: number },
): { initialMs: number; maxMs: number } {
  const initialMs = value?.initialMs ?? defaults.initialMs;
  return { initialMs, maxMs: value?.maxMs ?? Math.max(defaults.maxMs, initialMs) };
}

/**
 * The store shared by every shard: the one given, or a new in-memory one whose window covers both transports (the
 * sessions and the receiver check the window of a given one).
 */
function sharedDedupeStore(dedupe: unknown, maxMessageAgeMs: number | undefined): DedupeStore {
  const sessionWindow =
    typeof maxMessageAgeMs === 'number' && maxMessageAgeMs > 0 ? dedupeWindowFor(maxMessageAgeMs) : 0;
  const window = Math.max(DEFAULT_DEDUPE_WINDOW_MS, sessionWindow);
  return resolveDedupeStore(dedupe, window, DEFAULT_DEDUPE_WINDOW_MS, 'dedupe');
}

type WebhookReceiverInit = ConstructorParameters<typeof WebhookReceiver>[0];

function resolveWebhook(
  options: WebhookShardOptions,
  shardIds: readonly number[] | undefined,
  receiverOptions: Pick<WebhookReceiverInit, 'dedupe' | 'clock' | 'logger'>,
): WebhookConfig {
  const secret = checkWebhookSecret(options);
  const { callback } = options;
  let callbackOf: (shardId: string) => string;
  if (typeof callback === 'function') {
    callbackOf = callback;
  } else {
    const base = checkCallback(callback, 'webhook.callback').replace(/\/+$/, '');
    callbackOf = (id) => `${base}/${id}`;
  }
  const wanted = options.shardIds ?? AUTO_CLIENT_DEFAULTS.webhook.shardIds;
  let serves: (shardId: string) => boolean = () => true;
  if (wanted !== 'all') {
    const owned = shardIds === undefined ? undefined : new Set(shardIds);
    const stray = owned === undefined ? [] : wanted.filter((n) => !owned.has(n));
    if (stray.length > 0) {
      throw new InvalidArgumentError(
        `webhook.shardIds must be among shardIds (not owned: ${stray.join(', ')})`,
        'webhook.shardIds',
      );
    }
    const ids = new Set(wanted.map(String));
    serves = (id) => ids.has(id);
  }
  return {
    serves,
    callbackOf,
    transportOf: (url) => ({ method: 'webhook', callback: url, secret }),
    receiver: options.receiver ?? new WebhookReceiver({ secret, ...receiverOptions }),
    ownsReceiver: options.receiver === undefined,
    listen: options.listen,
    verificationTimeoutMs:
      options.verificationTimeoutMs ?? AUTO_CLIENT_DEFAULTS.webhook.verificationTimeoutMs,
  };
}

function checkWebhookSecret(options: WebhookShardOptions): string {
  try {
    const [secret] = normalizeSecrets(options.secret, undefined);
    return secret ?? '';
  } catch (error) {
    // Same rule, named after this option (the message never contains the secret).
    throw new InvalidArgumentError(
      error instanceof Error ? error.message : 'webhook.secret is invalid',
      'webhook.secret',
      { cause: error },
    );
  }
}

/** A callback must be an absolute http(s) URL (Twitch itself accepts only HTTPS on 443, and says so). */
export function checkCallback(url: unknown, field = 'webhook.callback'): string {
  if (typeof url === 'string') {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return url;
    } catch {
      // reported below
    }
  }
  throw new InvalidArgumentError(`${field} must be an absolute https:// URL`, field);
}
