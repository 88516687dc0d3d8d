import { Agent } from 'node:http';
import { expectTypeOf, test } from 'vitest';
import WebSocket, { type ClientOptions } from 'ws';
import type { WireNotificationMessage, WireRevocationMessage } from '../../../src/protocol/eventsub.js';
import {
  EventSubSession,
  type DisconnectInfo,
  type ReconnectedInfo,
  type ReconnectingInfo,
  type WebSocketClientOptions,
  type WebSocketConstructor,
} from '../../../src/eventsub/websocket/index.js';
import { parseFrame, type ParseResult } from '../../../src/eventsub/websocket/parse.js';

test('event payloads are typed from the event map', () => {
  const session = new EventSubSession();
  session.on('notification', (message) => {
    expectTypeOf(message).toEqualTypeOf<WireNotificationMessage>();
    expectTypeOf(message.metadata.subscription_type).toEqualTypeOf<string>();
  });
  session.on('revocation', (message) => expectTypeOf(message).toEqualTypeOf<WireRevocationMessage>());
  session.on('welcome', (id, isReconnect) => {
    expectTypeOf(id).toEqualTypeOf<string>();
    expectTypeOf(isReconnect).toEqualTypeOf<boolean>();
  });
  session.on('reconnecting', (info) => expectTypeOf(info).toEqualTypeOf<ReconnectingInfo>());
  session.on('reconnected', (info) => expectTypeOf(info).toEqualTypeOf<ReconnectedInfo>());
  session.on('disconnected', (info) => expectTypeOf(info).toEqualTypeOf<DisconnectInfo>());
  session.on('stale', (message, age) => {
    expectTypeOf(message).toEqualTypeOf<WireNotificationMessage | WireRevocationMessage>();
    expectTypeOf(age).toEqualTypeOf<number>();
  });
  // @ts-expect-error unknown event name
  session.on('notifications', () => undefined);
  expectTypeOf(session.connect()).toEqualTypeOf<Promise<string>>();
  expectTypeOf(session.sessionId).toEqualTypeOf<string | null>();
});

test('parseFrame returns a message or a ProtocolError', () => {
  expectTypeOf(parseFrame('')).toEqualTypeOf<ParseResult>();
});

test('the socket types are our own, and a ws socket, a subclass and ws options fit them', () => {
  new EventSubSession({ WebSocket });
  class Subclass extends WebSocket {
    constructor(url: string, options?: ClientOptions) {
      super(url, { ...options, handshakeTimeout: 5000 });
    }
  }
  expectTypeOf(Subclass).toExtend<WebSocketConstructor>();
  const options: ClientOptions = { handshakeTimeout: 1000 };
  new EventSubSession({ wsOptions: options });
  const agent = new Agent({ keepAlive: true });
  new EventSubSession({
    wsOptions: { headers: { 'user-agent': 'x' }, agent, perMessageDeflate: { threshold: 1 } },
  });
  expectTypeOf<WebSocketClientOptions>().toExtend<ClientOptions>();
  class NoTerminate {
    readonly readyState = 0;
    on(): this {
      return this;
    }
    once(): this {
      return this;
    }
    close(): void {
      throw new Error('never called');
    }
  }
  // @ts-expect-error a socket must have everything the session calls
  new EventSubSession({ WebSocket: NoTerminate });
});
