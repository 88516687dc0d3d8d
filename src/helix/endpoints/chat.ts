/**
 * Chat endpoints: sending messages (with Twitch's answer about whether it was sent), and the chat tools a bot uses.
 * Each endpoint is a row of {@link CHAT_ENDPOINTS} (endpoint.ts's table shape) and a thin typed method.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import {
  arrayOf,
  boolean,
  checkOptions,
  fail,
  integerIn,
  nonEmptyString,
  oneOf,
  required,
  string,
  type OptionChecks,
} from '../../core/options.js';
import {
  ANNOUNCEMENT_COLORS,
  codePointLength,
  FOLLOWER_MODE_DURATION,
  HEX_CHAT_COLOR,
  MAX_CHAT_COLOR_USERS,
  MAX_CHAT_MESSAGE_LENGTH,
  NAMED_CHAT_COLORS,
  NON_MODERATOR_CHAT_DELAYS,
  SLOW_MODE_WAIT,
  type AnnouncementColor,
  type NamedChatColor,
  type WireChatSettings,
  type WireSendAnnouncementBody,
  type WireSendChatMessageBody,
  type WireUpdateChatSettingsBody,
} from '../../protocol/chat.js';
import { callEndpoint, callOptions, type CallOptions, type EndpointSpec } from '../endpoint.js';
import { HelixHttp } from '../http.js';
import { dataOf } from '../wire.js';
import {
  chatSettings,
  colorsAmongAsked,
  onlyOf,
  sentChatMessage,
  settingsMatch,
  userChatColor,
} from './chat-wire.js';

/** The chat endpoint rows. */
export const CHAT_ENDPOINTS = {
  // Not idempotent: a repeat after a lost answer would post the message twice (or be dropped as a duplicate).
  sendChatMessage: { method: 'POST', path: '/chat/messages', token: 'any', decode: onlyOf(sentChatMessage) },
  getChatSettings: {
    method: 'GET',
    path: '/chat/settings',
    token: 'any',
    decode: onlyOf(chatSettings),
    check: settingsMatch,
  },
  // Idempotent: the same settings applied twice are the same settings.
  updateChatSettings: {
    method: 'PATCH',
    path: '/chat/settings',
    token: 'user',
    decode: onlyOf(chatSettings),
    check: settingsMatch,
    idempotent: true,
  },
  // Not idempotent: a repeat would announce twice.
  sendAnnouncement: { method: 'POST', path: '/chat/announcements', token: 'user' },
  // Not idempotent: a repeat after a lost answer would hit the shoutout cooldown (429).
  sendShoutout: { method: 'POST', path: '/chat/shoutouts', token: 'user' },
  getUserChatColors: {
    method: 'GET',
    path: '/chat/color',
    token: 'any',
    decode: dataOf(userChatColor),
    check: colorsAmongAsked,
  },
  updateUserChatColor: { method: 'PUT', path: '/chat/color', token: 'user', idempotent: true },
} as const satisfies Record<string, EndpointSpec>;

/**
 * The call options of an endpoint that acts as `userId` (a moderator, a whisperer, the broadcaster...): its user
 * token, `auth` defaulting to `{ userId }`; any other `auth` (another user's token, an app token) is an
 * `INVALID_ARGUMENT` naming `auth` before anything is sent (Twitch answers 401). `options` are checked already.
 */
export function actingAs<T extends CallOptions>(options: T, userId: string, field: string): T {
  if (options.auth !== undefined && options.auth.userId !== userId) {
    throw new InvalidArgumentError(
      `this endpoint takes the token of ${field} (${userId}): omit auth or pass auth: { userId: '${userId}' }`,
      'auth',
    );
  }
  return { ...options, auth: { userId } };
}

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

/** A channel's chat settings (Get Chat Settings, Update Chat Settings). */
export interface ChatSettings {
  readonly broadcasterId: string;
  /** Only emotes. */
  readonly emoteMode: boolean;
  readonly followerMode: boolean;
  /** Minutes a viewer must have followed; `null` when `followerMode` is off. */
  readonly followerModeDurationMinutes: number | null;
  readonly slowMode: boolean;
  /** Seconds between a viewer's messages; `null` when `slowMode` is off. */
  readonly slowModeWaitTimeSeconds: number | null;
  readonly subscriberMode: boolean;
  /** No identical messages (Twitch's "unique chat", r9k). */
  readonly uniqueChatMode: boolean;
  /**
   * What only moderators see (the request named a `moderatorId` who moderates the channel), else `null`: the
   * delay before a non-moderator's message appears.
   */
  readonly moderatorView: {
    readonly moderatorId: string;
    readonly nonModeratorChatDelay: boolean;
    /** Seconds (2, 4 or 6); `null` when the delay is off. */
    readonly nonModeratorChatDelayDurationSeconds: number | null;
  } | null;
}

/** Input of {@link ChatApi.getChatSettings}. */
export interface GetChatSettingsInput {
  readonly broadcasterId: string;
  /** The token's user, a moderator of the channel: adds {@link ChatSettings.moderatorView}. */
  readonly moderatorId?: string;
}

/**
 * Input of {@link ChatApi.updateChatSettings}: only the settings to change. A duration needs its mode set to `true`
 * in the same call (Twitch's rule), e.g. `{ slowMode: true, slowModeWaitTimeSeconds: 10 }`.
 */
export interface UpdateChatSettingsInput {
  readonly broadcasterId: string;
  /** The token's user: the broadcaster or one of its moderators (`moderator:manage:chat_settings`). */
  readonly moderatorId: string;
  readonly emoteMode?: boolean;
  readonly followerMode?: boolean;
  /** 0 to 129,600 (3 months). */
  readonly followerModeDurationMinutes?: number;
  readonly nonModeratorChatDelay?: boolean;
  /** 2, 4 or 6. */
  readonly nonModeratorChatDelayDurationSeconds?: 2 | 4 | 6;
  readonly slowMode?: boolean;
  /** 3 to 120. */
  readonly slowModeWaitTimeSeconds?: number;
  readonly subscriberMode?: boolean;
  readonly uniqueChatMode?: boolean;
}

/** Input of {@link ChatApi.sendAnnouncement}. */
export interface SendAnnouncementInput {
  readonly broadcasterId: string;
  /** The token's user: the broadcaster or one of its moderators (`moderator:manage:announcements`). */
  readonly moderatorId: string;
  /** 1 to 500 characters. */
  readonly message: string;
  /** One of `ANNOUNCEMENT_COLORS`. @defaultValue `'primary'` (the channel's accent colour) */
  readonly color?: AnnouncementColor;
}

/** Input of {@link ChatApi.sendShoutout}. */
export interface SendShoutoutInput {
  /** The live channel giving the shoutout. */
  readonly fromBroadcasterId: string;
  /** The channel shouted out. */
  readonly toBroadcasterId: string;
  /** The token's user: the broadcaster or one of its moderators (`moderator:manage:shoutouts`). */
  readonly moderatorId: string;
}

/** A user's chat colour. */
export interface UserChatColor {
  readonly userId: string;
  readonly userLogin: string;
  readonly userName: string;
  /** `#RRGGBB`, or `null` when the user never chose one. */
  readonly color: string | null;
}

/** Input of {@link ChatApi.updateUserChatColor}. */
export interface UpdateUserChatColorInput {
  /** The token's user (`user:manage:chat_color`). */
  readonly userId: string;
  /** A named colour (anyone), or `#RRGGBB` (Turbo and Prime users only; Twitch answers 400 to others). */
  readonly color: NamedChatColor | `#${string}`;
}

const GET_SETTINGS_CHECKS: OptionChecks<GetChatSettingsInput> = {
  broadcasterId: required(nonEmptyString),
  moderatorId: nonEmptyString,
};

const UPDATE_SETTINGS_CHECKS: OptionChecks<UpdateChatSettingsInput> = {
  broadcasterId: required(nonEmptyString),
  moderatorId: required(nonEmptyString),
  emoteMode: boolean,
  followerMode: boolean,
  followerModeDurationMinutes: integerIn(FOLLOWER_MODE_DURATION.min, FOLLOWER_MODE_DURATION.max),
  nonModeratorChatDelay: boolean,
  nonModeratorChatDelayDurationSeconds: oneOf(NON_MODERATOR_CHAT_DELAYS),
  slowMode: boolean,
  slowModeWaitTimeSeconds: integerIn(SLOW_MODE_WAIT.min, SLOW_MODE_WAIT.max),
  subscriberMode: boolean,
  uniqueChatMode: boolean,
};

/** Each duration and the mode it needs set to `true` in the same request. */
const DURATION_MODES = [
  ['followerModeDurationMinutes', 'followerMode'],
  ['nonModeratorChatDelayDurationSeconds', 'nonModeratorChatDelay'],
  ['slowModeWaitTimeSeconds', 'slowMode'],
] as const;

const ANNOUNCEMENT_CHECKS: OptionChecks<SendAnnouncementInput> = {
  broadcasterId: required(nonEmptyString),
  moderatorId: required(nonEmptyString),
  message: required(string),
  color: oneOf(ANNOUNCEMENT_COLORS),
};

const SHOUTOUT_CHECKS: OptionChecks<SendShoutoutInput> = {
  fromBroadcasterId: required(nonEmptyString),
  toBroadcasterId: required(nonEmptyString),
  moderatorId: required(nonEmptyString),
};

const NAMED_COLORS: readonly string[] = Object.keys(NAMED_CHAT_COLORS);

const COLOR_CHECKS: OptionChecks<UpdateUserChatColorInput> = {
  userId: required(nonEmptyString),
  color: required((value, field) => {
    if (typeof value !== 'string' || !(NAMED_COLORS.includes(value) || HEX_CHAT_COLOR.test(value))) {
      fail(field, `a named colour (${NAMED_COLORS.join(', ')}) or #RRGGBB`, value);
    }
  }),
};

const USER_IDS_CHECK = arrayOf(nonEmptyString, 'an array of user ids');

function toChatSettings(wire: WireChatSettings): ChatSettings {
  return {
    broadcasterId: wire.broadcaster_id,
    emoteMode: wire.emote_mode,
    followerMode: wire.follower_mode,
    followerModeDurationMinutes: wire.follower_mode_duration,
    slowMode: wire.slow_mode,
    slowModeWaitTimeSeconds: wire.slow_mode_wait_time,
    subscriberMode: wire.subscriber_mode,
    uniqueChatMode: wire.unique_chat_mode,
    moderatorView:
      wire.non_moderator_chat_delay === undefined
        ? null
        : {
            moderatorId: wire.moderator_id ?? '',
            nonModeratorChatDelay: wire.non_moderator_chat_delay,
            nonModeratorChatDelayDurationSeconds: wire.non_moderator_chat_delay_duration ?? null,
          },
  };
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
   *   characters, `forSourceOnly` with a user token (Twitch refuses it), a user token (`auth.userId`) of another
   *   user than `senderId` (Twitch answers 401).
   */
  async sendChatMessage(input: SendChatMessageInput, options?: CallOptions): Promise<SendChatMessageResult> {
    checkOptions(input, SEND_CHECKS, 'input');
    checkChatText(input.message, 'message');
    options = callOptions(options);
    const tokenUser = options.auth?.userId;
    if (tokenUser !== undefined && tokenUser !== input.senderId) {
      // A user token sends as its own user; Twitch answers 401 to any other sender_id.
      throw new InvalidArgumentError(
        `a user token sends as its user: senderId is ${input.senderId}, auth.userId ${tokenUser}`,
        'auth',
      );
    }
    if (input.forSourceOnly !== undefined && tokenUser !== undefined) {
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

  /**
   * Get Chat Settings: the channel's modes (emote-only, followers-only, slow, subscribers-only, unique chat). With a
   * `moderatorId` (the token's user, a moderator), also the non-moderator chat delay; the token is then that user's
   * (`auth` defaults to `{ userId: moderatorId }`).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a missing id, or `auth` of another user.
   * @example
   * ```ts
   * const { slowMode, slowModeWaitTimeSeconds } = await helix.chat.getChatSettings({ broadcasterId: '1337' });
   * ```
   */
  async getChatSettings(input: GetChatSettingsInput, options?: CallOptions): Promise<ChatSettings> {
    checkOptions(input, GET_SETTINGS_CHECKS, 'input');
    options =
      input.moderatorId === undefined
        ? callOptions(options)
        : actingAs(callOptions(options), input.moderatorId, 'moderatorId');
    const { body } = await callEndpoint(this.#http, CHAT_ENDPOINTS.getChatSettings, {
      ...options,
      query: {
        broadcaster_id: input.broadcasterId,
        ...(input.moderatorId === undefined ? {} : { moderator_id: input.moderatorId }),
      },
    });
    return toChatSettings(body);
  }

  /**
   * Update Chat Settings: changes only the settings given, resolves with all of them. Twitch emits
   * `channel.chat_settings.update`. The token is the moderator's (`auth` defaults to `{ userId: moderatorId }`).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: no setting, a value out of Twitch's range, a
   *   duration without its mode set to `true`, `auth` of another user.
   * @example
   * ```ts
   * await helix.chat.updateChatSettings({
   *   broadcasterId: '1337',
   *   moderatorId: botId,
   *   slowMode: true,
   *   slowModeWaitTimeSeconds: 10,
   * });
   * ```
   */
  async updateChatSettings(input: UpdateChatSettingsInput, options?: CallOptions): Promise<ChatSettings> {
    checkOptions(input, UPDATE_SETTINGS_CHECKS, 'input');
    for (const [duration, mode] of DURATION_MODES) {
      if (input[duration] !== undefined && input[mode] !== true) {
        throw new InvalidArgumentError(`${duration} needs ${mode}: true in the same update`, duration);
      }
    }
    const body: WireUpdateChatSettingsBody = {
      ...(input.emoteMode === undefined ? {} : { emote_mode: input.emoteMode }),
      ...(input.followerMode === undefined ? {} : { follower_mode: input.followerMode }),
      ...(input.followerModeDurationMinutes === undefined
        ? {}
        : { follower_mode_duration: input.followerModeDurationMinutes }),
      ...(input.nonModeratorChatDelay === undefined
        ? {}
        : { non_moderator_chat_delay: input.nonModeratorChatDelay }),
      ...(input.nonModeratorChatDelayDurationSeconds === undefined
        ? {}
        : { non_moderator_chat_delay_duration: input.nonModeratorChatDelayDurationSeconds }),
      ...(input.slowMode === undefined ? {} : { slow_mode: input.slowMode }),
      ...(input.slowModeWaitTimeSeconds === undefined
        ? {}
        : { slow_mode_wait_time: input.slowModeWaitTimeSeconds }),
      ...(input.subscriberMode === undefined ? {} : { subscriber_mode: input.subscriberMode }),
      ...(input.uniqueChatMode === undefined ? {} : { unique_chat_mode: input.uniqueChatMode }),
    };
    if (Object.keys(body).length === 0) fail('input', 'at least one setting to change', input);
    const { body: updated } = await callEndpoint(this.#http, CHAT_ENDPOINTS.updateChatSettings, {
      ...actingAs(callOptions(options), input.moderatorId, 'moderatorId'),
      query: { broadcaster_id: input.broadcasterId, moderator_id: input.moderatorId },
      body,
    });
    return toChatSettings(updated);
  }

  /**
   * Send Chat Announcement: a highlighted message in the channel's chat (Twitch emits `channel.chat.notification`
   * with `notice_type: announcement`). Resolves once Twitch answered 204. The token is the moderator's (`auth`
   * defaults to `{ userId: moderatorId }`). Not retried after a network error or a 5xx.
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a blank message or one past 500 characters, an
   *   unknown colour, `auth` of another user.
   * @example
   * ```ts
   * await helix.chat.sendAnnouncement({ broadcasterId: '1337', moderatorId: botId, message: 'Raffle!', color: 'purple' });
   * ```
   */
  async sendAnnouncement(input: SendAnnouncementInput, options?: CallOptions): Promise<void> {
    checkOptions(input, ANNOUNCEMENT_CHECKS, 'input');
    checkChatText(input.message, 'message');
    const body: WireSendAnnouncementBody = {
      message: input.message,
      ...(input.color === undefined ? {} : { color: input.color }),
    };
    await callEndpoint(this.#http, CHAT_ENDPOINTS.sendAnnouncement, {
      ...actingAs(callOptions(options), input.moderatorId, 'moderatorId'),
      query: { broadcaster_id: input.broadcasterId, moderator_id: input.moderatorId },
      body,
    });
  }

  /**
   * Send a Shoutout: `fromBroadcasterId` (live) shouts out `toBroadcasterId` (Twitch emits
   * `channel.shoutout.create` and `channel.shoutout.receive`). Twitch allows one per channel per 2 minutes and the
   * same target once per 60 minutes: past them, an `HTTPError` with status 429. The token is the moderator's
   * (`auth` defaults to `{ userId: moderatorId }`).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a missing id, a channel shouting itself out,
   *   `auth` of another user.
   * @example
   * ```ts
   * await helix.chat.sendShoutout({ fromBroadcasterId: '1337', toBroadcasterId: '4242', moderatorId: botId });
   * ```
   */
  async sendShoutout(input: SendShoutoutInput, options?: CallOptions): Promise<void> {
    checkOptions(input, SHOUTOUT_CHECKS, 'input');
    if (input.toBroadcasterId === input.fromBroadcasterId) {
      throw new InvalidArgumentError('a channel cannot shout itself out', 'toBroadcasterId');
    }
    await callEndpoint(this.#http, CHAT_ENDPOINTS.sendShoutout, {
      ...actingAs(callOptions(options), input.moderatorId, 'moderatorId'),
      query: {
        from_broadcaster_id: input.fromBroadcasterId,
        to_broadcaster_id: input.toBroadcasterId,
        moderator_id: input.moderatorId,
      },
    });
  }

  /**
   * Get User Chat Color: the colours of 1 to 100 users (unknown ids are left out, as Twitch does).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: no id, more than 100, an empty id.
   * @example
   * ```ts
   * const [bot] = await helix.chat.getUserChatColors([botId]);
   * console.log(bot?.color ?? 'never chose one');
   * ```
   */
  async getUserChatColors(userIds: readonly string[], options?: CallOptions): Promise<UserChatColor[]> {
    USER_IDS_CHECK(userIds, 'userIds');
    if (userIds.length === 0 || userIds.length > MAX_CHAT_COLOR_USERS) {
      fail('userIds', `1 to ${MAX_CHAT_COLOR_USERS} user ids`, userIds);
    }
    const { body } = await callEndpoint(this.#http, CHAT_ENDPOINTS.getUserChatColors, {
      ...callOptions(options),
      query: { user_id: [...new Set(userIds)] },
    });
    return body.map((wire) => ({
      userId: wire.user_id,
      userLogin: wire.user_login,
      userName: wire.user_name,
      color: wire.color === '' ? null : wire.color,
    }));
  }

  /**
   * Update User Chat Color: the colour of the token's user's name in chat. Named colours are for everyone; a
   * `#RRGGBB` colour is for Turbo and Prime users (Twitch answers 400 to others). The token is the user's (`auth`
   * defaults to `{ userId }`).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: an unknown name or a malformed hex colour,
   *   `auth` of another user.
   * @example
   * ```ts
   * await helix.chat.updateUserChatColor({ userId: botId, color: 'dodger_blue' });
   * ```
   */
  async updateUserChatColor(input: UpdateUserChatColorInput, options?: CallOptions): Promise<void> {
    checkOptions(input, COLOR_CHECKS, 'input');
    await callEndpoint(this.#http, CHAT_ENDPOINTS.updateUserChatColor, {
      ...actingAs(callOptions(options), input.userId, 'userId'),
      query: { user_id: input.userId, color: input.color },
    });
  }
}
