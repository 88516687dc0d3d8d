/**
 * The demo scenario's options, snapshots and result (see scenario.ts).
 */
import type { Writable } from 'node:stream';
import type { AutoClient } from '../../eventsub/conduit/auto-client.js';
import type { Emulator } from '../../emulator/emulator.js';
import type { Accounting } from './ledger.js';

/** Options of a `DemoScenario`. */
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
  /**
   * Records what the client receives (`record()` of `twitch-realtime/testing`) to this file or stream, from start-up
   * to the end of the drain. @defaultValue no recording
   */
  readonly record?: string | Writable;
  /** Stops the scenario early (it still drains and accounts). */
  readonly signal?: AbortSignal;
  /** Notable happenings (faults, shards coming back), one line each, no trailing newline. */
  readonly onLog?: (line: string) => void;
  /**
   * Called once the client exists, before it starts (e.g. to serve a dashboard on it and the emulator). What it
   * resolves with is closed first when the scenario ends; a rejection ends the run (everything closed) with it.
   */
  readonly attach?: (client: AutoClient, emulator: Emulator) => Promise<{ close(): Promise<void> }>;
  /**
   * Called with the result once the traffic is drained and accounted, before anything is closed: the client and the
   * emulator stay up until it resolves (a dashboard kept open until Ctrl+C).
   */
  readonly beforeClose?: (result: ScenarioResult) => Promise<void>;
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
