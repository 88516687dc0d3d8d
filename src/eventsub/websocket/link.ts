/**
 * The sockets of a session: a `Link` is one socket and its role (a connect to the base URL, or a handover target),
 * with how it is closed.
 */
import WebSocket from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { abortReason } from '../../core/sleep.js';
import type { EventSubSessionStats, WebSocketClientOptions, WebSocketLike } from './session-options.js';

export type LinkKind = 'base' | 'handover';

/** One socket and its role. */
/** What a session does with the events of its sockets. */
export interface LinkEvents {
  message(link: Link, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void;
  close(link: Link, code: number, reason: Buffer): void;
  error(link: Link, error: Error): void;
}

export class Link {
  welcomeTimer: TimerHandle | undefined = undefined;
  welcomedAt = 0;
  /** Closed by us (superseded or shut down): its close is not a loss. */
  retired = false;
  closed = false;
  /** `ws` refused a frame over `maxPayload` (it closes the socket with 1009). */
  tooLarge = false;

  constructor(
    readonly ws: WebSocketLike,
    readonly kind: LinkKind,
  ) {}

  /** Clears the welcome timer, if one is set. */
  stopWelcomeTimer(clock: Clock): void {
    if (this.welcomeTimer === undefined) return;
    clock.clearTimeout(this.welcomeTimer);
    this.welcomeTimer = undefined;
  }

  /**
   * Closes the socket from our side, so that its close is not a loss: terminated while still connecting, else closed
   * with 1000. An open link joins `retiring` (before its close starts) until its `close` event. Idempotent.
   */
  retire(clock: Clock, retiring: Set<Link>): void {
    this.stopWelcomeTimer(clock);
    if (this.retired) return;
    this.retired = true;
    if (this.closed) return;
    retiring.add(this);
    const ws = this.ws;
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
  }

  /** Adds one set of listeners to the socket, calling `events` with this link. */
  listen(events: LinkEvents): void {
    this.ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      events.message(this, data, isBinary);
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      events.close(this, code, reason);
    });
    this.ws.on('error', (error: Error) => {
      events.error(this, error);
    });
  }
}

export type MutableStats = { -readonly [K in keyof EventSubSessionStats]: EventSubSessionStats[K] };

export interface Deferred {
  resolve: (sessionId: string) => void;
  reject: (error: Error) => void;
  promise: Promise<string>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export const DEFAULT_WS_OPTIONS: WebSocketClientOptions = {
  perMessageDeflate: false,
  maxPayload: 4 * 1024 * 1024,
};
/** Grace given to sockets to finish their closing handshake in `close()` before they are destroyed. */
export const CLOSE_GRACE_MS = 1000;

/** Resolves when the link's socket has closed; destroys it if the closing handshake takes too long. */
export function waitClosed(link: Link, clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => {
      link.ws.terminate();
    }, CLOSE_GRACE_MS);
    link.ws.once('close', () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}

/** Counters of a new session, all zero. */
export function newStats(): MutableStats {
  return {
    messages: 0,
    notifications: 0,
    revocations: 0,
    keepalives: 0,
    duplicates: 0,
    refused: 0,
    stale: 0,
    skewed: 0,
    malformed: 0,
    unknownTypes: 0,
    handovers: 0,
    throttledHandovers: 0,
    reconnects: 0,
    connectAttempts: 0,
  };
}

/** A pending `connect()`: its promise, and `onAbort` called with the reason when `signal` aborts. */
export function newDeferred(signal: AbortSignal | undefined, onAbort: (reason: Error) => void): Deferred {
  let resolve!: (sessionId: string) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const deferred: Deferred = { resolve, reject, promise, signal, onAbort: undefined };
  if (signal !== undefined) {
    deferred.onAbort = (): void => {
      onAbort(abortReason(signal));
    };
    signal.addEventListener('abort', deferred.onAbort, { once: true });
  }
  return deferred;
}
