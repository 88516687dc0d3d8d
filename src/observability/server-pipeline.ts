/**
 * The observability server's request pipeline, in order: a request target that parses (else 400), a Host header the
 * server answers to (a loopback server only to loopback names, against DNS rebinding; else 421), the token (else
 * 401; the probes skip it with `openProbes`), a route of the table (else 404) and its method (else 405). What passes
 * is handed to the route's handler; what does not is answered here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from './server-options.js';
import { text } from './server-replies.js';

/** A row of the route table. */
export interface Route {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** A dashboard route: 404 when the dashboard is off. */
  readonly dashboard?: boolean;
  /** Matches every path under `path`. */
  readonly prefix?: boolean;
}

export const ROUTES: readonly Route[] = [
  { path: '/metrics', method: 'GET' },
  { path: '/healthz', method: 'GET' },
  { path: '/readyz', method: 'GET' },
  { path: '/', method: 'GET', dashboard: true },
  { path: '/api/snapshot', method: 'GET', dashboard: true },
  { path: '/api/stream', method: 'GET', dashboard: true },
  { path: '/api/emulator/', method: 'POST', dashboard: true, prefix: true },
];

/** A request the pipeline let through: its method, URL and route. */
export interface Admitted {
  readonly method: string;
  readonly url: URL;
  readonly route: Route;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The gate every request passes: Host check, token, route table. Holds the token's digest only. */
export class RequestPipeline {
  readonly #token: Buffer | null;
  readonly #loopback: boolean;
  readonly #openProbes: boolean;
  readonly #dashboard: boolean;

  constructor(options: { token: string | null; host: string; openProbes: boolean; dashboard: boolean }) {
    this.#token = options.token === null ? null : digest(options.token);
    this.#loopback = isLoopback(options.host);
    this.#openProbes = options.openProbes;
    this.#dashboard = options.dashboard;
  }

  /** Whether a token is required. */
  get hasToken(): boolean {
    return this.#token !== null;
  }

  /** The request's route, or `null` once it has been answered (400, 421, 401, 404 or 405). */
  admit(req: IncomingMessage, res: ServerResponse): Admitted | null {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request target no URL parser takes (`//[`): the client's mistake, not a failure of ours.
      text(res, method, 400, 'bad request\n');
      return null;
    }
    const path = url.pathname;
    if (!this.#hostAllowed(req)) {
      text(res, method, 421, 'misdirected request\n');
      return null;
    }
    const probe = path === '/healthz' || path === '/readyz';
    if (!(probe && this.#openProbes) && !this.#authorized(req, url)) {
      res.setHeader('www-authenticate', 'Bearer');
      text(res, method, 401, 'unauthorized: pass the token as Authorization: Bearer <token> or ?token=\n');
      return null;
    }
    const route = ROUTES.find((r) => r.path === path || (r.prefix === true && path.startsWith(r.path)));
    if (route === undefined || (route.dashboard === true && !this.#dashboard)) {
      text(res, method, 404, 'not found\n');
      return null;
    }
    const allowed = route.method === 'POST' ? ['POST'] : ['GET', 'HEAD'];
    if (!allowed.includes(method)) {
      res.setHeader('allow', allowed.join(', '));
      text(res, method, 405, 'method not allowed\n');
      return null;
    }
    return { method, url, route };
  }

  #authorized(req: IncomingMessage, url: URL): boolean {
    const expected = this.#token;
    if (expected === null) return true;
    const header = req.headers.authorization;
    let given: string | null = null;
    if (typeof header === 'string' && header.toLowerCase().startsWith('bearer '))
      given = header.slice(7).trim();
    else given = url.searchParams.get('token');
    if (given === null) return false;
    // Digests of equal length: the compare takes the same time whatever the token given.
    return timingSafeEqual(digest(given), expected);
  }

  /** A loopback server answers only to loopback host names (a DNS-rebinding page cannot reach it). */
  #hostAllowed(req: IncomingMessage): boolean {
    if (!this.#loopback) return true;
    const host = req.headers.host;
    if (host === undefined) return false;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
    return name !== undefined && isLoopback(name);
  }
}
