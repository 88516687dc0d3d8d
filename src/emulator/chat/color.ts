/**
 * `GET /helix/chat/color` and `PUT /helix/chat/color`. Reading takes any token and 1 to 100 `user_id`s (400
 * otherwise); unknown ids are left out, a user who never chose a colour has `color: ''`. Updating takes a user token
 * with `user:manage:chat_color` whose user is `user_id` (401), and a named colour or a `#RRGGBB` hex colour (400
 * otherwise); hex colours are for Turbo and Prime users on Twitch, and the emulator, which has neither, takes them
 * from everyone. The colour goes into the `color` of the `channel.chat.message` the emulator publishes for the user.
 */
import {
  HEX_CHAT_COLOR,
  MAX_CHAT_COLOR_USERS,
  NAMED_CHAT_COLORS,
  type WireUserChatColor,
} from '../../protocol/chat.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuRouter } from '../http/types.js';
import type { EmulatorChat } from './chat.js';
import { callerOf } from './send.js';
import { queryUser } from './settings.js';

const NAMED: Readonly<Record<string, string>> = NAMED_CHAT_COLORS;

/** Registers `GET /chat/color` and `PUT /chat/color`. */
export function registerColorRoutes(router: EmuRouter, chat: EmulatorChat): void {
  router.helix('GET', '/chat/color', { auth: 'any' }, (req) => {
    const ids = req.query.getAll('user_id');
    if (ids.length === 0) throw new EmuHttpError(400, 'The user_id query parameter is required.');
    if (ids.length > MAX_CHAT_COLOR_USERS) {
      throw new EmuHttpError(400, `The request may specify at most ${MAX_CHAT_COLOR_USERS} user IDs.`);
    }
    const data: WireUserChatColor[] = [];
    for (const id of new Set(ids)) {
      const user = chat.platform.users.byId(id);
      if (user === undefined) continue;
      data.push({
        user_id: user.id,
        user_login: user.login,
        user_name: user.display_name,
        color: chat.colors.get(user.id) ?? '',
      });
    }
    return { status: 200, body: { data } };
  });

  router.helix('PUT', '/chat/color', { auth: 'user' }, (req) => {
    const caller = callerOf(req);
    const user = queryUser(chat, req, 'user_id');
    if (!caller.scopes.has('user:manage:chat_color')) {
      throw new EmuHttpError(401, 'Missing scope: user:manage:chat_color');
    }
    if (caller.userId !== user.id) {
      throw new EmuHttpError(401, 'The ID in user_id must match the user ID in the access token.');
    }
    const color = req.query.get('color') ?? '';
    const hex = Object.hasOwn(NAMED, color) ? NAMED[color] : HEX_CHAT_COLOR.test(color) ? color : undefined;
    if (hex === undefined) throw new EmuHttpError(400, 'The color query parameter is not valid.');
    chat.colors.set(user.id, hex.toUpperCase());
    return { status: 204 };
  });
}
