/**
 * The WebSocket rules of Create EventSub Subscription that src/emulator/eventsub/websocket-rules.ts adds or keeps:
 * one user per session, and a handed-over session that still counts once toward the 3 connections of its user.
 */
import { afterEach, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/index.js';
import { helix, startEmulator } from '../../support/emulator.js';
import { RawClient } from './helpers.js';

let emu: Emulator | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await emu?.close();
  emu = undefined;
});

const SUBS = '/eventsub/subscriptions';

function online(broadcaster: string, sessionId: string): unknown {
  return {
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: broadcaster },
    transport: { method: 'websocket', session_id: sessionId },
  };
}

it('refuses subscriptions of a second user on a session (400), until the first has none left', async () => {
  emu = await startEmulator({ unusedTimeoutMs: 10_000 });
  const { client, sessionId } = await RawClient.connect(emu.clientOptions().eventSubWsUrl);
  clients.push(client);
  const alice = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
  const bob = emu.mintUserToken({ userId: '101', scopes: [] }).accessToken;
  const first = await helix(emu, 'POST', SUBS, alice, online('100', sessionId));
  expect(first.status).toBe(202);
  const refused = await helix(emu, 'POST', SUBS, bob, online('101', sessionId));
  expect(refused.status).toBe(400);
  expect(refused.body).toEqual({
    error: 'Bad Request',
    status: 400,
    message: 'websocket transport cannot have subscriptions created by different users',
  });
  // The same user may add more.
  expect((await helix(emu, 'POST', SUBS, alice, online('101', sessionId))).status).toBe(202);
  for (const sub of emu.state().subscriptions) {
    expect((await helix(emu, 'DELETE', `${SUBS}?id=${sub.id}`, alice)).status).toBe(204);
  }
  expect((await helix(emu, 'POST', SUBS, bob, online('101', sessionId))).status).toBe(202);
});

it('keeps a handed-over session (and its subscriptions) as one of the user’s 3 connections', async () => {
  emu = await startEmulator({ unusedTimeoutMs: 10_000, reconnectGraceMs: 10_000 });
  const url = emu.clientOptions().eventSubWsUrl;
  const token = emu.mintUserToken({ userId: '100', scopes: [] }).accessToken;
  const sessions: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { client, sessionId } = await RawClient.connect(url);
    clients.push(client);
    sessions.push(sessionId);
    emu.mintUserToken({ userId: String(200 + i), scopes: [] });
    expect((await helix(emu, 'POST', SUBS, token, online(String(200 + i), sessionId))).status).toBe(202);
  }
  const reconnectUrl = emu.reconnectSession(sessions[0]!);
  const { client: moved, sessionId: movedId } = await RawClient.connect(reconnectUrl);
  clients.push(moved);
  expect(movedId).toBe(sessions[0]);
  clients[0]!.close();
  expect(emu.state().subscriptions.every((s) => s.status === 'enabled')).toBe(true);
  // Still three connections: more on the moved session, none on a fourth.
  emu.mintUserToken({ userId: '300', scopes: [] });
  expect((await helix(emu, 'POST', SUBS, token, online('300', movedId))).status).toBe(202);
  const { client: fourth, sessionId: fourthId } = await RawClient.connect(url);
  clients.push(fourth);
  const refused = await helix(emu, 'POST', SUBS, token, online('300', fourthId));
  expect(refused.status).toBe(429);
  expect(refused.body.message).toBe('number of websocket transports limit exceeded');
});
