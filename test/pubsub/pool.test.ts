import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  PoolFullError,
  PubSubConnectionError,
  PubSubPool,
  PubSubResponseError,
  ReconnectHookLimitError,
  TopicGroupTooLargeError,
  bits,
  bitsBadge,
  channelPoints,
  channelSubscriptions,
  moderationUserAction,
  whispers,
} from '../../src/pubsub/index.js';
import type { PubSubConnection, PubSubPoolOptions, Topic } from '../../src/pubsub/index.js';
import { newEvents, next, startEmulator, userToken } from './helpers.js';
import type { Env } from './helpers.js';
import { until } from '../support/until.js';

let env: Env;
let events: ReturnType<typeof newEvents>;
const pools: PubSubPool[] = [];
const FAST = { backoff: { initialMs: 5, maxMs: 40, jitterMs: 5 } } as const;

function pool(options: PubSubPoolOptions = {}): PubSubPool {
  const p = new PubSubPool(events, { url: env.server.url, ...FAST, ...options });
  pools.push(p);
  return p;
}

/** Topics of moderator 42 on channels from..from+count-1 (one token, distinct topics). */
function modTopics(token: string, from: number, count: number): Topic[] {
  return Array.from({ length: count }, (_, i) => moderationUserAction(token).with(42, from + i));
}

beforeEach(async () => {
  env = await startEmulator();
  events = newEvents();
});
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
  await env.close();
});

describe('placement', () => {
  it('reuses connections: 120 single-topic calls use 3 connections', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    for (const topic of modTopics(token, 1, 120)) await p.subscribeTopics([topic]);
    expect(p.connections).toHaveLength(3);
    expect(
      env.server
        .connections()
        .map((c) => c.topics.length)
        .sort(),
    ).toEqual([20, 50, 50]);
    expect(p.topics).toHaveLength(120);
  });

  it('reuses connections for concurrent calls too', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    await Promise.all(modTopics(token, 1, 40).map((t) => p.subscribeTopics([t])));
    expect(env.server.connections()).toHaveLength(1);
    expect(env.server.connections()[0]?.topics).toHaveLength(40);
  });

  it('keeps the topics of one call together', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    await p.subscribeTopics(modTopics(token, 1, 30));
    await p.subscribeTopics(modTopics(token, 101, 30));
    await p.subscribeTopics(modTopics(token, 201, 20));
    const sizes = env.server.connections().map((c) => c.topics);
    expect(sizes).toHaveLength(2);
    const first = sizes.find((t) => t.includes('chat_moderator_actions.42.1'));
    expect(first).toHaveLength(50);
    expect(first).toContain('chat_moderator_actions.42.201');
  });

  it('throws PoolFullError when every connection is full and the pool is at its size', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ maxPoolSize: 2, maxConnectionTopics: 2 });
    await p.subscribeTopics(modTopics(token, 1, 2));
    await p.subscribeTopics(modTopics(token, 3, 2));
    const error = await p.subscribeTopics(modTopics(token, 5, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolFullError);
    expect((error as PoolFullError).code).toBe('PUBSUB_POOL_FULL');
    expect(env.server.connections()).toHaveLength(2);
    expect(p.topics).toHaveLength(4);
  });

  it('rejects an oversized group before connecting', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ maxConnectionTopics: 5 });
    await expect(p.subscribeTopics(modTopics(token, 1, 6))).rejects.toBeInstanceOf(TopicGroupTooLargeError);
    expect(p.connections).toHaveLength(0);
    expect(env.server.connections()).toHaveLength(0);
  });

  it('rejects topics with missing ids and never sends them', async () => {
    const p = pool();
    const error = await p
      .subscribeTopics([moderationUserAction(userToken(env.platform, '42')).with(42)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('PUBSUB_TOPIC_INCOMPLETE');
    expect(env.server.connections()).toHaveLength(0);
  });

  it('skips topics already subscribed with the same token', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    await p.subscribeTopics([whispers(token).with(42)]);
    await p.subscribeTopics([whispers(token).with(42), bits(token).with(42)]);
    expect(p.topics.map(String).sort()).toEqual(['channel-bits-events-v2.42', 'whispers.42']);
    expect(p.connections).toHaveLength(1);
  });

  it('fails cleanly when the server cannot be reached', async () => {
    const p = new PubSubPool(events, { url: 'ws://127.0.0.1:1', ...FAST });
    pools.push(p);
    const error = await p.subscribeTopics([whispers('sometoken', 1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PubSubConnectionError);
    expect((error as PubSubConnectionError).code).toBe('PUBSUB_CONNECT_FAILED');
    expect(p.connections).toHaveLength(0);
    expect(p.topics).toHaveLength(0);
  });
});

describe('unsubscribe and close', () => {
  it('frees room, closes empty connections, and stops delivery', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ maxConnectionTopics: 3 });
    const a = modTopics(token, 1, 3);
    const b = modTopics(token, 11, 2);
    await p.subscribeTopics(a);
    await p.subscribeTopics(b);
    expect(p.connections).toHaveLength(2);
    await p.unsubscribeTopics([a[0]!]);
    await p.subscribeTopics(modTopics(token, 21, 1));
    expect(p.connections).toHaveLength(2); // the freed slot was reused
    await p.unsubscribeTopics(b);
    expect(p.connections).toHaveLength(1);
    await until(() => env.server.connections().length === 1);
    expect(env.server.publish(String(b[0]))).toBe(0);
    await p.unsubscribeTopics(b); // unknown topics are ignored
    await p.close();
    expect(p.connections).toHaveLength(0);
    await until(() => env.server.connections().length === 0);
    await expect(p.subscribeTopics(a)).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
  });
});

describe('auth failures', () => {
  it('removes the topics of a BADAUTH LISTEN and passes exactly them to authFailHook', async () => {
    const good = userToken(env.platform, '42');
    const badTopics = [whispers('invalid-token').with(42), bits('invalid-token').with(42)];
    const hooked: Topic[][] = [];
    const p = pool({ authFailHook: (topics) => hooked.push(topics) });
    const errorEvent = next(events, 'pubsub_error');
    const error = await p.subscribeTopics([bitsBadge(good).with(42), ...badTopics]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PubSubResponseError);
    expect((error as PubSubResponseError).error).toBe('ERR_BADAUTH');
    expect(hooked).toHaveLength(1);
    expect(hooked[0]?.map(String).sort()).toEqual(['channel-bits-events-v2.42', 'whispers.42']);
    expect(hooked[0]?.every((t) => t.token === 'invalid-token')).toBe(true);
    expect(p.topics.map(String)).toEqual(['channel-bits-badge-unlocks.42']);
    const [emitted, raw] = await errorEvent;
    expect(emitted).toBe(error);
    expect(raw).toMatchObject({ type: 'RESPONSE', error: 'ERR_BADAUTH' });
  });

  it('a subclass hook can fix the tokens and subscribe again', async () => {
    const fixed = userToken(env.platform, '42');
    class FixingPool extends PubSubPool {
      readonly resubscribed: Promise<void>;
      #done!: () => void;
      constructor() {
        super(events, { url: env.server.url, ...FAST });
        this.resubscribed = new Promise((resolve) => (this.#done = resolve));
      }
      override async authFailHook(topics: Topic[]): Promise<void> {
        await this.subscribeTopics(topics.map((t) => t.withToken(fixed)));
        this.#done();
      }
    }
    const p = new FixingPool();
    pools.push(p);
    await expect(p.subscribeTopics([whispers('expired-token').with(42)])).rejects.toBeInstanceOf(
      PubSubResponseError,
    );
    await p.resubscribed;
    expect(p.topics.map((t) => [String(t), t.token])).toEqual([['whispers.42', fixed]]);
    expect(env.server.publish('whispers.42')).toBe(1);
  });

  it('other LISTEN errors also leave nothing registered', async () => {
    const token = userToken(env.platform, '42', ['chat:read']);
    const p = pool();
    const error = await p.subscribeTopics([bits(token).with(43)]).catch((e: unknown) => e);
    expect((error as PubSubResponseError).error).toBe('ERR_BADAUTH');
    expect(p.topics).toEqual([]);
    expect(p.connections).toHaveLength(0);
  });
});

describe('messages', () => {
  it('dispatches every modelled topic and the generic event', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    await p.subscribeTopics([
      bits(token).with(42),
      bitsBadge(token).with(42),
      channelPoints(token).with(42),
      channelSubscriptions(token).with(42),
      moderationUserAction(token).with(42, 7),
      whispers(token).with(42),
    ]);
    const generic: string[] = [];
    events.on('pubsub_message', (m) => generic.push(m.topic));
    const got = Promise.all([
      next(events, 'pubsub_bits'),
      next(events, 'pubsub_bits_badge'),
      next(events, 'pubsub_channel_points'),
      next(events, 'pubsub_subscription'),
      next(events, 'pubsub_moderation'),
      next(events, 'pubsub_whisper'),
    ]);
    for (const topic of p.topics) expect(env.server.publish(String(topic))).toBe(1);
    const [[b], [badge], [points], [sub], [mod], [whisper]] = await got;
    expect(b.channelId).toBe('42');
    expect(badge.badgeTier).toBe(1000);
    expect(points.reward.title).toBe('Hydrate');
    expect(sub.context).toBe('resub');
    expect(mod.kind).toBe('moderation_action');
    expect(whisper.recipient.id).toBe('42');
    expect(generic).toHaveLength(6);
  });

  it('turns a malformed payload into pubsub_error plus pubsub_message', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    await p.subscribeTopics([bits(token).with(42)]);
    const bitsEvents: unknown[] = [];
    events.on('pubsub_bits', (e) => bitsEvents.push(e));
    const both = Promise.all([next(events, 'pubsub_error'), next(events, 'pubsub_message')]);
    env.server.publish('channel-bits-events-v2.42', { data: { bits_used: 'many' } });
    const [[error, raw], [message]] = await both;
    expect(error.code).toBe('PUBSUB_UNEXPECTED_PAYLOAD');
    expect(raw).toBe('{"data":{"bits_used":"many"}}');
    expect(message.data).toEqual({ data: { bits_used: 'many' } });
    expect(bitsEvents).toEqual([]);
  });

  it('a throwing listener does not break the connection', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    await p.subscribeTopics([bits(token).with(42)]);
    const errors: unknown[] = [];
    events.on('error' as never, (e: unknown) => errors.push(e));
    events.on('pubsub_bits', () => {
      throw new Error('listener bug');
    });
    const second = next(events, 'pubsub_message', (m) => (m.data as { n?: number }).n === 2);
    env.server.publish('channel-bits-events-v2.42');
    env.server.publish('channel-bits-events-v2.42', { n: 2 });
    await second;
    expect(p.connections[0]?.state).toBe('open');
  });
});

describe('reconnects', () => {
  it('RECONNECT: calls reconnectHook and re-LISTENs its edited topics', async () => {
    const token = userToken(env.platform, '42');
    const calls: { connection: PubSubConnection; topics: string[] }[] = [];
    const p = pool({
      reconnectHook: (connection, topics) => {
        calls.push({ connection, topics: topics.map(String).sort() });
        return [...topics.filter((t) => t.name !== 'whispers'), channelPoints(token).with(42)];
      },
    });
    await p.subscribeTopics([bits(token).with(42), whispers(token).with(42)]);
    const firstId = env.server.connections()[0]?.id;
    expect(env.server.reconnect()).toBe(1);
    await until(() => env.server.connections().some((c) => c.id !== firstId && c.topics.length === 2));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.topics).toEqual(['channel-bits-events-v2.42', 'whispers.42']);
    expect(calls[0]?.connection).toBe(p.connections[0]);
    const server = env.server.connections().find((c) => c.id !== firstId);
    expect(server?.topics.slice().sort()).toEqual([
      'channel-bits-events-v2.42',
      'channel-points-channel-v1.42',
    ]);
    expect(p.topics.map(String).sort()).toEqual([
      'channel-bits-events-v2.42',
      'channel-points-channel-v1.42',
    ]);
    const points = next(events, 'pubsub_channel_points');
    env.server.publish('channel-points-channel-v1.42');
    expect((await points)[0].channelId).toBe('42');
  });

  it('server close: reconnects with backoff and gets every topic back', async () => {
    const token = userToken(env.platform, '42');
    const p = pool();
    const topics = modTopics(token, 1, 10);
    await p.subscribeTopics(topics);
    const firstId = env.server.connections()[0]?.id ?? '';
    expect(env.server.drop(firstId)).toBe(true);
    await until(() => env.server.connections().some((c) => c.id !== firstId && c.topics.length === 10));
    await until(() => p.connections[0]?.state === 'open');
    const moderation = next(events, 'pubsub_moderation');
    expect(env.server.publish('chat_moderator_actions.42.5')).toBe(1);
    expect((await moderation)[0].topic).toBe('chat_moderator_actions.42.5');
  });

  it('BADAUTH on re-LISTEN: authFailHook gets the topics and the emptied connection closes', async () => {
    const token = userToken(env.platform, '42');
    const hooked: Topic[][] = [];
    const p = pool({
      reconnectHook: (_c, topics) => topics.map((t) => t.withToken('revoked-token')),
      authFailHook: (topics) => hooked.push(topics),
    });
    const nonces: string[] = [];
    events.on('pubsub_nonce', (r) => nonces.push(r.error));
    await p.subscribeTopics([whispers(token).with(42), bits(token).with(42)]);
    expect(nonces).toEqual(['']);
    env.server.reconnect();
    await until(() => hooked.length === 1);
    expect(hooked[0]?.map(String).sort()).toEqual(['channel-bits-events-v2.42', 'whispers.42']);
    expect(nonces).toEqual(['', 'ERR_BADAUTH']);
    expect(p.connections).toHaveLength(0);
    expect(p.topics).toEqual([]);
    await until(() => env.server.connections().length === 0);
  });

  it('enforces the topic cap on what reconnectHook returns', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({
      maxConnectionTopics: 3,
      reconnectHook: (_c, topics) => [...topics, ...modTopics(token, 100, 3)],
    });
    await p.subscribeTopics(modTopics(token, 1, 2));
    const limit = next(events, 'pubsub_error', (e) => e instanceof ReconnectHookLimitError);
    env.server.reconnect();
    const [error] = await limit;
    if (!(error instanceof ReconnectHookLimitError)) throw new Error('expected a ReconnectHookLimitError');
    expect(error.dropped.map(String)).toEqual([
      'chat_moderator_actions.42.101',
      'chat_moderator_actions.42.102',
    ]);
    await until(() => env.server.connections().some((c) => c.topics.length === 3));
    expect(p.topics).toHaveLength(3);
  });

  it('a hook that throws keeps the current topics and reports the failure', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({
      reconnectHook: () => {
        throw new Error('hook bug');
      },
    });
    await p.subscribeTopics([whispers(token).with(42)]);
    const firstId = env.server.connections()[0]?.id;
    const failure = next(events, 'pubsub_error', (e) => e.code === 'PUBSUB_HOOK_FAILED');
    env.server.reconnect();
    await failure;
    await until(() => env.server.connections().some((c) => c.id !== firstId && c.topics.length === 1));
  });

  it('PONG timeout: reconnects when no PONG comes; PONGs are reported', async () => {
    const token = userToken(env.platform, '42');
    const p = pool({ pingIntervalMs: 20, pingJitterMs: 5, pongTimeoutMs: 30 });
    const pong = next(events, 'pubsub_pong');
    await p.subscribeTopics([whispers(token).with(42)]);
    expect((await pong)[0]).toBe(p.connections[0]);
    const firstId = env.server.connections()[0]?.id;
    env.server.setPongs(false);
    const [timeout] = await next(events, 'pubsub_error', (e) => e.code === 'PUBSUB_PONG_TIMEOUT');
    expect(timeout).toBeInstanceOf(PubSubConnectionError);
    env.server.setPongs(true);
    await until(() => env.server.connections().some((c) => c.id !== firstId && c.topics.length === 1));
    await until(() => env.server.connections().length === 1);
  });
});

describe('options and sinks', () => {
  it('validates options', () => {
    expect(() => new PubSubPool(events, { maxPoolSize: 0 })).toThrow(InvalidArgumentError);
    expect(() => new PubSubPool(events, { pingIntervalMs: 300_000 })).toThrow(/pingIntervalMs/);
    expect(() => new PubSubPool(events, { mode: 'fill' as 'group' })).toThrow(/mode/);
    expect(() => new PubSubPool({} as never)).toThrow(/emit/);
  });

  it("warns once about Twitch's shut-down endpoint", () => {
    // Captured, not printed: the test run's output shows results only. Users still get the process warning.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      pools.push(new PubSubPool(events), new PubSubPool(events));
      const shutdown = emitWarning.mock.calls.filter(
        ([, options]) =>
          (options as { code?: string } | undefined)?.code === 'TWITCH_REALTIME_PUBSUB_SHUTDOWN',
      );
      expect(shutdown).toHaveLength(1);
      expect(String(shutdown[0]?.[0])).toMatch(/EventSub/);
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('close during the handshake', () => {
  it('rejects a pending subscribeTopics with PUBSUB_CLOSED when close() comes before the handshake ends', async () => {
    // A server that takes the upgrade request and never answers it: the socket stays in its handshake.
    const upgrades: Duplex[] = [];
    const server = createServer();
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      upgrades.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const p = new PubSubPool(events, { url: `ws://127.0.0.1:${port}`, ...FAST });
      const subscribing = p.subscribeTopics([bits(userToken(env.platform, '42'), 42)]);
      const outcome = subscribing.then(
        () => 'resolved',
        (error: unknown) => (error instanceof PubSubConnectionError ? error.code : 'other'),
      );
      await until(() => upgrades.length === 1);
      await p.close();
      expect(await outcome).toBe('PUBSUB_CLOSED');
    } finally {
      for (const socket of upgrades) socket.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
