import { describe, expectTypeOf, it } from 'vitest';
import type {
  EventSubEvent,
  EventSubEventMap,
  EventSubEventName,
  EventSubEventOf,
  EventSubModelKey,
  Notification,
} from '../../src/catalogue/events.js';
import { toEventModel } from '../../src/catalogue/events.js';
import type { UserRef } from '../../src/catalogue/models/common.js';

declare function on<K extends keyof EventSubEventMap>(
  name: K,
  handler: (e: EventSubEventMap[K]) => void,
): void;

describe('EventSubEventMap', () => {
  it('types channel.follow handlers with followedAt: Date', () => {
    expectTypeOf<EventSubEventMap['channel.follow']['followedAt']>().toEqualTypeOf<Date>();
    on('channel.follow', (e) => {
      expectTypeOf(e.followedAt).toEqualTypeOf<Date>();
      expectTypeOf(e.user).toEqualTypeOf<UserRef>();
      expectTypeOf(e.type).toEqualTypeOf<'channel.follow'>();
      expectTypeOf(e.version).toEqualTypeOf<'2'>();
    });
  });

  it('rejects unknown event names', () => {
    // @ts-expect-error: not a subscription type
    on('channel.folow', () => undefined);
    // @ts-expect-error: versions are not part of the event name
    on('channel.follow@2', () => undefined);
  });

  it('narrows multi-version types on version', () => {
    on('channel.moderate', (e) => {
      expectTypeOf(e.version).toEqualTypeOf<'1' | '2'>();
      if (e.version === '2') {
        expectTypeOf(e).toEqualTypeOf<EventSubEventOf<'channel.moderate', '2'>>();
        if (e.details?.kind === 'warn')
          expectTypeOf(e.details.chatRulesCited).toEqualTypeOf<readonly string[]>();
      } else {
        // v1 has no warn details
        expectTypeOf<Extract<NonNullable<typeof e.details>, { kind: 'warn' }>>().toBeNever();
      }
      if (e.details?.kind === 'timeout') expectTypeOf(e.details.expiresAt).toEqualTypeOf<Date>();
    });
    on('automod.message.hold', (e) => {
      if (e.version === '1') expectTypeOf(e.message).toEqualTypeOf<string>();
      else expectTypeOf(e.message.fragments).not.toBeAny();
    });
    on('channel.channel_points_automatic_reward_redemption.add', (e) => {
      if (e.version === '2') expectTypeOf(e.reward.channelPoints).toEqualTypeOf<number>();
      else expectTypeOf(e.reward.cost).toEqualTypeOf<number>();
    });
  });

  it('narrows chat notices on kind', () => {
    on('channel.chat.notification', (e) => {
      if (e.notice?.kind === 'resub') expectTypeOf(e.notice.streakMonths).toEqualTypeOf<number | null>();
    });
  });

  it('keys, models and helpers line up', () => {
    expectTypeOf<'channel.follow@2'>().toExtend<EventSubModelKey>();
    expectTypeOf<'channel.moderate@2'>().toExtend<EventSubModelKey>();
    expectTypeOf<'channel.follow@1'>().not.toExtend<EventSubModelKey>();
    expectTypeOf<'stream.online'>().toExtend<EventSubEventName>();
    expectTypeOf(toEventModel('channel.follow', '2', {})).toEqualTypeOf<
      EventSubEventMap['channel.follow'] | undefined
    >();
    expectTypeOf(toEventModel('channel.moderate', '1', {})).toEqualTypeOf<
      EventSubEventOf<'channel.moderate', '1'> | undefined
    >();
    expectTypeOf(toEventModel('channel.moderate', 'x' as string, {})).toEqualTypeOf<
      EventSubEventMap['channel.moderate'] | undefined
    >();
    expectTypeOf(toEventModel('not.a.type' as string, '1', {})).toEqualTypeOf<EventSubEvent | undefined>();
    expectTypeOf<Notification['event']>().toEqualTypeOf<EventSubEvent | undefined>();
    expectTypeOf<
      EventSubEventMap['drop.entitlement.grant']['events'][number]['data']['createdAt']
    >().toEqualTypeOf<Date>();
  });
});
