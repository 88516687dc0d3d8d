/** The emulator's control of who is in a channel's chat (what Get Chatters lists), besides those who send. */
import { InvalidArgumentError } from '../../core/errors.js';
import { rejectUnknownKeys, requireObject, requireString } from '../options.js';
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
const USER_ID = /^[0-9]{1,20}$/;

/** Checks and applies a {@link ChatPresenceInput}. */
export function setChatPresence(chat: EmulatorChat, input: ChatPresenceInput): void {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, KEYS);
  const broadcasterId = requireString(obj.broadcasterId, 'broadcasterId');
  if (!USER_ID.test(broadcasterId)) {
    throw new InvalidArgumentError('broadcasterId must be a user id (1-20 digits)', 'broadcasterId');
  }
  const ids = obj.userIds;
  if (!Array.isArray(ids)) throw new InvalidArgumentError('userIds must be an array of user ids', 'userIds');
  ids.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || !USER_ID.test(id)) {
      throw new InvalidArgumentError(`userIds[${i}] must be a user id (1-20 digits)`, `userIds[${i}]`);
    }
  });
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
