/**
 * The webhook transport end to end over real sockets: the emulator's HttpWebhookTransport POSTs to a real
 * WebhookReceiver; HelixClient creates, lists and deletes subscriptions and conduit shards.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Emulator } from '../../../src/emulator/index.js';
import type { EmulatorOptions } from '../../../src/emulator/index.js';
import { HttpWebhookTransport } from '../../../src/emulator/webhook/http-transport.js';
import { HelixClient } from '../../../src/helix/client.js';
import {
  WebhookReceiver,
  type WebhookNotification,
  type WebhookRevocation,
} from '../../../src/eventsub/webhook/index.js';
import { SECRET } from '../../eventsub/webhook/helpers.js';
import { until } from '../../support/until.js';

let emu: Emulator;
let helix: HelixClient;
let receiver: WebhookReceiver;
let front: Server;
let base: string;
let messages: WebhookNotification[];
let revocations: WebhookRevocation[];
/** Per path: how many requests to fail with 500 (Infinity: all), and what arrived (type + retry header). */
let failNotifications: Map<string, number>;
let seen: { path: string; type: string; retry: string }[];
/** Requests the front server has answered (the receiver dispatches before it answers). */
let answered: number;

async function setup(options: EmulatorOptions = {}): Promise<void> {
  emu = await Emulator.start({
    port: 0,
    rateLimitPerMinute: Infinity,
    allowInsecureWebhooks: true,
    webhook: { retryDelaysMs: [2, 4], failureThreshold: 3, timeoutMs: 2000 },
    ...options,
  });
  const o = emu.clientOptions();
  helix = new HelixClient({
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    helixUrl: o.helixUrl,
    oauthUrl: o.oauthUrl,
  });
  receiver = new WebhookReceiver({ secret: SECRET });
  messages = [];
  revocations = [];
  receiver.on('message', (m) => messages.push(m));
  receiver.on('revocation', (r) => revocations.push(r));
  failNotifications = new Map();
  seen = [];
  answered = 0;
  // A front server in front of the receiver that can fail notifications, to exercise retries.
  front = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.on('finish', () => answered++);
    const path = req.url ?? '';
    const type = String(req.headers['twitch-eventsub-message-type']);
    seen.push({ path, type, retry: String(req.headers['twitch-eventsub-message-retry']) });
    const left = failNotifications.get(path) ?? 0;
    if (type === 'notification' && left > 0) {
      failNotifications.set(path, left - 1);
      req.resume();
      res.writeHead(500).end();
      return;
    }
    receiver.handle(req, res);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  emu.mintUserToken({ userId: '100', scopes: [] });
}

beforeEach(async () => {
  await setup();
});

afterEach(async () => {
  helix.close();
  await receiver.close();
  front.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
  await emu.close();
});

async function subscribeOnline(path: string): Promise<string> {
  const created = await helix.eventSub.createSubscription({
    type: 'stream.online',
    version: '1',
    condition: { broadcaster_user_id: '100' },
    transport: { method: 'webhook', callback: `${base}${path}`, secret: SECRET },
  });
  expect(created.subscription.status).toBe('webhook_callback_verification_pending');
  return created.subscription.id;
}

async function statusOf(id: string): Promise<string | undefined> {
  const [sub] = await helix.eventSub.getSubscriptions({ subscriptionId: id }).toArray();
  return sub?.status;
}

const online = { type: 'stream.online', version: '1', condition: { broadcaster_user_id: '100' } } as const;

describe('webhook subscriptions through the emulator', () => {
  it('challenge round trip: pending → enabled; notification delivered, signed, once; list and delete', async () => {
    const verified: string[] = [];
    receiver.on('verification', (v) => verified.push(v.subscription?.type ?? ''));
    const id = await subscribeOnline('/hook');
    await until(async () => ((await statusOf(id)) === 'enabled' ? true : undefined));
    expect(verified).toEqual(['stream.online']);

    const typed: string[] = [];
    receiver.on('stream.online', (event) => typed.push(event.broadcaster.id));
    expect(emu.trigger(online)).toEqual({ delivered: 1, dropped: 0 });
    await until(() => (messages.length === 1 ? true : undefined));
    expect(typed).toEqual(['100']);
    expect(messages[0]).toMatchObject({ retry: 0, subscriptionType: 'stream.online', path: '/hook' });
    expect(messages[0]?.payload.subscription.id).toBe(id);

    const listed = await helix.eventSub.getSubscriptions({ type: 'stream.online' }).toArray();
    expect(listed.map((s) => [s.id, s.status, s.transport])).toEqual([
      [id, 'enabled', { method: 'webhook', callback: `${base}/hook` }],
    ]);
    await helix.eventSub.deleteSubscription(id);
    expect(await helix.eventSub.getSubscriptions().toArray()).toEqual([]);
    expect(emu.trigger(online).delivered).toBe(0);
  });

  it('a callback that does not echo the challenge → webhook_callback_verification_failed', async () => {
    const liar = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('not-the-challenge');
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    try {
      const created = await helix.eventSub.createSubscription({
        ...online,
        transport: {
          method: 'webhook',
          callback: `http://127.0.0.1:${(liar.address() as AddressInfo).port}/x`,
          secret: SECRET,
        },
      });
      const id = created.subscription.id;
      await until(async () =>
        (await statusOf(id)) === 'webhook_callback_verification_failed' ? true : undefined,
      );
      // The wrong secret on the receiver side fails too (403 to the challenge).
      const other = await helix.eventSub.createSubscription({
        type: 'stream.offline',
        version: '1',
        condition: { broadcaster_user_id: '100' },
        transport: { method: 'webhook', callback: `${base}/hook`, secret: 'some-other-secret' },
      });
      await until(async () =>
        (await statusOf(other.subscription.id)) === 'webhook_callback_verification_failed' ? true : undefined,
      );
    } finally {
      liar.closeAllConnections();
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  it('retries failed deliveries with the retry header and the same id; dispatched exactly once', async () => {
    const id = await subscribeOnline('/flaky');
    await until(async () => ((await statusOf(id)) === 'enabled' ? true : undefined));
    failNotifications.set('/flaky', 2);
    expect(emu.trigger(online).delivered).toBe(1);
    await until(() => (messages.length === 1 ? true : undefined));
    const notifications = (): string[] => seen.filter((s) => s.type === 'notification').map((s) => s.retry);
    expect(notifications()).toEqual(['0', '1', '2']);
    expect(messages[0]?.retry).toBe(2);

    // Every message sent twice with the same id (Twitch delivers at least once): dispatched once.
    emu.setFaults({ duplicateRate: 1 });
    expect(emu.trigger(online).delivered).toBe(1);
    await until(() => (notifications().length === 5 ? true : undefined));
    await until(() => (messages.length === 2 ? true : undefined));
    const ids = messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(2);
    // Drained: every request that reached the receiver has been answered, so dispatched or dropped.
    await until(() => answered === seen.length, 'every delivery answered');
    expect(messages).toHaveLength(2);
    expect(await statusOf(id)).toBe('enabled');
  });

  it('after repeated failures: revoked with notification_failures_exceeded and a revocation POST', async () => {
    const id = await subscribeOnline('/down');
    await until(async () => ((await statusOf(id)) === 'enabled' ? true : undefined));
    failNotifications.set('/down', Infinity);
    emu.trigger(online);
    await until(() => (revocations.length === 1 ? true : undefined));
    expect(revocations[0]?.subscription).toMatchObject({ id, status: 'notification_failures_exceeded' });
    expect(seen.filter((s) => s.type === 'notification').map((s) => s.retry)).toEqual(['0', '1', '2']);
    expect(await statusOf(id)).toBe('notification_failures_exceeded');
    expect(messages).toHaveLength(0);
    expect(emu.trigger(online).delivered).toBe(0);
  });
});

describe('conduit webhook shards through the emulator', () => {
  it('pending → enabled, notifications routed to the shard, disabled after repeated failures', async () => {
    const conduit = await helix.eventSub.createConduit({ shardCount: 1 });
    const updated = await helix.eventSub.updateConduitShards(conduit.id, [
      { id: '0', transport: { method: 'webhook', callback: `${base}/shard/0`, secret: SECRET } },
    ]);
    expect(updated.errors).toEqual([]);
    expect(updated.shards[0]?.status).toBe('webhook_callback_verification_pending');
    const shardStatus = async (): Promise<string | undefined> =>
      (await helix.eventSub.getConduitShards(conduit.id).toArray())[0]?.status;
    await until(async () => ((await shardStatus()) === 'enabled' ? true : undefined));

    // Admin subscription (plain webhook) to learn about disabled shards.
    const admin = await helix.eventSub.createSubscription({
      type: 'conduit.shard.disabled',
      version: '1',
      condition: { client_id: emu.clientId },
      transport: { method: 'webhook', callback: `${base}/admin`, secret: SECRET },
    });
    await until(async () => ((await statusOf(admin.subscription.id)) === 'enabled' ? true : undefined));
    await helix.eventSub.createSubscription({
      ...online,
      transport: { method: 'conduit', conduitId: conduit.id },
    });

    expect(emu.trigger(online).delivered).toBe(1);
    await until(() => (messages.length === 1 ? true : undefined));
    expect(messages[0]?.path).toBe('/shard/0');
    expect(messages[0]?.payload.subscription.transport).toEqual({
      method: 'conduit',
      conduit_id: conduit.id,
    });

    failNotifications.set('/shard/0', Infinity);
    emu.trigger(online);
    await until(async () => ((await shardStatus()) === 'notification_failures_exceeded' ? true : undefined));
    await until(() => (messages.some((m) => m.path === '/admin') ? true : undefined));
    const disabled = messages.find((m) => m.path === '/admin');
    expect(disabled?.payload.event).toMatchObject({
      conduit_id: conduit.id,
      shard_id: '0',
      status: 'notification_failures_exceeded',
      transport: { method: 'webhook', callback: `${base}/shard/0` },
    });
    expect(emu.trigger(online)).toEqual({ delivered: 0, dropped: 1 });
  });
});

describe('emulator webhook options', () => {
  it('the default is strict: http callbacks are refused, and the error says how to allow loopback', async () => {
    await emu.close();
    emu = await Emulator.start({ port: 0, rateLimitPerMinute: Infinity });
    emu.mintUserToken({ userId: '100', scopes: [] });
    const o = emu.clientOptions();
    helix.close();
    helix = new HelixClient({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
    });
    const error = await helix.eventSub
      .createSubscription({
        ...online,
        transport: { method: 'webhook', callback: `${base}/hook`, secret: SECRET },
      })
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain('allowInsecureWebhooks');
  });

  it('close() stops pending retries; a given transport validates its options', async () => {
    const transport = new HttpWebhookTransport({ retryDelaysMs: [60_000], failureThreshold: 5 });
    await emu.close();
    emu = await Emulator.start({
      port: 0,
      rateLimitPerMinute: Infinity,
      allowInsecureWebhooks: true,
      webhookTransport: transport,
    });
    emu.mintUserToken({ userId: '100', scopes: [] });
    const o = emu.clientOptions();
    helix.close();
    helix = new HelixClient({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      helixUrl: o.helixUrl,
      oauthUrl: o.oauthUrl,
    });
    const id = await subscribeOnline('/slow');
    await until(async () => ((await statusOf(id)) === 'enabled' ? true : undefined));
    failNotifications.set('/slow', Infinity);
    emu.trigger(online);
    await until(() =>
      transport.stats.requests >= 2 && seen.some((s) => s.path === '/slow' && s.type === 'notification')
        ? true
        : undefined,
    );
    expect(transport.pending).toBe(1); // waiting 60 s for its retry
    transport.close();
    expect(transport.pending).toBe(0);
    expect(transport.deliver({} as never)).toBe(false);
    expect(() => new HttpWebhookTransport({ failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => new HttpWebhookTransport({ retryDelaysMs: [] })).toThrow(/retryDelaysMs/);
  });
});
