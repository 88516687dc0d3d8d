/**
 * Decoders of the chat endpoints' answers (see decode.ts for the primitives and what a failed check becomes).
 */
import type { WireSentChatMessage } from '../../protocol/chat.js';
import { boolean, dataArray, fail, field, record, string, type Decoder } from '../decode.js';
import type { BodyDecoder } from '../wire.js';

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
