import { describe, expectTypeOf, it } from 'vitest';
import type { SubscriptionType } from '../../../src/catalogue/index.js';
import type { Emulator, EventOverrides, TriggerType, TriggerResult } from '../../../src/emulator/index.js';

declare const emu: Emulator;

describe('typed trigger', () => {
  it('takes every subscription type of the catalogue', () => {
    expectTypeOf<TriggerType>().toEqualTypeOf<SubscriptionType>();
  });

  it('correct calls compile', () => {
    expectTypeOf(
      emu.trigger('channel.follow', '2', {
        condition: { broadcasterUserId: '1337' },
        event: { userName: 'Ada', userId: '42' },
        count: 2,
        subscriptionId: 'x',
      }),
    ).toEqualTypeOf<TriggerResult>();
    emu.trigger('stream.online', '1');
    emu.trigger('channel.chat.message', '1', { event: { message: { text: 'hi' }, badges: [] } });
    emu.trigger('channel.raid', '1', { condition: { toBroadcasterUserId: '1' } });
    emu.trigger('drop.entitlement.grant', '1', { event: { userName: 'Ada', categoryName: 'x' } });
    emu.trigger('channel.chat.notification', '1', {
      event: { noticeType: 'resub', resub: { cumulativeMonths: 5 } },
    });
    emu.trigger({
      type: 'channel.follow',
      condition: { broadcaster_user_id: '1' },
      event: { user_name: 'x' },
    });
    expectTypeOf(emu.triggerAsync('channel.follow', '2', { event: { userName: 'x' } })).toEqualTypeOf<
      Promise<TriggerResult>
    >();
    emu.stream('channel.follow', '2', { ratePerSecond: 1, event: { userName: 'x' } });
    expectTypeOf<EventOverrides<'channel.follow', '2'>>().toHaveProperty('userName');
  });

  it('wrong type, version, condition key, event field and field type do not compile', () => {
    // @ts-expect-error -- no such type
    emu.trigger('channel.folow', '2');
    // @ts-expect-error -- channel.follow v1 was removed
    emu.trigger('channel.follow', '1');
    // @ts-expect-error -- no such version
    emu.trigger('stream.online', '3');
    // @ts-expect-error -- snake_case condition key in the typed form
    emu.trigger('channel.follow', '2', { condition: { broadcaster_user_id: '1' } });
    // @ts-expect-error -- not a condition key of channel.follow
    emu.trigger('channel.follow', '2', { condition: { toBroadcasterUserId: '1' } });
    // @ts-expect-error -- no such event field
    emu.trigger('channel.follow', '2', { event: { usrName: 'x' } });
    // @ts-expect-error -- snake_case event field in the typed form
    emu.trigger('channel.follow', '2', { event: { user_name: 'x' } });
    // @ts-expect-error -- userName is a string
    emu.trigger('channel.follow', '2', { event: { userName: 5 } });
    // @ts-expect-error -- nested: no such field of message
    emu.trigger('channel.chat.message', '1', { event: { message: { txt: 'hi' } } });
    // @ts-expect-error -- batched: fields of events[i].data, not of the array
    emu.trigger('drop.entitlement.grant', '1', { event: { id: 'x', data: {} } });
    // @ts-expect-error -- no such option
    emu.trigger('channel.follow', '2', { conditon: {} });
    // @ts-expect-error -- triggerAsync is typed the same
    void emu.triggerAsync('channel.follow', '2', { event: { usrName: 'x' } });
    // @ts-expect-error -- stream is typed the same
    emu.stream('channel.follow', '2', { ratePerSecond: 1, event: { userName: 5 } });
    // @ts-expect-error -- stream needs its rate
    emu.stream('channel.follow', '2', {});
  });
});
