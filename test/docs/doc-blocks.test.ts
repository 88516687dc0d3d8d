/**
 * Documentation that cannot lie: every fenced TypeScript/JavaScript block of README.md and docs/*.md is one of
 *
 * - a **program** (` ```ts `): complete, type-checked under the project's strict tsconfig, then run as a user would
 *   run it (its own process, importing the package by name through the `exports` map) against the emulator it
 *   starts itself. It must exit 0 by itself, print nothing on stderr, and, when the block is followed by a
 *   ` ```text output ` block, print those lines in that order (`…` in an expected line stands for any text);
 * - a **fragment** (` ```ts fragment `): type-checked only. What it uses without declaring comes from a prelude in an
 *   HTML comment right before the block (`<!-- prelude: import type { X } from 'twitch-realtime'; declare const x: X;
 *   -->`), invisible on the rendered page.
 *
 * Any other info string on a TypeScript/JavaScript block fails, so a block cannot escape both checks.
 */
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, typeCheck } from '../support/typescript.js';

/** Info strings that mark TypeScript or JavaScript; every one is checked (only `ts`/`js` and friends are accepted). */
const LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);
const CODE_LIKE = /^(?:[cm]?[jt]sx?|typescript|javascript|node|es\d*|ecmascript)$/i;
const KINDS = new Set(['program', 'fragment']);

interface Block {
  /** e.g. `docs/pubsub.md:14` (the line of the opening fence). */
  readonly where: string;
  readonly kind: 'program' | 'fragment';
  readonly js: boolean;
  readonly code: string;
  readonly prelude: string;
  /** Lines the program must print, in order; `undefined` when the block shows no output. */
  readonly output: readonly string[] | undefined;
}

interface Fence {
  readonly line: number;
  readonly info: string;
  readonly body: string;
  /** Text between the previous fence's end (or the file start) and this fence. */
  readonly before: string;
}

function fences(text: string): Fence[] {
  const lines = text.split('\n');
  const out: Fence[] = [];
  let lastEnd = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const marker = open[2]!;
    let end = i + 1;
    while (end < lines.length && !lines[end]!.trimStart().startsWith(marker)) end++;
    out.push({
      line: i + 1,
      info: open[3]!.trim(),
      body: lines.slice(i + 1, end).join('\n'),
      before: lines.slice(lastEnd, i).join('\n'),
    });
    i = end;
    lastEnd = end + 1;
  }
  return out;
}

function docFiles(): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort()];
}

/** Every TS/JS block, classified; blocks with an unknown info string are returned in `invalid`. */
function collect(): { blocks: Block[]; invalid: string[] } {
  const blocks: Block[] = [];
  const invalid: string[] = [];
  for (const file of docFiles()) {
    const all = fences(readFileSync(path.join(root, file), 'utf8'));
    all.forEach((fence, index) => {
      const [language = '', ...words] = fence.info.split(/\s+/);
      const where = `${file}:${String(fence.line)}`;
      if (!LANGUAGES.has(language.toLowerCase())) {
        // tsx, cjs, cts, jsx... would escape both checks: refuse them rather than skip them.
        if (CODE_LIKE.test(language))
          invalid.push(`${where}: "${language}" blocks are not checked; use ts or js`);
        return;
      }
      const kind = words[0] ?? 'program';
      if (words.length > 1 || !KINDS.has(kind)) {
        invalid.push(
          `${where}: info string "${fence.info}" (expected "${language}" or "${language} fragment")`,
        );
        return;
      }
      const preludeMatch = /<!--\s*prelude:([\s\S]*?)-->\s*$/.exec(fence.before);
      const next = all[index + 1];
      const output =
        next?.info === 'text output' && next.before.trim() === ''
          ? next.body.split('\n').filter((line) => line.trim() !== '')
          : undefined;
      if (kind === 'fragment' && output !== undefined) {
        invalid.push(`${where}: a fragment cannot show checked output (make it a program)`);
      }
      if (kind === 'program' && preludeMatch !== null) {
        invalid.push(`${where}: a program is complete and takes no prelude (make it a fragment)`);
      }
      blocks.push({
        where,
        kind: kind as Block['kind'],
        js: /^(js|javascript|mjs)$/i.test(language),
        code: fence.body,
        prelude: preludeMatch?.[1]?.trim() ?? '',
        output,
      });
    });
  }
  return { blocks, invalid };
}

const { blocks, invalid } = collect();

/**
 * A scratch project outside the repository that depends on the package as a user's would (node_modules/
 * twitch-realtime → the checkout), so that `twitch-realtime` and its subpaths resolve through the `exports` map.
 * The `twitch-realtime:source` condition (tsconfig's customConditions, and `--conditions` when run) selects the
 * sources, so no build is needed and nothing runs against a stale dist/.
 */
const scratch = mkdtempSync(path.join(tmpdir(), 'twitch-realtime-docs-'));
mkdirSync(path.join(scratch, 'node_modules'));
symlinkSync(root, path.join(scratch, 'node_modules', 'twitch-realtime'), 'dir');
// docs/testing.md quotes test files of vitest and jest: their runners' modules resolve as in a user's project.
mkdirSync(path.join(scratch, 'node_modules', '@jest'));
for (const dep of ['vitest', '@jest/globals']) {
  symlinkSync(path.join(root, 'node_modules', dep), path.join(scratch, 'node_modules', dep), 'dir');
}
writeFileSync(
  path.join(scratch, 'package.json'),
  JSON.stringify({ name: 'docs-consumer', private: true, type: 'module' }),
);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function fileOf(block: Block, index: number): string {
  const base = `block-${String(index).padStart(3, '0')}-${block.where.replace(/[^a-z0-9]+/gi, '-')}`;
  return path.join(scratch, `${base}.${block.js ? 'mjs' : 'mts'}`);
}

const files = blocks.map((block, index) => {
  const file = fileOf(block, index);
  const header = block.kind === 'fragment' ? `${block.prelude}\n` : '';
  // `export {}` makes every block a module (top-level await, no clash between blocks' names).
  writeFileSync(file, `${header}${block.code}\nexport {};\n`);
  return file;
});

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const tsx = import.meta.resolve('tsx');

function run(file: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=twitch-realtime:source', '--import', tsx, file], {
      cwd: scratch,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
      env: { ...process.env, CI: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `expected` lines appear in `actual`, in order; `…` in an expected line matches any text. */
function missingOutput(actual: string, expected: readonly string[]): string | undefined {
  const lines = actual.split('\n');
  let at = 0;
  for (const want of expected) {
    const pattern = new RegExp(
      `^${want
        .trim()
        .split('…')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    while (at < lines.length && !pattern.test(lines[at]!.trim())) at++;
    if (at === lines.length) return want;
    at++;
  }
  return undefined;
}

describe('documentation code blocks', () => {
  it('every TypeScript/JavaScript block is a program or a marked fragment', () => {
    expect(invalid).toEqual([]);
    expect(blocks.filter((b) => b.kind === 'program').length).toBeGreaterThanOrEqual(10);
    expect(blocks.some((b) => b.where.startsWith('README.md'))).toBe(true);
  });

  // 120 s: one TypeScript program over every documentation block (a compiler run, several seconds even idle).
  it('every block type-checks under the strict tsconfig', { timeout: 120_000 }, () => {
    const results = typeCheck(files, { allowJs: true, checkJs: true });
    const failures = blocks.flatMap((block, i) =>
      (results.get(files[i]!) ?? []).map((message) => `${block.where} (${block.kind}): ${message}`),
    );
    expect(failures).toEqual([]);
  });

  const programs = blocks.flatMap((block, i) =>
    block.kind === 'program' ? [{ block, file: files[i]! }] : [],
  );
  describe.concurrent('programs run against the emulator', () => {
    for (const { block, file } of programs) {
      // 40 s: each block runs as a child process (tsx), bounded by the 30 s kill timeout of run().
      it(`${block.where} exits 0 by itself`, { timeout: 40_000 }, async () => {
        const result = await run(file);
        const shown = `\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
        expect(result.stderr, `${block.where}: stderr${shown}`).toBe('');
        expect({ code: result.code, signal: result.signal }, `${block.where}: exit${shown}`).toEqual({
          code: 0,
          signal: null,
        });
        if (block.output !== undefined) {
          expect(missingOutput(result.stdout, block.output), `${block.where}: output\n${result.stdout}`).toBe(
            undefined,
          );
        }
      });
    }
  });
});
