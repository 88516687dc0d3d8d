/**
 * docs/testing.md shows the three runner examples verbatim: each block after an `<!-- example: path -->` comment is
 * the file at that path, byte for byte (the files are what CI runs with vitest, jest and node:test against the packed
 * package, scripts/check-package.ts).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../support/typescript.js';

const EXAMPLES = [
  'examples/testing/vitest.test.ts',
  'examples/testing/jest.test.mjs',
  'examples/testing/node.test.mjs',
];

/** `path → the body of the fenced block right after its marker`. */
function quoted(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const marker = /<!-- example: (\S+) -->\n\n(`{3,})[^\n]*\n([\s\S]*?)\n\2\n/g;
  for (const match of markdown.matchAll(marker)) out.set(match[1]!, `${match[3]!}\n`);
  return out;
}

describe('docs/testing.md', () => {
  const blocks = quoted(readFileSync(path.join(root, 'docs', 'testing.md'), 'utf8'));
  it('quotes exactly the three runner examples', () => {
    expect([...blocks.keys()].sort()).toEqual([...EXAMPLES].sort());
  });
  for (const file of EXAMPLES) {
    it(`quotes ${file} verbatim`, () => {
      expect(blocks.get(file)).toBe(readFileSync(path.join(root, file), 'utf8'));
    });
  }
});
