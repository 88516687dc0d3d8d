import { expectTypeOf, test } from 'vitest';
import type { ConduitScaledInfo, ReadyInfo, ShardReadyInfo } from '../../../src/eventsub/client.js';
import {
  AutoClient,
  type MultiSubscribeHandle,
  type MultiSubscribePayload,
} from '../../../src/eventsub/conduit/index.js';
import type { ChannelFollowEvent, Notification, StreamOnlineEvent } from '../../../src/catalogue/index.js';

test('events are typed from the catalogue and the lifecycle map', () => {
  const client = new AutoClient({ clientId: 'id', clientSecret: 'secret' });
  client.on('channel.follow', (event, notification) => {
    expectTypeOf(event).toEqualTypeOf<ChannelFollowEvent>();
    expectTypeOf(notification).toEqualTypeOf<Notification<ChannelFollowEvent>>();
  });
  client.on('stream.online', (event) => expectTypeOf(event).toEqualTypeOf<StreamOnlineEvent>());
  client.on('ready', (info) => expectTypeOf(info).toEqualTypeOf<ReadyInfo>());
  client.on('shardReady', (info) => expectTypeOf(info).toEqualTypeOf<ShardReadyInfo>());
  client.on('conduitScaled', (info) => expectTypeOf(info).toEqualTypeOf<ConduitScaledInfo>());
  client.on('error', (error, context) => {
    expectTypeOf(error).toEqualTypeOf<Error>();
    expectTypeOf(context).toEqualTypeOf<string | undefined>();
  });
  // @ts-expect-error unknown event names are refused
  client.on('channel.folow', () => undefined);
});

test('multiSubscribe returns a payload or a handle depending on wait', () => {
  const client = new AutoClient({ clientId: 'id', clientSecret: 'secret' });
  const subs = [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1' } }] as const;
  expectTypeOf(client.multiSubscribe(subs)).toEqualTypeOf<Promise<MultiSubscribePayload>>();
  expectTypeOf(client.multiSubscribe(subs, { wait: false })).toEqualTypeOf<MultiSubscribeHandle>();
  // @ts-expect-error a camelCase condition is checked against the catalogue
  void client.multiSubscribe([{ type: 'stream.online', version: '1', condition: { broadcasterId: '1' } }]);
});
