/**
 * The floors of src/ and the check that every import respects them. docs/architecture.md draws the same table.
 *
 * Each top-level folder of src/ is a unit on a floor. A unit imports its own files, the units of lower floors, and
 * nothing above or beside it (two units on one floor do not import each other). A unit with an `only` list may import
 * just those units (the emulator: it must stay a Twitch stand-in, not a client of the library). `src/index.ts`, the
 * root barrel, is a unit of its own.
 *
 * Every module reference of every file counts: `import` and `import type`, `export … from`, dynamic `import()`,
 * `import x = require()`, type-level `import('…')`, module augmentation (`declare module '../helix/client.js' {…}`),
 * `/// <reference path="…" />` and `/// <reference types="…" />`, and CommonJS loads (`require('…')`, a require made
 * by `createRequire(…)` and called at once or through a name). Package imports are allowed only for Node's built-ins
 * and the runtime dependency `ws`. Besides the floors, no two folders (any depth) may import each other through a
 * cycle, and no two files through a cycle of runtime imports.
 *
 * Usage: `npm run check:layers` (prints every violation and exits 1), or `test/architecture/layers.test.ts` (part of
 * `npm test`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One floor: its units, lowest floor first. */
export interface Floor {
  readonly floor: string;
  /** Top-level folders of src/ (or `index.ts` for the root barrel). Folders that do not exist yet are allowed. */
  readonly units: readonly string[];
  /** When set, the units of this floor may import only these units (besides their own files). */
  readonly only?: readonly string[];
}

/**
 * The floors, lowest first. bot/ (issue 17) and fleet/ (issue 16) share the floor above the receivers: an AutoBot is
 * an AutoClient with chat; the fleet builds on the receivers (a RedisDedupeStore is an eventsub DedupeStore, leases an
 * OwnershipStrategy); neither imports the other. The emulator sits above everything the library exports so that
 * nothing but the testing kit and the CLI can import it, and it imports only core, protocol and catalogue. The testing
 * kit (issue 18) drives the emulator and the clients together, so it stands above both. observability/ (issue 19: the
 * health and dashboard server, OpenTelemetry export) sits just above helix so that every client can take it as an
 * option; it knows the clients only through the `ObservedSource` interface they implement.
 */
export const FLOORS: readonly Floor[] = [
  { floor: 'core', units: ['core'] },
  { floor: 'protocol', units: ['protocol'] },
  { floor: 'catalogue', units: ['catalogue'] },
  { floor: 'auth', units: ['auth'] },
  { floor: 'helix', units: ['helix'] },
  { floor: 'observability', units: ['observability'] },
  { floor: 'receivers', units: ['eventsub'] },
  { floor: 'bot, fleet', units: ['bot', 'fleet'] },
  { floor: 'pubsub', units: ['pubsub'] },
  { floor: 'root barrel', units: ['index.ts'] },
  { floor: 'emulator', units: ['emulator'], only: ['core', 'protocol', 'catalogue'] },
  { floor: 'testing', units: ['testing'] },
  { floor: 'cli', units: ['cli'] },
];

/** Packages src/ may import: Node's built-ins and the one runtime dependency. */
const ALLOWED_PACKAGES: ReadonlySet<string> = new Set(['ws']);

/**
 * Optional peer dependencies and the one folder that may load each, by `import()` only (so that a user who does not
 * use the feature installs nothing more and loads nothing).
 */
const OPTIONAL_PEERS: ReadonlyMap<string, string> = new Map([
  ['redis', 'fleet'],
  ['@opentelemetry/api', 'observability'],
]);

/**
 * Folder cycles that exist and are tolerated until their owner removes them: each as its folders sorted, and why. The
 * check fails on any other cycle, and on an entry here that is gone (take it off the list).
 */
export const KNOWN_CYCLES: readonly { readonly folders: readonly string[]; readonly why: string }[] = [];

/** One module reference found in a source file. */
export interface ImportRef {
  /** Importing file, relative to the repository root (`src/auth/oauth.ts`). */
  readonly file: string;
  /** 1-based line of the reference. */
  readonly line: number;
  /** The specifier as written (`'../helix/errors.js'`). */
  readonly specifier: string;
  /**
   * `import`, `import type`, `export from`, `export type from`, `import()`, `require`, `type import()`,
   * `declare module`, `reference path`, `reference types`, `require()` (a CommonJS call).
   */
  readonly kind: string;
  /** The imported file relative to the repository root, or `null` for a package. */
  readonly target: string | null;
}

/** A broken rule: where, what and which rule. */
export interface Violation {
  readonly ref: ImportRef;
  readonly rule: string;
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every .ts file under `dir` (repository-relative, `/` separators), sorted. */
export function sourceFiles(root: string = ROOT, dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** Kinds of reference that vanish from the emitted JavaScript: they count for the floors, not for file cycles. */
const TYPE_ONLY_KINDS: ReadonlySet<string> = new Set([
  'import type',
  'export type from',
  'type import()',
  'declare module',
  'reference path',
  'reference types',
]);

/** The module references of one file's text. */
export function importsOf(file: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
  const add = (node: ts.Node, literal: ts.Expression | undefined, kind: string): void => {
    if (literal === undefined || !ts.isStringLiteralLike(literal)) return;
    const line = lineOf(node.getStart(source));
    refs.push({ file, line, specifier: literal.text, kind, target: resolve(file, literal.text) });
  };
  /** A call whose specifier is its first argument: a literal is checked, anything else refused (it cannot be). */
  const addCall = (node: ts.CallExpression, kind: string): void => {
    const [first] = node.arguments;
    if (first !== undefined && !ts.isStringLiteralLike(first)) {
      refs.push({
        file,
        line: lineOf(node.getStart(source)),
        specifier: first.getText(source),
        kind,
        target: '?',
      });
    } else add(node, first, kind);
  };
  // Triple-slash directives are not nodes of the tree: the parser keeps them on the source file.
  for (const ref of source.referencedFiles) {
    const target = resolve(file, ref.fileName.startsWith('.') ? ref.fileName : `./${ref.fileName}`);
    refs.push({ file, line: lineOf(ref.pos), specifier: ref.fileName, kind: 'reference path', target });
  }
  for (const ref of source.typeReferenceDirectives) {
    refs.push({
      file,
      line: lineOf(ref.pos),
      specifier: ref.fileName,
      kind: 'reference types',
      target: null,
    });
  }
  // Names bound to `createRequire(…)`: a call through one of them loads a module.
  const requires = new Set<string>(['require']);
  const isCreateRequire = (e: ts.Expression): boolean =>
    ts.isCallExpression(e) &&
    ((ts.isIdentifier(e.expression) && e.expression.text === 'createRequire') ||
      (ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'createRequire'));
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(
        node,
        node.moduleSpecifier,
        node.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword ? 'import type' : 'import',
      );
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly ? 'export type from' : 'export from');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, 'require');
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      // Module augmentation reaches into the named module's types: a relative name is a dependency on that file.
      add(node, node.name, 'declare module');
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined
    ) {
      if (isCreateRequire(node.initializer)) requires.add(node.name.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) addCall(node, 'import()');
      else if (isCreateRequire(callee)) addCall(node, 'require()');
      else if (ts.isIdentifier(callee) && requires.has(callee.text)) addCall(node, 'require()');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, 'type import()');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/**
 * A relative specifier resolved to a repository-relative `.ts` path (`.js` → `.ts`, `.d.ts` kept); `null` for a
 * package.
 */
function resolve(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return joined.replace(/\.js$/, '.ts');
}

/** The unit of a repository-relative src/ path: its top-level folder, or `index.ts` for the root barrel. */
export function unitOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 2) return null;
  return parts[1] ?? null;
}

const FLOOR_OF = new Map<string, number>();
FLOORS.forEach((f, i) => {
  for (const unit of f.units) FLOOR_OF.set(unit, i);
});

/** Checks one reference against the floors; `null` when it is allowed. */
export function checkRef(ref: ImportRef, floors: readonly Floor[] = FLOORS): string | null {
  const floorOf = floors === FLOORS ? FLOOR_OF : indexFloors(floors);
  if (ref.target === '?') return 'a dynamic import() must have a literal specifier (it cannot be checked)';
  if (ref.target === null) {
    const name = ref.specifier.startsWith('@')
      ? ref.specifier.split('/').slice(0, 2).join('/')
      : (ref.specifier.split('/')[0] ?? '');
    if (ref.specifier.startsWith('node:') || builtinModules.includes(name) || ALLOWED_PACKAGES.has(name))
      return null;
    const peerUnit = OPTIONAL_PEERS.get(name);
    if (peerUnit !== undefined) {
      if (unitOf(ref.file) === peerUnit && ref.kind === 'import()') return null;
      return `the optional peer dependency ${name} is loaded only by import() in src/${peerUnit}/`;
    }
    return `src/ imports only Node's built-ins and ${[...ALLOWED_PACKAGES].join(', ')} (no other runtime dependency)`;
  }
  const from = unitOf(ref.file);
  const to = unitOf(ref.target);
  if (from === null) return null;
  if (to === null) return `src/ never imports outside src/ (${ref.target})`;
  if (from === to) return null;
  const fromFloor = floorOf.get(from);
  const toFloor = floorOf.get(to);
  if (fromFloor === undefined) return `src/${from} has no floor: add it to FLOORS in scripts/check-layers.ts`;
  if (toFloor === undefined) return `src/${to} has no floor: add it to FLOORS in scripts/check-layers.ts`;
  const floor = floors[fromFloor];
  const only = floor?.only;
  if (only !== undefined && !only.includes(to)) {
    return `${from} (floor ${floor?.floor ?? '?'}) may import only ${only.join(', ')}; not ${to}`;
  }
  if (toFloor > fromFloor) {
    return `${from} (floor ${floor?.floor ?? '?'}) imports ${to} (floor ${floors[toFloor]?.floor ?? '?'}), which is above it`;
  }
  if (toFloor === fromFloor) {
    return `${from} and ${to} share the floor ${floor?.floor ?? '?'}: units on one floor do not import each other`;
  }
  return null;
}

function indexFloors(floors: readonly Floor[]): Map<string, number> {
  const map = new Map<string, number>();
  floors.forEach((f, i) => {
    for (const unit of f.units) map.set(unit, i);
  });
  return map;
}

/** Every reference of src/ that breaks a floor rule. */
export function floorViolations(refs: readonly ImportRef[], floors: readonly Floor[] = FLOORS): Violation[] {
  const out: Violation[] = [];
  for (const ref of refs) {
    const rule = checkRef(ref, floors);
    if (rule !== null) out.push({ ref, rule });
  }
  return out;
}

/**
 * Import cycles between folders (any depth: `src/emulator/http` and `src/emulator/eventsub` are two folders): each
 * cycle as its folders in order, the first one repeated at the end, with one reference per edge as evidence. A
 * subfolder importing files of a folder above it is not counted (the parent holds the module's facade and shared
 * leaves); the parent importing the subfolder is. A cycle that this leaves out (a parent's file importing a
 * subfolder's file that imports it back) is a cycle between two files, which {@link fileCycles} finds when it is
 * there at run time.
 */
export function folderCycles(refs: readonly ImportRef[]): { folders: string[]; edges: ImportRef[] }[] {
  const graph = new Map<string, Map<string, ImportRef>>();
  for (const ref of refs) {
    if (ref.target === null || ref.target === '?') continue;
    const a = path.posix.dirname(ref.file);
    const b = path.posix.dirname(ref.target);
    // A folder's own files and a subfolder's use of its parent's files (a module's shared leaves, like `../http.js`
    // from helix/endpoints) are not edges: a cycle is between folders that are not one inside the other's parent.
    if (a === b || a.startsWith(`${b}/`)) continue;
    addEdge(graph, a, b, ref);
  }
  return cyclesOf(graph).map(({ nodes, edges }) => ({ folders: nodes, edges }));
}

/**
 * Import cycles between files through runtime imports only (`import type`, `export type`, type-level `import()`,
 * module augmentation and triple-slash references are erased from the emitted JavaScript, so they cannot make a
 * module see another half-evaluated). Each cycle as its files in order, the first repeated at the end, with the
 * import of each step. This is the check that sees what {@link folderCycles} leaves out: a subfolder's file and its
 * parent's file importing each other.
 */
export function fileCycles(refs: readonly ImportRef[]): { files: string[]; edges: ImportRef[] }[] {
  const graph = new Map<string, Map<string, ImportRef>>();
  for (const ref of refs) {
    if (ref.target === null || ref.target === '?' || TYPE_ONLY_KINDS.has(ref.kind)) continue;
    if (ref.target !== ref.file) addEdge(graph, ref.file, ref.target, ref);
  }
  return cyclesOf(graph).map(({ nodes, edges }) => ({ files: nodes, edges }));
}

function addEdge(graph: Map<string, Map<string, ImportRef>>, a: string, b: string, ref: ImportRef): void {
  let out = graph.get(a);
  if (out === undefined) graph.set(a, (out = new Map<string, ImportRef>()));
  if (!out.has(b)) out.set(b, ref);
}

/** One concrete cycle through each strongly connected component of more than one node. */
function cyclesOf(
  graph: ReadonlyMap<string, ReadonlyMap<string, ImportRef>>,
): { nodes: string[]; edges: ImportRef[] }[] {
  // Tarjan's strongly connected components; every component of more than one node holds a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) connect(v);
  return components.map((component) => {
    // One concrete cycle through the component, found by a search from its first node back to itself.
    const members = new Set(component);
    const start = component[0] ?? '';
    const pathTo = (from: string, seen: Set<string>): string[] | null => {
      for (const next of graph.get(from)?.keys() ?? []) {
        if (!members.has(next)) continue;
        if (next === start) return [next];
        if (seen.has(next)) continue;
        seen.add(next);
        const rest = pathTo(next, seen);
        if (rest !== null) return [next, ...rest];
      }
      return null;
    };
    const nodes = [start, ...(pathTo(start, new Set([start])) ?? [])];
    const edges: ImportRef[] = [];
    for (let i = 0; i + 1 < nodes.length; i++) {
      const ref = graph.get(nodes[i] ?? '')?.get(nodes[i + 1] ?? '');
      if (ref !== undefined) edges.push(ref);
    }
    return { nodes, edges };
  });
}

/** Every module reference of every file of src/. */
export function srcImports(root: string = ROOT): ImportRef[] {
  return sourceFiles(root).flatMap((file) => importsOf(file, readFileSync(path.join(root, file), 'utf8')));
}

/** One line per violation: `file:line  import 'specifier' (kind): rule`. */
export function formatViolation({ ref, rule }: Violation): string {
  return `${ref.file}:${String(ref.line)}  ${ref.kind} '${ref.specifier}': ${rule}`;
}

/** One line per cycle: the folders (or files) in order, then the import that makes each step. */
export function formatCycle(cycle: { folders?: string[]; files?: string[]; edges: ImportRef[] }): string {
  const steps = cycle.edges.map((e) => `    ${e.file}:${String(e.line)} ${e.kind} '${e.specifier}'`);
  return [`  ${(cycle.folders ?? cycle.files ?? []).join(' -> ')}`, ...steps].join('\n');
}

/** Cycles not in `known`, and entries of `known` that are no cycle any more. */
export function unexpectedCycles(
  cycles: readonly { folders: string[]; edges: ImportRef[] }[],
  known: readonly { readonly folders: readonly string[] }[] = KNOWN_CYCLES,
): { fresh: { folders: string[]; edges: ImportRef[] }[]; gone: string[] } {
  const keyOf = (folders: readonly string[]): string => [...new Set(folders)].sort().join(' ');
  const found = new Set(cycles.map((c) => keyOf(c.folders)));
  const listed = new Set(known.map((k) => keyOf(k.folders)));
  return {
    fresh: cycles.filter((c) => !listed.has(keyOf(c.folders))),
    gone: [...listed].filter((k) => !found.has(k)),
  };
}

function main(): void {
  const refs = srcImports();
  const violations = floorViolations(refs);
  const { fresh: cycles, gone } = unexpectedCycles(folderCycles(refs));
  const loops = fileCycles(refs);
  for (const key of gone) console.error(`KNOWN_CYCLES lists ${key}, which is no cycle any more: take it off`);
  for (const v of violations) console.error(formatViolation(v));
  if (cycles.length > 0) console.error('import cycles between folders:');
  for (const c of cycles) console.error(formatCycle(c));
  if (loops.length > 0) console.error('runtime import cycles between files:');
  for (const c of loops) console.error(formatCycle(c));
  const files = new Set(refs.map((r) => r.file)).size;
  if (violations.length > 0 || cycles.length > 0 || gone.length > 0 || loops.length > 0) {
    console.error(
      `check:layers: ${String(violations.length)} floor violation(s), ${String(cycles.length)} folder cycle(s), ` +
        `${String(loops.length)} file cycle(s)`,
    );
    process.exitCode = 1;
    return;
  }
  const known = KNOWN_CYCLES.length;
  console.log(
    `check:layers: ${String(refs.length)} imports in ${String(files)} files respect the floors; ` +
      (known === 0 ? 'no folder cycle' : `no folder cycle but the ${String(known)} listed in KNOWN_CYCLES`) +
      ', no runtime file cycle',
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
