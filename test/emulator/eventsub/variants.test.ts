/**
 * Variants of discriminated events end to end: `emu.trigger({ event: { <discriminator>: value } })` for every variant
 * of every discriminated type, delivered over a real conduit shard to the library's AutoClient, which reads each one
 * as that variant. (Before the variant table, `notice_type: 'watch_streak'` arrived with `watch_streak: null` and the
 * `resub` of the example, and the client reported `MALFORMED_EVENT`.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getCatalogueEntry, requiredScopeNames } from '../../../src/catalogue/index.js';
import type { Notification } from '../../../src/catalogue/index.js';
import { EVENT_VARIANTS } from '../../../src/catalogue/variants.js';
import { Harness } from '../../eventsub/conduit/helpers.js';
import { until } from '../../support/until.js';

const h = new Harness();
afterEach(() => h.close());

const USER = '1337';

describe('triggering the variants of discriminated events', () => {
  it('delivers every variant as that variant, and the client reads each without error', async () => {
    const emu = await h.start();
    const pairs = Object.keys(EVENT_VARIANTS).map((key) => {
      const [type = '', version = ''] = key.split('@');
      return { type, version };
    });
    const scopes = new Set(
      pairs.flatMap(({ type, version }) => {
        const entry = getCatalogueEntry(type, version);
        return entry === undefined ? [] : requiredScopeNames(entry);
      }),
    );
    emu.mintUserToken({ userId: USER, scopes: [...scopes] });
    const both = { broadcasterUserId: USER, moderatorUserId: USER };
    const subscriptions = [
      {
        type: 'channel.chat.notification',
        version: '1',
        condition: { broadcasterUserId: USER, userId: USER },
      },
      { type: 'channel.moderate', version: '1', condition: both },
      { type: 'channel.moderate', version: '2', condition: both },
      { type: 'channel.bits.use', version: '1', condition: { broadcasterUserId: USER } },
      { type: 'automod.message.hold', version: '2', condition: both },
      { type: 'automod.message.update', version: '2', condition: both },
    ] as const;
    // One subscription per discriminated type and version of the table.
    expect(subscriptions.map((s) => `${s.type}@${s.version}`).sort()).toEqual(
      pairs.map((p) => `${p.type}@${p.version}`).sort(),
    );
    const client = h.client({ conduitId: 'create', shardIds: [0], subscriptions });
    const received: Notification[] = [];
    const errors: Error[] = [];
    client.on('notification', (n) => received.push(n));
    client.on('error', (error) => errors.push(error));
    await client.start();

    let sent = 0;
    for (const [key, spec] of Object.entries(EVENT_VARIANTS)) {
      const [type = '', version = ''] = key.split('@');
      for (const value of Object.keys(spec.variants)) {
        const result = emu.trigger({ type, version, event: { [spec.key]: value } });
        expect(result, `${key} ${value}`).toEqual({ delivered: 1, dropped: 0 });
        sent++;
      }
    }
    await until(() => received.length + errors.length >= sent, {
      what: 'every variant delivered',
      timeoutMs: 5000,
    });
    expect(errors).toEqual([]);

    for (const n of received) {
      const key = `${n.subscription.type}@${n.subscription.version}`;
      const spec = EVENT_VARIANTS[key];
      if (spec === undefined) throw new Error(`unexpected ${key}`);
      const raw = n.event?.raw as Record<string, unknown> | undefined;
      const value = raw?.[spec.key];
      if (typeof value !== 'string') throw new Error(`${key}: no ${spec.key}`);
      // The variant's own objects are filled, the others' null: what the client's model was built from.
      const own = spec.variants[value] ?? {};
      for (const field of Object.keys(spec.reset)) {
        const filled = own[field] !== null && own[field] !== undefined;
        expect(raw?.[field] !== null, `${key} ${value}: ${field}`).toBe(filled);
      }
    }
    const seen = new Set(
      received.map((n) => {
        const spec = EVENT_VARIANTS[`${n.subscription.type}@${n.subscription.version}`];
        const raw = n.event?.raw as Record<string, unknown> | undefined;
        return `${n.subscription.type}@${n.subscription.version} ${String(raw?.[spec?.key ?? ''])}`;
      }),
    );
    expect(seen.size).toBe(sent);
  });
});
