/**
 * Subscription types or versions the catalogue does not know, arriving at runtime, still
 * reach the generic `notification` event with the raw payload, and never an exception, an `error` event or a typed
 * handler of another version.
 */
import { describe, expect, it } from 'vitest';
import { Client } from '../../../src/eventsub/client.js';
import { exampleNotification } from '../../../src/catalogue/examples.js';
import type { Notification } from '../../../src/catalogue/events.js';
import type { WireNotificationMessage } from '../../../src/protocol/eventsub.js';

class FeedClient extends Client {
  protected onStart(): Promise<void> {
    return Promise.resolve();
  }

  protected onClose(): Promise<void> {
    return Promise.resolve();
  }

  feed(message: WireNotificationMessage, shardId: string): void {
    this.dispatchNotification(message, shardId);
  }
}

/** A notification built from the channel.follow v2 example, relabelled as `type`/`version` with `event`. */
function relabelled(type: string, version: string, event: unknown, id: string): WireNotificationMessage {
  const example = exampleNotification('channel.follow', '2');
  if (example === undefined) throw new Error('no channel.follow example');
  return {
    metadata: {
      message_id: id,
      message_type: 'notification',
      message_timestamp: new Date().toISOString(),
      subscription_type: type,
      subscription_version: version,
    },
    payload: { subscription: { ...example.subscription, type, version }, event },
  };
}

describe('unknown subscription types at runtime', () => {
  it('reach `notification` with the raw payload; no error, no typed handler', () => {
    const client = new FeedClient();
    const generic: [Notification, string][] = [];
    const typed: unknown[] = [];
    const errors: Error[] = [];
    client.on('notification', (n, shardId) => generic.push([n, shardId]));
    client.on('channel.follow', (e) => typed.push(e));
    client.on('error', (e) => errors.push(e));

    const future = { brand_new_field: 'x', nested: { ids: ['1', '2'] } };
    const changed = { user_id: '1', followed_at: 'not a date in v99' };
    expect(() => {
      client.feed(relabelled('channel.future_thing', '1', future, 'm-future'), '2');
      client.feed(relabelled('channel.follow', '99', changed, 'm-v99'), '0');
    }).not.toThrow();

    expect(errors).toEqual([]);
    expect(typed).toEqual([]); // v99 is not v2: the v2 handler must not see a shape it cannot describe
    expect(generic.map(([n, shard]) => [n.type, n.version, n.messageId, shard])).toEqual([
      ['channel.future_thing', '1', 'm-future', '2'],
      ['channel.follow', '99', 'm-v99', '0'],
    ]);
    for (const [n] of generic) expect(n.event).toBeUndefined();
    expect(generic[0]![0].raw.event).toEqual(future);
    expect(generic[1]![0].raw.event).toEqual(changed);
  });
});
