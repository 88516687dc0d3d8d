/**
 * The field lists of test/catalogue/event-fields.json and the check of a payload against them (shared by the payload
 * audit and the variant tests).
 */
import { readFileSync } from 'node:fs';
import type { CatalogueEntry } from '../../src/catalogue/index.js';

/** Field paths per `type@version`. */
export const FIELDS = (
  JSON.parse(readFileSync(new URL('./event-fields.json', import.meta.url), 'utf8')) as {
    fields: Record<string, string[]>;
  }
).fields;

/** Every key path of a JSON value (`a.b` for object keys, `a[]` for array elements), and the paths of objects. */
function walk(value: unknown, prefix: string, keys: Set<string>, objects: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, `${prefix}[]`, keys, objects);
  } else if (typeof value === 'object' && value !== null) {
    objects.add(prefix);
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      keys.add(path);
      walk(child, path, keys, objects);
    }
  }
}

/** `a.b[].c` → `a.b[]`; a top-level key → `''` (the payload itself). */
function parentOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? '' : path.slice(0, dot);
}

/**
 * What differs between a payload and its field list. A top-level field is always expected; a nested path is
 * expected exactly when its parent object is there (non-null), so a `null` variant object carries no fields and a
 * filled one carries all of its own.
 */
export function fieldDiff(key: string, payload: unknown): { missing: string[]; unexpected: string[] } {
  const keys = new Set<string>();
  const objects = new Set<string>();
  walk(payload, '', keys, objects);
  const listed = FIELDS[key] ?? [];
  const expected = new Set(listed);
  return {
    missing: listed.filter((p) => objects.has(parentOf(p)) && !keys.has(p)),
    unexpected: [...keys].filter((p) => !expected.has(p)),
  };
}

/** A condition that names user 4242 in every required key (and the first key of an exactly-one-of group). */
export function conditionOf(entry: CatalogueEntry): Record<string, string> {
  const condition: Record<string, string> = {};
  for (const key of entry.condition.required) condition[key] = '4242';
  const group = entry.condition.exactlyOneOf?.[0];
  if (group?.[0] !== undefined) condition[group[0]] = '4242';
  return condition;
}
