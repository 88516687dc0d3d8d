/** Wire events of Guest Star (beta). */
import type { WireBroadcaster } from './common.js';

/** `channel.guest_star_session.begin` beta. */
export interface WireChannelGuestStarSessionBeginEvent extends WireBroadcaster {
  moderator_user_id?: string | null;
  moderator_user_login?: string | null;
  moderator_user_name?: string | null;
  session_id: string;
  started_at: string;
}

/** `channel.guest_star_session.end` beta. */
export interface WireChannelGuestStarSessionEndEvent extends WireChannelGuestStarSessionBeginEvent {
  ended_at: string;
  host_user_id?: string;
  host_user_login?: string;
  host_user_name?: string;
}

/** `channel.guest_star_guest.update` beta. Guest and slot fields are `null` when a slot is emptied. */
export interface WireChannelGuestStarGuestUpdateEvent extends WireBroadcaster {
  session_id: string;
  moderator_user_id: string | null;
  moderator_user_login: string | null;
  moderator_user_name: string | null;
  guest_user_id: string | null;
  guest_user_login: string | null;
  guest_user_name: string | null;
  slot_id: string | null;
  /** `invited`, `accepted`, `ready`, `backstage`, `live`, `removed`, or `null`. */
  state: string | null;
  host_video_enabled: boolean | null;
  host_audio_enabled: boolean | null;
  host_volume: number | null;
  host_user_id?: string;
  host_user_login?: string;
  host_user_name?: string;
}

/** `channel.guest_star_settings.update` beta. */
export interface WireChannelGuestStarSettingsUpdateEvent extends WireBroadcaster {
  is_moderator_send_live_enabled: boolean;
  slot_count: number;
  is_browser_source_audio_enabled: boolean;
  /** `tiled`, `screenshare`, `horizontal_top`, `horizontal_bottom`, `vertical_left`, `vertical_right`. */
  group_layout: string;
}
