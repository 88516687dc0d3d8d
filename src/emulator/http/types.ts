/**
 * Internal contract between the emulator's HTTP platform (server, router, OAuth, tokens, rate limits, users) and
 * the features mounted on it (EventSub Helix routes, WebSocket sessions, control API). Not part of the public API.
 */
import type { IncomingMessage } from 'node:http';

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
}

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
}
