/**
 * Helpers of the observability server tests: plain HTTP requests and a Server-Sent Events reader over real sockets.
 */
import { request, type IncomingMessage } from 'node:http';
import { until } from '../support/until.js';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** One request; `headers` as given (no token added). */
export function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/** A Server-Sent Events reader: every event parsed as it arrives; `ended` once the server closed the stream. */
export class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  ended = false;
  #buffer = '';
  readonly #req: ReturnType<typeof request>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.#req = request(url, { headers }, (res) => {
      this.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // Scan only what is new (an event of megabytes arrives in many chunks).
        const from = Math.max(0, this.#buffer.length - 1);
        this.#buffer += chunk;
        let end = this.#buffer.indexOf('\n\n', from);
        while (end !== -1) {
          const block = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + 2);
          end = this.#buffer.indexOf('\n\n');
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data !== '') this.events.push({ event, data: JSON.parse(data) });
        }
      });
      res.on('close', () => {
        this.ended = true;
      });
    });
    this.#req.on('error', () => {
      this.ended = true;
    });
    this.#req.end();
  }

  /** Waits for the `n`th event (1-based) named `event`. */
  async nth<T>(event: string, n: number): Promise<T> {
    const found = await until(() => this.events.filter((e) => e.event === event)[n - 1], `${event} #${n}`);
    return found.data as T;
  }

  count(event: string): number {
    return this.events.filter((e) => e.event === event).length;
  }

  close(): void {
    this.#req.destroy();
  }
}
