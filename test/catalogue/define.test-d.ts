/**
 * `defineEvent` ties a converter to its key: a converter filed under another key, a key missing from the catalogue
 * table or a withdrawn version does not compile. The event map, the version unions and the registry keys are derived
 * from the definitions.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { defineEvent } from '../../src/catalogue/define.js';
import type { EventDefinition } from '../../src/catalogue/define.js';
import type {
  EventDefinitions,
  EventSubEventMap,
  EventSubModelKey,
} from '../../src/catalogue/definitions.js';
import type { ChannelBanEvent } from '../../src/catalogue/models/moderation.js';
import type { ChannelFollowEvent } from '../../src/catalogue/models/channel.js';
import type { ChannelModerateV1Event, ChannelModerateV2Event } from '../../src/catalogue/models/moderate.js';
import type { WireChannelFollowEvent } from '../../src/catalogue/wire/channel.js';
import type { ActiveCatalogueRow } from '../../src/catalogue/table.js';

declare function toFollow(w: WireChannelFollowEvent): ChannelFollowEvent;
declare function toBan(w: never): ChannelBanEvent;
declare function toModerateV1(w: never): ChannelModerateV1Event;
declare function toFollowFromString(w: string): ChannelFollowEvent;

describe('defineEvent', () => {
  it('accepts a converter whose model matches its key', () => {
    expectTypeOf(defineEvent('channel.follow', '2', toFollow)).toEqualTypeOf<
      EventDefinition<'channel.follow', '2', ChannelFollowEvent>
    >();
  });

  it('refuses a converter whose model is another type', () => {
    // @ts-expect-error: a channel.ban model under channel.follow
    defineEvent('channel.follow', '2', toBan);
  });

  it('refuses a converter whose model is another version of the same type', () => {
    // @ts-expect-error: the v1 model under v2
    defineEvent('channel.moderate', '2', toModerateV1);
  });

  it('refuses a converter whose raw is not its wire type', () => {
    // @ts-expect-error: ChannelFollowEvent's raw is WireChannelFollowEvent, not a string
    defineEvent('channel.follow', '2', toFollowFromString);
  });

  it('refuses a key missing from the table', () => {
    // @ts-expect-error: no such type in the catalogue table
    defineEvent('channel.folow', '2', toFollow);
    // @ts-expect-error: channel.follow has no version 3
    defineEvent('channel.follow', '3', toFollow);
    // @ts-expect-error: channel.follow v1 is withdrawn (removed: true in the table)
    defineEvent('channel.follow', '1', toFollow);
  });
});

describe('types derived from the definitions', () => {
  it('the event map maps each type to the union of its versions’ models', () => {
    expectTypeOf<EventSubEventMap['channel.follow']>().toEqualTypeOf<ChannelFollowEvent>();
    expectTypeOf<EventSubEventMap['channel.moderate']>().toEqualTypeOf<
      ChannelModerateV1Event | ChannelModerateV2Event
    >();
    expectTypeOf<EventSubEventMap['channel.moderate']['version']>().toEqualTypeOf<'1' | '2'>();
  });

  it('the registry keys are exactly the table’s subscribable type@versions', () => {
    type TableKey = ActiveCatalogueRow extends infer R
      ? R extends { readonly type: infer T extends string; readonly version: infer V extends string }
        ? `${T}@${V}`
        : never
      : never;
    expectTypeOf<EventSubModelKey>().toEqualTypeOf<TableKey>();
    expectTypeOf<EventDefinitions['key']>().toEqualTypeOf<TableKey>();
  });
});
