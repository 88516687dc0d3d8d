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
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setMaxListeners } from 'node:events';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { errorMessage, requirePositiveInteger } from '../../core/guards.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { registerPlatformControlRoutes } from './control.js';
import { HelixScript } from './helix-script.js';
import { registerUserRoutes } from './helix-users.js';
import { registerOAuthRoutes } from './oauth.js';
import { createRequestHandler, errorResponse, safeSend } from './pipeline.js';
import { RateLimiter } from './ratelimit.js';
import { Router } from './router.js';
import { TokenStore } from './tokens.js';
import type { AuthRegistry, HelixFaults, Platform, PlatformOptions, UpgradeHandler } from './types.js';
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

function warnHandlerError(error: unknown, context: PlatformErrorContext): void {
  process.emitWarning(
    `emulator handler for ${context.method} ${context.path} failed: ${errorMessage(error)}`,
    { code: 'TWITCH_EMULATOR_HANDLER_ERROR' },
  );
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
  const script = new HelixScript();

  const auth: AuthRegistry = {
    userExists: (userId) => users.byId(userId) !== undefined,
    grantedScopes: (clientId, userId) => tokens.grantedScopes(clientId, userId),
    clientExists: (clientId) => tokens.client(clientId) !== undefined,
    resolveToken: (token) => tokens.lookup(token)?.auth,
  };

  /** Reports an unexpected exception through `onError`; a throwing reporter never breaks the answer. */
  function reportError(err: unknown, context: PlatformErrorContext): void {
    try {
      onError(err, context);
    } catch {
      // The reporter failed too: the 500 still goes out.
    }
  }

  const handle = createRequestHandler({
    router,
    tokens,
    limiter,
    script,
    counters,
    faults: () => faults,
    clock,
    now,
    random,
    maxBodyBytes,
    closing: closing.signal,
    reportError,
  });

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

    failHelix(fault) {
      return script.arm(fault);
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
        script.close();
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
