/**
 * Internal contract between the emulator's HTTP platform (server, router, OAuth, tokens, rate limits, users) and
 * the features mounted on it (EventSub Helix routes, WebSocket sessions, control API). Not part of the public API.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.js';

/** Who made a Helix request, resolved from `Authorization: Bearer` + `Client-Id`. */
export interface AuthContext {
  readonly kind: 'app' | 'user';
  readonly clientId: string;
  /** Set for user tokens. */
  readonly userId?: string;
  readonly login?: string;
  readonly scopes: ReadonlySet<string>;
}

/** A parsed Helix (or control API) request. */
export interface EmuRequest {
  readonly method: string;
  /** Path below the mount point, without the query string, e.g. `/eventsub/conduits`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** Parsed JSON body (`undefined` when there is none); form bodies are parsed into `form`. */
  readonly body: unknown;
  readonly form: URLSearchParams | undefined;
  /** Resolved caller for Helix routes that require auth; `null` on routes declared `auth: 'none'`. */
  readonly auth: AuthContext | null;
}

/** What a route handler returns. `body` is serialised as JSON unless it is a string (sent as text/plain). */
export interface EmuResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type EmuHandler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

/**
 * Thrown by handlers (or returned via {@link helixError}) to answer with a Twitch-shaped error body
 * `{"error": "<reason phrase>", "status": <code>, "message": "<text>"}`.
 */
export class EmuHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Route options. */
export interface RouteOptions {
  /**
   * `'app'` requires an app token, `'user'` a user token, `'any'` either, `'none'` no auth (OAuth, control API).
   * Wrong kind → 401 as Twitch does. Helix routes also consume rate-limit points (1 per request).
   */
  readonly auth: 'app' | 'user' | 'any' | 'none';
  /**
   * The route takes a JSON body: its top-level scalar parameters and their JSON types. Each of them may come in the
   * query string instead, as Twitch accepts (TwitchIO sends `POST eventsub/conduits?shard_count=2` with no body).
   * When both carry a key, the JSON body wins. A query value that spells the declared type is converted (`2` → 2,
   * `true` → true); any other value passes as a string, so the route answers the same 400 as for a bad body value.
   */
  readonly bodyParams?: BodyParams;
}

/** JSON type of a top-level scalar body parameter (see {@link RouteOptions.bodyParams}). */
export type BodyParamType = 'string' | 'integer' | 'boolean';

/** Top-level scalar body parameters of a route, by name. */
export type BodyParams = Readonly<Record<string, BodyParamType>>;

/** Registers routes on the shared HTTP server. Paths are exact (no parameters) or end with `/*` (prefix). */
export interface EmuRouter {
  /** Helix route, mounted under `/helix`. */
  helix(method: string, path: string, options: RouteOptions, handler: EmuHandler): void;
  /** Control route, mounted under `/_emulator`. No auth, no rate limit. */
  control(method: string, path: string, handler: EmuHandler): void;
}

/** What the platform knows about users and their grants; used by feature routes (scopes, cost, conditions). */
export interface AuthRegistry {
  /** Whether a user with this id exists (seeded or created on demand). */
  userExists(userId: string): boolean;
  /**
   * Scopes `userId` has granted to `clientId` (union over that user's live tokens for that client), or `undefined`
   * when the user never authorized the client.
   */
  grantedScopes(clientId: string, userId: string): ReadonlySet<string> | undefined;
  /** Client ids known to the emulator (apps). */
  clientExists(clientId: string): boolean;
  /**
   * Resolves a raw access token (no `Bearer`/`OAuth` prefix) to its caller, or `undefined` when it is unknown,
   * revoked or expired. Used by transports that authenticate outside Helix (PubSub `LISTEN`'s `auth_token`).
   */
  resolveToken(token: string): AuthContext | undefined;
}

/** A user as features see it. */
export interface EmuUserInfo {
  readonly id: string;
  readonly login: string;
  readonly display_name: string;
  readonly type: '' | 'admin' | 'global_mod' | 'staff';
}

/** Lookup of users by id and login; `ensure` creates a user on demand (ids of 1..20 digits). */
export interface UserDirectory {
  byId(id: string): EmuUserInfo | undefined;
  byLogin(login: string): EmuUserInfo | undefined;
  /** The user with this id, created (with `login`, or a generated one) when missing. Throws on a malformed id. */
  ensure(id: string, login?: string): EmuUserInfo;
}

/** Handler for a WebSocket upgrade on a given path (EventSub at `/ws`, PubSub at `/pubsub`). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Faults applied by the HTTP platform to Helix routes. */
export interface HelixFaults {
  /** Probability (0..1) that a Helix request answers 500/503 instead of running. */
  readonly helixErrorRate: number;
  /** Added latency of every Helix response, in milliseconds. */
  readonly helixLatencyMs: number;
}

/** Options of the HTTP platform (a subset of `EmulatorOptions`). */
export interface PlatformOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Client id/secret of the default app. Generated when absent. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Lifetime of access tokens, seconds. Default 14,400 (4 h) for user tokens, 5,000,000 s for app tokens. */
  readonly userTokenTtlSeconds?: number;
  readonly appTokenTtlSeconds?: number;
  /** Helix rate limit: points per minute per bucket (default 800). `Infinity` disables limiting (headers still sent). */
  readonly rateLimitPerMinute?: number;
  /**
   * Time an empty Helix bucket takes to refill completely, ms (default 60,000: Twitch's minute). With a shorter
   * window a bucket holds `rateLimitPerMinute` points per window, so tests can watch it refill quickly. A positive
   * integer.
   */
  readonly rateLimitWindowMs?: number;
}

/** The HTTP platform: one server, its router, and the auth registry. */
export interface Platform {
  readonly server: Server;
  /** e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly baseUrl: string;
  readonly router: EmuRouter;
  readonly auth: AuthRegistry;
  /** The users (seeded, created on demand), for features that need logins and display names (chat). */
  readonly users: UserDirectory;
  /** The platform's clock, ms since the epoch (`EmulatorOptions.now`, else `clock.now()`). */
  now(): number;
  /** The emulator's clock (`EmulatorOptions.clock`): what schedules timers (PubSub deadlines, Helix latency). */
  readonly clock: Clock;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registers a WebSocket upgrade handler for an exact path (query string ignored). */
  upgrade(path: string, handler: UpgradeHandler): void;
  /** Mints a user access + refresh token for `userId` (user created on demand) and client (default app). */
  mintUserToken(input: { userId: string; scopes: readonly string[]; clientId?: string; login?: string }): {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    userId: string;
    login: string;
    scopes: string[];
  };
  /** Mints an app access token for a client (default app). */
  mintAppToken(clientId?: string): { accessToken: string; expiresIn: number };
  /** Registers another app (client id + secret); returns it. */
  registerClient(input?: { clientId?: string; clientSecret?: string }): {
    clientId: string;
    clientSecret: string;
  };
  setFaults(faults: Partial<HelixFaults>): void;
  /** Changes the rate limit of every bucket (points per minute). */
  setRateLimit(pointsPerMinute: number): void;
  /** Counters and registries for `GET /_emulator/state`. */
  describe(): {
    clients: { clientId: string }[];
    users: { id: string; login: string }[];
    helix: { requests: number; rateLimited: number; faulted: number };
  };
  close(): Promise<void>;
}
