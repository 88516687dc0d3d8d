/**
 * The public API report (`npm run api:report`): one file per entry point of package.json `exports`
 * (`api/<subpath>.api.md`, the root is `api/index.api.md`) listing every exported name with its declaration, as a
 * consumer's compiler sees it. The files are checked in; test/docs/public-api.test.ts fails with a diff when the
 * surface changed and they were not regenerated, so every change to the public API is a reviewed diff. The reports
 * are the allow-list: a new export is public only once its line is in them.
 *
 * How: the TypeScript compiler emits the declarations of src/ in memory (`stripInternal`, no comments), the checker
 * lists the exports of each entry point (through `export *` and `export type *`), and each name is printed with the
 * emitted declaration of what it resolves to (private members dropped), sorted by name. A declared value that the
 * entry point does not export at run time (a class or function exported through `export type`) is marked
 * `// type-only export`. Output is deterministic: sorted, no absolute paths, no comments, the compiler's printer.
 *
 * Each export also carries the types its printed declaration names that no entry point exports (`unexported`,
 * followed through imports and re-exports to the declaring file): the report lists what the barrels export, so it
 * cannot show a type the barrels forgot; test/docs/public-api.test.ts fails on a new one.
 *
 * Usage: `npm run api:report` writes the files; `-- --check` exits 1 (with a diff) when one is stale.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the reports live, relative to the root. */
export const API_DIR = 'api';
/** The command that regenerates the reports. */
export const API_REPORT_COMMAND = 'npm run api:report';

/** One entry point of package.json `exports`. */
export interface EntryPoint {
  /** Import specifier, e.g. `twitch-realtime/helix`. */
  readonly specifier: string;
  /** Source barrel relative to the root, e.g. `src/helix/index.ts`. */
  readonly source: string;
  /** Report file relative to the root, e.g. `api/helix.api.md`. */
  readonly report: string;
}

/** Every entry point of package.json `exports` that has a source barrel, in the map's order. */
export function apiEntryPoints(): EntryPoint[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { 'twitch-realtime:source'?: string }>;
  };
  const out: EntryPoint[] = [];
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string' || target['twitch-realtime:source'] === undefined) continue;
    const name = sub === '.' ? 'index' : sub.slice(2).replaceAll('/', '-');
    out.push({
      specifier: sub === '.' ? 'twitch-realtime' : `twitch-realtime/${sub.slice(2)}`,
      source: target['twitch-realtime:source'].replace(/^\.\//, ''),
      report: `${API_DIR}/${name}.api.md`,
    });
  }
  return out;
}

/** One exported name of an entry point. */
export interface ApiExport {
  readonly name: string;
  /** The declaration printed for it (several statements for merged declarations). */
  readonly declaration: string;
  /** Whether the name is a value at run time (as opposed to a type). */
  readonly runtime: boolean;
  /** Whether a declaration of it is a class or a function (what the TSDoc rule asks an `@example` of). */
  readonly callable: boolean;
  /** Whether one of its declarations has a TSDoc `@example`. */
  readonly hasExample: boolean;
  /**
   * Types its printed declaration names that no entry point exports (`src/x/y.ts#Name`, sorted): a consumer can
   * see their shape but cannot name them.
   */
  readonly unexported: readonly string[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compilerOptions(): ts.CompilerOptions {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.build.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('tsconfig.build.json did not parse');
  return {
    ...config.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    removeComments: true,
    stripInternal: true,
    rootDir: path.join(ROOT, 'src'),
    outDir: path.join(ROOT, 'dist-api-report'),
  };
}

/** Top-level names a statement declares (`export declare class X`, `export type X = ...`, `declare const a, b`). */
function declaredNames(statement: ts.Statement): string[] {
  if (
    (ts.isClassDeclaration(statement) ||
      ts.isFunctionDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)) &&
    statement.name !== undefined
  ) {
    return [statement.name.text];
  }
  if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) return [statement.name.text];
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  return [];
}

/** Where a name a `.d.ts` file uses comes from: a top-level declaration of the file, an import, or a re-export. */
type NameSource = ReadonlyMap<string, { readonly file: string; readonly name: string }>;

/** The top-level names of a `.d.ts` (emitted from `source`), resolved to the source file and name they stand for. */
function nameSources(dts: ts.SourceFile, source: string): NameSource {
  const out = new Map<string, { file: string; name: string }>();
  const resolve = (specifier: string): string | null =>
    specifier.startsWith('.')
      ? path
          .join(path.dirname(source), specifier)
          .replace(/\.js$/, '.ts')
          .replace(/\.d\.ts$/, '.ts')
      : null;
  for (const statement of dts.statements) {
    for (const name of declaredNames(statement)) out.set(name, { file: source, name });
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const file = resolve(statement.moduleSpecifier.text);
      const bindings = statement.importClause?.namedBindings;
      if (file === null || bindings === undefined || !ts.isNamedImports(bindings)) continue;
      for (const el of bindings.elements)
        out.set(el.name.text, { file, name: (el.propertyName ?? el.name).text });
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.exportClause !== undefined &&
      ts.isNamedExports(statement.exportClause)
    ) {
      const file = resolve(statement.moduleSpecifier.text);
      if (file === null) continue;
      for (const el of statement.exportClause.elements) {
        if (!out.has(el.name.text)) out.set(el.name.text, { file, name: (el.propertyName ?? el.name).text });
      }
    }
  }
  return out;
}

/** The names a printed declaration refers to as types: type references, heritage clauses, `typeof X`, `import('…').X`. */
function referencedNames(
  statement: ts.Node,
  sources: NameSource,
  source: string,
): { file: string; name: string }[] {
  const out: { file: string; name: string }[] = [];
  const leftmost = (name: ts.EntityName | ts.Expression): string | null => {
    if (ts.isIdentifier(name)) return name.text;
    if (ts.isQualifiedName(name)) return leftmost(name.left);
    if (ts.isPropertyAccessExpression(name)) return leftmost(name.expression);
    return null;
  };
  const add = (name: string | null): void => {
    const found = name === null ? undefined : sources.get(name);
    if (found !== undefined) out.push(found);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTypeReferenceNode(node)) add(leftmost(node.typeName));
    else if (ts.isExpressionWithTypeArguments(node)) add(leftmost(node.expression));
    else if (ts.isTypeQueryNode(node)) add(leftmost(node.exprName));
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      node.qualifier !== undefined
    ) {
      const literal = node.argument.literal;
      const name = leftmost(node.qualifier);
      if (ts.isStringLiteral(literal) && literal.text.startsWith('.') && name !== null) {
        const file = path.join(path.dirname(source), literal.text).replace(/\.js$/, '.ts');
        out.push({ file, name });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return out;
}

/** The statement without private members (`private x;`, `#private;`), which are no surface. */
function withoutPrivates(statement: ts.Statement): ts.Statement {
  if (!ts.isClassDeclaration(statement)) return statement;
  const members = statement.members.filter(
    (m) =>
      !(m.name !== undefined && ts.isPrivateIdentifier(m.name)) &&
      !(ts.canHaveModifiers(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword)),
  );
  return ts.factory.updateClassDeclaration(
    statement,
    statement.modifiers,
    statement.name,
    statement.typeParameters,
    statement.heritageClauses,
    members,
  );
}

/**
 * Every entry point's exports with their declarations. `runtimeNames` gives, per entry point source, the names it
 * exports at run time (the report's loader imports the module; tests may pass what they already loaded).
 */
export function collectApi(
  entries: readonly EntryPoint[],
  runtimeNames: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, ApiExport[]> {
  const options = compilerOptions();
  const program = ts.createProgram(
    entries.map((e) => path.join(ROOT, e.source)),
    options,
  );
  const checker = program.getTypeChecker();
  // Declarations of every source file, emitted in memory: source file name → parsed .d.ts.
  const declarations = new Map<string, ts.SourceFile>();
  const outDir = options.outDir!;
  const rootDir = options.rootDir!;
  const emitted = program.emit(
    undefined,
    (fileName, text) => {
      if (!fileName.endsWith('.d.ts')) return;
      const source = path.join(rootDir, path.relative(outDir, fileName)).replace(/\.d\.ts$/, '.ts');
      declarations.set(source, ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true));
    },
    undefined,
    true,
  );
  if (emitted.emitSkipped) throw new Error('the declaration emit of src/ failed: run tsc to see why');

  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: true });
  const sourcesOf = new Map<string, NameSource>();
  /** The printed declaration of `symbol`, and the `file#name` of every type it refers to. */
  const print = (symbol: ts.Symbol): { text: string; refs: string[] } => {
    const texts: string[] = [];
    const refs: string[] = [];
    const seen = new Set<ts.Statement>();
    for (const declaration of symbol.declarations ?? []) {
      const file = path.normalize(declaration.getSourceFile().fileName);
      const dts = declarations.get(file);
      if (dts === undefined) continue;
      let sources = sourcesOf.get(file);
      if (sources === undefined) sourcesOf.set(file, (sources = nameSources(dts, file)));
      for (const statement of dts.statements) {
        if (seen.has(statement) || !declaredNames(statement).includes(symbol.name)) continue;
        seen.add(statement);
        const shown = withoutPrivates(statement);
        texts.push(printer.printNode(ts.EmitHint.Unspecified, shown, dts));
        for (const ref of referencedNames(shown, sources, file)) {
          const origin = follow(ref.file, ref.name);
          if (origin.file !== file || origin.name !== symbol.name) refs.push(keyOf(origin.file, origin.name));
        }
      }
    }
    if (texts.length === 0) throw new Error(`no declaration found for ${symbol.name}`);
    return { text: texts.join('\n'), refs };
  };
  /** Follows imports and re-exports from `file` to the file that declares `name`. */
  const follow = (file: string, name: string, depth = 0): { file: string; name: string } => {
    const dts = declarations.get(file);
    if (dts === undefined || depth > 20) return { file, name };
    let sources = sourcesOf.get(file);
    if (sources === undefined) sourcesOf.set(file, (sources = nameSources(dts, file)));
    const next = sources.get(name);
    if (next === undefined || (next.file === file && next.name === name)) return { file, name };
    return follow(next.file, next.name, depth + 1);
  };
  const keyOf = (file: string, name: string): string =>
    `${path.relative(ROOT, file).split(path.sep).join('/')}#${name}`;

  const result = new Map<string, ApiExport[]>();
  /** `file#name` of every declaration some entry point exports, and what each export refers to. */
  const exportedKeys = new Set<string>();
  const refsOf = new Map<ApiExport, string[]>();
  for (const entry of entries) {
    const file = program.getSourceFile(path.join(ROOT, entry.source));
    const moduleSymbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
    if (moduleSymbol === undefined) throw new Error(`${entry.source} is not a module`);
    const runtime = runtimeNames.get(entry.source) ?? new Set<string>();
    const exports = checker
      .getExportsOfModule(moduleSymbol)
      .map((exported): ApiExport => {
        const target =
          (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
        const { text: declaration, refs } = print(target);
        for (const d of target.declarations ?? []) {
          exportedKeys.add(keyOf(path.normalize(d.getSourceFile().fileName), target.name));
        }
        const renamed = target.name === exported.name ? '' : `// exported as ${exported.name}\n`;
        const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
        const typeOnly = isValue && !runtime.has(exported.name) ? '// type-only export\n' : '';
        const declarations = target.declarations ?? [];
        const api: ApiExport = {
          name: exported.name,
          declaration: `${renamed}${typeOnly}${declaration}`,
          runtime: runtime.has(exported.name),
          callable: declarations.some((d) => ts.isClassDeclaration(d) || ts.isFunctionDeclaration(d)),
          hasExample: declarations.some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'example')),
          unexported: [],
        };
        refsOf.set(api, refs);
        return api;
      })
      .sort((a, b) => compare(a.name, b.name));
    result.set(entry.specifier, exports);
  }
  // Only now is every entry point's list known: a type exported by another entry point is nameable.
  for (const [api, refs] of refsOf) {
    (api as { unexported: readonly string[] }).unexported = [...new Set(refs)]
      .filter((key) => !exportedKeys.has(key))
      .sort(compare);
  }
  return result;
}

/** The names each entry point exports at run time, by source barrel (imports every barrel). */
export async function loadRuntimeNames(
  entries: readonly EntryPoint[],
): Promise<Map<string, ReadonlySet<string>>> {
  const names = new Map<string, ReadonlySet<string>>();
  for (const entry of entries) {
    const module = (await import(pathToFileURL(path.join(ROOT, entry.source)).href)) as Record<
      string,
      unknown
    >;
    names.set(entry.source, new Set(Object.keys(module)));
  }
  return names;
}

/** The text of one report. */
export function renderReport(entry: EntryPoint, exports: readonly ApiExport[]): string {
  const lines = [
    `# API report: \`${entry.specifier}\``,
    '',
    `<!-- Generated by \`${API_REPORT_COMMAND}\` (scripts/api-report.ts) from ${entry.source}. Do not edit. -->`,
    '',
    `${String(exports.length)} exported names (${String(exports.filter((e) => e.runtime).length)} at run time).`,
    '',
    '```ts',
  ];
  for (const e of exports) lines.push(e.declaration, '');
  if (exports.length > 0) lines.pop();
  lines.push('```', '');
  return lines.join('\n').replaceAll(ROOT, '');
}

/** Every report: file (relative to the root) → content. */
export async function renderApiReports(): Promise<Map<string, string>> {
  const entries = apiEntryPoints();
  const api = collectApi(entries, await loadRuntimeNames(entries));
  return new Map(entries.map((e) => [e.report, renderReport(e, api.get(e.specifier) ?? [])]));
}

/** A line diff of two texts, `-`/`+` lines with a little context, for a failure message. */
export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  // The common head and tail are kept as they are; the longest common subsequence is computed on the middle only
  // (a change to the surface is local), and a middle too large for it is shown as removed, then added.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const ops: { readonly kind: ' ' | '-' | '+'; readonly line: string }[] = a
    .slice(0, head)
    .map((line) => ({ kind: ' ', line }));
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const n = x.length;
  const m = y.length;
  if (n * m > 4_000_000) {
    ops.push(
      ...x.map((line) => ({ kind: '-' as const, line })),
      ...y.map((line) => ({ kind: '+' as const, line })),
    );
  } else {
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) {
        ops.push({ kind: ' ', line: x[i]! });
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
        ops.push({ kind: '+', line: y[j]! });
        j++;
      } else {
        ops.push({ kind: '-', line: x[i]! });
        i++;
      }
    }
  }
  ops.push(...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })));
  const keep = ops.map((op, k) =>
    ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.kind !== ' '),
  );
  const out: string[] = [];
  ops.forEach((op, k) => {
    if (keep[k] === true) out.push(`${op.kind} ${op.line}`);
    else if (keep[k - 1] === true) out.push('  ...');
  });
  return out.join('\n');
}

/** Stale or missing reports (and reports of entry points that no longer exist), with a diff for each. */
export function staleReports(expected: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, content] of expected) {
    let current: string | undefined;
    try {
      current = readFileSync(path.join(ROOT, file), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) problems.push(`${file} is missing`);
    else if (current !== content) problems.push(`${file} is out of date:\n${lineDiff(current, content)}`);
  }
  const present = readdirSafe(path.join(ROOT, API_DIR)).filter((f) => f.endsWith('.api.md'));
  for (const f of present) {
    if (!expected.has(`${API_DIR}/${f}`)) problems.push(`${API_DIR}/${f} belongs to no entry point`);
  }
  return problems;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).sort(compare);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const reports = await renderApiReports();
  if (process.argv.includes('--check')) {
    const problems = staleReports(reports);
    if (problems.length > 0) {
      console.error(
        `${problems.join('\n\n')}\n\nThe public API changed: run \`${API_REPORT_COMMAND}\` and review the diff.`,
      );
      process.exit(1);
    }
    console.log(`${String(reports.size)} API reports are up to date`);
    return;
  }
  mkdirSync(path.join(ROOT, API_DIR), { recursive: true });
  for (const f of readdirSafe(path.join(ROOT, API_DIR))) {
    if (f.endsWith('.api.md') && !reports.has(`${API_DIR}/${f}`)) rmSync(path.join(ROOT, API_DIR, f));
  }
  for (const [file, content] of reports) writeFileSync(path.join(ROOT, file), content);
  console.log(`wrote ${[...reports.keys()].join(', ')}`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
