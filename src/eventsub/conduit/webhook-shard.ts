/**
 * Shards served by webhook: {@link WebhookShard} (a callback bound to the conduit, then verified by Twitch's
 * challenge) and {@link WebhookSide}, the receiver's listeners and the bounded wait for challenges.
 */
import type { TimerHandle } from '../../core/clock.js';
import {
  wireMessageOf,
  type WebhookListener,
  type WebhookNotification,
  type WebhookRevocation,
  type WebhookVerificationRequest,
} from '../webhook/receiver.js';
import type { Conduit, ConduitShard } from './models.js';
import type { WebhookConfig } from './options.js';
import {
  Shard,
  asError,
  type Acceptance,
  type ShardHost,
  type ShardTransport,
  type ShardVerdict,
} from './shard.js';
import type { ShardErrorCode } from './errors.js';

export class WebhookShard extends Shard {
  readonly method = 'webhook';
  /** Resolves the wait of the assignment that asked for this shard's verification. */
  settle: (() => void) | undefined = undefined;
  readonly #transport: ShardTransport;

  constructor(
    id: string,
    host: ShardHost,
    retry: { readonly initialMs: number; readonly maxMs: number },
    readonly callback: string,
    config: WebhookConfig,
  ) {
    super(id, host, retry, 'assigning');
    this.#transport = config.transportOf(callback);
  }

  readonly sessionId = null;

  open(): Promise<boolean> {
    return Promise.resolve(this.state !== 'closed');
  }

  transport(): ShardTransport | null {
    return this.state === 'closed' ? null : this.#transport;
  }

  accepted(
    _sent: ShardTransport,
    status: string | undefined,
    rebind: boolean,
    reassigned: (() => void) | undefined,
  ): Acceptance {
    reassigned?.();
    // The challenge may have been answered before the response arrived.
    if (this.state === 'ready') return 'ready';
    if (status === 'enabled') {
      this.markReady(rebind);
      return 'ready';
    }
    this.state = 'verifying';
    return 'verifying';
  }

  judge(info: ConduitShard): ShardVerdict {
    if (this.state !== 'ready') return 'busy';
    const ours = info.method === 'webhook' && info.callback === this.callback;
    if (ours && info.enabled) return 'bound';
    // Pending verification of our own callback: the challenge is on its way.
    if (ours && info.status === 'webhook_callback_verification_pending') return 'busy';
    return info.enabled ? 'foreign' : 'lost';
  }

  override markReady(rebind: boolean, quiet = false): void {
    super.markReady(rebind, quiet);
    this.#settle();
  }

  override fail(code: ShardErrorCode, message: string, cause?: unknown): void {
    this.#settle();
    super.fail(code, message, cause);
  }

  protected retry(): void {
    void this.host.assign([this], this.everReady);
  }

  protected closeTransport(): Promise<void> {
    this.#settle();
    return Promise.resolve();
  }

  #settle(): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.();
  }
}

/** What the webhook side needs from its client (internal). */
export interface WebhookSideHost extends ShardHost {
  readonly conduit: Conduit | null;
  /** The served webhook shard of this id, if any. */
  webhookShard(id: string): WebhookShard | undefined;
}

/** The receiver's listeners and the verification waits of the webhook shards. */
export class WebhookSide {
  #listener: WebhookListener | null = null;

  readonly config: WebhookConfig;
  readonly #host: WebhookSideHost;

  constructor(config: WebhookConfig, host: WebhookSideHost) {
    this.config = config;
    this.#host = host;
    const receiver = config.receiver;
    receiver.on('message', this.#onMessage);
    receiver.on('revocation', this.#onRevocation);
    receiver.on('verification', this.#onVerification);
    receiver.on('error', this.#onError);
  }

  get listener(): WebhookListener | null {
    return this.#listener;
  }

  /** Starts the standalone listener of `webhook.listen`, if any. */
  async listen(): Promise<void> {
    const listen = this.config.listen;
    if (listen === undefined) return;
    this.#listener = await this.config.receiver.listen(listen);
  }

  /** Resolves when every shard is verified or, after the timeout, checked against Twitch's shard list. */
  awaitVerification(shards: readonly WebhookShard[], rebind: boolean): Promise<void> {
    const clock = this.#host.clock;
    return new Promise((resolve) => {
      let left = shards.length;
      let timer: TimerHandle | undefined;
      const settle = (): void => {
        left--;
        if (left > 0) return;
        if (timer !== undefined) clock.clearTimeout(timer);
        resolve();
      };
      for (const shard of shards) shard.settle = settle;
      // Ref'd: `start()` may be waiting on it. Bounded, and cleared as soon as every shard settles.
      timer = clock.setTimeout(
        () => {
          timer = undefined;
          void this.#timedOut(shards, rebind)
            .catch((error: unknown) => {
              this.#host.report(asError(error), 'webhook verification');
            })
            .finally(resolve);
        },
        this.config.verificationTimeoutMs,
        { ref: true },
      );
    });
  }

  async #timedOut(shards: readonly WebhookShard[], rebind: boolean): Promise<void> {
    const pending = shards.filter((shard) => shard.state === 'verifying');
    const conduit = this.#host.conduit;
    if (pending.length === 0 || this.#host.isClosing() || conduit === null) return;
    let remote: Map<string, ConduitShard>;
    try {
      const list = await conduit.fetchShards({ signal: this.#host.signal }).toArray();
      remote = new Map(list.map((info) => [info.id, info]));
    } catch (error) {
      if (this.#host.isClosing()) return;
      for (const shard of pending) {
        if (shard.state !== 'verifying') continue;
        shard.fail(
          'SHARD_VERIFICATION_FAILED',
          `no challenge reached the receiver, and the shard list could not be read: ${asError(error).message}`,
        );
      }
      return;
    }
    for (const shard of pending) {
      if (shard.state !== 'verifying') continue;
      const info = remote.get(shard.id);
      if (info?.enabled === true && info.method === 'webhook' && info.callback === shard.callback) {
        // Verified by a receiver other than ours (e.g. another replica behind the same callback).
        shard.markReady(rebind);
        continue;
      }
      shard.fail(
        'SHARD_VERIFICATION_FAILED',
        `Twitch reports '${info?.status ?? 'no such shard'}' and no challenge reached this receiver: check that ${shard.callback} routes to it`,
      );
    }
  }

  /** Detaches from the receiver; closes the listener and, when the client built it, the receiver. */
  async close(): Promise<void> {
    const receiver = this.config.receiver;
    receiver.off('message', this.#onMessage);
    receiver.off('revocation', this.#onRevocation);
    receiver.off('verification', this.#onVerification);
    receiver.off('error', this.#onError);
    const listener = this.#listener;
    this.#listener = null;
    await Promise.all([listener?.close(), this.config.ownsReceiver ? receiver.close() : undefined]);
  }

  /** The shard a webhook request was for: the last path segment, when it is one of ours. */
  #shardOf(path: string | undefined): string {
    if (path !== undefined) {
      const end = path.indexOf('?');
      const clean = end === -1 ? path : path.slice(0, end);
      const id = clean.slice(clean.lastIndexOf('/') + 1);
      if (this.#host.webhookShard(id) !== undefined) return id;
    }
    return 'webhook';
  }

  readonly #onMessage = (message: WebhookNotification): void => {
    this.#host.notification(this.#shardOf(message.path), wireMessageOf(message));
  };

  readonly #onRevocation = (revocation: WebhookRevocation): void => {
    this.#host.events.emit('subscriptionRevoked', {
      shardId: this.#shardOf(revocation.path),
      subscription: revocation.subscription,
      messageId: revocation.messageId,
    });
  };

  readonly #onVerification = (request: WebhookVerificationRequest): void => {
    const target = request.conduitShard;
    if (target === null || target.conduitId !== this.#host.conduit?.id) return;
    const shard = this.#host.webhookShard(target.shardId);
    if (shard === undefined || (shard.state !== 'assigning' && shard.state !== 'verifying')) return;
    shard.markReady(shard.everReady);
  };

  readonly #onError = (error: Error, context?: string): void => {
    this.#host.report(error, context === undefined ? 'webhook' : `webhook ${context}`);
  };
}
