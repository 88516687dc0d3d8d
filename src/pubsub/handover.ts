/**
 * The make-before-break RECONNECT of a PubSub connection. On `RECONNECT` the server keeps the old socket up for a
 * grace period, so a second socket is opened, every topic (as edited by the pool's `reconnectHook`) is LISTENed on
 * it and acknowledged, and only then does it replace the old one. Messages arriving on both sockets during the
 * overlap are delivered once ({@link OverlapDedupe}); the overlap ends at PING/PONG barriers, not at a guessed delay.
 * A server that asks on every fresh socket is slowed down by the backoff (`PUBSUB_RECONNECT_STORM`).
 *
 * Phases: `handover` (the new socket is opening and LISTENing, the old one still delivers), `retire` (swapped;
 * waiting for the old socket's PONG, which proves everything it was sent has arrived, before closing it), `settle`
 * (waiting for a PONG on the current socket, which proves every copy of what the old socket delivered has arrived,
 * before dropping the duplicate filter).
 */
import type { TimerHandle } from '../core/clock.js';
import type { PubSubConnection, ConnectionHost } from './connection.js';
import { pubsubBackoffDelay, PUBSUB_STABLE_SOCKET_MS } from './backoff.js';
import { OverlapDedupe } from './dedupe.js';
import { PubSubConnectionError } from './errors.js';
import type { PubSubConnectionInfo } from './events.js';
import type { Link } from './link.js';
import type { Outcome } from './requests.js';
import type { Topic } from './topics.js';
import { PUBSUB_LIMITS } from '../protocol/pubsub.js';

/** Identities remembered during a RECONNECT overlap (see {@link OverlapDedupe}). */
const OVERLAP_DEDUPE_CAPACITY = 4096;

/** Where a connection is in a handover (see module docs). */
export type Phase = 'idle' | 'handover' | 'retire' | 'settle';

/** What a handover needs from its connection. */
export interface HandoverHost {
  readonly id: string;
  readonly connection: PubSubConnection;
  readonly host: ConnectionHost;
  state(): PubSubConnectionInfo['state'];
  /** The socket that carries requests and keepalives. */
  current(): Link | undefined;
  /** When the current socket became current (clock time). */
  adoptedAt(): number;
  /** The generation: bumped by every handover, backoff reconnect and close; an async step that sees it changed stops. */
  generation(): number;
  nextGeneration(): number;
  /** A round (open + LISTEN every topic) starts: `listen` calls wait for its end. */
  beginRound(): void;
  finishRound(): void;
  /** The topics held, in subscription order. */
  topics(): Topic[];
  topicCount(): number;
  /** Applies `reconnectHook`'s result; false when nothing is left (the connection is then dropped). */
  applyHook(snapshot: readonly Topic[], next: readonly Topic[]): boolean;
  openLink(): Promise<Link>;
  closeLink(link: Link): void;
  listen(link: Link, topics: readonly Topic[]): Promise<Outcome>[];
  /** Makes `fresh` the current socket (keepalive moves to it); returns the one it replaces. */
  swap(fresh: Link): Link | undefined;
  /** Starts a backoff reconnect. */
  reconnect(): void;
}

/** The handover state machine of one connection (see module docs). */
export class Handover {
  #phase: Phase = 'idle';
  /** The socket being prepared by a handover. */
  #spare: Link | undefined;
  /** The replaced socket, kept until its barrier PONG. */
  #retiring: Link | undefined;
  /** Present only during an overlap: off the hot path otherwise. */
  #dedupe: OverlapDedupe | undefined;
  /** A RECONNECT came for the new socket before the previous handover ended: hand over again afterwards. */
  #again = false;
  #barrierTimer: TimerHandle | undefined;
  /** A throttled handover waiting for its backoff delay. */
  #handoverTimer: TimerHandle | undefined;
  /**
   * RECONNECTs in a row, each on a socket younger than {@link PUBSUB_STABLE_SOCKET_MS} or on which a handover
   * failed.
   */
  #quickHandovers = 0;
  /** A handover from the current socket failed: RECONNECTs on it count as quick however old it is. */
  #failedHere = false;
  readonly #c: HandoverHost;

  constructor(host: HandoverHost) {
    this.#c = host;
  }

  get phase(): Phase {
    return this.#phase;
  }

  get spare(): Link | undefined {
    return this.#spare;
  }

  /** The duplicate filter, present only during an overlap. */
  get dedupe(): OverlapDedupe | undefined {
    return this.#dedupe;
  }

  /** A socket became current by a connect or a backoff reconnect: it starts with a clean record. */
  adopted(): void {
    this.#failedHere = false;
  }

  /** Stops everything (timers, overlap); returns the spare and retiring sockets for the caller to close. */
  reset(): Link[] {
    const { clock } = this.#c.host;
    if (this.#barrierTimer !== undefined) clock.clearTimeout(this.#barrierTimer);
    this.#barrierTimer = undefined;
    if (this.#handoverTimer !== undefined) clock.clearTimeout(this.#handoverTimer);
    this.#handoverTimer = undefined;
    this.#phase = 'idle';
    this.#again = false;
    this.#dedupe = undefined;
    const links: Link[] = [];
    if (this.#spare !== undefined) links.push(this.#spare);
    if (this.#retiring !== undefined) links.push(this.#retiring);
    this.#spare = undefined;
    this.#retiring = undefined;
    return links;
  }

  /** A socket closed: true when it was the spare (the handover failed) or the retiring one (as good as a barrier). */
  linkClosed(link: Link): boolean {
    if (link === this.#spare) {
      this.failed('the server closed the new socket before every LISTEN was answered');
      return true;
    }
    if (link === this.#retiring) {
      // A close comes after everything the server sent on that socket: as good as the barrier PONG.
      this.#barrierReached(link);
      return true;
    }
    return false;
  }

  /** A PONG on `link`: it may complete a barrier. */
  pong(link: Link): void {
    if (link.barrierAt !== 0 && link.pongsReceived >= link.barrierAt) this.#barrierReached(link);
  }

  /** A RECONNECT frame on `link`. */
  onReconnectFrame(link: Link): void {
    if (this.#c.state() === 'closed') return;
    if (link === this.#spare) {
      // The socket we are moving to is itself being retired: move again once this handover is over.
      this.#again = true;
      return;
    }
    if (link !== this.#c.current()) return;
    if (this.#phase === 'handover' || this.#handoverTimer !== undefined) return; // repeated for this socket
    if (this.#phase !== 'idle') {
      this.#again = true;
      return;
    }
    this.#request();
  }

  /**
   * Starts a handover now, or after the backoff when the server storms: a RECONNECT on a socket younger than
   * {@link PUBSUB_STABLE_SOCKET_MS}, for the second time in a row or more, waits `pubsubBackoffDelay` (growing with
   * each one) and is reported as `PUBSUB_RECONNECT_STORM`. The current socket delivers meanwhile.
   */
  #request(): void {
    const { clock, random, timings } = this.#c.host;
    // Only a socket that stayed up, and from which no handover failed, starts a new count (and an immediate one).
    if (!this.#failedHere && clock.now() - this.#c.adoptedAt() >= PUBSUB_STABLE_SOCKET_MS)
      this.#quickHandovers = 0;
    if (++this.#quickHandovers === 1) {
      // Also right after a connect, with its LISTENs still in flight: the handover LISTENs every topic anyway.
      void this.#run();
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
    this.#c.host.error(
      new PubSubConnectionError(
        'PUBSUB_RECONNECT_STORM',
        `${this.#c.id}: RECONNECT ${this.#quickHandovers} times in a row on sockets younger than ` +
          `${PUBSUB_STABLE_SOCKET_MS} ms; this handover waits ${delay} ms`,
      ),
      null,
    );
    this.#handoverTimer = clock.setTimeout(() => {
      this.#handoverTimer = undefined;
      if (this.#c.state() === 'open' && this.#phase === 'idle') void this.#run();
    }, delay);
  }

  /**
   * Opens a second socket, runs `reconnectHook`, LISTENs every topic on it and waits for every RESPONSE, then makes
   * it the current socket and retires the old one behind PING/PONG barriers. The old socket keeps delivering all
   * along. If the new socket fails, the old one is kept while the server lets it live; its close then starts a
   * backoff reconnect.
   */
  async #run(): Promise<void> {
    const c = this.#c;
    const generation = c.nextGeneration();
    this.#phase = 'handover';
    c.beginRound();
    const snapshot = c.topics();
    const next = await c.host.beforeReconnect(c.connection, snapshot);
    if (generation !== c.generation()) return;
    if (!c.applyHook(snapshot, next)) return;
    let fresh: Link;
    try {
      fresh = await c.openLink();
    } catch (error) {
      if (generation === c.generation()) this.failed('the new socket could not be opened', error);
      return;
    }
    if (generation !== c.generation()) {
      c.closeLink(fresh);
      return;
    }
    this.#spare = fresh;
    // The filter starts with the first LISTEN: nothing the old socket received before can reach the new one.
    this.#dedupe = new OverlapDedupe(OVERLAP_DEDUPE_CAPACITY);
    const current = c.current();
    if (current !== undefined) current.side = 1;
    fresh.side = -1;
    const outcomes = await Promise.all(c.listen(fresh, c.topics()));
    if (generation !== c.generation() || this.#spare !== fresh) return;
    if (outcomes.some((o) => o.kind === 'interrupted')) {
      this.failed('the new socket closed before every LISTEN was answered');
      return;
    }
    if (c.topicCount() === 0) {
      // Every LISTEN failed (already reported): nothing is left to hold.
      c.host.emptied(c.connection);
      return;
    }
    // Swap: requests and keepalives move to the new socket.
    this.#spare = undefined;
    const old = c.swap(fresh);
    this.#failedHere = false;
    this.#phase = old === undefined ? 'settle' : 'retire';
    c.finishRound();
    if (old === undefined) {
      this.#settle();
      return;
    }
    this.#retiring = old;
    this.#barrier(old);
  }

  /**
   * The new socket failed before the swap: reported, and the old one kept (it closes when the server's grace ends).
   * Further RECONNECTs on it wait for the backoff, however old it is.
   */
  failed(reason: string, cause?: unknown): void {
    const c = this.#c;
    this.#failedHere = true;
    c.host.error(
      new PubSubConnectionError(
        'PUBSUB_HANDOVER_FAILED',
        `${c.id}: RECONNECT handover failed (${reason}); the old socket is kept while it lives`,
        cause === undefined ? {} : { cause },
      ),
      null,
    );
    const spare = this.#spare;
    this.#spare = undefined;
    if (spare !== undefined) c.closeLink(spare);
    this.#again = false;
    this.#phase = 'idle';
    if (c.current() === undefined) {
      // The old socket is gone too.
      c.reconnect();
      return;
    }
    c.finishRound();
    // What the new socket delivered may still be on its way on the old one: filter until a barrier says it came.
    this.#settle();
  }

  /** Ends the overlap once a PONG on the current socket proves every duplicate has arrived (or at once if none can). */
  #settle(): void {
    const link = this.#c.current();
    if (this.#dedupe === undefined || link === undefined) {
      this.#endOverlap();
      return;
    }
    this.#phase = 'settle';
    this.#barrier(link);
  }

  #endOverlap(): void {
    if (this.#barrierTimer !== undefined) this.#c.host.clock.clearTimeout(this.#barrierTimer);
    this.#barrierTimer = undefined;
    this.#phase = 'idle';
    this.#dedupe = undefined;
    if (this.#again && this.#c.state() === 'open') {
      this.#again = false;
      this.#request();
    }
  }

  /**
   * Sends a PING on `link`: its PONG comes after every frame the server wrote to that socket before reading the
   * PING. Without a PONG within `pongTimeoutMs` (or if the socket is not open), the barrier counts as reached.
   */
  #barrier(link: Link): void {
    if (!link.open) {
      this.#barrierReached(link);
      return;
    }
    link.barrierAt = link.ping();
    const { clock, timings } = this.#c.host;
    if (this.#barrierTimer !== undefined) clock.clearTimeout(this.#barrierTimer);
    this.#barrierTimer = clock.setTimeout(this.#barrierExpired, timings.pongTimeoutMs);
  }

  readonly #barrierExpired = (): void => {
    this.#barrierTimer = undefined;
    const link = this.#phase === 'retire' ? this.#retiring : this.#c.current();
    if (link !== undefined) this.#barrierReached(link);
  };

  #barrierReached(link: Link): void {
    link.barrierAt = 0;
    if (this.#phase === 'retire' && link === this.#retiring) {
      if (this.#barrierTimer !== undefined) this.#c.host.clock.clearTimeout(this.#barrierTimer);
      this.#barrierTimer = undefined;
      this.#retiring = undefined;
      this.#c.closeLink(link);
      this.#settle();
    } else if (this.#phase === 'settle' && link === this.#c.current()) {
      this.#endOverlap();
    }
  }
}
