/**
 * The scenarios that concern a plain WebSocket client (no conduit): a drop (close code or network), a
 * `session_reconnect`, duplicate deliveries. A correct client reconnects and creates its subscriptions again on the
 * new session (Twitch disabled them with the old one), moves on a handover keeping them, and handles each message id
 * once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SocketReconnectedInfo } from '../../../src/eventsub/websocket-client/index.js';
import { dropShard, duplicateDeliveries, reconnectSession } from '../../../src/testing/index.js';
import { until } from '../../support/until.js';
import { Harness, streamOnline } from '../../eventsub/websocket-client/helpers.js';

const h = new Harness();
afterEach(() => h.close());

async function subscribed(count: number) {
  const emu = await h.start();
  const client = h.client();
  const reconnected: SocketReconnectedInfo[] = [];
  const events = new Map<string, number>();
  client.on('socketReconnected', (info) => reconnected.push(info));
  client.on('stream.online', (_e, n) => events.set(n.messageId, (events.get(n.messageId) ?? 0) + 1));
  const { success } = await client.multiSubscribe(streamOnline(h, count));
  expect(success).toHaveLength(count);
  const sessionId = emu.state().sessions.find((s) => s.status === 'connected')?.id;
  if (sessionId === undefined) throw new Error('no session');
  return { emu, client, reconnected, events, sessionId };
}

describe('scenarios against the WebSocketClient', () => {
  for (const code of [4000, 'tcp'] as const) {
    it(`dropShard ${String(code)}: reconnects and creates its subscriptions again on the new session`, async () => {
      const { emu, reconnected, events, sessionId } = await subscribed(2);
      await dropShard(emu, { sessionId, code });
      await until(
        () => emu.state().subscriptions.filter((s) => s.status === 'enabled').length === 2,
        'both subscriptions created again',
      );
      expect(reconnected.map((r) => r.cause)).toEqual(['reconnect']);
      emu.trigger({ type: 'stream.online' });
      await until(() => events.size === 2, 'both events on the new session');
    });
  }

  it('reconnectSession: moves on the handover, keeps its subscriptions, loses no event', async () => {
    const { emu, reconnected, events, sessionId } = await subscribed(2);
    emu.trigger({ type: 'stream.online' });
    await reconnectSession(emu, { sessionId });
    emu.trigger({ type: 'stream.online' });
    await until(() => reconnected.length === 1, 'the handover');
    expect(reconnected[0]?.cause).toBe('handover');
    emu.trigger({ type: 'stream.online' });
    await until(() => events.size === 6, 'the 6 events');
    expect([...events.values()].every((n) => n === 1)).toBe(true);
    expect(emu.state().subscriptions.filter((s) => s.status === 'enabled')).toHaveLength(2);
  });

  it('duplicateDeliveries: each message id handled once', async () => {
    const { emu, events } = await subscribed(2);
    const duplicated = duplicateDeliveries(emu, { count: 2 });
    emu.trigger({ type: 'stream.online' });
    const { messageIds } = await duplicated;
    emu.trigger({ type: 'stream.online' }); // drain: after every copy on the same socket
    await until(() => events.size === 4, 'the 4 events');
    for (const id of messageIds) expect(events.get(id)).toBe(1);
    expect([...events.values()].every((n) => n === 1)).toBe(true);
  });
});
