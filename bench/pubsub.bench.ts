/**
 * PubSub pool benchmarks.
 *
 * - Time to subscribe 500 topics over 10 connections (10 calls of 50 topics, each LISTEN acknowledged) against the
 *   emulator's PubSub server, as a ratio to a raw `ws` client doing the same LISTENs in the same run.
 * - Message throughput: `channel-bits-events-v2` messages decoded into `PubSubBitsMessage` and dispatched as
 *   `pubsub_message` + `pubsub_bits`, as a ratio to a raw `ws` client doing `JSON.parse` of the frame and of the
 *   inner message (target >= 0.85). The emulator runs in a worker thread (this same file), and the rate is messages
 *   per second of main-thread busy time (event-loop utilisation), so only client work is measured; batches to both
 *   clients alternate.
 * - The cost of metrics (issue 19): the same dispatch through a pool with `metrics: false`, in the same rounds; the
 *   figure is the busy time per message with metrics on over off (goal: within 3 %).
 */
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { TypedEmitter } from '../src/core/emitter.js';
import { PubSubPool, moderationUserAction, bits } from '../src/pubsub/index.js';
import type { PubSubEvents, Topic } from '../src/pubsub/index.js';
import { costFigure, median, ratioFigure, type BenchFigure } from './harness.js';

const BATCH = 10_000;
const ROUNDS = 20;
const TOPIC = 'channel-bits-events-v2.42';

interface ServerInfo {
  url: string;
  token: string;
}

// ---- worker side: the emulator ----------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const { createPlatform } = await import('../src/emulator/http/server.js');
  const { attachPubSub, samplePubSubMessage } = await import('../src/emulator/pubsub/index.js');
  const platform = await createPlatform({ port: 0 });
  const server = attachPubSub(platform, { maxBufferedMessages: 1e9 });
  const token = platform.mintUserToken({
    userId: '42',
    scopes: ['bits:read', 'channel:moderate'],
  }).accessToken;
  const message = JSON.stringify(samplePubSubMessage(TOPIC));
  const port = parentPort;
  if (port === null) return;
  port.on('message', (msg: { publish?: number; close?: boolean }) => {
    if (msg.publish !== undefined) {
      let left = msg.publish;
      const pump = (): void => {
        const n = Math.min(left, 500);
        for (let i = 0; i < n; i++) server.publish(TOPIC, message);
        left -= n;
        if (left > 0) setImmediate(pump);
      };
      pump();
    }
    if (msg.close === true) {
      void server
        .close()
        .then(() => platform.close())
        .then(() => {
          port.close();
        });
    }
  });
  port.postMessage({ url: server.url, token } satisfies ServerInfo);
}

if (!isMainThread && (workerData as { pubsubBenchServer?: boolean } | null)?.pubsubBenchServer === true) {
  await serve();
}

// ---- main side ---------------------------------------------------------------------------------------------------

function startServer(): Promise<{ worker: Worker; info: ServerInfo }> {
  // The worker loads this same file through tsx's loader, then serves.
  const source = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(source, { eval: true, workerData: { pubsubBenchServer: true } });
  return new Promise((resolve, reject) => {
    worker.once('message', (info: ServerInfo) => {
      resolve({ worker, info });
    });
    worker.once('error', reject);
  });
}

interface RawClient {
  readonly ws: WebSocket;
  readonly counter: Counter;
  send(type: 'LISTEN' | 'UNLISTEN', topics: readonly string[]): Promise<void>;
}

/** A raw `ws` client: LISTEN/UNLISTEN with a nonce, then parse every frame and its inner message. */
async function rawClient(info: ServerInfo, topics: readonly string[]): Promise<RawClient> {
  const ws = new WebSocket(info.url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const counter = new Counter();
  let acked: (() => void) | undefined;
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { type: string; data?: { message: string } };
    if (frame.type === 'MESSAGE' && frame.data !== undefined) {
      JSON.parse(frame.data.message);
      counter.hit();
    } else if (frame.type === 'RESPONSE') acked?.();
  });
  const client: RawClient = {
    ws,
    counter,
    send: (type, list) =>
      new Promise<void>((resolve) => {
        acked = resolve;
        const data = type === 'LISTEN' ? { topics: list, auth_token: info.token } : { topics: list };
        ws.send(JSON.stringify({ type, nonce: 'n', data }));
      }),
  };
  await client.send('LISTEN', topics);
  return client;
}

/** Counts deliveries and resolves a waiter when a target is reached (no polling: it would count as busy time). */
class Counter {
  n = 0;
  #target = Infinity;
  #done: (() => void) | undefined;

  hit(): void {
    if (++this.n >= this.#target) this.#done?.();
  }

  reach(target: number): Promise<void> {
    return new Promise((resolve) => {
      this.#target = target;
      this.#done = resolve;
      if (this.n >= target) resolve();
    });
  }
}

async function busyRate(worker: Worker, counter: Counter, batch: number): Promise<number> {
  const reached = counter.reach(counter.n + batch);
  const elu0 = performance.eventLoopUtilization();
  worker.postMessage({ publish: batch });
  await reached;
  const elu = performance.eventLoopUtilization(elu0);
  return batch / (elu.active / 1000);
}

async function subscribeFigure(info: ServerInfo): Promise<BenchFigure> {
  const groups: Topic[][] = Array.from({ length: 10 }, (_, g) =>
    Array.from({ length: 50 }, (_, i) => moderationUserAction(info.token).with(42, 1000 + g * 50 + i)),
  );
  const ours: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < 7; round++) {
    const pool = new PubSubPool(new TypedEmitter<PubSubEvents>(), { url: info.url });
    let t0 = performance.now();
    await Promise.all(groups.map((group) => pool.subscribeTopics(group)));
    ours.push(performance.now() - t0);
    if (pool.connections.length !== 10) throw new Error('expected 10 connections');
    await pool.close();
    t0 = performance.now();
    const clients = await Promise.all(groups.map((group) => rawClient(info, group.map(String))));
    raw.push(performance.now() - t0);
    for (const c of clients) c.ws.terminate();
  }
  // The first round warms up both paths.
  const value = median(ours.slice(1));
  const baseline = median(raw.slice(1));
  // Lower is better: the ratio is baseline / ours.
  return {
    ...ratioFigure('pubsub subscribe 500 topics / 10 conns', baseline, value, 'ms', 0.5),
    value,
    baseline,
  };
}

/** Runs the PubSub benchmarks. */
export async function run(): Promise<BenchFigure[]> {
  const { worker, info } = await startServer();
  try {
    const subscribe = await subscribeFigure(info);

    const events = new TypedEmitter<PubSubEvents>();
    const ours = new Counter();
    events.on('pubsub_bits', () => {
      ours.hit();
    });
    events.on('pubsub_message', () => undefined);
    const pool = new PubSubPool(events, { url: info.url });
    // The same pool and listeners with metrics off: what counting a message per topic type costs.
    const bare = new TypedEmitter<PubSubEvents>();
    const bareCounter = new Counter();
    bare.on('pubsub_bits', () => {
      bareCounter.hit();
    });
    bare.on('pubsub_message', () => undefined);
    const barePool = new PubSubPool(bare, { url: info.url, metrics: false });
    await pool.subscribeTopics([bits(info.token).with(42)]);
    const raw = await rawClient(info, [TOPIC]);
    await raw.send('UNLISTEN', [TOPIC]);
    await pool.unsubscribeTopics([bits(info.token).with(42)]);
    const oursRates: number[] = [];
    const rawRates: number[] = [];
    const bareRates: number[] = [];
    const measureBare = async (): Promise<void> => {
      await barePool.subscribeTopics([bits(info.token).with(42)]);
      bareRates.push(await busyRate(worker, bareCounter, BATCH));
      await barePool.unsubscribeTopics([bits(info.token).with(42)]);
    };
    // Alternate: only one client listens during each batch.
    const measureOurs = async (): Promise<void> => {
      await pool.subscribeTopics([bits(info.token).with(42)]);
      oursRates.push(await busyRate(worker, ours, BATCH));
      await pool.unsubscribeTopics([bits(info.token).with(42)]);
    };
    const measureRaw = async (): Promise<void> => {
      await raw.send('LISTEN', [TOPIC]);
      rawRates.push(await busyRate(worker, raw.counter, BATCH));
      await raw.send('UNLISTEN', [TOPIC]);
    };
    // Warm-up, then rounds in alternating order.
    await measureOurs();
    await measureRaw();
    await measureBare();
    oursRates.length = 0;
    rawRates.length = 0;
    bareRates.length = 0;
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        await measureOurs();
        await measureRaw();
        await measureBare();
      } else {
        await measureBare();
        await measureRaw();
        await measureOurs();
      }
    }
    raw.ws.terminate();
    await pool.close();
    await barePool.close();
    const perMessageUs = (rates: number[]): number => Math.round((1e6 / median(rates)) * 1000) / 1000;
    return [
      subscribe,
      ratioFigure('pubsub messages/s (busy time)', median(oursRates), median(rawRates), 'msg/s', 0.85),
      costFigure(
        'pubsub dispatch: busy time per message, metrics on (vs metrics: false)',
        perMessageUs(oursRates),
        perMessageUs(bareRates),
        'µs',
        1.03,
      ),
    ];
  } finally {
    worker.postMessage({ close: true });
  }
}
