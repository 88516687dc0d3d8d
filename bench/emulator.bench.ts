/**
 * Emulator throughput: notifications per second pushed to local sockets. Four raw `ws` clients (on a worker thread,
 * as real consumers would be in another process) are bound as the shards of one conduit with 64 subscriptions (64
 * broadcasters spread over the shards); notifications are triggered in bulk through `Emulator.trigger` (not HTTP)
 * and counted when the clients have received them.
 *
 * Bound: >= 100,000 notifications/s.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Emulator } from '../src/emulator/index.js';
import { boundFigure, median } from './harness.js';
import type { BenchFigure } from './harness.js';

const SHARDS = 4;
const BROADCASTERS = 64;
const TOTAL = 200_000;
const CHUNK = 50; // per subscription per trigger call → 3,200 notifications per call
const RUNS = 5;

/** Client side, run on a worker: connect, report session ids, count every frame into shared memory. */
const CLIENTS = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const counter = new Int32Array(workerData.counter);
const ids = [];
for (const url of workerData.urls) {
  const ws = new WebSocket(url);
  ws.once('message', (data) => {
    ids.push(JSON.parse(data.toString()).payload.session.id);
    ws.on('message', () => { Atomics.add(counter, 0, 1); });
    if (ids.length === workerData.urls.length) parentPort.postMessage(ids);
  });
}
parentPort.on('message', () => { process.exit(0); });
`;

async function helix<T = unknown>(
  emu: Emulator,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<T> {
  const res = await fetch(`${emu.clientOptions().helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Client-Id': emu.clientId,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

async function setup(): Promise<{ emu: Emulator; worker: Worker; received: () => number }> {
  const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity });
  const app = emu.mintAppToken().accessToken;
  const created = await helix<{ data: { id: string }[] }>(emu, app, 'POST', '/eventsub/conduits', {
    shard_count: SHARDS,
  });
  const conduit = created.data[0]!.id;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(CLIENTS, {
    eval: true,
    workerData: {
      wsPath: createRequire(import.meta.url).resolve('ws'),
      urls: Array.from({ length: SHARDS }, () => emu.clientOptions().eventSubWsUrl),
      counter: counter.buffer,
    },
  });
  const sessionIds = await new Promise<string[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await helix(emu, app, 'PATCH', '/eventsub/conduits/shards', {
    conduit_id: conduit,
    shards: sessionIds.map((session_id, i) => ({
      id: String(i),
      transport: { method: 'websocket', session_id },
    })),
  });
  for (let b = 0; b < BROADCASTERS; b++) {
    const id = String(10_000 + b);
    emu.mintUserToken({ userId: id, scopes: [] });
    await helix(emu, app, 'POST', '/eventsub/subscriptions', {
      type: 'stream.online',
      version: '1',
      condition: { broadcaster_user_id: id },
      transport: { method: 'conduit', conduit_id: conduit },
    });
  }
  return { emu, worker, received: () => Atomics.load(counter, 0) };
}

const tick = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

async function once(emu: Emulator, received: () => number): Promise<number> {
  const base = received();
  const start = performance.now();
  let sent = 0;
  while (sent < TOTAL) {
    sent += emu.trigger({ type: 'stream.online', version: '1', count: CHUNK }).delivered;
    // Let the sockets drain before queueing more (bounded memory, like a real producer).
    while (received() - base < sent - 20_000) await tick();
  }
  while (received() - base < sent) await tick();
  return (sent / (performance.now() - start)) * 1000;
}

export async function run(): Promise<BenchFigure[]> {
  const { emu, worker, received } = await setup();
  try {
    await once(emu, received); // warm-up
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) rates.push(await once(emu, received));
    const rate = Math.round(median(rates));
    const { dropped } = emu.state().counters;
    if (dropped !== 0) throw new Error(`bench dropped ${dropped} notifications`);
    return [boundFigure('emulator notifications/s to local sockets', rate, 'msg/s', { min: 100_000 })];
  } finally {
    worker.postMessage('exit');
    await emu.close();
  }
}
