/**
 * Subscriptions die with their session on Twitch: after a close without a handover (4007), a dropped socket or a
 * keepalive timeout, the client connects again and creates them again on the new session, reporting what failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HTTPError } from '../../../src/core/http-errors.js';
import {
  WebSocketClientError,
  type ResubscribeResult,
  type WebSocketClient,
} from '../../../src/eventsub/websocket-client/index.js';
import { FakeClock } from '../../support/clock.js';
import { until } from '../../support/until.js';
import { DroppingProxy, Harness, USER, streamOnline } from './helpers.js';

const h = new Harness();
let proxy: DroppingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await h.close();
});

/** Subscribes to 3 broadcasters and records what follows. */
async function subscribed(client: WebSocketClient) {
  const got: string[] = [];
  const resubscribed: ResubscribeResult[] = [];
  const errors: Error[] = [];
  client.on('stream.online', (event) => got.push(event.broadcaster.id));
  client.on('resubscribed', (result) => resubscribed.push(result));
  client.on('error', (error) => errors.push(error));
  await client.start();
  const { success, errors: failed } = await client.multiSubscribe(streamOnline(h, 3));
  expect(failed).toEqual([]);
  return { got, resubscribed, errors, subs: success, firstIds: success.map((s) => s.id) };
}

function triggerAll(): number {
  let delivered = 0;
  for (const id of ['1000', '1001', '1002']) {
    delivered += h.emulator.trigger({
      type: 'stream.online',
      condition: { broadcaster_user_id: id },
    }).delivered;
  }
  return delivered;
}

/** Checks the resubscription: new ids on a new session, the old ones disabled, events flowing again. */
async function expectResubscribed(s: Awaited<ReturnType<typeof subscribed>>, lostStatus: string) {
  await until(() => s.resubscribed.length === 1, 'resubscribed');
  const result = s.resubscribed[0]!;
  expect(result.failed).toEqual([]);
  expect(result.recreated).toHaveLength(3);
  expect(result.sessionId).not.toBe(result.previousSessionId);
  expect(s.subs.every((sub) => sub.status === 'enabled')).toBe(true);
  const newIds = s.subs.map((sub) => sub.id);
  expect(newIds.some((id) => s.firstIds.includes(id))).toBe(false);
  const byId = new Map(h.emulator.state().subscriptions.map((sub) => [sub.id, sub]));
  for (const id of s.firstIds) expect(byId.get(id)?.status).toBe(lostStatus);
  for (const id of newIds) expect(byId.get(id)?.status).toBe('enabled');
  expect(triggerAll()).toBe(3);
  await until(() => s.got.length === 3, 'three events');
  expect(s.got.sort()).toEqual(['1000', '1001', '1002']);
  expect(s.errors).toEqual([]);
}

describe('WebSocketClient resubscription', () => {
  it('creates the subscriptions again after a close without handover (4007)', async () => {
    await h.start();
    const client = h.client();
    const s = await subscribed(client);
    const [session] = h.connectedSessions();
    h.emulator.closeSession(session!.id, 4007);
    await expectResubscribed(s, 'websocket_disconnected');
  });

  it('creates the subscriptions again after the socket dropped (no close frame)', async () => {
    await h.start();
    const started = await DroppingProxy.start(h.emulator.clientOptions().eventSubWsUrl);
    proxy = started.proxy;
    const client = h.client({ eventSubWsUrl: started.url });
    const disconnects: number[] = [];
    client.on('socketDisconnected', (info) => disconnects.push(info.code));
    const s = await subscribed(client);
    proxy.drop();
    await expectResubscribed(s, 'websocket_disconnected');
    expect(disconnects).toEqual([1006]);
  });

  it('creates the subscriptions again after a keepalive timeout (watchdog on an injected clock)', async () => {
    await h.start({ keepaliveSecondMs: 1000 });
    const clock = new FakeClock(Date.now()); // message timestamps are judged against it
    const client = h.client({ clock });
    const disconnects: string[] = [];
    client.on('socketDisconnected', (info) => disconnects.push(info.reason));
    const s = await subscribed(client);
    const [session] = h.connectedSessions();
    h.emulator.setKeepalive(session!.id, false);
    clock.advance(12_001); // 10 s keepalive × 1.2 without a message
    expect(disconnects).toEqual(['keepalive timeout']);
    clock.advance(100); // the first reconnect delay
    await expectResubscribed(s, 'websocket_disconnected');
  });

  it('reports what it could not create again, drops it, and closes the socket left empty', async () => {
    await h.start();
    const client = h.client();
    const closed: string[] = [];
    client.on('socketClosed', (info) => closed.push(info.socketId));
    const s = await subscribed(client);
    // The user's authorization is withdrawn while the session is down: every creation is refused (401).
    const { clientId, oauthUrl } = h.emulator.clientOptions();
    const revoked = await fetch(`${oauthUrl}/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, token: h.tokens[USER]! }),
    });
    expect(revoked.status).toBe(200);
    const [session] = h.connectedSessions();
    h.emulator.closeSession(session!.id, 4007);
    await until(() => s.resubscribed.length === 1, 'resubscribed');
    const result = s.resubscribed[0]!;
    expect(result.recreated).toEqual([]);
    expect(result.failed.map((f) => f.subscription)).toEqual(expect.arrayContaining(s.subs));
    for (const failure of result.failed) {
      expect(failure.error).toBeInstanceOf(WebSocketClientError);
      expect(failure.error.code).toBe('RESUBSCRIBE_FAILED');
      expect((failure.error.cause as HTTPError).status).toBe(401);
    }
    expect(s.errors.map((e) => (e as { code?: unknown }).code)).toEqual([
      'RESUBSCRIBE_FAILED',
      'RESUBSCRIBE_FAILED',
      'RESUBSCRIBE_FAILED',
    ]);
    expect(s.subs.map((sub) => sub.status)).toEqual(['failed', 'failed', 'failed']);
    expect(client.subscriptions).toEqual([]);
    expect(closed).toEqual([`${USER}#0`]);
    expect(client.sockets).toEqual([]);
    // Nothing left open to loop on (Twitch would close an unused socket with 4003, and it would reconnect).
    await until(() => h.connectedSessions().length === 0, 'no session');
  });
});
