import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { PubSubPool, whispers } from '../../src/pubsub/index.js';
import { newEvents, next } from './helpers.js';
import { until } from '../support/until.js';

// A misbehaving PubSub-compatible peer (not our emulator): it acknowledges LISTENs, then sends odd frames.
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (wss === undefined) resolve();
    else
      wss.close(() => {
        resolve();
      });
  });
  wss = undefined;
});

const ODD_FRAMES = [
  'not json',
  'null',
  '42',
  '{"type":"WHAT"}',
  '{"type":"MESSAGE","data":null}',
  '{"type":"MESSAGE","data":{"topic":5,"message":"{}"}}',
  '{"type":"RESPONSE","error":""}',
];

it('survives odd frames from a peer: each becomes pubsub_error, the connection stays up', async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss?.once('listening', resolve));
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; nonce?: string };
      if (frame.type !== 'LISTEN') return;
      ws.send(JSON.stringify({ type: 'RESPONSE', nonce: frame.nonce, error: '' }));
      for (const odd of ODD_FRAMES) ws.send(odd);
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send(
        JSON.stringify({ type: 'MESSAGE', data: { topic: 'whispers.1', message: '{"type":"thread"}' } }),
      );
    });
  });
  const port = (wss.address() as AddressInfo).port;
  const events = newEvents();
  const errors: string[] = [];
  events.on('pubsub_error', (e) => errors.push(e.code));
  const pool = new PubSubPool(events, { url: `ws://127.0.0.1:${String(port)}` });
  try {
    const last = next(events, 'pubsub_message');
    await pool.subscribeTopics([whispers('token', 1)]);
    const [message] = await last;
    expect(message).toEqual({ topic: 'whispers.1', topicName: 'whispers', data: { type: 'thread' } });
    expect(errors).toEqual(Array<string>(ODD_FRAMES.length + 1).fill('PUBSUB_UNEXPECTED_FRAME'));
    expect(pool.connections[0]?.state).toBe('open');
  } finally {
    await pool.close();
  }
});

it('RECONNECT whose new socket never answers its LISTEN: the old socket is kept, then the backoff takes over', async () => {
  // Connection 1 is told to RECONNECT; connection 2 never answers LISTEN; connection 3 (after 1 closes) works.
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss = server;
  await new Promise((resolve) => server.once('listening', resolve));
  const sockets: WebSocket[] = [];
  const closed: number[] = [];
  server.on('connection', (ws) => {
    const index = sockets.push(ws);
    ws.on('close', () => closed.push(index));
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; nonce?: string };
      if (frame.type === 'PING') ws.send('{"type":"PONG"}');
      if (frame.type !== 'LISTEN' || index === 2) return;
      ws.send(JSON.stringify({ type: 'RESPONSE', nonce: frame.nonce, error: '' }));
      if (index === 1) ws.send('{"type":"RECONNECT"}');
    });
  });
  const port = (server.address() as AddressInfo).port;
  const events = newEvents();
  const pool = new PubSubPool(events, {
    url: `ws://127.0.0.1:${String(port)}`,
    responseTimeoutMs: 30,
    backoff: { initialMs: 5, maxMs: 20, jitterMs: 1 },
  });
  const send = (index: number, n: number): void => {
    sockets[index - 1]?.send(
      JSON.stringify({ type: 'MESSAGE', data: { topic: 'whispers.1', message: JSON.stringify({ n }) } }),
    );
  };
  try {
    const received: number[] = [];
    events.on('pubsub_message', (m) => received.push((m.data as { n: number }).n));
    const timeout = next(events, 'pubsub_error', (e) => e.code === 'PUBSUB_RESPONSE_TIMEOUT');
    await pool.subscribeTopics([whispers('token', 1)]);
    await timeout;
    await until(() => closed.includes(2));
    expect(closed).toEqual([2]); // the new socket was dropped, the old one kept
    send(1, 1);
    await until(() => received.length === 1);
    expect(pool.connections[0]?.state).toBe('open');
    sockets[0]?.close(); // the end of the grace period
    await until(() => sockets.length === 3 && pool.connections[0]?.state === 'open');
    send(3, 2);
    await until(() => received.length === 2);
    expect(received).toEqual([1, 2]);
  } finally {
    await pool.close();
  }
});
