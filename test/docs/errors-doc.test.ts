/**
 * Keeps docs/errors.md in sync with the code: every error code the library can throw or emit must have a row in one
 * of its tables, and every code in a table must still exist.
 *
 * Extraction (syntactic, with the TypeScript parser; src/emulator and src/cli are out of scope): a code is a string
 * literal in SCREAMING_SNAKE_CASE found in one of these positions.
 *
 * 1. The argument for a parameter named `code` of a constructor or function: `new X(...)` and `super(...)` resolve
 *    the constructor through the class hierarchy of the scanned files (a class without a constructor inherits its
 *    base's); `f(...)` resolves a function declared in the same file.
 * 2. The value of a property named `code`: `{ code: 'X' }` (an options object, `process.emitWarning`) or a class
 *    field `readonly code = 'X'`.
 * 3. A member of a type alias whose name ends in `Code` (`ShardErrorCode = 'A' | 'B'`).
 * 4. A value returned by a function whose name ends in `Code` (`httpErrorCode`).
 *
 * A value is a string literal, either branch of `?:`, either side of `??`/`||`, or an identifier naming a `const`
 * of the same file initialised with a string literal (`new ProtocolError(PROTOCOL_MALFORMED_FRAME, ...)`).
 * Comparisons (`err.code === 'ENOENT'`), HTTP methods and PubSub frame types are in none of these positions.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');
const DOC = join(ROOT, 'docs', 'errors.md');
/** Directories of src/ that are not part of the scan: the emulator answers with Twitch's own errors, the CLI exits. */
const EXCLUDED_DIRS = new Set(['emulator', 'cli']);
/**
 * `*Code` type aliases that are not ours: Twitch's PubSub error strings (`ERR_BADAUTH`...), which arrive in
 * `PubSubResponseError.error` under our code `PUBSUB_RESPONSE_ERROR`.
 */
const IGNORED_CODE_TYPES = new Set(['PubSubResponseErrorCode']);
const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** A code found in the sources, with where it was found (for the failure message). */
interface Found {
  readonly code: string;
  readonly where: string;
}

interface ClassInfo {
  readonly base: string | undefined;
  /** Parameter names of its own constructor, `undefined` when it has none. */
  readonly params: readonly string[] | undefined;
  readonly declaresCode: boolean;
}

interface ParsedFile {
  readonly name: string;
  readonly source: ts.SourceFile;
}

function listSources(dir: string, top = true): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (top && EXCLUDED_DIRS.has(entry.name)) continue;
      out.push(...listSources(join(dir, entry.name), false));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(join(dir, entry.name));
    }
  }
  return out.sort();
}

function parse(name: string, text: string): ParsedFile {
  return { name, source: ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
}

function paramNames(params: ts.NodeArray<ts.ParameterDeclaration>): string[] {
  return params.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
}

function forEachDescendant(node: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (n: ts.Node): void => {
    visit(n);
    ts.forEachChild(n, walk);
  };
  walk(node);
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Every class of every file, by name: its base class and constructor parameters. */
function classRegistry(files: readonly ParsedFile[]): Map<string, ClassInfo> {
  const classes = new Map<string, ClassInfo>();
  for (const { source } of files) {
    forEachDescendant(source, (node) => {
      if (!ts.isClassDeclaration(node) || node.name === undefined) return;
      const heritage = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
      const baseExpr = heritage?.types[0]?.expression;
      const ctor = node.members.find(ts.isConstructorDeclaration);
      const declaresCode = node.members.some(
        (m) => ts.isPropertyDeclaration(m) && propertyName(m.name) === 'code',
      );
      classes.set(node.name.text, {
        base: baseExpr !== undefined && ts.isIdentifier(baseExpr) ? baseExpr.text : undefined,
        params: ctor === undefined ? undefined : paramNames(ctor.parameters),
        declaresCode,
      });
    });
  }
  return classes;
}

/** Constructor parameters of `name`, inherited from the nearest base that declares a constructor. */
function constructorParams(classes: ReadonlyMap<string, ClassInfo>, name: string): readonly string[] {
  const seen = new Set<string>();
  for (let current: string | undefined = name; current !== undefined && !seen.has(current);) {
    seen.add(current);
    const info = classes.get(current);
    if (info === undefined) return [];
    if (info.params !== undefined) return info.params;
    current = info.base;
  }
  return [];
}

/** Whether `name` is (or derives from) `ancestor` among the scanned classes. */
function derivesFrom(classes: ReadonlyMap<string, ClassInfo>, name: string, ancestor: string): boolean {
  const seen = new Set<string>();
  for (let current: string | undefined = name; current !== undefined && !seen.has(current);) {
    if (current === ancestor) return true;
    seen.add(current);
    current = classes.get(current)?.base;
  }
  return false;
}

/** Extracts the codes of one file (see the header for the rules). */
function extractFromFile(file: ParsedFile, classes: ReadonlyMap<string, ClassInfo>): Found[] {
  const { source, name } = file;
  const found: Found[] = [];
  const constants = new Map<string, string>();
  const functions = new Map<string, readonly string[]>();
  forEachDescendant(source, (node) => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined &&
      ts.isStringLiteralLike(node.initializer) &&
      ts.isVariableDeclarationList(node.parent) &&
      (node.parent.flags & ts.NodeFlags.Const) !== 0
    ) {
      constants.set(node.name.text, node.initializer.text);
    } else if (ts.isFunctionDeclaration(node) && node.name !== undefined) {
      functions.set(node.name.text, paramNames(node.parameters));
    }
  });

  const values = (expr: ts.Expression | undefined): string[] => {
    if (expr === undefined) return [];
    if (ts.isStringLiteralLike(expr)) return [expr.text];
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) {
      return values(expr.expression);
    }
    if (ts.isConditionalExpression(expr)) return [...values(expr.whenTrue), ...values(expr.whenFalse)];
    if (
      ts.isBinaryExpression(expr) &&
      (expr.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
        expr.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) {
      return [...values(expr.left), ...values(expr.right)];
    }
    if (ts.isIdentifier(expr)) {
      const value = constants.get(expr.text);
      return value === undefined ? [] : [value];
    }
    return [];
  };
  const add = (node: ts.Node, expr: ts.Expression | undefined): void => {
    for (const code of values(expr)) {
      if (!CODE_PATTERN.test(code)) continue;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({ code, where: `${name}:${line}` });
    }
  };
  const addArguments = (node: ts.Node, params: readonly string[], args: readonly ts.Expression[]): void => {
    params.forEach((param, i) => {
      if (param === 'code') add(node, args[i]);
    });
  };
  const enclosingClass = (node: ts.Node): ts.ClassLikeDeclaration | undefined => {
    for (let n: ts.Node = node; !ts.isSourceFile(n);) {
      n = n.parent;
      if (ts.isClassLike(n)) return n;
    }
    return undefined;
  };

  forEachDescendant(source, (node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      addArguments(node, constructorParams(classes, node.expression.text), node.arguments ?? []);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const owner = enclosingClass(node);
      const base = owner?.name === undefined ? undefined : classes.get(owner.name.text)?.base;
      if (base !== undefined) addArguments(node, constructorParams(classes, base), node.arguments);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const params = functions.get(node.expression.text);
      if (params !== undefined) addArguments(node, params, node.arguments);
    } else if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'code') {
      add(node, node.initializer);
    } else if (ts.isPropertyDeclaration(node) && propertyName(node.name) === 'code') {
      add(node, node.initializer);
    } else if (
      ts.isTypeAliasDeclaration(node) &&
      node.name.text.endsWith('Code') &&
      !IGNORED_CODE_TYPES.has(node.name.text)
    ) {
      forEachDescendant(node.type, (t) => {
        if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) add(t, t.literal);
      });
    } else if (ts.isFunctionDeclaration(node) && node.name?.text.endsWith('Code') === true && node.body) {
      forEachDescendant(node.body, (r) => {
        if (ts.isReturnStatement(r)) add(r, r.expression);
      });
    }
  });
  return found;
}

/** Extracts the codes of a set of files, and the names of the error classes (those carrying a code). */
function extract(files: readonly ParsedFile[]): { codes: Map<string, string[]>; classes: string[] } {
  const classes = classRegistry(files);
  const codes = new Map<string, string[]>();
  for (const file of files) {
    for (const { code, where } of extractFromFile(file, classes)) {
      const list = codes.get(code) ?? [];
      list.push(where);
      codes.set(code, list);
    }
  }
  const errorClasses = [...classes]
    .filter(
      ([name, info]) =>
        name !== 'TwitchError' && (derivesFrom(classes, name, 'TwitchError') || info.declaresCode),
    )
    .map(([name]) => name)
    .sort();
  return { codes, classes: errorClasses };
}

/** Codes in the first cell of a table row of the doc: `` | `CODE` | ... ``, by section (`## ` heading). */
function documentedCodes(markdown: string): Map<string, string[]> {
  const bySection = new Map<string, string[]>();
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = /^##\s+(.*)$/.exec(line);
    if (heading?.[1] !== undefined) section = heading[1].trim();
    const cell = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line);
    if (cell?.[1] === undefined) continue;
    const list = bySection.get(cell[1]) ?? [];
    list.push(section);
    bySection.set(cell[1], list);
  }
  return bySection;
}

const files = listSources(SRC).map((path) => parse(relative(ROOT, path), readFileSync(path, 'utf8')));
const scanned = extract(files);
const markdown = readFileSync(DOC, 'utf8');
const documented = documentedCodes(markdown);

describe('the code extractor', () => {
  const sample = parse(
    'sample.ts',
    `
    class TwitchError extends Error { constructor(code: string, message: string) { super(message); } }
    class PlainError extends TwitchError {}
    class WrappedError extends TwitchError {
      constructor(message: string, field?: string, options?: { code?: string }) {
        super(options?.code ?? 'DEFAULT_CODE', message);
      }
    }
    class RangeCoded extends RangeError { readonly code = 'FIELD_CODE'; }
    export type SampleCode = 'UNION_A' | 'UNION_B';
    type Other = 'NOT_A_CODE_TYPE';
    const NAMED = 'NAMED_CONST';
    function sampleCode(n: number): string { return n > 1 ? 'RETURNED_A' : 'RETURNED_B'; }
    function fail(code: string, message: string): never { throw new PlainError(code, message); }
    new PlainError(flag ? 'TERNARY_A' : 'TERNARY_B', 'm');
    new PlainError(NAMED, 'NOT_THE_MESSAGE');
    new WrappedError('m', 'FIELD_NAME', { code: 'OPTION_CODE' });
    fail('HELPER_CODE', 'm');
    process.emitWarning('m', { code: 'WARNING_CODE' });
    if (err.code === 'ENOENT_LIKE') send({ type: 'LISTEN', method: 'POST' });
    fetch(url, { method: 'GET' });
    new PlainError('lowercase_code', 'm');
  `,
  );
  const result = extract([sample]);

  it('finds codes in every documented position', () => {
    expect([...result.codes.keys()].sort()).toEqual(
      [
        'DEFAULT_CODE',
        'FIELD_CODE',
        'HELPER_CODE',
        'NAMED_CONST',
        'OPTION_CODE',
        'RETURNED_A',
        'RETURNED_B',
        'TERNARY_A',
        'TERNARY_B',
        'UNION_A',
        'UNION_B',
        'WARNING_CODE',
      ].sort(),
    );
  });

  it('names the error classes: TwitchError subclasses and classes with a code field', () => {
    expect(result.classes).toEqual(['PlainError', 'RangeCoded', 'WrappedError']);
  });

  it('finds the real codes of the library and none of the protocol words', () => {
    const codes = scanned.codes;
    for (const code of [
      'INVALID_ARGUMENT',
      'CONDUIT_MISSING',
      'INVALID_SHARD_COUNT',
      'BAD_REQUEST',
      'LIMIT_EXCEEDED',
      'TOKEN_REFRESH_FAILED',
      'TOKEN_REVOKED',
      'PROTOCOL_MALFORMED_FRAME',
      'UNKNOWN_MESSAGE_TYPE',
      'PUBSUB_CLOSED',
      'SHARD_CONTESTED',
    ]) {
      expect(codes.has(code), code).toBe(true);
    }
    for (const word of ['LISTEN', 'UNLISTEN', 'PONG', 'ERR_BADAUTH', 'ERR_SERVER', 'GET', 'POST', 'ENOENT']) {
      expect(codes.has(word), word).toBe(false);
    }
    // Sanity: the scan covers the whole library, not a handful of files.
    expect(files.length).toBeGreaterThan(40);
    expect(codes.size).toBeGreaterThan(50);
  });
});

describe('docs/errors.md', () => {
  it('has a table row for every error code in src/', () => {
    const missing = [...scanned.codes]
      .filter(([code]) => !documented.has(code))
      .map(([code, where]) => `${code} (${where.join(', ')})`);
    expect(missing, `codes missing from docs/errors.md:\n${missing.join('\n')}`).toEqual([]);
  });

  it('documents no code that the sources do not have', () => {
    const invented = [...documented.keys()].filter((code) => !scanned.codes.has(code));
    expect(invented, `codes in docs/errors.md not found in src/: ${invented.join(', ')}`).toEqual([]);
  });

  it('names every error class', () => {
    const unnamed = scanned.classes.filter((name) => !markdown.includes(`\`${name}\``));
    expect(unnamed, `error classes missing from docs/errors.md: ${unnamed.join(', ')}`).toEqual([]);
  });

  it('has the sections and conventions the brief asks for', () => {
    for (const heading of [
      'Conventions',
      'Core',
      'Catalogue',
      'Helix',
      'Auth',
      'EventSub WebSocket',
      'Conduits and AutoClient',
      'PubSub',
      'Webhooks',
      'CLI exit codes',
    ]) {
      expect(markdown, heading).toMatch(new RegExp(`^## ${heading}`, 'm'));
    }
    for (const convention of [
      "Symbol.for('twitch-realtime.error')",
      '`cause`',
      'twitchMessage',
      '[redacted]',
    ]) {
      expect(markdown, convention).toContain(convention);
    }
  });
});
