/**
 * One served shard of the conduit, whatever its transport: the state, failure count, retry timer and the rule
 * against fights (`SHARD_CONTESTED`) that WebSocket and webhook shards share. {@link WebSocketShard} and
 * {@link WebhookShard} implement the transport; the client reaches them only through this class, and they reach
 * the client only through a {@link ShardHost}.
 */
import { Backoff } from '../../core/backoff.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { shardStateChannel } from '../../core/diagnostics.js';
import type { TypedEmitter } from '../../core/emitter.js';
import type { ClientEventMap } from '../client.js';
import type { WireNotificationMessage } from '../../protocol/eventsub.js';
import type { WireNotificationPayload } from '../../catalogue/events.js';
import { ShardError, type ShardErrorCode } from './errors.js';
import type { ConduitShard } from './models.js';
import type { ShardLossReason } from './ownership.js';

/** What a shard needs from its client (internal). */
export interface ShardHost {
  readonly clock: Clock;
  /** Aborted when the client closes: every connect and Helix call listens to it. */
  readonly signal: AbortSignal;
  readonly events: TypedEmitter<ClientEventMap>;
  readonly maxReclaims: number;
  isClosing(): boolean;
  report(error: Error, context?: string): void;
  /** Binds the shards to their transports now (the assigner). */
  assign(shards: readonly Shard[], rebind: boolean): Promise<void>;
  /** A notification frame arrived on a WebSocket shard. */
  notification(shardId: string, message: WireNotificationMessage): void;
  /** A notification arrived on a webhook shard: dispatched as received, not reshaped into a frame. */
  delivery(shardId: string, messageId: string, timestamp: string, payload: WireNotificationPayload): void;
  /** Tells the ownership strategy (never throws). */
  bound(shard: Shard): void;
  /** The ownership strategy's word on binding the shard now (`false` on an exception). */
  mayBind(shardId: string): boolean;
  lost(shardId: string, reason: ShardLossReason): void;
  /** A shard changed state (metrics; never throws). */
  stateChanged(shardId: string, from: ShardState, to: ShardState): void;
}

/** `held`: transport open but not bound, because the ownership strategy refused (`mayBind`). */
export type ShardState = 'connecting' | 'assigning' | 'verifying' | 'ready' | 'waiting' | 'held' | 'closed';

/** The transport of one shard in an Update Conduit Shards request. */
export type ShardTransport =
  | { readonly method: 'websocket'; readonly sessionId: string }
  | { readonly method: 'webhook'; readonly callback: string; readonly secret: string };

/**
 * What Twitch's shard list says of a served shard: `bound` to this shard's transport, `busy` (being connected,
 * assigned or verified: its own flow handles it), `foreign` (enabled with a transport that is not ours), `lost`
 * (not enabled, or bound to another of our own sessions).
 */
export type ShardVerdict = 'bound' | 'busy' | 'foreign' | 'lost';

/** What became of a shard Twitch accepted: `ready`, waiting for a webhook challenge, or its session replaced. */
export type Acceptance = 'ready' | 'verifying' | 'replaced';

export abstract class Shard {
  abstract readonly method: 'websocket' | 'webhook';
  #state: ShardState;
  /** Failures in a row (connect, assign, verification). */
  failures = 0;
  /** The Update Conduit Shards request naming this shard, while one is in flight (settles, never rejects). */
  inFlight: Promise<void> | null = null;
  /** The fencing token of the latest grant (`null`: none). */
  token: string | null = null;
  /** Whether it was ever bound (a later binding is a rebind). */
  everReady = false;
  /**
   * Client-clock time since which the shard is neither `ready` nor `held` (`null` while ready; the time it left
   * `held` once it does): read by `health()`.
   */
  notReadySince: number | null;
  /** Client-clock time of the last state change (a retry's steps are changes): `health()` tells retrying from stuck. */
  changedAt: number;
  /**
   * Client-clock time a pending retry is due (`null`: none pending): until then the shard waits on purpose, however
   * long its backoff, and `health()` does not count the wait as idleness.
   */
  retryDueAt: number | null = null;
  #reclaims = 0;
  #nextReclaimAt = 0;
  #contested = false;
  #retryTimer: TimerHandle | undefined = undefined;
  readonly #backoff: Backoff;
  /** Delays between reclaims of a shard held elsewhere (never reset: the attempts are few, see `maxReclaims`). */
  readonly #reclaimBackoff: Backoff;

  constructor(
    readonly id: string,
    protected readonly host: ShardHost,
    retry: { readonly initialMs: number; readonly maxMs: number },
    initial: ShardState,
  ) {
    this.#backoff = new Backoff(retry);
    this.#reclaimBackoff = new Backoff(retry);
    this.#state = initial;
    this.notReadySince = initial === 'ready' ? null : host.clock.now();
    this.changedAt = host.clock.now();
  }

  get state(): ShardState {
    return this.#state;
  }

  /** The one place a shard's state changes: a transition is counted and published (`twitch-realtime:shard:state`). */
  set state(to: ShardState) {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.changedAt = this.host.clock.now();
    // `held` is the ownership strategy's choice, timed like `ready`: leaving either starts the not-ready time.
    if (to === 'ready') this.notReadySince = null;
    else if (from === 'ready' || from === 'held') this.notReadySince = this.host.clock.now();
    this.host.stateChanged(this.id, from, to);
    if (shardStateChannel.hasSubscribers) shardStateChannel.publish({ shardId: this.id, from, to });
  }

  /** The WebSocket session id in use (`null` before a welcome, and for a webhook shard). */
  abstract get sessionId(): string | null;

  /** Makes the transport usable (WebSocket: connect). `false`: it failed, was reported and will be retried. */
  abstract open(): Promise<boolean>;

  /** The transport to bind now, or `null` when the shard cannot be bound now (no live session). */
  abstract transport(): ShardTransport | null;

  /**
   * Twitch accepted `sent` for this shard (`status`: the status in its answer). `reassigned`: a health-check
   * rebind, called once the binding is known to be current (before `shardReady`, which a WebSocket shard then
   * leaves to the `shardReassigned` it emits).
   */
  abstract accepted(
    sent: ShardTransport,
    status: string | undefined,
    rebind: boolean,
    reassigned: (() => void) | undefined,
  ): Acceptance;

  /** Twitch's row for this shard against our transport. `ours`: the session ids of every served shard. */
  abstract judge(info: ConduitShard, ours: ReadonlySet<string>): ShardVerdict;

  /** The retry timer fired: connect or assign again. */
  protected abstract retry(): void;

  /** Closes the transport (never touching the shard on Twitch). */
  protected abstract closeTransport(): Promise<void>;

  /** Bound: ready, counters reset, `shardReady` (unless `quiet`), and the ownership strategy told. */
  markReady(rebind: boolean, quiet = false): void {
    this.state = 'ready';
    this.failures = 0;
    this.#backoff.reset();
    const again = this.everReady || rebind;
    this.everReady = true;
    if (!quiet) {
      this.host.events.emit('shardReady', {
        shardId: this.id,
        method: this.method,
        sessionId: this.sessionId,
        rebind: again,
      });
    }
    this.host.bound(this);
  }

  /** A failure: counted, reported as a {@link ShardError}, retried with backoff. */
  fail(code: ShardErrorCode, message: string, cause?: unknown): void {
    this.failures++;
    this.state = 'waiting';
    this.host.report(
      new ShardError(code, this.id, message, this.failures, cause === undefined ? undefined : { cause }),
      `shard ${this.id}`,
    );
    this.scheduleRetry();
  }

  /** Retries after the next backoff delay (once: a pending retry is kept). */
  scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.host.isClosing() || this.state === 'closed') return;
    this.state = 'waiting';
    const delay = this.#backoff.next();
    this.retryDueAt = this.host.clock.now() + delay;
    this.#retryTimer = this.host.clock.setTimeout(
      () => {
        this.#retryTimer = undefined;
        this.retryDueAt = null;
        if (this.state === 'closed' || this.host.isClosing()) return;
        this.retry();
      },
      delay,
      // Ref'd: a shard waiting to retry must keep a running client's process alive.
      { ref: true },
    );
  }

  /** Taken by a foreign transport more than `maxReclaims` times: no longer taken back (`SHARD_CONTESTED`). */
  get contested(): boolean {
    return this.#contested;
  }

  /** Twitch shows the shard bound to us: a later foreign binding starts a new count. */
  healthy(): void {
    this.#reclaims = 0;
  }

  /**
   * Whether to take the shard back from a foreign holder now: not while backing off between attempts, and never
   * again after `maxReclaims` attempts (then `SHARD_CONTESTED` is reported, once).
   */
  mayReclaim(now: number): boolean {
    if (this.#contested || now < this.#nextReclaimAt) return false;
    this.#reclaims++;
    if (this.#reclaims > this.host.maxReclaims) {
      this.#contested = true;
      this.host.report(
        new ShardError(
          'SHARD_CONTESTED',
          this.id,
          `another ${this.method === 'websocket' ? 'session' : 'transport'} took the shard ${this.#reclaims - 1} times: this process stops taking it back (check that no other process owns it)`,
          this.#reclaims,
        ),
        `shard ${this.id}`,
      );
      this.host.lost(this.id, 'foreign');
      return false;
    }
    this.#nextReclaimAt = now + this.#reclaimBackoff.next();
    return true;
  }

  /** Stops the shard: no retry, no reconcile, the transport closed. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.#retryTimer !== undefined) this.host.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.retryDueAt = null;
    await this.closeTransport();
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
