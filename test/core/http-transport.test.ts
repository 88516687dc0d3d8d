/**
 * The HTTP transports under the Helix and OAuth clients, against real servers on port 0: keep-alive reuse, the
 * stale-connection retry (and when it must not happen), timeouts on an injected clock, aborts, close(), body caps
 * and decompression.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { FetchTransport, NodeHttpTransport, type TransportRequest } from '../../src/core/http-transport.js';
import type { TwitchError } from '../../src/core/errors.js';
import { AbortError, InvalidArgumentError, ProtocolError, TimeoutError } from '../../src/core/errors.js';
import { USER_AGENT } from '../../src/core/version.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => void;

/** A server whose handler is set per test; counts requests and TCP connections. */
class TestServer {
  handler: Handler = (_req, res) => res.end('{}');
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
    [];
  readonly sockets: Socket[] = [];
  readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const index = this.requests.length;
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        this.handler(req, res, body, index);
      });
    });
    this.server.on('connection', (socket: Socket) => this.sockets.push(socket));
  }

  async listen(host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    const { port } = this.server.address() as AddressInfo;
    return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  }

  reset(): void {
    this.handler = (_req, res) => res.end('{}');
    this.requests.length = 0;
    this.sockets.length = 0;
    this.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

let server: TestServer;
let base: string;
const transports: { close(): void }[] = [];

beforeAll(async () => {
  server = new TestServer();
  base = await server.listen();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
  server.reset();
});

function node(options: ConstructorParameters<typeof NodeHttpTransport>[0] = {}): NodeHttpTransport {
  const t = new NodeHttpTransport(options);
  transports.push(t);
  return t;
}

function get(path = '/x', extra: Partial<TransportRequest> = {}): TransportRequest {
  return {
    method: 'GET',
    url: base + path,
    headers: {},
    body: undefined,
    timeoutMs: 10_000,
    signal: undefined,
    idempotent: true,
    ...extra,
  };
}

/** Resolves once the client side has parsed the headers of `count` more responses (Node's diagnostics channel). */
function responseHeadersSeen(count = 1): Promise<void> {
  return new Promise((resolve) => {
    let left = count;
    const onMessage = (): void => {
      if (--left > 0) return;
      unsubscribe('http.client.response.finish', onMessage);
      resolve();
    };
    subscribe('http.client.response.finish', onMessage);
  });
}

const hang: Handler = () => {
  // never answers
};

describe('NodeHttpTransport', () => {
  it('returns status, reason, headers (case-insensitive, null when absent) and the body', async () => {
    server.handler = (_req, res) => {
      res.writeHead(418, 'Short and stout', {
        'Ratelimit-Remaining': '7',
        'Content-Type': 'application/json',
      });
      res.end('{"ok":"é"}');
    };
    const res = await node().send(get('/teapot?a=1&a=2'));
    expect(res.status).toBe(418);
    expect(res.statusText).toBe('Short and stout');
    expect(res.headers.get('RATELIMIT-REMAINING')).toBe('7');
    expect(res.headers.get('ratelimit-remaining')).toBe('7');
    expect(res.headers.get('ratelimit-reset')).toBeNull();
    expect(res.body).toBe('{"ok":"é"}');
    expect(server.requests[0]?.url).toBe('/teapot?a=1&a=2');
    expect(server.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('sends the body with its byte length and the caller headers', async () => {
    const body = JSON.stringify({ name: 'ü'.repeat(1000) });
    await node().send(
      get('/post', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/json', 'Client-Id': 'cid' },
      }),
    );
    const seen = server.requests[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.body).toBe(body);
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(seen?.headers['client-id']).toBe('cid');
  });

  it('sends a User-Agent and Accept unless the caller sets them, and trims header values as fetch does', async () => {
    const t = node();
    await t.send(
      get('/x', { headers: { Authorization: 'Bearer token-from-a-file\n', 'Client-Id': ' cid ' } }),
    );
    const seen = server.requests[0]?.headers;
    expect(seen?.['user-agent']).toBe(USER_AGENT);
    expect(seen?.accept).toBe('application/json');
    expect(seen?.authorization).toBe('Bearer token-from-a-file');
    expect(seen?.['client-id']).toBe('cid');
    await t.send(get('/x', { headers: { accept: 'text/plain', 'user-agent': 'mine/1' } }));
    expect(server.requests[1]?.headers.accept).toBe('text/plain');
    expect(server.requests[1]?.headers['user-agent']).toBe('mine/1');
  });

  it('refuses a header Node will not send with INVALID_ARGUMENT, leaving no timer or listener', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const err = await node({ clock })
      .send(get('/x', { headers: { 'Client-Id': 'c\nid' }, signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe('headers');
    expect(clock.pending).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(server.requests).toHaveLength(0);
  });

  it('keeps one connection alive across sequential requests', async () => {
    const t = node();
    for (let i = 0; i < 5; i++) await t.send(get());
    expect(server.requests).toHaveLength(5);
    expect(server.sockets).toHaveLength(1);
  });

  it('sends an idempotent request again when its reused connection was closed by the server', async () => {
    // The second request arrives on the kept-alive connection, which the server then drops without answering:
    // from the client's side, exactly the race with a server closing an idle connection.
    server.handler = (req, res, _body, index) => {
      if (index === 1) req.socket.destroy();
      else res.end(`{"n":${index}}`);
    };
    const t = node();
    await t.send(get());
    const res = await t.send(get());
    expect(res.body).toBe('{"n":2}');
    expect(server.requests).toHaveLength(3);
    expect(server.sockets).toHaveLength(2);
  });

  it('gets past several pooled connections the server closed together', async () => {
    const t = node();
    // Eight concurrent requests leave eight idle keep-alive connections in the pool.
    server.handler = (_req, res, _body, index) => {
      if (index < 8) setTimeout(() => res.end('{}'), 5);
      else res.end('{"after":true}');
    };
    await Promise.all(Array.from({ length: 8 }, () => t.send(get())));
    expect(server.sockets).toHaveLength(8);
    // The server closes them all at once (a deploy, a load balancer's idle sweep), and the client's loop is busy
    // while their ends arrive: they are all waiting in one batch of I/O events when the next request picks one.
    for (const socket of server.sockets) socket.destroy();
    const busyUntil = performance.now() + 30;
    while (performance.now() < busyUntil) {
      // busy
    }
    const res = await t.send(get());
    expect(res.body).toBe('{"after":true}');
  });

  it('does not send a non-idempotent request again', async () => {
    server.handler = (req, res, _body, index) => {
      if (index === 1) req.socket.destroy();
      else res.end('{}');
    };
    const t = node();
    await t.send(get());
    const err = await t
      .send(get('/x', { method: 'POST', body: '{}', idempotent: false }))
      .catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(server.requests).toHaveLength(2);
  });

  it('sends again at most once, and never after part of the answer arrived', async () => {
    const t = node();
    await t.send(get());
    server.handler = (req) => req.socket.destroy();
    await expect(t.send(get())).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.requests).toHaveLength(3); // first + one retry

    server.reset();
    await t.send(get());
    server.handler = (req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"partial":');
      setImmediate(() => req.socket.destroy());
    };
    await expect(t.send(get())).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.requests).toHaveLength(2);
  });

  it('times out on its clock, whatever stage the request is in', async () => {
    const clock = new FakeClock();
    const t = node({ clock });
    server.handler = hang;
    const pending = t.send(get('/x', { timeoutMs: 5000 }));
    await until(() => server.requests.length > 0, 'the request at the server');
    clock.advance(4999);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(clock.pending).toBe(0);

    // Headers sent, body stalled.
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '10' });
      res.write('{');
    };
    const headersSeen = responseHeadersSeen();
    const stalled = t.send(get('/x', { timeoutMs: 5000 }));
    await headersSeen;
    clock.advance(5000);
    await expect(stalled).rejects.toBeInstanceOf(TimeoutError);
  });

  it('clears its timer and abort listener when the answer arrives', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const pending = node({ clock }).send(get('/x', { signal: controller.signal }));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    expect(clock.pending).toBe(1);
    await pending;
    expect(clock.pending).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts through the signal, before or during the request', async () => {
    const t = node();
    const early = new AbortController();
    early.abort();
    await expect(t.send(get('/x', { signal: early.signal }))).rejects.toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);

    server.handler = hang;
    const controller = new AbortController();
    const pending = t.send(get('/x', { signal: controller.signal }));
    await until(() => server.requests.length > 0, 'the request at the server');
    const reason = new Error('user stop');
    controller.abort(reason);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as Error).cause).toBe(reason);
  });

  it('close() fails requests in flight, refuses new ones and closes idle connections', async () => {
    const t = node();
    await t.send(get());
    const idle = server.sockets[0]!;
    const closed = new Promise<void>((resolve) =>
      idle.once('close', () => {
        resolve();
      }),
    );
    server.handler = hang;
    const pending = t.send(get());
    await until(() => server.requests.length === 2, 'both requests at the server');
    t.close();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(t.send(get())).rejects.toBeInstanceOf(AbortError);
    await closed;
    expect(idle.destroyed).toBe(true);
  });

  it('refuses answers over the size cap: declared, streamed or decompressed', async () => {
    const t = node({ maxResponseBytes: 1024 });
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': '5000' });
      res.end('x'.repeat(5000));
    };
    const declared = await t.send(get()).catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(ProtocolError);
    expect((declared as TwitchError).code).toBe('RESPONSE_TOO_LARGE');

    server.handler = (_req, res) => {
      res.writeHead(200); // chunked, no length
      for (let i = 0; i < 10; i++) res.write('y'.repeat(200));
      res.end();
    };
    await expect(t.send(get())).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });

    const bomb = gzipSync(Buffer.alloc(1_000_000, 0x20));
    expect(bomb.length).toBeLessThan(1024);
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end(bomb);
    };
    await expect(t.send(get())).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('decodes gzip, deflate and br bodies; refuses unknown or corrupt encodings', async () => {
    const text = JSON.stringify({ data: Array.from({ length: 50 }, (_, i) => ({ id: `id-${i}` })) });
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: gzipSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    const t = node();
    for (const [name, encode] of Object.entries(encoders)) {
      server.handler = (_req, res) => {
        res.writeHead(200, { 'Content-Encoding': name });
        res.end(encode(Buffer.from(text)));
      };
      expect((await t.send(get())).body).toBe(text);
    }
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'zstd' });
      res.end('whatever');
    };
    await expect(t.send(get())).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end('not gzip at all');
    };
    await expect(t.send(get())).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('reads bodies as fetch does: no decoding of an empty body, no byte-order mark, raw deflate, a cut gzip', async () => {
    const t = node();
    server.handler = (_req, res) => {
      res.writeHead(204, { 'Content-Encoding': 'gzip' });
      res.end();
    };
    expect(await t.send(get('/x', { method: 'DELETE' }))).toMatchObject({ status: 204, body: '' });

    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"data":[]}')]));
    };
    expect((await t.send(get())).body).toBe('{"data":[]}');

    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'deflate' });
      res.end(deflateRawSync(Buffer.from('{"raw":true}')));
    };
    expect((await t.send(get())).body).toBe('{"raw":true}');

    const whole = gzipSync(Buffer.from('{"cut":true}'));
    server.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end(whole.subarray(0, whole.length - 8)); // the trailer (CRC, length) is missing
    };
    expect((await t.send(get())).body).toBe('{"cut":true}');
  });

  it('rejects (never throws) on a bad URL, an unsupported protocol or a refused connection', async () => {
    const t = node();
    await expect(t.send(get('', { url: 'not a url' }))).rejects.toBeInstanceOf(TypeError);
    await expect(t.send(get('', { url: 'ftp://127.0.0.1/x' }))).rejects.toThrow('unsupported protocol');
    const closedServer = new TestServer();
    const url = await closedServer.listen();
    await closedServer.close();
    await expect(t.send(get('', { url: `${url}/x` }))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('speaks to an IPv6 literal', async (ctx) => {
    const v6 = new TestServer();
    let url: string;
    try {
      url = await v6.listen('::1');
    } catch {
      ctx.skip(); // no IPv6 loopback on this machine
      return;
    }
    try {
      const res = await node().send(get('', { url: `${url}/six` }));
      expect(res.status).toBe(200);
      expect(v6.requests[0]?.url).toBe('/six');
    } finally {
      await v6.close();
    }
  });

  // 30 s: runs a child process (tsx) that must exit by itself; its kill timeout is 20 s.
  it(
    'never keeps the process alive with idle connections, even without close()',
    { timeout: 30_000 },
    async () => {
      const script = fileURLToPath(new URL('./fixtures/two-requests.ts', import.meta.url));
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        // The kill timeout only bounds a hung child; it is not an assertion on time.
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', script, `${base}/x`],
          { timeout: 20_000 },
          (error, out) => {
            resolve({ code: error === null ? 0 : (child.exitCode ?? -1), stdout: out });
          },
        );
      });
      expect(stdout).toBe('200 {} 200 {}\n');
      expect(code).toBe(0);
      expect(server.requests).toHaveLength(2);
      expect(server.sockets).toHaveLength(1); // one kept-alive connection, left idle when the child ended
    },
  );

  // 30 s: runs a child process (tsx) against a TLS server; its kill timeout is 20 s.
  it(
    'speaks HTTPS: verifies certificates, keeps the TLS connection alive, decodes',
    { timeout: 30_000 },
    async () => {
      const dir = new URL('./fixtures/', import.meta.url);
      const certFile = fileURLToPath(new URL('self-signed-localhost.cert.pem', dir));
      let connections = 0;
      const tls = createHttpsServer(
        { key: readFileSync(new URL('self-signed-localhost.key.pem', dir)), cert: readFileSync(certFile) },
        (_req, res) => {
          res.writeHead(200, { 'Content-Encoding': 'gzip' });
          res.end(gzipSync(Buffer.from('{"tls":true}')));
        },
      );
      tls.on('secureConnection', () => connections++);
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = tls.address() as AddressInfo;
        const url = `https://localhost:${port}/x`;
        // Not trusted here: refused.
        const err = await node()
          .send(get('', { url }))
          .catch((e: unknown) => e);
        expect((err as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
        // Trusted in a child process (NODE_EXTRA_CA_CERTS is read at start-up): two requests, one TLS connection.
        const script = fileURLToPath(new URL('./fixtures/two-requests.ts', import.meta.url));
        const stdout = await new Promise<string>((resolve, reject) => {
          execFile(
            process.execPath,
            ['--import', 'tsx', script, url, 'close'],
            { timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile } },
            (error, out) => {
              if (error === null) resolve(out);
              else reject(new Error(`the HTTPS child failed: ${out}`, { cause: error }));
            },
          );
        });
        expect(stdout).toBe('200 {"tls":true} 200 {"tls":true}\n');
        expect(connections).toBe(1); // one TLS session for both (the refused handshake never completed)
      } finally {
        tls.closeAllConnections();
        await new Promise<void>((resolve) =>
          tls.close(() => {
            resolve();
          }),
        );
      }
    },
  );
});

describe('FetchTransport', () => {
  it('passes method, headers and body to fetch and reads the answer', async () => {
    const t = new FetchTransport((url, init) => fetch(url, init));
    transports.push(t);
    server.handler = (_req, res) => {
      res.writeHead(201, { 'Ratelimit-Limit': '800' });
      res.end('{"a":1}');
    };
    const res = await t.send(get('/f', { method: 'POST', body: '{"b":2}', headers: { 'X-Test': '1' } }));
    expect(res).toMatchObject({ status: 201, body: '{"a":1}' });
    expect(res.headers.get('ratelimit-limit')).toBe('800');
    expect(server.requests[0]).toMatchObject({ method: 'POST', body: '{"b":2}' });
    expect(server.requests[0]?.headers['x-test']).toBe('1');
  });

  it('times out on its clock, aborts through the signal and on close()', async () => {
    const clock = new FakeClock();
    const t = new FetchTransport((url, init) => fetch(url, init), clock);
    transports.push(t);
    server.handler = hang;
    const timed = t.send(get());
    await until(() => server.requests.length > 0, 'the request at the server');
    clock.advance(10_000);
    await expect(timed).rejects.toBeInstanceOf(TimeoutError);

    const controller = new AbortController();
    const aborted = t.send(get('/x', { signal: controller.signal }));
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortError);

    const inFlight = t.send(get());
    t.close();
    await expect(inFlight).rejects.toBeInstanceOf(AbortError);
    await expect(t.send(get())).rejects.toBeInstanceOf(AbortError);
    expect(clock.pending).toBe(0);
  });
});
