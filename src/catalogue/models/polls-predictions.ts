/** Models of polls and predictions: `channel.poll.*`, `channel.prediction.*`. */
import type {
  WireChannelPollBeginEvent,
  WireChannelPollEndEvent,
  WireChannelPollProgressEvent,
  WireChannelPredictionBeginEvent,
  WireChannelPredictionEndEvent,
  WireChannelPredictionLockEvent,
  WireChannelPredictionProgressEvent,
  WirePollChoice,
  WirePollVoting,
  WirePredictionOutcome,
} from '../wire/engagement.js';
import { defineEvent } from '../define.js';
import type { EventModel, UserRef } from './common.js';
import { arr, arrE, bool, broadcaster, date, num, numN, obj, str, text, user, withRaw } from './common.js';

// --- polls -------------------------------------------------------------------------------------------------------

/** A poll choice. Vote counts are 0 in `channel.poll.begin` (Twitch omits them). */
export interface PollChoice {
  readonly id: string;
  readonly title: string;
  readonly bitsVotes: number;
  readonly channelPointsVotes: number;
  /** Total votes, including Channel Points votes. */
  readonly votes: number;
}

/** Voting settings of a poll. */
export interface PollVoting {
  readonly isEnabled: boolean;
  readonly amountPerVote: number;
}

interface PollBase {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly title: string;
  readonly choices: readonly PollChoice[];
  readonly bitsVoting: PollVoting;
  readonly channelPointsVoting: PollVoting;
  readonly startedAt: Date;
}
/** Model of `channel.poll.begin` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPollBeginEvent
  extends EventModel<'channel.poll.begin', '1', WireChannelPollBeginEvent>, PollBase {
  readonly endsAt: Date;
}
export const channelPollBeginEventDefinition = defineEvent(
  'channel.poll.begin',
  '1',
  toChannelPollBeginEvent,
);
/** Model of `channel.poll.progress` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPollProgressEvent
  extends EventModel<'channel.poll.progress', '1', WireChannelPollProgressEvent>, PollBase {
  readonly endsAt: Date;
}
export const channelPollProgressEventDefinition = defineEvent(
  'channel.poll.progress',
  '1',
  toChannelPollProgressEvent,
);
/** Model of `channel.poll.end` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPollEndEvent
  extends EventModel<'channel.poll.end', '1', WireChannelPollEndEvent>, PollBase {
  /** `completed`, `archived` or `terminated`. */
  readonly status: string;
  readonly endedAt: Date;
}
export const channelPollEndEventDefinition = defineEvent('channel.poll.end', '1', toChannelPollEndEvent);

// --- predictions -------------------------------------------------------------------------------------------------

/** A top predictor of an outcome. */
export interface TopPredictor {
  readonly user: UserRef;
  /** `null` until resolved, and for users who lost. */
  readonly channelPointsWon: number | null;
  readonly channelPointsUsed: number;
}

/** A prediction outcome. Counters are 0 and `topPredictors` empty in `channel.prediction.begin`. */
export interface PredictionOutcome {
  readonly id: string;
  readonly title: string;
  /** `blue` or `pink`. */
  readonly color: string;
  readonly users: number;
  readonly channelPoints: number;
  readonly topPredictors: readonly TopPredictor[];
}

interface PredictionBase {
  readonly id: string;
  readonly broadcaster: UserRef;
  readonly title: string;
  readonly outcomes: readonly PredictionOutcome[];
  readonly startedAt: Date;
}
/** Model of `channel.prediction.begin` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPredictionBeginEvent
  extends EventModel<'channel.prediction.begin', '1', WireChannelPredictionBeginEvent>, PredictionBase {
  readonly locksAt: Date;
}
export const channelPredictionBeginEventDefinition = defineEvent(
  'channel.prediction.begin',
  '1',
  toChannelPredictionBeginEvent,
);
/** Model of `channel.prediction.progress` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPredictionProgressEvent
  extends EventModel<'channel.prediction.progress', '1', WireChannelPredictionProgressEvent>, PredictionBase {
  readonly locksAt: Date;
}
export const channelPredictionProgressEventDefinition = defineEvent(
  'channel.prediction.progress',
  '1',
  toChannelPredictionProgressEvent,
);
/** Model of `channel.prediction.lock` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPredictionLockEvent
  extends EventModel<'channel.prediction.lock', '1', WireChannelPredictionLockEvent>, PredictionBase {
  readonly lockedAt: Date;
}
export const channelPredictionLockEventDefinition = defineEvent(
  'channel.prediction.lock',
  '1',
  toChannelPredictionLockEvent,
);
/** Model of `channel.prediction.end` v1: its description is in the catalogue table (docs/events.md). */
export interface ChannelPredictionEndEvent
  extends EventModel<'channel.prediction.end', '1', WireChannelPredictionEndEvent>, PredictionBase {
  /** `null` when canceled. */
  readonly winningOutcomeId: string | null;
  /** `resolved` or `canceled`. */
  readonly status: string;
  readonly endedAt: Date;
}
export const channelPredictionEndEventDefinition = defineEvent(
  'channel.prediction.end',
  '1',
  toChannelPredictionEndEvent,
);

// ---------------------------------------------------------------------------------------------------------------
// Converters
// ---------------------------------------------------------------------------------------------------------------

function voting(w: WirePollVoting, field: string): PollVoting {
  const v = obj(w, field);
  return {
    isEnabled: bool(v.is_enabled, `${field}.is_enabled`),
    amountPerVote: num(v.amount_per_vote, `${field}.amount_per_vote`),
  };
}

function choices(v: readonly WirePollChoice[]): readonly PollChoice[] {
  const a = arr(v, 'choices');
  const out = new Array<PollChoice>(a.length);
  for (let i = 0; i < a.length; i++) {
    const c = obj(a[i], 'choices');
    out[i] = {
      id: str(c.id, 'choices.id'),
      title: str(c.title, 'choices.title'),
      bitsVotes: numN(c.bits_votes, 'choices.bits_votes') ?? 0,
      channelPointsVotes: numN(c.channel_points_votes, 'choices.channel_points_votes') ?? 0,
      votes: numN(c.votes, 'choices.votes') ?? 0,
    };
  }
  return out;
}

function poll(w: WireChannelPollBeginEvent | WireChannelPollEndEvent): PollBase {
  return {
    id: str(w.id, 'id'),
    broadcaster: broadcaster(w),
    title: str(w.title, 'title'),
    choices: choices(w.choices),
    bitsVoting: voting(w.bits_voting, 'bits_voting'),
    channelPointsVoting: voting(w.channel_points_voting, 'channel_points_voting'),
    startedAt: date(w.started_at, 'started_at'),
  };
}

/** Converts `channel.poll.begin` v1. */
function toChannelPollBeginEvent(w: WireChannelPollBeginEvent): ChannelPollBeginEvent {
  const p = poll(w);
  return withRaw({ type: 'channel.poll.begin', version: '1', ...p, endsAt: date(w.ends_at, 'ends_at') }, w);
}

/** Converts `channel.poll.progress` v1. */
function toChannelPollProgressEvent(w: WireChannelPollProgressEvent): ChannelPollProgressEvent {
  const p = poll(w);
  return withRaw(
    {
      type: 'channel.poll.progress',
      version: '1',
      ...p,
      endsAt: date(w.ends_at, 'ends_at'),
    },
    w,
  );
}

/** Converts `channel.poll.end` v1. */
function toChannelPollEndEvent(w: WireChannelPollEndEvent): ChannelPollEndEvent {
  const p = poll(w);
  return withRaw(
    {
      type: 'channel.poll.end',
      version: '1',
      ...p,
      status: str(w.status, 'status'),
      endedAt: date(w.ended_at, 'ended_at'),
    },
    w,
  );
}

function outcomes(v: readonly WirePredictionOutcome[]): readonly PredictionOutcome[] {
  const a = arr(v, 'outcomes');
  const out = new Array<PredictionOutcome>(a.length);
  for (let i = 0; i < a.length; i++) {
    const o = obj(a[i], 'outcomes');
    const tp = arrE(o.top_predictors, 'outcomes.top_predictors');
    const topPredictors = new Array<TopPredictor>(tp.length);
    for (let j = 0; j < tp.length; j++) {
      const p = obj(tp[j], 'top_predictors');
      topPredictors[j] = {
        user: user(p.user_id, p.user_login, p.user_name, 'top_predictors.user'),
        channelPointsWon: numN(p.channel_points_won, 'top_predictors.channel_points_won'),
        channelPointsUsed: num(p.channel_points_used, 'top_predictors.channel_points_used'),
      };
    }
    out[i] = {
      id: str(o.id, 'outcomes.id'),
      title: str(o.title, 'outcomes.title'),
      color: str(o.color, 'outcomes.color'),
      users: numN(o.users, 'outcomes.users') ?? 0,
      channelPoints: numN(o.channel_points, 'outcomes.channel_points') ?? 0,
      topPredictors,
    };
  }
  return out;
}

function prediction(
  w: WireChannelPredictionBeginEvent | WireChannelPredictionLockEvent | WireChannelPredictionEndEvent,
): PredictionBase {
  return {
    id: str(w.id, 'id'),
    broadcaster: broadcaster(w),
    title: str(w.title, 'title'),
    outcomes: outcomes(w.outcomes),
    startedAt: date(w.started_at, 'started_at'),
  };
}

/** Converts `channel.prediction.begin` v1. */
function toChannelPredictionBeginEvent(w: WireChannelPredictionBeginEvent): ChannelPredictionBeginEvent {
  const p = prediction(w);
  return withRaw(
    {
      type: 'channel.prediction.begin',
      version: '1',
      ...p,
      locksAt: date(w.locks_at, 'locks_at'),
    },
    w,
  );
}

/** Converts `channel.prediction.progress` v1. */
function toChannelPredictionProgressEvent(
  w: WireChannelPredictionProgressEvent,
): ChannelPredictionProgressEvent {
  const p = prediction(w);
  return withRaw(
    {
      type: 'channel.prediction.progress',
      version: '1',
      ...p,
      locksAt: date(w.locks_at, 'locks_at'),
    },
    w,
  );
}

/** Converts `channel.prediction.lock` v1. */
function toChannelPredictionLockEvent(w: WireChannelPredictionLockEvent): ChannelPredictionLockEvent {
  const p = prediction(w);
  return withRaw(
    {
      type: 'channel.prediction.lock',
      version: '1',
      ...p,
      lockedAt: date(w.locked_at, 'locked_at'),
    },
    w,
  );
}

/** Converts `channel.prediction.end` v1. */
function toChannelPredictionEndEvent(w: WireChannelPredictionEndEvent): ChannelPredictionEndEvent {
  const p = prediction(w);
  return withRaw(
    {
      type: 'channel.prediction.end',
      version: '1',
      ...p,
      winningOutcomeId: text(w.winning_outcome_id, 'winning_outcome_id'),
      status: str(w.status, 'status'),
      endedAt: date(w.ended_at, 'ended_at'),
    },
    w,
  );
}
