/**
 * Chat endpoints: sending messages (with Twitch's answer about whether it was sent), and the chat tools a bot uses.
 * Each endpoint is a row of {@link CHAT_ENDPOINTS} (endpoint.ts's table shape) and a thin typed method.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import {
  boolean,
  checkOptions,
  fail,
  nonEmptyString,
  required,
  string,
  type OptionChecks,
} from '../../core/options.js';
import {
  codePointLength,
  MAX_CHAT_MESSAGE_LENGTH,
  type WireSendChatMessageBody,
} from '../../protocol/chat.js';
import { callEndpoint, callOptions, type CallOptions, type EndpointSpec } from '../endpoint.js';
import { HelixHttp } from '../http.js';
import { onlyOf, sentChatMessage } from './chat-wire.js';

/** The chat endpoint rows. */
export const CHAT_ENDPOINTS = {
  // Not idempotent: a repeat after a lost answer would post the message twice (or be dropped as a duplicate).
  sendChatMessage: { method: 'POST', path: '/chat/messages', token: 'any', decode: onlyOf(sentChatMessage) },
} as const satisfies Record<string, EndpointSpec>;

/** Input of {@link ChatApi.sendChatMessage}. */
export interface SendChatMessageInput {
  /** The channel. */
  readonly broadcasterId: string;
  /** The sender: the user of the token (user token), or the bot that granted `user:bot` (app token). */
  readonly senderId: string;
  /** 1 to 500 characters (Unicode code points). */
  readonly message: string;
  /** Sends the message as a reply in the thread of this message. */
  readonly replyParentMessageId?: string;
  /**
   * App tokens only: `false` sends to every channel of a shared chat session, `true` (Twitch's default for app
   * tokens) only to `broadcasterId`'s. User tokens always send to every channel of the session.
   */
  readonly forSourceOnly?: boolean;
}

/** Why Twitch did not send a message: `code` is one of `CHAT_DROP_REASONS` or a newer one. */
export interface ChatDropReason {
  readonly code: string;
  readonly message: string;
}

/** Twitch's answer to Send Chat Message: sent (with its id), or dropped (with the reason). Never assumed. */
export type SendChatMessageResult =
  | { readonly isSent: true; readonly messageId: string }
  | { readonly isSent: false; readonly messageId: null; readonly dropReason: ChatDropReason };

const SEND_CHECKS: OptionChecks<SendChatMessageInput> = {
  broadcasterId: required(nonEmptyString),
  senderId: required(nonEmptyString),
  message: required(string),
  replyParentMessageId: nonEmptyString,
  forSourceOnly: boolean,
};

/**
 * Checks a chat message's text: non-blank and at most {@link MAX_CHAT_MESSAGE_LENGTH} code points, else
 * `INVALID_ARGUMENT` naming `field` (Twitch would answer 400 or 422).
 */
export function checkChatText(text: unknown, field = 'message'): asserts text is string {
  if (typeof text !== 'string' || text.trim() === '') fail(field, 'a non-blank string', text);
  const length = codePointLength(text);
  if (length > MAX_CHAT_MESSAGE_LENGTH) {
    throw new InvalidArgumentError(
      `${field} has ${length} characters; Twitch takes at most ${MAX_CHAT_MESSAGE_LENGTH}`,
      field,
    );
  }
}

/**
 * Chat endpoints (`helix.chat`).
 *
 * @example
 * ```ts
 * const result = await helix.chat.sendChatMessage(
 *   { broadcasterId: '1337', senderId: botId, message: 'Hello chat' },
 *   { auth: { userId: botId } },
 * );
 * if (!result.isSent) console.warn(`dropped: ${result.dropReason.code}`);
 * ```
 */
export class ChatApi {
  readonly #http: HelixHttp;

  /** @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `http`) when `http` is not a `HelixHttp`. */
  constructor(http: HelixHttp) {
    if (!((http as unknown) instanceof HelixHttp)) fail('http', 'a HelixHttp (helix.http)', http);
    this.#http = http;
  }

  /**
   * Send Chat Message. Resolves with Twitch's answer: `isSent: false` carries the `dropReason` (a duplicate, a
   * message AutoMod rejected, the channel's settings...); the message is never reported as sent when it was not.
   * Not retried after a network error or a 5xx (the message may have been posted).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a missing id, a blank message or one past 500
   *   characters, `forSourceOnly` with a user token (Twitch refuses it).
   */
  async sendChatMessage(input: SendChatMessageInput, options?: CallOptions): Promise<SendChatMessageResult> {
    checkOptions(input, SEND_CHECKS, 'input');
    checkChatText(input.message, 'message');
    options = callOptions(options);
    if (input.forSourceOnly !== undefined && options.auth?.userId !== undefined) {
      throw new InvalidArgumentError(
        'forSourceOnly is for app tokens; a user token sends to every channel',
        'forSourceOnly',
      );
    }
    const body: WireSendChatMessageBody = {
      broadcaster_id: input.broadcasterId,
      sender_id: input.senderId,
      message: input.message,
      ...(input.replyParentMessageId === undefined
        ? {}
        : { reply_parent_message_id: input.replyParentMessageId }),
      ...(input.forSourceOnly === undefined ? {} : { for_source_only: input.forSourceOnly }),
    };
    const { body: sent } = await callEndpoint(this.#http, CHAT_ENDPOINTS.sendChatMessage, {
      ...options,
      body,
    });
    if (sent.is_sent) return { isSent: true, messageId: sent.message_id };
    const reason = sent.drop_reason ?? { code: 'unknown', message: '' };
    return { isSent: false, messageId: null, dropReason: { code: reason.code, message: reason.message } };
  }
}
