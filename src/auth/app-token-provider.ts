import { inspect } from 'node:util';
import { systemClock, type Clock } from '../core/clock.js';
import { isRecord, toError } from '../core/guards.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {
  checkOptions,
  clock,
  duration,
  fail,
  func,
  httpUrl,
  logger,
  nonEmptyString,
  optionalSignal,
  required,
  secretString,
  string,
  type OptionChecks,
} from '../core/options.js';
import { raceAbort, sleep } from '../core/sleep.js';
import { AbortError } from '../core/errors.js';
import { appTokenStore, type AppTokenStore, type SharedAppToken } from './app-token-store.js';
import { AuthError, failureReason } from './errors.js';
import { OAuthClient } from './oauth.js';
import { checkAuthContext, type AuthContext, type AuthProvider, type TokenRefreshCounts } from './types.js';
import type { FetchLike } from '../core/http-transport.js';

/** Options of {@link AppTokenProvider}. */
export interface AppTokenProviderOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Omit the key for Twitch's; a key passed as `undefined` is an `INVALID_ARGUMENT`, never a silent fallback to
   * production. @defaultValue `https://id.twitch.tv/oauth2`
   */
  readonly oauthUrl?: string;
  readonly fetch?: FetchLike | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Re-acquire the token this long before it expires, milliseconds. @defaultValue 300000 (5 min) */
  readonly renewBeforeMs?: number | undefined;
  /** Reuse an existing OAuth client (otherwise one is created from the options above). */
  readonly oauth?: OAuthClient | undefined;
  /**
   * Where the processes of a fleet share the app token (the fleet's `RedisAppTokenStore`): one of them mints it
   * under the store's lock, the others read it, and a 401 makes only one mint again. When the store fails, this
   * provider mints on its own and reports it (see `onStoreError`). @defaultValue none: this provider mints its own
   * token
   */
  readonly store?: AppTokenStore | undefined;
  /**
   * Longest time the lock of `store` is held while minting, milliseconds; a process waiting for another's token
   * mints on its own after twice this. @defaultValue 15000
   */
  readonly lockTtlMs?: number | undefined;
  /**
   * Called with every failure of `store` (after which this provider mints on its own). Without it, the first failure
   * of each outage (until the store answers again) goes to the logger's `warn` when a `logger` was given, else to
   * `process.emitWarning`: never nowhere. @defaultValue the logger, else `process.emitWarning`
   */
  readonly onStoreError?: ((error: Error) => void) | undefined;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const APP_TOKEN_CHECKS: OptionChecks<AppTokenProviderOptions> = {
  clientId: required(nonEmptyString),
  clientSecret: required(string),
  oauthUrl: httpUrl,
  fetch: func,
  clock,
  logger,
  renewBeforeMs: duration({ min: 0 }),
  oauth: (value, field) => {
    if (!(value instanceof OAuthClient)) fail(field, 'an OAuthClient', value);
  },
  store: appTokenStore,
  lockTtlMs: duration(),
  onStoreError: func,
};

/**
 * An app access token obtained with the client-credentials grant, re-acquired before it expires and after a 401.
 * Concurrent callers share one acquisition.
 *
 * @example
 * ```ts
 * const helix = new HelixClient({ clientId, auth: new AppTokenProvider({ clientId, clientSecret }) });
 * ```
 */
export class AppTokenProvider implements AuthProvider {
  readonly clientId: string;
  readonly #oauth: OAuthClient;
  /** Whether `#oauth` was built here (then `close()` closes it). */
  readonly #ownsOAuth: boolean;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #renewBeforeMs: number;
  readonly #store: AppTokenStore | undefined;
  readonly #lockTtlMs: number;
  readonly #onStoreError: ((error: Error) => void) | undefined;
  /** Whether a logger was given (else a store failure is a process warning). */
  readonly #hasLogger: boolean;
  /** A store failure of the current outage was reported (without `onStoreError`). */
  #storeReported = false;
  /** Aborts the waits for another process's token when the provider is closed. */
  readonly #closer = new AbortController();
  #token: string | undefined;
  #expiresAt = 0;
  #pending: Promise<string> | undefined;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): options that are not an
   *   object, a missing `clientId` or `clientSecret`, an `oauthUrl` that is not http(s) or is passed as `undefined`,
   *   a `renewBeforeMs` outside 0..2^31-1, an `oauth` that is not an `OAuthClient`, a `fetch`, `clock` or `logger`
   *   of the wrong shape.
   */
  constructor(options: AppTokenProviderOptions) {
    checkOptions(options, APP_TOKEN_CHECKS);
    this.clientId = options.clientId;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#hasLogger = options.logger !== undefined;
    this.#renewBeforeMs = options.renewBeforeMs ?? 300_000;
    this.#store = options.store;
    this.#lockTtlMs = options.lockTtlMs ?? 15_000;
    this.#onStoreError = options.onStoreError;
    this.#ownsOAuth = options.oauth === undefined;
    this.#oauth =
      options.oauth ??
      new OAuthClient({
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        // Only the options given: an explicit `undefined` URL is refused.
        ...(options.oauthUrl === undefined ? {} : { oauthUrl: options.oauthUrl }),
        fetch: options.fetch,
        clock: this.#clock,
      });
  }

  /** Number of tokens minted by this provider so far (observability). */
  acquisitions = 0;
  /** Number of tokens read from the `store`, minted by another process (observability). */
  sharedReads = 0;

  getAccessToken(context: AuthContext, signal?: AbortSignal): Promise<string> {
    try {
      checkAuthContext(context);
      optionalSignal(signal);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    if (context.kind === 'user') {
      return Promise.reject(
        new AuthError(
          'UNKNOWN_USER',
          `no token for user ${context.userId} (app-token provider)`,
          context.userId,
        ),
      );
    }
    if (this.#token !== undefined && this.#clock.now() < this.#expiresAt - this.#renewBeforeMs) {
      return Promise.resolve(this.#token);
    }
    return this.#acquire(signal, undefined);
  }

  renewAfterUnauthorized(
    context: AuthContext,
    rejected: string,
    signal?: AbortSignal,
  ): Promise<string | null> {
    try {
      checkAuthContext(context);
      string(rejected, 'rejected');
      optionalSignal(signal);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    if (context.kind === 'user') return Promise.resolve(null);
    if (this.#token !== undefined && this.#token !== rejected) return Promise.resolve(this.#token);
    this.#token = undefined;
    return this.#renew(rejected, signal);
  }

  /** A token other than `rejected`: a second acquisition when the first joined one that ended on it. */
  async #renew(rejected: string, signal: AbortSignal | undefined): Promise<string> {
    const token = await this.#acquire(signal, rejected);
    if (token !== rejected) return token;
    this.#token = undefined;
    return this.#acquire(signal, rejected);
  }

  /**
   * Always `undefined` (unknown): an app token carries no scopes, and what each user granted the client id is known
   * only to Twitch, which checks it when a subscription is created. Answering `[]` would make the Helix client refuse
   * every subscription that needs a user's authorization before asking Twitch.
   */
  getScopes(): undefined {
    return undefined;
  }

  /**
   * App tokens obtained and failed attempts, counted by its OAuth client (`OAuthClient.tokenRefreshes`).
   *
   * @example
   * ```ts
   * console.log(provider.tokenRefreshes.app.ok);
   * ```
   */
  get tokenRefreshes(): TokenRefreshCounts {
    return this.#oauth.tokenRefreshes;
  }

  /** Forgets the current token; the next request acquires a new one. */
  invalidate(): void {
    this.#token = undefined;
  }

  /**
   * Closes the OAuth client this provider built: an acquisition in flight, and any later one, fails with an
   * {@link AuthError} `APP_TOKEN_FAILED` whose `cause` is an `AbortError` (a `HelixClient` being closed reports its
   * own requests as `AbortError`). An OAuth client passed in `options.oauth` is left open: its owner closes it. Idle
   * connections never keep the process alive, so calling this is only needed to end work in flight.
   */
  close(): void {
    this.#closer.abort(new AbortError('The app-token provider was closed'));
    if (this.#ownsOAuth) this.#oauth.close();
  }

  /**
   * One acquisition shared by every concurrent caller. It runs without any caller's signal (one caller giving up
   * must not fail the others); each caller's own signal only ends its own wait. With a store, the fleet's token is
   * read first, and minted (under the store's lock) only when there is none, or only `rejected`.
   */
  #acquire(signal: AbortSignal | undefined, rejected: string | undefined): Promise<string> {
    this.#pending ??= (async () => {
      try {
        const store = this.#store;
        const token = store === undefined ? await this.#mint() : await this.#shared(store, rejected);
        this.#token = token.accessToken;
        this.#expiresAt =
          token.expiresInMs === null ? Number.POSITIVE_INFINITY : this.#clock.now() + token.expiresInMs;
        return token.accessToken;
      } finally {
        this.#pending = undefined;
      }
    })();
    return raceAbort(this.#pending, signal);
  }

  /** Mints a token with the client-credentials grant. Rejects with an {@link AuthError} `APP_TOKEN_FAILED`. */
  async #mint(): Promise<SharedAppToken> {
    try {
      const grant = await this.#oauth.clientCredentials();
      this.acquisitions++;
      this.#logger.debug('app token acquired', { expiresIn: grant.expiresIn });
      return {
        accessToken: grant.accessToken,
        expiresInMs: grant.expiresIn === null ? null : grant.expiresIn * 1000,
      };
    } catch (error) {
      throw new AuthError(
        'APP_TOKEN_FAILED',
        `could not get an app access token: ${failureReason(error)}`,
        null,
        { cause: error },
      );
    }
  }

  /**
   * The fleet's token: read it; if there is none worth using, take the lock and mint it (reading once more under the
   * lock: another process may have just saved one), or wait for the process that holds the lock (50 ms, doubling to
   * 1 s). A store that fails, or a lock holder that never saves within twice `lockTtlMs`, leaves this provider
   * minting on its own.
   */
  async #shared(store: AppTokenStore, rejected: string | undefined): Promise<SharedAppToken> {
    const usable = (token: SharedAppToken | null): token is SharedAppToken =>
      token !== null &&
      token.accessToken !== rejected &&
      (token.expiresInMs === null || token.expiresInMs > this.#renewBeforeMs);
    const giveUpAt = this.#clock.now() + 2 * this.#lockTtlMs;
    let delay = 50;
    try {
      for (;;) {
        const loaded = await store.load();
        this.#storeReported = false; // the store answers: a later failure is a new outage
        const stored = sharedToken(loaded);
        if (stored === null && loaded !== null) {
          // Reported, then treated as no token: minted under the lock and saved over it.
          this.#storeFailed(new Error('the store holds a value that is not an app token (not quoted)'));
        }
        if (usable(stored)) {
          this.sharedReads++;
          return stored;
        }
        if (await store.lock(this.#lockTtlMs)) return await this.#mintLocked(store, usable);
        if (this.#clock.now() >= giveUpAt) {
          this.#storeFailed(new Error('no process saved an app token in the store in time'));
          return await this.#mint();
        }
        await sleep(delay, { clock: this.#clock, signal: this.#closer.signal });
        delay = Math.min(delay * 2, 1_000);
      }
    } catch (error) {
      if (error instanceof AuthError) throw error;
      if (this.#closer.signal.aborted) {
        throw new AuthError('APP_TOKEN_FAILED', 'could not get an app access token: closed', null, {
          cause: error,
        });
      }
      this.#storeFailed(error);
      return this.#mint();
    }
  }

  /** Holding the store's lock: reads once more, else mints and saves (the lock released either way). */
  async #mintLocked(
    store: AppTokenStore,
    usable: (token: SharedAppToken | null) => token is SharedAppToken,
  ): Promise<SharedAppToken> {
    let minted: SharedAppToken;
    try {
      const again = sharedToken(await store.load());
      if (usable(again)) {
        this.sharedReads++;
        await store.unlock();
        return again;
      }
      minted = await this.#mint();
    } catch (error) {
      await store.unlock().catch((unlockError: unknown) => {
        this.#storeFailed(unlockError);
      });
      throw error;
    }
    // The token is good whether or not the store keeps it: a failed save is reported, not a failed acquisition.
    await store.save(minted).catch((error: unknown) => {
      this.#storeFailed(error);
    });
    return minted;
  }

  /**
   * Reports a failure of the store: every one to `onStoreError`; without it, the first of each outage to the logger,
   * or as a process warning when no logger was given (a default logger is silent: the failure would go nowhere).
   */
  #storeFailed(error: unknown): void {
    const failure = toError(error);
    if (this.#onStoreError !== undefined) {
      try {
        this.#onStoreError(failure);
      } catch {
        // A throwing onStoreError must not fail the acquisition; there is nowhere further to report it.
      }
      return;
    }
    if (this.#storeReported) return;
    this.#storeReported = true;
    const code = (failure as { code?: unknown }).code;
    const message = `AppTokenProvider: the app token store failed, minting here: ${failure.message}`;
    if (this.#hasLogger) {
      this.#logger.warn(message, typeof code === 'string' ? { code } : {});
    } else {
      process.emitWarning(message, typeof code === 'string' ? { code } : {});
    }
  }

  [inspect.custom](): string {
    return `AppTokenProvider { clientId: '${this.clientId}', token: ${this.#token === undefined ? 'none' : "'[redacted]'"} }`;
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.clientId, token: this.#token === undefined ? null : '[redacted]' };
  }
}

/** A bearer token's characters: visible ASCII, no space (RFC 6750's b64token is narrower still). */
const TOKEN = /^[\x21-\x7e]{1,4096}$/;

/**
 * What a store loaded, if it is a token a request may carry: `{ accessToken, expiresInMs }` with a token of visible
 * ASCII and `null` or a finite, non-negative life; anything else (a stray value, another version's) is `null`.
 */
function sharedToken(value: unknown): SharedAppToken | null {
  if (!isRecord(value)) return null;
  const { accessToken, expiresInMs } = value;
  if (typeof accessToken !== 'string' || !TOKEN.test(accessToken)) return null;
  if (
    expiresInMs !== null &&
    (typeof expiresInMs !== 'number' || !Number.isFinite(expiresInMs) || expiresInMs < 0)
  ) {
    return null;
  }
  return { accessToken, expiresInMs };
}

/** Options of {@link StaticAuthProvider}. */
export interface StaticAuthProviderOptions {
  readonly clientId: string;
  /** The app access token (omitted: app requests fail with `NO_APP_CREDENTIALS`). */
  readonly appToken?: string | undefined;
  /** User id → that user's access token. */
  readonly userTokens?: Readonly<Record<string, string>>;
}

const STATIC_CHECKS: OptionChecks<StaticAuthProviderOptions> = {
  clientId: required(nonEmptyString),
  appToken: secretString,
  userTokens: (value, field) => {
    if (!isRecord(value)) fail(field, 'an object of user id → access token', value);
    for (const [userId, token] of Object.entries(value)) secretString(token, `${field}.${userId}`);
  },
};

/**
 * Fixed tokens that are never renewed (tests, scripts, tokens managed elsewhere). A 401 is surfaced as is.
 *
 * @example
 * ```ts
 * const auth = new StaticAuthProvider({ clientId, appToken: process.env.TWITCH_APP_TOKEN });
 * ```
 */
export class StaticAuthProvider implements AuthProvider {
  readonly clientId: string;
  readonly #appToken: string | undefined;
  readonly #userTokens: Map<string, string>;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) for options that are not an
   *   object, a missing `clientId`, or tokens that are not non-empty strings (never quoted in the message).
   */
  constructor(options: StaticAuthProviderOptions) {
    checkOptions(options, STATIC_CHECKS);
    this.clientId = options.clientId;
    this.#appToken = options.appToken;
    this.#userTokens = new Map(Object.entries(options.userTokens ?? {}));
  }

  getAccessToken(context: AuthContext): Promise<string> {
    try {
      checkAuthContext(context);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    const token = context.kind === 'app' ? this.#appToken : this.#userTokens.get(context.userId);
    if (token !== undefined) return Promise.resolve(token);
    return Promise.reject(
      context.kind === 'app'
        ? new AuthError('NO_APP_CREDENTIALS', 'no app token configured', null)
        : new AuthError('UNKNOWN_USER', `no token for user ${context.userId}`, context.userId),
    );
  }

  renewAfterUnauthorized(): Promise<string | null> {
    return Promise.resolve(null);
  }

  [inspect.custom](): string {
    return `StaticAuthProvider { clientId: '${this.clientId}', users: ${this.#userTokens.size} }`;
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.clientId, users: this.#userTokens.size };
  }
}
