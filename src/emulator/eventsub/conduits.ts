/**
 * Helix conduit routes: `eventsub/conduits` (GET/POST/PATCH/DELETE) and `eventsub/conduits/shards` (GET/PATCH).
 * App access tokens only; a conduit owned by another client answers 404.
 */
import { isRecord } from '../../core/guards.js';
import {
  MAX_CONDUITS_PER_CLIENT,
  MAX_SHARD_COUNT,
  MIN_SHARD_COUNT,
  SHARD_STATUSES,
} from '../../protocol/eventsub.js';
import type { WireShard, WireShardError } from '../../protocol/eventsub.js';
import { objectBody } from '../http/control.js';
import { EmuHttpError } from '../http/types.js';
import type { EmuRequest, EmuRouter } from '../http/types.js';
import type { EventSubCore } from './core.js';
import { shardWire } from './frames.js';
import type { Conduit, Shard } from './model.js';
import { WebhookEndpoint, checkCallback, checkSecret } from './webhook.js';

const SHARD_STATUS_SET: ReadonlySet<string> = new Set(SHARD_STATUSES);

function clientOf(req: EmuRequest): string {
  if (req.auth === null) throw new EmuHttpError(401, 'OAuth token is missing');
  return req.auth.clientId;
}

function shardCount(value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_SHARD_COUNT ||
    value > MAX_SHARD_COUNT
  ) {
    throw new EmuHttpError(
      400,
      `shard_count must be an integer between ${MIN_SHARD_COUNT} and ${MAX_SHARD_COUNT}`,
    );
  }
  return value;
}

/** The caller's conduit, or 404. */
function ownedConduit(core: EventSubCore, clientId: string, id: string): Conduit {
  const conduit = core.conduits.get(id);
  if (conduit?.clientId !== clientId) throw new EmuHttpError(404, 'conduit not found');
  return conduit;
}

/** Encodes a numeric position as an opaque cursor. */
export function encodeCursor(position: number): string {
  return Buffer.from(`c:${position}`).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; 400 when it is not one. */
export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^c:(\d{1,15})$/.exec(text);
  if (match?.[1] === undefined) throw new EmuHttpError(400, 'invalid cursor');
  return Number(match[1]);
}

function conduitWire(conduit: Conduit): { id: string; shard_count: number } {
  return { id: conduit.id, shard_count: conduit.shards.length };
}

/** Registers the conduit routes. */
export function registerConduitRoutes(router: EmuRouter, core: EventSubCore): void {
  router.helix('GET', '/eventsub/conduits', { auth: 'app' }, (req) => {
    const clientId = clientOf(req);
    const data = [...core.conduits.values()].filter((c) => c.clientId === clientId).map(conduitWire);
    return { status: 200, body: { data } };
  });

  router.helix(
    'POST',
    '/eventsub/conduits',
    { auth: 'app', bodyParams: { shard_count: 'integer' } },
    (req) => {
      const clientId = clientOf(req);
      const body = objectBody(req.body);
      const count = shardCount(body.shard_count);
      let owned = 0;
      for (const c of core.conduits.values()) if (c.clientId === clientId) owned++;
      if (owned >= MAX_CONDUITS_PER_CLIENT) throw new EmuHttpError(429, 'conduit limit reached');
      const conduit = core.createConduit(clientId, count);
      return { status: 200, body: { data: [conduitWire(conduit)] } };
    },
  );

  const updateConduit = { auth: 'app', bodyParams: { id: 'string', shard_count: 'integer' } } as const;
  router.helix('PATCH', '/eventsub/conduits', updateConduit, (req) => {
    const clientId = clientOf(req);
    const body = objectBody(req.body);
    const id = body.id;
    if (typeof id !== 'string' || id === '') throw new EmuHttpError(400, 'Missing required parameter "id"');
    const count = shardCount(body.shard_count);
    const conduit = ownedConduit(core, clientId, id);
    core.resizeConduit(conduit, count);
    return { status: 200, body: { data: [conduitWire(conduit)] } };
  });

  router.helix('DELETE', '/eventsub/conduits', { auth: 'app' }, (req) => {
    const clientId = clientOf(req);
    const id = req.query.get('id');
    if (id === null || id === '') throw new EmuHttpError(400, 'Missing required parameter "id"');
    core.deleteConduit(ownedConduit(core, clientId, id));
    return { status: 204 };
  });

  router.helix('GET', '/eventsub/conduits/shards', { auth: 'app' }, (req) => {
    const clientId = clientOf(req);
    const id = req.query.get('conduit_id');
    if (id === null || id === '') throw new EmuHttpError(400, 'Missing required parameter "conduit_id"');
    const status = req.query.get('status');
    if (status !== null && !SHARD_STATUS_SET.has(status)) throw new EmuHttpError(400, 'invalid status');
    const after = req.query.get('after');
    const start = after === null || after === '' ? 0 : decodeCursor(after);
    const conduit = ownedConduit(core, clientId, id);
    const pageSize = core.options.shardPageSize;
    const data: WireShard[] = [];
    let i = start;
    for (; i < conduit.shards.length && data.length < pageSize; i++) {
      const shard = conduit.shards[i];
      if (shard !== undefined && (status === null || shard.status === status)) data.push(shardWire(shard));
    }
    let more = false;
    for (let j = i; j < conduit.shards.length; j++) {
      if (status === null || conduit.shards[j]?.status === status) {
        more = true;
        break;
      }
    }
    return { status: 200, body: { data, pagination: more ? { cursor: encodeCursor(i) } : {} } };
  });

  const updateShards = { auth: 'app', bodyParams: { conduit_id: 'string' } } as const;
  router.helix('PATCH', '/eventsub/conduits/shards', updateShards, (req) => {
    const clientId = clientOf(req);
    const body = objectBody(req.body);
    const id = body.conduit_id;
    if (typeof id !== 'string' || id === '') {
      throw new EmuHttpError(400, 'Missing required parameter "conduit_id"');
    }
    const shards = body.shards;
    if (!Array.isArray(shards) || shards.length === 0) {
      throw new EmuHttpError(400, 'Missing required parameter "shards"');
    }
    if (shards.length > core.options.maxShardsPerUpdate) {
      throw new EmuHttpError(
        400,
        `at most ${core.options.maxShardsPerUpdate} shards may be updated per request`,
      );
    }
    const conduit = ownedConduit(core, clientId, id);
    const data: WireShard[] = [];
    const errors: WireShardError[] = [];
    for (const item of shards as unknown[]) {
      const result = updateShard(core, conduit, item);
      if (typeof result === 'string') {
        const rawId = isRecord(item) ? item.id : undefined;
        errors.push({
          id: typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : '',
          message: result,
          code: 'invalid_parameter',
        });
      } else {
        data.push(shardWire(result));
      }
    }
    return { status: 202, body: { data, errors } };
  });
}

/** Applies one shard update; returns the shard or an error message. */
function updateShard(core: EventSubCore, conduit: Conduit, item: unknown): Shard | string {
  if (!isRecord(item)) return 'shard must be an object';
  const rawId = item.id;
  const idText = typeof rawId === 'number' ? String(rawId) : rawId;
  if (typeof idText !== 'string' || idText === '') return 'shard id is required';
  const index = /^\d{1,6}$/.test(idText) ? Number(idText) : -1;
  const shard = index >= 0 ? conduit.shards[index] : undefined;
  if (shard === undefined) return "The shard id is outside of the conduit's range";
  const transport = item.transport;
  if (!isRecord(transport)) return 'transport is required';
  const method = transport.method;
  if (method === 'websocket') {
    const sessionId = transport.session_id;
    if (typeof sessionId !== 'string' || sessionId === '')
      return 'session_id is required for websocket transport';
    const session = core.sessions.get(sessionId);
    if (session === undefined || session.status === 'closed') return 'The websocket session is not connected';
    if (session.shard !== null && session.shard !== shard)
      return 'The websocket session is already bound to a shard';
    if (session.subscriptions.size > 0) return 'The websocket session already has subscriptions';
    if (
      shard.target?.method === 'websocket' &&
      shard.target.session === session &&
      shard.status === 'enabled'
    ) {
      return shard;
    }
    core.bindShard(shard, { method: 'websocket', session, connectedAt: session.connectedAt });
    return shard;
  }
  if (method === 'webhook') {
    const callbackError = checkCallback(transport.callback, core.options.allowInsecureWebhooks);
    if (callbackError !== null) return callbackError;
    const secretError = checkSecret(transport.secret);
    if (secretError !== null) return secretError;
    const endpoint = new WebhookEndpoint(transport.callback as string, transport.secret as string);
    core.bindShard(shard, { method: 'webhook', endpoint, target: core.webhookTarget(endpoint) });
    return shard;
  }
  return 'invalid transport method';
}
