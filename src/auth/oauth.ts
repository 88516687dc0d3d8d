/**
 * Twitch's OAuth endpoints (`https://id.twitch.tv/oauth2`): client credentials, authorization code, refresh,
 * validate and revoke. Tokens and the client secret never appear in errors or logs.
 */
import { inspect } from 'node:util';
import { Backoff } from '../core/backoff.js';
import { systemClock, type Clock } from '../core/clock.js';
import { tokenRefreshedChannel } from '../core/diagnostics.js';
import {
  AbortError,
  InvalidArgumentError,
  ProtocolError,
  TimeoutError,
  TwitchError,
} from '../core/errors.js';
import { isRecord, optionalUrl, parseJsonBody } from '../core/guards.js';
import {
  checkOptions,
  clock,
  duration,
  func,
  httpUrl,
  nonEmptyString,
  nonNegativeInteger,
  optionalSignal,
  required,
  secretString,
  string,
  type OptionChecks,
} from '../core/options.js';
import { redactKnown, redactParams } from '../core/redact.js';
import { abortReason, sleep } from '../core/sleep.js';
import { OAUTH_URL } from '../protocol/eventsub.js';
import type { TokenRefreshCounts } from './types.js';
import { HTTPError, NetworkError, twitchErrorFields } from '../core/http-errors.js';
import {
  FetchTransport,
  NodeHttpTransport,
  type FetchLike,
  type HttpTransport,
  type TransportResponse,
} from '../core/http-transport.js';

/** Options of {@link OAuthClient}. */
export interface OAuthClientOptions {
  readonly clientId: string;
  /** Needed for client credentials, code exchange and refresh. */
  readonly clientSecret?: string | undefined;
  /**
   * Omit the key for Twitch's; a key passed as `undefined` (a misspelt variable) is an `INVALID_ARGUMENT`, never a
   * silent fallback to production. @defaultValue `https://id.twitch.tv/oauth2`
   */
  readonly oauthUrl?: string;
  /** A `fetch` to send requests with. By default: `node:http`/`node:https` with a private keep-alive agent. */
  readonly fetch?: FetchLike | undefined;
  /** Per-attempt timeout, milliseconds. @defaultValue 10000 */
  readonly timeoutMs?: number | undefined;
  /** Retries after network errors and 5xx; none for `exchangeCode` (a code works once). @defaultValue 2 */
  readonly maxRetries?: number | undefined;
  readonly clock?: Clock | undefined;
}

/** A token issued by `/oauth2/token`. */
export interface TokenGrant {
  readonly accessToken: string;
  /** `null` for app tokens (they cannot be refreshed). */
  readonly refreshToken: string | null;
  /** Seconds, or `null` when Twitch did not say. */
  readonly expiresIn: number | null;
  readonly scopes: readonly string[];
}

/** What `/oauth2/validate` says about a token. */
export interface TokenValidation {
  readonly clientId: string;
  /** `null` for app tokens. */
  readonly userId: string | null;
  readonly login: string | null;
  readonly scopes: readonly string[];
  /** Seconds left, or `null` for tokens that do not expire. */
  readonly expiresIn: number | null;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const OAUTH_CHECKS: OptionChecks<OAuthClientOptions> = {
  clientId: required(nonEmptyString),
  clientSecret: string,
  oauthUrl: httpUrl,
  fetch: func,
  timeoutMs: duration(),
  maxRetries: nonNegativeInteger,
  clock,
};

/**
 * Calls Twitch's OAuth endpoints.
 *
 * @example
 * ```ts
 * const oauth = new OAuthClient({ clientId, clientSecret });
 * const { accessToken, expiresIn } = await oauth.clientCredentials();
 * const info = await oauth.validate(accessToken);
 * ```
 */
export class OAuthClient {
  readonly clientId: string;
  readonly #secret: string | undefined;
  readonly #baseUrl: string;
  readonly #transport: HttpTransport;
  readonly #closer = new AbortController();
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #clock: Clock;
  /** Tokens obtained and failed attempts, by kind: counted in `#grant`, the one place a token is obtained. */
  readonly #refreshes = { app: { ok: 0, failed: 0 }, user: { ok: 0, failed: 0 } };

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): options that are not an
   *   object, a missing or empty `clientId`, an `oauthUrl` that is not http(s) or is passed as `undefined`, a
   *   `timeoutMs` outside 1..2^31-1, a negative or fractional `maxRetries`, a `fetch` or `clock` of the wrong shape.
   */
  constructor(options: OAuthClientOptions) {
    checkOptions(options, OAUTH_CHECKS);
    this.clientId = options.clientId;
    this.#secret = options.clientSecret;
    this.#baseUrl = optionalUrl(options, 'oauthUrl', OAUTH_URL).replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#clock = options.clock ?? systemClock;
    this.#transport =
      options.fetch === undefined
        ? new NodeHttpTransport({ clock: this.#clock })
        : new FetchTransport(options.fetch, this.#clock);
  }

  /** Whether a client secret is configured (needed for app tokens and refreshes). */
  get hasSecret(): boolean {
    return this.#secret !== undefined && this.#secret !== '';
  }

  /** Gets an app access token with the client-credentials grant. */
  async clientCredentials(signal?: AbortSignal): Promise<TokenGrant> {
    optionalSignal(signal);
    const form = this.#form({ grant_type: 'client_credentials' });
    return this.#grant('app', form, signal);
  }

  /**
   * Tokens obtained so far and attempts that failed, by kind (`app`: client credentials, `user`: refresh); a copy.
   *
   * @example
   * ```ts
   * const { user } = oauth.tokenRefreshes;
   * if (user.failed > 0) console.warn(`${user.failed} user token refreshes failed`);
   * ```
   */
  get tokenRefreshes(): TokenRefreshCounts {
    const { app, user } = this.#refreshes;
    return { app: { ...app }, user: { ...user } };
  }

  /** Exchanges an authorization code for a user token. */
  async exchangeCode(code: string, redirectUri: string, signal?: AbortSignal): Promise<TokenGrant> {
    secretString(code, 'code');
    nonEmptyString(redirectUri, 'redirectUri');
    optionalSignal(signal);
    const form = this.#form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    // An authorization code works once: never sent twice by the transport on its own.
    return toGrant(await this.#call('POST', '/token', form, signal, undefined, false));
  }

  /** Refreshes a user token. Twitch may rotate the refresh token: store the returned one. */
  async refresh(refreshToken: string, signal?: AbortSignal): Promise<TokenGrant> {
    secretString(refreshToken, 'refreshToken');
    optionalSignal(signal);
    const form = this.#form({ grant_type: 'refresh_token', refresh_token: refreshToken });
    return this.#grant('user', form, signal);
  }

  /** Obtains an app token or refreshes a user token: counted, and published on the diagnostics channel. */
  async #grant(
    kind: 'app' | 'user',
    form: URLSearchParams,
    signal: AbortSignal | undefined,
  ): Promise<TokenGrant> {
    const counts = this.#refreshes[kind];
    let grant: TokenGrant;
    try {
      grant = toGrant(await this.#call('POST', '/token', form, signal));
    } catch (error) {
      if (!(error instanceof AbortError)) counts.failed++;
      throw error;
    }
    counts.ok++;
    if (tokenRefreshedChannel.hasSubscribers) tokenRefreshedChannel.publish({ kind });
    return grant;
  }

  /** Validates a token; rejects with an {@link HTTPError} of status 401 when it is invalid. */
  async validate(accessToken: string, signal?: AbortSignal): Promise<TokenValidation> {
    secretString(accessToken, 'accessToken');
    optionalSignal(signal);
    const body = await this.#call('GET', '/validate', undefined, signal, `OAuth ${accessToken}`);
    if (!isRecord(body) || typeof body.client_id !== 'string') {
      throw new ProtocolError('BAD_RESPONSE', 'unexpected /oauth2/validate response', redactBody(body));
    }
    return {
      clientId: body.client_id,
      userId: typeof body.user_id === 'string' ? body.user_id : null,
      login: typeof body.login === 'string' ? body.login : null,
      scopes: Array.isArray(body.scopes) ? body.scopes.filter((s): s is string => typeof s === 'string') : [],
      expiresIn: typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : null,
    };
  }

  /** Revokes a token (access or refresh). */
  async revoke(token: string, signal?: AbortSignal): Promise<void> {
    secretString(token, 'token');
    optionalSignal(signal);
    const form = new URLSearchParams({ client_id: this.clientId, token });
    await this.#call('POST', '/revoke', form, signal);
  }

  #form(fields: Record<string, string>): URLSearchParams {
    if (!this.hasSecret) {
      throw new InvalidArgumentError('this OAuth call needs the client secret', 'clientSecret', {
        code: 'NO_CLIENT_SECRET',
      });
    }
    return new URLSearchParams({ client_id: this.clientId, client_secret: this.#secret ?? '', ...fields });
  }

  async #call(
    method: 'GET' | 'POST',
    path: string,
    form: URLSearchParams | undefined,
    signal: AbortSignal | undefined,
    authorization?: string,
    idempotent = true,
  ): Promise<unknown> {
    if (this.#closer.signal.aborted) throw abortReason(this.#closer.signal);
    const url = this.#baseUrl + path;
    // The URL errors show: the base URL's credentials, if any, stay out of messages.
    const shownUrl = withoutCredentials(url);
    let backoff: Backoff | undefined;
    // The Backoff is created on the first retry only, so a call that succeeds at once never builds one.
    const pause = (): Promise<void> => {
      backoff ??= new Backoff({ initialMs: 200, maxMs: 5000 });
      const wake =
        signal === undefined ? this.#closer.signal : AbortSignal.any([signal, this.#closer.signal]);
      return sleep(backoff.next(), { clock: this.#clock, signal: wake });
    };
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers.Authorization = authorization;
    if (form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const body = form?.toString();
    for (let attempt = 0; ; attempt++) {
      let response: TransportResponse;
      try {
        response = await this.#transport.send({
          method,
          url,
          headers,
          body,
          timeoutMs: this.#timeoutMs,
          signal,
          idempotent,
        });
      } catch (error) {
        if (signal?.aborted === true) throw abortReason(signal);
        // Closed, refused by Node before sending, or an answer the transport refused: not worth another attempt.
        if (error instanceof TwitchError && !(error instanceof TimeoutError)) throw error;
        const failure =
          error instanceof TimeoutError
            ? new TimeoutError(`${method} ${shownUrl} timed out`, { cause: error })
            : new NetworkError(method, `/oauth2${path}`, { cause: error, url: shownUrl });
        // A call that must not run twice (a code exchange) may have gone through: it is not repeated.
        if (!idempotent || attempt >= this.#maxRetries) throw failure;
        await pause();
        continue;
      }
      const text = response.body;
      const ok = response.status >= 200 && response.status < 300;
      if (ok) return parseJsonBody(text);
      if (response.status >= 500 && idempotent && attempt < this.#maxRetries) {
        await pause();
        continue;
      }
      throw new HTTPError({
        status: response.status,
        // A server that echoes the client secret in its message does not get it into ours.
        ...twitchErrorFields(redactKnown(text, [this.#secret]), response.status, response.statusText),
        method,
        path: `/oauth2${path}`,
        rateLimit: null,
        request: {
          method,
          url: shownUrl,
          headers: authorization === undefined ? {} : { Authorization: 'OAuth [redacted]' },
          ...(form === undefined ? {} : { body: redactParams(form.toString()) }),
        },
      });
    }
  }

  /**
   * Fails calls in flight with an `AbortError` and closes the idle connections (which otherwise expire by
   * themselves after a few seconds and never keep the process alive). Later calls reject.
   */
  close(): void {
    this.#closer.abort(new AbortError('The OAuth client was closed'));
    this.#transport.close();
  }

  /** Never shows the client secret. */
  [inspect.custom](): string {
    return `OAuthClient { clientId: '${this.clientId}', clientSecret: ${this.hasSecret ? "'[redacted]'" : 'none'} }`;
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.clientId, clientSecret: this.hasSecret ? '[redacted]' : null };
  }
}

function toGrant(body: unknown): TokenGrant {
  if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
    throw new ProtocolError('BAD_RESPONSE', 'unexpected /oauth2/token response', redactBody(body));
  }
  const scope = body.scope;
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
    expiresIn: typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : null,
    scopes: Array.isArray(scope)
      ? scope.filter((s): s is string => typeof s === 'string')
      : typeof scope === 'string' && scope !== ''
        ? scope.split(' ')
        : [],
  };
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function redactBody(body: unknown): unknown {
  if (!isRecord(body)) return typeof body;
  return Object.fromEntries(Object.keys(body).map((k) => [k, '[redacted]']));
}
