/**
 * The emulator's PubSub server at `/pubsub`: LISTEN/UNLISTEN with nonces, token and scope checks against the
 * platform's token store, 50 topics per connection, the 15 s LISTEN deadline, PING/PONG, RECONNECT, and the
 * slow-reader rule (more than 30 unsent messages → disconnect). Control verbs publish, reconnect, drop, stop
 * PONGs and refuse new connections, as methods and as `/_emulator/pubsub/*` routes.
 *
 * RECONNECT behaves like Twitch's edge: the connection told to reconnect stays open, subscribed and served (PINGs,
 * LISTENs, messages) for the whole grace delay, so a client that opens its replacement first receives every message
 * published meanwhile on both sockets, then it is closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { TimerHandle } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { Platform } from '../http/types.js';
import { PUBSUB_LIMITS, parseTopicString } from '../../protocol/pubsub.js';
import type { PubSubResponseErrorCode } from '../../protocol/pubsub.js';
import { samplePubSubMessage } from './payloads.js';

/** Options of the PubSub server. Durations in milliseconds; defaults are Twitch's. */
export interface PubSubServerOptions {
  /** Upgrade path. Default `/pubsub`. */
  readonly path?: string;
  /** Topics per connection. Default 50. */
  readonly maxTopicsPerConnection?: number;
  /** A connection with no successful LISTEN after this delay is closed. Default 15,000. */
  readonly listenDeadlineMs?: number;
  /** After RECONNECT, the server closes the connection after this delay. Default 30,000. */
  readonly reconnectGraceMs?: number;
  /** A reader with more unsent messages than this is disconnected. Default 30. */
  readonly maxBufferedMessages?: number;
}

/** A connection as listed by {@link PubSubServer.connections}. */
export interface PubSubServerConnection {
  readonly id: string;
  readonly topics: readonly string[];
  readonly connectedAt: Date;
  /** Whether the connection has had at least one successful LISTEN. */
  readonly listened: boolean;
  /** Whether RECONNECT was sent: the connection is in its grace delay and closes at its end. */
  readonly reconnecting: boolean;
}

/** The emulator's PubSub endpoint and its control verbs. */
export interface PubSubServer {
  /** The WebSocket URL clients connect to, e.g. `ws://127.0.0.1:41234/pubsub`. */
  readonly url: string;
  /**
   * Sends `message` (an object, serialised to the JSON string PubSub nests in `data.message`, or an already
   * serialised string) on `topic` to every connection listening to it; without a message, a realistic sample for
   * the topic is sent. Returns the number of connections reached.
   */
  publish(topic: string, message?: object | string, options?: { variant?: string }): number;
  /**
   * Sends RECONNECT to one connection or all of them. Each stays open and keeps receiving the messages of its topics
   * for `reconnectGraceMs`, then is closed (code 1000). Returns the count.
   */
  reconnect(connectionId?: string): number;
  /** Drops a connection abruptly (no close frame). Returns whether it existed. */
  drop(connectionId: string): boolean;
  /** Turns PONG replies on or off (off simulates a dead edge). */
  setPongs(enabled: boolean): void;
  /**
   * Accepts or refuses new connections (refused upgrades get HTTP 503; open connections are untouched). Simulates an
   * edge that cannot take a client's replacement socket.
   */
  setAccepting(enabled: boolean): void;
  /** The open connections. */
  connections(): PubSubServerConnection[];
  /** Closes every connection and stops accepting new ones. */
  close(): Promise<void>;
}

interface Conn {
  readonly id: string;
  readonly ws: WebSocket;
  readonly topics: Set<string>;
  readonly connectedAt: Date;
  listened: boolean;
  inFlight: number;
  deadline: TimerHandle | undefined;
  grace: TimerHandle | undefined;
  /** Send completion callback, one per connection (no per-message closure). */
  readonly sent: (error?: Error) => void;
}

type Frame = Record<string, unknown>;

function isObj(value: unknown): value is Frame {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Mounts the PubSub server on the emulator's HTTP platform: registers the `/pubsub` upgrade handler and the
 * control routes `POST /_emulator/pubsub/publish`, `POST /_emulator/pubsub/reconnect`,
 * `POST /_emulator/pubsub/drop`, `POST /_emulator/pubsub/pongs`, `POST /_emulator/pubsub/accepting` and
 * `GET /_emulator/pubsub/connections`.
 *
 * @example
 * ```ts
 * const platform = await createPlatform({ port: 0 });
 * const pubsub = attachPubSub(platform);
 * pubsub.publish('channel-bits-events-v2.1234'); // a realistic cheer to every listener
 * ```
 */
export function attachPubSub(platform: Platform, options: PubSubServerOptions = {}): PubSubServer {
  const path = options.path ?? '/pubsub';
  const maxTopics = options.maxTopicsPerConnection ?? PUBSUB_LIMITS.maxTopicsPerConnection;
  const listenDeadlineMs = options.listenDeadlineMs ?? PUBSUB_LIMITS.listenDeadlineMs;
  const graceMs = options.reconnectGraceMs ?? PUBSUB_LIMITS.reconnectGraceMs;
  const maxBuffered = options.maxBufferedMessages ?? PUBSUB_LIMITS.maxBufferedMessages;
  // Deadlines run on the emulator's clock (`EmulatorOptions.clock`), like every other timer of the emulator.
  const clock = platform.clock;
  for (const [field, value] of [
    ['maxTopicsPerConnection', maxTopics],
    ['listenDeadlineMs', listenDeadlineMs],
    ['reconnectGraceMs', graceMs],
    ['maxBufferedMessages', maxBuffered],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0))
      throw new InvalidArgumentError(`${field} must be >= 0`, field);
  }

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const conns = new Map<string, Conn>();
  /** topic → connections listening to it. */
  const listeners = new Map<string, Set<Conn>>();
  let pongs = true;
  let accepting = true;
  let closed = false;
  let nextId = 0;

  function send(conn: Conn, frame: string): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.inFlight++;
    if (conn.inFlight > maxBuffered) {
      // The reader is too slow: Twitch disconnects it.
      conn.ws.terminate();
      return;
    }
    conn.ws.send(frame, conn.sent);
  }

  function respond(conn: Conn, nonce: unknown, error: '' | PubSubResponseErrorCode): void {
    send(
      conn,
      JSON.stringify(
        typeof nonce === 'string' ? { type: 'RESPONSE', nonce, error } : { type: 'RESPONSE', error },
      ),
    );
  }

  function removeConn(conn: Conn): void {
    if (!conns.delete(conn.id)) return;
    if (conn.deadline !== undefined) clock.clearTimeout(conn.deadline);
    if (conn.grace !== undefined) clock.clearTimeout(conn.grace);
    for (const topic of conn.topics) {
      const set = listeners.get(topic);
      set?.delete(conn);
      if (set?.size === 0) listeners.delete(topic);
    }
    conn.topics.clear();
  }

  function checkListen(frame: Frame): { topics: string[]; error: '' | PubSubResponseErrorCode } {
    const data = frame.data;
    if (!isObj(data)) return { topics: [], error: 'ERR_BADMESSAGE' };
    const topics = data.topics;
    if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string')) {
      return { topics: [], error: 'ERR_BADMESSAGE' };
    }
    const list = topics;
    const parsed = list.map((t) => parseTopicString(t));
    if (parsed.some((p) => p === undefined)) return { topics: list, error: 'ERR_BADTOPIC' };
    const token = data.auth_token;
    const auth = typeof token === 'string' && token !== '' ? platform.auth.resolveToken(token) : undefined;
    if (auth?.kind !== 'user' || auth.userId === undefined) return { topics: list, error: 'ERR_BADAUTH' };
    for (const p of parsed) {
      if (p === undefined) continue;
      // The token's user must be the one the topic is about (the channel, or the moderator/user id first).
      const ok = p.definition.scopes.some((s) => auth.scopes.has(s)) && p.ids[0] === auth.userId;
      if (!ok) return { topics: list, error: 'ERR_BADAUTH' };
    }
    return { topics: list, error: '' };
  }

  function onFrame(conn: Conn, text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      respond(conn, undefined, 'ERR_BADMESSAGE');
      return;
    }
    if (!isObj(frame)) {
      respond(conn, undefined, 'ERR_BADMESSAGE');
      return;
    }
    const nonce = frame.nonce;
    switch (frame.type) {
      case 'PING':
        if (pongs) send(conn, '{"type":"PONG"}');
        return;
      case 'LISTEN': {
        const { topics, error } = checkListen(frame);
        if (error !== '') {
          respond(conn, nonce, error);
          return;
        }
        const fresh = topics.filter((t) => !conn.topics.has(t));
        if (conn.topics.size + new Set(fresh).size > maxTopics) {
          respond(conn, nonce, 'ERR_BADMESSAGE');
          return;
        }
        for (const topic of fresh) {
          conn.topics.add(topic);
          let set = listeners.get(topic);
          if (set === undefined) listeners.set(topic, (set = new Set()));
          set.add(conn);
        }
        if (!conn.listened) {
          conn.listened = true;
          if (conn.deadline !== undefined) clock.clearTimeout(conn.deadline);
          conn.deadline = undefined;
        }
        respond(conn, nonce, '');
        return;
      }
      case 'UNLISTEN': {
        const data = frame.data;
        const topics = isObj(data) ? data.topics : undefined;
        if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) {
          respond(conn, nonce, 'ERR_BADMESSAGE');
          return;
        }
        for (const topic of topics) {
          if (!conn.topics.delete(topic)) continue;
          const set = listeners.get(topic);
          set?.delete(conn);
          if (set?.size === 0) listeners.delete(topic);
        }
        respond(conn, nonce, '');
        return;
      }
      default:
        respond(conn, nonce, 'ERR_BADMESSAGE');
    }
  }

  function accept(ws: WebSocket): void {
    const id = `pubsub-${String(++nextId)}`;
    const conn: Conn = {
      id,
      ws,
      topics: new Set(),
      connectedAt: new Date(clock.now()),
      listened: false,
      inFlight: 0,
      deadline: undefined,
      grace: undefined,
      sent: () => {
        conn.inFlight--;
      },
    };
    conns.set(id, conn);
    conn.deadline = clock.setTimeout(() => {
      conn.deadline = undefined;
      if (!conn.listened) ws.close(1000, 'no LISTEN in time');
    }, listenDeadlineMs);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        respond(conn, undefined, 'ERR_BADMESSAGE');
        return;
      }
      onFrame(
        conn,
        Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'),
      );
    });
    ws.on('close', () => {
      removeConn(conn);
    });
    ws.on('error', () => {
      // Protocol errors close the socket; 'close' does the bookkeeping.
    });
  }

  platform.upgrade(path, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closed) {
      socket.destroy();
      return;
    }
    if (!accepting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, accept);
  });

  const server: PubSubServer = {
    url: `${platform.baseUrl.replace(/^http/, 'ws')}${path}`,
    publish(topic, message, publishOptions) {
      let body: string;
      if (typeof message === 'string') body = message;
      else {
        const payload =
          message ??
          samplePubSubMessage(
            topic,
            publishOptions?.variant === undefined ? {} : { variant: publishOptions.variant },
          );
        if (payload === undefined)
          throw new InvalidArgumentError(`no sample payload for topic ${topic}`, 'topic');
        body = JSON.stringify(payload);
      }
      const set = listeners.get(topic);
      if (set === undefined) return 0;
      const frame = JSON.stringify({ type: 'MESSAGE', data: { topic, message: body } });
      for (const conn of set) send(conn, frame);
      return set.size;
    },
    reconnect(connectionId) {
      const targets =
        connectionId === undefined
          ? [...conns.values()]
          : [conns.get(connectionId)].filter((c) => c !== undefined);
      for (const conn of targets) {
        send(conn, '{"type":"RECONNECT"}');
        conn.grace ??= clock.setTimeout(() => {
          conn.ws.close(1000, 'reconnect');
        }, graceMs);
      }
      return targets.length;
    },
    drop(connectionId) {
      const conn = conns.get(connectionId);
      if (conn === undefined) return false;
      conn.ws.terminate();
      removeConn(conn);
      return true;
    },
    setPongs(enabled) {
      pongs = enabled;
    },
    setAccepting(enabled) {
      accepting = enabled;
    },
    connections() {
      return [...conns.values()].map((c) => ({
        id: c.id,
        topics: [...c.topics],
        connectedAt: c.connectedAt,
        listened: c.listened,
        reconnecting: c.grace !== undefined,
      }));
    },
    close() {
      closed = true;
      for (const conn of [...conns.values()]) {
        conn.ws.terminate();
        removeConn(conn);
      }
      return new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    },
  };

  const router = platform.router;
  router.control('POST', '/pubsub/publish', (req) => {
    const body = objectBody(req.body);
    const topic = body.topic;
    if (typeof topic !== 'string') throw new EmuHttpError(400, '"topic" must be a string');
    if (parseTopicString(topic) === undefined)
      throw new EmuHttpError(400, `"${topic}" is not a PubSub topic`);
    const message = body.message;
    if (message !== undefined && typeof message !== 'string' && !isObj(message)) {
      throw new EmuHttpError(400, '"message" must be an object or a string');
    }
    const variant = body.variant;
    if (variant !== undefined && typeof variant !== 'string')
      throw new EmuHttpError(400, '"variant" must be a string');
    const delivered = server.publish(topic, message, variant === undefined ? {} : { variant });
    return { status: 200, body: { delivered } };
  });
  router.control('POST', '/pubsub/reconnect', (req) => {
    const id = objectBody(req.body).connection_id;
    if (id !== undefined && typeof id !== 'string')
      throw new EmuHttpError(400, '"connection_id" must be a string');
    const count = server.reconnect(id);
    if (id !== undefined && count === 0) throw new EmuHttpError(404, `no connection ${id}`);
    return { status: 200, body: { reconnecting: count } };
  });
  router.control('POST', '/pubsub/drop', (req) => {
    const id = objectBody(req.body).connection_id;
    if (typeof id !== 'string') throw new EmuHttpError(400, '"connection_id" must be a string');
    if (!server.drop(id)) throw new EmuHttpError(404, `no connection ${id}`);
    return { status: 204 };
  });
  router.control('POST', '/pubsub/pongs', (req) => {
    const enabled = objectBody(req.body).enabled;
    if (typeof enabled !== 'boolean') throw new EmuHttpError(400, '"enabled" must be a boolean');
    server.setPongs(enabled);
    return { status: 204 };
  });
  router.control('POST', '/pubsub/accepting', (req) => {
    const enabled = objectBody(req.body).enabled;
    if (typeof enabled !== 'boolean') throw new EmuHttpError(400, '"enabled" must be a boolean');
    server.setAccepting(enabled);
    return { status: 204 };
  });
  router.control('GET', '/pubsub/connections', () => ({
    status: 200,
    body: { data: server.connections().map((c) => ({ ...c, connectedAt: c.connectedAt.toISOString() })) },
  }));
  return server;
}
