/**
 * What `demo --bot` prints: the conversation as it happens (who said what, what the bot answered, threaded replies
 * marked `↳`), and the summary of {@link BotStats} with the expectations that failed.
 */
import type { ChannelChatMessageEvent } from '../../../catalogue/models/channel-chat.js';
import type { TextSink } from '../../types.js';
import { ansi, isTty, plain, type Style } from '../view.js';
import { duration, type BotStats } from './commands.js';

/** The channel column's width. */
const CHANNEL_WIDTH = 9;
/** The speaker column's width. */
const SPEAKER_WIDTH = 12;

/** `a 3 · b 1` (sorted by key), or `none`. */
export function tally(map: ReadonlyMap<string, number>): string {
  if (map.size === 0) return 'none';
  return [...map]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(' · ');
}

/** Prints the conversation and the summary. */
export class BotView {
  readonly #out: TextSink;
  readonly #style: Style;
  readonly #botId: string;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #names = new Map<string, string>();

  constructor(out: TextSink, botId: string, now: () => number) {
    this.#out = out;
    this.#style = isTty(out) ? ansi : plain;
    this.#botId = botId;
    this.#now = now;
    this.#startedAt = now();
  }

  /** Names a channel (broadcaster id) for the channel column. */
  name(channelId: string, login: string): void {
    this.#names.set(channelId, login);
  }

  /** A line of its own (not chat). */
  log(line: string): void {
    this.#out.write(`${this.#stamp()} ${this.#style.dim(line)}\n`);
  }

  /** One chat message of a joined channel: a viewer's or the bot's own (Twitch echoes it). */
  message(m: ChannelChatMessageEvent): void {
    const s = this.#style;
    const channel = `#${this.#names.get(m.broadcaster.id) ?? m.broadcaster.login}`.padEnd(CHANNEL_WIDTH);
    const fromBot = m.chatter.id === this.#botId;
    const speaker = m.chatter.login.padStart(SPEAKER_WIDTH);
    const thread = m.reply === null ? '' : s.dim(`↳ @${m.reply.parentUser.login} `);
    const text = fromBot ? s.cyan(m.message.text) : m.message.text;
    this.#out.write(
      `${this.#stamp()} ${s.dim(channel)} ${fromBot ? s.cyan(speaker) : speaker}: ${thread}${text}\n`,
    );
  }

  /** The summary's lines (also the live run's). */
  summary(stats: BotStats, failed: readonly string[]): string[] {
    const s = this.#style;
    const lines = [
      s.bold('summary'),
      `  commands handled  ${String(stats.handledTotal)} (${tally(stats.handled)})`,
      `  refused           ${tally(stats.refused)}`,
      `  replies sent      ${String(stats.sent)}`,
      `  drops by reason   ${tally(stats.drops)}`,
      `  queue delays      ${String(stats.queueDelays)} (longest wait ${duration(stats.maxDelayMs)})`,
      `  lost replies      ${String(stats.failures.length)}`,
    ];
    for (const f of stats.failures.slice(0, 5)) lines.push(s.red(`    ${f}`));
    for (const e of stats.errors.slice(0, 5)) lines.push(s.red(`  error: ${e}`));
    if (failed.length === 0) lines.push(s.green('every expectation held'));
    else for (const f of failed) lines.push(s.red(`expectation failed: ${f}`));
    return lines;
  }

  /** Prints the summary. */
  finish(stats: BotStats, failed: readonly string[]): void {
    this.#out.write(`\n${this.summary(stats, failed).join('\n')}\n`);
  }

  #stamp(): string {
    return this.#style.dim(`[${((this.#now() - this.#startedAt) / 1000).toFixed(1).padStart(5)}s]`);
  }
}
