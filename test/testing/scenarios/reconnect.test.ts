/**
 * Scenario `reconnectSession`: Twitch asks a shard to move. A correct client connects to the reconnect URL, keeps
 * the session (no re-binding) and loses no event sent around the move. In the variant where it cannot move (the
 * URL refuses the handover), the old connection is closed with 4004 when the grace runs out, and a correct client
 * reconnects from scratch and re-binds the shard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reconnectSession } from '../../../src/testing/index.js';
import { until } from '../../support/until.js';
import { Harness, conduitClient, sessionOf } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

describe('reconnectSession', () => {
  it('accept: the AutoClient moves to the new URL, same session, no event lost or doubled', async () => {
    const { emu, client, conduitId, ready, events } = await conduitClient(h, { subs: 4 });
    const old = sessionOf(client);
    emu.trigger({ type: 'stream.online' }); // before the move
    const result = await reconnectSession(emu, { conduitId, shardId: '0' });
    expect(result).toMatchObject({ sessionId: old, closeCode: null, shard: { conduitId, shardId: '0' } });
    expect(result.reconnectUrl).toContain('reconnect=');
    emu.trigger({ type: 'stream.online' }); // during the move: still on the old socket
    await until(() => client.conduitInfo.websockets.get('0')?.stats.handovers === 1, 'the handover');
    emu.trigger({ type: 'stream.online' }); // after it
    await until(() => events.size === 12, 'the 12 events');
    expect([...events.values()].every((n) => n === 1)).toBe(true);
    expect(sessionOf(client)).toBe(old);
    expect(ready.filter((r) => r.rebind)).toEqual([]);
    expect(emu.state().counters.dropped).toBe(0);
  });

  it('refuse: the grace runs out (4004), the AutoClient reconnects from scratch and the shard is enabled again', async () => {
    const { emu, client, conduitId, ready, events } = await conduitClient(h, {
      emulator: { reconnectGraceMs: 150 },
    });
    const old = sessionOf(client);
    const result = await reconnectSession(emu, { conduitId, shardId: '0', handover: 'refuse' });
    // Our client does not wait for the grace: once the new URL refuses it (4007), it closes the old connection
    // itself (1000) and starts over on the base URL. A client that kept the old one would see 4004 here.
    expect(result).toMatchObject({ sessionId: old, closeCode: 1000 });
    await until(() => ready.some((r) => r.rebind), { what: 'rebind', timeoutMs: 4000 });
    expect(sessionOf(client)).not.toBe(old);
    expect(emu.state().conduits[0]?.shards[0]?.status).toBe('enabled');
    emu.trigger({ type: 'stream.online' });
    await until(() => events.size === 1, 'the event after the reconnect');
  });

  it('refuses a malformed input naming the field', async () => {
    const { emu } = await conduitClient(h);
    await expect(
      reconnectSession(emu, { sessionId: 's', handover: 'never' as 'accept' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'handover' });
    await expect(reconnectSession(emu, { sessionId: 's', timeoutMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'timeoutMs',
    });
  });
});
