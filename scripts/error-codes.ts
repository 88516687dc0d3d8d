/**
 * The library's error codes, read from the sources with the TypeScript parser (syntax only, no type checker):
 *
 * - **the unions**: every type alias of src/ named `*Code` whose members are string literals (or other such aliases)
 *   is a code union, e.g. `HelixErrorCode = HttpErrorCode | 'RATE_LIMIT_WAIT_TOO_LONG' | ...`. The TSDoc of a member
 *   says when the code happens; its last paragraph, `What to do: ...`, what to do. docs/errors.md's tables are generated from them
 *   (scripts/gen-errors-doc.ts).
 * - **the throw sites**: every code the library throws or emits, with the class that carries it. A code is a string
 *   literal in SCREAMING_SNAKE_CASE passed for a constructor parameter named `code` (`new X('CODE', ...)`,
 *   `super('CODE', ...)`, through the class hierarchy), the `code` of an object literal (`new X(msg, field,
 *   { code: 'CODE' })`, `process.emitWarning(msg, { code })`, a result's `code` field), or a class field
 *   `code = 'CODE'`. A value is a literal, either branch of `?:`, either side of `??`/`||`, a `const` of the same file,
 *   or what a function of the same file named `*Code` returns (`httpErrorCode`).
 *
 * - **the registry**: the unions registered in `TwitchErrorCodes` (src/core/errors.ts), whose union is the type of
 *   `TwitchError['code']`; every code must reach it through some registered union.
 *
 * All of src/ is read, the emulator and the CLI included.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** `*Code` aliases that are not our codes: Twitch's PubSub error strings, EventSub's numeric close codes. */
const NOT_CODE_UNIONS = new Set(['PubSubResponseErrorCode', 'EventSubCloseCode']);
const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/** The class column of a code carried by no `Error`. */
export const WARNING_CARRIER = '— (process warning, not an `Error`)';
export const DATA_CARRIER = "— (a result's `code` field, not an `Error`)";

/** A parsed source file (`name` relative to the root). */
export interface ParsedFile {
  readonly name: string;
  readonly source: ts.SourceFile;
}

/** One member of a code union. */
export interface CodeMember {
  readonly code: string;
  /** The union that declares the literal. */
  readonly union: string;
  /** `file:line` of the literal. */
  readonly where: string;
  /** TSDoc summary: when it happens (one line of Markdown). */
  readonly when: string;
  /** TSDoc paragraph `What to do: ...`: what to do (one line of Markdown). */
  readonly what: string;
}

/** A code union: its members in order, those of the aliases it names included. */
export interface CodeUnion {
  readonly name: string;
  readonly file: string;
  readonly members: readonly CodeMember[];
  /** The literals it declares itself (not through another alias). */
  readonly own: readonly string[];
}

/** A code found at a throw or emit site. */
export interface ThrowSite {
  readonly code: string;
  /** The class carrying it, or {@link WARNING_CARRIER} / {@link DATA_CARRIER}. */
  readonly carrier: string;
  readonly where: string;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      out.push(...listSources(join(dir, entry.name)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(join(dir, entry.name));
    }
  }
  return out.sort();
}

export function parse(name: string, text: string): ParsedFile {
  return { name, source: ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
}

/** Every scanned source file of src/. */
export function sourceFiles(): ParsedFile[] {
  return listSources(join(ROOT, 'src')).map((p) => parse(relative(ROOT, p), readFileSync(p, 'utf8')));
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => {
    walk(child, visit);
  });
}

function lineOf(file: ParsedFile, node: ts.Node): string {
  return `${file.name}:${String(file.source.getLineAndCharacterOfPosition(node.getStart(file.source)).line + 1)}`;
}

/** The paragraph of a member's TSDoc that says what to do (TypeDoc allows no block tag on a union member). */
const WHAT_TO_DO = /^What to do:\s*/m;

/**
 * `{@link X}` → `` `X` ``, links to the docs (`../../docs/pubsub.md#x`, as TypeDoc resolves them from src/) made
 * relative to docs/, lines joined: TSDoc text as one Markdown table cell.
 */
function cell(text: string): string {
  return text
    .replace(/\{@link\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\}/g, (_, target: string, label?: string) =>
      label === undefined ? `\`${target}\`` : label.trim(),
    )
    .replace(/\]\((?:\.\.\/)+docs\//g, '](')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The last `/** ... *\/` comment in `text`, split into summary and `What to do:` paragraph. */
function memberDoc(text: string): { when: string; what: string } | undefined {
  const comments = [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)];
  const last = comments.at(-1)?.[1];
  if (last === undefined) return undefined;
  const body = last
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, ''))
    .join('\n');
  const at = body.search(WHAT_TO_DO);
  return at === -1
    ? { when: cell(body), what: '' }
    : { when: cell(body.slice(0, at)), what: cell(body.slice(at).replace(WHAT_TO_DO, '')) };
}

/** Every code union of the files, by name. */
export function readUnions(files: readonly ParsedFile[]): Map<string, CodeUnion> {
  const aliases = new Map<string, { file: ParsedFile; node: ts.TypeAliasDeclaration }>();
  for (const file of files) {
    walk(file.source, (node) => {
      if (ts.isTypeAliasDeclaration(node) && node.name.text.endsWith('Code')) {
        if (!NOT_CODE_UNIONS.has(node.name.text)) aliases.set(node.name.text, { file, node });
      }
    });
  }
  const resolved = new Map<string, CodeUnion>();
  const resolve = (name: string, stack: readonly string[]): CodeUnion | undefined => {
    const known = resolved.get(name);
    if (known !== undefined) return known;
    const alias = aliases.get(name);
    if (alias === undefined || stack.includes(name)) return undefined;
    const { file, node } = alias;
    const text = file.source.text;
    const types = ts.isUnionTypeNode(node.type) ? node.type.types : [node.type];
    const members: CodeMember[] = [];
    const own: string[] = [];
    let previousEnd = node.type.pos;
    for (const type of types) {
      if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) {
        const doc = memberDoc(text.slice(previousEnd, type.getStart(file.source)));
        own.push(type.literal.text);
        members.push({
          code: type.literal.text,
          union: name,
          where: lineOf(file, type),
          when: doc?.when ?? '',
          what: doc?.what ?? '',
        });
      } else if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
        members.push(...(resolve(type.typeName.text, [...stack, name])?.members ?? []));
      }
      previousEnd = type.end;
    }
    const union: CodeUnion = { name, file: file.name, members, own };
    resolved.set(name, union);
    return union;
  };
  for (const name of aliases.keys()) resolve(name, []);
  // An alias that names no literal (`Exclude<...>`, `keyof ...`) is no code union.
  return new Map([...resolved].filter(([, union]) => union.members.length > 0));
}

/** The interface every code union is registered in (src/core/errors.ts), by module augmentation from its subsystem. */
export const CODE_REGISTRY = 'TwitchErrorCodes';

/**
 * The unions registered in {@link CODE_REGISTRY}: the type of each property of every declaration of that interface,
 * the core's own and each `declare module '…/core/errors.js' { interface TwitchErrorCodes { key: SomeErrorCode } }`.
 * `TwitchErrorCode`, the type of `TwitchError['code']`, is the union of these.
 */
export function registeredUnions(files: readonly ParsedFile[]): Map<string, string> {
  const registered = new Map<string, string>();
  for (const file of files) {
    walk(file.source, (node) => {
      if (!ts.isInterfaceDeclaration(node) || node.name.text !== CODE_REGISTRY) return;
      for (const member of node.members) {
        if (
          ts.isPropertySignature(member) &&
          member.type !== undefined &&
          ts.isTypeReferenceNode(member.type) &&
          ts.isIdentifier(member.type.typeName)
        ) {
          registered.set(member.type.typeName.text, lineOf(file, member));
        }
      }
    });
  }
  return registered;
}

interface ClassInfo {
  readonly base: string | undefined;
  /** Parameter names of its own constructor, `undefined` when it has none. */
  readonly params: readonly string[] | undefined;
}

function paramNames(params: ts.NodeArray<ts.ParameterDeclaration>): string[] {
  return params.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Every class of every file, by name: its base class and constructor parameters. */
export function classRegistry(files: readonly ParsedFile[]): Map<string, ClassInfo> {
  const classes = new Map<string, ClassInfo>();
  for (const { source } of files) {
    walk(source, (node) => {
      if (!ts.isClassDeclaration(node) || node.name === undefined) return;
      const heritage = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
      const baseExpr = heritage?.types[0]?.expression;
      const ctor = node.members.find(ts.isConstructorDeclaration);
      classes.set(node.name.text, {
        base: baseExpr !== undefined && ts.isIdentifier(baseExpr) ? baseExpr.text : undefined,
        params: ctor === undefined ? undefined : paramNames(ctor.parameters),
      });
    });
  }
  return classes;
}

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

/** Whether `name` is (or derives from) `ancestor` among the classes. */
export function derivesFrom(
  classes: ReadonlyMap<string, ClassInfo>,
  name: string,
  ancestor: string,
): boolean {
  const seen = new Set<string>();
  for (let current: string | undefined = name; current !== undefined && !seen.has(current);) {
    if (current === ancestor) return true;
    seen.add(current);
    current = classes.get(current)?.base;
  }
  return false;
}

/** The error class a helper constructs with its `code` parameter (`new ShardError(code, …)`), or `?`. */
function carrierOfBody(body: ts.Node, classes: ReadonlyMap<string, ClassInfo>): string {
  let carrier = '?';
  walk(body, (n) => {
    if (
      carrier === '?' &&
      ts.isNewExpression(n) &&
      ts.isIdentifier(n.expression) &&
      classes.has(n.expression.text) &&
      n.arguments?.some((a) => ts.isIdentifier(a) && a.text === 'code') === true
    ) {
      carrier = n.expression.text;
    }
  });
  return carrier;
}

/**
 * Methods with a `code` parameter in every file, for `this.fail('CODE', …)` calls in a subclass whose base class (in
 * another file) defines the helper.
 */
function inheritedHelpers(
  files: readonly ParsedFile[],
  classes: ReadonlyMap<string, ClassInfo>,
): Map<string, { readonly index: number; readonly carrier: string }> {
  const helpers = new Map<string, { readonly index: number; readonly carrier: string }>();
  for (const { source } of files) {
    walk(source, (node) => {
      if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name) && node.body !== undefined) {
        const index = paramNames(node.parameters).indexOf('code');
        const carrier = carrierOfBody(node.body, classes);
        // Two methods of one name: keep the one that builds an error class with the code.
        if (index !== -1 && (carrier !== '?' || !helpers.has(node.name.text))) {
          helpers.set(node.name.text, { index, carrier });
        }
      }
    });
  }
  return helpers;
}

function scanFile(
  file: ParsedFile,
  classes: ReadonlyMap<string, ClassInfo>,
  inherited: ReadonlyMap<string, { readonly index: number; readonly carrier: string }>,
): ThrowSite[] {
  const { source } = file;
  const sites: ThrowSite[] = [];
  const constants = new Map<string, string>();
  const codeFunctions = new Map<string, ts.FunctionDeclaration>();
  /** Functions and methods of the file with a `code` parameter → its index and the class they construct with it. */
  const helpers = new Map<string, { readonly index: number; readonly carrier: string }>();
  const carrierOf = (body: ts.Node): string => carrierOfBody(body, classes);
  walk(source, (node) => {
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name !== undefined) {
      const index = paramNames(node.parameters).indexOf('code');
      const name =
        ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) ? node.name.text : undefined;
      if (index !== -1 && name !== undefined && node.body !== undefined) {
        helpers.set(name, { index, carrier: carrierOf(node.body) });
      }
    }
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined &&
      ts.isStringLiteralLike(node.initializer) &&
      ts.isVariableDeclarationList(node.parent) &&
      (node.parent.flags & ts.NodeFlags.Const) !== 0
    ) {
      constants.set(node.name.text, node.initializer.text);
    } else if (ts.isFunctionDeclaration(node) && node.name?.text.endsWith('Code') === true) {
      codeFunctions.set(node.name.text, node);
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
    if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression)) {
      const fn = codeFunctions.get(expr.expression.text);
      const returned: string[] = [];
      if (fn?.body !== undefined) {
        walk(fn.body, (r) => {
          if (ts.isReturnStatement(r)) returned.push(...values(r.expression));
        });
      }
      return returned;
    }
    return [];
  };
  const handled = new Set<ts.Node>();
  const add = (node: ts.Node, expr: ts.Expression | undefined, carrier: string): void => {
    for (const code of values(expr)) {
      if (CODE_PATTERN.test(code)) sites.push({ code, carrier, where: lineOf(file, node) });
    }
  };
  const addArguments = (node: ts.Node, carrier: string, args: readonly ts.Expression[]): void => {
    const params = constructorParams(classes, carrier);
    args.forEach((arg, i) => {
      if (params[i] === 'code') add(node, arg, carrier);
      if (!ts.isObjectLiteralExpression(arg)) return;
      for (const property of arg.properties) {
        if (ts.isPropertyAssignment(property) && propertyName(property.name) === 'code') {
          handled.add(property);
          add(property, property.initializer, carrier);
        }
      }
    });
  };
  const enclosingClass = (node: ts.Node): ts.ClassLikeDeclaration | undefined => {
    for (let n: ts.Node = node; !ts.isSourceFile(n);) {
      n = n.parent;
      if (ts.isClassLike(n)) return n;
    }
    return undefined;
  };
  const inWarning = (node: ts.Node): boolean => {
    const call = node.parent.parent;
    return (
      ts.isCallExpression(call) &&
      ts.isPropertyAccessExpression(call.expression) &&
      call.expression.name.text === 'emitWarning'
    );
  };

  walk(source, (node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && classes.has(node.expression.text)) {
      addArguments(node, node.expression.text, node.arguments ?? []);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const owner = enclosingClass(node)?.name?.text;
      const base = owner === undefined ? undefined : classes.get(owner)?.base;
      if (owner === undefined || base === undefined) return;
      const params = constructorParams(classes, base);
      node.arguments.forEach((arg, i) => {
        if (params[i] === 'code') add(node, arg, owner);
        // `super(message, field, { code: 'X' })`: the options object of the base class carries the code.
        if (!ts.isObjectLiteralExpression(arg)) return;
        for (const property of arg.properties) {
          if (ts.isPropertyAssignment(property) && propertyName(property.name) === 'code') {
            handled.add(property);
            add(property, property.initializer, owner);
          }
        }
      });
    } else if (ts.isPropertyDeclaration(node) && propertyName(node.name) === 'code') {
      const owner = enclosingClass(node)?.name?.text;
      if (owner !== undefined) add(node, node.initializer, owner);
    } else if (ts.isCallExpression(node)) {
      // A helper of this file that takes the code: `fail('CODE', ...)`, `this.#failed(shard, 'CODE', ...)`.
      const callee = node.expression;
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : undefined;
      const isThis =
        ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword;
      // A helper of this file (`fail(…)`, `this.#failed(…)`), else a method with a `code` parameter defined in another
      // file (`this.fail(…)` in a subclass, `shard.fail(…)`).
      const local = name !== undefined && (ts.isIdentifier(callee) || isThis) ? helpers.get(name) : undefined;
      const helper =
        local ??
        (name !== undefined && ts.isPropertyAccessExpression(callee) ? inherited.get(name) : undefined);
      if (helper !== undefined) add(node, node.arguments[helper.index], helper.carrier);
    }
  });
  // Object literals not passed to an error constructor: a warning's options, or a result's `code` field.
  walk(source, (node) => {
    if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'code' && !handled.has(node)) {
      add(node, node.initializer, inWarning(node) ? WARNING_CARRIER : DATA_CARRIER);
    }
  });
  return sites;
}

/** Every code thrown or emitted by the files. */
export function scanThrowSites(files: readonly ParsedFile[]): ThrowSite[] {
  const classes = classRegistry(files);
  const inherited = inheritedHelpers(files, classes);
  return files.flatMap((file) => scanFile(file, classes, inherited));
}

/** The error classes (those deriving from `TwitchError`, or with a `code` of their own), sorted. */
export function errorClasses(files: readonly ParsedFile[]): string[] {
  const classes = classRegistry(files);
  const withCode = new Set<string>();
  for (const { source } of files) {
    walk(source, (node) => {
      if (
        ts.isPropertyDeclaration(node) &&
        propertyName(node.name) === 'code' &&
        ts.isClassDeclaration(node.parent) &&
        node.parent.name !== undefined
      ) {
        withCode.add(node.parent.name.text);
      }
    });
  }
  return [...classes.keys()]
    .filter(
      (name) => name !== 'TwitchError' && (derivesFrom(classes, name, 'TwitchError') || withCode.has(name)),
    )
    .sort();
}
