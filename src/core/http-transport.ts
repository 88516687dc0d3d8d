/**
 * The HTTP layer under the Helix and OAuth clients: one request in, status + headers + text body out, with a
 * per-attempt timeout and an `AbortSignal`. Two implementations:
 *
 * - {@link NodeHttpTransport} (the default): `node:http`/`node:https` with a private keep-alive agent. It costs
 *   about a third of the CPU of `fetch` per request (undici builds a `Request`, a `Response`, a `Headers` and its
 *   own linked `AbortSignal` for each call), which is what lets the Helix client keep up with an unlimited bucket.
 * - {@link FetchTransport}: any `fetch`-shaped function the user passes (a proxy-aware undici `fetch`, a test
 *   double, `globalThis.fetch`).
 *
 * Not part of the public API: users choose through the `fetch` option of the clients.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type IncomingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ClientRequest, RequestOptions } from 'node:http';
import {
  brotliDecompress,
  constants as zlibConstants,
  gunzip,
  inflate,
  inflateRaw,
  type BrotliOptions,
  type ZlibOptions,
} from 'node:zlib';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { AbortError, InvalidArgumentError, ProtocolError, TimeoutError } from './errors.js';
import { USER_AGENT } from './version.js';
import { abortReason, onAbort } from './sleep.js';

/** Reads one response header, case-insensitively; `null` when absent (the `Headers#get` contract). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** What the clients need from a `fetch` response (a WHATWG `Response` fits). */
export interface ResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderReader;
  text(): Promise<string>;
}

/** What the clients pass to a `fetch` function (assignable to `RequestInit`). */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * A `fetch`-shaped function for the `fetch` option of the clients; `globalThis.fetch` and undici's `fetch` fit.
 *
 * @example
 * ```ts
 * import { fetch as undiciFetch, ProxyAgent } from 'undici';
 * const dispatcher = new ProxyAgent('http://proxy.internal:3128');
 * const helix = new HelixClient({ clientId, clientSecret, fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }) });
 * ```
 */
export type FetchLike = (input: string, init: FetchInit) => Promise<ResponseLike>;

/** One HTTP attempt. */
export interface TransportRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** The attempt fails with a `TimeoutError` past this many milliseconds (connection, headers and body). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /**
   * Whether the request may be sent once more when a reused keep-alive connection turns out to be closed by the
   * server before any byte of the answer arrived.
   */
  readonly idempotent: boolean;
}

/** A complete answer (any status). */
export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderReader;
  readonly body: string;
}

/**
 * Sends requests. `send` rejects with a `TimeoutError` when the attempt timed out, with the signal's reason (an
 * `AbortError` by default) when `signal` aborted, with an `AbortError` after `close()`, with a `ProtocolError`
 * (`RESPONSE_TOO_LARGE`, `BAD_RESPONSE`) for an answer it refuses, and with the underlying error (a Node system
 * error, fetch's `TypeError`) for network failures.
 */
export interface HttpTransport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Fails the requests in flight with an `AbortError` and releases the connections. */
  close(): void;
}

/** Options of {@link NodeHttpTransport}. */
export interface NodeHttpTransportOptions {
  readonly clock?: Clock | undefined;
  /** Largest accepted body, after decompression, bytes. @defaultValue 16 MiB */
  readonly maxResponseBytes?: number | undefined;
  /**
   * How long an idle keep-alive connection is kept, milliseconds; a shorter `Keep-Alive: timeout=N` announced by
   * the server wins (minus one second, so the client gives the connection up first). @defaultValue 4000
   */
  readonly keepAliveMs?: number | undefined;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Errors of a keep-alive connection the server closed while it was idle. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * `node:http`/`node:https` with one private keep-alive agent per protocol (LIFO, so the most recently used and
 * least likely expired connection goes first). A request that finds its reused connection already closed by the
 * server, before any byte of the answer, is sent once more when it is idempotent. Bodies are
 * decompressed (gzip, deflate, br) and capped.
 *
 * @example
 * ```ts
 * const transport = new NodeHttpTransport();
 * const res = await transport.send({ method: 'GET', url, headers: {}, body: undefined, timeoutMs: 10_000, signal: undefined, idempotent: true });
 * transport.close();
 * ```
 */
export class NodeHttpTransport implements HttpTransport {
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  readonly #inFlight = new Set<Exchange>();
  #closed = false;

  constructor(options: NodeHttpTransportOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const agentOptions = {
      keepAlive: true,
      scheduling: 'lifo',
      timeout: options.keepAliveMs ?? 4000,
    } as const;
    this.#http = new HttpAgent(agentOptions);
    this.#https = new HttpsAgent(agentOptions);
  }

  send(request: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) return Promise.reject(new AbortError('The HTTP transport was closed'));
    if (request.signal?.aborted === true) return Promise.reject(abortReason(request.signal));
    let url: URL;
    try {
      url = new URL(request.url);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError(`invalid URL ${request.url}`));
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
    }
    return new Promise<TransportResponse>((resolve, reject) => {
      const exchange = new Exchange(this, request, url, secure, resolve, reject);
      this.#inFlight.add(exchange);
      exchange.start();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const error = new AbortError('The HTTP transport was closed');
    for (const exchange of this.#inFlight) exchange.fail(error);
    this.#inFlight.clear();
    this.#http.destroy();
    this.#https.destroy();
  }

  /** @internal */
  get clock(): Clock {
    return this.#clock;
  }

  /** @internal */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** @internal */
  agent(secure: boolean): HttpAgent {
    return secure ? this.#https : this.#http;
  }

  /** @internal */
  done(exchange: Exchange): void {
    this.#inFlight.delete(exchange);
  }
}

/** One request with its retry on a stale connection; settles exactly once. */
class Exchange {
  readonly #owner: NodeHttpTransport;
  readonly #request: TransportRequest;
  readonly #options: RequestOptions;
  readonly #secure: boolean;
  readonly #resolve: (response: TransportResponse) => void;
  readonly #reject: (error: Error) => void;
  #req: ClientRequest | undefined;
  #timer: TimerHandle | undefined;
  /** Removes the abort callback (one listener per signal however many requests share it: see `onAbort`). */
  #stopAbort: (() => void) | undefined;
  #settled = false;
  #answered = false;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(
    owner: NodeHttpTransport,
    request: TransportRequest,
    url: URL,
    secure: boolean,
    resolve: (response: TransportResponse) => void,
    reject: (error: Error) => void,
  ) {
    this.#owner = owner;
    this.#request = request;
    this.#secure = secure;
    this.#resolve = resolve;
    this.#reject = reject;
    // Defaults first, so that the caller's headers win; values are trimmed as `fetch` does (a token read from a
    // file with its trailing newline still works).
    const headers: Record<string, string | number> = {
      'User-Agent': USER_AGENT,
      Accept: 'application/json',
      'Accept-Encoding': ACCEPT_ENCODING,
    };
    for (const name in request.headers) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value.trim();
    }
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
    const host = url.hostname;
    this.#options = {
      method: request.method,
      // `new URL('http://[::1]/')` keeps the brackets, `http.request` wants the bare address.
      hostname: host.startsWith('[') ? host.slice(1, -1) : host,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: url.pathname + url.search,
      headers,
      agent: owner.agent(secure),
    };
    this.#timer = owner.clock.setTimeout(this.#onTimeout, request.timeoutMs);
    if (request.signal !== undefined) this.#stopAbort = onAbort(request.signal, this.#onAbort);
  }

  /** Sends the request; `retry` marks the one repetition after a stale keep-alive connection. */
  start(retry = false): void {
    if (this.#settled) return;
    let req: ClientRequest;
    try {
      req = (this.#secure ? httpsRequest : httpRequest)(this.#options);
    } catch (error) {
      // Node refuses the request before sending anything: a header value with a control character, a bad method.
      this.fail(
        new InvalidArgumentError(
          `the request cannot be sent: ${error instanceof Error ? error.message : String(error)}`,
          'headers',
          { cause: error },
        ),
      );
      return;
    }
    this.#req = req;
    req.on('response', this.#onResponse);
    req.on('error', (error: Error) => {
      this.#onRequestError(req, error, retry);
    });
    if (this.#request.body === undefined) req.end();
    else req.end(this.#request.body);
  }

  /** Settles with `error` and tears the request down. */
  fail(error: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.#req?.destroy();
    this.#reject(error);
  }

  #onRequestError(req: ClientRequest, error: Error, retried: boolean): void {
    if (this.#settled || req !== this.#req) return;
    const code = (error as NodeJS.ErrnoException).code;
    if (
      !retried &&
      !this.#answered &&
      req.reusedSocket &&
      this.#request.idempotent &&
      code !== undefined &&
      STALE_SOCKET_CODES.has(code)
    ) {
      // The server closed this idle keep-alive connection as we picked it: nothing was processed, go again. Not
      // at once: when the server closed several idle connections together, their ends are in the same batch of
      // I/O events; after it, the agent has dropped them all and the retry gets a live or a new connection.
      setImmediate(this.#retry);
      return;
    }
    this.fail(error);
  }

  readonly #retry = (): void => {
    this.start(true);
  };

  readonly #onResponse = (res: IncomingMessage): void => {
    this.#answered = true;
    const declared = Number(res.headers['content-length']);
    if (declared > this.#owner.maxBytes) {
      this.fail(tooLarge(this.#owner.maxBytes));
      return;
    }
    res.on('data', (chunk: Buffer) => {
      this.#bytes += chunk.length;
      if (this.#bytes > this.#owner.maxBytes) this.fail(tooLarge(this.#owner.maxBytes));
      else this.#chunks.push(chunk);
    });
    res.on('end', () => {
      this.#finish(res);
    });
    // A connection lost mid-body destroys the response with ECONNRESET ("aborted"); the timeout is the backstop.
    res.on('error', (error: Error) => {
      this.fail(error);
    });
  };

  #finish(res: IncomingMessage): void {
    if (this.#settled) return;
    const first = this.#chunks[0];
    const raw = this.#chunks.length === 1 && first !== undefined ? first : Buffer.concat(this.#chunks);
    this.#chunks = [];
    const encoding = res.headers['content-encoding']?.trim().toLowerCase();
    const respond = (body: Buffer): void => {
      if (this.#settled) return;
      this.#settle();
      this.#resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        headers: new NodeHeaders(res.headers),
        body: utf8(body),
      });
    };
    // An empty body needs no decoding whatever its label (a 204 tagged gzip by a proxy).
    if (raw.length === 0 || encoding === undefined || encoding === '' || encoding === 'identity') {
      respond(raw);
      return;
    }
    const decoder = DECODERS[encoding];
    if (decoder === undefined) {
      this.fail(new ProtocolError('BAD_RESPONSE', `unsupported Content-Encoding ${encoding}`, encoding));
      return;
    }
    const max = this.#owner.maxBytes;
    decoder(raw, max, (error, body) => {
      if (error === null) respond(body);
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') this.fail(tooLarge(max));
      else
        this.fail(
          new ProtocolError('BAD_RESPONSE', `undecodable ${encoding} body`, encoding, { cause: error }),
        );
    });
  }

  readonly #onTimeout = (): void => {
    this.#timer = undefined;
    const { method, timeoutMs } = this.#request;
    this.fail(new TimeoutError(`${method} request timed out after ${timeoutMs} ms`));
  };

  readonly #onAbort = (): void => {
    this.fail(abortReason(this.#request.signal));
  };

  #settle(): void {
    this.#settled = true;
    if (this.#timer !== undefined) this.#owner.clock.clearTimeout(this.#timer);
    this.#stopAbort?.();
    this.#owner.done(this);
  }
}

type Decoder = (
  input: Buffer,
  maxBytes: number,
  callback: (error: Error | null, result: Buffer) => void,
) => void;

// Flush what arrived instead of failing on a stream cut short after its last full block, as browsers and undici do.
const zlibOptions = (maxOutputLength: number): ZlibOptions => ({
  maxOutputLength,
  finishFlush: zlibConstants.Z_SYNC_FLUSH,
});
const brotliOptions = (maxOutputLength: number): BrotliOptions => ({
  maxOutputLength,
  finishFlush: zlibConstants.BROTLI_OPERATION_FLUSH,
});

const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: (input, max, callback) => {
    gunzip(input, zlibOptions(max), callback);
  },
  'x-gzip': (input, max, callback) => {
    gunzip(input, zlibOptions(max), callback);
  },
  // `deflate` should be zlib-wrapped (RFC 9110); some servers send raw deflate, told apart by the first byte.
  deflate: (input, max, callback) => {
    const zlibWrapped = ((input[0] ?? 0) & 0x0f) === 0x08;
    (zlibWrapped ? inflate : inflateRaw)(input, zlibOptions(max), callback);
  },
  br: (input, max, callback) => {
    brotliDecompress(input, brotliOptions(max), callback);
  },
};

/** UTF-8 text of a body without its byte-order mark, as `Response#text()` gives it. */
function utf8(body: Buffer): string {
  const bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  return (bom ? body.subarray(3) : body).toString('utf8');
}

function tooLarge(max: number): ProtocolError {
  return new ProtocolError('RESPONSE_TOO_LARGE', `the answer is larger than ${max} bytes`);
}

/** `Headers#get` over Node's lower-cased header object. */
class NodeHeaders implements HeaderReader {
  readonly #raw: IncomingHttpHeaders;

  constructor(raw: IncomingHttpHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }
}

/**
 * Any `fetch`-shaped function as a transport: a per-attempt `AbortController` carries the timeout, the caller's
 * signal and `close()`.
 *
 * @example
 * ```ts
 * const transport = new FetchTransport((url, init) => fetch(url, init));
 * ```
 */
export class FetchTransport implements HttpTransport {
  readonly #fetch: FetchLike;
  readonly #clock: Clock;
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  constructor(fetchLike: FetchLike, clock: Clock = systemClock) {
    this.#fetch = fetchLike;
    this.#clock = clock;
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) throw new AbortError('The HTTP transport was closed');
    const { signal } = request;
    if (signal?.aborted === true) throw abortReason(signal);
    const controller = new AbortController();
    const timer = this.#clock.setTimeout(() => {
      controller.abort(new TimeoutError(`${request.method} request timed out after ${request.timeoutMs} ms`));
    }, request.timeoutMs);
    const stopAbort =
      signal === undefined
        ? undefined
        : onAbort(signal, () => {
            controller.abort(signal.reason);
          });
    this.#inFlight.add(controller);
    try {
      const init: FetchInit = { method: request.method, headers: request.headers, signal: controller.signal };
      if (request.body !== undefined) init.body = request.body;
      const response = await this.#fetch(request.url, init);
      const body = await response.text();
      return { status: response.status, statusText: response.statusText, headers: response.headers, body };
    } catch (error) {
      if (isAborted(signal)) throw abortReason(signal);
      // Aborted by the timer (a TimeoutError) or by close() (an AbortError): the reason is the error to report.
      const reason: unknown = controller.signal.reason;
      if (reason instanceof TimeoutError || reason instanceof AbortError) throw reason;
      throw error;
    } finally {
      this.#clock.clearTimeout(timer);
      stopAbort?.();
      this.#inFlight.delete(controller);
    }
  }

  close(): void {
    this.#closed = true;
    const error = new AbortError('The HTTP transport was closed');
    for (const controller of this.#inFlight) controller.abort(error);
    this.#inFlight.clear();
  }
}

/** Reads `aborted` afresh (after an `await`, where a narrowed `signal.aborted` would be stale). */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
