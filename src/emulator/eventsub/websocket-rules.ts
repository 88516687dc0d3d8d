/**
 * What Twitch enforces on WebSocket transports when a subscription is created (Create EventSub Subscription with
 * `transport.method: websocket` and a user token), in the order checked:
 *
 * 1. One user per session: a session whose enabled subscriptions were created by another user (client id + user
 *    id) refuses with 400 `websocket transport cannot have subscriptions created by different users` (Twitch's
 *    wording, quoted in TwitchPlaysPokemon/tpp-core#470; Chatterino#6348 keeps one connection per account for it).
 * 2. At most 3 sessions with enabled subscriptions per user (429); a handover keeps the session, so it never counts
 *    twice.
 * 3. At most 300 enabled subscriptions per session (429); disabled ones do not count.
 * 4. `max_total_cost` 10 over every enabled WebSocket subscription of the user, all sessions together (429).
 *
 * Subscriptions leave these counts when they are disabled: a dropped socket (`websocket_disconnected`), a close code,
 * a revocation. A handover keeps them enabled on the same session.
 */
import {
  WEBSOCKET_MAX_CONNECTIONS_PER_USER,
  WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  WEBSOCKET_MAX_TOTAL_COST,
} from '../../protocol/eventsub.js';
import { EmuHttpError } from '../http/types.js';
import type { AuthContext } from '../http/types.js';
import type { EventSubCore } from './core.js';
import type { Session } from './session.js';

/** Messages of the WebSocket refusals of Create EventSub Subscription (Twitch's wording). */
export const WEBSOCKET_LIMIT_MESSAGES = {
  otherUser: 'websocket transport cannot have subscriptions created by different users',
  connections: 'number of websocket transports limit exceeded',
  perConnection: 'number of subscriptions per websocket transport limit exceeded',
  cost: 'total cost exceeded',
} as const;

/** Throws Twitch's refusal when a subscription of `cost` by `auth` cannot go on `session` (see module docs). */
export function checkWebsocketLimits(
  core: EventSubCore,
  auth: AuthContext,
  session: Session,
  cost: number,
): void {
  // A session lists its active subscriptions only, all of one user: the first one tells whose the session is.
  const owner = session.subscriptions.values().next().value;
  if (owner !== undefined && (owner.clientId !== auth.clientId || owner.userId !== auth.userId)) {
    throw new EmuHttpError(400, WEBSOCKET_LIMIT_MESSAGES.otherUser);
  }
  const sessions = new Set<Session>();
  let spent = 0;
  for (const sub of core.byWsUser.get(`${auth.clientId}\n${auth.userId ?? ''}`) ?? []) {
    if (sub.status !== 'enabled' || sub.transport.method !== 'websocket') continue;
    sessions.add(sub.transport.session);
    spent += sub.cost;
  }
  if (!sessions.has(session) && sessions.size >= WEBSOCKET_MAX_CONNECTIONS_PER_USER) {
    throw new EmuHttpError(429, WEBSOCKET_LIMIT_MESSAGES.connections);
  }
  if (session.subscriptions.size >= WEBSOCKET_MAX_SUBSCRIPTIONS_PER_CONNECTION) {
    throw new EmuHttpError(429, WEBSOCKET_LIMIT_MESSAGES.perConnection);
  }
  if (spent + cost > WEBSOCKET_MAX_TOTAL_COST) throw new EmuHttpError(429, WEBSOCKET_LIMIT_MESSAGES.cost);
}
