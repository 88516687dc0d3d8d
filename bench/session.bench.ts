/**
 * EventSub session benchmarks.
 *
 * - Dispatch throughput of one session with a no-op handler, as a ratio to a raw `ws` client doing
 *   `JSON.parse(data.toString())` in the same run (target >= 0.85). The server runs in a worker thread and the rate
 *   is messages per second of main-thread busy time (event-loop utilisation), so the figure measures client work
 *   only, not the server's speed or idle waits; batches to both clients alternate so both see the same conditions.
 * - Handover: notifications streamed while the emulator performs `session_reconnect` handovers; lost and duplicated
 *   deliveries (target 0 each).
 * - Heap per idle session (welcomed, nothing flowing): main-isolate heap growth over many sessions (target <= 50 KB).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { Backoff } from '../src/core/backoff.js';
import { Emulator } from '../src/emulator/index.js';
import { EventSubSession } from '../src/eventsub/websocket/session.js';
import { boundFigure, ratioFigure, type BenchFigure } from './harness.js';

const BATCH = 10_000;
const ROUNDS = 24;
const IDLE_SESSIONS = 200;
const HANDOVERS = 20;

/** A `ws` server in a worker: welcomes each socket, then streams `count` distinct notifications on request. */
const SERVER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(workerData.wsPath);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
const [head, tail] = workerData.template;
const sockets = [];
wss.on('connection', (ws) => {
  sockets.push(ws);
  ws.send(workerData.welcome);
  parentPort.postMessage({ connected: sockets.length - 1 });
});
wss.on('listening', () => parentPort.postMessage({ port: wss.address().port }));
parentPort.on('message', (msg) => {
  if (msg.stream !== undefined) {
    const ws = sockets[msg.target];
    let i = 0;
    const prefix = msg.stream;
    const pump = () => {
      while (i < msg.count) {
        ws.send(head + prefix + '-' + i + tail);
        i++;
        if (ws.bufferedAmount > 4 * 1024 * 1024) { setImmediate(pump); return; }
      }
    };
    pump();
  }
  if (msg.close) wss.close(() => parentPort.postMessage({ closed: true }));
});
`;

interface ServerHandle {
  port: number;
  stream(target: number, prefix: string, count: number): void;
  waitConnected(): Promise<void>;
  close(): Promise<void>;
}

function notificationTemplate(): [string, string] {
  const examples = (
    JSON.parse(readFileSync(new URL('../data/eventsub-examples.json', import.meta.url), 'utf8')) as {
      examples: { type: string; version: string; notification: unknown }[];
    }
  ).examples;
  const chat = examples.find((e) => e.type === 'channel.chat.message')!;
  const frame = JSON.stringify({
    metadata: {
      message_id: '@@ID@@',
      message_type: 'notification',
      message_timestamp: new Date().toISOString(),
      subscription_type: chat.type,
      subscription_version: chat.version,
    },
    payload: chat.notification,
  });
  const [head, tail] = frame.split('@@ID@@') as [string, string];
  return [head, tail];
}

function welcome(id: string): string {
  return JSON.stringify({
    metadata: {
      message_id: `w-${id}`,
      message_type: 'session_welcome',
      message_timestamp: new Date().toISOString(),
    },
    payload: {
      session: {
        id,
        status: 'connected',
        connected_at: new Date().toISOString(),
        keepalive_timeout_seconds: 600,
        reconnect_url: null,
      },
    },
  });
}

async function startServer(): Promise<ServerHandle> {
  const worker = new Worker(SERVER_SOURCE, {
    eval: true,
    workerData: {
      wsPath: createRequire(import.meta.url).resolve('ws'),
      template: notificationTemplate(),
      welcome: welcome('BENCH'),
    },
  });
  const listeners: ((msg: Record<string, unknown>) => void)[] = [];
  worker.on('message', (msg: Record<string, unknown>) => {
    for (const l of [...listeners]) l(msg);
  });
  const waitFor = (key: string): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const l = (msg: Record<string, unknown>): void => {
        if (key in msg) {
          listeners.splice(listeners.indexOf(l), 1);
          resolve(msg);
        }
      };
      listeners.push(l);
    });
  const { port } = (await waitFor('port')) as { port: number };
  return {
    port,
    stream: (target, prefix, count) => {
      worker.postMessage({ stream: prefix, count, target });
    },
    waitConnected: async () => {
      await waitFor('connected');
    },
    close: async () => {
      worker.postMessage({ close: true });
      await waitFor('closed');
      await worker.terminate();
    },
  };
}

/** Busy main-thread time spent receiving `count` notifications on client `target` (ms). */
async function busyFor(
  server: ServerHandle,
  target: number,
  prefix: string,
  count: number,
  done: Counter,
): Promise<number> {
  const goal = done.count + count;
  const finished = new Promise<void>((resolve) => (done.waiter = { goal, resolve }));
  const elu = performance.eventLoopUtilization();
  server.stream(target, prefix, count);
  await finished;
  return performance.eventLoopUtilization(elu).active;
}

interface Counter {
  count: number;
  waiter: { goal: number; resolve: () => void } | null;
}

function tick(counter: Counter): void {
  if (++counter.count === counter.waiter?.goal) counter.waiter.resolve();
}

/**
 * Interleaves batches to a raw `ws` client (`JSON.parse(data.toString())`, nothing else) and to an
 * {@link EventSubSession} with a no-op handler, so both see the same machine conditions.
 */
async function throughput(): Promise<BenchFigure> {
  const server = await startServer();
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const rawCount: Counter = { count: 0, waiter: null };
  const ourCount: Counter = { count: 0, waiter: null };
  let sink = 0;
  const raw = new WebSocket(url, { perMessageDeflate: false });
  raw.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { metadata: { message_type: string } };
    if (message.metadata.message_type !== 'notification') return;
    sink += message.metadata.message_type.length;
    tick(rawCount);
  });
  await server.waitConnected();
  const session = new EventSubSession({ url });
  session.on('notification', () => {
    tick(ourCount);
  });
  const connected = server.waitConnected();
  await session.connect();
  await connected;
  let rawBusy = 0;
  let ourBusy = 0;
  try {
    // Warm-up of both paths, then alternate.
    await busyFor(server, 0, 'warm', BATCH, rawCount);
    await busyFor(server, 1, 'warm', BATCH, ourCount);
    for (let round = 0; round < ROUNDS; round++) {
      rawBusy += await busyFor(server, 0, `r${round}`, BATCH, rawCount);
      ourBusy += await busyFor(server, 1, `r${round}`, BATCH, ourCount);
    }
  } finally {
    raw.close();
    await session.close();
    await server.close();
  }
  const rawRate = sink > 0 ? ((ROUNDS * BATCH) / rawBusy) * 1000 : 0;
  const ourRate = ((ROUNDS * BATCH) / ourBusy) * 1000;
  return ratioFigure(
    'session dispatch msgs/s (vs raw ws + JSON.parse)',
    Math.round(ourRate),
    Math.round(rawRate),
    'msg/s',
    0.85,
  );
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function idleHeap(): Promise<BenchFigure> {
  const server = await startServer();
  const gc = collectGarbage();
  const sessions: EventSubSession[] = [];
  try {
    // Warm up module state and the socket machinery.
    const warm = new EventSubSession({ url: `ws://127.0.0.1:${server.port}/ws` });
    await warm.connect();
    await warm.close();
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < IDLE_SESSIONS; i++) {
      const session = new EventSubSession({ url: `ws://127.0.0.1:${server.port}/ws` });
      session.on('notification', () => undefined);
      await session.connect();
      sessions.push(session);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    const perSession = (after - before) / IDLE_SESSIONS / 1024;
    return boundFigure('heap per idle session', Math.round(perSession * 10) / 10, 'KB', { max: 50 });
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    await server.close();
  }
}

async function appHelix(emu: Emulator, method: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${emu.clientOptions().helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${emu.mintAppToken().accessToken}`,
      'Client-Id': emu.clientId,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  return await res.json();
}

/**
 * One session bound to a conduit shard of the emulator; notifications are triggered continuously while the
 * emulator performs HANDOVERS `session_reconnect` handovers. Lost = delivered by the emulator but never emitted;
 * duplicates = emitted more than once.
 */
async function handover(): Promise<BenchFigure[]> {
  const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity, reconnectGraceMs: 5000 });
  // 20 handovers back to back, each asked on a socket just welcomed: the session treats that as a storm and backs
  // off from the second in a row. A millisecond backoff keeps the run short; what is measured is loss, not timing.
  const session = new EventSubSession({
    url: emu.clientOptions().eventSubWsUrl,
    backoff: new Backoff({ initialMs: 1, maxMs: 10 }),
  });
  const seen = new Set<string>();
  let emitted = 0;
  session.on('notification', (message) => {
    emitted++;
    seen.add(message.metadata.message_id);
  });
  let handovers = 0;
  session.on('reconnected', (info) => {
    if (info.cause === 'handover') handovers++;
  });
  let sent = 0;
  try {
    const conduit = (await appHelix(emu, 'POST', '/eventsub/conduits', { shard_count: 1 })) as {
      data: { id: string }[];
    };
    const conduitId = conduit.data[0]!.id;
    emu.mintUserToken({ userId: '777', scopes: [] });
    await appHelix(emu, 'POST', '/eventsub/subscriptions', {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: '777' },
      transport: { method: 'conduit', conduit_id: conduitId },
    });
    const sessionId = await session.connect();
    await appHelix(emu, 'PATCH', '/eventsub/conduits/shards', {
      conduit_id: conduitId,
      shards: [{ id: '0', transport: { method: 'websocket', session_id: sessionId } }],
    });
    const fire = (): void => {
      sent += emu.trigger({
        type: 'stream.online',
        version: '1',
        condition: { broadcaster_user_id: '777' },
        count: 20,
      }).delivered;
    };
    for (let i = 0; i < HANDOVERS; i++) {
      for (let j = 0; j < 5; j++) {
        fire();
        await new Promise((resolve) => setImmediate(resolve));
      }
      emu.reconnectSession(sessionId);
      while (handovers <= i) {
        fire();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    fire();
    const deadline = Date.now() + 10_000;
    while (seen.size < sent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await session.close();
    await emu.close();
  }
  return [
    boundFigure(
      `handover: notifications lost (${HANDOVERS} handovers, ${sent} sent)`,
      sent - seen.size,
      'msgs',
      {
        max: 0,
      },
    ),
    boundFigure('handover: notifications emitted twice', emitted - seen.size, 'msgs', { max: 0 }),
  ];
}

export async function run(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  figures.push(await throughput());
  figures.push(...(await handover()));
  figures.push(await idleHeap());
  return figures;
}
