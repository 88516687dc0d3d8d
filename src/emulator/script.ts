/**
 * `emu.script`: deterministic faults for tests ("the next N ..."), where `setFaults` has random rates. Each fault
 * that waits for traffic resolves once it has happened, with what it hit; the HTTP control API mirrors them in
 * snake_case (script-control.ts).
 */
import { InvalidArgumentError, TwitchError } from '../core/errors.js';
import { checkHelixFault, type HelixFaultInput, type HelixFaultReport } from './http/helix-script.js';
import type { Platform } from './http/types.js';
import type { EventSubCore } from './eventsub/core.js';
import type { Session } from './eventsub/session.js';
import type { EventSubSocketServer } from './eventsub/websocket.js';
import type { WebhookTransport } from './eventsub/webhook.js';
import { requireString } from './options.js';
import type { ScriptReport } from './scripted.js';
import { HttpWebhookTransport } from './webhook/http-transport.js';

export type { HelixFaultInput, HelixFaultReport, HelixFaultHit } from './http/helix-script.js';
export type { ScriptReport } from './scripted.js';

const MAX_COUNT = 10_000;

function requireCount(input: unknown): number {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('input must be an object', 'input');
  const count = (input as { count?: unknown }).count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new InvalidArgumentError(`count must be an integer in 1..${MAX_COUNT}`, 'count');
  }
  return count;
}

/**
 * Scripted faults of an emulator (`emu.script`).
 *
 * @example
 * ```ts
 * const burst = emu.script.failHelix({ count: 3, status: 503, path: '/eventsub/subscriptions' });
 * // ... the client under test calls Helix ...
 * const { hits } = await burst;
 * ```
 */
export class EmulatorScript {
  readonly #core: EventSubCore;
  readonly #platform: Platform;
  readonly #sockets: EventSubSocketServer;
  readonly #webhooks: WebhookTransport | undefined;

  /** @internal */
  constructor(
    core: EventSubCore,
    platform: Platform,
    sockets: EventSubSocketServer,
    webhooks: WebhookTransport | undefined,
  ) {
    this.#core = core;
    this.#platform = platform;
    this.#sockets = sockets;
    this.#webhooks = webhooks;
  }

  /**
   * The next `count` Helix requests (of `method` and `path` when given) answer `status` instead of running: a 5xx,
   * or a 429 with `Ratelimit-Remaining: 0` and `Ratelimit-Reset` (`resetAfterMs` ahead; no `Retry-After`: Twitch sends none). Faults
   * armed together apply in order. Resolves once `count` requests were hit (at close: `complete: false`).
   * `POST /_emulator/helix_faults` does the same (`{count, status, method?, path?, reset_after_ms?}`).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
   * @example
   * ```ts
   * const { hits } = await emu.script.failHelix({ count: 2, status: 429, resetAfterMs: 500 });
   * ```
   */
  failHelix(input: HelixFaultInput): Promise<HelixFaultReport> {
    return this.#platform.failHelix(checkHelixFault(input, 'option'));
  }

  /**
   * The next `count` notifications delivered are sent twice with the same message id (and timestamp), as Twitch
   * may. Resolves with their message ids once sent (at close: `complete: false`). `POST /_emulator/duplicates`
   * does the same (`{count}`).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) unless `count` is an integer in 1..10,000.
   * @example
   * ```ts
   * const duplicated = emu.script.duplicate({ count: 1 });
   * emu.trigger({ type: 'channel.follow', version: '2' });
   * const { hits: [messageId] } = await duplicated;
   * ```
   */
  duplicate(input: { readonly count: number }): Promise<ScriptReport<string>> {
    return this.#core.duplicates.arm(requireCount(input), true, () => true);
  }

  /**
   * The next `count` webhook delivery attempts (to `callback` when given) fail whatever the callback answers: each
   * is sent, then retried with the same message id. Resolves with their message ids once they failed. Needs the
   * emulator's HTTP webhook transport (the default, or an `HttpWebhookTransport` given as `webhookTransport`).
   * `POST /_emulator/webhook_failures` does the same (`{count, callback?}`).
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) on a malformed input, naming the field.
   * @throws `TwitchError` `SCRIPT_UNSUPPORTED` when the emulator delivers webhooks through another transport.
   * @example
   * ```ts
   * const { hits: [messageId] } = await emu.script.failWebhooks({ count: 1 });
   * ```
   */
  failWebhooks(input: { readonly count: number; readonly callback?: string }): Promise<ScriptReport<string>> {
    requireCount(input);
    const transport = this.#webhooks;
    if (!(transport instanceof HttpWebhookTransport)) {
      throw new TwitchError('SCRIPT_UNSUPPORTED', 'failWebhooks needs the HttpWebhookTransport');
    }
    return transport.failNext(input);
  }

  /**
   * Drops a session's TCP connection without a close frame (a network failure): the session ends at once (close
   * code 1006), its subscriptions and shard become `websocket_disconnected`. `POST /_emulator/sessions/{id}/drop`.
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) unless `sessionId` is a string.
   * @throws `TwitchError` `SESSION_NOT_FOUND`, or `SESSION_NOT_CONNECTED` when it is closed already.
   * @example
   * ```ts
   * emu.script.dropConnection(sessionId);
   * ```
   */
  dropConnection(sessionId: string): void {
    const session = this.#live(sessionId);
    session.dropConnection();
  }

  /**
   * Sends `session_reconnect` whose URL refuses the handover (a connection there is closed with 4007), so the
   * client cannot move and the old connection is closed with 4004 once `reconnectGraceMs` runs out: the
   * "client never moves" case. Returns the URL. `POST /_emulator/sessions/{id}/reconnect` with
   * `{refuse_handover: true}` does the same.
   *
   * @throws `InvalidArgumentError` (`INVALID_ARGUMENT`) unless `sessionId` is a string.
   * @throws `TwitchError` `SESSION_NOT_FOUND`, or `SESSION_NOT_CONNECTED`.
   * @example
   * ```ts
   * emu.script.refuseReconnect(sessionId);
   * ```
   */
  refuseReconnect(sessionId: string): string {
    const url = this.#sockets.requestReconnect(this.#live(sessionId));
    if (url === null) throw new TwitchError('SESSION_NOT_CONNECTED', `session ${sessionId} is not connected`);
    const token = new URL(url).searchParams.get('reconnect');
    if (token !== null) this.#core.reconnectTokens.delete(token);
    return url;
  }

  #live(sessionId: string): Session {
    requireString(sessionId, 'sessionId');
    const session = this.#core.sessions.get(sessionId);
    if (session === undefined) throw new TwitchError('SESSION_NOT_FOUND', `no session ${sessionId}`);
    if (session.status === 'closed') {
      throw new TwitchError('SESSION_NOT_CONNECTED', `session ${sessionId} is closed`);
    }
    return session;
  }
}
