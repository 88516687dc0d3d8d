/**
 * Binding shards to the conduit: Update Conduit Shards in chunks, per-shard results (never an ignored `errors[]`),
 * and the bring-up of many shards at once (bounded concurrent connects, welcomed shards assigned in batches as a
 * chunk fills or after `assignFlushMs`, so that no session waits long enough for Twitch's 4003).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { asError, type Shard, type ShardTransport } from './shard.js';
import { WebhookShard } from './webhook-shard.js';
import type { Conduit } from './models.js';

/** What the assigner needs from its client (internal). */
export interface AssignerHost {
  readonly conduit: Conduit | null;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  isClosing(): boolean;
  /** The ownership strategy's word on binding the shard now. */
  mayBind(shardId: string): boolean;
  lost(shardId: string, reason: 'refused'): void;
  /** Waits for the challenges of webhook shards Twitch accepted. */
  awaitVerification(shards: readonly WebhookShard[], rebind: boolean): Promise<void>;
}

export interface AssignerOptions {
  readonly chunkSize: number;
  readonly flushMs: number;
  readonly connectConcurrency: number;
}

export class Assigner {
  readonly #host: AssignerHost;
  readonly #options: AssignerOptions;

  constructor(host: AssignerHost, options: AssignerOptions) {
    this.#host = host;
    this.#options = options;
  }

  /**
   * Opens the shards' transports (at most `connectConcurrency` at once) and assigns them in batches as they open.
   * Resolves when each shard is bound, verified, or reported and retrying in the background.
   */
  async bringUp(shards: readonly Shard[]): Promise<void> {
    const { chunkSize, flushMs, connectConcurrency } = this.#options;
    const clock = this.#host.clock;
    const signal = this.#host.signal;
    const queue = shards.values();
    let pending: Shard[] = [];
    let timer: TimerHandle | undefined;
    const flushes: Promise<void>[] = [];
    const flush = (): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      flushes.push(this.assign(batch, false));
    };
    const worker = async (): Promise<void> => {
      for (let item = queue.next(); item.done !== true && !signal.aborted; item = queue.next()) {
        const shard = item.value;
        if (!(await shard.open())) continue;
        pending.push(shard);
        if (pending.length >= chunkSize) flush();
        // A slow bring-up must not keep welcomed sessions unbound: flush a partial chunk after a short delay.
        else timer ??= clock.setTimeout(flush, flushMs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(connectConcurrency, shards.length) }, worker));
    flush();
    await Promise.all(flushes);
  }

  /**
   * Binds the shards to their transports (chunked). Shards Twitch accepted become ready (a webhook shard once its
   * challenge is answered); shards in `errors[]`, or of a failed request, are reported and retried. `onBound` runs
   * for each accepted shard (a health-check rebind: then a WebSocket shard emits no `shardReady`).
   */
  async assign(
    shards: readonly Shard[],
    rebind: boolean,
    onBound?: (shard: Shard, transport: ShardTransport) => void,
  ): Promise<void> {
    const conduit = this.#host.conduit;
    if (conduit === null || this.#host.isClosing()) return;
    const batch: { shard: Shard; transport: ShardTransport }[] = [];
    for (const shard of shards) {
      const transport = shard.transport();
      if (transport === null) continue;
      // The one gate every binding passes: a fenced owner never binds (the shard is held, unbound).
      if (!this.#host.mayBind(shard.id)) {
        if (shard.state !== 'held') {
          shard.state = 'held';
          this.#host.lost(shard.id, 'refused');
        }
        continue;
      }
      shard.state = 'assigning';
      batch.push({ shard, transport });
    }
    if (batch.length === 0) return;
    let failed: Map<string, string>;
    let statuses: Map<string, string>;
    const request = conduit.updateShards(
      batch.map(({ shard, transport }) => ({ id: shard.id, transport })),
      { chunkSize: this.#options.chunkSize, signal: this.#host.signal },
    );
    // A revoke waits for this request: an answer arriving after it must not leave a binding the next owner races.
    const settled = request.then(
      () => undefined,
      () => undefined,
    );
    for (const { shard } of batch) shard.inFlight = settled;
    try {
      const result = await request;
      failed = new Map(result.errors.map((e) => [e.id, `${e.message} (${e.code})`]));
      statuses = new Map(result.shards.map((s) => [s.id, s.status]));
    } catch (error) {
      if (this.#host.isClosing()) return;
      failed = new Map(batch.map(({ shard }) => [shard.id, asError(error).message]));
      statuses = new Map();
    } finally {
      for (const { shard } of batch) if (shard.inFlight === settled) shard.inFlight = null;
    }
    const verifying: WebhookShard[] = [];
    for (const { shard, transport } of batch) {
      if (shard.state === 'closed' || this.#host.isClosing()) continue;
      const message = failed.get(shard.id);
      if (message !== undefined) {
        shard.fail('SHARD_ASSIGN_FAILED', message);
        continue;
      }
      const announce =
        onBound === undefined
          ? undefined
          : () => {
              onBound(shard, transport);
            };
      const outcome = shard.accepted(transport, statuses.get(shard.id), rebind, announce);
      if (outcome === 'verifying' && shard instanceof WebhookShard) verifying.push(shard);
    }
    if (verifying.length > 0) await this.#host.awaitVerification(verifying, rebind);
  }
}
