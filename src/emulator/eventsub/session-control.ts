/**
 * The `Emulator` facade's EventSub controls (reconnect, close or silence a session, revoke a subscription, inject
 * faults): arguments checked where they enter, a missing session or subscription a typed `TwitchError`. The HTTP
 * control routes (control.ts) reach the same code through the facade.
 */
import { InvalidArgumentError, TwitchError } from '../../core/errors.js';
import type { RevocationStatus } from '../../protocol/eventsub.js';
import type { Platform } from '../http/types.js';
import { rejectUnknownKeys, requireObject, requireString } from '../options.js';
import { checkFaults, FAULT_KEYS, REVOCATION_STATUSES, type EmulatorFaults } from './control.js';
import type { EventSubCore } from './core.js';
import type { Session } from './session.js';
import type { EventSubSocketServer } from './websocket.js';

function findSession(core: EventSubCore, sessionId: string): Session {
  requireString(sessionId, 'sessionId');
  const session = core.sessions.get(sessionId);
  if (session === undefined) throw new TwitchError('SESSION_NOT_FOUND', `no session ${sessionId}`);
  return session;
}

/** `Emulator.reconnectSession`: sends `session_reconnect` and returns the reconnect URL. */
export function reconnectSession(
  core: EventSubCore,
  sockets: EventSubSocketServer,
  sessionId: string,
): string {
  const url = sockets.requestReconnect(findSession(core, sessionId));
  if (url === null) throw new TwitchError('SESSION_NOT_CONNECTED', `session ${sessionId} is not connected`);
  return url;
}

/** `Emulator.closeSession`: closes a live session with `code` (1000 or 4000..4999). */
export function closeSession(core: EventSubCore, sessionId: string, code: number): void {
  if (!Number.isInteger(code) || !(code === 1000 || (code >= 4000 && code <= 4999))) {
    throw new InvalidArgumentError('code must be 1000 or 4000..4999', 'code');
  }
  const session = findSession(core, sessionId);
  if (session.status === 'closed')
    throw new TwitchError('SESSION_NOT_CONNECTED', `session ${sessionId} is closed`);
  session.close(code);
}

/** `Emulator.setKeepalive`: suppresses or restores a session's keepalive messages. */
export function setKeepalive(core: EventSubCore, sessionId: string, enabled: boolean): void {
  if (typeof enabled !== 'boolean') throw new InvalidArgumentError('enabled must be a boolean', 'enabled');
  findSession(core, sessionId).setKeepalive(enabled);
}

/** `Emulator.revokeSubscription`: revokes with `status`; whether the `revocation` message reached a socket. */
export function revokeSubscription(
  core: EventSubCore,
  subscriptionId: string,
  status: RevocationStatus,
): boolean {
  requireString(subscriptionId, 'subscriptionId');
  if (!(REVOCATION_STATUSES as readonly unknown[]).includes(status)) {
    throw new InvalidArgumentError(`status must be one of ${REVOCATION_STATUSES.join(', ')}`, 'status');
  }
  const sub = core.subscriptions.get(subscriptionId);
  if (sub === undefined) {
    throw new TwitchError('SUBSCRIPTION_NOT_FOUND', `no subscription ${subscriptionId}`);
  }
  return core.revoke(sub, status);
}

/** `Emulator.setFaults`: Helix faults to the platform, EventSub faults to the core, all checked first. */
export function setFaults(platform: Platform, core: EventSubCore, faults: EmulatorFaults): void {
  // Everything is checked before anything changes (a drop interval past Node's timer limit once became 1 ms).
  const fields = requireObject(faults, 'faults');
  rejectUnknownKeys(fields, FAULT_KEYS);
  const checked = checkFaults(fields, 'option');
  const helix: { helixErrorRate?: number; helixLatencyMs?: number } = {};
  if (checked.helixErrorRate !== undefined) helix.helixErrorRate = checked.helixErrorRate;
  if (checked.helixLatencyMs !== undefined) helix.helixLatencyMs = checked.helixLatencyMs;
  platform.setFaults(helix);
  const eventsub: { duplicateRate?: number; dropSessionEveryMs?: number } = {};
  if (checked.duplicateRate !== undefined) eventsub.duplicateRate = checked.duplicateRate;
  if (checked.dropSessionEveryMs !== undefined) eventsub.dropSessionEveryMs = checked.dropSessionEveryMs;
  core.setFaults(eventsub);
}
