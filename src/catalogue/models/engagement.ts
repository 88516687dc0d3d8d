/** Models of engagement events: polls, predictions, hype trains, goals and charity campaigns. */
import type {
  WireChannelCharityCampaignDonateEvent,
  WireChannelCharityCampaignProgressEvent,
  WireChannelCharityCampaignStartEvent,
  WireChannelCharityCampaignStopEvent,
  WireChannelGoalBeginEvent,
  WireChannelGoalEndEvent,
  WireChannelGoalProgressEvent,
  WireChannelHypeTrainBeginEvent,
  WireChannelHypeTrainEndEvent,
  WireChannelHypeTrainProgressEvent,
  WireHypeTrainContribution,
} from '../wire/engagement.js';
import type { WireBroadcaster } from '../wire/common.js';
import { defineEvent } from '../define.js';
import type { Amount, EventModel, UserRef } from './common.js';
import {
  arrE,
  bool,
  broadcaster,
  broadcasterRefsN,
  date,
  num,
  obj,
  str,
  text,
  toAmount,
  user,
  userOf,
  withRaw,
} from './common.js';

// --- hype train --------------------------------------------------------------------------------------------------

/** A top contribution to a hype train. */
export interface HypeTrainContribution {
  readonly user: UserRef;
  /** `bits`, `subscription` or `other`. */
  readonly contributionType: string;
  /** Bits, or points for subscriptions (500 for tier 1, ...). */
  readonly total: number;
}

interface HypeTrainBase {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly total: number;
  readonly level: number;
  readonly topContributions: readonly HypeTrainContribution[];
  readonly startedAt: Date;
  readonly isSharedTrain: boolean;
  /** `null` unless the train is shared. */
  readonly sharedTrainParticipants: readonly UserRef[] | null;
  /** `regular`, `golden_kappa` or `treasure` (the wire `type`). */
  readonly trainType: string;
}
/** Model of `channel.hype_train.begin` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelHypeTrainBeginEvent
  extends EventModel<'channel.hype_train.begin', '2', WireChannelHypeTrainBeginEvent>, HypeTrainBase {
  readonly progress: number;
  readonly goal: number;
  readonly expiresAt: Date;
  readonly allTimeHighLevel: number;
  readonly allTimeHighTotal: number;
}
export const channelHypeTrainBeginEventDefinition = defineEvent(
  'channel.hype_train.begin',
  '2',
  toChannelHypeTrainBeginEvent,
);
/** Model of `channel.hype_train.progress` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelHypeTrainProgressEvent
  extends EventModel<'channel.hype_train.progress', '2', WireChannelHypeTrainProgressEvent>, HypeTrainBase {
  readonly progress: number;
  readonly goal: number;
  readonly expiresAt: Date;
}
export const channelHypeTrainProgressEventDefinition = defineEvent(
  'channel.hype_train.progress',
  '2',
  toChannelHypeTrainProgressEvent,
);
/** Model of `channel.hype_train.end` v2: its description is in the catalogue table (docs/events.md). */
export interface ChannelHypeTrainEndEvent
  extends EventModel<'channel.hype_train.end', '2', WireChannelHypeTrainEndEvent>, HypeTrainBase {
  readonly endedAt: Date;
  readonly cooldownEndsAt: Date;
}
export const channelHypeTrainEndEventDefinition = defineEvent(
  'channel.hype_train.end',
  '2',
  toChannelHypeTrainEndEvent,
);

// --- goals -------------------------------------------------------------------------------------------------------

interface GoalBase {
  readonly id: string;
  readonly broadcaster: UserRef;
  /** `follow`, `subscription`, `subscription_count`, `new_subscription`, ... (the wire `type`). */
  readonly goalType: string;
  /** `null` when empty. */
  readonly description: string | null;
  readonly currentAmount: number;
  readonly targetAmount: number;
  readonly startedAt: Date;
}
/** Model of `channel.goal.begin` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelGoalBeginEvent
  extends EventModel<'channel.goal.begin', '1', WireChannelGoalBeginEvent>, GoalBase {}
export const channelGoalBeginEventDefinition = defineEvent(
  'channel.goal.begin',
  '1',
  toChannelGoalBeginEvent,
);
/** Model of `channel.goal.progress` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelGoalProgressEvent
  extends EventModel<'channel.goal.progress', '1', WireChannelGoalProgressEvent>, GoalBase {}
export const channelGoalProgressEventDefinition = defineEvent(
  'channel.goal.progress',
  '1',
  toChannelGoalProgressEvent,
);
/** Model of `channel.goal.end` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelGoalEndEvent
  extends EventModel<'channel.goal.end', '1', WireChannelGoalEndEvent>, GoalBase {
  readonly isAchieved: boolean;
  readonly endedAt: Date;
}
export const channelGoalEndEventDefinition = defineEvent('channel.goal.end', '1', toChannelGoalEndEvent);

// --- charity -----------------------------------------------------------------------------------------------------

/** The charity a campaign raises money for. */
export interface Charity {
  readonly name: string;
  readonly description: string | null;
  readonly logo: string | null;
  readonly website: string | null;
}
/** Model of `channel.charity_campaign.donate` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelCharityCampaignDonateEvent extends EventModel<
  'channel.charity_campaign.donate',
  '1',
  WireChannelCharityCampaignDonateEvent
> {
  readonly id: string;
  readonly campaignId: string;
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly charity: Charity;
  readonly amount: Amount;
}
export const channelCharityCampaignDonateEventDefinition = defineEvent(
  'channel.charity_campaign.donate',
  '1',
  toChannelCharityCampaignDonateEvent,
);
interface CharityCampaignBase {
  /** Campaign id. */
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly charity: Charity;
  readonly currentAmount: Amount;
  readonly targetAmount: Amount;
}
/** Model of `channel.charity_campaign.start` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelCharityCampaignStartEvent
  extends
    EventModel<'channel.charity_campaign.start', '1', WireChannelCharityCampaignStartEvent>,
    CharityCampaignBase {
  readonly startedAt: Date;
}
export const channelCharityCampaignStartEventDefinition = defineEvent(
  'channel.charity_campaign.start',
  '1',
  toChannelCharityCampaignStartEvent,
);
/** Model of `channel.charity_campaign.progress` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelCharityCampaignProgressEvent
  extends
    EventModel<'channel.charity_campaign.progress', '1', WireChannelCharityCampaignProgressEvent>,
    CharityCampaignBase {}
export const channelCharityCampaignProgressEventDefinition = defineEvent(
  'channel.charity_campaign.progress',
  '1',
  toChannelCharityCampaignProgressEvent,
);
/** Model of `channel.charity_campaign.stop` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelCharityCampaignStopEvent
  extends
    EventModel<'channel.charity_campaign.stop', '1', WireChannelCharityCampaignStopEvent>,
    CharityCampaignBase {
  readonly stoppedAt: Date;
}
export const channelCharityCampaignStopEventDefinition = defineEvent(
  'channel.charity_campaign.stop',
  '1',
  toChannelCharityCampaignStopEvent,
);

function contributions(
  v: readonly WireHypeTrainContribution[] | null | undefined,
): readonly HypeTrainContribution[] {
  const a = arrE(v, 'top_contributions');
  const out = new Array<HypeTrainContribution>(a.length);
  for (let i = 0; i < a.length; i++) {
    const c = obj(a[i], 'top_contributions');
    out[i] = {
      user: userOf(c),
      contributionType: str(c.type, 'top_contributions.type'),
      total: num(c.total, 'top_contributions.total'),
    };
  }
  return out;
}

function hypeTrain(w: WireChannelHypeTrainProgressEvent | WireChannelHypeTrainEndEvent): HypeTrainBase {
  return {
    id: str(w.id, 'id'),
    broadcaster: broadcaster(w),
    total: num(w.total, 'total'),
    level: num(w.level, 'level'),
    topContributions: contributions(w.top_contributions),
    startedAt: date(w.started_at, 'started_at'),
    isSharedTrain: bool(w.is_shared_train, 'is_shared_train'),
    sharedTrainParticipants: broadcasterRefsN(w.shared_train_participants, 'shared_train_participants'),
    trainType: str(w.type, 'type'),
  };
}

/** Converts `channel.hype_train.begin` v2. */
function toChannelHypeTrainBeginEvent(w: WireChannelHypeTrainBeginEvent): ChannelHypeTrainBeginEvent {
  const h = hypeTrain(w);
  return withRaw(
    {
      type: 'channel.hype_train.begin',
      version: '2',
      ...h,
      progress: num(w.progress, 'progress'),
      goal: num(w.goal, 'goal'),
      expiresAt: date(w.expires_at, 'expires_at'),
      allTimeHighLevel: num(w.all_time_high_level, 'all_time_high_level'),
      allTimeHighTotal: num(w.all_time_high_total, 'all_time_high_total'),
    },
    w,
  );
}

/** Converts `channel.hype_train.progress` v2. */
function toChannelHypeTrainProgressEvent(
  w: WireChannelHypeTrainProgressEvent,
): ChannelHypeTrainProgressEvent {
  const h = hypeTrain(w);
  return withRaw(
    {
      type: 'channel.hype_train.progress',
      version: '2',
      ...h,
      progress: num(w.progress, 'progress'),
      goal: num(w.goal, 'goal'),
      expiresAt: date(w.expires_at, 'expires_at'),
    },
    w,
  );
}

/** Converts `channel.hype_train.end` v2. */
function toChannelHypeTrainEndEvent(w: WireChannelHypeTrainEndEvent): ChannelHypeTrainEndEvent {
  const h = hypeTrain(w);
  return withRaw(
    {
      type: 'channel.hype_train.end',
      version: '2',
      ...h,
      endedAt: date(w.ended_at, 'ended_at'),
      cooldownEndsAt: date(w.cooldown_ends_at, 'cooldown_ends_at'),
    },
    w,
  );
}

function goal(w: WireChannelGoalBeginEvent): GoalBase {
  return {
    id: str(w.id, 'id'),
    broadcaster: broadcaster(w),
    goalType: str(w.type, 'type'),
    description: text(w.description, 'description'),
    currentAmount: num(w.current_amount, 'current_amount'),
    targetAmount: num(w.target_amount, 'target_amount'),
    startedAt: date(w.started_at, 'started_at'),
  };
}

/** Converts `channel.goal.begin` v1. */
function toChannelGoalBeginEvent(w: WireChannelGoalBeginEvent): ChannelGoalBeginEvent {
  return withRaw({ type: 'channel.goal.begin', version: '1', ...goal(w) }, w);
}

/** Converts `channel.goal.progress` v1. */
function toChannelGoalProgressEvent(w: WireChannelGoalProgressEvent): ChannelGoalProgressEvent {
  return withRaw({ type: 'channel.goal.progress', version: '1', ...goal(w) }, w);
}

/** Converts `channel.goal.end` v1. */
function toChannelGoalEndEvent(w: WireChannelGoalEndEvent): ChannelGoalEndEvent {
  return withRaw(
    {
      type: 'channel.goal.end',
      version: '1',
      ...goal(w),
      isAchieved: bool(w.is_achieved, 'is_achieved'),
      endedAt: date(w.ended_at, 'ended_at'),
    },
    w,
  );
}

function charity(
  w: WireChannelCharityCampaignDonateEvent | WireChannelCharityCampaignProgressEvent,
): Charity {
  return {
    name: str(w.charity_name, 'charity_name'),
    description: text(w.charity_description, 'charity_description'),
    logo: text(w.charity_logo, 'charity_logo'),
    website: text(w.charity_website, 'charity_website'),
  };
}

/**
 * The broadcaster of a charity event, from `broadcaster_user_*` or `broadcaster_*`: Twitch's examples use the first
 * names for donations and the second for campaign events, and clients disagree on which Twitch sends.
 */
function charityBroadcaster(w: Partial<WireBroadcaster> & { broadcaster_id?: string }): UserRef {
  const loose = w as Partial<WireBroadcaster> & {
    broadcaster_id?: unknown;
    broadcaster_login?: unknown;
    broadcaster_name?: unknown;
  };
  return loose.broadcaster_user_id === undefined && loose.broadcaster_id !== undefined
    ? user(loose.broadcaster_id, loose.broadcaster_login, loose.broadcaster_name, 'broadcaster')
    : user(
        loose.broadcaster_user_id,
        loose.broadcaster_user_login,
        loose.broadcaster_user_name,
        'broadcaster_user',
      );
}

/** Converts `channel.charity_campaign.donate` v1. */
function toChannelCharityCampaignDonateEvent(
  w: WireChannelCharityCampaignDonateEvent,
): ChannelCharityCampaignDonateEvent {
  return withRaw(
    {
      type: 'channel.charity_campaign.donate',
      version: '1',
      id: str(w.id, 'id'),
      campaignId: str(w.campaign_id, 'campaign_id'),
      broadcaster: charityBroadcaster(w),
      user: userOf(w),
      charity: charity(w),
      amount: toAmount(w.amount, 'amount'),
    },
    w,
  );
}

function campaign(w: WireChannelCharityCampaignProgressEvent): CharityCampaignBase {
  return {
    id: str(w.id, 'id'),
    broadcaster: charityBroadcaster(w),
    charity: charity(w),
    currentAmount: toAmount(w.current_amount, 'current_amount'),
    targetAmount: toAmount(w.target_amount, 'target_amount'),
  };
}

/** Converts `channel.charity_campaign.start` v1. */
function toChannelCharityCampaignStartEvent(
  w: WireChannelCharityCampaignStartEvent,
): ChannelCharityCampaignStartEvent {
  return withRaw(
    {
      type: 'channel.charity_campaign.start',
      version: '1',
      ...campaign(w),
      startedAt: date(w.started_at, 'started_at'),
    },
    w,
  );
}

/** Converts `channel.charity_campaign.progress` v1. */
function toChannelCharityCampaignProgressEvent(
  w: WireChannelCharityCampaignProgressEvent,
): ChannelCharityCampaignProgressEvent {
  return withRaw({ type: 'channel.charity_campaign.progress', version: '1', ...campaign(w) }, w);
}

/** Converts `channel.charity_campaign.stop` v1. */
function toChannelCharityCampaignStopEvent(
  w: WireChannelCharityCampaignStopEvent,
): ChannelCharityCampaignStopEvent {
  return withRaw(
    {
      type: 'channel.charity_campaign.stop',
      version: '1',
      ...campaign(w),
      stoppedAt: date(w.stopped_at, 'stopped_at'),
    },
    w,
  );
}
