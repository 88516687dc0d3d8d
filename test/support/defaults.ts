/**
 * Checks of an options table of defaults (`AUTO_CLIENT_DEFAULTS`, `WEBSOCKET_CLIENT_DEFAULTS`) against the
 * `@defaultValue`s of its TSDoc: read the documented defaults, spell a value as the TSDoc writes it.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * `@defaultValue` text of each member of the interface `name` in the source file `file` (a URL or path).
 *
 * @example
 * ```ts
 * documentedDefaults(new URL('../../src/eventsub/conduit/options.ts', import.meta.url), 'AutoClientOptions');
 * ```
 */
export function documentedDefaults(file: URL | string, name: string): Map<string, string> {
  const source = ts.createSourceFile('options.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
        for (const tag of ts.getJSDocTags(member)) {
          if (tag.tagName.text !== 'defaultValue') continue;
          out.set(member.name.text, (ts.getTextOfJSDocComment(tag.comment) ?? '').trim());
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** A default as the TSDoc writes it: `32`, `true`, `'wss://…'`, `{ initialMs: 1000, maxMs: 60000 }`. */
export function spelled(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${spelled(v)}`)
      .join(', ')} }`;
  }
  return String(value);
}

/** A TSDoc default that is a literal (not prose such as "Twitch's (10)" or "a MemoryDedupeStore"). */
export const LITERAL = /^(\d+|true|false|'[^']*'|\{ .* \})$/;
