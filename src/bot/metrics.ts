/**
 * The AutoBot's metrics, added to the AutoClient's registry (it inherits shards, events per type, lag, duplicates,
 * handler errors and the subscription census): chat messages in, commands invoked, failed and rejected (by reason)
 * per command, messages sent and dropped (by reason), the send queues' depth and how long messages waited in them.
 * Each is recorded in one place: chat messages by the bot's one chat listener, commands by its one dispatch outcome
 * handler, sends, drops and waits by the send queue (send-queue.ts), the depth at snapshot time.
 */
import {
  LAG_BUCKETS,
  type Counter,
  type HistogramChild,
  type MetricsRegistry,
  type ValueChild,
} from '../core/metrics.js';
import { botCommandChannel } from '../core/diagnostics.js';
import type { ChatSendResult } from './actions.js';
import type { DispatchResult } from './commands/commands.js';

/** Rejection reasons by the `CommandError` code that says why. */
const REJECTIONS: Readonly<Record<string, string>> = {
  COMMAND_ON_COOLDOWN: 'cooldown',
  COMMAND_GUARD_FAILED: 'permission',
  COMMAND_BAD_ARGUMENT: 'parse',
  COMMAND_NOT_FOUND: 'not_found',
};
/** The `command` label of a message whose command does not exist. */
const UNKNOWN_COMMAND = '__unknown__';
/** Most drop reasons kept apart (Twitch has a handful). */
const MAX_DROP_REASONS = 50;

/** A bot's metrics (internal). */
export class BotMetrics {
  readonly #chat: ValueChild;
  readonly #invoked: Counter;
  readonly #failed: Counter;
  readonly #rejected: Counter;
  readonly #sent: ValueChild;
  readonly #dropped: Counter;
  readonly #waited: HistogramChild;

  /** @param queued - messages waiting in every send queue now (read at snapshot time). */
  constructor(r: MetricsRegistry, queued: () => number) {
    this.#chat = r
      .counter({
        name: 'twitch_realtime_bot_chat_messages_total',
        help: 'Chat messages the bot received (channel.chat.message), its own included.',
      })
      .labels();
    this.#invoked = r.counter({
      name: 'twitch_realtime_bot_commands_invoked_total',
      help: 'Messages (or redemptions) that named a command, by its qualified name, whatever came of them.',
      labelNames: ['command'],
    });
    this.#failed = r.counter({
      name: 'twitch_realtime_bot_commands_failed_total',
      help: 'Commands whose handler threw or rejected (COMMAND_FAILED), by command.',
      labelNames: ['command'],
    });
    this.#rejected = r.counter({
      name: 'twitch_realtime_bot_commands_rejected_total',
      help: 'Commands refused before their handler ran, by command and reason: cooldown, permission (a guard), parse (an argument), not_found.',
      labelNames: ['command', 'reason'],
    });
    this.#sent = r
      .counter({
        name: 'twitch_realtime_bot_chat_sent_total',
        help: 'Messages (sends and replies) Twitch accepted.',
      })
      .labels();
    this.#dropped = r.counter({
      name: 'twitch_realtime_bot_chat_dropped_total',
      help: "Messages not posted, by reason: Twitch's drop_reason code, queue_full, or error (the request failed).",
      labelNames: ['reason'],
      maxChildren: MAX_DROP_REASONS,
    });
    this.#waited = r
      .histogram({
        name: 'twitch_realtime_bot_send_queue_delay_seconds',
        help: "Seconds a message waited in its channel's send queue (the chat rate limit) before it was sent.",
        buckets: LAG_BUCKETS,
      })
      .labels();
    const depth = r.gauge({
      name: 'twitch_realtime_bot_send_queue_depth',
      help: 'Messages waiting in the send queues of every channel (the chat rate limit).',
    });
    r.collect(() => {
      depth.set(queued());
    });
  }

  /** One chat message received. */
  chatMessage(): void {
    this.#chat.inc();
  }

  /** A dispatch's outcome (not called for `ignored`: not a command). */
  dispatched(result: DispatchResult): void {
    if (result.status === 'ran') {
      this.#invoked.labels(result.command).inc();
      return;
    }
    if (result.status !== 'error') return;
    const error = result.error;
    const command = error.command ?? UNKNOWN_COMMAND;
    if (error.code !== 'COMMAND_NOT_FOUND') this.#invoked.labels(command).inc();
    const reason = REJECTIONS[error.code];
    if (reason !== undefined) this.#rejected.labels(command, reason).inc();
    else this.#failed.labels(command).inc();
  }

  /** Twitch's answer to a message sent. */
  answered(result: ChatSendResult): void {
    if (result.isSent) this.#sent.inc();
    else this.#dropped.labels(result.dropReason.code).inc();
  }

  /** A message not posted for `reason` (`queue_full`, or `error`: the request failed, it may have been posted). */
  dropped(reason: string): void {
    this.#dropped.labels(reason).inc();
  }

  /** A message leaves its queue after `ms` of waiting. */
  waited(ms: number): void {
    this.#waited.observe(ms / 1000);
  }
}

/** Publishes `twitch-realtime:bot:command` for a dispatch's outcome (when someone subscribes; never `ignored`). */
export function publishCommand(result: DispatchResult): void {
  if (!botCommandChannel.hasSubscribers || result.status === 'ignored') return;
  if (result.status === 'ran') {
    botCommandChannel.publish({ command: result.command, outcome: 'ran' });
    return;
  }
  const error = result.error;
  botCommandChannel.publish({ command: error.command, outcome: REJECTIONS[error.code] ?? 'failed' });
}
