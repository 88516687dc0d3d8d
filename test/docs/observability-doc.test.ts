/**
 * docs/observability.md lists every metric the library registers (the issue: "every metric with its name, type and
 * labels"): each `name: 'twitch_realtime_…'` declared in src/ appears on the page, in code quotes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('docs/observability.md', () => {
  it('names every metric registered in src/', () => {
    const names = new Set<string>();
    for (const file of sourceFiles(path.join(root, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/name: '(twitch_realtime_[a-z0-9_]+)'/g)) {
        if (match[1] !== undefined) names.add(match[1]);
      }
    }
    // The scan found the metrics (a broken pattern would pass with none).
    expect(names.size).toBeGreaterThan(40);
    const page = readFileSync(path.join(root, 'docs/observability.md'), 'utf8');
    const missing = [...names].filter(
      (name) => !page.includes(`\`${name}\``) && !page.includes(`\`${name}{`),
    );
    expect(missing, 'metrics missing from docs/observability.md').toEqual([]);
  });
});
