/**
 * The test kit's fixture: `startTestTwitch()` starts an emulator made for tests (port 0, a fresh app, fast EventSub
 * timings), authorizes four users with every scope, creates clients pointed at it, and `close()`s all of it. It
 * imports no test runner: `afterEach(() => twitch.close())`, `t.after(() => twitch.close())` or `await using` work
 * the same in vitest, jest and node:test.
 */
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../core/errors.js';
import { isRecord, toError } from '../core/guards.js';
import { fail } from '../core/options.js';
import { hideSecrets } from '../core/redact.js';
import { CATALOGUE } from '../catalogue/table.js';
import { RefreshingAuthProvider } from '../auth/refreshing-provider.js';
import { HelixClient, type HelixClientOptions } from '../helix/client.js';
import { AutoClient } from '../eventsub/conduit/auto-client.js';
import type { AutoClientOptions } from '../eventsub/conduit/options.js';
import { WebSocketClient } from '../eventsub/websocket-client/websocket-client.js';
import type { EventSubWebSocketClientOptions } from '../eventsub/websocket-client/options.js';
import { Emulator } from '../emulator/emulator.js';
import type { EmulatorOptions } from '../emulator/options.js';
import type { DrainOptions } from '../emulator/eventsub/drain.js';

/**
 * Options of {@link startTestTwitch}: every `Emulator.start` option, over the kit's defaults
 * ({@link TEST_TWITCH_DEFAULTS}). A `clock` option, where the emulator takes one, is passed through as given.
 */
export type TestTwitchOptions = EmulatorOptions;

/**
 * What `startTestTwitch()` gives the emulator unless told otherwise:
 *
 * - `port: 0` (a free port), `rateLimitPerMinute: Infinity` (no Helix rate limit; a test of the limit sets one);
 * - fast EventSub timings: a keepalive "second" of 10 ms (a session's 10 s keepalive window lasts 100 ms), pings
 *   every 2 s, a reconnect grace of 2 s and an unused-session timeout of 5 s (long enough that a loaded machine
 *   never misses them, short enough for a test to outlive);
 * - `allowInsecureWebhooks: true` (webhook callbacks on `http://127.0.0.1`), and, unless `webhook` or
 *   `webhookTransport` is given, webhook retries after 10 ms with a 2 s answer timeout.
 */
export const TEST_TWITCH_DEFAULTS = Object.freeze({
  port: 0,
  rateLimitPerMinute: Infinity,
  keepaliveSecondMs: 10,
  pingIntervalMs: 2000,
  reconnectGraceMs: 2000,
  unusedTimeoutMs: 5000,
  allowInsecureWebhooks: true,
} as const satisfies EmulatorOptions);

const TEST_WEBHOOK = Object.freeze({ retryDelaysMs: [10], timeoutMs: 2000 });

/** The four users every test Twitch has. */
export type TestUserRole = 'broadcaster' | 'moderator' | 'viewer' | 'bot';

/** Ids and logins of the users (`moderator` is a moderator in the broadcaster's chat). */
export const TEST_USERS = Object.freeze({
  broadcaster: Object.freeze({ id: '1001', login: 'broadcaster' }),
  moderator: Object.freeze({ id: '1002', login: 'moderator' }),
  viewer: Object.freeze({ id: '1003', login: 'viewer' }),
  bot: Object.freeze({ id: '1004', login: 'chatbot' }),
} satisfies Record<TestUserRole, { id: string; login: string }>);

/**
 * Every scope the catalogue's subscription types require, and those the emulator's chat and moderation routes check:
 * what each test user has authorized the app for.
 */
export const TEST_SCOPES: readonly string[] = Object.freeze(
  [
    ...new Set([
      ...CATALOGUE.flatMap((entry) =>
        entry.authorization.scopes.flatMap((requirement) => requirement.allOf.flat()),
      ),
      'user:read:email',
      'user:read:chat',
      'user:write:chat',
      'user:bot',
      'channel:bot',
      'chat:read',
      'user:manage:chat_color',
      'user:manage:whispers',
      'user:read:whispers',
      'channel:manage:moderators',
      'channel:manage:vips',
      'channel:read:vips',
      'moderation:read',
      'moderator:manage:announcements',
      'moderator:manage:banned_users',
      'moderator:manage:chat_messages',
      'moderator:manage:chat_settings',
      'moderator:manage:shoutouts',
      'moderator:read:chatters',
    ]),
  ].sort(),
);

/**
 * A user of the test Twitch: id, login, and a user token that authorizes the app with every scope of
 * {@link TEST_SCOPES}. The tokens never show in `inspect`, logs or JSON.
 *
 * @example
 * ```ts
 * const { broadcaster, moderator } = twitch.users;
 * const condition = { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id };
 * ```
 */
export class TestUser {
  readonly id: string;
  readonly login: string;
  readonly scopes: readonly string[];
  readonly #accessToken: string;
  readonly #refreshToken: string;

  /** @internal */
  constructor(
    id: string,
    login: string,
    scopes: readonly string[],
    accessToken: string,
    refreshToken: string,
  ) {
    this.id = id;
    this.login = login;
    this.scopes = scopes;
    this.#accessToken = accessToken;
    this.#refreshToken = refreshToken;
  }

  /** The user access token (for a raw Helix call of your own; clients get it through `twitch.auth`). */
  get accessToken(): string {
    return this.#accessToken;
  }

  /** The refresh token of {@link TestUser.accessToken}. */
  get refreshToken(): string {
    return this.#refreshToken;
  }

  toJSON(): { id: string; login: string } {
    return { id: this.id, login: this.login };
  }

  [inspect.custom](): string {
    return `TestUser { id: '${this.id}', login: '${this.login}' }`;
  }
}

/** What `twitch.clientOptions()` returns: spread it into an `AutoClient`, `WebSocketClient` or `HelixClient`. */
export interface TestClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The kit's provider: the app token and the four users' tokens. Shared, closed by `twitch.close()`. */
  readonly auth: RefreshingAuthProvider;
  readonly helixUrl: string;
  readonly oauthUrl: string;
  readonly eventSubWsUrl: string;
}

/** Anything the kit can close for you. */
export interface Closable {
  close(): unknown;
}

/** A client's options: `undefined` or an object (its client checks the rest). */
function clientOptionsArgument<T extends object>(options: T | undefined): T | Record<string, never> {
  if (options === undefined) return {};
  if (!isRecord(options)) fail('options', 'an object of client options', options);
  return options;
}

/** Options of the kit's `AutoClient` (the connection options come from the kit). */
export type TestAutoClientOptions = Partial<AutoClientOptions>;
/** Options of the kit's `WebSocketClient`. */
export type TestWebSocketClientOptions = EventSubWebSocketClientOptions;
/** Options of the kit's `HelixClient`. */
export type TestHelixClientOptions = Partial<HelixClientOptions>;

/**
 * A running test Twitch (see {@link startTestTwitch}). `close()` closes every client it created or tracks (newest
 * first), its auth provider, then the emulator; also `await using twitch = await startTestTwitch()`.
 *
 * @example
 * ```ts
 * const twitch = await startTestTwitch();
 * afterEach(() => twitch.close());
 * const client = twitch.autoClient({ subscriptions });
 * ```
 */
export class TestTwitch implements AsyncDisposable {
  /** The emulator: `trigger`, `closeSession`, `revokeSubscription`, `state()`... */
  readonly emulator: Emulator;
  /** The four users, authorized with every scope. */
  readonly users: Readonly<Record<TestUserRole, TestUser>>;
  /** The app's token provider (app token, and each user's token), shared by the clients the kit creates. */
  readonly auth: RefreshingAuthProvider;
  readonly #open: Closable[] = [];
  #closing: Promise<void> | undefined;

  /** @internal */
  constructor(emulator: Emulator, users: Record<TestUserRole, TestUser>, auth: RefreshingAuthProvider) {
    this.emulator = emulator;
    this.users = Object.freeze(users);
    this.auth = auth;
  }

  /** The app's client id (a fresh one per test Twitch). */
  get clientId(): string {
    return this.emulator.clientId;
  }

  /**
   * Connection options for a client of your own: client id and secret, the kit's `auth`, the emulator's URLs.
   *
   * @example
   * ```ts
   * const client = new AutoClient({ ...twitch.clientOptions(), subscriptions });
   * ```
   */
  clientOptions(): TestClientOptions {
    const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = this.emulator.clientOptions();
    const options = { clientId, clientSecret, auth: this.auth, helixUrl, oauthUrl, eventSubWsUrl };
    return hideSecrets(options, ['clientSecret']);
  }

  /**
   * Tracks `closable` (a client, a receiver, a server of yours): `close()` closes it before the emulator. Returns it.
   *
   * @example
   * ```ts
   * const receiver = twitch.track(new WebhookReceiver({ secret }));
   * ```
   */
  track<T extends Closable>(closable: T): T {
    const c = closable as Partial<Closable> | null;
    if (typeof c !== 'object' || c === null || typeof c.close !== 'function') {
      throw new InvalidArgumentError('closable must be an object with a close() method', 'closable');
    }
    if (this.#closing !== undefined) {
      throw new InvalidArgumentError('this test Twitch is closed: start another', 'closable');
    }
    this.#open.push(closable);
    return closable;
  }

  /**
   * A tracked `AutoClient` (conduits) on the emulator, not started: add listeners, then `await client.start()`.
   *
   * @example
   * ```ts
   * const client = twitch.autoClient({
   *   subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: twitch.users.broadcaster.id } }],
   * });
   * ```
   */
  autoClient(options?: TestAutoClientOptions): AutoClient {
    const own = clientOptionsArgument(options);
    return this.track(new AutoClient({ ...this.clientOptions(), ...own }));
  }

  /**
   * A tracked `WebSocketClient` (user-token WebSocket subscriptions) on the emulator, not started.
   *
   * @example
   * ```ts
   * const client = twitch.webSocketClient({ userId: twitch.users.moderator.id });
   * ```
   */
  webSocketClient(options?: TestWebSocketClientOptions): WebSocketClient {
    const own = clientOptionsArgument(options);
    const { clientId, auth, helixUrl, oauthUrl, eventSubWsUrl } = this.clientOptions();
    return this.track(new WebSocketClient({ clientId, auth, helixUrl, oauthUrl, eventSubWsUrl, ...own }));
  }

  /**
   * A tracked `HelixClient` on the emulator (the app token; `{ auth: { userId } }` per request for a user's).
   *
   * @example
   * ```ts
   * const helix = twitch.helixClient();
   * ```
   */
  helixClient(options?: TestHelixClientOptions): HelixClient {
    const own = clientOptionsArgument(options);
    const { clientId, auth, helixUrl, oauthUrl } = this.clientOptions();
    return this.track(new HelixClient({ clientId, auth, helixUrl, oauthUrl, ...own }));
  }

  /**
   * `emulator.drain()`: resolves once everything the emulator queued reached the clients and their synchronous
   * listeners ran (see docs/testing.md, Drain). What `expectNoEvent(...).check(twitch)` calls.
   *
   * @example
   * ```ts
   * twitch.emulator.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1001' } });
   * await twitch.drain();
   * ```
   */
  drain(options?: DrainOptions): Promise<void> {
    return this.emulator.drain(options);
  }

  /**
   * Closes everything: the tracked clients newest first, the auth provider, then the emulator. Every close runs
   * even when one fails (the first failure is thrown after all ran). Idempotent; safe after a failed test, in
   * whatever state the clients are.
   *
   * @example
   * ```ts
   * afterEach(() => twitch.close());
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const failures: Error[] = [];
      const attempt = async (closable: Closable): Promise<void> => {
        try {
          await closable.close();
        } catch (error) {
          failures.push(toError(error));
        }
      };
      for (const closable of this.#open.splice(0).reverse()) await attempt(closable);
      await attempt(this.auth);
      await attempt(this.emulator);
      const [first] = failures;
      if (first !== undefined) throw first;
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Never shows a secret. */
  [inspect.custom](): string {
    return `TestTwitch { baseUrl: '${this.emulator.baseUrl}', clientId: '${this.clientId}' }`;
  }
}

/**
 * Starts a test Twitch: an emulator on a free port with a fresh app and fast EventSub timings
 * ({@link TEST_TWITCH_DEFAULTS}, `options` over them), four users (`broadcaster`, `moderator`, `viewer`, `bot`:
 * {@link TEST_USERS}) whose tokens authorize the app with every scope, and an auth provider holding them. Close it
 * after the test (`afterEach`, `t.after`, `await using`): that closes the clients it made too.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) for a bad emulator option, before anything starts.
 * @example
 * ```ts
 * await using twitch = await startTestTwitch();
 * const client = twitch.autoClient({ subscriptions: [...] });
 * ```
 */
export async function startTestTwitch(options: TestTwitchOptions = {}): Promise<TestTwitch> {
  if (!isRecord(options)) fail('options', 'an object of emulator options', options);
  const webhook =
    options.webhook === undefined && options.webhookTransport === undefined ? { webhook: TEST_WEBHOOK } : {};
  const emulator = await Emulator.start({ ...TEST_TWITCH_DEFAULTS, ...webhook, ...options });
  let auth: RefreshingAuthProvider | undefined;
  try {
    const { clientId, clientSecret, oauthUrl } = emulator.clientOptions();
    auth = new RefreshingAuthProvider({ clientId, clientSecret, oauthUrl });
    const users = {} as Record<TestUserRole, TestUser>;
    for (const role of Object.keys(TEST_USERS) as TestUserRole[]) {
      const { id, login } = TEST_USERS[role];
      const token = emulator.mintUserToken({ userId: id, login, scopes: [...TEST_SCOPES] });
      users[role] = new TestUser(id, login, TEST_SCOPES, token.accessToken, token.refreshToken);
      await auth.addUser({ accessToken: token.accessToken, refreshToken: token.refreshToken });
    }
    emulator.setChatRole({
      broadcasterId: TEST_USERS.broadcaster.id,
      userId: TEST_USERS.moderator.id,
      role: 'moderator',
    });
    return new TestTwitch(emulator, users, auth);
  } catch (error) {
    auth?.close();
    await emulator.close();
    throw error;
  }
}
