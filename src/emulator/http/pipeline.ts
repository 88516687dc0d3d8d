/**
 * The emulator's HTTP request pipeline (the order is in server.ts's header): a request's mount (`/helix`, `/oauth2`,
 * `/_emulator`), Helix authentication, scripted faults, the rate-limit bucket, routing (404, 405 with `Allow`), token
 * kind, the body (413, 400), injected faults, then the route; and how an answer or an error is written, in the
 * mount's Twitch shape. server.ts owns the server, the stores and their lifecycle; this file only answers requests.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { sleep } from '../../core/sleep.js';
import { parseBody, readBody, withQueryParams } from './body.js';
import { helixErrorBody } from './errors.js';
import { HelixScript, type HelixFaultInput } from './helix-script.js';
import { RateLimiter, type RateLimitResult } from './ratelimit.js';
import type { Route, RouteMatch, Router, RouteTable } from './router.js';
import type { PlatformErrorContext } from './server.js';
import type { TokenStore } from './tokens.js';
import { EmuHttpError } from './types.js';
import type { AuthContext, EmuRequest, EmuResponse, HelixFaults } from './types.js';

/** Where a request goes: its path prefix decides its routes and the shape of its errors. */
type Mount = 'helix' | 'oauth' | 'control';

const MOUNT_PREFIX = { helix: '/helix', oauth: '/oauth2', control: '/_emulator' } as const;

const JSON_TYPE = 'application/json; charset=utf-8';

/** Unix seconds of a clock reading. */
function unixSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

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
export function safeSend(res: ServerResponse, response: EmuResponse, extra?: OutgoingHttpHeaders): void {
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
export function errorResponse(
  mount: Mount,
  status: number,
  message: string,
  headers?: Record<string, string>,
): EmuResponse {
  const body = mount === 'oauth' ? { status, message } : helixErrorBody(status, message);
  return headers === undefined ? { status, body } : { status, body, headers };
}

function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
  return {
    'Ratelimit-Limit': String(r.limit),
    'Ratelimit-Remaining': String(r.remaining),
    'Ratelimit-Reset': String(r.reset),
  };
}

/** What the pipeline reads from the platform (server.ts builds it once per platform). */
export interface PipelineContext {
  readonly router: Router;
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter;
  readonly script: HelixScript;
  /** Request counters of `describe()`, incremented here. */
  readonly counters: { requests: number; rateLimited: number; faulted: number };
  /** The current injected faults (`setFaults` replaces them). */
  readonly faults: () => HelixFaults;
  readonly clock: Clock;
  readonly now: () => number;
  readonly random: () => number;
  readonly maxBodyBytes: number;
  /** Aborted when the platform closes: delayed answers are dropped. */
  readonly closing: AbortSignal;
  /** Reports an unexpected handler exception (`onError`, never throwing). */
  readonly reportError: (err: unknown, context: PlatformErrorContext) => void;
}

/** The request handler of a platform: answers every HTTP request (never rejects on a Twitch-shaped error). */
export function createRequestHandler(
  ctx: PipelineContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { router, tokens, limiter, script, counters, faults, clock, now, random, maxBodyBytes, reportError } =
    ctx;

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
    let scripted: HelixFaultInput | undefined;
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
      } else if ((scripted = script.take(method, path)) !== undefined) {
        // A scripted fault answers instead of the route, before the bucket is charged.
        counters.faulted++;
        req.resume();
        headers = HelixScript.headers(scripted, now(), limiter.limit) ?? unboundRateLimitHeaders();
        response = errorResponse('helix', scripted.status, 'Scripted fault (emulator)');
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
    if (faults().helixLatencyMs > 0) {
      try {
        await sleep(faults().helixLatencyMs, { clock, signal: ctx.closing });
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
    if (faults().helixErrorRate > 0 && random() < faults().helixErrorRate) {
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

  return handle;
}
