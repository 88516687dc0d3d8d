/**
 * WebhookReceiver metrics against the emulator, over real HTTP: deliveries by outcome (accepted, duplicate, a bad
 * signature, a stale timestamp, a malformed body), notifications per type, lag, a revocation by status, a handler
 * error; and the AutoClient's webhook shards counting their duplicates in `twitch_realtime_eventsub_duplicates_total`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_CHANNELS, type WebhookDeliveryMessage } from '../../src/core/diagnostics.js';
import { toPrometheusText } from '../../src/core/metrics.js';
import { WebhookReceiver } from '../../src/eventsub/webhook/index.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { onlineBody, post, signedHeaders } from '../eventsub/webhook/helpers.js';
import { until } from '../support/until.js';
import { value } from './metric-value.js';
import { parsePrometheus } from './prometheus-parser.js';

const SECRET = 'a-webhook-secret-for-metrics';
let twitch: TestTwitch | undefined;
afterEach(async () => {
  await twitch?.close();
  twitch = undefined;
});

async function webhookClient(metrics?: boolean) {
  const t = await startTestTwitch();
  twitch = t;
  const receiver = t.track(
    new WebhookReceiver({ secret: SECRET, ...(metrics === undefined ? {} : { metrics }) }),
  );
  const { url } = await receiver.listen({ port: 0 });
  const { broadcaster, moderator } = t.users;
  const client = t.autoClient({
    shardIds: [0],
    subscriptions: [
      {
        type: 'channel.follow',
        version: '2',
        condition: { broadcasterUserId: broadcaster.id, moderatorUserId: moderator.id },
      },
    ],
    webhook: { shardIds: [0], callback: `${url}/twitch`, secret: SECRET, receiver },
  });
  client.on('error', () => undefined);
  receiver.on('error', () => undefined);
  await client.start();
  return { t, receiver, client, url: `${url}/twitch` };
}

describe('WebhookReceiver metrics', () => {
  it('counts deliveries by outcome, notifications, lag, a revocation and a handler error', async () => {
    const { t, receiver, client, url } = await webhookClient();
    let calls = 0;
    receiver.on('channel.follow', () => {
      calls++;
      if (calls === 1) throw new Error('handler bug');
    });
    const duplicated = t.emulator.script.duplicate({ count: 1 });
    for (let i = 0; i < 2; i++) t.emulator.trigger('channel.follow', '2', { event: { userName: `u${i}` } });
    await duplicated;
    await t.drain();
    await until(() => calls === 2, 'two follows handled');

    // Hostile or broken requests, over real sockets; each published on the diagnostics channel.
    const published: WebhookDeliveryMessage[] = [];
    const listener = (message: unknown): void => {
      published.push(message as WebhookDeliveryMessage);
    };
    subscribe(DIAGNOSTICS_CHANNELS.webhookDelivery, listener);
    const body = onlineBody();
    const bad = await post(
      url,
      { ...signedHeaders(body), 'Twitch-Eventsub-Message-Signature': `sha256=${'0'.repeat(64)}` },
      body,
    );
    expect(bad.status).toBe(403);
    const old = new Date(Date.now() - 11 * 60_000).toISOString();
    expect((await post(url, signedHeaders(body, { secret: SECRET, timestamp: old }), body)).status).toBe(403);
    const junk = '{"subscription":1}';
    expect((await post(url, signedHeaders(junk, { secret: SECRET }), junk)).status).toBe(400);
    unsubscribe(DIAGNOSTICS_CHANNELS.webhookDelivery, listener);
    expect(published).toEqual([
      { outcome: 'invalid_signature', status: 403, messageId: null },
      { outcome: 'stale_message', status: 403, messageId: null },
      { outcome: 'malformed_body', status: 400, messageId: null },
    ]);

    const follow = t.emulator.state().subscriptions.find((s) => s.type === 'channel.follow');
    const revoked = new Promise<void>((resolve) =>
      receiver.once('revocation', () => {
        resolve();
      }),
    );
    t.emulator.revokeSubscription(follow!.id, 'authorization_revoked');
    await revoked;

    const m = receiver.metrics();
    const outcome = (o: string): number =>
      value(m, 'twitch_realtime_webhook_deliveries_total', { outcome: o });
    expect(outcome('notification')).toBe(2);
    expect(outcome('duplicate')).toBe(1);
    expect(outcome('invalid_signature')).toBe(1);
    expect(outcome('stale_message')).toBe(1);
    expect(outcome('malformed_body')).toBe(1);
    expect(outcome('revocation')).toBe(1);
    expect(outcome('verification')).toBeGreaterThanOrEqual(1);
    expect(value(m, 'twitch_realtime_eventsub_notifications_total', { type: 'channel.follow' })).toBe(2);
    expect(value(m, 'twitch_realtime_eventsub_delivery_lag_seconds', {}, true)).toBe(2);
    expect(value(m, 'twitch_realtime_webhook_revocations_total', { status: 'authorization_revoked' })).toBe(
      1,
    );
    expect(value(m, 'twitch_realtime_eventsub_handler_errors_total', { event: 'channel.follow' })).toBe(1);
    expect(receiver.stats.rejected.invalid_signature).toBe(1);

    // The AutoClient counts its webhook shard's duplicate with its sessions' (none here).
    const c = client.metrics();
    expect(value(c, 'twitch_realtime_eventsub_duplicates_total')).toBe(1);
    expect(value(c, 'twitch_realtime_eventsub_notifications_total', { type: 'channel.follow' })).toBe(2);
    const families = parsePrometheus(toPrometheusText(m));
    expect(families.get('twitch_realtime_webhook_deliveries_total')?.type).toBe('counter');
  });

  it('records nothing with metrics: false (the stats are still kept)', async () => {
    const { t, receiver } = await webhookClient(false);
    t.emulator.trigger('channel.follow', '2', {});
    await t.drain();
    expect(receiver.metrics()).toEqual([]);
    expect(receiver.stats.notifications).toBe(1);
  });
});
