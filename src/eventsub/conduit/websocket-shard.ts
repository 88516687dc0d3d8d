/**
 * A shard served by one {@link EventSubSession}: connect, bind the session id, re-bind after a lost session.
 */
import { toSubscriptionModel, type SubscriptionModel } from '../../catalogue/events.js';
import { EventSubSession, type EventSubSessionOptions } from '../websocket/session.js';
import { Backoff } from '../../core/backoff.js';
import type { DedupeStore } from '../websocket/dedupe.js';
import type { Logger } from '../../core/logger.js';
import type { ConduitShard } from './models.js';
import {
  Shard,
  asError,
  type Acceptance,
  type ShardHost,
  type ShardTransport,
  type ShardVerdict,
} from './shard.js';

/** What every WebSocket shard's session is built from. */
export interface WebSocketShardConfig {
  readonly session: EventSubSessionOptions;
  readonly reconnectBackoff: { readonly initialMs: number; readonly maxMs: number };
  readonly shardRetry: { readonly initialMs: number; readonly maxMs: number };
  readonly dedupe: DedupeStore;
  readonly logger: Logger;
}

export class WebSocketShard extends Shard {
  readonly method = 'websocket';
  readonly session: EventSubSession;

  constructor(id: string, host: ShardHost, config: WebSocketShardConfig) {
    super(id, host, config.shardRetry, 'connecting');
    const session = new EventSubSession({
      ...config.session,
      dedupe: config.dedupe,
      backoff: new Backoff(config.reconnectBackoff),
      logger: config.logger,
    });
    this.session = session;
    session.on('notification', (message) => {
      host.notification(id, message);
    });
    session.on('revocation', (message) => {
      let subscription: SubscriptionModel;
      try {
        subscription = toSubscriptionModel(message.payload.subscription);
      } catch (error) {
        host.report(asError(error), 'revocation');
        return;
      }
      host.events.emit('subscriptionRevoked', {
        shardId: id,
        subscription,
        messageId: message.metadata.message_id,
      });
    });
    session.on('disconnected', (info) => {
      if (this.state === 'closed') return;
      this.state = 'connecting';
      host.events.emit('shardDisconnected', { shardId: id, ...info });
      host.lost(id, 'disconnected');
    });
    session.on('reconnected', (info) => {
      // Handover: the same session carries on and Twitch keeps the binding.
      if (this.state === 'closed' || !info.rebindRequired) return;
      this.state = 'assigning';
      void host.assign([this], true);
    });
    session.on('error', (error) => {
      host.report(error, `shard ${id}`);
    });
  }

  get sessionId(): string | null {
    return this.session.sessionId;
  }

  /** One connect attempt; on failure, reports and schedules a background retry. */
  async open(): Promise<boolean> {
    this.state = 'connecting';
    try {
      await this.session.connect(this.host.signal);
      return true;
    } catch (error) {
      if ((this.state as string) === 'closed' || this.host.isClosing()) return false;
      this.fail('SHARD_CONNECT_FAILED', asError(error).message, error);
      return false;
    }
  }

  transport(): ShardTransport | null {
    const sessionId = this.session.sessionId;
    if (this.state === 'closed' || sessionId === null || this.session.state !== 'connected') return null;
    return { method: 'websocket', sessionId };
  }

  accepted(
    sent: ShardTransport,
    _status: string | undefined,
    rebind: boolean,
    reassigned: (() => void) | undefined,
  ): Acceptance {
    if (sent.method !== 'websocket' || this.session.sessionId !== sent.sessionId) {
      // The session was replaced while the request was in flight: bind the new one.
      void this.host.assign([this], true);
      return 'replaced';
    }
    this.markReady(rebind, reassigned !== undefined);
    reassigned?.();
    return 'ready';
  }

  judge(info: ConduitShard, ours: ReadonlySet<string>): ShardVerdict {
    if (this.state !== 'ready' || this.session.state !== 'connected') return 'busy';
    if (info.enabled && info.method === 'websocket' && info.sessionId === this.session.sessionId) {
      return 'bound';
    }
    // Enabled with another of our sessions is a mix-up to fix at once, not a fight.
    const mine = info.method === 'websocket' && info.sessionId !== null && ours.has(info.sessionId);
    return info.enabled && !mine ? 'foreign' : 'lost';
  }

  protected retry(): void {
    const state = this.session.state;
    if (state === 'connected') {
      void this.host.assign([this], this.everReady);
    } else if (state === 'idle') {
      void this.open().then((ok) => (ok ? this.host.assign([this], this.everReady) : undefined));
    }
    // 'connecting' / 'reconnecting': the session heals itself and `reconnected` re-binds it.
  }

  protected async closeTransport(): Promise<void> {
    await this.session.close();
    this.session.removeAllListeners();
  }
}
