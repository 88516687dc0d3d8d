/**
 * One PubSub WebSocket of the pool: LISTEN/UNLISTEN with nonces, PING/PONG with jitter and a PONG deadline,
 * reconnects with backoff after RECONNECT, a server close or a network error, re-LISTENing every topic (as edited
 * by the pool's `reconnectHook`).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import type { Clock, TimerHandle } from '../core/clock.js';
import { ProtocolError } from '../core/errors.js';
import type { TwitchError } from '../core/errors.js';
import type { PubSubConnectionInfo } from './events.js';
import { PubSubConnectionError, PubSubResponseError } from './errors.js';
import { topicKey } from './topics.js';
import type { Topic } from './topics.js';

/** Timings and backoff of a connection, resolved (milliseconds). */
export interface ConnectionTimings {
  readonly pingIntervalMs: number;
  readonly pingJitterMs: number;
  readonly pongTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly backoffJitterMs: number;
}

/** What a connection needs from its pool. @internal */
export interface ConnectionHost {
  readonly clock: Clock;
  readonly random: () => number;
  readonly timings: ConnectionTimings;
  /** Called before every reconnect attempt; returns the topics to re-LISTEN (validated by the pool). */
  beforeReconnect(connection: PubSubConnection, topics: Topic[]): Promise<Topic[]>;
  /** A LISTEN failed; the topics were already removed from the connection. */
  listenFailed(connection: PubSubConnection, error: PubSubResponseError, raw: unknown): void;
  /** A MESSAGE frame arrived (hot path). */
  message(topic: string, message: string): void;
  error(error: TwitchError, raw: unknown): void;
  nonce(connection: PubSubConnection, nonce: string, error: string): void;
  pong(connection: PubSubConnection): void;
  /** The connection holds no topic any more after a reconnect round (the hook removed them all). */
  emptied(connection: PubSubConnection): void;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): `initialMs · 2^attempt` capped at `maxMs`, plus a uniform
 * jitter in `[0, jitterMs)`, the total capped at `maxMs`. With the defaults: ~1–2 s, ~2–3 s, … up to 2 min.
 *
 * @example
 * ```ts
 * pubsubBackoffDelay(0, { initialMs: 1000, maxMs: 120_000, jitterMs: 1000 }, Math.random); // 1000..2000
 * ```
 */
export function pubsubBackoffDelay(
  attempt: number,
  options: { readonly initialMs: number; readonly maxMs: number; readonly jitterMs: number },
  random: () => number,
): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(options.maxMs, base + random() * options.jitterMs));
}

type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly error: PubSubResponseError }
  | { readonly kind: 'interrupted' };

interface Pending {
  readonly request: 'LISTEN' | 'UNLISTEN';
  readonly topics: readonly Topic[];
  readonly resolve: (outcome: Outcome) => void;
  readonly timer: TimerHandle;
}

const INTERRUPTED: Outcome = { kind: 'interrupted' };
const OK: Outcome = { kind: 'ok' };
const noop = (): void => undefined;

/** One WebSocket of a {@link PubSubPool}. Created by the pool; passed to `reconnectHook`. */
export class PubSubConnection implements PubSubConnectionInfo {
  readonly id: string;
  readonly url: string;
  #state: PubSubConnectionInfo['state'] = 'connecting';
  readonly #host: ConnectionHost;
  /** present → topic */
  #topics = new Map<string, Topic>();
  #ws: WebSocket | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #noncePrefix = randomBytes(6).toString('hex');
  #nonceCounter = 0;
  #pingTimer: TimerHandle | undefined;
  #pongTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #attempt = 0;
  #reconnecting = false;
  /** A connect or reconnect round (open + LISTEN every topic) is running. */
  #roundActive = false;
  /** Topics whose LISTEN the server acknowledged on the current socket. */
  #acked = new WeakSet<Topic>();
  /** Fails the socket being opened (the pending `#open()`), set only while connecting. */
  #abortConnect: ((error: Error) => void) | undefined;
  /** Waiters for the end of the current connect/reconnect round. */
  #roundWaiters: (() => void)[] = [];
  /** Why a topic was removed by a failed LISTEN (for callers waiting on a round). */
  readonly #failures = new WeakMap<Topic, PubSubResponseError>();

  /** @internal Created by the pool. */
  constructor(id: string, url: string, host: ConnectionHost) {
    this.id = id;
    this.url = url;
    this.#host = host;
  }

  get state(): PubSubConnectionInfo['state'] {
    return this.#state;
  }

  /** Number of topics held. */
  get size(): number {
    return this.#topics.size;
  }

  /** The topics held, in subscription order. */
  get topics(): Topic[] {
    return [...this.#topics.values()];
  }

  /** Whether this connection holds `present` (a wire topic string). */
  has(present: string): boolean {
    return this.#topics.has(present);
  }

  /** @internal Adds topics without sending anything (they are LISTENed by the next round or by `listen`). */
  reserve(topics: readonly Topic[]): void {
    for (const topic of topics) this.#topics.set(topicKey(topic), topic);
  }

  /** @internal Opens the socket for the first time and LISTENs every reserved topic. Rejects when it cannot connect. */
  async start(): Promise<void> {
    this.#roundActive = true;
    try {
      await this.#open();
    } catch (error) {
      this.#finishRound();
      throw error;
    }
    await this.#listenAll();
    this.#finishRound();
  }

  /**
   * @internal LISTENs `topics` (already reserved) and resolves with the errors of the ones that failed. Waits for a
   * reconnect in progress; retries after an interruption. Rejects with `PUBSUB_CLOSED` when the connection closes.
   */
  async listen(topics: readonly Topic[]): Promise<PubSubResponseError[]> {
    for (;;) {
      if (this.#state === 'closed') throw closedError();
      if (this.#state !== 'open' || this.#roundActive) {
        await this.#nextRound();
        continue;
      }
      const still = topics.filter((t) => this.#topics.get(topicKey(t)) === t);
      const failures = collectFailures(topics, still, this.#failures);
      const toSend = still.filter((t) => !this.#acked.has(t));
      if (toSend.length === 0) return failures;
      const outcomes = await Promise.all(this.#sendGrouped('LISTEN', toSend));
      if (outcomes.some((o) => o.kind === 'interrupted')) continue;
      return [...failures, ...errorsOf(outcomes)];
    }
  }

  /** @internal Removes topics and UNLISTENs them when connected. UNLISTEN errors only go to `pubsub_error`. */
  async unlisten(topics: readonly Topic[]): Promise<void> {
    const removed = topics.filter((t) => {
      const held = this.#topics.get(topicKey(t));
      if (held === undefined) return false;
      this.#topics.delete(topicKey(t));
      this.#acked.delete(held);
      return true;
    });
    if (removed.length === 0 || this.#state !== 'open') return;
    const outcomes = await Promise.all(this.#sendGrouped('UNLISTEN', removed, true));
    for (const error of errorsOf(outcomes)) this.#host.error(error, null);
  }

  /** @internal Closes the socket for good; pending operations settle as interrupted. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#teardown();
    if (this.#reconnectTimer !== undefined) this.#host.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#topics.clear();
    this.#finishRound();
  }

  // ---- socket ------------------------------------------------------------------------------------------------

  #open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        perMessageDeflate: false,
        handshakeTimeout: this.#host.timings.connectTimeoutMs,
      });
      this.#ws = ws;
      // Every way out of the handshake goes through here, so the promise always settles: `#teardown()` (close()
      // while connecting) calls it with the closed error.
      const abort = (error: Error): void => {
        this.#abortConnect = undefined;
        ws.removeAllListeners();
        ws.on('error', noop);
        ws.terminate();
        if (this.#ws === ws) this.#ws = undefined;
        reject(error);
      };
      this.#abortConnect = abort;
      const fail = (cause?: unknown): void => {
        abort(
          new PubSubConnectionError('PUBSUB_CONNECT_FAILED', `could not connect to ${this.url}`, {
            cause,
          }),
        );
      };
      ws.once('error', fail);
      ws.once('close', (code: number) => {
        fail(new Error(`closed with ${String(code)} while connecting`));
      });
      ws.once('open', () => {
        if (this.#state === 'closed') {
          abort(closedError());
          return;
        }
        this.#abortConnect = undefined;
        ws.removeAllListeners();
        ws.on('message', this.#onMessage);
        ws.on('close', this.#onClose);
        ws.on('error', this.#onError);
        this.#state = 'open';
        this.#schedulePing();
        resolve();
      });
    });
  }

  readonly #onMessage = (data: RawData, isBinary: boolean): void => {
    const text = isBinary ? '' : rawText(data);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#host.error(new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'a frame is not JSON', text), text);
      return;
    }
    const f = frame as {
      type?: unknown;
      data?: { topic?: unknown; message?: unknown } | null;
      nonce?: unknown;
      error?: unknown;
    };
    switch (typeof frame === 'object' && frame !== null ? f.type : undefined) {
      case 'MESSAGE': {
        const d = f.data;
        if (
          typeof d === 'object' &&
          d !== null &&
          typeof d.topic === 'string' &&
          typeof d.message === 'string'
        ) {
          this.#host.message(d.topic, d.message);
          return;
        }
        break;
      }
      case 'RESPONSE':
        this.#onResponse(f.nonce, f.error, frame);
        return;
      case 'PONG':
        if (this.#pongTimer !== undefined) this.#host.clock.clearTimeout(this.#pongTimer);
        this.#pongTimer = undefined;
        this.#host.pong(this);
        this.#schedulePing();
        return;
      case 'RECONNECT':
        this.#reconnect();
        return;
    }
    this.#host.error(
      new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'an unexpected frame was received', frame),
      frame,
    );
  };

  readonly #onClose = (): void => {
    this.#reconnect();
  };

  readonly #onError = (): void => {
    // 'close' follows every error; reconnecting happens there.
  };

  #onResponse(nonce: unknown, error: unknown, frame: unknown): void {
    const errorText = typeof error === 'string' ? error : '';
    if (typeof nonce !== 'string') {
      this.#host.error(new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'a RESPONSE has no nonce', frame), frame);
      return;
    }
    this.#host.nonce(this, nonce, errorText);
    const pending = this.#pending.get(nonce);
    if (pending === undefined) return;
    this.#pending.delete(nonce);
    this.#host.clock.clearTimeout(pending.timer);
    if (errorText === '') {
      if (pending.request === 'LISTEN') for (const topic of pending.topics) this.#acked.add(topic);
      pending.resolve(OK);
      return;
    }
    const failure = new PubSubResponseError(errorText, nonce, pending.topics, pending.request);
    if (pending.request === 'LISTEN') {
      // A failed LISTEN leaves nothing registered (TwitchIO kept broken topics forever).
      for (const topic of pending.topics) {
        if (this.#topics.get(topicKey(topic)) === topic) this.#topics.delete(topicKey(topic));
        this.#failures.set(topic, failure);
      }
      pending.resolve({ kind: 'error', error: failure });
      this.#host.listenFailed(this, failure, frame);
    } else {
      pending.resolve({ kind: 'error', error: failure });
    }
  }

  /** Sends one frame per token (never more than the server's topic limit per frame). */
  #sendGrouped(
    request: 'LISTEN' | 'UNLISTEN',
    topics: readonly Topic[],
    noToken = false,
  ): Promise<Outcome>[] {
    const byToken = new Map<string, Topic[]>();
    for (const topic of topics) {
      const key = noToken ? '' : topic.token;
      const list = byToken.get(key);
      if (list === undefined) byToken.set(key, [topic]);
      else list.push(topic);
    }
    const outcomes: Promise<Outcome>[] = [];
    for (const [token, list] of byToken)
      outcomes.push(this.#send(request, list, noToken ? undefined : token));
    return outcomes;
  }

  #send(
    request: 'LISTEN' | 'UNLISTEN',
    topics: readonly Topic[],
    token: string | undefined,
  ): Promise<Outcome> {
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return Promise.resolve(INTERRUPTED);
    const nonce = `${this.#noncePrefix}${(++this.#nonceCounter).toString(36)}`;
    const data: { topics: string[]; auth_token?: string } = {
      topics: topics.map((t) => topicKey(t)),
    };
    if (token !== undefined) data.auth_token = token;
    return new Promise<Outcome>((resolve) => {
      const timer = this.#host.clock.setTimeout(() => {
        if (!this.#pending.delete(nonce)) return;
        resolve(INTERRUPTED);
        this.#host.error(
          new PubSubConnectionError(
            'PUBSUB_RESPONSE_TIMEOUT',
            `no RESPONSE to ${request} within the deadline`,
          ),
          null,
        );
        this.#reconnect();
      }, this.#host.timings.responseTimeoutMs);
      this.#pending.set(nonce, { request, topics, resolve, timer });
      ws.send(JSON.stringify({ type: request, nonce, data }));
    });
  }

  async #listenAll(): Promise<void> {
    const topics = [...this.#topics.values()];
    // Failures are reported through the host as they arrive; an interruption starts a new round.
    if (topics.length > 0) await Promise.all(this.#sendGrouped('LISTEN', topics));
  }

  // ---- keepalive ---------------------------------------------------------------------------------------------

  #schedulePing(): void {
    const { clock, random, timings } = this.#host;
    if (this.#pingTimer !== undefined) clock.clearTimeout(this.#pingTimer);
    const delay = Math.max(0, timings.pingIntervalMs - random() * timings.pingJitterMs);
    this.#pingTimer = clock.setTimeout(this.#ping, delay);
  }

  readonly #ping = (): void => {
    this.#pingTimer = undefined;
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    ws.send('{"type":"PING"}');
    this.#pongTimer = this.#host.clock.setTimeout(() => {
      this.#pongTimer = undefined;
      this.#host.error(
        new PubSubConnectionError('PUBSUB_PONG_TIMEOUT', `no PONG on ${this.id} in time`),
        null,
      );
      this.#reconnect();
    }, this.#host.timings.pongTimeoutMs);
  };

  // ---- reconnect ---------------------------------------------------------------------------------------------

  #teardown(): void {
    const { clock } = this.#host;
    if (this.#pingTimer !== undefined) clock.clearTimeout(this.#pingTimer);
    if (this.#pongTimer !== undefined) clock.clearTimeout(this.#pongTimer);
    this.#pingTimer = undefined;
    this.#pongTimer = undefined;
    this.#acked = new WeakSet();
    const abortConnect = this.#abortConnect;
    if (abortConnect !== undefined) {
      // Still in the handshake: settle the pending `#open()` (it terminates the socket).
      abortConnect(
        this.#state === 'closed'
          ? closedError()
          : new PubSubConnectionError('PUBSUB_CONNECT_FAILED', `connection to ${this.url} was torn down`),
      );
    }
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws !== undefined) {
      ws.removeAllListeners();
      ws.on('error', noop);
      ws.terminate();
    }
    for (const pending of this.#pending.values()) {
      clock.clearTimeout(pending.timer);
      pending.resolve(INTERRUPTED);
    }
    this.#pending.clear();
  }

  /** Starts a reconnect episode (idempotent while one runs). */
  #reconnect(): void {
    if (this.#state === 'closed' || this.#reconnecting) return;
    this.#reconnecting = true;
    this.#roundActive = true;
    this.#state = 'reconnecting';
    this.#teardown();
    this.#retryLater();
  }

  #retryLater(): void {
    const { clock, random, timings } = this.#host;
    const delay = pubsubBackoffDelay(
      this.#attempt++,
      { initialMs: timings.backoffInitialMs, maxMs: timings.backoffMaxMs, jitterMs: timings.backoffJitterMs },
      random,
    );
    this.#reconnectTimer = clock.setTimeout(
      () => {
        this.#reconnectTimer = undefined;
        void this.#reconnectRound();
        // Ref'd: the socket is gone, so this timer is what keeps a running pool's process alive.
      },
      delay,
      { ref: true },
    );
  }

  async #reconnectRound(): Promise<void> {
    if (this.#state === 'closed') return;
    const next = await this.#host.beforeReconnect(this, [...this.#topics.values()]);
    if (this.#state !== 'reconnecting') return;
    this.#topics = new Map(next.map((t) => [topicKey(t), t]));
    if (this.#topics.size === 0) {
      this.#host.emptied(this);
      return;
    }
    try {
      await this.#open();
    } catch {
      if (this.#isReconnecting()) {
        this.#retryLater();
      }
      return;
    }
    this.#reconnecting = false;
    this.#attempt = 0;
    await this.#listenAll();
    if (this.#isOpen() && this.#topics.size === 0) {
      // Every LISTEN failed: nothing is left to hold.
      this.#host.emptied(this);
      return;
    }
    this.#finishRound();
  }

  /** Re-read the state after an await (narrowing does not know it may have changed). */
  #isReconnecting(): boolean {
    return this.#state === 'reconnecting';
  }

  #isOpen(): boolean {
    return this.#state === 'open';
  }

  #nextRound(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#roundWaiters.push(resolve);
    });
  }

  #finishRound(): void {
    // An interrupted round is followed by a reconnect; its end resolves the waiters.
    if (this.#state === 'reconnecting') return;
    this.#roundActive = false;
    const waiters = this.#roundWaiters;
    this.#roundWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function closedError(): PubSubConnectionError {
  return new PubSubConnectionError('PUBSUB_CLOSED', 'the PubSub connection was closed');
}

function errorsOf(outcomes: readonly Outcome[]): PubSubResponseError[] {
  const errors: PubSubResponseError[] = [];
  for (const o of outcomes) if (o.kind === 'error') errors.push(o.error);
  return errors;
}

function collectFailures(
  asked: readonly Topic[],
  still: readonly Topic[],
  failures: WeakMap<Topic, PubSubResponseError>,
): PubSubResponseError[] {
  const out = new Set<PubSubResponseError>();
  for (const topic of asked) {
    if (still.includes(topic)) continue;
    const failure = failures.get(topic);
    if (failure !== undefined) out.add(failure);
  }
  return [...out];
}
