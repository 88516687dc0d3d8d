/**
 * Twitch's WebSocket limits as Twitch (the emulator) enforces them, seen through the client: `max_total_cost` per
 * user (all sockets together: no spill), and a 4th socket refused when another program holds the user's others.
 */
import { afterEach, expect, it } from 'vitest';
import { HTTPError } from '../../../src/core/http-errors.js';
import { WebSocketClientError } from '../../../src/eventsub/websocket-client/index.js';
import { until } from '../../support/until.js';
import { Harness, USER, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

it('refuses past max_total_cost with WEBSOCKET_COST_EXCEEDED, without trying another socket', async () => {
  await h.start();
  // Broadcasters who authorized another app, not ours: each subscription costs 1.
  const other = h.emulator.registerClient();
  const costly = Array.from({ length: 11 }, (_, i) => {
    const id = String(2000 + i);
    h.emulator.mintUserToken({ userId: id, scopes: [], clientId: other.clientId });
    return { type: 'stream.online' as const, version: '1' as const, condition: { broadcasterUserId: id } };
  });
  const client = h.client({ maxSubscriptionsPerSocket: 4 });
  await client.start();
  const { success, errors } = await client.multiSubscribe(costly.slice(0, 10), { concurrency: 1 });
  expect(errors).toEqual([]);
  expect(success.map((s) => s.cost)).toEqual(Array.from({ length: 10 }, () => 1));
  const requests = h.emulator.state().helix.requests;
  const error = await client.subscribe(costly[10]!).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WebSocketClientError);
  expect((error as WebSocketClientError).code).toBe('WEBSOCKET_COST_EXCEEDED');
  expect((error as WebSocketClientError).cause).toBeInstanceOf(HTTPError);
  expect(h.emulator.state().helix.requests - requests).toBe(1);
  // A subscription that costs nothing still fits.
  const free = await client.subscribe(streamOnline(h, 1)[0]!);
  expect(free.cost).toBe(0);
});

it('refuses with WEBSOCKET_LIMIT_REACHED when Twitch refuses another socket, and closes that socket', async () => {
  await h.start();
  const sub = streamOnline(h, 4);
  // Another program of the same user holds two of the user's three sockets.
  const elsewhere = h.client({ maxSubscriptionsPerSocket: 1 });
  await elsewhere.multiSubscribe(sub.slice(0, 2), { concurrency: 1 });
  expect(elsewhere.sockets).toHaveLength(2);
  const client = h.client({ maxSubscriptionsPerSocket: 1 });
  const closed: string[] = [];
  client.on('socketClosed', (info) => closed.push(info.socketId));
  const first = await client.subscribe(sub[2]!);
  expect(first.socketId).toBe(`${USER}#0`);
  const error = await client.subscribe(sub[3]!).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WebSocketClientError);
  expect((error as WebSocketClientError).code).toBe('WEBSOCKET_LIMIT_REACHED');
  expect((error as WebSocketClientError).cause).toBeInstanceOf(HTTPError);
  expect(closed).toEqual([`${USER}#1`]);
  expect(client.sockets.map((s) => s.socketId)).toEqual([`${USER}#0`]);
  await until(() => h.connectedSessions().length === 3, 'three sessions');
});
