import { expectTypeOf, test } from 'vitest';
import { StaticAuthProvider } from '../../../src/auth/index.js';
import type { ChannelFollowEvent, Notification, StreamOnlineEvent } from '../../../src/catalogue/index.js';
import {
  WebSocketClient,
  type ResubscribeResult,
  type SocketReconnectedInfo,
  type WebSocketSubscription,
  type WebSocketSubscriptionStatus,
} from '../../../src/eventsub/websocket-client/index.js';

const client = new WebSocketClient({
  clientId: 'id',
  auth: new StaticAuthProvider({ clientId: 'id', userTokens: { '1': 'token' } }),
});

test('events are typed from the catalogue and the lifecycle map', () => {
  client.on('channel.follow', (event, notification) => {
    expectTypeOf(event).toEqualTypeOf<ChannelFollowEvent>();
    expectTypeOf(notification).toEqualTypeOf<Notification<ChannelFollowEvent>>();
  });
  client.on('stream.online', (event) => expectTypeOf(event).toEqualTypeOf<StreamOnlineEvent>());
  client.on('notification', (_notification, socketId) => expectTypeOf(socketId).toEqualTypeOf<string>());
  client.on('resubscribed', (result) => expectTypeOf(result).toEqualTypeOf<ResubscribeResult>());
  client.on('socketReconnected', (info) => {
    expectTypeOf(info).toEqualTypeOf<SocketReconnectedInfo>();
    expectTypeOf(info.cause).toEqualTypeOf<'handover' | 'reconnect'>();
  });
  // @ts-expect-error unknown event names are refused
  client.on('socketReddy', () => undefined);
});

test('subscribe takes typed conditions and returns a handle', () => {
  const sub = client.subscribe({
    type: 'stream.online',
    version: '1',
    condition: { broadcasterUserId: '1' },
  });
  expectTypeOf(sub).toEqualTypeOf<Promise<WebSocketSubscription>>();
  // @ts-expect-error a camelCase condition is checked against the catalogue
  void client.subscribe({ type: 'stream.online', version: '1', condition: { broadcasterId: '1' } });
  // @ts-expect-error channel.follow v2 needs its moderator
  void client.subscribe({ type: 'channel.follow', version: '2', condition: { broadcasterUserId: '1' } });
  expectTypeOf<WebSocketSubscription['status']>().toEqualTypeOf<WebSocketSubscriptionStatus>();
});
