/**
 * The event definitions (`defineEvent` in the model files) and the catalogue table cover exactly the same
 * subscribable type@versions, once each, and the registry, the event map's runtime side (`hasEventModel`) and the
 * batched flag all follow the definitions and the table.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_DEFINITIONS } from '../../src/catalogue/definitions.js';
import { isEventDefinition } from '../../src/catalogue/define.js';
import { EVENT_CONVERTERS, hasEventModel, toEventModel } from '../../src/catalogue/events.js';
import { CATALOGUE } from '../../src/catalogue/table.js';
import { ProtocolError } from '../../src/core/errors.js';

const tableKeys = CATALOGUE.filter((e) => e.removed !== true).map((e) => `${e.type}@${e.version}`);
const definitionKeys = EVENT_DEFINITIONS.map((d) => d.key);

describe('event definitions', () => {
  it('cover exactly the subscribable type@versions of the table, once each', () => {
    expect(new Set(definitionKeys).size).toBe(definitionKeys.length);
    expect([...definitionKeys].sort()).toEqual([...tableKeys].sort());
  });

  it('have no definition for a withdrawn version', () => {
    const removed = CATALOGUE.filter((e) => e.removed === true);
    expect(removed.length).toBeGreaterThan(0);
    for (const e of removed) expect(hasEventModel(e.type, e.version), `${e.type}@${e.version}`).toBe(false);
  });

  it('are the registry: one converter per definition, under its key', () => {
    expect([...EVENT_CONVERTERS.keys()].sort()).toEqual([...definitionKeys].sort());
    for (const d of EVENT_DEFINITIONS) {
      expect(isEventDefinition(d)).toBe(true);
      expect(d.key).toBe(`${d.type}@${d.version}`);
      expect(EVENT_CONVERTERS.get(d.key)).toBe(d.convert);
      expect(hasEventModel(d.type, d.version)).toBe(true);
      expect(Object.isFrozen(d)).toBe(true);
    }
  });

  it('take the batched shape from the table (events[] for batched types, event otherwise)', () => {
    for (const entry of CATALOGUE.filter((e) => e.removed !== true)) {
      const wrongShape = entry.batched ? {} : [];
      expect(() => toEventModel(entry.type, entry.version, wrongShape), entry.type).toThrow(ProtocolError);
    }
    expect(CATALOGUE.some((e) => e.batched)).toBe(true);
  });

  it('tells definitions from other values', () => {
    expect(
      isEventDefinition({ type: 'channel.follow', version: '2', key: 'channel.follow@2', convert: () => 1 }),
    ).toBe(false);
    expect(isEventDefinition(undefined)).toBe(false);
  });
});
