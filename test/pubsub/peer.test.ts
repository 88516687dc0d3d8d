import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { PubSubPool, whispers } from '../../src/pubsub/index.js';
import { newEvents, next } from './helpers.js';

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
