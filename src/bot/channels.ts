/**
 * The AutoBot's channels: joining one creates its subscriptions on the conduit (`channel.chat.message` as the bot,
 * plus the channel's extras) through multiSubscribe, all or none; leaving deletes exactly those; a restart learns
 * them back from the conduit. Joins and leaves run one after the other.
 */
import { HTTPError } from '../core/http-errors.js';
import type { MultiSubscribePayload } from '../eventsub/conduit/multi-subscribe.js';
import { toWireRequests, type SubscriptionInput } from '../eventsub/conduit/multi-subscribe.js';
import type { HelixClient } from '../helix/client.js';
import type { EventSubSubscription } from '../helix/models.js';
import { BotError } from './errors.js';
import type { ChannelRef, JoinResult, LeaveResult } from './options.js';

/** What the bot knows of a joined channel: the ids of the subscriptions that joining it created (or found). */
interface Membership {
  readonly subscriptionIds: Set<string>;
}

/** What the {@link ChannelRoster} needs of its bot. */
export interface RosterHost {
  readonly helix: HelixClient;
  readonly botId: string;
  /** Aborted when the bot closes. */
  readonly signal: AbortSignal;
  /** Deletions in flight at once. */
  readonly leaveConcurrency: number;
  /** Subscriptions a channel needs besides its chat. */
  readonly extras: ((channelId: string) => readonly SubscriptionInput[]) | undefined;
  /** The conduit's id (the bot has started). */
  conduitId(): string | null;
  multiSubscribe(inputs: readonly SubscriptionInput[]): Promise<MultiSubscribePayload>;
  report(error: Error, context: string): void;
  joined(channelId: string): void;
  left(channelId: string): void;
}

/** The channels an AutoBot has joined, and their subscriptions. */
export class ChannelRoster {
  readonly #host: RosterHost;
  readonly #joined = new Map<string, Membership>();
  /** Joins and leaves run one after the other: a channel is never joined and left at once. */
  #membership: Promise<unknown> = Promise.resolve();

  constructor(host: RosterHost) {
    this.#host = host;
  }

  /** The channels joined (broadcaster ids), in the order they were joined. */
  get channelIds(): string[] {
    return [...this.#joined.keys()];
  }

  get size(): number {
    return this.#joined.size;
  }

  /** Joins `refs` (checked by the caller), after the joins and leaves before. */
  join(refs: readonly ChannelRef[]): Promise<JoinResult[]> {
    return this.#serial(() => this.#join(refs));
  }

  /** Leaves `refs` (checked by the caller), after the joins and leaves before. */
  leave(refs: readonly ChannelRef[]): Promise<LeaveResult[]> {
    return this.#serial(() => this.#leave(refs));
  }

  /** Learns the channels joined on the conduit (by an earlier run), after the joins and leaves before. */
  adopt(): Promise<void> {
    return this.#serial(() => this.#adoptJoined());
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#membership.then(work, work);
    this.#membership = next.catch(() => undefined);
    return next;
  }

  /** The subscriptions a channel's join creates. */
  #subscriptionsOf(channelId: string): SubscriptionInput[] {
    const chat: SubscriptionInput = {
      type: 'channel.chat.message',
      version: '1',
      condition: { broadcasterUserId: channelId, userId: this.#host.botId },
    };
    return [chat, ...(this.#host.extras?.(channelId) ?? [])];
  }

  /** Broadcaster ids of `refs` (logins through Get Users); `null` where a login does not exist. */
  async #resolve(refs: readonly ChannelRef[]): Promise<{ input: ChannelRef; id: string | Error }[]> {
    const logins = refs.flatMap((ref) =>
      typeof ref === 'object' && 'login' in ref ? [ref.login.toLowerCase()] : [],
    );
    const byLogin = new Map<string, string>();
    let lookupError: Error | null = null;
    if (logins.length > 0) {
      try {
        const users = await this.#host.helix.users.getUsers({ logins }, { signal: this.#host.signal });
        for (const user of users) byLogin.set(user.login.toLowerCase(), user.id);
      } catch (error) {
        lookupError = error instanceof Error ? error : new Error(String(error));
      }
    }
    return refs.map((input) => ({ input, id: resolved(input) }));
    function resolved(ref: ChannelRef): string | Error {
      if (typeof ref === 'string') return ref;
      if ('id' in ref) return ref.id;
      if (lookupError !== null) return lookupError;
      return (
        byLogin.get(ref.login.toLowerCase()) ??
        new BotError('CHANNEL_NOT_FOUND', ref.login, `no Twitch user has the login ${ref.login}`)
      );
    }
  }

  async #join(refs: readonly ChannelRef[]): Promise<JoinResult[]> {
    const resolved = await this.#resolve(refs);
    const results: (JoinResult | null)[] = refs.map(() => null);
    const inputs: SubscriptionInput[] = [];
    const channelOf = new Map<SubscriptionInput, string>();
    const pending = new Map<string, { i: number; input: ChannelRef }[]>();
    resolved.forEach(({ input, id }, i) => {
      if (id instanceof Error) {
        results[i] = { input, channelId: null, status: 'failed', error: id };
      } else if (this.#joined.has(id)) {
        results[i] = { input, channelId: id, status: 'already' };
      } else if (pending.has(id)) {
        pending.get(id)?.push({ i, input });
      } else {
        pending.set(id, [{ i, input }]);
        for (const sub of this.#subscriptionsOf(id)) {
          inputs.push(sub);
          channelOf.set(sub, id);
        }
      }
    });
    if (inputs.length > 0) {
      // Validated first (a bad `channelSubscriptions` is INVALID_ARGUMENT before any request).
      toWireRequests(inputs);
      const payload = await this.#host.multiSubscribe(inputs);
      const created = new Map<string, string[]>();
      const existing = new Map<string, string[]>();
      const failed = new Map<string, Error>();
      let unknownExisting = false;
      for (const s of payload.success)
        push(created, channelOf.get(s.subscription), s.response.subscription.id);
      for (const e of payload.existing) {
        if (e.existingId === null) unknownExisting = true;
        else push(existing, channelOf.get(e.subscription), e.existingId);
      }
      for (const e of payload.errors) {
        const id = channelOf.get(e.subscription);
        if (id !== undefined && !failed.has(id)) failed.set(id, e.error);
      }
      const found = unknownExisting ? await this.#conduitSubscriptions() : [];
      for (const [channelId, indices] of pending) {
        const error = failed.get(channelId);
        const mine = created.get(channelId) ?? [];
        if (error !== undefined) {
          // Rolled back: a channel is joined with all its subscriptions or none of them.
          await this.#deleteAll(mine);
          for (const { i, input } of indices) results[i] = { input, channelId, status: 'failed', error };
          continue;
        }
        const ids = new Set([...mine, ...(existing.get(channelId) ?? [])]);
        if (unknownExisting) for (const id of this.#matching(found, channelId)) ids.add(id);
        this.#joined.set(channelId, { subscriptionIds: ids });
        const status = mine.length > 0 ? 'joined' : 'already';
        indices.forEach(({ i, input }, n) => {
          results[i] = { input, channelId, status: n === 0 ? status : 'already' };
        });
        if (status === 'joined') this.#host.joined(channelId);
      }
    }
    return results as JoinResult[];
  }

  async #leave(refs: readonly ChannelRef[]): Promise<LeaveResult[]> {
    const resolved = await this.#resolve(refs);
    const seen = new Set<string>();
    const results: LeaveResult[] = [];
    const work: { index: number; input: ChannelRef; channelId: string; membership: Membership }[] = [];
    resolved.forEach(({ input, id }, i) => {
      if (id instanceof Error) results[i] = { input, channelId: null, status: 'failed', error: id };
      else {
        const membership = this.#joined.get(id);
        if (membership === undefined || seen.has(id))
          results[i] = { input, channelId: id, status: 'notJoined' };
        else {
          seen.add(id);
          work.push({ index: i, input, channelId: id, membership });
        }
      }
    });
    const deletions = work.flatMap((w) => [...w.membership.subscriptionIds].map((id) => ({ w, id })));
    const errors = new Map<string, Error>();
    await this.#bounded(deletions, async ({ w, id }) => {
      const error = await this.#delete(id);
      if (error === null) w.membership.subscriptionIds.delete(id);
      else if (!errors.has(w.channelId)) errors.set(w.channelId, error);
    });
    for (const { index, input, channelId, membership } of work) {
      const error = errors.get(channelId);
      if (error !== undefined) {
        results[index] = { input, channelId, status: 'failed', error };
        continue;
      }
      if (membership.subscriptionIds.size === 0) this.#joined.delete(channelId);
      results[index] = { input, channelId, status: 'left' };
      this.#host.left(channelId);
    }
    return results;
  }

  /** Deletes one subscription: `null` when gone (404 included), else the error. */
  async #delete(id: string): Promise<Error | null> {
    try {
      await this.#host.helix.eventSub.deleteSubscription(id, { signal: this.#host.signal });
      return null;
    } catch (error) {
      if (error instanceof HTTPError && error.status === 404) return null;
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  async #deleteAll(ids: readonly string[]): Promise<void> {
    await this.#bounded(ids, async (id) => {
      const error = await this.#delete(id);
      if (error !== null) this.#host.report(error, 'leave');
    });
  }

  async #bounded<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    const queue = items.values();
    const worker = async (): Promise<void> => {
      for (let item = queue.next(); item.done !== true; item = queue.next()) await fn(item.value);
    };
    await Promise.all(Array.from({ length: Math.min(this.#host.leaveConcurrency, items.length) }, worker));
  }

  /** The conduit's subscriptions (every page). */
  async #conduitSubscriptions(): Promise<EventSubSubscription[]> {
    const conduitId = this.#host.conduitId();
    const all = await this.#host.helix.eventSub.getSubscriptions({}, { signal: this.#host.signal });
    return all.filter((s) => s.transport.method === 'conduit' && s.transport.conduitId === conduitId);
  }

  /** Ids of `subscriptions` that joining `channelId` creates (same type, version and condition). */
  #matching(subscriptions: readonly EventSubSubscription[], channelId: string): string[] {
    const wanted = toWireRequests(this.#subscriptionsOf(channelId)).map((r) =>
      key(r.type, r.version, r.condition),
    );
    return subscriptions.filter((s) => wanted.includes(key(s.type, s.version, s.condition))).map((s) => s.id);
  }

  /** Learns the channels joined on the conduit (by an earlier run) from its subscriptions. */
  async #adoptJoined(): Promise<void> {
    const subscriptions = await this.#conduitSubscriptions();
    for (const s of subscriptions) {
      const channelId = s.condition.broadcaster_user_id;
      if (
        s.type !== 'channel.chat.message' ||
        s.condition.user_id !== this.#host.botId ||
        channelId === undefined
      )
        continue;
      if (this.#joined.has(channelId)) continue;
      this.#joined.set(channelId, { subscriptionIds: new Set(this.#matching(subscriptions, channelId)) });
    }
  }
}

function push(map: Map<string, string[]>, key: string | undefined, value: string): void {
  if (key === undefined) return;
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function key(type: string, version: string, condition: Readonly<Record<string, string>>): string {
  const entries = Object.entries(condition).filter(([, v]) => v !== '');
  entries.sort(([a], [b]) => (a < b ? -1 : 1));
  return `${type}/${version}/${JSON.stringify(entries)}`;
}
