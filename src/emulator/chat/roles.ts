/** The emulator's control of chat roles: who moderates, who is a VIP, who subscribes, in which channel. */
import { InvalidArgumentError } from '../../core/errors.js';
import {
  optionalString,
  rejectUnknownKeys,
  requireObject,
  requireString,
  requireUserId,
} from '../options.js';
import type { EmulatorChat } from './chat.js';

/** A chat role the emulator can give or take. */
export type ChatRoleName = 'moderator' | 'vip' | 'subscriber';

/**
 * Input of `emu.setChatRole()`.
 *
 * @example
 * ```ts
 * emu.setChatRole({ broadcasterId: '1337', userId: botId, role: 'moderator' });
 * ```
 */
export interface ChatRoleInput {
  readonly broadcasterId: string;
  readonly userId: string;
  readonly role: ChatRoleName;
  /** `false` takes the role away. @defaultValue true */
  readonly granted?: boolean;
  /** Subscribers: `1000`, `2000` or `3000`. @defaultValue `1000` */
  readonly tier?: '1000' | '2000' | '3000';
}

const ROLE_KEYS = ['broadcasterId', 'userId', 'role', 'granted', 'tier'];
const ROLES: readonly string[] = ['moderator', 'vip', 'subscriber'];
const TIERS: readonly string[] = ['1000', '2000', '3000'];

/** Checks and applies a {@link ChatRoleInput}; users are created on demand. */
export function setChatRole(chat: EmulatorChat, input: ChatRoleInput): void {
  const obj = requireObject(input, 'input');
  rejectUnknownKeys(obj, ROLE_KEYS);
  const broadcasterId = requireUserId(obj.broadcasterId, 'broadcasterId');
  const userId = requireUserId(obj.userId, 'userId');
  const role = requireString(obj.role, 'role');
  if (!ROLES.includes(role))
    throw new InvalidArgumentError(`role must be one of ${ROLES.join(', ')}`, 'role');
  if (obj.granted !== undefined && typeof obj.granted !== 'boolean') {
    throw new InvalidArgumentError('granted must be a boolean', 'granted');
  }
  const tier = optionalString(obj.tier, 'tier') ?? '1000';
  if (!TIERS.includes(tier))
    throw new InvalidArgumentError(`tier must be one of ${TIERS.join(', ')}`, 'tier');
  chat.platform.users.ensure(broadcasterId);
  chat.platform.users.ensure(userId);
  const room = chat.room(broadcasterId);
  const on = obj.granted !== false;
  if (role === 'subscriber') {
    if (on) room.subscribers.set(userId, { tier, months: room.subscribers.get(userId)?.months ?? 1 });
    else room.subscribers.delete(userId);
    return;
  }
  const set = role === 'moderator' ? room.moderators : room.vips;
  if (on) set.add(userId);
  else set.delete(userId);
}
