/**
 * Decoders of the moderation endpoints' answers (see decode.ts for the primitives and what a failed check becomes),
 * and the checks of an answer against its request (the ban reported is of the user asked for).
 */
import type { WireBannedUser, WireChatUser } from '../../protocol/moderation.js';
import { count, fail, field, id, list, record, string, type Decoder } from '../decode.js';
import type { BodyDecoder, SentRequest, WirePage } from '../wire.js';

/** An RFC 3339 date-time string. */
function timestamp(value: unknown, at: string): string {
  const text = string(value, at);
  if (Number.isNaN(Date.parse(text))) fail(at, 'an RFC 3339 date-time', text);
  return text;
}

/** One item of Ban User: who banned whom, when, and until when (`end_time` null for a ban). */
export const bannedUser: Decoder<WireBannedUser> = (value, at) => {
  const r = record(value, at);
  return {
    broadcaster_id: id(r.broadcaster_id, field(at, 'broadcaster_id')),
    moderator_id: id(r.moderator_id, field(at, 'moderator_id')),
    user_id: id(r.user_id, field(at, 'user_id')),
    created_at: timestamp(r.created_at, field(at, 'created_at')),
    end_time:
      r.end_time === null || r.end_time === undefined ? null : timestamp(r.end_time, field(at, 'end_time')),
  };
};

/** Ban User's answer is about the user, channel and moderator of the request, and a ban has no end. */
export function bannedUserMatches(answer: WireBannedUser, sent: SentRequest): void {
  const data = (sent.body as { data?: { user_id?: string; duration?: number } } | undefined)?.data;
  const query = sent.query ?? {};
  const timeout = data?.duration !== undefined;
  if (answer.user_id !== data?.user_id) fail('data[0].user_id', 'the user banned', answer.user_id);
  if (answer.broadcaster_id !== query.broadcaster_id) {
    fail('data[0].broadcaster_id', 'the channel of the request', answer.broadcaster_id);
  }
  if (answer.moderator_id !== query.moderator_id) {
    fail('data[0].moderator_id', 'the moderator of the request', answer.moderator_id);
  }
  if (timeout !== (answer.end_time !== null)) {
    fail('data[0].end_time', timeout ? 'the end of the timeout' : 'null for a ban', answer.end_time);
  }
}

/** A user of Get Chatters, Get Moderators or Get VIPs. */
export const chatUser: Decoder<WireChatUser> = (value, at) => {
  const r = record(value, at);
  return {
    user_id: id(r.user_id, field(at, 'user_id')),
    user_login: string(r.user_login, field(at, 'user_login')),
    user_name: string(r.user_name, field(at, 'user_name')),
  };
};

/** `pagination.cursor` of a page: `null` when absent or empty. */
function cursorOf(body: Record<string, unknown>): string | null {
  const pagination = body.pagination;
  if (pagination === undefined || pagination === null) return null;
  const cursor = record(pagination, 'pagination').cursor;
  if (cursor === undefined || cursor === null || cursor === '') return null;
  return string(cursor, 'pagination.cursor');
}

/** A page of users (Get Moderators, Get VIPs). */
export const chatUserPage: BodyDecoder<WirePage<WireChatUser>> = (body) => {
  const r = record(body, '');
  return { items: list(r.data, 'data', chatUser), cursor: cursorOf(r), meta: undefined };
};

/** A page of Get Chatters: users, and `total`, the number of chatters. */
export const chatterPage: BodyDecoder<WirePage<WireChatUser, { total: number }>> = (body) => {
  const r = record(body, '');
  return {
    items: list(r.data, 'data', chatUser),
    cursor: cursorOf(r),
    meta: { total: count(r.total, 'total') },
  };
};

/** With `user_id` filters, Get Moderators and Get VIPs list only users among them. */
export function listedUsersAmongFilter(answer: WirePage<WireChatUser>, sent: SentRequest): void {
  const filter = sent.query?.user_id;
  if (filter === undefined) return;
  const asked = new Set(Array.isArray(filter) ? filter.map(String) : [String(filter)]);
  answer.items.forEach((user, i) => {
    if (!asked.has(user.user_id)) fail(`data[${i}].user_id`, 'one of the user_id filters', user.user_id);
  });
}
