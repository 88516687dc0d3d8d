/** Wire events of engagement features: polls, predictions, hype trains, goals and charity campaigns. */
import type { WireAmount, WireBroadcaster, WireBroadcasterRef, WireUser } from './common.js';

/** A poll choice. Vote counts are absent in `channel.poll.begin`. */
export interface WirePollChoice {
  id: string;
  title: string;
  bits_votes?: number;
  channel_points_votes?: number;
  votes?: number;
}

/** Voting settings of a poll. */
export interface WirePollVoting {
  is_enabled: boolean;
  amount_per_vote: number;
}

/** `channel.poll.begin` v1 (also `.progress`). */
export interface WireChannelPollBeginEvent extends WireBroadcaster {
  id: string;
  title: string;
  choices: WirePollChoice[];
  bits_voting: WirePollVoting;
  channel_points_voting: WirePollVoting;
  started_at: string;
  ends_at: string;
}
/** `channel.poll.progress` v1. */
export type WireChannelPollProgressEvent = WireChannelPollBeginEvent;

/** `channel.poll.end` v1. */
export interface WireChannelPollEndEvent extends WireBroadcaster {
  id: string;
  title: string;
  choices: WirePollChoice[];
  bits_voting: WirePollVoting;
  channel_points_voting: WirePollVoting;
  /** `completed`, `archived` or `terminated`. */
  status: string;
  started_at: string;
  ended_at: string;
}

/** A top predictor of an outcome. (Twitch's examples sometimes send `user_id` as a number.) */
export interface WireTopPredictor {
  user_id: string | number;
  user_login: string;
  user_name: string;
  /** `null` until the prediction is resolved, and for losers. */
  channel_points_won: number | null;
  channel_points_used: number;
}

/** A prediction outcome. Counters are absent in `channel.prediction.begin`. */
export interface WirePredictionOutcome {
  id: string;
  title: string;
  /** `blue` or `pink`. */
  color: string;
  users?: number;
  channel_points?: number;
  top_predictors?: WireTopPredictor[] | null;
}

interface WirePredictionBase extends WireBroadcaster {
  id: string;
  title: string;
  outcomes: WirePredictionOutcome[];
  started_at: string;
}
/** `channel.prediction.begin` v1. */
export interface WireChannelPredictionBeginEvent extends WirePredictionBase {
  locks_at: string;
}
/** `channel.prediction.progress` v1. */
export type WireChannelPredictionProgressEvent = WireChannelPredictionBeginEvent;
/** `channel.prediction.lock` v1. */
export interface WireChannelPredictionLockEvent extends WirePredictionBase {
  locked_at: string;
}
/** `channel.prediction.end` v1. */
export interface WireChannelPredictionEndEvent extends WirePredictionBase {
  /** `null` when canceled. */
  winning_outcome_id: string | null;
  /** `resolved` or `canceled`. */
  status: string;
  ended_at: string;
}

/** A hype train contribution. */
export interface WireHypeTrainContribution extends WireUser {
  /** `bits`, `subscription` or `other`. */
  type: string;
  total: number;
}

interface WireHypeTrainBase extends WireBroadcaster {
  id: string;
  total: number;
  level: number;
  top_contributions: WireHypeTrainContribution[];
  started_at: string;
  is_shared_train: boolean;
  /** `null` unless `is_shared_train`. */
  shared_train_participants: WireBroadcasterRef[] | null;
  /** `regular`, `golden_kappa` or `treasure`. */
  type: string;
}
/** `channel.hype_train.progress` v2. */
export interface WireChannelHypeTrainProgressEvent extends WireHypeTrainBase {
  progress: number;
  goal: number;
  expires_at: string;
}
/** `channel.hype_train.begin` v2. */
export interface WireChannelHypeTrainBeginEvent extends WireChannelHypeTrainProgressEvent {
  all_time_high_level: number;
  all_time_high_total: number;
}
/** `channel.hype_train.end` v2. */
export interface WireChannelHypeTrainEndEvent extends WireHypeTrainBase {
  ended_at: string;
  cooldown_ends_at: string;
}

/** `channel.goal.begin` v1 (also `.progress`). */
export interface WireChannelGoalBeginEvent extends WireBroadcaster {
  id: string;
  /** `follow`, `subscription`, `subscription_count`, `new_subscription`, `new_subscription_count`, ... */
  type: string;
  description: string;
  current_amount: number;
  target_amount: number;
  started_at: string;
}
/** `channel.goal.progress` v1. */
export type WireChannelGoalProgressEvent = WireChannelGoalBeginEvent;
/** `channel.goal.end` v1. */
export interface WireChannelGoalEndEvent extends WireChannelGoalBeginEvent {
  is_achieved: boolean;
  ended_at: string;
}

interface WireCharityInfo {
  charity_name: string;
  charity_description: string;
  charity_logo: string;
  charity_website: string;
}
/** `channel.charity_campaign.donate` v1 (`broadcaster_id`/`_login`/`_name` are accepted in place of `broadcaster_user_*`). */
export interface WireChannelCharityCampaignDonateEvent extends WireBroadcaster, WireUser, WireCharityInfo {
  broadcaster_id?: string;
  broadcaster_login?: string;
  broadcaster_name?: string;
  id: string;
  campaign_id: string;
  amount: WireAmount;
}
/**
 * `channel.charity_campaign.progress` v1. Note the `broadcaster_*` (not `broadcaster_user_*`) names of Twitch's
 * reference and examples; clients such as TwitchIO read `broadcaster_user_*`, so the converters accept either.
 */
export interface WireChannelCharityCampaignProgressEvent extends WireCharityInfo, Partial<WireBroadcaster> {
  id: string;
  broadcaster_id: string;
  broadcaster_login: string;
  broadcaster_name: string;
  current_amount: WireAmount;
  target_amount: WireAmount;
}
/** `channel.charity_campaign.start` v1. */
export interface WireChannelCharityCampaignStartEvent extends WireChannelCharityCampaignProgressEvent {
  started_at: string;
}
/** `channel.charity_campaign.stop` v1. */
export interface WireChannelCharityCampaignStopEvent extends WireChannelCharityCampaignProgressEvent {
  stopped_at: string;
}
