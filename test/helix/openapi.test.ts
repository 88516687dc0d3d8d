/**
 * The endpoint table (`ENDPOINTS` in src/helix/endpoint.ts) against the project's copy of Helix's OpenAPI
 * description (test/fixtures/helix-openapi.json): every row is an operation Twitch describes, with the same method,
 * and a list endpoint sends `first` only where the operation takes it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/helix/endpoint.js';

interface Operation {
  readonly parameters?: readonly { readonly name?: string; readonly in?: string }[];
}
const spec = JSON.parse(readFileSync(new URL('../fixtures/helix-openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation | undefined> | undefined>;
};

describe('ENDPOINTS match Helix OpenAPI', () => {
  for (const [name, row] of Object.entries(ENDPOINTS)) {
    it(`${name}: ${row.method} ${row.path}`, () => {
      const operation = spec.paths[row.path]?.[row.method.toLowerCase()];
      expect(operation, `${row.method} ${row.path} is not in the OpenAPI description`).toBeDefined();
      if ('page' in row) {
        const query = new Set(
          (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        );
        expect(query.has('after'), 'a paginated operation takes `after`').toBe(true);
        expect(query.has('first')).toBe(row.page.supportsFirst);
      }
    });
  }
});
