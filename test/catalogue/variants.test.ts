/**
 * The variants of discriminated events (src/catalogue/variants.ts): for every variant of every
 * discriminated type, an event generated with only the discriminator overridden (what `emu.trigger({ event:
 * { notice_type: 'watch_streak' } })` asks for) is that variant as Twitch sends it: exactly the fields of the field
 * list, the variant's object filled, every other variant's field `null`, and the library's model reads it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, generateEvent, getCatalogueEntry, toEventModel } from '../../src/catalogue/index.js';
import { EVENT_VARIANTS } from '../../src/catalogue/variants.js';
import type { VariantSpec } from '../../src/catalogue/variants.js';
import { conditionOf, fieldDiff } from './fields.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The per-variant objects a variant fills: its fields that are per-variant (in `reset`) and hold an object. */
function objectsOf(spec: VariantSpec, value: string): string[] {
  return Object.entries(spec.variants[value] ?? {})
    .filter(([key, v]) => Object.hasOwn(spec.reset, key) && isObject(v))
    .map(([key]) => key);
}

/** What the library's model makes of a variant: the variant it read, in the model's own terms. */
const MODEL_VIEW: Readonly<Record<string, (model: any, value: string, objects: string[]) => void>> = {
  'channel.chat.notification': (model, value) => {
    expect(model.noticeType).toBe(value);
    expect(model.notice?.kind).toBe(value);
  },
  'channel.moderate': (model, value, objects) => {
    expect(model.action).toBe(value);
    expect(model.details?.kind ?? null).toBe(objects[0] ?? null);
  },
  'channel.bits.use': (model, value) => {
    expect(model.bitsType).toBe(value);
    expect(model.powerUp !== null).toBe(value === 'power_up');
    expect(model.customPowerUp !== null).toBe(value === 'custom_power_up');
  },
  'automod.message.hold': (model, value) => {
    expect(model.details?.reason).toBe(value);
  },
  'automod.message.update': (model, value) => {
    expect(model.details?.reason).toBe(value);
  },
};

const ROWS = Object.entries(EVENT_VARIANTS).flatMap(([key, spec]) =>
  Object.keys(spec.variants).map((value) => [key, spec.key, value, spec] as const),
);

function generate(key: string, overrides: Record<string, unknown>): Record<string, unknown> {
  const [type = '', version = ''] = key.split('@');
  const entry = getCatalogueEntry(type, version);
  if (entry === undefined) throw new Error(`${key} is not in the catalogue`);
  const { event } = generateEvent(entry, conditionOf(entry), overrides);
  if (event === undefined) throw new Error(`${key} generated no event`);
  return event;
}

describe('variants of discriminated events', () => {
  it('covers the types of the catalogue, each with more than one variant', () => {
    for (const [key, spec] of Object.entries(EVENT_VARIANTS)) {
      const [type = '', version = ''] = key.split('@');
      const entry = getCatalogueEntry(type, version);
      expect(entry?.removed, key).not.toBe(true);
      expect(entry?.batched, key).toBe(false);
      expect(Object.keys(spec.variants).length, key).toBeGreaterThan(1);
      // Every field a variant fills is one the others reset.
      for (const [value, fields] of Object.entries(spec.variants)) {
        for (const field of Object.keys(fields)) {
          const always = field === 'system_message' || field === 'message' || field === 'bits';
          expect(always || Object.hasOwn(spec.reset, field), `${key} ${value}: ${field}`).toBe(true);
        }
      }
    }
  });

  it.each(
    ROWS.map(([key, field, value, spec]) => [`${key} ${field}=${value}`, key, field, value, spec] as const),
  )('%s', (_name, key, field, value, spec) => {
    const event = generate(key, { [field]: value });
    expect(event[field]).toBe(value);

    // (a) Exactly the fields of the field list.
    const { missing, unexpected } = fieldDiff(key, event);
    expect(missing, 'missing fields').toEqual([]);
    expect(unexpected, 'fields Twitch does not send').toEqual([]);

    // The variant's object is filled; every other variant's field is null.
    const objects = objectsOf(spec, value);
    for (const object of objects) expect(isObject(event[object]), `${object} is an object`).toBe(true);
    const own = spec.variants[value] ?? {};
    for (const reset of Object.keys(spec.reset)) {
      if (!Object.hasOwn(own, reset)) expect(event[reset], `${reset} of another variant`).toBeNull();
    }

    // (b) The library's model reads it, and reads this variant.
    const [type = '', version = ''] = key.split('@');
    const model = toEventModel(type, version, event);
    MODEL_VIEW[type]?.(model, value, objects);
    expect(MODEL_VIEW[type], `a model view for ${type}`).toBeDefined();
  });

  it('lets the overrides set a variant object themselves', () => {
    const event = generate('channel.chat.notification@1', {
      notice_type: 'watch_streak',
      watch_streak: { streak_count: 12, channel_points_awarded: 450 },
      resub: { kept: true },
    });
    expect(event.watch_streak).toEqual({ streak_count: 12, channel_points_awarded: 450 });
    expect(event.resub).toEqual({ kept: true });
    expect(event.sub).toBeNull();
  });

  it('fills no variant object for a value the table does not know, whatever its type', () => {
    for (const value of ['combo', 42, null]) {
      const event = generate('channel.bits.use@1', { type: value });
      expect(event.type).toBe(value);
      expect(event.power_up).toBeNull();
      expect(event.custom_power_up).toBeNull();
    }
    const notice = generate('channel.chat.notification@1', { notice_type: 'shared_chat_watch_streak' });
    expect(notice.resub).toBeNull();
    expect(fieldDiff('channel.chat.notification@1', notice)).toEqual({ missing: [], unexpected: [] });
    const model = toEventModel('channel.chat.notification', '1', notice) as { notice: unknown };
    expect(model.notice).toBeNull();
  });

  it('gives each generated variant fresh ids and deadlines after the event', () => {
    const a = generate('channel.moderate@2', { action: 'shared_chat_timeout' });
    const b = generate('channel.moderate@2', { action: 'delete' });
    const c = generate('channel.moderate@2', { action: 'delete' });
    const expires = Date.parse((a.shared_chat_timeout as { expires_at: string }).expires_at);
    expect(expires).toBeGreaterThan(Date.now());
    expect((b.delete as { message_id: string }).message_id).not.toBe(
      (c.delete as { message_id: string }).message_id,
    );
  });

  it('leaves events without the discriminator in the overrides as Twitch documents them', () => {
    const event = generate('channel.chat.notification@1', { system_message: 'hello' });
    expect(event.notice_type).toBe('resub');
    expect(isObject(event.resub)).toBe(true);
  });

  it('lists every variant in docs/emulator.md', () => {
    const doc = readFileSync(new URL('../../docs/emulator.md', import.meta.url), 'utf8');
    const section = /### Variants of discriminated events\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? '';
    expect(section, 'docs/emulator.md has a "Variants of discriminated events" section').not.toBe('');
    for (const [key, spec] of Object.entries(EVENT_VARIANTS)) {
      const [type = ''] = key.split('@');
      expect(section, type).toContain(`\`${type}\``);
      for (const value of Object.keys(spec.variants))
        expect(section, `${key} ${value}`).toContain(`\`${value}\``);
    }
  });

  it('knows every catalogue entry whose model reads per-variant objects', () => {
    // The discriminated types of the models (wire types documented "exactly the object ... is non-null").
    const discriminated = CATALOGUE.filter((e) => e.removed !== true)
      .map((e) => `${e.type}@${e.version}`)
      .filter((k) =>
        /^(channel\.chat\.notification|channel\.moderate|channel\.bits\.use)@|^automod\.message\.(hold|update)@2$/.test(
          k,
        ),
      );
    expect(Object.keys(EVENT_VARIANTS).sort()).toEqual(discriminated.sort());
  });
});
