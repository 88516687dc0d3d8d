/**
 * The payload audit: every event payload the emulator generates has exactly the fields Twitch sends for its type and
 * version (test/catalogue/event-fields.json), no field missing (TwitchIO's models raise KeyError on a missing one,
 * e.g. `channel_points_animation_id`) and no field of a documentation-only shape.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, generateEvent, toEventModel } from '../../src/eventsub/catalogue/index.js';
import type { CatalogueEntry } from '../../src/eventsub/catalogue/index.js';

const FIELDS = (
  JSON.parse(readFileSync(new URL('./event-fields.json', import.meta.url), 'utf8')) as {
    fields: Record<string, string[]>;
  }
).fields;

const active = CATALOGUE.filter((e) => e.removed !== true);

/** Every key path of a JSON value: `a.b` for object keys, `a[]` for array elements. */
function paths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) paths(item, `${prefix}[]`, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      out.add(path);
      paths(child, path, out);
    }
  }
  return out;
}

function conditionOf(entry: CatalogueEntry): Record<string, string> {
  const condition: Record<string, string> = {};
  for (const key of entry.condition.required) condition[key] = '4242';
  const group = entry.condition.exactlyOneOf?.[0];
  if (group?.[0] !== undefined) condition[group[0]] = '4242';
  return condition;
}

describe('generated payloads carry the fields Twitch sends', () => {
  it('has a field list for every subscribable type and version, and none for anything else', () => {
    expect(Object.keys(FIELDS).sort()).toEqual(active.map((e) => `${e.type}@${e.version}`).sort());
  });

  it.each(active.map((e) => [`${e.type}@${e.version}`, e] as const))('%s', (key, entry) => {
    const generated = generateEvent(entry, conditionOf(entry));
    const payload = entry.batched ? generated.events : generated.event;
    const actual = paths(payload);
    const expected = new Set(FIELDS[key]);
    expect(
      [...expected].filter((p) => !actual.has(p)),
      'missing fields',
    ).toEqual([]);
    expect(
      [...actual].filter((p) => !expected.has(p)),
      'fields Twitch does not send',
    ).toEqual([]);
    // And the library's own model reads it.
    expect(() => toEventModel(entry.type, entry.version, payload)).not.toThrow();
  });
});
