/**
 * Decoders of the chat endpoints' answers (see decode.ts for the primitives and what a failed check becomes).
 */
import type { WireChatSettings, WireSentChatMessage, WireUserChatColor } from '../../protocol/chat.js';
import { boolean, count, dataArray, fail, field, id, record, string, type Decoder } from '../decode.js';
import type { BodyDecoder, SentRequest } from '../wire.js';

/** One item of Send Chat Message: `is_sent`, a `message_id` (may be empty when dropped), a `drop_reason` when dropped. */
export const sentChatMessage: Decoder<WireSentChatMessage> = (value, at) => {
  const r = record(value, at);
  const isSent = boolean(r.is_sent, field(at, 'is_sent'));
  const messageId = string(r.message_id, field(at, 'message_id'));
  if (isSent) {
    if (messageId === '') fail(field(at, 'message_id'), 'a non-empty string for a sent message', messageId);
    return { message_id: messageId, is_sent: true };
  }
  const reason = record(r.drop_reason, field(at, 'drop_reason'));
  return {
    message_id: messageId,
    is_sent: false,
    drop_reason: {
      code: string(reason.code, field(at, 'drop_reason.code')),
      message: string(reason.message ?? '', field(at, 'drop_reason.message')),
    },
  };
};

/** `{ data: [one item] }`: that item (Send Chat Message answers exactly one). */
export function onlyOf<T>(item: Decoder<T>): BodyDecoder<T> {
  return (body) => {
    const data = dataArray(body);
    if (data.length !== 1) fail('data', 'an array of one item', data);
    return item(data[0], 'data[0]');
  };
}

/** Integer or null. */
function integerOrNull(value: unknown, at: string): number | null {
  return value === null ? null : count(value, at);
}

/** One item of Get/Update Chat Settings; the moderator's fields are checked when present. */
export const chatSettings: Decoder<WireChatSettings> = (value, at) => {
  const r = record(value, at);
  const base: WireChatSettings = {
    broadcaster_id: id(r.broadcaster_id, field(at, 'broadcaster_id')),
    emote_mode: boolean(r.emote_mode, field(at, 'emote_mode')),
    follower_mode: boolean(r.follower_mode, field(at, 'follower_mode')),
    follower_mode_duration: integerOrNull(r.follower_mode_duration, field(at, 'follower_mode_duration')),
    slow_mode: boolean(r.slow_mode, field(at, 'slow_mode')),
    slow_mode_wait_time: integerOrNull(r.slow_mode_wait_time, field(at, 'slow_mode_wait_time')),
    subscriber_mode: boolean(r.subscriber_mode, field(at, 'subscriber_mode')),
    unique_chat_mode: boolean(r.unique_chat_mode, field(at, 'unique_chat_mode')),
  };
  if (r.non_moderator_chat_delay === undefined || r.non_moderator_chat_delay === null) return base;
  return {
    ...base,
    moderator_id: string(r.moderator_id ?? '', field(at, 'moderator_id')),
    non_moderator_chat_delay: boolean(r.non_moderator_chat_delay, field(at, 'non_moderator_chat_delay')),
    non_moderator_chat_delay_duration: integerOrNull(
      r.non_moderator_chat_delay_duration ?? null,
      field(at, 'non_moderator_chat_delay_duration'),
    ),
  };
};

/** One item of Get User Chat Color: `color` is `''` when the user never chose one. */
export const userChatColor: Decoder<WireUserChatColor> = (value, at) => {
  const r = record(value, at);
  return {
    user_id: id(r.user_id, field(at, 'user_id')),
    user_login: string(r.user_login, field(at, 'user_login')),
    user_name: string(r.user_name, field(at, 'user_name')),
    color: string(r.color, field(at, 'color')),
  };
};

/**
 * Get/Update Chat Settings answered for the channel asked about (and, in the moderator's view, for the moderator
 * who asked): settings of another channel would be applied to the wrong one by a caller.
 */
export function settingsMatch(answer: WireChatSettings, sent: SentRequest): void {
  const query = sent.query ?? {};
  if (answer.broadcaster_id !== query.broadcaster_id) {
    fail('data[0].broadcaster_id', 'the channel of the request', answer.broadcaster_id);
  }
  if (answer.moderator_id !== undefined && answer.moderator_id !== query.moderator_id) {
    fail('data[0].moderator_id', 'the moderator of the request', answer.moderator_id);
  }
}

/** Get User Chat Color lists only users that were asked about. */
export function colorsAmongAsked(answer: readonly WireUserChatColor[], sent: SentRequest): void {
  const ids = sent.query?.user_id;
  const asked = new Set(Array.isArray(ids) ? ids.map(String) : [String(ids)]);
  answer.forEach((color, i) => {
    if (!asked.has(color.user_id)) fail(`data[${i}].user_id`, 'one of the user_id asked', color.user_id);
  });
}
