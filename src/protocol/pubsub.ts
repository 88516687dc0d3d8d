/**
 * PubSub wire protocol: constants, frame shapes and the topic table, shared by the client pool and the emulator's
 * PubSub server (reference: Twitch PubSub README, 2016, and the final documented topic set).
 */

/** Twitch's own PubSub endpoint, permanently shut down on 2025-04-14. */
export const TWITCH_PUBSUB_URL = 'wss://pubsub-edge.twitch.tv';

/** Protocol limits and timings, in milliseconds where they are durations. */
export const PUBSUB_LIMITS = Object.freeze({
  /** Topics per connection. */
  maxTopicsPerConnection: 50,
  /** Recommended maximum of simultaneous connections per IP. */
  maxConnections: 10,
  /** The client must LISTEN within this delay after connecting. */
  listenDeadlineMs: 15_000,
  /** Longest allowed gap between two client PINGs (Twitch: 5 min; we PING at most every 4 min). */
  maxPingIntervalMs: 300_000,
  /** A PONG must arrive within this delay after a PING. */
  pongTimeoutMs: 10_000,
  /** After RECONNECT the server drops the client within this delay. */
  reconnectGraceMs: 30_000,
  /** A reader with more buffered messages than this is disconnected. */
  maxBufferedMessages: 30,
  /** Reconnect backoff: first delay, and cap. */
  backoffInitialMs: 1_000,
  backoffMaxMs: 120_000,
});

/** Error strings of a `RESPONSE` frame (`""` means success). */
export type PubSubResponseErrorCode = 'ERR_BADMESSAGE' | 'ERR_BADAUTH' | 'ERR_SERVER' | 'ERR_BADTOPIC';

/** Client → server frames. */
export type PubSubClientFrame =
  | { readonly type: 'PING' }
  | {
      readonly type: 'LISTEN';
      readonly nonce?: string;
      readonly data: { readonly topics: readonly string[]; readonly auth_token?: string };
    }
  | {
      readonly type: 'UNLISTEN';
      readonly nonce?: string;
      readonly data: { readonly topics: readonly string[] };
    };

/** Server → client frames. */
export type PubSubServerFrame =
  | { readonly type: 'PONG' }
  | { readonly type: 'RECONNECT' }
  | { readonly type: 'RESPONSE'; readonly nonce?: string; readonly error: '' | PubSubResponseErrorCode }
  | { readonly type: 'MESSAGE'; readonly data: { readonly topic: string; readonly message: string } };

/** Static description of one topic family. */
export interface PubSubTopicDefinition {
  /** The topic prefix before the first dot, e.g. `channel-bits-events-v2`. */
  readonly name: string;
  /** Names of the ids that follow the prefix, in wire order. */
  readonly params: readonly string[];
  /** Scopes of which the token needs at least one. */
  readonly scopes: readonly string[];
}

function def(name: string, params: readonly string[], scopes: readonly string[]): PubSubTopicDefinition {
  return Object.freeze({ name, params: Object.freeze([...params]), scopes: Object.freeze([...scopes]) });
}

/** Every documented topic family, keyed by prefix. */
export const PUBSUB_TOPICS: ReadonlyMap<string, PubSubTopicDefinition> = new Map(
  [
    def('channel-bits-events-v1', ['channelId'], ['bits:read']),
    def('channel-bits-events-v2', ['channelId'], ['bits:read']),
    def('channel-bits-badge-unlocks', ['channelId'], ['bits:read']),
    def(
      'channel-points-channel-v1',
      ['channelId'],
      ['channel:read:redemptions', 'channel:manage:redemptions'],
    ),
    def('channel-subscribe-events-v1', ['channelId'], ['channel:read:subscriptions']),
    def('chat_moderator_actions', ['moderatorId', 'channelId'], ['channel:moderate']),
    def('automod-queue', ['moderatorId', 'channelId'], ['channel:moderate', 'moderator:manage:automod']),
    def(
      'low-trust-users',
      ['moderatorId', 'channelId'],
      ['channel:moderate', 'moderator:read:suspicious_users'],
    ),
    def('user-moderation-notifications', ['userId', 'channelId'], ['chat:read']),
    def('whispers', ['userId'], ['whispers:read']),
  ].map((d) => [d.name, d] as const),
);

const ID = /^[0-9]{1,20}$/;

/**
 * Parses a wire topic string (`prefix.id[.id]`) against {@link PUBSUB_TOPICS}. Returns the definition and ids, or
 * `undefined` when the prefix is unknown, the number of ids is wrong or an id is not numeric.
 *
 * @example
 * ```ts
 * const parsed = parseTopicString('chat_moderator_actions.1337.4242');
 * parsed?.definition.params; // ['moderatorId', 'channelId']
 * parsed?.ids; // ['1337', '4242']
 * parseTopicString('whispers.abc'); // undefined
 * ```
 */
export function parseTopicString(
  topic: string,
): { readonly definition: PubSubTopicDefinition; readonly ids: readonly string[] } | undefined {
  // A parser of untrusted strings: anything that is not a string is not a topic either.
  if (typeof topic !== 'string' || topic.length > 200) return undefined;
  const parts = topic.split('.');
  const definition = PUBSUB_TOPICS.get(parts[0] ?? '');
  if (definition === undefined) return undefined;
  const ids = parts.slice(1);
  if (ids.length !== definition.params.length || !ids.every((id) => ID.test(id))) return undefined;
  return { definition, ids };
}
