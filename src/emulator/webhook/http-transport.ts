/**
 * The emulator's HTTP webhook transport: verification challenges and signed notification/revocation POSTs, as
 * Twitch sends them (twitch-protocol.md §4), with retries and a failure threshold.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { requirePositive, requirePositiveInteger } from '../../core/guards.js';
import { clock as clockCheck } from '../../core/options.js';
import { nanoTimestamp } from '../eventsub/ids.js';
import type { WebhookDelivery, WebhookTransport, WebhookVerification } from '../eventsub/webhook.js';

/**
 * Options of the emulator's webhook delivery over HTTP (the `webhook` option of `Emulator.start`); every duration in
 * milliseconds so that tests can make them tiny.
 */
export interface HttpWebhookTransportOptions {
  /**
   * Attempts per message before it counts as failed for good (then the subscription is revoked with
   * `notification_failures_exceeded`, or the conduit shard disabled). Twitch does not document its threshold;
   * third parties report about 5 attempts within a few minutes.
   * @defaultValue 5
   */
  readonly failureThreshold?: number;
  /**
   * Delay before each retry: the n-th retry waits `retryDelaysMs[n - 1]` (the last value repeats).
   * @defaultValue [1000, 5000, 15000, 60000]
   */
  readonly retryDelaysMs?: readonly number[];
  /**
   * Time allowed for a callback to answer (Twitch: "a few seconds"; twitch-cli: 10 s). A timeout is a failed
   * attempt.
   * @defaultValue 10000
   */
  readonly timeoutMs?: number;
  /**
   * Messages in flight or waiting for a retry at once; past it `deliver` returns `false` (counted as dropped).
   * @defaultValue 10000
   */
  readonly maxInFlight?: number;
  /**
   * Clock of the retry delays and of the signed timestamps (the emulator passes its own `clock`). The answer
   * timeout (`timeoutMs`) is a socket timeout and stays in real time.
   * @defaultValue the system clock
   */
  readonly clock?: Clock;
}

/** Counters of an {@link HttpWebhookTransport}. */
export interface HttpWebhookTransportStats {
  /** POSTs sent (first attempts and retries, verifications included). */
  readonly requests: number;
  /** Retries sent (`Twitch-Eventsub-Message-Retry` > 0). */
  readonly retries: number;
  /** Messages that failed every attempt. */
  readonly failures: number;
  readonly verificationsSucceeded: number;
  readonly verificationsFailed: number;
}

const DEFAULT_RETRY_DELAYS: readonly number[] = [1000, 5000, 15_000, 60_000];
/** Challenge replies longer than this are wrong anyway; stop reading. */
const MAX_REPLY_BYTES = 64 * 1024;

/** One message under delivery (first attempt, then retries). */
interface Job {
  readonly delivery: WebhookDelivery;
  readonly url: URL;
  readonly signature: string;
  attempt: number;
  timer: TimerHandle | undefined;
}

/**
 * The {@link WebhookTransport} the emulator uses by default: it POSTs to the callback over real HTTP(S).
 *
 * - Verification: a `webhook_callback_verification` POST with a random challenge; the callback must answer 2XX
 *   with exactly the challenge as body, else the subscription or shard becomes `webhook_callback_verification_failed`.
 * - Delivery: `notification` and `revocation` POSTs with Twitch's seven headers, signed
 *   `sha256=HMAC_SHA256(secret, id + timestamp + body)`. A non-2XX answer, a network error or a timeout is a failed
 *   attempt; the same message (same id, timestamp and signature) is resent with `Twitch-Eventsub-Message-Retry: n`
 *   after `retryDelaysMs`; after `failureThreshold` attempts the delivery is reported failed to the core.
 * - Redirects are not followed (a 3XX is a failure), like Twitch.
 *
 * @example
 * ```ts
 * const emu = await Emulator.start({
 *   port: 0,
 *   allowInsecureWebhooks: true,
 *   webhookTransport: new HttpWebhookTransport({ retryDelaysMs: [5], failureThreshold: 3, timeoutMs: 500 }),
 * });
 * ```
 */
export class HttpWebhookTransport implements WebhookTransport {
  readonly #failureThreshold: number;
  readonly #retryDelays: readonly number[];
  readonly #timeoutMs: number;
  readonly #maxInFlight: number;
  readonly #clock: Clock;
  readonly #httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  readonly #httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });
  readonly #jobs = new Set<Job>();
  readonly #requests = new Set<ClientRequest>();
  /** Pending `drain()` calls: the requests each still waits for. */
  #drains: { readonly remaining: Set<ClientRequest>; readonly resolve: () => void }[] = [];
  #closed = false;
  #stats = { requests: 0, retries: 0, failures: 0, verificationsSucceeded: 0, verificationsFailed: 0 };

  constructor(options: HttpWebhookTransportOptions = {}) {
    this.#failureThreshold = requirePositiveInteger(options.failureThreshold ?? 5, 'failureThreshold');
    const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    if (delays.length === 0 || delays.some((d) => !Number.isFinite(d) || d < 0)) {
      throw new InvalidArgumentError('retryDelaysMs must be non-negative numbers', 'retryDelaysMs');
    }
    this.#retryDelays = [...delays];
    this.#timeoutMs = requirePositive(options.timeoutMs ?? 10_000, 'timeoutMs');
    this.#maxInFlight = requirePositiveInteger(options.maxInFlight ?? 10_000, 'maxInFlight');
    if (options.clock !== undefined) clockCheck(options.clock, 'clock');
    this.#clock = options.clock ?? systemClock;
  }

  /** Counters since creation. */
  get stats(): HttpWebhookTransportStats {
    return { ...this.#stats };
  }

  /** Messages in flight or waiting for a retry. */
  get pending(): number {
    return this.#jobs.size;
  }

  verify(verification: WebhookVerification): void {
    if (this.#closed) {
      verification.complete(false);
      return;
    }
    let url: URL;
    try {
      url = new URL(verification.callback);
    } catch {
      verification.complete(false);
      return;
    }
    const challenge = randomBytes(24).toString('base64url');
    const subject = verification.subject;
    const body = JSON.stringify({ challenge, ...subject });
    const id = randomUUID();
    const timestamp = nanoTimestamp(this.#clock.now());
    const headers: OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Twitch-Eventsub-Message-Id': id,
      'Twitch-Eventsub-Message-Retry': '0',
      'Twitch-Eventsub-Message-Type': 'webhook_callback_verification',
      'Twitch-Eventsub-Message-Signature': sign(verification.secret, id, timestamp, body),
      'Twitch-Eventsub-Message-Timestamp': timestamp,
    };
    if ('subscription' in subject) {
      const sub = subject.subscription as { type?: unknown; version?: unknown } | null;
      if (typeof sub?.type === 'string') headers['Twitch-Eventsub-Subscription-Type'] = sub.type;
      if (typeof sub?.version === 'string') headers['Twitch-Eventsub-Subscription-Version'] = sub.version;
    }
    this.#post(url, headers, body, true, (status, reply) => {
      const ok = status >= 200 && status < 300 && reply === challenge;
      if (ok) this.#stats.verificationsSucceeded++;
      else this.#stats.verificationsFailed++;
      verification.complete(ok);
    });
  }

  deliver(delivery: WebhookDelivery): boolean {
    if (this.#closed || this.#jobs.size >= this.#maxInFlight) return false;
    let url: URL;
    try {
      url = new URL(delivery.callback);
    } catch {
      return false;
    }
    const job: Job = {
      delivery,
      url,
      signature: sign(delivery.secret, delivery.messageId, delivery.timestamp, delivery.body),
      attempt: 0,
      timer: undefined,
    };
    this.#jobs.add(job);
    this.#attempt(job);
    return true;
  }

  /**
   * Resolves once every POST in flight now (deliveries, retries and verifications) has been answered or has failed;
   * at once when none is. Retries waiting for their delay are not waited for. `emu.drain()` uses it.
   */
  drain(): Promise<void> {
    if (this.#requests.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#drains.push({ remaining: new Set(this.#requests), resolve });
    });
  }

  /** Cancels retries and in-flight requests and closes idle connections. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const job of this.#jobs) if (job.timer !== undefined) this.#clock.clearTimeout(job.timer);
    this.#jobs.clear();
    for (const req of this.#requests) req.destroy();
    this.#requests.clear();
    for (const drain of this.#drains.splice(0)) drain.resolve();
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  /** A request finished: the drains that waited for it, and nothing else, resolve. */
  #settle(req: ClientRequest): void {
    this.#drains = this.#drains.filter((drain) => {
      drain.remaining.delete(req);
      if (drain.remaining.size > 0) return true;
      drain.resolve();
      return false;
    });
  }

  #attempt(job: Job): void {
    job.timer = undefined;
    if (this.#closed) return;
    const d = job.delivery;
    if (job.attempt > 0) this.#stats.retries++;
    const headers: OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(d.body),
      'Twitch-Eventsub-Message-Id': d.messageId,
      'Twitch-Eventsub-Message-Retry': String(job.attempt),
      'Twitch-Eventsub-Message-Type': d.messageType,
      'Twitch-Eventsub-Message-Signature': job.signature,
      'Twitch-Eventsub-Message-Timestamp': d.timestamp,
      'Twitch-Eventsub-Subscription-Type': d.subscriptionType,
      'Twitch-Eventsub-Subscription-Version': d.subscriptionVersion,
    };
    this.#post(job.url, headers, d.body, false, (status) => {
      if (this.#closed) return;
      if (status >= 200 && status < 300) {
        this.#jobs.delete(job);
        return;
      }
      job.attempt++;
      if (job.attempt >= this.#failureThreshold) {
        this.#jobs.delete(job);
        this.#stats.failures++;
        d.failed();
        return;
      }
      const delays = this.#retryDelays;
      const delay = delays[Math.min(job.attempt - 1, delays.length - 1)] ?? 0;
      job.timer = this.#clock.setTimeout(() => {
        this.#attempt(job);
      }, delay);
    });
  }

  /**
   * One POST. `done(status, body)` is called exactly once; status 0 means no answer (network error, timeout,
   * closed). The reply body is read only when `readBody` (verification), up to {@link MAX_REPLY_BYTES}.
   */
  #post(
    url: URL,
    headers: OutgoingHttpHeaders,
    body: string,
    readBody: boolean,
    done: (status: number, reply: string) => void,
  ): void {
    this.#stats.requests++;
    let finished = false;
    const finish = (status: number, reply: string): void => {
      if (finished) return;
      finished = true;
      this.#requests.delete(req);
      if (this.#drains.length > 0) this.#settle(req);
      done(status, reply);
    };
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers,
      agent: https ? this.#httpsAgent : this.#httpAgent,
      timeout: this.#timeoutMs,
    });
    this.#requests.add(req);
    req.on('timeout', () => {
      req.destroy();
    });
    req.on('error', () => {
      finish(0, '');
    });
    let responded = false;
    req.on('close', () => {
      if (!responded) finish(0, '');
    });
    req.on('response', (res: IncomingMessage) => {
      responded = true;
      const status = res.statusCode ?? 0;
      res.on('close', () => {
        // Aborted before the end: a notification's status stands; a challenge reply is incomplete.
        finish(readBody ? 0 : status, '');
      });
      if (!readBody) {
        res.resume();
        res.on('end', () => {
          finish(status, '');
        });
        res.on('error', () => {
          finish(status, '');
        });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          finish(status, '');
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        finish(status, Buffer.concat(chunks).toString('utf8'));
      });
      res.on('error', () => {
        finish(0, '');
      });
    });
    req.end(body);
  }
}

/** `sha256=` + hex HMAC-SHA256 of message id + timestamp + body, as Twitch signs. */
export function sign(secret: string, messageId: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(messageId).update(timestamp).update(body).digest('hex')}`;
}
