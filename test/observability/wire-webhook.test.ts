/**
 * The WebhookReceiver's `view()`, against the emulator over real HTTP: an AutoClient's webhook shard delivers to it;
 * a malformed event the emulator signed is reported and recorded (whether or not anyone listens to `error`), a
 * request with a bad signature is refused (`rejected`, counted by metrics) and not an error; the dashboard snapshot
 * names the receiver and lists the error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../src/observability/dashboard-protocol.js';
import { startObservabilityServer, type ObservabilityServer } from '../../src/observability/server.js';
import { WebhookReceiver } from '../../src/eventsub/webhook/index.js';
import { startTestTwitch, type TestTwitch } from '../../src/testing/index.js';
import { onlineBody, post, signedHeaders } from '../eventsub/webhook/helpers.js';
import { until } from '../support/until.js';
import { http } from './server-support.js';

const SECRET = 'a-webhook-secret-for-views';
let twitch: TestTwitch | undefined;
let server: ObservabilityServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await twitch?.close();
  twitch = undefined;
});

describe('WebhookReceiver view', () => {
  it('records a malformed delivery, not a refused request, and shows in the dashboard', async () => {
    const t = await startTestTwitch();
    twitch = t;
    const receiver = t.track(new WebhookReceiver({ secret: SECRET }));
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
    await client.start();
    const got: string[] = [];
    receiver.on('channel.follow', (event) => got.push(event.user.login));
    expect(receiver.view()).toEqual({ kind: 'WebhookReceiver', errors: [] });

    // Nobody listens to the receiver's `error`: the malformed event is still recorded.
    t.emulator.trigger('channel.follow', '2', { event: { followedAt: 'yesterday' } });
    t.emulator.trigger('channel.follow', '2', { event: { userLogin: 'ada' } });
    await t.drain();
    await until(() => got.length === 1, 'the good follow');
    expect(got).toEqual(['ada']);
    const errors = receiver.view().errors;
    expect(errors.map((e) => e.code)).toEqual(['MALFORMED_EVENT']);

    // A forged request is refused: a `rejected` event and a metric, not an error.
    const body = onlineBody();
    const forged = await post(
      `${url}/twitch`,
      { ...signedHeaders(body), 'Twitch-Eventsub-Message-Signature': `sha256=${'0'.repeat(64)}` },
      body,
    );
    expect(forged.status).toBe(403);
    expect(receiver.stats.rejected.invalid_signature).toBe(1);
    expect(receiver.view().errors).toHaveLength(1);

    server = await startObservabilityServer({ sources: [receiver], port: 0 });
    const snapshot = JSON.parse((await http(`${server.url}api/snapshot`)).body) as DashboardSnapshot;
    expect(snapshot.sources.map((s) => s.kind)).toEqual(['WebhookReceiver']);
    expect(snapshot.errors.map((e) => e.code)).toEqual(['MALFORMED_EVENT']);
  });
});
