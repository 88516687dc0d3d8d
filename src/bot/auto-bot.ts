/**
 * `AutoBot`: an {@link AutoClient} with a bot identity. It checks the bot's token at start, joins and leaves
 * channels as conduit subscriptions (channels.ts), and sends chat through a per-channel queue within Twitch's rate
 * limits (send-queue.ts) behind each channel's actions (bot-channel.ts). Its options and their checks: options.ts.
 */
import { inspect } from 'node:util';
import type { AuthProvider } from '../auth/types.js';
import { MissingScopesError } from '../auth/errors.js';
import { systemClock } from '../core/clock.js';
import { TwitchError } from '../core/errors.js';
import { nonEmptyString } from '../core/options.js';
import type { ChannelChatMessageEvent } from '../catalogue/models/channel-chat.js';
import type { ChannelPointsCustomRewardRedemptionAddEvent } from '../catalogue/models/channel-points.js';
import type { Notification } from '../catalogue/events.js';
import { AutoClient } from '../eventsub/conduit/auto-client.js';
import { clientRegistry } from '../eventsub/conduit/metrics.js';
import type { ObservedSource } from '../observability/source.js';
import { asError } from '../eventsub/conduit/shard.js';
import { CHAT_RATE_LIMITS } from '../protocol/chat.js';
import type { ChatSendResult } from './actions.js';
import { BotChannel, type ChannelHost } from './bot-channel.js';
import { ChannelRoster } from './channels.js';
import {
  releaseUnhandledErrorFallback,
  setUnhandledErrorFallback,
  setUserResolverFallback,
  type Commands,
  type DispatchResult,
} from './commands/commands.js';
import { cachedUserResolver } from './user-resolver.js';
import {
  BOT_SCOPES,
  channelRefs,
  checkedBotOptions,
  type AutoBotEventMap,
  type AutoBotOptions,
  type ChannelRef,
  type JoinResult,
  type LeaveResult,
} from './options.js';
import { BotMetrics, publishCommand } from './metrics.js';
import { ChannelSendQueue, type QueuedMessage, type SendQueueHost } from './send-queue.js';

/**
 * A chat bot on a conduit: everything the {@link AutoClient} does, plus the bot's identity (`botId` and its user
 * token, checked at start for `user:bot`, `user:read:chat`, `user:write:chat`), channels joined and left at runtime
 * as conduit subscriptions, and chat out through a per-channel queue that waits for Twitch's rate limit (20 messages
 * per 30 s, 100 where the bot is broadcaster or moderator) rather than dropping.
 *
 * Start-up: the token's scopes (`MISSING_SCOPES` before anything is subscribed), the conduit, its shards and the
 * client's subscriptions (the AutoClient's start-up), the channels already joined on the conduit (learnt from its
 * subscriptions, so a restart neither duplicates nor forgets them), then `channels` (a channel that fails is an
 * `error` event, context `join`), and only then `ready`: `await bot.start()` means it listens in those channels.
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
export class AutoBot extends AutoClient<AutoBotEventMap> implements ObservedSource {
  /** The bot account's user id. */
  readonly botId: string;

  readonly #auth: AuthProvider;
  readonly #initialChannels: readonly ChannelRef[];
  readonly #maxQueued: number;
  readonly #minGapMs: number;
  readonly #clock: SendQueueHost['clock'];
  readonly #roster: ChannelRoster;
  readonly #channels = new Map<string, BotChannel>();
  readonly #queues: ChannelSendQueue[] = [];
  /** Channels where the bot is broadcaster or moderator. */
  readonly #elevated = new Set<string>();
  readonly #closer = new AbortController();
  readonly #queueHost: SendQueueHost;
  readonly #channelHost: ChannelHost;
  readonly #commands: Commands | null;
  /** The bot's own metrics, in the AutoClient's registry (`null` with `metrics: false`). */
  readonly #metrics: BotMetrics | null;

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
    this.#maxQueued = options.chat?.maxQueued ?? 500;
    this.#minGapMs = options.chat?.minGapMs ?? 0;
    for (const id of options.chat?.moderatorIn ?? []) this.#elevated.add(id);
    this.#elevated.add(this.botId);
    this.#clock = options.clock ?? systemClock;
    const registry = clientRegistry(this);
    this.#metrics = registry === null ? null : new BotMetrics(registry, () => this.#queuedMessages());
    this.#queueHost = {
      clock: this.#clock,
      metrics: this.#metrics,
      send: (channelId, message) => this.#send(channelId, message),
      limit: (channelId) =>
        this.#elevated.has(channelId) ? CHAT_RATE_LIMITS.elevated : CHAT_RATE_LIMITS.regular,
    };
    this.#channelHost = {
      helix: this.helix,
      botId: this.botId,
      call: Object.freeze({ auth: Object.freeze({ userId: this.botId }), signal: this.#closer.signal }),
    };
    this.#roster = new ChannelRoster({
      helix: this.helix,
      botId: this.botId,
      signal: this.#closer.signal,
      leaveConcurrency: options.leaveConcurrency ?? 8,
      extras: options.channelSubscriptions,
      conduitId: () => this.conduitInfo.id,
      multiSubscribe: (inputs) => this.multiSubscribe(inputs),
      report: (error, context) => {
        this.report(error, context);
      },
      joined: (channelId) => this.emit('channelJoined', channelId),
      left: (channelId) => this.emit('channelLeft', channelId),
    });
    this.#commands = options.commands ?? null;
    if (this.#commands !== null) {
      setUnhandledErrorFallback(this.#commands, this.#onUnhandledCommandError);
      // arg.user() with a login typed without @: Get Users behind a bounded cache, unless the commands have one.
      setUserResolverFallback(this.#commands, cachedUserResolver(this.helix));
    }
    this.on('channel.chat.message', this.#onChatMessage);
    if (this.#commands !== null) {
      this.on('channel.channel_points_custom_reward_redemption.add', this.#onRedemption);
    }
  }

  /** The channels joined (broadcaster ids), in the order they were joined. */
  get joinedChannels(): readonly string[] {
    return this.#roster.channelIds;
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
    return this.#roster.join(channels);
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
    return this.#roster.leave(channels);
  }

  // -----------------------------------------------------------------------------------------------------------

  protected override async onStart(): Promise<void> {
    this.#checkScopes();
    await super.onStart();
  }

  /** Before `ready`: the channels joined on the conduit by an earlier run, then `channels` (failures reported). */
  protected override async beforeReady(): Promise<void> {
    await this.#roster.adopt();
    if (this.#initialChannels.length > 0 && !this.isClosing()) {
      const results = await this.join(this.#initialChannels);
      for (const result of results) if (result.status === 'failed') this.report(result.error, 'join');
    }
  }

  protected override async onClose(): Promise<void> {
    for (const queue of this.#queues) queue.close();
    // Commands may outlive the bot: its error event no longer receives theirs (nor keeps the bot reachable).
    if (this.#commands !== null) releaseUnhandledErrorFallback(this.#commands, this.#onUnhandledCommandError);
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

  /**
   * Every chat message (one listener, defined once): the bot's role from its own, then `message`, then the
   * commands; these only for the bot's own subscription (`user_id` = the bot), so that another chat subscription of
   * the same channel on the conduit (another reader's) does not run a command twice.
   */
  readonly #onChatMessage = (
    message: ChannelChatMessageEvent,
    notification: Notification<ChannelChatMessageEvent>,
  ): void => {
    const channelId = message.broadcaster.id;
    this.#metrics?.chatMessage();
    if (message.chatter.id === this.botId && channelId !== this.botId) {
      // The badges of the bot's own messages say what it is in the channel (its send rate limit).
      if (isElevated(message.badges)) this.#elevated.add(channelId);
      else this.#elevated.delete(channelId);
    }
    if (this.hasListeners('message')) this.emit('message', message, this.channel(channelId));
    const commands = this.#commands;
    if (
      commands !== null &&
      message.chatter.id !== this.botId &&
      notification.subscription.condition.userId === this.botId
    ) {
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
    this.#metrics?.dispatched(result);
    publishCommand(result);
    if (this.hasListeners('command')) this.emit('command', result);
  };

  /** Messages waiting in every channel's send queue (metrics, at snapshot time). */
  #queuedMessages(): number {
    let n = 0;
    for (const queue of this.#queues) n += queue.size;
    return n;
  }

  /** The commands' sink of unhandled errors when the user gave none: the bot's `error` event, nowhere else. */
  readonly #onUnhandledCommandError = (error: Error): void => {
    this.report(error, 'command');
  };

  readonly #onDispatchFailed = (error: unknown): void => {
    this.report(asError(error), 'command');
  };

  override [inspect.custom](): string {
    return `AutoBot { state: '${this.state}', botId: '${this.botId}', channels: ${this.#roster.size} }`;
  }
}

/** A moderator or broadcaster badge among `badges` (a loop: no closure per message). */
function isElevated(badges: ChannelChatMessageEvent['badges']): boolean {
  for (const badge of badges) if (badge.setId === 'moderator' || badge.setId === 'broadcaster') return true;
  return false;
}
