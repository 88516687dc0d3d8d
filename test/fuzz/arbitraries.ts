/**
 * fast-check arbitraries of malformed and adversarial JSON frames, shared by the EventSub and PubSub fuzz tests:
 * text that is not JSON, well-formed JSON of the wrong shape (a value of the wrong type at a given path, a missing
 * key), unknown message types, deep nesting, and huge frames (1–4 MB, bounded so the suite stays fast).
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = readonly string[];

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Every path of `value` (objects only; arrays are leaves), the root excluded. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: Path[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, key];
    out.push(path, ...pathsOf(child, path));
  }
  return out;
}

export function getAt(value: Json, path: Path): Json | undefined {
  let node: Json | undefined = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A deep copy of `value` with `path` set to `replacement` (`undefined` deletes the key). */
export function setAt(value: Json, path: Path, replacement: Json | undefined): Json {
  const copy = structuredClone(value);
  if (path.length === 0) return replacement ?? null;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    const next = (node as Record<string, Json>)[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return copy;
    node = next;
  }
  const last = path[path.length - 1]!;
  if (replacement === undefined) Reflect.deleteProperty(node as Record<string, Json>, last);
  else (node as Record<string, Json>)[last] = replacement;
  return copy;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Any JSON value, shallow or nested (fast-check's `jsonValue`, plus the awkward scalars). */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, '', ' ', '0', 'null', '{}', [], {}),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** A JSON value whose type differs from `original`'s (`undefined`: the key is removed). */
export function wrongTypeFor(original: Json | undefined): fc.Arbitrary<Json | undefined> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: anyJson.filter((v) => typeOf(v) !== typeOf(original)) },
  );
}

/** `base` with one of `paths` (default: every path) given a value of another type, or removed. */
export function wrongTypeAt(
  base: Json,
  paths: readonly Path[] = pathsOf(base),
): fc.Arbitrary<{ path: Path; frame: Json }> {
  return fc
    .constantFrom(...paths)
    .chain((path) => wrongTypeFor(getAt(base, path)).map((v) => ({ path, frame: setAt(base, path, v) })));
}

/** Text that is not JSON: random text, valid frames cut short, stray bytes, JSON with trailing garbage. */
export function notJson(valid: readonly string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .tuple(fc.constantFrom(...valid), fc.nat())
        .map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
      fc
        .tuple(fc.constantFrom(...valid), fc.string({ minLength: 1, maxLength: 10 }))
        .map(([t, g]) => `${t}}${g}`),
      fc.constantFrom(
        '',
        ' ',
        'undefined',
        'NaN',
        "{'a':1}",
        '{"a":1,}',
        '[1,]',
        '\u0000',
        '\ufeff{}',
        '{"a":01}',
      ),
    )
    .filter((text) => !isJson(text));
}

/** Deeply nested arrays/objects, balanced (valid JSON) or not; depth up to `maxDepth`. */
export function deepNesting(maxDepth = 100_000): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1, max: maxDepth }), fc.boolean(), fc.boolean())
    .map(([depth, asObject, balanced]) => {
      const open = asObject ? '{"a":' : '[';
      const close = asObject ? '}' : ']';
      return open.repeat(depth) + '0' + (balanced ? close.repeat(depth) : '');
    });
}

/** A string of `bytes` ASCII characters that is cheap to build. */
export function bigString(bytes: number, seed: number): string {
  const unit = `x${String(seed % 10)}y`;
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/** Sizes of huge frames: 1–4 MB. */
export const hugeSize: fc.Arbitrary<number> = fc.integer({ min: 1 << 20, max: (4 << 20) - 4096 });
