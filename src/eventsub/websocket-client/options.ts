/**
 * Options of the {@link WebSocketClient}: the interface, one frozen defaults object, and one table of checks run
 * before anything is created.
 */
import type { Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { isRecord } from '../../core/guards.js';
import {
  arrayOf,
  boolean,
  checkOptions,
  fail,
  func,
  httpUrl,
  integerIn,
  nested,
  nonEmptyString,
  positiveInteger,
  type OptionChecks,
} from '../../core/options.js';
import { authProvider, type AuthProvider } from '../../auth/types.js';
import { HelixClient } from '../../helix/client.js';
import type { FetchLike } from '../../helix/http.js';
import {
  EVENTSUB_WS_URL,
  HELIX_URL,
  OAUTH_URL,
  WEBSOCKET_MAX_CONNECTIONS_PER_USER,
  WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION,
} from '../../protocol/eventsub.js';
import { CLIENT_CHECKS, type ClientOptions } from '../client.js';
import type { SubscriptionInput } from '../conduit/multi-subscribe.js';
import { OBSERVABILITY_OPTION_CHECK, type ClientObservabilityOptions } from '../../observability/server.js';
import type { DedupeStore, MemoryDedupeStoreOptions } from '../websocket/dedupe.js';
import { SESSION_CHECKS, type EventSubSessionOptions } from '../websocket/session.js';

/** Options passed to every socket's session (a subset of the session's own). */
export type WebSocketClientSessionOptions = Pick<
  EventSubSessionOptions,
  | 'welcomeTimeoutMs'
  | 'keepaliveMarginRatio'
  | 'maxMessageAgeMs'
  | 'allowedReconnectHosts'
  | 'WebSocket'
  | 'wsOptions'
>;

/** Options of {@link WebSocketClient}. */
export interface EventSubWebSocketClientOptions extends ClientOptions {
  /** The app's client id (with `auth`); taken from `helix` when that is given. */
  readonly clientId?: string;
  /**
   * The user tokens (a {@link RefreshingAuthProvider} or {@link StaticAuthProvider} holding them): WebSocket
   * subscriptions are created with the token of a user. Give this or `helix`. Never logged.
   */
  readonly auth?: AuthProvider;
  /** A Helix client to share (not closed by the client); its provider must hold the user tokens. */
  readonly helix?: HelixClient;
  /** @defaultValue 'https://api.twitch.tv/helix' */
  readonly helixUrl?: string;
  /** @defaultValue 'https://id.twitch.tv/oauth2' */
  readonly oauthUrl?: string;
  /** @defaultValue 'wss://eventsub.wss.twitch.tv/ws' */
  readonly eventSubWsUrl?: string;
  /** A `fetch` for Helix requests (see docs/helix.md, Transport). */
  readonly fetch?: FetchLike;
  /** Subscriptions `start()` creates (failures are reported on `error`; `start()` still resolves). */
  readonly subscriptions?: readonly SubscriptionInput[];
  /**
   * The user whose token (and sockets) a subscription uses when `subscribe()` is not told: omitted, the user the
   * type requires (`moderator_user_id` of `channel.follow`...), else `broadcaster_user_id` / `user_id`.
   */
  readonly userId?: string;
  /** `keepalive_timeout_seconds` asked of Twitch (10..600). @defaultValue Twitch's (10) */
  readonly keepaliveTimeoutSeconds?: number;
  /** Sockets per user, 1..3 (Twitch's limit is 3). @defaultValue 3 */
  readonly maxSocketsPerUser?: number;
  /** Subscriptions per socket before the next socket is used, 1..300 (Twitch's limit is 300). @defaultValue 300 */
  readonly maxSubscriptionsPerSocket?: number;
  /** Requests in flight at once for `multiSubscribe` and resubscriptions. @defaultValue 16 */
  readonly concurrency?: number;
  /**
   * Delays of each socket's reconnects (`initialMs` >= 1, `maxMs` in `initialMs`..2^31-1).
   * @defaultValue { initialMs: 250, maxMs: 30000 }
   */
  readonly reconnectBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Options for every socket's session. */
  readonly session?: WebSocketClientSessionOptions;
  /**
   * Where the message ids of all sockets are remembered (a {@link DedupeStore}, or options of the in-memory one).
   * @defaultValue a MemoryDedupeStore
   */
  readonly dedupe?: DedupeStore | MemoryDedupeStoreOptions;
  /** Timers of the sessions. @defaultValue systemClock */
  readonly clock?: Clock;
  /**
   * Record metrics (`metrics()`: sockets, connects, reconnects, handovers, notifications per type, delivery lag,
   * duplicates, keepalive timeouts, handler errors). `false` records nothing and `metrics()` returns an empty
   * snapshot. @defaultValue true
   */
  readonly metrics?: boolean;
  /**
   * Serve `/metrics`, `/healthz`, `/readyz` and the live dashboard of this client and its Helix client: started by
   * `start()`, closed by `close()`, reached through `client.observability` (its `url`). Bound to 127.0.0.1:9464 unless
   * `host`/`port` say otherwise; a `token` is required on any other address. See docs/observability.md. Omitted or
   * `false`: no server.
   */
  readonly observability?: false | ClientObservabilityOptions;
}

/**
 * Every default of {@link EventSubWebSocketClientOptions}, in one place: the `@defaultValue` of each option repeats
 * it, and test/eventsub/websocket-client/options.test.ts checks that they say the same.
 */
export const WEBSOCKET_CLIENT_DEFAULTS = Object.freeze({
  helixUrl: HELIX_URL,
  oauthUrl: OAUTH_URL,
  eventSubWsUrl: EVENTSUB_WS_URL,
  maxSocketsPerUser: WEBSOCKET_MAX_CONNECTIONS_PER_USER,
  maxSubscriptionsPerSocket: WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  concurrency: 16,
  reconnectBackoff: Object.freeze({ initialMs: 250, maxMs: 30_000 }),
  metrics: true,
});

const backoffChecks: OptionChecks<{ initialMs?: number; maxMs?: number }> = {
  initialMs: integerIn(1, 2 ** 31 - 1),
  maxMs: integerIn(1, 2 ** 31 - 1),
};

/** Checks of every option: a new option without a check does not compile. */
export const WEBSOCKET_CLIENT_CHECKS: OptionChecks<EventSubWebSocketClientOptions> = {
  ...CLIENT_CHECKS,
  clientId: nonEmptyString,
  auth: authProvider,
  helix: (value, field) => {
    if (!(value instanceof HelixClient)) fail(field, 'a HelixClient', value);
  },
  helixUrl: httpUrl,
  oauthUrl: httpUrl,
  eventSubWsUrl: SESSION_CHECKS.url,
  fetch: func,
  subscriptions: arrayOf((value, field) => {
    if (!isRecord(value)) fail(field, 'a subscription ({ type, version, condition })', value);
  }, 'an array of subscriptions'),
  userId: nonEmptyString,
  keepaliveTimeoutSeconds: SESSION_CHECKS.keepaliveTimeoutSeconds,
  maxSocketsPerUser: integerIn(1, WEBSOCKET_MAX_CONNECTIONS_PER_USER),
  maxSubscriptionsPerSocket: integerIn(1, WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION),
  concurrency: positiveInteger,
  reconnectBackoff: nested(backoffChecks),
  session: nested<WebSocketClientSessionOptions>({
    welcomeTimeoutMs: SESSION_CHECKS.welcomeTimeoutMs,
    keepaliveMarginRatio: SESSION_CHECKS.keepaliveMarginRatio,
    maxMessageAgeMs: SESSION_CHECKS.maxMessageAgeMs,
    allowedReconnectHosts: SESSION_CHECKS.allowedReconnectHosts,
    WebSocket: SESSION_CHECKS.WebSocket,
    wsOptions: SESSION_CHECKS.wsOptions,
  }),
  dedupe: (value, field) => {
    if (!isRecord(value)) fail(field, 'a DedupeStore or MemoryDedupeStore options', value);
  },
  clock: SESSION_CHECKS.clock,
  metrics: boolean,
  observability: OBSERVABILITY_OPTION_CHECK,
};

/** Checks `options` (before `super()` reads the logger) and the relations between them. */
export function checkWebSocketClientOptions(options: EventSubWebSocketClientOptions): void {
  checkOptions(options, WEBSOCKET_CLIENT_CHECKS);
  if (options.helix === undefined) {
    if (options.clientId === undefined) {
      throw new InvalidArgumentError('clientId is required (or pass helix)', 'clientId');
    }
    if (options.auth === undefined) {
      throw new InvalidArgumentError('pass auth (a provider of user tokens) or helix', 'auth');
    }
  }
  const backoff = options.reconnectBackoff;
  if (backoff?.initialMs !== undefined && backoff.maxMs !== undefined && backoff.maxMs < backoff.initialMs) {
    throw new InvalidArgumentError(
      'reconnectBackoff.maxMs must be at least initialMs',
      'reconnectBackoff.maxMs',
    );
  }
}
