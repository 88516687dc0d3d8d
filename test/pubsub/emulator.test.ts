import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ALL_SCOPES, startEmulator, userToken } from './helpers.js';
import type { Env } from './helpers.js';
import { until } from '../support/until.js';

let env: Env;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  env = await startEmulator({ listenDeadlineMs: 200, reconnectGraceMs: 300 });
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await env.close();
});

interface Client {
  ws: WebSocket;
  frames: Record<string, unknown>[];
  closed: Promise<number>;
  send(frame: unknown): void;
  next(predicate?: (f: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

async function connect(): Promise<Client> {
  const ws = new WebSocket(env.server.url);
  sockets.push(ws);
  const frames: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
    const index = waiters.findIndex((w) => w.predicate(frame));
    if (index === -1) frames.push(frame);
    else waiters.splice(index, 1)[0]?.resolve(frame);
  });
  const closed = new Promise<number>((resolve) =>
    ws.on('close', (code) => {
      resolve(code);
    }),
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    send: (frame) => {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    next: (predicate = () => true) => {
      const found = frames.find(predicate);
      if (found !== undefined) {
        frames.splice(frames.indexOf(found), 1);
        return Promise.resolve(found);
      }
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

const response = (nonce: string) => (f: Record<string, unknown>) =>
  f.type === 'RESPONSE' && f.nonce === nonce;

function listen(c: Client, nonce: string, topics: unknown, token: unknown): Promise<Record<string, unknown>> {
  c.send({ type: 'LISTEN', nonce, data: { topics, auth_token: token } });
  return c.next(response(nonce));
}

describe('PubSub server protocol', () => {
  it('answers PING with PONG, and stops when PONGs are turned off', async () => {
    const c = await connect();
    c.send({ type: 'PING' });
    expect(await c.next()).toEqual({ type: 'PONG' });
    env.server.setPongs(false);
    c.send({ type: 'PING' });
    c.send({ type: 'BOGUS', nonce: 'after' });
    // Frames are answered in order: the bogus frame's RESPONSE comes with no PONG before it.
    expect(await c.next()).toEqual({ type: 'RESPONSE', nonce: 'after', error: 'ERR_BADMESSAGE' });
  });

  it('LISTEN succeeds with a valid token and delivers published messages', async () => {
    const c = await connect();
    const token = userToken(env.platform, '42');
    expect(await listen(c, 'n1', ['channel-bits-events-v2.42', 'whispers.42'], token)).toEqual({
      type: 'RESPONSE',
      nonce: 'n1',
      error: '',
    });
    expect(env.server.publish('channel-bits-events-v2.42')).toBe(1);
    const message = await c.next((f) => f.type === 'MESSAGE');
    const data = message.data as { topic: string; message: string };
    expect(data.topic).toBe('channel-bits-events-v2.42');
    expect(JSON.parse(data.message)).toMatchObject({
      message_type: 'bits_event',
      data: { channel_id: '42' },
    });
    expect(env.server.connections()[0]?.topics.slice().sort()).toEqual([
      'channel-bits-events-v2.42',
      'whispers.42',
    ]);
  });

  it.each([
    ['malformed topic', ['channel-bits-events-v2.abc'], 'ERR_BADTOPIC'],
    ['unknown topic', ['video-playback.42'], 'ERR_BADTOPIC'],
    ['missing id', ['chat_moderator_actions.42'], 'ERR_BADTOPIC'],
    ['empty topics', [], 'ERR_BADMESSAGE'],
    ['topics not a list', 'channel-bits-events-v2.42', 'ERR_BADMESSAGE'],
  ])('%s → %s', async (_name, topics, error) => {
    const c = await connect();
    expect((await listen(c, 'x', topics, userToken(env.platform, '42'))).error).toBe(error);
  });

  it('ERR_BADAUTH for an unknown token, a missing scope, or another user', async () => {
    const c = await connect();
    expect((await listen(c, 'a', ['whispers.42'], 'not-a-token')).error).toBe('ERR_BADAUTH');
    expect((await listen(c, 'b', ['whispers.42'], undefined)).error).toBe('ERR_BADAUTH');
    const noScope = userToken(
      env.platform,
      '42',
      ALL_SCOPES.filter((s) => s !== 'whispers:read'),
    );
    expect((await listen(c, 'c', ['whispers.42'], noScope)).error).toBe('ERR_BADAUTH');
    expect((await listen(c, 'd', ['whispers.43'], userToken(env.platform, '42'))).error).toBe('ERR_BADAUTH');
    const app = env.platform.mintAppToken().accessToken;
    expect((await listen(c, 'e', ['whispers.42'], app)).error).toBe('ERR_BADAUTH');
    expect(env.server.connections()[0]?.topics).toEqual([]);
  });

  it('ERR_BADMESSAGE for non-JSON, unknown types and bad UNLISTEN', async () => {
    const c = await connect();
    c.send('{nope');
    expect(await c.next()).toEqual({ type: 'RESPONSE', error: 'ERR_BADMESSAGE' });
    c.send({ type: 'UNLISTEN', nonce: 'u', data: {} });
    expect((await c.next(response('u'))).error).toBe('ERR_BADMESSAGE');
  });

  it('enforces 50 topics per connection', async () => {
    const c = await connect();
    const token = userToken(env.platform, '42');
    const topics = Array.from({ length: 49 }, (_, i) => `chat_moderator_actions.42.${String(i + 1)}`);
    expect((await listen(c, 'a', topics, token)).error).toBe('');
    expect((await listen(c, 'b', ['whispers.42', 'channel-bits-events-v2.42'], token)).error).toBe(
      'ERR_BADMESSAGE',
    );
    // Re-listening to held topics does not count twice.
    expect((await listen(c, 'c', [topics[0], 'whispers.42'], token)).error).toBe('');
    expect(env.server.connections()[0]?.topics).toHaveLength(50);
  });

  it('UNLISTEN stops delivery', async () => {
    const c = await connect();
    await listen(c, 'a', ['whispers.42'], userToken(env.platform, '42'));
    c.send({ type: 'UNLISTEN', nonce: 'u', data: { topics: ['whispers.42'] } });
    expect((await c.next(response('u'))).error).toBe('');
    expect(env.server.publish('whispers.42')).toBe(0);
  });

  it('closes a connection that does not LISTEN in time', async () => {
    const c = await connect();
    expect(await c.closed).toBe(1000);
    await until(() => env.server.connections().length === 0);
  });

  it('keeps a connection that listened past the deadline', async () => {
    const c = await connect();
    await listen(c, 'a', ['whispers.42'], userToken(env.platform, '42'));
    const other = await connect();
    await other.closed; // the same deadline has passed for both
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('RECONNECT then close after the grace delay; drop closes at once', async () => {
    const c = await connect();
    await listen(c, 'a', ['whispers.42'], userToken(env.platform, '42'));
    const id = env.server.connections()[0]?.id ?? '';
    expect(env.server.reconnect(id)).toBe(1);
    expect(await c.next()).toEqual({ type: 'RECONNECT' });
    await c.closed;
    const d = await connect();
    await listen(d, 'a', ['whispers.42'], userToken(env.platform, '42'));
    expect(env.server.drop(env.server.connections()[0]?.id ?? '')).toBe(true);
    expect(await d.closed).toBe(1006);
    expect(env.server.drop('nope')).toBe(false);
  });

  it('a RECONNECTed connection stays subscribed and served for the grace delay: both sockets get every message', async () => {
    const token = userToken(env.platform, '42');
    const old = await connect();
    await listen(old, 'a', ['whispers.42'], token);
    expect(env.server.reconnect()).toBe(1);
    expect(await old.next()).toEqual({ type: 'RECONNECT' });
    expect(env.server.connections()[0]?.reconnecting).toBe(true);
    const fresh = await connect();
    expect((await listen(fresh, 'b', ['whispers.42'], token)).error).toBe('');
    // The old socket still answers PINGs and LISTENs while it lives.
    old.send({ type: 'PING' });
    expect(await old.next()).toEqual({ type: 'PONG' });
    expect((await listen(old, 'c', ['channel-bits-events-v2.42'], token)).error).toBe('');
    expect(env.server.publish('whispers.42', { n: 1 })).toBe(2);
    for (const c of [old, fresh]) {
      const message = await c.next((f) => f.type === 'MESSAGE');
      expect(message.data).toEqual({ topic: 'whispers.42', message: '{"n":1}' });
    }
    expect(await old.closed).toBe(1000);
    await until(() => env.server.connections().length === 1);
    expect(env.server.connections()[0]?.reconnecting).toBe(false);
    expect(env.server.publish('whispers.42', { n: 2 })).toBe(1);
    expect((await fresh.next((f) => f.type === 'MESSAGE')).data).toEqual({
      topic: 'whispers.42',
      message: '{"n":2}',
    });
  });

  it('refuses new connections with 503 while not accepting; open ones are untouched', async () => {
    const open = await connect();
    env.server.setAccepting(false);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(env.server.url);
      ws.on('error', () => undefined);
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
    });
    expect(status).toBe(503);
    expect(open.ws.readyState).toBe(WebSocket.OPEN);
    env.server.setAccepting(true);
    await connect();
    expect(env.server.connections()).toHaveLength(2);
  });

  it('disconnects a reader with more than 30 unsent messages', async () => {
    const c = await connect();
    await listen(c, 'a', ['whispers.42'], userToken(env.platform, '42'));
    // Stop reading: the kernel buffers fill up and the server's writes stop completing.
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = JSON.stringify({ type: 'whisper_received', data: 'x'.repeat(60_000) });
    for (let i = 0; i < 400 && env.server.connections().length > 0; i++) {
      env.server.publish('whispers.42', big);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => env.server.connections().length === 0);
  });
});

describe('PubSub control routes', () => {
  async function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${env.platform.baseUrl}/_emulator/pubsub/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  it('publish, connections, reconnect, pongs, drop', async () => {
    const c = await connect();
    await listen(c, 'a', ['chat_moderator_actions.42.7'], userToken(env.platform, '42'));
    const published = await post('publish', { topic: 'chat_moderator_actions.42.7', variant: 'ban' });
    expect(await published.json()).toEqual({ delivered: 1 });
    const message = await c.next((f) => f.type === 'MESSAGE');
    expect(JSON.parse((message.data as { message: string }).message)).toMatchObject({
      data: { moderation_action: 'ban' },
    });
    const listed = (await (await fetch(`${env.platform.baseUrl}/_emulator/pubsub/connections`)).json()) as {
      data: { id: string; topics: string[] }[];
    };
    expect(listed.data[0]?.topics).toEqual(['chat_moderator_actions.42.7']);
    expect((await post('publish', { topic: 'bad topic' })).status).toBe(400);
    expect((await post('publish', { topic: 'whispers.1', message: 5 })).status).toBe(400);
    expect((await post('pongs', { enabled: 'no' })).status).toBe(400);
    expect((await post('pongs', { enabled: false })).status).toBe(204);
    expect((await post('accepting', { enabled: 1 })).status).toBe(400);
    expect((await post('accepting', { enabled: false })).status).toBe(204);
    await expect(connect()).rejects.toThrow(/503/);
    expect((await post('accepting', { enabled: true })).status).toBe(204);
    expect((await post('reconnect', { connection_id: 'missing' })).status).toBe(404);
    expect(await (await post('reconnect', {})).json()).toEqual({ reconnecting: 1 });
    expect(await c.next()).toEqual({ type: 'RECONNECT' });
    expect((await post('drop', { connection_id: listed.data[0]?.id })).status).toBe(204);
    await c.closed;
  });
});
