/**
 * The demo scenario, shared by `twitch-realtime demo`, the soak and their tests: the emulator in-process, an
 * {@link AutoClient} on a conduit of N shards, M simulated channels subscribed through `multiSubscribe` to a mix of
 * types, traffic at a given rate, survivable faults, and exactly-once accounting against the emulator's counters.
 *
 * Faults are designed so that no event has to be lost: a shard is dropped only while every other shard is enabled
 * (the emulator reroutes its events to another shard), a keepalive stall is played on a shard whose channels are
 * paused (the keepalive watchdog is what must notice it), duplicates and Helix errors are injected throughout.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoClient } from '../../eventsub/conduit/auto-client.js';
import type { SubscriptionInput } from '../../eventsub/conduit/multi-subscribe.js';
import type { MultiSubscribeHandle } from '../../eventsub/conduit/multi-subscribe.js';
import { Emulator } from '../../emulator/emulator.js';
import { fnv1a } from '../../emulator/eventsub/core.js';
import { TypedEmitter } from '../../core/emitter.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { PubSubPool } from '../../pubsub/pool.js';
import { bits, channelPoints } from '../../pubsub/topics.js';
import type { Topic } from '../../pubsub/topics.js';
import type { PubSubEvents } from '../../pubsub/events.js';
import { DeliveryLedger, account, type Accounting } from './ledger.js';

/** Options of a {@link DemoScenario}. */
export interface ScenarioOptions {
  /** Shards of the conduit. @defaultValue 4 */
  readonly shards?: number;
  /** Simulated channels. @defaultValue 50 */
  readonly channels?: number;
  /** Events per second, all channels and types together. @defaultValue 250 */
  readonly rate?: number;
  /** Traffic duration, milliseconds (start-up and the final drain come on top). @defaultValue 20000 */
  readonly durationMs?: number;
  /** Inject faults. @defaultValue true */
  readonly faults?: boolean;
  /** Also run the PubSub pool. @defaultValue false */
  readonly pubsub?: boolean;
  /**
   * Shards served by webhook instead of WebSocket: the last `n` of the conduit, bound to a local receiver behind a
   * front server that the fault injector can make fail deliveries (the emulator retries them). @defaultValue 0
   */
  readonly webhookShards?: number;
  /** Seed of the scenario's choices (channels, types, faults). @defaultValue random */
  readonly seed?: number;
  /** Period of the fault injector, milliseconds. @defaultValue duration / 25, within 400..2000 */
  readonly faultEveryMs?: number;
  /** Play keepalive stalls (each needs ~12 s). @defaultValue when the duration is at least 18 s */
  readonly stalls?: boolean;
  /** Stops the scenario early (it still drains and accounts). */
  readonly signal?: AbortSignal;
  /** Notable happenings (faults, shards coming back), one line each, no trailing newline. */
  readonly onLog?: (line: string) => void;
}

/** Where a scenario is. */
export type ScenarioPhase = 'starting' | 'connecting' | 'subscribing' | 'running' | 'draining' | 'done';

/** One shard in a {@link ScenarioSnapshot}. */
export interface ShardView {
  readonly id: string;
  /** Session state as the client sees it, or `stalled` during a keepalive stall. */
  readonly state: string;
  readonly events: number;
  readonly reconnects: number;
}

/** A point-in-time view of the scenario, for the live view. Cheap to take. */
export interface ScenarioSnapshot {
  readonly phase: ScenarioPhase;
  /** Milliseconds since the scenario started. */
  readonly elapsedMs: number;
  /** Milliseconds of traffic so far, and planned. */
  readonly runningMs: number;
  readonly durationMs: number;
  readonly shardsTotal: number;
  readonly shardsReady: number;
  readonly subscriptionsTotal: number;
  readonly subscriptionsSettled: number;
  readonly subscriptionErrors: number;
  readonly shards: readonly ShardView[];
  /** Handled events per type label (`chat`, `follow`, ...), cumulative. */
  readonly byType: ReadonlyMap<string, number>;
  readonly handled: number;
  readonly sent: number;
  /** Disconnects survived (injected drops and stalls the watchdog caught), `session_reconnect` handovers, stalls. */
  readonly reconnects: { readonly drops: number; readonly handovers: number; readonly stalls: number };
  readonly duplicatesSuppressed: number;
  readonly duplicatesInjected: number;
  readonly helixErrorsInjected: number;
  readonly pubsub: { readonly published: number; readonly received: number } | null;
}

/** What a finished scenario reports. */
export interface ScenarioResult {
  readonly accounting: Accounting;
  readonly pubsub: {
    readonly published: number;
    readonly reached: number;
    readonly received: number;
    readonly lost: number;
  } | null;
  readonly faults: {
    readonly closes: Readonly<Record<string, number>>;
    readonly handovers: number;
    readonly stalls: number;
    readonly stallsDetected: number;
    readonly duplicatesInjected: number;
    readonly helixErrors: number;
    readonly pubsubReconnects: number;
    /** Webhook deliveries answered 500 on purpose (each retried by the emulator). */
    readonly webhookFailures: number;
  };
  readonly reconnectsSurvived: number;
  readonly subscriptions: { readonly created: number; readonly failed: number };
  readonly shards: number;
  readonly channels: number;
  readonly runningMs: number;
  /** Errors the client reported (each survived), by context. */
  readonly clientErrors: number;
  /**
   * `true` when no EventSub notification was lost or handled twice and, with PubSub, every published message that
   * reached a subscribed connection was received once (RECONNECTs are make-before-break, so none is lost in flight).
   */
  readonly ok: boolean;
}

interface MixEntry {
  readonly label: string;
  readonly type: string;
  readonly version: string;
  readonly weight: number;
  readonly key: 'broadcaster_user_id' | 'to_broadcaster_user_id';
}

/** The event mix of a busy channel: chat dominates, stream state changes are rare. */
const MIX: readonly MixEntry[] = [
  { label: 'chat', type: 'channel.chat.message', version: '1', weight: 46, key: 'broadcaster_user_id' },
  { label: 'follow', type: 'channel.follow', version: '2', weight: 15, key: 'broadcaster_user_id' },
  {
    label: 'redemption',
    type: 'channel.channel_points_custom_reward_redemption.add',
    version: '1',
    weight: 11,
    key: 'broadcaster_user_id',
  },
  { label: 'cheer', type: 'channel.cheer', version: '1', weight: 9, key: 'broadcaster_user_id' },
  { label: 'sub', type: 'channel.subscribe', version: '1', weight: 9, key: 'broadcaster_user_id' },
  { label: 'raid', type: 'channel.raid', version: '1', weight: 4, key: 'to_broadcaster_user_id' },
  { label: 'online', type: 'stream.online', version: '1', weight: 3, key: 'broadcaster_user_id' },
  { label: 'offline', type: 'stream.offline', version: '1', weight: 3, key: 'broadcaster_user_id' },
];
const CHAT: MixEntry = {
  label: 'chat',
  type: 'channel.chat.message',
  version: '1',
  weight: 46,
  key: 'broadcaster_user_id',
};
const MIX_TOTAL = MIX.reduce((sum, m) => sum + m.weight, 0);
const LABEL_OF = new Map<string, string>([
  ...MIX.map((m) => [m.type, m.label] as [string, string]),
  ['conduit.shard.disabled', 'shard.disabled'],
]);

/** Type labels in display order. */
export const TYPE_LABELS: readonly string[] = [...MIX.map((m) => m.label), 'shard.disabled'];

const CHANNEL_BASE = 100_000;
const BOT_USER = '99999';
const CLOSE_CODES = [4000, 4002, 4005, 4006] as const;
/** Welcome says 10 s; the client's watchdog waits 10 s × 1.2. */
const STALL_WINDOW_MS = 12_000;
const STALL_MAX_MS = 16_000;

/** A deterministic PRNG (mulberry32): a run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const delay = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

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

  readonly #ledger = new DeliveryLedger();
  readonly #byType = new Map<string, number>();
  readonly #byShard = new Map<string, number>();
  readonly #shardDrops = new Map<string, number>();
  readonly #closes: Record<string, number> = {};
  readonly #paused = new Set<string>();
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
  #stalledShard: string | null = null;
  #handoversInjected = 0;
  #stallsPlayed = 0;
  #stallsDetected = 0;
  #clientErrors = 0;
  #pubsubPublished = 0;
  #pubsubReached = 0;
  #pubsubReceived = 0;
  #pubsubReconnects = 0;
  readonly #webhookShards: number;
  /** Per callback path: deliveries still to fail with 500. */
  readonly #failNext = new Map<string, number>();
  #webhookFailures = 0;
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
          state: this.#stalledShard === id ? 'stalled' : session.state,
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
    const channels = Array.from({ length: this.#channelCount }, (_, i) => String(CHANNEL_BASE + i));
    const tokens = this.#authorize(emu, channels);
    const { clientId, clientSecret, helixUrl, oauthUrl, eventSubWsUrl } = emu.clientOptions();
    // The webhook shards' public endpoint: hands requests to the client's receiver, or fails them on purpose.
    const front = webhooks ? await this.#startFront(() => this.#client?.webhookReceiver ?? null) : undefined;
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
    try {
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
      await this.#play(emu, client, channels, topics);
      this.#runningUntil = Date.now();
      this.#phase = 'draining';
      await this.#drain(emu, client);
      if (this.#fatal !== undefined) throw this.#fatal;
      return this.#result(emu, client);
    } finally {
      if (this.#runningUntil === 0 && this.#runningSince !== 0) this.#runningUntil = Date.now();
      this.#phase = 'done';
      this.#final = this.#take();
      await pool?.close();
      await client.close();
      await front?.close();
      await emu.close();
    }
  }

  /** The front server of the webhook shards: fails the deliveries the fault injector asked for, else hands over. */
  async #startFront(
    receiver: () => { handler: (req: IncomingMessage, res: ServerResponse) => void } | null,
  ): Promise<{ url: string; close: () => Promise<void> }> {
    const server: Server = createServer((req, res) => {
      const path = req.url ?? '';
      const left = this.#failNext.get(path) ?? 0;
      const target = receiver();
      if (target === null || (left > 0 && req.headers['twitch-eventsub-message-type'] === 'notification')) {
        if (left > 0) this.#failNext.set(path, left - 1);
        req.resume();
        res.writeHead(500).end();
        return;
      }
      target.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    return {
      url,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeAllConnections();
        }),
    };
  }

  /** Mints the tokens that authorize the conduit subscriptions (the users "installed the app"). */
  #authorize(emu: Emulator, channels: readonly string[]): Map<string, string> {
    emu.mintUserToken({ userId: BOT_USER, scopes: ['user:read:chat', 'user:bot'] });
    const tokens = new Map<string, string>();
    for (const id of channels) {
      const { accessToken } = emu.mintUserToken({
        userId: id,
        scopes: [
          'channel:bot',
          'moderator:read:followers',
          'channel:read:subscriptions',
          'bits:read',
          'channel:read:redemptions',
        ],
      });
      tokens.set(id, accessToken);
    }
    return tokens;
  }

  #wire(client: AutoClient): void {
    client.on('notification', (notification, shardId) => {
      this.#ledger.record(notification.messageId);
      const label = LABEL_OF.get(notification.subscription.type) ?? notification.subscription.type;
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
      if (this.#stalledShard === info.shardId) {
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
    for (const id of channels) {
      inputs.push(
        {
          type: 'channel.chat.message',
          version: '1',
          condition: { broadcasterUserId: id, userId: BOT_USER },
        },
        { type: 'channel.follow', version: '2', condition: { broadcasterUserId: id, moderatorUserId: id } },
        {
          type: 'channel.channel_points_custom_reward_redemption.add',
          version: '1',
          condition: { broadcasterUserId: id },
        },
        { type: 'channel.cheer', version: '1', condition: { broadcasterUserId: id } },
        { type: 'channel.subscribe', version: '1', condition: { broadcasterUserId: id } },
        { type: 'channel.raid', version: '1', condition: { toBroadcasterUserId: id } },
        { type: 'stream.online', version: '1', condition: { broadcasterUserId: id } },
        { type: 'stream.offline', version: '1', condition: { broadcasterUserId: id } },
      );
    }
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

  async #play(
    emu: Emulator,
    client: AutoClient,
    channels: readonly string[],
    topics: readonly Topic[],
  ): Promise<void> {
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
        if (channel === undefined || this.#paused.has(channel)) continue;
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
    let faultTimer: NodeJS.Timeout | undefined;
    const stallPlan = this.#faults && this.#stalls && this.#shardCount >= 2;
    let nextStallAt = started + Math.min(3000, this.#durationMs / 5);
    const stall: { running: Promise<void> | null } = { running: null };
    if (this.#faults) {
      faultTimer = setInterval(() => {
        if (Date.now() >= end) return;
        if (
          stallPlan &&
          stall.running === null &&
          Date.now() >= nextStallAt &&
          Date.now() + STALL_MAX_MS < end
        ) {
          stall.running = this.#stall(emu, client, channels).finally(() => {
            stall.running = null;
            nextStallAt = Date.now() + 30_000;
          });
          return;
        }
        this.#injectFault(emu, client, topics.length > 0);
      }, this.#faultEveryMs);
    }
    try {
      const stop =
        this.#signal === undefined ? failure.signal : AbortSignal.any([this.#signal, failure.signal]);
      await delay(Math.max(0, end - Date.now()), stop);
    } finally {
      clearInterval(traffic);
      if (faultTimer !== undefined) clearInterval(faultTimer);
      if (this.#fatal === undefined) tick();
    }
    if (stall.running !== null) await stall.running;
  }

  /** One fault: drop a shard (only while all others are enabled), a `session_reconnect`, or a PubSub RECONNECT. */
  #injectFault(emu: Emulator, client: AutoClient, pubsub: boolean): void {
    const random = this.#random;
    const pick = random();
    if (pubsub && pick < 0.1) {
      const connections = emu.pubsub.connections();
      const target = connections[Math.floor(random() * connections.length)];
      if (target !== undefined && emu.pubsub.reconnect(target.id) > 0) {
        this.#pubsubReconnects++;
        this.#log(`pubsub: RECONNECT sent to ${target.id}`);
      }
      return;
    }
    const conduit = emu.state().conduits.find((c) => c.id === client.conduitInfo.id);
    if (conduit === undefined) return;
    const stalled = this.#stalledShard;
    const allEnabled = conduit.shards.every((s) => s.status === 'enabled');
    // While a shard heals, wait; during a stall only handovers (a drop would reroute traffic to the quiet shard).
    if (!allEnabled && stalled === null) return;
    const canDrop = allEnabled && stalled === null && conduit.shards.length >= 2;
    const candidates = conduit.shards.filter((s) => s.status === 'enabled' && s.id !== stalled);
    const shard = candidates[Math.floor(random() * candidates.length)];
    if (shard?.transport.method === 'webhook') {
      // A webhook shard: its endpoint answers 500 to the next deliveries; Twitch (the emulator) retries each.
      const path = new URL(shard.transport.callback).pathname;
      const count = 1 + Math.floor(random() * 3);
      this.#failNext.set(path, (this.#failNext.get(path) ?? 0) + count);
      this.#webhookFailures += count;
      const next = count === 1 ? 'next delivery' : `next ${String(count)} deliveries`;
      this.#log(`fault: webhook shard ${shard.id} answers 500 to its ${next} (Twitch retries)`);
      return;
    }
    const sessionId = shard === undefined ? '' : sessionOf(shard.transport);
    if (shard === undefined || sessionId === '') return;
    try {
      if (canDrop && pick < 0.6) {
        const code = CLOSE_CODES[Math.floor(random() * CLOSE_CODES.length)] ?? 4000;
        this.#closes[String(code)] = (this.#closes[String(code)] ?? 0) + 1;
        this.#log(`fault: emulator closes shard ${shard.id} with ${String(code)}`);
        emu.closeSession(sessionId, code);
      } else {
        emu.reconnectSession(sessionId);
        this.#handoversInjected++;
        this.#log(`fault: session_reconnect sent to shard ${shard.id}`);
      }
    } catch {
      // The session closed between the snapshot and the call: nothing to do.
    }
  }

  /**
   * A keepalive stall: the emulator stops the keepalives of one shard whose channels are paused, so the socket
   * goes silent; the client's watchdog must give up on it and reconnect.
   */
  async #stall(emu: Emulator, client: AutoClient, channels: readonly string[]): Promise<void> {
    const n = this.#shardCount;
    const sockets = n - this.#webhookShards; // webhook shards are the last ones and have no keepalive
    if (sockets < 1) return;
    const shardId = String(Math.floor(this.#random() * sockets));
    const sessionId = client.conduitInfo.websockets.get(shardId)?.sessionId ?? null;
    if (sessionId === null) return;
    for (const channel of channels) if (fnv1a(channel) % n === Number(shardId)) this.#paused.add(channel);
    this.#stalledShard = shardId;
    this.#stallsPlayed++;
    this.#log(
      `fault: keepalive stall on shard ${shardId} (${String(this.#paused.size)} quiet channels): the watchdog must notice within ~12 s`,
    );
    try {
      emu.setKeepalive(sessionId, false);
    } catch {
      this.#paused.clear();
      this.#stalledShard = null;
      return;
    }
    const deadline = Date.now() + STALL_MAX_MS;
    while (
      Date.now() < deadline &&
      this.#signal?.aborted !== true &&
      client.conduitInfo.websockets.get(shardId)?.sessionId === sessionId
    ) {
      await delay(50);
    }
    try {
      emu.setKeepalive(sessionId, true);
    } catch {
      // Already gone.
    }
    // Let the new session be bound before the channels speak again.
    const bound = Date.now() + 5000;
    while (Date.now() < bound && client.conduitInfo.websockets.get(shardId)?.state !== 'connected')
      await delay(20);
    this.#paused.clear();
    this.#stalledShard = null;
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
    const accounting = account(
      {
        sent: counters.notifications_sent,
        delivered: counters.delivered,
        dropped: counters.dropped,
        duplicates: counters.duplicates_sent,
      },
      { handled: this.#ledger.unique, suppressed, twice: this.#ledger.repeated },
    );
    const pubsub = this.#pubsub
      ? {
          published: this.#pubsubPublished,
          reached: this.#pubsubReached,
          received: this.#pubsubReceived,
          lost: Math.max(0, this.#pubsubReached - this.#pubsubReceived),
        }
      : null;
    const drops = sum(this.#shardDrops.values());
    return {
      accounting,
      pubsub,
      faults: {
        closes: { ...this.#closes },
        handovers: this.#handoversInjected,
        stalls: this.#stallsPlayed,
        stallsDetected: this.#stallsDetected,
        duplicatesInjected: counters.duplicates_sent,
        helixErrors: helix.faulted,
        pubsubReconnects: this.#pubsubReconnects,
        webhookFailures: this.#webhookFailures,
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

function sessionOf(transport: { method: string }): string {
  return 'session_id' in transport && typeof transport.session_id === 'string' ? transport.session_id : '';
}

function pickMix(point: number): MixEntry {
  let acc = 0;
  let last: MixEntry | undefined;
  for (const entry of MIX) {
    acc += entry.weight;
    last = entry;
    if (point < acc) return entry;
  }
  return last ?? CHAT;
}

/** A shard status short enough for the shard table. */
function shortStatus(status: string): string {
  return status.replace('webhook_callback_', '').replace('notification_failures_exceeded', 'failing');
}
