/**
 * PubSub topics: immutable values built in two steps (token first, ids after), as in TwitchIO's
 * `pubsub.bits(token)[channel_id]`, but without mutation: `bits(token).with(channelId)` returns a new topic.
 */
import { inspect } from 'node:util';
import { InvalidArgumentError } from '../core/errors.js';
import { PUBSUB_TOPICS } from '../protocol/pubsub.js';
import type { PubSubTopicDefinition } from '../protocol/pubsub.js';

/** An id as accepted by the builders: a non-negative integer number, a bigint, or a string of digits. */
export type TopicId = string | number | bigint;

const DIGITS = /^[0-9]{1,20}$/;

/** The topic families, by identity: a {@link Topic} is built from one of them only. */
const DEFINITIONS: ReadonlySet<PubSubTopicDefinition> = new Set(PUBSUB_TOPICS.values());

function normaliseId(id: TopicId, field: string): string {
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new InvalidArgumentError(`${field} must be a non-negative integer, got ${String(id)}`, field);
    }
    return String(id);
  }
  if (typeof id === 'bigint') {
    if (id < 0n) throw new InvalidArgumentError(`${field} must be non-negative`, field);
    return id.toString();
  }
  if (typeof id === 'string' && DIGITS.test(id)) return id;
  throw new InvalidArgumentError(`${field} must be a numeric id`, field);
}

function normaliseToken(token: string): string {
  if (typeof token !== 'string') throw new InvalidArgumentError('token must be a string', 'token');
  const bare = token.startsWith('oauth:') ? token.slice(6) : token;
  if (bare.length === 0 || /\s/.test(bare)) {
    throw new InvalidArgumentError('token must be a non-empty OAuth token without whitespace', 'token');
  }
  return bare;
}

/**
 * One PubSub topic: a topic family, the OAuth token that authorizes it, and its ids. Immutable; build it with the
 * builders ({@link bits}, {@link channelPoints}, …), never with `new`.
 *
 * The token is kept out of `toString()`, `JSON.stringify` and `util.inspect`.
 *
 * @example
 * ```ts
 * const partial = bits(userToken);           // present === null: ids are missing
 * const topic = partial.with(12345);         // present === 'channel-bits-events-v2.12345'
 * const mod = moderationUserAction(userToken).with(moderatorId, channelId);
 * ```
 */
export class Topic {
  /** The topic family (wire prefix), e.g. `channel-bits-events-v2`. */
  readonly name: string;
  /** The ids given so far, as strings, in wire order. */
  readonly args: readonly string[];
  /** The names of the ids this family takes, in wire order, e.g. `['moderatorId', 'channelId']`. */
  readonly params: readonly string[];
  readonly #definition: PubSubTopicDefinition;
  readonly #token: string;
  readonly #present: string | null;

  /** @internal Use the builders. */
  constructor(definition: PubSubTopicDefinition, token: string, args: readonly string[]) {
    // Not per message: a topic is built once per subscription (by the builders, `with` and `withToken`).
    if (!DEFINITIONS.has(definition)) {
      throw new InvalidArgumentError(
        'definition must be one of PUBSUB_TOPICS (use the builders)',
        'definition',
      );
    }
    normaliseToken(token);
    const ids: unknown = args;
    if (
      !Array.isArray(ids) ||
      ids.length > definition.params.length ||
      !ids.every((id) => typeof id === 'string' && DIGITS.test(id))
    ) {
      throw new InvalidArgumentError(`args must be up to ${definition.params.length} numeric ids`, 'args');
    }
    this.#definition = definition;
    this.name = definition.name;
    this.params = definition.params;
    this.args = Object.freeze([...args]);
    this.#token = token;
    this.#present = args.length === definition.params.length ? [definition.name, ...args].join('.') : null;
    Object.freeze(this);
  }

  /** The OAuth token (without `oauth:` prefix) that authorizes this topic. */
  get token(): string {
    return this.#token;
  }

  /** The wire topic string, or `null` while ids are missing. */
  get present(): string | null {
    return this.#present;
  }

  /** Names of the ids still missing. */
  get missing(): readonly string[] {
    return this.params.slice(this.args.length);
  }

  /**
   * Returns a new topic with `ids` appended (numbers, bigints or digit strings). Throws
   * {@link InvalidArgumentError} for a malformed id or when more ids are given than the family takes.
   */
  with(...ids: TopicId[]): Topic {
    if (this.args.length + ids.length > this.params.length) {
      throw new InvalidArgumentError(
        `${this.name} takes ${this.params.length} id(s) (${this.params.join(', ')}), got ${this.args.length + ids.length}`,
        'ids',
      );
    }
    const next = ids.map((id, i) => normaliseId(id, this.params[this.args.length + i] ?? 'id'));
    return new Topic(this.#definition, this.#token, [...this.args, ...next]);
  }

  /** Returns the same topic with another token (e.g. after a refresh in `authFailHook`). */
  withToken(token: string): Topic {
    return new Topic(this.#definition, normaliseToken(token), this.args);
  }

  /** Same family, same ids and same token (`false` for anything that is not a topic). */
  equals(other: Topic): boolean {
    return (
      other instanceof Topic &&
      this.name === other.name &&
      this.#token === other.#token &&
      this.args.join('.') === other.args.join('.')
    );
  }

  /** The wire string, or the family and missing ids, e.g. `whispers.<userId>`. Never the token. */
  toString(): string {
    return this.#present ?? [this.name, ...this.args, ...this.missing.map((m) => `<${m}>`)].join('.');
  }

  toJSON(): { name: string; args: readonly string[]; present: string | null } {
    return { name: this.name, args: this.args, present: this.#present };
  }

  [inspect.custom](): string {
    return `Topic(${this.toString()})`;
  }
}

/** @internal The identity of a complete topic inside the pool: its wire string. */
export function topicKey(topic: Topic): string {
  return topic.present ?? topic.toString();
}

function builder(name: string): (token: string, ...ids: (TopicId | undefined)[]) => Topic {
  const definition = PUBSUB_TOPICS.get(name);
  if (definition === undefined) throw new Error(`unknown topic family ${name}`);
  return (token, ...ids) =>
    new Topic(definition, normaliseToken(token), []).with(...ids.filter((id) => id !== undefined));
}

/**
 * Bits events of a channel (`channel-bits-events-v2.<channelId>`, scope `bits:read`); dispatches `pubsub_bits`.
 * @example `bits(token).with(channelId)` or `bits(token, channelId)`
 */
export const bits: (token: string, channelId?: TopicId) => Topic = builder('channel-bits-events-v2');

/**
 * Bits badge tier unlocks (`channel-bits-badge-unlocks.<channelId>`, `bits:read`); dispatches `pubsub_bits_badge`.
 * @example `bitsBadge(token).with(channelId)`
 */
export const bitsBadge: (token: string, channelId?: TopicId) => Topic = builder('channel-bits-badge-unlocks');

/**
 * Channel points redemptions (`channel-points-channel-v1.<channelId>`, `channel:read:redemptions`); dispatches
 * `pubsub_channel_points`.
 * @example `channelPoints(token).with(channelId)`
 */
export const channelPoints: (token: string, channelId?: TopicId) => Topic =
  builder('channel-points-channel-v1');

/**
 * Subscriptions (`channel-subscribe-events-v1.<channelId>`, `channel:read:subscriptions`); dispatches
 * `pubsub_subscription`.
 * @example `channelSubscriptions(token).with(channelId)`
 */
export const channelSubscriptions: (token: string, channelId?: TopicId) => Topic = builder(
  'channel-subscribe-events-v1',
);

/**
 * Moderation actions (`chat_moderator_actions.<moderatorId>.<channelId>`, `channel:moderate`): the moderator (the
 * token's user) first, then the channel, as in Twitch's topic string. Dispatches `pubsub_moderation`.
 * @example `moderationUserAction(token).with(moderatorId, channelId)`
 */
export const moderationUserAction: (token: string, moderatorId?: TopicId, channelId?: TopicId) => Topic =
  builder('chat_moderator_actions');

/**
 * Whispers of a user (`whispers.<userId>`, `whispers:read`); dispatches `pubsub_whisper`.
 * @example `whispers(token).with(userId)`
 */
export const whispers: (token: string, userId?: TopicId) => Topic = builder('whispers');

/**
 * AutoMod queue of a channel (`automod-queue.<moderatorId>.<channelId>`); dispatches `pubsub_message` only.
 * @example `automodQueue(token).with(moderatorId, channelId)`
 */
export const automodQueue: (token: string, moderatorId?: TopicId, channelId?: TopicId) => Topic =
  builder('automod-queue');

/**
 * AutoMod outcome of the user's own messages (`user-moderation-notifications.<userId>.<channelId>`, `chat:read`);
 * dispatches `pubsub_message` only.
 * @example `userModerationNotifications(token).with(userId, channelId)`
 */
export const userModerationNotifications: (token: string, userId?: TopicId, channelId?: TopicId) => Topic =
  builder('user-moderation-notifications');

/**
 * Suspicious-user updates (`low-trust-users.<moderatorId>.<channelId>`, the form clients actually used);
 * dispatches `pubsub_message` only.
 * @example `lowTrustUsers(token).with(moderatorId, channelId)`
 */
export const lowTrustUsers: (token: string, moderatorId?: TopicId, channelId?: TopicId) => Topic =
  builder('low-trust-users');
