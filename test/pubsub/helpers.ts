import type { Clock, TimerHandle } from '../../src/core/clock.js';
import { TypedEmitter } from '../../src/core/emitter.js';
import { createPlatform } from '../../src/emulator/http/server.js';
import type { Platform } from '../../src/emulator/http/types.js';
import { attachPubSub } from '../../src/emulator/pubsub/index.js';
import type { PubSubServer, PubSubServerOptions } from '../../src/emulator/pubsub/index.js';
import type { PubSubEvents } from '../../src/pubsub/index.js';

export interface Env {
  platform: Platform;
  server: PubSubServer;
  close(): Promise<void>;
}

export async function startEmulator(options: PubSubServerOptions = {}): Promise<Env> {
  const platform = await createPlatform({ port: 0 });
  const server = attachPubSub(platform, options);
  return {
    platform,
    server,
    async close() {
      await server.close();
      await platform.close();
    },
  };
}

export const ALL_SCOPES = [
  'bits:read',
  'channel:read:redemptions',
  'channel:read:subscriptions',
  'channel:moderate',
  'chat:read',
  'whispers:read',
];

export function userToken(
  platform: Platform,
  userId: string,
  scopes: readonly string[] = ALL_SCOPES,
): string {
  return platform.mintUserToken({ userId, scopes }).accessToken;
}

/** Resolves with the arguments of the next `event` matching `predicate`. */
export function next<K extends keyof PubSubEvents>(
  events: TypedEmitter<PubSubEvents>,
  event: K,
  predicate: (...args: PubSubEvents[K]) => boolean = () => true,
): Promise<PubSubEvents[K]> {
  return new Promise((resolve) => {
    const listener = (...args: PubSubEvents[K]): void => {
      if (!predicate(...args)) return;
      events.off(event, listener);
      resolve(args);
    };
    events.on(event, listener);
  });
}

/** Polls `condition` every few milliseconds (no fixed sleeps in assertions). */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function newEvents(): TypedEmitter<PubSubEvents> {
  return new TypedEmitter<PubSubEvents>();
}

/** A clock whose timers only run when the test fires them. */
export class ManualClock implements Clock {
  readonly timers = new Map<number, { fn: () => void; ms: number }>();
  /** What `now()` says; tests move it by hand (timers fire only through `fire`). */
  time = 0;
  #next = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timers.set(++this.#next, { fn, ms });
    return this.#next;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }
  delays(): number[] {
    return [...this.timers.values()].map((t) => t.ms).sort((a, b) => a - b);
  }
  fire(ms: number): void {
    const entry = [...this.timers].find(([, t]) => t.ms === ms);
    if (entry === undefined) throw new Error(`no timer of ${String(ms)} ms`);
    this.timers.delete(entry[0]);
    entry[1].fn();
  }
}
