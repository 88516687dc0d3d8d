/**
 * `session_reconnect` handover: the session (and its subscriptions) moves to the new socket; nothing is created
 * again, and events sent before, during and after the handover arrive exactly once.
 */
import { afterEach, expect, it } from 'vitest';
import { until } from '../../support/until.js';
import { Harness, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

it('hands over without loss, duplicates or resubscription', async () => {
  await h.start();
  const client = h.client();
  const ids: string[] = [];
  const causes: string[] = [];
  let resubscribed = 0;
  client.on('notification', (n) => ids.push(n.messageId));
  client.on('socketReconnected', (info) => causes.push(info.cause));
  client.on('resubscribed', () => resubscribed++);
  await client.start();
  const { success } = await client.multiSubscribe(streamOnline(h, 2));
  const subscriptionIds = success.map((s) => s.id);
  const requests = h.emulator.state().helix.requests;
  // Every notification is sent twice with the same message id: the client must drop the copies.
  h.emulator.setFaults({ duplicateRate: 1 });
  const fire = (): number =>
    h.emulator.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1000' } }).delivered +
    h.emulator.trigger({ type: 'stream.online', condition: { broadcaster_user_id: '1001' } }).delivered;

  let sent = fire();
  const [session] = h.connectedSessions();
  h.emulator.reconnectSession(session!.id);
  // Until the client is welcomed on the new socket, the old one keeps delivering.
  sent += fire();
  await until(() => causes.length === 1, 'the handover');
  sent += fire();
  await until(() => ids.length >= sent, `${String(sent)} notifications`);

  expect(sent).toBe(6);
  expect(ids).toHaveLength(6);
  expect(new Set(ids).size).toBe(6);
  expect(causes).toEqual(['handover']);
  expect(resubscribed).toBe(0);
  expect(h.emulator.state().helix.requests).toBe(requests);
  expect(success.map((s) => s.id)).toEqual(subscriptionIds);
  expect(success.every((s) => s.status === 'enabled')).toBe(true);
  const sessions = h.connectedSessions();
  expect(sessions.map((s) => s.id)).toEqual([session!.id]);
  expect(h.emulator.state().counters.duplicates_sent).toBeGreaterThan(0);
});
