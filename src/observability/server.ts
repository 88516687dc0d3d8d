/**
 * The observability server: `/metrics` (Prometheus text of every source), `/healthz` and `/readyz` (Kubernetes
 * semantics), and the dashboard (the page, `/api/snapshot`, `/api/stream` over Server-Sent Events, and the emulator
 * controls), on one `node:http` server without dependencies. See docs/observability.md, "The observability server".
 *
 * This module starts it (listen, the URLs it tells, close) and hands each request the pipeline admits to its route.
 * Beside it: server-options.ts (options and their checks), server-pipeline.ts (Host check, token, route table),
 * server-probes.ts (`/metrics`, `/healthz`, `/readyz`), server-dashboard.ts (the page, snapshot, stream and the
 * ticker), server-controls.ts (the emulator controls), server-replies.ts (how responses are written).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import { systemClock, type Clock } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { checkOptions } from '../core/options.js';
import { EmulatorControls, emulatorBase } from './emulator-controls.js';
import { ObservabilityError } from './errors.js';
import { ControlRoute } from './server-controls.js';
import { DashboardRoutes } from './server-dashboard.js';
import {
  DEFAULT_OBSERVABILITY_PORT,
  OBSERVABILITY_SERVER_CHECKS,
  isLoopback,
  type ObservabilityServer,
  type ObservabilityServerOptions,
} from './server-options.js';
import { RequestPipeline } from './server-pipeline.js';
import { ProbeRoutes } from './server-probes.js';
import { messageOf, text } from './server-replies.js';

export { MAX_STREAMS, MAX_STREAM_BUFFER } from './server-dashboard.js';
export {
  DEFAULT_OBSERVABILITY_PORT,
  OBSERVABILITY_OPTION_CHECK,
  OBSERVABILITY_SERVER_CHECKS,
  isLoopback,
  type ClientObservabilityOptions,
  type ObservabilityServer,
  type ObservabilityServerOptions,
} from './server-options.js';

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
  readonly #host: string;
  readonly #tokenText: string | null;
  readonly #pipeline: RequestPipeline;
  readonly #probes: ProbeRoutes;
  readonly #dashboard: DashboardRoutes | null;
  readonly #controls: ControlRoute;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #closer = new AbortController();
  readonly #http: Server;
  #port = 0;
  #closing: Promise<void> | null = null;

  constructor(options: ObservabilityServerOptions, host: string) {
    const sources = [...options.sources];
    this.#host = host;
    this.#tokenText = options.token ?? null;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#pipeline = new RequestPipeline({
      token: this.#tokenText,
      host,
      openProbes: options.openProbes ?? false,
      dashboard: options.dashboard !== false,
    });
    this.#probes = new ProbeRoutes(sources, this.#logger);
    const base = options.emulator === undefined ? null : emulatorBase(options.emulator);
    const controls = base === null ? null : new EmulatorControls(base, this.#closer.signal);
    this.#controls = new ControlRoute(controls, sources, this.#logger);
    this.#dashboard =
      options.dashboard === false
        ? null
        : new DashboardRoutes({
            sources,
            tickMs: options.tickMs ?? 1000,
            emulator: controls !== null,
            clock: this.#clock,
            logger: this.#logger,
            signal: this.#closer.signal,
          });
    this.#http = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger.error('observability request failed', { error: messageOf(error) });
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
        this.#dashboard?.start();
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
    this.#dashboard?.stopTicker();
    this.#closer.abort(new Error('the observability server closed'));
    this.#dashboard?.endStreams();
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
    return `ObservabilityServer { url: '${this.#origin()}/', token: ${this.#pipeline.hasToken ? '[redacted]' : 'none'}, streams: ${this.#dashboard?.streamCount ?? 0} }`;
  }

  toJSON(): Record<string, unknown> {
    return { url: `${this.#origin()}/`, token: this.#pipeline.hasToken ? '[redacted]' : null };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const admitted = this.#pipeline.admit(req, res);
    if (admitted === null) return;
    const { method, url, route } = admitted;
    if (route.path === '/metrics') {
      this.#probes.metrics(res, method);
      return;
    }
    if (route.path === '/healthz' || route.path === '/readyz') {
      const check = route.path === '/healthz' ? 'live' : 'ready';
      this.#probes.health(res, method, check, url.searchParams.has('verbose'));
      return;
    }
    // The pipeline admits dashboard routes only when the dashboard is on.
    const dashboard = this.#dashboard;
    if (dashboard === null) {
      text(res, method, 404, 'not found\n');
      return;
    }
    switch (route.path) {
      case '/': {
        dashboard.page(res, method);
        return;
      }
      case '/api/snapshot': {
        dashboard.snapshot(res, method);
        return;
      }
      case '/api/stream': {
        dashboard.stream(req, res, method);
        return;
      }
      default:
        return this.#controls.handle(req, res, url.pathname);
    }
  }
}
