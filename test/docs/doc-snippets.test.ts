/**
 * The complete code examples users copy first (every `ts` block of README.md, and the opening example of the
 * conduits and emulator pages) type-check against the sources under the project's strict tsconfig, with the
 * package's own import specifiers (`twitch-realtime`, `twitch-realtime/emulator`, ...) resolved through the
 * `exports` map of package.json. A renamed option, event or field breaks this test instead of the reader.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `twitch-realtime[/sub]` → absolute path of the source file its `exports` entry is built from. */
function specifierMap(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { import: string }>;
  };
  const map = new Map<string, string>();
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const name = sub === '.' ? 'twitch-realtime' : `twitch-realtime/${sub.slice(2)}`;
    map.set(name, path.join(root, target.import.replace(/^\.\/dist\//, 'src/')));
  }
  return map;
}

function tsBlocks(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

interface Snippet {
  readonly name: string;
  readonly code: string;
}

const snippets: Snippet[] = [
  ...tsBlocks('README.md').map((code, i) => ({ name: `README.md, ts block ${String(i + 1)}`, code })),
  ...['docs/conduits.md', 'docs/emulator.md'].map((file) => ({
    name: `${file}, opening example`,
    code: tsBlocks(file)[0] ?? '',
  })),
  // The complete webhook examples (those that import the package; the others are fragments).
  ...tsBlocks('docs/webhooks.md')
    .map((code, i) => ({ name: `docs/webhooks.md, ts block ${String(i + 1)}`, code }))
    .filter((snippet) => snippet.code.includes("from 'twitch-realtime")),
];

const dir = mkdtempSync(path.join(tmpdir(), 'twitch-realtime-snippets-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** One program for every snippet (type-checking the sources once), diagnostics per snippet. */
function check(): Map<string, string[]> {
  const specifiers = specifierMap();
  const files = snippets.map((snippet, i) => {
    const code = snippet.code.replace(
      /from '(twitch-realtime(?:\/[a-z]+)?)'/g,
      (whole, spec: string) => `from '${specifiers.get(spec) ?? spec}'`,
    );
    const file = path.join(dir, `snippet-${String(i)}.mts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    return file;
  });
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram(files, {
    ...config.options,
    noEmit: true,
    typeRoots: [path.join(root, 'node_modules', '@types')],
  });
  const result = new Map<string, string[]>();
  files.forEach((file, i) => {
    const source = program.getSourceFile(file);
    const diagnostics = source === undefined ? [] : ts.getPreEmitDiagnostics(program, source);
    result.set(
      snippets[i]!.name,
      diagnostics.map((d) => {
        const line =
          d.file !== undefined && d.start !== undefined
            ? d.file.getLineAndCharacterOfPosition(d.start).line + 1
            : 0;
        return `line ${String(line)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      }),
    );
  });
  return result;
}

describe('documentation code examples', () => {
  it('finds the examples it is meant to check', () => {
    expect(snippets.filter((s) => s.name.startsWith('README')).length).toBeGreaterThanOrEqual(2);
    for (const snippet of snippets) expect(snippet.code, snippet.name).toMatch(/from 'twitch-realtime/);
  });

  it('type-check under the strict tsconfig', { timeout: 120_000 }, () => {
    const results = check();
    expect(results.size).toBe(snippets.length);
    for (const [name, errors] of results) expect(errors, name).toEqual([]);
  });
});
