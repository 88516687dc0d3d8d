/**
 * `WebhookReceiver`: the hardened EventSub webhook endpoint. A `node:http` request handler (also usable as Express
 * or Fastify middleware), a framework-agnostic `process()` for raw bodies, and a standalone listener.
 *
 * Order of checks (cheapest and least trusting first; nothing is remembered before the signature is valid):
 * method → `Content-Type` → `Content-Length` → headers and replay window → body (size limit, time limit) →
 * signature → body shape → message-id dedupe → answer → dispatch.
 *
 * This file is the HTTP side (reading bodies under limits, answering, listening) and the order of the checks; the
 * signature and replay checks are in verify.ts, the body shapes and answers in accept.ts, the option and event
 * types in types.ts, and notifications go through the dispatcher every receiver shares (eventsub/dispatch.ts).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { TypedEmitter } from '../../core/emitter.js';
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { isRecord, toError } from '../../core/guards.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { checkOptions, fail } from '../../core/options.js';
import { webhookDeliveryChannel } from '../../core/diagnostics.js';
import type { MetricsSnapshot } from '../../core/metrics.js';
import { MAX_MESSAGE_AGE_MS } from '../../protocol/eventsub.js';
import { RECENT_ERRORS_LIMIT, type ObservedSource, type SourceView } from '../../observability/source.js';
import { RecentErrors } from '../../core/recent-errors.js';
import { NotificationDispatcher } from '../dispatch.js';
import { CLOSED_HEALTH, healthReport, idsReason } from '../../observability/health.js';
import type { HealthReport } from '../../observability/source.js';
import {
  DedupeError,
  DedupeGate,
  MemoryDedupeStore,
  resolveDedupeStore,
  type DedupeOutcome,
  type DedupeStore,
} from '../websocket/dedupe.js';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  REJECTION_STATUS,
  WEBHOOK_HEADERS,
  matchSignature,
  normalizeSecrets,
  readHeader,
  screenWebhookHeaders,
  type VerifiedWebhookMessage,
  type WebhookHeaders,
  type WebhookRejectionReason,
} from './verify.js';
import {
  TEXT,
  acceptBody,
  isJsonContentType,
  rejection,
  type BodyRead,
  type Candidate,
  type Dispatch,
  type Outcome,
  type Sink,
} from './accept.js';
import { WebhookMetrics, copyWebhookStats, newWebhookStats, type WebhookReceiverStats } from './metrics.js';
import {
  LISTEN_CHECKS,
  checkProcessInput,
  checkedReceiverOptions,
  type WebhookListenOptions,
  type WebhookListener,
  type WebhookNotification,
  type WebhookProcessInput,
  type WebhookReceiverEvents,
  type WebhookReceiverOptions,
  type WebhookResponse,
} from './types.js';

// Kept importable from here (the conduit client and tests import them with the receiver).
export { LISTEN_CHECKS } from './types.js';
export type {
  WebhookListenOptions,
  WebhookListener,
  WebhookNotification,
  WebhookReceiverOptions,
  WebhookRevocation,
  WebhookVerificationRequest,
} from './types.js';

/**
 * The EventSub webhook endpoint: verifies, deduplicates and dispatches what Twitch POSTs.
 *
 * - `webhook_callback_verification` → 200 `text/plain` with the challenge exactly;
 * - `notification` → 204 at once, then `message`, the typed event (`'channel.follow'`...) and `notification`;
 * - `revocation` → 204, then `revocation`;
 * - a message id already seen (checked only once the signature is valid) → 204 and `duplicate`, no dispatch;
 * - a message id the dedupe store refuses (at its memory bound) → 503 and `rejected` (`dedupe_refused`), no
 *   dispatch: Twitch delivers it again later;
 * - anything else → 4XX and `rejected`, no dispatch: 405 not POST, 415 not JSON, 413 too large, 408 too slow,
 *   400 missing/malformed headers or body, 403 bad signature or outside the 10-minute replay window.
 *
 * Secrets are held in a private field: never in logs, errors, JSON or `util.inspect` output.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { WebhookReceiver } from 'twitch-realtime/eventsub';
 *
 * const receiver = new WebhookReceiver({ secret: process.env.TWITCH_WEBHOOK_SECRET });
 * receiver.on('channel.follow', (event) => console.log(`${event.user.displayName} followed`));
 * receiver.on('revocation', (r) => console.warn('revoked', r.subscription.type, r.subscription.status));
 * createServer(receiver.handler).listen(8080); // behind a TLS proxy on 443
 * ```
 */
export class WebhookReceiver extends TypedEmitter<WebhookReceiverEvents> implements ObservedSource {
  readonly #secrets: string[];
  /** Requests by outcome, counted in `#dispatch` (the one place every outcome goes through). */
  readonly #stats = newWebhookStats();
  /** `null` with `metrics: false`. */
  readonly #metrics: WebhookMetrics | null;
  readonly #maxBodyBytes: number;
  readonly #bodyTimeoutMs: number;
  readonly #maxAgeMs: number;
  readonly #maxFutureSkewMs: number;
  readonly #gate: DedupeGate<Candidate>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #reads = new Set<BodyRead>();
  /** The dispatch every receiver shares (eventsub/dispatch.ts). */
  readonly #dispatcher = new NotificationDispatcher<WebhookNotification>(this, (error, context) => {
    this.#report(error, context);
  });
  readonly #listeners = new Set<Server>();
  /** What `#report` reported, for `view()`. */
  readonly #errors: RecentErrors;
  #sweepTimer: TimerHandle | undefined;
  #queue: Dispatch[] = [];
  #drainScheduled = false;
  #closed = false;
  #asyncReported = false;

  /**
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): options that are not an
   *   object, no secret or a secret that is not 10..100 printable ASCII characters (never quoted), a size or
   *   duration that is not a positive integer (durations at most 2^31-1 ms), a dedupe store whose window is too
   *   short, or a `clock` or `logger` of the wrong shape.
   */
  constructor(options: WebhookReceiverOptions) {
    const given = checkedReceiverOptions(options).logger;
    super(given === undefined ? {} : { logger: given });
    this.#secrets = normalizeSecrets(options.secret, options.secrets);
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? MAX_MESSAGE_AGE_MS;
    this.#maxFutureSkewMs = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#errors = new RecentErrors(this.#clock, RECENT_ERRORS_LIMIT);
    // A redelivery is accepted from `maxFutureSkewMs` before its timestamp to `maxAgeMs` after it.
    const window = this.#maxAgeMs + this.#maxFutureSkewMs;
    this.#gate = new DedupeGate(
      resolveDedupeStore(options.dedupe, window, window, 'dedupe'),
      this.#onVerdict,
      {
        ordered: false,
      },
    );
    this.#metrics = options.metrics === false ? null : new WebhookMetrics(this.#clock, this.#stats);
    this.#dispatcher.record(this.#metrics);
  }

  /**
   * Counters since construction: notifications, revocations, verifications and duplicates accepted, requests
   * refused by reason. Kept with `metrics: false` too (a copy per read).
   */
  get stats(): WebhookReceiverStats {
    return copyWebhookStats(this.#stats);
  }

  /**
   * The receiver's metrics now, as plain data: deliveries by outcome (a bad signature, a stale timestamp...),
   * notifications per type, delivery lag, revocations by status, handler errors; see docs/observability.md. Empty
   * with `metrics: false`.
   *
   * @example
   * ```ts
   * const text = toPrometheusText(receiver.metrics());
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.#metrics?.registry.snapshot() ?? [];
  }

  protected override listenerFailed(event: string, error: unknown): void {
    this.#errors.push(error, `listener of '${event}'`);
    this.#metrics?.listenerFailed(event);
  }

  /**
   * What the dashboard shows of this receiver (the `ObservedSource` contract): its kind and the errors it reported
   * (`error`, whether or not anyone listens: a malformed event, a body already consumed, a dedupe store failure),
   * newest last, redacted, at most 50. Refused requests (a bad signature...) are not errors: they are the
   * `rejected` event and `metrics()`' deliveries by outcome.
   *
   * @example
   * ```ts
   * for (const { code, message } of receiver.view().errors) console.warn(code, message);
   * ```
   */
  view(): SourceView {
    return { kind: 'WebhookReceiver', errors: this.#errors.list() };
  }

  /**
   * The `node:http` request handler, bound (pass it around freely). Works as Express/Fastify-compatible middleware
   * when no body parser ran before it (it reads the raw body itself).
   */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.handle(req, res);
  };

  /** The dedupe store (shared with other transports if one was given). */
  get dedupe(): DedupeStore {
    return this.#gate.store;
  }

  /**
   * Handles one `node:http` request: answers it, then dispatches. Never throws for a request; throws
   * `InvalidArgumentError` (`INVALID_ARGUMENT`, field `req` or `res`) when called with something that is not a
   * `node:http` request and response (a handler mounted wrongly).
   *
   * @example
   * ```ts
   * createServer((req, res) => {
   *   if (req.url === '/twitch/eventsub') receiver.handle(req, res);
   *   else res.writeHead(404).end();
   * });
   * ```
   */
  handle(req: IncomingMessage, res: ServerResponse): void {
    // Once per request, not per event: a handler mounted wrongly fails with a typed error, not a TypeError.
    if (!isRecord(req) || !isRecord(req.headers) || typeof req.on !== 'function') {
      fail('req', 'a node:http IncomingMessage', req);
    }
    if (!isRecord(res) || typeof res.writeHead !== 'function' || typeof res.end !== 'function') {
      fail('res', 'a node:http ServerResponse', res);
    }
    const path = req.url;
    if (this.#closed) {
      this.#send(req, res, { status: 503, headers: TEXT, body: 'closed' }, true);
      return;
    }
    if (req.method !== 'POST') {
      this.#refuseEarly(req, res, 'method_not_allowed', 'only POST is accepted', path);
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      this.#refuseEarly(req, res, 'unsupported_media_type', 'Content-Type must be application/json', path);
      return;
    }
    const length = req.headers['content-length'];
    if (length !== undefined && !(Number(length) <= this.#maxBodyBytes)) {
      this.#refuseEarly(req, res, 'body_too_large', 'body too large', path);
      return;
    }
    const now = this.#clock.now();
    const checked = screenWebhookHeaders(req.headers, now, this.#maxAgeMs, this.#maxFutureSkewMs);
    if (!checked.ok) {
      this.#refuseEarly(req, res, checked.reason, checked.detail, path);
      return;
    }
    if (req.readableEnded) {
      // A body parser ran first: the raw bytes are gone and the signature cannot be checked.
      this.#report(
        new TwitchError(
          'WEBHOOK_BODY_CONSUMED',
          'the request body was already read (mount the handler before any body parser, or use process())',
        ),
        'handle',
      );
      this.#send(req, res, { status: 500, headers: TEXT, body: 'body already consumed' }, false);
      return;
    }
    const read: BodyRead = { req, res, deadline: now + this.#bodyTimeoutMs, done: false };
    this.#reads.add(read);
    this.#armSweep();
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      read.done = true;
      this.#reads.delete(read);
      req.off('data', onData);
    };
    const onData = (chunk: Buffer): void => {
      if (read.done) return;
      size += chunk.length;
      if (size > this.#maxBodyBytes) {
        finish();
        this.#refuseEarly(req, res, 'body_too_large', 'body too large', path);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (read.done) return;
      finish();
      const body = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size);
      this.#evaluate(checked.message, req.headers, body, path, (outcome) => {
        this.#send(req, res, outcome.response, outcome.response.status >= 400);
        if (outcome.dispatch !== undefined) this.#dispatch(outcome.dispatch);
      });
    });
    req.on('error', () => {
      if (!read.done) finish();
    });
    req.on('close', () => {
      if (!read.done) finish();
    });
  }

  /**
   * Framework-agnostic processing of a request whose raw body you already have: returns the response to write and
   * dispatches right after the current synchronous code (a microtask), so write the response first. Never throws
   * for a request (a bad body or bad headers get their 4XX); throws `InvalidArgumentError` (`INVALID_ARGUMENT`,
   * field `input`, `headers`, `method` or `path`) when `input` is not `{ headers, rawBody, method?, path? }`.
   *
   * Needs a dedupe store that answers synchronously (the in-memory default does). With a store that answers with a
   * promise, use {@link processAsync}: `process()` then answers 503 (reported once as `DEDUPE_STORE_ASYNC`) and
   * dispatches when the verdict comes, so Twitch's retry finds a duplicate and nothing is lost or dispatched twice.
   *
   * @example
   * ```ts
   * // Express: the raw body is required, so mount express.raw() on this route only.
   * app.post('/twitch/eventsub', express.raw({ type: 'application/json' }), (req, res) => {
   *   const out = receiver.process({ headers: req.headers, rawBody: req.body, path: req.path });
   *   res.status(out.status).set(out.headers).send(out.body);
   * });
   * ```
   */
  process(input: WebhookProcessInput): WebhookResponse {
    checkProcessInput(input);
    let result: Outcome | undefined;
    let late = false;
    this.#processWith(input, (outcome) => {
      if (late) {
        if (outcome.dispatch !== undefined) this.#dispatch(outcome.dispatch);
      } else {
        result = outcome;
      }
    });
    if (result === undefined) {
      late = true;
      if (!this.#asyncReported) {
        this.#asyncReported = true;
        this.#report(
          new DedupeError(
            'DEDUPE_STORE_ASYNC',
            'process() needs a dedupe store that answers synchronously: use processAsync() (or handle())',
          ),
          'dedupe',
        );
      }
      const status = REJECTION_STATUS.dedupe_refused;
      return { status, headers: TEXT, body: 'dedupe_refused' };
    }
    if (result.dispatch !== undefined) {
      this.#queue.push(result.dispatch);
      if (!this.#drainScheduled) {
        this.#drainScheduled = true;
        queueMicrotask(this.#drain);
      }
    }
    return result.response;
  }

  /**
   * {@link process} for any dedupe store, including one that answers with a promise: resolves with the response
   * to write once the verdict is known, and dispatches on the next turn of the event loop (after you wrote it).
   * Never rejects for a request; rejects with `INVALID_ARGUMENT` for an `input` of the wrong shape, like `process()`.
   *
   * @example
   * ```ts
   * app.post('/twitch/eventsub', express.raw({ type: 'application/json' }), async (req, res) => {
   *   const out = await receiver.processAsync({ headers: req.headers, rawBody: req.body, path: req.path });
   *   res.status(out.status).set(out.headers).send(out.body);
   * });
   * ```
   */
  processAsync(input: WebhookProcessInput): Promise<WebhookResponse> {
    try {
      checkProcessInput(input);
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return new Promise((resolve) => {
      this.#processWith(input, (outcome) => {
        resolve(outcome.response);
        const dispatch = outcome.dispatch;
        if (dispatch !== undefined) {
          setImmediate(() => {
            this.#dispatch(dispatch);
          });
        }
      });
    });
  }

  /** The checks of {@link process}; `sink` gets the outcome (synchronously unless the dedupe verdict is promised). */
  #processWith(input: WebhookProcessInput, sink: Sink): void {
    const path = input.path;
    if (this.#closed) {
      sink({ response: { status: 503, headers: TEXT, body: 'closed' }, dispatch: undefined });
    } else if ((input.method ?? 'POST').toUpperCase() !== 'POST') {
      sink(rejection('method_not_allowed', 'only POST is accepted', path));
    } else if (!isJsonContentType(readHeader(input.headers, 'content-type'))) {
      sink(rejection('unsupported_media_type', 'Content-Type must be application/json', path));
    } else {
      const raw = input.rawBody as unknown;
      const body =
        typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw instanceof Uint8Array ? raw : undefined;
      if (body === undefined) {
        sink(rejection('malformed_body', 'rawBody must be the raw bytes or string of the body', path));
      } else if (body.length > this.#maxBodyBytes) {
        sink(rejection('body_too_large', 'body too large', path));
      } else {
        const checked = screenWebhookHeaders(
          input.headers,
          this.#clock.now(),
          this.#maxAgeMs,
          this.#maxFutureSkewMs,
        );
        if (checked.ok) this.#evaluate(checked.message, input.headers, body, path, sink);
        else sink(rejection(checked.reason, checked.detail, path));
      }
    }
  }

  /**
   * Starts a standalone HTTP listener that serves every path with this receiver. A client that trickles its request
   * headers is answered 408 and dropped within `bodyTimeoutMs` (clamped to 1..60 s) of its first byte, like a slow
   * body: the listener has Node check its connections every tenth of that bound instead of every 30 s. (On a server
   * of your own, set `headersTimeout` and `connectionsCheckingInterval` of `createServer` likewise.)
   *
   * A `port` that is not an integer in 0..65535 or a `host` that is not a host name rejects with `INVALID_ARGUMENT`
   * before anything listens (a string port once created a UNIX socket file named after it).
   *
   * @example
   * ```ts
   * const listener = await receiver.listen({ port: 8080, host: '0.0.0.0' });
   * // ... later
   * await listener.close();
   * ```
   */
  async listen(options: WebhookListenOptions = {}): Promise<WebhookListener> {
    checkOptions(options, LISTEN_CHECKS);
    if (this.#closed) throw new InvalidArgumentError('the receiver is closed', 'receiver');
    // Our own sweep enforces the body deadline; Node's headers timeout bounds slow header sending as well. Node
    // checks it only every `connectionsCheckingInterval` (30 s by default), so a client trickling its headers
    // would live up to 30 s past it: check every tenth of the bound (at most every second), and expire a tenth
    // early, so that the bound holds as an upper bound (a slow client is dropped between 0.9 and 1 times it).
    const bound = Math.max(1000, Math.min(60_000, this.#bodyTimeoutMs));
    const every = Math.min(1000, Math.ceil(bound / 10));
    const server = createServer(
      { connectionsCheckingInterval: every, headersTimeout: bound - every },
      this.handler,
    );
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#listeners.add(server);
    const port = (server.address() as AddressInfo).port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    return {
      url: `http://${shownHost}:${port}`,
      port,
      close: () => this.#closeServer(server),
    };
  }

  /**
   * Liveness and readiness for `/healthz` and `/readyz` (docs/observability.md, Health): live and ready until
   * closed, except that a listener started by `listen()` that stopped listening makes it not ready. Mounted on the
   * application's own server, the receiver cannot see that server: its readiness is the application's.
   *
   * @example
   * ```ts
   * const { ready } = receiver.health();
   * ```
   */
  health(): HealthReport {
    if (this.#closed) return CLOSED_HEALTH;
    const down: string[] = [];
    for (const server of this.#listeners) {
      if (!server.listening) down.push(String((server.address() as AddressInfo | null)?.port ?? 'unbound'));
    }
    return healthReport([], [idsReason('listeners no longer listening (ports)', down)]);
  }

  /** Closes listeners started by {@link listen}, aborts bodies being read and stops the sweep. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    for (const read of [...this.#reads]) {
      read.done = true;
      read.req.destroy();
    }
    this.#reads.clear();
    await Promise.all([...this.#listeners].map((server) => this.#closeServer(server)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #closeServer(server: Server): Promise<void> {
    this.#listeners.delete(server);
    return new Promise((resolve) => {
      server.close(() => {
        resolve();
      });
      server.closeAllConnections();
    });
  }

  /**
   * Signature, body shape and dedupe of a request whose headers passed. `sink` gets the outcome: at once, or when a
   * promised dedupe verdict settles.
   */
  #evaluate(
    message: VerifiedWebhookMessage,
    headers: WebhookHeaders,
    body: Uint8Array,
    path: string | undefined,
    sink: Sink,
  ): void {
    const signature = readHeader(headers, WEBHOOK_HEADERS.messageSignature) ?? '';
    const index = matchSignature(this.#secrets, message, signature, body);
    if (index === -1) {
      sink(rejection('invalid_signature', 'signature does not match', path));
      return;
    }
    let parsed: unknown;
    try {
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!isRecord(parsed)) {
      sink(rejection('malformed_body', 'body is not a JSON object', path));
      return;
    }
    const verified: VerifiedWebhookMessage = { ...message, secretIndex: index };
    const accepted = acceptBody(message.messageType, parsed, verified, path);
    if (typeof accepted === 'string') {
      sink(rejection('malformed_body', accepted, path));
      return;
    }
    // Only now, with the signature valid and the body well-formed, is the id shown to the dedupe store.
    this.#gate.admit(message.messageId, this.#clock.now(), {
      verified,
      fresh: accepted.fresh,
      response: accepted.response,
      path,
      sink,
    });
  }

  /** The dedupe store's verdict on a candidate: dispatch it, answer it as a duplicate, or refuse it with a 503. */
  readonly #onVerdict = (
    candidate: Candidate,
    outcome: DedupeOutcome,
    error: DedupeError | undefined,
  ): void => {
    if (error !== undefined) this.#report(error, 'dedupe');
    if (outcome === 'new') {
      candidate.sink({ response: candidate.response, dispatch: candidate.fresh });
    } else if (outcome === 'duplicate') {
      candidate.sink({
        response: candidate.response,
        dispatch: { kind: 'duplicate', value: candidate.verified },
      });
    } else {
      candidate.sink(rejection('dedupe_refused', 'the dedupe store refused the message id', candidate.path));
    }
  };

  /** Refuses without reading the body: answer, then close the connection (the unread body is not drained). */
  #refuseEarly(
    req: IncomingMessage,
    res: ServerResponse,
    reason: WebhookRejectionReason,
    detail: string,
    path: string | undefined,
  ): void {
    const outcome = rejection(reason, detail, path);
    this.#send(req, res, outcome.response, true);
    if (outcome.dispatch !== undefined) this.#dispatch(outcome.dispatch);
  }

  #send(req: IncomingMessage, res: ServerResponse, response: WebhookResponse, close: boolean): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | number> = { ...response.headers };
    headers['Content-Length'] = Buffer.byteLength(response.body);
    if (close && !req.complete) headers.Connection = 'close';
    res.writeHead(response.status, headers);
    res.end(response.body);
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) this.#dispatch(item);
  };

  #dispatch(item: Dispatch): void {
    if (webhookDeliveryChannel.hasSubscribers) publishDelivery(item);
    const stats = this.#stats;
    switch (item.kind) {
      case 'notification':
        stats.notifications++;
        this.#dispatchNotification(item.value);
        return;
      case 'revocation':
        stats.revocations++;
        this.#metrics?.revoked(item.value.subscription.status);
        this.emit('revocation', item.value);
        return;
      case 'verification':
        stats.verifications++;
        this.emit('verification', item.value);
        return;
      case 'duplicate':
        stats.duplicates++;
        this.emit('duplicate', item.value);
        return;
      case 'rejected':
        stats.rejected[item.value.reason]++;
        this.#logger.debug('webhook request rejected', {
          reason: item.value.reason,
          status: item.value.status,
        });
        this.emit('rejected', item.value);
        return;
    }
  }

  #dispatchNotification(message: WebhookNotification): void {
    this.emit('message', message);
    this.#dispatcher.dispatch(message.messageId, message.timestamp, message.payload, message);
  }

  #report(error: Error, context: string): void {
    this.#errors.push(error);
    if (this.hasListeners('error')) this.emit('error', error, context);
    else this.#logger.warn(error.message, { code: (error as { code?: unknown }).code, context });
  }

  #armSweep(): void {
    if (this.#sweepTimer !== undefined || this.#closed) return;
    const every = Math.max(5, Math.min(1000, Math.floor(this.#bodyTimeoutMs / 4)));
    this.#sweepTimer = this.#clock.setTimeout(this.#sweep, every);
  }

  readonly #sweep = (): void => {
    this.#sweepTimer = undefined;
    const now = this.#clock.now();
    for (const read of this.#reads) {
      if (read.deadline > now) continue;
      read.done = true;
      this.#reads.delete(read);
      this.#refuseEarly(read.req, read.res, 'body_timeout', 'body not received in time', read.req.url);
      read.req.destroy();
    }
    if (this.#reads.size > 0) this.#armSweep();
  };

  /** Not JSON-serialisable state: never prints secrets. */
  toJSON(): { secrets: number; dedupeSize: number | undefined } {
    const store = this.#gate.store;
    return {
      secrets: this.#secrets.length,
      dedupeSize: store instanceof MemoryDedupeStore ? store.size : undefined,
    };
  }
}

/** Publishes `twitch-realtime:webhook:delivery` (called only when someone subscribes). */
function publishDelivery(item: Dispatch): void {
  if (item.kind === 'rejected') {
    const { reason, status } = item.value;
    webhookDeliveryChannel.publish({ outcome: reason, status, messageId: null });
    return;
  }
  const status = item.kind === 'verification' ? 200 : 204;
  webhookDeliveryChannel.publish({ outcome: item.kind, status, messageId: item.value.messageId });
}
