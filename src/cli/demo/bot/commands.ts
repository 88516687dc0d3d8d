/**
 * The bot of `demo --bot`, the same on the emulator and on Twitch (`--live`): its commands, the wiring of an
 * {@link AutoBot} to them, and the figures of the summary (commands handled, replies sent, drops by reason, queue
 * delays), counted where they happen: every message the bot sends goes through {@link metered}.
 */
import type { AutoBot } from '../../../bot/auto-bot.js';
import type { ChatSendResult } from '../../../bot/actions.js';
import {
  Commands,
  arg,
  command,
  cooldowns,
  guards,
  type CommandError,
  type ErrorContext,
  type UserResolver,
} from '../../../bot/commands/index.js';
import type { Clock } from '../../../core/clock.js';

/** The reward whose redemptions run `!hydrate`. */
export const HYDRATE_REWARD = 'Hydrate';
/** A send that waited longer than this (clock ms) for the channel's rate limit counts as a queue delay. */
export const QUEUE_DELAY_MS = 2_000;

/** What the bot did, for the summary. */
export class BotStats {
  /** Commands that ran to the end, by qualified name. */
  readonly handled = new Map<string, number>();
  /** Invocations that failed, by error code (`COMMAND_BAD_ARGUMENT`, `COMMAND_GUARD_FAILED`, ...). */
  readonly refused = new Map<string, number>();
  /** Twitch's `is_sent: false`, by `drop_reason` code. */
  readonly drops = new Map<string, number>();
  /** Messages Twitch accepted (replies and sends). */
  sent = 0;
  /** Sends that rejected (a queue bound, a Helix error): lost replies. */
  readonly failures: string[] = [];
  /** Sends that waited more than {@link QUEUE_DELAY_MS} in the channel's queue. */
  queueDelays = 0;
  /** The longest wait of a send, clock ms. */
  maxDelayMs = 0;
  /** Errors no handler took (the bot's `error` event included). */
  readonly errors: string[] = [];

  /** Commands that ran, all names together. */
  get handledTotal(): number {
    let n = 0;
    for (const v of this.handled.values()) n += v;
    return n;
  }

  /** Drops, all reasons together. */
  get dropTotal(): number {
    let n = 0;
    for (const v of this.drops.values()) n += v;
    return n;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Counts Twitch's answer to one message of the bot (sent, or dropped with its reason) and how long it waited in the
 * channel's send queue; a rejection (a queue bound, a Helix error) is a lost reply. Resolves like `pending`.
 */
export async function metered(
  stats: BotStats,
  clock: Clock,
  pending: Promise<ChatSendResult>,
  channelId: string,
): Promise<ChatSendResult> {
  const queuedAt = clock.now();
  try {
    const result = await pending;
    const waited = clock.now() - queuedAt;
    if (waited > QUEUE_DELAY_MS) stats.queueDelays++;
    if (waited > stats.maxDelayMs) stats.maxDelayMs = waited;
    if (result.isSent) stats.sent++;
    else bump(stats.drops, result.dropReason.code);
    return result;
  } catch (error) {
    stats.failures.push(`#${channelId}: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}

/** What the demo bot needs besides the AutoBot. */
export interface DemoBotOptions {
  /** The clock of cooldowns and `!uptime` (the AutoBot's). */
  readonly clock: Clock;
  /** Where `!uptime` counts from (clock ms). */
  readonly startedAt: number;
  /** Dice rolls: a seeded source on the emulator, `Math.random` live. */
  readonly random: () => number;
  /** Resolves a login typed without `@` (`!so somechannel`); without it only mentions name users. */
  readonly users?: UserResolver;
}

/** `1m 05s`, `42s` */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  return m === 0 ? `${String(s)}s` : `${String(m)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** The answer to a failed invocation (a reply fit for the chatter), or `null` to stay silent. */
function answerTo(error: CommandError, ctx: ErrorContext): string | null {
  switch (error.code) {
    case 'COMMAND_BAD_ARGUMENT':
      return `${error.userMessage} (usage: ${ctx.command?.usage(ctx.prefix) ?? ctx.invokedWith})`;
    case 'COMMAND_GUARD_FAILED':
    case 'COMMAND_ON_COOLDOWN':
      return error.userMessage;
    default:
      return null;
  }
}

/**
 * The demo's commands: `!dice [sides]` (an integer argument, a per-chatter GCRA cooldown), `!so @user` and `!ban
 * @user [reason]` (moderators only), `!uptime`, `!hello` (the burst's), `!help`, and `!hydrate` run by the
 * {@link HYDRATE_REWARD} channel-points reward.
 */
export function demoCommands(stats: BotStats, options: DemoBotOptions, botId: string): Commands {
  const say = (ctx: { readonly channel: { readonly id: string } }, pending: Promise<ChatSendResult>) =>
    metered(stats, options.clock, pending, ctx.channel.id);
  const commands = new Commands({
    prefix: '!',
    botId,
    clock: options.clock,
    ...(options.users === undefined ? {} : { users: options.users }),
    onError: async (error, ctx) => {
      bump(stats.refused, error.code);
      const answer = answerTo(error, ctx);
      if (answer !== null) await say(ctx, ctx.reply(answer));
    },
    onUnhandledError: (error) => {
      stats.errors.push(`${error.code}: ${error.message}`);
    },
  });
  commands.add(
    command({
      name: 'dice',
      aliases: ['roll'],
      description: 'rolls a die',
      args: { sides: arg.integer({ min: 2, max: 100 }).default(6) },
      cooldown: cooldowns.gcra({ per: 'chatter', rate: 1, perMs: 30_000 }),
      run: async (ctx) => {
        const roll = 1 + Math.floor(options.random() * ctx.args.sides);
        await say(ctx, ctx.reply(`🎲 ${String(roll)} (d${String(ctx.args.sides)})`));
      },
    }),
    command({
      name: 'so',
      aliases: ['shoutout'],
      description: 'shouts out a channel',
      args: { user: arg.user() },
      guards: [guards.moderator],
      run: async (ctx) => {
        await ctx.shoutout(ctx.args.user);
        await say(ctx, ctx.send(`Go follow ${ctx.args.user.displayName}: twitch.tv/${ctx.args.user.login}`));
      },
    }),
    command({
      name: 'uptime',
      description: "the bot's uptime",
      run: async (ctx) => {
        await say(ctx, ctx.reply(`up for ${duration(options.clock.now() - options.startedAt)}`));
      },
    }),
    command({
      name: 'ban',
      description: 'bans a user (moderators)',
      args: { user: arg.user(), reason: arg.rest().optional() },
      guards: [guards.moderator],
      run: async (ctx) => {
        const { user, reason } = ctx.args;
        await ctx.ban(reason === undefined ? { user } : { user, reason });
        await say(
          ctx,
          ctx.reply(`${user.displayName} is banned${reason === undefined ? '' : ` (${reason})`}`),
        );
      },
    }),
    command({
      name: 'hello',
      aliases: ['hi'],
      description: 'says hello',
      run: async (ctx) => {
        await say(ctx, ctx.reply(`hello @${ctx.chatter.login}!`));
      },
    }),
    command({
      name: 'hydrate',
      description: `a drink for the channel (also the "${HYDRATE_REWARD}" reward)`,
      rewards: [{ title: HYDRATE_REWARD }],
      run: async (ctx) => {
        await say(ctx, ctx.send(`${ctx.chatter.displayName} hands everyone a glass of water 💧`));
      },
    }),
    command({
      name: 'help',
      description: 'lists the commands',
      run: async (ctx) => {
        await say(ctx, ctx.reply((commands.help(undefined, ctx.prefix) ?? []).join(' · ').slice(0, 500)));
      },
    }),
  );
  return commands;
}

/**
 * Counts what the bot's commands became (its `command` events) and the errors it reports. Give the same
 * {@link Commands} to the AutoBot (`commands` option): it dispatches every message and redemption of its channels.
 */
export function watchBot(bot: AutoBot, stats: BotStats): void {
  bot.on('command', (result) => {
    if (result.status === 'ran') bump(stats.handled, result.command);
  });
  bot.on('error', (error, context) => {
    stats.errors.push(`${context ?? 'error'}: ${error.message}`);
  });
}
