/**
 * The demo scenario, shared by `twitch-realtime demo`, the soak and their tests: the emulator in-process, an
 * {@link AutoClient} on a conduit of N shards, M simulated channels subscribed through `multiSubscribe` to a mix of
 * types, traffic at a given rate, survivable faults, and exactly-once accounting against the emulator's counters.
 *
 * Its parts: traffic.ts (channels, the type mix, the PRNG), faults.ts (the fault injector, designed so that no event
 * has to be lost), front.ts (the webhook shards' front server), ledger.ts (exactly-once accounting). Duplicates and
 * Helix errors are injected by the emulator throughout.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { record, type Recorder } from '../../testing/record.js';
import { AutoClient } from '../../eventsub/conduit/auto-client.js';
import type { SubscriptionInput } from '../../eventsub/conduit/multi-subscribe.js';
import type { MultiSubscribeHandle } from '../../eventsub/conduit/multi-subscribe.js';
import { Emulator } from '../../emulator/emulator.js';
import { TypedEmitter } from '../../core/emitter.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { PubSubPool } from '../../pubsub/pool.js';
import { bits, channelPoints } from '../../pubsub/topics.js';
import type { Topic } from '../../pubsub/topics.js';
import type { PubSubEvents } from '../../pubsub/events.js';
import { FaultInjector, STALL_WINDOW_MS, type FaultTarget } from './faults.js';
import { WebhookFront } from './front.js';
import { DeliveryLedger, accountRun } from './ledger.js';
import type {
  ScenarioOptions,
  ScenarioPhase,
  ScenarioResult,
  ScenarioSnapshot,
  ShardView,
} from './scenario-types.js';
import {
  MIX_TOTAL,
  authorizeChannels,
  channelIds,
  channelSubscriptions,
  delay,
  labelOf,
  pickMix,
  prng,
} from './traffic.js';

export { TYPE_LABELS, prng } from './traffic.js';

export type {
  ScenarioOptions,
  ScenarioPhase,
  ScenarioResult,
  ScenarioSnapshot,
  ShardView,
} from './scenario-types.js';

/**
 * One run of the demo scenario. Create it, read {@link DemoScenario.snapshot} as often as you like while
 * {@link DemoScenario.run} runs.
 *
 * @example
 * ```ts
 * const scenario = new DemoScenario({ shards: 4, channels: 50, durationMs: 5_000 });
 * const result = await scenario.run();
 * console.log(result.accounting.lost); // 0
 * ```
 */
export class DemoScenario {
  readonly #shardCount: number;
  readonly #channelCount: number;
  readonly #rate: number;
  readonly #durationMs: number;
  readonly #faults: boolean;
  readonly #pubsub: boolean;
  readonly #faultEveryMs: number;
  readonly #stalls: boolean;
  readonly #random: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #log: (line: string) => void;
  readonly #record: string | Writable | undefined;
  readonly #attach: ScenarioOptions['attach'];
  readonly #beforeClose: ScenarioOptions['beforeClose'];

  readonly #ledger = new DeliveryLedger();
  readonly #byType = new Map<string, number>();
  readonly #byShard = new Map<string, number>();
  readonly #shardDrops = new Map<string, number>();
  readonly #faultInjector: FaultInjector;
  #phase: ScenarioPhase = 'starting';
  #fatal: Error | undefined;
  #final: ScenarioSnapshot | undefined;
  #startedAt = Date.now();
  #runningSince = 0;
  #runningUntil = 0;
  #emu: Emulator | undefined;
  #client: AutoClient | undefined;
  #subscribe: MultiSubscribeHandle | undefined;
  #subscriptionsTotal = 0;
  #subscriptionErrors = 0;
  #shardsReady = new Set<string>();
  #stallsDetected = 0;
  #clientErrors = 0;
  #pubsubPublished = 0;
  #pubsubReached = 0;
  #pubsubReceived = 0;
  readonly #webhookShards: number;
  #webhookDuplicates = 0;

  constructor(options: ScenarioOptions = {}) {
    checkInt(options.shards, 'shards', 1, 20_000);
    checkInt(options.channels, 'channels', 1, 100_000);
    checkInt(options.seed, 'seed', 0, 2 ** 32 - 1);
    checkInt(options.webhookShards, 'webhookShards', 0, options.shards ?? 4);
    for (const field of ['rate', 'durationMs', 'faultEveryMs'] as const) {
      const value = options[field];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new InvalidArgumentError(`${field} must be a positive number`, field);
      }
    }
    this.#shardCount = options.shards ?? 4;
    this.#channelCount = options.channels ?? 50;
    this.#rate = options.rate ?? 250;
    this.#durationMs = options.durationMs ?? 20_000;
    this.#faults = options.faults ?? true;
    this.#pubsub = options.pubsub ?? false;
    this.#webhookShards = options.webhookShards ?? 0;
    this.#faultEveryMs =
      options.faultEveryMs ?? Math.min(2000, Math.max(400, Math.round(this.#durationMs / 25)));
    this.#stalls = options.stalls ?? this.#durationMs >= STALL_WINDOW_MS + 6000;
    this.#random = prng(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.#signal = options.signal;
    this.#log = options.onLog ?? (() => undefined);
    this.#record = options.record;
    this.#attach = options.attach;
    this.#beforeClose = options.beforeClose;
    this.#faultInjector = new FaultInjector({
      random: this.#random,
      log: this.#log,
      signal: this.#signal,
      shardCount: this.#shardCount,
      webhookShards: this.#webhookShards,
    });
  }

  /** The current state (for the live view); after the run, the state just before everything was closed. */
  snapshot(): ScenarioSnapshot {
    return this.#final ?? this.#take();
  }

  #take(): ScenarioSnapshot {
    const client = this.#client;
    const shards: ShardView[] = [];
    let suppressed = 0;
    let handovers = 0;
    if (client !== undefined) {
      for (const [id, session] of client.conduitInfo.websockets) {
        const stats = session.stats;
        suppressed += stats.duplicates;
        handovers += stats.handovers;
        shards.push({
          id,
          state: this.#faultInjector.stalledShard === id ? 'stalled' : session.state,
          events: this.#byShard.get(id) ?? 0,
          reconnects: (this.#shardDrops.get(id) ?? 0) + stats.handovers,
        });
      }
    }
    const state = this.#emu?.state();
    if (client !== undefined && this.#webhookShards > 0) {
      const remote = state?.conduits.find((c) => c.id === client.conduitInfo.id)?.shards ?? [];
      for (const info of remote) {
        if (info.transport.method !== 'webhook') continue;
        shards.push({
          id: info.id,
          state: info.status === 'enabled' ? 'webhook' : shortStatus(info.status),
          events: this.#byShard.get(info.id) ?? 0,
          reconnects: 0,
        });
      }
    }
    suppressed += this.#webhookDuplicates;
    const counters = state?.counters;
    const now = Date.now();
    return {
      phase: this.#phase,
      elapsedMs: now - this.#startedAt,
      runningMs:
        this.#runningSince === 0
          ? 0
          : (this.#runningUntil === 0 ? now : this.#runningUntil) - this.#runningSince,
      durationMs: this.#durationMs,
      shardsTotal: this.#shardCount,
      shardsReady: this.#shardsReady.size,
      subscriptionsTotal: this.#subscriptionsTotal,
      subscriptionsSettled: this.#subscribe?.settled ?? 0,
      subscriptionErrors: this.#subscriptionErrors,
      shards,
      byType: this.#byType,
      handled: this.#ledger.unique,
      sent: counters?.notifications_sent ?? 0,
      reconnects: { drops: sum(this.#shardDrops.values()), handovers, stalls: this.#stallsDetected },
      duplicatesSuppressed: suppressed,
      duplicatesInjected: counters?.duplicates_sent ?? 0,
      helixErrorsInjected: state?.helix.faulted ?? 0,
      pubsub: this.#pubsub ? { published: this.#pubsubReached, received: this.#pubsubReceived } : null,
    };
  }

  /** Runs the whole scenario; resolves with the accounting once everything is closed. */
  async run(): Promise<ScenarioResult> {
    this.#startedAt = Date.now();
    const webhooks = this.#webhookShards > 0;
    const emu = await Emulator.start({
      port: 0,
      // Loopback http:// callbacks (Twitch itself calls HTTPS on 443); quick retries, far from the failure limit.
      ...(webhooks
        ? {
            allowInsecureWebhooks: true,
            webhook: { retryDelaysMs: [50, 100, 200, 400], failureThreshold: 8, timeoutMs: 5000 },
          }
        : {}),
    });
    this.#emu = emu;
    const channels = channelIds(this.#channelCount);
    const tokens = authorizeChannels(emu, channels);
    const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = emu.clientOptions();
    // The webhook shards' public endpoint: hands requests to the client's receiver, or fails them on purpose.
    const front = webhooks
      ? await WebhookFront.start(() => this.#client?.webhookReceiver ?? null)
      : undefined;
    const client = new AutoClient({
      clientId,
      clientSecret,
      helixUrl,
      oauthUrl,
      eventSubWsUrl,
      conduitId: 'create',
      shardIds: Array.from({ length: this.#shardCount }, (_, i) => i),
      reconcileIntervalMs: 2000,
      shardRetry: { initialMs: 100, maxMs: 1000 },
      reconnectBackoff: { initialMs: 50, maxMs: 1000 },
      ...(front === undefined
        ? {}
        : {
            webhook: {
              shardIds: Array.from(
                { length: this.#webhookShards },
                (_, i) => this.#shardCount - this.#webhookShards + i,
              ),
              callback: `${front.url}/eventsub`,
              secret: randomBytes(24).toString('hex'),
            },
          }),
    });
    this.#client = client;
    client.webhookReceiver?.on('duplicate', () => {
      this.#webhookDuplicates++;
    });
    let pool: PubSubPool | undefined;
    let recorder: Recorder | undefined;
    let attached: { close(): Promise<void> } | undefined;
    try {
      if (this.#attach !== undefined) attached = await this.#attach(client, emu);
      if (this.#record !== undefined) {
        recorder = record(client, this.#record, {
          source: 'demo',
          onError: (error) => {
            this.#log(`recording: ${error.message}`);
          },
        });
      }
      this.#wire(client);
      this.#phase = 'connecting';
      await client.start();
      if (this.#signal?.aborted !== true) {
        this.#phase = 'subscribing';
        await this.#subscribeAll(client, channels);
      }
      let topics: Topic[] = [];
      if (this.#pubsub && this.#signal?.aborted !== true) {
        ({ pool, topics } = await this.#startPubSub(emu, channels, tokens));
      }
      this.#phase = 'running';
      this.#runningSince = Date.now();
      await this.#play({ emu, client, channels, pubsub: topics.length > 0, front }, topics);
      this.#runningUntil = Date.now();
      this.#phase = 'draining';
      await this.#drain(emu, client);
      if (this.#fatal !== undefined) throw this.#fatal;
      const result = this.#result(emu, client);
      await this.#beforeClose?.(result);
      return result;
    } finally {
      if (this.#runningUntil === 0 && this.#runningSince !== 0) this.#runningUntil = Date.now();
      this.#phase = 'done';
      this.#final = this.#take();
      await attached?.close();
      await recorder?.stop();
      await pool?.close();
      await client.close();
      await front?.close();
      await emu.close();
    }
  }

  #wire(client: AutoClient): void {
    client.on('notification', (notification, shardId) => {
      this.#ledger.record(notification.messageId);
      const label = labelOf(notification.subscription.type);
      this.#byType.set(label, (this.#byType.get(label) ?? 0) + 1);
      this.#byShard.set(shardId, (this.#byShard.get(shardId) ?? 0) + 1);
    });
    client.on('shardReady', (info) => {
      const fresh = !this.#shardsReady.has(info.shardId);
      this.#shardsReady.add(info.shardId);
      if (fresh && info.rebind && this.#phase === 'running')
        this.#log(`shard ${info.shardId} is back (new session bound)`);
    });
    client.on('shardDisconnected', (info) => {
      this.#shardsReady.delete(info.shardId);
      this.#shardDrops.set(info.shardId, (this.#shardDrops.get(info.shardId) ?? 0) + 1);
      if (this.#faultInjector.stalledShard === info.shardId) {
        this.#stallsDetected++;
        this.#log(`shard ${info.shardId}: keepalive watchdog gave up on the silent socket, reconnecting`);
      } else {
        this.#log(`shard ${info.shardId} disconnected (${String(info.code)} ${info.reason}), reconnecting`);
      }
    });
    client.on('error', () => {
      this.#clientErrors++;
    });
  }

  async #subscribeAll(client: AutoClient, channels: readonly string[]): Promise<void> {
    const inputs: SubscriptionInput[] = [];
    for (const id of channels) inputs.push(...channelSubscriptions(id));
    this.#subscriptionsTotal = inputs.length;
    const handle = client.multiSubscribe(inputs, { wait: false });
    this.#subscribe = handle;
    const result = await handle.result;
    this.#subscriptionErrors = result.errors.length;
    for (const failure of result.errors.slice(0, 3))
      this.#log(`subscription failed: ${failure.error.message}`);
  }

  async #startPubSub(
    emu: Emulator,
    channels: readonly string[],
    tokens: ReadonlyMap<string, string>,
  ): Promise<{ pool: PubSubPool; topics: Topic[] }> {
    const events = new TypedEmitter<PubSubEvents>();
    events.on('pubsub_message', () => {
      this.#pubsubReceived++;
    });
    const pool = new PubSubPool(events, {
      url: emu.clientOptions().pubSubUrl,
      backoff: { initialMs: 50, maxMs: 1000, jitterMs: 50 },
    });
    const topics: Topic[] = [];
    for (const id of channels) {
      const token = tokens.get(id) ?? '';
      topics.push(channelPoints(token).with(id), bits(token).with(id));
    }
    // One group per connection-full of topics.
    for (let i = 0; i < topics.length; i += pool.maxConnectionTopics) {
      await pool.subscribeTopics(topics.slice(i, i + pool.maxConnectionTopics));
    }
    return { pool, topics };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Traffic and faults
  // ---------------------------------------------------------------------------------------------------------------

  async #play(target: FaultTarget, topics: readonly Topic[]): Promise<void> {
    const { emu, channels } = target;
    if (this.#faults) {
      emu.setFaults({ duplicateRate: 0.02, helixErrorRate: 0.1 });
      const kinds = [
        '2% duplicate deliveries',
        '10% Helix errors',
        ...(this.#shardCount >= 2 ? ['shard drops'] : []),
        'session_reconnect',
        ...(this.#stalls && this.#shardCount >= 2 ? ['a keepalive stall'] : []),
        ...(this.#pubsub ? ['PubSub RECONNECT'] : []),
        ...(this.#webhookShards > 0 ? ['failed webhook deliveries'] : []),
      ];
      this.#log(`faults on: ${kinds.join(', ')}`);
    }
    const random = this.#random;
    const started = this.#runningSince;
    const end = started + this.#durationMs;
    const pubsubRate = this.#pubsub ? Math.max(1, this.#rate / 10) : 0;
    let emitted = 0;
    let published = 0;
    const failure = new AbortController();
    const paused = this.#faultInjector.paused;
    const tick = (): void => {
      try {
        play();
      } catch (error) {
        // The emulator refused to produce traffic: stop the run, report it after cleaning up.
        this.#fatal ??= error instanceof Error ? error : new Error(String(error));
        failure.abort();
      }
    };
    const play = (): void => {
      const now = Date.now();
      const elapsed = Math.min(now, end) - started;
      let due = Math.floor((this.#rate * elapsed) / 1000) - emitted;
      // After a long pause of the event loop, do not burst more than a second's worth.
      if (due > this.#rate) {
        emitted += due - this.#rate;
        due = this.#rate;
      }
      for (let i = 0; i < due; i++) {
        emitted++;
        const channel = channels[Math.floor(random() * channels.length)];
        if (channel === undefined || paused.has(channel)) continue;
        const mix = pickMix(random() * MIX_TOTAL);
        emu.trigger({ type: mix.type, version: mix.version, condition: { [mix.key]: channel } });
      }
      if (pubsubRate > 0 && topics.length > 0) {
        const pubDue = Math.floor((pubsubRate * elapsed) / 1000) - published;
        for (let i = 0; i < pubDue; i++) {
          published++;
          const topic = topics[Math.floor(random() * topics.length)]?.present;
          if (topic == null) continue;
          this.#pubsubPublished++;
          if (emu.pubsub.publish(topic) > 0) this.#pubsubReached++;
        }
      }
    };
    const traffic = setInterval(tick, 20);
    const stalls = this.#stalls && this.#shardCount >= 2;
    const faults = this.#faults
      ? this.#faultInjector.schedule(
          target,
          this.#faultEveryMs,
          end,
          stalls ? started + Math.min(3000, this.#durationMs / 5) : null,
        )
      : undefined;
    try {
      const stop =
        this.#signal === undefined ? failure.signal : AbortSignal.any([this.#signal, failure.signal]);
      await delay(Math.max(0, end - Date.now()), stop);
    } finally {
      clearInterval(traffic);
      faults?.stop();
      if (this.#fatal === undefined) tick();
    }
    await faults?.idle();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Drain and accounting
  // ---------------------------------------------------------------------------------------------------------------

  async #drain(emu: Emulator, client: AutoClient): Promise<void> {
    emu.setFaults({ duplicateRate: 0, helixErrorRate: 0 });
    const conduitId = client.conduitInfo.id;
    const healthy = (): boolean =>
      emu
        .state()
        .conduits.find((c) => c.id === conduitId)
        ?.shards.every((s) => s.status === 'enabled') ?? false;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !healthy()) await delay(20);
    // Everything the emulator wrote to a socket must reach a handler; wait for the stragglers.
    const settled = (): boolean =>
      this.#ledger.unique >= emu.state().counters.delivered &&
      (!this.#pubsub || this.#pubsubReceived >= this.#pubsubReached);
    while (Date.now() < deadline && !settled()) await delay(20);
    await delay(100);
  }

  #result(emu: Emulator, client: AutoClient): ScenarioResult {
    const { counters, helix } = emu.state();
    let suppressed = 0;
    let handovers = 0;
    for (const session of client.conduitInfo.websockets.values()) {
      suppressed += session.stats.duplicates;
      handovers += session.stats.handovers;
    }
    suppressed += this.#webhookDuplicates;
    const accounting = accountRun(counters, this.#ledger, suppressed);
    const pubsub = this.#pubsub
      ? {
          published: this.#pubsubPublished,
          reached: this.#pubsubReached,
          received: this.#pubsubReceived,
          lost: Math.max(0, this.#pubsubReached - this.#pubsubReceived),
        }
      : null;
    const drops = sum(this.#shardDrops.values());
    const injected = this.#faultInjector;
    return {
      accounting,
      pubsub,
      faults: {
        closes: { ...injected.closes },
        handovers: injected.handoversInjected,
        stalls: injected.stallsPlayed,
        stallsDetected: this.#stallsDetected,
        duplicatesInjected: counters.duplicates_sent,
        helixErrors: helix.faulted,
        pubsubReconnects: injected.pubsubReconnects,
        webhookFailures: injected.webhookFailures,
      },
      reconnectsSurvived: drops + handovers,
      subscriptions: {
        created: this.#subscriptionsTotal - this.#subscriptionErrors,
        failed: this.#subscriptionErrors,
      },
      shards: this.#shardCount,
      channels: this.#channelCount,
      runningMs: this.#runningUntil - this.#runningSince,
      clientErrors: this.#clientErrors,
      ok:
        accounting.lost === 0 &&
        accounting.handledTwice === 0 &&
        (pubsub === null || (pubsub.lost === 0 && pubsub.received === pubsub.reached)),
    };
  }
}

function checkInt(value: number | undefined, field: string, min: number, max: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidArgumentError(`${field} must be an integer in ${String(min)}..${String(max)}`, field);
  }
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** A shard status short enough for the shard table. */
function shortStatus(status: string): string {
  return status.replace('webhook_callback_', '').replace('notification_failures_exceeded', 'failing');
}
