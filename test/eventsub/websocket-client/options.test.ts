/**
 * The WebSocketClient's options: the one table of defaults against the `@defaultValue`s of the TSDoc (they must say
 * the same; as test/eventsub/conduit/options.test.ts does for the AutoClient).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { WEBSOCKET_CLIENT_DEFAULTS } from '../../../src/eventsub/websocket-client/index.js';

const source = ts.createSourceFile(
  'options.ts',
  readFileSync(new URL('../../../src/eventsub/websocket-client/options.ts', import.meta.url), 'utf8'),
  ts.ScriptTarget.Latest,
  true,
);

/** `@defaultValue` text of each member of an interface of options.ts. */
function documentedDefaults(name: string): Map<string, string> {
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

/** A default as the TSDoc writes it: `16`, `'wss://…'`, `{ initialMs: 250, maxMs: 30000 }`. */
function spelled(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${spelled(v)}`)
      .join(', ')} }`;
  }
  return String(value);
}

/** A TSDoc default that is a literal (not prose such as "Twitch's (10)" or "a MemoryDedupeStore"). */
const LITERAL = /^(\d+|true|false|'[^']*'|\{ .* \})$/;

describe('WEBSOCKET_CLIENT_DEFAULTS', () => {
  it('is what the TSDoc @defaultValue of each option says, and the TSDoc names no literal default it lacks', () => {
    const documented = documentedDefaults('EventSubWebSocketClientOptions');
    for (const [key, value] of Object.entries(WEBSOCKET_CLIENT_DEFAULTS)) {
      expect({ key, doc: documented.get(key) }).toEqual({ key, doc: spelled(value) });
    }
    const literal = [...documented].filter(([, doc]) => LITERAL.test(doc)).map(([key]) => key);
    expect(literal.sort()).toEqual(Object.keys(WEBSOCKET_CLIENT_DEFAULTS).sort());
  });

  it('is frozen, nested objects included', () => {
    expect(Object.isFrozen(WEBSOCKET_CLIENT_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(WEBSOCKET_CLIENT_DEFAULTS.reconnectBackoff)).toBe(true);
  });
});
