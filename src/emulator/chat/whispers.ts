/**
 * `POST /helix/whispers` with Twitch's rules: a user token with `user:manage:whispers` whose user is `from_user_id`
 * (401); `to_user_id` a known user (404) other than the sender (400); a non-blank `message` (400), cut to 500
 * characters unless the recipient has whispered the sender before (then 10,000), as Twitch cuts it ("before": within
 * the recipient's last day of whispers, what the ledger remembers); per sender 3 whispers per second, 100 per minute and 40 distinct recipients per 24 hours (429). 204, then
 * `user.whisper.message` to the recipient's subscriptions.
 *
 * Memory is bounded: per sender at most 100 timestamps and 40 recipients, forgotten a day after its first whisper
 * of the day.
 */
import { randomUUID } from 'node:crypto';
import { WHISPER_LIMITS } from '../../protocol/chat.js';
import { trigger } from '../eventsub/trigger.js';
import { objectBody, optionalString } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuRouter } from '../http/types.js';
import { cutToCodePoints } from './announce.js';
import type { EmulatorChat } from './chat.js';
import { callerOf } from './send.js';
import { queryUser } from './settings.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** One sender's whispers. */
interface WhisperEntry {
  /** Times of the whispers of the last minute, oldest first. */
  readonly sends: number[];
  /** Recipients since `dayStart`. */
  readonly recipients: Set<string>;
  dayStart: number;
}

/** Whisper limits per sender. */
class WhisperLedger {
  /** By sender, oldest day first. */
  readonly #senders = new Map<string, WhisperEntry>();

  /** Whether `fromId` whispered `toId` in its current day (what Twitch's longer whisper limit asks). */
  hasWhispered(fromId: string, toId: string): boolean {
    return this.#senders.get(fromId)?.recipients.has(toId) === true;
  }

  /** The limit that refuses a whisper now, or the entry to record it in. */
  admit(fromId: string, toId: string, now: number): WhisperEntry {
    for (const [key, e] of this.#senders) {
      if (now - e.dayStart < DAY_MS) break;
      this.#senders.delete(key);
    }
    let entry = this.#senders.get(fromId);
    if (entry === undefined) {
      entry = { sends: [], recipients: new Set(), dayStart: now };
      this.#senders.set(fromId, entry);
    }
    const sends = entry.sends;
    while (sends.length > 0 && (sends[0] ?? 0) <= now - MINUTE_MS) sends.shift();
    let lastSecond = 0;
    for (let i = sends.length - 1; i >= 0 && (sends[i] ?? 0) > now - SECOND_MS; i--) lastSecond++;
    if (lastSecond >= WHISPER_LIMITS.perSecond || sends.length >= WHISPER_LIMITS.perMinute) {
      throw new EmuHttpError(429, 'The sender has exceeded the number of whispers it may send.');
    }
    if (!entry.recipients.has(toId) && entry.recipients.size >= WHISPER_LIMITS.recipientsPerDay) {
      throw new EmuHttpError(429, 'The sender has exceeded the number of unique recipients it may whisper.');
    }
    return entry;
  }
}

/** Registers `POST /whispers`. */
export function registerWhisperRoute(router: EmuRouter, chat: EmulatorChat): void {
  const ledger = new WhisperLedger();
  router.helix('POST', '/whispers', { auth: 'user', bodyParams: { message: 'string' } }, (req) => {
    const caller = callerOf(req);
    const from = queryUser(chat, req, 'from_user_id');
    if (!caller.scopes.has('user:manage:whispers')) {
      throw new EmuHttpError(401, 'Missing scope: user:manage:whispers');
    }
    if (caller.userId !== from.id) {
      throw new EmuHttpError(401, 'The ID in from_user_id must match the user ID in the access token.');
    }
    const toId = req.query.get('to_user_id');
    if (toId === null || toId === '')
      throw new EmuHttpError(400, 'The to_user_id query parameter is required.');
    const to = chat.platform.users.byId(toId);
    if (to === undefined) throw new EmuHttpError(404, 'The ID in to_user_id was not found.');
    if (to.id === from.id) throw new EmuHttpError(400, 'The sender may not whisper themselves.');
    const message = optionalString(objectBody(req.body), 'message');
    if (message === undefined || message.trim() === '') {
      throw new EmuHttpError(400, 'The message field is required.');
    }
    const now = chat.now();
    // Twitch keeps 10,000 characters for a recipient who has whispered the sender, 500 otherwise.
    const answered = ledger.hasWhispered(to.id, from.id);
    const entry = ledger.admit(from.id, to.id, now);
    entry.sends.push(now);
    entry.recipients.add(to.id);
    const text = cutToCodePoints(
      message,
      answered ? WHISPER_LIMITS.maxLength : WHISPER_LIMITS.newRecipientLength,
    );
    trigger(chat.core, {
      type: 'user.whisper.message',
      version: '1',
      condition: { user_id: to.id },
      event: {
        from_user_id: from.id,
        from_user_login: from.login,
        from_user_name: from.display_name,
        to_user_id: to.id,
        to_user_login: to.login,
        to_user_name: to.display_name,
        whisper_id: randomUUID(),
        whisper: { text },
      },
    });
    return { status: 204 };
  });
}
