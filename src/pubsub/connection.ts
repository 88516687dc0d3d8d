/**
 * One PubSub connection of the pool: LISTEN/UNLISTEN with nonces, PING/PONG with jitter and a PONG deadline.
 *
 * On `RECONNECT` it makes before it breaks: the server keeps the old socket up for a grace period, so a second
 * socket is opened, every topic (as edited by the pool's `reconnectHook`) is LISTENed on it and acknowledged, and
 * only then does it replace the old one. Messages arriving on both sockets during the overlap are delivered once
 * ({@link OverlapDedupe}); the overlap ends at PING/PONG barriers, not at a guessed delay. After a server close, a
 * network error, a missing PONG or RESPONSE, or a failed handover whose old socket then closes, it reconnects with
 * backoff.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import type { Clock, TimerHandle } from '../core/clock.js';
import { InvalidArgumentError, ProtocolError } from '../core/errors.js';
import type { TwitchError } from '../core/errors.js';
import type { PubSubConnectionInfo } from './events.js';
import { OverlapDedupe } from './dedupe.js';
import { PubSubConnectionError, PubSubResponseError } from './errors.js';
import { PUBSUB_LIMITS } from '../protocol/pubsub.js';
import { Topic, topicKey } from './topics.js';

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
  readonly link: Link;
  readonly request: 'LISTEN' | 'UNLISTEN';
  readonly topics: readonly Topic[];
  readonly resolve: (outcome: Outcome) => void;
  readonly timer: TimerHandle;
}

const INTERRUPTED: Outcome = { kind: 'interrupted' };
const OK: Outcome = { kind: 'ok' };
const noop = (): void => undefined;
const PING = '{"type":"PING"}';

/** Topics given to a connection's methods: an array of complete topics (checked per call, never per message). */
function checkTopics(topics: unknown): asserts topics is readonly Topic[] {
  if (!Array.isArray(topics)) throw new InvalidArgumentError('topics must be an array of topics', 'topics');
  topics.forEach((topic: unknown, i) => {
    if (!(topic instanceof Topic) || topic.present === null) {
      throw new InvalidArgumentError('not a complete Topic', `topics[${i}]`);
    }
  });
}

/** Identities remembered during a RECONNECT overlap (see {@link OverlapDedupe}). */
const OVERLAP_DEDUPE_CAPACITY = 4096;
/**
 * A RECONNECT on a socket younger than this (the server's usual grace period) is "quick". From the second quick one
 * in a row, each handover waits for the backoff (at most half the grace): a server asking on every socket gets a
 * bounded number of them.
 */
export const PUBSUB_STABLE_SOCKET_MS = 30_000;

/**
 * Where a connection is in a make-before-break RECONNECT: `handover` (the new socket is opening and LISTENing, the
 * old one still delivers), `retire` (swapped; waiting for the old socket's PONG, which proves everything it was sent
 * has arrived, before closing it), `settle` (waiting for a PONG on the current socket, which proves every copy of
 * what the old socket delivered has arrived, before dropping the duplicate filter).
 */
type Phase = 'idle' | 'handover' | 'retire' | 'settle';

/** One WebSocket of a connection, with what is specific to it. */
class Link {
  readonly ws: WebSocket;
  /** Topics whose LISTEN the server acknowledged on this socket. */
  acked = new WeakSet<Topic>();
  /** This socket's side in the overlap's {@link OverlapDedupe}. */
  side: 1 | -1 = 1;
  pingsSent = 0;
  pongsReceived = 0;
  /** Number of the PING whose PONG completes a barrier on this socket; 0 when none. */
  barrierAt = 0;
  closed = false;

  constructor(ws: WebSocket) {
    this.ws = ws;
  }
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
  /** The socket being prepared by a RECONNECT handover. */
  #spare: Link | undefined;
  /** The replaced socket, kept until its barrier PONG. */
  #retiring: Link | undefined;
  /** Present only during a RECONNECT overlap: off the hot path otherwise. */
  #dedupe: OverlapDedupe | undefined;
  #phase: Phase = 'idle';
  /** A RECONNECT came for the new socket before the previous handover ended: hand over again afterwards. */
  #again = false;
  /** Bumped by every handover, backoff reconnect and close: an async step that sees it changed stops. */
  #generation = 0;
  #barrierTimer: TimerHandle | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #noncePrefix = randomBytes(6).toString('hex');
  #nonceCounter = 0;
  #pingTimer: TimerHandle | undefined;
  #pongTimer: TimerHandle | undefined;
  /** Number of the keepalive PING the PONG timer waits for. */
  #pingAwaited = 0;
  #reconnectTimer: TimerHandle | undefined;
  #attempt = 0;
  /** When the current socket became current (clock time). */
  #adoptedAt = 0;
  /**
   * RECONNECTs in a row, each on a socket younger than {@link PUBSUB_STABLE_SOCKET_MS} or on which a handover
   * failed.
   */
  #quickHandovers = 0;
  /** A handover from the current socket failed: RECONNECTs on it count as quick however old it is. */
  #failedHere = false;
  /** A throttled handover waiting for its backoff delay. */
  #handoverTimer: TimerHandle | undefined;
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
      const outcomes = await Promise.all(this.#sendGrouped(link, 'LISTEN', toSend));
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
      this.#spare?.acked.delete(held);
      return true;
    });
    if (removed.length === 0 || this.#state === 'closed') return;
    const sends: Promise<Outcome>[] = [];
    for (const link of [this.#link, this.#spare]) {
      if (link !== undefined) sends.push(...this.#sendGrouped(link, 'UNLISTEN', removed, true));
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
    return new Promise<Link>((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        perMessageDeflate: false,
        handshakeTimeout: this.#host.timings.connectTimeoutMs,
        maxPayload: this.#host.maxPayload,
      });
      const link = new Link(ws);
      // Every way out of the handshake goes through here, so the promise always settles: `#teardown()` (close()
      // while connecting) calls it with the closed error.
      const abort = (error: Error): void => {
        this.#abortConnect = undefined;
        link.closed = true;
        ws.removeAllListeners();
        ws.on('error', noop);
        ws.terminate();
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
        // One closure per socket, none per message.
        ws.on('message', (data: RawData, isBinary: boolean) => {
          this.#onFrame(link, data, isBinary);
        });
        ws.on('close', () => {
          this.#onLinkClose(link);
        });
        // 'close' follows every error; the bookkeeping happens there.
        ws.on('error', (error: Error) => {
          this.#onSocketError(link, error);
        });
        resolve(link);
      });
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
    this.#failedHere = false;
    this.#state = 'open';
    this.#schedulePing();
    return true;
  }

  /** Closes one socket; its pending requests settle as interrupted. */
  #closeLink(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    link.ws.removeAllListeners();
    link.ws.on('error', noop);
    link.ws.terminate();
    for (const [nonce, pending] of this.#pending) {
      if (pending.link !== link) continue;
      this.#pending.delete(nonce);
      this.#host.clock.clearTimeout(pending.timer);
      pending.resolve(INTERRUPTED);
    }
  }

  #onFrame(link: Link, data: RawData, isBinary: boolean): void {
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
          const dedupe = this.#dedupe;
          // During an overlap: only topics still held, and each message once across both sockets.
          if (
            dedupe === undefined ||
            (this.#topics.has(d.topic) && dedupe.admit(link.side, d.topic, d.message))
          ) {
            this.#host.message(d.topic, d.message);
          }
          return;
        }
        break;
      }
      case 'RESPONSE':
        this.#onResponse(f.nonce, f.error, frame);
        return;
      case 'PONG':
        this.#onPong(link);
        return;
      case 'RECONNECT':
        this.#onReconnectFrame(link);
        return;
    }
    this.#host.error(
      new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'an unexpected frame was received', frame),
      frame,
    );
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
    if (link === this.#spare) {
      this.#handoverFailed('the server closed the new socket before every LISTEN was answered');
      return;
    }
    if (link === this.#retiring) {
      // A close comes after everything the server sent on that socket: as good as the barrier PONG.
      this.#barrierReached(link);
      return;
    }
    if (link !== this.#link) return;
    if (this.#phase === 'handover') {
      // The old socket went before the new one was ready: the handover goes on and the new socket takes over.
      this.#closeLink(link);
      this.#link = undefined;
      this.#stopKeepalive();
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
    this.#reconnect();
  }

  #onPong(link: Link): void {
    link.pongsReceived++;
    if (link === this.#link && this.#pongTimer !== undefined && link.pongsReceived >= this.#pingAwaited) {
      this.#host.clock.clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
      this.#schedulePing();
    }
    this.#host.pong(this);
    if (link.barrierAt !== 0 && link.pongsReceived >= link.barrierAt) this.#barrierReached(link);
  }

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
      this.#host.listenFailed(this, failure, frame);
    } else {
      pending.resolve({ kind: 'error', error: failure });
    }
  }

  /** Sends one frame per token (never more than the server's topic limit per frame). */
  #sendGrouped(
    link: Link,
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
      outcomes.push(this.#send(link, request, list, noToken ? undefined : token));
    return outcomes;
  }

  #send(
    link: Link,
    request: 'LISTEN' | 'UNLISTEN',
    topics: readonly Topic[],
    token: string | undefined,
  ): Promise<Outcome> {
    const ws = link.ws;
    if (link.closed || ws.readyState !== WebSocket.OPEN) return Promise.resolve(INTERRUPTED);
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
        if (link === this.#spare) this.#handoverFailed(`no RESPONSE to ${request} on the new socket`);
        else if (link === this.#link) this.#reconnect();
      }, this.#host.timings.responseTimeoutMs);
      this.#pending.set(nonce, { link, request, topics, resolve, timer });
      ws.send(JSON.stringify({ type: request, nonce, data }));
    });
  }

  async #listenAll(link: Link): Promise<void> {
    const topics = [...this.#topics.values()];
    // Failures are reported through the host as they arrive; an interruption starts a new round.
    if (topics.length > 0) await Promise.all(this.#sendGrouped(link, 'LISTEN', topics));
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
    const link = this.#link;
    if (link?.ws.readyState !== WebSocket.OPEN) return;
    this.#pingAwaited = ++link.pingsSent;
    link.ws.send(PING);
    this.#pongTimer = this.#host.clock.setTimeout(this.#pongExpired, this.#host.timings.pongTimeoutMs);
  };

  readonly #pongExpired = (): void => {
    this.#pongTimer = undefined;
    this.#host.error(new PubSubConnectionError('PUBSUB_PONG_TIMEOUT', `no PONG on ${this.id} in time`), null);
    this.#reconnect();
  };

  #stopKeepalive(): void {
    const { clock } = this.#host;
    if (this.#pingTimer !== undefined) clock.clearTimeout(this.#pingTimer);
    if (this.#pongTimer !== undefined) clock.clearTimeout(this.#pongTimer);
    this.#pingTimer = undefined;
    this.#pongTimer = undefined;
  }

  // ---- RECONNECT: make before break --------------------------------------------------------------------------

  #onReconnectFrame(link: Link): void {
    if (this.#state === 'closed') return;
    if (link === this.#spare) {
      // The socket we are moving to is itself being retired: move again once this handover is over.
      this.#again = true;
      return;
    }
    if (link !== this.#link) return;
    if (this.#phase === 'handover' || this.#handoverTimer !== undefined) return; // repeated for this socket
    if (this.#phase !== 'idle') {
      this.#again = true;
      return;
    }
    this.#requestHandover();
  }

  /**
   * Starts a handover now, or after the backoff when the server storms: a RECONNECT on a socket younger than
   * {@link PUBSUB_STABLE_SOCKET_MS}, for the second time in a row or more, waits `pubsubBackoffDelay` (growing with
   * each one) and is reported as `PUBSUB_RECONNECT_STORM`. The current socket delivers meanwhile.
   */
  #requestHandover(): void {
    const { clock, random, timings } = this.#host;
    // Only a socket that stayed up, and from which no handover failed, starts a new count (and an immediate one).
    if (!this.#failedHere && clock.now() - this.#adoptedAt >= PUBSUB_STABLE_SOCKET_MS)
      this.#quickHandovers = 0;
    if (++this.#quickHandovers === 1) {
      // Also right after a connect, with its LISTENs still in flight: the handover LISTENs every topic anyway.
      void this.#handover();
      return;
    }
    // Never past half of the server's grace: the old socket must still be there when the handover starts.
    const delay = Math.min(
      pubsubBackoffDelay(
        this.#quickHandovers - 2,
        {
          initialMs: timings.backoffInitialMs,
          maxMs: timings.backoffMaxMs,
          jitterMs: timings.backoffJitterMs,
        },
        random,
      ),
      PUBSUB_LIMITS.reconnectGraceMs / 2,
    );
    this.#host.error(
      new PubSubConnectionError(
        'PUBSUB_RECONNECT_STORM',
        `${this.id}: RECONNECT ${this.#quickHandovers} times in a row on sockets younger than ` +
          `${PUBSUB_STABLE_SOCKET_MS} ms; this handover waits ${delay} ms`,
      ),
      null,
    );
    this.#handoverTimer = clock.setTimeout(() => {
      this.#handoverTimer = undefined;
      if (this.#state === 'open' && this.#phase === 'idle') void this.#handover();
    }, delay);
  }

  /**
   * Opens a second socket, runs `reconnectHook`, LISTENs every topic on it and waits for every RESPONSE, then makes
   * it the current socket and retires the old one behind PING/PONG barriers. The old socket keeps delivering all
   * along. If the new socket fails, the old one is kept while the server lets it live; its close then starts a
   * backoff reconnect.
   */
  async #handover(): Promise<void> {
    const generation = ++this.#generation;
    this.#phase = 'handover';
    this.#roundActive = true;
    const snapshot = [...this.#topics.values()];
    const next = await this.#host.beforeReconnect(this, snapshot);
    if (generation !== this.#generation) return;
    if (!this.#applyHook(snapshot, next)) return;
    let fresh: Link;
    try {
      fresh = await this.#openLink();
    } catch (error) {
      if (generation === this.#generation) this.#handoverFailed('the new socket could not be opened', error);
      return;
    }
    if (generation !== this.#generation) {
      this.#closeLink(fresh);
      return;
    }
    this.#spare = fresh;
    // The filter starts with the first LISTEN: nothing the old socket received before can reach the new one.
    this.#dedupe = new OverlapDedupe(OVERLAP_DEDUPE_CAPACITY);
    if (this.#link !== undefined) this.#link.side = 1;
    fresh.side = -1;
    const outcomes = await Promise.all(this.#sendGrouped(fresh, 'LISTEN', [...this.#topics.values()]));
    if (generation !== this.#generation || this.#spare !== fresh) return;
    if (outcomes.some((o) => o.kind === 'interrupted')) {
      this.#handoverFailed('the new socket closed before every LISTEN was answered');
      return;
    }
    if (this.#topics.size === 0) {
      // Every LISTEN failed (already reported): nothing is left to hold.
      this.#host.emptied(this);
      return;
    }
    // Swap: requests and keepalives move to the new socket.
    const old = this.#link;
    this.#spare = undefined;
    this.#stopKeepalive();
    const now = this.#host.clock.now();
    // The backoff starts over only when the socket handed over from had stayed up (as after a loss).
    if (old !== undefined && now - this.#adoptedAt >= PUBSUB_STABLE_SOCKET_MS) this.#attempt = 0;
    this.#link = fresh;
    this.#adoptedAt = now;
    this.#failedHere = false;
    this.#state = 'open';
    this.#schedulePing();
    this.#phase = old === undefined ? 'settle' : 'retire';
    this.#finishRound();
    if (old === undefined) {
      this.#settle();
      return;
    }
    this.#retiring = old;
    this.#barrier(old);
  }

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

  /**
   * The new socket failed before the swap: reported, and the old one kept (it closes when the server's grace ends).
   * Further RECONNECTs on it wait for the backoff, however old it is.
   */
  #handoverFailed(reason: string, cause?: unknown): void {
    this.#failedHere = true;
    this.#host.error(
      new PubSubConnectionError(
        'PUBSUB_HANDOVER_FAILED',
        `${this.id}: RECONNECT handover failed (${reason}); the old socket is kept while it lives`,
        cause === undefined ? {} : { cause },
      ),
      null,
    );
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare !== undefined) this.#closeLink(spare);
    this.#again = false;
    this.#phase = 'idle';
    if (this.#link === undefined) {
      // The old socket is gone too.
      this.#reconnect();
      return;
    }
    this.#finishRound();
    // What the new socket delivered may still be on its way on the old one: filter until a barrier says it came.
    this.#settle();
  }

  /** Ends the overlap once a PONG on the current socket proves every duplicate has arrived (or at once if none can). */
  #settle(): void {
    const link = this.#link;
    if (this.#dedupe === undefined || link === undefined) {
      this.#endOverlap();
      return;
    }
    this.#phase = 'settle';
    this.#barrier(link);
  }

  #endOverlap(): void {
    if (this.#barrierTimer !== undefined) this.#host.clock.clearTimeout(this.#barrierTimer);
    this.#barrierTimer = undefined;
    this.#phase = 'idle';
    this.#dedupe = undefined;
    if (this.#again && this.#state === 'open') {
      this.#again = false;
      this.#requestHandover();
    }
  }

  /**
   * Sends a PING on `link`: its PONG comes after every frame the server wrote to that socket before reading the
   * PING. Without a PONG within `pongTimeoutMs` (or if the socket is not open), the barrier counts as reached.
   */
  #barrier(link: Link): void {
    if (link.closed || link.ws.readyState !== WebSocket.OPEN) {
      this.#barrierReached(link);
      return;
    }
    link.barrierAt = ++link.pingsSent;
    link.ws.send(PING);
    const { clock, timings } = this.#host;
    if (this.#barrierTimer !== undefined) clock.clearTimeout(this.#barrierTimer);
    this.#barrierTimer = clock.setTimeout(this.#barrierExpired, timings.pongTimeoutMs);
  }

  readonly #barrierExpired = (): void => {
    this.#barrierTimer = undefined;
    const link = this.#phase === 'retire' ? this.#retiring : this.#link;
    if (link !== undefined) this.#barrierReached(link);
  };

  #barrierReached(link: Link): void {
    link.barrierAt = 0;
    if (this.#phase === 'retire' && link === this.#retiring) {
      if (this.#barrierTimer !== undefined) this.#host.clock.clearTimeout(this.#barrierTimer);
      this.#barrierTimer = undefined;
      this.#retiring = undefined;
      this.#closeLink(link);
      this.#settle();
    } else if (this.#phase === 'settle' && link === this.#link) {
      this.#endOverlap();
    }
  }

  // ---- backoff reconnect -------------------------------------------------------------------------------------

  #teardown(): void {
    const { clock } = this.#host;
    this.#stopKeepalive();
    if (this.#barrierTimer !== undefined) clock.clearTimeout(this.#barrierTimer);
    this.#barrierTimer = undefined;
    if (this.#handoverTimer !== undefined) clock.clearTimeout(this.#handoverTimer);
    this.#handoverTimer = undefined;
    this.#phase = 'idle';
    this.#again = false;
    this.#dedupe = undefined;
    const abortConnect = this.#abortConnect;
    if (abortConnect !== undefined) {
      // Still in a handshake: settle the pending `#openLink()` (it terminates the socket).
      abortConnect(
        this.#state === 'closed'
          ? closedError()
          : new PubSubConnectionError('PUBSUB_CONNECT_FAILED', `connection to ${this.url} was torn down`),
      );
    }
    for (const link of [this.#link, this.#spare, this.#retiring]) {
      if (link !== undefined) this.#closeLink(link);
    }
    this.#link = undefined;
    this.#spare = undefined;
    this.#retiring = undefined;
    for (const pending of this.#pending.values()) {
      clock.clearTimeout(pending.timer);
      pending.resolve(INTERRUPTED);
    }
    this.#pending.clear();
  }

  /** Starts a backoff reconnect episode (idempotent while one runs); every socket is closed first. */
  #reconnect(): void {
    if (this.#state === 'closed' || this.#reconnecting) return;
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
    if (this.#state === 'reconnecting' || this.#phase === 'handover') return;
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
