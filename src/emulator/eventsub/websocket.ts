/**
 * The EventSub WebSocket endpoint (`/ws`): accepts sockets, welcomes new sessions, resumes sessions on their
 * reconnect URL, and enforces the inbound-traffic rule (4001). Listeners are module-level functions that find their
 * session through a WeakMap (no per-connection closures).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import {
  KEEPALIVE_TIMEOUT_DEFAULT_SECONDS,
  KEEPALIVE_TIMEOUT_MAX_SECONDS,
  KEEPALIVE_TIMEOUT_MIN_SECONDS,
  closeCodeInfo,
} from '../../protocol/eventsub.js';
import type { EventSubCore } from './core.js';
import { reconnectToken, sessionId } from './ids.js';
import { Session } from './session.js';

const sessionOf = new WeakMap<WebSocket, Session>();

/**
 * Parses `keepalive_timeout_seconds`: absent or non-numeric → 10; numeric values are clamped to 10..600 and
 * truncated to an integer.
 */
export function parseKeepalive(value: string | null): number {
  if (value === null || value.trim() === '') return KEEPALIVE_TIMEOUT_DEFAULT_SECONDS;
  const n = Number(value);
  if (!Number.isFinite(n)) return KEEPALIVE_TIMEOUT_DEFAULT_SECONDS;
  return Math.trunc(Math.min(KEEPALIVE_TIMEOUT_MAX_SECONDS, Math.max(KEEPALIVE_TIMEOUT_MIN_SECONDS, n)));
}

function socketOnMessage(this: WebSocket): void {
  const session = sessionOf.get(this);
  if (session?.socket === this) session.close(4001);
  else this.close(4001, closeCodeInfo(4001).reason);
}

function socketOnPong(this: WebSocket): void {
  const session = sessionOf.get(this);
  if (session?.socket === this) session.awaitingPong = false;
}

function socketOnClose(this: WebSocket, code: number): void {
  sessionOf.get(this)?.socketClosed(this, code);
}

function socketOnError(this: WebSocket): void {
  // Protocol errors (bad frames, oversized payloads) close the socket; the 'close' listener does the bookkeeping.
}

/** The `/ws` endpoint of one emulator. */
export class EventSubSocketServer {
  readonly #core: EventSubCore;
  readonly #wss: WebSocketServer;
  readonly #wsUrl: string;

  constructor(core: EventSubCore, wsUrl: string) {
    this.#core = core;
    this.#wsUrl = wsUrl;
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: 64 * 1024,
      clientTracking: true,
    });
  }

  /** Upgrade handler to register with `platform.upgrade('/ws', …)`. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#accept(ws, socket, req);
    });
  };

  #accept(ws: WebSocket, raw: Duplex, req: IncomingMessage): void {
    ws.on('error', socketOnError);
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const core = this.#core;
    const now = core.clock.now();
    const token = url.searchParams.get('reconnect');
    if (token !== null) {
      const session = core.reconnectTokens.get(token);
      if (session?.status !== 'reconnecting') {
        ws.close(4007, closeCodeInfo(4007).reason);
        return;
      }
      core.reconnectTokens.delete(token);
      this.#listen(ws, session);
      session.resume(ws, raw, now);
      return;
    }
    const keepaliveSeconds = parseKeepalive(url.searchParams.get('keepalive_timeout_seconds'));
    const keepaliveMs = keepaliveSeconds * core.options.keepaliveSecondMs;
    const session = new Session(
      core,
      sessionId(),
      ws,
      raw,
      keepaliveSeconds,
      keepaliveMs,
      core.options.unusedTimeoutMs ?? keepaliveMs,
      now,
    );
    this.#listen(ws, session);
    core.addSession(session);
    session.welcome();
  }

  #listen(ws: WebSocket, session: Session): void {
    sessionOf.set(ws, session);
    ws.on('message', socketOnMessage);
    ws.on('pong', socketOnPong);
    ws.on('close', socketOnClose);
  }

  /** Sends `session_reconnect` to a session; returns the reconnect URL, or `null` when it is not connected. */
  requestReconnect(session: Session): string | null {
    const token = reconnectToken();
    const url = `${this.#wsUrl}?reconnect=${token}`;
    if (!session.requestReconnect(token, url, this.#core.options.reconnectGraceMs, this.#core.clock.now()))
      return null;
    this.#core.reconnectTokens.set(token, session);
    return url;
  }

  /** Terminates every socket and stops accepting. */
  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => {
      this.#wss.close(() => {
        resolve();
      });
    });
  }
}
