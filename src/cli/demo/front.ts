/**
 * The demo's front server for webhook shards: the conduit's public callback. It hands each request to the client's
 * webhook receiver, or answers 500 to the notifications the fault injector asked it to fail (Twitch, here the
 * emulator, then retries them).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the front hands requests: the client's webhook receiver, or `null` while there is none. */
export type FrontReceiver = () => { handler: (req: IncomingMessage, res: ServerResponse) => void } | null;

/** A local HTTP server in front of the webhook receiver (see module docs). */
export class WebhookFront {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly #server: Server;
  /** Per callback path: deliveries still to fail with 500. */
  readonly #failNext: Map<string, number>;

  private constructor(server: Server, url: string, failNext: Map<string, number>) {
    this.#server = server;
    this.url = url;
    this.#failNext = failNext;
  }

  /** Starts the server on a free loopback port. */
  static async start(receiver: FrontReceiver): Promise<WebhookFront> {
    const failNext = new Map<string, number>();
    const server = createServer((req, res) => {
      const path = req.url ?? '';
      const left = failNext.get(path) ?? 0;
      const target = receiver();
      if (target === null || (left > 0 && req.headers['twitch-eventsub-message-type'] === 'notification')) {
        if (left > 0) failNext.set(path, left - 1);
        req.resume();
        res.writeHead(500).end();
        return;
      }
      target.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    return new WebhookFront(server, url, failNext);
  }

  /** Answers 500 to the next `count` notifications POSTed to `path`. */
  failNext(path: string, count: number): void {
    this.#failNext.set(path, (this.#failNext.get(path) ?? 0) + count);
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
  }
}
