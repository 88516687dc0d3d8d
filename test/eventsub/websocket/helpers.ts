/**
 * Test helpers for the EventSub session: a manual clock and a scripted WebSocket peer (a real `ws` server on port
 * 0) for wire-level cases the emulator cannot produce (malformed frames, silence, duplicates, arbitrary codes).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TypedEmitter } from '../../../src/core/emitter.js';

/** One client connection seen by the {@link ScriptedPeer}. */
export class PeerConnection {
  /** Data frames the client sent (must stay empty: the client never sends data). */
  readonly received: string[] = [];
  readonly url: string;
  closed: Promise<[code: number, reason: Buffer]>;

  constructor(
    readonly socket: WebSocket,
    url: string,
  ) {
    this.url = url;
    socket.on('message', (data, isBinary) => {
      this.received.push(isBinary ? '<binary>' : (data as Buffer).toString());
    });
    this.closed = once(socket, 'close') as Promise<[number, Buffer]>;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  welcome(sessionId: string, keepaliveSeconds: number | null = 10): void {
    this.send(welcomeFrame(sessionId, keepaliveSeconds));
  }

  close(code: number, reason = ''): void {
    this.socket.close(code, reason);
  }
}

/** A `ws` server that hands each accepted connection to the test. */
export class ScriptedPeer {
  readonly #server: WebSocketServer;
  readonly #waiting: ((c: PeerConnection) => void)[] = [];
  readonly #queued: PeerConnection[] = [];
  readonly connections: PeerConnection[] = [];

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket, request) => {
      const connection = new PeerConnection(socket, request.url ?? '/');
      this.connections.push(connection);
      const waiter = this.#waiting.shift();
      if (waiter !== undefined) waiter(connection);
      else this.#queued.push(connection);
    });
  }

  static async start(): Promise<ScriptedPeer> {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    return new ScriptedPeer(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ws`;
  }

  /** The next connection (already accepted or upcoming). */
  next(): Promise<PeerConnection> {
    const queued = this.#queued.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}

export function welcomeFrame(sessionId: string, keepaliveSeconds: number | null = 10): object {
  return {
    metadata: {
      message_id: randomUUID(),
      message_type: 'session_welcome',
      message_timestamp: new Date().toISOString(),
    },
    payload: {
      session: {
        id: sessionId,
        status: 'connected',
        connected_at: new Date().toISOString(),
        keepalive_timeout_seconds: keepaliveSeconds,
        reconnect_url: null,
        recovery_url: null,
      },
    },
  };
}

export function reconnectFrame(sessionId: string, reconnectUrl: string): object {
  return {
    metadata: {
      message_id: randomUUID(),
      message_type: 'session_reconnect',
      message_timestamp: new Date().toISOString(),
    },
    payload: {
      session: {
        id: sessionId,
        status: 'reconnecting',
        connected_at: new Date().toISOString(),
        keepalive_timeout_seconds: null,
        reconnect_url: reconnectUrl,
      },
    },
  };
}

export function keepaliveFrame(): object {
  return {
    metadata: {
      message_id: randomUUID(),
      message_type: 'session_keepalive',
      message_timestamp: new Date().toISOString(),
    },
    payload: {},
  };
}

export function notificationFrame(
  options: { id?: string; timestamp?: string; type?: string; event?: Record<string, unknown> } = {},
): object {
  const type = options.type ?? 'channel.follow';
  return {
    metadata: {
      message_id: options.id ?? randomUUID(),
      message_type: 'notification',
      message_timestamp: options.timestamp ?? new Date().toISOString(),
      subscription_type: type,
      subscription_version: '2',
    },
    payload: {
      subscription: {
        id: 'sub-1',
        status: 'enabled',
        type,
        version: '2',
        cost: 0,
        condition: { broadcaster_user_id: '1337', moderator_user_id: '1337' },
        transport: { method: 'websocket', session_id: 'S1' },
        created_at: '2026-01-01T00:00:00.000000000Z',
      },
      event: options.event ?? { user_id: '42' },
    },
  };
}

export function revocationFrame(id?: string, timestamp?: string): object {
  return {
    metadata: {
      message_id: id ?? randomUUID(),
      message_type: 'revocation',
      message_timestamp: timestamp ?? new Date().toISOString(),
      subscription_type: 'channel.follow',
      subscription_version: '2',
    },
    payload: {
      subscription: {
        id: 'sub-1',
        status: 'authorization_revoked',
        type: 'channel.follow',
        version: '2',
        cost: 0,
        condition: { broadcaster_user_id: '1337', moderator_user_id: '1337' },
        transport: { method: 'websocket', session_id: 'S1' },
        created_at: '2026-01-01T00:00:00.000000000Z',
      },
    },
  };
}

/** Resolves with the arguments of the next `event` emitted by `emitter`. */
export function nextEvent<M extends Record<keyof M, unknown[]>, K extends keyof M & string>(
  emitter: TypedEmitter<M>,
  event: K,
): Promise<M[K]> {
  return new Promise((resolve) => {
    emitter.once(event, (...args: M[K]) => {
      resolve(args);
    });
  });
}

/** The stable `code` of an emitted error, if it has one. */
export function codeOf(error: Error): unknown {
  return (error as { code?: unknown }).code;
}
