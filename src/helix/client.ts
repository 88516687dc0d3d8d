import type { RecentError } from '../core/recent-errors.js';
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../core/errors.js';
import type { MetricsSnapshot } from '../core/metrics.js';
import { checkOptions, httpUrl, string, type OptionChecks } from '../core/options.js';
import { AppTokenProvider } from '../auth/app-token-provider.js';
import { OAuthClient } from '../auth/oauth.js';
import { authProvider, type AuthProvider } from '../auth/types.js';
import { ChatApi } from './endpoints/chat.js';
import { WhispersApi } from './endpoints/whispers.js';
import { ModerationApi } from './endpoints/moderation.js';
import { EventSubApi } from './endpoints/eventsub.js';
import { UsersApi } from './endpoints/users.js';
import { HELIX_HTTP_CHECKS, HelixHttp, type HelixHttpOptions } from './http.js';

/** Options of {@link HelixClient}. */
export interface HelixClientOptions extends Omit<HelixHttpOptions, 'auth'> {
  /**
   * Token source. Default: an {@link AppTokenProvider} built from `clientSecret` (app token only).
   */
  readonly auth?: AuthProvider;
  /** Used to build the default app-token provider and the `oauth` helper. */
  readonly clientSecret?: string;
  /** @defaultValue `https://id.twitch.tv/oauth2` */
  readonly oauthUrl?: string;
}

/** Checks of every option (core/options.ts): a new option without a check does not compile. */
const HELIX_CLIENT_CHECKS: OptionChecks<HelixClientOptions> = {
  ...HELIX_HTTP_CHECKS,
  auth: authProvider,
  clientSecret: string,
  oauthUrl: httpUrl,
};

/**
 * The Helix client: rate-limited, retrying, token-refreshing requests with typed endpoint groups.
 *
 * - `helix.eventSub`: conduits, shards and EventSub subscriptions.
 * - `helix.users`: users.
 * - `helix.chat`: sending chat messages and the chat tools of a bot.
 * - `helix.whispers`: whispers.
 * - `helix.moderation`: bans, timeouts, message deletion, chatters, moderators and VIPs.
 * - `helix.oauth`: token, validate, revoke.
 * - `helix.http.request(...)`: any other endpoint with the same guarantees.
 *
 * Requests use the app token unless `{ auth: { userId } }` selects a user token. Each token has its own
 * rate-limit bucket, read from Twitch's `Ratelimit-*` headers; requests wait in a queue rather than overrun it.
 *
 * @example
 * ```ts
 * const helix = new HelixClient({ clientId, clientSecret });
 * const conduit = await helix.eventSub.createConduit({ shardCount: 2 });
 * for await (const shard of helix.eventSub.getConduitShards(conduit.id)) console.log(shard.id, shard.status);
 * helix.close();
 * ```
 */
export class HelixClient {
  readonly http: HelixHttp;
  readonly eventSub: EventSubApi;
  readonly users: UsersApi;
  readonly chat: ChatApi;
  readonly whispers: WhispersApi;
  readonly moderation: ModerationApi;
  readonly oauth: OAuthClient;

  /** The provider built here from `clientSecret` (closed with the client), or `undefined`. */
  readonly #ownAuth: AppTokenProvider | undefined;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option) before anything is created:
   *   options that are not an object, neither `auth` nor `clientSecret`, an `auth` of another client id, a URL that
   *   is not http(s) or is passed as `undefined` (`helixUrl`, `oauthUrl`: omit the key for Twitch's), or any option
   *   of the wrong type or range (see {@link HelixHttpOptions}).
   */
  constructor(options: HelixClientOptions) {
    checkOptions(options, HELIX_CLIENT_CHECKS);
    // Only the options given are passed on: an explicit `undefined` URL would be refused there.
    const shared = {
      ...(options.oauthUrl === undefined ? {} : { oauthUrl: options.oauthUrl }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    };
    const built =
      options.auth !== undefined || options.clientSecret === undefined
        ? undefined
        : new AppTokenProvider({
            clientId: options.clientId,
            clientSecret: options.clientSecret,
            ...shared,
            ...(options.logger === undefined ? {} : { logger: options.logger }),
          });
    const auth = options.auth ?? built;
    if (auth === undefined) {
      throw new InvalidArgumentError('pass an auth provider or a clientSecret', 'auth');
    }
    if (auth.clientId !== options.clientId) {
      throw new InvalidArgumentError('the auth provider belongs to another client id', 'auth');
    }
    this.#ownAuth = built;
    this.http = new HelixHttp({ ...options, auth });
    this.eventSub = new EventSubApi(this.http);
    this.users = new UsersApi(this.http);
    this.chat = new ChatApi(this.http);
    this.whispers = new WhispersApi(this.http);
    this.moderation = new ModerationApi(this.http);
    this.oauth = new OAuthClient({
      clientId: options.clientId,
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      ...shared,
    });
  }

  /**
   * This client's metrics now, as plain data: requests by endpoint and status class, 429s, 5xx, latency, each
   * bucket's remaining points, retries, rate-limit waits and 401 renewals (docs/observability.md). Empty with
   * `metrics: false`.
   *
   * @example
   * ```ts
   * const text = toPrometheusText(helix.metrics());
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.http.metrics();
  }

  /**
   * Liveness and readiness for `/healthz` and `/readyz` (docs/observability.md, Health): live unless closed; ready
   * unless closed or Twitch refused the app credentials (a 4xx other than 408/429 getting the app token: a bad
   * client id or secret, which no retry fixes) since the last app token obtained. User tokens are not judged.
   * The same shape as `HealthReport` (twitch-realtime/observability).
   *
   * @example
   * ```ts
   * const { ready, reasons } = helix.health();
   * if (!ready) console.warn(reasons.join('; '));
   * ```
   */
  health(): { readonly live: boolean; readonly ready: boolean; readonly reasons: readonly string[] } {
    return this.http.health();
  }

  /**
   * What the dashboard shows of this client (the shape of `SourceView`, twitch-realtime/observability): its kind and
   * the errors its requests failed with, redacted, newest last (at most 50). Its budget and 429s are in `metrics()`.
   *
   * @example
   * ```ts
   * for (const { code, message } of helix.view().errors) console.warn(code, message);
   * ```
   */
  view(): { readonly kind: 'HelixClient'; readonly errors: readonly RecentError[] } {
    return { kind: 'HelixClient', errors: this.http.recentErrors() };
  }

  /** The client id. */
  get clientId(): string {
    return this.http.clientId;
  }

  /**
   * Rejects queued requests and aborts those in flight; timers are cleared and connections closed. Closes the
   * app-token provider built from `clientSecret`, not a provider passed as `auth` (its owner closes it).
   */
  close(): void {
    this.http.close();
    this.oauth.close();
    this.#ownAuth?.close();
  }

  [inspect.custom](): string {
    return `HelixClient { clientId: '${this.clientId}' }`;
  }

  toJSON(): Record<string, unknown> {
    return { clientId: this.clientId };
  }
}
