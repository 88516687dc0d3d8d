import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One scripted answer: a status with headers and a JSON `body` (or a `raw` body sent as is), `'destroy'` (drop the
 * socket) or `'hang'` (never answer).
 */
export type Step =
  { status: number; headers?: Record<string, string>; body?: unknown; raw?: string } | 'destroy' | 'hang';

/**
 * A real HTTP server on port 0 that answers each request with the next scripted step (the last one repeats), for
 * sequences the emulator cannot produce deterministically (500 then 200, dropped sockets, missing headers).
 */
export class ScriptedServer {
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
    [];
  #steps: Step[] = [];
  #server: Server | undefined;
  #hanging: ServerResponse[] = [];

  static async start(): Promise<ScriptedServer> {
    const s = new ScriptedServer();
    s.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        s.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const step = s.#steps.length > 1 ? s.#steps.shift()! : s.#steps[0];
        if (step === undefined || step === 'hang') {
          s.#hanging.push(res);
          return;
        }
        if (step === 'destroy') {
          req.socket.destroy();
          return;
        }
        const text = step.raw ?? (step.body === undefined ? '' : JSON.stringify(step.body));
        res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => s.#server!.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    const { port } = this.#server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  script(...steps: Step[]): void {
    this.#steps = steps;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server!.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server!.close(() => {
        resolve();
      }),
    );
  }
}

/** Headers of a healthy bucket. */
export function okHeaders(remaining = 799): Record<string, string> {
  return {
    'ratelimit-limit': '800',
    'ratelimit-remaining': String(remaining),
    'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
  };
}
