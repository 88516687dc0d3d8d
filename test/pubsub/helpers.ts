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

export function newEvents(): TypedEmitter<PubSubEvents> {
  return new TypedEmitter<PubSubEvents>();
}
