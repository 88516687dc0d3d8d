/**
 * The AutoBot's options, their checks (every bad option is `INVALID_ARGUMENT` naming it before anything is created),
 * its events and the results of joining and leaving channels.
 */
import type { AuthProvider } from '../auth/types.js';
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
import type { ClientEventMap } from '../eventsub/client.js';
import type { AutoClientOptions } from '../eventsub/conduit/auto-client.js';
import type { SubscriptionInput } from '../eventsub/conduit/multi-subscribe.js';
import type { BotChannel } from './bot-channel.js';
import { Commands, type DispatchResult } from './commands/commands.js';

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
   * bot's own echoed messages then say what it is, and a message dropped with `msg_ratelimit` puts the channel back
   * at 20. @defaultValue none
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

export const channelRefs: Check = (value, field) => {
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

export function checkedBotOptions(options: AutoBotOptions): AutoBotOptions {
  checkOptions(options, BOT_CHECKS);
  return options;
}
