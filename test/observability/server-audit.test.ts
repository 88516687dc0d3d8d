/**
 * The observability server under hostile sources and a hostile emulator, over real sockets: a source whose view is
 * malformed must not kill the ticker (nor the process: its timer would throw), and a session id that is a dot segment
 * must never reach the emulator's URL path.
 */
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry, type MetricsSnapshot } from '../../src/core/metrics.js';
import type { DashboardTick } from '../../src/observability/dashboard-protocol.js';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/server.js';
import type { ObservedSource, ShardView, SourceView } from '../../src/observability/source.js';
import { TestClock } from '../../src/testing/clock.js';
import { SseReader } from './server-support.js';

let server: ObservabilityServer | undefined;
let emulator: Server | undefined;
const readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await server?.close();
  server = undefined;
  const e = emulator;
  emulator = undefined;
  if (e !== undefined) {
    e.closeAllConnections();
    await new Promise<void>((resolve) => {
      e.close(() => {
        resolve();
      });
    });
  }
});

function shard(id: string, sessionId: string | null): ShardView {
  return {
    id,
    state: 'enabled',
    owned: true,
    transport: 'websocket',
    sessionId,
    owner: null,
    connectedAt: 1,
    disconnectedAt: null,
  };
}

/** A source whose view the test sets, and may make malformed. */
class HostileSource implements ObservedSource {
  readonly registry = new MetricsRegistry();
  shards: ShardView[] = [shard('0', 'session-0')];
  malformed = false;
  metrics(): MetricsSnapshot {
    return this.registry.snapshot();
  }
  view(): SourceView {
    // A field JSON cannot write (a bigint): the tick's serialisation throws.
    const shards = this.malformed
      ? [{ ...shard('0', 'session-x'), connectedAt: 1n as unknown as number }]
      : this.shards;
    return { kind: 'HostileSource', conduit: { id: 'c', shardCount: 1, shards }, errors: [] };
  }
}

function quietLogger(errors: string[]) {
  const log = (): void => undefined;
  return { debug: log, info: log, warn: log, error: (m: string) => errors.push(m) };
}

describe('a tick that throws', () => {
  it('is logged and skipped: the ticker goes on, and the next tick reaches the page', async () => {
    const clock = new TestClock();
    const source = new HostileSource();
    const errors: string[] = [];
    server = await startObservabilityServer({
      sources: [source],
      port: 0,
      clock,
      logger: quietLogger(errors),
    });
    const reader = new SseReader(`http://127.0.0.1:${server.port}/api/stream`);
    readers.push(reader);
    await reader.nth('snapshot', 1);
    source.malformed = true;
    // Before the fix the timer's callback threw here (with the system clock: an uncaught exception, the process
    // gone) and the ticker was never scheduled again.
    expect(() => {
      clock.advance(1000);
    }).not.toThrow();
    expect(errors).toContain('dashboard tick failed');
    expect(clock.pending).toBe(1);
    source.malformed = false;
    source.shards = [{ ...shard('0', 'session-1') }];
    clock.advance(1000);
    const tick = await reader.nth<DashboardTick>('tick', 1);
    expect(tick.shards.map((s) => s.sessionId)).toEqual(['session-1']);
  });
});
