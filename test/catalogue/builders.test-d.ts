import { describe, expectTypeOf, it } from 'vitest';
import type {
  ConditionOf,
  SubscriptionRequest,
  SubscriptionSpec,
  SubscriptionType,
  SubscriptionVersion,
  WireConditionOf,
} from '../../src/catalogue/entry.js';
import { subscription, toSubscriptionRequest } from '../../src/catalogue/index.js';

describe('derived catalogue types', () => {
  it('SubscriptionType is a literal union of type names', () => {
    expectTypeOf<'channel.follow'>().toExtend<SubscriptionType>();
    expectTypeOf<'conduit.shard.disabled'>().toExtend<SubscriptionType>();
    expectTypeOf<'channel.folow'>().not.toExtend<SubscriptionType>();
    expectTypeOf<string>().not.toExtend<SubscriptionType>();
  });

  it('versions are derived per type, removed versions excluded', () => {
    expectTypeOf<SubscriptionVersion<'channel.moderate'>>().toEqualTypeOf<'1' | '2'>();
    expectTypeOf<SubscriptionVersion<'channel.follow'>>().toEqualTypeOf<'2'>();
    expectTypeOf<SubscriptionVersion<'channel.guest_star_session.begin'>>().toEqualTypeOf<'beta'>();
  });

  it('conditions are camelCase, required and optional keys typed', () => {
    expectTypeOf<ConditionOf<'channel.follow', '2'>>().toEqualTypeOf<{
      readonly broadcasterUserId: string;
      readonly moderatorUserId: string;
    }>();
    expectTypeOf<ConditionOf<'channel.channel_points_custom_reward_redemption.add', '1'>>().toEqualTypeOf<{
      readonly broadcasterUserId: string;
      readonly rewardId?: string;
    }>();
    expectTypeOf<WireConditionOf<'channel.chat.message', '1'>>().toEqualTypeOf<{
      readonly broadcaster_user_id: string;
      readonly user_id: string;
    }>();
  });

  it('channel.raid takes exactly one of from/to', () => {
    expectTypeOf({ toBroadcasterUserId: '1' }).toExtend<ConditionOf<'channel.raid', '1'>>();
    expectTypeOf({ fromBroadcasterUserId: '1' }).toExtend<ConditionOf<'channel.raid', '1'>>();
    expectTypeOf({ fromBroadcasterUserId: '1', toBroadcasterUserId: '2' }).not.toExtend<
      ConditionOf<'channel.raid', '1'>
    >();
    expectTypeOf({}).not.toExtend<ConditionOf<'channel.raid', '1'>>();
  });
});

describe('subscription()', () => {
  it('returns the wire form typed by type and version', () => {
    const req = subscription('channel.follow', '2', { broadcasterUserId: '1', moderatorUserId: '2' });
    expectTypeOf(req.type).toEqualTypeOf<'channel.follow'>();
    expectTypeOf(req.version).toEqualTypeOf<'2'>();
    expectTypeOf(req.condition.moderator_user_id).toEqualTypeOf<string>();
    expectTypeOf(req).toExtend<SubscriptionRequest<'channel.follow', '2'>>();
    expectTypeOf(req.condition).toExtend<Readonly<Record<string, string>>>();
  });

  it('rejects a missing condition key at compile time', () => {
    // @ts-expect-error moderatorUserId is required by channel.follow v2
    subscription('channel.follow', '2', { broadcasterUserId: '1' });
  });

  it('rejects an unknown condition key at compile time', () => {
    // @ts-expect-error channel.follow has no userId
    subscription('channel.follow', '2', { broadcasterUserId: '1', moderatorUserId: '2', userId: '3' });
  });

  it('rejects snake_case keys, non-string ids, unknown types and versions at compile time', () => {
    // @ts-expect-error wire keys are not accepted by the camelCase builder
    subscription('stream.online', '1', { broadcaster_user_id: '1' });
    // @ts-expect-error ids are strings
    subscription('stream.online', '1', { broadcasterUserId: 1337 });
    // @ts-expect-error unknown type
    subscription('stream.onlin', '1', { broadcasterUserId: '1' });
    // @ts-expect-error unknown version
    subscription('stream.online', '2', { broadcasterUserId: '1' });
    // @ts-expect-error channel.follow v1 was removed
    subscription('channel.follow', '1', { broadcasterUserId: '1' });
  });

  it('rejects both or neither raid directions at compile time', () => {
    subscription('channel.raid', '1', { toBroadcasterUserId: '1' });
    // @ts-expect-error exactly one of from/to
    subscription('channel.raid', '1', { toBroadcasterUserId: '1', fromBroadcasterUserId: '2' });
    // @ts-expect-error exactly one of from/to
    subscription('channel.raid', '1', {});
  });
});

describe('SubscriptionSpec object literals', () => {
  it('accepts a complete literal and rejects a missing key', () => {
    const ok: SubscriptionSpec = {
      type: 'channel.follow',
      version: '2',
      condition: { broadcasterUserId: '1', moderatorUserId: '2' },
    };
    expectTypeOf(ok).toExtend<SubscriptionSpec>();
    // @ts-expect-error moderatorUserId missing
    const bad: SubscriptionSpec = {
      type: 'channel.follow',
      version: '2',
      condition: { broadcasterUserId: '1' },
    };
    expectTypeOf(bad).toExtend<SubscriptionSpec>();
  });

  it('toSubscriptionRequest keeps the literal type', () => {
    const req = toSubscriptionRequest({
      type: 'stream.online',
      version: '1',
      condition: { broadcasterUserId: '1' },
    });
    expectTypeOf(req.type).toEqualTypeOf<'stream.online'>();
    expectTypeOf(req.condition.broadcaster_user_id).toEqualTypeOf<string>();
  });
});
