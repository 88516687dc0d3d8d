/**
 * `AutoClient`: EventSub over a conduit. The facade: start-up and shut-down in Twitch's order, the public API and
 * events, over parts with one job each: options (options.ts), the conduit resolver (resolver.ts), the ownership
 * strategy (ownership.ts) granting shards to the shard set (shard-set.ts) of WebSocket and webhook shards behind one
 * `Shard` (shard.ts), the batched assigner (assigner.ts), the health check (reconciler.ts), scaling (scaler.ts) and
 * `multiSubscribe` (multi-subscribe.ts).
 */
import { setMaxListeners } from 'node:events';
import { inspect } from 'node:util';
import { Client, type ClientEventMap, type ReadyInfo } from '../client.js';
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import type { MetricsSnapshot } from '../../core/metrics.js';
import { isRecord } from '../../core/guards.js';
import { checkOptions } from '../../core/options.js';
import { HelixClient } from '../../helix/client.js';
import { subscription } from '../../catalogue/builders.js';
import type { Notification, WireNotificationPayload } from '../../catalogue/events.js';
import type { ConduitShardDisabledEvent } from '../../catalogue/models/platform.js';
import type { WireNotificationMessage } from '../../protocol/eventsub.js';
import type { WebhookListener, WebhookReceiver } from '../webhook/receiver.js';
import { Assigner } from './assigner.js';
import { ConduitInfo } from './conduit-info.js';
import { ConduitSelectionError, MissingConduitError } from './errors.js';
import { Conduit } from './models.js';
import {
  MULTI_SUBSCRIBE_CHECKS,
  runMultiSubscribe,
  toWireRequests,
  type MultiSubscribeHandle,
  type MultiSubscribeOptions,
  type MultiSubscribePayload,
  type SubscriptionInput,
} from './multi-subscribe.js';
import type { HealthReport } from '../../observability/source.js';
import { checkedOptions, resolveOptions, type AutoClientOptions, type ResolvedOptions } from './options.js';
import type { ConduitWork, OwnershipContext, ShardLossReason } from './ownership.js';
import { Reconciler } from './reconciler.js';
import { setClientRegistry } from './metrics.js';
import { ConduitObservation } from './observation.js';
import type { ObservabilityServer } from '../../observability/server.js';
import { resolveConduit } from './resolver.js';
import { countChanged, scale } from './scaler.js';
import { asError, type Shard } from './shard.js';
import { ShardSet, type ShardSetHost } from './shard-set.js';
import { WebhookShard, WebhookSide } from './webhook-shard.js';
import type { SourceView } from '../../observability/source.js';

export type { AutoClientOptions, ShardSessionOptions, WebhookShardOptions } from './options.js';

/**
 * EventSub over a conduit: one WebSocket (or webhook) per served shard, kept connected and bound.
 *
 * Start-up, in Twitch's order:
 * 1. the conduit: adopt (`conduitId`, or the only one) or create (`'create'`, or none exists);
 * 2. transports: the ownership strategy grants shards (`shardIds`, or every shard); they connect concurrently
 *    (bounded) and are assigned in chunked Update Conduit Shards calls as they are welcomed; shards in `errors[]`
 *    or that cannot connect are reported (`ShardError` on `error`) and retried in the background, so start-up
 *    never hangs on them;
 * 3. subscriptions (`subscriptions`, on a new conduit or with `forceSubscribe`), and `conduit.shard.disabled`;
 * 4. `ready`, then a periodic health check.
 *
 * @example
 * ```ts
 * await using client = new AutoClient({
 *   clientId, clientSecret,
 *   subscriptions: [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: '1337' } }],
 * });
 * client.on('stream.online', (event) => console.log(`${event.broadcaster.displayName} is live`));
 * client.on('error', (error) => console.warn(error));
 * await client.start();
 * ```
 */
export class AutoClient<
  M extends ClientEventMap & Record<keyof M, unknown[]> = ClientEventMap,
> extends Client<M> {
  /** The Helix client used for every call. */
  readonly helix: HelixClient;
  /** The conduit, its sockets and scaling. */
  readonly conduitInfo: ConduitInfo;

  readonly #options: ResolvedOptions;
  readonly #ownsHelix: boolean;
  readonly #closer = new AbortController();
  #conduit: Conduit | null = null;
  #ownershipContext: OwnershipContext | null = null;
  /** The strategy was asked something (`leader()` or `start()`): it is told `stop()` at close. */
  #ownershipAsked = false;
  readonly #shards: ShardSet;
  readonly #assigner: Assigner;
  readonly #reconciler: Reconciler;
  readonly #webhook: WebhookSide | null;
  /** Metrics, subscription census, health, the dashboard view and the observability server: observation.ts. */
  readonly #observation: ConduitObservation;

  /**
   * Checks every option before anything is created, bound or sent.
   *
   * @throws {@link InvalidArgumentError} (`INVALID_ARGUMENT`, `field` naming the option, e.g. `maxReclaims`,
   *   `webhook.listen.port`, `session.welcomeTimeoutMs`): options that are not an object, a value of the wrong type
   *   or out of range (durations within 1..2^31-1 ms, counts positive integers, `maxReclaims` a non-negative
   *   integer), a URL passed as `undefined` (omit the key for Twitch's), `shardIds` with `ownership`, no credential,
   *   a subscription the catalogue refuses (its own codes, field `subscriptions[i]…`), or a bad webhook secret.
   */
  constructor(options: AutoClientOptions) {
    super(checkedOptions(options));
    const resolved = resolveOptions(options, this.logger);
    this.#options = resolved;
    // Every connect and Helix call listens to this signal.
    setMaxListeners(0, this.#closer.signal);
    this.#ownsHelix = options.helix === undefined;
    const conduitOf = (): Conduit | null => this.#conduit;
    this.helix =
      options.helix ??
      new HelixClient({
        clientId: options.clientId,
        ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
        ...(options.auth === undefined ? {} : { auth: options.auth }),
        helixUrl: resolved.helixUrl,
        oauthUrl: resolved.oauthUrl,
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.helixBudget === undefined ? {} : { budget: options.helixBudget }),
      });
    this.tapNotifications('conduit.shard.disabled', this.#onShardDisabled);
    const host = this.#host();
    const assigner = new Assigner(host, {
      chunkSize: resolved.assignChunkSize,
      flushMs: resolved.assignFlushMs,
      connectConcurrency: resolved.connectConcurrency,
    });
    this.#assigner = assigner;
    this.#shards = new ShardSet(
      host,
      assigner,
      {
        session: resolved.session,
        reconnectBackoff: resolved.reconnectBackoff,
        shardRetry: resolved.shardRetry,
        dedupe: resolved.dedupe,
        logger: this.logger,
      },
      resolved.webhook,
    );
    this.#reconciler = new Reconciler(host, resolved.reconcileIntervalMs);
    this.#webhook = resolved.webhook === null ? null : new WebhookSide(resolved.webhook, host);
    const shards = this.#shards;
    const observation = new ConduitObservation(
      {
        get conduit() {
          return conduitOf();
        },
        signal: this.#closer.signal,
        helix: this.helix,
        logger: this.logger,
        kind: () => this.constructor.name,
        state: () => this.state,
        isClosing: () => this.isClosing(),
        report: (error, context) => {
          this.report(error, context);
        },
        reconcilerActivity: () => this.#reconciler.activity(),
      },
      resolved,
      shards,
    );
    this.#observation = observation;
    if (observation.metrics !== null) {
      this.recordMetrics(observation.metrics);
      setClientRegistry(this, observation.metrics.registry);
    }
    this.events.on('subscriptionRevoked', (revocation) => {
      observation.census.revoked(revocation.subscription);
    });
    this.conduitInfo = new ConduitInfo({
      get conduit() {
        return conduitOf();
      },
      sockets: shards.sockets,
      scale: (n, assign, signal) => scale(this.#scalerHost(), n, assign, signal),
    });
  }

  /**
   * The receiver of the webhook shards (`null` without the `webhook` option). Mount its `handler` on the server
   * behind the callback URL before `start()`, unless `webhook.listen` starts one.
   *
   * @example
   * ```ts
   * app.post('/twitch/:shard', express.raw({ type: 'application/json' }), (req, res) => {
   *   const r = client.webhookReceiver!.process({ headers: req.headers, rawBody: req.body, path: req.path });
   *   res.status(r.status).set(r.headers).send(r.body);
   * });
   * ```
   */
  get webhookReceiver(): WebhookReceiver | null {
    return this.#webhook?.config.receiver ?? null;
  }

  /** The listener started by `webhook.listen` (its `url`, `port`), once started; `null` otherwise. */
  get webhookListener(): WebhookListener | null {
    return this.#webhook?.listener ?? null;
  }

  /**
   * Creates many conduit subscriptions concurrently (rate-limit aware through the Helix client). Every input is
   * validated against the catalogue first: a bad one throws `InvalidArgumentError` before any request. 409s ("already
   * exists") land in `existing`, real failures in `errors`. With `wait: false`, returns a handle at once.
   *
   * @throws {@link MissingConduitError} before start-up chose a conduit.
   * @example
   * ```ts
   * const { success, errors, existing } = await client.multiSubscribe(
   *   ids.map((id) => ({ type: 'stream.online', version: '1', condition: { broadcasterUserId: id } })),
   * );
   * const handle = client.multiSubscribe(more, { wait: false });
   * console.log(handle.settled, '/', handle.total);
   * const later = await handle.result;
   * ```
   */
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options: MultiSubscribeOptions & { readonly wait: false },
  ): MultiSubscribeHandle;
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options?: MultiSubscribeOptions & { readonly wait?: true },
  ): Promise<MultiSubscribePayload>;
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options?: MultiSubscribeOptions,
  ): Promise<MultiSubscribePayload> | MultiSubscribeHandle;
  multiSubscribe(
    subscriptions: readonly SubscriptionInput[],
    options: MultiSubscribeOptions = {},
  ): Promise<MultiSubscribePayload> | MultiSubscribeHandle {
    // Arguments first, before the client's state: a bad call is INVALID_ARGUMENT whenever it is made.
    const handle = isRecord(options) && options.wait === false;
    try {
      checkOptions(options, MULTI_SUBSCRIBE_CHECKS);
      toWireRequests(subscriptions);
    } catch (error) {
      if (handle) throw error;
      return Promise.reject(asError(error));
    }
    const conduit = this.#conduit;
    if (conduit === null) {
      if (handle) throw new MissingConduitError();
      return Promise.reject(new MissingConduitError());
    }
    const signal =
      options.signal === undefined
        ? this.#closer.signal
        : AbortSignal.any([options.signal, this.#closer.signal]);
    try {
      const run = runMultiSubscribe(this.helix, conduit.id, subscriptions, { ...options, signal });
      this.#observation.census.track(run.result);
      return handle ? run : run.result;
    } catch (error) {
      if (handle) throw error;
      return Promise.reject(asError(error));
    }
  }

  /**
   * The client's metrics now, as plain data (cheap: shard states are counted, session counters summed): shards by
   * state and their transitions, connects, reconnects, handovers, notifications per type, duplicates, delivery lag
   * and handler errors; see docs/observability.md. Empty with `metrics: false`. The Helix client's are in
   * `client.helix.metrics()`.
   *
   * @example
   * ```ts
   * const text = toPrometheusText([...client.metrics(), ...client.helix.metrics()]);
   * ```
   */
  metrics(): MetricsSnapshot {
    return this.#observation.snapshot();
  }

  /**
   * Liveness and readiness for `/healthz` and `/readyz` (docs/observability.md, Health): ready once `start()`
   * resolved while every owned shard is ready, held by the ownership strategy, or retrying within its budget; not
   * live once closed, when its Helix credentials are refused, or when stuck (a shard not ready, start-up or the health
   * check late by `stuckAfterMs`). Cheap: read on demand on the client's clock.
   *
   * @example
   * ```ts
   * const { live, ready, reasons } = client.health();
   * if (!ready) console.warn(reasons.join('; '));
   * ```
   */
  health(): HealthReport {
    return this.#observation.health();
  }

  /**
   * What the dashboard shows of this client (the `ObservedSource` contract): the conduit and every shard (served
   * ones from this process, the others from the health check's last listing, with their owner when the ownership
   * strategy knows it), the subscriptions by type, version and status with their cost (the census: its first call
   * starts the periodic listing, `subscriptionListing`), and the recent errors, redacted. Cheap enough to call once a
   * second at 20,000 shards.
   *
   * @example
   * ```ts
   * const down = client.view().conduit?.shards.filter((s) => s.owned && s.state !== 'ready');
   * ```
   */
  view(): SourceView {
    return this.#observation.view();
  }

  /** The observability server started by the `observability` option (its `url`), once started; else `null`. */
  get observability(): ObservabilityServer | null {
    return this.#observation.server;
  }

  protected override report(error: Error, context?: string): void {
    this.#observation.error(error);
    super.report(error, context);
  }

  protected override listenerFailed(event: string, error: unknown): void {
    this.#observation.error(error, `listener of '${event}'`);
    super.listenerFailed(event, error);
  }

  /** Runs the health check now (it also runs every `reconcileIntervalMs`). Resolves when done; never rejects. */
  reconcile(): Promise<void> {
    return this.#reconciler.run();
  }

  // -----------------------------------------------------------------------------------------------------------
  // Start-up and shut-down
  // -----------------------------------------------------------------------------------------------------------

  protected async onStart(): Promise<void> {
    const options = this.#options;
    const signal = this.#closer.signal;
    const ownership = options.ownership;
    await this.#observation.starting([this, this.helix]);
    if (this.#webhook !== null) {
      await this.#webhook.listen();
      const listener = this.#webhook.listener;
      if (listener !== null) this.logger.info('webhook listener started', { url: listener.url });
    }
    const { conduit: chosen, created } = await resolveConduit(
      this.helix,
      options.conduitId,
      {
        requiredShardCount: ownership.requiredShardCount,
        subscriptions: options.subscriptions.length,
        maxPerShard: options.maxPerShard,
      },
      signal,
      () => this.#leads('create'),
    );
    let conduit = this.#adopt(chosen);
    this.logger.info('conduit chosen', { conduitId: conduit.id, shardCount: conduit.shardCount, created });
    const required = ownership.requiredShardCount;
    if (required !== undefined && required > conduit.shardCount) {
      if ((!options.forceScale && !created) || !(await this.#leads('scale'))) {
        throw new InvalidArgumentError(
          `shardIds go up to ${required - 1} but conduit ${conduit.id} has ${conduit.shardCount} shards (pass forceScale: true to grow it)`,
          'shardIds',
        );
      }
      conduit = this.#adopt(await conduit.update(required, { signal }));
    }
    const context = this.#shards.context(signal);
    this.#ownershipContext = context;
    this.#ownershipAsked = true;
    await ownership.start(context);
    if (this.isClosing()) return;

    let subscriptions: MultiSubscribePayload | null = null;
    if (
      options.subscriptions.length > 0 &&
      (created || options.forceSubscribe) &&
      (await this.#leads('subscribe'))
    ) {
      subscriptions = await this.multiSubscribe(options.subscriptions);
      for (const failure of subscriptions.errors) this.report(failure.error, 'subscribe');
    }
    if (options.watchShardDisabled && (await this.#leads('watchDisabled'))) await this.#watchDisabled();
    if (this.isClosing()) return;
    await this.beforeReady();
    if (this.isClosing()) return;
    this.#reconciler.schedule();
    this.#observation.census.start();
    const current = this.#conduit ?? conduit;
    const owned = this.#shards.granted();
    const info: ReadyInfo = {
      conduitId: current.id,
      shardCount: current.shardCount,
      ownedShards: owned,
      readyShards: owned.filter((id) => this.#shards.get(id)?.state === 'ready'),
      failedShards: owned.filter((id) => this.#shards.get(id)?.state !== 'ready'),
      createdConduit: created,
      subscriptions,
    };
    this.events.emit('ready', info);
  }

  /**
   * Runs in start-up once the conduit, its transports and the client's subscriptions are in place, before `ready`:
   * a subclass's own start-up work (the AutoBot joins its channels here), so that `ready` and `start()` mean it is
   * done. It should report what fails rather than throw (a throw fails `start()`). Does nothing by default.
   */
  protected beforeReady(): Promise<void> {
    return Promise.resolve();
  }

  protected async onClose(): Promise<void> {
    this.#closer.abort(new TwitchError('CLIENT_CLOSED', 'the client was closed'));
    this.#reconciler.stop();
    // Also after a start that failed once the strategy was asked whether it leads (a fleet node registered for
    // that question would otherwise stay registered, maybe holding the leader lease, for a lease TTL).
    if (this.#ownershipAsked) {
      try {
        await this.#options.ownership.stop?.();
      } catch (error) {
        this.report(asError(error), 'ownership');
      }
    }
    await Promise.all([this.#shards.closeAll(), this.#webhook?.close(), this.#observation.close()]);
    if (this.#ownsHelix) this.helix.close();
  }

  /**
   * The one place the client takes a conduit from an answer: never one whose id differs from the configured
   * `conduitId`, nor (once it has one) from the conduit it serves. The Helix rows already refuse an Update Conduits
   * answer naming another conduit (`BAD_RESPONSE`); this holds whatever the answer came through.
   */
  #adopt(next: Conduit): Conduit {
    const option = this.#options.conduitId;
    const expected = this.#conduit?.id ?? (option === 'create' ? undefined : option);
    if (expected !== undefined && next.id !== expected) {
      throw new ConduitSelectionError(
        'CONDUIT_MISMATCH',
        `an answer named conduit ${next.id} where conduit ${expected} was asked for: not adopted`,
        [next.id],
      );
    }
    this.#conduit = next;
    return next;
  }

  async #watchDisabled(): Promise<void> {
    const conduit = this.#conduit;
    if (conduit === null) return;
    try {
      const result = await this.multiSubscribe([
        subscription('conduit.shard.disabled', '1', { clientId: this.helix.clientId, conduitId: conduit.id }),
      ]);
      for (const failure of result.errors) this.report(failure.error, 'conduit.shard.disabled');
    } catch (error) {
      if (!this.isClosing()) this.report(asError(error), 'conduit.shard.disabled');
    }
  }

  /** Every notification frame of every WebSocket shard (per message: one listener, defined once). */
  readonly #onNotification = (shardId: string, message: WireNotificationMessage): void => {
    this.dispatchNotification(message, shardId);
  };

  /** Every notification of every webhook shard, as received (per message: one listener, defined once). */
  readonly #onDelivery = (
    shardId: string,
    messageId: string,
    timestamp: string,
    payload: WireNotificationPayload,
  ): void => {
    this.dispatchDelivery(messageId, timestamp, payload, shardId);
  };

  /**
   * Tap of `conduit.shard.disabled` (see `Client.tapNotifications`): its model is the one the listeners got, built
   * once (`null`: malformed, already reported; the raw ids still trigger the health check).
   */
  readonly #onShardDisabled = (notification: Notification | null, payload: WireNotificationPayload): void => {
    const event = (payload as { event?: { conduit_id?: unknown; shard_id?: unknown } }).event;
    if (event === undefined || event.conduit_id !== this.#conduit?.id) return;
    const model = notification?.event as ConduitShardDisabledEvent | undefined;
    if (model !== undefined) this.events.emit('conduitShardDisabled', model);
    // A shard we serve is down on Twitch's side: check now rather than at the next period.
    if (typeof event.shard_id === 'string' && this.#shards.get(event.shard_id) !== undefined) {
      void this.reconcile();
    }
  };

  /** The ownership strategy's word on leading conduit-wide work (an exception: not the leader, reported). */
  async #leads(work: ConduitWork): Promise<boolean> {
    const ownership = this.#options.ownership;
    if (ownership.leader === undefined) return true;
    this.#ownershipAsked = true;
    try {
      return await ownership.leader(work);
    } catch (error) {
      this.report(asError(error), 'ownership');
      return false;
    }
  }

  /** The ownership strategy's callbacks, which must not throw: an exception is reported, never propagated. */
  #tellOwnership(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.report(asError(error), 'ownership');
    }
  }

  /** The one object through which the parts reach the client (their `*Host` interfaces). */
  #host(): ShardSetHost &
    ConstructorParameters<typeof Reconciler>[0] &
    ConstructorParameters<typeof WebhookSide>[1] &
    ConstructorParameters<typeof Assigner>[0] {
    const conduitOf = (): Conduit | null => this.#conduit;
    const options = this.#options;
    const ownership = options.ownership;
    return {
      get conduit() {
        return conduitOf();
      },
      clock: options.clock,
      signal: this.#closer.signal,
      events: this.events,
      maxReclaims: options.maxReclaims,
      isClosing: () => this.isClosing(),
      report: (error, context) => {
        this.report(error, context);
      },
      assign: (shards: readonly Shard[], rebind: boolean, onBound?: Parameters<Assigner['assign']>[2]) =>
        this.#assigner.assign(shards, rebind, onBound),
      notification: this.#onNotification,
      delivery: this.#onDelivery,
      bound: (shard) => {
        if (ownership.shardBound === undefined) return;
        this.#tellOwnership(() => {
          ownership.shardBound?.(shard.id, {
            method: shard.method,
            sessionId: shard.sessionId,
            token: shard.token,
          });
        });
      },
      lost: (shardId: string, reason: ShardLossReason) => {
        if (ownership.shardLost === undefined) return;
        this.#tellOwnership(() => {
          ownership.shardLost?.(shardId, reason);
        });
      },
      stateChanged: (shardId, from, to) => {
        this.#observation.stateChanged(shardId, from, to);
      },
      listed: (remote) => {
        this.#observation.listed(remote);
      },
      mayReclaim: (shardId) => {
        if (ownership.mayReclaim === undefined) return true;
        try {
          return ownership.mayReclaim(shardId);
        } catch (error) {
          // In doubt, do not fight: a strategy that cannot answer leaves the shard to its holder.
          this.report(asError(error), 'ownership');
          return false;
        }
      },
      mayBind: (shardId) => {
        if (ownership.mayBind === undefined) return true;
        try {
          return ownership.mayBind(shardId);
        } catch (error) {
          // In doubt, do not bind: a strategy that cannot answer is treated as fenced.
          this.report(asError(error), 'ownership');
          return false;
        }
      },
      shardCountSeen: async (shardCount) => {
        const conduit = this.#conduit;
        if (conduit === null || conduit.shardCount === shardCount) return;
        this.logger.info('shard count changed by another process', {
          conduitId: conduit.id,
          previousShardCount: conduit.shardCount,
          shardCount,
        });
        const updated = this.#adopt(new Conduit({ id: conduit.id, shardCount }, this.helix));
        await countChanged(this.#scalerHost(), conduit.shardCount, updated, true);
      },
      shards: () => this.#shards.values(),
      shard: (id) => this.#shards.get(id),
      webhookShard: (id) => {
        const shard = this.#shards.get(id);
        return shard instanceof WebhookShard ? shard : undefined;
      },
      awaitVerification: (shards, rebind) =>
        this.#webhook?.awaitVerification(shards, rebind) ?? Promise.resolve(),
    };
  }

  #scalerHost(): Parameters<typeof scale>[0] {
    return {
      conduit: this.#conduit,
      signal: this.#closer.signal,
      events: this.events,
      logger: this.logger,
      shards: this.#shards,
      ownership: this.#options.ownership,
      adopt: (conduit) => this.#adopt(conduit),
      ownershipContext: this.#ownershipContext,
    };
  }

  [inspect.custom](): string {
    return `AutoClient { state: '${this.state}', conduit: ${this.#conduit === null ? 'null' : `'${this.#conduit.id}'`}, shards: ${this.#shards.size} }`;
  }
}
