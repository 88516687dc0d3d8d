/** Models of Guest Star events (beta). */
import type {
  WireChannelGuestStarGuestUpdateEvent,
  WireChannelGuestStarSessionBeginEvent,
  WireChannelGuestStarSessionEndEvent,
  WireChannelGuestStarSettingsUpdateEvent,
} from '../wire/guest-star.js';
import { defineEvent } from '../define.js';
import type { EventModel, UserRef } from './common.js';
import { bool, boolN, broadcaster, date, num, numN, str, text, userN, withRaw } from './common.js';

/** Model of `channel.guest_star_session.begin` (beta): its description is in the catalogue table (docs/events.md). */
export interface ChannelGuestStarSessionBeginEvent extends EventModel<
  'channel.guest_star_session.begin',
  'beta',
  WireChannelGuestStarSessionBeginEvent
> {
  readonly broadcaster: UserRef;
  /** The moderator named in the condition, `null` when absent. */
  readonly moderator: UserRef | null;
  readonly sessionId: string;
  readonly startedAt: Date;
}
export const channelGuestStarSessionBeginEventDefinition = defineEvent(
  'channel.guest_star_session.begin',
  'beta',
  toChannelGuestStarSessionBeginEvent,
);

/** Model of `channel.guest_star_session.end` (beta): its description is in the catalogue table (docs/events.md). */
export interface ChannelGuestStarSessionEndEvent extends EventModel<
  'channel.guest_star_session.end',
  'beta',
  WireChannelGuestStarSessionEndEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef | null;
  /** Who ended the session, `null` when absent. */
  readonly host: UserRef | null;
  readonly sessionId: string;
  readonly startedAt: Date;
  readonly endedAt: Date;
}
export const channelGuestStarSessionEndEventDefinition = defineEvent(
  'channel.guest_star_session.end',
  'beta',
  toChannelGuestStarSessionEndEvent,
);

/** Model of `channel.guest_star_guest.update` (beta): its description is in the catalogue table (docs/events.md). */
export interface ChannelGuestStarGuestUpdateEvent extends EventModel<
  'channel.guest_star_guest.update',
  'beta',
  WireChannelGuestStarGuestUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly sessionId: string;
  readonly moderator: UserRef | null;
  /** `null` when the slot was emptied. */
  readonly guest: UserRef | null;
  readonly host: UserRef | null;
  readonly slotId: string | null;
  /** `invited`, `accepted`, `ready`, `backstage`, `live`, `removed`, or `null`. */
  readonly state: string | null;
  readonly hostVideoEnabled: boolean | null;
  readonly hostAudioEnabled: boolean | null;
  readonly hostVolume: number | null;
}
export const channelGuestStarGuestUpdateEventDefinition = defineEvent(
  'channel.guest_star_guest.update',
  'beta',
  toChannelGuestStarGuestUpdateEvent,
);

/** Model of `channel.guest_star_settings.update` (beta): its description is in the catalogue table (docs/events.md). */
export interface ChannelGuestStarSettingsUpdateEvent extends EventModel<
  'channel.guest_star_settings.update',
  'beta',
  WireChannelGuestStarSettingsUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly isModeratorSendLiveEnabled: boolean;
  readonly slotCount: number;
  readonly isBrowserSourceAudioEnabled: boolean;
  readonly groupLayout: string;
}
export const channelGuestStarSettingsUpdateEventDefinition = defineEvent(
  'channel.guest_star_settings.update',
  'beta',
  toChannelGuestStarSettingsUpdateEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** Converts `channel.guest_star_session.begin` beta. */
function toChannelGuestStarSessionBeginEvent(
  w: WireChannelGuestStarSessionBeginEvent,
): ChannelGuestStarSessionBeginEvent {
  return withRaw(
    {
      type: 'channel.guest_star_session.begin',
      version: 'beta',
      broadcaster: broadcaster(w),
      moderator: userN(w.moderator_user_id, w.moderator_user_login, w.moderator_user_name, 'moderator_user'),
      sessionId: str(w.session_id, 'session_id'),
      startedAt: date(w.started_at, 'started_at'),
    },
    w,
  );
}

/** Converts `channel.guest_star_session.end` beta. */
function toChannelGuestStarSessionEndEvent(
  w: WireChannelGuestStarSessionEndEvent,
): ChannelGuestStarSessionEndEvent {
  return withRaw(
    {
      type: 'channel.guest_star_session.end',
      version: 'beta',
      broadcaster: broadcaster(w),
      moderator: userN(w.moderator_user_id, w.moderator_user_login, w.moderator_user_name, 'moderator_user'),
      host: userN(w.host_user_id, w.host_user_login, w.host_user_name, 'host_user'),
      sessionId: str(w.session_id, 'session_id'),
      startedAt: date(w.started_at, 'started_at'),
      endedAt: date(w.ended_at, 'ended_at'),
    },
    w,
  );
}

/** Converts `channel.guest_star_guest.update` beta. */
function toChannelGuestStarGuestUpdateEvent(
  w: WireChannelGuestStarGuestUpdateEvent,
): ChannelGuestStarGuestUpdateEvent {
  return withRaw(
    {
      type: 'channel.guest_star_guest.update',
      version: 'beta',
      broadcaster: broadcaster(w),
      sessionId: str(w.session_id, 'session_id'),
      moderator: userN(w.moderator_user_id, w.moderator_user_login, w.moderator_user_name, 'moderator_user'),
      guest: userN(w.guest_user_id, w.guest_user_login, w.guest_user_name, 'guest_user'),
      host: userN(w.host_user_id, w.host_user_login, w.host_user_name, 'host_user'),
      slotId: text(w.slot_id, 'slot_id'),
      state: text(w.state, 'state'),
      hostVideoEnabled: boolN(w.host_video_enabled, 'host_video_enabled'),
      hostAudioEnabled: boolN(w.host_audio_enabled, 'host_audio_enabled'),
      hostVolume: numN(w.host_volume, 'host_volume'),
    },
    w,
  );
}

/** Converts `channel.guest_star_settings.update` beta. */
function toChannelGuestStarSettingsUpdateEvent(
  w: WireChannelGuestStarSettingsUpdateEvent,
): ChannelGuestStarSettingsUpdateEvent {
  return withRaw(
    {
      type: 'channel.guest_star_settings.update',
      version: 'beta',
      broadcaster: broadcaster(w),
      isModeratorSendLiveEnabled: bool(w.is_moderator_send_live_enabled, 'is_moderator_send_live_enabled'),
      slotCount: num(w.slot_count, 'slot_count'),
      isBrowserSourceAudioEnabled: bool(w.is_browser_source_audio_enabled, 'is_browser_source_audio_enabled'),
      groupLayout: str(w.group_layout, 'group_layout'),
    },
    w,
  );
}
