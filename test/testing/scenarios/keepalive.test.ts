/**
 * Scenario `stallKeepalives`: the session goes silent. A correct client notices within keepalive_timeout_seconds
 * (its watchdog, here on a fake clock), reconnects and re-binds the shard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stallKeepalives } from '../../../src/testing/index.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';
import { Harness, conduitClient, sessionOf } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

describe('stallKeepalives', () => {
  it('the AutoClient detects the silence, reconnects and the shard is enabled again', async () => {
    const clock = new FakeClock(Date.now());
    const { emu, client, conduitId, ready, disconnected } = await conduitClient(h, {
      emulator: { keepaliveSecondMs: 1000 },
      client: { session: { clock } },
    });
    const old = sessionOf(client);
    expect(await stallKeepalives(emu, { conduitId, shardId: '0' })).toEqual({
      sessionId: old,
      shard: { conduitId, shardId: '0' },
    });
    expect(emu.state().sessions.find((s) => s.id === old)?.keepalive_enabled).toBe(false);
    clock.advance(12_001); // 10 s × 1.2 without a message
    expect(disconnected).toMatchObject([{ shardId: '0', code: 1006, reason: 'keepalive timeout' }]);
    clock.advance(100); // the first reconnect delay
    await until(() => ready.some((r) => r.rebind), { what: 'rebind', timeoutMs: 4000 });
    expect(sessionOf(client)).not.toBe(old);
    expect(emu.state().conduits[0]?.shards[0]?.status).toBe('enabled');
  });

  it('refuses a target without a session', async () => {
    const { emu } = await conduitClient(h);
    await expect(stallKeepalives(emu, { sessionId: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'sessionId',
    });
    await expect(stallKeepalives(emu, { sessionId: 'gone' })).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
  });
});
