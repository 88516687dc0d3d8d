/**
 * A hostile PubSub server (issue 14) and a misconfigured pool (issue 13): RECONNECT storms, URLs in frames, LISTENs
 * never answered, reconnects that fail, durations a timer would misread, an explicit `url: undefined`. Real sockets
 * against a scripted `ws` server on port 0; time-dependent parts on a fake clock.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { InvalidArgumentError, type TwitchError } from '../../src/core/errors.js';
import {
  PubSubPool,
  PubSubSubscribeTimeoutError,
  whispers,
  type PubSubPoolOptions,
} from '../../src/pubsub/index.js';
import { newEvents } from './helpers.js';
import { FakeClock } from '../support/clock.js';
import { until } from '../support/until.js';

interface Frame {
  type: string;
  nonce?: string;
}

/** What a scripted server does besides answering frames. */
interface ServerScript {
  /** Refuses the handshake of attempt `attempt` (0-based) with a 401. */
  readonly refuse?: (attempt: number) => boolean;
  /** Called with each accepted socket, before any frame. */
  readonly onConnection?: (ws: WebSocket, index: number) => void;
}

/** A scripted PubSub server: `onFrame` decides what each socket gets. */
class HostileServer {
  readonly sockets: WebSocket[] = [];
  readonly frames: Frame[][] = [];
  /** Handshakes asked for, refused ones included. */
  attempts = 0;
  readonly #wss: WebSocketServer;

  private constructor(
    wss: WebSocketServer,
    onFrame: (ws: WebSocket, frame: Frame, index: number) => void,
    script: ServerScript,
  ) {
    this.#wss = wss;
    wss.on('connection', (ws) => {
      const index = this.sockets.push(ws) - 1;
      const frames: Frame[] = [];
      this.frames.push(frames);
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as Frame;
        frames.push(frame);
        onFrame(ws, frame, index);
      });
      script.onConnection?.(ws, index);
    });
  }

  static async start(
    onFrame: (ws: WebSocket, frame: Frame, index: number) => void,
    script: ServerScript = {},
  ): Promise<HostileServer> {
    const box: { server?: HostileServer } = {};
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      verifyClient: () => {
        const attempt = box.server === undefined ? 0 : box.server.attempts++;
        return script.refuse?.(attempt) !== true;
      },
    });
    await new Promise((resolve) => wss.once('listening', resolve));
    box.server = new HostileServer(wss, onFrame, script);
    return box.server;
  }

  get url(): string {
    return `ws://127.0.0.1:${String((this.#wss.address() as AddressInfo).port)}`;
  }

  close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    return new Promise((resolve) => {
      this.#wss.close(() => {
        resolve();
      });
    });
  }
}

const servers: HostileServer[] = [];
const pools: PubSubPool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  for (const server of servers.splice(0)) await server.close();
});

async function hostile(
  onFrame: (ws: WebSocket, frame: Frame, index: number) => void,
  script: ServerScript = {},
): Promise<HostileServer> {
  const server = await HostileServer.start(onFrame, script);
  servers.push(server);
  return server;
}

function makePool(url: string, options: PubSubPoolOptions = {}) {
  const events = newEvents();
  const errors: TwitchError[] = [];
  events.on('pubsub_error', (error) => errors.push(error));
  const pool = new PubSubPool(events, { url, ...options });
  pools.push(pool);
  return { pool, events, errors };
}

/** Answers PING with PONG and LISTEN with success. */
function polite(ws: WebSocket, frame: Frame): void {
  if (frame.type === 'PING') ws.send('{"type":"PONG"}');
  if (frame.type === 'LISTEN') ws.send(JSON.stringify({ type: 'RESPONSE', nonce: frame.nonce, error: '' }));
}

describe('RECONNECT storms', () => {
  it('a server sending RECONNECT on every socket gets a bounded number of sockets, and is reported', async () => {
    const server = await hostile((ws, frame) => {
      polite(ws, frame);
      if (frame.type === 'LISTEN') ws.send('{"type":"RECONNECT"}');
    });
    const clock = new FakeClock();
    let handovers = 0;
    const { pool, errors } = makePool(server.url, {
      clock,
      random: () => 0.5,
      backoff: { initialMs: 100, maxMs: 1000, jitterMs: 0 },
      // Called as each handover starts (before its socket opens).
      reconnectHook: (_connection, topics) => {
        handovers++;
        return topics;
      },
    });
    await pool.subscribeTopics([whispers('token', 1)]);
    const storms = (): number => errors.filter((e) => e.code === 'PUBSUB_RECONNECT_STORM').length;
    // Quiet when every handover started has its socket, and every socket's RECONNECT but the first was throttled:
    // the pool then waits on the clock (or, unthrottled, it never is).
    const quiet = (): boolean => server.sockets.length === handovers + 1 && storms() === handovers;
    // Five seconds of simulated time, in 50 ms steps.
    for (let t = 0; t < 5_000; t += 50) {
      await until(quiet);
      clock.advance(50);
    }
    await until(quiet);
    // The first handover is immediate; then 100, 200, 400, 800, 1000, 1000, 1000 ms.
    expect(server.sockets.length).toBeLessThanOrEqual(10);
    expect(storms()).toBeGreaterThanOrEqual(5);
    expect(errors.every((e) => e.code === 'PUBSUB_RECONNECT_STORM')).toBe(true);
    expect(pool.connections[0]?.state).toBe('open');
    expect(pool.topics.map(String)).toEqual(['whispers.1']);
  });

  it('a throttled handover never waits past half of the server grace (15 s)', async () => {
    const server = await hostile((ws, frame) => {
      polite(ws, frame);
      if (frame.type === 'LISTEN') ws.send('{"type":"RECONNECT"}');
    });
    const clock = new FakeClock();
    const { pool, errors } = makePool(server.url, {
      clock,
      random: () => 0.5,
      backoff: { initialMs: 60_000, maxMs: 120_000, jitterMs: 0 },
    });
    await pool.subscribeTopics([whispers('token', 1)]);
    await until(() => errors.length === 1);
    expect(errors[0]?.message).toContain('this handover waits 15000 ms');
    clock.advance(14_999);
    expect(server.sockets).toHaveLength(2);
    clock.advance(1);
    await until(() => server.sockets.length === 3);
  });

  it('never follows a URL a server puts in a frame: every socket goes to the pool URL', async () => {
    const server = await hostile((ws, frame, index) => {
      polite(ws, frame);
      if (frame.type === 'LISTEN' && index === 0) {
        ws.send(
          JSON.stringify({ type: 'RECONNECT', data: { url: 'ws://evil.example.com/', reconnect_url: 'x' } }),
        );
      }
    });
    const { pool, errors } = makePool(server.url);
    await pool.subscribeTopics([whispers('token', 1)]);
    await until(() => server.frames[1]?.some((f) => f.type === 'LISTEN') === true);
    expect(server.sockets).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});

describe('frame size', () => {
  it('a frame over maxPayload is reported as PUBSUB_FRAME_TOO_LARGE, and the connection reconnects', async () => {
    const server = await hostile((ws, frame, index) => {
      polite(ws, frame);
      if (frame.type === 'LISTEN' && index === 0) {
        const message = JSON.stringify({ blob: 'z'.repeat(4096) });
        ws.send(JSON.stringify({ type: 'MESSAGE', data: { topic: 'whispers.1', message } }));
      }
    });
    const { pool, errors } = makePool(server.url, {
      maxPayload: 1024,
      backoff: { initialMs: 1, maxMs: 1, jitterMs: 0 },
    });
    await pool.subscribeTopics([whispers('token', 1)]);
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'PUBSUB_FRAME_TOO_LARGE' });
    expect(errors[0]?.message).toContain('maxPayload');
    // ws closed the socket with 1009; the connection comes back on a new socket and LISTENs again.
    await until(() => server.frames[1]?.some((f) => f.type === 'LISTEN') === true);
    expect(pool.topics.map(String)).toEqual(['whispers.1']);
  });

  it("the default bound is 4 MiB, like the EventSub session (not ws's 100 MiB)", async () => {
    const server = await hostile((ws, frame, index) => {
      polite(ws, frame);
      if (frame.type === 'LISTEN' && index === 0) {
        const message = JSON.stringify({ blob: 'z'.repeat(4 * 1024 * 1024) });
        ws.send(JSON.stringify({ type: 'MESSAGE', data: { topic: 'whispers.1', message } }));
      }
    });
    const { pool, errors } = makePool(server.url, { backoff: { initialMs: 1, maxMs: 1, jitterMs: 0 } });
    await pool.subscribeTopics([whispers('token', 1)]);
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'PUBSUB_FRAME_TOO_LARGE' });
  });

  it('refuses a maxPayload that is not a positive integer', () => {
    for (const maxPayload of [0, -1, 1.5, Number.NaN, '1024']) {
      expect(
        () => new PubSubPool(newEvents(), { url: 'ws://127.0.0.1:1', maxPayload } as PubSubPoolOptions),
      ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'maxPayload' }) as Error);
    }
  });
});

describe('RECONNECT storms, however the server mixes RECONNECTs, closes and refusals (issue 14 audit)', () => {
  const SECONDS = 60;
  /** RECONNECT frames the stable socket sends per 100 ms step. */
  const BURST = 20;
  const BACKOFF = { initialMs: 100, maxMs: 5000, jitterMs: 0 };

  /** Sockets the backoff allows in `SECONDS` (100 ms doubling up to 5 s), plus `waitMs` per socket spent waiting. */
  function allowed(waitMs = 0): number {
    let sockets = 0;
    let delay = 100;
    for (let t = 0; t < SECONDS * 1000; sockets++) {
      t += waitMs + delay;
      delay = Math.min(delay * 2, 5000);
    }
    return sockets;
  }

  /**
   * The first socket answers like Twitch and becomes stable (31 s), then sends `BURST` RECONNECTs per 100 ms step
   * for {@link SECONDS} of fake time; every later socket does what `spare` says. Before each step the pool has read
   * every frame (a RESPONSE with an unknown nonce marks the end of each burst), and opened every socket it was going
   * to, each failure reported (`drained`), so the socket count depends on the clock only.
   */
  async function storm(options: {
    readonly spare: (ws: WebSocket, frame: Frame) => void;
    readonly script?: ServerScript;
    readonly drained?: (server: HostileServer, errors: TwitchError[]) => boolean;
  }) {
    let rounds = 0;
    const server = await hostile((ws, frame, index) => {
      if (index === 0) polite(ws, frame);
      else options.spare(ws, frame);
    }, options.script);
    const clock = new FakeClock();
    const { pool, events, errors } = makePool(server.url, {
      clock,
      random: () => 0.5,
      backoff: BACKOFF,
      // Called as each handover or reconnect round starts, before its socket opens.
      reconnectHook: (_connection, topics) => {
        rounds++;
        return topics;
      },
    });
    const nonces = new Set<string>();
    events.on('pubsub_nonce', ({ nonce }) => nonces.add(nonce));
    await pool.subscribeTopics([whispers('token', 1)]);
    clock.advance(31_000);
    const first = server.sockets[0]!;
    const broken = (): boolean => server.attempts > 1 + allowed();
    for (let step = 0; step < SECONDS * 10 && !broken(); step++) {
      if (first.readyState === first.OPEN) {
        for (let i = 0; i < BURST; i++) first.send('{"type":"RECONNECT"}');
        first.send(JSON.stringify({ type: 'RESPONSE', nonce: `marker-${String(step)}`, error: '' }));
        await until(() => nonces.has(`marker-${String(step)}`) || first.readyState !== first.OPEN);
      }
      await until(
        () => broken() || (server.attempts === 1 + rounds && (options.drained?.(server, errors) ?? true)),
      );
      clock.advance(100);
    }
    const count = (code: string): number => errors.filter((e) => e.code === code).length;
    return { server, pool, errors, count };
  }

  it('a stable socket repeating RECONNECT, every new socket closed at once: bounded, each failure reported', async () => {
    const { server, count } = await storm({
      spare: () => undefined,
      script: {
        onConnection: (ws, index) => {
          if (index > 0) ws.close();
        },
      },
      drained: (srv, errors) =>
        errors.filter((e) => e.code === 'PUBSUB_HANDOVER_FAILED').length === srv.attempts - 1,
    });
    expect(server.attempts).toBeLessThanOrEqual(1 + allowed());
    expect(count('PUBSUB_HANDOVER_FAILED')).toBe(server.attempts - 1);
    expect(count('PUBSUB_RECONNECT_STORM')).toBeGreaterThanOrEqual(server.attempts - 3);
  });

  it('a stable socket repeating RECONNECT, every new socket refused: bounded, each failure reported', async () => {
    const { server, count, pool } = await storm({
      spare: () => undefined,
      script: { refuse: (attempt) => attempt > 0 },
      drained: (srv, errors) =>
        errors.filter((e) => e.code === 'PUBSUB_HANDOVER_FAILED').length === srv.attempts - 1,
    });
    expect(server.attempts).toBeLessThanOrEqual(1 + allowed());
    expect(count('PUBSUB_HANDOVER_FAILED')).toBe(server.attempts - 1);
    expect(server.sockets).toHaveLength(1);
    expect(pool.topics.map(String)).toEqual(['whispers.1']); // the stable socket still holds it
  });

  it('a stable socket repeating RECONNECT, new sockets never answering LISTEN: one handover at a time', async () => {
    const { server, count } = await storm({
      spare: (ws, frame) => {
        if (frame.type === 'PING') ws.send('{"type":"PONG"}');
      },
    });
    // Each handover waits 10 s for its RESPONSE (responseTimeoutMs), then the backoff.
    expect(server.attempts).toBeLessThanOrEqual(1 + allowed(10_000));
    expect(count('PUBSUB_HANDOVER_FAILED')).toBeGreaterThanOrEqual(server.attempts - 2);
  });

  it('new sockets answering, asking RECONNECT again and closing: bounded by the backoff', async () => {
    const { server, count } = await storm({
      spare: (ws, frame) => {
        polite(ws, frame);
        if (frame.type === 'LISTEN') {
          ws.send('{"type":"RECONNECT"}');
          ws.close();
        }
      },
    });
    expect(server.attempts).toBeLessThanOrEqual(1 + allowed());
    expect(count('PUBSUB_RECONNECT_STORM')).toBeGreaterThanOrEqual(1);
  });

  it('new sockets closing before they answer LISTEN: bounded by the backoff, each reported', async () => {
    const { server, count } = await storm({
      spare: (ws, frame) => {
        if (frame.type === 'LISTEN') ws.close();
      },
      drained: (srv, errors) =>
        errors.filter((e) => e.code === 'PUBSUB_HANDOVER_FAILED' || e.code === 'PUBSUB_CONNECT_FAILED')
          .length ===
        srv.attempts - 1,
    });
    expect(server.attempts).toBeLessThanOrEqual(1 + allowed());
    expect(count('PUBSUB_HANDOVER_FAILED') + count('PUBSUB_CONNECT_FAILED')).toBe(server.attempts - 1);
  });
});

describe('subscribeTopics deadline', () => {
  it('rejects with PUBSUB_SUBSCRIBE_TIMEOUT when LISTEN is never answered, and drops the topics', async () => {
    const server = await hostile((ws, frame) => {
      if (frame.type === 'PING') ws.send('{"type":"PONG"}');
      // LISTEN: silence.
    });
    const clock = new FakeClock();
    const { pool, errors } = makePool(server.url, { clock, subscribeTimeoutMs: 5_000 });
    let outcome: unknown = 'pending';
    const topic = whispers('token', 1);
    void pool.subscribeTopics([topic]).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await until(() => server.frames[0]?.some((f) => f.type === 'LISTEN') === true);
    clock.advance(4_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcome).toBe('pending');
    clock.advance(1);
    await until(() => outcome !== 'pending');
    expect(outcome).toBeInstanceOf(PubSubSubscribeTimeoutError);
    expect(outcome).toMatchObject({ code: 'PUBSUB_SUBSCRIBE_TIMEOUT', timeoutMs: 5_000, topics: [topic] });
    expect(errors.map((e) => e.code)).toEqual(['PUBSUB_SUBSCRIBE_TIMEOUT']);
    // Nothing stays subscribed behind the caller's back; the emptied connection is closed with its timers.
    expect(pool.topics).toEqual([]);
    expect(pool.connections).toEqual([]);
    expect(clock.pending).toBe(0);
    await until(() => server.sockets[0]?.readyState === 3);
  });

  it('drops only the topics the server did not acknowledge, and lists exactly those (issue 14 audit)', async () => {
    // LISTENs with token A are answered, with token B never: one call, two LISTEN frames.
    const server = await hostile((ws, frame) => {
      const f = frame as Frame & { data?: { auth_token?: string } };
      if (f.type === 'PING') ws.send('{"type":"PONG"}');
      if ((f.type === 'LISTEN' && f.data?.auth_token === 'tokA') || f.type === 'UNLISTEN') {
        ws.send(JSON.stringify({ type: 'RESPONSE', nonce: f.nonce, error: '' }));
      }
    });
    const clock = new FakeClock();
    const { pool, errors } = makePool(server.url, {
      clock,
      subscribeTimeoutMs: 5_000,
      responseTimeoutMs: 60_000,
    });
    let outcome: unknown = 'pending';
    void pool.subscribeTopics([whispers('tokA', 1), whispers('tokB', 2)]).then(
      () => (outcome = 'resolved'),
      (error: unknown) => (outcome = error),
    );
    await until(() => server.frames[0]?.filter((f) => f.type === 'LISTEN').length === 2);
    await until(() => pool.connections[0]?.acknowledged('whispers.1') === true);
    clock.advance(5_000);
    await until(() => outcome !== 'pending');
    expect(outcome).toBeInstanceOf(PubSubSubscribeTimeoutError);
    expect((outcome as PubSubSubscribeTimeoutError).topics.map(String)).toEqual(['whispers.2']);
    expect(errors.map((e) => e.code)).toEqual(['PUBSUB_SUBSCRIBE_TIMEOUT']);
    expect(pool.topics.map(String)).toEqual(['whispers.1']);
    await until(() => server.frames[0]?.some((f) => f.type === 'UNLISTEN') === true);
  });

  it('keeps the topics a server acknowledged in time', async () => {
    const server = await hostile(polite);
    const clock = new FakeClock();
    const { pool } = makePool(server.url, { clock, subscribeTimeoutMs: 5_000 });
    await pool.subscribeTopics([whispers('token', 1)]);
    expect(clock.pending).toBe(1); // the PING timer only: the deadline is cleared
    expect(pool.topics.map(String)).toEqual(['whispers.1']);
  });
});

describe('connection failures reach the caller or an event, never an unhandled rejection', () => {
  it('failed reconnects are reported as pubsub_error', async () => {
    const server = await hostile(polite);
    const { pool, errors } = makePool(server.url, { backoff: { initialMs: 5, maxMs: 20, jitterMs: 1 } });
    await pool.subscribeTopics([whispers('token', 1)]);
    await server.close(); // the server goes away: every reconnect attempt is refused
    await until(() => errors.filter((e) => e.code === 'PUBSUB_CONNECT_FAILED').length >= 2);
    expect(pool.connections[0]?.state).toBe('reconnecting');
  });

  it('concurrent calls on a connection that cannot open both reject with typed errors', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', record);
    try {
      const { pool } = makePool('ws://127.0.0.1:1');
      const results = await Promise.allSettled([
        pool.subscribeTopics([whispers('token', 1)]),
        pool.subscribeTopics([whispers('token', 2)]),
      ]);
      expect(results.map((r) => r.status === 'rejected' && (r.reason as TwitchError).code)).toEqual([
        'PUBSUB_CONNECT_FAILED',
        'PUBSUB_CLOSED',
      ]);
      // Unhandled rejections are reported after the microtask queue drains: one macrotask is enough.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('options', () => {
  it('refuses an explicit url: undefined (a misspelt variable never means production)', () => {
    // What the docs once did: `emulator.pubSubUrl` (no such member) is `undefined` in plain JavaScript.
    const emulator = {} as { pubSubUrl?: string };
    const options = { url: emulator.pubSubUrl } as PubSubPoolOptions;
    let caught: unknown;
    try {
      new PubSubPool(newEvents(), options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'url' });
    expect((caught as Error).message).toContain('omit the key');
    expect(() => new PubSubPool(newEvents(), { url: '' })).toThrow(InvalidArgumentError);
  });

  it.each([
    ['pongTimeoutMs', { pongTimeoutMs: 0 }],
    ['responseTimeoutMs', { responseTimeoutMs: 0 }],
    ['connectTimeoutMs', { connectTimeoutMs: Number.NaN }],
    ['pingIntervalMs', { pingIntervalMs: 0 }],
    ['subscribeTimeoutMs', { subscribeTimeoutMs: 1e12 }],
    ['subscribeTimeoutMs', { subscribeTimeoutMs: 2 ** 31 }],
    ['backoff.initialMs', { backoff: { initialMs: 0, maxMs: 0 } }],
    ['backoff.maxMs', { backoff: { maxMs: 2 ** 31 } }],
    ['backoff.jitterMs', { backoff: { jitterMs: Infinity } }],
    ['backoff', { backoff: 5 as unknown as { initialMs: number } }],
  ] as const)('refuses %s that a timer would misread or loop on', (field, options) => {
    let caught: unknown;
    try {
      new PubSubPool(newEvents(), { url: 'ws://127.0.0.1:1', ...options });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).field).toBe(field);
  });
});
