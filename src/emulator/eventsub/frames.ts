/**
 * Wire shapes the emulator sends: subscription objects, shard objects and the five WebSocket message types. Frames on
 * the hot path (notifications) are concatenated from cached, pre-serialised parts.
 */
import type { WireShard, WireSubscription, WireTransport } from '../../protocol/eventsub.js';
import type { OutboundKind, Shard, StoredSubscription } from './model.js';

/** Transport object of a subscription. Helix responses carry websocket connection times; notifications do not. */
export function transportWire(sub: StoredSubscription, withTimes: boolean): WireTransport {
  const t = sub.transport;
  switch (t.method) {
    case 'conduit':
      return { method: 'conduit', conduit_id: t.conduit.id };
    case 'webhook':
      return { method: 'webhook', callback: t.endpoint.callback };
    case 'websocket': {
      if (!withTimes) return { method: 'websocket', session_id: t.session.id };
      const disconnected = t.session.disconnectedAt;
      return disconnected === undefined
        ? { method: 'websocket', session_id: t.session.id, connected_at: t.session.connectedAt }
        : {
            method: 'websocket',
            session_id: t.session.id,
            connected_at: t.session.connectedAt,
            disconnected_at: disconnected,
          };
    }
  }
}

/** The subscription object, as Helix returns it (`withTimes`) or as notifications carry it. */
export function subscriptionWire(sub: StoredSubscription, withTimes: boolean): WireSubscription {
  return {
    id: sub.id,
    status: sub.status,
    type: sub.type,
    version: sub.version,
    condition: sub.condition,
    transport: transportWire(sub, withTimes),
    created_at: sub.createdAt,
    cost: sub.cost,
  };
}

/** Cached JSON of the subscription object carried by notification and revocation frames. */
export function subscriptionJson(sub: StoredSubscription): string {
  let json = sub.json;
  if (json === undefined) {
    json = JSON.stringify(subscriptionWire(sub, false));
    sub.json = json;
  }
  return json;
}

/** Shard object of Get/Update Conduit Shards. Unassigned shards read as a disconnected websocket with no session. */
export function shardWire(shard: Shard): WireShard {
  const t = shard.target;
  if (t === null) {
    return { id: shard.id, status: shard.status, transport: { method: 'websocket', session_id: '' } };
  }
  if (t.method === 'webhook') {
    return {
      id: shard.id,
      status: shard.status,
      transport: { method: 'webhook', callback: t.endpoint.callback },
    };
  }
  return {
    id: shard.id,
    status: shard.status,
    transport:
      t.disconnectedAt === undefined
        ? { method: 'websocket', session_id: t.session.id, connected_at: t.connectedAt }
        : {
            method: 'websocket',
            session_id: t.session.id,
            connected_at: t.connectedAt,
            disconnected_at: t.disconnectedAt,
          },
  };
}

/**
 * A `notification` or `revocation` WebSocket frame. `payloadJson` is the JSON of `event` (or of `events` for batched
 * types); it is ignored for revocations.
 */
export function wsMessageFrame(
  kind: OutboundKind,
  messageId: string,
  timestamp: string,
  sub: StoredSubscription,
  payloadJson: string,
): string {
  const member =
    kind === 'revocation' ? '' : sub.entry.batched ? ',"events":' + payloadJson : ',"event":' + payloadJson;
  return (
    '{"metadata":{"message_id":"' +
    messageId +
    '","message_type":"' +
    kind +
    '","message_timestamp":"' +
    timestamp +
    '","subscription_type":' +
    JSON.stringify(sub.type) +
    ',"subscription_version":' +
    JSON.stringify(sub.version) +
    '},"payload":{"subscription":' +
    subscriptionJson(sub) +
    member +
    '}}'
  );
}

/** Body of a webhook `notification`/`revocation` POST. */
export function webhookBody(kind: OutboundKind, sub: StoredSubscription, payloadJson: string): string {
  if (kind === 'revocation') return '{"subscription":' + subscriptionJson(sub) + '}';
  return (
    '{"subscription":' +
    subscriptionJson(sub) +
    (sub.entry.batched ? ',"events":' : ',"event":') +
    payloadJson +
    '}'
  );
}

/** A `session_welcome` or `session_reconnect` frame. */
export function sessionFrame(
  kind: 'session_welcome' | 'session_reconnect',
  messageId: string,
  timestamp: string,
  session: {
    id: string;
    connectedAt: string;
    keepaliveSeconds: number;
  },
  reconnectUrl: string | null,
): string {
  return JSON.stringify({
    metadata: { message_id: messageId, message_type: kind, message_timestamp: timestamp },
    payload: {
      session: {
        id: session.id,
        status: kind === 'session_welcome' ? 'connected' : 'reconnecting',
        connected_at: session.connectedAt,
        keepalive_timeout_seconds: kind === 'session_welcome' ? session.keepaliveSeconds : null,
        reconnect_url: reconnectUrl,
        recovery_url: null,
      },
    },
  });
}

/** A `session_keepalive` frame. */
export function keepaliveFrame(messageId: string, timestamp: string): string {
  return (
    '{"metadata":{"message_id":"' +
    messageId +
    '","message_type":"session_keepalive","message_timestamp":"' +
    timestamp +
    '"},"payload":{}}'
  );
}
