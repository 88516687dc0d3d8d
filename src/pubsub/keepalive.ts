/**
 * The keepalive of a PubSub connection's current socket: a PING every `pingIntervalMs` less a random jitter (Twitch
 * asks for one at least every 5 minutes, with jitter), and a deadline for its PONG; a missing PONG calls `expired`
 * (the connection reports it and reconnects).
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Link } from './link.js';

/** What the keepalive needs of its connection. */
export interface KeepaliveHost {
  readonly clock: Clock;
  readonly random: () => number;
  readonly timings: {
    readonly pingIntervalMs: number;
    readonly pingJitterMs: number;
    readonly pongTimeoutMs: number;
  };
  /** The socket that carries keepalives now, if any. */
  current(): Link | undefined;
  /** No PONG in time on the current socket. */
  expired(): void;
}

/** PING/PONG of one connection: at most one PING timer and one PONG deadline at a time. */
export class Keepalive {
  readonly #host: KeepaliveHost;
  #pingTimer: TimerHandle | undefined;
  #pongTimer: TimerHandle | undefined;
  /** Number of the keepalive PING the PONG timer waits for. */
  #pingAwaited = 0;

  constructor(host: KeepaliveHost) {
    this.#host = host;
  }

  /** Schedules the next PING (replacing a scheduled one). */
  schedule(): void {
    const { clock, random, timings } = this.#host;
    if (this.#pingTimer !== undefined) clock.clearTimeout(this.#pingTimer);
    const delay = Math.max(0, timings.pingIntervalMs - random() * timings.pingJitterMs);
    this.#pingTimer = clock.setTimeout(this.#ping, delay);
  }

  /** A PONG arrived on `link`: when it answers the awaited PING of the current socket, the next PING is scheduled. */
  pong(link: Link): void {
    if (
      link === this.#host.current() &&
      this.#pongTimer !== undefined &&
      link.pongsReceived >= this.#pingAwaited
    ) {
      this.#host.clock.clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
      this.schedule();
    }
  }

  /** Clears both timers. */
  stop(): void {
    const { clock } = this.#host;
    if (this.#pingTimer !== undefined) clock.clearTimeout(this.#pingTimer);
    if (this.#pongTimer !== undefined) clock.clearTimeout(this.#pongTimer);
    this.#pingTimer = undefined;
    this.#pongTimer = undefined;
  }

  readonly #ping = (): void => {
    this.#pingTimer = undefined;
    const link = this.#host.current();
    if (link?.ws.readyState !== WebSocket.OPEN) return;
    this.#pingAwaited = link.ping();
    this.#pongTimer = this.#host.clock.setTimeout(this.#pongExpired, this.#host.timings.pongTimeoutMs);
  };

  readonly #pongExpired = (): void => {
    this.#pongTimer = undefined;
    this.#host.expired();
  };
}
