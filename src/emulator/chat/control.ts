/**
 * Control routes of the emulator's chat under `/_emulator` (snake_case bodies, like the other control routes), each
 * calling the same function as its `Emulator` method: `POST /_emulator/chat` (`emu.chat()`),
 * `POST /_emulator/shared_chat` and `/shared_chat/end` (`emu.startSharedChat()`, `emu.endSharedChat()`),
 * `POST /_emulator/redemptions` (`emu.redeem()`).
 */
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuHandler, EmuResponse, EmuRouter } from '../http/types.js';
import { isRecord } from '../../core/guards.js';
import { redeem, type RedeemInput } from './redemptions.js';
import type { SharedChatEndInput, SharedChatInput, SharedChatResult } from './shared.js';
import type { EmulatorChat } from './chat.js';
import { viewerChat, type ViewerChatInput } from './viewers.js';

/** `body` with its snake_case keys in camelCase; a key not in `known` (wire names) is a 400 naming it. */
function camelBody(
  body: Record<string, unknown>,
  known: readonly string[],
  at = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!known.includes(key)) throw new EmuHttpError(400, `unknown field "${at}${key}"`);
    if (value !== null) out[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  return out;
}

/** The wire name of an input field path (`replyTo` -> `reply_to`, `badges[0].setId` -> `badges[0].set_id`). */
function wireField(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
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
  const input = camelBody(body, ['channel', 'user', 'text', 'badges', 'color', 'reply_to', 'message_type']);
  if (Array.isArray(input.badges)) {
    input.badges = input.badges.map((badge: unknown, i) =>
      isRecord(badge) ? camelBody(badge, ['set_id', 'id', 'info'], `badges[${i}].`) : badge,
    );
  }
  return input as unknown as ViewerChatInput;
}

const ok = (body: unknown): EmuResponse => ({ status: 200, body });

/** Registers the chat control routes. */
export function registerChatControlRoutes(router: EmuRouter, chat: EmulatorChat): void {
  router.control(
    'POST',
    '/chat',
    guarded((req) => {
      const result = viewerChat(chat, chatInput(objectBody(req.body)));
      return ok({
        message_id: result.messageId,
        delivered: result.delivered,
        dropped: result.dropped,
        fragments: result.fragments,
        badges: result.badges,
        bits: result.bits,
      });
    }),
  );

  const sharedAnswer = (r: SharedChatResult): EmuResponse =>
    ok({ session_id: r.sessionId, participants: r.participants, delivered: r.delivered, dropped: r.dropped });
  router.control(
    'POST',
    '/shared_chat',
    guarded((req) => {
      const input = camelBody(objectBody(req.body), ['host_id', 'participant_ids']);
      return sharedAnswer(chat.shared.start(input as unknown as SharedChatInput));
    }),
  );
  router.control(
    'POST',
    '/shared_chat/end',
    guarded((req) => {
      const input = camelBody(objectBody(req.body), ['host_id', 'participant_id']);
      return sharedAnswer(chat.shared.end(input as unknown as SharedChatEndInput));
    }),
  );

  router.control(
    'POST',
    '/redemptions',
    guarded((req) => {
      const input = camelBody(objectBody(req.body), ['channel', 'user', 'reward', 'input']);
      const result = redeem(chat, input as unknown as RedeemInput);
      return ok({
        redemption_id: result.redemptionId,
        reward_id: result.rewardId,
        delivered: result.delivered,
        dropped: result.dropped,
      });
    }),
  );
}
