/**
 * Codes of the emulator's control methods (`Emulator.reconnectSession`, `closeSession`, `setKeepalive`,
 * `revokeSubscription`, ...), beyond `INVALID_ARGUMENT`, and the warning a failing route handler becomes. Its HTTP
 * answers are no codes of ours: they have Twitch's shape (`{"error","status","message"}`).
 */
export type EmulatorErrorCode =
  /**
   * A control method named a session id the emulator does not know (never welcomed, or already forgotten).
   *
   * What to do: **Fix input:** take the id from `state().sessions`.
   */
  | 'SESSION_NOT_FOUND'
  /**
   * `reconnectSession` or `closeSession` on a session whose socket is closed (or not open yet).
   *
   * What to do: **Fix input:** wait for the session to be welcomed; a closed session cannot be reopened.
   */
  | 'SESSION_NOT_CONNECTED'
  /**
   * `revokeSubscription` named a subscription id the emulator does not know.
   *
   * What to do: **Fix input:** take the id from the Create Subscription answer or `state().subscriptions`.
   */
  | 'SUBSCRIPTION_NOT_FOUND'
  /**
   * `emu.chat()` (or `POST /_emulator/chat`, answered 409) for a viewer banned or timed out in the channel: Twitch
   * would not let them chat. Nothing was published.
   *
   * What to do: **Fix input:** unban the viewer, let the timeout expire, or have another viewer chat.
   */
  | 'CHATTER_BANNED'
  /**
   * `emu.startSharedChat()` (or `POST /_emulator/shared_chat`, answered 409) named a channel that already takes
   * part in another host's shared chat session (a channel is in at most one).
   *
   * What to do: **Fix input:** end that session first (`emu.endSharedChat`), or leave the channel out.
   */
  | 'SHARED_CHAT_CONFLICT'
  /**
   * `emu.endSharedChat()` (or `POST /_emulator/shared_chat/end`, answered 404) for a channel that hosts no shared
   * chat session, or a `participantId` not in it.
   *
   * What to do: **Fix input:** name the host of a running session (`state().chat.shared_chats`).
   */
  | 'SHARED_CHAT_NOT_FOUND'
  /**
   * `emu.script.failWebhooks()` (or `POST /_emulator/webhook_failures`, answered 409) on an emulator that delivers
   * webhooks through a transport of your own: only the `HttpWebhookTransport` can fail attempts on purpose.
   *
   * What to do: **Fix input:** leave `webhookTransport` unset, or pass an `HttpWebhookTransport`.
   */
  | 'SCRIPT_UNSUPPORTED'
  /**
   * A Helix, OAuth or control route handler of the emulator threw (an emulator bug), no `onError` option was given:
   * the failure goes to `process.emitWarning` with this code, and the request is answered `500`.
   *
   * What to do: **Report a bug** with the warning's message; pass `onError` to collect them in a test.
   */
  | 'TWITCH_EMULATOR_HANDLER_ERROR';

// Registers the codes above with the core, so `TwitchError['code']` holds them (the core imports nothing upward).
declare module '../core/errors.js' {
  interface TwitchErrorCodes {
    emulator: EmulatorErrorCode;
  }
}
