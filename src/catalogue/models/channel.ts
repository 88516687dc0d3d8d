/** Models of events about the channel itself: update, follow, ad break, raid, shoutouts, VIPs and moderators. */
import type {
  WireChannelAdBreakBeginEvent,
  WireChannelFollowEvent,
  WireChannelModeratorAddEvent,
  WireChannelModeratorRemoveEvent,
  WireChannelRaidEvent,
  WireChannelShoutoutCreateEvent,
  WireChannelShoutoutReceiveEvent,
  WireChannelUpdateEvent,
  WireChannelVipAddEvent,
  WireChannelVipRemoveEvent,
} from '../wire/channel.js';
import { defineEvent } from '../define.js';
import type { EventModel, UserRef } from './common.js';
import { bool, broadcaster, date, moderator, num, str, strs, text, user, userOf, withRaw } from './common.js';

/** Model of `channel.update` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelUpdateEvent extends EventModel<'channel.update', '2', WireChannelUpdateEvent> {
  readonly broadcaster: UserRef;
  readonly title: string;
  /** ISO 639-1 code, or `other`; `null` when Twitch sends `""`. */
  readonly language: string | null;
  /** `null` when no category is set (Twitch sends `""`). */
  readonly categoryId: string | null;
  readonly categoryName: string | null;
  readonly contentClassificationLabels: readonly string[];
}
export const channelUpdateEventDefinition = defineEvent('channel.update', '2', toChannelUpdateEvent);

/** Model of `channel.follow` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelFollowEvent extends EventModel<'channel.follow', '2', WireChannelFollowEvent> {
  readonly broadcaster: UserRef;
  /** The new follower. */
  readonly user: UserRef;
  readonly followedAt: Date;
}
export const channelFollowEventDefinition = defineEvent('channel.follow', '2', toChannelFollowEvent);

/** Model of `channel.ad_break.begin` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelAdBreakBeginEvent extends EventModel<
  'channel.ad_break.begin',
  '1',
  WireChannelAdBreakBeginEvent
> {
  readonly broadcaster: UserRef;
  /** Who started the ad break (the broadcaster for automatic ones). */
  readonly requester: UserRef;
  readonly durationSeconds: number;
  readonly startedAt: Date;
  readonly isAutomatic: boolean;
}
export const channelAdBreakBeginEventDefinition = defineEvent(
  'channel.ad_break.begin',
  '1',
  toChannelAdBreakBeginEvent,
);

/** Model of `channel.raid` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelRaidEvent extends EventModel<'channel.raid', '1', WireChannelRaidEvent> {
  readonly fromBroadcaster: UserRef;
  readonly toBroadcaster: UserRef;
  readonly viewers: number;
}
export const channelRaidEventDefinition = defineEvent('channel.raid', '1', toChannelRaidEvent);

/** Model of `channel.shoutout.create` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelShoutoutCreateEvent extends EventModel<
  'channel.shoutout.create',
  '1',
  WireChannelShoutoutCreateEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  readonly toBroadcaster: UserRef;
  readonly startedAt: Date;
  readonly viewerCount: number;
  readonly cooldownEndsAt: Date;
  readonly targetCooldownEndsAt: Date;
}
export const channelShoutoutCreateEventDefinition = defineEvent(
  'channel.shoutout.create',
  '1',
  toChannelShoutoutCreateEvent,
);

/** Model of `channel.shoutout.receive` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelShoutoutReceiveEvent extends EventModel<
  'channel.shoutout.receive',
  '1',
  WireChannelShoutoutReceiveEvent
> {
  readonly broadcaster: UserRef;
  readonly fromBroadcaster: UserRef;
  readonly viewerCount: number;
  readonly startedAt: Date;
}
export const channelShoutoutReceiveEventDefinition = defineEvent(
  'channel.shoutout.receive',
  '1',
  toChannelShoutoutReceiveEvent,
);

/** Model of `channel.vip.add` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelVipAddEvent extends EventModel<'channel.vip.add', '1', WireChannelVipAddEvent> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
}
export const channelVipAddEventDefinition = defineEvent('channel.vip.add', '1', toChannelVipAddEvent);
/** Model of `channel.vip.remove` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelVipRemoveEvent extends EventModel<
  'channel.vip.remove',
  '1',
  WireChannelVipRemoveEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
}
export const channelVipRemoveEventDefinition = defineEvent(
  'channel.vip.remove',
  '1',
  toChannelVipRemoveEvent,
);
/** Model of `channel.moderator.add` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelModeratorAddEvent extends EventModel<
  'channel.moderator.add',
  '1',
  WireChannelModeratorAddEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
}
export const channelModeratorAddEventDefinition = defineEvent(
  'channel.moderator.add',
  '1',
  toChannelModeratorAddEvent,
);
/** Model of `channel.moderator.remove` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelModeratorRemoveEvent extends EventModel<
  'channel.moderator.remove',
  '1',
  WireChannelModeratorRemoveEvent
> {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
}
export const channelModeratorRemoveEventDefinition = defineEvent(
  'channel.moderator.remove',
  '1',
  toChannelModeratorRemoveEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** Converts `channel.update` v2. */
function toChannelUpdateEvent(w: WireChannelUpdateEvent): ChannelUpdateEvent {
  return withRaw(
    {
      type: 'channel.update',
      version: '2',
      broadcaster: broadcaster(w),
      title: str(w.title, 'title'),
      language: text(w.language, 'language'),
      categoryId: text(w.category_id, 'category_id'),
      categoryName: text(w.category_name, 'category_name'),
      contentClassificationLabels: strs(w.content_classification_labels, 'content_classification_labels'),
    },
    w,
  );
}

/** Converts `channel.follow` v2. */
function toChannelFollowEvent(w: WireChannelFollowEvent): ChannelFollowEvent {
  return withRaw(
    {
      type: 'channel.follow',
      version: '2',
      broadcaster: broadcaster(w),
      user: userOf(w),
      followedAt: date(w.followed_at, 'followed_at'),
    },
    w,
  );
}

/** Converts `channel.ad_break.begin` v1. */
function toChannelAdBreakBeginEvent(w: WireChannelAdBreakBeginEvent): ChannelAdBreakBeginEvent {
  return withRaw(
    {
      type: 'channel.ad_break.begin',
      version: '1',
      broadcaster: broadcaster(w),
      requester: user(w.requester_user_id, w.requester_user_login, w.requester_user_name, 'requester_user'),
      durationSeconds: num(w.duration_seconds, 'duration_seconds'),
      startedAt: date(w.started_at, 'started_at'),
      isAutomatic: bool(w.is_automatic, 'is_automatic'),
    },
    w,
  );
}

/** Converts `channel.raid` v1. */
function toChannelRaidEvent(w: WireChannelRaidEvent): ChannelRaidEvent {
  return withRaw(
    {
      type: 'channel.raid',
      version: '1',
      fromBroadcaster: user(
        w.from_broadcaster_user_id,
        w.from_broadcaster_user_login,
        w.from_broadcaster_user_name,
        'from_broadcaster_user',
      ),
      toBroadcaster: user(
        w.to_broadcaster_user_id,
        w.to_broadcaster_user_login,
        w.to_broadcaster_user_name,
        'to_broadcaster_user',
      ),
      viewers: num(w.viewers, 'viewers'),
    },
    w,
  );
}

/** Converts `channel.shoutout.create` v1. */
function toChannelShoutoutCreateEvent(w: WireChannelShoutoutCreateEvent): ChannelShoutoutCreateEvent {
  return withRaw(
    {
      type: 'channel.shoutout.create',
      version: '1',
      broadcaster: broadcaster(w),
      moderator: moderator(w),
      toBroadcaster: user(
        w.to_broadcaster_user_id,
        w.to_broadcaster_user_login,
        w.to_broadcaster_user_name,
        'to_broadcaster_user',
      ),
      startedAt: date(w.started_at, 'started_at'),
      viewerCount: num(w.viewer_count, 'viewer_count'),
      cooldownEndsAt: date(w.cooldown_ends_at, 'cooldown_ends_at'),
      targetCooldownEndsAt: date(w.target_cooldown_ends_at, 'target_cooldown_ends_at'),
    },
    w,
  );
}

/** Converts `channel.shoutout.receive` v1. */
function toChannelShoutoutReceiveEvent(w: WireChannelShoutoutReceiveEvent): ChannelShoutoutReceiveEvent {
  return withRaw(
    {
      type: 'channel.shoutout.receive',
      version: '1',
      broadcaster: broadcaster(w),
      fromBroadcaster: user(
        w.from_broadcaster_user_id,
        w.from_broadcaster_user_login,
        w.from_broadcaster_user_name,
        'from_broadcaster_user',
      ),
      viewerCount: num(w.viewer_count, 'viewer_count'),
      startedAt: date(w.started_at, 'started_at'),
    },
    w,
  );
}

/** Converts `channel.vip.add` v1. */
function toChannelVipAddEvent(w: WireChannelVipAddEvent): ChannelVipAddEvent {
  return withRaw({ type: 'channel.vip.add', version: '1', broadcaster: broadcaster(w), user: userOf(w) }, w);
}

/** Converts `channel.vip.remove` v1. */
function toChannelVipRemoveEvent(w: WireChannelVipRemoveEvent): ChannelVipRemoveEvent {
  return withRaw(
    {
      type: 'channel.vip.remove',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
    },
    w,
  );
}

/** Converts `channel.moderator.add` v1. */
function toChannelModeratorAddEvent(w: WireChannelModeratorAddEvent): ChannelModeratorAddEvent {
  return withRaw(
    {
      type: 'channel.moderator.add',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
    },
    w,
  );
}

/** Converts `channel.moderator.remove` v1. */
function toChannelModeratorRemoveEvent(w: WireChannelModeratorRemoveEvent): ChannelModeratorRemoveEvent {
  return withRaw(
    {
      type: 'channel.moderator.remove',
      version: '1',
      broadcaster: broadcaster(w),
      user: userOf(w),
    },
    w,
  );
}
