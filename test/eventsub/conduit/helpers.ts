/**
 * Helpers of the conduit client tests: an emulator with tiny durations, a client factory that closes what it
 * opened, and a polling `until`.
 */
import { Emulator, type EmulatorOptions } from '../../../src/emulator/index.js';
import { AutoClient, type AutoClientOptions } from '../../../src/eventsub/conduit/index.js';

export const BROADCASTER = '4242';

/** Polls `predicate` until true; fails after `timeoutMs` (a bound, never an assertion on time). */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Tracks emulators and clients to close after each test. */
export class Harness {
  readonly clients: AutoClient[] = [];
  emu: Emulator | undefined;

  async start(options: EmulatorOptions = {}): Promise<Emulator> {
    this.emu = await Emulator.start({
      port: 0,
      rateLimitPerMinute: Infinity,
      keepaliveSecondMs: 10,
      // Pings are the session's business (tested there); far apart here so a loaded machine never fails a pong.
      pingIntervalMs: 2000,
      reconnectGraceMs: 2000,
      unusedTimeoutMs: 5000,
      ...options,
    });
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

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await this.emu?.close();
    this.emu = undefined;
  }
}

/** Creates conduits directly through the emulator's Helix (as another tool would). */
export async function createConduit(emu: Emulator, shardCount: number): Promise<string> {
  const res = await fetch(`${emu.clientOptions().helixUrl}/eventsub/conduits`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${emu.mintAppToken().accessToken}`,
      'Client-Id': emu.clientId,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ shard_count: shardCount }),
  });
  const body = (await res.json()) as { data: { id: string }[] };
  return body.data[0]!.id;
}

/** `stream.online` subscriptions for broadcasters `first..first+count-1` (users are created in the emulator). */
export function streamOnline(emu: Emulator, count: number, first = 1000) {
  return Array.from({ length: count }, (_, i) => {
    const id = String(first + i);
    emu.mintUserToken({ userId: id, scopes: [] });
    return { type: 'stream.online' as const, version: '1' as const, condition: { broadcasterUserId: id } };
  });
}
