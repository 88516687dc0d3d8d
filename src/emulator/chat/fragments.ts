/**
 * How Twitch cuts a chat message into fragments (`channel.chat.message`'s `message.fragments`): words that are
 * emotes, cheermotes or `@mentions` of existing users become their own fragments; the text between them (spaces
 * included) stays one `text` fragment. Used by the viewer simulator; the tables are small and real (global emote
 * ids and Twitch's cheermote prefixes and tiers).
 */
import type { WireFragmentEmote, WireMessageFragment } from '../../catalogue/wire/common.js';
import type { EmuUserInfo } from '../http/types.js';

/** One fragment as Twitch sends it in `channel.chat.message`: every object present, the one of `type` non-null. */
export type ChatFragment = Required<WireMessageFragment>;

/** An emote as a fragment carries it (set, owner and formats always present). */
export type FragmentEmote = Required<WireFragmentEmote>;

/** Twitch global emotes (emote set `0`, owner `0`), by their case-sensitive name. */
export const GLOBAL_EMOTES: ReadonlyMap<string, FragmentEmote> = new Map(
  (
    [
      ['Kappa', '25'],
      ['LUL', '425618'],
      ['PogChamp', '305954156'],
      ['Kreygasm', '41'],
      ['BibleThump', '86'],
      ['DansGame', '33'],
      ['SwiftRage', '34'],
      ['ResidentSleeper', '245'],
      ['4Head', '354'],
      ['HeyGuys', '30259'],
      ['SeemsGood', '64138'],
      ['CoolCat', '58127'],
      ['NotLikeThis', '58765'],
      ['FailFish', '360'],
      ['VoHiYo', '81274'],
      ['TwitchUnity', '196892'],
      ['KappaPride', '55338'],
      ['GlitchCat', '304486301', true],
    ] as const
  ).map(([name, id, animated]) => [
    name,
    { id, emote_set_id: '0', owner_id: '0', format: animated === true ? ['static', 'animated'] : ['static'] },
  ]),
);

/** Twitch's global cheermote prefixes (matched case-insensitively, sent in lower case like Twitch does). */
export const CHEERMOTE_PREFIXES: readonly string[] = Object.freeze([
  'cheer',
  'biblethump',
  'cheerwhal',
  'corgo',
  'uni',
  'showlove',
  'party',
  'seemsgood',
  'pride',
  'kappa',
  'frankerz',
  'heyguys',
  'dansgame',
  'elegiggle',
  'trihard',
  'kreygasm',
  '4head',
  'swiftrage',
  'notlikethis',
  'failfish',
  'vohiyo',
  'pjsalt',
  'mrdestructoid',
  'bday',
  'ripcheer',
  'shamrock',
  'pogchamp',
]);

/** Bits thresholds of the cheermote tiers (a cheer of `bits` shows the tier of the highest threshold it reaches). */
export const CHEERMOTE_TIERS: readonly number[] = Object.freeze([1, 100, 1_000, 5_000, 10_000]);

/** Most bits one cheermote may carry (Twitch's cap per cheer). */
export const MAX_CHEERMOTE_BITS = 1_000_000;

const CHEERMOTE = new RegExp(`^(${CHEERMOTE_PREFIXES.join('|')})([1-9][0-9]{0,6})$`, 'i');
const MENTION = /^@([A-Za-z0-9_]{1,25})$/;
const WORD = /\S+/g;

/** The tier (threshold) of a cheer of `bits`. */
export function cheerTier(bits: number): number {
  let tier = 1;
  for (const t of CHEERMOTE_TIERS) if (bits >= t) tier = t;
  return tier;
}

function text(t: string): ChatFragment {
  return { type: 'text', text: t, cheermote: null, emote: null, mention: null };
}

/** The special fragment `word` makes, or `null` when it is plain text. */
function special(
  word: string,
  userByLogin: (login: string) => EmuUserInfo | undefined,
  emotes: ReadonlyMap<string, FragmentEmote>,
): ChatFragment | null {
  const emote = emotes.get(word) ?? GLOBAL_EMOTES.get(word);
  if (emote !== undefined) {
    // A copy: the tables stay intact whatever a caller does with the result.
    const copy = { ...emote, format: [...emote.format] };
    return { type: 'emote', text: word, cheermote: null, emote: copy, mention: null };
  }
  const cheer = CHEERMOTE.exec(word);
  if (cheer !== null) {
    const bits = Number(cheer[2]);
    if (bits <= MAX_CHEERMOTE_BITS) {
      const prefix = (cheer[1] ?? '').toLowerCase();
      const cheermote = { prefix, bits, tier: cheerTier(bits) };
      return { type: 'cheermote', text: word, cheermote, emote: null, mention: null };
    }
  }
  const mention = MENTION.exec(word);
  const user = mention === null ? undefined : userByLogin(mention[1] ?? '');
  if (user !== undefined) {
    const m = { user_id: user.id, user_login: user.login, user_name: user.display_name };
    return { type: 'mention', text: word, cheermote: null, emote: null, mention: m };
  }
  return null;
}

/** What {@link fragmentsOf} found. */
export interface Fragmented {
  readonly fragments: ChatFragment[];
  /** Sum of the cheermotes' bits (0 when none). */
  readonly bits: number;
}

/**
 * Cuts `message` into Twitch's fragments. `emotes` adds (channel) emotes to the global table.
 *
 * @example
 * ```ts
 * fragmentsOf('hi @bob Kappa cheer100', users.byLogin, new Map());
 * // text 'hi ', mention '@bob', text ' ', emote 'Kappa', text ' ', cheermote 'cheer100'; bits 100
 * ```
 */
export function fragmentsOf(
  message: string,
  userByLogin: (login: string) => EmuUserInfo | undefined,
  emotes: ReadonlyMap<string, FragmentEmote> = new Map(),
): Fragmented {
  const fragments: ChatFragment[] = [];
  let bits = 0;
  let plainFrom = 0;
  for (const match of message.matchAll(WORD)) {
    const fragment = special(match[0], userByLogin, emotes);
    if (fragment === null) continue;
    if (match.index > plainFrom) fragments.push(text(message.slice(plainFrom, match.index)));
    fragments.push(fragment);
    if (fragment.cheermote !== null) bits += fragment.cheermote.bits;
    plainFrom = match.index + match[0].length;
  }
  if (plainFrom < message.length || fragments.length === 0) fragments.push(text(message.slice(plainFrom)));
  return { fragments, bits };
}
