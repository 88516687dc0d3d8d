/**
 * Control routes of the emulator's chat under `/_emulator` (snake_case bodies, like the other control routes), each
 * calling the same function as its `Emulator` method: `POST /_emulator/chat` (`emu.chat()`).
 */
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuHandler, EmuRouter } from '../http/types.js';
import type { EmulatorChat } from './chat.js';
import { viewerChat, type ViewerChatInput } from './viewers.js';

/** Wire name -> input name of each field of `POST /_emulator/chat` (badges: `set_id`, `id`, `info`). */
const CHAT_FIELDS: Readonly<Record<string, string>> = {
  channel: 'channel',
  user: 'user',
  text: 'text',
  badges: 'badges',
  color: 'color',
  reply_to: 'replyTo',
  message_type: 'messageType',
};
const BADGE_FIELDS: Readonly<Record<string, string>> = { set_id: 'setId', id: 'id', info: 'info' };

/** `body` with its keys renamed by `names`; an unknown key is a 400 naming it. */
function renamed(
  body: Record<string, unknown>,
  names: Readonly<Record<string, string>>,
  at = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = names[key];
    if (name === undefined) throw new EmuHttpError(400, `unknown field "${at}${key}"`);
    if (value !== null) out[name] = value;
  }
  return out;
}

/** The wire name of an input field path (`replyTo` -> `reply_to`, `badges[0].setId` -> `badges[0].set_id`). */
function wireField(field: string): string {
  return field
    .replace(/^replyTo$/, 'reply_to')
    .replace(/^messageType$/, 'message_type')
    .replace(/\.setId$/, '.set_id');
}

/** Maps the chat functions' errors to HTTP: a bad field is a 400 naming its wire name, a refusal a 409. */
function guarded(handler: EmuHandler): EmuHandler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        const field = err.field ?? '';
        const message =
          field !== '' && err.message.startsWith(field)
            ? wireField(field) + err.message.slice(field.length)
            : err.message;
        throw new EmuHttpError(400, message);
      }
      if (err instanceof TwitchError)
        throw new EmuHttpError(err.code.endsWith('_NOT_FOUND') ? 404 : 409, err.message);
      throw err;
    }
  };
}

/** The input of `emu.chat()` from the body of `POST /_emulator/chat`. */
function chatInput(body: Record<string, unknown>): ViewerChatInput {
  const input = renamed(body, CHAT_FIELDS);
  if (Array.isArray(input.badges)) {
    input.badges = input.badges.map((badge: unknown, i) =>
      typeof badge === 'object' && badge !== null && !Array.isArray(badge)
        ? renamed(badge as Record<string, unknown>, BADGE_FIELDS, `badges[${i}].`)
        : badge,
    );
  }
  return input as unknown as ViewerChatInput;
}

/** Registers the chat control routes. */
export function registerChatControlRoutes(router: EmuRouter, chat: EmulatorChat): void {
  router.control(
    'POST',
    '/chat',
    guarded((req) => {
      const result = viewerChat(chat, chatInput(objectBody(req.body)));
      return {
        status: 200,
        body: {
          message_id: result.messageId,
          delivered: result.delivered,
          dropped: result.dropped,
          fragments: result.fragments,
          badges: result.badges,
          bits: result.bits,
        },
      };
    }),
  );
}
