/**
 * Helpers of the conduit client tests: an emulator with tiny durations and a client factory that closes what it
 * opened.
 */
import type { Emulator, EmulatorOptions } from '../../../src/emulator/index.js';
import { AutoClient, type AutoClientOptions } from '../../../src/eventsub/conduit/index.js';
import { FAST_EVENTSUB, Fixtures, startEmulator, type Closable } from '../../support/emulator.js';

export const BROADCASTER = '4242';

/** Tracks emulators and clients to close after each test. */
export class Harness {
  readonly clients: AutoClient[] = [];
  emu: Emulator | undefined;
  readonly #others = new Fixtures();

  async start(options: EmulatorOptions = {}): Promise<Emulator> {
    // Pings are the session's business (tested there); FAST_EVENTSUB keeps them far apart.
    this.emu = await startEmulator({ ...FAST_EVENTSUB, ...options });
    return this.emu;
  }

  client(options: Partial<AutoClientOptions> = {}): AutoClient {
    const emu = this.emu;
    if (emu === undefined) throw new Error('start the emulator first');
    const client = new AutoClient({
      ...emu.clientOptions(),
      reconcileIntervalMs: 0,
      shardRetry: { initialMs: 5, maxMs: 50 },
      reconnectBackoff: { initialMs: 5, maxMs: 50 },
      ...options,
    });
    this.clients.push(client);
    return client;
  }

  /** Anything else the test opened, closed after the clients and the emulator. */
  track<T extends Closable>(closable: T): T {
    return this.#others.track(closable);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await this.emu?.close();
    this.emu = undefined;
    await this.#others.close();
  }
}

/** `stream.online` subscriptions for broadcasters `first..first+count-1` (users are created in the emulator). */
export function streamOnline(emu: Emulator, count: number, first = 1000) {
  return Array.from({ length: count }, (_, i) => {
    const id = String(first + i);
    emu.mintUserToken({ userId: id, scopes: [] });
    return { type: 'stream.online' as const, version: '1' as const, condition: { broadcasterUserId: id } };
  });
}
