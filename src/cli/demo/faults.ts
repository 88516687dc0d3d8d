/**
 * The demo's fault injector. Faults are designed so that no event has to be lost: a shard is dropped only while every
 * other shard is enabled (the emulator reroutes its events to another shard), a keepalive stall is played on a shard
 * whose channels are paused (the keepalive watchdog is what must notice it), a webhook shard's endpoint fails a few
 * deliveries (the emulator retries them), and PubSub connections get a RECONNECT.
 */
import type { AutoClient } from '../../eventsub/conduit/auto-client.js';
import type { Emulator } from '../../emulator/emulator.js';
import { fnv1a } from '../../emulator/eventsub/core.js';
import type { WebhookFront } from './front.js';
import { delay } from './traffic.js';

const CLOSE_CODES = [4000, 4002, 4005, 4006] as const;
/** Welcome says 10 s; the client's watchdog waits 10 s × 1.2. */
export const STALL_WINDOW_MS = 12_000;
/** Longest a stall is played before the injector gives up waiting for the watchdog. */
export const STALL_MAX_MS = 16_000;

/** What the injector acts on during a run. */
export interface FaultTarget {
  readonly emu: Emulator;
  readonly client: AutoClient;
  readonly channels: readonly string[];
  /** PubSub topics are subscribed: RECONNECTs are part of the play. */
  readonly pubsub: boolean;
  /** The webhook shards' front server, when there are webhook shards. */
  readonly front: WebhookFront | undefined;
}

/** Settings of a {@link FaultInjector}. */
export interface FaultSettings {
  readonly random: () => number;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal | undefined;
  readonly shardCount: number;
  /** The last `webhookShards` shards are webhook shards (no keepalive, no session). */
  readonly webhookShards: number;
}

/** Plays the faults of a run and counts them (see module docs). */
export class FaultInjector {
  /** Emulator-side closes per close code. */
  readonly closes: Record<string, number> = {};
  handoversInjected = 0;
  stallsPlayed = 0;
  pubsubReconnects = 0;
  webhookFailures = 0;
  /** Channels kept quiet while their shard stalls. */
  readonly paused = new Set<string>();
  /** The shard whose keepalives are stopped, or `null`. */
  stalledShard: string | null = null;
  readonly #settings: FaultSettings;

  constructor(settings: FaultSettings) {
    this.#settings = settings;
  }

  /**
   * Injects a fault every `everyMs` until `end` (ms epoch); with `stallsFrom` (ms epoch), a keepalive stall is played
   * from then, at most one every 30 s. `stop()` ends the schedule; `idle()` resolves when no stall runs.
   */
  schedule(
    target: FaultTarget,
    everyMs: number,
    end: number,
    stallsFrom: number | null,
  ): { stop(): void; idle(): Promise<void> } {
    let nextStallAt = stallsFrom ?? Infinity;
    let running: Promise<void> | null = null;
    const timer = setInterval(() => {
      if (Date.now() >= end) return;
      if (running === null && Date.now() >= nextStallAt && Date.now() + STALL_MAX_MS < end) {
        running = this.#stall(target).finally(() => {
          running = null;
          nextStallAt = Date.now() + 30_000;
        });
        return;
      }
      this.#inject(target);
    }, everyMs);
    return {
      stop: () => {
        clearInterval(timer);
      },
      idle: async () => {
        if (running !== null) await running;
      },
    };
  }

  /** One fault: drop a shard (only while all others are enabled), a `session_reconnect`, or a PubSub RECONNECT. */
  #inject({ emu, client, pubsub, front }: FaultTarget): void {
    const { random, log } = this.#settings;
    const pick = random();
    if (pubsub && pick < 0.1) {
      const connections = emu.pubsub.connections();
      const target = connections[Math.floor(random() * connections.length)];
      if (target !== undefined && emu.pubsub.reconnect(target.id) > 0) {
        this.pubsubReconnects++;
        log(`pubsub: RECONNECT sent to ${target.id}`);
      }
      return;
    }
    const conduit = emu.state().conduits.find((c) => c.id === client.conduitInfo.id);
    if (conduit === undefined) return;
    const stalled = this.stalledShard;
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
      front?.failNext(path, count);
      this.webhookFailures += count;
      const next = count === 1 ? 'next delivery' : `next ${String(count)} deliveries`;
      log(`fault: webhook shard ${shard.id} answers 500 to its ${next} (Twitch retries)`);
      return;
    }
    const sessionId = shard === undefined ? '' : sessionOf(shard.transport);
    if (shard === undefined || sessionId === '') return;
    try {
      if (canDrop && pick < 0.6) {
        const code = CLOSE_CODES[Math.floor(random() * CLOSE_CODES.length)] ?? 4000;
        this.closes[String(code)] = (this.closes[String(code)] ?? 0) + 1;
        log(`fault: emulator closes shard ${shard.id} with ${String(code)}`);
        emu.closeSession(sessionId, code);
      } else {
        emu.reconnectSession(sessionId);
        this.handoversInjected++;
        log(`fault: session_reconnect sent to shard ${shard.id}`);
      }
    } catch {
      // The session closed between the snapshot and the call: nothing to do.
    }
  }

  /**
   * A keepalive stall: the emulator stops the keepalives of one shard whose channels are paused, so the socket
   * goes silent; the client's watchdog must give up on it and reconnect.
   */
  async #stall({ emu, client, channels }: FaultTarget): Promise<void> {
    const { random, log, signal, shardCount: n, webhookShards } = this.#settings;
    const sockets = n - webhookShards; // webhook shards are the last ones and have no keepalive
    if (sockets < 1) return;
    const shardId = String(Math.floor(random() * sockets));
    const sessionId = client.conduitInfo.websockets.get(shardId)?.sessionId ?? null;
    if (sessionId === null) return;
    for (const channel of channels) if (fnv1a(channel) % n === Number(shardId)) this.paused.add(channel);
    this.stalledShard = shardId;
    this.stallsPlayed++;
    log(
      `fault: keepalive stall on shard ${shardId} (${String(this.paused.size)} quiet channels): the watchdog must notice within ~12 s`,
    );
    try {
      emu.setKeepalive(sessionId, false);
    } catch {
      this.paused.clear();
      this.stalledShard = null;
      return;
    }
    const deadline = Date.now() + STALL_MAX_MS;
    while (
      Date.now() < deadline &&
      signal?.aborted !== true &&
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
    this.paused.clear();
    this.stalledShard = null;
  }
}

function sessionOf(transport: { method: string }): string {
  return 'session_id' in transport && typeof transport.session_id === 'string' ? transport.session_id : '';
}
