/**
 * Scenario `dropShard`: Twitch closes a shard's WebSocket with each documented code, or the TCP connection drops.
 * A correct client reconnects, re-binds the shard (enabled again) and keeps receiving events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SHARD_DROP_CODES, dropShard } from '../../../src/testing/index.js';
import { until } from '../../support/until.js';
import { Harness, conduitClient, sessionOf } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

describe('dropShard', () => {
  for (const code of SHARD_DROP_CODES) {
    it(`close ${String(code)}: the AutoClient reconnects, the shard is enabled again, events flow`, async () => {
      const { emu, client, conduitId, ready, disconnected, events, errors } = await conduitClient(h);
      const old = sessionOf(client);
      const result = await dropShard(emu, { conduitId, shardId: '0', code });
      expect(result).toEqual({
        sessionId: old,
        shard: { conduitId, shardId: '0' },
        code: code === 'tcp' ? 1006 : code,
      });
      // Happened when it resolves: the emulator already holds the session closed and the shard down.
      const closed = emu.state().sessions.find((s) => s.id === old);
      expect(closed).toMatchObject({ status: 'closed', close_code: code === 'tcp' ? 1006 : code });
      expect(emu.state().conduits[0]?.shards[0]?.status).not.toBe('enabled');
      await until(() => ready.some((r) => r.rebind), { what: 'rebind', timeoutMs: 4000 });
      expect(disconnected[0]).toMatchObject({ shardId: '0', code: code === 'tcp' ? 1006 : code });
      expect(sessionOf(client)).not.toBe(old);
      expect(emu.state().conduits[0]?.shards[0]?.status).toBe('enabled');
      // 4001 and 4003 say the client broke the protocol: it reports them as its own bug (the scenario table).
      const bugs = errors.filter((e) => (e as { code?: unknown }).code === 'CLIENT_BUG_CLOSE');
      expect(bugs.length, String(code)).toBe(code === 4001 || code === 4003 ? 1 : 0);
      emu.trigger({ type: 'stream.online' });
      await until(() => events.size === 1, 'the event after the drop');
    });
  }

  it('names a session directly, and refuses a malformed input naming the field', async () => {
    const { emu, client } = await conduitClient(h);
    await expect(dropShard(emu, { sessionId: sessionOf(client), code: 4000 })).resolves.toMatchObject({
      code: 4000,
    });
    await expect(dropShard(emu, { sessionId: 'x', code: 1000 as unknown as 4000 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'code',
    });
    await expect(
      dropShard(emu, { conduitId: 'c', shardId: 7 as unknown as string, code: 4000 }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'shardId' });
    await expect(dropShard(emu, { conduitId: 'nope', shardId: '0', code: 4000 })).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
  });
});
