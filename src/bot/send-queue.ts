/**
 * The per-channel chat send queue of the `AutoBot`: messages wait for Twitch's chat rate limit (a sliding window of
 * {@link CHAT_RATE_WINDOW_MS}) instead of being dropped, one request in flight at a time, in order, up to a bound.
 *
 * The window counts each message at the time its answer arrived: Twitch received it before that, and the next one
 * is sent after it, so no window of Twitch's can hold more messages than the limit, whatever the latency.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { CHAT_RATE_WINDOW_MS } from '../protocol/chat.js';
import type { ChatSendResult } from './actions.js';
import { BotError } from './errors.js';
import type { BotMetrics } from './metrics.js';

/** One message to send. */
export interface QueuedMessage {
  readonly text: string;
  readonly replyParentMessageId: string | undefined;
}

/** What the queue needs from the bot. */
export interface SendQueueHost {
  readonly clock: Clock;
  /** Sends one message: Twitch's answer, or a rejection (never retried: the message may have been posted). */
  send(channelId: string, message: QueuedMessage): Promise<ChatSendResult>;
  /** Messages allowed per window in the channel now (20 or 100). */
  limit(channelId: string): number;
  /** Where sends, drops and waits are counted (`null`: metrics off). */
  readonly metrics: BotMetrics | null;
}

interface Job extends QueuedMessage {
  /** Clock time it was queued (the wait it had is measured when it leaves). */
  readonly queuedAt: number;
  readonly resolve: (result: ChatSendResult) => void;
  readonly reject: (error: Error) => void;
}

/** One channel's queue. */
export class ChannelSendQueue {
  readonly channelId: string;
  readonly #host: SendQueueHost;
  readonly #maxQueued: number;
  readonly #minGapMs: number;
  readonly #jobs: Job[] = [];
  /** Answer times of the messages of the last window, oldest first. */
  readonly #sent: number[] = [];
  #timer: TimerHandle | null = null;
  #inFlight = false;
  #closed = false;

  constructor(channelId: string, host: SendQueueHost, maxQueued: number, minGapMs: number) {
    this.channelId = channelId;
    this.#host = host;
    this.#maxQueued = maxQueued;
    this.#minGapMs = minGapMs;
  }

  /** Messages waiting (not counting the one in flight). */
  get size(): number {
    return this.#jobs.length;
  }

  /** Queues a message; resolves with Twitch's answer. Rejects with `CHAT_QUEUE_FULL` past the bound. */
  push(text: string, replyParentMessageId: string | undefined): Promise<ChatSendResult> {
    if (this.#closed) {
      return Promise.reject(new BotError('CHAT_QUEUE_CLOSED', this.channelId, 'the bot is closed'));
    }
    if (this.#jobs.length >= this.#maxQueued) {
      this.#host.metrics?.dropped('queue_full');
      return Promise.reject(
        new BotError(
          'CHAT_QUEUE_FULL',
          this.channelId,
          `${this.#jobs.length} messages already wait for the chat rate limit (chat.maxQueued)`,
        ),
      );
    }
    return new Promise<ChatSendResult>((resolve, reject) => {
      this.#jobs.push({ text, replyParentMessageId, queuedAt: this.#host.clock.now(), resolve, reject });
      this.#pump();
    });
  }

  /** Rejects every waiting message with `CHAT_QUEUE_CLOSED` and clears the timer; the one in flight settles. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) this.#host.clock.clearTimeout(this.#timer);
    this.#timer = null;
    const jobs = this.#jobs.splice(0);
    for (const job of jobs) {
      job.reject(
        new BotError('CHAT_QUEUE_CLOSED', this.channelId, 'the bot closed before the message was sent'),
      );
    }
  }

  /** Milliseconds until the next message may go (0: now). */
  #wait(now: number): number {
    const sent = this.#sent;
    while (sent.length > 0 && (sent[0] ?? 0) + CHAT_RATE_WINDOW_MS <= now) sent.shift();
    let wait = 0;
    const limit = this.#host.limit(this.channelId);
    if (sent.length >= limit) {
      // The window holds `limit` answers: the next message waits until enough of them have left it.
      wait = (sent[sent.length - limit] ?? now) + CHAT_RATE_WINDOW_MS - now;
    }
    const last = sent[sent.length - 1];
    if (this.#minGapMs > 0 && last !== undefined) wait = Math.max(wait, last + this.#minGapMs - now);
    return Math.max(0, wait);
  }

  #pump(): void {
    if (this.#inFlight || this.#timer !== null || this.#closed || this.#jobs.length === 0) return;
    const clock = this.#host.clock;
    const wait = this.#wait(clock.now());
    if (wait > 0) {
      // Work is waiting on this timer: it keeps the process alive until the message is sent or the bot closed.
      this.#timer = clock.setTimeout(this.#onTimer, wait, { ref: true });
      return;
    }
    const job = this.#jobs.shift();
    if (job === undefined) return;
    this.#inFlight = true;
    const metrics = this.#host.metrics;
    metrics?.waited(clock.now() - job.queuedAt);
    this.#host.send(this.channelId, job).then(
      (result) => {
        metrics?.answered(result);
        this.#settled();
        job.resolve(result);
      },
      (error: unknown) => {
        metrics?.dropped('error');
        this.#settled();
        job.reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#pump();
  };

  #settled(): void {
    this.#inFlight = false;
    // Counted whether sent, dropped or failed: Twitch may have counted it.
    this.#sent.push(this.#host.clock.now());
    this.#pump();
  }
}
