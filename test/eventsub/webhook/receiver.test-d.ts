import { describe, expectTypeOf, it } from 'vitest';
import type { ChannelFollowEvent } from '../../../src/catalogue/models/channel.js';
import type { Notification } from '../../../src/catalogue/events.js';
import {
  WebhookReceiver,
  type VerifyResult,
  type WebhookNotification,
  type WebhookRevocation,
  verifyEventSubMessage,
} from '../../../src/eventsub/webhook/index.js';

describe('WebhookReceiver types', () => {
  it('types events by subscription type, and the lifecycle events', () => {
    const receiver = new WebhookReceiver({ secret: 'a-very-good-secret' });
    receiver.on('channel.follow', (event, notification) => {
      expectTypeOf(event).toEqualTypeOf<ChannelFollowEvent>();
      expectTypeOf(notification).toEqualTypeOf<Notification<ChannelFollowEvent>>();
    });
    receiver.on('message', (m) => {
      expectTypeOf(m).toEqualTypeOf<WebhookNotification>();
      expectTypeOf(m.payload.subscription.type).toEqualTypeOf<string>();
    });
    receiver.on('revocation', (r) => {
      expectTypeOf(r).toEqualTypeOf<WebhookRevocation>();
    });
    // @ts-expect-error: not an event of the receiver
    receiver.on('channel.nope', () => undefined);
  });

  it('the verifier result is a discriminated union', () => {
    const r = verifyEventSubMessage({ headers: {}, rawBody: '', secret: 'a-very-good-secret' });
    expectTypeOf(r).toEqualTypeOf<VerifyResult>();
    if (r.ok) expectTypeOf(r.message.messageId).toBeString();
    else expectTypeOf(r.reason).toBeString();
  });
});
