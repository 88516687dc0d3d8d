/**
 * One row per public constructor, method and function of the package's entry points: its parameters, a valid value
 * of each, and the domain of each (test/arguments/domains.ts). Options objects list every key of their interface
 * (`keysOf<T>`): a new option without a domain here does not compile, and a new export or method without a row
 * fails the coverage test (public-calls.test.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AppTokenProvider,
  AutoClient,
  Backoff,
  ConduitInspector,
  type ConduitInspectorOptions,
  Client,
  Conduit,
  ConduitShard,
  EventSubApi,
  EventSubModel,
  EventSubSession,
  FileTokenStore,
  HelixClient,
  HelixHttp,
  HttpAsyncIterator,
  MemoryDedupeStore,
  MemoryTokenStore,
  NotificationConverter,
  OAuthClient,
  PubSubPool,
  PUBSUB_TOPICS,
  RateLimiter,
  RefreshingAuthProvider,
  SHARD_STATUSES,
  StaticAuthProvider,
  Topic,
  TypedEmitter,
  UsersApi,
  ChatApi,
  WhispersApi,
  ModerationApi,
  WebhookReceiver,
  WebSocketClient,
  WebSocketSubscription,
  getCatalogueEntry,
  systemClock,
  whispers,
  type AcquireOptions,
  type ConnectRedisOptions,
  type RedisCallOptions,
  type RedisConnection,
  callRedis,
  connectRedis,
  RedisDedupeStore,
  RedisScript,
  RedisAppTokenStore,
  RedisHelixBudget,
  FleetOwnership,
  redisOwnership,
  type RedisOwnershipOptions,
  type OpenTelemetryExport,
  type OpenTelemetryExportOptions,
  type ObservabilityServerOptions,
  type RateLimitHeaders,
  type RedisAppTokenStoreOptions,
  type RedisHelixBudgetOptions,
  type SharedAppToken,
  type RedisDedupeStoreOptions,
  type AppTokenProviderOptions,
  type AutoClientOptions,
  type BackoffOptions,
  type CallOptions,
  type ClientOptions,
  type EventSubSessionOptions,
  type FetchShardsOptions,
  type HelixClientOptions,
  type HelixHttpOptions,
  type HelixRequest,
  type MemoryDedupeStoreOptions,
  type MultiSubscribeOptions,
  type OAuthClientOptions,
  type PaginationLimits,
  type PaginationOptions,
  type PubSubConnection,
  type PubSubEvents,
  type PubSubPoolOptions,
  type RateLimiterOptions,
  type RefreshingAuthProviderOptions,
  type StaticAuthProviderOptions,
  type TypedEmitterOptions,
  type UpdateShardCountOptions,
  type UpdateShardsOptions,
  type VerifyEventSubMessageInput,
  type WebhookListenOptions,
  type WebhookProcessInput,
  type WebhookReceiverOptions,
  type EventSubWebSocketClientOptions,
  type WebSocketMultiSubscribeOptions,
  type WebSocketSubscribeOptions,
  AutoBot,
  cachedUserResolver,
  type CachedUserResolverOptions,
  type AutoBotOptions,
  Commands,
  codePointLength,
  MAX_CHAT_MESSAGE_LENGTH,
} from '../../src/index.js';
import * as root from '../../src/index.js';
import * as auth from '../../src/auth/index.js';
import * as catalogue from '../../src/catalogue/index.js';
import * as conduitMod from '../../src/eventsub/index.js';
import * as eventsub from '../../src/eventsub/index.js';
import * as webhook from '../../src/eventsub/webhook/index.js';
import * as helix from '../../src/helix/index.js';
import * as pubsub from '../../src/pubsub/index.js';
import * as emulatorMod from '../../src/emulator/index.js';
import * as cli from '../../src/cli/index.js';
import type { Emulator, EmulatorClientOptions } from '../../src/emulator/index.js';
import type { MainOptions } from '../../src/cli/index.js';
import type { GenerateEventOptions } from '../../src/catalogue/examples.js';
import type { SampleOptions } from '../../src/emulator/pubsub/payloads.js';
import { commandSpecs } from './specs-commands.js';
import { testingSpecs } from './specs-testing.js';
import {
  anyValue,
  arrayOf,
  duration,
  finite,
  httpUrl,
  instanceOf,
  integer,
  isArray,
  isBoolean,
  isFunction,
  isNumber,
  isObject,
  isSignal,
  isString,
  never,
  nonEmpty,
  nonNegativeInteger,
  numberIn,
  oneOf,
  optional,
  positiveInteger,
  withMethods,
  wsUrl,
  type Domain,
} from './domains.js';

/** One parameter: its name (the `field` a refusal must name), a valid value, its domain. */
export interface Param {
  readonly name: string;
  readonly valid: () => unknown;
  readonly ok: Domain;
  /** An options or input object: each key is also replaced, one at a time, by wrong values. */
  readonly keys?: Readonly<Record<string, Domain>>;
  /**
   * Untrusted wire data (a frame, an event, a payload): a value the function cannot use may also give the
   * documented `ProtocolError` of malformed data.
   */
  readonly data?: boolean;
}

/** A public call: its parameters and how to make it (`args` in parameter order). */
export interface Row {
  readonly params: readonly Param[];
  readonly call: (args: unknown[]) => unknown;
  /** Releases what a successful call made (an instance, a listener, a timer). */
  readonly dispose?: (result: unknown) => unknown;
  /** The call with every argument valid is not made (it would need a real request and response object). */
  readonly skipValidCall?: string;
}

/** A row that is deliberately not exercised, and why. */
export interface Exempt {
  readonly exempt: string;
}

export interface ClassSpec {
  readonly construct: Row | Exempt;
  /** Every method defined by this class (inherited ones are covered by the class that defines them). */
  readonly methods: Readonly<Record<string, Row | Exempt>>;
  readonly statics?: Readonly<Record<string, Row | Exempt>>;
}

export type Spec = ClassSpec | Row | Exempt;

/** Domains of every key of `T`. */
export type KeyDomains<T> = { readonly [K in keyof T]-?: Domain };

/** Domains of every key of `T`: a key added to `T` without one does not compile. */
export function keysOf<T>(domains: KeyDomains<T>): KeyDomains<T> {
  return domains;
}

const NO_ARGUMENTS: Exempt = { exempt: 'takes no arguments' };
const OWNERSHIP_HOOK: Exempt = {
  exempt: 'an OwnershipStrategy hook: called by the AutoClient, with the shard ids and context it checked',
};
const FLEET_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/** The options of redisOwnership() and FleetOwnership. */
function fleetOptions(): Param {
  return requiredOptions(
    () => ({ redis: OK_REDIS, fleet: 'fleet-1' }),
    keysOf<RedisOwnershipOptions>({
      redis: withMethods('sendCommand'),
      fleet: (v) => typeof v === 'string' && FLEET_NAME.test(v),
      nodeId: optional((v) => typeof v === 'string' && FLEET_NAME.test(v)),
      leaseTtlMs: optional(integer(20, 2 ** 31 - 1)),
      renewEveryMs: optional(integer(5, 2 ** 31 - 1)),
      maxMovesPerRound: optional(integer(0, 20_000)),
      redisTimeoutMs: optional(integer(1, 2 ** 31 - 1)),
      handoverMs: optional(integer(0, 2 ** 31 - 1)),
      ownersRefreshMs: optional(integer(100, 600_000)),
      clock: CLOCK,
      logger: LOGGER,
    }),
  );
}
const PROTECTED: Exempt = { exempt: 'protected: called by the class itself, not by users' };
const hot = (why: string): Exempt => ({
  exempt: `per-message hot path, deliberately left unchecked: ${why}`,
});

/** Everything the rows need: an emulator and instances pointed at it (filled by the test's `beforeAll`). */
export interface Context {
  emu: Emulator;
  opts: EmulatorClientOptions;
  helix: HelixClient;
  auto: AutoClient;
  ws: WebSocketClient;
  receiver: WebhookReceiver;
  pubsubEvents: TypedEmitter<PubSubEvents>;
  pool: PubSubPool;
  connection: PubSubConnection;
  userToken: string;
  refreshToken: string;
  tmp: string;
}

const SECRET = 'a-webhook-secret';
/** `JSON.stringify` as it behaves: `undefined` for a symbol or a function. */
const stringify: (value: unknown) => string | undefined = JSON.stringify;
const TOKEN = 'token123';
const entry = (): unknown => getCatalogueEntry('stream.online', '1');
const wireCondition = (): unknown => ({ broadcaster_user_id: '1337' });
const sink = (): { write: () => boolean } => ({ write: () => true });
const closeIt = async (result: unknown): Promise<void> => {
  const close = (result as { close?: unknown } | null)?.close;
  if (typeof close === 'function') await (close as () => unknown).call(result);
};

const DIGITS = /^[0-9]{1,20}$/;
/** A channel of AutoBot.join/leave: a broadcaster id, `{ id }` or `{ login }`. */
const channelRef: Domain = (value) => {
  if (typeof value === 'string') return value !== '';
  if (typeof value !== 'object' || value === null) return false;
  if ('id' in value) return nonEmpty(value.id);
  return 'login' in value && nonEmpty(value.login);
};
/** A chat message's text: non-blank, at most 500 code points. */
const chatText: Domain = (value) =>
  typeof value === 'string' && value.trim() !== '' && codePointLength(value) <= MAX_CHAT_MESSAGE_LENGTH;
/** A PubSub token as the builders take it: non-empty, no whitespace, optionally `oauth:`-prefixed. */
const topicToken: Domain = (value) => {
  if (typeof value !== 'string') return false;
  const bare = value.startsWith('oauth:') ? value.slice(6) : value;
  return bare !== '' && !/\s/.test(bare);
};
/** A PubSub id: a digit string, a safe non-negative integer or a non-negative bigint. */
const topicId: Domain = (value) =>
  (typeof value === 'string' && DIGITS.test(value)) ||
  (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
  (typeof value === 'bigint' && value >= 0n);
const webhookSecret: Domain = (value) =>
  typeof value === 'string' && value.length >= 10 && value.length <= 100 && /^[\x20-\x7e]+$/.test(value);
const shardNumber = integer(0, 19_999);
const nonEmptyArrayOf =
  (item: Domain): Domain =>
  (value) =>
    arrayOf(item)(value) && (value as unknown[]).length > 0;
const iterableObject: Domain = (value) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
const jsonBody: Domain = (value) => {
  if (value === undefined) return true;
  try {
    return stringify(value) !== undefined;
  } catch {
    return false;
  }
};
const headersObject: Domain = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const rawBody: Domain = (value) => typeof value === 'string' || value instanceof Uint8Array;
const authContext: Domain = (value) =>
  isObject(value) &&
  ((value as { kind?: unknown }).kind === 'app' ||
    ((value as { kind?: unknown }).kind === 'user' && nonEmpty((value as { userId?: unknown }).userId)));

// ---- shared key tables ------------------------------------------------------------------------------------------

/** A moderation call's channel and moderator (helix.moderation). */
const MODERATOR_TARGET = { broadcasterId: '1337', moderatorId: '1337' } as const;
const MODERATOR_TARGET_KEYS = { broadcasterId: nonEmpty, moderatorId: nonEmpty };
const ROLE_FILTER_KEYS = {
  broadcasterId: nonEmpty,
  userIds: optional((v) => arrayOf(nonEmpty)(v) && (v as unknown[]).length <= 100),
};
/** A ban reason: a string of at most 500 code points. */
const banReason: Domain = (v) => typeof v === 'string' && helix.codePointLength(v) <= 500;

const CALL_KEYS = keysOf<CallOptions>({ auth: optional(isObject), signal: optional(isSignal) });
const PAGINATION_KEYS = keysOf<PaginationOptions>({
  first: optional(positiveInteger),
  maxResults: optional((v) => v === Infinity || nonNegativeInteger(v)),
  after: optional(isString),
});
const SHARD_LIST_KEYS = keysOf<FetchShardsOptions>({
  ...CALL_KEYS,
  ...PAGINATION_KEYS,
  status: optional(oneOf(SHARD_STATUSES)),
});
const LISTEN_KEYS = keysOf<WebhookListenOptions>({
  port: optional(integer(0, 65_535)),
  host: optional((v) => typeof v === 'string' && /^[\x21-\x7e]{1,253}$/.test(v)),
});
const HELIX_HTTP_KEYS = keysOf<HelixHttpOptions>({
  clientId: nonEmpty,
  auth: withMethods('getAccessToken', 'renewAfterUnauthorized'),
  helixUrl: httpUrl,
  fetch: optional(isFunction),
  timeoutMs: optional(duration()),
  maxRetries: optional(nonNegativeInteger),
  maxRateLimitWaits: optional(nonNegativeInteger),
  maxRateLimitWaitMs: optional(duration()),
  concurrency: optional(positiveInteger),
  retryBackoff: optional(isObject),
  logger: optional(withMethods('debug', 'info', 'warn', 'error')),
  clock: optional(withMethods('now', 'setTimeout', 'clearTimeout')),
  budget: optional(withMethods('take', 'observe')),
  metrics: optional(isBoolean),
});
const LOGGER = optional(withMethods('debug', 'info', 'warn', 'error'));
const CLOCK = optional(withMethods('now', 'setTimeout', 'clearTimeout'));

/** An options object, optional unless `ok` says otherwise (`isObject` for a required one). */
function options(
  valid: () => Record<string, unknown>,
  keys: Readonly<Record<string, Domain>>,
  name = 'options',
  ok: Domain = optional(isObject),
): Param {
  return { name, valid, ok, keys };
}

/** A required options object. */
function requiredOptions(
  valid: () => Record<string, unknown>,
  keys: Readonly<Record<string, Domain>>,
  name = 'options',
): Param {
  return options(valid, keys, name, isObject);
}

/** The rows: every export of every entry point that is a class or a function (errors aside). */
export function specs(ctx: Context): Readonly<Record<string, Spec>> {
  // The bot of the AutoBot and BotChannel rows: never started, sharing the context's Helix client (nothing to close).
  const botOptions = (): Record<string, unknown> => ({
    clientId: ctx.opts.clientId,
    helixUrl: ctx.opts.helixUrl,
    oauthUrl: ctx.opts.oauthUrl,
    botId: '1337',
    auth: new StaticAuthProvider({ clientId: ctx.opts.clientId, userTokens: { '1337': ctx.userToken } }),
  });
  let bot: AutoBot | undefined;
  const theBot = (): AutoBot =>
    (bot ??= new AutoBot({
      ...(botOptions() as unknown as AutoBotOptions),
      eventSubWsUrl: ctx.opts.eventSubWsUrl,
      helix: ctx.helix,
    }));
  const emulatorOptions = (): Record<string, unknown> => ({
    clientId: ctx.opts.clientId,
    clientSecret: ctx.opts.clientSecret,
    helixUrl: ctx.opts.helixUrl,
    oauthUrl: ctx.opts.oauthUrl,
  });
  const signalParam: Param = { name: 'signal', valid: () => undefined, ok: optional(isSignal) };
  const callOptions = (): Param => options(() => ({}), CALL_KEYS);
  const emitterMethods = (): Readonly<Record<string, Row | Exempt>> => {
    const target = new TypedEmitter<Record<string, unknown[]>>();
    const listener: Param = { name: 'listener', valid: () => () => undefined, ok: isFunction };
    const event: Param = { name: 'event', valid: () => 'x', ok: isString };
    return {
      on: { params: [event, listener], call: ([e, l]) => target.on(e as string, l as () => void) },
      once: { params: [event, listener], call: ([e, l]) => target.once(e as string, l as () => void) },
      off: { params: [event, listener], call: ([e, l]) => target.off(e as string, l as () => void) },
      removeAllListeners: {
        params: [{ name: 'event', valid: () => 'x', ok: optional(isString) }],
        call: ([e]) => target.removeAllListeners(e as string),
      },
      listenerCount: hot('node:events counts any key'),
      hasListeners: hot('guards every dispatch'),
      emit: hot('every dispatch; node:events semantics (an unheard `error` is thrown)'),
      listenerFailed: PROTECTED,
    };
  };

  return {
    // ---- core ---------------------------------------------------------------------------------------------------
    TypedEmitter: {
      construct: {
        params: [options(() => ({}), keysOf<TypedEmitterOptions>({ logger: LOGGER }))],
        call: ([o]) => new TypedEmitter(o as TypedEmitterOptions),
      },
      methods: emitterMethods(),
    },
    Backoff: {
      construct: {
        params: [
          options(
            () => ({}),
            keysOf<BackoffOptions>({
              initialMs: optional(duration()),
              maxMs: optional(duration()),
              factor: optional(numberIn(1, Number.MAX_VALUE)),
              jitter: optional(oneOf(['full', 'decorrelated'])),
              random: optional(isFunction),
            }),
          ),
        ],
        call: ([o]) => new Backoff(o as BackoffOptions),
      },
      methods: { next: NO_ARGUMENTS, reset: NO_ARGUMENTS },
    },
    systemClock: {
      construct: { exempt: 'an object, not a class' },
      methods: {
        now: NO_ARGUMENTS,
        setTimeout: {
          params: [
            { name: 'fn', valid: () => () => undefined, ok: isFunction },
            { name: 'ms', valid: () => 1, ok: isNumber },
            { name: 'options', valid: () => undefined, ok: anyValue },
          ],
          call: ([fn, ms, o]) =>
            systemClock.setTimeout(fn as () => void, ms as number, o as { ref?: boolean }),
          dispose: (handle) => {
            systemClock.clearTimeout(handle as NodeJS.Timeout);
          },
        },
        clearTimeout: {
          params: [{ name: 'handle', valid: () => undefined, ok: anyValue }],
          call: ([h]) => {
            systemClock.clearTimeout(h as NodeJS.Timeout);
          },
        },
      },
    },
    silentLogger: {
      construct: { exempt: 'an object, not a class' },
      methods: {
        debug: { exempt: 'discards anything' },
        info: { exempt: 'discards anything' },
        warn: { exempt: 'discards anything' },
        error: { exempt: 'discards anything' },
      },
    },
    MemoryDedupeStore: {
      construct: {
        params: [
          options(
            () => ({}),
            keysOf<MemoryDedupeStoreOptions>({
              windowMs: optional(integer(1, 2 ** 31 - 1)),
              maxEntries: optional(integer(1, 2 ** 24)),
            }),
          ),
        ],
        call: ([o]) => new MemoryDedupeStore(o as MemoryDedupeStoreOptions),
      },
      methods: {
        add: hot('one call per message id'),
        has: hot('one call per message id'),
        clear: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },

    // ---- auth ---------------------------------------------------------------------------------------------------
    OAuthClient: {
      construct: {
        params: [
          requiredOptions(
            () => ({
              clientId: ctx.opts.clientId,
              clientSecret: ctx.opts.clientSecret,
              oauthUrl: ctx.opts.oauthUrl,
            }),
            keysOf<OAuthClientOptions>({
              clientId: nonEmpty,
              clientSecret: optional(isString),
              oauthUrl: httpUrl,
              fetch: optional(isFunction),
              timeoutMs: optional(duration()),
              maxRetries: optional(nonNegativeInteger),
              clock: CLOCK,
            }),
          ),
        ],
        call: ([o]) => new OAuthClient(o as OAuthClientOptions),
        dispose: closeIt,
      },
      methods: {
        clientCredentials: {
          params: [signalParam],
          call: ([s]) => ctx.helix.oauth.clientCredentials(s as AbortSignal),
        },
        exchangeCode: {
          params: [
            { name: 'code', valid: () => 'code', ok: nonEmpty },
            { name: 'redirectUri', valid: () => 'http://localhost/cb', ok: nonEmpty },
            signalParam,
          ],
          call: ([c, r, s]) => ctx.helix.oauth.exchangeCode(c as string, r as string, s as AbortSignal),
        },
        refresh: {
          params: [{ name: 'refreshToken', valid: () => ctx.refreshToken, ok: nonEmpty }, signalParam],
          call: ([t, s]) => ctx.helix.oauth.refresh(t as string, s as AbortSignal),
        },
        validate: {
          params: [{ name: 'accessToken', valid: () => ctx.userToken, ok: nonEmpty }, signalParam],
          call: ([t, s]) => ctx.helix.oauth.validate(t as string, s as AbortSignal),
        },
        revoke: {
          params: [{ name: 'token', valid: () => 'not-a-token', ok: nonEmpty }, signalParam],
          call: ([t, s]) => ctx.helix.oauth.revoke(t as string, s as AbortSignal),
        },
        close: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    AppTokenProvider: {
      construct: {
        params: [
          requiredOptions(
            () => ({
              clientId: ctx.opts.clientId,
              clientSecret: ctx.opts.clientSecret,
              oauthUrl: ctx.opts.oauthUrl,
            }),
            keysOf<AppTokenProviderOptions>({
              clientId: nonEmpty,
              clientSecret: isString,
              oauthUrl: httpUrl,
              fetch: optional(isFunction),
              clock: CLOCK,
              logger: LOGGER,
              renewBeforeMs: optional(duration(0)),
              oauth: optional(instanceOf(OAuthClient)),
              store: optional(withMethods('load', 'lock', 'save', 'unlock')),
              lockTtlMs: optional(duration()),
              onStoreError: optional(isFunction),
            }),
          ),
        ],
        call: ([o]) => new AppTokenProvider(o as AppTokenProviderOptions),
        dispose: closeIt,
      },
      methods: {
        getAccessToken: {
          params: [{ name: 'context', valid: () => ({ kind: 'app' }), ok: authContext }, signalParam],
          call: ([c, s]) => appProvider(ctx).getAccessToken(c as never, s as AbortSignal),
        },
        renewAfterUnauthorized: {
          params: [
            { name: 'context', valid: () => ({ kind: 'app' }), ok: authContext },
            { name: 'rejected', valid: () => 'old', ok: isString },
            signalParam,
          ],
          call: ([c, r, s]) =>
            appProvider(ctx).renewAfterUnauthorized(c as never, r as string, s as AbortSignal),
        },
        getScopes: NO_ARGUMENTS,
        invalidate: NO_ARGUMENTS,
        close: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    StaticAuthProvider: {
      construct: {
        params: [
          requiredOptions(
            () => ({ clientId: 'client', appToken: TOKEN }),
            keysOf<StaticAuthProviderOptions>({
              clientId: nonEmpty,
              appToken: optional(nonEmpty),
              userTokens: optional(isObject),
            }),
          ),
        ],
        call: ([o]) => new StaticAuthProvider(o as StaticAuthProviderOptions),
      },
      methods: {
        getAccessToken: {
          params: [{ name: 'context', valid: () => ({ kind: 'app' }), ok: authContext }],
          call: ([c]) =>
            new StaticAuthProvider({ clientId: 'client', appToken: TOKEN }).getAccessToken(c as never),
        },
        renewAfterUnauthorized: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    RefreshingAuthProvider: {
      construct: {
        params: [
          requiredOptions(
            () => ({
              clientId: ctx.opts.clientId,
              clientSecret: ctx.opts.clientSecret,
              oauthUrl: ctx.opts.oauthUrl,
            }),
            keysOf<RefreshingAuthProviderOptions>({
              clientId: nonEmpty,
              clientSecret: optional(isString),
              oauthUrl: httpUrl,
              fetch: optional(isFunction),
              store: optional(withMethods('load', 'save', 'remove')),
              clock: CLOCK,
              logger: LOGGER,
              validateIntervalMs: optional(integer(1, 2 ** 31 - 1)),
              refreshBeforeMs: optional(duration(0)),
            }),
          ),
        ],
        call: ([o]) => new RefreshingAuthProvider(o as RefreshingAuthProviderOptions),
        dispose: closeIt,
      },
      methods: {
        addUser: {
          params: [
            {
              name: 'input',
              valid: () => ({ accessToken: ctx.userToken }),
              ok: isObject,
              keys: {
                accessToken: nonEmpty,
                refreshToken: (v) => v === undefined || v === null || nonEmpty(v),
              },
            },
            signalParam,
          ],
          call: ([i, s]) => refreshing(ctx).addUser(i as never, s as AbortSignal),
        },
        loadFromStore: NO_ARGUMENTS,
        removeUser: {
          params: [{ name: 'userId', valid: () => '42', ok: nonEmpty }],
          call: ([u]) => refreshing(ctx).removeUser(u as string),
        },
        getUser: {
          params: [{ name: 'userId', valid: () => '42', ok: nonEmpty }],
          call: ([u]) => refreshing(ctx).getUser(u as string),
        },
        userIds: NO_ARGUMENTS,
        getScopes: {
          params: [{ name: 'context', valid: () => ({ kind: 'app' }), ok: authContext }],
          call: ([c]) => refreshing(ctx).getScopes(c as never),
        },
        getAccessToken: {
          params: [{ name: 'context', valid: () => ({ kind: 'app' }), ok: authContext }, signalParam],
          call: ([c, s]) => refreshing(ctx).getAccessToken(c as never, s as AbortSignal),
        },
        renewAfterUnauthorized: {
          params: [
            { name: 'context', valid: () => ({ kind: 'app' }), ok: authContext },
            { name: 'rejected', valid: () => 'old', ok: isString },
            signalParam,
          ],
          call: ([c, r, s]) =>
            refreshing(ctx).renewAfterUnauthorized(c as never, r as string, s as AbortSignal),
        },
        validateAll: { params: [signalParam], call: ([s]) => refreshing(ctx).validateAll(s as AbortSignal) },
        close: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    MemoryTokenStore: {
      construct: { params: [], call: () => new MemoryTokenStore() },
      methods: {
        load: NO_ARGUMENTS,
        save: {
          params: [storedToken()],
          call: ([t]) => new MemoryTokenStore().save(t as never),
        },
        remove: {
          params: [{ name: 'userId', valid: () => '42', ok: nonEmpty }],
          call: ([u]) => new MemoryTokenStore().remove(u as string),
        },
        toJSON: NO_ARGUMENTS,
      },
    },
    FileTokenStore: {
      construct: {
        params: [
          {
            name: 'path',
            valid: () => path.join(ctx.tmp, 'tokens.json'),
            ok: (v) => nonEmpty(v) && !(v as string).includes('\0'),
          },
        ],
        call: ([p]) => new FileTokenStore(p as string),
      },
      methods: {
        load: NO_ARGUMENTS,
        save: {
          params: [storedToken()],
          call: ([t]) => new FileTokenStore(path.join(ctx.tmp, 'save.json')).save(t as never),
        },
        remove: {
          params: [{ name: 'userId', valid: () => '42', ok: nonEmpty }],
          call: ([u]) => new FileTokenStore(path.join(ctx.tmp, 'remove.json')).remove(u as string),
        },
        toJSON: NO_ARGUMENTS,
      },
    },
    requiredScopes: {
      params: [
        { name: 'type', valid: () => 'channel.follow', ok: isString },
        { name: 'version', valid: () => '2', ok: isString },
      ],
      call: ([t, v]) => requiredScopesOf(t, v),
    },
    scopesMissingFor: {
      params: [
        { name: 'type', valid: () => 'channel.follow', ok: isString },
        { name: 'version', valid: () => '2', ok: isString },
        { name: 'scopes', valid: () => [], ok: iterableObject },
      ],
      call: ([t, v, s]) => auth.scopesMissingFor(t as string, v as string, s as string[]),
    },
    assertScopesFor: {
      params: [
        { name: 'type', valid: () => 'stream.online', ok: isString },
        { name: 'version', valid: () => '1', ok: isString },
        { name: 'scopes', valid: () => [], ok: iterableObject },
        { name: 'userId', valid: () => null, ok: (v) => v === null || isString(v) },
      ],
      call: ([t, v, s, u]) => {
        auth.assertScopesFor(t as string, v as string, s as string[], u as string | null);
      },
    },

    // ---- helix --------------------------------------------------------------------------------------------------
    HelixClient: {
      construct: {
        params: [
          requiredOptions(
            emulatorOptions,
            keysOf<HelixClientOptions>({
              ...HELIX_HTTP_KEYS,
              auth: optional(withMethods('getAccessToken', 'renewAfterUnauthorized')),
              clientSecret: optional(isString),
              oauthUrl: httpUrl,
            }),
          ),
        ],
        call: ([o]) => new HelixClient(o as HelixClientOptions),
        dispose: closeIt,
      },
      methods: {
        close: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
        metrics: NO_ARGUMENTS,
        health: NO_ARGUMENTS,
        view: NO_ARGUMENTS,
      },
    },
    HelixHttp: {
      construct: {
        params: [
          requiredOptions(
            () => ({ clientId: ctx.opts.clientId, auth: ctx.helix.http.auth, helixUrl: ctx.opts.helixUrl }),
            HELIX_HTTP_KEYS,
          ),
        ],
        call: ([o]) => new HelixHttp(o as HelixHttpOptions),
        dispose: closeIt,
      },
      methods: {
        rateLimitState: {
          params: [{ name: 'auth', valid: () => undefined, ok: optional(isObject) }],
          call: ([a]) => ctx.helix.http.rateLimitState(a as never),
        },
        close: NO_ARGUMENTS,
        metrics: NO_ARGUMENTS,
        health: NO_ARGUMENTS,
        recentErrors: NO_ARGUMENTS,
        request: {
          params: [
            requiredOptions(
              () => ({ method: 'GET', path: '/users', query: { id: '1337' } }),
              keysOf<HelixRequest>({
                method: oneOf(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
                path: (v) => typeof v === 'string' && v.startsWith('/'),
                query: optional(isObject),
                body: jsonBody,
                auth: optional(isObject),
                signal: optional(isSignal),
                timeoutMs: optional(duration()),
                idempotent: optional(isBoolean),
                decode: optional(isFunction),
              }),
              'req',
            ),
          ],
          call: ([r]) => ctx.helix.http.request(r as HelixRequest),
        },
      },
    },
    EventSubApi: {
      construct: {
        params: [{ name: 'http', valid: () => ctx.helix.http, ok: instanceOf(HelixHttp) }],
        call: ([h]) => new EventSubApi(h as HelixHttp),
      },
      methods: {
        getConduits: {
          params: [callOptions()],
          call: ([o]) => ctx.helix.eventSub.getConduits(o as CallOptions),
        },
        createConduit: {
          params: [
            {
              name: 'input',
              valid: () => ({ shardCount: 1 }),
              ok: isObject,
              keys: { shardCount: integer(1, 20_000) },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.eventSub.createConduit(i as never, o as CallOptions),
        },
        updateConduit: {
          params: [
            {
              name: 'input',
              valid: () => ({ id: 'missing', shardCount: 1 }),
              ok: isObject,
              keys: { id: nonEmpty, shardCount: integer(1, 20_000) },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.eventSub.updateConduit(i as never, o as CallOptions),
        },
        deleteConduit: {
          params: [{ name: 'id', valid: () => 'missing', ok: nonEmpty }, callOptions()],
          call: ([i, o]) => ctx.helix.eventSub.deleteConduit(i as string, o as CallOptions),
        },
        getConduitShards: {
          params: [
            { name: 'conduitId', valid: () => 'missing', ok: nonEmpty },
            options(() => ({}), SHARD_LIST_KEYS),
          ],
          call: ([c, o]) => ctx.helix.eventSub.getConduitShards(c as string, o as never),
        },
        updateConduitShards: {
          params: [
            { name: 'conduitId', valid: () => 'missing', ok: nonEmpty },
            { name: 'shards', valid: () => [], ok: isArray },
            options(
              () => ({}),
              keysOf<UpdateShardsOptions>({
                ...CALL_KEYS,
                chunkSize: optional(positiveInteger),
                parallel: optional(positiveInteger),
              }),
            ),
          ],
          call: ([c, s, o]) => ctx.helix.eventSub.updateConduitShards(c as string, s as never, o as never),
        },
        createSubscription: {
          params: [
            {
              name: 'input',
              valid: () => ({
                type: 'stream.online',
                version: '1',
                condition: wireCondition(),
                transport: { method: 'conduit', conduitId: 'missing' },
              }),
              ok: isObject,
              keys: { type: nonEmpty, version: nonEmpty, condition: isObject, transport: isObject },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.eventSub.createSubscription(i as never, o as CallOptions),
        },
        deleteSubscription: {
          params: [{ name: 'id', valid: () => 'missing', ok: nonEmpty }, callOptions()],
          call: ([i, o]) => ctx.helix.eventSub.deleteSubscription(i as string, o as CallOptions),
        },
        getSubscriptions: {
          params: [
            {
              name: 'filter',
              valid: () => ({}),
              ok: optional(isObject),
              keys: {
                status: optional(isString),
                type: optional(nonEmpty),
                userId: optional(nonEmpty),
                subscriptionId: optional(nonEmpty),
              },
            },
            options(() => ({}), { ...CALL_KEYS, ...PAGINATION_KEYS }),
          ],
          call: ([f, o]) => ctx.helix.eventSub.getSubscriptions(f as never, o as never),
        },
        getSubscriptionTotals: {
          params: [callOptions()],
          call: ([o]) => ctx.helix.eventSub.getSubscriptionTotals(o as CallOptions),
        },
      },
    },
    UsersApi: {
      construct: {
        params: [{ name: 'http', valid: () => ctx.helix.http, ok: instanceOf(HelixHttp) }],
        call: ([h]) => new UsersApi(h as HelixHttp),
      },
      methods: {
        getUsers: {
          params: [
            {
              name: 'input',
              valid: () => ({ ids: ['1337'] }),
              ok: optional(isObject),
              keys: { ids: optional(isArray), logins: optional(isArray) },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.users.getUsers(i as never, o as CallOptions),
        },
        getUserById: {
          params: [{ name: 'id', valid: () => '1337', ok: nonEmpty }, callOptions()],
          call: ([i, o]) => ctx.helix.users.getUserById(i as string, o as CallOptions),
        },
      },
    },
    ChatApi: {
      construct: {
        params: [{ name: 'http', valid: () => ctx.helix.http, ok: instanceOf(HelixHttp) }],
        call: ([h]) => new ChatApi(h as HelixHttp),
      },
      methods: {
        sendChatMessage: {
          params: [
            {
              name: 'input',
              valid: () => ({ broadcasterId: '1337', senderId: '1337', message: 'hi' }),
              ok: isObject,
              keys: {
                broadcasterId: nonEmpty,
                senderId: nonEmpty,
                message: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 500,
                replyParentMessageId: optional(nonEmpty),
                forSourceOnly: optional(isBoolean),
              },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.chat.sendChatMessage(i as never, o as CallOptions),
        },
        getChatSettings: {
          params: [
            {
              name: 'input',
              valid: () => ({ broadcasterId: '1337' }),
              ok: isObject,
              keys: { broadcasterId: nonEmpty, moderatorId: optional(nonEmpty) },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.chat.getChatSettings(i as never, o as CallOptions),
        },
        updateChatSettings: {
          params: [
            {
              name: 'input',
              valid: () => ({ broadcasterId: '1337', moderatorId: '1337', emoteMode: true }),
              ok: isObject,
              keys: {
                broadcasterId: nonEmpty,
                moderatorId: nonEmpty,
                emoteMode: optional(isBoolean),
                followerMode: optional(isBoolean),
                followerModeDurationMinutes: optional(integer(0, 129_600)),
                nonModeratorChatDelay: optional(isBoolean),
                nonModeratorChatDelayDurationSeconds: optional(oneOf([2, 4, 6])),
                slowMode: optional(isBoolean),
                slowModeWaitTimeSeconds: optional(integer(3, 120)),
                subscriberMode: optional(isBoolean),
                uniqueChatMode: optional(isBoolean),
              },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.chat.updateChatSettings(i as never, o as CallOptions),
        },
        sendAnnouncement: {
          params: [
            {
              name: 'input',
              valid: () => ({ broadcasterId: '1337', moderatorId: '1337', message: 'hi' }),
              ok: isObject,
              keys: {
                broadcasterId: nonEmpty,
                moderatorId: nonEmpty,
                message: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 500,
                color: optional(oneOf(['primary', 'blue', 'green', 'orange', 'purple'])),
              },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.chat.sendAnnouncement(i as never, o as CallOptions),
        },
        sendShoutout: {
          params: [
            {
              name: 'input',
              valid: () => ({ fromBroadcasterId: '1337', toBroadcasterId: '4242', moderatorId: '1337' }),
              ok: isObject,
              keys: { fromBroadcasterId: nonEmpty, toBroadcasterId: nonEmpty, moderatorId: nonEmpty },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.chat.sendShoutout(i as never, o as CallOptions),
        },
        getUserChatColors: {
          params: [
            {
              name: 'userIds',
              valid: () => ['1337'],
              ok: (v) => Array.isArray(v) && v.length >= 1 && v.length <= 100 && v.every(nonEmpty),
            },
            callOptions(),
          ],
          call: ([u, o]) => ctx.helix.chat.getUserChatColors(u as string[], o as CallOptions),
        },
        updateUserChatColor: {
          params: [
            {
              name: 'input',
              valid: () => ({ userId: '1337', color: 'blue' }),
              ok: isObject,
              keys: {
                userId: nonEmpty,
                color: (v) =>
                  typeof v === 'string' &&
                  (/^#[0-9A-Fa-f]{6}$/.test(v) || Object.hasOwn(helix.NAMED_CHAT_COLORS, v)),
              },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.chat.updateUserChatColor(i as never, o as CallOptions),
        },
      },
    },
    WhispersApi: {
      construct: {
        params: [{ name: 'http', valid: () => ctx.helix.http, ok: instanceOf(HelixHttp) }],
        call: ([h]) => new WhispersApi(h as HelixHttp),
      },
      methods: {
        sendWhisper: {
          params: [
            {
              name: 'input',
              valid: () => ({ fromUserId: '1337', toUserId: '4242', message: 'hi' }),
              ok: isObject,
              keys: {
                fromUserId: nonEmpty,
                toUserId: nonEmpty,
                message: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 10_000,
              },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.whispers.sendWhisper(i as never, o as CallOptions),
        },
      },
    },
    ModerationApi: {
      construct: {
        params: [{ name: 'http', valid: () => ctx.helix.http, ok: instanceOf(HelixHttp) }],
        call: ([h]) => new ModerationApi(h as HelixHttp),
      },
      methods: {
        banUser: {
          params: [
            {
              name: 'input',
              valid: () => ({ ...MODERATOR_TARGET, userId: '1' }),
              ok: isObject,
              keys: { ...MODERATOR_TARGET_KEYS, userId: nonEmpty, reason: optional(banReason) },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.moderation.banUser(i as never, o as CallOptions),
        },
        timeoutUser: {
          params: [
            {
              name: 'input',
              valid: () => ({ ...MODERATOR_TARGET, userId: '1', durationSeconds: 60 }),
              ok: isObject,
              keys: {
                ...MODERATOR_TARGET_KEYS,
                userId: nonEmpty,
                durationSeconds: integer(1, 1_209_600),
                reason: optional(banReason),
              },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.moderation.timeoutUser(i as never, o as CallOptions),
        },
        unbanUser: {
          params: [
            {
              name: 'input',
              valid: () => ({ ...MODERATOR_TARGET, userId: '1' }),
              ok: isObject,
              keys: { ...MODERATOR_TARGET_KEYS, userId: nonEmpty },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.moderation.unbanUser(i as never, o as CallOptions),
        },
        deleteChatMessage: {
          params: [
            {
              name: 'input',
              valid: () => ({ ...MODERATOR_TARGET, messageId: 'm-1' }),
              ok: isObject,
              keys: { ...MODERATOR_TARGET_KEYS, messageId: nonEmpty },
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.moderation.deleteChatMessage(i as never, o as CallOptions),
        },
        clearChat: {
          params: [
            {
              name: 'input',
              valid: () => ({ ...MODERATOR_TARGET }),
              ok: isObject,
              keys: MODERATOR_TARGET_KEYS,
            },
            callOptions(),
          ],
          call: ([i, o]) => ctx.helix.moderation.clearChat(i as never, o as CallOptions),
        },
        getChatters: {
          params: [
            {
              name: 'input',
              valid: () => ({ ...MODERATOR_TARGET }),
              ok: isObject,
              keys: MODERATOR_TARGET_KEYS,
            },
            options(() => ({}), { ...CALL_KEYS, ...PAGINATION_KEYS }),
          ],
          call: ([i, o]) => ctx.helix.moderation.getChatters(i as never, o as never).toArray(),
        },
        getModerators: {
          params: [
            { name: 'input', valid: () => ({ broadcasterId: '1337' }), ok: isObject, keys: ROLE_FILTER_KEYS },
            options(() => ({}), { ...CALL_KEYS, ...PAGINATION_KEYS }),
          ],
          call: ([i, o]) => ctx.helix.moderation.getModerators(i as never, o as never).toArray(),
        },
        getVips: {
          params: [
            { name: 'input', valid: () => ({ broadcasterId: '1337' }), ok: isObject, keys: ROLE_FILTER_KEYS },
            options(() => ({}), { ...CALL_KEYS, ...PAGINATION_KEYS }),
          ],
          call: ([i, o]) => ctx.helix.moderation.getVips(i as never, o as never).toArray(),
        },
        ...Object.fromEntries(
          (['addModerator', 'removeModerator', 'addVip', 'removeVip'] as const).map((method) => [
            method,
            {
              params: [
                {
                  name: 'input',
                  valid: () => ({ broadcasterId: '1337', userId: '1' }),
                  ok: isObject,
                  keys: { broadcasterId: nonEmpty, userId: nonEmpty },
                },
                callOptions(),
              ],
              call: ([i, o]: unknown[]) => ctx.helix.moderation[method](i as never, o as CallOptions),
            },
          ]),
        ),
      },
    },
    codePointLength: {
      params: [{ name: 'text', valid: () => 'hello', ok: isString }],
      call: ([t]) => helix.codePointLength(t as string),
    },
    callRedis: {
      params: [
        { name: 'redis', valid: () => OK_REDIS, ok: withMethods('sendCommand') },
        {
          name: 'args',
          valid: () => ['PING'],
          ok: (v) => arrayOf(isString)(v) && (v as unknown[]).length > 0,
        },
        requiredOptions(
          () => ({ timeoutMs: 1000 }),
          keysOf<RedisCallOptions>({
            timeoutMs: duration(),
            clock: optional(withMethods('now', 'setTimeout', 'clearTimeout')),
          }),
        ),
      ],
      call: ([r, a, o]) => callRedis(r as RedisConnection, a as string[], o as RedisCallOptions),
    },
    connectRedis: {
      params: [
        {
          name: 'url',
          valid: () => 'redis://127.0.0.1:1',
          ok: (v) => {
            try {
              return typeof v === 'string' && ['redis:', 'rediss:', 'unix:'].includes(new URL(v).protocol);
            } catch {
              return false;
            }
          },
        },
        options(
          () => ({}),
          keysOf<ConnectRedisOptions>({
            connectTimeoutMs: optional(duration()),
            closeTimeoutMs: optional(duration()),
            maxPendingCommands: optional(integer(16, 2 ** 31 - 1)),
          }),
        ),
      ],
      call: ([u, o]) => connectRedis(u as string, o as ConnectRedisOptions),
      skipValidCall: 'connects to a Redis server (tested in test/fleet/redis.test.ts)',
    },
    RedisScript: {
      construct: {
        params: [{ name: 'source', valid: () => 'return 1', ok: nonEmpty }],
        call: ([s]) => new RedisScript(s as string),
      },
      methods: {
        run: {
          params: [
            { name: 'redis', valid: () => OK_REDIS, ok: withMethods('sendCommand') },
            { name: 'keys', valid: () => [], ok: arrayOf(isString) },
            { name: 'args', valid: () => [], ok: arrayOf(isString) },
            requiredOptions(
              () => ({ timeoutMs: 1000 }),
              keysOf<RedisCallOptions>({
                timeoutMs: duration(),
                clock: optional(withMethods('now', 'setTimeout', 'clearTimeout')),
              }),
            ),
          ],
          call: ([r, k, a, o]) =>
            new RedisScript('return 1').run(
              r as RedisConnection,
              k as string[],
              a as string[],
              o as RedisCallOptions,
            ),
        },
      },
    },
    RedisDedupeStore: {
      construct: {
        params: [
          requiredOptions(
            () => ({ redis: OK_REDIS, fleet: 'fleet-1' }),
            keysOf<RedisDedupeStoreOptions>({
              redis: withMethods('sendCommand'),
              fleet: (v) => typeof v === 'string' && FLEET_NAME.test(v),
              windowMs: optional(integer(1, 2 ** 31 - 1)),
              maxBatch: optional(integer(1, 10_000)),
              flushDelayMs: optional(integer(0, 1_000)),
              redisTimeoutMs: optional(integer(1, 2 ** 31 - 1)),
              retryAfterMs: optional(integer(0, 2 ** 31 - 1)),
              failurePolicy: optional(oneOf(['local', 'strict'])),
              localMaxEntries: optional(integer(1, 2 ** 24)),
              clock: CLOCK,
              logger: LOGGER,
            }),
          ),
        ],
        call: ([o]) => new RedisDedupeStore(o as RedisDedupeStoreOptions),
      },
      methods: {
        add: hot('one call per message id'),
        has: hot('one call per message id'),
        keyOf: {
          params: [{ name: 'id', valid: () => 'message-1', ok: isString }],
          call: ([i]) => new RedisDedupeStore({ redis: OK_REDIS, fleet: 'fleet-1' }).keyOf(i as string),
        },
        flush: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    RateLimiter: {
      construct: {
        params: [
          requiredOptions(
            () => ({ clock: systemClock, concurrency: 1 }),
            keysOf<RateLimiterOptions>({
              clock: withMethods('now', 'setTimeout', 'clearTimeout'),
              concurrency: positiveInteger,
              reserve: optional(nonNegativeInteger),
              pruneAbove: optional(positiveInteger),
              maxWaitMs: optional(duration()),
            }),
          ),
        ],
        call: ([o]) => new RateLimiter(o as RateLimiterOptions),
      },
      methods: {
        state: {
          params: [{ name: 'bucket', valid: () => 'app', ok: anyValue }],
          call: ([b]) => limiter().state(b as string),
        },
        acquire: {
          params: [
            { name: 'bucketKey', valid: () => 'app', ok: isString },
            {
              name: 'options',
              valid: () => ({}),
              ok: (v) => v === undefined || isSignal(v) || isObject(v),
              keys: keysOf<AcquireOptions>({
                signal: optional(isSignal),
                waitedMs: optional(numberIn(0, 2 ** 31 - 1)),
                paced: optional(isBoolean),
              }),
            },
          ],
          call: ([b, o]) => limiter().acquire(b as string, o as AcquireOptions),
        },
        release: {
          params: [
            { name: 'bucketKey', valid: () => 'app', ok: anyValue },
            { name: 'ticket', valid: () => 1, ok: anyValue },
            {
              name: 'headers',
              valid: () => ({ limit: 800, remaining: 799, resetAt: 0 }),
              ok: (v) => v === null || isObject(v),
              keys: {
                limit: (v) => v === null || nonNegativeInteger(v),
                remaining: (v) => v === null || nonNegativeInteger(v),
                resetAt: (v) => v === null || finite(v),
              },
            },
          ],
          call: ([b, t, h]) => {
            limiter().release(b as string, t as number, h as never);
          },
        },
        block: {
          params: [
            { name: 'bucketKey', valid: () => 'app', ok: isString },
            { name: 'until', valid: () => 0, ok: finite },
          ],
          call: ([b, u]) => {
            limiter().block(b as string, u as number);
          },
        },
        close: {
          params: [{ name: 'error', valid: () => new Error('closed'), ok: instanceOf(Error) }],
          call: ([e]) => {
            limiter().close(e as Error);
          },
        },
      },
    },
    HttpAsyncIterator: {
      construct: {
        params: [
          {
            name: 'fetchPage',
            valid: () => () => Promise.resolve({ data: [], cursor: null, meta: undefined }),
            ok: isFunction,
          },
          requiredOptions(() => ({}), PAGINATION_KEYS),
          requiredOptions(
            () => ({ maxPageSize: 100 }),
            keysOf<PaginationLimits>({
              maxPageSize: positiveInteger,
              supportsFirst: optional(isBoolean),
              maxItems: optional(positiveInteger),
              endpoint: optional(isObject),
            }),
            'limits',
          ),
        ],
        call: ([f, o, l]) => new HttpAsyncIterator(f as never, o as PaginationOptions, l as PaginationLimits),
      },
      methods: {
        pages: NO_ARGUMENTS,
        toArray: NO_ARGUMENTS,
        firstPage: NO_ARGUMENTS,
        then: {
          params: [
            { name: 'onfulfilled', valid: () => undefined, ok: anyValue },
            { name: 'onrejected', valid: () => undefined, ok: anyValue },
          ],
          call: ([f, r]) =>
            new HttpAsyncIterator(
              () => Promise.resolve({ data: [], cursor: null, meta: undefined }),
              {},
              {
                maxPageSize: 1,
              },
            ).then(f as never, r as never),
        },
      },
    },
    exportToOpenTelemetry: {
      params: [
        { name: 'sources', valid: () => [], ok: arrayOf(withMethods('metrics')) },
        options(
          () => ({}),
          keysOf<OpenTelemetryExportOptions>({
            meter: optional(
              withMethods(
                'createObservableCounter',
                'createObservableUpDownCounter',
                'createObservableGauge',
                'addBatchObservableCallback',
                'removeBatchObservableCallback',
              ),
            ),
            meterProvider: optional(withMethods('getMeter')),
            prefix: optional((v) => typeof v === 'string' && /^(?:[A-Za-z][\w.\-/]{0,63})?$/.test(v)),
          }),
        ),
      ],
      call: ([s, o]) => root.exportToOpenTelemetry(s as never, o as never),
      dispose: async (handle) => {
        (await (handle as Promise<OpenTelemetryExport>)).close();
      },
    },
    startObservabilityServer: {
      params: [
        requiredOptions(
          () => ({ sources: [], port: 0 }),
          keysOf<ObservabilityServerOptions>({
            sources: (v) =>
              Array.isArray(v) &&
              v.every((x) => isObject(x) && typeof (x as { metrics?: unknown }).metrics === 'function'),
            host: optional(nonEmpty),
            port: optional(integer(0, 65_535)),
            // Any string may be refused for its length or spaces (a typed error): only other kinds are wrong here.
            token: optional(isString),
            openProbes: optional(isBoolean),
            dashboard: optional(isBoolean),
            emulator: optional((v) => typeof v === 'string' || v instanceof URL),
            tickMs: optional(integer(100, 15_000)),
            clock: CLOCK,
            logger: LOGGER,
          }),
        ),
      ],
      call: ([o]) => root.startObservabilityServer(o as never),
      dispose: closeIt,
    },
    toPrometheusText: {
      params: [{ name: 'snapshot', valid: () => ctx.helix.metrics(), ok: isArray }],
      call: ([s]) => root.toPrometheusText(s as never),
    },
    parseRateLimitHeaders: {
      params: [
        { name: 'headers', valid: () => new Headers(), ok: withMethods('get') },
        { name: 'now', valid: () => 0, ok: optional(finite) },
      ],
      call: ([h, n]) => helix.parseRateLimitHeaders(h as Headers, n as number),
    },

    // ---- observability ------------------------------------------------------------------------------------------
    ConduitInspector: {
      construct: {
        params: [
          requiredOptions(
            () => ({ helix: ctx.helix }),
            keysOf<ConduitInspectorOptions>({
              helix: instanceOf(HelixClient),
              conduitId: optional(nonEmpty),
              intervalMs: optional(integer(1000, 86_400_000)),
              maxPages: optional(integer(1, 10_000)),
              clock: CLOCK,
            }),
          ),
        ],
        call: ([o]) => new ConduitInspector(o as ConduitInspectorOptions),
        dispose: closeIt,
      },
      methods: {
        start: NO_ARGUMENTS,
        refresh: NO_ARGUMENTS,
        close: NO_ARGUMENTS,
        metrics: NO_ARGUMENTS,
        health: NO_ARGUMENTS,
        view: NO_ARGUMENTS,
      },
    },

    // ---- EventSub -----------------------------------------------------------------------------------------------
    Client: {
      construct: {
        params: [options(() => ({}), keysOf<ClientOptions>({ logger: LOGGER, signal: optional(isSignal) }))],
        // Abstract in TypeScript only: constructing it checks the options like any subclass.
        call: ([o]) => new (Client as unknown as new (o: unknown) => Client)(o),
      },
      methods: {
        start: NO_ARGUMENTS,
        close: NO_ARGUMENTS,
        isClosing: PROTECTED,
        report: PROTECTED,
        dispatchNotification: PROTECTED,
        dispatchDelivery: PROTECTED,
        tapNotifications: PROTECTED,
        recordMetrics: PROTECTED,
        listenerFailed: PROTECTED,
      },
    },
    AutoClient: {
      construct: {
        params: [
          requiredOptions(
            () => ({ ...emulatorOptions(), eventSubWsUrl: ctx.opts.eventSubWsUrl }),
            keysOf<AutoClientOptions>({
              logger: LOGGER,
              signal: optional(isSignal),
              clientId: nonEmpty,
              clientSecret: optional(isString),
              auth: optional(withMethods('getAccessToken', 'renewAfterUnauthorized')),
              helix: optional(instanceOf(HelixClient)),
              helixBudget: optional(withMethods('take', 'observe')),
              conduitId: optional(nonEmpty),
              shardIds: optional(nonEmptyArrayOf(shardNumber)),
              ownership: optional(isObject),
              subscriptions: optional(isArray),
              forceSubscribe: optional(isBoolean),
              forceScale: optional(isBoolean),
              maxPerShard: optional(positiveInteger),
              keepaliveTimeoutSeconds: optional(integer(10, 600)),
              helixUrl: httpUrl,
              oauthUrl: httpUrl,
              eventSubWsUrl: wsUrl,
              fetch: optional(isFunction),
              connectConcurrency: optional(positiveInteger),
              assignChunkSize: optional(positiveInteger),
              assignFlushMs: optional(duration()),
              watchShardDisabled: optional(isBoolean),
              metrics: optional(isBoolean),
              reconcileIntervalMs: optional(duration(0)),
              subscriptionListing: optional(isObject),
              stuckAfterMs: optional(integer(1000, 2 ** 31 - 1)),
              shardRetry: optional(isObject),
              reconnectBackoff: optional(isObject),
              maxReclaims: optional(nonNegativeInteger),
              session: optional(isObject),
              clock: CLOCK,
              dedupe: optional(isObject),
              webhook: optional(isObject),
              observability: optional((v) => v === false || isObject(v)),
            }),
          ),
        ],
        call: ([o]) => new AutoClient(o as AutoClientOptions),
        dispose: closeIt,
      },
      methods: {
        multiSubscribe: {
          params: [
            { name: 'subscriptions', valid: () => [], ok: isArray },
            options(
              () => ({}),
              keysOf<MultiSubscribeOptions>({
                wait: optional(isBoolean),
                stopOnError: optional(isBoolean),
                concurrency: optional(positiveInteger),
                signal: optional(isSignal),
              }),
            ),
          ],
          call: ([s, o]) => ctx.auto.multiSubscribe(s as never, o as never),
        },
        reconcile: NO_ARGUMENTS,
        metrics: NO_ARGUMENTS,
        health: NO_ARGUMENTS,
        view: NO_ARGUMENTS,
        report: PROTECTED,
        listenerFailed: PROTECTED,
        onStart: PROTECTED,
        beforeReady: PROTECTED,
        onClose: PROTECTED,
      },
    },
    cachedUserResolver: {
      params: [
        { name: 'helix', valid: () => ctx.helix, ok: instanceOf(HelixClient) },
        options(
          () => ({}),
          keysOf<CachedUserResolverOptions>({
            maxEntries: optional(positiveInteger),
            ttlMs: optional(duration()),
            missingTtlMs: optional(duration()),
            clock: optional(withMethods('now', 'setTimeout', 'clearTimeout')),
          }),
          'options',
          optional(isObject),
        ),
      ],
      call: ([h, o]) => cachedUserResolver(h as HelixClient, o as CachedUserResolverOptions),
    },
    AutoBot: {
      construct: {
        params: [
          requiredOptions(
            () => ({ ...botOptions(), eventSubWsUrl: ctx.opts.eventSubWsUrl }),
            keysOf<AutoBotOptions>({
              logger: LOGGER,
              signal: optional(isSignal),
              clientId: nonEmpty,
              clientSecret: optional(isString),
              auth: withMethods('getAccessToken'),
              helix: optional(instanceOf(HelixClient)),
              helixBudget: optional(withMethods('take', 'observe')),
              conduitId: optional(nonEmpty),
              shardIds: optional(nonEmptyArrayOf(shardNumber)),
              ownership: optional(isObject),
              subscriptions: optional(isArray),
              forceSubscribe: optional(isBoolean),
              forceScale: optional(isBoolean),
              maxPerShard: optional(positiveInteger),
              keepaliveTimeoutSeconds: optional(integer(10, 600)),
              helixUrl: httpUrl,
              oauthUrl: httpUrl,
              eventSubWsUrl: wsUrl,
              fetch: optional(isFunction),
              connectConcurrency: optional(positiveInteger),
              assignChunkSize: optional(positiveInteger),
              assignFlushMs: optional(duration()),
              watchShardDisabled: optional(isBoolean),
              metrics: optional(isBoolean),
              reconcileIntervalMs: optional(duration(0)),
              subscriptionListing: optional(isObject),
              stuckAfterMs: optional(integer(1000, 2 ** 31 - 1)),
              shardRetry: optional(isObject),
              reconnectBackoff: optional(isObject),
              maxReclaims: optional(nonNegativeInteger),
              session: optional(isObject),
              clock: CLOCK,
              dedupe: optional(isObject),
              webhook: optional(isObject),
              observability: optional((v) => v === false || isObject(v)),
              botId: nonEmpty,
              channels: optional(arrayOf(channelRef)),
              channelSubscriptions: optional(isFunction),
              leaveConcurrency: optional(positiveInteger),
              chat: optional(isObject),
              commands: optional(instanceOf(Commands)),
            }),
          ),
        ],
        call: ([o]) => new AutoBot(o as AutoBotOptions),
        dispose: closeIt,
      },
      methods: {
        channel: {
          params: [{ name: 'channelId', valid: () => '1337', ok: nonEmpty }],
          call: ([c]) => theBot().channel(c as string),
        },
        join: {
          params: [{ name: 'channels', valid: () => [], ok: arrayOf(channelRef) }],
          call: ([c]) => theBot().join(c as never),
        },
        leave: {
          params: [{ name: 'channels', valid: () => [], ok: arrayOf(channelRef) }],
          call: ([c]) => theBot().leave(c as never),
        },
        onStart: PROTECTED,
        beforeReady: PROTECTED,
        onClose: PROTECTED,
      },
    },
    BotChannel: {
      construct: { exempt: "made by AutoBot.channel() (its queue is the bot's)" },
      methods: {
        send: {
          params: [{ name: 'text', valid: () => 'hello', ok: chatText }],
          call: ([t]) =>
            theBot()
              .channel('1337')
              .send(t as string),
        },
        reply: {
          params: [
            { name: 'parentMessageId', valid: () => 'parent-id', ok: nonEmpty },
            { name: 'text', valid: () => 'hello', ok: chatText },
          ],
          call: ([p, t]) =>
            theBot()
              .channel('1337')
              .reply(p as string, t as string),
        },
        announce: {
          params: [
            { name: 'text', valid: () => 'hello', ok: chatText },
            {
              name: 'color',
              valid: () => undefined,
              ok: optional(oneOf(['primary', 'blue', 'green', 'orange', 'purple'])),
            },
          ],
          call: ([t, c]) =>
            theBot()
              .channel('1337')
              .announce(t as string, c as never),
        },
        deleteMessage: {
          params: [{ name: 'messageId', valid: () => 'message-id', ok: nonEmpty }],
          call: ([m]) =>
            theBot()
              .channel('1337')
              .deleteMessage(m as string),
        },
        timeout: {
          params: [
            { name: 'userId', valid: () => '4242', ok: nonEmpty },
            { name: 'durationSeconds', valid: () => 60, ok: integer(1, 1_209_600) },
            { name: 'reason', valid: () => undefined, ok: optional(isString) },
          ],
          call: ([u, d, r]) =>
            theBot()
              .channel('1337')
              .timeout(u as string, d as number, r as string),
        },
        ban: {
          params: [
            { name: 'userId', valid: () => '4242', ok: nonEmpty },
            { name: 'reason', valid: () => undefined, ok: optional(isString) },
          ],
          call: ([u, r]) =>
            theBot()
              .channel('1337')
              .ban(u as string, r as string),
        },
        shoutout: {
          params: [{ name: 'toBroadcasterId', valid: () => '4242', ok: nonEmpty }],
          call: ([t]) =>
            theBot()
              .channel('1337')
              .shoutout(t as string),
        },
        whisper: {
          params: [
            { name: 'toUserId', valid: () => '4242', ok: nonEmpty },
            {
              name: 'text',
              valid: () => 'psst',
              ok: (v) => typeof v === 'string' && v.trim() !== '' && codePointLength(v) <= 500,
            },
          ],
          call: ([u, t]) =>
            theBot()
              .channel('1337')
              .whisper(u as string, t as string),
        },
      },
    },
    WebSocketClient: {
      construct: {
        params: [
          requiredOptions(
            () => ({
              clientId: ctx.opts.clientId,
              auth: new StaticAuthProvider({
                clientId: ctx.opts.clientId,
                userTokens: { '1337': ctx.userToken },
              }),
              helixUrl: ctx.opts.helixUrl,
              oauthUrl: ctx.opts.oauthUrl,
              eventSubWsUrl: ctx.opts.eventSubWsUrl,
            }),
            keysOf<EventSubWebSocketClientOptions>({
              logger: LOGGER,
              signal: optional(isSignal),
              clientId: nonEmpty,
              auth: withMethods('getAccessToken', 'renewAfterUnauthorized'),
              helix: optional(instanceOf(HelixClient)),
              helixUrl: httpUrl,
              oauthUrl: httpUrl,
              eventSubWsUrl: wsUrl,
              fetch: optional(isFunction),
              subscriptions: optional(isArray),
              userId: optional(nonEmpty),
              keepaliveTimeoutSeconds: optional(integer(10, 600)),
              maxSocketsPerUser: optional(integer(1, 3)),
              maxSubscriptionsPerSocket: optional(integer(1, 300)),
              concurrency: optional(positiveInteger),
              reconnectBackoff: optional(isObject),
              session: optional(isObject),
              dedupe: optional(isObject),
              clock: CLOCK,
              metrics: optional(isBoolean),
              observability: optional((v) => v === false || isObject(v)),
            }),
          ),
        ],
        call: ([o]) => new WebSocketClient(o as EventSubWebSocketClientOptions),
        dispose: closeIt,
      },
      methods: {
        metrics: NO_ARGUMENTS,
        view: NO_ARGUMENTS,
        report: PROTECTED,
        listenerFailed: PROTECTED,
        subscribe: {
          params: [
            {
              name: 'subscription',
              valid: () => ({
                type: 'stream.online',
                version: '1',
                condition: { broadcasterUserId: '1337' },
              }),
              ok: isObject,
            },
            options(
              () => ({}),
              keysOf<WebSocketSubscribeOptions>({ userId: optional(nonEmpty), signal: optional(isSignal) }),
            ),
          ],
          call: ([s, o]) => ctx.ws.subscribe(s as never, o as never),
          dispose: (sub) => ctx.ws.unsubscribe(sub as WebSocketSubscription),
        },
        health: NO_ARGUMENTS,
        multiSubscribe: {
          params: [
            { name: 'subscriptions', valid: () => [], ok: isArray },
            options(
              () => ({}),
              keysOf<WebSocketMultiSubscribeOptions>({
                userId: optional(nonEmpty),
                signal: optional(isSignal),
                concurrency: optional(positiveInteger),
              }),
            ),
          ],
          call: ([s, o]) => ctx.ws.multiSubscribe(s as never, o as never),
        },
        unsubscribe: {
          params: [{ name: 'subscription', valid: () => undefined, ok: never }],
          call: ([s]) => ctx.ws.unsubscribe(s as WebSocketSubscription),
          skipValidCall: 'takes a handle returned by subscribe() (tested in test/eventsub/websocket-client)',
        },
        onStart: PROTECTED,
        onClose: PROTECTED,
      },
    },
    WebSocketSubscription: {
      construct: {
        params: [{ name: 'state', valid: () => undefined, ok: never }],
        call: ([st]) => new WebSocketSubscription(st as never),
        skipValidCall: 'built by the WebSocketClient with its private state',
      },
      methods: {},
    },
    ConduitInfo: {
      construct: {
        params: [{ name: 'host', valid: () => undefined, ok: never }],
        call: ([h]) => new (ctx.auto.conduitInfo.constructor as new (h: unknown) => unknown)(h),
        skipValidCall: '@internal: built by the AutoClient with its private host',
      },
      methods: {
        updateShardCount: {
          params: [
            { name: 'shardCount', valid: () => 2, ok: integer(1, 20_000) },
            options(
              () => ({}),
              keysOf<UpdateShardCountOptions>({
                assignTransports: optional(isBoolean),
                signal: optional(isSignal),
              }),
            ),
          ],
          call: ([n, o]) => ctx.auto.conduitInfo.updateShardCount(n as number, o as never),
        },
        fetchShards: {
          params: [options(() => ({}), SHARD_LIST_KEYS)],
          call: ([o]) => ctx.auto.conduitInfo.fetchShards(o as never),
        },
      },
    },
    Conduit: {
      construct: {
        params: [
          {
            name: 'data',
            valid: () => ({ id: 'missing', shardCount: 1 }),
            ok: isObject,
            keys: { id: nonEmpty, shardCount: integer(0, 20_000) },
          },
          { name: 'helix', valid: () => ctx.helix, ok: instanceOf(HelixClient) },
        ],
        call: ([d, h]) => new Conduit(d as never, h as HelixClient),
      },
      methods: {
        delete: { params: [callOptions()], call: ([o]) => conduit(ctx).delete(o as CallOptions) },
        update: {
          params: [{ name: 'shardCount', valid: () => 2, ok: integer(1, 20_000) }, callOptions()],
          call: ([n, o]) => conduit(ctx).update(n as number, o as CallOptions),
        },
        fetchShards: {
          params: [options(() => ({}), SHARD_LIST_KEYS)],
          call: ([o]) => conduit(ctx).fetchShards(o as never),
        },
        updateShards: {
          params: [{ name: 'shards', valid: () => [], ok: isArray }, options(() => ({}), CALL_KEYS)],
          call: ([s, o]) => conduit(ctx).updateShards(s as never, o as never),
        },
        equals: {
          params: [{ name: 'other', valid: () => null, ok: anyValue }],
          call: ([o]) => conduit(ctx).equals(o),
        },
        toString: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    ConduitShard: {
      construct: {
        params: [
          {
            name: 'wire',
            valid: () => ({ id: '0', status: 'enabled', transport: { method: 'websocket' } }),
            ok: (v) =>
              isObject(v) &&
              isString((v as { id?: unknown }).id) &&
              isString((v as { status?: unknown }).status),
          },
        ],
        call: ([w]) => new ConduitShard(w as never),
      },
      methods: {},
    },
    staticOwnership: {
      params: [{ name: 'shardIds', valid: () => [0, 1], ok: optional(nonEmptyArrayOf(shardNumber)) }],
      call: ([s]) => conduitMod.staticOwnership(s as number[]),
    },
    EventSubSession: {
      construct: {
        params: [
          options(
            () => ({ url: ctx.opts.eventSubWsUrl }),
            keysOf<EventSubSessionOptions>({
              url: wsUrl,
              keepaliveTimeoutSeconds: optional(integer(10, 600)),
              welcomeTimeoutMs: optional(duration()),
              keepaliveMarginRatio: optional(numberIn(0, 10)),
              maxMessageAgeMs: optional(duration()),
              maxFutureSkewMs: optional(duration(0)),
              allowedReconnectHosts: optional(isArray),
              clock: CLOCK,
              backoff: optional(instanceOf(Backoff)),
              dedupe: optional(withMethods('add', 'has')),
              WebSocket: optional(isFunction),
              wsOptions: optional(isObject),
              logger: LOGGER,
            }),
          ),
        ],
        call: ([o]) => new EventSubSession(o as EventSubSessionOptions),
        dispose: closeIt,
      },
      methods: {
        connect: {
          params: [signalParam],
          call: async ([s]) => {
            const session = new EventSubSession({ url: ctx.opts.eventSubWsUrl });
            try {
              return await session.connect(s as AbortSignal);
            } finally {
              await session.close();
            }
          },
        },
        close: NO_ARGUMENTS,
      },
    },
    parseFrame: {
      params: [{ name: 'raw', valid: () => '{}', ok: anyValue, data: true }],
      call: ([r]) => eventsub.parseFrame(r as string),
    },
    checkFrame: {
      params: [
        { name: 'value', valid: () => ({}), ok: anyValue, data: true },
        { name: 'raw', valid: () => '{}', ok: anyValue, data: true },
      ],
      call: ([v, r]) => eventsub.checkFrame(v, r as string),
    },
    closeCodeInfo: {
      params: [{ name: 'code', valid: () => 4003, ok: isNumber }],
      call: ([c]) => root.closeCodeInfo(c as number),
    },

    // ---- webhook ------------------------------------------------------------------------------------------------
    WebhookReceiver: {
      construct: {
        params: [
          requiredOptions(
            () => ({ secret: SECRET }),
            keysOf<WebhookReceiverOptions>({
              secret: optional(webhookSecret),
              secrets: optional(arrayOf(webhookSecret)),
              maxBodyBytes: optional(positiveInteger),
              bodyTimeoutMs: optional(integer(1, 2 ** 31 - 1)),
              maxAgeMs: optional(integer(1, 2 ** 31 - 1)),
              maxFutureSkewMs: optional(integer(1, 2 ** 31 - 1)),
              dedupe: optional(isObject),
              clock: CLOCK,
              logger: LOGGER,
              metrics: optional(isBoolean),
            }),
          ),
        ],
        call: ([o]) => new WebhookReceiver(o as WebhookReceiverOptions),
        dispose: closeIt,
      },
      methods: {
        handle: {
          params: [
            {
              name: 'req',
              valid: () => ({ headers: {}, url: '/', on: () => undefined }),
              ok: (v) =>
                isObject(v) && isObject((v as { headers?: unknown }).headers) && withMethods('on')(v),
            },
            {
              name: 'res',
              valid: () => ({ writeHead: () => undefined, end: () => undefined }),
              ok: withMethods('writeHead', 'end'),
            },
          ],
          call: ([q, s]) => {
            ctx.receiver.handle(q as never, s as never);
          },
          skipValidCall: 'needs a real node:http request and response (test/eventsub/webhook covers them)',
        },
        process: {
          params: [
            requiredOptions(
              () => ({ headers: {}, rawBody: '' }),
              keysOf<WebhookProcessInput>({
                headers: headersObject,
                rawBody: anyValue,
                method: optional(isString),
                path: optional(isString),
              }),
              'input',
            ),
          ],
          call: ([i]) => ctx.receiver.process(i as never),
        },
        processAsync: {
          params: [
            requiredOptions(
              () => ({ headers: {}, rawBody: '' }),
              keysOf<WebhookProcessInput>({
                headers: headersObject,
                rawBody: anyValue,
                method: optional(isString),
                path: optional(isString),
              }),
              'input',
            ),
          ],
          call: ([i]) => ctx.receiver.processAsync(i as never),
        },
        listen: {
          params: [options(() => ({ port: 0 }), LISTEN_KEYS, 'options', optional(isObject))],
          call: ([o]) => ctx.receiver.listen(o as never),
          dispose: closeIt,
        },
        close: NO_ARGUMENTS,
        health: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
        metrics: NO_ARGUMENTS,
        view: NO_ARGUMENTS,
        listenerFailed: PROTECTED,
      },
    },
    verifyEventSubMessage: {
      params: [
        requiredOptions(
          () => ({ headers: {}, rawBody: '', secret: SECRET }),
          keysOf<VerifyEventSubMessageInput>({
            headers: headersObject,
            rawBody,
            secret: optional(webhookSecret),
            secrets: optional(arrayOf(webhookSecret)),
            now: optional(finite),
            maxAgeMs: optional(duration()),
            maxFutureSkewMs: optional(duration(0)),
          }),
          'input',
        ),
      ],
      call: ([i]) => webhook.verifyEventSubMessage(i as never),
    },
    checkWebhookHeaders: {
      params: [
        { name: 'headers', valid: () => ({}), ok: headersObject },
        { name: 'now', valid: () => Date.now(), ok: finite },
        { name: 'maxAgeMs', valid: () => undefined, ok: optional(duration()) },
        { name: 'maxFutureSkewMs', valid: () => undefined, ok: optional(duration(0)) },
      ],
      call: ([h, n, a, s]) => webhook.checkWebhookHeaders(h as never, n as number, a as number, s as number),
    },

    // ---- catalogue ----------------------------------------------------------------------------------------------
    getCatalogueEntry: lookup2((t, v) => catalogue.getCatalogueEntry(t, v)),
    getCatalogueVersions: lookup1((t) => catalogue.getCatalogueVersions(t)),
    latestCatalogueEntry: lookup1((t) => catalogue.latestCatalogueEntry(t)),
    isSubscriptionType: lookup1((t) => catalogue.isSubscriptionType(t)),
    hasEventModel: lookup2((t, v) => catalogue.hasEventModel(t, v)),
    exampleNotification: lookup2((t, v) => catalogue.exampleNotification(t, v)),
    exampleSubscribeRequest: lookup2((t, v) => catalogue.exampleSubscribeRequest(t, v)),
    listExamples: NO_ARGUMENTS,
    allowedConditionKeys: {
      params: [{ name: 'spec', valid: () => (entry() as { condition: unknown }).condition, ok: never }],
      call: ([s]) => catalogue.allowedConditionKeys(s as never),
    },
    checkCondition: {
      params: [
        { name: 'entry', valid: entry, ok: never },
        { name: 'condition', valid: wireCondition, ok: anyValue },
      ],
      call: ([e, c]) => catalogue.checkCondition(e as never, c),
    },
    checkAuthorization: {
      params: [
        { name: 'entry', valid: entry, ok: never },
        { name: 'condition', valid: wireCondition, ok: isObject },
        {
          name: 'caller',
          valid: () => ({ kind: 'app', clientId: 'client', scopes: new Set<string>() }),
          ok: isObject,
          keys: {
            kind: oneOf(['app', 'user']),
            clientId: isString,
            userId: optional(isString),
            scopes: withMethods('has'),
          },
        },
        { name: 'grants', valid: () => () => undefined, ok: isFunction },
      ],
      call: ([e, c, k, g]) => catalogue.checkAuthorization(e as never, c as never, k as never, g as never),
    },
    computeCost: {
      params: [
        { name: 'entry', valid: entry, ok: never },
        { name: 'condition', valid: wireCondition, ok: isObject },
        { name: 'grants', valid: () => () => undefined, ok: isFunction },
      ],
      call: ([e, c, g]) => catalogue.computeCost(e as never, c as never, g as never),
    },
    missingScopes: {
      params: [
        { name: 'entry', valid: entry, ok: never },
        { name: 'scopes', valid: () => new Set<string>(), ok: withMethods('has') },
      ],
      call: ([e, s]) => catalogue.missingScopes(e as never, s as never),
    },
    requiredScopeNames: {
      params: [{ name: 'entry', valid: entry, ok: never }],
      call: ([e]) => catalogue.requiredScopeNames(e as never),
    },
    generateEvent: {
      params: [
        { name: 'entry', valid: entry, ok: never },
        { name: 'condition', valid: wireCondition, ok: isObject },
        { name: 'overrides', valid: () => undefined, ok: optional(isObject) },
        options(
          () => ({ now: 0 }),
          keysOf<GenerateEventOptions>({ now: optional(finite), user: optional(isFunction) }),
          'options',
          optional(isObject),
        ),
      ],
      call: ([e, c, o, p]) => catalogue.generateEvent(e as never, c as never, o as never, p as never),
    },
    resolveEntry: {
      params: [
        { name: 'type', valid: () => 'stream.online', ok: isString },
        { name: 'version', valid: () => '1', ok: isString },
      ],
      call: ([t, v]) => catalogue.resolveEntry(t, v),
    },
    subscription: {
      params: [
        { name: 'type', valid: () => 'stream.online', ok: isString },
        { name: 'version', valid: () => '1', ok: isString },
        { name: 'condition', valid: () => ({ broadcasterUserId: '1337' }), ok: isObject },
      ],
      call: ([t, v, c]) => catalogue.subscription(t as never, v as never, c as never),
    },
    toSubscriptionRequest: {
      params: [
        {
          name: 'subscription',
          valid: () => ({ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1337' } }),
          ok: isObject,
          keys: { type: isString, version: isString, condition: isObject },
        },
      ],
      call: ([s]) => catalogue.toSubscriptionRequest(s as never),
    },
    toWireCondition: {
      params: [
        { name: 'entry', valid: entry, ok: never },
        { name: 'condition', valid: () => ({ broadcasterUserId: '1337' }), ok: isObject },
      ],
      call: ([e, c]) => catalogue.toWireCondition(e as never, c),
    },
    fromWireCondition: {
      params: [{ name: 'condition', valid: wireCondition, ok: isObject }],
      call: ([c]) => catalogue.fromWireCondition(c as never),
    },
    toEventModel: {
      params: [
        { name: 'type', valid: () => 'stream.online', ok: anyValue },
        { name: 'version', valid: () => '1', ok: anyValue },
        { name: 'wireEvent', valid: () => undefined, ok: anyValue, data: true },
      ],
      call: ([t, v, e]) => {
        catalogue.toEventModel(t as never, v as never, e);
      },
    },
    toNotification: {
      params: [
        { name: 'messageId', valid: () => 'id', ok: anyValue, data: true },
        { name: 'timestamp', valid: () => '2024-01-01T00:00:00Z', ok: anyValue, data: true },
        { name: 'payload', valid: () => ({}), ok: anyValue, data: true },
      ],
      call: ([i, t, p]) => catalogue.toNotification(i as string, t as string, p as never),
    },
    NotificationConverter: {
      construct: {
        params: [{ name: 'maxSubscriptions', valid: () => undefined, ok: optional(positiveInteger) }],
        call: ([n]) => new NotificationConverter(n as number),
      },
      methods: {
        toNotification: hot('converts every notification; malformed data gives ProtocolError'),
      },
    },
    EventSubModel: {
      construct: {
        params: [{ name: 'raw', valid: () => ({}), ok: anyValue }],
        call: ([r]) => new EventSubModel(r),
      },
      methods: {},
    },

    // ---- PubSub -------------------------------------------------------------------------------------------------
    PubSubPool: {
      construct: {
        params: [
          { name: 'client', valid: () => ctx.pubsubEvents, ok: withMethods('emit') },
          options(
            () => ({ url: ctx.opts.pubSubUrl }),
            keysOf<PubSubPoolOptions>({
              maxPoolSize: optional(positiveInteger),
              maxConnectionTopics: optional(positiveInteger),
              mode: optional(oneOf(['group'])),
              url: wsUrl,
              authFailHook: optional(isFunction),
              reconnectHook: optional(isFunction),
              pingIntervalMs: optional(duration(1, 240_000)),
              pingJitterMs: optional(duration(0)),
              pongTimeoutMs: optional(duration()),
              responseTimeoutMs: optional(duration()),
              subscribeTimeoutMs: optional(duration()),
              connectTimeoutMs: optional(duration()),
              backoff: optional(isObject),
              clock: CLOCK,
              random: optional(isFunction),
              logger: LOGGER,
              maxPayload: optional(integer(1, 2 ** 31 - 1)),
              metrics: optional(isBoolean),
              observability: optional((v) => v === false || isObject(v)),
            }),
          ),
        ],
        call: ([c, o]) => new PubSubPool(c as never, o as PubSubPoolOptions),
        dispose: closeIt,
      },
      methods: {
        metrics: NO_ARGUMENTS,
        subscribeTopics: {
          params: [{ name: 'topics', valid: () => [whispers(ctx.userToken, '1337')], ok: isArray }],
          call: ([t]) => ctx.pool.subscribeTopics(t as never),
        },
        unsubscribeTopics: {
          params: [{ name: 'topics', valid: () => [], ok: isArray }],
          call: ([t]) => ctx.pool.unsubscribeTopics(t as never),
        },
        close: NO_ARGUMENTS,
        health: NO_ARGUMENTS,
        view: NO_ARGUMENTS,
        authFailHook: { exempt: 'a hook: the pool passes what it removed, a subclass or option decides' },
        reconnectHook: { exempt: 'a hook: the pool checks what it returns (PubSubHookError)' },
      },
    },
    PubSubConnection: {
      construct: {
        params: [
          { name: 'id', valid: () => 'x', ok: isString },
          { name: 'url', valid: () => 'ws://127.0.0.1:1', ok: isString },
          { name: 'host', valid: () => undefined, ok: never },
        ],
        call: ([i, u, h]) => new (ctx.connection.constructor as new (...a: unknown[]) => unknown)(i, u, h),
        skipValidCall: '@internal: built by the pool with its private host',
      },
      methods: {
        has: {
          params: [{ name: 'present', valid: () => 'x', ok: anyValue }],
          call: ([p]) => ctx.connection.has(p as string),
        },
        acknowledged: {
          params: [{ name: 'present', valid: () => 'x', ok: anyValue }],
          call: ([p]) => ctx.connection.acknowledged(p as string),
        },
        reserve: {
          params: [{ name: 'topics', valid: () => [], ok: isArray }],
          call: ([t]) => {
            ctx.connection.reserve(t as never);
          },
        },
        start: NO_ARGUMENTS,
        listen: {
          params: [{ name: 'topics', valid: () => [], ok: isArray }],
          call: ([t]) => ctx.connection.listen(t as never),
        },
        unlisten: {
          params: [{ name: 'topics', valid: () => [], ok: isArray }],
          call: ([t]) => ctx.connection.unlisten(t as never),
        },
        close: NO_ARGUMENTS,
      },
    },
    Topic: {
      construct: {
        params: [
          {
            name: 'definition',
            valid: () => PUBSUB_TOPICS.get('whispers'),
            ok: (v) => [...PUBSUB_TOPICS.values()].includes(v as never),
          },
          { name: 'token', valid: () => TOKEN, ok: topicToken },
          { name: 'args', valid: () => ['1'], ok: isArray },
        ],
        call: ([d, t, a]) => new Topic(d as never, t as string, a as string[]),
      },
      methods: {
        with: {
          params: [{ name: 'userId', valid: () => '1', ok: topicId }],
          call: ([id]) => whispers(TOKEN).with(id as string),
        },
        withToken: {
          params: [{ name: 'token', valid: () => TOKEN, ok: topicToken }],
          call: ([t]) => whispers(TOKEN, '1').withToken(t as string),
        },
        equals: {
          params: [{ name: 'other', valid: () => whispers(TOKEN, '1'), ok: anyValue }],
          call: ([o]) => whispers(TOKEN, '1').equals(o as Topic),
        },
        toString: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    bits: builder('bits', ['channelId']),
    bitsBadge: builder('bitsBadge', ['channelId']),
    channelPoints: builder('channelPoints', ['channelId']),
    channelSubscriptions: builder('channelSubscriptions', ['channelId']),
    whispers: builder('whispers', ['userId']),
    moderationUserAction: builder('moderationUserAction', ['moderatorId', 'channelId']),
    automodQueue: builder('automodQueue', ['moderatorId', 'channelId']),
    userModerationNotifications: builder('userModerationNotifications', ['userId', 'channelId']),
    lowTrustUsers: builder('lowTrustUsers', ['moderatorId', 'channelId']),
    parseTopicString: {
      params: [{ name: 'topic', valid: () => 'whispers.1', ok: anyValue }],
      call: ([t]) => pubsub.parseTopicString(t as string),
    },
    decodePubSubMessage: {
      params: [
        { name: 'topic', valid: () => 'whispers.1', ok: isString },
        { name: 'raw', valid: () => '{}', ok: isString },
      ],
      call: ([t, r]) => pubsub.decodePubSubMessage(t as string, r as string),
    },

    // ---- fleet --------------------------------------------------------------------------------------------------
    RedisHelixBudget: {
      construct: {
        params: [
          requiredOptions(
            () => ({ redis: OK_REDIS, clientId: 'c' }),
            keysOf<RedisHelixBudgetOptions>({
              redis: withMethods('sendCommand'),
              clientId: nonEmpty,
              keyPrefix: optional(isString),
              windowMs: optional(integer(1, 2 ** 31 - 1)),
              reserve: optional(nonNegativeInteger),
              probeMs: optional(duration()),
              timeoutMs: optional(duration()),
              fallbackMs: optional(duration(0)),
              onError: optional(isFunction),
              logger: LOGGER,
              clock: CLOCK,
              bucketTime: optional(isFunction),
            }),
          ),
        ],
        call: ([o]) => new RedisHelixBudget(o as RedisHelixBudgetOptions),
      },
      methods: {
        keyOf: {
          params: [{ name: 'bucket', valid: () => 'app', ok: nonEmpty }],
          call: ([b]) => budgetOf().keyOf(b as string),
        },
        take: {
          params: [
            { name: 'bucket', valid: () => 'app', ok: nonEmpty },
            { name: 'count', valid: () => 1, ok: positiveInteger },
            { name: 'signal', valid: () => new AbortController().signal, ok: isSignal },
          ],
          call: ([b, n, s]) => budgetOf().take(b as string, n as number, s as AbortSignal),
        },
        observe: {
          params: [
            { name: 'bucket', valid: () => 'app', ok: nonEmpty },
            { name: 'ticket', valid: () => 1, ok: finite },
            {
              name: 'headers',
              valid: () => ({ limit: 800, remaining: 799, resetAt: null }),
              ok: isObject,
              keys: {
                limit: (v) => v === null || nonNegativeInteger(v),
                remaining: (v) => v === null || nonNegativeInteger(v),
                resetAt: (v) => v === null || finite(v),
              },
            },
          ],
          call: ([b, t, h]) => {
            budgetOf().observe(b as string, t as number, h as RateLimitHeaders);
          },
        },
        flush: NO_ARGUMENTS,
        close: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
      },
    },
    RedisAppTokenStore: {
      construct: {
        params: [
          requiredOptions(
            () => ({ redis: OK_REDIS, clientId: 'c' }),
            keysOf<RedisAppTokenStoreOptions>({
              redis: withMethods('sendCommand'),
              clientId: nonEmpty,
              keyPrefix: optional(isString),
              timeoutMs: optional(duration()),
              clock: CLOCK,
            }),
          ),
        ],
        call: ([o]) => new RedisAppTokenStore(o as RedisAppTokenStoreOptions),
      },
      methods: {
        load: NO_ARGUMENTS,
        unlock: NO_ARGUMENTS,
        toJSON: NO_ARGUMENTS,
        lock: {
          params: [{ name: 'ttlMs', valid: () => 1000, ok: duration() }],
          call: ([t]) => tokenStoreOf().lock(t as number),
        },
        save: {
          params: [
            {
              name: 'token',
              valid: () => ({ accessToken: 'secret', expiresInMs: null }),
              ok: isObject,
              keys: {
                accessToken: nonEmpty,
                expiresInMs: (v) => v === null || numberIn(0, Number.MAX_SAFE_INTEGER)(v),
              },
            },
          ],
          call: ([t]) => tokenStoreOf().save(t as SharedAppToken),
        },
      },
    },

    FleetOwnership: {
      construct: {
        params: [fleetOptions()],
        call: ([o]) => new FleetOwnership(o as RedisOwnershipOptions),
      },
      methods: {
        conduitId: NO_ARGUMENTS,
        snapshot: NO_ARGUMENTS,
        leader: NO_ARGUMENTS,
        stop: NO_ARGUMENTS,
        start: OWNERSHIP_HOOK,
        shardCountChanged: OWNERSHIP_HOOK,
        shardBound: OWNERSHIP_HOOK,
        shardLost: OWNERSHIP_HOOK,
        mayBind: OWNERSHIP_HOOK,
        mayReclaim: OWNERSHIP_HOOK,
        owners: NO_ARGUMENTS,
      },
    },
    redisOwnership: {
      params: [fleetOptions()],
      call: ([o]) => redisOwnership(o as RedisOwnershipOptions),
    },

    // ---- emulator and CLI ---------------------------------------------------------------------------------------
    Emulator: {
      exempt: 'every option and method is tested by test/emulator/options.test.ts and arguments.test.ts',
    },
    EmulatorScript: {
      exempt: 'made by the Emulator (emu.script); its methods are rows of arguments.test.ts',
    },
    samplePubSubMessage: {
      params: [
        { name: 'topic', valid: () => 'whispers.1', ok: anyValue },
        options(
          () => ({}),
          keysOf<SampleOptions>({
            variant: optional(isString),
            at: optional((v) => v instanceof Date && !Number.isNaN(v.getTime())),
          }),
          'options',
          optional(isObject),
        ),
      ],
      call: ([t, o]) => emulatorMod.samplePubSubMessage(t as string, o as never),
    },
    main: {
      params: [
        { name: 'argv', valid: () => ['--version'], ok: arrayOf(isString) },
        options(
          () => ({ stdout: sink(), stderr: sink(), signal: AbortSignal.abort(), env: {} }),
          keysOf<MainOptions>({
            signal: optional(isSignal),
            stdout: optional(withMethods('write')),
            stderr: optional(withMethods('write')),
            env: optional(isObject),
          }),
          'options',
          optional(isObject),
        ),
      ],
      call: ([a, o]) => cli.main(a as string[], o as MainOptions),
    },
    ...commandSpecs(),
    ...testingSpecs(ctx),
  };

  function builder(name: keyof typeof pubsub, ids: readonly string[]): Row {
    const build = pubsub[name] as unknown as (...args: unknown[]) => unknown;
    return {
      params: [
        { name: 'token', valid: () => TOKEN, ok: topicToken },
        ...ids.map((id): Param => ({ name: id, valid: () => '1', ok: optional(topicId) })),
      ],
      call: (args) => build(...args),
    };
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------------

function requiredScopesOf(type: unknown, version: unknown): unknown {
  return auth.requiredScopes(type as string, version as string);
}

function lookup1(fn: (type: string) => unknown): Row {
  return {
    params: [{ name: 'type', valid: () => 'stream.online', ok: anyValue }],
    call: ([t]) => fn(t as string),
  };
}

function lookup2(fn: (type: string, version: string) => unknown): Row {
  return {
    params: [
      { name: 'type', valid: () => 'stream.online', ok: anyValue },
      { name: 'version', valid: () => '1', ok: anyValue },
    ],
    call: ([t, v]) => fn(t as string, v as string),
  };
}

function storedToken(): Param {
  return {
    name: 'token',
    valid: () => ({
      userId: '42',
      login: null,
      accessToken: TOKEN,
      refreshToken: null,
      scopes: [],
      expiresAt: null,
      obtainedAt: 0,
    }),
    ok: isObject,
    keys: {
      userId: nonEmpty,
      login: (v) => v === null || isString(v),
      accessToken: nonEmpty,
      refreshToken: (v) => v === null || nonEmpty(v),
      scopes: arrayOf(isString),
      expiresAt: (v) => v === null || finite(v),
      obtainedAt: finite,
    },
  };
}

/** A connection that answers every command with `OK` (the rows check arguments, not Redis). */
const OK_REDIS: RedisConnection = { sendCommand: () => Promise.resolve('OK') };
const budgetOf = (): RedisHelixBudget =>
  new RedisHelixBudget({ redis: OK_REDIS, clientId: 'c', onError: () => undefined });
const tokenStoreOf = (): RedisAppTokenStore => new RedisAppTokenStore({ redis: OK_REDIS, clientId: 'c' });

function limiter(): RateLimiter {
  return new RateLimiter({ clock: systemClock, concurrency: 1 });
}

function appProvider(ctx: Context): AppTokenProvider {
  return new AppTokenProvider({
    clientId: ctx.opts.clientId,
    clientSecret: ctx.opts.clientSecret,
    oauthUrl: ctx.opts.oauthUrl,
  });
}

function refreshing(ctx: Context): RefreshingAuthProvider {
  return new RefreshingAuthProvider({
    clientId: ctx.opts.clientId,
    clientSecret: ctx.opts.clientSecret,
    oauthUrl: ctx.opts.oauthUrl,
  });
}

function conduit(ctx: Context): Conduit {
  return new Conduit({ id: 'missing', shardCount: 1 }, ctx.helix);
}

/** A directory for the token files the rows write. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'twitch-realtime-arguments-'));
}
