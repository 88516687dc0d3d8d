/**
 * The observability server: `/metrics` (Prometheus text of every source), `/healthz` and `/readyz` (Kubernetes
 * semantics), and the dashboard (the page, `/api/snapshot`, `/api/stream` over Server-Sent Events, and the emulator
 * controls), on one `node:http` server without dependencies. See docs/observability.md, "The observability server".
 *
 * One ticker serves every page: each tick reads each source's `metrics()` once (the rates) and, while a page is
 * connected, its `view()` and `health()` once, then writes the same serialised tick to every stream. Nothing is
 * done per event. A stream whose unsent bytes pass `MAX_STREAM_BUFFER` (a page that stopped reading) is dropped.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import { CATALOGUE } from '../catalogue/table.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { PROMETHEUS_CONTENT_TYPE, toPrometheusText, type MetricsSnapshot } from '../core/metrics.js';
import {
  boolean,
  checkOptions,
  clock as clockCheck,
  fail,
  integerIn,
  logger as loggerCheck,
  nonEmptyString,
  type Check,
  type OptionChecks,
} from '../core/options.js';
import { DashboardState, healthOf } from './dashboard.js';
import { EmulatorControls, MAX_CONTROL_BODY, emulatorBase, type ControlAnswer } from './emulator-controls.js';
import { ObservabilityError } from './errors.js';
import { mergeSnapshots, readMetrics } from './merge.js';
import { dashboardPageHtml } from './page/index.js';
import type { ObservedSource } from './source.js';

/** The port documented for users (Prometheus's exporter convention); tests pass `port: 0`. */
export const DEFAULT_OBSERVABILITY_PORT = 9464;
/** Most dashboard streams open at once; one more is answered 503. */
export const MAX_STREAMS = 32;
/** Unsent bytes a stream may hold (a 20,000-shard snapshot is about 2 MB): past it, the stream is dropped. */
export const MAX_STREAM_BUFFER = 8 * 1024 * 1024;

/** Options of {@link startObservabilityServer}. */
export interface ObservabilityServerOptions {
  /** The clients to observe (`[client, client.helix]`): each `metrics()`, and `health()` / `view()` when present. */
  readonly sources: readonly ObservedSource[];
  /** The address to bind. Anything but a loopback address needs a `token`. @defaultValue `'127.0.0.1'` */
  readonly host?: string;
  /** The port; 0 picks a free one (see `url`). @defaultValue 9464 (`DEFAULT_OBSERVABILITY_PORT`) */
  readonly port?: number;
  /**
   * Required on every route (as `Authorization: Bearer <token>` or `?token=<token>`), compared in constant time.
   * Required when `host` is not a loopback address (else `OBSERVABILITY_TOKEN_REQUIRED`). Never logged.
   */
  readonly token?: string;
  /**
   * `/healthz` and `/readyz` answer without the token (kubelet probes rarely send headers). They then tell anyone
   * who can reach the port whether the client is healthy, and why not. @defaultValue false
   */
  readonly openProbes?: boolean;
  /** Serve the dashboard (`/`, `/api/...`); `false` serves only `/metrics`, `/healthz`, `/readyz`. @defaultValue true */
  readonly dashboard?: boolean;
  /**
   * The base URL of a twitch-realtime emulator (`http:` or `https:`): enables the dashboard's controls (trigger an
   * event, drop a shard, send `session_reconnect`, stall keepalives), forwarded to its `/_emulator` routes.
   */
  readonly emulator?: string | URL;
  /** The dashboard's tick, ms (100..15000): rates, health and changed shards are sent this often. @defaultValue 1000 */
  readonly tickMs?: number;
  /** The clock of the ticker (tests pass a `TestClock`). @defaultValue the system clock */
  readonly clock?: Clock;
  /** Where the server logs (never the token). @defaultValue silent */
  readonly logger?: Logger;
}

/** A running observability server. */
export interface ObservabilityServer extends AsyncDisposable {
  /** The dashboard's URL, with `?token=` when the server has a token (open it in a browser; do not log it). */
  readonly url: string;
  /** `/metrics`, without the token (Prometheus sends it as a bearer token: `authorization` in its scrape config). */
  readonly metricsUrl: string;
  /** `/healthz`, without the token. */
  readonly healthUrl: string;
  /** `/readyz`, without the token. */
  readonly readyUrl: string;
  /** The port bound (useful with `port: 0`). */
  readonly port: number;
  /** Stops the ticker, ends every stream, aborts forwarded controls and closes the server. Idempotent. */
  close(): Promise<void>;
}

const SOURCES: Check = (value, field) => {
  if (!Array.isArray(value)) fail(field, 'an array of observed sources (clients)', value);
  value.forEach((source: unknown, i) => {
    if (
      typeof source !== 'object' ||
      source === null ||
      typeof (source as { metrics?: unknown }).metrics !== 'function'
    ) {
      fail(`${field}[${i}]`, 'an observed source (an object with a metrics() method)', source);
    }
  });
};

const EMULATOR: Check = (value, field) => {
  if ((typeof value !== 'string' && !(value instanceof URL)) || emulatorBase(value) === null) {
    fail(field, 'an http:// or https:// URL of a twitch-realtime emulator, without credentials', value);
  }
};

const TOKEN: Check = (value, field) => {
  if (typeof value !== 'string' || value.length < 8 || value.length > 512 || /[\s\p{Cc}]/u.test(value)) {
    fail(field, 'a string of 8..512 printable characters without spaces', value, true);
  }
};

/** The checks of the options (the clients' `observability` option uses them without `sources`). */
export const OBSERVABILITY_SERVER_CHECKS: OptionChecks<ObservabilityServerOptions> = {
  sources: Object.assign(SOURCES, { required: true }),
  host: nonEmptyString,
  port: integerIn(0, 65_535),
  token: TOKEN,
  openProbes: boolean,
  dashboard: boolean,
  emulator: EMULATOR,
  tickMs: integerIn(100, 15_000),
  clock: clockCheck,
  logger: loggerCheck,
};

/** The options a client's `observability` option takes (the client gives the sources). */
export type ClientObservabilityOptions = Omit<ObservabilityServerOptions, 'sources'>;

/** The check of a client's `observability` option: `false`, or the server's options without `sources`. */
export const OBSERVABILITY_OPTION_CHECK: Check = (value, field) => {
  if (value === false) return;
  const { sources: _sources, ...checks } = OBSERVABILITY_SERVER_CHECKS;
  checkOptions<ClientObservabilityOptions>(value, checks, field, `${field}.`);
  const given = (value as { sources?: unknown }).sources;
  if (given !== undefined)
    fail(`${field}.sources`, 'left out (the client observes itself and its Helix client)', given);
};

/** Whether `host` is a loopback address (or `localhost`). */
export function isLoopback(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.toLowerCase().startsWith('::ffff:')) return isLoopback(h.slice(7));
  return false;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Starts the observability server and resolves once it listens.
 *
 * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`, `field` naming the option) for a bad option.
 * @throws `ObservabilityError` `OBSERVABILITY_TOKEN_REQUIRED` for a non-loopback `host` without `token`;
 *   `OBSERVABILITY_LISTEN_FAILED` (rejects) when it cannot listen.
 * @example
 * ```ts
 * const server = await startObservabilityServer({ sources: [client, client.helix], port: 9464 });
 * console.log(`dashboard: ${server.url}`);
 * // later
 * await server.close();
 * ```
 */
export async function startObservabilityServer(
  options: ObservabilityServerOptions,
): Promise<ObservabilityServer> {
  checkOptions<ObservabilityServerOptions>(options, OBSERVABILITY_SERVER_CHECKS);
  const host = options.host ?? '127.0.0.1';
  if (options.token === undefined && !isLoopback(host)) {
    throw new ObservabilityError(
      'OBSERVABILITY_TOKEN_REQUIRED',
      `the observability server would listen on ${host}, which is not a loopback address, without a token: pass token, or bind 127.0.0.1`,
    );
  }
  const server = new ObservabilityHttpServer(options, host);
  await server.listen(options.port ?? DEFAULT_OBSERVABILITY_PORT);
  return server;
}

class ObservabilityHttpServer implements ObservabilityServer {
  readonly #sources: readonly ObservedSource[];
  readonly #host: string;
  readonly #token: Buffer | null;
  readonly #tokenText: string | null;
  readonly #openProbes: boolean;
  readonly #dashboard: DashboardState | null;
  readonly #controls: EmulatorControls | null;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #tickMs: number;
  readonly #loopback: boolean;
  readonly #closer = new AbortController();
  readonly #http: Server;
  readonly #streams = new Set<ServerResponse>();
  readonly #conflicts = new Set<string>();
  #timer: TimerHandle | undefined = undefined;
  #port = 0;
  #closing: Promise<void> | null = null;

  constructor(options: ObservabilityServerOptions, host: string) {
    this.#sources = [...options.sources];
    this.#host = host;
    this.#tokenText = options.token ?? null;
    this.#token = options.token === undefined ? null : digest(options.token);
    this.#openProbes = options.openProbes ?? false;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#tickMs = options.tickMs ?? 1000;
    this.#loopback = isLoopback(host);
    const base = options.emulator === undefined ? null : emulatorBase(options.emulator);
    this.#controls = base === null ? null : new EmulatorControls(base, this.#closer.signal);
    this.#dashboard =
      options.dashboard === false
        ? null
        : new DashboardState({
            sources: this.#sources,
            tickMs: this.#tickMs,
            emulator: this.#controls !== null,
            triggerTypes: CATALOGUE.filter((e) => e.removed !== true).map((e) => ({
              type: e.type,
              version: e.version,
            })),
            onError: (error) => {
              this.#logger.warn('an observed source failed', {
                error: error instanceof Error ? error.message : String(error),
              });
            },
          });
    this.#http = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger.error('observability request failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        else res.destroy();
      });
    });
    this.#http.maxConnections = 256;
  }

  get port(): number {
    return this.#port;
  }

  #origin(): string {
    let host = this.#host;
    if (host === '0.0.0.0') host = '127.0.0.1';
    else if (host === '::') host = '::1';
    if (isIP(host) === 6) host = `[${host}]`;
    return `http://${host}:${this.#port}`;
  }

  get url(): string {
    const query = this.#tokenText === null ? '' : `?token=${encodeURIComponent(this.#tokenText)}`;
    return `${this.#origin()}/${query}`;
  }

  get metricsUrl(): string {
    return `${this.#origin()}/metrics`;
  }

  get healthUrl(): string {
    return `${this.#origin()}/healthz`;
  }

  get readyUrl(): string {
    return `${this.#origin()}/readyz`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(
          new ObservabilityError(
            'OBSERVABILITY_LISTEN_FAILED',
            `the observability server could not listen on ${this.#host}:${port}: ${error.message}`,
            { cause: error },
          ),
        );
      };
      this.#http.once('error', onError);
      this.#http.listen(port, this.#host, () => {
        this.#http.off('error', onError);
        this.#http.on('error', (error) => {
          this.#logger.error('observability server error', { error: error.message });
        });
        const address = this.#http.address();
        this.#port = typeof address === 'object' && address !== null ? address.port : port;
        this.#logger.info('observability server listening', {
          url: `${this.#origin()}/`,
          dashboard: this.#dashboard !== null,
        });
        if (this.#dashboard !== null) {
          // The base of the first tick's deltas: its rates cover the first interval.
          const dashboard = this.#dashboard;
          this.#guarded(() => dashboard.sample(this.#clock.now()));
          this.#schedule();
        }
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #closeNow(): Promise<void> {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#closer.abort(new Error('the observability server closed'));
    for (const res of this.#streams) res.end();
    this.#streams.clear();
    const closed = new Promise<void>((resolve) => {
      if (!this.#http.listening) {
        resolve();
        return;
      }
      this.#http.close(() => {
        resolve();
      });
    });
    this.#http.closeIdleConnections();
    // Streams just ended and requests in flight: no connection outlives close().
    this.#http.closeAllConnections();
    await closed;
  }

  [inspect.custom](): string {
    return `ObservabilityServer { url: '${this.#origin()}/', token: ${this.#token === null ? 'none' : '[redacted]'}, streams: ${this.#streams.size} }`;
  }

  toJSON(): Record<string, unknown> {
    return { url: `${this.#origin()}/`, token: this.#token === null ? null : '[redacted]' };
  }

  // ---- the ticker ------------------------------------------------------------------------------------------------

  #schedule(): void {
    if (this.#closer.signal.aborted) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#guarded(() => {
        this.#tick();
      });
      this.#schedule();
    }, this.#tickMs);
  }

  /**
   * Runs a step of the ticker: a source that hands out what cannot be read or written (a malformed snapshot, a view
   * JSON cannot serialise) fails that tick alone, logged; it never throws out of the timer (which would end the
   * process) nor stops the ticker. The diff's base is dropped, so the next tick sends every shard again.
   */
  #guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.#dashboard?.forget();
      this.#logger.error('dashboard tick failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #tick(): void {
    const dashboard = this.#dashboard;
    if (dashboard === null) return;
    const now = this.#clock.now();
    if (this.#streams.size === 0) {
      // No page: the history only (a page that connects gets a snapshot, the base of its next tick).
      dashboard.forget();
      dashboard.sample(now);
      return;
    }
    const frame = `event: tick\ndata: ${JSON.stringify(dashboard.tick(now))}\n\n`;
    for (const res of this.#streams) this.#write(res, frame);
  }

  /** Writes to a stream, or drops it when it holds too much unsent (a page that stopped reading). */
  #write(res: ServerResponse, frame: string): void {
    if (res.writableLength > MAX_STREAM_BUFFER) {
      this.#logger.warn('dashboard stream dropped: the page does not keep up', {
        buffered: res.writableLength,
      });
      this.#streams.delete(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }

  // ---- requests --------------------------------------------------------------------------------------------------

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

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request target no URL parser takes (`//[`): the client's mistake, not a failure of ours.
      text(res, method, 400, 'bad request\n');
      return;
    }
    const path = url.pathname;
    if (!this.#hostAllowed(req)) {
      text(res, method, 421, 'misdirected request\n');
      return;
    }
    const probe = path === '/healthz' || path === '/readyz';
    if (!(probe && this.#openProbes) && !this.#authorized(req, url)) {
      res.setHeader('www-authenticate', 'Bearer');
      text(res, method, 401, 'unauthorized: pass the token as Authorization: Bearer <token> or ?token=\n');
      return;
    }
    const dashboard = this.#dashboard;
    const route = ROUTES.find((r) => r.path === path || (r.prefix === true && path.startsWith(r.path)));
    if (route === undefined || (route.dashboard === true && dashboard === null)) {
      text(res, method, 404, 'not found\n');
      return;
    }
    const allowed = route.method === 'POST' ? ['POST'] : ['GET', 'HEAD'];
    if (!allowed.includes(method)) {
      res.setHeader('allow', allowed.join(', '));
      text(res, method, 405, 'method not allowed\n');
      return;
    }
    switch (route.path) {
      case '/metrics': {
        this.#metrics(res, method);
        return;
      }
      case '/healthz':
      case '/readyz': {
        this.#health(res, method, path === '/healthz' ? 'live' : 'ready', url.searchParams.has('verbose'));
        return;
      }
      case '/': {
        res.setHeader('content-security-policy', CSP);
        send(res, method, 200, 'text/html; charset=utf-8', dashboardPageHtml());
        return;
      }
      case '/api/snapshot': {
        send(res, method, 200, JSON_TYPE, JSON.stringify(dashboard?.snapshot(this.#clock.now())));
        return;
      }
      case '/api/stream': {
        this.#stream(req, res, method);
        return;
      }
      default:
        return this.#control(req, res, path);
    }
  }

  #metrics(res: ServerResponse, method: string): void {
    const snapshots: MetricsSnapshot[] = this.#sources.map(
      (source) =>
        readMetrics(source, (error) => {
          this.#logger.warn('an observed source failed', {
            error: error instanceof Error ? error.message : String(error),
          });
        }) ?? [],
    );
    const { snapshot, conflicts } = mergeSnapshots(snapshots);
    for (const conflict of conflicts) {
      if (this.#conflicts.has(conflict) || this.#conflicts.size > 100) continue;
      this.#conflicts.add(conflict);
      this.#logger.warn('a metric left out of /metrics: another source exports it with another type', {
        metric: conflict,
      });
    }
    send(res, method, 200, PROMETHEUS_CONTENT_TYPE, toPrometheusText(snapshot));
  }

  #health(res: ServerResponse, method: string, check: 'live' | 'ready', verbose: boolean): void {
    const lines: string[] = [];
    const failures: string[] = [];
    this.#sources.forEach((source, i) => {
      const name = `source ${i} (${kindOf(source)})`;
      const report = healthOf(source);
      const ok = report === null || report[check];
      if (!ok) {
        const reasons = report.reasons.length === 0 ? [`not ${check}`] : report.reasons;
        for (const reason of reasons) failures.push(`${name}: ${reason}`);
      }
      if (verbose) {
        const detail = report === null ? 'no health check' : ok ? check : `not ${check}`;
        lines.push(`[${ok ? '+' : '-'}] ${name}: ${detail}`);
        if (!ok) for (const reason of report.reasons) lines.push(`    ${reason}`);
      }
    });
    const passed = failures.length === 0;
    const what = check === 'live' ? 'healthz' : 'readyz';
    let body: string;
    if (verbose) body = `${lines.join('\n')}\n${what} check ${passed ? 'passed' : 'failed'}\n`;
    else body = passed ? 'ok\n' : `${failures.join('\n')}\n`;
    send(res, method, passed ? 200 : 503, 'text/plain; charset=utf-8', body);
  }

  #stream(req: IncomingMessage, res: ServerResponse, method: string): void {
    const dashboard = this.#dashboard;
    if (dashboard === null) {
      text(res, method, 404, 'not found\n');
      return;
    }
    if (this.#streams.size >= MAX_STREAMS) {
      res.setHeader('retry-after', '5');
      text(res, method, 503, 'too many dashboard streams\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-accel-buffering': 'no',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    res.write(
      `retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(dashboard.snapshot(this.#clock.now()))}\n\n`,
    );
    this.#streams.add(res);
    const forget = (): void => {
      this.#streams.delete(res);
    };
    req.socket.setNoDelay(true);
    res.on('close', forget);
  }

  async #control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const controls = this.#controls;
    if (controls === null) {
      json(res, 404, {
        ok: false,
        error: { code: 'OBSERVABILITY_BAD_CONTROL', message: 'no emulator: the controls are off' },
      });
      return;
    }
    // A JSON body only: a cross-site form or a no-cors fetch cannot send one without a preflight we never answer.
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      json(res, 415, {
        ok: false,
        error: { code: 'OBSERVABILITY_BAD_CONTROL', message: 'the body must be application/json' },
      });
      return;
    }
    const body = await readBody(req, MAX_CONTROL_BODY);
    let answer: ControlAnswer;
    if (body === null) {
      answer = {
        status: 413,
        body: {
          ok: false,
          error: { code: 'OBSERVABILITY_BAD_CONTROL', message: `the body is over ${MAX_CONTROL_BODY} bytes` },
        },
      };
      res.setHeader('connection', 'close');
    } else {
      let parsed: unknown = {};
      let parsedOk = true;
      if (body.length > 0) {
        try {
          parsed = JSON.parse(body);
        } catch {
          parsedOk = false;
        }
      }
      answer = parsedOk
        ? await controls.handle(path, parsed, (id) => this.#sessionOf(id))
        : {
            status: 400,
            body: {
              ok: false,
              error: { code: 'OBSERVABILITY_BAD_CONTROL', message: 'the body is not JSON' },
            },
          };
    }
    if (answer.status >= 400) {
      const error = (answer.body as { error?: { message?: string } }).error;
      this.#logger.info('dashboard control refused', { path, status: answer.status, reason: error?.message });
    }
    json(res, answer.status, answer.body);
  }

  /** The shard's session id in the first conduit source's view (`undefined`: no such shard). */
  #sessionOf(shardId: string): string | null | undefined {
    for (const source of this.#sources) {
      let conduit;
      try {
        conduit = source.view?.().conduit;
      } catch {
        continue;
      }
      if (conduit === undefined) continue;
      const shard = conduit.shards[Number(shardId)];
      if (shard?.id !== shardId) return conduit.shards.find((s) => s.id === shardId)?.sessionId;
      return shard.sessionId;
    }
    return undefined;
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The page is self-contained: inline script and style, requests to its own origin only. */
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ROUTES: readonly {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly dashboard?: boolean;
  readonly prefix?: boolean;
}[] = [
  { path: '/metrics', method: 'GET' },
  { path: '/healthz', method: 'GET' },
  { path: '/readyz', method: 'GET' },
  { path: '/', method: 'GET', dashboard: true },
  { path: '/api/snapshot', method: 'GET', dashboard: true },
  { path: '/api/stream', method: 'GET', dashboard: true },
  { path: '/api/emulator/', method: 'POST', dashboard: true, prefix: true },
];

function kindOf(source: ObservedSource): string {
  const name = (source as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'Source';
}

function send(res: ServerResponse, method: string, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

function text(res: ServerResponse, method: string, status: number, body: string): void {
  send(res, method, status, 'text/plain; charset=utf-8', body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, 'POST', status, JSON_TYPE, JSON.stringify(body));
}

/** The request body as UTF-8, or `null` past `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve(null);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
