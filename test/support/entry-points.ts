/**
 * The package's entry points (package.json `exports`), resolved to their source barrels, and their runtime exports:
 * shared by the tests that must see every public name (test/docs/public-api.test.ts, test/arguments/).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `twitch-realtime[/sub]` → source barrel (relative to the root) its `exports` entry is built from. */
export function entryPoints(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { 'twitch-realtime:source': string }>;
  };
  const map = new Map<string, string>();
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const name = sub === '.' ? 'twitch-realtime' : `twitch-realtime/${sub.slice(2)}`;
    map.set(name, target['twitch-realtime:source'].replace(/^\.\//, ''));
  }
  return map;
}

/** The runtime exports of a source file (relative to the root). */
export async function loadModule(file: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(path.join(ROOT, file)).href)) as Record<string, unknown>;
}

/** Every runtime export of every entry point, by name (a value exported by several entry points appears once). */
export async function runtimeExports(): Promise<Map<string, unknown>> {
  const all = new Map<string, unknown>();
  for (const file of entryPoints().values()) {
    for (const [name, value] of Object.entries(await loadModule(file))) {
      const known = all.get(name);
      if (known !== undefined && known !== value)
        throw new Error(`two entry points export different ${name}`);
      all.set(name, value);
    }
  }
  return all;
}
