/**
 * multiSubscribe against the emulator: 1,000 subscriptions, mixed failures, 409s told apart, stopOnError,
 * wait: false, validation before any request, Helix 5xx retried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/core/errors.js';
import { HTTPError } from '../../../src/core/http-errors.js';
import {
  MissingConduitError,
  MultiSubscribeAbortedError,
  type SubscriptionInput,
} from '../../../src/eventsub/conduit/index.js';
import { toWireRequests } from '../../../src/eventsub/conduit/multi-subscribe.js';
import { subscription } from '../../../src/catalogue/builders.js';
import { Harness, streamOnline } from './helpers.js';

const h = new Harness();
afterEach(() => h.close());

async function ready(options: Parameters<Harness['client']>[0] = {}) {
  const emu = h.emu ?? (await h.start());
  const client = h.client({ conduitId: 'create', shardIds: [0], watchShardDisabled: false, ...options });
  await client.start();
  return { emu, client };
}

describe('multiSubscribe', () => {
  // 15 s: 1,000 real Helix requests to the emulator, by design.
  it('creates 1,000 subscriptions concurrently', async () => {
    const emu = await h.start();
    const subs = streamOnline(emu, 1000);
    const { client } = await ready();
    const payload = await client.multiSubscribe(subs, { concurrency: 32 });
    expect(payload.success).toHaveLength(1000);
    expect(payload.errors).toEqual([]);
    expect(payload.existing).toEqual([]);
    expect(payload.success[0]?.subscription).toBe(subs[0]);
    expect(payload.success[0]?.response.subscription.transport).toEqual({
      method: 'conduit',
      conduitId: client.conduitInfo.id,
    });
    expect(emu.state().subscriptions.filter((s) => s.status === 'enabled')).toHaveLength(1000);
  }, 15_000);

  it('tells "already exists" (409) apart from real failures', async () => {
    const emu = await h.start();
    const good = streamOnline(emu, 6);
    const { client } = await ready();
    const first = await client.multiSubscribe(good.slice(0, 3));
    const unknownUser = {
      type: 'stream.online',
      version: '1',
      condition: { broadcasterUserId: '999999' },
    } as const;
    const wire = subscription('channel.raid', '1', {
      toBroadcasterUserId: good[5]!.condition.broadcasterUserId,
    });
    const payload = await client.multiSubscribe([...good, unknownUser, wire]);
    expect(payload.success.map((s) => s.subscription)).toEqual(
      expect.arrayContaining([...good.slice(3), wire]),
    );
    expect(payload.success).toHaveLength(4);
    expect(payload.existing.map((e) => e.error.status)).toEqual([409, 409, 409]);
    // Twitch's 409 names the subscription that exists.
    expect(payload.existing.map((e) => e.existingId).sort()).toEqual(
      first.success.map((s) => s.response.subscription.id).sort(),
    );
    expect(payload.errors).toHaveLength(1);
    expect(payload.errors[0]?.subscription).toBe(unknownUser);
    expect(payload.errors[0]?.error).toBeInstanceOf(HTTPError);
    expect((payload.errors[0]?.error as HTTPError).status).toBe(400);
  });

  it('stopOnError keeps the successes so far and starts nothing after the failure', async () => {
    const emu = await h.start();
    const subs: SubscriptionInput[] = streamOnline(emu, 10);
    subs.splice(5, 0, { type: 'stream.online', version: '1', condition: { broadcasterUserId: '999999' } });
    const { client } = await ready();
    const requests = emu.state().helix.requests;
    const error = await client
      .multiSubscribe(subs, { stopOnError: true, concurrency: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultiSubscribeAbortedError);
    const aborted = error as MultiSubscribeAbortedError;
    expect(aborted.code).toBe('MULTI_SUBSCRIBE_STOPPED');
    expect(aborted.payload.success).toHaveLength(5);
    expect(aborted.payload.errors).toHaveLength(1);
    expect(aborted.cause).toBeInstanceOf(HTTPError);
    expect(emu.state().helix.requests - requests).toBe(6);
  });

  it('wait: false returns a handle at once; its result can be awaited later', async () => {
    const emu = await h.start();
    const subs = streamOnline(emu, 50);
    const { client } = await ready();
    const handle = client.multiSubscribe(subs, { wait: false });
    expect(handle.total).toBe(50);
    expect(handle.settled).toBe(0);
    const payload = await handle.result;
    expect(handle.settled).toBe(50);
    expect(payload.success).toHaveLength(50);
    // A failing handle left alone is not an unhandled rejection.
    const bad = client.multiSubscribe(
      [{ type: 'stream.online', version: '1', condition: { broadcasterUserId: '999999' } }],
      {
        wait: false,
        stopOnError: true,
      },
    );
    await expect(bad.result).rejects.toBeInstanceOf(MultiSubscribeAbortedError);
  });

  it('validates every input against the catalogue before any request', async () => {
    const emu = await h.start();
    const subs = streamOnline(emu, 3);
    const { client } = await ready();
    const requests = emu.state().helix.requests;
    const bad = [
      ...subs,
      { type: 'stream.online', version: '1', condition: { broadcasterId: '1' } },
    ] as unknown as SubscriptionInput[];
    const error = await client.multiSubscribe(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({
      code: 'INVALID_CONDITION',
      field: 'subscriptions[3].condition.broadcasterId',
    });
    expect(() =>
      toWireRequests([{ type: 'nope', version: '1', condition: {} } as unknown as SubscriptionInput]),
    ).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_SUBSCRIPTION_TYPE', field: 'subscriptions[0].type' }) as Error,
    );
    expect(() =>
      toWireRequests([
        { type: 'channel.follow', version: '1', condition: {} } as unknown as SubscriptionInput,
      ]),
    ).toThrow(expect.objectContaining({ code: 'SUBSCRIPTION_VERSION_REMOVED' }) as Error);
    expect(() =>
      toWireRequests([{ type: 'stream.online', version: '1', condition: { broadcaster_user_id: '' } }]),
    ).toThrow(InvalidArgumentError);
    expect(emu.state().helix.requests).toBe(requests);
  });

  it('needs a conduit', async () => {
    await h.start();
    const client = h.client();
    await expect(client.multiSubscribe([])).rejects.toBeInstanceOf(MissingConduitError);
    expect(() => client.multiSubscribe([], { wait: false })).toThrow(MissingConduitError);
  });

  it('gets through Helix 5xx faults by the Helix client retries', async () => {
    const emu = await h.start();
    const subs = streamOnline(emu, 40);
    const { client } = await ready();
    emu.setFaults({ helixErrorRate: 0.2 });
    const payload = await client.multiSubscribe(subs);
    emu.setFaults({ helixErrorRate: 0 });
    expect(emu.state().helix.faulted).toBeGreaterThan(0);
    // Every subscription exists on Twitch: created, or created by a retried POST (then 409) or failed after retries.
    const enabled = emu.state().subscriptions.filter((s) => s.type === 'stream.online').length;
    expect(payload.success.length + payload.existing.length + payload.errors.length).toBe(40);
    expect(enabled).toBe(payload.success.length + payload.existing.length);
    expect(payload.errors.every((e) => e.error instanceof HTTPError && e.error.status >= 500)).toBe(true);
  });
});
