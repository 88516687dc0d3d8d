/**
 * Helix `eventsub/subscriptions` routes (POST/GET/DELETE) with Twitch's rules, checked in this order: body shape,
 * type and version (400; withdrawn → 400 `cannot use deprecated subscription type and version`; removed → 410), transport method allowed for the type (400), token kind vs transport (401),
 * condition (400 naming the key), users exist (400), authorization (403/401), transport target (400/404), duplicate
 * (409), same type+condition limit (429), websocket rules (websocket-rules.ts: one user per session 400, limits
 * 429), total cost (429).
 */
import { isRecord } from '../../core/guards.js';
import { checkAuthorization, computeCost, scopesForUser } from '../../catalogue/authorization.js';
import type { Caller, Grants } from '../../catalogue/authorization.js';
import { getCatalogueEntry, getCatalogueVersions } from '../../catalogue/table.js';
import type { CatalogueEntry } from '../../catalogue/types.js';
import { checkCondition, isUserConditionKey } from '../../catalogue/validate.js';
import {
  MAX_SUBSCRIPTIONS_PER_TYPE_AND_CONDITION,
  SUBSCRIPTION_STATUSES,
  WEBHOOK_MAX_TOTAL_COST,
  WEBSOCKET_MAX_TOTAL_COST,
} from '../../protocol/eventsub.js';
import type { SubscriptionStatus, WireSubscription } from '../../protocol/eventsub.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { AuthContext, EmuRequest, EmuRouter } from '../http/types.js';
import { decodeCursor, encodeCursor } from './conduits.js';
import type { EventSubCore } from './core.js';
import { conditionKey } from './core.js';
import { subscriptionWire } from './frames.js';
import { isActive } from './model.js';
import type { StoredSubscription, SubscriptionTransport } from './model.js';
import { WebhookEndpoint, checkCallback, checkSecret } from './webhook.js';
import { WEBSOCKET_LIMIT_MESSAGES, checkWebsocketLimits } from './websocket-rules.js';

const STATUS_SET: ReadonlySet<string> = new Set(SUBSCRIPTION_STATUSES);
const FILTERS = ['status', 'type', 'user_id', 'subscription_id', 'conduit_id'] as const;

/** Twitch's message when the token kind does not fit the transport. */
export const AUTH_TRANSPORT_MISMATCH = 'invalid transport and auth combination';
/** Messages of the non-rate-limit 429s of Create EventSub Subscription. */
export const LIMIT_MESSAGES = {
  sameCondition: 'too many subscriptions with the same type and condition',
  ...WEBSOCKET_LIMIT_MESSAGES,
} as const;

function authOf(req: EmuRequest): AuthContext {
  if (req.auth === null) throw new EmuHttpError(401, 'OAuth token is missing');
  return req.auth;
}

function requiredString(obj: Record<string, unknown>, key: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || value === '')
    throw new EmuHttpError(400, `Missing required parameter "${key}"`);
  return value;
}

/** Subscriptions visible to a caller: app tokens see webhook/conduit ones, user tokens their websocket ones. */
function visible(core: EventSubCore, auth: AuthContext): Iterable<StoredSubscription> {
  if (auth.kind === 'user') return core.byWsUser.get(`${auth.clientId}\n${auth.userId ?? ''}`) ?? [];
  const clientId = auth.clientId;
  return (function* () {
    for (const sub of core.subscriptions.values()) {
      if (sub.clientId === clientId && sub.transport.method !== 'websocket') yield sub;
    }
  })();
}

/** `total`, `total_cost` and `max_total_cost` of a caller. */
function totals(
  core: EventSubCore,
  auth: AuthContext,
): { total: number; total_cost: number; max_total_cost: number } {
  if (auth.kind === 'app') {
    const t = core.appTotals.get(auth.clientId);
    return { total: t?.total ?? 0, total_cost: t?.cost ?? 0, max_total_cost: WEBHOOK_MAX_TOTAL_COST };
  }
  let total = 0;
  let cost = 0;
  for (const sub of core.byWsUser.get(`${auth.clientId}\n${auth.userId ?? ''}`) ?? []) {
    total++;
    if (isActive(sub.status)) cost += sub.cost;
  }
  return { total, total_cost: cost, max_total_cost: WEBSOCKET_MAX_TOTAL_COST };
}

function sameTarget(a: SubscriptionTransport, b: SubscriptionTransport): boolean {
  if (a.method === 'websocket') return b.method === 'websocket' && a.session === b.session;
  if (a.method === 'conduit') return b.method === 'conduit' && a.conduit === b.conduit;
  return b.method === 'webhook' && a.endpoint.callback === b.endpoint.callback;
}

/** Registers the subscription routes. */
export function registerSubscriptionRoutes(router: EmuRouter, core: EventSubCore): void {
  const create = {
    auth: 'any',
    bodyParams: { type: 'string', version: 'string', is_batching_enabled: 'boolean' },
  } as const;
  router.helix('POST', '/eventsub/subscriptions', create, (req) => {
    const sub = createSubscription(core, authOf(req), req.body);
    return {
      status: 202,
      body: { data: [subscriptionWire(sub, true)], ...totals(core, authOf(req)) },
    };
  });

  router.helix('GET', '/eventsub/subscriptions', { auth: 'any' }, (req) => {
    const auth = authOf(req);
    const q = req.query;
    const used = FILTERS.filter((f) => q.has(f));
    if (used.length > 1) {
      throw new EmuHttpError(400, `only one of ${FILTERS.join(', ')} may be specified`);
    }
    const status = q.get('status');
    if (status !== null && !STATUS_SET.has(status)) throw new EmuHttpError(400, 'invalid status');
    const type = q.get('type');
    if (type !== null && getCatalogueVersions(type).length === 0) throw new EmuHttpError(400, 'invalid type');
    const userId = q.get('user_id');
    const subscriptionId = q.get('subscription_id');
    const conduitId = q.get('conduit_id');
    const after = q.get('after');
    const afterSeq = after === null || after === '' ? 0 : decodeCursor(after);
    const pageSize = core.options.subscriptionPageSize;
    const data: WireSubscription[] = [];
    let lastSeq = 0;
    let more = false;
    for (const sub of visible(core, auth)) {
      if (sub.seq <= afterSeq) continue;
      if (status !== null && sub.status !== status) continue;
      if (type !== null && sub.type !== type) continue;
      if (subscriptionId !== null && sub.id !== subscriptionId) continue;
      if (
        conduitId !== null &&
        (sub.transport.method !== 'conduit' || sub.transport.conduit.id !== conduitId)
      )
        continue;
      if (userId !== null && !namesUser(sub, userId)) continue;
      if (data.length === pageSize) {
        more = true;
        break;
      }
      data.push(subscriptionWire(sub, true));
      lastSeq = sub.seq;
    }
    return {
      status: 200,
      body: { ...totals(core, auth), data, pagination: more ? { cursor: encodeCursor(lastSeq) } : {} },
    };
  });

  router.helix('DELETE', '/eventsub/subscriptions', { auth: 'any' }, (req) => {
    const auth = authOf(req);
    const id = req.query.get('id');
    if (id === null || id === '') throw new EmuHttpError(400, 'Missing required parameter "id"');
    const sub = core.subscriptions.get(id);
    if (sub?.clientId !== auth.clientId) throw new EmuHttpError(404, 'subscription not found');
    const isWs = sub.transport.method === 'websocket';
    if (isWs !== (auth.kind === 'user')) throw new EmuHttpError(401, AUTH_TRANSPORT_MISMATCH);
    if (isWs && sub.userId !== auth.userId) throw new EmuHttpError(404, 'subscription not found');
    core.removeSubscription(sub);
    return { status: 204 };
  });
}

function namesUser(sub: StoredSubscription, userId: string): boolean {
  for (const [key, value] of Object.entries(sub.condition)) {
    if (value === userId && isUserConditionKey(key)) return true;
  }
  return false;
}

/** Validates a Create EventSub Subscription body and creates the subscription, or throws a Twitch-shaped error. */
export function createSubscription(
  core: EventSubCore,
  auth: AuthContext,
  rawBody: unknown,
): StoredSubscription {
  const body = objectBody(rawBody);
  const type = requiredString(body, 'type');
  const version = requiredString(body, 'version');
  const rawCondition = body.condition;
  if (!isRecord(rawCondition)) throw new EmuHttpError(400, 'Missing required parameter "condition"');
  const transportIn = body.transport;
  if (!isRecord(transportIn)) throw new EmuHttpError(400, 'Missing required parameter "transport"');
  const method = transportIn.method;

  const entry = getCatalogueEntry(type, version);
  if (entry === undefined) throw new EmuHttpError(400, 'invalid subscription type and version');
  if (entry.deprecated === true) {
    throw new EmuHttpError(400, 'cannot use deprecated subscription type and version');
  }
  if (entry.removed === true) throw new EmuHttpError(410, 'This subscription type is not available.');
  if (method !== 'websocket' && method !== 'webhook' && method !== 'conduit') {
    throw new EmuHttpError(400, 'invalid transport method');
  }
  if (!entry.transports.includes(method)) {
    throw new EmuHttpError(400, `transport method ${method} is not supported for ${type} version ${version}`);
  }
  if ((method === 'websocket') !== (auth.kind === 'user'))
    throw new EmuHttpError(401, AUTH_TRANSPORT_MISMATCH);

  const check = checkCondition(entry, rawCondition);
  if (!check.ok) throw new EmuHttpError(400, `${check.field}: ${check.message}`);
  const condition = rawCondition as Record<string, string>;
  for (const [key, value] of Object.entries(condition)) {
    if (isUserConditionKey(key) && !core.platform.auth.userExists(value)) {
      const hint = mintHint(core, entry, condition, key, auth);
      throw new EmuHttpError(400, `condition.${key}: user ${value} does not exist; mint it with ${hint}`);
    }
  }
  if (entry.batched && body.is_batching_enabled !== true) {
    throw new EmuHttpError(400, `is_batching_enabled must be true for ${type}`);
  }

  const clientId = auth.clientId;
  const grants: Grants = (userId) => core.platform.auth.grantedScopes(clientId, userId);
  const caller: Caller =
    auth.userId === undefined
      ? { kind: auth.kind, clientId, scopes: auth.scopes }
      : { kind: auth.kind, clientId, userId: auth.userId, scopes: auth.scopes };
  const authz = checkAuthorization(entry, condition, caller, grants);
  if (!authz.ok) {
    // Twitch's message, then (emulator only) who is missing what and the one line that fixes it.
    const key = authz.userKey;
    const message =
      key === undefined
        ? authz.message
        : `${authz.message}: condition.${key}: user ${authz.detail.slice(key.length + 1)}; ` +
          `authorize it with ${mintHint(core, entry, condition, key, auth)}`;
    throw new EmuHttpError(authz.status, message);
  }

  const transport = resolveTransport(core, auth, method, transportIn);
  const key = conditionKey(condition);
  const same = core.byIdentity.get(`${clientId}\n${type}\n${key}`);
  let active = 0;
  for (const other of same ?? []) {
    if (!isActive(other.status)) continue;
    active++;
    if (other.version === version && sameTarget(other.transport, transport)) {
      // Twitch names the existing subscription (TwitchIO reads the id after `id=`).
      throw new EmuHttpError(409, `subscription already exists, id=${other.id}`);
    }
  }
  if (active >= MAX_SUBSCRIPTIONS_PER_TYPE_AND_CONDITION)
    throw new EmuHttpError(429, LIMIT_MESSAGES.sameCondition);

  const cost = computeCost(entry, condition, grants);
  if (transport.method === 'websocket') {
    checkWebsocketLimits(core, auth, transport.session, cost);
  } else {
    const spent = core.appTotals.get(clientId)?.cost ?? 0;
    if (spent + cost > WEBHOOK_MAX_TOTAL_COST) throw new EmuHttpError(429, LIMIT_MESSAGES.cost);
  }

  const status: SubscriptionStatus =
    method === 'webhook' ? 'webhook_callback_verification_pending' : 'enabled';
  return core.addSubscription({
    type,
    version,
    entry,
    condition: Object.freeze({ ...condition }),
    clientId,
    userId: auth.kind === 'user' ? auth.userId : undefined,
    cost,
    transport,
    status,
  });
}

/**
 * The emulator call that makes the user named by `key` exist and authorize the caller's client with every scope the
 * type needs from that user (in all the roles the condition gives them), e.g. `emu.mintUserToken({ userId: '1337', scopes: ['bits:read'] })`. Emulator-only text.
 */
function mintHint(
  core: EventSubCore,
  entry: CatalogueEntry,
  condition: Readonly<Record<string, string>>,
  key: string,
  auth: AuthContext,
): string {
  // The same user may fill several roles (broadcaster and moderator of channel.follow): every scope of each.
  const userId = condition[key];
  const needed = new Set<string>();
  for (const [other, value] of Object.entries(condition)) {
    if (value !== userId || !isUserConditionKey(other)) continue;
    for (const scope of scopesForUser(entry, condition, other, auth.kind === 'app')) needed.add(scope);
  }
  const scopes = [...needed].map((scope) => `'${scope}'`).join(', ');
  const client = auth.clientId === core.platform.clientId ? '' : `, clientId: '${auth.clientId}'`;
  return `emu.mintUserToken({ userId: '${userId ?? ''}', scopes: [${scopes}]${client} })`;
}

function resolveTransport(
  core: EventSubCore,
  auth: AuthContext,
  method: 'websocket' | 'webhook' | 'conduit',
  input: Record<string, unknown>,
): SubscriptionTransport {
  switch (method) {
    case 'websocket': {
      const sessionId = requiredString(input, 'session_id');
      const session = core.sessions.get(sessionId);
      if (session === undefined || session.status === 'closed') {
        throw new EmuHttpError(400, 'websocket transport session does not exist or has already disconnected');
      }
      if (session.shard !== null) {
        throw new EmuHttpError(400, 'websocket transport session is bound to a conduit shard');
      }
      return { method, session };
    }
    case 'conduit': {
      const conduitId = requiredString(input, 'conduit_id');
      const conduit = core.conduits.get(conduitId);
      if (conduit?.clientId !== auth.clientId) throw new EmuHttpError(404, 'conduit not found');
      return { method, conduit };
    }
    case 'webhook': {
      const callbackError = checkCallback(input.callback, core.options.allowInsecureWebhooks);
      if (callbackError !== null) throw new EmuHttpError(400, callbackError);
      const secretError = checkSecret(input.secret);
      if (secretError !== null) throw new EmuHttpError(400, secretError);
      const endpoint = new WebhookEndpoint(input.callback as string, input.secret as string);
      return { method, endpoint, target: core.webhookTarget(endpoint) };
    }
  }
}
