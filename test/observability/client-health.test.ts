/**
 * `health()` of the WebSocketClient, the WebhookReceiver and the PubSubPool over the real emulator: ready once
 * started (subscribed, listening), not ready where the definition says, neither live nor ready after close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../src/core/emitter.js';
import { WebhookReceiver } from '../../src/eventsub/webhook/receiver.js';
import { PubSubPool } from '../../src/pubsub/pool.js';
import type { PubSubEvents } from '../../src/pubsub/events.js';
import { whispers } from '../../src/pubsub/topics.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { until } from '../support/until.js';

let twitch: TestTwitch | undefined;
afterEach(async () => {
  await twitch?.close();
  twitch = undefined;
});

const CLOSED = { live: false, ready: false, reasons: ['client closed'] };
const OK = { live: true, ready: true, reasons: [] };

describe('health() of the other clients', () => {
  it('WebSocketClient: not started, ready once started and subscribed, closed', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const { broadcaster, moderator } = t.users;
    const client = t.webSocketClient({ userId: moderator.id });
    client.on('error', () => undefined);
    expect(client.health()).toEqual({ live: true, ready: false, reasons: ['not started'] });
    await client.start();
    await client.subscribe({
      type: 'channel.follow',
      version: '2',
      condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
    });
    expect(client.health()).toEqual(OK);
    await client.close();
    expect(client.health()).toEqual(CLOSED);
  });

  it('WebhookReceiver: ready while its listener listens, closed', async () => {
    const receiver = new WebhookReceiver({ secret: 'a-webhook-secret-of-some-length' });
    expect(receiver.health()).toEqual(OK);
    const listener = await receiver.listen({ port: 0 });
    expect(receiver.health()).toEqual(OK);
    await receiver.close();
    expect(receiver.health()).toEqual(CLOSED);
    expect(listener.port).toBeGreaterThan(0);
  });

  it('PubSubPool: ready with its topic LISTENed, not ready once its connection is closed for good, closed', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const emu = t.emulator;
    const { accessToken } = emu.mintUserToken({ userId: '1337', scopes: ['whispers:read'] });
    const pool = new PubSubPool(new TypedEmitter<PubSubEvents>(), { url: emu.clientOptions().pubSubUrl });
    try {
      await pool.subscribeTopics([whispers(accessToken, '1337')]);
      expect(pool.health()).toEqual(OK);
      const connection = pool.connections[0];
      if (connection === undefined) throw new Error('no connection');
      connection.close();
      await until(() => !pool.health().ready, { what: 'not ready' });
      expect(pool.health()).toEqual({
        live: true,
        ready: false,
        reasons: ['topics on a connection closed for good: 1'],
      });
    } finally {
      await pool.close();
    }
    expect(pool.health()).toEqual(CLOSED);
  });
});
