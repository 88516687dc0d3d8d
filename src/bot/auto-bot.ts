/**
 * `AutoBot`: an {@link AutoClient} with a bot identity. It checks the bot's token at start, joins and leaves
 * channels as conduit subscriptions (exactly those, learnt back from the conduit when adopting one), and sends chat
 * through a per-channel queue within Twitch's rate limits (send-queue.ts).
 */
import { inspect } from 'node:util';
import type { AuthProvider } from '../auth/types.js';
import { MissingScopesError } from '../auth/errors.js';
import { systemClock } from '../core/clock.js';
import { InvalidArgumentError, TwitchError } from '../core/errors.js';
import { HTTPError } from '../core/http-errors.js';
import {
  arrayOf,
  checkOptions,
  func,
  integerDuration,
  nested,
  nonEmptyString,
  positiveInteger,
  required,
  fail,
  type Check,
  type OptionChecks,
} from '../core/options.js';
import { isRecord } from '../core/guards.js';
import type { ChannelChatMessageEvent } from '../catalogue/models/channel-chat.js';
import type { ChannelPointsCustomRewardRedemptionAddEvent } from '../catalogue/models/channel-points.js';
import type { ClientEventMap } from '../eventsub/client.js';
import { AutoClient, type AutoClientOptions } from '../eventsub/conduit/auto-client.js';
import { asError } from '../eventsub/conduit/shard.js';
import { toWireRequests, type SubscriptionInput } from '../eventsub/conduit/multi-subscribe.js';
import { checkChatText } from '../helix/endpoints/chat.js';
import type { HelixClient } from '../helix/client.js';
import type { CallOptions } from '../helix/endpoint.js';
import type { EventSubSubscription } from '../helix/models.js';
import { CHAT_RATE_LIMITS, type AnnouncementColor } from '../protocol/chat.js';
import type { ChatActions, ChatSendResult } from './actions.js';
import { BotError } from './errors.js';
import { Commands, setUnhandledErrorFallback, type DispatchResult } from './commands/commands.js';
import { ChannelSendQueue, type QueuedMessage, type SendQueueHost } from './send-queue.js';

/** Scopes the bot's user token must carry. */
export const BOT_SCOPES = Object.freeze(['user:bot', 'user:read:chat', 'user:write:chat'] as const);

/** A channel to join or leave: a broadcaster id (a string or `{ id }`), or a login (`{ login }`, resolved). */
export type ChannelRef = string | { readonly id: string } | { readonly login: string };

/** Options of the bot's chat out. */
export interface BotChatOptions {
  /** Messages a channel's queue holds while they wait for the rate limit; past it `CHAT_QUEUE_FULL`. @defaultValue 500 */
  readonly maxQueued?: number;
  /** Least time between two messages of a channel, ms (0: none). @defaultValue 0 */
  readonly minGapMs?: number;
  /**
   * Channels where the bot is a moderator from the start (100 messages per 30 s instead of 20). The badges of the
   * bot's own echoed messages then say what it is. @defaultValue none
   */
  readonly moderatorIn?: readonly string[];
}

/** Options of {@link AutoBot}: the {@link AutoClientOptions}, the bot's identity, its channels and chat out. */
export interface AutoBotOptions extends AutoClientOptions {
  /** The bot account's user id. */
  readonly botId: string;
  /**
   * The token provider holding the bot's user token (e.g. a `RefreshingAuthProvider` after `addUser`); it refreshes
   * it. The token must carry {@link BOT_SCOPES}.
   */
  readonly auth: AuthProvider;
  /** Channels joined at start (those already joined on an adopted conduit are kept, not subscribed again). */
  readonly channels?: readonly ChannelRef[];
  /**
   * Subscriptions a channel needs besides its chat (e.g. the redemption type for reward commands): created when it
   * is joined, deleted when it is left.
   */
  readonly channelSubscriptions?: (channelId: string) => readonly SubscriptionInput[];
  /** Deletions in flight at once when leaving channels (the Helix client's budget still applies). @defaultValue 8 */
  readonly leaveConcurrency?: number;
  readonly chat?: BotChatOptions;
  /**
   * The commands: every chat message of a joined channel goes through `commands.dispatch` (the bot's own messages
   * never do), every `channel.channel_points_custom_reward_redemption.add` through `dispatchRedemption` (subscribe
   * it per channel with `channelSubscriptions`), with the channel's {@link BotChannel} as the actions. Outcomes are
   * `command` events; an error no handler handled is an `error` event (context `command`), and only that, unless
   * the Commands were given their own `onUnhandledError` (then it goes there instead).
   */
  readonly commands?: Commands;
}

/** The outcome of joining one channel. */
export type JoinResult =
  /** `joined`: subscribed now; `already`: it was joined (here, or on the conduit by an earlier run). */
  | { readonly input: ChannelRef; readonly channelId: string; readonly status: 'joined' | 'already' }
  /** Nothing of the channel stays subscribed; `error` says why. */
  | {
      readonly input: ChannelRef;
      readonly channelId: string | null;
      readonly status: 'failed';
      readonly error: Error;
    };

/** The outcome of leaving one channel. */
export type LeaveResult =
  /** `left`: its subscriptions are deleted; `notJoined`: there was nothing to delete. */
  | { readonly input: ChannelRef; readonly channelId: string; readonly status: 'left' | 'notJoined' }
  /** Some subscriptions could not be deleted: the channel stays joined with them (leave again to retry). */
  | {
      readonly input: ChannelRef;
      readonly channelId: string | null;
      readonly status: 'failed';
      readonly error: Error;
    };

/** A message Twitch did not send (`is_sent: false`). */
export interface ChatDropInfo {
  readonly channelId: string;
  readonly text: string;
  readonly replyParentMessageId: string | null;
  /** Twitch's `drop_reason` (`msg_duplicate`, `msg_ratelimit`, ...). */
  readonly dropReason: { readonly code: string; readonly message: string };
}

/** Events of the {@link AutoBot}, beside the {@link AutoClient}'s. */
export interface BotEvents {
  /** A chat message of a joined channel (the bot's own included: Twitch echoes them), with the channel's actions. */
  message: [message: ChannelChatMessageEvent, channel: BotChannel];
  /** Twitch did not send a message of the bot (the `send()` promise also resolves with `isSent: false`). */
  chatDropped: [info: ChatDropInfo];
  /** What became of a message or redemption that was a command (not emitted for `ignored`). */
  command: [result: DispatchResult];
  /** A channel was joined (not emitted for `already`). */
  channelJoined: [channelId: string];
  /** A channel was left. */
  channelLeft: [channelId: string];
}

/** Every event of the {@link AutoBot}. */
export type AutoBotEventMap = ClientEventMap & BotEvents;

const BOT_CHAT_CHECKS: OptionChecks<BotChatOptions> = {
  maxQueued: positiveInteger,
  minGapMs: integerDuration({ min: 0 }),
  moderatorIn: arrayOf(nonEmptyString, 'an array of broadcaster ids'),
};

const channelRef: Check = (value, field) => {
  if (typeof value === 'string') {
    nonEmptyString(value, field);
    return;
  }
  if (isRecord(value)) {
    if ('id' in value) {
      nonEmptyString(value.id, `${field}.id`);
      return;
    }
    if ('login' in value) {
      nonEmptyString(value.login, `${field}.login`);
      return;
    }
  }
  fail(field, 'a broadcaster id, { id } or { login }', value);
};

const channelRefs: Check = (value, field) => {
  if (!Array.isArray(value)) fail(field, 'an array of channels (ids, { id } or { login })', value);
  value.forEach((item, i) => {
    channelRef(item, `${field}[${i}]`);
  });
};

const BOT_CHECKS: OptionChecks<
  Pick<
    AutoBotOptions,
    'botId' | 'auth' | 'channels' | 'channelSubscriptions' | 'leaveConcurrency' | 'chat' | 'commands'
  >
> = {
  botId: required(nonEmptyString),
  auth: required((value, field) => {
    if (!isRecord(value) || typeof value.getAccessToken !== 'function') {
      fail(field, 'an AuthProvider holding the bot user token', value);
    }
  }),
  channels: channelRefs,
  channelSubscriptions: func,
  leaveConcurrency: positiveInteger,
  chat: nested(BOT_CHAT_CHECKS),
  commands: (value, field) => {
    if (!(value instanceof Commands)) fail(field, 'a Commands instance', value);
  },
};

function checkedBotOptions(options: AutoBotOptions): AutoBotOptions {
  checkOptions(options, BOT_CHECKS);
  return options;
}

/** What the bot knows of a joined channel: the ids of the subscriptions that joining it created (or found). */
interface Membership {
  readonly subscriptionIds: Set<string>;
}

/** What a {@link BotChannel} needs of its bot. */
interface ChannelHost {
  readonly helix: HelixClient;
  readonly botId: string;
  /** `{ auth: { userId: botId }, signal }`: the bot's token, aborted when the bot closes. */
  readonly call: CallOptions;
}

/**
 * What the bot can do in one channel (the {@link ChatActions} of a command's context): send and reply through the
 * channel's send queue (Twitch's answer, dropped or sent); announce, delete a message, time out, ban, shout out and
 * whisper through Helix as the bot (its token needs the scope of each: `moderator:manage:announcements`,
 * `moderator:manage:chat_messages`, `moderator:manage:banned_users`, `moderator:manage:shoutouts`,
 * `user:manage:whispers`, and the bot must be a moderator of the channel for the moderation ones). Get it from
 * {@link AutoBot.channel} or the `message` event.
 *
 * @example
 * ```ts
 * const result = await bot.channel('1337').send('hello chat');
 * if (!result.isSent) console.warn(result.dropReason.code);
 * ```
 */
export class BotChannel implements ChatActions {
  /** The channel (broadcaster id). */
  readonly channelId: string;
  readonly #queue: ChannelSendQueue;
  readonly #host: ChannelHost;

  /** @internal Made by the bot. */
  constructor(channelId: string, queue: ChannelSendQueue, host: ChannelHost) {
    this.channelId = channelId;
    this.#queue = queue;
    this.#host = host;
  }

  /** Messages waiting in this channel's send queue. */
  get queued(): number {
    return this.#queue.size;
  }

  /**
   * Sends a message when the channel's rate limit allows; resolves with Twitch's answer (`isSent: false` with the
   * `dropReason` when Twitch did not send it). Never retried after a failure (the message may have been posted).
   *
   * @throws {@link InvalidArgumentError} (rejects) for a blank text or one past 500 characters;
   *   {@link BotError} `CHAT_QUEUE_FULL` past `chat.maxQueued`, `CHAT_QUEUE_CLOSED` when the bot closes first.
   * @example
   * ```ts
   * await bot.channel('1337').send('hello');
   * ```
   */
  send(text: string): Promise<ChatSendResult> {
    try {
      checkChatText(text, 'text');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.#queue.push(text, undefined);
  }

  /**
   * Sends `text` as a threaded reply to the message `parentMessageId` (`reply_parent_message_id`), like
   * {@link BotChannel.send}.
   *
   * @example
   * ```ts
   * bot.on('message', (message, channel) => void channel.reply(message.messageId, 'pong'));
   * ```
   */
  reply(parentMessageId: string, text: string): Promise<ChatSendResult> {
    try {
      nonEmptyString(parentMessageId, 'parentMessageId');
      checkChatText(text, 'text');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.#queue.push(text, parentMessageId);
  }

  /**
   * Sends an announcement (`color` defaults to the channel's accent colour) as the bot.
   *
   * @throws {@link InvalidArgumentError} (rejects) for a blank text, one past 500 characters, or an unknown colour.
   * @example
   * ```ts
   * await bot.channel('1337').announce('Giveaway in 5 minutes!', 'purple');
   * ```
   */
  announce(text: string, color?: AnnouncementColor): Promise<void> {
    try {
      checkChatText(text, 'text');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const { helix, botId, call } = this.#host;
    return helix.chat.sendAnnouncement(
      {
        broadcasterId: this.channelId,
        moderatorId: botId,
        message: text,
        ...(color === undefined ? {} : { color }),
      },
      call,
    );
  }

  /**
   * Deletes one message of the channel as the bot (a moderator).
   *
   * @example
   * ```ts
   * bot.on('message', (m, channel) => { if (m.message.text.includes('spam')) void channel.deleteMessage(m.messageId); });
   * ```
   */
  deleteMessage(messageId: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    return helix.moderation.deleteChatMessage(
      { broadcasterId: this.channelId, moderatorId: botId, messageId },
      call,
    );
  }

  /**
   * Times `userId` out for `durationSeconds` (1..1,209,600) as the bot (a moderator).
   *
   * @example
   * ```ts
   * await bot.channel('1337').timeout('4242', 600, 'caps');
   * ```
   */
  async timeout(userId: string, durationSeconds: number, reason?: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    await helix.moderation.timeoutUser(
      {
        broadcasterId: this.channelId,
        moderatorId: botId,
        userId,
        durationSeconds,
        ...(reason === undefined ? {} : { reason }),
      },
      call,
    );
  }

  /**
   * Bans `userId` from the channel as the bot (a moderator).
   *
   * @example
   * ```ts
   * await bot.channel('1337').ban('4242', 'spam bot');
   * ```
   */
  async ban(userId: string, reason?: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    await helix.moderation.banUser(
      {
        broadcasterId: this.channelId,
        moderatorId: botId,
        userId,
        ...(reason === undefined ? {} : { reason }),
      },
      call,
    );
  }

  /**
   * Sends a shoutout from this channel to `toBroadcasterId` as the bot (a moderator).
   *
   * @example
   * ```ts
   * await bot.channel('1337').shoutout('4242');
   * ```
   */
  shoutout(toBroadcasterId: string): Promise<void> {
    const { helix, botId, call } = this.#host;
    return helix.chat.sendShoutout(
      { fromBroadcasterId: this.channelId, toBroadcasterId, moderatorId: botId },
      call,
    );
  }

  /**
   * Whispers `toUserId` as the bot.
   *
   * @throws {@link InvalidArgumentError} (rejects) for a blank text (field `text`), and Helix's refusals.
   * @example
   * ```ts
   * await bot.channel('1337').whisper('4242', 'your code: 1234');
   * ```
   */
  whisper(toUserId: string, text: string): Promise<void> {
    if (typeof text !== 'string' || text.trim() === '') {
      return Promise.reject(new InvalidArgumentError('text must be a non-blank string', 'text'));
    }
    const { helix, botId, call } = this.#host;
    return helix.whispers
      .sendWhisper({ fromUserId: botId, toUserId, message: text }, call)
      .catch((error: unknown) => {
        // Helix names its field `message`; this method's parameter is `text`.
        if (error instanceof InvalidArgumentError && error.field === 'message') {
          throw new InvalidArgumentError(error.message.replace(/^message/, 'text'), 'text', { cause: error });
        }
        throw error;
      });
  }

  [inspect.custom](): string {
    return `BotChannel { channelId: '${this.channelId}', queued: ${this.#queue.size} }`;
  }
}

/**
 * A chat bot on a conduit: everything the {@link AutoClient} does, plus the bot's identity (`botId` and its user
 * token, checked at start for `user:bot`, `user:read:chat`, `user:write:chat`), channels joined and left at runtime
 * as conduit subscriptions, and chat out through a per-channel queue that waits for Twitch's rate limit (20 messages
 * per 30 s, 100 where the bot is broadcaster or moderator) rather than dropping.
 *
 * Start-up: the token's scopes (`MISSING_SCOPES` before anything is subscribed), the conduit and its shards (the
 * AutoClient's start-up, `ready`), the channels already joined on the conduit (learnt from its subscriptions, so a
 * restart neither duplicates nor forgets them), then `channels`.
 *
 * @example
 * ```ts
 * const auth = new RefreshingAuthProvider({ clientId, clientSecret });
 * await auth.addUser({ accessToken, refreshToken }); // the bot account's token
 * await using bot = new AutoBot({ clientId, auth, botId: '4242', channels: [{ login: 'twitchdev' }] });
 * bot.on('message', (message, channel) => {
 *   if (message.message.text === '!ping') void channel.reply(message.messageId, 'pong');
 * });
 * bot.on('chatDropped', ({ channelId, dropReason }) => console.warn(channelId, dropReason.code));
 * await bot.start();
 * ```
 */
export class AutoBot extends AutoClient<AutoBotEventMap> {
  /** The bot account's user id. */
  readonly botId: string;

  readonly #auth: AuthProvider;
  readonly #initialChannels: readonly ChannelRef[];
  readonly #extras: ((channelId: string) => readonly SubscriptionInput[]) | undefined;
  readonly #leaveConcurrency: number;
  readonly #maxQueued: number;
  readonly #minGapMs: number;
  readonly #clock: SendQueueHost['clock'];
  readonly #joined = new Map<string, Membership>();
  readonly #channels = new Map<string, BotChannel>();
  readonly #queues: ChannelSendQueue[] = [];
  /** Channels where the bot is broadcaster or moderator. */
  readonly #elevated = new Set<string>();
  readonly #closer = new AbortController();
  /** Joins and leaves run one after the other: a channel is never joined and left at once. */
  #membership: Promise<unknown> = Promise.resolve();
  readonly #queueHost: SendQueueHost;
  readonly #channelHost: ChannelHost;
  readonly #commands: Commands | null;

  /**
   * Checks every option (the {@link AutoClient}'s and the bot's) before anything is created.
   *
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option): a missing `botId` or
   *   `auth`, a channel that is not an id, `{ id }` or `{ login }`, bad `chat` options, and the AutoClient's.
   */
  constructor(options: AutoBotOptions) {
    super(checkedBotOptions(options));
    this.botId = options.botId;
    this.#auth = options.auth;
    this.#initialChannels = [...(options.channels ?? [])];
    this.#extras = options.channelSubscriptions;
    this.#leaveConcurrency = options.leaveConcurrency ?? 8;
    this.#maxQueued = options.chat?.maxQueued ?? 500;
    this.#minGapMs = options.chat?.minGapMs ?? 0;
    for (const id of options.chat?.moderatorIn ?? []) this.#elevated.add(id);
    this.#elevated.add(this.botId);
    this.#clock = options.clock ?? systemClock;
    this.#queueHost = {
      clock: this.#clock,
      send: (channelId, message) => this.#send(channelId, message),
      limit: (channelId) =>
        this.#elevated.has(channelId) ? CHAT_RATE_LIMITS.elevated : CHAT_RATE_LIMITS.regular,
    };
    this.#channelHost = {
      helix: this.helix,
      botId: this.botId,
      call: Object.freeze({ auth: Object.freeze({ userId: this.botId }), signal: this.#closer.signal }),
    };
    this.#commands = options.commands ?? null;
    if (this.#commands !== null) setUnhandledErrorFallback(this.#commands, this.#onUnhandledCommandError);
    this.on('channel.chat.message', this.#onChatMessage);
    if (this.#commands !== null) {
      this.on('channel.channel_points_custom_reward_redemption.add', this.#onRedemption);
    }
  }

  /** The channels joined (broadcaster ids), in the order they were joined. */
  get joinedChannels(): readonly string[] {
    return [...this.#joined.keys()];
  }

  /**
   * The actions of the bot in a channel (joined or not: a bot may send where it does not read). One object per
   * channel.
   *
   * @throws {@link InvalidArgumentError} when `channelId` is not a non-empty string.
   * @example
   * ```ts
   * await bot.channel('1337').send('back in a minute');
   * ```
   */
  channel(channelId: string): BotChannel {
    nonEmptyString(channelId, 'channelId');
    let channel = this.#channels.get(channelId);
    if (channel === undefined) {
      const queue = new ChannelSendQueue(channelId, this.#queueHost, this.#maxQueued, this.#minGapMs);
      this.#queues.push(queue);
      if (this.isClosing()) queue.close();
      channel = new BotChannel(channelId, queue, this.#channelHost);
      this.#channels.set(channelId, channel);
    }
    return channel;
  }

  /**
   * Joins channels: for each, `channel.chat.message` with `user_id` = the bot, plus `channelSubscriptions`, created
   * together through `multiSubscribe`. A channel whose subscriptions partly failed is rolled back (what was created
   * for it is deleted) and reported `failed`. Logins are resolved through Get Users.
   *
   * @throws {@link InvalidArgumentError} (rejects) for a bad channel; `CONDUIT_MISSING` before `start()`.
   * @example
   * ```ts
   * for (const r of await bot.join(['1337', { login: 'twitchdev' }])) {
   *   if (r.status === 'failed') console.warn(r.input, r.error.message);
   * }
   * ```
   */
  join(channels: readonly ChannelRef[]): Promise<JoinResult[]> {
    try {
      channelRefs(channels, 'channels');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.#serial(() => this.#join(channels));
  }

  /**
   * Leaves channels: deletes exactly the subscriptions joining them created (or found on the conduit), at most
   * `leaveConcurrency` at once. A subscription already gone (404) counts as deleted.
   *
   * @throws {@link InvalidArgumentError} (rejects) for a bad channel.
   * @example
   * ```ts
   * await bot.leave([{ login: 'twitchdev' }]);
   * console.log(bot.joinedChannels);
   * ```
   */
  leave(channels: readonly ChannelRef[]): Promise<LeaveResult[]> {
    try {
      channelRefs(channels, 'channels');
    } catch (error) {
      return Promise.reject(asError(error));
    }
    return this.#serial(() => this.#leave(channels));
  }

  // -----------------------------------------------------------------------------------------------------------

  protected override async onStart(): Promise<void> {
    this.#checkScopes();
    await super.onStart();
  }

  /** Before `ready`: the channels joined on the conduit by an earlier run, then `channels` (failures reported). */
  protected override async beforeReady(): Promise<void> {
    await this.#serial(() => this.#adoptJoined());
    if (this.#initialChannels.length > 0 && !this.isClosing()) {
      const results = await this.join(this.#initialChannels);
      for (const result of results) if (result.status === 'failed') this.report(result.error, 'join');
    }
  }

  protected override async onClose(): Promise<void> {
    for (const queue of this.#queues) queue.close();
    this.#closer.abort(new TwitchError('CLIENT_CLOSED', 'the client was closed'));
    await super.onClose();
  }

  /** The bot's token carries {@link BOT_SCOPES}, or `MISSING_SCOPES` before anything is created. */
  #checkScopes(): void {
    const scopes = this.#auth.getScopes?.({ kind: 'user', userId: this.botId });
    if (scopes === undefined) {
      throw new MissingScopesError(
        `the auth provider has no user token of bot ${this.botId} (add it, e.g. RefreshingAuthProvider.addUser) with ${BOT_SCOPES.join(', ')}`,
        BOT_SCOPES.map((scope) => [scope]),
        this.botId,
      );
    }
    const missing = BOT_SCOPES.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) {
      throw new MissingScopesError(
        `the token of bot ${this.botId} lacks ${missing.join(', ')}`,
        missing.map((scope) => [scope]),
        this.botId,
      );
    }
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#membership.then(work, work);
    this.#membership = next.catch(() => undefined);
    return next;
  }

  /** The subscriptions a channel's join creates. */
  #subscriptionsOf(channelId: string): SubscriptionInput[] {
    const chat: SubscriptionInput = {
      type: 'channel.chat.message',
      version: '1',
      condition: { broadcasterUserId: channelId, userId: this.botId },
    };
    return [chat, ...(this.#extras?.(channelId) ?? [])];
  }

  /** Broadcaster ids of `refs` (logins through Get Users); `null` where a login does not exist. */
  async #resolve(refs: readonly ChannelRef[]): Promise<{ input: ChannelRef; id: string | Error }[]> {
    const logins = refs.flatMap((ref) =>
      typeof ref === 'object' && 'login' in ref ? [ref.login.toLowerCase()] : [],
    );
    const byLogin = new Map<string, string>();
    let lookupError: Error | null = null;
    if (logins.length > 0) {
      try {
        const users = await this.helix.users.getUsers({ logins }, { signal: this.#closer.signal });
        for (const user of users) byLogin.set(user.login.toLowerCase(), user.id);
      } catch (error) {
        lookupError = error instanceof Error ? error : new Error(String(error));
      }
    }
    return refs.map((input) => ({ input, id: resolved(input) }));
    function resolved(ref: ChannelRef): string | Error {
      if (typeof ref === 'string') return ref;
      if ('id' in ref) return ref.id;
      if (lookupError !== null) return lookupError;
      return (
        byLogin.get(ref.login.toLowerCase()) ??
        new BotError('CHANNEL_NOT_FOUND', ref.login, `no Twitch user has the login ${ref.login}`)
      );
    }
  }

  async #join(refs: readonly ChannelRef[]): Promise<JoinResult[]> {
    const resolved = await this.#resolve(refs);
    const results: (JoinResult | null)[] = refs.map(() => null);
    const inputs: SubscriptionInput[] = [];
    const channelOf = new Map<SubscriptionInput, string>();
    const pending = new Map<string, { i: number; input: ChannelRef }[]>();
    resolved.forEach(({ input, id }, i) => {
      if (id instanceof Error) {
        results[i] = { input, channelId: null, status: 'failed', error: id };
      } else if (this.#joined.has(id)) {
        results[i] = { input, channelId: id, status: 'already' };
      } else if (pending.has(id)) {
        pending.get(id)?.push({ i, input });
      } else {
        pending.set(id, [{ i, input }]);
        for (const sub of this.#subscriptionsOf(id)) {
          inputs.push(sub);
          channelOf.set(sub, id);
        }
      }
    });
    if (inputs.length > 0) {
      // Validated first (a bad `channelSubscriptions` is INVALID_ARGUMENT before any request).
      toWireRequests(inputs);
      const payload = await this.multiSubscribe(inputs);
      const created = new Map<string, string[]>();
      const existing = new Map<string, string[]>();
      const failed = new Map<string, Error>();
      let unknownExisting = false;
      for (const s of payload.success)
        push(created, channelOf.get(s.subscription), s.response.subscription.id);
      for (const e of payload.existing) {
        if (e.existingId === null) unknownExisting = true;
        else push(existing, channelOf.get(e.subscription), e.existingId);
      }
      for (const e of payload.errors) {
        const id = channelOf.get(e.subscription);
        if (id !== undefined && !failed.has(id)) failed.set(id, e.error);
      }
      const found = unknownExisting ? await this.#conduitSubscriptions() : [];
      for (const [channelId, indices] of pending) {
        const error = failed.get(channelId);
        const mine = created.get(channelId) ?? [];
        if (error !== undefined) {
          // Rolled back: a channel is joined with all its subscriptions or none of them.
          await this.#deleteAll(mine);
          for (const { i, input } of indices) results[i] = { input, channelId, status: 'failed', error };
          continue;
        }
        const ids = new Set([...mine, ...(existing.get(channelId) ?? [])]);
        if (unknownExisting) for (const id of this.#matching(found, channelId)) ids.add(id);
        this.#joined.set(channelId, { subscriptionIds: ids });
        const status = mine.length > 0 ? 'joined' : 'already';
        indices.forEach(({ i, input }, n) => {
          results[i] = { input, channelId, status: n === 0 ? status : 'already' };
        });
        if (status === 'joined') this.emit('channelJoined', channelId);
      }
    }
    return results as JoinResult[];
  }

  async #leave(refs: readonly ChannelRef[]): Promise<LeaveResult[]> {
    const resolved = await this.#resolve(refs);
    const seen = new Set<string>();
    const results: LeaveResult[] = [];
    const work: { index: number; input: ChannelRef; channelId: string; membership: Membership }[] = [];
    resolved.forEach(({ input, id }, i) => {
      if (id instanceof Error) results[i] = { input, channelId: null, status: 'failed', error: id };
      else {
        const membership = this.#joined.get(id);
        if (membership === undefined || seen.has(id))
          results[i] = { input, channelId: id, status: 'notJoined' };
        else {
          seen.add(id);
          work.push({ index: i, input, channelId: id, membership });
        }
      }
    });
    const deletions = work.flatMap((w) => [...w.membership.subscriptionIds].map((id) => ({ w, id })));
    const errors = new Map<string, Error>();
    await this.#bounded(deletions, async ({ w, id }) => {
      const error = await this.#delete(id);
      if (error === null) w.membership.subscriptionIds.delete(id);
      else if (!errors.has(w.channelId)) errors.set(w.channelId, error);
    });
    for (const { index, input, channelId, membership } of work) {
      const error = errors.get(channelId);
      if (error !== undefined) {
        results[index] = { input, channelId, status: 'failed', error };
        continue;
      }
      if (membership.subscriptionIds.size === 0) this.#joined.delete(channelId);
      results[index] = { input, channelId, status: 'left' };
      this.emit('channelLeft', channelId);
    }
    return results;
  }

  /** Deletes one subscription: `null` when gone (404 included), else the error. */
  async #delete(id: string): Promise<Error | null> {
    try {
      await this.helix.eventSub.deleteSubscription(id, { signal: this.#closer.signal });
      return null;
    } catch (error) {
      if (error instanceof HTTPError && error.status === 404) return null;
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async #deleteAll(ids: readonly string[]): Promise<void> {
    await this.#bounded(ids, async (id) => {
      const error = await this.#delete(id);
      if (error !== null) this.report(error, 'leave');
    });
  }

  async #bounded<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    const queue = items.values();
    const worker = async (): Promise<void> => {
      for (let item = queue.next(); item.done !== true; item = queue.next()) await fn(item.value);
    };
    await Promise.all(Array.from({ length: Math.min(this.#leaveConcurrency, items.length) }, worker));
  }

  /** The conduit's subscriptions (every page). */
  async #conduitSubscriptions(): Promise<EventSubSubscription[]> {
    const conduitId = this.conduitInfo.id;
    const all = await this.helix.eventSub.getSubscriptions({}, { signal: this.#closer.signal });
    return all.filter((s) => s.transport.method === 'conduit' && s.transport.conduitId === conduitId);
  }

  /** Ids of `subscriptions` that joining `channelId` creates (same type, version and condition). */
  #matching(subscriptions: readonly EventSubSubscription[], channelId: string): string[] {
    const wanted = toWireRequests(this.#subscriptionsOf(channelId)).map((r) =>
      key(r.type, r.version, r.condition),
    );
    return subscriptions.filter((s) => wanted.includes(key(s.type, s.version, s.condition))).map((s) => s.id);
  }

  /** Learns the channels joined on the conduit (by an earlier run) from its subscriptions. */
  async #adoptJoined(): Promise<void> {
    const subscriptions = await this.#conduitSubscriptions();
    for (const s of subscriptions) {
      const channelId = s.condition.broadcaster_user_id;
      if (s.type !== 'channel.chat.message' || s.condition.user_id !== this.botId || channelId === undefined)
        continue;
      if (this.#joined.has(channelId)) continue;
      this.#joined.set(channelId, { subscriptionIds: new Set(this.#matching(subscriptions, channelId)) });
    }
  }

  #send(channelId: string, message: QueuedMessage): Promise<ChatSendResult> {
    const body = {
      broadcasterId: channelId,
      senderId: this.botId,
      message: message.text,
      ...(message.replyParentMessageId === undefined
        ? {}
        : { replyParentMessageId: message.replyParentMessageId }),
    };
    return this.helix.chat
      .sendChatMessage(body, { auth: { userId: this.botId }, signal: this.#closer.signal })
      .then((result) => {
        // Twitch says the bot sent too fast: it is not (or no longer) a moderator here. Regular limit until one
        // of its own echoes shows the badge again.
        if (!result.isSent && result.dropReason.code === 'msg_ratelimit' && channelId !== this.botId) {
          this.#elevated.delete(channelId);
        }
        if (!result.isSent && this.hasListeners('chatDropped')) {
          this.emit('chatDropped', {
            channelId,
            text: message.text,
            replyParentMessageId: message.replyParentMessageId ?? null,
            dropReason: result.dropReason,
          });
        }
        return result;
      });
  }

  /** Every chat message (one listener, defined once): the bot's role from its own, then `message`. */
  readonly #onChatMessage = (message: ChannelChatMessageEvent): void => {
    const channelId = message.broadcaster.id;
    if (message.chatter.id === this.botId && channelId !== this.botId) {
      // The badges of the bot's own messages say what it is in the channel (its send rate limit).
      const elevated = message.badges.some((b) => b.setId === 'moderator' || b.setId === 'broadcaster');
      if (elevated) this.#elevated.add(channelId);
      else this.#elevated.delete(channelId);
    }
    if (this.hasListeners('message')) this.emit('message', message, this.channel(channelId));
    const commands = this.#commands;
    if (commands !== null && message.chatter.id !== this.botId) {
      commands.dispatch(message, this.channel(channelId)).then(this.#onDispatched, this.#onDispatchFailed);
    }
  };

  /** Every redemption (one listener, defined once): reward commands. */
  readonly #onRedemption = (event: ChannelPointsCustomRewardRedemptionAddEvent): void => {
    this.#commands
      ?.dispatchRedemption(event, this.channel(event.broadcaster.id))
      .then(this.#onDispatched, this.#onDispatchFailed);
  };

  /** A dispatch's outcome: a `command` event unless ignored (unhandled errors went to the commands' sink). */
  readonly #onDispatched = (result: DispatchResult): void => {
    if (result.status === 'ignored') return;
    if (this.hasListeners('command')) this.emit('command', result);
  };

  /** The commands' sink of unhandled errors when the user gave none: the bot's `error` event, nowhere else. */
  readonly #onUnhandledCommandError = (error: Error): void => {
    this.report(error, 'command');
  };

  readonly #onDispatchFailed = (error: unknown): void => {
    this.report(asError(error), 'command');
  };

  override [inspect.custom](): string {
    return `AutoBot { state: '${this.state}', botId: '${this.botId}', channels: ${this.#joined.size} }`;
  }
}

function push(map: Map<string, string[]>, key: string | undefined, value: string): void {
  if (key === undefined) return;
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function key(type: string, version: string, condition: Readonly<Record<string, string>>): string {
  const entries = Object.entries(condition).filter(([, v]) => v !== '');
  entries.sort(([a], [b]) => (a < b ? -1 : 1));
  return `${type}/${version}/${JSON.stringify(entries)}`;
}
