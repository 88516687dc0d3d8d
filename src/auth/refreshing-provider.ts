import { inspect } from 'node:util';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { TypedEmitter } from '../core/emitter.js';
import { errorMessage, isRecord } from '../core/guards.js';
import { silentLogger, type Logger } from '../core/logger.js';
import {
  checkOptions,
  clock,
  duration,
  fail,
  func,
  httpUrl,
  integerDuration,
  logger,
  nonEmptyString,
  optionalSignal,
  required,
  secretString,
  string,
  withMethods,
  type OptionChecks,
} from '../core/options.js';
import { raceAbort } from '../core/sleep.js';
import { HTTPError } from '../core/http-errors.js';
import type { FetchLike } from '../core/http-transport.js';
import { AppTokenProvider } from './app-token-provider.js';
import { AuthError, failureReason } from './errors.js';
import { OAuthClient, type TokenValidation } from './oauth.js';
import { MemoryTokenStore, type StoredToken, type TokenStore } from './token-store.js';
import { checkAuthContext, type AuthContext, type AuthProvider, type TokenRefreshCounts } from './types.js';

/** What is known about a user's token, without the token itself. */
export interface UserTokenInfo {
  readonly userId: string;
  readonly login: string | null;
  readonly scopes: readonly string[];
  /** Epoch milliseconds, or `null` when unknown. */
  readonly expiresAt: number | null;
  /** Epoch milliseconds of the last successful validation, 0 when never validated. */
  readonly validatedAt: number;
  readonly refreshable: boolean;
  /** Set when the token is unusable until the user authorizes again. */
  readonly revoked: boolean;
}

/** Events of {@link RefreshingAuthProvider}. Payloads never contain tokens. */
export interface AuthEvents {
  /** A user token was refreshed (and saved to the store). */
  tokenRefreshed: [userId: string, info: UserTokenInfo];
  /** A refresh failed. Transient failures (`TOKEN_REFRESH_FAILED`) keep the token; see also `tokenRevoked`. */
  tokenRefreshFailed: [userId: string, error: AuthError];
  /**
   * The token can no longer be used (refresh token rejected, or invalid and not refreshable): the user must
   * authorize again. The token stays listed (as revoked) until {@link RefreshingAuthProvider.removeUser}.
   */
  tokenRevoked: [userId: string, error: AuthError];
  /** A listener threw (see {@link TypedEmitter}). */
  error: [error: unknown, event: string];
}

/** Options of {@link RefreshingAuthProvider}. */
export interface RefreshingAuthProviderOptions {
  readonly clientId: string;
  /** Needed for the app token and for refreshes. */
  readonly clientSecret?: string | undefined;
  /**
   * Omit the key for Twitch's; a key passed as `undefined` is an `INVALID_ARGUMENT`, never a silent fallback to
   * production. @defaultValue `https://id.twitch.tv/oauth2`
   */
  readonly oauthUrl?: string;
  readonly fetch?: FetchLike | undefined;
  /** @defaultValue a {@link MemoryTokenStore} */
  readonly store?: TokenStore | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Validation period of every token, an integer of milliseconds (Twitch requires hourly). @defaultValue 3600000 */
  readonly validateIntervalMs?: number | undefined;
  /** Refresh a user token this long before it expires, milliseconds. @defaultValue 60000 */
  readonly refreshBeforeMs?: number | undefined;
}

/** Input of {@link RefreshingAuthProvider.addUser}. */
export interface AddUserInput {
  readonly accessToken: string;
  readonly refreshToken?: string | null | undefined;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const REFRESHING_CHECKS: OptionChecks<RefreshingAuthProviderOptions> = {
  clientId: required(nonEmptyString),
  clientSecret: string,
  oauthUrl: httpUrl,
  fetch: func,
  store: withMethods(['load', 'save', 'remove'], 'a TokenStore (load, save and remove methods)'),
  clock,
  logger,
  validateIntervalMs: integerDuration(),
  refreshBeforeMs: duration({ min: 0 }),
};

/** Checks an {@link AddUserInput}: an access token, and a refresh token (or `null`). Never quotes them. */
function checkAddUserInput(input: unknown): asserts input is AddUserInput {
  if (!isRecord(input)) fail('input', 'an object { accessToken, refreshToken? }', input);
  secretString(input.accessToken, 'accessToken');
  if (input.refreshToken !== undefined && input.refreshToken !== null) {
    secretString(input.refreshToken, 'refreshToken');
  }
}

interface UserRecord {
  userId: string;
  login: string | null;
  accessToken: string;
  refreshToken: string | null;
  scopes: readonly string[];
  expiresAt: number | null;
  obtainedAt: number;
  validatedAt: number;
  /** When the periodic check validates this token next (after a transient failure: sooner than an interval). */
  checkAt: number;
  revoked: AuthError | undefined;
  refreshing: Promise<string> | undefined;
}

/** Retry delay of a validation that failed for a transient reason (network, 5xx), capped by the interval. */
const VALIDATION_RETRY_MS = 60_000;

/**
 * App token plus refreshable user tokens.
 *
 * - User tokens are validated when added and then every hour (Twitch requires it), refreshed shortly before they
 *   expire and after a 401; refreshes are single-flight per user (concurrent requests share one).
 * - Every refresh is saved to the {@link TokenStore} and reported with `tokenRefreshed`; a failed refresh emits
 *   `tokenRefreshFailed`, and a token that cannot be refreshed any more emits `tokenRevoked` and makes requests for
 *   that user fail with {@link AuthError} `TOKEN_REVOKED`: a token is never dropped silently.
 * - `close()` stops the validation timer.
 *
 * @example
 * ```ts
 * const auth = new RefreshingAuthProvider({ clientId, clientSecret, store: new FileTokenStore('tokens.json') });
 * auth.on('tokenRevoked', (userId, err) => logger.warn(`user ${userId} must re-authorize: ${err.message}`));
 * const { userId } = await auth.addUser({ accessToken, refreshToken });
 * const helix = new HelixClient({ clientId, auth });
 * await helix.users.getUsers({ auth: { userId } });
 * ```
 */
export class RefreshingAuthProvider extends TypedEmitter<AuthEvents> implements AuthProvider {
  readonly clientId: string;
  readonly oauth: OAuthClient;
  readonly #app: AppTokenProvider | undefined;
  readonly #store: TokenStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #validateIntervalMs: number;
  readonly #refreshBeforeMs: number;
  readonly #users = new Map<string, UserRecord>();
  #timer: TimerHandle | undefined;
  #closed = false;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): options that are not an
   *   object, a missing `clientId`, an `oauthUrl` that is not http(s) or is passed as `undefined`, a
   *   `validateIntervalMs` that is not an integer in 1..2^31-1, a `refreshBeforeMs` outside 0..2^31-1, a `store`,
   *   `fetch`, `clock` or `logger` of the wrong shape.
   */
  constructor(options: RefreshingAuthProviderOptions) {
    super({ logger: checkedOptions(options).logger ?? silentLogger });
    this.clientId = options.clientId;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#store = options.store ?? new MemoryTokenStore();
    this.#validateIntervalMs = options.validateIntervalMs ?? 3_600_000;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.oauth = new OAuthClient({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      // Only the options given: an explicit `undefined` URL is refused.
      ...(options.oauthUrl === undefined ? {} : { oauthUrl: options.oauthUrl }),
      fetch: options.fetch,
      clock: this.#clock,
    });
    this.#app =
      options.clientSecret === undefined || options.clientSecret === ''
        ? undefined
        : new AppTokenProvider({
            clientId: options.clientId,
            clientSecret: options.clientSecret,
            oauth: this.oauth,
            clock: this.#clock,
            logger: this.#logger,
          });
  }

  /**
   * Adds (or replaces) a user token: validates it (refreshing it when Twitch says it is invalid), checks it belongs
   * to this client, saves it, and returns what Twitch said about it.
   *
   * @throws AuthError `TOKEN_INVALID` (invalid, not refreshable), `TOKEN_REVOKED` (refresh rejected),
   *   `CLIENT_MISMATCH`, or `TOKEN_INVALID` for app tokens (they carry no user).
   */
  async addUser(input: AddUserInput, signal?: AbortSignal): Promise<UserTokenInfo> {
    checkAddUserInput(input);
    optionalSignal(signal);
    let accessToken = input.accessToken;
    let refreshToken = input.refreshToken ?? null;
    let validation: TokenValidation;
    try {
      validation = await this.oauth.validate(accessToken, signal);
    } catch (error) {
      if (!(error instanceof HTTPError && error.status === 401)) throw error;
      if (refreshToken === null) {
        throw new AuthError('TOKEN_INVALID', 'the token is invalid and has no refresh token', null, {
          cause: error,
        });
      }
      try {
        const grant = await this.oauth.refresh(refreshToken, signal);
        accessToken = grant.accessToken;
        refreshToken = grant.refreshToken ?? refreshToken;
      } catch (refreshError) {
        throw new AuthError(
          'TOKEN_REVOKED',
          `the token is invalid and its refresh failed: ${failureReason(refreshError)}`,
          null,
          { cause: refreshError },
        );
      }
      validation = await this.oauth.validate(accessToken, signal);
    }
    if (validation.clientId !== this.clientId) {
      throw new AuthError('CLIENT_MISMATCH', 'the token was issued to another client id', validation.userId);
    }
    if (validation.userId === null) {
      throw new AuthError('TOKEN_INVALID', 'this is an app token, not a user token', null);
    }
    const now = this.#clock.now();
    const record: UserRecord = {
      userId: validation.userId,
      login: validation.login,
      accessToken,
      refreshToken,
      scopes: validation.scopes,
      expiresAt: validation.expiresIn === null ? null : now + validation.expiresIn * 1000,
      obtainedAt: now,
      validatedAt: now,
      checkAt: now + this.#validateIntervalMs,
      revoked: undefined,
      refreshing: undefined,
    };
    this.#users.set(record.userId, record);
    await this.#save(record);
    this.#schedule();
    return info(record);
  }

  /**
   * Loads every token of the store (without network calls); they are validated by the next periodic check, which
   * this schedules to run at once. Returns the user ids loaded.
   */
  async loadFromStore(): Promise<string[]> {
    const tokens = await this.#store.load();
    for (const t of tokens) {
      this.#users.set(t.userId, {
        userId: t.userId,
        login: t.login,
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
        scopes: t.scopes,
        expiresAt: t.expiresAt,
        obtainedAt: t.obtainedAt,
        validatedAt: 0,
        checkAt: 0,
        revoked: undefined,
        refreshing: undefined,
      });
    }
    this.#schedule(0);
    return tokens.map((t) => t.userId);
  }

  /** Forgets a user's token (memory and store). */
  async removeUser(userId: string): Promise<void> {
    nonEmptyString(userId, 'userId');
    this.#users.delete(userId);
    await this.#store.remove(userId);
  }

  /** Non-secret information about a user's token, or `undefined`. */
  getUser(userId: string): UserTokenInfo | undefined {
    nonEmptyString(userId, 'userId');
    const record = this.#users.get(userId);
    return record === undefined ? undefined : info(record);
  }

  /**
   * User tokens refreshed and app tokens obtained, with failed attempts, counted by its OAuth client
   * (`OAuthClient.tokenRefreshes`; the app-token provider inside shares it).
   *
   * @example
   * ```ts
   * console.log(auth.tokenRefreshes.user.failed);
   * ```
   */
  get tokenRefreshes(): TokenRefreshCounts {
    return this.oauth.tokenRefreshes;
  }

  /** Ids of every user with a token (revoked ones included). */
  userIds(): string[] {
    return [...this.#users.keys()];
  }

  getScopes(context: AuthContext): readonly string[] | undefined {
    checkAuthContext(context);
    if (context.kind === 'app') return [];
    return this.#users.get(context.userId)?.scopes;
  }

  async getAccessToken(context: AuthContext, signal?: AbortSignal): Promise<string> {
    checkAuthContext(context);
    optionalSignal(signal);
    if (context.kind === 'app') return this.#appProvider().getAccessToken(context, signal);
    const record = this.#record(context.userId);
    if (
      record.expiresAt !== null &&
      record.refreshToken !== null &&
      this.#clock.now() >= record.expiresAt - this.#refreshBeforeMs
    ) {
      return this.#refresh(record, signal);
    }
    return record.accessToken;
  }

  async renewAfterUnauthorized(
    context: AuthContext,
    rejected: string,
    signal?: AbortSignal,
  ): Promise<string | null> {
    checkAuthContext(context);
    string(rejected, 'rejected');
    optionalSignal(signal);
    if (context.kind === 'app') return this.#appProvider().renewAfterUnauthorized(context, rejected, signal);
    const record = this.#record(context.userId);
    if (record.refreshing !== undefined) return raceAbort(record.refreshing, signal);
    if (record.accessToken !== rejected) return record.accessToken;
    if (record.refreshToken === null) {
      this.#revoke(
        record,
        new AuthError('TOKEN_INVALID', 'the token was rejected and cannot be refreshed', record.userId),
      );
      return null;
    }
    return this.#refresh(record, signal);
  }

  /**
   * Validates every token now (what the hourly timer does). Tokens Twitch rejects are refreshed; those that cannot
   * be are reported with `tokenRevoked`.
   */
  async validateAll(signal?: AbortSignal): Promise<void> {
    optionalSignal(signal);
    await Promise.all([...this.#users.values()].map((record) => this.#validate(record, signal)));
  }

  /** Stops the validation timer. Tokens stay usable. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #appProvider(): AppTokenProvider {
    if (this.#app === undefined) {
      throw new AuthError('NO_APP_CREDENTIALS', 'an app token needs the client secret', null);
    }
    return this.#app;
  }

  #record(userId: string): UserRecord {
    const record = this.#users.get(userId);
    if (record === undefined) throw new AuthError('UNKNOWN_USER', `no token for user ${userId}`, userId);
    if (record.revoked !== undefined) {
      throw new AuthError(
        record.revoked.code,
        `the token of user ${userId} is unusable: ${record.revoked.message}`,
        userId,
        {
          cause: record.revoked,
        },
      );
    }
    return record;
  }

  /**
   * One refresh per user shared by every concurrent caller. It runs without any caller's signal (one caller giving
   * up must not fail the others nor fire `tokenRefreshFailed`); each caller's own signal only ends its own wait.
   */
  #refresh(record: UserRecord, signal: AbortSignal | undefined): Promise<string> {
    record.refreshing ??= (async () => {
      const refreshToken = record.refreshToken;
      try {
        if (refreshToken === null) throw new Error('no refresh token');
        const grant = await this.oauth.refresh(refreshToken);
        const now = this.#clock.now();
        record.accessToken = grant.accessToken;
        record.refreshToken = grant.refreshToken ?? refreshToken;
        if (grant.scopes.length > 0) record.scopes = grant.scopes;
        record.expiresAt = grant.expiresIn === null ? null : now + grant.expiresIn * 1000;
        record.obtainedAt = now;
        record.validatedAt = now;
        record.checkAt = now + this.#validateIntervalMs;
      } catch (error) {
        // Twitch answers an invalid or revoked refresh token with 400 (or 401). Anything else (429, 408, 5xx, a
        // network error) is transient: the user keeps the token and the next call retries.
        const permanent = error instanceof HTTPError && (error.status === 400 || error.status === 401);
        const failure = new AuthError(
          permanent ? 'TOKEN_REVOKED' : 'TOKEN_REFRESH_FAILED',
          permanent
            ? `the refresh token of user ${record.userId} was rejected (${failureReason(error)}); the user must authorize again`
            : `refreshing the token of user ${record.userId} failed: ${failureReason(error)}`,
          record.userId,
          { cause: error },
        );
        // A user removed meanwhile is not reported any more; the callers still waiting get the error.
        if (this.#users.get(record.userId) === record) {
          this.#logger.warn('token refresh failed', { userId: record.userId, code: failure.code });
          this.emit('tokenRefreshFailed', record.userId, failure);
          if (permanent) this.#revoke(record, failure);
        }
        throw failure;
      } finally {
        record.refreshing = undefined;
      }
      // A user removed while the refresh was in flight stays removed: not saved back, not announced.
      if (this.#users.get(record.userId) !== record) return record.accessToken;
      await this.#save(record);
      this.#logger.debug('token refreshed', { userId: record.userId });
      this.emit('tokenRefreshed', record.userId, info(record));
      return record.accessToken;
    })();
    return raceAbort(record.refreshing, signal);
  }

  #revoke(record: UserRecord, error: AuthError): void {
    if (record.revoked !== undefined) return;
    record.revoked = error;
    this.#logger.warn('token revoked', { userId: record.userId, code: error.code });
    this.emit('tokenRevoked', record.userId, error);
  }

  async #validate(record: UserRecord, signal: AbortSignal | undefined): Promise<void> {
    if (record.revoked !== undefined) return;
    // The next check counts from the start of this one, so that checks start one interval apart; set before the
    // call, so that a timer armed meanwhile does not see this token as still due.
    record.checkAt = this.#clock.now() + this.#validateIntervalMs;
    try {
      const v = await this.oauth.validate(record.accessToken, signal);
      record.validatedAt = this.#clock.now();
      record.scopes = v.scopes;
      if (v.login !== null) record.login = v.login;
      record.expiresAt = v.expiresIn === null ? null : record.validatedAt + v.expiresIn * 1000;
    } catch (error) {
      if (error instanceof HTTPError && error.status === 401) {
        if (record.refreshToken === null) {
          this.#revoke(
            record,
            new AuthError('TOKEN_INVALID', 'the token is no longer valid', record.userId, { cause: error }),
          );
          return;
        }
        // Failures are reported through the events by #refresh; a success sets the next check an interval away,
        // a transient failure leaves this retry time (never a tight loop).
        record.checkAt = this.#clock.now() + Math.min(this.#validateIntervalMs, VALIDATION_RETRY_MS);
        await this.#refresh(record, signal).catch(() => undefined);
        return;
      }
      record.checkAt = this.#clock.now() + Math.min(this.#validateIntervalMs, VALIDATION_RETRY_MS);
      this.#logger.warn('token validation failed; will retry soon', {
        userId: record.userId,
        error: errorMessage(error),
      });
    }
  }

  /**
   * Arms the check timer for the earliest `checkAt` of the live tokens (or `delay`), so that every token is
   * validated once per interval, not up to two intervals apart. `delay` 0 replaces a pending timer.
   */
  #schedule(delay?: number): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) {
      if (delay !== 0) return;
      this.#clock.clearTimeout(this.#timer);
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      const now = this.#clock.now();
      const due = [...this.#users.values()].filter((r) => r.revoked === undefined && r.checkAt <= now);
      void Promise.all(due.map((r) => this.#validate(r, undefined))).finally(() => {
        this.#schedule();
      });
    }, delay ?? this.#nextCheckIn());
  }

  /** Milliseconds until the next token is due (an interval when there is none). */
  #nextCheckIn(): number {
    let earliest = Infinity;
    for (const r of this.#users.values()) {
      if (r.revoked === undefined && r.checkAt < earliest) earliest = r.checkAt;
    }
    return earliest === Infinity ? this.#validateIntervalMs : Math.max(0, earliest - this.#clock.now());
  }

  async #save(record: UserRecord): Promise<void> {
    try {
      await this.#store.save(stored(record));
    } catch (error) {
      this.#logger.error('saving a token failed', {
        userId: record.userId,
        error: errorMessage(error),
      });
    }
  }

  [inspect.custom](): string {
    return `RefreshingAuthProvider { clientId: '${this.clientId}', users: ${this.#users.size} }`;
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.clientId, users: this.#users.size };
  }
}

/** `options`, checked against {@link REFRESHING_CHECKS} (before `super()`, which reads the logger). */
function checkedOptions(options: RefreshingAuthProviderOptions): RefreshingAuthProviderOptions {
  checkOptions(options, REFRESHING_CHECKS);
  return options;
}

function info(r: UserRecord): UserTokenInfo {
  return {
    userId: r.userId,
    login: r.login,
    scopes: r.scopes,
    expiresAt: r.expiresAt,
    validatedAt: r.validatedAt,
    refreshable: r.refreshToken !== null,
    revoked: r.revoked !== undefined,
  };
}

function stored(r: UserRecord): StoredToken {
  return {
    userId: r.userId,
    login: r.login,
    accessToken: r.accessToken,
    refreshToken: r.refreshToken,
    scopes: r.scopes,
    expiresAt: r.expiresAt,
    obtainedAt: r.obtainedAt,
  };
}
