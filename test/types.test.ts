/**
 * The type tests (`test/**\/*.test-d.ts`: `expectTypeOf` assertions and `@ts-expect-error` lines) compiled under the
 * project's strict tsconfig. A type assertion that fails, or an expected error that no longer occurs, is a
 * diagnostic of its file.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { root, typeCheck } from './support/typescript.js';

const files = readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.test-d.ts'))
  .map((name) => path.join(root, 'test', name))
  .sort();

it('finds the type tests', () => {
  expect(files.length).toBeGreaterThanOrEqual(7);
});

// 120 s: one TypeScript program over every *.test-d.ts file (a compiler run, several seconds even idle).
it('every type test compiles without a diagnostic', { timeout: 120_000 }, () => {
  const results = typeCheck(files);
  for (const file of files) expect(results.get(file), path.relative(root, file)).toEqual([]);
});
