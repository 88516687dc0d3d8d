/** The emulator's control of who is in a channel's chat (what Get Chatters lists), besides those who send. */
import { InvalidArgumentError } from '../../core/errors.js';
import { rejectUnknownKeys, requireObject, requireUserId } from '../options.js';
import type { EmulatorChat } from './chat.js';

/**
 * Input of `emu.setChatPresence()`.
 *
 * @example
 * ```ts
 * emu.setChatPresence({ broadcasterId: '1337', userIds: ['4242', '4243'] }); // they join
 * emu.setChatPresence({ broadcasterId: '1337', userIds: ['4242'], present: false }); // one parts
 * ```
 */
export interface ChatPresenceInput {
  readonly broadcasterId: string;
  /** The viewers who join (or part); users are created on demand. */
  readonly userIds: readonly string[];
  /** `false`: they leave the chat. @defaultValue true */
  readonly present?: boolean;
}

const KEYS = ['broadcasterId', 'userIds', 'present'];

/** Checks and applies a {@link ChatPresenceInput}. */
export function setChatPresence(chat: EmulatorChat, input: ChatPresenceInput): void {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, KEYS);
  const broadcasterId = requireUserId(obj.broadcasterId, 'broadcasterId');
  const ids = obj.userIds;
  if (!Array.isArray(ids)) throw new InvalidArgumentError('userIds must be an array of user ids', 'userIds');
  ids.forEach((id: unknown, i) => requireUserId(id, `userIds[${i}]`));
  if (obj.present !== undefined && typeof obj.present !== 'boolean') {
    throw new InvalidArgumentError('present must be a boolean', 'present');
  }
  chat.platform.users.ensure(broadcasterId);
  const room = chat.room(broadcasterId);
  for (const id of ids as string[]) {
    if (obj.present === false) room.chatters.delete(id);
    else {
      chat.platform.users.ensure(id);
      room.join(id);
    }
  }
}
