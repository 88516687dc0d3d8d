/**
 * The emulated EventSub: registries of sessions, conduits and subscriptions, their status transitions, what to
 * deliver and how failures react, and the housekeeping sweep (pings, keepalives, deadlines, pruning, 72 h conduit
 * expiry). Its parts: `indexes.ts` (keys, hashes, index helpers), `shards.ts` (shard bookkeeping),
 * `delivery.ts` (conduit routing, webhook targets and verification).
 *
 * One shared sweep timer serves every session (cheap at 10k sessions); the delivery hot path builds one string per
 * message from cached parts and allocates no closure or timer. Time comes from the emulator's clock
 * (`EmulatorOptions.clock`): the sweep arms itself for the earliest deadline it knows (never sooner than
 * `sweepIntervalMs` after the last pass), and whatever sets an earlier deadline calls {@link EventSubCore.wake}. So
 * an idle emulator sleeps, and a test clock advanced by 72 h runs a handful of sweeps, not 260,000.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Platform } from '../http/types.js';
import type { ResolvedOptions } from '../options.js';
import { SHARD_STATUSES } from '../../protocol/eventsub.js';
import { isFrameSafeMessage } from '../../protocol/recording.js';
import type { ShardStatus, SubscriptionStatus } from '../../protocol/eventsub.js';
import { routeToConduit, verifyEndpoint, webhookTarget } from './delivery.js';
import type { WebhookFailureSink } from './delivery.js';
import { subscriptionJson } from './frames.js';
import { messageId, nanoTimestamp, resourceId } from './ids.js';
import {
  addTo,
  conditionKey,
  fnv1a,
  identityKey,
  pruneQueue,
  removeFrom,
  routeKey,
  wsUserKey,
} from './indexes.js';
import { isActive } from './model.js';
import type {
  Conduit,
  DeliveryTarget,
  OutboundKind,
  Shard,
  ShardTarget,
  StoredSubscription,
} from './model.js';
import type { Session, SessionHost } from './session.js';
import { FaultScript } from '../scripted.js';
import { newShard, setShardEnabled, shardDisabledEvent, unbindShard } from './shards.js';
import type { WebhookEndpoint, WebhookTransport } from './webhook.js';

export { conditionKey, fnv1a } from './indexes.js';

/** Delivery counters reported by `state()`. */
export interface Counters {
  /** Notifications the emulator tried to deliver (one per subscription per event). */
  notificationsSent: number;
  /** Notifications written to a socket (or handed to the webhook transport). */
  delivered: number;
  /** Conduit notifications retried on a second shard. */
  retried: number;
  /** Notifications that reached no target. */
  dropped: number;
  /** Extra copies sent with the same message id (fault `duplicate_rate`). */
  duplicatesSent: number;
  revocationsSent: number;
  keepalivesSent: number;
  sessionsOpened: number;
  sessionsClosed: number;
  /** Conduits deleted after staying without an enabled shard for `conduitDisabledTtlMs`. */
  conduitsExpired: number;
}

/** Faults of the EventSub side. */
export interface EventSubFaults {
  /** Probability (0..1) that a delivered notification is sent a second time with the same message id. */
  duplicateRate: number;
  /** Close a random connected session with 4000, 4005 or 4006 every this many ms (0: never). */
  dropSessionEveryMs: number;
}

const SHARD_STATUS_SET: ReadonlySet<string> = new Set(SHARD_STATUSES);
const DROP_CODES = [4000, 4005, 4006] as const;

/** The EventSub side of the emulator (see module docs). */
export class EventSubCore implements SessionHost, WebhookFailureSink {
  readonly platform: Platform;
  readonly options: ResolvedOptions;
  readonly counters: Counters = {
    notificationsSent: 0,
    delivered: 0,
    retried: 0,
    dropped: 0,
    duplicatesSent: 0,
    revocationsSent: 0,
    keepalivesSent: 0,
    sessionsOpened: 0,
    sessionsClosed: 0,
    conduitsExpired: 0,
  };
  readonly faults: EventSubFaults = { duplicateRate: 0, dropSessionEveryMs: 0 };
  /** Scripted duplicates: the next N notifications delivered are sent twice (hits: their message ids). */
  readonly duplicates = new FaultScript<string, string>();
  /** Every session still listed (live ones and recently closed ones). */
  readonly sessions = new Map<string, Session>();
  /** Sessions not closed yet (the sweep's working set). */
  readonly live = new Set<Session>();
  readonly reconnectTokens = new Map<string, Session>();
  readonly conduits = new Map<string, Conduit>();
  /** Subscriptions in creation order. */
  readonly subscriptions = new Map<string, StoredSubscription>();
  /** `type@version` → subscriptions. */
  readonly byType = new Map<string, Set<StoredSubscription>>();
  /** `clientId \n type \n conditionKey` → subscriptions (409/429 rules). */
  readonly byIdentity = new Map<string, Set<StoredSubscription>>();
  /** `clientId \n userId` → websocket subscriptions of that user token (websocket limits). */
  readonly byWsUser = new Map<string, Set<StoredSubscription>>();
  /** Per client: number of webhook/conduit subscriptions listed, and cost of the active ones. */
  readonly appTotals = new Map<string, { total: number; cost: number }>();
  readonly maxBufferedBytes: number;
  readonly pingIntervalMs: number;
  #seq = 0;
  readonly #disabledWs: StoredSubscription[] = [];
  readonly #disabledOther: StoredSubscription[] = [];
  readonly #closed: Session[] = [];
  readonly clock: Clock;
  #sweepTimer: TimerHandle | undefined;
  /** When the armed sweep fires (clock time), `Infinity` when none is armed. */
  #sweepAt = Infinity;
  #lastSweep = -Infinity;
  #stopped = false;
  #dropTimer: TimerHandle | undefined;
  readonly #webhooks: WebhookTransport | undefined;

  constructor(platform: Platform, options: ResolvedOptions) {
    this.platform = platform;
    this.options = options;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.pingIntervalMs = options.pingIntervalMs;
    this.#webhooks = options.webhookTransport;
    this.clock = options.clock;
  }

  /**
   * Asks for a sweep at `at` (clock time, ms), or as soon after it as the sweep period allows (one pass per
   * `sweepIntervalMs` at most). Cheap when a sweep is already armed sooner: one comparison.
   */
  wake(at: number): void {
    if (this.#stopped) return;
    const when = Math.max(at, this.#lastSweep + this.options.sweepIntervalMs);
    if (when >= this.#sweepAt) return;
    if (this.#sweepTimer !== undefined) this.clock.clearTimeout(this.#sweepTimer);
    this.#sweepAt = when;
    this.#sweepTimer = this.clock.setTimeout(this.#onSweep, when - this.clock.now());
  }

  readonly #onSweep = (): void => {
    this.#sweepTimer = undefined;
    this.#sweepAt = Infinity;
    this.sweep(this.clock.now());
  };

  // -------------------------------------------------------------------------------------------------------------
  // Sessions
  // -------------------------------------------------------------------------------------------------------------

  /** Registers a freshly welcomed session. */
  addSession(session: Session): void {
    this.sessions.set(session.id, session);
    this.live.add(session);
    this.counters.sessionsOpened++;
    this.wake(session.nextDue(this.clock.now(), this.options.sweepIntervalMs));
  }

  keepaliveSent(): void {
    this.counters.keepalivesSent++;
  }

  sessionEnded(session: Session, status: SubscriptionStatus): void {
    this.live.delete(session);
    this.counters.sessionsClosed++;
    if (session.reconnectToken !== null) this.reconnectTokens.delete(session.reconnectToken);
    for (const sub of [...session.subscriptions]) {
      if (isActive(sub.status)) this.setStatus(sub, status);
    }
    session.subscriptions.clear();
    const shard = session.shard;
    if (shard?.target?.method === 'websocket' && shard.target.session === session) {
      if (session.disconnectedAt !== undefined) shard.target.disconnectedAt = session.disconnectedAt;
      this.setShardStatus(
        shard,
        SHARD_STATUS_SET.has(status) ? (status as ShardStatus) : 'websocket_disconnected',
      );
    }
    this.#closed.push(session);
    this.wake(session.closedAt + this.options.sessionRetentionMs);
  }

  /** Closes a random connected session with 4000/4005/4006 (fault `drop_session_every_ms`). */
  dropRandomSession(): Session | undefined {
    if (this.live.size === 0) return undefined;
    const sessions = [...this.live];
    const session = sessions[Math.floor(Math.random() * sessions.length)];
    const code = DROP_CODES[Math.floor(Math.random() * DROP_CODES.length)] ?? 4000;
    session?.close(code);
    return session;
  }

  /** Applies EventSub faults. */
  setFaults(faults: Partial<EventSubFaults>): void {
    if (faults.duplicateRate !== undefined) this.faults.duplicateRate = faults.duplicateRate;
    if (faults.dropSessionEveryMs !== undefined) {
      this.faults.dropSessionEveryMs = faults.dropSessionEveryMs;
      if (this.#dropTimer !== undefined) this.clock.clearTimeout(this.#dropTimer);
      this.#dropTimer = undefined;
      if (faults.dropSessionEveryMs > 0 && !this.#stopped) this.#armDrop(faults.dropSessionEveryMs);
    }
  }

  /** Re-arms itself every `everyMs` (a one-shot timer per period, so it runs on any clock). */
  #armDrop(everyMs: number): void {
    this.#dropTimer = this.clock.setTimeout(() => {
      this.#armDrop(everyMs);
      this.dropRandomSession();
    }, everyMs);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Subscriptions
  // -------------------------------------------------------------------------------------------------------------

  /** Creates and registers a subscription. */
  addSubscription(input: {
    type: string;
    version: string;
    entry: StoredSubscription['entry'];
    condition: Readonly<Record<string, string>>;
    clientId: string;
    userId: string | undefined;
    cost: number;
    transport: StoredSubscription['transport'];
    status: SubscriptionStatus;
  }): StoredSubscription {
    const key = conditionKey(input.condition);
    const sub: StoredSubscription = {
      id: resourceId(),
      seq: ++this.#seq,
      type: input.type,
      version: input.version,
      entry: input.entry,
      condition: input.condition,
      conditionKey: key,
      routeHash: fnv1a(routeKey(input.condition, key)),
      clientId: input.clientId,
      userId: input.userId,
      cost: input.cost,
      createdAt: nanoTimestamp(this.clock.now()),
      transport: input.transport,
      status: input.status,
      disabledAt: 0,
      json: undefined,
    };
    this.subscriptions.set(sub.id, sub);
    addTo(this.byType, `${sub.type}@${sub.version}`, sub);
    addTo(this.byIdentity, identityKey(sub.clientId, sub.type, key), sub);
    const t = sub.transport;
    if (t.method === 'websocket') {
      addTo(this.byWsUser, wsUserKey(sub.clientId, sub.userId), sub);
      t.session.subscriptions.add(sub);
      t.session.unusedDeadline = 0;
    } else {
      this.#appTotal(sub.clientId, 1, isActive(sub.status) ? sub.cost : 0);
    }
    if (t.method === 'webhook') {
      verifyEndpoint(
        this.#webhooks,
        t.endpoint,
        { subscription: JSON.parse(subscriptionJson(sub)) as unknown },
        (ok) => {
          if (sub.status === 'webhook_callback_verification_pending') {
            this.setStatus(sub, ok ? 'enabled' : 'webhook_callback_verification_failed');
          }
        },
      );
    }
    return sub;
  }

  /** Changes a subscription's status, keeping indexes and the pruning queues in step. */
  setStatus(sub: StoredSubscription, status: SubscriptionStatus): void {
    if (sub.status === status) return;
    const wasActive = isActive(sub.status);
    sub.status = status;
    sub.json = undefined;
    if (wasActive && !isActive(status)) {
      sub.disabledAt = this.clock.now();
      if (sub.transport.method === 'websocket') {
        sub.transport.session.subscriptions.delete(sub);
        this.#disabledWs.push(sub);
        this.wake(sub.disabledAt + this.options.websocketSubscriptionRetentionMs);
      } else {
        this.#appTotal(sub.clientId, 0, -sub.cost);
        this.#disabledOther.push(sub);
        this.wake(sub.disabledAt + this.options.webhookSubscriptionRetentionMs);
      }
    }
  }

  #appTotal(clientId: string, total: number, cost: number): void {
    let totals = this.appTotals.get(clientId);
    if (totals === undefined) {
      totals = { total: 0, cost: 0 };
      this.appTotals.set(clientId, totals);
    }
    totals.total += total;
    totals.cost += cost;
  }

  /** Removes a subscription from every index. */
  removeSubscription(sub: StoredSubscription): void {
    if (!this.subscriptions.delete(sub.id)) return;
    removeFrom(this.byType, `${sub.type}@${sub.version}`, sub);
    removeFrom(this.byIdentity, identityKey(sub.clientId, sub.type, sub.conditionKey), sub);
    if (sub.transport.method === 'websocket') {
      removeFrom(this.byWsUser, wsUserKey(sub.clientId, sub.userId), sub);
      sub.transport.session.subscriptions.delete(sub);
    } else {
      this.#appTotal(sub.clientId, -1, isActive(sub.status) ? -sub.cost : 0);
    }
  }

  /**
   * Revokes a subscription: the status changes, then a `revocation` message carrying that status is sent once.
   * Returns whether the message reached a target; `false` as well when the subscription was not active.
   */
  revoke(sub: StoredSubscription, status: SubscriptionStatus): boolean {
    if (!isActive(sub.status)) return false;
    const wasEnabled = sub.status === 'enabled';
    this.setStatus(sub, status);
    if (!wasEnabled) return false;
    const sent = this.#send(sub, 'revocation', messageId(), nanoTimestamp(this.clock.now()), '') !== null;
    if (sent) this.counters.revocationsSent++;
    return sent;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Conduits and shards
  // -------------------------------------------------------------------------------------------------------------

  createConduit(clientId: string, shardCount: number): Conduit {
    const conduit: Conduit = {
      id: resourceId(),
      clientId,
      shards: [],
      enabled: [],
      allDisabledSince: this.clock.now(),
    };
    this.resizeConduit(conduit, shardCount);
    this.conduits.set(conduit.id, conduit);
    this.#wakeForConduit(conduit);
    return conduit;
  }

  /** Grows (new shards are unassigned) or shrinks (shards ≥ count are removed) a conduit. */
  resizeConduit(conduit: Conduit, shardCount: number): void {
    const shards = conduit.shards;
    for (let i = shards.length; i < shardCount; i++) shards.push(newShard(conduit, i));
    while (shards.length > shardCount) {
      const shard = shards.pop();
      if (shard === undefined) break;
      unbindShard(shard);
      setShardEnabled(shard, false, this.clock.now());
    }
    this.#wakeForConduit(conduit);
  }

  /** A conduit without an enabled shard expires `conduitDisabledTtlMs` after `allDisabledSince`. */
  #wakeForConduit(conduit: Conduit): void {
    if (conduit.allDisabledSince !== 0)
      this.wake(conduit.allDisabledSince + this.options.conduitDisabledTtlMs);
  }

  /**
   * Deletes a conduit. Its subscriptions take the status `conduit_deleted` (as on Twitch since April 2025) and stay
   * listed until the pruning of disabled webhook/conduit subscriptions removes them.
   */
  deleteConduit(conduit: Conduit): void {
    if (!this.conduits.delete(conduit.id)) return;
    for (const shard of conduit.shards) unbindShard(shard);
    for (const sub of this.subscriptions.values()) {
      if (sub.transport.method === 'conduit' && sub.transport.conduit === conduit) {
        this.setStatus(sub, 'conduit_deleted');
      }
    }
  }

  /** Binds a shard to a websocket session (enabled at once) or a webhook (verification pending). */
  bindShard(shard: Shard, target: ShardTarget): void {
    unbindShard(shard);
    shard.target = target;
    if (target.method === 'websocket') {
      target.session.shard = shard;
      target.session.unusedDeadline = 0;
      this.setShardStatus(shard, 'enabled');
    } else {
      this.setShardStatus(shard, 'webhook_callback_verification_pending');
      verifyEndpoint(
        this.#webhooks,
        target.endpoint,
        { conduit_shard: { conduit_id: shard.conduit.id, shard: shard.id } },
        (ok) => {
          if (shard.target === target && shard.status === 'webhook_callback_verification_pending') {
            this.setShardStatus(shard, ok ? 'enabled' : 'webhook_callback_verification_failed');
          }
        },
      );
    }
  }

  /** Changes a shard's status; an enabled shard that becomes disabled emits `conduit.shard.disabled`. */
  setShardStatus(shard: Shard, status: ShardStatus): void {
    const was = shard.status;
    if (was === status) return;
    shard.status = status;
    setShardEnabled(shard, status === 'enabled', this.clock.now());
    this.#wakeForConduit(shard.conduit);
    if (was === 'enabled' && this.conduits.get(shard.conduit.id) === shard.conduit)
      this.#emitShardDisabled(shard);
  }

  #emitShardDisabled(shard: Shard): void {
    const subs = this.byType.get('conduit.shard.disabled@1');
    if (subs === undefined || subs.size === 0) return;
    const conduit = shard.conduit;
    const event = shardDisabledEvent(shard);
    for (const sub of [...subs]) {
      if (sub.status !== 'enabled' || sub.condition.client_id !== conduit.clientId) continue;
      const only = sub.condition.conduit_id;
      if (only !== undefined && only !== conduit.id) continue;
      this.deliver(sub, event);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Delivery
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Delivers one notification (`eventJson` is the `event`, or `events` for batched types) with a fresh message id
   * and timestamp (the emulator's clock), or the given ones (a replay: `id` must be frame-safe, see
   * protocol/recording.ts).
   */
  deliver(sub: StoredSubscription, eventJson: string, givenId?: string, givenTimestamp?: string): boolean {
    if (givenId !== undefined || givenTimestamp !== undefined) {
      // Ids from outside go into frames and webhook headers unescaped: refused here, for every transport.
      if (!isFrameSafeMessage(givenId ?? '-', givenTimestamp ?? '1970-01-01T00:00:00Z')) {
        throw new InvalidArgumentError(
          'a replayed message id must be 1..128 characters of A-Z a-z 0-9 . _ : - and its timestamp RFC 3339',
          'message_id',
        );
      }
    }
    const id = givenId ?? messageId();
    const timestamp = givenTimestamp ?? nanoTimestamp(this.clock.now());
    const counters = this.counters;
    counters.notificationsSent++;
    const target = this.#send(sub, 'notification', id, timestamp, eventJson);
    if (target === null) {
      counters.dropped++;
      return false;
    }
    counters.delivered++;
    const rate = this.faults.duplicateRate;
    const twice =
      (this.duplicates.armed && this.duplicates.take(id, sameId) !== undefined) ||
      (rate > 0 && Math.random() < rate);
    if (twice && target.deliver('notification', id, timestamp, sub, eventJson)) counters.duplicatesSent++;
    return true;
  }

  #send(
    sub: StoredSubscription,
    kind: OutboundKind,
    id: string,
    timestamp: string,
    payload: string,
  ): DeliveryTarget | null {
    const t = sub.transport;
    switch (t.method) {
      case 'websocket':
        return t.session.deliver(kind, id, timestamp, sub, payload) ? t.session : null;
      case 'webhook':
        return t.target.deliver(kind, id, timestamp, sub, payload) ? t.target : null;
      case 'conduit':
        if (!this.conduits.has(t.conduit.id)) return null;
        return routeToConduit(t.conduit, sub, kind, id, timestamp, payload, this.counters);
    }
  }

  /** A delivery target for a webhook endpoint, backed by the configured transport (none: never delivers). */
  webhookTarget(endpoint: WebhookEndpoint): DeliveryTarget {
    return webhookTarget(this, this.#webhooks, endpoint);
  }

  /**
   * A webhook delivery failed for good: revoke the subscription (`notification_failures_exceeded`) when it is a
   * webhook subscription of `target`, or disable the conduit shard bound to `target`.
   */
  webhookFailed(target: DeliveryTarget, sub: StoredSubscription): void {
    const t = sub.transport;
    if (t.method === 'webhook') {
      if (t.target === target) this.revoke(sub, 'notification_failures_exceeded');
      return;
    }
    if (t.method !== 'conduit') return;
    for (const shard of t.conduit.shards) {
      if (shard.target?.method === 'webhook' && shard.target.target === target) {
        if (shard.status === 'enabled') this.setShardStatus(shard, 'notification_failures_exceeded');
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Housekeeping
  // -------------------------------------------------------------------------------------------------------------

  /**
   * One housekeeping pass at `now` (clock time), then the next one is armed for the earliest deadline left. Public
   * so tests can drive it with their own clock.
   */
  sweep(now: number): void {
    this.#lastSweep = now;
    const o = this.options;
    const sweepMs = o.sweepIntervalMs;
    let next = Infinity;
    for (const session of this.live) next = Math.min(next, session.tick(now, sweepMs));
    pruneQueue(this.#disabledWs, now - o.websocketSubscriptionRetentionMs, (sub) => {
      if (!isActive(sub.status)) this.removeSubscription(sub);
    });
    pruneQueue(this.#disabledOther, now - o.webhookSubscriptionRetentionMs, (sub) => {
      if (!isActive(sub.status)) this.removeSubscription(sub);
    });
    const closed = this.#closed;
    let i = 0;
    while (i < closed.length && (closed[i]?.closedAt ?? 0) <= now - o.sessionRetentionMs) i++;
    if (i > 0) {
      for (const session of closed.splice(0, i)) {
        if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
      }
    }
    for (const conduit of this.conduits.values()) {
      if (conduit.allDisabledSince === 0) continue;
      const expiresAt = conduit.allDisabledSince + o.conduitDisabledTtlMs;
      if (now >= expiresAt) {
        this.deleteConduit(conduit);
        this.counters.conduitsExpired++;
      } else if (expiresAt < next) next = expiresAt;
    }
    // Queues are in time order: their heads are the next to go.
    const ws = this.#disabledWs[0];
    if (ws !== undefined) next = Math.min(next, ws.disabledAt + o.websocketSubscriptionRetentionMs);
    const other = this.#disabledOther[0];
    if (other !== undefined) next = Math.min(next, other.disabledAt + o.webhookSubscriptionRetentionMs);
    const session = closed[0];
    if (session !== undefined) next = Math.min(next, session.closedAt + o.sessionRetentionMs);
    if (next !== Infinity) this.wake(next);
  }

  /** Stops timers. Sockets are closed by the WebSocket server; the webhook transport by its owner. */
  close(): void {
    this.duplicates.close();
    this.#stopped = true;
    if (this.#sweepTimer !== undefined) this.clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.#sweepAt = Infinity;
    if (this.#dropTimer !== undefined) this.clock.clearTimeout(this.#dropTimer);
    this.#dropTimer = undefined;
  }
}

function sameId(id: string): string {
  return id;
}
