/**
 * What a command's handler, guards, hooks and error handlers receive: the invocation (message or redemption, chatter,
 * channel, command, prefix, parsed arguments) and the chat actions of the channel, as methods on the prototype (no
 * closure per invocation).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { ChannelChatMessageEvent } from '../../catalogue/models/channel-chat.js';
import type { ChannelPointsCustomRewardRedemptionAddEvent } from '../../catalogue/models/channel-points.js';
import type { Badge, UserRef } from '../../catalogue/models/common.js';
import { ANNOUNCEMENT_COLORS, type AnnouncementColor } from '../../protocol/chat.js';
import type { ChatActions, ChatSendResult } from '../actions.js';
import type { AnyCommand } from './command.js';

/** What the chatter is in the channel, read from the message's badges (and the bot's owner ids). */
export interface ChatterRoles {
  /** The channel's broadcaster: the chatter is the channel (by id; a `broadcaster` badge alone is not enough). */
  readonly broadcaster: boolean;
  /** A moderator (badge `moderator`); the broadcaster is not counted here, guards count both. */
  readonly moderator: boolean;
  /** A VIP (badge `vip`). */
  readonly vip: boolean;
  /** A subscriber (badge `subscriber` or `founder`). */
  readonly subscriber: boolean;
  /** Twitch staff (badge `staff` or `admin`). */
  readonly staff: boolean;
  /** One of the bot's owners (`ownerIds` of the options). */
  readonly owner: boolean;
}

/** The chatter who invoked a command (or redeemed the reward). */
export interface Chatter extends UserRef {
  /**
   * Badges in the channel the command runs in (`badges` of the message; for shared chat, not `sourceBadges`: a
   * moderator of another channel of the session is no moderator here). Empty for a reward redemption.
   */
  readonly badges: readonly Badge[];
  /** Roles from {@link Chatter.badges}. */
  readonly roles: ChatterRoles;
}

/** Who a moderation action targets: a user, or a user id. */
export type UserTarget = UserRef | string;

/** Options of {@link CommandContext.timeout} and {@link CommandContext.ban}. */
export interface ModerationOptions {
  /** The user to act on. @defaultValue the chatter */
  readonly user?: UserTarget;
  /** Shown to moderators and the user. */
  readonly reason?: string;
}

/** Roles from badges; `owner` from the owner ids. */
export function rolesOf(
  badges: readonly Badge[],
  chatterId: string,
  channelId: string,
  owners: ReadonlySet<string>,
): ChatterRoles {
  const broadcaster = chatterId === channelId;
  let moderator = false;
  let vip = false;
  let subscriber = false;
  let staff = false;
  for (const badge of badges) {
    switch (badge.setId) {
      // 'broadcaster': the channel is known by id (above); the badge is not trusted, as a shared chat message from
      // another channel's broadcaster may carry one.
      case 'moderator':
        moderator = true;
        break;
      case 'vip':
        vip = true;
        break;
      case 'subscriber':
      case 'founder':
        subscriber = true;
        break;
      case 'staff':
      case 'admin':
        staff = true;
        break;
      default:
        break;
    }
  }
  return { broadcaster, moderator, vip, subscriber, staff, owner: owners.has(chatterId) };
}

function idOf(user: UserTarget, field: string): string {
  const id = typeof user === 'string' ? user : (user as Partial<UserRef> | null)?.id;
  if (typeof id !== 'string' || id === '') {
    throw new InvalidArgumentError(`${field} must be a user or a non-empty user id`, field);
  }
  return id;
}

function checkText(text: unknown, field: string): void {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new InvalidArgumentError(`${field} must be a non-empty string`, field);
  }
}

const COLORS: ReadonlySet<unknown> = new Set(ANNOUNCEMENT_COLORS);
const MAX_TIMEOUT_SECONDS = 1_209_600;

/** The target and reason of a moderation action, checked. */
function moderation(options: unknown, chatterId: string): { userId: string; reason: string | undefined } {
  if (options === undefined) return { userId: chatterId, reason: undefined };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options must be an object', 'options');
  }
  const o = options as { user?: unknown; reason?: unknown };
  if (o.reason !== undefined && typeof o.reason !== 'string') {
    throw new InvalidArgumentError('reason must be a string', 'reason');
  }
  return { userId: o.user === undefined ? chatterId : idOf(o.user as UserTarget, 'user'), reason: o.reason };
}

const NO_BADGES: readonly Badge[] = Object.freeze([]);
/** The arguments before parsing (guards), and of a command that takes none: one shared empty object. */
const NO_ARGS: Readonly<Record<string, unknown>> = Object.freeze({});

/** A {@link Chatter} whose roles are read from its badges on first use (most invocations never ask). */
class LazyChatter implements Chatter {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  readonly badges: readonly Badge[];
  readonly #channelId: string;
  readonly #owners: ReadonlySet<string>;
  #roles: ChatterRoles | null = null;

  constructor(user: UserRef, badges: readonly Badge[], channelId: string, owners: ReadonlySet<string>) {
    this.id = user.id;
    this.login = user.login;
    this.displayName = user.displayName;
    this.badges = badges;
    this.#channelId = channelId;
    this.#owners = owners;
  }

  get roles(): ChatterRoles {
    return (this.#roles ??= rolesOf(this.badges, this.id, this.#channelId, this.#owners));
  }

  toJSON(): Chatter {
    const { id, login, displayName, badges, roles } = this;
    return { id, login, displayName, badges, roles };
  }
}

/**
 * The context of one invocation. Handlers see it typed by their arguments (`ctx.args.sides: number`); guards see it
 * before the arguments are parsed (`args` is then empty); error handlers may see it without a command
 * (`COMMAND_NOT_FOUND`).
 *
 * @example
 * ```ts
 * command({
 *   name: 'so',
 *   args: { who: arg.user() },
 *   guards: [guards.moderator],
 *   async run(ctx) {
 *     await ctx.shoutout(ctx.args.who);
 *     await ctx.reply(`go follow ${ctx.args.who.displayName}!`);
 *   },
 * });
 * ```
 */
export class CommandContext<A = Readonly<Record<string, unknown>>> {
  /** The chat message that invoked the command, `null` for a reward redemption. */
  readonly message: ChannelChatMessageEvent | null;
  /** The redemption that invoked the command, `null` for a chat message. */
  readonly redemption: ChannelPointsCustomRewardRedemptionAddEvent | null;
  /** The channel (broadcaster) the command runs in, where replies go. */
  readonly channel: UserRef;
  /** The channel a shared-chat message was typed in, `null` when it was typed in {@link CommandContext.channel}. */
  readonly sourceChannel: UserRef | null;
  /** Who invoked it. */
  readonly chatter: Chatter;
  /** The prefix used (`!`), `''` for a redemption. */
  readonly prefix: string;
  /** The name or alias typed (after the prefix), `''` for a redemption. */
  readonly invokedWith: string;
  /** The command (for error handlers, `null` when none was found). */
  readonly command: AnyCommand;
  /** The parsed, converted arguments (empty until parsed: guards see `{}`). */
  readonly args: A;
  /** The argument line: what followed the command's name, or the redemption's user input. */
  readonly argumentText: string;
  /** What the command can do in the channel (the bot's `ChatActions`). */
  readonly actions: ChatActions;

  /** @internal Built by the {@link Commands} dispatcher. */
  constructor(init: {
    readonly message: ChannelChatMessageEvent | null;
    readonly redemption: ChannelPointsCustomRewardRedemptionAddEvent | null;
    readonly actions: ChatActions;
    readonly owners: ReadonlySet<string>;
    readonly prefix: string;
    readonly invokedWith: string;
    readonly command: AnyCommand | null;
    readonly argumentText: string;
  }) {
    const { message, redemption } = init;
    this.message = message;
    this.redemption = redemption;
    this.actions = init.actions;
    this.prefix = init.prefix;
    this.invokedWith = init.invokedWith;
    const command: unknown = init.command;
    this.command = command as AnyCommand;
    this.argumentText = init.argumentText;
    this.args = NO_ARGS as A;
    if (message !== null) {
      this.channel = message.broadcaster;
      const source = message.sourceBroadcaster;
      this.sourceChannel = source !== null && source.id !== message.broadcaster.id ? source : null;
      this.chatter = new LazyChatter(message.chatter, message.badges, message.broadcaster.id, init.owners);
    } else if (redemption !== null) {
      const r = redemption;
      this.channel = r.broadcaster;
      this.sourceChannel = null;
      this.chatter = new LazyChatter(r.user, NO_BADGES, r.broadcaster.id, init.owners);
    } else {
      throw new InvalidArgumentError('a context needs a message or a redemption', 'message');
    }
  }

  /**
   * Replies in a thread to the invoking message (`reply_parent_message_id`); for a redemption (no message), sends
   * to the channel. Resolves with Twitch's answer: `isSent: false` with a `dropReason` when Twitch dropped it.
   */
  async reply(text: string): Promise<ChatSendResult> {
    checkText(text, 'text');
    return this.message === null ? this.actions.send(text) : this.actions.reply(this.message.messageId, text);
  }

  /** Sends a message to the channel. */
  async send(text: string): Promise<ChatSendResult> {
    checkText(text, 'text');
    return this.actions.send(text);
  }

  /** Sends an announcement to the channel. */
  async announce(text: string, color?: AnnouncementColor): Promise<void> {
    checkText(text, 'text');
    if (color !== undefined && !COLORS.has(color)) {
      throw new InvalidArgumentError('color must be primary, blue, green, orange or purple', 'color');
    }
    await (color === undefined ? this.actions.announce(text) : this.actions.announce(text, color));
  }

  /** Deletes a message: by default the invoking one (a redemption has none: pass an id). */
  async deleteMessage(messageId?: string): Promise<void> {
    if (messageId !== undefined && (typeof messageId !== 'string' || messageId === '')) {
      throw new InvalidArgumentError('messageId must be a non-empty string', 'messageId');
    }
    const id = messageId ?? this.message?.messageId;
    if (id === undefined) {
      throw new InvalidArgumentError(
        'messageId must be a non-empty string (a redemption has no message)',
        'messageId',
      );
    }
    await this.actions.deleteMessage(id);
  }

  /** Times out the chatter, or `options.user`, for `seconds` (1..1,209,600). */
  async timeout(seconds: number, options?: ModerationOptions): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw new InvalidArgumentError(
        `seconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS}`,
        'seconds',
      );
    }
    const { userId, reason } = moderation(options, this.chatter.id);
    await (reason === undefined
      ? this.actions.timeout(userId, seconds)
      : this.actions.timeout(userId, seconds, reason));
  }

  /** Bans the chatter, or `options.user`. */
  async ban(options?: ModerationOptions): Promise<void> {
    const { userId, reason } = moderation(options, this.chatter.id);
    await (reason === undefined ? this.actions.ban(userId) : this.actions.ban(userId, reason));
  }

  /** Gives a shoutout to another channel. */
  async shoutout(to: UserTarget): Promise<void> {
    await this.actions.shoutout(idOf(to, 'to'));
  }

  /** Whispers the chatter, or `to`. */
  async whisper(text: string, to?: UserTarget): Promise<void> {
    checkText(text, 'text');
    await this.actions.whisper(to === undefined ? this.chatter.id : idOf(to, 'to'), text);
  }
}
