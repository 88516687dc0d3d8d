/**
 * Shared chat in the emulator: sessions joining 2..6 channels' chats under a host. `emu.startSharedChat()` and
 * `emu.endSharedChat()` (control routes `POST /_emulator/shared_chat`, `POST /_emulator/shared_chat/end`) change
 * the sessions and emit `channel.shared_chat.begin`, `.update` and `.end` to each participant's subscriptions, as
 * Twitch does; while a session runs, {@link EmulatorChat.publish} delivers a message of one participant's room to the
 * others' `channel.chat.message` subscriptions too, with the `source_*` fields set.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { trigger } from '../eventsub/trigger.js';
import type { EventSubCore } from '../eventsub/core.js';
import type { EmuUserInfo, UserDirectory } from '../http/types.js';
import { rejectUnknownKeys, requireObject, requireUserId } from '../options.js';

/** Most channels in one shared chat session (Twitch's limit), host included. */
export const MAX_SHARED_CHAT_PARTICIPANTS = 6;

/** A running shared chat session. */
export interface SharedChatSession {
  readonly id: string;
  readonly hostId: string;
  /** Broadcaster ids, host first. */
  readonly participants: readonly string[];
}

/**
 * Input of `emu.startSharedChat()`: the host and the other channels (ids; the host may be listed too). Starting a
 * session the host already hosts changes its participants (joiners get `begin`, stayers `update`, leavers `end`).
 *
 * @example
 * ```ts
 * emu.startSharedChat({ hostId: '1001', participantIds: ['1002', '1003'] });
 * ```
 */
export interface SharedChatInput {
  readonly hostId: string;
  readonly participantIds: readonly string[];
}

/**
 * Input of `emu.endSharedChat()`: the session of `hostId` ends; with `participantId`, only that channel leaves it
 * (the session ends when fewer than two channels remain).
 *
 * @example
 * ```ts
 * emu.endSharedChat({ hostId: '1001' });
 * ```
 */
export interface SharedChatEndInput {
  readonly hostId: string;
  readonly participantId?: string;
}

/** What a shared chat change produced. */
export interface SharedChatResult {
  /** The session's id (also when it ended). */
  readonly sessionId: string;
  /** Channels in the session now, host first; empty when it ended. */
  readonly participants: readonly string[];
  /** `channel.shared_chat.*` notifications delivered. */
  readonly delivered: number;
  readonly dropped: number;
}

/** The shared chat sessions, by participant. */
export class SharedChats {
  readonly #byBroadcaster = new Map<string, SharedChatSession>();

  constructor(
    readonly users: UserDirectory,
    readonly core: EventSubCore,
  ) {}

  /** The session `broadcasterId` takes part in, if any. */
  of(broadcasterId: string): SharedChatSession | undefined {
    return this.#byBroadcaster.get(broadcasterId);
  }

  /** Every running session. */
  sessions(): SharedChatSession[] {
    return [...new Set(this.#byBroadcaster.values())];
  }

  /** Checks `input` and starts (or changes) the session of its host. */
  start(input: SharedChatInput): SharedChatResult {
    const obj = requireObject(input, 'input');
    rejectUnknownKeys(obj, ['hostId', 'participantIds']);
    const hostId = requireUserId(obj.hostId, 'hostId');
    const list: unknown = obj.participantIds;
    if (!Array.isArray(list))
      throw new InvalidArgumentError('participantIds must be an array of user ids', 'participantIds');
    const participants = [hostId];
    list.forEach((value: unknown, i) => {
      const id = requireUserId(value, `participantIds[${i}]`);
      if (!participants.includes(id)) participants.push(id);
    });
    if (participants.length < 2 || participants.length > MAX_SHARED_CHAT_PARTICIPANTS) {
      throw new InvalidArgumentError(
        `participantIds must name 1..${MAX_SHARED_CHAT_PARTICIPANTS - 1} channels besides the host`,
        'participantIds',
      );
    }
    const current = this.of(hostId);
    if (current !== undefined && current.hostId !== hostId) {
      throw new TwitchError(
        'SHARED_CHAT_CONFLICT',
        `channel ${hostId} already takes part in the shared chat hosted by ${current.hostId}`,
      );
    }
    for (const id of participants) {
      const other = this.of(id);
      if (other !== undefined && other !== current) {
        throw new TwitchError(
          'SHARED_CHAT_CONFLICT',
          `channel ${id} already takes part in the shared chat hosted by ${other.hostId}`,
        );
      }
    }
    for (const id of participants) this.users.ensure(id);
    const session: SharedChatSession = { id: current?.id ?? randomUUID(), hostId, participants };
    const before = current?.participants ?? [];
    const left = before.filter((id) => !participants.includes(id));
    for (const id of before) this.#byBroadcaster.delete(id);
    for (const id of participants) this.#byBroadcaster.set(id, session);
    let delivered = 0;
    let dropped = 0;
    const add = (r: { delivered: number; dropped: number }): void => {
      delivered += r.delivered;
      dropped += r.dropped;
    };
    for (const id of participants) add(this.#emit(before.includes(id) ? 'update' : 'begin', id, session));
    for (const id of left) add(this.#emit('end', id, session));
    return { sessionId: session.id, participants, delivered, dropped };
  }

  /** Checks `input` and ends the session of its host (or takes one channel out of it). */
  end(input: SharedChatEndInput): SharedChatResult {
    const obj = requireObject(input, 'input');
    rejectUnknownKeys(obj, ['hostId', 'participantId']);
    const hostId = requireUserId(obj.hostId, 'hostId');
    const leaving =
      obj.participantId === undefined ? undefined : requireUserId(obj.participantId, 'participantId');
    const session = this.of(hostId);
    if (session?.hostId !== hostId) {
      throw new TwitchError('SHARED_CHAT_NOT_FOUND', `channel ${hostId} hosts no shared chat session`);
    }
    if (leaving !== undefined && !session.participants.includes(leaving)) {
      throw new TwitchError(
        'SHARED_CHAT_NOT_FOUND',
        `channel ${leaving} is not in the shared chat of ${hostId}`,
      );
    }
    let delivered = 0;
    let dropped = 0;
    const add = (r: { delivered: number; dropped: number }): void => {
      delivered += r.delivered;
      dropped += r.dropped;
    };
    const remaining = session.participants.filter((id) => id !== leaving);
    if (leaving === undefined || leaving === hostId || remaining.length < 2) {
      for (const id of session.participants) {
        this.#byBroadcaster.delete(id);
        add(this.#emit('end', id, session));
      }
      return { sessionId: session.id, participants: [], delivered, dropped };
    }
    const next: SharedChatSession = { id: session.id, hostId, participants: remaining };
    this.#byBroadcaster.delete(leaving);
    for (const id of remaining) this.#byBroadcaster.set(id, next);
    add(this.#emit('end', leaving, session));
    for (const id of remaining) add(this.#emit('update', id, next));
    return { sessionId: session.id, participants: remaining, delivered, dropped };
  }

  #emit(
    kind: 'begin' | 'update' | 'end',
    broadcasterId: string,
    session: SharedChatSession,
  ): { delivered: number; dropped: number } {
    const event: Record<string, unknown> = {
      session_id: session.id,
      ...this.#ref('broadcaster_user', broadcasterId),
      ...this.#ref('host_broadcaster_user', session.hostId),
    };
    if (kind !== 'end') {
      event.participants = session.participants.map((id) => this.#ref('broadcaster_user', id));
    }
    return trigger(this.core, {
      type: `channel.shared_chat.${kind}`,
      version: '1',
      condition: { broadcaster_user_id: broadcasterId },
      event,
    });
  }

  #ref(prefix: string, id: string): Record<string, string> {
    const user: EmuUserInfo | undefined = this.users.byId(id);
    return {
      [`${prefix}_id`]: id,
      [`${prefix}_login`]: user?.login ?? '',
      [`${prefix}_name`]: user?.display_name ?? '',
    };
  }
}
