/**
 * Scenario `failWebhookDeliveries`: a webhook delivery attempt fails (the answer is lost or late), so Twitch sends
 * the same message again (same id, `Twitch-Eventsub-Message-Retry` 1). A correct receiver answers the retry 2XX
 * and does not dispatch it a second time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../src/eventsub/webhook/index.js';
import { HttpWebhookTransport } from '../../../src/emulator/webhook/http-transport.js';
import { failWebhookDeliveries } from '../../../src/testing/index.js';
import { appToken, Fixtures, helix, startEmulator } from '../../support/emulator.js';
import { until } from '../../support/until.js';

const SECRET = 'scenario-webhook-secret';
const fixtures = new Fixtures();
afterEach(() => fixtures.close());

async function webhookSubscription() {
  const receiver = fixtures.track(new WebhookReceiver({ secret: SECRET }));
  const listener = await receiver.listen({ port: 0, host: '127.0.0.1' });
  const transport = new HttpWebhookTransport({ retryDelaysMs: [5], failureThreshold: 3, timeoutMs: 2000 });
  const emu = fixtures.track(
    await startEmulator({ allowInsecureWebhooks: true, webhookTransport: transport }),
  );
  fixtures.track(transport);
  emu.mintUserToken({ userId: '1337', scopes: [] });
  const res = await helix(emu, 'POST', '/eventsub/subscriptions', appToken(emu), {
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: '1337' },
    transport: { method: 'webhook', callback: `${listener.url}/eventsub`, secret: SECRET },
  });
  expect(res.status).toBe(202);
  await until(() => emu.state().subscriptions[0]?.status === 'enabled', 'the verified subscription');
  const handled: string[] = [];
  const duplicates: { id: string; retry: number }[] = [];
  receiver.on('notification', (n) => handled.push(n.messageId));
  receiver.on('duplicate', (m) => duplicates.push({ id: m.messageId, retry: m.retry }));
  return { emu, transport, handled, duplicates };
}

describe('failWebhookDeliveries', () => {
  it('the retry comes with the same message id; the WebhookReceiver answers it and handles the event once', async () => {
    const { emu, transport, handled, duplicates } = await webhookSubscription();
    const failed = failWebhookDeliveries(emu, { count: 1 });
    emu.trigger({ type: 'stream.online' });
    const { messageIds, complete } = await failed;
    expect(complete).toBe(true);
    expect(messageIds).toHaveLength(1);
    await until(() => transport.pending === 0, 'the retry answered');
    expect(handled).toEqual(messageIds);
    expect(duplicates).toEqual([{ id: messageIds[0], retry: 1 }]);
    expect(transport.stats).toMatchObject({ retries: 1, failures: 0 });
    expect(emu.state().subscriptions[0]?.status).toBe('enabled');
  });

  it('failures up to the threshold revoke the subscription (notification_failures_exceeded)', async () => {
    const { emu, transport, handled } = await webhookSubscription();
    const failed = failWebhookDeliveries(emu, { count: 3 });
    emu.trigger({ type: 'stream.online' });
    const { messageIds } = await failed;
    expect(new Set(messageIds).size).toBe(1);
    await until(() => emu.state().subscriptions[0]?.status === 'notification_failures_exceeded', 'revoked');
    expect(handled).toHaveLength(1);
    expect(transport.stats.failures).toBe(1);
  });

  it('refuses a malformed input naming the field', async () => {
    const { emu } = await webhookSubscription();
    await expect(failWebhookDeliveries(emu, { count: 0 })).rejects.toMatchObject({ field: 'count' });
    await expect(
      failWebhookDeliveries(emu, { count: 1, callback: 5 as unknown as string }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'callback' });
  });
});
