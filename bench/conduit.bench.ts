/**
 * Conduit client benchmarks, against the emulator running in a worker thread (so its heap and CPU are not counted):
 *
 * - Dispatch throughput of an AutoClient (1 shard, conduit on the emulator) with a typed handler, as a ratio to a
 *   raw `ws` client on the emulator's EventSub WebSocket doing `JSON.parse(data.toString())` and a handler call, in
 *   the same run. Target >= 0.5: the typed path builds a model per event (a subscription model, dates, the event
 *   model; about half of the gap) and deduplicates, which a raw client skips. The 0.85 bound is for the raw
 *   socket dispatch with a no-op handler, measured by session.bench.ts. Both are bound to a conduit shard and get the same number of notifications from
 *   the emulator's `trigger` (generated in the worker): `channel.chat.message` (the high-volume type, ~1.5 KB
 *   frames) and `channel.follow` (~750 B frames, where the fixed per-message cost weighs most). As in
 *   session.bench.ts, the rate is messages per second of main-thread busy time (event-loop utilisation), so the
 *   figure measures client work only, and batches to both clients alternate so both see the same conditions.
 * - Start-up time of an AutoClient with 100 and 1,000 shards: conduit creation, every shard connected and welcomed,
 *   chunked assignment, `ready`. Absolute bounds (there is no baseline library to run here).
 * - Heap per idle shard (connected, assigned, nothing flowing): main-isolate heap growth over 500 shards
 *   (target <= 50 KB). Socket buffers are native memory and are not included.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { Emulator, type EmulatorClientOptions } from '../src/emulator/index.js';
import { AutoClient } from '../src/eventsub/conduit/index.js';
import { boundFigure, ratioFigure, type BenchFigure } from './harness.js';

const IDLE_SHARDS = 500;
/** Dispatch figure: notifications per batch, and alternated rounds per client (after one warm-up batch each). */
const BATCH = 5_000;
const ROUNDS = 20;

/** A command to the emulator worker. */
type WorkerCommand =
  | { readonly op: 'mintUser'; readonly userId: string; readonly scopes: readonly string[] }
  | { readonly op: 'appToken' }
  | { readonly op: 'trigger'; readonly subscriptionId: string; readonly count: number }
  | { readonly op: 'close' };

/** A command as posted; `id` pairs it with its answer. */
type WorkerRequest = WorkerCommand & { readonly id: number };

interface WorkerAnswer {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

interface EmulatorHandle {
  readonly options: EmulatorClientOptions;
  /** Mints a user token in the emulator (the user authorizes the default app with `scopes`). */
  mintUser(userId: string, scopes: readonly string[]): Promise<void>;
  /** An app access token of the default app. */
  appToken(): Promise<string>;
  /** Triggers `count` notifications of one subscription; resolves with how many reached a socket. */
  trigger(subscriptionId: string, count: number): Promise<number>;
  close(): Promise<void>;
}

if (
  !isMainThread &&
  (workerData as { conduitBenchEmulator?: boolean } | null)?.conduitBenchEmulator === true
) {
  const emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity, unusedTimeoutMs: 60_000 });
  parentPort?.postMessage(emu.clientOptions());
  parentPort?.on('message', (request: WorkerRequest) => {
    const answer = (result: unknown): void => {
      parentPort?.postMessage({ id: request.id, result } satisfies WorkerAnswer);
    };
    try {
      switch (request.op) {
        case 'mintUser':
          emu.mintUserToken({ userId: request.userId, scopes: request.scopes });
          answer(null);
          break;
        case 'appToken':
          answer(emu.mintAppToken().accessToken);
          break;
        case 'trigger':
          answer(emu.trigger({ subscriptionId: request.subscriptionId, count: request.count }).delivered);
          break;
        case 'close':
          void emu.close().then(() => {
            answer(null);
            parentPort?.close();
          });
          break;
      }
    } catch (error) {
      parentPort?.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies WorkerAnswer);
    }
  });
}

/** Starts the emulator in a worker thread (this same module) and resolves with a handle to it. */
async function startEmulator(): Promise<EmulatorHandle> {
  // Workers do not inherit the TypeScript loader: register it, then load this module.
  const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(source, { eval: true, workerData: { conduitBenchEmulator: true } });
  const options = await new Promise<EmulatorClientOptions>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  worker.on('message', (answer: WorkerAnswer) => {
    const waiter = pending.get(answer.id);
    if (waiter === undefined) return;
    pending.delete(answer.id);
    if (answer.error === undefined) waiter.resolve(answer.result);
    else waiter.reject(new Error(answer.error));
  });
  let seq = 0;
  const call = <T>(command: WorkerCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...command, id } satisfies WorkerRequest);
    });
  return {
    options,
    mintUser: (userId, scopes) => call<undefined>({ op: 'mintUser', userId, scopes }),
    appToken: () => call<string>({ op: 'appToken' }),
    trigger: (subscriptionId, count) => call<number>({ op: 'trigger', subscriptionId, count }),
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await call<undefined>({ op: 'close' });
      await exited;
    },
  };
}

function client(emu: EmulatorHandle, shards: number): AutoClient {
  return new AutoClient({
    ...emu.options,
    conduitId: 'create',
    shardIds: Array.from({ length: shards }, (_, i) => i),
    watchShardDisabled: false,
    reconcileIntervalMs: 0,
    connectConcurrency: 64,
  });
}

async function startup(emu: EmulatorHandle, shards: number, maxMs: number): Promise<BenchFigure> {
  const c = client(emu, shards);
  let ready = 0;
  c.on('ready', (info) => {
    ready = info.readyShards.length;
  });
  const started = performance.now();
  await c.start();
  const elapsed = performance.now() - started;
  await c.close();
  if (ready !== shards) throw new Error(`only ${ready} of ${shards} shards were ready`);
  return boundFigure(`start-up, ${shards.toLocaleString('en-US')} shards`, Math.round(elapsed), 'ms', {
    max: maxMs,
  });
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function idleHeap(emu: EmulatorHandle): Promise<BenchFigure> {
  const gc = collectGarbage();
  const warm = client(emu, 4);
  await warm.start();
  await warm.close();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const before = process.memoryUsage().heapUsed;
  const c = client(emu, IDLE_SHARDS);
  c.on('notification', () => undefined);
  await c.start();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  await c.close();
  const perShard = (after - before) / IDLE_SHARDS / 1024;
  return boundFigure('heap per idle shard', Math.round(perShard * 10) / 10, 'KB', { max: 50 });
}

interface Counter {
  count: number;
  waiter: { goal: number; resolve: () => void } | null;
}

function tick(counter: Counter): void {
  if (++counter.count === counter.waiter?.goal) counter.waiter.resolve();
}

/** Busy main-thread time (ms) spent receiving `count` notifications of one subscription, counted by `done`. */
async function busyFor(
  emu: EmulatorHandle,
  subscriptionId: string,
  count: number,
  done: Counter,
): Promise<number> {
  const goal = done.count + count;
  const finished = new Promise<void>((resolve) => (done.waiter = { goal, resolve }));
  const elu = performance.eventLoopUtilization();
  const delivered = await emu.trigger(subscriptionId, count);
  if (delivered !== count) throw new Error(`the emulator delivered ${delivered} of ${count} notifications`);
  await finished;
  return performance.eventLoopUtilization(elu).active;
}

/** A Helix call with the default app's token. */
async function appHelix(
  emu: EmulatorHandle,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ data: { id: string }[] }> {
  const res = await fetch(`${emu.options.helixUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Client-Id': emu.options.clientId,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? { data: [] } : ((await res.json()) as { data: { id: string }[] });
}

/** A notification type streamed through both clients. */
interface StreamSpec {
  readonly type: 'channel.chat.message' | 'channel.follow';
  readonly version: string;
  /** Scopes the user grants the app so that a conduit subscription is authorized. */
  readonly scopes: readonly string[];
  readonly condition: (userId: string) => Record<string, string>;
  /** The baseline handler's work: one field of the wire event. */
  readonly rawField: (event: Record<string, unknown>) => unknown;
  /** Registers the typed handler of the AutoClient; it calls `seen` with one field of the model. */
  readonly listen: (c: AutoClient, seen: (field: string) => void) => void;
}

const STREAMS: readonly StreamSpec[] = [
  {
    // The high-volume type (as in session.bench.ts): ~1.5 KB frames, a structured message to model.
    type: 'channel.chat.message',
    version: '1',
    scopes: ['user:read:chat', 'user:bot'],
    condition: (userId) => ({ broadcaster_user_id: userId, user_id: userId }),
    rawField: (event) => event.chatter_user_name,
    listen: (c, seen) => {
      c.on('channel.chat.message', (event) => {
        seen(event.chatter.displayName);
      });
    },
  },
  {
    // A small frame (~750 B): the fixed per-message cost weighs most.
    type: 'channel.follow',
    version: '2',
    scopes: ['moderator:read:followers'],
    condition: (userId) => ({ broadcaster_user_id: userId, moderator_user_id: userId }),
    rawField: (event) => event.user_name,
    listen: (c, seen) => {
      c.on('channel.follow', (event) => {
        seen(event.user.displayName);
      });
    },
  },
];

/** Subscribes `spec` for `userId` to a conduit; returns the subscription id. */
async function subscribe(
  emu: EmulatorHandle,
  token: string,
  spec: StreamSpec,
  conduitId: string,
  userId: string,
): Promise<string> {
  const created = await appHelix(emu, token, 'POST', '/eventsub/subscriptions', {
    type: spec.type,
    version: spec.version,
    condition: spec.condition(userId),
    transport: { method: 'conduit', conduit_id: conduitId },
  });
  return created.data[0]!.id;
}

/**
 * A raw `ws` client bound to a shard of its own conduit (`JSON.parse(data.toString())` and a handler call) and an
 * AutoClient (one shard) with a typed handler receive alternating batches of the same size of `spec.type`.
 */
async function dispatch(
  emu: EmulatorHandle,
  spec: StreamSpec,
  users: [string, string],
): Promise<BenchFigure> {
  const token = await emu.appToken();
  for (const user of users) await emu.mintUser(user, spec.scopes);
  const rawCount: Counter = { count: 0, waiter: null };
  const ourCount: Counter = { count: 0, waiter: null };
  let sink = 0;

  // Baseline: a raw socket as shard 0 of its own conduit.
  const rawConduit = (await appHelix(emu, token, 'POST', '/eventsub/conduits', { shard_count: 1 })).data[0]!
    .id;
  const raw = new WebSocket(emu.options.eventSubWsUrl, { perMessageDeflate: false });
  const welcomed = new Promise<string>((resolve, reject) => {
    raw.once('error', reject);
    raw.once('message', (data: Buffer) => {
      resolve((JSON.parse(data.toString()) as { payload: { session: { id: string } } }).payload.session.id);
    });
  });
  const rawHandler = (event: Record<string, unknown>): void => {
    sink += String(spec.rawField(event)).length;
    tick(rawCount);
  };
  const sessionId = await welcomed;
  raw.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as {
      metadata: { message_type: string };
      payload: { event: Record<string, unknown> };
    };
    if (message.metadata.message_type === 'notification') rawHandler(message.payload.event);
  });
  await appHelix(emu, token, 'PATCH', '/eventsub/conduits/shards', {
    conduit_id: rawConduit,
    shards: [{ id: '0', transport: { method: 'websocket', session_id: sessionId } }],
  });
  const rawSub = await subscribe(emu, token, spec, rawConduit, users[0]);

  // Ours: an AutoClient with one shard on a conduit it creates.
  const c = client(emu, 1);
  spec.listen(c, (field) => {
    sink += field.length;
    tick(ourCount);
  });
  let conduitId = '';
  c.on('ready', (info) => {
    conduitId = info.conduitId;
  });
  let rawBusy = 0;
  let ourBusy = 0;
  try {
    await c.start();
    const ourSub = await subscribe(emu, token, spec, conduitId, users[1]);
    // Warm-up of both paths, then alternate.
    await busyFor(emu, rawSub, BATCH, rawCount);
    await busyFor(emu, ourSub, BATCH, ourCount);
    for (let round = 0; round < ROUNDS; round++) {
      rawBusy += await busyFor(emu, rawSub, BATCH, rawCount);
      ourBusy += await busyFor(emu, ourSub, BATCH, ourCount);
    }
  } finally {
    raw.close();
    await c.close();
    // Twitch allows 5 conduits per client: leave room for the other figures.
    for (const id of [rawConduit, conduitId]) {
      if (id !== '') await appHelix(emu, token, 'DELETE', `/eventsub/conduits?id=${id}`, undefined);
    }
  }
  const rawRate = sink > 0 ? ((ROUNDS * BATCH) / rawBusy) * 1000 : 0;
  const ourRate = ((ROUNDS * BATCH) / ourBusy) * 1000;
  return ratioFigure(
    `AutoClient typed ${spec.type} msgs/s (vs raw ws + JSON.parse)`,
    Math.round(ourRate),
    Math.round(rawRate),
    'msg/s',
    0.5,
  );
}

export async function run(): Promise<BenchFigure[]> {
  const emu = await startEmulator();
  try {
    return [
      await dispatch(emu, STREAMS[0]!, ['101', '102']),
      await dispatch(emu, STREAMS[1]!, ['201', '202']),
      await startup(emu, 100, 2_000),
      await startup(emu, 1_000, 10_000),
      await idleHeap(emu),
    ];
  } finally {
    await emu.close();
  }
}
