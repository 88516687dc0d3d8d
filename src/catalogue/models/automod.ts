/** Models of AutoMod events: message hold/update (v1 and v2), settings and terms updates. */
import type {
  WireAutomodMessageHoldV1Event,
  WireAutomodMessageHoldV2Event,
  WireAutomodMessageUpdateV1Event,
  WireAutomodMessageUpdateV2Event,
  WireAutomodSettingsUpdateEvent,
  WireAutomodTermsUpdateEvent,
} from '../wire/automod.js';
import { defineEvent } from '../define.js';
import type { Boundary, EventModel, StructuredMessage, UserRef } from './common.js';
import {
  arrE,
  bool,
  broadcaster,
  date,
  moderator,
  num,
  numN,
  obj,
  str,
  strs,
  toBoundaries,
  toMessage,
  user,
  userOf,
  withRaw,
} from './common.js';

/** The v1 fragment lists of a held message. */
export interface AutomodV1Fragments {
  readonly emotes: readonly { readonly text: string; readonly id: string; readonly setId: string }[];
  readonly cheermotes: readonly {
    readonly text: string;
    readonly amount: number;
    readonly prefix: string;
    readonly tier: number;
  }[];
}

interface AutomodV1Base {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly messageId: string;
  readonly message: string;
  readonly level: number;
  readonly category: string;
  readonly heldAt: Date;
  readonly fragments: AutomodV1Fragments;
}

/** Model of `automod.message.hold` v1: its description is in the catalogue table (docs/events.md). */
export interface AutomodMessageHoldV1Event
  extends EventModel<'automod.message.hold', '1', WireAutomodMessageHoldV1Event>, AutomodV1Base {}
export const automodMessageHoldV1EventDefinition = defineEvent(
  'automod.message.hold',
  '1',
  toAutomodMessageHoldV1Event,
);

/** Model of `automod.message.update` v1: its description is in the catalogue table (docs/events.md). */
export interface AutomodMessageUpdateV1Event
  extends EventModel<'automod.message.update', '1', WireAutomodMessageUpdateV1Event>, AutomodV1Base {
  readonly moderator: UserRef;
  readonly status: string;
}
export const automodMessageUpdateV1EventDefinition = defineEvent(
  'automod.message.update',
  '1',
  toAutomodMessageUpdateV1Event,
);

/** Why a v2 message was held: AutoMod classification or blocked terms. */
export type AutomodHoldReason =
  | {
      readonly reason: 'automod';
      readonly category: string;
      readonly level: number;
      readonly boundaries: readonly Boundary[];
    }
  | {
      readonly reason: 'blocked_term';
      readonly termsFound: readonly {
        readonly termId: string;
        readonly boundary: Boundary;
        readonly ownerBroadcaster: UserRef;
      }[];
    };

interface AutomodV2Base {
  readonly broadcaster: UserRef;
  readonly user: UserRef;
  readonly messageId: string;
  readonly message: StructuredMessage;
  /** `automod` or `blocked_term` (also in `details.reason`). */
  readonly reason: string;
  /** `null` for unknown reasons. */
  readonly details: AutomodHoldReason | null;
  readonly heldAt: Date;
}

/** Model of `automod.message.hold` v2: its description is in the catalogue table (docs/events.md). */
export interface AutomodMessageHoldV2Event
  extends EventModel<'automod.message.hold', '2', WireAutomodMessageHoldV2Event>, AutomodV2Base {}
export const automodMessageHoldV2EventDefinition = defineEvent(
  'automod.message.hold',
  '2',
  toAutomodMessageHoldV2Event,
);

/** Model of `automod.message.update` v2: its description is in the catalogue table (docs/events.md). */
export interface AutomodMessageUpdateV2Event
  extends EventModel<'automod.message.update', '2', WireAutomodMessageUpdateV2Event>, AutomodV2Base {
  readonly moderator: UserRef;
  readonly status: string;
}
export const automodMessageUpdateV2EventDefinition = defineEvent(
  'automod.message.update',
  '2',
  toAutomodMessageUpdateV2Event,
);

/** Model of `automod.settings.update` v1: its description is in the catalogue table (docs/events.md). */
export interface AutomodSettingsUpdateEvent extends EventModel<
  'automod.settings.update',
  '1',
  WireAutomodSettingsUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  /**
   * `null` when the individual levels were set instead of an overall level. Every level is 0 (off) to 4 (most
   * aggressive).
   */
  readonly overallLevel: number | null;
  readonly disability: number;
  readonly aggression: number;
  readonly sexualitySexOrGender: number;
  readonly misogyny: number;
  readonly bullying: number;
  readonly swearing: number;
  readonly raceEthnicityOrReligion: number;
  readonly sexBasedTerms: number;
}
export const automodSettingsUpdateEventDefinition = defineEvent(
  'automod.settings.update',
  '1',
  toAutomodSettingsUpdateEvent,
);

/** Model of `automod.terms.update` v1: its description is in the catalogue table (docs/events.md). */
export interface AutomodTermsUpdateEvent extends EventModel<
  'automod.terms.update',
  '1',
  WireAutomodTermsUpdateEvent
> {
  readonly broadcaster: UserRef;
  readonly moderator: UserRef;
  /** `add_permitted`, `remove_permitted`, `add_blocked` or `remove_blocked`. */
  readonly action: string;
  readonly fromAutomod: boolean;
  readonly terms: readonly string[];
}
export const automodTermsUpdateEventDefinition = defineEvent(
  'automod.terms.update',
  '1',
  toAutomodTermsUpdateEvent,
);

// ---------------------------------------------------------------------------------------------------------------

/** The v1 fragment lists of a structured message (the shape Twitch sends): its emote and cheermote fragments. */
function v1FragmentsOf(message: StructuredMessage): AutomodV1Fragments {
  const emotes: AutomodV1Fragments['emotes'][number][] = [];
  const cheermotes: AutomodV1Fragments['cheermotes'][number][] = [];
  for (const f of message.fragments) {
    if (f.type === 'emote') {
      emotes.push({ text: f.text, id: f.emote.id, setId: f.emote.emoteSetId ?? '' });
    } else if (f.type === 'cheermote') {
      cheermotes.push({
        text: f.text,
        amount: f.cheermote.bits,
        prefix: f.cheermote.prefix,
        tier: f.cheermote.tier,
      });
    }
  }
  return { emotes, cheermotes };
}

function v1Base(w: WireAutomodMessageHoldV1Event): AutomodV1Base {
  const base = {
    broadcaster: broadcaster(w),
    user: userOf(w),
    messageId: str(w.message_id, 'message_id'),
    level: num(w.level, 'level'),
    category: str(w.category, 'category'),
    heldAt: date(w.held_at, 'held_at'),
  };
  if (typeof w.message !== 'string') {
    // The shape Twitch sends: `message: { text, fragments[] }`.
    const message = toMessage(obj(w.message, 'message'), 'message');
    return { ...base, message: message.text, fragments: v1FragmentsOf(message) };
  }
  const f = obj(w.fragments, 'fragments');
  const em = arrE(f.emotes, 'fragments.emotes');
  const ch = arrE(f.cheermotes, 'fragments.cheermotes');
  const emotes = new Array<AutomodV1Fragments['emotes'][number]>(em.length);
  for (let i = 0; i < em.length; i++) {
    const e = obj(em[i], 'fragments.emotes');
    emotes[i] = {
      text: str(e.text, 'emotes.text'),
      id: str(e.id, 'emotes.id'),
      setId: str(e['set-id'], 'emotes.set-id'),
    };
  }
  const cheermotes = new Array<AutomodV1Fragments['cheermotes'][number]>(ch.length);
  for (let i = 0; i < ch.length; i++) {
    const c = obj(ch[i], 'fragments.cheermotes');
    cheermotes[i] = {
      text: str(c.text, 'cheermotes.text'),
      amount: num(c.amount, 'cheermotes.amount'),
      prefix: str(c.prefix, 'cheermotes.prefix'),
      tier: num(c.tier, 'cheermotes.tier'),
    };
  }
  return { ...base, message: w.message, fragments: { emotes, cheermotes } };
}

function v2Details(w: WireAutomodMessageHoldV2Event): AutomodHoldReason | null {
  if (w.reason === 'automod') {
    const a = obj(w.automod, 'automod');
    return {
      reason: 'automod',
      category: str(a.category, 'automod.category'),
      level: num(a.level, 'automod.level'),
      boundaries: toBoundaries(a.boundaries, 'automod.boundaries'),
    };
  }
  if (w.reason === 'blocked_term') {
    const list = arrE(obj(w.blocked_term, 'blocked_term').terms_found, 'blocked_term.terms_found');
    const termsFound = new Array<
      Extract<AutomodHoldReason, { reason: 'blocked_term' }>['termsFound'][number]
    >(list.length);
    for (let i = 0; i < list.length; i++) {
      const t = obj(list[i], 'blocked_term.terms_found');
      const b = obj(t.boundary, 'terms_found.boundary');
      termsFound[i] = {
        termId: str(t.term_id, 'terms_found.term_id'),
        boundary: {
          startPos: num(b.start_pos, 'boundary.start_pos'),
          endPos: num(b.end_pos, 'boundary.end_pos'),
        },
        ownerBroadcaster: user(
          t.owner_broadcaster_user_id,
          t.owner_broadcaster_user_login,
          t.owner_broadcaster_user_name,
          'terms_found.owner_broadcaster_user',
        ),
      };
    }
    return { reason: 'blocked_term', termsFound };
  }
  return null;
}

function v2Base(w: WireAutomodMessageHoldV2Event): AutomodV2Base {
  return {
    broadcaster: broadcaster(w),
    user: userOf(w),
    messageId: str(w.message_id, 'message_id'),
    message: toMessage(w.message, 'message'),
    reason: str(w.reason, 'reason'),
    details: v2Details(w),
    heldAt: date(w.held_at, 'held_at'),
  };
}

/** Converts `automod.message.hold` v1. */
function toAutomodMessageHoldV1Event(w: WireAutomodMessageHoldV1Event): AutomodMessageHoldV1Event {
  return withRaw({ type: 'automod.message.hold', version: '1', ...v1Base(w) }, w);
}

/** Converts `automod.message.update` v1. */
function toAutomodMessageUpdateV1Event(w: WireAutomodMessageUpdateV1Event): AutomodMessageUpdateV1Event {
  return withRaw(
    {
      type: 'automod.message.update',
      version: '1',
      ...v1Base(w),
      moderator: moderator(w),
      status: str(w.status, 'status'),
    },
    w,
  );
}

/** Converts `automod.message.hold` v2. */
function toAutomodMessageHoldV2Event(w: WireAutomodMessageHoldV2Event): AutomodMessageHoldV2Event {
  return withRaw({ type: 'automod.message.hold', version: '2', ...v2Base(w) }, w);
}

/** Converts `automod.message.update` v2. */
function toAutomodMessageUpdateV2Event(w: WireAutomodMessageUpdateV2Event): AutomodMessageUpdateV2Event {
  return withRaw(
    {
      type: 'automod.message.update',
      version: '2',
      ...v2Base(w),
      moderator: moderator(w),
      status: str(w.status, 'status'),
    },
    w,
  );
}

/** Converts `automod.settings.update` v1. Accepts the `{ data: [event] }` wrapping of Twitch's reference example. */
function toAutomodSettingsUpdateEvent(w: WireAutomodSettingsUpdateEvent): AutomodSettingsUpdateEvent {
  const wrapped = (w as { data?: unknown }).data;
  const e: WireAutomodSettingsUpdateEvent = Array.isArray(wrapped)
    ? obj(wrapped[0] as WireAutomodSettingsUpdateEvent | undefined, 'data')
    : w;
  return withRaw(
    {
      type: 'automod.settings.update',
      version: '1',
      broadcaster: broadcaster(e),
      moderator: moderator(e),
      overallLevel: numN(e.overall_level, 'overall_level'),
      disability: num(e.disability, 'disability'),
      aggression: num(e.aggression, 'aggression'),
      sexualitySexOrGender: num(e.sexuality_sex_or_gender, 'sexuality_sex_or_gender'),
      misogyny: num(e.misogyny, 'misogyny'),
      bullying: num(e.bullying, 'bullying'),
      swearing: num(e.swearing, 'swearing'),
      raceEthnicityOrReligion: num(e.race_ethnicity_or_religion, 'race_ethnicity_or_religion'),
      sexBasedTerms: num(e.sex_based_terms, 'sex_based_terms'),
    },
    w,
  );
}

/** Converts `automod.terms.update` v1. */
function toAutomodTermsUpdateEvent(w: WireAutomodTermsUpdateEvent): AutomodTermsUpdateEvent {
  return withRaw(
    {
      type: 'automod.terms.update',
      version: '1',
      broadcaster: broadcaster(w),
      moderator: moderator(w),
      action: str(w.action, 'action'),
      fromAutomod: bool(w.from_automod, 'from_automod'),
      terms: strs(w.terms, 'terms'),
    },
    w,
  );
}
