/**
 * The cost of metrics (issue 19): the same AutoClient dispatch with `metrics: true` (the default) and
 * `metrics: false`, CPU per message, as a ratio measured in the same run. Goal: within 3 %.
 *
 * Like dispatch.bench.ts, the emulator runs in a child process so `process.cpuUsage()` is the clients' work only.
 * Two AutoClients, each on a conduit of its own with one `channel.follow` subscription (small frames: the fixed
 * per-message cost, which is what metrics add to, weighs most), get batches of the same notifications; the order
 * of the two alternates every round, so both see the same machine conditions. Nobody subscribes to the
 * diagnostics channels (their cost then is one `hasSubscribers` read). A third client, also with metrics off, is a
 * control: its ratio to the second shows the run's noise.
 */
import { AutoClient } from '../src/eventsub/conduit/index.js';
import { appHelix, startEmulatorProcess, type EmulatorHandle } from './emulator-process.js';
import { costFigure, type BenchFigure } from './harness.js';

const BATCH = 5_000;
const ROUNDS = 30;
/** Issue 19: dispatch with metrics on within 3 % of metrics off. */
const MAX_RATIO = 1.03;

interface Side {
  readonly name: string;
  readonly client: AutoClient;
  readonly conduitId: string;
  readonly subscriptionId: string;
  count: number;
  waiter: { goal: number; resolve: () => void } | null;
  cpuUs: number;
}

async function side(emu: EmulatorHandle, token: string, name: string, metrics: boolean, userId: string) {
  await emu.mintUser(userId, ['moderator:read:followers']);
  const client = new AutoClient({
    ...emu.options,
    conduitId: 'create',
    shardIds: [0],
    watchShardDisabled: false,
    reconcileIntervalMs: 0,
    metrics,
  });
  let conduitId = '';
  client.on('ready', (info) => {
    conduitId = info.conduitId;
  });
  await client.start();
  const created = await appHelix(emu, token, 'POST', '/eventsub/subscriptions', {
    type: 'channel.follow',
    version: '2',
    condition: { broadcaster_user_id: userId, moderator_user_id: userId },
    transport: { method: 'conduit', conduit_id: conduitId },
  });
  const s: Side = {
    name,
    client,
    conduitId,
    subscriptionId: created.data[0]?.id ?? '',
    count: 0,
    waiter: null,
    cpuUs: 0,
  };
  let sink = 0;
  client.on('channel.follow', (event) => {
    sink += event.user.displayName.length;
    if (++s.count === s.waiter?.goal) s.waiter.resolve();
  });
  if (sink < 0) throw new Error('unreachable');
  return s;
}

async function measure(emu: EmulatorHandle, s: Side): Promise<number> {
  const finished = new Promise<void>((resolve) => (s.waiter = { goal: s.count + BATCH, resolve }));
  const cpu = process.cpuUsage();
  const delivered = await emu.trigger(s.subscriptionId, BATCH);
  if (delivered !== BATCH) throw new Error(`the emulator delivered ${delivered} of ${BATCH}`);
  await finished;
  const used = process.cpuUsage(cpu);
  return used.user + used.system;
}

export async function run(): Promise<BenchFigure[]> {
  const emu = await startEmulatorProcess();
  const sides: Side[] = [];
  try {
    const token = await emu.appToken();
    sides.push(
      await side(emu, token, 'metrics on', true, '301'),
      await side(emu, token, 'metrics off', false, '302'),
      await side(emu, token, 'control', false, '303'),
    );
    const [on, off, control] = sides as [Side, Side, Side];
    for (const s of sides) await measure(emu, s); // warm-up
    const orders: readonly (readonly Side[])[] = [
      [on, off, control],
      [control, on, off],
      [off, control, on],
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of orders[round % orders.length] ?? []) s.cpuUs += await measure(emu, s);
    }
    const events = on.client.metrics().find((m) => m.name === 'twitch_realtime_eventsub_notifications_total');
    if (events?.samples[0]?.value !== (ROUNDS + 1) * BATCH)
      throw new Error('metrics on did not count every event');
    const perMessage = (s: Side): number => Math.round((s.cpuUs / (ROUNDS * BATCH)) * 1000) / 1000;
    return [
      costFigure(
        'AutoClient channel.follow: CPU per message, metrics on (vs the mean of two clients with metrics off)',
        perMessage(on),
        Math.round(((perMessage(off) + perMessage(control)) / 2) * 1000) / 1000,
        'µs',
        MAX_RATIO,
      ),
      // Two clients with metrics off, one against the other: the run's noise (informative, ideally near 1).
      {
        ...costFigure(
          'AutoClient channel.follow: CPU per message, metrics off (control: vs the other metrics off)',
          perMessage(control),
          perMessage(off),
          'µs',
          Infinity,
        ),
        target: 'noise (info)',
      },
    ];
  } finally {
    for (const s of sides) {
      await s.client.close();
      await emu.appToken().then((t) => appHelix(emu, t, 'DELETE', `/eventsub/conduits?id=${s.conduitId}`));
    }
    await emu.close();
  }
}
