/**
 * The floors of src/ (scripts/check-layers.ts holds the table; docs/architecture.md draws it): every import of src/
 * goes downward, the emulator imports only core, protocol and catalogue, src/ imports no package but Node's and `ws`,
 * and no two folders import each other through a cycle. The checker itself is tested on made-up files, one per kind
 * of reference and per rule, so that a checker that sees nothing cannot pass.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FLOORS,
  KNOWN_CYCLES,
  ROOT,
  fileCycles,
  floorViolations,
  folderCycles,
  formatCycle,
  formatViolation,
  importsOf,
  srcImports,
  unexpectedCycles,
  unitOf,
} from '../../scripts/check-layers.js';

const refs = srcImports();

describe('floors of src/', () => {
  it('every import of src/ respects the floors (file:line, import, rule for each one that does not)', () => {
    expect(refs.length).toBeGreaterThan(500);
    expect(floorViolations(refs).map(formatViolation)).toEqual([]);
  });

  it('every top-level folder and file of src/ has a floor', () => {
    const units = new Set(FLOORS.flatMap((f) => f.units));
    const entries = readdirSync(path.join(ROOT, 'src')).filter((name) => !name.endsWith('.d.ts'));
    expect(entries.filter((name) => !units.has(name))).toEqual([]);
  });

  it('no import cycle between folders but the listed ones, and every listed one still exists', () => {
    const { fresh, gone } = unexpectedCycles(folderCycles(refs));
    expect(fresh.map((c) => c.folders.join(' -> '))).toEqual([]);
    expect(gone).toEqual([]);
    for (const known of KNOWN_CYCLES) expect(known.why.length).toBeGreaterThan(20);
  });

  it('no runtime import cycle between files (where a subfolder and its parent would hide one)', () => {
    expect(fileCycles(refs).map(formatCycle)).toEqual([]);
  });
});

describe('the checker', () => {
  const check = (file: string, text: string): string[] =>
    floorViolations(importsOf(file, text)).map(formatViolation);

  it('sees every kind of module reference', () => {
    const text = [
      "import { a } from '../helix/a.js';",
      "import type { B } from '../helix/b.js';",
      "export { c } from '../helix/c.js';",
      "export * from '../helix/d.js';",
      "const e = await import('../helix/e.js');",
      "type F = typeof import('../helix/f.js');",
      "import g = require('../helix/g.js');",
    ].join('\n');
    const found = importsOf('src/auth/x.ts', text);
    expect(found.map((r) => [r.line, r.kind, r.target])).toEqual([
      [1, 'import', 'src/helix/a.ts'],
      [2, 'import type', 'src/helix/b.ts'],
      [3, 'export from', 'src/helix/c.ts'],
      [4, 'export from', 'src/helix/d.ts'],
      [5, 'import()', 'src/helix/e.ts'],
      [6, 'type import()', 'src/helix/f.ts'],
      [7, 'require', 'src/helix/g.ts'],
    ]);
    expect(check('src/auth/x.ts', text)).toHaveLength(7);
  });

  it('sees module augmentation, triple-slash references and CommonJS loads', () => {
    // Triple-slash directives count only at the top of a file.
    const text = [
      '/// <reference path="../helix/globals.d.ts" />',
      '/// <reference types="undici" />',
      "declare module '../helix/client.js' { interface HelixClient { extra(): void } }",
      "const a = createRequire(import.meta.url)('../helix/a.js');",
      "const load = createRequire(import.meta.url); const b = load('../helix/b.js');",
      "const c = module.createRequire(import.meta.url)('../helix/c.js');",
      "const d = require('../helix/d.js');",
      "declare module 'ws' { interface WebSocket { extra: number } }",
      'const e = load(name);',
    ].join('\n');
    const found = importsOf('src/auth/x.ts', text);
    expect(found.map((r) => [r.line, r.kind, r.target])).toEqual([
      [1, 'reference path', 'src/helix/globals.d.ts'],
      [2, 'reference types', null],
      [3, 'declare module', 'src/helix/client.ts'],
      [4, 'require()', 'src/helix/a.ts'],
      [5, 'require()', 'src/helix/b.ts'],
      [6, 'require()', 'src/helix/c.ts'],
      [7, 'require()', 'src/helix/d.ts'],
      [8, 'declare module', null],
      [9, 'require()', '?'],
    ]);
    // Six upward references, one package that is not allowed (undici), one computed require; ws is allowed.
    expect(check('src/auth/x.ts', text)).toHaveLength(8);
    expect(check('src/core/x.ts', "declare module '../helix/client.js' {}")).toEqual([
      "src/core/x.ts:1  declare module '../helix/client.js': core (floor core) imports helix (floor helix), which is above it",
    ]);
  });

  it('names the file, the line, the import and the rule', () => {
    expect(check('src/core/errors.ts', "\n\nimport { HelixClient } from '../helix/client.js';")).toEqual([
      "src/core/errors.ts:3  import '../helix/client.js': core (floor core) imports helix (floor helix), which is above it",
    ]);
  });

  it('allows downward imports and imports inside a unit', () => {
    expect(check('src/helix/x.ts', "import '../auth/a.js'; import '../core/b.js'; import './c.js';")).toEqual(
      [],
    );
    expect(
      check('src/cli/demo/x.ts', "import '../../emulator/emulator.js'; import '../../index.js';"),
    ).toEqual([]);
    expect(check('src/index.ts', "export * from './pubsub/index.js';")).toEqual([]);
  });

  it('keeps the emulator to core, protocol and catalogue, and everything but the CLI off the emulator', () => {
    expect(check('src/emulator/eventsub/x.ts', "import '../../catalogue/table.js';")).toEqual([]);
    expect(check('src/emulator/eventsub/x.ts', "import '../../eventsub/client.js';")).toEqual([
      "src/emulator/eventsub/x.ts:1  import '../../eventsub/client.js': emulator (floor emulator) may import only core, protocol, catalogue; not eventsub",
    ]);
    expect(check('src/emulator/x.ts', "import '../auth/oauth.js';")).toHaveLength(1);
    expect(check('src/index.ts', "export * from './emulator/index.js';")).toHaveLength(1);
    expect(check('src/pubsub/x.ts', "import '../emulator/emulator.js';")).toHaveLength(1);
  });

  it('refuses sideways imports between units of one floor (bot and fleet, above the receivers)', () => {
    expect(check('src/bot/x.ts', "import '../eventsub/client.js';")).toEqual([]);
    expect(check('src/bot/x.ts', "import '../fleet/redis.js';")).toEqual([
      "src/bot/x.ts:1  import '../fleet/redis.js': bot and fleet share the floor bot, fleet: units on one floor do not import each other",
    ]);
  });

  it('allows Node built-ins and ws, refuses other packages, computed import() and paths outside src/', () => {
    expect(check('src/core/x.ts', "import 'node:fs'; import 'events'; import WebSocket from 'ws';")).toEqual(
      [],
    );
    expect(check('src/core/x.ts', "import { fetch } from 'undici';")).toHaveLength(1);
    expect(check('src/core/x.ts', "import '@scope/pkg/sub';")).toHaveLength(1);
    expect(check('src/core/x.ts', 'const m = await import(name);')).toHaveLength(1);
    expect(check('src/core/x.ts', "import '../../test/support/x.js';")).toHaveLength(1);
    expect(check('src/newthing/x.ts', "import '../core/a.js';")[0]).toContain('src/newthing has no floor');
  });

  it('finds cycles between folders, not a subfolder using its parent and not files of one folder', () => {
    const made = [
      ...importsOf('src/eventsub/a/x.ts', "import '../b/y.js';"),
      ...importsOf('src/eventsub/b/y.ts', "import '../a/z.js';"),
      ...importsOf('src/helix/endpoints/x.ts', "import '../http.js';"),
      ...importsOf('src/helix/client.ts', "import './endpoints/x.js'; import './http.js';"),
    ];
    const cycles = folderCycles(made);
    expect(cycles.map((c) => c.folders)).toEqual([['src/eventsub/a', 'src/eventsub/b', 'src/eventsub/a']]);
    expect(cycles[0]?.edges.map((e) => `${e.file}:${String(e.line)}`)).toEqual([
      'src/eventsub/a/x.ts:1',
      'src/eventsub/b/y.ts:1',
    ]);
    expect(unexpectedCycles(cycles, []).fresh).toHaveLength(1);
    expect(unexpectedCycles([], [{ folders: ['src/x', 'src/y'] }]).gone).toEqual(['src/x src/y']);
  });

  it('finds runtime cycles between files, the parent-and-subfolder ones the folder check leaves out', () => {
    const made = [
      ...importsOf('src/helix/client.ts', "import './endpoints/x.js';"),
      ...importsOf('src/helix/endpoints/x.ts', "import { HelixClient } from '../client.js';"),
      // Type-only references are erased: no cycle at run time.
      ...importsOf('src/auth/a.ts', "import './b.js';"),
      ...importsOf('src/auth/b.ts', "import type { A } from './a.js'; export type { A } from './a.js';"),
      ...importsOf('src/auth/c.ts', "import './d.js';"),
      ...importsOf('src/auth/d.ts', "type C = typeof import('./c.js'); declare module './c.js' {}"),
    ];
    expect(folderCycles(made)).toEqual([]);
    const cycles = fileCycles(made);
    expect(cycles.map((c) => c.files)).toEqual([
      ['src/helix/client.ts', 'src/helix/endpoints/x.ts', 'src/helix/client.ts'],
    ]);
    expect(cycles.map(formatCycle)).toEqual([
      [
        '  src/helix/client.ts -> src/helix/endpoints/x.ts -> src/helix/client.ts',
        "    src/helix/client.ts:1 import './endpoints/x.js'",
        "    src/helix/endpoints/x.ts:1 import '../client.js'",
      ].join('\n'),
    ]);
  });

  it('maps paths to units', () => {
    expect([unitOf('src/index.ts'), unitOf('src/emulator/eventsub/core.ts'), unitOf('test/x.ts')]).toEqual([
      'index.ts',
      'emulator',
      null,
    ]);
  });
});
