/**
 * Moderation endpoints a bot uses: ban, timeout and unban; delete one chat message or clear the chat; list the
 * chatters, moderators and VIPs; add and remove moderators and VIPs. Each endpoint is a row of
 * {@link MODERATION_ENDPOINTS} (endpoint.ts's table shape) and a thin typed method.
 *
 * Every one of them takes a user token whose user Twitch names in the request (`moderator_id`, or the broadcaster
 * for the role endpoints): the methods use that user's token unless `options.auth` says otherwise, and refuse an
 * `auth` naming someone else before anything is sent (Twitch would answer 401).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import {
  arrayOf,
  checkOptions,
  fail,
  integerIn,
  nonEmptyString,
  required,
  string,
  type Check,
  type OptionChecks,
} from '../../core/options.js';
import { codePointLength } from '../../protocol/chat.js';
import {
  MAX_BAN_REASON_LENGTH,
  MAX_CHATTERS_PAGE_SIZE,
  MAX_ROLE_USER_FILTERS,
  MAX_TIMEOUT_SECONDS,
  type WireBanUserBody,
  type WireBannedUser,
  type WireChatUser,
} from '../../protocol/moderation.js';
import {
  callEndpoint,
  callOptions,
  PAGE_CALL_CHECKS,
  paginateEndpoint,
  type CallOptions,
  type EndpointSpec,
} from '../endpoint.js';
import { HelixHttp } from '../http.js';
import type { HttpAsyncIterator, PaginationOptions } from '../pagination.js';
import { actingAs } from './chat.js';
import { onlyOf } from './chat-wire.js';
import {
  bannedUser,
  bannedUserMatches,
  chatterPage,
  chatUserPage,
  listedUsersAmongFilter,
} from './moderation-wire.js';

/** The moderation endpoint rows. */
export const MODERATION_ENDPOINTS = {
  // Not idempotent: a repeat after a lost answer is Twitch's 400 "already banned".
  banUser: {
    method: 'POST',
    path: '/moderation/bans',
    token: 'user',
    decode: onlyOf(bannedUser),
    check: bannedUserMatches,
  },
  unbanUser: { method: 'DELETE', path: '/moderation/bans', token: 'user' },
  deleteChatMessages: { method: 'DELETE', path: '/moderation/chat', token: 'user' },
  getChatters: {
    method: 'GET',
    path: '/chat/chatters',
    token: 'user',
    page: { maxSize: MAX_CHATTERS_PAGE_SIZE, supportsFirst: true },
    decode: chatterPage,
  },
  getModerators: {
    method: 'GET',
    path: '/moderation/moderators',
    token: 'user',
    page: { maxSize: 100, supportsFirst: true },
    decode: chatUserPage,
    check: listedUsersAmongFilter,
  },
  // Adding a role twice is Twitch's 400 / 422: not repeated after a lost answer.
  addModerator: { method: 'POST', path: '/moderation/moderators', token: 'user' },
  removeModerator: { method: 'DELETE', path: '/moderation/moderators', token: 'user' },
  getVips: {
    method: 'GET',
    path: '/channels/vips',
    token: 'user',
    page: { maxSize: 100, supportsFirst: true },
    decode: chatUserPage,
    check: listedUsersAmongFilter,
  },
  addVip: { method: 'POST', path: '/channels/vips', token: 'user' },
  removeVip: { method: 'DELETE', path: '/channels/vips', token: 'user' },
} as const satisfies Record<string, EndpointSpec>;

/** A channel and who moderates the request (the broadcaster or one of its moderators; its token is used). */
export interface ModeratorTarget {
  readonly broadcasterId: string;
  readonly moderatorId: string;
}

/** Input of {@link ModerationApi.banUser}. */
export interface BanUserInput extends ModeratorTarget {
  /** The user to ban. */
  readonly userId: string;
  /** At most 500 characters. */
  readonly reason?: string;
}

/** Input of {@link ModerationApi.timeoutUser}. */
export interface TimeoutUserInput extends BanUserInput {
  /** 1 to 1,209,600 seconds (two weeks). */
  readonly durationSeconds: number;
}

/** Input of {@link ModerationApi.unbanUser}: the user whose ban or timeout ends. */
export interface UnbanUserInput extends ModeratorTarget {
  readonly userId: string;
}

/** Input of {@link ModerationApi.deleteChatMessage}. */
export interface DeleteChatMessageInput extends ModeratorTarget {
  /** A message of the last 6 hours, by neither the broadcaster nor a moderator. */
  readonly messageId: string;
}

/** A channel and, optionally, the users to look for (at most 100): Get Moderators and Get VIPs. */
export interface ChannelRoleFilter {
  readonly broadcasterId: string;
  /** Only these users, those of them who hold the role. */
  readonly userIds?: readonly string[];
}

/** A channel and a user: adding or removing a moderator or a VIP (the broadcaster's token is used). */
export interface ChannelRoleInput {
  readonly broadcasterId: string;
  readonly userId: string;
}

/** A ban or timeout as Twitch reports it. */
export interface BanResult {
  readonly broadcasterId: string;
  readonly moderatorId: string;
  readonly userId: string;
  readonly createdAt: Date;
  /** The end of a timeout; `null` for a ban. */
  readonly endTime: Date | null;
}

/** A user of Get Chatters, Get Moderators or Get VIPs. */
export interface ChatUser {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
}

/** Extras of a page of Get Chatters. */
export interface ChattersMeta {
  /** Chatters in the channel (all pages). */
  readonly total: number;
}

const TARGET_CHECKS: OptionChecks<ModeratorTarget> = {
  broadcasterId: required(nonEmptyString),
  moderatorId: required(nonEmptyString),
};

const reason: Check = (value, field) => {
  string(value, field);
  const length = codePointLength(value as string);
  if (length > MAX_BAN_REASON_LENGTH) {
    throw new InvalidArgumentError(
      `${field} has ${length} characters; Twitch takes at most ${MAX_BAN_REASON_LENGTH}`,
      field,
    );
  }
};

const BAN_CHECKS: OptionChecks<BanUserInput> = {
  ...TARGET_CHECKS,
  userId: required(nonEmptyString),
  reason,
};

const TIMEOUT_CHECKS: OptionChecks<TimeoutUserInput> = {
  ...BAN_CHECKS,
  durationSeconds: required(integerIn(1, MAX_TIMEOUT_SECONDS)),
};

const UNBAN_CHECKS: OptionChecks<UnbanUserInput> = { ...TARGET_CHECKS, userId: required(nonEmptyString) };

const DELETE_CHECKS: OptionChecks<DeleteChatMessageInput> = {
  ...TARGET_CHECKS,
  messageId: required(nonEmptyString),
};

const userIds: Check = (value, field) => {
  arrayOf(nonEmptyString)(value, field);
  if ((value as unknown[]).length > MAX_ROLE_USER_FILTERS) {
    throw new InvalidArgumentError(`${field} takes at most ${MAX_ROLE_USER_FILTERS} ids`, field);
  }
};

const ROLE_FILTER_CHECKS: OptionChecks<ChannelRoleFilter> = {
  broadcasterId: required(nonEmptyString),
  userIds,
};

const ROLE_CHECKS: OptionChecks<ChannelRoleInput> = {
  broadcasterId: required(nonEmptyString),
  userId: required(nonEmptyString),
};

function toBan(wire: WireBannedUser): BanResult {
  return {
    broadcasterId: wire.broadcaster_id,
    moderatorId: wire.moderator_id,
    userId: wire.user_id,
    createdAt: new Date(wire.created_at),
    endTime: wire.end_time === null ? null : new Date(wire.end_time),
  };
}

function toChatUser(wire: WireChatUser): ChatUser {
  return { id: wire.user_id, login: wire.user_login, displayName: wire.user_name };
}

/**
 * Moderation endpoints (`helix.moderation`).
 *
 * @example
 * ```ts
 * const target = { broadcasterId: '1337', moderatorId: botId };
 * await helix.moderation.timeoutUser({ ...target, userId: '4242', durationSeconds: 600, reason: 'spam' });
 * await helix.moderation.deleteChatMessage({ ...target, messageId });
 * for await (const chatter of helix.moderation.getChatters(target)) console.log(chatter.login);
 * ```
 */
export class ModerationApi {
  readonly #http: HelixHttp;

  /** @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, field `http`) when `http` is not a `HelixHttp`. */
  constructor(http: HelixHttp) {
    if (!((http as unknown) instanceof HelixHttp)) fail('http', 'a HelixHttp (helix.http)', http);
    this.#http = http;
  }

  /**
   * Ban User: bans `userId` from the channel's chat until unbanned (a user in a timeout may be banned). Scope
   * `moderator:manage:banned_users`; `moderatorId` is the broadcaster or one of its moderators.
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a missing id, a reason past 500 characters.
   * @throws {@link HTTPError} 400 when the user is already banned or may not be banned (the broadcaster), 403 when
   *   `moderatorId` does not moderate the channel.
   * @example
   * ```ts
   * const ban = await helix.moderation.banUser({ broadcasterId, moderatorId: botId, userId, reason: 'spam' });
   * ```
   */
  async banUser(input: BanUserInput, options?: CallOptions): Promise<BanResult> {
    checkOptions(input, BAN_CHECKS, 'input');
    return this.#ban(input, undefined, options);
  }

  /**
   * Ban User with a duration: a timeout of `durationSeconds` (1 to 1,209,600); a new timeout replaces the current
   * one. Twitch refuses to put a banned user in a timeout (400).
   *
   * @throws {@link InvalidArgumentError} before anything is sent: a duration out of range, a reason too long.
   * @example
   * ```ts
   * const { endTime } = await helix.moderation.timeoutUser({ broadcasterId, moderatorId: botId, userId, durationSeconds: 600 });
   * ```
   */
  async timeoutUser(input: TimeoutUserInput, options?: CallOptions): Promise<BanResult> {
    checkOptions(input, TIMEOUT_CHECKS, 'input');
    return this.#ban(input, input.durationSeconds, options);
  }

  /**
   * Unban User: ends a ban or a timeout. Twitch answers 400 when the user is neither banned nor timed out.
   *
   * @example
   * ```ts
   * await helix.moderation.unbanUser({ broadcasterId, moderatorId: botId, userId });
   * ```
   */
  async unbanUser(input: UnbanUserInput, options?: CallOptions): Promise<void> {
    checkOptions(input, UNBAN_CHECKS, 'input');
    await callEndpoint(this.#http, MODERATION_ENDPOINTS.unbanUser, {
      ...actingAs(callOptions(options), input.moderatorId, 'moderatorId'),
      query: { broadcaster_id: input.broadcasterId, moderator_id: input.moderatorId, user_id: input.userId },
    });
  }

  /**
   * Delete Chat Messages, one message. Scope `moderator:manage:chat_messages`. Twitch answers 400 for a message of
   * the broadcaster or of a moderator, 404 for an unknown one or one older than 6 hours.
   *
   * @example
   * ```ts
   * await helix.moderation.deleteChatMessage({ broadcasterId, moderatorId: botId, messageId: event.messageId });
   * ```
   */
  async deleteChatMessage(input: DeleteChatMessageInput, options?: CallOptions): Promise<void> {
    checkOptions(input, DELETE_CHECKS, 'input');
    await this.#delete(input, input.messageId, options);
  }

  /**
   * Delete Chat Messages without a message id: clears the channel's chat.
   *
   * @example
   * ```ts
   * await helix.moderation.clearChat({ broadcasterId, moderatorId: botId });
   * ```
   */
  async clearChat(input: ModeratorTarget, options?: CallOptions): Promise<void> {
    checkOptions(input, TARGET_CHECKS, 'input');
    await this.#delete(input, undefined, options);
  }

  /**
   * Get Chatters: the users in the channel's chat, paginated (up to 1,000 a page); each page's `meta.total` is the
   * number of chatters. Scope `moderator:read:chatters`.
   *
   * @example
   * ```ts
   * const chatters = await helix.moderation.getChatters({ broadcasterId, moderatorId: botId });
   * const { total } = (await helix.moderation.getChatters({ broadcasterId, moderatorId: botId }).firstPage()).meta;
   * ```
   */
  getChatters(
    input: ModeratorTarget,
    options?: PaginationOptions & CallOptions,
  ): HttpAsyncIterator<ChatUser, ChattersMeta> {
    checkOptions(input, TARGET_CHECKS, 'input');
    const checked = actingAs(callOptions(options, PAGE_CALL_CHECKS), input.moderatorId, 'moderatorId');
    return paginateEndpoint(
      this.#http,
      MODERATION_ENDPOINTS.getChatters,
      { ...checked, query: { broadcaster_id: input.broadcasterId, moderator_id: input.moderatorId } },
      toChatUser,
    );
  }

  /**
   * Get Moderators: the channel's moderators (with `userIds`, those of them who moderate), with the broadcaster's
   * token (`moderation:read` or `channel:manage:moderators`).
   *
   * @example
   * ```ts
   * const mods = await helix.moderation.getModerators({ broadcasterId });
   * ```
   */
  getModerators(
    input: ChannelRoleFilter,
    options?: PaginationOptions & CallOptions,
  ): HttpAsyncIterator<ChatUser> {
    return this.#roleList(MODERATION_ENDPOINTS.getModerators, input, options);
  }

  /**
   * Get VIPs: the channel's VIPs (with `userIds`, those of them who are), with the broadcaster's token
   * (`channel:read:vips` or `channel:manage:vips`).
   *
   * @example
   * ```ts
   * const isVip = (await helix.moderation.getVips({ broadcasterId, userIds: [userId] })).length === 1;
   * ```
   */
  getVips(input: ChannelRoleFilter, options?: PaginationOptions & CallOptions): HttpAsyncIterator<ChatUser> {
    return this.#roleList(MODERATION_ENDPOINTS.getVips, input, options);
  }

  /**
   * Add Channel Moderator, with the broadcaster's token (`channel:manage:moderators`). Twitch answers 400 when the
   * user already moderates or is banned, 422 when the user is a VIP.
   *
   * @example
   * ```ts
   * await helix.moderation.addModerator({ broadcasterId, userId: botId });
   * ```
   */
  async addModerator(input: ChannelRoleInput, options?: CallOptions): Promise<void> {
    await this.#role(MODERATION_ENDPOINTS.addModerator, input, options);
  }

  /**
   * Remove Channel Moderator, with the broadcaster's token. Twitch answers 400 when the user does not moderate.
   *
   * @example
   * ```ts
   * await helix.moderation.removeModerator({ broadcasterId, userId });
   * ```
   */
  async removeModerator(input: ChannelRoleInput, options?: CallOptions): Promise<void> {
    await this.#role(MODERATION_ENDPOINTS.removeModerator, input, options);
  }

  /**
   * Add Channel VIP, with the broadcaster's token (`channel:manage:vips`). Twitch answers 422 when the user is a
   * moderator, 409 when the channel has no VIP slot left.
   *
   * @example
   * ```ts
   * await helix.moderation.addVip({ broadcasterId, userId });
   * ```
   */
  async addVip(input: ChannelRoleInput, options?: CallOptions): Promise<void> {
    await this.#role(MODERATION_ENDPOINTS.addVip, input, options);
  }

  /**
   * Remove Channel VIP, with the broadcaster's token. Twitch answers 422 when the user is not a VIP.
   *
   * @example
   * ```ts
   * await helix.moderation.removeVip({ broadcasterId, userId });
   * ```
   */
  async removeVip(input: ChannelRoleInput, options?: CallOptions): Promise<void> {
    await this.#role(MODERATION_ENDPOINTS.removeVip, input, options);
  }

  async #ban(
    input: BanUserInput,
    duration: number | undefined,
    options: CallOptions | undefined,
  ): Promise<BanResult> {
    const body: WireBanUserBody = {
      data: {
        user_id: input.userId,
        ...(duration === undefined ? {} : { duration }),
        ...(input.reason === undefined ? {} : { reason: input.reason }),
      },
    };
    const { body: ban } = await callEndpoint(this.#http, MODERATION_ENDPOINTS.banUser, {
      ...actingAs(callOptions(options), input.moderatorId, 'moderatorId'),
      query: { broadcaster_id: input.broadcasterId, moderator_id: input.moderatorId },
      body,
    });
    return toBan(ban);
  }

  async #delete(
    input: ModeratorTarget,
    messageId: string | undefined,
    options: CallOptions | undefined,
  ): Promise<void> {
    await callEndpoint(this.#http, MODERATION_ENDPOINTS.deleteChatMessages, {
      ...actingAs(callOptions(options), input.moderatorId, 'moderatorId'),
      query: { broadcaster_id: input.broadcasterId, moderator_id: input.moderatorId, message_id: messageId },
    });
  }

  #roleList(
    spec: typeof MODERATION_ENDPOINTS.getModerators | typeof MODERATION_ENDPOINTS.getVips,
    input: ChannelRoleFilter,
    options: (PaginationOptions & CallOptions) | undefined,
  ): HttpAsyncIterator<ChatUser> {
    checkOptions(input, ROLE_FILTER_CHECKS, 'input');
    const checked = actingAs(callOptions(options, PAGE_CALL_CHECKS), input.broadcasterId, 'broadcasterId');
    return paginateEndpoint(
      this.#http,
      spec,
      { ...checked, query: { broadcaster_id: input.broadcasterId, user_id: input.userIds } },
      toChatUser,
    );
  }

  async #role(spec: EndpointSpec, input: ChannelRoleInput, options: CallOptions | undefined): Promise<void> {
    checkOptions(input, ROLE_CHECKS, 'input');
    await callEndpoint(this.#http, spec, {
      ...actingAs(callOptions(options), input.broadcasterId, 'broadcasterId'),
      query: { broadcaster_id: input.broadcasterId, user_id: input.userId },
    });
  }
}
