import { describe, expectTypeOf, it } from 'vitest';
import type { EventSubEventOf, Notification, WireEventOf } from '../../src/catalogue/entry.js';
import { exampleEvent } from '../../src/testing/index.js';

describe('exampleEvent types', () => {
  it('types wire, model and notification by type and version', () => {
    const follow = exampleEvent('channel.follow', '2', { userName: 'Ada' });
    expectTypeOf(follow.wire).toEqualTypeOf<WireEventOf<'channel.follow', '2'>>();
    expectTypeOf(follow.model).toEqualTypeOf<EventSubEventOf<'channel.follow', '2'>>();
    expectTypeOf(follow.notification).toEqualTypeOf<Notification<EventSubEventOf<'channel.follow', '2'>>>();
    expectTypeOf(follow.wire.user_name).toEqualTypeOf<string>();
    const drops = exampleEvent('drop.entitlement.grant', '1', { categoryName: 'Go' });
    expectTypeOf(drops.model.events[0]?.data.categoryName).toEqualTypeOf<string | undefined>();
  });

  it('refuses what the typed trigger refuses', () => {
    // @ts-expect-error -- no such type
    exampleEvent('channel.folow', '2');
    // @ts-expect-error -- no such version
    exampleEvent('channel.follow', '3');
    // @ts-expect-error -- no such field
    exampleEvent('channel.follow', '2', { usrName: 'x' });
    // @ts-expect-error -- userName is a string
    exampleEvent('channel.follow', '2', { userName: 5 });
  });
});
