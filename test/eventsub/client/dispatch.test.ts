/**
 * The one dispatcher (src/eventsub/dispatch.ts) as every receiver uses it: a delivery of any transport dispatched
 * without reshaping, a receiver's tap sharing the listeners' envelope (a type the client acts on is converted once),
 * and the conduit client's `conduit.shard.disabled` over the emulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../../src/eventsub/client.js';
import { exampleNotification } from '../../../src/catalogue/examples.js';
import type { Notification, WireNotificationPayload } from '../../../src/catalogue/events.js';
import type { ConduitShardDisabledEvent } from '../../../src/catalogue/models/platform.js';
import { until } from '../../support/until.js';
import { Harness } from '../conduit/helpers.js';

/** A client fed by hand, with a tap on one type. */
class TapClient extends Client {
  readonly tapped: [Notification | null, string][] = [];

  constructor() {
    super();
    this.tapNotifications('channel.follow', (notification, _payload, shardId) => {
      this.tapped.push([notification, shardId]);
    });
  }

  protected onStart(): Promise<void> {
    return Promise.resolve();
  }

  protected onClose(): Promise<void> {
    return Promise.resolve();
  }

  deliver(messageId: string, payload: WireNotificationPayload, shardId: string): void {
    this.dispatchDelivery(messageId, new Date().toISOString(), payload, shardId);
  }
}

function payload(type: string, version: string): WireNotificationPayload {
  const example = exampleNotification(type, version);
  if (example === undefined) throw new Error(`no example for ${type}`);
  return structuredClone(example);
}

describe('one dispatcher', () => {
  it('dispatches a delivery as received (id, timestamp, payload): typed event, then notification, then the tap', () => {
    const client = new TapClient();
    const calls: string[] = [];
    let typedEnvelope: Notification | undefined;
    client.on('channel.follow', (_event, n) => {
      typedEnvelope = n;
      calls.push(`typed:${n.messageId}`);
    });
    client.on('notification', (n, shardId) => calls.push(`generic:${n.type}:${shardId}`));
    client.deliver('m-1', payload('channel.follow', '2'), 'webhook-3');
    expect(calls).toEqual(['typed:m-1', 'generic:channel.follow:webhook-3']);
    expect(client.tapped).toHaveLength(1);
    // The tap gets the very envelope the listeners got: one conversion per notification.
    expect(client.tapped[0]?.[0]).toBe(typedEnvelope);
    expect(client.tapped[0]?.[1]).toBe('webhook-3');
  });

  it('builds the model for a tap even when nobody listens, and for nobody when there is no tap', () => {
    const client = new TapClient();
    client.deliver('m-1', payload('channel.follow', '2'), '0');
    expect(client.tapped[0]?.[0]?.event).toMatchObject({ type: 'channel.follow', version: '2' });
    // A malformed event of another type with no listener and no tap is never converted, so never reported.
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const bad = payload('stream.online', '1');
    (bad as { event: unknown }).event = { broadcaster_user_id: 42 };
    client.deliver('m-2', bad, '0');
    expect(errors).toEqual([]);
  });

  it('reports a malformed event once and hands the tap null', () => {
    const client = new TapClient();
    const errors: [Error, string | undefined][] = [];
    client.on('error', (error, context) => errors.push([error, context]));
    const typed: unknown[] = [];
    client.on('channel.follow', (e) => typed.push(e));
    const bad = payload('channel.follow', '2');
    (bad as { event: unknown }).event = { user_id: 42 };
    client.deliver('m-1', bad, '0');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[0]).toMatchObject({ code: 'MALFORMED_EVENT' });
    expect(typed).toEqual([]);
    expect(client.tapped).toEqual([[null, '0']]);
  });
});

describe('conduit.shard.disabled', () => {
  const h = new Harness();
  afterEach(async () => {
    await h.close();
  });

  it('is converted once: conduitShardDisabled carries the model the typed listeners got', async () => {
    const emu = await h.start();
    const client = h.client({ conduitId: 'create', shardIds: [0, 1] });
    const typed: ConduitShardDisabledEvent[] = [];
    const lifecycle: ConduitShardDisabledEvent[] = [];
    client.on('conduit.shard.disabled', (event) => typed.push(event));
    client.on('conduitShardDisabled', (event) => lifecycle.push(event));
    await client.start();
    emu.closeSession(client.conduitInfo.websockets.get('1')!.sessionId!, 4005);
    await until(() => lifecycle.length === 1 && typed.length === 1, 'conduit.shard.disabled');
    expect(lifecycle[0]).toMatchObject({ shardId: '1', status: 'websocket_network_timeout' });
    expect(lifecycle[0]).toBe(typed[0]);
  });
});
