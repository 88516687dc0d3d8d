/**
 * The observability server's dashboard routes: the page (`/`, self-contained, under a strict CSP), `/api/snapshot`,
 * and `/api/stream` (Server-Sent Events: a snapshot, then a tick every `tickMs`).
 *
 * One ticker serves every page: each tick reads each source's `metrics()` once (the rates) and, while a page is
 * connected, its `view()` and `health()` once, then writes the same serialised tick to every stream. Nothing is
 * done per event. A stream whose unsent bytes pass `MAX_STREAM_BUFFER` (a page that stopped reading) is dropped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CATALOGUE } from '../catalogue/table.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { DashboardState } from './dashboard.js';
import { dashboardPageHtml } from './page/index.js';
import { JSON_TYPE, messageOf, send, text } from './server-replies.js';
import type { ObservedSource } from './source.js';

/** Most dashboard streams open at once; one more is answered 503. */
export const MAX_STREAMS = 32;
/** Unsent bytes a stream may hold (a 20,000-shard snapshot is about 2 MB): past it, the stream is dropped. */
export const MAX_STREAM_BUFFER = 8 * 1024 * 1024;

/** The page is self-contained: inline script and style, requests to its own origin only. */
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** What the dashboard routes need from the server. */
export interface DashboardRoutesOptions {
  readonly sources: readonly ObservedSource[];
  readonly tickMs: number;
  /** Whether the emulator controls are on (the page shows them). */
  readonly emulator: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborted when the server closes: no tick is scheduled after it. */
  readonly signal: AbortSignal;
}

/** The dashboard's routes, its ticker and its open streams. */
export class DashboardRoutes {
  readonly #state: DashboardState;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #tickMs: number;
  readonly #signal: AbortSignal;
  readonly #streams = new Set<ServerResponse>();
  #timer: TimerHandle | undefined = undefined;

  constructor(options: DashboardRoutesOptions) {
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#tickMs = options.tickMs;
    this.#signal = options.signal;
    this.#state = new DashboardState({
      sources: options.sources,
      tickMs: options.tickMs,
      emulator: options.emulator,
      triggerTypes: CATALOGUE.filter((e) => e.removed !== true).map((e) => ({
        type: e.type,
        version: e.version,
      })),
      onError: (error) => {
        this.#logger.warn('an observed source failed', { error: messageOf(error) });
      },
    });
  }

  /** The streams open now. */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Starts the ticker (once the server listens). */
  start(): void {
    // The base of the first tick's deltas: its rates cover the first interval.
    const state = this.#state;
    this.#guarded(() => state.sample(this.#clock.now()));
    this.#schedule();
  }

  /** Stops the ticker. */
  stopTicker(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Ends every stream. */
  endStreams(): void {
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  /** `/`: the page. */
  page(res: ServerResponse, method: string): void {
    res.setHeader('content-security-policy', CSP);
    send(res, method, 200, 'text/html; charset=utf-8', dashboardPageHtml());
  }

  /** `/api/snapshot`. */
  snapshot(res: ServerResponse, method: string): void {
    send(res, method, 200, JSON_TYPE, JSON.stringify(this.#state.snapshot(this.#clock.now())));
  }

  /** `/api/stream`: a snapshot, then the ticks. */
  stream(req: IncomingMessage, res: ServerResponse, method: string): void {
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
      `retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(this.#state.snapshot(this.#clock.now()))}\n\n`,
    );
    this.#streams.add(res);
    const forget = (): void => {
      this.#streams.delete(res);
    };
    req.socket.setNoDelay(true);
    res.on('close', forget);
  }

  // ---- the ticker ------------------------------------------------------------------------------------------------

  #schedule(): void {
    if (this.#signal.aborted) return;
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
      this.#state.forget();
      this.#logger.error('dashboard tick failed', { error: messageOf(error) });
    }
  }

  #tick(): void {
    const state = this.#state;
    const now = this.#clock.now();
    if (this.#streams.size === 0) {
      // No page: the history only (a page that connects gets a snapshot, the base of its next tick).
      state.forget();
      state.sample(now);
      return;
    }
    const frame = `event: tick\ndata: ${JSON.stringify(state.tick(now))}\n\n`;
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
}
