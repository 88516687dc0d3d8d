/**
 * One WebSocket of a PubSub connection ({@link Link}): opening it ({@link openLink}) and reading its frames: JSON,
 * then `MESSAGE`, `RESPONSE`, `PONG` or `RECONNECT` handed to a {@link FrameSink}; anything else is a
 * `PUBSUB_UNEXPECTED_FRAME`.
 *
 * Hot path: one parse and one sink call per frame, no closure.
 */
import WebSocket from 'ws';
import { ProtocolError } from '../core/errors.js';
import { PubSubConnectionError } from './errors.js';
import type { Topic } from './topics.js';

/** The keepalive and barrier PING frame. */
export const PING = '{"type":"PING"}';

const noop = (): void => undefined;

/**
 * What a {@link Link} uses of its `ws` socket. Structural, so that the declarations emitted for this module name no
 * type of `ws` (a consumer may have no types for it).
 */
export interface LinkSocket {
  readonly readyState: number;
  send(data: string): void;
  removeAllListeners(): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  terminate(): void;
}

/** A frame as `ws` hands it over (its `RawData`). */
export type RawFrame = Buffer | ArrayBuffer | Buffer[];

/** One WebSocket of a connection, with what is specific to it. */
export class Link {
  readonly ws: LinkSocket;
  /** Topics whose LISTEN the server acknowledged on this socket. */
  acked = new WeakSet<Topic>();
  /** This socket's side in the overlap's `OverlapDedupe`. */
  side: 1 | -1 = 1;
  pingsSent = 0;
  pongsReceived = 0;
  /** Number of the PING whose PONG completes a barrier on this socket; 0 when none. */
  barrierAt = 0;
  closed = false;

  constructor(ws: LinkSocket) {
    this.ws = ws;
  }

  /** Whether frames can be sent. */
  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a PING; returns its number on this socket. */
  ping(): number {
    const n = ++this.pingsSent;
    this.ws.send(PING);
    return n;
  }

  /** Drops every listener and terminates the socket (a late `error` is swallowed: the socket is gone for us). */
  terminate(): void {
    this.closed = true;
    this.ws.removeAllListeners();
    this.ws.on('error', noop);
    this.ws.terminate();
  }
}

/** Options of {@link openLink}. */
export interface LinkOptions {
  /** WebSocket handshake timeout, ms. */
  readonly handshakeTimeout: number;
  /** Largest accepted frame, bytes (`ws` closes the socket with 1009 beyond). */
  readonly maxPayload: number;
}

/** Where an open link reports (one object per connection: no closure per message). */
export interface LinkEvents {
  readonly frames: FrameSink;
  /** The socket closed (after an error too). */
  closed(link: Link): void;
  /** A socket error (`closed` follows). */
  error(link: Link, error: Error): void;
  /** The error to fail an opening socket with when its connection was closed meanwhile, else `null`. */
  connectionClosed(): Error | null;
}

/**
 * Opens a socket to `url`. Every way out of the handshake settles the promise: `error`/`close` reject with
 * `PUBSUB_CONNECT_FAILED`, an open socket whose connection was closed meanwhile with that connection's error, and the
 * abort function handed to `setAbort` (cleared once settled) with the error it is given.
 */
export function openLink(
  url: string,
  options: LinkOptions,
  events: LinkEvents,
  setAbort: (abort: ((error: Error) => void) | undefined) => void,
): Promise<Link> {
  return new Promise<Link>((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: options.handshakeTimeout,
      maxPayload: options.maxPayload,
    });
    const link = new Link(ws);
    const abort = (error: Error): void => {
      setAbort(undefined);
      link.terminate();
      reject(error);
    };
    setAbort(abort);
    const fail = (cause?: unknown): void => {
      abort(new PubSubConnectionError('PUBSUB_CONNECT_FAILED', `could not connect to ${url}`, { cause }));
    };
    ws.once('error', fail);
    ws.once('close', (code: number) => {
      fail(new Error(`closed with ${String(code)} while connecting`));
    });
    ws.once('open', () => {
      const closed = events.connectionClosed();
      if (closed !== null) {
        abort(closed);
        return;
      }
      setAbort(undefined);
      ws.removeAllListeners();
      // One closure per socket, none per message.
      const frames = events.frames;
      ws.on('message', (data: RawFrame, isBinary: boolean) => {
        readFrame(link, data, isBinary, frames);
      });
      ws.on('close', () => {
        events.closed(link);
      });
      // 'close' follows every error; the bookkeeping happens there.
      ws.on('error', (error: Error) => {
        events.error(link, error);
      });
      resolve(link);
    });
  });
}

/** Where {@link readFrame} hands what a frame says. */
export interface FrameSink {
  /** A `MESSAGE` with a string topic and message. */
  message(link: Link, topic: string, message: string): void;
  /** A `RESPONSE` (nonce and error as received, unchecked). */
  response(nonce: unknown, error: unknown, frame: unknown): void;
  pong(link: Link): void;
  reconnect(link: Link): void;
  /** A frame that is not JSON or not one of the above. */
  unexpected(error: ProtocolError, raw: unknown): void;
}

/** Reads one frame of `link` and hands it to `sink`. */
export function readFrame(link: Link, data: RawFrame, isBinary: boolean, sink: FrameSink): void {
  const text = isBinary ? '' : rawText(data);
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    sink.unexpected(new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'a frame is not JSON', text), text);
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
        sink.message(link, d.topic, d.message);
        return;
      }
      break;
    }
    case 'RESPONSE':
      sink.response(f.nonce, f.error, frame);
      return;
    case 'PONG':
      sink.pong(link);
      return;
    case 'RECONNECT':
      sink.reconnect(link);
      return;
  }
  sink.unexpected(
    new ProtocolError('PUBSUB_UNEXPECTED_FRAME', 'an unexpected frame was received', frame),
    frame,
  );
}

function rawText(data: RawFrame): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
