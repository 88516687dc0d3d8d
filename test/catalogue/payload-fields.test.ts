/**
 * The payload audit: every event payload the emulator generates has exactly the fields Twitch sends for its type and
 * version (test/catalogue/event-fields.json), no field missing (TwitchIO's models raise KeyError on a missing one,
 * e.g. `channel_points_animation_id`) and no field of a documentation-only shape. The variants of discriminated
 * types are checked against the same lists in variants.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE, generateEvent, toEventModel } from '../../src/catalogue/index.js';
import { FIELDS, conditionOf, fieldDiff } from './fields.js';

const active = CATALOGUE.filter((e) => e.removed !== true);

describe('generated payloads carry the fields Twitch sends', () => {
  it('has a field list for every subscribable type and version, and none for anything else', () => {
    expect(Object.keys(FIELDS).sort()).toEqual(active.map((e) => `${e.type}@${e.version}`).sort());
  });

  it.each(active.map((e) => [`${e.type}@${e.version}`, e] as const))('%s', (key, entry) => {
    const generated = generateEvent(entry, conditionOf(entry));
    const payload = entry.batched ? generated.events : generated.event;
    const { missing, unexpected } = fieldDiff(key, payload);
    expect(missing, 'missing fields').toEqual([]);
    expect(unexpected, 'fields Twitch does not send').toEqual([]);
    // And the library's own model reads it.
    expect(() => toEventModel(entry.type, entry.version, payload)).not.toThrow();
  });
});
