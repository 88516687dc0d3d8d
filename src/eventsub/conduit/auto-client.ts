/**
 * `AutoClient`: EventSub over a conduit. Start-up in Twitch's order (conduit, then transports, then
 * subscriptions), one {@link EventSubSession} per owned shard, chunked shard assignment with per-shard retries, a
 * health check against the shard list, scaling, and `multiSubscribe`.
 */
import { setMaxListeners } from 'node:events';
import { inspect } from 'node:util';
import { CLIENT_CHECKS, Client, type ClientEventMap, type ClientOptions, type ReadyInfo } from '../client.js';
import { Backoff } from '../../core/backoff.js';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
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
import { authProvider, type AuthProvider } from '../../auth/types.js';
import { HelixClient } from '../../helix/client.js';
import { backoffChecks } from '../../helix/http.js';
import type { FetchLike } from '../../helix/http.js';
import { subscription } from '../../catalogue/builders.js';
import {
  toSubscriptionModel,
  type Notification,
  type SubscriptionModel,
  type WireNotificationPayload,
} from '../../catalogue/events.js';
import type { ConduitShardDisabledEvent } from '../../catalogue/models/platform.js';
import { EVENTSUB_WS_URL, HELIX_URL, MAX_SHARD_COUNT, OAUTH_URL } from '../../protocol/eventsub.js';
import {
  LISTEN_CHECKS,
  WebhookReceiver,
  type WebhookListenOptions,
  type WebhookListener,
  type WebhookNotification,
  type WebhookRevocation,
  type WebhookVerificationRequest,
} from '../webhook/receiver.js';
import { normalizeSecrets } from '../webhook/verify.js';
import {
  DEFAULT_DEDUPE_WINDOW_MS,
  dedupeWindowFor,
  resolveDedupeStore,
  type DedupeStore,
  type MemoryDedupeStoreOptions,
} from '../websocket/dedupe.js';
import { EventSubSession, SESSION_CHECKS, type EventSubSessionOptions } from '../websocket/session.js';
import { ConduitInfo, type ConduitInfoHost } from './conduit-info.js';
import {
  ConduitSelectionError,
  MissingConduitError,
  ShardError,
  checkShardCount,
  type ShardErrorCode,
} from './errors.js';
import { Conduit, type ConduitShard } from './models.js';
import {
  MULTI_SUBSCRIBE_CHECKS,
  runMultiSubscribe,
  toWireRequests,
  type MultiSubscribeHandle,
  type MultiSubscribeOptions,
  type MultiSubscribePayload,
  type SubscriptionInput,
} from './multi-subscribe.js';
import { staticOwnership, type OwnershipStrategy } from './ownership.js';

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
   * The conduit: an id to adopt, or `'create'` to always create one. Omitted: adopt the client id's only conduit,
   * create one if there is none, fail with `CONDUIT_AMBIGUOUS` if there are several.
   */
  readonly conduitId?: string;
  /**
   * Shards this process serves (numbers, 0-based). Omitted: every shard of the conduit. Give disjoint sets to
   * processes that share a conduit.
   */
  readonly shardIds?: readonly number[];
  /** Custom ownership (instead of `shardIds`). */
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
  /** `keepalive_timeout_seconds` asked of Twitch (10..600). @defaultValue Twitch's (10) */
  readonly keepaliveTimeoutSeconds?: number;
  /**
   * Omit the key for Twitch's; a key passed as `undefined` (a misspelt variable) is an `INVALID_ARGUMENT`, never a
   * silent fallback to production (the same for `oauthUrl` and `eventSubWsUrl`).
   * @defaultValue `https://api.twitch.tv/helix`
   */
  readonly helixUrl?: string;
  /** @defaultValue `https://id.twitch.tv/oauth2` */
  readonly oauthUrl?: string;
  /** @defaultValue `wss://eventsub.wss.twitch.tv/ws` */
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
   * Delays between retries of a shard that failed to connect or to be assigned (`initialMs` >= 1, `maxMs` in
   * `initialMs`..2^31-1). @defaultValue 1 s .. 60 s
   */
  readonly shardRetry?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Delays of each session's reconnects (same bounds as `shardRetry`). @defaultValue 250 ms .. 30 s */
  readonly reconnectBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Times a shard taken by a foreign session is taken back before giving up (`SHARD_CONTESTED`). @defaultValue 3 */
  readonly maxReclaims?: number;
  /** Options for every shard session. */
  readonly session?: ShardSessionOptions;
  /** Timers of the client (retries, health check). @defaultValue systemClock */
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
}

/** A shard number of the conduit: an integer in 0..19999. */
const shardNumber: Check = integerIn(
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
 * credential), subscriptions against the catalogue, the webhook secret and the session URL are checked right after,
 * still before anything is sent.
 */
const AUTO_CLIENT_CHECKS: OptionChecks<AutoClientOptions> = {
  ...CLIENT_CHECKS,
  clientId: required(nonEmptyString),
  clientSecret: string,
  auth: authProvider,
  helix: (value, field) => {
    if (!(value instanceof HelixClient)) fail(field, 'a HelixClient', value);
  },
  conduitId: (value, field) => {
    if (typeof value !== 'string' || value === '') fail(field, "a conduit id or 'create'", value);
  },
  shardIds: (value, field) => {
    arrayOf(shardNumber, 'a non-empty array of shard numbers')(value, field);
    if ((value as unknown[]).length === 0) fail(field, 'a non-empty array of shard numbers', value);
  },
  ownership: (value, field) => {
    if (!isRecord(value) || typeof value.ownedShards !== 'function' || typeof value.explicit !== 'boolean') {
      fail(field, 'an OwnershipStrategy ({ ownedShards(count), explicit })', value);
    }
    if (value.requiredShardCount !== undefined) {
      integerIn(1, MAX_SHARD_COUNT)(value.requiredShardCount, `${field}.requiredShardCount`);
    }
  },
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
  shardRetry: backoffChecks(1000),
  reconnectBackoff: backoffChecks(250),
  // NaN once meant "never contested": a foreign session took the shard back forever.
  maxReclaims: nonNegativeInteger,
  session: nested(SHARD_SESSION_CHECKS),
  clock,
  dedupe: (value, field) => {
    if (!isRecord(value)) fail(field, 'a DedupeStore or MemoryDedupeStore options', value);
  },
  webhook: nested(WEBHOOK_SHARD_CHECKS),
};

/** `options`, checked against {@link AUTO_CLIENT_CHECKS} (before `super()`, which reads the logger and signal). */
function checkedAutoClientOptions(options: AutoClientOptions): AutoClientOptions {
  checkOptions(options, AUTO_CLIENT_CHECKS);
  return options;
}

type ShardState = 'connecting' | 'assigning' | 'ready' | 'waiting' | 'closed';

/** One owned shard: its session and binding state. */
class Shard {
  state: ShardState = 'connecting';
  /** Session id Twitch last accepted for this shard. */
  boundSessionId: string | null = null;
  failures = 0;
  reclaims = 0;
  nextReclaimAt = 0;
  contested = false;
  everReady = false;
  retryTimer: TimerHandle | undefined = undefined;

  constructor(
    readonly id: string,
    readonly session: EventSubSession,
    readonly backoff: Backoff,
  ) {}
}

type WebhookShardState = 'assigning' | 'verifying' | 'ready' | 'waiting' | 'closed';

/** One owned webhook shard: its callback and verification state. */
class WebhookShard {
  state: WebhookShardState = 'assigning';
  failures = 0;
  reclaims = 0;
  nextReclaimAt = 0;
  contested = false;
  everReady = false;
  retryTimer: TimerHandle | undefined = undefined;
  /** Resolves the wait of the assignment that asked for this shard's verification. */
  settle: (() => void) | undefined = undefined;

  constructor(
    readonly id: string,
    readonly callback: string,
    readonly backoff: Backoff,
  ) {}
}

/** The webhook side of the client, resolved from {@link WebhookShardOptions}. */
interface WebhookConfig {
  readonly ids: ReadonlySet<string> | 'all';
  readonly callbackOf: (shardId: string) => string;
  readonly receiver: WebhookReceiver;
  readonly ownsReceiver: boolean;
  readonly listen: WebhookListenOptions | undefined;
  readonly verificationTimeoutMs: number;
}

const DEFAULT_CHUNK = 500;
/** Welcomed shards wait at most this long for their assignment request (Twitch allows 10 s to bind). */
const DEFAULT_ASSIGN_FLUSH_MS = 100;

/**
 * EventSub over a conduit: one WebSocket per owned shard, kept connected and bound.
 *
 * Start-up, in Twitch's order:
 * 1. the conduit: adopt (`conduitId`, or the only one) or create (`'create'`, or none exists);
 * 2. transports: owned shards connect concurrently (bounded), and are assigned in chunked Update Conduit Shards
 *    calls as they are welcomed; shards in `errors[]` or that cannot connect are reported (`ShardError` on `error`)
 *    and retried in the background, so start-up never hangs on them;
 * 3. subscriptions (`subscriptions`, on a new conduit or with `forceSubscribe`), and `conduit.shard.disabled`;
 * 4. `ready`, then a periodic health check.
 *
 * @example
 * ```ts
 * await using client = new AutoClient({
 *   clientId, clientSecret,
 *   subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1337' } }],
 * });
 * client.on('stream.online', (event) => console.log(`${event.broadcaster.displayName} is live`));
 * client.on('error', (error) => console.warn(error));
 * await client.start();
 * ```
 */
export class AutoClient<
  M extends ClientEventMap & Record<keyof M, unknown[]> = ClientEventMap,
> extends Client<M> {
  /** The Helix client used for every call. */
  readonly helix: HelixClient;
  /** The conduit, its sockets and scaling. */
  readonly conduitInfo: ConduitInfo;

  readonly #ownsHelix: boolean;
  readonly #conduitOption: string | undefined;
  readonly #ownership: OwnershipStrategy;
  readonly #subscriptions: readonly SubscriptionInput[];
  readonly #forceSubscribe: boolean;
  readonly #forceScale: boolean;
  readonly #maxPerShard: number;
  readonly #wsUrl: string;
  readonly #keepaliveTimeoutSeconds: number | undefined;
  readonly #connectConcurrency: number;
  readonly #chunkSize: number;
  readonly #assignFlushMs: number;
  readonly #watchShardDisabled: boolean;
  readonly #reconcileIntervalMs: number;
  readonly #shardRetry: { initialMs: number; maxMs: number };
  readonly #reconnectBackoff: { initialMs: number; maxMs: number };
  readonly #maxReclaims: number;
  readonly #sessionOptions: ShardSessionOptions;
  readonly #clock: Clock;
  readonly #dedupe: DedupeStore;
  readonly #closer = new AbortController();

  #conduit: Conduit | null = null;
  readonly #shards = new Map<string, Shard>();
  readonly #sockets = new Map<string, EventSubSession>();
  #reconcileTimer: TimerHandle | undefined = undefined;
  #reconciling: Promise<void> | null = null;
  #reconcileAgain = false;
  #lastUnassigned = '';
  readonly #webhook: WebhookConfig | null;
  /** The webhook secret: kept apart so that nothing (inspect, JSON, logs) can reach it. */
  readonly #webhookSecret: string;
  readonly #webhookShards = new Map<string, WebhookShard>();
  #listener: WebhookListener | null = null;

  /**
   * Checks every option before anything is created, bound or sent.
   *
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option, e.g. `maxReclaims`,
   *   `webhook.listen.port`, `session.welcomeTimeoutMs`): options that are not an object, a value of the wrong type
   *   or out of range (durations within 1..2^31-1 ms, counts positive integers, `maxReclaims` a non-negative
   *   integer), a URL passed as `undefined` (omit the key for Twitch's), `shardIds` with `ownership`, no credential,
   *   a subscription the catalogue refuses (its own codes, field `subscriptions[i]…`), or a bad webhook secret.
   */
  constructor(options: AutoClientOptions) {
    super(checkedAutoClientOptions(options));
    if (options.shardIds !== undefined && options.ownership !== undefined) {
      throw new InvalidArgumentError('give shardIds or ownership, not both', 'ownership');
    }
    // Every connect and Helix call listens to this signal.
    setMaxListeners(0, this.#closer.signal);
    this.#conduitOption = options.conduitId;
    this.#ownership = options.ownership ?? staticOwnership(options.shardIds);
    this.#subscriptions = options.subscriptions ?? [];
    toWireRequests(this.#subscriptions); // bad subscriptions fail here, not after the sockets are open
    this.#forceSubscribe = options.forceSubscribe ?? false;
    this.#forceScale = options.forceScale ?? false;
    this.#maxPerShard = options.maxPerShard ?? 1000;
    // An explicit `undefined` URL is refused: it never silently means production (guards.ts, optionalUrl).
    this.#wsUrl = optionalUrl(options, 'eventSubWsUrl', EVENTSUB_WS_URL);
    const helixUrl = optionalUrl(options, 'helixUrl', HELIX_URL);
    const oauthUrl = optionalUrl(options, 'oauthUrl', OAUTH_URL);
    this.#keepaliveTimeoutSeconds = options.keepaliveTimeoutSeconds;
    this.#connectConcurrency = options.connectConcurrency ?? 32;
    this.#chunkSize = options.assignChunkSize ?? DEFAULT_CHUNK;
    // Durations follow the clock rule (core/duration.ts): checked with the other options, before anything starts.
    this.#assignFlushMs = options.assignFlushMs ?? DEFAULT_ASSIGN_FLUSH_MS;
    this.#watchShardDisabled = options.watchShardDisabled ?? true;
    this.#reconcileIntervalMs = options.reconcileIntervalMs ?? 60_000;
    this.#shardRetry = backoffOption(options.shardRetry, 1000, 60_000);
    this.#reconnectBackoff = backoffOption(options.reconnectBackoff, 250, 30_000);
    this.#maxReclaims = options.maxReclaims ?? 3;
    this.#sessionOptions = options.session ?? {};
    this.#clock = options.clock ?? systemClock;
    const messageClock = this.#sessionOptions.clock ?? this.#clock;
    this.#dedupe = sharedDedupeStore(options.dedupe, this.#sessionOptions.maxMessageAgeMs);
    this.#webhookSecret = options.webhook === undefined ? '' : checkWebhookSecret(options.webhook);
    this.#webhook =
      options.webhook === undefined
        ? null
        : resolveWebhook(options.webhook, options.shardIds, this.#webhookSecret, {
            dedupe: this.#dedupe,
            clock: messageClock,
            logger: this.logger,
          });
    // Validate the session options now (bad URL, keepalive out of range) rather than at start().
    new EventSubSession(this.#sessionConfig()).removeAllListeners();
    this.#ownsHelix = options.helix === undefined;
    this.helix =
      options.helix ??
      new HelixClient({
        clientId: options.clientId,
        ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
        ...(options.auth === undefined ? {} : { auth: options.auth }),
        helixUrl,
        oauthUrl,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
    const conduitOf = (): Conduit | null => this.#conduit;
    const host: ConduitInfoHost = {
      get conduit() {
        return conduitOf();
      },
      sockets: this.#sockets,
      scale: (n, assign, signal) => this.#scale(n, assign, signal),
    };
    this.conduitInfo = new ConduitInfo(host);
    this.tapNotifications('conduit.shard.disabled', this.#onShardDisabled);
    const receiver = this.#webhook?.receiver;
    if (receiver !== undefined) {
      receiver.on('message', this.#onWebhookMessage);
      receiver.on('revocation', this.#onWebhookRevocation);
      receiver.on('verification', this.#onWebhookVerification);
      receiver.on('error', this.#onWebhookError);
    }
  }

  /**
   * The receiver of the webhook shards (`null` without the `webhook` option). Mount its `handler` on the server
   * behind the callback URL before `start()`, unless `webhook.listen` starts one.
   *
   * @example
   * ```ts
   * app.post('/twitch/:shard', express.raw({ type: 'application/json' }), (req, res) => {
   *   const r = client.webhookReceiver!.process({ headers: req.headers, rawBody: req.body, path: req.path });
   *   res.status(r.status).set(r.headers).send(r.body);
   * });
   * ```
   */
  get webhookReceiver(): WebhookReceiver | null {
    return this.#webhook?.receiver ?? null;
  }

  /** The listener started by `webhook.listen` (its `url`, `port`), once started; `null` otherwise. */
  get webhookListener(): WebhookListener | null {
    return this.#listener;
  }

  /**
   * Creates many conduit subscriptions concurrently (rate-limit aware through the Helix client). Every input is
   * validated against the catalogue first: a bad one throws `InvalidArgumentError` before any request. 409s ("already
   * exists") land in `existing`, real failures in `errors`. With `wait: false`, returns a handle at once.
   *
   * @throws {@link MissingConduitError} before start-up chose a conduit.
   * @example
   * ```ts
   * const { success, errors, existing } = await client.multiSubscribe(
   *   ids.map((id) => ({ type: 'stream.online', version: '1', condition: { broadcasterUserId: id } })),
   * );
   * const handle = client.multiSubscribe(more, { wait: false });
   * console.log(handle.settled, '/', handle.total);
   * const later = await handle.result;
   * ```
   */
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options: MultiSubscribeOptions & { readonly wait: false },
  ): MultiSubscribeHandle;
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options?: MultiSubscribeOptions & { readonly wait?: true },
  ): Promise<MultiSubscribePayload>;
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options?: MultiSubscribeOptions,
  ): Promise<MultiSubscribePayload> | MultiSubscribeHandle;
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options: MultiSubscribeOptions = {},
  ): Promise<MultiSubscribePayload> | MultiSubscribeHandle {
    // Arguments first, before the client's state: a bad call is INVALID_ARGUMENT whenever it is made.
    const handle = isRecord(options) && options.wait === false;
    try {
      checkOptions(options, MULTI_SUBSCRIBE_CHECKS);
      toWireRequests(subscriptions);
    } catch (error) {
      if (handle) throw error;
      return Promise.reject(asError(error));
    }
    const conduit = this.#conduit;
    if (conduit === null) {
      if (options.wait === false) throw new MissingConduitError();
      return Promise.reject(new MissingConduitError());
    }
    const signal =
      options.signal === undefined
        ? this.#closer.signal
        : AbortSignal.any([options.signal, this.#closer.signal]);
    if (options.wait === false)
      return runMultiSubscribe(this.helix, conduit.id, subscriptions, { ...options, signal });
    try {
      return runMultiSubscribe(this.helix, conduit.id, subscriptions, { ...options, signal }).result;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Runs the health check now (it also runs every `reconcileIntervalMs`). Resolves when done; never rejects. */
  reconcile(): Promise<void> {
    if (this.#conduit === null || this.isClosing()) return Promise.resolve();
    if (this.#reconciling !== null) {
      this.#reconcileAgain = true;
      return this.#reconciling;
    }
    this.#reconciling = (async () => {
      try {
        do {
          this.#reconcileAgain = false;
          await this.#reconcileOnce();
        } while (this.#wantsAnotherReconcile());
      } catch (error) {
        if (!this.isClosing()) this.report(asError(error), 'reconcile');
      } finally {
        this.#reconciling = null;
      }
    })();
    return this.#reconciling;
  }

  /** A reconcile was asked for while one ran (read through a method: the flag changes across awaits). */
  #wantsAnotherReconcile(): boolean {
    return this.#reconcileAgain && !this.isClosing();
  }

  // -----------------------------------------------------------------------------------------------------------
  // Start-up
  // -----------------------------------------------------------------------------------------------------------

  protected async onStart(): Promise<void> {
    const signal = this.#closer.signal;
    const listen = this.#webhook?.listen;
    if (listen !== undefined && this.#webhook !== null) {
      this.#listener = await this.#webhook.receiver.listen(listen);
      this.logger.info('webhook listener started', { url: this.#listener.url });
    }
    const resolved = await this.#resolveConduit(signal);
    const { created } = resolved;
    let conduit = this.#adopt(resolved.conduit);
    this.logger.info('conduit chosen', { conduitId: conduit.id, shardCount: conduit.shardCount, created });
    const required = this.#ownership.requiredShardCount;
    if (required !== undefined && required > conduit.shardCount) {
      if (!this.#forceScale && !created) {
        throw new InvalidArgumentError(
          `shardIds go up to ${required - 1} but conduit ${conduit.id} has ${conduit.shardCount} shards (pass forceScale: true to grow it)`,
          'shardIds',
        );
      }
      conduit = this.#adopt(await conduit.update(required, { signal }));
    }
    const owned = this.#ownership.ownedShards(conduit.shardCount);
    const [sockets, hooks] = this.#split(owned);
    await Promise.all([this.#bringUp(sockets, signal), this.#bringUpWebhooks(hooks)]);

    let subscriptions: MultiSubscribePayload | null = null;
    if (this.#subscriptions.length > 0 && (created || this.#forceSubscribe)) {
      subscriptions = await this.multiSubscribe(this.#subscriptions);
      for (const failure of subscriptions.errors) this.report(failure.error, 'subscribe');
    }
    if (this.#watchShardDisabled) await this.#watchDisabled();
    if (this.isClosing()) return;
    this.#scheduleReconcile();
    const current = this.#conduit ?? conduit;
    const info: ReadyInfo = {
      conduitId: current.id,
      shardCount: current.shardCount,
      ownedShards: owned,
      readyShards: owned.filter((id) => this.#isReady(id)),
      failedShards: owned.filter((id) => !this.#isReady(id)),
      createdConduit: created,
      subscriptions,
    };
    this.events.emit('ready', info);
  }

  /**
   * The one place the client takes a conduit from an answer: never one whose id differs from the configured
   * `conduitId`, nor (once it has one) from the conduit it serves. The Helix rows already refuse an Update Conduits
   * answer naming another conduit (`BAD_RESPONSE`); this holds whatever the answer came through.
   */
  #adopt(next: Conduit): Conduit {
    const option = this.#conduitOption;
    const expected = this.#conduit?.id ?? (option === 'create' ? undefined : option);
    if (expected !== undefined && next.id !== expected) {
      throw new ConduitSelectionError(
        'CONDUIT_MISMATCH',
        `an answer named conduit ${next.id} where conduit ${expected} was asked for: not adopted`,
        [next.id],
      );
    }
    this.#conduit = next;
    return next;
  }

  async #resolveConduit(signal: AbortSignal): Promise<{ conduit: Conduit; created: boolean }> {
    const option = this.#conduitOption;
    if (option === 'create') return { conduit: await this.#createConduit(signal), created: true };
    const all = await this.helix.eventSub.getConduits({ signal });
    const ids = all.map((c) => c.id);
    if (option !== undefined) {
      const found = all.find((c) => c.id === option);
      if (found === undefined) {
        throw new ConduitSelectionError(
          'CONDUIT_NOT_FOUND',
          `conduit ${option} does not exist for this client id (it has ${all.length}: ${ids.join(', ') || 'none'})`,
          ids,
        );
      }
      return { conduit: new Conduit(found, this.helix), created: false };
    }
    const [only, ...others] = all;
    if (only === undefined) return { conduit: await this.#createConduit(signal), created: true };
    if (others.length > 0) {
      throw new ConduitSelectionError(
        'CONDUIT_AMBIGUOUS',
        `this client id has ${all.length} conduits (${ids.join(', ')}): pass conduitId (an id, or 'create')`,
        ids,
      );
    }
    return { conduit: new Conduit(only, this.helix), created: false };
  }

  async #createConduit(signal: AbortSignal): Promise<Conduit> {
    const shardCount =
      this.#ownership.requiredShardCount ??
      Math.min(MAX_SHARD_COUNT, Math.max(2, Math.ceil(this.#subscriptions.length / this.#maxPerShard)));
    const created = await this.helix.eventSub.createConduit({ shardCount }, { signal });
    return new Conduit(created, this.helix);
  }

  /** Owned shard ids split by transport: `[websocket, webhook]`. */
  #split(ids: readonly string[]): [string[], string[]] {
    const ws: string[] = [];
    const hooks: string[] = [];
    const set = this.#webhook?.ids;
    for (const id of ids) {
      if (set !== undefined && (set === 'all' || set.has(id))) hooks.push(id);
      else ws.push(id);
    }
    return [ws, hooks];
  }

  #isReady(id: string): boolean {
    return (this.#shards.get(id)?.state ?? this.#webhookShards.get(id)?.state) === 'ready';
  }

  #owns(id: string): boolean {
    return this.#shards.has(id) || this.#webhookShards.has(id);
  }

  /** Connects the given shards (bounded concurrency) and assigns them in chunks as they are welcomed. */
  async #bringUp(ids: readonly string[], signal: AbortSignal): Promise<void> {
    const shards = ids.map((id) => this.#createShard(id));
    const queue = shards.values();
    let pending: Shard[] = [];
    let timer: TimerHandle | undefined;
    const flushes: Promise<void>[] = [];
    const flush = (): void => {
      if (timer !== undefined) this.#clock.clearTimeout(timer);
      timer = undefined;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      flushes.push(this.#assign(batch, false));
    };
    const worker = async (): Promise<void> => {
      for (let item = queue.next(); item.done !== true && !signal.aborted; item = queue.next()) {
        const shard = item.value;
        if (await this.#connect(shard, signal)) {
          pending.push(shard);
          if (pending.length >= this.#chunkSize) flush();
          // A slow bring-up must not keep welcomed sessions unbound: flush a partial chunk after a short delay.
          else timer ??= this.#clock.setTimeout(flush, this.#assignFlushMs);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#connectConcurrency, shards.length) }, worker));
    flush();
    await Promise.all(flushes);
  }

  #createShard(id: string): Shard {
    const session = new EventSubSession({
      ...this.#sessionConfig(),
      dedupe: this.#dedupe,
      backoff: new Backoff(this.#reconnectBackoff),
      logger: this.logger,
    });
    const shard = new Shard(id, session, new Backoff(this.#shardRetry));
    this.#shards.set(id, shard);
    this.#sockets.set(id, session);
    session.on('notification', (message) => {
      this.dispatchNotification(message, id);
    });
    session.on('revocation', (message) => {
      let subscription: SubscriptionModel;
      try {
        subscription = toSubscriptionModel(message.payload.subscription);
      } catch (error) {
        this.report(asError(error), 'revocation');
        return;
      }
      this.events.emit('subscriptionRevoked', {
        shardId: id,
        subscription,
        messageId: message.metadata.message_id,
      });
    });
    session.on('disconnected', (info) => {
      if (shard.state === 'closed') return;
      shard.state = 'connecting';
      this.events.emit('shardDisconnected', { shardId: id, ...info });
    });
    session.on('reconnected', (info) => {
      if (shard.state === 'closed') return;
      if (!info.rebindRequired) {
        // Handover: the same session carries on and Twitch keeps the binding.
        if (shard.boundSessionId !== null) shard.boundSessionId = info.sessionId;
        return;
      }
      shard.state = 'assigning';
      void this.#assign([shard], true);
    });
    session.on('error', (error) => {
      this.report(error, `shard ${id}`);
    });
    return shard;
  }

  #sessionConfig(): EventSubSessionOptions {
    return {
      ...this.#sessionOptions,
      url: this.#wsUrl,
      ...(this.#keepaliveTimeoutSeconds === undefined
        ? {}
        : { keepaliveTimeoutSeconds: this.#keepaliveTimeoutSeconds }),
    };
  }

  /** One connect attempt; on failure, reports and schedules a background retry. */
  async #connect(shard: Shard, signal: AbortSignal): Promise<boolean> {
    shard.state = 'connecting';
    try {
      await shard.session.connect(signal);
      return true;
    } catch (error) {
      if ((shard.state as ShardState) === 'closed' || this.isClosing()) return false;
      shard.failures++;
      this.report(
        new ShardError('SHARD_CONNECT_FAILED', shard.id, asError(error).message, shard.failures, {
          cause: error,
        }),
        `shard ${shard.id}`,
      );
      this.#scheduleRetry(shard);
      return false;
    }
  }

  /**
   * Binds the shards to their current sessions (chunked). Successes become `ready`; shards in `errors[]` (or of a
   * failed request) are reported and retried in the background.
   */
  async #assign(shards: readonly Shard[], rebind: boolean): Promise<void> {
    const conduit = this.#conduit;
    if (conduit === null || this.isClosing()) return;
    const batch: { shard: Shard; sessionId: string }[] = [];
    for (const shard of shards) {
      const sessionId = shard.session.sessionId;
      if (shard.state === 'closed' || sessionId === null || shard.session.state !== 'connected') continue;
      shard.state = 'assigning';
      batch.push({ shard, sessionId });
    }
    if (batch.length === 0) return;
    let failed: Map<string, string>;
    try {
      const result = await conduit.updateShards(
        batch.map(({ shard, sessionId }) => ({
          id: shard.id,
          transport: { method: 'websocket', sessionId },
        })),
        { chunkSize: this.#chunkSize, signal: this.#closer.signal },
      );
      failed = new Map(result.errors.map((e) => [e.id, `${e.message} (${e.code})`]));
    } catch (error) {
      if (this.isClosing()) return;
      failed = new Map(batch.map(({ shard }) => [shard.id, asError(error).message]));
    }
    for (const { shard, sessionId } of batch) {
      if (shard.state === 'closed' || this.isClosing()) continue;
      const message = failed.get(shard.id);
      if (message !== undefined) {
        shard.failures++;
        shard.state = 'waiting';
        this.report(
          new ShardError('SHARD_ASSIGN_FAILED', shard.id, message, shard.failures),
          `shard ${shard.id}`,
        );
        this.#scheduleRetry(shard);
        continue;
      }
      if (shard.session.sessionId !== sessionId) {
        // The session was replaced while the request was in flight: bind the new one.
        void this.#assign([shard], true);
        continue;
      }
      shard.failures = 0;
      shard.backoff.reset();
      shard.boundSessionId = sessionId;
      shard.state = 'ready';
      const again = shard.everReady || rebind;
      shard.everReady = true;
      this.events.emit('shardReady', { shardId: shard.id, method: 'websocket', sessionId, rebind: again });
    }
  }

  #scheduleRetry(shard: Shard): void {
    if (shard.retryTimer !== undefined || this.isClosing()) return;
    shard.state = 'waiting';
    shard.retryTimer = this.#clock.setTimeout(
      () => {
        shard.retryTimer = undefined;
        if (shard.state === 'closed' || this.isClosing()) return;
        const session = shard.session.state;
        if (session === 'connected') {
          void this.#assign([shard], shard.everReady);
        } else if (session === 'idle') {
          void this.#connect(shard, this.#closer.signal).then((ok) => {
            if (ok) return this.#assign([shard], shard.everReady);
            return undefined;
          });
        }
        // 'connecting' / 'reconnecting': the session heals itself and `reconnected` re-binds it.
        // Ref'd: a shard waiting to retry must keep a running client's process alive.
      },
      shard.backoff.next(),
      { ref: true },
    );
  }

  async #watchDisabled(): Promise<void> {
    const conduit = this.#conduit;
    if (conduit === null) return;
    try {
      const result = await this.multiSubscribe([
        subscription('conduit.shard.disabled', '1', { clientId: this.helix.clientId, conduitId: conduit.id }),
      ]);
      for (const failure of result.errors) this.report(failure.error, 'conduit.shard.disabled');
    } catch (error) {
      if (!this.isClosing()) this.report(asError(error), 'conduit.shard.disabled');
    }
  }

  /**
   * Tap of `conduit.shard.disabled` (see `Client.tapNotifications`): its model is the one the listeners got, built
   * once (`null`: malformed, already reported; the raw ids still trigger the health check).
   */
  readonly #onShardDisabled = (notification: Notification | null, payload: WireNotificationPayload): void => {
    const event = (payload as { event?: { conduit_id?: unknown; shard_id?: unknown } }).event;
    if (event === undefined || event.conduit_id !== this.#conduit?.id) return;
    const model = notification?.event as ConduitShardDisabledEvent | undefined;
    if (model !== undefined) this.events.emit('conduitShardDisabled', model);
    // A shard we own is down on Twitch's side: check now rather than at the next period.
    if (typeof event.shard_id === 'string' && this.#owns(event.shard_id)) void this.reconcile();
  };

  // -----------------------------------------------------------------------------------------------------------
  // Webhook shards
  // -----------------------------------------------------------------------------------------------------------

  /** Creates the webhook shards and assigns them; resolves once each is verified or reported. */
  async #bringUpWebhooks(ids: readonly string[]): Promise<void> {
    const config = this.#webhook;
    if (config === null || ids.length === 0) return;
    const shards: WebhookShard[] = [];
    for (const id of ids) {
      let callback: string;
      try {
        callback = checkCallback(config.callbackOf(id));
      } catch (error) {
        this.report(
          new ShardError('SHARD_ASSIGN_FAILED', id, `no usable callback: ${asError(error).message}`, 1, {
            cause: error,
          }),
          `shard ${id}`,
        );
        continue;
      }
      const shard = new WebhookShard(id, callback, new Backoff(this.#shardRetry));
      this.#webhookShards.set(id, shard);
      shards.push(shard);
    }
    await this.#assignWebhooks(shards, false);
  }

  /**
   * Binds webhook shards to their callbacks (chunked), then waits for Twitch's challenges (bounded by
   * `verificationTimeoutMs`). `onBound` runs for each shard Twitch accepted, before verification.
   */
  async #assignWebhooks(
    shards: readonly WebhookShard[],
    rebind: boolean,
    onBound?: (shard: WebhookShard) => void,
  ): Promise<void> {
    const conduit = this.#conduit;
    const config = this.#webhook;
    if (conduit === null || config === null || this.isClosing()) return;
    const batch = shards.filter((shard) => shard.state !== 'closed');
    if (batch.length === 0) return;
    for (const shard of batch) shard.state = 'assigning';
    let failed: Map<string, string>;
    let statuses: Map<string, string>;
    try {
      const result = await conduit.updateShards(
        batch.map((shard) => ({
          id: shard.id,
          transport: { method: 'webhook', callback: shard.callback, secret: this.#webhookSecret },
        })),
        { chunkSize: this.#chunkSize, signal: this.#closer.signal },
      );
      failed = new Map(result.errors.map((e) => [e.id, `${e.message} (${e.code})`]));
      statuses = new Map(result.shards.map((s) => [s.id, s.status]));
    } catch (error) {
      if (this.isClosing()) return;
      failed = new Map(batch.map((shard) => [shard.id, asError(error).message]));
      statuses = new Map();
    }
    const waiting: WebhookShard[] = [];
    for (const shard of batch) {
      if (shard.state === 'closed' || this.isClosing()) continue;
      const message = failed.get(shard.id);
      if (message !== undefined) {
        this.#webhookFailed(shard, 'SHARD_ASSIGN_FAILED', message);
        continue;
      }
      onBound?.(shard);
      // The challenge may have been answered before the response arrived.
      if (shard.state === 'ready') continue;
      if (statuses.get(shard.id) === 'enabled') {
        this.#webhookReady(shard, rebind);
        continue;
      }
      shard.state = 'verifying';
      waiting.push(shard);
    }
    if (waiting.length > 0) await this.#awaitVerification(waiting, rebind, config.verificationTimeoutMs);
  }

  /** Resolves when every shard is verified or, after the timeout, checked against Twitch's shard list. */
  #awaitVerification(shards: readonly WebhookShard[], rebind: boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let left = shards.length;
      let timer: TimerHandle | undefined;
      const settle = (): void => {
        left--;
        if (left > 0) return;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        resolve();
      };
      for (const shard of shards) shard.settle = settle;
      // Ref'd: `start()` may be waiting on it. Bounded, and cleared as soon as every shard settles.
      timer = this.#clock.setTimeout(
        () => {
          timer = undefined;
          void this.#verificationTimedOut(shards, rebind)
            .catch((error: unknown) => {
              this.report(asError(error), 'webhook verification');
            })
            .finally(resolve);
        },
        timeoutMs,
        { ref: true },
      );
    });
  }

  async #verificationTimedOut(shards: readonly WebhookShard[], rebind: boolean): Promise<void> {
    const pending = shards.filter((shard) => shard.state === 'verifying');
    if (pending.length === 0 || this.isClosing() || this.#conduit === null) return;
    let remote: Map<string, ConduitShard>;
    try {
      const list = await this.#conduit.fetchShards({ signal: this.#closer.signal }).toArray();
      remote = new Map(list.map((info) => [info.id, info]));
    } catch (error) {
      if (this.isClosing()) return;
      for (const shard of pending) {
        if (shard.state !== 'verifying') continue;
        this.#webhookFailed(
          shard,
          'SHARD_VERIFICATION_FAILED',
          `no challenge reached the receiver, and the shard list could not be read: ${asError(error).message}`,
        );
      }
      return;
    }
    for (const shard of pending) {
      if (shard.state !== 'verifying') continue;
      const info = remote.get(shard.id);
      if (info?.enabled === true && info.method === 'webhook' && info.callback === shard.callback) {
        // Verified by a receiver other than ours (e.g. another replica behind the same callback).
        this.#webhookReady(shard, rebind);
        continue;
      }
      this.#webhookFailed(
        shard,
        'SHARD_VERIFICATION_FAILED',
        `Twitch reports '${info?.status ?? 'no such shard'}' and no challenge reached this receiver: check that ${shard.callback} routes to it`,
      );
    }
  }

  #webhookReady(shard: WebhookShard, rebind: boolean): void {
    shard.state = 'ready';
    shard.failures = 0;
    shard.backoff.reset();
    const again = shard.everReady || rebind;
    shard.everReady = true;
    this.#settle(shard);
    this.events.emit('shardReady', { shardId: shard.id, method: 'webhook', sessionId: null, rebind: again });
  }

  #webhookFailed(shard: WebhookShard, code: ShardErrorCode, message: string): void {
    shard.failures++;
    shard.state = 'waiting';
    this.#settle(shard);
    this.report(new ShardError(code, shard.id, message, shard.failures), `shard ${shard.id}`);
    if (shard.retryTimer !== undefined || this.isClosing()) return;
    shard.retryTimer = this.#clock.setTimeout(
      () => {
        shard.retryTimer = undefined;
        if (shard.state === 'closed' || this.isClosing()) return;
        void this.#assignWebhooks([shard], shard.everReady);
      },
      shard.backoff.next(),
      { ref: true },
    );
  }

  #settle(shard: WebhookShard): void {
    const settle = shard.settle;
    shard.settle = undefined;
    settle?.();
  }

  #closeWebhookShard(shard: WebhookShard): void {
    shard.state = 'closed';
    if (shard.retryTimer !== undefined) this.#clock.clearTimeout(shard.retryTimer);
    shard.retryTimer = undefined;
    this.#settle(shard);
    this.#webhookShards.delete(shard.id);
  }

  /** The shard a webhook request was for: the last path segment, when it is one of ours. */
  #webhookShardOf(path: string | undefined): string {
    if (path !== undefined) {
      const end = path.indexOf('?');
      const clean = end === -1 ? path : path.slice(0, end);
      const id = clean.slice(clean.lastIndexOf('/') + 1);
      if (this.#webhookShards.has(id)) return id;
    }
    return 'webhook';
  }

  readonly #onWebhookMessage = (message: WebhookNotification): void => {
    this.dispatchDelivery(
      message.messageId,
      message.timestamp,
      message.payload,
      this.#webhookShardOf(message.path),
    );
  };

  readonly #onWebhookRevocation = (revocation: WebhookRevocation): void => {
    this.events.emit('subscriptionRevoked', {
      shardId: this.#webhookShardOf(revocation.path),
      subscription: revocation.subscription,
      messageId: revocation.messageId,
    });
  };

  readonly #onWebhookVerification = (request: WebhookVerificationRequest): void => {
    const target = request.conduitShard;
    if (target === null || target.conduitId !== this.#conduit?.id) return;
    const shard = this.#webhookShards.get(target.shardId);
    if (shard === undefined || (shard.state !== 'assigning' && shard.state !== 'verifying')) return;
    this.#webhookReady(shard, shard.everReady);
  };

  readonly #onWebhookError = (error: Error, context?: string): void => {
    this.report(error, context === undefined ? 'webhook' : `webhook ${context}`);
  };

  // -----------------------------------------------------------------------------------------------------------
  // Health
  // -----------------------------------------------------------------------------------------------------------

  #scheduleReconcile(): void {
    if (this.#reconcileIntervalMs === 0 || this.isClosing()) return;
    this.#reconcileTimer = this.#clock.setTimeout(() => {
      this.#reconcileTimer = undefined;
      void this.reconcile().finally(() => {
        this.#scheduleReconcile();
      });
    }, this.#reconcileIntervalMs);
  }

  async #reconcileOnce(): Promise<void> {
    const conduit = this.#conduit;
    if (conduit === null) return;
    const remote: ConduitShard[] = await conduit.fetchShards({ signal: this.#closer.signal }).toArray();
    if (this.isClosing()) return;
    const ours = new Set<string>();
    for (const shard of this.#shards.values())
      if (shard.session.sessionId !== null) ours.add(shard.session.sessionId);
    const unassigned: string[] = [];
    const toFix: { shard: Shard; info: ConduitShard }[] = [];
    const hooksToFix = new Map<string, ConduitShard>();
    const now = this.#clock.now();
    for (const info of remote) {
      const hook = this.#webhookShards.get(info.id);
      if (hook !== undefined) {
        if (this.#webhookNeedsFix(hook, info, now)) hooksToFix.set(hook.id, info);
        continue;
      }
      const shard = this.#shards.get(info.id);
      if (shard === undefined) {
        if (info.method === 'websocket' && !info.enabled) unassigned.push(info.id);
        continue;
      }
      // Shards being connected or assigned are handled by their own flow.
      if (shard.state !== 'ready' || shard.session.state !== 'connected') continue;
      const sessionId = shard.session.sessionId;
      if (info.enabled && info.sessionId === sessionId) {
        shard.reclaims = 0;
        continue;
      }
      const foreign = info.enabled && info.sessionId !== null && !ours.has(info.sessionId);
      if (foreign) {
        if (shard.contested || now < shard.nextReclaimAt) continue;
        shard.reclaims++;
        if (shard.reclaims > this.#maxReclaims) {
          shard.contested = true;
          this.report(
            new ShardError(
              'SHARD_CONTESTED',
              shard.id,
              `another session took the shard ${shard.reclaims - 1} times: this process stops taking it back (check that no other process owns it)`,
              shard.reclaims,
            ),
            `shard ${shard.id}`,
          );
          continue;
        }
        shard.nextReclaimAt = now + shard.backoff.next();
      }
      toFix.push({ shard, info });
    }
    const key = unassigned.join(',');
    if (unassigned.length > 0 && key !== this.#lastUnassigned)
      this.events.emit('unassignedShards', unassigned);
    this.#lastUnassigned = key;
    if (hooksToFix.size > 0) await this.#fixWebhooks(hooksToFix);
    if (toFix.length === 0) return;
    const result = await conduit.updateShards(
      toFix.map(({ shard }) => ({
        id: shard.id,
        transport: { method: 'websocket', sessionId: shard.session.sessionId ?? '' },
      })),
      { chunkSize: this.#chunkSize, signal: this.#closer.signal },
    );
    const failed = new Map(result.errors.map((e) => [e.id, e.message]));
    for (const { shard, info } of toFix) {
      const message = failed.get(shard.id);
      if (message !== undefined) {
        shard.failures++;
        this.report(
          new ShardError('SHARD_ASSIGN_FAILED', shard.id, message, shard.failures),
          `shard ${shard.id}`,
        );
        this.#scheduleRetry(shard);
        continue;
      }
      const sessionId = shard.session.sessionId ?? '';
      shard.boundSessionId = sessionId;
      this.events.emit('shardReassigned', {
        shardId: shard.id,
        method: 'websocket',
        reason: info.enabled ? 'foreign_session' : 'disabled',
        status: info.status,
        previousSessionId: info.sessionId,
        sessionId,
      });
    }
  }

  /** Whether a ready webhook shard is wrong on Twitch (disabled, or bound elsewhere) and may be taken back now. */
  #webhookNeedsFix(shard: WebhookShard, info: ConduitShard, now: number): boolean {
    if (shard.state !== 'ready') return false;
    const ours = info.method === 'webhook' && info.callback === shard.callback;
    if (ours && info.enabled) {
      shard.reclaims = 0;
      return false;
    }
    // Pending verification of our own callback: the challenge is on its way.
    if (ours && info.status === 'webhook_callback_verification_pending') return false;
    if (info.enabled) {
      // Bound to another transport: someone else serves this shard.
      if (shard.contested || now < shard.nextReclaimAt) return false;
      shard.reclaims++;
      if (shard.reclaims > this.#maxReclaims) {
        shard.contested = true;
        this.report(
          new ShardError(
            'SHARD_CONTESTED',
            shard.id,
            `another transport took the shard ${shard.reclaims - 1} times: this process stops taking it back (check that no other process owns it)`,
            shard.reclaims,
          ),
          `shard ${shard.id}`,
        );
        return false;
      }
      shard.nextReclaimAt = now + shard.backoff.next();
    }
    return true;
  }

  async #fixWebhooks(infos: ReadonlyMap<string, ConduitShard>): Promise<void> {
    const shards: WebhookShard[] = [];
    for (const id of infos.keys()) {
      const shard = this.#webhookShards.get(id);
      if (shard !== undefined) shards.push(shard);
    }
    await this.#assignWebhooks(shards, true, (shard) => {
      const info = infos.get(shard.id);
      if (info === undefined) return;
      this.events.emit('shardReassigned', {
        shardId: shard.id,
        method: 'webhook',
        reason: info.enabled ? 'foreign_session' : 'disabled',
        status: info.status,
        previousSessionId: info.sessionId,
        sessionId: null,
      });
    });
  }

  // -----------------------------------------------------------------------------------------------------------
  // Scaling
  // -----------------------------------------------------------------------------------------------------------

  async #scale(
    shardCount: number,
    assignTransports: boolean,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    checkShardCount(shardCount);
    const conduit = this.#conduit;
    if (conduit === null) throw new MissingConduitError();
    const callSignal =
      signal === undefined ? this.#closer.signal : AbortSignal.any([signal, this.#closer.signal]);
    const updated = this.#adopt(await conduit.update(shardCount, { signal: callSignal }));
    const owned = this.#ownership.ownedShards(shardCount);
    const ownedSet = new Set(owned);
    const added: string[] = [];
    const removed: string[] = [];
    if (assignTransports) {
      const closing: Promise<void>[] = [];
      for (const [id, shard] of this.#shards) {
        if (ownedSet.has(id)) continue;
        removed.push(id);
        closing.push(this.#closeShard(shard));
      }
      for (const [id, shard] of this.#webhookShards) {
        if (ownedSet.has(id)) continue;
        removed.push(id);
        this.#closeWebhookShard(shard);
      }
      for (const id of owned) if (!this.#owns(id)) added.push(id);
      await Promise.all(closing);
      const [sockets, hooks] = this.#split(added);
      await Promise.all([this.#bringUp(sockets, this.#closer.signal), this.#bringUpWebhooks(hooks)]);
    }
    const leftToOthers: string[] = [];
    for (let i = 0; i < shardCount; i++) if (!this.#owns(String(i))) leftToOthers.push(String(i));
    if (leftToOthers.length > 0) {
      this.logger.warn('conduit scaled: other processes must serve the shards this one does not own', {
        conduitId: updated.id,
        shardCount,
        leftToOthers: summarize(leftToOthers),
      });
    }
    this.events.emit('conduitScaled', {
      conduitId: updated.id,
      previousShardCount: conduit.shardCount,
      shardCount,
      added,
      removed,
      leftToOthers,
    });
  }

  async #closeShard(shard: Shard): Promise<void> {
    shard.state = 'closed';
    if (shard.retryTimer !== undefined) this.#clock.clearTimeout(shard.retryTimer);
    shard.retryTimer = undefined;
    this.#shards.delete(shard.id);
    this.#sockets.delete(shard.id);
    await shard.session.close();
    shard.session.removeAllListeners();
  }

  // -----------------------------------------------------------------------------------------------------------
  // Shut-down
  // -----------------------------------------------------------------------------------------------------------

  protected async onClose(): Promise<void> {
    this.#closer.abort(new TwitchError('CLIENT_CLOSED', 'the client was closed'));
    if (this.#reconcileTimer !== undefined) this.#clock.clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = undefined;
    for (const shard of [...this.#webhookShards.values()]) this.#closeWebhookShard(shard);
    const config = this.#webhook;
    if (config !== null) {
      config.receiver.off('message', this.#onWebhookMessage);
      config.receiver.off('revocation', this.#onWebhookRevocation);
      config.receiver.off('verification', this.#onWebhookVerification);
      config.receiver.off('error', this.#onWebhookError);
    }
    const listener = this.#listener;
    this.#listener = null;
    await Promise.all([
      ...[...this.#shards.values()].map((shard) => this.#closeShard(shard)),
      listener?.close(),
      config?.ownsReceiver === true ? config.receiver.close() : undefined,
    ]);
    if (this.#ownsHelix) this.helix.close();
  }

  [inspect.custom](): string {
    return `AutoClient { state: '${this.state}', conduit: ${this.#conduit === null ? 'null' : `'${this.#conduit.id}'`}, shards: ${this.#shards.size + this.#webhookShards.size} }`;
  }
}

/** A `{ initialMs, maxMs }` option (checked by `backoffChecks`) with its defaults; the cap is at least `initialMs`. */
function backoffOption(
  value: { readonly initialMs?: number; readonly maxMs?: number } | undefined,
  initialDefault: number,
  maxDefault: number,
): { initialMs: number; maxMs: number } {
  const initialMs = value?.initialMs ?? initialDefault;
  return { initialMs, maxMs: value?.maxMs ?? Math.max(maxDefault, initialMs) };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function summarize(ids: readonly string[]): string {
  return ids.length <= 10 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')} … (${ids.length})`;
}

function checkWebhookSecret(options: WebhookShardOptions): string {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
    throw new InvalidArgumentError('webhook must be an object', 'webhook');
  }
  try {
    const [secret] = normalizeSecrets(options.secret, undefined);
    return secret ?? '';
  } catch (error) {
    // Same rule, named after this option (the message never contains the secret).
    throw new InvalidArgumentError(asError(error).message, 'webhook.secret', { cause: error });
  }
}

/**
 * The store shared by every shard: the one given, or a new in-memory one whose window covers both transports (the
 * sessions and the receiver check the window of a given one).
 */
function sharedDedupeStore(dedupe: unknown, maxMessageAgeMs: number | undefined): DedupeStore {
  // An invalid maxMessageAgeMs is left to the session's own check, which names it.
  const sessionWindow =
    typeof maxMessageAgeMs === 'number' && maxMessageAgeMs > 0 ? dedupeWindowFor(maxMessageAgeMs) : 0;
  const window = Math.max(DEFAULT_DEDUPE_WINDOW_MS, sessionWindow);
  return resolveDedupeStore(dedupe, window, DEFAULT_DEDUPE_WINDOW_MS, 'dedupe');
}

function resolveWebhook(
  options: WebhookShardOptions,
  shardIds: readonly number[] | undefined,
  secret: string,
  receiverOptions: Pick<WebhookReceiverInit, 'dedupe' | 'clock' | 'logger'>,
): WebhookConfig {
  const { callback } = options;
  let callbackOf: (shardId: string) => string;
  if (typeof callback === 'function') {
    callbackOf = callback;
  } else if (typeof callback === 'string') {
    const base = checkCallback(callback, 'webhook.callback').replace(/\/+$/, '');
    callbackOf = (id) => `${base}/${id}`;
  } else {
    throw new InvalidArgumentError(
      'webhook.callback must be a URL or a function of the shard id',
      'webhook.callback',
    );
  }
  let ids: ReadonlySet<string> | 'all' = 'all';
  const wanted = options.shardIds ?? 'all';
  if (wanted !== 'all') {
    const list: readonly unknown[] = Array.isArray(wanted) ? (wanted as readonly unknown[]) : [-1];
    if (!list.every(isShardNumber)) {
      throw new InvalidArgumentError(
        "webhook.shardIds must be 'all' or an array of shard numbers (integers >= 0)",
        'webhook.shardIds',
      );
    }
    const owned = shardIds === undefined ? undefined : new Set(shardIds);
    const numbers = list;
    const stray = owned === undefined ? [] : numbers.filter((n) => !owned.has(n));
    if (stray.length > 0) {
      throw new InvalidArgumentError(
        `webhook.shardIds must be among shardIds (not owned: ${stray.join(', ')})`,
        'webhook.shardIds',
      );
    }
    ids = new Set(numbers.map(String));
  }
  // verificationTimeoutMs and listen were checked with the other options (AUTO_CLIENT_CHECKS).
  const timeout = options.verificationTimeoutMs ?? 10_000;
  return {
    ids,
    callbackOf,
    receiver: options.receiver ?? new WebhookReceiver({ secret, ...receiverOptions }),
    ownsReceiver: options.receiver === undefined,
    listen: options.listen,
    verificationTimeoutMs: timeout,
  };
}

type WebhookReceiverInit = ConstructorParameters<typeof WebhookReceiver>[0];

function isShardNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** A callback must be an absolute http(s) URL (Twitch itself accepts only HTTPS on 443, and says so). */
function checkCallback(url: unknown, field = 'webhook.callback'): string {
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
