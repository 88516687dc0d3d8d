/**
 * The emulator's HTTP platform: one `node:http` server serving Helix (`/helix`), OAuth (`/oauth2`), the control
 * API (`/_emulator`) and WebSocket upgrades, with Twitch-shaped errors, per-caller rate limiting and fault
 * injection. Features (EventSub, PubSub) mount their routes through {@link Platform.router}.
 *
 * Choices where Twitch documents nothing (reference §5):
 * - Helix 401 wording: `OAuth token is missing`, `Client ID is missing`, `Invalid OAuth token`, `Client ID and OAuth
 *   token do not match` (all observed); user token on an app-only route → `Must provide valid app token.`, app token
 *   on a user-only route → `Missing User OAUTH Token` (observed wordings of those cases).
 * - Order: authentication (401), then the rate-limit bucket (429), then routing (404, 405 with `Allow`), token kind
 *   (401), body (413 past 1 MiB, 400 on malformed JSON), injected faults (500/503), then the route.
 * - `Ratelimit-*` headers are on every Helix response. Before a caller is known (401, public routes) they show a
 *   full bucket and consume nothing. With limiting disabled they show 2147483647.
 * - Malformed HTTP answers a bare 400 and closes; unknown paths outside the mounts answer a Helix-shaped 404.
 * - Helix routes that take a JSON body accept its top-level scalar parameters in the query string too (TwitchIO
 *   sends `shard_count` there and Twitch accepts it); the body wins when both carry a key. See `withQueryParams`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setMaxListeners } from 'node:events';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { errorMessage, requirePositiveInteger } from '../../core/guards.js';
import { sleep } from '../../core/sleep.js';
import { DEFAULT_MAX_BODY_BYTES, parseBody, readBody, withQueryParams } from './body.js';
import { registerPlatformControlRoutes } from './control.js';
import { helixErrorBody } from './errors.js';
import { registerUserRoutes } from './helix-users.js';
import { registerOAuthRoutes } from './oauth.js';
import { RateLimiter } from './ratelimit.js';
import type { RateLimitResult } from './ratelimit.js';
import { Router } from './router.js';
import type { Route, RouteMatch, RouteTable } from './router.js';
import { TokenStore } from './tokens.js';
import { EmuHttpError } from './types.js';
import type {
  AuthContext,
  AuthRegistry,
  EmuRequest,
  EmuResponse,
  HelixFaults,
  Platform,
  PlatformOptions,
  UpgradeHandler,
} from './types.js';
import { UserStore } from './users.js';

/** Extra options for tests and embedders; not part of the user-facing `EmulatorOptions`. */
export interface PlatformInternalOptions {
  /** Clock of the platform: users, token expiry, rate-limit buckets, chat, Helix latency. Default: the system clock. */
  readonly clock?: Clock;
  /** Overrides `clock.now` for users, token expiry and rate-limit buckets (`EmulatorOptions.now`). */
  readonly now?: () => number;
  /** Random source in [0, 1) for fault injection. Default `Math.random`. */
  readonly random?: () => number;
  /** Largest accepted request body, bytes (default 1 MiB); larger answers 413. */
  readonly maxBodyBytes?: number;
  /** Most rate-limit buckets held (default 10,000). */
  readonly maxBuckets?: number;
  /**
   * Receives an unexpected exception of a route handler (a bug, not a Twitch-shaped error) before the request is
   * answered with a 500. Default: `process.emitWarning`, so a defect is never silent.
   */
  readonly onError?: PlatformErrorHandler;
}

/** Where an unexpected handler exception happened. */
export interface PlatformErrorContext {
  readonly method: string;
  /** Full request path without the query string, e.g. `/helix/eventsub/conduits`. */
  readonly path: string;
}

/**
 * Receives unexpected handler exceptions of the emulator's HTTP platform.
 *
 * @example
 * ```ts
 * const platform = await createPlatform({ port: 0, onError: (err, { method, path }) => log(method, path, err) });
 * ```
 */
export type PlatformErrorHandler = (error: unknown, context: PlatformErrorContext) => void;

const MOUNT_PREFIX = { helix: '/helix', oauth: '/oauth2', control: '/_emulator' } as const;

function warnHandlerError(error: unknown, context: PlatformErrorContext): void {
  process.emitWarning(
    `emulator handler for ${context.method} ${context.path} failed: ${errorMessage(error)}`,
    { code: 'TWITCH_EMULATOR_HANDLER_ERROR' },
  );
}

type Mount = 'helix' | 'oauth' | 'control';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Unix seconds of a clock reading. */
function unixSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/**
 * Starts the HTTP platform and resolves once it listens.
 *
 * @example
 * ```ts
 * const platform = await createPlatform({ port: 0 });
 * const { accessToken } = platform.mintUserToken({ userId: '1234', scopes: ['user:read:email'] });
 * const res = await fetch(`${platform.baseUrl}/helix/users`, {
 *   headers: { Authorization: `Bearer ${accessToken}`, 'Client-Id': platform.clientId },
 * });
 * await platform.close();
 * ```
 */
export async function createPlatform(
  options: PlatformOptions & PlatformInternalOptions = {},
): Promise<Platform> {
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new InvalidArgumentError('now must be a function returning ms since the epoch', 'now');
  }
  const clock = options.clock ?? systemClock;
  const now = options.now ?? ((): number => clock.now());
  const random = options.random ?? Math.random;
  const onError = options.onError ?? warnHandlerError;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const users = new UserStore({ now });
  const tokens = new TokenStore({
    users,
    now,
    ...(options.userTokenTtlSeconds === undefined
      ? {}
      : { userTokenTtlSeconds: options.userTokenTtlSeconds }),
    ...(options.appTokenTtlSeconds === undefined ? {} : { appTokenTtlSeconds: options.appTokenTtlSeconds }),
  });
  const limiter = new RateLimiter({
    now,
    pointsPerMinute: options.rateLimitPerMinute ?? 800,
    windowMs: requirePositiveInteger(options.rateLimitWindowMs ?? 60_000, 'rateLimitWindowMs'),
    ...(options.maxBuckets === undefined ? {} : { maxBuckets: options.maxBuckets }),
  });
  const defaultClient = tokens.registerClient({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  });
  const router = new Router();
  const upgrades = new Map<string, UpgradeHandler>();
  const upgradedSockets = new Set<Duplex>();
  const closing = new AbortController();
  // Every delayed Helix response listens to this signal; many may be pending at once.
  setMaxListeners(0, closing.signal);
  const counters = { requests: 0, rateLimited: 0, faulted: 0 };
  let faults: HelixFaults = { helixErrorRate: 0, helixLatencyMs: 0 };

  const auth: AuthRegistry = {
    userExists: (userId) => users.byId(userId) !== undefined,
    grantedScopes: (clientId, userId) => tokens.grantedScopes(clientId, userId),
    clientExists: (clientId) => tokens.client(clientId) !== undefined,
    resolveToken: (token) => tokens.lookup(token)?.auth,
  };

  // ---- response writing ----------------------------------------------------------------------------------------

  function send(res: ServerResponse, response: EmuResponse, extra?: OutgoingHttpHeaders): void {
    if (res.headersSent || res.destroyed) return;
    let payload: string | undefined;
    let type: string | undefined;
    if (typeof response.body === 'string') {
      payload = response.body;
      type = 'text/plain; charset=utf-8';
    } else if (response.body !== undefined) {
      payload = JSON.stringify(response.body);
      type = JSON_TYPE;
    }
    const headers: OutgoingHttpHeaders = { ...response.headers, ...extra };
    if (type !== undefined) headers['Content-Type'] = type;
    headers['Content-Length'] = payload === undefined ? 0 : Buffer.byteLength(payload);
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  /** Writes a response; a response that cannot be serialised or has bad headers becomes a 500. */
  function safeSend(res: ServerResponse, response: EmuResponse, extra?: OutgoingHttpHeaders): void {
    try {
      send(res, response, extra);
    } catch {
      if (!res.headersSent && !res.destroyed) {
        send(
          res,
          { status: 500, body: helixErrorBody(500, 'The emulator could not serialise the response') },
          extra,
        );
      }
    }
  }

  /** The Twitch-shaped error of a mount: OAuth errors are `{status,message}`, the rest `{error,status,message}`. */
  function errorResponse(
    mount: Mount,
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): EmuResponse {
    const body = mount === 'oauth' ? { status, message } : helixErrorBody(status, message);
    return headers === undefined ? { status, body } : { status, body, headers };
  }

  /** Reports an unexpected exception through `onError`; a throwing reporter never breaks the answer. */
  function reportError(err: unknown, context: PlatformErrorContext): void {
    try {
      onError(err, context);
    } catch {
      // The reporter failed too: the 500 still goes out.
    }
  }

  /**
   * Converts anything a handler threw into a response. Unknown errors are reported to `onError`, then answered
   * with a 500 whose body says nothing about them.
   */
  function fromError(mount: Mount, err: unknown, request: EmuRequest): EmuResponse {
    if (err instanceof EmuHttpError) {
      const status = err.status >= 400 && err.status <= 599 ? err.status : 500;
      return errorResponse(mount, status, err.message);
    }
    if (err instanceof InvalidArgumentError) return errorResponse(mount, 400, err.message);
    reportError(err, { method: request.method, path: MOUNT_PREFIX[mount] + request.path });
    return errorResponse(mount, 500, 'Internal Server Error');
  }

  // ---- Helix authentication ------------------------------------------------------------------------------------

  /** Resolves the caller of a Helix request, or the message of the 401. */
  function authenticate(req: IncomingMessage): AuthContext | string {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') return 'OAuth token is missing';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) return 'Invalid OAuth token';
    const clientId = req.headers['client-id'];
    if (typeof clientId !== 'string' || clientId === '') return 'Client ID is missing';
    const record = tokens.lookup(match[1]);
    if (record === undefined) return 'Invalid OAuth token';
    if (record.auth.clientId !== clientId) return 'Client ID and OAuth token do not match';
    return record.auth;
  }

  function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
    return {
      'Ratelimit-Limit': String(r.limit),
      'Ratelimit-Remaining': String(r.remaining),
      'Ratelimit-Reset': String(r.reset),
    };
  }

  /** Headers of a Helix answer given before any bucket is known (401): a full bucket, nothing consumed. */
  function unboundRateLimitHeaders(): Record<string, string> {
    const limit = limiter.limit;
    const shown = Number.isFinite(limit) ? String(limit) : '2147483647';
    return {
      'Ratelimit-Limit': shown,
      'Ratelimit-Remaining': shown,
      'Ratelimit-Reset': String(unixSeconds(now())),
    };
  }

  // ---- request pipeline ----------------------------------------------------------------------------------------

  async function runHandler(route: Route, request: EmuRequest, mount: Mount): Promise<EmuResponse> {
    try {
      return await route.handler(request);
    } catch (err) {
      return fromError(mount, err, request);
    }
  }

  function table(mount: Mount): RouteTable {
    return mount === 'helix'
      ? router.helixRoutes
      : mount === 'oauth'
        ? router.oauthRoutes
        : router.controlRoutes;
  }

  async function handleHelix(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    method: string,
  ): Promise<void> {
    counters.requests++;
    const match = router.helixRoutes.match(method, path);
    let response: EmuResponse;
    let headers: Record<string, string>;
    if (match !== undefined && 'route' in match && match.route.auth === 'none') {
      // A public route: no caller, hence no bucket.
      headers = unboundRateLimitHeaders();
      response = await invokeHelix(req, match.route, path, query, method, null);
    } else {
      const caller = authenticate(req);
      if (typeof caller === 'string') {
        headers = unboundRateLimitHeaders();
        response = errorResponse('helix', 401, caller);
        // Drain the body so keep-alive connections stay usable.
        req.resume();
      } else {
        const limited = limiter.take(
          caller.kind === 'app'
            ? RateLimiter.appKey(caller.clientId)
            : RateLimiter.userKey(caller.clientId, caller.userId ?? ''),
        );
        headers = rateLimitHeaders(limited);
        if (limited.allowed) {
          response = await routeHelix(req, match, path, query, method, caller);
        } else {
          counters.rateLimited++;
          req.resume();
          response = errorResponse('helix', 429, 'Too Many Requests: the rate limit bucket is empty');
        }
      }
    }
    if (faults.helixLatencyMs > 0) {
      try {
        await sleep(faults.helixLatencyMs, { clock, signal: closing.signal });
      } catch {
        return; // closing: the connection is being destroyed
      }
    }
    safeSend(res, response, headers);
  }

  /** Runs an authenticated, rate-limited Helix request: 404/405, token kind, then the route. */
  async function routeHelix(
    req: IncomingMessage,
    match: RouteMatch,
    path: string,
    query: URLSearchParams,
    method: string,
    caller: AuthContext,
  ): Promise<EmuResponse> {
    if (match === undefined) {
      req.resume();
      return errorResponse('helix', 404, `No route for ${method} /helix${path}`);
    }
    if (!('route' in match)) {
      req.resume();
      return errorResponse('helix', 405, `Method ${method} is not allowed on /helix${path}`, {
        Allow: match.allow.join(', '),
      });
    }
    const { route } = match;
    if (route.auth === 'app' && caller.kind !== 'app') {
      req.resume();
      return errorResponse('helix', 401, 'Must provide valid app token.');
    }
    if (route.auth === 'user' && caller.kind !== 'user') {
      req.resume();
      return errorResponse('helix', 401, 'Missing User OAUTH Token');
    }
    return invokeHelix(req, route, path, query, method, caller);
  }

  /** Reads the body, applies the error-rate fault, then calls the handler. */
  async function invokeHelix(
    req: IncomingMessage,
    route: Route,
    path: string,
    query: URLSearchParams,
    method: string,
    caller: AuthContext | null,
  ): Promise<EmuResponse> {
    const parsed = await readAndParse(req, 'helix');
    if ('status' in parsed) return parsed;
    if (faults.helixErrorRate > 0 && random() < faults.helixErrorRate) {
      counters.faulted++;
      const status = random() < 0.5 ? 503 : 500;
      return errorResponse('helix', status, 'Injected fault (emulator)');
    }
    // Body parameters may come in the query string (one rule for every Helix route that takes a JSON body).
    const body =
      route.bodyParams === undefined ? parsed.body : withQueryParams(parsed.body, query, route.bodyParams);
    return runHandler(
      route,
      { method, path, query, headers: req.headers, body, form: parsed.form, auth: caller },
      'helix',
    );
  }

  /** Reads and parses the body; answers 413 or 400 (in the mount's shape) when it cannot. */
  async function readAndParse(
    req: IncomingMessage,
    mount: Mount,
  ): Promise<{ body: unknown; form: URLSearchParams | undefined } | EmuResponse> {
    const raw = await readBody(req, maxBodyBytes);
    if (raw === null) return errorResponse(mount, 413, `The request body exceeds ${maxBodyBytes} bytes`);
    const parsed = parseBody(raw, req.headers['content-type']);
    if (!parsed.ok) return errorResponse(mount, 400, 'The request body is not valid JSON');
    return { body: parsed.body, form: parsed.form };
  }

  async function handleOther(
    req: IncomingMessage,
    res: ServerResponse,
    mount: Mount,
    path: string,
    query: URLSearchParams,
    method: string,
  ): Promise<void> {
    const match = table(mount).match(method, path);
    if (match === undefined || !('route' in match)) {
      req.resume();
      const response =
        match === undefined
          ? errorResponse(mount, 404, 'Not Found')
          : errorResponse(mount, 405, 'Method Not Allowed', { Allow: match.allow.join(', ') });
      safeSend(res, response);
      return;
    }
    const parsed = await readAndParse(req, mount);
    if ('status' in parsed) {
      safeSend(res, parsed);
      return;
    }
    const response = await runHandler(
      match.route,
      { method, path, query, headers: req.headers, ...parsed, auth: null },
      mount,
    );
    safeSend(res, response);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullPath = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    if (fullPath.startsWith('/helix/')) {
      await handleHelix(req, res, fullPath.slice(6), query, method);
    } else if (fullPath.startsWith('/oauth2/')) {
      await handleOther(req, res, 'oauth', fullPath.slice(7), query, method);
    } else if (fullPath.startsWith('/_emulator/')) {
      await handleOther(req, res, 'control', fullPath.slice(10), query, method);
    } else {
      req.resume();
      safeSend(res, errorResponse('helix', 404, 'Not Found'));
    }
  }

  // ---- server --------------------------------------------------------------------------------------------------

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Reading the request failed (client went away) or writing did: answer if still possible, never crash.
      if (!res.headersSent && !res.destroyed) {
        // The client is still there, so this is a defect of the pipeline, not a lost connection: report it.
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        reportError(err, { method: req.method ?? 'GET', path: q === -1 ? url : url.slice(0, q) });
        safeSend(res, errorResponse('helix', 500, 'Internal Server Error'));
      } else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {
      socket.destroy();
    });
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const handler = upgrades.get(q === -1 ? url : url.slice(0, q));
    if (handler === undefined || closing.signal.aborted) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    upgradedSockets.add(socket);
    socket.once('close', () => upgradedSockets.delete(socket));
    try {
      handler(req, socket, head);
    } catch {
      socket.destroy();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Malformed HTTP: answer 400 when the peer can still read it, else just drop the connection.
    if (err.code !== 'ECONNRESET' && socket.writable) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, server errors (e.g. EMFILE on accept) must not crash the process.
  server.on('error', () => undefined);

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = `http://${host}:${address.port}`;

  let closed: Promise<void> | undefined;

  const platform: Platform = {
    server,
    baseUrl,
    router,
    auth,
    users,
    now,
    clock,
    clientId: defaultClient.clientId,
    clientSecret: defaultClient.clientSecret,

    upgrade(path, handler) {
      if (upgrades.has(path)) throw new Error(`duplicate upgrade handler for ${path}`);
      upgrades.set(path, handler);
    },

    mintUserToken(input) {
      const r = tokens.mintUser({
        clientId: input.clientId ?? defaultClient.clientId,
        userId: input.userId,
        scopes: input.scopes,
        login: input.login,
      });
      return {
        accessToken: r.accessToken,
        refreshToken: r.refreshToken,
        expiresIn: r.expiresIn,
        userId: r.user.id,
        login: r.user.login,
        scopes: r.scopes,
      };
    },

    mintAppToken(clientId) {
      return tokens.mintApp(clientId ?? defaultClient.clientId);
    },

    registerClient(input) {
      const c = tokens.registerClient(input ?? {});
      return { clientId: c.clientId, clientSecret: c.clientSecret };
    },

    setFaults(next) {
      const rate = next.helixErrorRate ?? faults.helixErrorRate;
      const latency = next.helixLatencyMs ?? faults.helixLatencyMs;
      if (!(rate >= 0 && rate <= 1))
        throw new InvalidArgumentError('helixErrorRate must be within 0..1', 'helixErrorRate');
      if (!(latency >= 0 && latency <= 60_000)) {
        throw new InvalidArgumentError('helixLatencyMs must be within 0..60000', 'helixLatencyMs');
      }
      faults = { helixErrorRate: rate, helixLatencyMs: latency };
    },

    setRateLimit(pointsPerMinute) {
      limiter.setLimit(pointsPerMinute);
    },

    describe() {
      return {
        clients: [...tokens.clients()].map((c) => ({ clientId: c.clientId })),
        users: [...users.values()].map((u) => ({ id: u.id, login: u.login })),
        helix: { ...counters },
      };
    },

    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
        for (const s of upgradedSockets) s.destroy();
        upgradedSockets.clear();
      });
      return closed;
    },
  };

  // Built-in routes.
  registerOAuthRoutes(router, { tokens, users });
  registerUserRoutes(router, users);
  registerPlatformControlRoutes(router, platform);

  // Keep secrets out of `util.inspect(platform)` / console.log(platform).
  Object.defineProperty(platform, 'clientSecret', { enumerable: false });
  Object.defineProperty(platform, Symbol.for('nodejs.util.inspect.custom'), {
    enumerable: false,
    value: () => `Platform { baseUrl: '${baseUrl}', clientId: '${defaultClient.clientId}' }`,
  });
  return platform;
}
