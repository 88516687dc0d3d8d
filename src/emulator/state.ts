/**
 * The snapshot behind `Emulator.state()` and `GET /_emulator/state`: its types (snake_case, like the wire) and the
 * builder that reads them off the platform, the EventSub core and the chat.
 */
import type { WireShard, WireSubscription } from '../protocol/eventsub.js';
import { chatState, type ChatRoomsState, type EmulatorChat } from './chat/chat.js';
import type { EventSubCore } from './eventsub/core.js';
import { shardWire, subscriptionWire } from './eventsub/frames.js';
import type { SessionState } from './eventsub/session.js';
import type { Platform } from './http/types.js';

/** A conduit in `state()`. */
export interface ConduitState {
  readonly id: string;
  readonly client_id: string;
  readonly shard_count: number;
  readonly enabled_shards: number;
  readonly shards: WireShard[];
}

/** Counters in `state()`. */
export interface CounterState {
  readonly notifications_sent: number;
  readonly delivered: number;
  readonly retried: number;
  readonly dropped: number;
  readonly duplicates_sent: number;
  readonly revocations_sent: number;
  readonly keepalives_sent: number;
  readonly sessions_opened: number;
  readonly sessions_closed: number;
  readonly conduits_expired: number;
}

/** Snapshot returned by `Emulator.state()` and `GET /_emulator/state` (snake_case, like the wire). */
export interface EmulatorState {
  readonly clients: { client_id: string }[];
  readonly users: { id: string; login: string }[];
  readonly helix: { requests: number; rate_limited: number; faulted: number };
  readonly sessions: SessionState[];
  readonly conduits: ConduitState[];
  readonly subscriptions: (WireSubscription & { client_id: string; user_id: string | null })[];
  readonly counters: CounterState;
  /**
   * Chat: messages sent through Helix and those Twitch's rules dropped (by `drop_reason.code`), rooms (messages
   * published, roles, bans) and shared chat sessions.
   */
  readonly chat: ChatState;
}

/** The chat section of `state()`. */
export interface ChatState extends ChatRoomsState {
  readonly sent: number;
  readonly dropped: Readonly<Record<string, number>>;
  /** Sender-channel pairs the send rules remember (bounded: those active within the last 120 s). */
  readonly tracked_senders: number;
}

/** Builds the snapshot of `Emulator.state()` (a fresh copy each call: nothing in it is live). */
export function emulatorState(platform: Platform, core: EventSubCore, chat: EmulatorChat): EmulatorState {
  const described = platform.describe();
  const c = core.counters;
  return {
    clients: described.clients.map((client) => ({ client_id: client.clientId })),
    users: described.users.map((u) => ({ id: u.id, login: u.login })),
    helix: {
      requests: described.helix.requests,
      rate_limited: described.helix.rateLimited,
      faulted: described.helix.faulted,
    },
    sessions: [...core.sessions.values()].map((s) => s.describe()),
    conduits: [...core.conduits.values()].map((conduit) => ({
      id: conduit.id,
      client_id: conduit.clientId,
      shard_count: conduit.shards.length,
      enabled_shards: conduit.enabled.length,
      shards: conduit.shards.map(shardWire),
    })),
    subscriptions: [...core.subscriptions.values()].map((sub) => ({
      ...subscriptionWire(sub, true),
      client_id: sub.clientId,
      user_id: sub.userId ?? null,
    })),
    counters: {
      notifications_sent: c.notificationsSent,
      delivered: c.delivered,
      retried: c.retried,
      dropped: c.dropped,
      duplicates_sent: c.duplicatesSent,
      revocations_sent: c.revocationsSent,
      keepalives_sent: c.keepalivesSent,
      sessions_opened: c.sessionsOpened,
      sessions_closed: c.sessionsClosed,
      conduits_expired: c.conduitsExpired,
    },
    chat: { ...chat.limits.describe(), ...chatState(chat) },
  };
}
