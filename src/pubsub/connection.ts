/**
 * One PubSub connection of the pool: LISTEN/UNLISTEN with nonces (requests.ts), PING/PONG with jitter and a PONG
 * deadline (keepalive.ts), the make-before-break RECONNECT handover (handover.ts), and the backoff reconnect after a server close,
 * a network error, a missing PONG or RESPONSE, or a failed handover whose old socket then closes. Its sockets and
 * their frames are in link.ts.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { pubsubReconnectChannel } from '../core/diagnostics.js';
import { InvalidArgumentError, ProtocolError } from '../core/errors.js';
import type { TwitchError } from '../core/errors.js';
import { pubsubBackoffDelay, PUBSUB_STABLE_SOCKET_MS } from './backoff.js';
import type { PubSubConnectionInfo } from './events.js';
import { PubSubConnectionError, PubSubResponseError } from './errors.js';
import { Handover } from './handover.js';
import { Keepalive } from './keepalive.js';
import type { PubSubMetrics, PubSubReconnectReason } from './metrics.js';
import { openLink, type FrameSink, type Link, type LinkEvents, type LinkOptions } from './link.js';
import { OK, Requests, errorsOf, type Outcome, type RequestKind } from './requests.js';
import { Topic, topicKey } from './topics.js';

export { pubsubBackoffDelay, PUBSUB_STABLE_SOCKET_MS } from './backoff.js';

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
  /** Largest accepted frame, bytes: `ws` closes a socket that receives a bigger one (1009). */
  readonly maxPayload: number;
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
  /** Where connects, reconnects, handovers, PONG timeouts and LISTEN errors are counted (`null`: metrics off). */
  readonly metrics: PubSubMetrics | null;
}

/** Topics given to a connection's methods: an array of complete topics (checked per call, never per message). */
function checkTopics(topics: unknown): asserts topics is readonly Topic[] {
  if (!Array.isArray(topics)) throw new InvalidArgumentError('topics must be an array of topics', 'topics');
  topics.forEach((topic: unknown, i) => {
    if (!(topic instanceof Topic) || topic.present === null) {
      throw new InvalidArgumentError('not a complete Topic', `topics[${i}]`);
    }
  });
}

/**
 * One connection of a {@link PubSubPool}. Created by the pool (never by you); listed by
 * {@link PubSubPool.connections} and passed to `reconnectHook`.
 *
 * @example
 * ```ts
 * const pool = new PubSubPool(events, {
 *   // Before a reconnect: LISTEN again with a fresh token (topics are immutable: withToken makes new ones).
 *   reconnectHook: async (connection, topics) => {
 *     console.log(`${connection.id} reconnecting with ${connection.size} topic(s)`);
 *     const token = await refreshUserToken();
 *     return topics.map((topic) => topic.withToken(token));
 *   },
 * });
 * for (const c of pool.connections) console.log(c.id, c.state, c.topics.length);
 * ```
 */
export class PubSubConnection implements PubSubConnectionInfo {
  readonly id: string;
  readonly url: string;
  #state: PubSubConnectionInfo['state'] = 'connecting';
  readonly #host: ConnectionHost;
  /** present → topic */
  #topics = new Map<string, Topic>();
  /** The socket that carries requests and keepalives. */
  #link: Link | undefined;
  /** Bumped by every handover, backoff reconnect and close: an async step that sees it changed stops. */
  #generation = 0;
  readonly #requests: Requests;
  readonly #handover: Handover;
  readonly #linkOptions: LinkOptions;
  readonly #linkEvents: LinkEvents;
  /** PING/PONG of the current socket (keepalive.ts). */
  readonly #keepalive: Keepalive;
  #reconnectTimer: TimerHandle | undefined;
  #attempt = 0;
  /** When the current socket became current (clock time). */
  #adoptedAt = 0;
  #reconnecting = false;
  /** A connect or reconnect round (open + LISTEN every topic) is running. */
  #roundActive = false;
  /** Fails the socket being opened (the pending `#openLink()`), set only while connecting. */
  #abortConnect: ((error: Error) => void) | undefined;
  /** Waiters for the end of the current connect/reconnect round. */
  #roundWaiters: (() => void)[] = [];
  /** Why a topic was removed by a failed LISTEN (for callers waiting on a round). */
  readonly #failures = new WeakMap<Topic, PubSubResponseError>();

  /** @internal Created by the pool. */
  constructor(id: string, url: string, host: ConnectionHost) {
    if (typeof id !== 'string') throw new InvalidArgumentError('id must be a string', 'id');
    if (typeof url !== 'string') throw new InvalidArgumentError('url must be a string', 'url');
    if (typeof (host as Partial<ConnectionHost> | null)?.message !== 'function') {
      throw new InvalidArgumentError('host must be the ConnectionHost of a pool', 'host');
    }
    this.id = id;
    this.url = url;
    this.#host = host;
    this.#requests = new Requests({
      clock: host.clock,
      responseTimeoutMs: host.timings.responseTimeoutMs,
      timedOut: (link, request) => {
        this.#responseTimedOut(link, request);
      },
    });
    this.#handover = new Handover({
      id,
      connection: this,
      host,
      state: () => this.#state,
      current: () => this.#link,
      adoptedAt: () => this.#adoptedAt,
      generation: () => this.#generation,
      nextGeneration: () => ++this.#generation,
      beginRound: () => {
        this.#roundActive = true;
      },
      finishRound: () => {
        this.#finishRound();
      },
      topics: () => [...this.#topics.values()],
      topicCount: () => this.#topics.size,
      applyHook: (snapshot, next) => this.#applyHook(snapshot, next),
      openLink: () => this.#openLink(),
      closeLink: (link) => {
        this.#closeLink(link);
      },
      listen: (link, topics) => this.#requests.sendGrouped(link, 'LISTEN', topics),
      swap: (fresh) => this.#swap(fresh),
      reconnect: () => {
        this.#reconnect('handover_failed');
      },
    });
    this.#keepalive = new Keepalive({
      clock: host.clock,
      random: host.random,
      timings: host.timings,
      current: () => this.#link,
      expired: () => {
        host.metrics?.pongTimedOut();
        host.error(new PubSubConnectionError('PUBSUB_PONG_TIMEOUT', `no PONG on ${id} in time`), null);
        this.#reconnect('pong_timeout');
      },
    });
    this.#linkOptions = { handshakeTimeout: host.timings.connectTimeoutMs, maxPayload: host.maxPayload };
    const frames: FrameSink = {
      message: (link, topic, message) => {
        const dedupe = this.#handover.dedupe;
        // During an overlap: only topics still held, and each message once across both sockets.
        if (dedupe === undefined || (this.#topics.has(topic) && dedupe.admit(link.side, topic, message))) {
          host.message(topic, message);
        }
      },
      response: (nonce, error, frame) => {
        this.#onResponse(nonce, error, frame);
      },
      pong: (link) => {
        this.#onPong(link);
      },
      reconnect: (link) => {
        this.#handover.onReconnectFrame(link);
      },
      unexpected: (error, raw) => {
        host.error(error, raw);
      },
    };
    this.#linkEvents = {
      frames,
      closed: (link) => {
        this.#onLinkClose(link);
      },
      error: (link, error) => {
        this.#onSocketError(link, error);
      },
      connectionClosed: () => (this.#state === 'closed' ? closedError() : null),
    };
  }

  /**
   * `open` while a socket delivers messages (also during a RECONNECT handover, when the old socket still does),
   * `reconnecting` while none does and a backoff reconnect runs.
   */
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

  /** @internal Whether the server acknowledged the LISTEN of `present` (a wire topic string) on the current socket. */
  acknowledged(present: string): boolean {
    const topic = this.#topics.get(present);
    return topic !== undefined && this.#link?.acked.has(topic) === true;
  }

  /** @internal Adds topics without sending anything (they are LISTENed by the next round or by `listen`). */
  reserve(topics: readonly Topic[]): void {
    checkTopics(topics);
    for (const topic of topics) this.#topics.set(topicKey(topic), topic);
  }

  /** @internal Opens the socket for the first time and LISTENs every reserved topic. Rejects when it cannot connect. */
  async start(): Promise<void> {
    this.#roundActive = true;
    let link: Link;
    try {
      link = await this.#openLink();
    } catch (error) {
      this.#finishRound();
      throw error;
    }
    if (!this.#adopt(link)) {
      this.#finishRound();
      throw closedError();
    }
    await this.#listenAll(link);
    this.#finishRound();
  }

  /**
   * @internal LISTENs `topics` (already reserved) and resolves with the errors of the ones that failed. Waits for a
   * reconnect in progress; retries after an interruption. Rejects with `PUBSUB_CLOSED` when the connection closes.
   */
  async listen(topics: readonly Topic[]): Promise<PubSubResponseError[]> {
    checkTopics(topics);
    for (;;) {
      if (this.#state === 'closed') throw closedError();
      const link = this.#link;
      if (this.#state !== 'open' || this.#roundActive || link === undefined) {
        await this.#nextRound();
        continue;
      }
      const still = topics.filter((t) => this.#topics.get(topicKey(t)) === t);
      const failures = collectFailures(topics, still, this.#failures);
      const toSend = still.filter((t) => !link.acked.has(t));
      if (toSend.length === 0) return failures;
      const outcomes = await Promise.all(this.#requests.sendGrouped(link, 'LISTEN', toSend));
      if (outcomes.some((o) => o.kind === 'interrupted')) continue;
      return [...failures, ...errorsOf(outcomes)];
    }
  }

  /**
   * @internal Removes topics and UNLISTENs them on every live socket (the one being prepared by a handover too).
   * UNLISTEN errors only go to `pubsub_error`.
   */
  async unlisten(topics: readonly Topic[]): Promise<void> {
    checkTopics(topics);
    const removed = topics.filter((t) => {
      const held = this.#topics.get(topicKey(t));
      if (held === undefined) return false;
      this.#topics.delete(topicKey(t));
      this.#link?.acked.delete(held);
      this.#handover.spare?.acked.delete(held);
      return true;
    });
    if (removed.length === 0 || this.#state === 'closed') return;
    const sends: Promise<Outcome>[] = [];
    for (const link of [this.#link, this.#handover.spare]) {
      if (link !== undefined) sends.push(...this.#requests.sendGrouped(link, 'UNLISTEN', removed, true));
    }
    const outcomes = await Promise.all(sends);
    for (const error of errorsOf(outcomes)) this.#host.error(error, null);
  }

  /** @internal Closes every socket for good; pending operations settle as interrupted. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#generation++;
    this.#teardown();
    if (this.#reconnectTimer !== undefined) this.#host.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#topics.clear();
    this.#finishRound();
  }

  // ---- sockets -----------------------------------------------------------------------------------------------

  /** Opens a socket; it becomes the current one (`#adopt`) or a handover's spare at the caller's choice. */
  #openLink(): Promise<Link> {
    return openLink(this.url, this.#linkOptions, this.#linkEvents, (abort) => {
      this.#abortConnect = abort;
    });
  }

  /** Makes `link` the current socket. Returns false (and closes it) when the connection was closed meanwhile. */
  #adopt(link: Link): boolean {
    if (this.#state === 'closed') {
      this.#closeLink(link);
      return false;
    }
    this.#link = link;
    this.#adoptedAt = this.#host.clock.now();
    this.#host.metrics?.connected();
    this.#handover.adopted();
    this.#state = 'open';
    this.#keepalive.schedule();
    return true;
  }

  /** A handover's new socket takes over requests and keepalives; returns the one it replaces. */
  #swap(fresh: Link): Link | undefined {
    const old = this.#link;
    this.#keepalive.stop();
    const now = this.#host.clock.now();
    // The backoff starts over only when the socket handed over from had stayed up (as after a loss).
    if (old !== undefined && now - this.#adoptedAt >= PUBSUB_STABLE_SOCKET_MS) this.#attempt = 0;
    this.#link = fresh;
    this.#adoptedAt = now;
    this.#host.metrics?.handedOver();
    this.#state = 'open';
    this.#keepalive.schedule();
    return old;
  }

  /** Closes one socket; its pending requests settle as interrupted. */
  #closeLink(link: Link): void {
    if (link.closed) return;
    link.terminate();
    this.#requests.interrupt(link);
  }

  /**
   * A socket error: `close` follows and does the bookkeeping (a reconnect). A frame over `maxPayload` (`ws` closes
   * the socket with 1009) is reported too, with its own code: without this it would show only as a reconnect.
   */
  #onSocketError(link: Link, error: Error): void {
    if ((error as { code?: unknown }).code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || link.closed) return;
    this.#host.error(
      new PubSubConnectionError(
        'PUBSUB_FRAME_TOO_LARGE',
        `a frame on ${this.id} exceeded maxPayload (${error.message}); the socket is closed (1009) and reconnects`,
        { cause: error },
      ),
      null,
    );
  }

  #onLinkClose(link: Link): void {
    if (this.#state === 'closed') return;
    if (this.#handover.linkClosed(link)) return;
    if (link !== this.#link) return;
    if (this.#handover.phase === 'handover') {
      // The old socket went before the new one was ready: the handover goes on and the new socket takes over.
      this.#closeLink(link);
      this.#link = undefined;
      this.#keepalive.stop();
      this.#state = 'reconnecting';
      return;
    }
    if (this.#roundActive) {
      // A socket of a connect or reconnect round that closed before its LISTENs were answered: a failed attempt.
      this.#host.error(
        new PubSubConnectionError(
          'PUBSUB_CONNECT_FAILED',
          `${this.id}: the server closed the socket before every LISTEN was answered`,
        ),
        null,
      );
    }
    this.#reconnect('connection_lost');
  }

  #onPong(link: Link): void {
    link.pongsReceived++;
    this.#keepalive.pong(link);
    this.#host.pong(this);
    this.#handover.pong(link);
  }

  #onResponse(nonce: unknown, error: unknown, frame: unknown): void {
    const errorText = typeof error === 'string' ? error : '';
    if (typeof nonce !== 'string') {
      this.#host.error(new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'a RESPONSE has no nonce', frame), frame);
      return;
    }
    this.#host.nonce(this, nonce, errorText);
    const pending = this.#requests.take(nonce);
    if (pending === undefined) return;
    if (errorText === '') {
      if (pending.request === 'LISTEN') for (const topic of pending.topics) pending.link.acked.add(topic);
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
      this.#host.metrics?.listenFailed(errorText);
      this.#host.listenFailed(this, failure, frame);
    } else {
      pending.resolve({ kind: 'error', error: failure });
    }
  }

  /** No RESPONSE in time: reported; a handover's new socket failed, or the current one is replaced. */
  #responseTimedOut(link: Link, request: RequestKind): void {
    this.#host.error(
      new PubSubConnectionError('PUBSUB_RESPONSE_TIMEOUT', `no RESPONSE to ${request} within the deadline`),
      null,
    );
    if (link === this.#handover.spare) this.#handover.failed(`no RESPONSE to ${request} on the new socket`);
    else if (link === this.#link) this.#reconnect('response_timeout');
  }

  async #listenAll(link: Link): Promise<void> {
    const topics = [...this.#topics.values()];
    // Failures are reported through the host as they arrive; an interruption starts a new round.
    if (topics.length > 0) await Promise.all(this.#requests.sendGrouped(link, 'LISTEN', topics));
  }

  // ---- topics ----------------------------------------------------------------------------------------------

  /**
   * Applies `reconnectHook`'s result, keeping what changed while it ran: topics subscribed meanwhile are added,
   * topics unsubscribed meanwhile stay out. Returns false when nothing is left (the connection is then dropped).
   */
  #applyHook(snapshot: readonly Topic[], next: readonly Topic[]): boolean {
    const before = new Set(snapshot);
    const topics = new Map(next.map((t) => [topicKey(t), t] as const));
    for (const topic of snapshot) {
      const key = topicKey(topic);
      if (!this.#topics.has(key)) topics.delete(key);
    }
    for (const [key, topic] of this.#topics) if (!before.has(topic)) topics.set(key, topic);
    this.#topics = topics;
    if (topics.size > 0) return true;
    this.#host.emptied(this);
    return false;
  }

  // ---- backoff reconnect -------------------------------------------------------------------------------------

  #teardown(): void {
    this.#keepalive.stop();
    const overlap = this.#handover.reset();
    const abortConnect = this.#abortConnect;
    if (abortConnect !== undefined) {
      // Still in a handshake: settle the pending `#openLink()` (it terminates the socket).
      abortConnect(
        this.#state === 'closed'
          ? closedError()
          : new PubSubConnectionError('PUBSUB_CONNECT_FAILED', `connection to ${this.url} was torn down`),
      );
    }
    if (this.#link !== undefined) this.#closeLink(this.#link);
    for (const link of overlap) this.#closeLink(link);
    this.#link = undefined;
    this.#requests.interrupt();
  }

  /** Starts a backoff reconnect episode (idempotent while one runs); every socket is closed first. */
  #reconnect(reason: PubSubReconnectReason): void {
    if (this.#state === 'closed' || this.#reconnecting) return;
    this.#host.metrics?.reconnecting(reason);
    if (pubsubReconnectChannel.hasSubscribers)
      pubsubReconnectChannel.publish({ connectionId: this.id, reason });
    // The backoff starts over only after a socket that stayed up: one closed at once keeps the delays growing.
    if (this.#link !== undefined && this.#host.clock.now() - this.#adoptedAt >= PUBSUB_STABLE_SOCKET_MS) {
      this.#attempt = 0;
    }
    this.#reconnecting = true;
    this.#roundActive = true;
    this.#state = 'reconnecting';
    this.#generation++;
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
    const generation = this.#generation;
    const snapshot = [...this.#topics.values()];
    const next = await this.#host.beforeReconnect(this, snapshot);
    if (!this.#isReconnecting() || generation !== this.#generation) return;
    if (!this.#applyHook(snapshot, next)) return;
    let link: Link;
    try {
      link = await this.#openLink();
    } catch (error) {
      if (this.#isReconnecting()) {
        // No caller waits on a reconnect: its failures are reported, never swallowed.
        if (error instanceof PubSubConnectionError) this.#host.error(error, null);
        this.#retryLater();
      }
      return;
    }
    if (!this.#isReconnecting()) {
      this.#closeLink(link);
      return;
    }
    this.#reconnecting = false;
    this.#adopt(link);
    await this.#listenAll(link);
    if (this.#isOpen() && this.#link === link && this.#topics.size === 0) {
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
    // An interrupted round is followed by a reconnect, and a round overtaken by a RECONNECT by the handover: their
    // end resolves the waiters.
    if (this.#state === 'reconnecting' || this.#handover.phase === 'handover') return;
    this.#roundActive = false;
    const waiters = this.#roundWaiters;
    this.#roundWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function closedError(): PubSubConnectionError {
  return new PubSubConnectionError('PUBSUB_CLOSED', 'the PubSub connection was closed');
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
